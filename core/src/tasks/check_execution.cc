// Execution checks (03 §3, seller, addressed by a governance_context):
// resolve the token's action, authorize, evaluate (E1–E8), record.
#include "tasks/check_internal.h"

#include <algorithm>
#include <cmath>

#include "audit/figures.h"
#include "canon/digests.h"
#include "eval/intent_inputs.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "tokens/token.h"
#include "util/url.h"

namespace adcp {
namespace check {

namespace {

// One execution check on its way through 03 §3: what each step resolved.
struct Execution {
  Execution(const json::Value& request, const Auth& caller_auth, bool is_legacy)
      : r(request), auth(caller_auth), legacy(is_legacy) {}
  const json::Value& r;
  const Auth& auth;
  const bool legacy;
  // 3–5. The presented token's action and plan.
  const std::string* token = nullptr;
  int32_t presented = kNone, ai = kNone, pi = kNone;
  const Action* action = nullptr;
  const Plan* plan = nullptr;
  int64_t now = 0;
  bool unbound = false;  // a 3.0-era action bound by its first approved execution check
  Phase phase = Phase::kPurchase;
  json::Value pd;        // planned_delivery (media_buy_id filled in for 3.0 clients)
  const json::Value* metrics = nullptr;
  bool legacy_metrics = false;
  // 7. Amount and statement.
  std::optional<double> x;
  std::string x_currency;
  std::optional<Statement> statement;
  std::string seller_reference;
  // 8. Evaluation.
  std::string check_id;
  Evaluation ev;
  json::Value delivery_statement;
  Verdict verdict = Verdict::kNone;
  std::string effective;
};

// Step 3: the action the presented token (or, for a tokenless 3.0 seller,
// its single bound media buy) belongs to.
std::optional<TaskResult> ResolveAction(CallContext& ctx, Execution& ex) {
  const State& state = ctx.state();
  const json::Value& r = ex.r;
  ex.token = r.find_string("governance_context");
  if (ex.token) {
    ex.presented = FindIssuer(state, *ex.token);
    if (ex.presented == kNone)
      return TaskResult::Failed(Shape("governance_context", "governance_context is not a token issued by this agent"));
  } else {
    // 10 §3.5.1 (R3): a tokenless 3.0 seller check names its media buy; only
    // actions already bound to this caller are candidates.
    const json::Value* pd0 = r.find_object("planned_delivery");
    const std::string* mb = pd0 ? pd0->find_string("media_buy_id") : nullptr;
    const std::string* pid = r.find_string("plan_id");
    const int32_t bound = mb && pid ? MediaBuyActionOf(state, ex.auth.key, *pid, *mb) : kNone;
    if (bound == kNone)
      return TaskResult::Failed(Shape("governance_context", "governance_context is required (no single bound media buy matches)"));
    const Action& found = state.actions[bound];
    ex.presented = found.latest_exec_check != kNone ? found.latest_exec_check : found.intent_check;
  }
  ex.ai = state.checks[ex.presented].action;
  ex.action = &state.actions[ex.ai];
  ex.pi = ex.action->plan;
  ex.plan = &state.plans[ex.pi];
  if (const std::string* pid = r.find_string("plan_id"); pid && *pid != ex.plan->plan_id)
    return TaskResult::Failed(Shape("plan_id", "plan_id does not match the governance_context's plan"));
  return std::nullopt;
}

// Steps 4–5: the token is live, the caller is its audience, the plan runs.
std::optional<TaskResult> AuthorizeExecution(CallContext& ctx, Execution& ex) {
  const State& state = ctx.state();
  const Action& action = *ex.action;
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  ex.now = now.value();
  // An unbound 3.0-era action: any authenticated caller may attempt; the
  // first approved execution check binds it (10 §3.5.3–§3.5.4, R1).
  ex.unbound = ex.legacy && action.target_key().empty() && action.target_agent().empty();
  if (ex.token && state.checks[ex.presented].expires_at_ms() <= ex.now)
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "the governance_context has expired", "governance_context"));
  if (ex.token && state.revocation_by_check.count(ex.presented))
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "the governance_context was revoked", "governance_context"));
  if (!ex.unbound && (action.target_key().empty() || ex.auth.key != action.target_key()))
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "the caller is not the audience of this governance_context"));
  if (ex.plan->status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError(ErrorCode::kCampaignSuspended, "the plan is suspended"));
  ex.phase = PhaseOf(ex.r);
  ex.pd = *ex.r.find("planned_delivery");
  if (ex.legacy && (ex.phase == Phase::kModification || ex.phase == Phase::kDelivery) && !ex.pd.has("media_buy_id")) {
    // 10 §3.5.2: 6.11 drops media_buy_id next to a modification_summary.
    if (action.media_buy_id.empty())
      return TaskResult::Failed(Shape("planned_delivery.media_buy_id", "modification and delivery checks need planned_delivery.media_buy_id"));
    ex.pd.set("media_buy_id", action.media_buy_id.str());
  }
  ex.metrics = ex.r.find_object("delivery_metrics");
  ex.legacy_metrics = ex.legacy && ex.metrics && !HasStatementFields(ex.metrics);
  return std::nullopt;
}

