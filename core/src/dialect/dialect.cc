#include "dialect/dialect.h"

#include <cstdlib>

#include "config/config.h"
#include "config/identity.h"
#include "json/json.h"
#include "util/time.h"

namespace adcp {
namespace {

bool Present(const json::Value& o, std::string_view key) {
  const json::Value* v = o.find(key);
  return v && !v->is_null();
}

// 10 §1.2 D2: ^(\d+)\.(\d+)(\.\d+)?(-[0-9A-Za-z.-]+)?$ ; hand-parsed because
// std::regex would pull exception paths into a -fno-exceptions build.
bool ParseAdcpVersion(const std::string& s, int* major, int* minor) {
  size_t i = 0;
  auto digits = [&](int* out) {
    size_t start = i;
    long value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (value < 100000) value = value * 10 + (s[i] - '0');
      ++i;
    }
    if (out) *out = static_cast<int>(value);
    return i > start;
  };
  if (!digits(major) || i >= s.size() || s[i] != '.') return false;
  ++i;
  if (!digits(minor)) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits(nullptr)) return false;
  }
  if (i < s.size() && s[i] == '-') {
    ++i;
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
                            (s[i] >= 'a' && s[i] <= 'z') || s[i] == '.' || s[i] == '-'))
      ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

const char* const kStatementKeys[] = {"statement_id", "statement_digest", "sequence", "issued_at", "currency"};
const char* const kObservationKeys[] = {"observation_id",      "source",
                                        "observed_at",         "cumulative_spend",
                                        "currency",            "seller_statement_id",
                                        "seller_statement_digest", "period_closed"};

bool HasStatementFieldsImpl(const json::Value* metrics) {
  if (!metrics || !metrics->is_object()) return false;
  for (const char* k : kStatementKeys)
    if (Present(*metrics, k)) return true;
  return false;
}
bool HasObservationFieldsImpl(const json::Value* delivery) {
  if (!delivery || !delivery->is_object()) return false;
  for (const char* k : kObservationKeys)
    if (Present(*delivery, k)) return true;
  return false;
}

bool AnyPlanBudgetHas(const json::Value& request, const char* in_budget, const char* in_plan) {
  const json::Array* plans = request.find_array("plans");
  if (!plans) return false;
  for (const json::Value& p : *plans) {
    if (!p.is_object()) continue;
    if (in_plan && Present(p, in_plan)) return true;
    if (in_budget)
      if (const json::Value* b = p.find_object("budget"); b && Present(*b, in_budget)) return true;
  }
  return false;
}

}  // namespace

// 10 §1.3 3.2 markers, per task.
bool CheckHas32Marker(const json::Value& r) {
  for (const char* k : {"target_agent", "proposed_commitment", "execution_commitment", "proposal",
                        "consultation_context", "runtime_attestations"})
    if (Present(r, k)) return true;
  return HasStatementFieldsImpl(r.find("delivery_metrics"));
}
bool OutcomeHas32Marker(const json::Value& r) { return HasObservationFieldsImpl(r.find("delivery")); }
bool SyncHas32Marker(const json::Value& r) { return AnyPlanBudgetHas(r, "accounting_mode", nullptr); }

// 10 §1.3 3.0 markers, per task.
bool CheckHas30Marker(const json::Value& r) {
  for (const char* k : {"binding", "buyer_campaign_ref", "human_approval", "media_buy_id"})
    if (Present(r, k)) return true;
  const json::Value* gc = r.find("governance_context");
  const bool gc_string = gc && gc->is_string();
  if (gc && !gc->is_null() && !gc_string) return true;
  if (Present(r, "tool")) return true;  // no target_agent: D3 already looked
  if (Present(r, "payload") && !Present(r, "tool")) return true;
  if (Present(r, "delivery_metrics")) return true;  // without statement fields (D3)
  if (Present(r, "planned_delivery") && !gc_string) return true;
  return false;
}
bool OutcomeHas30Marker(const json::Value& r) {
  if (Present(r, "buyer_campaign_ref") || !Present(r, "idempotency_key")) return true;
  if (Present(r, "delivery")) return true;  // without observation fields (D3)
  const std::string* outcome = r.find_string("outcome");
  if (outcome && (*outcome == "completed" || *outcome == "failed")) {
    const json::Value* gc = r.find("governance_context");
    if (!gc || gc->is_null() || (gc->is_string() && gc->as_string().empty())) return true;
  }
  return false;
}
bool SyncHas30Marker(const json::Value& r) { return AnyPlanBudgetHas(r, nullptr, "human_override"); }
bool NoMarker(const json::Value&) { return false; }

