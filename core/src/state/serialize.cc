#include "state/serialize.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "json/json.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "util/url.h"

namespace adcp {
namespace {

constexpr const char* kFormat = "adcp-governance/state";
constexpr double kFormatVersion = 1;

json::Value Strs(const std::vector<std::string>& v) {
  json::Value a = json::Value::MakeArray();
  for (const std::string& s : v) a.push(s);
  return a;
}
json::Value Ints(const std::vector<int32_t>& v) {
  json::Value a = json::Value::MakeArray();
  for (int32_t i : v) a.push(i);
  return a;
}
// Opaque JSON values (plans, bodies, hook results) are stored as JSON text:
// the export is canonical (JCS sorts keys) but these values must keep their
// member order, which responses and hook inputs reproduce.
json::Value Text(const json::Value& v) { return json::Value(json::Write(v)); }

template <class T>
void SetOpt(json::Value& o, const char* key, const std::optional<T>& v) {
  if (v) o.set(key, json::Value(*v));
}
template <>
void SetOpt<json::Value>(json::Value& o, const char* key, const std::optional<json::Value>& v) {
  if (v) o.set(key, Text(*v));
}

json::Value PlanToJson(const Plan& p) {
  json::Value revs = json::Value::MakeArray();
  for (const PlanRevision& r : p.revisions) {
    json::Value rv = json::Obj({{"version", r.version}, {"synced_at", r.synced_at_ms}, {"plan_hash", r.plan_hash},
                                {"plan", Text(*r.plan)}});
    if (r.downgrade) rv.set("downgrade", Text(*r.downgrade));
    revs.push(std::move(rv));
  }
  json::Value policies = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : p.resolved_policies) policies.push(rp.ToJson());
  json::Value v = json::Obj({{"owner", p.owner},
                             {"plan_id", p.plan_id},
                             {"version", p.version},
                             {"status", PlanStatusName(p.status)},
                             {"synced_at", p.synced_at_ms},
                             {"plan_hash", p.plan_hash},
                             {"revisions", std::move(revs)},
                             {"effective_human_review", p.effective_human_review},
                             {"human_review_reasons", Strs(p.human_review_reasons)},
                             {"resolved_policies", std::move(policies)},
                             {"categories", Text(p.categories)},
                             {"brand", Text(p.brand.ToJson())},
                             {"escalations", Ints(p.escalations)}});
  SetOpt(v, "mode_override", p.mode_override);
  SetOpt(v, "drift_thresholds_override", p.drift_thresholds_override);
  SetOpt(v, "pending_downgrade", p.pending_downgrade);
  return v;
}

json::Value CheckToJson(const Check& c) {
  json::Value v = json::Obj({{"check_id", c.check_id},
                             {"plan", c.plan},
                             {"intent", c.intent},
                             {"phase", c.phase},
                             {"plan_version", c.plan_version},
                             {"plan_hash", c.plan_hash},
                             {"caller", c.caller},
                             {"tool", c.tool},
                             {"purchase_type", c.purchase_type},
                             {"target_agent", c.target_agent},
                             {"pending", c.pending},
                             {"verdict", c.verdict},
                             {"mode", c.mode},
                             {"body", c.body_json},
                             {"issued_token", c.issued_token},
                             {"presented_check", c.presented_check},
                             {"expires_at", c.expires_at_ms},
                             {"action", c.action},
                             {"escalation", c.escalation},
                             {"consultation", c.consultation},
                             {"attempt", c.attempt},
                             {"created_at", c.created_ms},
                             {"final_at", c.final_ms},
                             {"seq", static_cast<double>(c.seq)},
                             {"dialect", c.dialect}});
  SetOpt(v, "context", c.context);
  SetOpt(v, "amount", c.amount);
  v.set("payload_hash", c.payload_hash);
  v.set("intent_channels", Strs(c.intent_channels));
  v.set("intent_countries", Strs(c.intent_countries));
  v.set("intent_regions", Strs(c.intent_regions));
  v.set("intent_start", c.intent_start);
  v.set("intent_end", c.intent_end);
  v.set("account_key", c.account_key);
  v.set("recommendation", c.recommendation);
  SetOpt(v, "proposal_id", c.proposal_id);
  SetOpt(v, "terms_digest", c.terms_digest);
  SetOpt(v, "planned_delivery", c.planned_delivery);
  SetOpt(v, "legacy_metrics", c.legacy_metrics);
  SetOpt(v, "runtime_attestations", c.runtime_attestations);
  if (c.statement) {
    const Statement& s = *c.statement;
    v.set("statement", json::Obj({{"statement_id", s.statement_id},
                                  {"statement_digest", s.statement_digest},
                                  {"sequence", s.sequence},
                                  {"period_start", s.period_start_raw},
                                  {"period_end", s.period_end_raw},
                                  {"cumulative_spend", s.cumulative_spend}}));
  }
  return v;
}

json::Value ActionToJson(const Action& a) {
  json::Value v = json::Obj({{"action_id", a.action_id},
                             {"plan", a.plan},
                             {"purchase_type", a.purchase_type},
                             {"tool", a.tool},
                             {"caller", a.caller},
                             {"target_agent", a.target_agent},
                             {"currency", a.currency},
                             {"intent_check", a.intent_check},
                             {"latest_exec_check", a.latest_exec_check},
                             {"hold_expires_at", a.hold_exp_ms},
                             {"account_key", a.account_key},
                             {"approved_at", a.approved_at_ms},
                             {"intent_channels", Strs(a.intent_channels)},
                             {"settlement", a.settlement},
                             {"failed", a.failed},
                             {"gross", a.gross},
                             {"adjustments", Ints(a.adjustments)}});
  SetOpt(v, "ceiling", a.ceiling);
  SetOpt(v, "exec", a.exec);
  SetOpt(v, "proposal_id", a.proposal_id);
  SetOpt(v, "terms_digest", a.terms_digest);
  SetOpt(v, "next_check", a.next_check_ms);
  SetOpt(v, "aggregation_at", a.aggregation_at_ms);
  return v;
}

json::Value OutcomeToJson(const Outcome& o) {
  json::Value v = json::Obj({{"outcome_id", o.outcome_id},
                             {"plan", o.plan},
                             {"action", o.action},
                             {"check", o.check},
                             {"type", o.type},
                             {"reporter", o.reporter},
                             {"purchase_type", o.purchase_type},
                             {"seller_channels", Strs(o.seller_channels)},
                             {"reconciliation_status", o.reconciliation_status},
                             {"period_state", o.period_state},
                             {"observation_id", o.observation_id},
                             {"payload_hash", o.payload_hash},
                             {"findings", Text(o.findings)},
                             {"body", o.body_json},
                             {"timestamp", o.timestamp_ms},
                             {"seq", static_cast<double>(o.seq)}});
  SetOpt(v, "committed_budget", o.committed_budget);
  SetOpt(v, "reported_committed_budget", o.reported_committed_budget);
  SetOpt(v, "seller_reference", o.seller_reference);
  SetOpt(v, "delivery", o.delivery);
  SetOpt(v, "error", o.error);
  if (o.legacy_snapshot) v.set("legacy_snapshot", true);
  if (o.dialect != "3.2") v.set("dialect", o.dialect);
  return v;
}

json::Value AdjustmentToJson(const Adjustment& a) {
  json::Value v = json::Obj({{"adjustment_id", a.adjustment_id},
                             {"plan", a.plan},
                             {"outcome", a.outcome},
                             {"action", a.action},
                             {"seller", a.seller},
                             {"seller_reference", a.seller_reference},
                             {"seller_adjustment_id", a.seller_adjustment_id},
                             {"evidence_id", a.evidence_id},
                             {"adjustment_type", a.adjustment_type},
                             {"amount", a.amount},
                             {"currency", a.currency},
                             {"state", a.state},
                             {"verified_amount", a.verified_amount},
                             {"headroom_restored", a.headroom_restored},
                             {"evidence", Text(a.evidence)},
                             {"reason", a.reason},
                             {"effective_at", a.effective_at},
                             {"payload_hash", a.payload_hash},
                             {"report_body", a.report_body_json},
                             {"timestamp", a.timestamp_ms},
                             {"seq", static_cast<double>(a.seq)}});
  SetOpt(v, "reviewed_by", a.reviewed_by);
  SetOpt(v, "review_reason", a.review_reason);
  SetOpt(v, "reviewed_at", a.reviewed_at_ms);
  return v;
}

json::Value EscalationToJson(const Escalation& e) {
  json::Value v = json::Obj({{"task_id", e.task_id},
                             {"check", e.check},
                             {"reason", e.reason},
                             {"recommendation", e.recommendation},
                             {"created_at", e.created_ms}});
  SetOpt(v, "resolution", e.resolution);
  SetOpt(v, "resolved_at", e.resolved_at_ms);
  SetOpt(v, "reviewer", e.reviewer);
  SetOpt(v, "decision_reason", e.decision_reason);
  if (e.dialect != "3.2") {
    v.set("dialect", e.dialect);
    v.set("claim_key", e.claim_key);
    v.set("claimed", e.claimed);
  }
  return v;
}

json::Value ConsultationToJson(const Consultation& c) {
  return json::Obj({{"handle", c.handle},
                    {"agent_key", c.agent_key},
                    {"caller_key", c.caller_key},
                    {"target_key", c.target_key},
                    {"plan", c.plan},
                    {"tool", c.tool},
                    {"purchase_type", c.purchase_type},
                    {"start", c.start_ms},
                    {"attempts", c.attempts},
                    {"open", c.open}});
}

// Ranges of the integers a state document holds (issue 17: a document read
// back from disk or a database is untrusted input). Counts and sequence
// numbers are exact in a double, in int64 and in JavaScript; times are
// within the ECMAScript time range and not before 1970 (the core's own times come from nowMs, within
// 0..9999-12-31, plus bounded durations), so sums like created_at + timeout
// cannot overflow.
constexpr double kMaxCount = 9007199254740991.0;  // 2^53 - 1
constexpr double kMaxTimeMs = 8.64e15;

// Reads typed members and remembers the first problem and where it was
// (`field`, the member's path in the document, e.g. "checks[3].expires_at").
class Reader {
 public:
  std::string error;
  std::string field;