// Step 7a: the execution amount of a purchase or modification.
Status ReadExecutionAmount(Execution& ex) {
  if (ex.phase != Phase::kPurchase && ex.phase != Phase::kModification) return Status::Ok();
  const bool incremental = IsIncrementalTool(ex.action->tool());
  const json::Value* ec = ex.r.find_object("execution_commitment");
  if (incremental && !ec && !ex.legacy)
    return Shape("execution_commitment", "execution_commitment is required for an incremental action");
  if (!incremental && ec) return Shape("execution_commitment", "execution_commitment applies only to incremental actions");
  if (ec) {
    ex.x = *ec->find_number("amount");
    ex.x_currency = *ec->find_string("currency");
  } else if (const double* tb = ex.pd.find_number("total_budget"); tb && !(ex.legacy && incremental)) {
    // Legacy incremental actions: a new total cannot be compared with a delta
    // ceiling, so E6 is not applied and exec(A) not set (10 §3.5.6).
    ex.x = *tb;
    ex.x_currency = *ex.pd.find_string("currency");
  }
  return Status::Ok();
}

// Step 7b: a delivery statement (03 §5.6): digest, replay, sequence, period.
// A replay of the same statement answers the earlier check.
std::optional<TaskResult> ReadStatement(CallContext& ctx, Execution& ex) {
  if (ex.phase != Phase::kDelivery) return std::nullopt;
  const Plan& plan = *ex.plan;
  if (ex.legacy_metrics) {
    // 10 §3.5.5 (R6): evaluated, not sequenced, digested or replay-protected.
    if (const std::string* cur = ex.pd.find_string("currency"); cur && *cur != plan.terms.currency)
      return TaskResult::Failed(Shape("planned_delivery.currency", "planned_delivery.currency must equal the plan currency"));
    return std::nullopt;
  }
  if (!ex.metrics) return std::nullopt;
  const State& state = ctx.state();
  const json::Value& m = *ex.metrics;
  ex.seller_reference = *ex.pd.find_string("media_buy_id");
  if (*m.find_string("currency") != plan.terms.currency)
    return TaskResult::Failed(Shape("delivery_metrics.currency", "delivery currency must equal the plan currency"));
  const std::string digest = *m.find_string("statement_digest");
  if (digest != canon::StatementDigest(ex.seller_reference, m))
    return TaskResult::Failed(Shape("delivery_metrics.statement_digest", "statement_digest does not match the statement"));
  const std::string& statement_id = *m.find_string("statement_id");
  const int32_t prior = FindStatement(state, ex.auth.key, statement_id);
  if (prior != kNone) {
    const Check& earlier = state.checks[prior];
    if (earlier.statement()->statement_digest == digest && earlier.action == ex.ai) {
      TaskResult replay = TaskResult::Completed(CheckBodyOf(state, earlier));
      replay.replayed = true;
      return replay;
    }
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "statement_id was already used with different content"));
  }
  Statement s;
  s.statement_id = statement_id;
  s.statement_digest = digest;
  s.sequence = static_cast<int64_t>(*m.find_number("sequence"));
  const json::Value& period = *m.find("reporting_period");
  s.set_period(*period.find_string("start"), *period.find_string("end"));
  s.cumulative_spend = *m.find_number("cumulative_spend");
  const Period* per = ex.action->periods.Find(PeriodKeyOf(s));
  if (per && per->closed)
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "this reporting period was closed by the buyer"));
  if (s.sequence <= ex.action->highest_sequence)
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "sequence must be higher than the action's last statement"));
  ex.statement = std::move(s);
  return std::nullopt;
}