namespace {

json::Value Pick(const json::Value& from, std::initializer_list<const char*> keys) {
  json::Value out = json::Value::MakeObject();
  if (!from.is_object()) return out;
  for (const json::Member& m : from.as_object())
    for (const char* k : keys)
      if (m.first == k) {
        out.set(m.first, m.second);
        break;
      }
  return out;
}

json::Value PickEach(const json::Value& array, std::initializer_list<const char*> keys) {
  json::Value out = json::Value::MakeArray();
  if (!array.is_array()) return out;
  for (const json::Value& item : array.as_array()) out.push(Pick(item, keys));
  return out;
}

bool IdentifierSegment(const std::string& s) {
  if (s.empty()) return false;
  bool digits = true;
  for (char c : s) digits = digits && c >= '0' && c <= '9';
  if (digits) return true;
  if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_' || s[0] == '$')) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$'))
      return false;
  return s != "__proto__" && s != "constructor" && s != "prototype";
}

// 10 §6.2 conditions: `payload.`-rooted fields are rebased onto the payload,
// and required_value survives only where 6.11 can apply it safely.
json::Value RenderCondition(const json::Value& condition, const std::optional<json::Value>& payload) {
  json::Value out = json::Value::MakeObject();
  const std::string* field = condition.find_string("field");
  const json::Value* required = condition.find("required_value");
  const std::string prefix = "payload.";
  const bool rebased = field && field->compare(0, prefix.size(), prefix) == 0;
  std::string path = rebased ? field->substr(prefix.size()) : (field ? *field : "");
  bool keep = rebased && required;
  if (keep) {
    std::vector<std::string> segments;
    size_t start = 0;
    for (;;) {
      size_t dot = path.find('.', start);
      segments.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const std::string& s : segments) keep = keep && IdentifierSegment(s);
    if (keep && payload) {  // the value at the path, if it resolves, must have the same JSON type
      const json::Value* at = &*payload;
      for (const std::string& s : segments) {
        if (at->is_object()) {
          at = at->find(s);
        } else if (at->is_array() && s.find_first_not_of("0123456789") == std::string::npos && s.size() <= 9 &&
                   static_cast<size_t>(std::atol(s.c_str())) < at->as_array().size()) {
          at = &at->as_array()[static_cast<size_t>(std::atol(s.c_str()))];
        } else {
          at = nullptr;
        }
        if (!at) break;
      }
      if (at && at->type() != required->type()) keep = false;
    }
  }
  for (const json::Member& m : condition.as_object()) {
    if (m.first == "field") out.set("field", path);
    else if (m.first == "required_value") {
      if (keep) out.set("required_value", m.second);
    } else {
      out.set(m.first, m.second);
    }
  }
  return out;
}

json::Value LegacyFindings(const json::Value& findings) {
  return PickEach(findings, {"category_id", "policy_id", "source_plan_id", "severity", "explanation", "details",
                             "confidence", "uncertainty_reason"});
}

// Builds a 3.0/3.1 check body from named parts in the key order of 10 §6.2.
json::Value OrderCheckBody(Dialect d, const std::vector<std::pair<const char*, json::Value>>& parts) {
  static const char* const kOrder[] = {"check_id",         "status",         "verdict",     "check_type",
                                       "binding",          "plan_id",        "explanation", "findings",
                                       "conditions",       "categories_evaluated", "policies_evaluated", "mode",
                                       "expires_at",       "next_check",     "governance_context", "task_id",
                                       "buyer_campaign_ref"};
  json::Value out = json::Value::MakeObject();
  for (const char* key : kOrder) {
    if (d == Dialect::k31 && (std::string_view(key) == "status" || std::string_view(key) == "binding" ||
                              std::string_view(key) == "buyer_campaign_ref"))
      continue;
    for (const auto& p : parts)
      if (std::string_view(p.first) == key) {
        out.set(key, p.second);
        break;
      }
  }
  return out;
}

}  // namespace

bool HasStatementFields(const json::Value* metrics) { return HasStatementFieldsImpl(metrics); }
bool HasObservationFields(const json::Value* delivery) { return HasObservationFieldsImpl(delivery); }
bool MatchesAdcpVersion(const json::Value& v) {
  int major = 0, minor = 0;
  return v.is_string() && ParseAdcpVersion(v.as_string(), &major, &minor);
}

