#include "tokens/token.h"

#include "canon/sha256.h"
#include "json/json.h"

namespace adcp {
namespace {

// One JSON object written member by member, byte for byte as json::Write
// writes a Value built in the same order (compact, JSON.stringify's numbers
// and escapes; -0 as 0, as json::Value stores it). A token's header and
// claims were built as trees only to be written once (issue 15: about
// twenty heap blocks a token).
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  void String(std::string_view key, std::string_view value) {
    Key(key);
    json::AppendQuoted(out_, value);
  }
  void Number(std::string_view key, double value) {
    Key(key);
    json::AppendNumber(out_, value == 0 ? 0.0 : value);
  }
  void True(std::string_view key) {
    Key(key);
    out_ += "true";
  }
  // A member whose value the caller writes next.
  std::string& Open(std::string_view key) {
    Key(key);
    return out_;
  }
  void Close() { out_.push_back('}'); }

 private:
  void Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    json::AppendQuoted(out_, key);
    out_.push_back(':');
  }
  std::string& out_;
  bool first_ = true;
};

// 03 §10's header: alg, kid, typ, then crit and each critical claim's flag.
std::string TokenHeaderText(const Config& config, const TokenSpec& t, std::string_view alg) {
  std::string out;
  ObjectWriter header(out);
  header.String("alg", alg);
  if (config.signing_kid) header.String("kid", *config.signing_kid);
  header.String("typ", "adcp-gov+jws");
  const char* critical[3];
  size_t count = 0;
  if (t.commitment_amount) critical[count++] = "authorized_commitment";
  if (t.authorized_task) critical[count++] = "authorized_task";
  if (t.authorized_payload_hash) critical[count++] = "authorized_payload_hash";
  if (count > 0) {
    std::string& crit = header.Open("crit");
    crit.push_back('[');
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) crit.push_back(',');
      json::AppendQuoted(crit, critical[i]);
    }
    crit.push_back(']');
    for (size_t i = 0; i < count; ++i) header.True(critical[i]);
  }
  header.Close();
  return out;
}

// The claims in 03 §10's emission order.
std::string TokenClaimsText(const Config& config, const TokenSpec& t) {
  std::string out;
  ObjectWriter claims(out);
  claims.String("iss", config.issuer);
  claims.String("sub", t.sub);
  claims.String("plan_hash", t.plan_hash);
  // An unbound 3.0-era action has no audience yet: `aud` is omitted, so a
  // 3.2 verifier rejects the token (10 §3.6); 3.2 actions always have one.
  if (!t.aud.empty()) claims.String("aud", t.aud);
  claims.Number("iat", static_cast<double>(t.iat));
  claims.Number("exp", static_cast<double>(t.exp));
  claims.String("jti", t.jti);
  claims.String("phase", t.phase);
  claims.String("caller", t.caller);
  claims.String("check_id", t.check_id);
  if (t.media_buy_id) claims.String("media_buy_id", *t.media_buy_id);
  if (t.commitment_amount) {
    ObjectWriter commitment(claims.Open("authorized_commitment"));
    commitment.Number("amount", *t.commitment_amount);
    commitment.String("currency", t.commitment_currency);
    commitment.Close();
  }
  if (t.authorized_task) claims.String("authorized_task", *t.authorized_task);
  if (t.authorized_payload_hash) claims.String("authorized_payload_hash", *t.authorized_payload_hash);
  claims.String("policy_decision_hash", t.policy_decision_hash);
  if (t.binding_digest) claims.String("runtime_attestation_binding_digest", *t.binding_digest);
  claims.Close();
  return out;
}

// `token` holds the signing input (header "." claims, base64url); the
// signature is appended in place.
Result<std::string> SignInput(CallContext& ctx, std::string token, std::string_view alg, std::string_view kid) {
  std::string signature;
  if (ctx.hooks().sign) {
    HookResult<std::string> r = ctx.hooks().sign(token, alg, kid);
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

}  // namespace

Result<std::string> SignCompact(CallContext& ctx, const json::Value& header, const json::Value& claims) {
  const bool has_signer = static_cast<bool>(ctx.hooks().sign);
  std::string input;
  if (has_signer) {
    canon::Base64UrlAppend(&input, json::Write(header));
  } else {
    json::Value unsigned_header = header;
    unsigned_header.put("alg", "none");  // allow_unsigned_tokens (test only)
    canon::Base64UrlAppend(&input, json::Write(unsigned_header));
  }
  input.push_back('.');
  canon::Base64UrlAppend(&input, json::Write(claims));
  const json::Value* alg = header.find("alg");
  const json::Value* kid = header.find("kid");
  return SignInput(ctx, std::move(input), alg && alg->is_string() ? std::string_view(alg->as_string()) : std::string_view(),
                   kid && kid->is_string() ? std::string_view(kid->as_string()) : std::string_view());
}

Result<std::string> SignToken(CallContext& ctx, const TokenSpec& t) {
  const Config& config = ctx.config();
  // Without a signer the header says "none" (allow_unsigned_tokens, test only).
  const std::string_view alg = ctx.hooks().sign ? std::string_view(config.signing_alg) : std::string_view("none");
  std::string input;
  canon::Base64UrlAppend(&input, TokenHeaderText(config, t, alg));
  input.push_back('.');
  canon::Base64UrlAppend(&input, TokenClaimsText(config, t));
  return SignInput(ctx, std::move(input), config.signing_alg,
                   config.signing_kid ? std::string_view(*config.signing_kid) : std::string_view());
}

}  // namespace adcp