  const json::Value* Get(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = o.find(key);
    if (!v) Fail(where, key, "present");
    return v;
  }
  std::string Str(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (v && v->is_string()) return v->as_string();
    if (v) Fail(where, key, "a string");
    return "";
  }
  // A string from a closed vocabulary.
  std::string Enum(const json::Value& o, const char* key, const std::string& where,
                   std::initializer_list<const char*> allowed) {
    std::string s = Str(o, key, where);
    for (const char* a : allowed)
      if (s == a) return s;
    Fail(where, key, "one of the recorded values");
    return *allowed.begin();
  }
  double Num(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (v && v->is_number()) return v->as_number();
    if (v) Fail(where, key, "a number");
    return 0;
  }
  // An integral number in [lo, hi]; converted only once known to fit.
  int64_t Integer(const json::Value& o, const char* key, const std::string& where, double lo, double hi) {
    const json::Value* v = Get(o, key, where);
    if (!v) return 0;
    if (!v->is_number() || !(v->as_number() >= lo && v->as_number() <= hi) ||
        std::floor(v->as_number()) != v->as_number()) {
      Fail(where, key, "an integer in range");
      return 0;
    }
    return static_cast<int64_t>(v->as_number());
  }
  int64_t Count(const json::Value& o, const char* key, const std::string& where) {
    return Integer(o, key, where, 0, kMaxCount);
  }
  int64_t Time(const json::Value& o, const char* key, const std::string& where) {
    return Integer(o, key, where, 0, kMaxTimeMs);
  }
  std::optional<int64_t> OptTime(const json::Value& o, const char* key, const std::string& where) {
    if (!o.has(key)) return std::nullopt;
    return Time(o, key, where);
  }
  bool Bool(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (v && v->is_bool()) return v->as_bool();
    if (v) Fail(where, key, "a boolean");
    return false;
  }
  // A JSON value stored as text (see Text()).
  json::Value Any(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (!v) return json::Value();
    if (!v->is_string()) {
      Fail(where, key, "JSON text");
      return json::Value();
    }
    json::ParseLimits limits;
    limits.max_bytes = 64u << 20;
    limits.max_depth = 256;
    json::ParseResult p = json::Parse(v->as_string(), limits);
    if (!p.ok()) Fail(where, key, "valid JSON text");
    return p.value;
  }
  std::vector<std::string> Strings(const json::Value& o, const char* key, const std::string& where) {
    std::vector<std::string> out;
    const json::Value* v = Get(o, key, where);
    if (!v) return out;
    if (!v->is_array()) {
      Fail(where, key, "an array");
      return out;
    }
    for (const json::Value& e : v->as_array()) {
      if (!e.is_string()) Fail(where, key, "an array of strings");
      else out.push_back(e.as_string());
    }
    return out;
  }
  std::vector<int32_t> Indexes(const json::Value& o, const char* key, const std::string& where, size_t limit) {
    std::vector<int32_t> out;
    const json::Value* v = Get(o, key, where);
    if (!v) return out;
    if (!v->is_array()) {
      Fail(where, key, "an array");
      return out;
    }
    for (const json::Value& e : v->as_array()) {
      if (!e.is_number() || !(e.as_number() >= 0 && e.as_number() < static_cast<double>(limit)) ||
          std::floor(e.as_number()) != e.as_number())
        Fail(where, key, "an array of valid indexes");
      else out.push_back(static_cast<int32_t>(e.as_number()));
    }
    return out;
  }
  // An index into a table of `limit` records, or -1.
  int32_t Index(const json::Value& o, const char* key, const std::string& where, size_t limit, bool allow_none) {
    int64_t i = Integer(o, key, where, allow_none ? kNone : 0, static_cast<double>(limit) - 1);
    return static_cast<int32_t>(i);
  }
  template <class T>
  std::optional<T> Opt(const json::Value& o, const char* key, const std::string& where);
  void Fail(const std::string& where, const char* key, const char* what) {
    if (!error.empty()) return;
    field = where.empty() ? key : where + "." + key;
    error = field + (std::string(what) == "present" ? " is missing" : std::string(" must be ") + what);
  }
  // A problem with a whole record or member (field = its path).
  void Invalid(const std::string& path, const std::string& message) {
    if (!error.empty()) return;
    field = path;
    error = path + " " + message;
  }
};

template <>
std::optional<std::string> Reader::Opt<std::string>(const json::Value& o, const char* key, const std::string& where) {
  if (!o.has(key)) return std::nullopt;
  return Str(o, key, where);
}
template <>
std::optional<double> Reader::Opt<double>(const json::Value& o, const char* key, const std::string& where) {
  if (!o.has(key)) return std::nullopt;
  return Num(o, key, where);
}
template <>
std::optional<json::Value> Reader::Opt<json::Value>(const json::Value& o, const char* key, const std::string& where) {
  if (!o.has(key)) return std::nullopt;
  return Any(o, key, where);
}

const json::Array* ArrayMember(const json::Value& doc, const char* key, Reader* r) {
  const json::Array* a = doc.find_array(key);
  if (!a) r->Invalid(key, "must be an array");
  return a;
}

Status InvalidState(const std::string& field, const std::string& message) {
  return MakeError("INVALID_STATE", "invalid state: " + message, field);
}
std::string At(const char* table, size_t i, const char* key = nullptr) {
  return std::string(table) + "[" + std::to_string(i) + "]" + (key ? std::string(".") + key : "");
}

template <class Record, class Id>
Status Unique(const std::deque<Record>& records, const char* table, Id id_of) {
  std::set<std::string> seen;
  for (size_t i = 0; i < records.size(); ++i)
    if (!seen.insert(id_of(records[i])).second) return InvalidState(At(table, i), At(table, i) + " repeats an id");
  return Status::Ok();
}

// The links between records that the live path keeps and that the rebuild
// and every later call rely on (indexes are already known to be in range):
// ids are unique, a record and the records it names belong to the same
// plan, and two-way links agree.
Status CheckLinks(const State& s) {
  ADCP_RETURN_IF_ERROR(Unique(s.plans, "plans", [](const Plan& p) { return JoinKey(p.owner_key, p.plan_id); }));
  ADCP_RETURN_IF_ERROR(Unique(s.checks, "checks", [](const Check& c) { return c.check_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.actions, "actions", [](const Action& a) { return a.action_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.outcomes, "outcomes", [](const Outcome& o) { return o.outcome_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.adjustments, "adjustments", [](const Adjustment& a) { return a.adjustment_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.escalations, "escalations", [](const Escalation& e) { return e.task_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.consultations, "consultations", [](const Consultation& c) { return c.handle; }));
  auto bad = [](const std::string& field, const char* why) { return InvalidState(field, field + " " + why); };
  for (size_t i = 0; i < s.checks.size(); ++i) {
    const Check& c = s.checks[i];
    if (c.action != kNone && s.actions[c.action].plan != c.plan) return bad(At("checks", i, "action"), "is another plan's");
    if (c.presented_check != kNone && s.checks[c.presented_check].plan != c.plan)
      return bad(At("checks", i, "presented_check"), "is another plan's");
    if (c.consultation != kNone && s.consultations[c.consultation].plan != c.plan)
      return bad(At("checks", i, "consultation"), "is another plan's");
    if (c.escalation != kNone && s.escalations[c.escalation].check != static_cast<int32_t>(i))
      return bad(At("checks", i, "escalation"), "names an escalation of another check");
    if (c.pending && c.escalation == kNone) return bad(At("checks", i, "pending"), "without an escalation");
    if (c.statement && c.action == kNone) return bad(At("checks", i, "statement"), "belongs to a check without an action");
    if (!c.intent && c.verdict == "approved" && c.planned_delivery && c.action == kNone)
      return bad(At("checks", i, "action"), "is missing on an approved execution check");
  }
  for (size_t i = 0; i < s.actions.size(); ++i) {
    const Action& a = s.actions[i];
    if (s.checks[a.intent_check].plan != a.plan) return bad(At("actions", i, "intent_check"), "is another plan's");
    if (a.latest_exec_check != kNone && s.checks[a.latest_exec_check].plan != a.plan)
      return bad(At("actions", i, "latest_exec_check"), "is another plan's");
    if (a.settlement != kNone && s.outcomes[a.settlement].action != static_cast<int32_t>(i))
      return bad(At("actions", i, "settlement"), "is another action's outcome");
    for (int32_t adj : a.adjustments)
      if (s.adjustments[adj].action != static_cast<int32_t>(i))
        return bad(At("actions", i, "adjustments"), "names another action's adjustment");
  }
  for (size_t i = 0; i < s.outcomes.size(); ++i) {
    const Outcome& o = s.outcomes[i];
    if (o.action != kNone && s.actions[o.action].plan != o.plan) return bad(At("outcomes", i, "action"), "is another plan's");
    if (o.check != kNone && s.checks[o.check].plan != o.plan) return bad(At("outcomes", i, "check"), "is another plan's");
    if (o.type == "completed" && o.seller_reference && o.action == kNone)
      return bad(At("outcomes", i, "action"), "is missing on a completed outcome");
    const bool observation = o.type == "delivery" && !o.observation_id.empty();
    if ((observation || (o.type == "delivery" && !o.legacy_snapshot)) &&
        (o.action == kNone || o.check == kNone || !s.checks[o.check].statement))
      return bad(At("outcomes", i), "is not bound to a delivery statement");
  }
  for (size_t i = 0; i < s.adjustments.size(); ++i) {
    const Adjustment& a = s.adjustments[i];
    if (s.actions[a.action].plan != a.plan) return bad(At("adjustments", i, "action"), "is another plan's");
    if (s.outcomes[a.outcome].plan != a.plan) return bad(At("adjustments", i, "outcome"), "is another plan's");
  }
  for (size_t i = 0; i < s.escalations.size(); ++i)
    if (s.checks[s.escalations[i].check].escalation != static_cast<int32_t>(i))
      return bad(At("escalations", i, "check"), "names a check of another escalation");
  for (size_t i = 0; i < s.plans.size(); ++i)
    for (int32_t e : s.plans[i].escalations)
      if (s.checks[s.escalations[e].check].plan != static_cast<int32_t>(i))
        return bad(At("plans", i, "escalations"), "names another plan's escalation");
  return Status::Ok();
}

}  // namespace

json::Value ExportState(const State& state) {
  json::Value counters = json::Value::MakeObject();
  for (const auto& c : state.id_counters) counters.set(c.first, static_cast<double>(c.second));
  json::Value plans = json::Value::MakeArray(), checks = json::Value::MakeArray(), actions = json::Value::MakeArray(),
              outcomes = json::Value::MakeArray(), adjustments = json::Value::MakeArray(),
              escalations = json::Value::MakeArray(), consultations = json::Value::MakeArray(),
              idempotency = json::Value::MakeArray(), value_records = json::Value::MakeArray();
  for (const Plan& p : state.plans) plans.push(PlanToJson(p));
  for (const Check& c : state.checks) checks.push(CheckToJson(c));
  for (const Action& a : state.actions) actions.push(ActionToJson(a));
  for (const Outcome& o : state.outcomes) outcomes.push(OutcomeToJson(o));
  for (const Adjustment& a : state.adjustments) adjustments.push(AdjustmentToJson(a));
  for (const Escalation& e : state.escalations) escalations.push(EscalationToJson(e));
  for (const Consultation& c : state.consultations) consultations.push(ConsultationToJson(c));
  for (const ValueRecord& v : state.value_ledger.records) value_records.push(ValueRecordToState(v));
  std::vector<const std::pair<const std::string, IdempotencyEntry>*> keyed;
  for (const auto& it : state.idempotency) keyed.push_back(&it);
  std::sort(keyed.begin(), keyed.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* entry : keyed) {
    const auto& it = *entry;
    json::Value e = json::Obj({{"scope", it.first},
                               {"task", it.second.task},
                               {"payload_hash", it.second.payload_hash},
                               {"stored_at", it.second.stored_at_ms}});
    if (it.second.body_json) e.set("body", *it.second.body_json);
    idempotency.push(std::move(e));
  }
  return json::Obj({{"format", kFormat},
                    {"format_version", kFormatVersion},
                    {"seq", static_cast<double>(state.seq)},
                    {"id_counters", std::move(counters)},
                    {"plans", std::move(plans)},
                    {"checks", std::move(checks)},
                    {"actions", std::move(actions)},
                    {"outcomes", std::move(outcomes)},
                    {"adjustments", std::move(adjustments)},
                    {"escalations", std::move(escalations)},
                    {"consultations", std::move(consultations)},
                    {"idempotency", std::move(idempotency)},
                    {"value_records", std::move(value_records)}});
}

Status ImportState(const json::Value& doc, const Config& config, State* out) {
  if (!doc.is_object()) return InvalidState("", "the state must be a JSON object");
  const std::string* format = doc.find_string("format");
  const double* version = doc.find_number("format_version");
  if (!format || *format != kFormat || !version || *version != kFormatVersion)
    return InvalidState("format", "not an adcp-governance state document (format/format_version)");
  Reader r;
  const json::Array* plans = ArrayMember(doc, "plans", &r);
  const json::Array* checks = ArrayMember(doc, "checks", &r);
  const json::Array* actions = ArrayMember(doc, "actions", &r);
  const json::Array* outcomes = ArrayMember(doc, "outcomes", &r);
  const json::Array* adjustments = ArrayMember(doc, "adjustments", &r);
  const json::Array* escalations = ArrayMember(doc, "escalations", &r);
  const json::Array* consultations = ArrayMember(doc, "consultations", &r);
  const json::Array* idempotency = ArrayMember(doc, "idempotency", &r);
  if (!r.error.empty()) return InvalidState(r.field, r.error);
  const size_t np = plans->size(), nc = checks->size(), na = actions->size(), no = outcomes->size(),
               nj = adjustments->size(), ne = escalations->size(), ncs = consultations->size();
  State s;
  s.seq = static_cast<uint64_t>(r.Count(doc, "seq", ""));
  if (const json::Value* counters = doc.find_object("id_counters")) {
    for (const json::Member& m : counters->as_object())
      s.id_counters[m.first] = static_cast<uint64_t>(r.Count(*counters, m.first.c_str(), "id_counters"));
  } else {
    r.Invalid("id_counters", "must be an object");
  }

  for (size_t i = 0; i < np && r.error.empty(); ++i) {
    const json::Value& v = (*plans)[i];
    std::string w = "plans[" + std::to_string(i) + "]";
    Plan p;
    p.owner = r.Str(v, "owner", w);
    p.owner_key = NormalizeAgentUrl(p.owner).value_or("");
    if (p.owner_key.empty()) r.Invalid(w + ".owner", "is not an agent URL");
    p.plan_id = r.Str(v, "plan_id", w);
    p.version = r.Count(v, "version", w);
    std::string status = r.Enum(v, "status", w, {"active", "suspended", "completed"});
    p.status = status == "suspended" ? PlanStatus::kSuspended
                                     : status == "completed" ? PlanStatus::kCompleted : PlanStatus::kActive;
    p.synced_at_ms = r.Time(v, "synced_at", w);
    p.plan_hash = r.Str(v, "plan_hash", w);
    const json::Value* revs = r.Get(v, "revisions", w);
    if (!revs || !revs->is_array() || revs->size() == 0) {
      r.Invalid(w + ".revisions", "must be a non-empty array");
      break;
    }
    for (size_t j = 0; j < revs->size(); ++j) {
      const json::Value& rv = revs->as_array()[j];
      const std::string wr = w + ".revisions[" + std::to_string(j) + "]";
      PlanRevision rev;
      rev.version = r.Count(rv, "version", wr);
      rev.synced_at_ms = r.Time(rv, "synced_at", wr);
      rev.plan_hash = r.Str(rv, "plan_hash", wr);
      json::Value body = r.Any(rv, "plan", wr);
      // Share identical plan bodies between revisions.
      if (!p.revisions.empty() && p.revisions.back().plan_hash == rev.plan_hash && *p.revisions.back().plan == body)
        rev.plan = p.revisions.back().plan;
      else
        rev.plan = std::make_shared<const json::Value>(std::move(body));
      rev.downgrade = r.Opt<json::Value>(rv, "downgrade", wr);
      p.revisions.push_back(std::move(rev));
    }
    p.plan = p.revisions.back().plan;
    if (!p.plan->is_object()) r.Invalid(w + ".revisions", "end with a plan that is not an object");
    p.effective_human_review = r.Bool(v, "effective_human_review", w);
    p.human_review_reasons = r.Strings(v, "human_review_reasons", w);
    if (const json::Array* rps = v.find_array("resolved_policies")) {
      for (size_t j = 0; j < rps->size(); ++j) {
        const json::Value& rp = (*rps)[j];
        const std::string wp = w + ".resolved_policies[" + std::to_string(j) + "]";
        ResolvedPolicy pol;
        pol.policy_id = r.Str(rp, "policy_id", wp);
        pol.source = r.Enum(rp, "source", wp, {"explicit", "auto_applied"});
        pol.enforcement = r.Enum(rp, "enforcement", wp, {"must", "should", "may"});
        pol.reason = r.Opt<std::string>(rp, "reason", wp);
        p.resolved_policies.push_back(std::move(pol));
      }
    }
    p.categories = r.Any(v, "categories", w);
    json::Value brand = r.Any(v, "brand", w);
    if (brand.is_object()) {
      p.brand.resolvable = r.Bool(brand, "resolvable", w + ".brand");
      p.brand.industries = r.Strings(brand, "industries", w + ".brand");
      if (const json::Value* c = brand.find("data_subject_contestation")) p.brand.data_subject_contestation = *c;
    }
    if (v.has("mode_override")) p.mode_override = r.Enum(v, "mode_override", w, {"audit", "advisory", "enforce"});
    p.drift_thresholds_override = r.Opt<json::Value>(v, "drift_thresholds_override", w);
    p.pending_downgrade = r.Opt<json::Value>(v, "pending_downgrade", w);
    p.escalations = r.Indexes(v, "escalations", w, ne);
    s.plans.push_back(std::move(p));
  }
  for (size_t i = 0; i < nc && r.error.empty(); ++i) {
    const json::Value& v = (*checks)[i];
    std::string w = "checks[" + std::to_string(i) + "]";
    Check c;
    c.check_id = r.Str(v, "check_id", w);
    c.plan = r.Index(v, "plan", w, np, false);
    c.intent = r.Bool(v, "intent", w);
    c.phase = r.Enum(v, "phase", w, {"intent", "purchase", "modification", "delivery"});
    c.plan_version = r.Count(v, "plan_version", w);
    c.plan_hash = r.Str(v, "plan_hash", w);
    c.caller = r.Str(v, "caller", w);
    c.caller_key = NormalizeAgentUrl(c.caller).value_or("");
    c.tool = r.Str(v, "tool", w);
    c.purchase_type = r.Str(v, "purchase_type", w);
    c.target_agent = r.Str(v, "target_agent", w);
    c.pending = r.Bool(v, "pending", w);
    c.verdict = r.Enum(v, "verdict", w, {"approved", "denied", "conditions", ""});
    c.mode = r.Enum(v, "mode", w, {"audit", "advisory", "enforce"});
    c.body_json = json::Write(r.Any(v, "body", w));
    c.context = r.Opt<json::Value>(v, "context", w);
    c.amount = r.Opt<double>(v, "amount", w);
    c.issued_token = r.Str(v, "issued_token", w);
    c.presented_check = r.Index(v, "presented_check", w, nc, true);
    c.expires_at_ms = r.Time(v, "expires_at", w);
    c.action = r.Index(v, "action", w, na, true);
    c.escalation = r.Index(v, "escalation", w, ne, true);
    c.consultation = r.Index(v, "consultation", w, ncs, true);
    c.attempt = r.Count(v, "attempt", w);
    c.created_ms = r.Time(v, "created_at", w);
    c.final_ms = r.Time(v, "final_at", w);
    c.seq = static_cast<uint64_t>(r.Count(v, "seq", w));
    c.dialect = r.Enum(v, "dialect", w, {"3.2", "3.1", "3.0"});
    c.payload_hash = r.Str(v, "payload_hash", w);
    c.intent_channels = r.Strings(v, "intent_channels", w);
    c.intent_countries = r.Strings(v, "intent_countries", w);
    c.intent_regions = r.Strings(v, "intent_regions", w);
    c.intent_start = r.Str(v, "intent_start", w);
    c.intent_end = r.Str(v, "intent_end", w);
    c.account_key = r.Str(v, "account_key", w);
    c.recommendation = r.Enum(v, "recommendation", w, {"", "approve", "deny"});
    c.proposal_id = r.Opt<std::string>(v, "proposal_id", w);
    c.terms_digest = r.Opt<std::string>(v, "terms_digest", w);
    c.planned_delivery = r.Opt<json::Value>(v, "planned_delivery", w);
    c.legacy_metrics = r.Opt<json::Value>(v, "legacy_metrics", w);
    c.runtime_attestations = r.Opt<json::Value>(v, "runtime_attestations", w);
    if (const json::Value* st = v.find_object("statement")) {
      Statement sm;
      sm.statement_id = r.Str(*st, "statement_id", w + ".statement");
      sm.statement_digest = r.Str(*st, "statement_digest", w + ".statement");
      sm.sequence = r.Count(*st, "sequence", w + ".statement");
      sm.period_start_raw = r.Str(*st, "period_start", w + ".statement");
      sm.period_end_raw = r.Str(*st, "period_end", w + ".statement");
      sm.cumulative_spend = r.Num(*st, "cumulative_spend", w + ".statement");
      std::optional<Instant> a = ParseDateTime(sm.period_start_raw), b = ParseDateTime(sm.period_end_raw);
      if (!a || !b) r.Invalid(w + ".statement", "has a period that is not RFC 3339");
      if (a) sm.period_start = *a;
      if (b) sm.period_end = *b;
      c.statement = std::make_shared<const Statement>(std::move(sm));
    }
    s.checks.push_back(std::move(c));
  }
  for (size_t i = 0; i < na && r.error.empty(); ++i) {
    const json::Value& v = (*actions)[i];
    std::string w = "actions[" + std::to_string(i) + "]";
    Action a;
    a.action_id = r.Str(v, "action_id", w);
    a.plan = r.Index(v, "plan", w, np, false);
    a.purchase_type = r.Str(v, "purchase_type", w);
    a.tool = r.Str(v, "tool", w);
    a.caller = r.Str(v, "caller", w);
    a.caller_key = NormalizeAgentUrl(a.caller).value_or("");
    a.target_agent = r.Str(v, "target_agent", w);
    a.target_key = NormalizeAgentUrl(a.target_agent).value_or("");
    a.currency = r.Str(v, "currency", w);
    a.intent_check = r.Index(v, "intent_check", w, nc, false);
    a.latest_exec_check = r.Index(v, "latest_exec_check", w, nc, true);
    a.hold_exp_ms = r.Time(v, "hold_expires_at", w);
    a.account_key = r.Str(v, "account_key", w);
    a.approved_at_ms = r.Time(v, "approved_at", w);
    a.aggregation_at_ms = r.OptTime(v, "aggregation_at", w);
    a.intent_channels = r.Strings(v, "intent_channels", w);
    a.settlement = r.Index(v, "settlement", w, no, true);
    a.failed = r.Bool(v, "failed", w);
    a.gross = r.Num(v, "gross", w);
    a.adjustments = r.Indexes(v, "adjustments", w, nj);
    a.ceiling = r.Opt<double>(v, "ceiling", w);
    a.exec = r.Opt<double>(v, "exec", w);
    a.proposal_id = r.Opt<std::string>(v, "proposal_id", w);
    a.terms_digest = r.Opt<std::string>(v, "terms_digest", w);
    a.next_check_ms = r.OptTime(v, "next_check", w);
    s.actions.push_back(std::move(a));
  }
  for (size_t i = 0; i < no && r.error.empty(); ++i) {
    const json::Value& v = (*outcomes)[i];
    std::string w = "outcomes[" + std::to_string(i) + "]";
    Outcome o;
    o.outcome_id = r.Str(v, "outcome_id", w);
    o.plan = r.Index(v, "plan", w, np, false);
    o.action = r.Index(v, "action", w, na, true);
    o.check = r.Index(v, "check", w, nc, true);
    o.type = r.Enum(v, "type", w, {"completed", "failed", "delivery"});
    o.reporter = r.Str(v, "reporter", w);
    o.reporter_key = NormalizeAgentUrl(o.reporter).value_or("");
    o.purchase_type = r.Str(v, "purchase_type", w);
    o.seller_channels = r.Strings(v, "seller_channels", w);
    o.reconciliation_status = r.Enum(v, "reconciliation_status", w,
                                     {"", "consistent", "disputed", "measurement_variance", "closed_unresolved"});
    o.period_state = r.Enum(v, "period_state", w, {"", "open", "closed"});
    o.observation_id = r.Str(v, "observation_id", w);
    o.payload_hash = r.Str(v, "payload_hash", w);
    o.findings = r.Any(v, "findings", w);
    o.body_json = json::Write(r.Any(v, "body", w));
    o.timestamp_ms = r.Time(v, "timestamp", w);
    o.seq = static_cast<uint64_t>(r.Count(v, "seq", w));
    o.committed_budget = r.Opt<double>(v, "committed_budget", w);
    o.reported_committed_budget = r.Opt<double>(v, "reported_committed_budget", w);
    o.seller_reference = r.Opt<std::string>(v, "seller_reference", w);
    o.delivery = r.Opt<json::Value>(v, "delivery", w);
    o.error = r.Opt<json::Value>(v, "error", w);
    o.legacy_snapshot = v.has("legacy_snapshot") && r.Bool(v, "legacy_snapshot", w);
    if (v.has("dialect")) o.dialect = r.Enum(v, "dialect", w, {"3.0", "3.1"});
    if (!o.findings.is_array()) r.Invalid(w + ".findings", "must be an array");
    s.outcomes.push_back(std::move(o));
  }
  for (size_t i = 0; i < nj && r.error.empty(); ++i) {
    const json::Value& v = (*adjustments)[i];
    std::string w = "adjustments[" + std::to_string(i) + "]";
    Adjustment a;
    a.adjustment_id = r.Str(v, "adjustment_id", w);
    a.plan = r.Index(v, "plan", w, np, false);
    a.outcome = r.Index(v, "outcome", w, no, false);
    a.action = r.Index(v, "action", w, na, false);
    a.seller = r.Str(v, "seller", w);
    a.seller_key = NormalizeAgentUrl(a.seller).value_or("");
    a.seller_reference = r.Str(v, "seller_reference", w);
    a.seller_adjustment_id = r.Str(v, "seller_adjustment_id", w);
    a.evidence_id = r.Str(v, "evidence_id", w);
    a.adjustment_type = r.Enum(v, "adjustment_type", w, {"decommitment", "refund", "credit", "makegood"});
    a.amount = r.Num(v, "amount", w);
    a.currency = r.Str(v, "currency", w);
    a.state = r.Enum(v, "state", w, {"reported", "verified", "disputed"});
    a.verified_amount = r.Num(v, "verified_amount", w);
    a.headroom_restored = r.Num(v, "headroom_restored", w);
    a.evidence = r.Any(v, "evidence", w);
    a.reason = r.Str(v, "reason", w);
    a.effective_at = r.Str(v, "effective_at", w);
    a.payload_hash = r.Str(v, "payload_hash", w);
    a.report_body_json = json::Write(r.Any(v, "report_body", w));
    a.timestamp_ms = r.Time(v, "timestamp", w);
    a.seq = static_cast<uint64_t>(r.Count(v, "seq", w));
    a.reviewed_by = r.Opt<std::string>(v, "reviewed_by", w);
    a.review_reason = r.Opt<std::string>(v, "review_reason", w);
    a.reviewed_at_ms = r.OptTime(v, "reviewed_at", w);
    s.adjustments.push_back(std::move(a));
  }
  for (size_t i = 0; i < ne && r.error.empty(); ++i) {
    const json::Value& v = (*escalations)[i];
    std::string w = "escalations[" + std::to_string(i) + "]";
    Escalation e;
    e.task_id = r.Str(v, "task_id", w);
    e.check = r.Index(v, "check", w, nc, false);
    e.reason = r.Str(v, "reason", w);
    e.recommendation = r.Enum(v, "recommendation", w, {"approve", "deny"});
    e.created_ms = r.Time(v, "created_at", w);
    if (v.has("resolution"))
      e.resolution = r.Enum(v, "resolution", w, {"approved_by_human", "rejected_by_human", "expired"});
    e.resolved_at_ms = r.OptTime(v, "resolved_at", w);
    e.reviewer = r.Opt<std::string>(v, "reviewer", w);
    e.decision_reason = r.Opt<std::string>(v, "decision_reason", w);
    if (v.has("dialect")) {
      e.dialect = r.Enum(v, "dialect", w, {"3.0", "3.1"});
      e.claim_key = r.Str(v, "claim_key", w);
      e.claimed = r.Bool(v, "claimed", w);
    }
    s.escalations.push_back(std::move(e));
  }
  for (size_t i = 0; i < ncs && r.error.empty(); ++i) {
    const json::Value& v = (*consultations)[i];
    std::string w = "consultations[" + std::to_string(i) + "]";
    Consultation c;
    c.handle = r.Str(v, "handle", w);
    c.agent_key = r.Str(v, "agent_key", w);
    c.caller_key = r.Str(v, "caller_key", w);
    c.target_key = r.Str(v, "target_key", w);
    c.plan = r.Index(v, "plan", w, np, false);
    c.tool = r.Str(v, "tool", w);
    c.purchase_type = r.Str(v, "purchase_type", w);
    c.start_ms = r.Time(v, "start", w);
    c.attempts = r.Count(v, "attempts", w);
    c.open = r.Bool(v, "open", w);
    s.consultations.push_back(std::move(c));
  }
  for (size_t i = 0; i < idempotency->size() && r.error.empty(); ++i) {
    const json::Value& v = (*idempotency)[i];
    std::string w = "idempotency[" + std::to_string(i) + "]";
    IdempotencyEntry e;
    std::string scope = r.Str(v, "scope", w);
    e.task = r.Enum(v, "task", w,
                    {"sync_plans", "report_plan_outcome", "report_plan_adjustment", "get_plan_audit_logs", "record_outcome"});
    e.payload_hash = r.Str(v, "payload_hash", w);
    e.stored_at_ms = r.Time(v, "stored_at", w);
    if (v.has("body")) e.body_json = json::Write(r.Any(v, "body", w));
    s.idempotency[scope] = std::move(e);
  }
  if (!r.error.empty()) return InvalidState(r.field, r.error);
  // The outcomes ledger (spec 11); documents written before it existed have none.
  if (const json::Value* records = doc.find("value_records")) {
    if (!records->is_array()) return InvalidState("value_records", "value_records must be an array");
    for (size_t i = 0; i < records->as_array().size(); ++i) {
      ValueRecord v;
      std::string err = ValueRecordFromState(records->as_array()[i], &v);
      const std::string w = "value_records[" + std::to_string(i) + "]";
      if (!err.empty()) {
        const size_t space = err.find(' ');
        const std::string member = err.substr(0, space);
        return InvalidState(member == "must" ? w : w + "." + member, w + "." + err);
      }
      if (s.value_ledger.by_id.count(v.id)) return InvalidState(w + ".id", w + ": duplicate id");
      AddValueRecord(s.value_ledger, std::move(v));
    }
  }
  ADCP_RETURN_IF_ERROR(CheckLinks(s));
  RebuildDerived(s, config);
  *out = std::move(s);
  return Status::Ok();
}

void RebuildDerived(State& s, const Config& config) {
  for (size_t i = 0; i < s.plans.size(); ++i) {
    Plan& p = s.plans[i];
    p.terms = ParseTerms(*p.plan);
    IndexPlan(s, static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.checks.size(); ++i) {
    const Check& c = s.checks[i];
    s.check_by_id[c.check_id] = static_cast<int32_t>(i);
    if (!c.issued_token.empty()) s.check_by_token[TokenKey(c.issued_token)] = static_cast<int32_t>(i);
    if (c.statement) s.statement_by_id[JoinKey(c.caller_key, c.statement->statement_id)] = static_cast<int32_t>(i);
  }
  for (size_t i = 0; i < s.actions.size(); ++i) {
    Action& a = s.actions[i];
    s.action_by_id[a.action_id] = static_cast<int32_t>(i);
    s.plans[a.plan].actions.push_back(static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.outcomes.size(); ++i) {
    const Outcome& o = s.outcomes[i];
    s.outcome_by_id[o.outcome_id] = static_cast<int32_t>(i);
    if (o.type == "delivery" && !o.observation_id.empty())
      s.observation_by_id[JoinKey(JoinKey(o.reporter_key, std::to_string(o.plan)), o.observation_id)] =
          static_cast<int32_t>(i);
  }
  for (size_t i = 0; i < s.adjustments.size(); ++i) {
    Adjustment& a = s.adjustments[i];
    s.adjustment_by_id[a.adjustment_id] = static_cast<int32_t>(i);
    s.adjustment_by_seller_id[JoinKey(a.seller_key, a.seller_adjustment_id)] = static_cast<int32_t>(i);
    s.adjustment_by_evidence_id[JoinKey(a.seller_key, a.evidence_id)] = static_cast<int32_t>(i);
    Action& action = s.actions[a.action];
    action.reported_adj.Add(a.amount);
    action.verified.Add(a.verified_amount);
    action.restored.Add(a.headroom_restored);
  }
  for (size_t i = 0; i < s.escalations.size(); ++i) {
    s.escalation_by_task[s.escalations[i].task_id] = static_cast<int32_t>(i);
    if (!s.escalations[i].resolution) s.pending_escalations.insert(static_cast<int32_t>(i));
    if (!s.escalations[i].claim_key.empty())
      s.escalations_by_claim[s.escalations[i].claim_key].push_back(static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.consultations.size(); ++i)
    s.consultation_by_handle[s.consultations[i].handle] = static_cast<int32_t>(i);
  for (const auto& it : s.idempotency)
    if (it.second.body_json) s.idempotency_expiry.emplace(it.second.stored_at_ms, it.first);

  // Final records in seq order: counters, audit entries, delivery periods.
  std::vector<EntryRef> order;
  for (size_t i = 0; i < s.checks.size(); ++i)
    if (!s.checks[i].pending && s.checks[i].seq > 0)
      order.push_back({s.checks[i].seq, EntryKind::kCheck, static_cast<int32_t>(i)});
  for (size_t i = 0; i < s.outcomes.size(); ++i)
    order.push_back({s.outcomes[i].seq, EntryKind::kOutcome, static_cast<int32_t>(i)});
  for (size_t i = 0; i < s.adjustments.size(); ++i)
    order.push_back({s.adjustments[i].seq, EntryKind::kAdjustment, static_cast<int32_t>(i)});
  std::sort(order.begin(), order.end(), [](const EntryRef& a, const EntryRef& b) { return a.seq < b.seq; });
  for (const EntryRef& e : order) {
    switch (e.kind) {
      case EntryKind::kCheck: {
        const Check& c = s.checks[e.index];
        CountFinalCheck(s, e.index, json::ParseStored(c.body_json));
        if (c.statement) RecordStatement(s, e.index);
        if (!c.intent && c.verdict == "approved" && c.planned_delivery)
          if (const std::string* mb = c.planned_delivery->find_string("media_buy_id")) RecordMediaBuyId(s, c.action, *mb);
        break;
      }
      case EntryKind::kOutcome:
        CountOutcome(s, e.index);
        if (s.outcomes[e.index].legacy_snapshot && s.outcomes[e.index].action != kNone)
          if (const std::optional<json::Value>& d = s.outcomes[e.index].delivery; d && d->find_number("spend"))
            s.actions[s.outcomes[e.index].action].legacy_snapshot_spend.Add(*d->find_number("spend"));
        if (s.outcomes[e.index].type == "completed" && s.outcomes[e.index].seller_reference)
          RecordMediaBuyId(s, s.outcomes[e.index].action, *s.outcomes[e.index].seller_reference);
        if (s.outcomes[e.index].type == "delivery" && !s.outcomes[e.index].observation_id.empty())
          RecordObservation(s, e.index);
        break;
      case EntryKind::kAdjustment:
        CountAdjustment(s, e.index);
        break;
    }
  }
  // H2 series in the order the live path registered them: at approval (the
  // intent check's seq) or, for 3.0-era actions bound later, at binding (the
  // first approved execution check's seq).
  std::vector<std::pair<uint64_t, int32_t>> registration;
  {
    std::vector<uint64_t> first_exec_seq(s.actions.size(), 0);
    for (const Check& c : s.checks)
      if (!c.intent && c.action != kNone && c.verdict == "approved" && c.seq > 0 &&
          (first_exec_seq[c.action] == 0 || c.seq < first_exec_seq[c.action]))
        first_exec_seq[c.action] = c.seq;
    for (size_t i = 0; i < s.actions.size(); ++i) {
      const Action& a = s.actions[i];
      uint64_t at = a.aggregation_at_ms ? first_exec_seq[i] : s.checks[a.intent_check].seq;
      registration.emplace_back(at, static_cast<int32_t>(i));
    }
    std::stable_sort(registration.begin(), registration.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
  }
  for (const auto& reg : registration) RegisterAggregation(s, reg.second);
  for (size_t i = 0; i < s.actions.size(); ++i) {
    RecordSettlementAggregation(s, static_cast<int32_t>(i));
    ApplyActionLedger(s, static_cast<int32_t>(i), +1);
    Action& a = s.actions[i];
    std::optional<double> held = a.exec ? a.exec : a.ceiling;
    if (config.budget_holds && a.settlement == kNone && held) {
      a.hold.amount = *held;
      a.hold.exp_ms = a.hold_exp_ms;
      a.hold_channels = HoldChannels(s, a);
      a.hold_counting = true;
      ApplyActionHold(s, static_cast<int32_t>(i), +1);
    }
  }
}

}  // namespace adcp
