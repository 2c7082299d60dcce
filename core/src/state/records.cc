#include "state/records.h"

#include <cmath>

#include "json/json.h"
#include "util/time.h"
#include "util/url.h"

namespace adcp {
namespace {

template <class Text>  // std::string or Sym
json::Value Strs(const std::vector<Text>& v) {
  json::Value a = json::Value::MakeArray();
  for (const Text& s : v) a.push(json::Value(s));
  return a;
}
json::Value Strs(const SymList& v) { return Strs(v.items()); }
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
void SetOpt(json::Value& o, const char* key, const OptionalDouble& v) {
  if (v) o.set(key, json::Value(*v));
}
void SetOpt(json::Value& o, const char* key, const OptionalInt64& v) {
  if (v) o.set(key, json::Value(*v));
}
// A proposal binding's members, absent for none.
void SetProposal(json::Value& o, const Boxed<ProposalBinding>& proposal) {
  if (!proposal) return;
  o.set("proposal_id", proposal->proposal_id);
  o.set("terms_digest", proposal->terms_digest);
}
void SetOpt(json::Value& o, const char* key, const Boxed<json::Value>& v) {
  if (v) o.set(key, Text(*v));
}

}  // namespace

template <>
std::optional<std::string> RecordReader::Opt<std::string>(const json::Value& o, const char* key, const std::string& where) {
  if (!o.has(key)) return std::nullopt;
  return Str(o, key, where);
}
template <>
std::optional<double> RecordReader::Opt<double>(const json::Value& o, const char* key, const std::string& where) {
  if (!o.has(key)) return std::nullopt;
  return Num(o, key, where);
}
template <>
std::optional<json::Value> RecordReader::Opt<json::Value>(const json::Value& o, const char* key, const std::string& where) {
  if (!o.has(key)) return std::nullopt;
  return Any(o, key, where);
}

Boxed<ProposalBinding> RecordReader::Proposal(const json::Value& o, const std::string& where) {
  std::optional<std::string> id = Opt<std::string>(o, "proposal_id", where);
  std::optional<std::string> digest = Opt<std::string>(o, "terms_digest", where);
  if (id.has_value() != digest.has_value()) {
    Fail(where, id ? "terms_digest" : "proposal_id", "present with the other");
    return std::nullopt;
  }
  if (!id) return std::nullopt;
  return ProposalBinding{std::move(*id), std::move(*digest)};
}

json::Value PlanRevisionToJson(const PlanRevision& r) {
  json::Value rv = json::Obj({{"version", r.version}, {"synced_at", r.synced_at_ms}, {"plan_hash", r.plan_hash},
                              {"plan", Text(*r.plan)}});
  if (r.downgrade) rv.set("downgrade", Text(*r.downgrade));
  return rv;
}

json::Value IdempotencyToJson(const State& s, const std::string& scope, const IdempotencyEntry& e) {
  json::Value v = json::Obj(
      {{"scope", scope}, {"task", KeyedTaskName(e.task)}, {"payload_hash", PayloadHashOf(s, e).str()}, {"stored_at", e.stored_at_ms}});
  if (std::optional<std::string> body = ReplayBodyOf(s, e)) v.set("body", std::move(*body));
  return v;
}

json::Value PlanToJson(const Plan& p) {
  json::Value revs = json::Value::MakeArray();
  for (const PlanRevision& r : p.revisions) revs.push(PlanRevisionToJson(r));
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

json::Value CheckToJson(const State& s, const Check& c) {
  json::Value v = json::Obj({{"check_id", c.check_id},
                             {"plan", c.plan},
                             {"intent", c.intent},
                             {"phase", PhaseName(c.phase)},
                             {"plan_version", c.plan_version()},
                             {"plan_hash", c.plan_hash()},
                             {"caller", c.caller()},
                             {"tool", c.tool()},
                             {"purchase_type", c.purchase_type()},
                             {"target_agent", c.target_agent()},
                             {"pending", c.pending},
                             {"verdict", VerdictName(c.verdict)},
                             {"mode", c.mode()},
                             {"body", CheckBodyText(c)},
                             {"issued_token", IssuedTokenText(s, c)},
                             {"presented_check", c.presented_check},
                             {"expires_at", c.expires_at_ms()},
                             {"action", c.action},
                             {"escalation", c.escalation()},
                             {"consultation", c.consultation()},
                             {"attempt", c.attempt()},
                             {"created_at", c.created_ms()},
                             {"final_at", c.final_ms()},
                             {"seq", static_cast<double>(c.seq)},
                             {"dialect", DialectName(c.dialect)}});
  SetOpt(v, "context", c.context());
  SetOpt(v, "amount", c.amount);
  const IntentScope& scope = IntentScopeOf(c);
  v.set("payload_hash", scope.payload_hash.str());
  v.set("intent_channels", Strs(scope.channels));
  v.set("intent_countries", Strs(scope.countries));
  v.set("intent_regions", Strs(scope.regions));
  v.set("intent_start", scope.start());
  v.set("intent_end", scope.end());
  v.set("account_key", scope.account_key());
  v.set("recommendation", RecommendationName(c.recommendation));
  SetProposal(v, c.proposal());
  SetOpt(v, "planned_delivery", PlannedDeliveryOf(c));
  SetOpt(v, "legacy_metrics", c.legacy_metrics());
  SetOpt(v, "runtime_attestations", c.runtime_attestations());
  if (c.statement()) {
    const Statement& s = *c.statement();
    v.set("statement", json::Obj({{"statement_id", s.statement_id},
                                  {"statement_digest", s.statement_digest.str()},
                                  {"sequence", s.sequence},
                                  {"period_start", s.period_start_raw()},
                                  {"period_end", s.period_end_raw()},
                                  {"cumulative_spend", s.cumulative_spend}}));
  }
  return v;
}

json::Value ActionToJson(const Action& a) {
  json::Value v = json::Obj({{"action_id", a.action_id},
                             {"plan", a.plan},
                             {"purchase_type", a.purchase_type()},
                             {"tool", a.tool()},
                             {"caller", a.caller()},
                             {"target_agent", a.target_agent()},
                             {"currency", a.currency()},
                             {"intent_check", a.intent_check},
                             {"latest_exec_check", a.latest_exec_check},
                             {"hold_expires_at", a.hold_exp_ms},
                             {"account_key", a.account_key()},
                             {"approved_at", a.approved_at_ms},
                             {"intent_channels", Strs(a.intent_channels)},
                             {"settlement", a.settlement},
                             {"failed", a.failed},
                             {"gross", a.gross},
                             {"adjustments", Ints(AdjustmentsOf(a).adjustments)}});
  SetOpt(v, "ceiling", a.ceiling);
  SetOpt(v, "exec", a.exec);
  SetProposal(v, a.proposal);
  SetOpt(v, "next_check", a.next_check_ms);
  SetOpt(v, "aggregation_at", a.aggregation_at_ms);
  return v;
}

json::Value OutcomeToJson(const Outcome& o) {
  json::Value v = json::Obj({{"outcome_id", o.outcome_id},
                             {"plan", o.plan},
                             {"action", o.action},
                             {"check", o.check},
                             {"type", o.type()},
                             {"reporter", o.reporter()},
                             {"purchase_type", o.purchase_type()},
                             {"seller_channels", Strs(SettlementOf(o).seller_channels)},
                             {"reconciliation_status", ReconciliationName(ObservationOf(o).reconciliation_status)},
                             {"period_state", PeriodStateName(ObservationOf(o).period_state)},
                             {"observation_id", ObservationOf(o).observation_id},
                             {"payload_hash", o.payload_hash().str()},
                             {"findings", Text(FindingsOf(o))},
                             {"body", OutcomeBodyText(o)},
                             {"timestamp", o.timestamp_ms},
                             {"seq", static_cast<double>(o.seq)}});
  SetOpt(v, "committed_budget", SettlementOf(o).committed_budget);
  SetOpt(v, "reported_committed_budget", SettlementOf(o).reported_committed_budget);
  SetOpt(v, "seller_reference", SettlementOf(o).seller_reference);
  if (!ObservationOf(o).delivery.empty()) v.set("delivery", ObservationDeliveryText(ObservationOf(o)));  // JSON text, as Text() writes opaque values
  SetOpt(v, "error", SettlementOf(o).error);
  if (o.legacy_snapshot) v.set("legacy_snapshot", true);
  if (IsLegacy(o.dialect)) v.set("dialect", DialectName(o.dialect));
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
  if (IsLegacy(e.dialect)) {
    v.set("dialect", DialectName(e.dialect));
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

PlanRevision ReadPlanRevision(RecordReader& r, const json::Value& rv, const std::string& wr) {
  PlanRevision rev;
  rev.version = r.Count(rv, "version", wr);
  rev.synced_at_ms = r.Time(rv, "synced_at", wr);
  rev.plan_hash = r.Str(rv, "plan_hash", wr);
  rev.plan = std::make_shared<const json::Value>(r.Any(rv, "plan", wr));
  rev.downgrade = r.Opt<json::Value>(rv, "downgrade", wr);
  return rev;
}

Plan ReadPlan(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
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
    return p;
  }
  for (size_t j = 0; j < revs->size(); ++j) {
    const json::Value& rv = revs->as_array()[j];
    const std::string wr = w + ".revisions[" + std::to_string(j) + "]";
    PlanRevision rev = ReadPlanRevision(r, rv, wr);
    // Share identical plan bodies between revisions.
    if (!p.revisions.empty() && p.revisions.back().plan_hash == rev.plan_hash && *p.revisions.back().plan == *rev.plan)
      rev.plan = p.revisions.back().plan;
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
  p.escalations = r.Indexes(v, "escalations", w, t.escalations);
  return p;
}

Check ReadCheck(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Check c;
  c.check_id = r.Str(v, "check_id", w);
  c.plan = r.Index(v, "plan", w, t.plans, false);
  c.intent = r.Bool(v, "intent", w);
  c.phase = r.Vocab(v, "phase", w, PhaseFromName, Phase::kIntent);
  c.set_plan_version(r.Count(v, "plan_version", w));
  CheckTexts texts;
  texts.plan_hash = r.Str(v, "plan_hash", w);
  texts.caller = r.Str(v, "caller", w);
  texts.caller_key = NormalizeAgentUrl(texts.caller.str()).value_or("");
  texts.tool = r.Str(v, "tool", w);
  texts.purchase_type = r.Str(v, "purchase_type", w);
  texts.target_agent = r.Str(v, "target_agent", w);
  c.pending = r.Bool(v, "pending", w);
  c.verdict = r.Vocab(v, "verdict", w, VerdictFromName, Verdict::kNone);
  texts.mode = r.Enum(v, "mode", w, {"audit", "advisory", "enforce"});
  c.set_texts(texts);
  // "" until the check is final or escalated (add_check of a change set).
  std::string body_text;
  if (const std::string* body = v.find_string("body"); !body || !body->empty()) body_text = r.Text(v, "body", w);
  c.set_context(r.Opt<json::Value>(v, "context", w));
  c.amount = r.Opt<double>(v, "amount", w);
  c.issued_token = StoredToken::Verbatim(r.Str(v, "issued_token", w));
  c.presented_check = r.Index(v, "presented_check", w, t.checks, true);
  // The creation time first: the expiry and the final time are kept
  // against it, and read before it they would box the rare members (issue 15).
  c.set_created_ms(r.Time(v, "created_at", w));
  c.set_expires_at_ms(r.Time(v, "expires_at", w));
  c.action = r.Index(v, "action", w, t.actions, true);
  c.set_escalation(r.Index(v, "escalation", w, t.escalations, true));
  c.set_consultation(r.Index(v, "consultation", w, t.consultations, true));
  c.set_attempt(r.Count(v, "attempt", w));  // after `intent` (above)
  c.set_final_ms(r.Time(v, "final_at", w));
  c.seq = static_cast<uint64_t>(r.Count(v, "seq", w));
  c.dialect = DialectFromName(r.Enum(v, "dialect", w, {"3.2", "3.1", "3.0"}));
  IntentScope scope;
  scope.payload_hash = r.Str(v, "payload_hash", w);
  scope.channels = Syms(r.Strings(v, "intent_channels", w));
  scope.countries = Syms(r.Strings(v, "intent_countries", w));
  scope.regions = Syms(r.Strings(v, "intent_regions", w));
  const std::string intent_start = r.Str(v, "intent_start", w), intent_end = r.Str(v, "intent_end", w);
  scope.set_texts(intent_start, intent_end, r.Str(v, "account_key", w));
  c.recommendation = r.Vocab(v, "recommendation", w, RecommendationFromName, Recommendation::kNone);
  c.set_proposal(r.Proposal(v, w));
  if (!scope.empty()) c.set_scope(std::move(scope));  // exported back as the same empty members
  if (std::optional<json::Value> planned = r.Opt<json::Value>(v, "planned_delivery", w)) SetPlannedDelivery(c, *planned);
  c.set_legacy_metrics(r.Opt<json::Value>(v, "legacy_metrics", w));
  c.set_runtime_attestations(r.Opt<json::Value>(v, "runtime_attestations", w));
  if (const json::Value* st = v.find_object("statement")) {
    Statement sm;
    sm.statement_id = r.Str(*st, "statement_id", w + ".statement");
    sm.statement_digest = r.Str(*st, "statement_digest", w + ".statement");
    sm.sequence = r.Count(*st, "sequence", w + ".statement");
    sm.set_period(r.Str(*st, "period_start", w + ".statement"), r.Str(*st, "period_end", w + ".statement"));
    sm.cumulative_spend = r.Num(*st, "cumulative_spend", w + ".statement");
    std::optional<Instant> a = ParseDateTime(sm.period_start_raw().str()), b = ParseDateTime(sm.period_end_raw().str());
    if (!a || !b) r.Invalid(w + ".statement", "has a period that is not RFC 3339");
    c.set_statement(std::move(sm));
    if (body_text.find("\"delivery_statement\"") != std::string::npos)
      AttachStatementSource(c, json::ParseStored(body_text));
  }
  KeepCheckBody(c, std::move(body_text));
  return c;
}

Action ReadAction(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Action a;
  a.action_id = r.Str(v, "action_id", w);
  a.plan = r.Index(v, "plan", w, t.plans, false);
  ActionTexts texts;
  texts.purchase_type = r.Str(v, "purchase_type", w);
  texts.tool = r.Str(v, "tool", w);
  texts.caller = r.Str(v, "caller", w);
  texts.caller_key = NormalizeAgentUrl(texts.caller.str()).value_or("");
  texts.target_agent = r.Str(v, "target_agent", w);
  texts.target_key = NormalizeAgentUrl(texts.target_agent.str()).value_or("");
  texts.currency = r.Str(v, "currency", w);
  a.intent_check = r.Index(v, "intent_check", w, t.checks, false);
  a.latest_exec_check = r.Index(v, "latest_exec_check", w, t.checks, true);
  a.hold_exp_ms = r.Time(v, "hold_expires_at", w);
  texts.account_key = r.Str(v, "account_key", w);
  a.set_texts(texts);
  a.approved_at_ms = r.Time(v, "approved_at", w);
  a.aggregation_at_ms = r.OptTime(v, "aggregation_at", w);
  a.intent_channels = Syms(r.Strings(v, "intent_channels", w));
  a.settlement = r.Index(v, "settlement", w, t.outcomes, true);
  a.failed = r.Bool(v, "failed", w);
  a.gross = r.Num(v, "gross", w);
  if (std::vector<int32_t> adjustments = r.Indexes(v, "adjustments", w, t.adjustments); !adjustments.empty())
    MutableAdjustments(a).adjustments = std::move(adjustments);
  a.ceiling = r.Opt<double>(v, "ceiling", w);
  a.exec = r.Opt<double>(v, "exec", w);
  a.proposal = r.Proposal(v, w);
  a.next_check_ms = r.OptTime(v, "next_check", w);
  return a;
}

Outcome ReadOutcome(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Outcome o;
  o.outcome_id = r.Str(v, "outcome_id", w);
  o.plan = r.Index(v, "plan", w, t.plans, false);
  o.action = r.Index(v, "action", w, t.actions, true);
  o.check = r.Index(v, "check", w, t.checks, true);
  OutcomeTexts texts;
  texts.type = r.Enum(v, "type", w, {"completed", "failed", "delivery"});
  texts.reporter = r.Str(v, "reporter", w);
  texts.reporter_key = NormalizeAgentUrl(texts.reporter.str()).value_or("");
  texts.purchase_type = r.Str(v, "purchase_type", w);
  o.set_texts(texts);
  MutableSettlement(o).seller_channels = Syms(r.Strings(v, "seller_channels", w));
  MutableObservation(o).reconciliation_status =
      r.Vocab(v, "reconciliation_status", w, ReconciliationFromName, Reconciliation::kNone);
  MutableObservation(o).period_state = r.Vocab(v, "period_state", w, PeriodStateFromName, PeriodState::kNone);
  MutableObservation(o).observation_id = r.Str(v, "observation_id", w);
  o.set_payload_hash(r.Str(v, "payload_hash", w));
  json::Value findings = r.Any(v, "findings", w);
  // "" until the outcome is final (add_outcome of a change set).
  if (const std::string* body = v.find_string("body"); !body || !body->empty()) KeepOutcomeBody(o, r.Text(v, "body", w));
  o.timestamp_ms = r.Time(v, "timestamp", w);
  o.seq = static_cast<uint64_t>(r.Count(v, "seq", w));
  MutableSettlement(o).committed_budget = r.Opt<double>(v, "committed_budget", w);
  MutableSettlement(o).reported_committed_budget = r.Opt<double>(v, "reported_committed_budget", w);
  MutableSettlement(o).seller_reference = r.Opt<std::string>(v, "seller_reference", w);
  // After observation_id (above): the text refers to it.
  if (v.has("delivery"))
    MutableObservation(o).delivery = ObservationDelivery(r.Text(v, "delivery", w), ObservationOf(o).observation_id);
  if (std::optional<json::Value> error = r.Opt<json::Value>(v, "error", w)) MutableSettlement(o).error = std::move(*error);
  o.legacy_snapshot = v.has("legacy_snapshot") && r.Bool(v, "legacy_snapshot", w);
  if (v.has("dialect")) o.dialect = DialectFromName(r.Enum(v, "dialect", w, {"3.0", "3.1"}));
  if (!findings.is_array()) r.Invalid(w + ".findings", "must be an array");
  else SetFindings(o, std::move(findings));
  TidyOutcome(o);
  return o;
}

Adjustment ReadAdjustment(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Adjustment a;
  a.adjustment_id = r.Str(v, "adjustment_id", w);
  a.plan = r.Index(v, "plan", w, t.plans, false);
  a.outcome = r.Index(v, "outcome", w, t.outcomes, false);
  a.action = r.Index(v, "action", w, t.actions, false);
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
  // "" until the report's body is set (add_adjustment of a change set).
  if (const std::string* body = v.find_string("report_body"); body && body->empty()) a.report_body_json.clear();
  else a.report_body_json = r.Text(v, "report_body", w);
  a.timestamp_ms = r.Time(v, "timestamp", w);
  a.seq = static_cast<uint64_t>(r.Count(v, "seq", w));
  a.reviewed_by = r.Opt<std::string>(v, "reviewed_by", w);
  a.review_reason = r.Opt<std::string>(v, "review_reason", w);
  a.reviewed_at_ms = r.OptTime(v, "reviewed_at", w);
  return a;
}

Escalation ReadEscalation(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Escalation e;
  e.task_id = r.Str(v, "task_id", w);
  e.check = r.Index(v, "check", w, t.checks, false);
  e.reason = r.Str(v, "reason", w);
  e.recommendation = r.Enum(v, "recommendation", w, {"approve", "deny"});
  e.created_ms = r.Time(v, "created_at", w);
  if (v.has("resolution"))
    e.resolution = r.Enum(v, "resolution", w, {"approved_by_human", "rejected_by_human", "expired"});
  e.resolved_at_ms = r.OptTime(v, "resolved_at", w);
  e.reviewer = r.Opt<std::string>(v, "reviewer", w);
  e.decision_reason = r.Opt<std::string>(v, "decision_reason", w);
  if (v.has("dialect")) {
    e.dialect = DialectFromName(r.Enum(v, "dialect", w, {"3.0", "3.1"}));
    e.claim_key = r.Str(v, "claim_key", w);
    e.claimed = r.Bool(v, "claimed", w);
  }
  return e;
}

Consultation ReadConsultation(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Consultation c;
  c.handle = r.Str(v, "handle", w);
  c.agent_key = r.Str(v, "agent_key", w);
  c.caller_key = r.Str(v, "caller_key", w);
  c.target_key = r.Str(v, "target_key", w);
  c.plan = r.Index(v, "plan", w, t.plans, false);
  c.tool = r.Str(v, "tool", w);
  c.purchase_type = r.Str(v, "purchase_type", w);
  c.start_ms = r.Time(v, "start", w);
  c.attempts = r.Count(v, "attempts", w);
  c.open = r.Bool(v, "open", w);
  return c;
}

IdempotencyEntry ReadIdempotency(RecordReader& r, const json::Value& v, const std::string& w, std::string* scope) {
  IdempotencyEntry e;
  *scope = r.Str(v, "scope", w);
  e.task = r.Vocab(v, "task", w, KeyedTaskFromName, KeyedTask::kNone);
  e.own_hash = DigestText(r.Str(v, "payload_hash", w));
  e.stored_at_ms = r.Time(v, "stored_at", w);
  if (v.has("body")) e.body_json = r.Text(v, "body", w);
  return e;
}

json::Value RevocationToJson(const Revocation& r) {
  json::Value v = json::Obj({{"jti", r.jti},
                             {"check", r.check},
                             {"revoked_at", r.revoked_at_ms},
                             {"expires_at", r.expires_at_ms}});
  if (r.reason) v.set("reason", *r.reason);
  return v;
}

Revocation ReadRevocation(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t) {
  Revocation rev;
  rev.jti = r.Str(v, "jti", w);
  rev.check = r.Index(v, "check", w, t.checks, false);
  rev.revoked_at_ms = r.Time(v, "revoked_at", w);
  rev.expires_at_ms = r.Time(v, "expires_at", w);
  rev.reason = r.Opt<std::string>(v, "reason", w);
  return rev;
}

json::Value AccountToJson(const Account& a) {
  json::Value v = json::Obj({{"account_id", a.account_id},
                             {"owner", a.owner},
                             {"brand", Text(a.brand)},
                             {"operator", a.operator_domain},
                             {"billing", a.billing},
                             {"status", a.status},
                             {"sandbox", a.sandbox},
                             {"created_at", a.created_ms},
                             {"updated_at", a.updated_ms}});
  SetOpt(v, "billing_entity", a.billing_entity);
  SetOpt(v, "payment_terms", a.payment_terms);
  return v;
}

Account ReadAccount(RecordReader& r, const json::Value& v, const std::string& w) {
  Account a;
  a.account_id = r.Str(v, "account_id", w);
  a.owner = r.Str(v, "owner", w);
  a.owner_key = NormalizeAgentUrl(a.owner).value_or("");
  if (a.owner_key.empty()) r.Invalid(w + ".owner", "is not an agent URL");
  a.brand = r.Any(v, "brand", w);
  if (!a.brand.is_object() || !a.brand.find_string("domain")) r.Invalid(w + ".brand", "must be JSON text of a brand-ref");
  a.operator_domain = r.Str(v, "operator", w);
  a.billing = r.Enum(v, "billing", w, {"operator", "agent", "advertiser"});
  a.status = r.Enum(v, "status", w, {"active", "pending_approval", "rejected", "payment_required", "suspended", "closed"});
  a.sandbox = r.Bool(v, "sandbox", w);
  a.created_ms = r.Time(v, "created_at", w);
  a.updated_ms = r.Time(v, "updated_at", w);
  a.billing_entity = r.Opt<json::Value>(v, "billing_entity", w);
  a.payment_terms = r.Opt<std::string>(v, "payment_terms", w);
  return a;
}

}  // namespace adcp
