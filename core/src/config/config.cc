#include "config/config.h"

#include <cmath>

#include "json/json.h"
#include "util/url.h"

namespace adcp {
namespace {

bool IsInt(const json::Value& v) {
  return v.is_number() && std::isfinite(v.as_number()) && std::floor(v.as_number()) == v.as_number();
}

class Reader {
 public:
  explicit Reader(const json::Value& root) : root_(root) {}
  std::string error;

  void Int(const char* key, int64_t min, int64_t max, int64_t* out) {
    const json::Value* v = root_.find(key);
    if (!v || !error.empty()) return;
    if (!IsInt(*v) || v->as_number() < static_cast<double>(min) || v->as_number() > static_cast<double>(max)) {
      error = std::string("config.") + key + " must be an integer in " + std::to_string(min) + ".." +
              std::to_string(max);
      return;
    }
    *out = static_cast<int64_t>(v->as_number());
  }
  void Number(const char* key, double min, double max, double* out) {
    const json::Value* v = root_.find(key);
    if (!v || !error.empty()) return;
    if (!v->is_number() || v->as_number() < min || v->as_number() > max) {
      error = std::string("config.") + key + " must be a number in " + json::FormatNumber(min) + ".." +
              json::FormatNumber(max);
      return;
    }
    *out = v->as_number();
  }
  void Bool(const char* key, bool* out) {
    const json::Value* v = root_.find(key);
    if (!v || !error.empty()) return;
    if (!v->is_bool()) {
      error = std::string("config.") + key + " must be a boolean";
      return;
    }
    *out = v->as_bool();
  }
  void Enum(const char* key, std::initializer_list<const char*> allowed, std::string* out) {
    const json::Value* v = root_.find(key);
    if (!v || !error.empty()) return;
    if (v->is_string())
      for (const char* a : allowed)
        if (v->as_string() == a) {
          *out = a;
          return;
        }
    error = std::string("config.") + key + " has an unsupported value";
  }

