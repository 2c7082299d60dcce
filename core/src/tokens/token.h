// governance_context tokens (03 §10, 07 §5): compact JWS, EdDSA/ES256,
// signed through the host's `sign` hook.
#pragma once

#include <optional>
#include <string>

#include "call/context.h"
#include "json/value.h"

namespace adcp {

struct TokenSpec {
  std::string sub;         // action id
  std::string plan_hash;
  std::string aud;         // target_agent, verbatim
  int64_t iat = 0, exp = 0;  // seconds
  std::string jti;
  std::string phase;
  std::string caller;      // verbatim
  std::string check_id;
  std::optional<std::string> media_buy_id;
  std::optional<double> commitment_amount;  // authorized_commitment.amount
  std::string commitment_currency;
  std::optional<std::string> authorized_task, authorized_payload_hash;
  std::string policy_decision_hash;
  std::optional<std::string> binding_digest;  // runtime_attestation_binding_digest
};

// Writes the header and claims in the emission order of 03 §10 (compact
// JSON, not JCS) and signs. Fails with SERVICE_UNAVAILABLE when the signer fails
// or returns something other than 64 bytes of unpadded base64url, and with
// VALIDATION_ERROR (no field) when the token would exceed 4096 characters.
Result<std::string> SignToken(CallContext& ctx, const TokenSpec& t);

// Compact JWS of arbitrary header/claims objects (the golden vectors).
Result<std::string> SignCompact(CallContext& ctx, const json::Value& header, const json::Value& claims);

}  // namespace adcp