bool IsReadOnlyTool(const std::string& tool) {
  static const char* const kReadOnly[] = {
      "get_adcp_capabilities", "get_products",           "get_media_buys",         "get_media_buy_delivery",
      "list_creative_formats", "preview_creative",       "get_creative_delivery",  "list_creatives",
      "get_signals",           "list_accounts",          "get_account_financials", "get_property_list",
      "list_property_lists",   "get_collection_list",    "list_collection_lists",  "list_content_standards",
      "get_content_standards", "validate_content_delivery", "get_media_buy_artifacts", "get_creative_features",
      "si_get_offering"};
  for (const char* t : kReadOnly)
    if (tool == t) return true;
  return false;
}

std::string LegacyPurchaseType(const std::string& tool) {
  if (tool == "activate_signal") return "signal_activation";
  if (tool == "acquire_rights" || tool == "update_rights") return "rights_license";
  if (tool == "build_creative") return "creative_services";
  return "media_buy";
}

Dialect Detect(const DialectMarkers* markers, const json::Value& r, const Config& config, const Auth& auth) {
  if (!markers) return Dialect::k32;  // a task without dialects (10 §1)
  if (config.protocol != "auto") return DialectFromName(config.protocol);  // D1
  if (const json::Value* v = r.find("adcp_version")) {  // D2, D2' (any present value)
    int major = 0, minor = 0;
    if (!v->is_string() || !ParseAdcpVersion(v->as_string(), &major, &minor)) return Dialect::k32;
    if (major == 3 && minor == 0) return Dialect::k30;
    if (major == 3 && minor == 1) return Dialect::k31;
    return Dialect::k32;
  }
  if (markers->has_32_marker(r)) return Dialect::k32;  // D3
  if (markers->has_30_marker(r)) return Dialect::k30;  // D4
  if (auth.protocol && (*auth.protocol == "3.0" || *auth.protocol == "3.1" || *auth.protocol == "3.2"))  // D5
    return DialectFromName(*auth.protocol);
  if (Present(r, "adcp_major_version")) return Dialect::k30;  // D6
  return Dialect::k32;  // D7
}

json::Value NormalizeCheck(const json::Value& request, LegacyRequest* out) {
  json::Value r = request;
  // A JSON null counts as absent in L1–L5 (10 §3.1).
  for (const char* k : {"binding", "human_approval", "idempotency_key", "buyer_campaign_ref", "media_buy_id",
                        "governance_context", "payload", "tool"})
    if (const json::Value* v = r.find(k); v && v->is_null()) r.erase(k);
  r.erase("binding");  // L1
  r.erase("human_approval");
  r.erase("idempotency_key");
  if (const json::Value* ref = r.find("buyer_campaign_ref")) {  // L2
    if (ref->is_string()) out->buyer_campaign_ref = ref->as_string();
    r.erase("buyer_campaign_ref");
  }
  if (const json::Value* gc = r.find("governance_context"); gc && !gc->is_string()) r.erase("governance_context");  // L3
  auto copy_media_buy_id = [&r](const std::string& id) {
    if (json::Value* pd = r.find("planned_delivery"); pd && pd->is_object() && !pd->has("media_buy_id"))
      pd->set("media_buy_id", id);
  };
  if (const json::Value* mb = r.find("media_buy_id"); mb && mb->is_string()) {  // L4
    std::string id = mb->as_string();
    r.erase("media_buy_id");
    copy_media_buy_id(id);
  }
  if (r.has("payload") && !r.has("tool")) {  // L5
    json::Value payload = *r.find("payload");
    r.erase("payload");
    if (const std::string* mb = payload.find_string("media_buy_id")) copy_media_buy_id(*mb);
    if (const std::string* ms = payload.find_string("modification_summary"); ms && !r.has("modification_summary"))
      r.set("modification_summary", *ms);
  }
  if (r.has("tool")) {
    if (const std::string* gc = r.find_string("governance_context")) {  // L8
      out->threaded_context = *gc;
      r.erase("governance_context");
    }
    if (const json::Value* payload = r.find("payload")) out->payload = *payload;
  }
  // A D2-matched adcp_version is valid here even where the 3.2 envelope pattern is not (10 §2 step 4).
  if (const json::Value* v = r.find("adcp_version"); v && MatchesAdcpVersion(*v)) r.erase("adcp_version");
  return r;
}

json::Value NormalizeOutcome(const json::Value& request) {
  json::Value r = request;
  r.erase("buyer_campaign_ref");
  if (const json::Value* gc = r.find("governance_context"); gc && (gc->is_null() || (gc->is_string() && gc->as_string().empty())))
    r.erase("governance_context");
  if (const json::Value* v = r.find("adcp_version"); v && MatchesAdcpVersion(*v)) r.erase("adcp_version");
  return r;
}

