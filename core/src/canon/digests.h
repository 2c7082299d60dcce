// The project's digests over canonical JSON (spec 07 §2–§3).
#pragma once

#include <string>

#include "canon/sha256.h"
#include "json/value.h"

namespace adcp::canon {

// SHA-256 over the UTF-8 bytes of JCS(v).
Digest JcsDigest(const json::Value& v);

// 07 §2: plan_as_supplied minus the six top-level bookkeeping keys,
// base64url without padding (43 chars). Any JSON value is accepted; a
// non-object is hashed as is.
json::Value PlanHashPreimage(const json::Value& plan);
std::string PlanHash(const json::Value& plan);
// Verification (07 §2): strict base64url, exactly 32 bytes, constant time.
bool PlanHashEquals(const std::string& a, const std::string& b);

// 07 §3 authorized_payload_hash: payload minus top-level governance_context
// and context; base64url, no prefix.
std::string PayloadHash(const json::Value& payload);

// 07 §3 statement_digest: "sha256:" + hex of JCS({seller_reference,
// delivery_metrics minus statement_digest}).
std::string StatementDigest(const std::string& seller_reference, const json::Value& delivery_metrics);

// "sha256:" + hex(SHA-256(JCS(v))): attestation reference digest and the
// runtime attestation binding digest (03 §9).
std::string PrefixedHexDigest(const json::Value& v);

// "sha256:" + base64url(SHA-256(JCS(v))): proposal terms digest (03 §4.4).
std::string PrefixedB64Digest(const json::Value& v);

// 08 §5 canonical payload hash of a keyed request: the request minus
// top-level idempotency_key and context and minus
// push_notification_config.authentication.credentials. Hex (internal).
std::string IdempotencyPayloadHash(const json::Value& request, const char* key_member = "idempotency_key");

}  // namespace adcp::canon