// E1–E4: plan status, the delegation behind the action, the seller (B1/B2
// for a 3.0-era action being bound), the proposal binding.
void EvaluateExecutionAuthority(Execution& ex, const RequestedScope& scope) {
  const Plan& plan = *ex.plan;
  const Action& action = *ex.action;
  const PlanTerms& t = plan.terms;
  const Instant now_i = Instant::FromMillis(ex.now);
  Evaluation& ev = ex.ev;
  if (plan.status == PlanStatus::kCompleted && ex.phase != Phase::kDelivery)  // E1
    ev.Finding("plan_status", "critical", "The plan is completed; no new commitments are allowed.");
  if (action.caller_key() != plan.owner_key) {  // E2
    ev.Category("delegation_authority");
    const Delegation* d = DelegationFor(plan, action.caller_key(), now_i);
    if (!d || !d->ActiveAt(now_i)) {
      ev.Finding("delegation_authority", "critical", "The delegation that authorized this action is no longer active.");
    } else if (d->markets) {
      std::vector<std::string> pc, pr;
      for (const std::string& m : *d->markets) (m.size() == 2 ? pc : pr).push_back(m);
      std::vector<std::string> bad = UnauthorizedGeo(pc, pr, scope.countries, scope.regions);
      if (!bad.empty())
        ev.Finding("delegation_authority", "critical", "Planned geography outside the delegation's markets.",
                   Details({{"unauthorized", StringArray(bad)}}));
    }
  }
  if (ex.unbound) {  // B1, B2 (10 §3.5.4) in place of E3.
    const std::string& caller = *ex.r.find_string("caller");
    if (t.approved_sellers_is_array) {
      ev.Category("seller_compliance");
      if (!ContainsString(t.approved_seller_keys, ex.auth.key))
        ev.Finding("seller_compliance", "critical", "The seller is not an approved seller of this plan.",
                   Details({{"target_agent", caller}}));
    }
    std::optional<double> ceiling_a = action.authorized();
    if (t.per_seller_max_pct && ceiling_a) {
      auto used_it = plan.agg.by_seller.find(ex.auth.key);
      const double used = used_it == plan.agg.by_seller.end() ? 0 : used_it->second.Value();
      const double cap = *t.per_seller_max_pct / 100 * t.total - used;
      ev.Category("seller_concentration");
      if (Exceeds(*ceiling_a, cap))
        ev.Finding("seller_concentration", "critical", "The action exceeds the per-seller concentration cap for this seller.",
                   Details({{"requested", *ceiling_a}, {"cap", cap}}));
    }
  } else if (t.approved_sellers_is_array) {  // E3
    ev.Category("seller_compliance");
    if (!ContainsString(t.approved_seller_keys, action.target_key()))
      ev.Finding("seller_compliance", "critical", "The seller is no longer an approved seller of this plan.",
                 Details({{"target_agent", action.target_agent()}}));
  }
  if (action.proposal) {  // E4
    ev.Category("proposal_binding");
    const std::string* pid = ex.pd.find_string("proposal_id");
    const std::string* ptd = ex.pd.find_string("proposal_terms_digest");
    if (!pid || *pid != action.proposal->proposal_id || !ptd || *ptd != action.proposal->terms_digest)
      ev.Finding("proposal_binding", "critical", "The planned delivery is not bound to the authorized proposal.");
  }
}

// E6: the execution amount against the action's ceiling and the plan's budget left.
void EvaluateExecutionAmount(Execution& ex) {
  if (!ex.x) return;
  const Action& action = *ex.action;
  const PlanTerms& t = ex.plan->terms;
  Evaluation& ev = ex.ev;
  const double x = *ex.x;
  ev.Category("budget_authority");
  double own = action.settlement != kNone && !action.failed ? action.net_committed() : 0;
  double committed = LedgerCommitted(*ex.plan);
  if (ex.x_currency != action.currency() || ex.x_currency != t.currency)
    ev.Finding("budget_authority", "critical", "The execution amount's currency differs from the plan currency.",
               Details({{"currency", ex.x_currency}}));
  else if (!action.ceiling)
    ev.Finding("budget_authority", "critical", "The action was authorized without an amount.");
  else if (Exceeds(x, *action.ceiling))
    ev.Finding("budget_authority", "critical",
               "Execution amount " + json::FormatNumber(x) + " exceeds the authorized ceiling " +
                   json::FormatNumber(*action.ceiling) + ".",
               Details({{"requested", x}, {"ceiling", *action.ceiling}}));
  else if (Exceeds(x, t.total - (committed - own)))
    ev.Finding("budget_authority", "critical", "Execution amount exceeds the plan budget left.",
               Details({{"requested", x}, {"remaining", t.total - (committed - own)}}));
}