json::Value NormalizeAudit(const json::Value& request) {
  json::Value r = request;
  if (const json::Value* v = r.find("adcp_version"); v && MatchesAdcpVersion(*v)) r.erase("adcp_version");
  return r;
}

json::Value NormalizeSync(const json::Value& request) {
  json::Value r = request;
  if (json::Value* plans = r.find("plans"); plans && plans->is_array())
    for (json::Value& p : plans->as_array())
      if (p.is_object()) p.erase("human_override");
  if (const json::Value* v = r.find("adcp_version"); v && MatchesAdcpVersion(*v)) r.erase("adcp_version");
  return r;
}

json::Value RenderCheckBody(const json::Value& b, Dialect d, const LegacyRequest& legacy,
                            std::optional<int64_t> chain_expires_ms) {
  const std::string verdict = b.find_string("verdict") ? *b.find_string("verdict") : "";
  const bool intent = b.find_string("check_type") && *b.find_string("check_type") == "intent";
  std::vector<std::pair<const char*, json::Value>> parts;
  auto copy = [&](const char* key) {
    if (const json::Value* v = b.find(key)) parts.emplace_back(key, *v);
  };
  copy("check_id");
  parts.emplace_back("status", verdict);
  parts.emplace_back("verdict", verdict);
  copy("check_type");
  parts.emplace_back("binding", intent ? "proposed" : "committed");
  if (b.has("plan_id")) copy("plan_id");
  else if (legacy.plan_id) parts.emplace_back("plan_id", *legacy.plan_id);
  copy("explanation");
  if (const json::Value* f = b.find("findings")) parts.emplace_back("findings", LegacyFindings(*f));
  if (const json::Value* cs = b.find("conditions")) {
    json::Value conditions = json::Value::MakeArray();
    for (const json::Value& c : cs->as_array()) conditions.push(RenderCondition(c, legacy.payload));
    parts.emplace_back("conditions", std::move(conditions));
  }
  copy("categories_evaluated");
  copy("policies_evaluated");
  copy("mode");
  if (verdict == "conditions") {  // R12: the consultation handle travels as governance_context
    if (chain_expires_ms) parts.emplace_back("expires_at", FormatMillis(*chain_expires_ms));
    if (const json::Value* h = b.find("consultation_context")) parts.emplace_back("governance_context", *h);
  } else {
    copy("expires_at");
    copy("next_check");
    copy("governance_context");
  }
  copy("task_id");
  if (legacy.buyer_campaign_ref) parts.emplace_back("buyer_campaign_ref", *legacy.buyer_campaign_ref);
  return OrderCheckBody(d, parts);
}

json::Value RenderPendingReviewBody(const json::Value& parts32, const Check& check, const Escalation& escalation,
                                    Dialect d, const LegacyRequest& legacy) {
  json::Value findings = LegacyFindings(parts32.find("findings") ? *parts32.find("findings") : json::Value::MakeArray());
  findings.push(json::Obj({{"category_id", "human_review"},
                           {"severity", "critical"},
                           {"explanation", "Pending human review: " + escalation.reason},
                           {"details", json::Obj({{"task_id", escalation.task_id},
                                                  {"state", "pending"},
                                                  {"recommendation", escalation.recommendation},
                                                  {"reason", escalation.reason}})}}));
  std::vector<std::pair<const char*, json::Value>> parts = {
      {"check_id", check.check_id},
      {"status", "denied"},
      {"verdict", "denied"},
      {"check_type", "intent"},
      {"binding", "proposed"},
      {"plan_id", parts32.find("plan_id") ? *parts32.find("plan_id") : json::Value("")},
      {"explanation", "Pending human review: " + escalation.reason},
      {"findings", std::move(findings)},
      {"categories_evaluated", parts32.find("categories_evaluated") ? *parts32.find("categories_evaluated")
                                                                    : json::Value::MakeArray()},
      {"policies_evaluated", parts32.find("policies_evaluated") ? *parts32.find("policies_evaluated")
                                                                : json::Value::MakeArray()},
      {"mode", check.mode()},
      {"task_id", escalation.task_id}};
  if (legacy.buyer_campaign_ref) parts.emplace_back("buyer_campaign_ref", *legacy.buyer_campaign_ref);
  return OrderCheckBody(d, parts);
}

