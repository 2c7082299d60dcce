#include "tokens/token.h"

#include "canon/sha256.h"
#include "json/json.h"

namespace adcp {

json::Value TokenHeader(const Config& config, const TokenSpec& t) {
  json::Value h = json::Value::MakeObject();
  h.set("alg", config.signing_alg);
  if (config.signing_kid) h.set("kid", *config.signing_kid);
  h.set("typ", "adcp-gov+jws");
  json::Value crit = json::Value::MakeArray();
  if (t.commitment_amount) crit.push("authorized_commitment");
  if (t.authorized_task) crit.push("authorized_task");
  if (t.authorized_payload_hash) crit.push("authorized_payload_hash");
  if (crit.size() > 0) {
    h.set("crit", crit);
    for (const json::Value& name : crit.as_array()) h.set(name.as_string(), true);
  }
  return h;
}

json::Value TokenClaims(const Config& config, const TokenSpec& t) {
  json::Value c = json::Obj({{"iss", config.issuer}, {"sub", t.sub}, {"plan_hash", t.plan_hash}});
  // An unbound 3.0-era action has no audience yet: `aud` is omitted, so a
  // 3.2 verifier rejects the token (10 §3.6); 3.2 actions always have one.
  if (!t.aud.empty()) c.set("aud", t.aud);
  c.set("iat", t.iat);
  c.set("exp", t.exp);
  c.set("jti", t.jti);
  c.set("phase", t.phase);
  c.set("caller", t.caller);
  c.set("check_id", t.check_id);
  if (t.media_buy_id) c.set("media_buy_id", *t.media_buy_id);
  if (t.commitment_amount)
    c.set("authorized_commitment", json::Obj({{"amount", *t.commitment_amount}, {"currency", t.commitment_currency}}));
  if (t.authorized_task) c.set("authorized_task", *t.authorized_task);
  if (t.authorized_payload_hash) c.set("authorized_payload_hash", *t.authorized_payload_hash);
  c.set("policy_decision_hash", t.policy_decision_hash);
  if (t.binding_digest) c.set("runtime_attestation_binding_digest", *t.binding_digest);
  return c;
}

Result<std::string> SignCompact(CallContext& ctx, const json::Value& header, const json::Value& claims) {
  const bool has_signer = static_cast<bool>(ctx.hooks().sign);
  // The signing input and then the token are written into one string (issue
  // 15: the header was copied, and each segment and the token were strings
  // of their own).
  std::string token;
  if (has_signer) {
    canon::Base64UrlAppend(&token, json::Write(header));
  } else {
    json::Value unsigned_header = header;
    unsigned_header.put("alg", "none");  // allow_unsigned_tokens (test only)
    canon::Base64UrlAppend(&token, json::Write(unsigned_header));
  }
  token.push_back('.');
  canon::Base64UrlAppend(&token, json::Write(claims));
  std::string signature;
  if (has_signer) {
    const json::Value* alg = header.find("alg");
    const json::Value* kid = header.find("kid");
    HookResult<std::string> r = ctx.hooks().sign(token, alg && alg->is_string() ? alg->as_string() : "",
                                                 kid && kid->is_string() ? kid->as_string() : "");
    if (!r.ok()) return HookFailure("sign", r.error);
    std::string raw;
    if (!canon::Base64UrlDecode(r.value, &raw) || raw.size() != 64)
      return HookFailure("sign", "signature must be 64 bytes of unpadded base64url");
    signature = std::move(r.value);
  }
  token.push_back('.');
  token += signature;
  if (token.size() > 4096)
    return MakeError(ErrorCode::kValidationError, "the governance token would exceed 4096 characters");
  return token;
}

Result<std::string> SignToken(CallContext& ctx, const TokenSpec& t) {
  return SignCompact(ctx, TokenHeader(ctx.config(), t), TokenClaims(ctx.config(), t));
}

}  // namespace adcp