// E7 distribution checks: delivery outside the plan's markets or channels, and off its mix targets.
void EvaluateDistribution(const Agent& agent, Execution& ex, const json::Value& m) {
  const PlanTerms& t = ex.plan->terms;
  Evaluation& ev = ex.ev;
  if (const json::Value* geo = m.find_object("geo_distribution"); geo && (t.countries || t.regions)) {
    ev.Category("geo_compliance");
    std::vector<std::string> allowed = AllowedCountries(t.countries, t.regions);
    double outside = 0;
    for (const json::Member& g : geo->as_object())
      if (!ContainsString(allowed, g.first)) outside += g.second.as_number();
    if (Exceeds(outside, agent.config.geo_drift_tolerance_pct))
      ev.Finding("geo_compliance", "critical", "Delivery outside authorized markets exceeds the tolerance.",
                 Details({{"actual_distribution", *geo}, {"unauthorized_pct", outside}}));
  }
  const json::Value* chd = m.find_object("channel_distribution");
  if (!chd) return;
  if (t.channels_allowed) {
    ev.Category("channel_compliance");
    double outside = 0;
    for (const json::Member& c : chd->as_object())
      if (!ContainsString(*t.channels_allowed, c.first)) outside += c.second.as_number();
    if (Exceeds(outside, 0))
      ev.Finding("channel_compliance", "critical", "Delivery in channels the plan does not allow.",
                 Details({{"actual_distribution", *chd}, {"unauthorized_pct", outside}}));
  }
  if (t.mix_targets.empty()) return;
  ev.Category("channel_compliance");
  for (const auto& mt : t.mix_targets) {
    const double* share = chd->find_number(mt.first);
    double v = share ? *share : 0;
    bool low = mt.second.min_pct && v < *mt.second.min_pct - kEpsilon;
    bool high = mt.second.max_pct && Exceeds(v, *mt.second.max_pct);
    if (!low && !high) continue;
    json::Value d = Details({{"channel", mt.first}, {"actual_pct", v}});
    if (mt.second.min_pct) d.set("min_pct", *mt.second.min_pct);
    if (mt.second.max_pct) d.set("max_pct", *mt.second.max_pct);
    ev.Finding("channel_compliance", "warning", "Channel " + mt.first + " is outside its mix target.", std::move(d));
  }
}

// E7 pacing, measured against flight time elapsed (project addition to the
// seller's own label): expected spend at the period end, deviation and
// projected exhaustion of the committed amount.
void EvaluatePacing(const State& state, Execution& ex, const std::string& pacing, std::optional<double> committed_a,
                    std::optional<double> cumulative_spend, Instant period_end) {
  const Action& action = *ex.action;
  const PlanTerms& t = ex.plan->terms;
  json::Value d = Details({{"pacing", pacing}});
  const Check* exec_check = action.latest_exec_check != kNone ? &state.checks[action.latest_exec_check] : nullptr;
  const std::optional<json::Value> planned = exec_check ? PlannedDeliveryOf(*exec_check) : std::nullopt;
  RequestedScope window = planned ? ScopeOfPlannedDelivery(*planned) : RequestedScope{};
  Instant start = window.start ? *window.start : t.flight_start;
  Instant end = window.end ? *window.end : t.flight_end;
  double span = static_cast<double>(end.FloorMillis() - start.FloorMillis());
  double elapsed = static_cast<double>(period_end.FloorMillis() - start.FloorMillis());
  if (committed_a && cumulative_spend && span > 0 && elapsed > 0) {
    double fraction = std::min(1.0, elapsed / span);
    double expected = *committed_a * fraction;
    d.set("expected_spend", Round2(expected));
    if (expected > 0) d.set("pace_deviation_pct", Round2((*cumulative_spend / expected - 1) * 100));
    if (*cumulative_spend > 0) {
      double ms_to_exhaust = elapsed * (*committed_a / *cumulative_spend);
      double at = static_cast<double>(start.FloorMillis()) + ms_to_exhaust;
      if (at < 253402300799999.0) d.set("projected_exhaustion_at", FormatMillis(static_cast<int64_t>(at)));
    }
  }
  ex.ev.Finding("delivery_pacing", "warning", "The seller reports delivery " + pacing + " of plan.", std::move(d));
}