json::Value RenderOutcomeBody(const json::Value& b, Dialect d) {
  json::Value out = json::Value::MakeObject();
  const json::Value* state = b.find("outcome_state");
  for (const char* key : {"outcome_id", "status", "outcome_state", "committed_budget", "findings", "plan_summary",
                          "replayed"}) {
    if (std::string_view(key) == "status") {
      if (d == Dialect::k30 && state) out.set("status", *state);
      continue;
    }
    const json::Value* v = b.find(key);
    if (!v) continue;
    if (std::string_view(key) == "findings") out.set(key, PickEach(*v, {"category_id", "severity", "explanation", "details"}));
    else out.set(key, *v);
  }
  return out;
}

json::Value ProjectAuditBody(const json::Value& b, Dialect d) {
  json::Value out = json::Value::MakeObject();
  for (const json::Member& m : b.as_object()) {
    if (m.first != "plans" || !m.second.is_array()) {
      out.set(m.first, m.second);
      continue;
    }
    json::Value plans = json::Value::MakeArray();
    for (const json::Value& p : m.second.as_array()) {
      json::Value plan = json::Value::MakeObject();
      for (const json::Member& pm : p.as_object()) {
        const std::string& k = pm.first;
        if (k == "plan_id" || k == "plan_version" || k == "status") {
          plan.set(k, pm.second);
        } else if (k == "budget") {
          plan.set(k, Pick(pm.second, {"authorized", "committed", "remaining", "utilization_pct"}));
        } else if (k == "channel_allocation") {
          json::Value channels = json::Value::MakeObject();
          for (const json::Member& ch : pm.second.as_object()) channels.set(ch.first, Pick(ch.second, {"committed", "pct"}));
          plan.set(k, std::move(channels));
        } else if (k == "governed_actions") {
          plan.set(k, PickEach(pm.second, {"governance_context", "purchase_type", "status", "committed", "check_count",
                                           "seller_reference"}));
        } else if (k == "summary") {
          json::Value s = Pick(pm.second, {"checks_performed", "outcomes_reported", "statuses", "findings_count",
                                           "escalations", "drift_metrics"});
          if (json::Value* st = s.find("statuses"))
            *st = Pick(*st, {"approved", "denied", "conditions", "human_reviewed"});
          if (json::Value* es = s.find("escalations"))
            *es = PickEach(*es, {"check_id", "reason", "resolution", "resolved_at"});
          if (json::Value* dm = s.find("drift_metrics"))
            *dm = Pick(*dm, {"escalation_rate", "escalation_rate_trend", "auto_approval_rate", "human_override_rate",
                             "mean_confidence", "thresholds"});
          plan.set(k, std::move(s));
        } else if (k == "entries") {
          json::Value entries = json::Value::MakeArray();
          for (const json::Value& e : pm.second.as_array()) {
            const std::string* type = e.find_string("type");
            if (type && *type == "adjustment") continue;  // their effect on budget.committed stays
            json::Value entry = json::Value::MakeObject();
            for (const json::Member& em : e.as_object()) {
              const std::string& ek = em.first;
              if (ek == "verdict") {
                entry.set(d == Dialect::k30 ? "status" : "verdict", em.second);
              } else if (ek == "findings") {
                entry.set(ek, PickEach(em.second, {"category_id", "policy_id", "severity", "explanation", "confidence"}));
              } else {
                for (const char* keep : {"id", "type", "timestamp", "plan_id", "caller", "tool", "check_type", "mode",
                                         "explanation", "policies_evaluated", "categories_evaluated", "outcome",
                                         "committed_budget", "governance_context", "plan_hash", "purchase_type",
                                         "outcome_status"})
                  if (ek == keep) {
                    entry.set(ek, em.second);
                    break;
                  }
              }
            }
            entries.push(std::move(entry));
          }
          plan.set(k, std::move(entries));
        }
      }
      plans.push(std::move(plan));
    }
    out.set("plans", std::move(plans));
  }
  return out;
}

json::Value LegacyDenial(const json::Value& error, const json::Value& request) {
  const std::string code = error.find_string("code") ? *error.find_string("code") : "";
  json::Value details = json::Obj({{"code", code}, {"recovery", error.find("recovery") ? *error.find("recovery") : json::Value()}});
  if (const json::Value* f = error.find("field")) details.set("field", *f);
  const std::string* plan_id = request.is_object() ? request.find_string("plan_id") : nullptr;
  return json::Obj({{"check_id", ""},
                    {"plan_id", plan_id ? *plan_id : ""},
                    {"explanation", "Governance check failed: " + code},
                    {"findings", json::Value(json::Array{json::Obj(
                                     {{"category_id", "governance_error"},
                                      {"severity", "critical"},
                                      {"explanation", error.find("message") ? *error.find("message") : json::Value("")},
                                      {"details", std::move(details)}})})}});
}

}  // namespace adcp