 private:
  const json::Value& root_;
};

}  // namespace

json::Value DriftThresholds::ToJson() const {
  json::Value v = json::Value::MakeObject();
  if (escalation_rate_max) v.set("escalation_rate_max", *escalation_rate_max);
  if (escalation_rate_min) v.set("escalation_rate_min", *escalation_rate_min);
  if (auto_approval_rate_max) v.set("auto_approval_rate_max", *auto_approval_rate_max);
  if (human_override_rate_max) v.set("human_override_rate_max", *human_override_rate_max);
  return v;
}

std::string ParseDriftThresholds(const json::Value& v, DriftThresholds* out) {
  if (!v.is_object()) return "thresholds must be an object";
  DriftThresholds t;
  for (const json::Member& m : v.as_object()) {
    std::optional<double>* slot = nullptr;
    if (m.first == "escalation_rate_max") slot = &t.escalation_rate_max;
    if (m.first == "escalation_rate_min") slot = &t.escalation_rate_min;
    if (m.first == "auto_approval_rate_max") slot = &t.auto_approval_rate_max;
    if (m.first == "human_override_rate_max") slot = &t.human_override_rate_max;
    if (!slot) return "unknown threshold key " + m.first;
    if (!m.second.is_number() || m.second.as_number() < 0 || m.second.as_number() > 1)
      return "threshold " + m.first + " must be a number in 0..1";
    *slot = m.second.as_number();
  }
  *out = t;
  return "";
}

std::string ParseConfig(std::string_view json_text, Config* out) {
  json::ParseResult parsed = json::Parse(json_text);
  if (!parsed.ok()) return "config is not valid JSON: " + parsed.message;
  const json::Value& root = parsed.value;
  if (!root.is_object()) return "config must be a JSON object";
  Config c;
  const std::string* issuer = root.find_string("issuer");
  if (!issuer) return "config.issuer is required (https URL)";
  if (issuer->compare(0, 8, "https://") != 0 || !NormalizeAgentUrl(*issuer))
    return "config.issuer must be an https URL";
  c.issuer = *issuer;

  if (const json::Value* signing = root.find("signing")) {
    if (!signing->is_object()) return "config.signing must be an object";
    if (const json::Value* alg = signing->find("alg")) {
      if (!alg->is_string() || (alg->as_string() != "EdDSA" && alg->as_string() != "ES256"))
        return "config.signing.alg must be EdDSA or ES256";
      c.signing_alg = alg->as_string();
    }
    if (const json::Value* kid = signing->find("kid")) {
      if (!kid->is_string() || kid->as_string().empty()) return "config.signing.kid must be a non-empty string";
      c.signing_kid = kid->as_string();
    }
    for (const char* key : {"private_key", "public_key"}) {
      if (const json::Value* k = signing->find(key)) {
        if (!k->is_string()) return std::string("config.signing.") + key + " must be a base64url string";
        if (std::string(key) == "public_key")
          c.signing_public_jwk = json::Obj({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", k->as_string()}});
      }
    }
    if (const json::Value* jwk = signing->find("public_jwk")) {
      const std::string* kty = jwk->find_string("kty");
      if (!jwk->is_object() || !kty || !jwk->find_string("crv") || !jwk->find_string("x") ||
          (*kty == "EC" && !jwk->find_string("y")))
        return "config.signing.public_jwk must be a public JWK (kty, crv, x[, y])";
      json::Value members = json::Obj({{"kty", *kty}, {"crv", *jwk->find_string("crv")}, {"x", *jwk->find_string("x")}});
      if (const std::string* y = jwk->find_string("y")) members.set("y", *y);
      c.signing_public_jwk = std::move(members);
    }
  }

  Reader r(root);
  r.Enum("default_mode", {"audit", "advisory", "enforce"}, &c.default_mode);
  r.Int("intent_token_ttl_seconds", 1, 900, &c.intent_token_ttl_seconds);
  r.Int("execution_token_ttl_seconds", 1, 2592000, &c.execution_token_ttl_seconds);
  r.Int("delivery_reporting_interval_seconds", 0, INT32_MAX, &c.delivery_reporting_interval_seconds);
  r.Int("consultation_ttl_seconds", 1, INT32_MAX, &c.consultation_ttl_seconds);
  r.Int("max_consultation_attempts", 1, INT32_MAX, &c.max_consultation_attempts);
  r.Int("escalation_timeout_seconds", 0, INT32_MAX, &c.escalation_timeout_seconds);
  r.Number("low_confidence_threshold", 0, 1, &c.low_confidence_threshold);
  if (const json::Value* w = root.find("aggregation_window_days"); w && !w->is_null()) {
    int64_t days = 0;
    r.Int("aggregation_window_days", 1, 365, &days);
    if (r.error.empty()) c.aggregation_window_days = days;
  }
  r.Int("replay_ttl_seconds", 3600, 604800, &c.replay_ttl_seconds);
  std::string reduction = "reject";
  r.Enum("budget_reduction_below_committed", {"reject", "accept_with_finding"}, &reduction);
  c.reject_budget_below_committed = reduction == "reject";
  r.Bool("industry_triggers_human_review", &c.industry_triggers_human_review);
  r.Number("geo_drift_tolerance_pct", 0, 100, &c.geo_drift_tolerance_pct);
  r.Bool("budget_holds", &c.budget_holds);
  r.Enum("protocol", {"auto", "3.0", "3.2"}, &c.protocol);
  std::string id_mode = "random";
  r.Enum("id_mode", {"random", "sequential"}, &id_mode);
  c.sequential_ids = id_mode == "sequential";
  r.Bool("allow_unsigned_tokens", &c.allow_unsigned_tokens);
  r.Bool("change_sets", &c.change_sets);
  r.Int("max_request_bytes", 1024, INT32_MAX, &c.max_request_bytes);
  r.Number("delivery_variance_tolerance", 0, 1e15, &c.delivery_variance_tolerance);
  if (!r.error.empty()) return r.error;

  if (const json::Value* drift = root.find("drift")) {
    if (!drift->is_object()) return "config.drift must be an object";
    if (const json::Value* t = drift->find("thresholds")) {
      std::string e = ParseDriftThresholds(*t, &c.drift_thresholds);
      if (!e.empty()) return "config.drift." + e;
    }
    Reader d(*drift);
    d.Int("min_checks", 0, INT32_MAX, &c.drift_min_checks);
    d.Int("trend_min_checks", 0, INT32_MAX, &c.drift_trend_min_checks);
    d.Number("trend_epsilon", 0, 1, &c.drift_trend_epsilon);
    if (!d.error.empty()) return d.error;
  }
  if (const json::Value* ra = root.find("runtime_attestations")) {
    if (!ra->is_object()) return "config.runtime_attestations must be an object";
    if (const json::Value* sa = ra->find("signal_activation")) {
      if (!sa->is_object()) return "config.runtime_attestations.signal_activation must be an object";
      const std::string* req = sa->find_string("requirement");
      if (!req || (*req != "optional" && *req != "required"))
        return "config.runtime_attestations.signal_activation.requirement must be optional or required";
      const json::Array* types = sa->find_array("claim_types");
      if (!types) return "config.runtime_attestations.signal_activation.claim_types must be an array of strings";
      for (const json::Value& t : *types) {
        if (!t.is_string()) return "config.runtime_attestations.signal_activation.claim_types must be strings";
        c.signal_attestation_claim_types.push_back(t.as_string());
      }
      c.signal_attestations_enabled = true;
      c.signal_attestation_requirement = *req;
    }
  }
  if (const json::Value* compat = root.find("compat")) {
    if (!compat->is_object()) return "config.compat must be an object";
    Reader cr(*compat);
    cr.Bool("accept_missing_idempotency_key", &c.compat_accept_missing_idempotency_key);
    cr.Bool("accept_legacy_delivery_snapshot", &c.compat_accept_legacy_delivery_snapshot);
    cr.Bool("legacy_body_status", &c.compat_legacy_body_status);
    if (!cr.error.empty()) return cr.error;
  }
  *out = std::move(c);
  return "";
}

}  // namespace adcp