// E7 (03 §5.6; 10 §3.5.5 without a statement): a delivery report.
void EvaluateDelivery(const Agent& agent, const State& state, Execution& ex) {
  if (!ex.statement && !(ex.phase == Phase::kDelivery && ex.legacy_metrics)) return;
  const Action& action = *ex.action;
  const json::Value& m = *ex.metrics;
  Evaluation& ev = ex.ev;
  ev.Category("delivery_pacing");
  std::optional<double> committed_a = action.committed();
  std::optional<double> cumulative_spend;
  if (ex.statement) cumulative_spend = ex.statement->cumulative_spend;
  else if (const double* cs = m.find_number("cumulative_spend")) cumulative_spend = *cs;
  const Instant period_end = ex.statement ? PeriodEndOf(*ex.statement)
                                          : *ParseDateTime(*m.find("reporting_period")->find_string("end"));
  if (committed_a && cumulative_spend && Exceeds(*cumulative_spend, *committed_a))
    ev.Finding("delivery_pacing", "critical", "Cumulative spend exceeds the committed amount.",
               Details({{"cumulative_spend", *cumulative_spend}, {"committed", *committed_a}}));
  EvaluateDistribution(agent, ex, m);
  if (const std::string* pacing = m.find_string("pacing"); pacing && (*pacing == "ahead" || *pacing == "behind"))
    EvaluatePacing(state, ex, *pacing, committed_a, cumulative_spend, period_end);
  if (action.next_check_ms && *action.next_check_ms < ex.now)
    ev.Finding("delivery_pacing", "warning", "The previous delivery report was due earlier.",
               Details({{"missed_next_check", FormatMillis(*action.next_check_ms)}}));
  if (!ex.statement) return;
  const Statement& st = *ex.statement;
  ex.delivery_statement = DeliveryStatementEcho(st, ex.seller_reference, m);
}

// The check record and the evaluation parts of its body (03 §11).
Check ExecutionRecord(CallContext& ctx, const Execution& ex, json::Value* parts) {
  const Plan& plan = *ex.plan;
  const Action& action = *ex.action;
  Check c;
  c.check_id = ex.check_id;
  c.plan = ex.pi;
  c.intent = false;
  c.phase = ex.phase;
  c.set_plan_version(plan.version);
  c.set_texts({plan.plan_hash, *ex.r.find_string("caller"), ex.auth.key, action.tool(), action.purchase_type(),
                action.target_agent(), ex.effective});
  c.verdict = ex.verdict;
  c.presented_check = ex.presented;
  c.action = ex.ai;
  c.set_created_ms(ex.now);
  SetPlannedDelivery(c, ex.pd);
  c.dialect = ctx.dialect;
  if (ex.legacy_metrics) c.set_legacy_metrics(*ex.metrics);
  if (ex.statement) c.set_statement(*ex.statement);
  if (const json::Value* context = ex.r.find_object("context")) c.set_context(*context);
  if (ex.x) c.amount = ex.x;
  json::Value policies_evaluated = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) policies_evaluated.push(rp.policy_id);
  *parts = json::Obj({{"findings", ex.ev.findings},
                      {"categories_evaluated", StringArray(ex.ev.categories)},
                      {"policies_evaluated", std::move(policies_evaluated)}});
  return c;
}

// The execution token of an approved check (03 §10), signed before anything is written.
Status MintExecutionToken(const Agent& agent, CallContext& ctx, const Execution& ex, Check& c, BodyExtras& extras) {
  const Action& action = *ex.action;
  Result<std::string> jti = ctx.NewJti();
  if (!jti.ok()) return jti.error();
  TokenSpec ts;
  ts.sub = action.action_id.str();
  ts.plan_hash = ex.plan->plan_hash;
  ts.aud = ex.unbound ? c.caller() : action.target_agent();  // binding happens with this approval
  ts.iat = ex.now / 1000;
  ts.exp = ts.iat + agent.config.execution_token_ttl_seconds;
  ts.jti = jti.value();
  ts.phase = PhaseName(ex.phase);
  ts.caller = c.caller();
  ts.check_id = c.check_id.str();
  if (const std::string* mb = ex.pd.find_string("media_buy_id")) ts.media_buy_id = *mb;
  if (ex.phase != Phase::kDelivery && (ex.x || action.ceiling)) {
    ts.commitment_amount = ex.x ? *ex.x : *action.ceiling;
    ts.commitment_currency = ex.plan->terms.currency;
  }
  ts.policy_decision_hash = PolicyDecisionHash(*ex.plan, ex.ev.findings);
  Result<std::string> signed_token = SignToken(ctx, ts);
  if (!signed_token.ok()) return signed_token.error();
  c.issued_token = StoredToken::Verbatim(signed_token.value());
  c.set_expires_at_ms(ts.exp * 1000);
  if (agent.config.delivery_reporting_interval_seconds > 0)
    extras.next_check_ms = ex.now + agent.config.delivery_reporting_interval_seconds * 1000;
  return Status::Ok();
}

// Writes the check and what an approval changes on the action (nothing here can fail).
TaskResult WriteExecution(const Agent& agent, CallContext& ctx, const Execution& ex, Check c, json::Value parts,
                          BodyExtras extras) {
  Store& store = ctx.store();
  const std::string caller_url = c.caller();
  const int64_t exp_ms = c.expires_at_ms();
  const int32_t ci = store.AddCheck(std::move(c));
  if (ex.verdict == Verdict::kApproved) {
    if (ex.unbound) store.BindAction(ex.ai, caller_url, ex.auth.key, ex.now);  // first-use binding (10 §3.5.4)
    if (extras.next_check_ms) store.SetNextCheck(ex.ai, *extras.next_check_ms);
    if (const std::string* mb = ex.pd.find_string("media_buy_id")) store.RecordMediaBuy(ex.ai, *mb);
    if (ex.phase == Phase::kPurchase || ex.phase == Phase::kModification) store.ConfirmExecution(ex.ai, ci, ex.x, exp_ms, ex.now);
  }
  if (ex.statement) store.RecordStatement(ci);
  json::Value body = CheckBody(agent.config, ctx.state(), ctx.state().checks[ci], std::move(parts), std::move(extras));
  store.FinalizeCheck(ci, ex.now, body);
  return TaskResult::Completed(std::move(body));
}

}  // namespace

// 03 §3 for an execution: resolve the token → authorize → read the amount and
// statement → evaluate (E1–E8) → decide → record.
TaskResult RunExecution(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  Execution ex(r, auth, ctx.is_legacy());
  if (std::optional<TaskResult> answer = ResolveAction(ctx, ex)) return std::move(*answer);       // 3
  if (std::optional<TaskResult> answer = AuthorizeExecution(ctx, ex)) return std::move(*answer);  // 4–5
  if (Status s = ReadExecutionAmount(ex); !s.ok()) return TaskResult::Failed(s.error());          // 7
  if (std::optional<TaskResult> answer = ReadStatement(ctx, ex)) return std::move(*answer);
  // 8. Evaluate.
  Result<std::string> check_id = ctx.NewId("chk", Ids::Taken(ctx.state(), FindCheck));
  if (!check_id.ok()) return TaskResult::Failed(check_id.error());
  ex.check_id = check_id.value();
  const RequestedScope scope = ScopeOfPlannedDelivery(ex.pd);
  EvaluateExecutionAuthority(ex, scope);            // E1–E4
  ScopeSteps(*ex.plan, scope, ex.ev);               // E5
  EvaluateExecutionAmount(ex);                      // E6
  EvaluateDelivery(agent, ctx.state(), ex);         // E7
  BudgetReductionStep(agent, *ex.plan, ex.ev);      // E8
  OversightDriftStep(agent, *ex.plan, ex.ev);
  ex.verdict = ex.ev.HasCritical() ? Verdict::kDenied : Verdict::kApproved;
  const std::string configured = ConfiguredMode(agent, *ex.plan);
  ex.effective = ex.plan->effective_human_review ? "enforce" : configured;
  bool escalate = false;
  std::vector<Condition> none;
  ApplyMode(configured, ex.effective, &ex.verdict, &escalate, &none, ex.ev);
  // Record.
  json::Value parts;
  Check c = ExecutionRecord(ctx, ex, &parts);
  BodyExtras extras;
  if (ex.statement) extras.delivery_statement = std::move(ex.delivery_statement);
  if (ex.verdict == Verdict::kApproved)
    if (Status s = MintExecutionToken(agent, ctx, ex, c, extras); !s.ok()) return TaskResult::Failed(s.error());
  return WriteExecution(agent, ctx, ex, std::move(c), std::move(parts), std::move(extras));
}

}  // namespace check
}  // namespace adcp
