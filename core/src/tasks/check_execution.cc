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

TaskResult RunExecution(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  const State& state = ctx.state();
  const bool legacy = ctx.is_legacy();
  const std::string* token = r.find_string("governance_context");
  // 3. Resolve.
  int32_t presented = kNone;
  if (token) {
    auto tok = state.check_by_token.find(TokenKey(*token));
    if (tok == state.check_by_token.end())
      return TaskResult::Failed(Shape("governance_context", "governance_context is not a token issued by this agent"));
    presented = tok->second;
  } else {
    // 10 §3.5.1 (R3): a tokenless 3.0 seller check names its media buy; only
    // actions already bound to this caller are candidates.
    const json::Value* pd0 = r.find_object("planned_delivery");
    const std::string* mb = pd0 ? pd0->find_string("media_buy_id") : nullptr;
    const std::string* pid = r.find_string("plan_id");
    auto it = mb && pid ? state.actions_by_media_buy.find(JoinKey(JoinKey(auth.key, *pid), *mb))
                        : state.actions_by_media_buy.end();
    if (it == state.actions_by_media_buy.end() || it->second.size() != 1)
      return TaskResult::Failed(Shape("governance_context", "governance_context is required (no single bound media buy matches)"));
    const Action& found = state.actions[it->second[0]];
    presented = found.latest_exec_check != kNone ? found.latest_exec_check : found.intent_check;
  }
  const Check& issuer_check = state.checks[presented];
  const int32_t ai = issuer_check.action;
  const Action& action = state.actions[ai];
  const int32_t pi = action.plan;
  const Plan& plan = state.plans[pi];
  if (const std::string* pid = r.find_string("plan_id"); pid && *pid != plan.plan_id)
    return TaskResult::Failed(Shape("plan_id", "plan_id does not match the governance_context's plan"));
  // 4. Authorize.
  Result<int64_t> now_r = ctx.Now();
  if (!now_r.ok()) return TaskResult::Failed(now_r.error());
  const int64_t now = now_r.value();
  // An unbound 3.0-era action: any authenticated caller may attempt; the
  // first approved execution check binds it (10 §3.5.3–§3.5.4, R1).
  const bool unbound = legacy && action.target_key.empty() && action.target_agent.empty();
  if (token && issuer_check.expires_at_ms <= now)
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the governance_context has expired", "governance_context"));
  if (token && state.revocation_by_check.count(presented))
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the governance_context was revoked", "governance_context"));
  if (!unbound && (action.target_key.empty() || auth.key != action.target_key))
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the caller is not the audience of this governance_context"));
  // 5.
  if (plan.status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError("CAMPAIGN_SUSPENDED", "the plan is suspended"));
  const std::string phase = PhaseOf(r);
  json::Value pd = *r.find("planned_delivery");
  if (legacy && (phase == "modification" || phase == "delivery") && !pd.has("media_buy_id")) {
    // 10 §3.5.2: 6.11 drops media_buy_id next to a modification_summary.
    if (action.media_buy_id.empty())
      return TaskResult::Failed(Shape("planned_delivery.media_buy_id", "modification and delivery checks need planned_delivery.media_buy_id"));
    pd.set("media_buy_id", action.media_buy_id);
  }
  const json::Value* metrics = r.find_object("delivery_metrics");
  const bool legacy_metrics = legacy && metrics && !HasStatementFields(metrics);
  const bool incremental = IsIncrementalTool(action.tool);
  // 7. Amount and statement validation.
  std::optional<double> x;
  std::string x_currency;
  if (phase == "purchase" || phase == "modification") {
    const json::Value* ec = r.find_object("execution_commitment");
    if (incremental && !ec && !legacy)
      return TaskResult::Failed(Shape("execution_commitment", "execution_commitment is required for an incremental action"));
    if (!incremental && ec)
      return TaskResult::Failed(Shape("execution_commitment", "execution_commitment applies only to incremental actions"));
    if (ec) {
      x = *ec->find_number("amount");
      x_currency = *ec->find_string("currency");
    } else if (const double* tb = pd.find_number("total_budget"); tb && !(legacy && incremental)) {
      // Legacy incremental actions: a new total cannot be compared with a delta
      // ceiling, so E6 is not applied and exec(A) not set (10 §3.5.6).
      x = *tb;
      x_currency = *pd.find_string("currency");
    }
  }
  std::optional<Statement> statement;
  std::string seller_reference;
  if (phase == "delivery" && legacy_metrics) {
    // 10 §3.5.5 (R6): evaluated, not sequenced, digested or replay-protected.
    if (const std::string* cur = pd.find_string("currency"); cur && *cur != plan.terms.currency)
      return TaskResult::Failed(Shape("planned_delivery.currency", "planned_delivery.currency must equal the plan currency"));
  } else if (phase == "delivery" && metrics) {
    const json::Value& m = *metrics;
    seller_reference = *pd.find_string("media_buy_id");
    if (*m.find_string("currency") != plan.terms.currency)
      return TaskResult::Failed(Shape("delivery_metrics.currency", "delivery currency must equal the plan currency"));
    const std::string digest = *m.find_string("statement_digest");
    if (digest != canon::StatementDigest(seller_reference, m))
      return TaskResult::Failed(Shape("delivery_metrics.statement_digest", "statement_digest does not match the statement"));
    const std::string& statement_id = *m.find_string("statement_id");
    auto prior = state.statement_by_id.find(JoinKey(auth.key, statement_id));
    if (prior != state.statement_by_id.end()) {
      const Check& earlier = state.checks[prior->second];
      if (earlier.statement->statement_digest == digest && earlier.action == ai) {
        TaskResult replay = TaskResult::Completed(CheckBodyOf(earlier));
        replay.replayed = true;
        return replay;
      }
      return TaskResult::Failed(MakeError("CONFLICT", "statement_id was already used with different content"));
    }
    Statement s;
    s.statement_id = statement_id;
    s.statement_digest = digest;
    s.sequence = static_cast<int64_t>(*m.find_number("sequence"));
    const json::Value& period = *m.find("reporting_period");
    s.period_start_raw = *period.find_string("start");
    s.period_end_raw = *period.find_string("end");
    s.period_start = *ParseDateTime(s.period_start_raw);
    s.period_end = *ParseDateTime(s.period_end_raw);
    s.cumulative_spend = *m.find_number("cumulative_spend");
    auto per = action.periods.find(PeriodKey(s.period_start, s.period_end));
    if (per != action.periods.end() && per->second.closed)
      return TaskResult::Failed(MakeError("CONFLICT", "this reporting period was closed by the buyer"));
    if (s.sequence <= action.highest_sequence)
      return TaskResult::Failed(MakeError("CONFLICT", "sequence must be higher than the action's last statement"));
    statement = std::move(s);
  }

  // 8. Evaluate.
  Result<std::string> check_id = ctx.NewId("chk", Ids::Taken(state.check_by_id));
  if (!check_id.ok()) return TaskResult::Failed(check_id.error());
  const PlanTerms& t = plan.terms;
  const Instant now_i = Instant::FromMillis(now);
  Evaluation ev;
  if (plan.status == PlanStatus::kCompleted && phase != "delivery")  // E1
    ev.Finding("plan_status", "critical", "The plan is completed; no new commitments are allowed.");
  const RequestedScope scope = ScopeOfPlannedDelivery(pd);
  if (action.caller_key != plan.owner_key) {  // E2
    ev.Category("delegation_authority");
    const Delegation* d = DelegationFor(plan, action.caller_key, now_i);
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
  if (unbound) {
    // B1, B2 (10 §3.5.4) in place of E3.
    const std::string& caller = *r.find_string("caller");
    if (t.approved_sellers_is_array) {
      ev.Category("seller_compliance");
      if (!ContainsString(t.approved_seller_keys, auth.key))
        ev.Finding("seller_compliance", "critical", "The seller is not an approved seller of this plan.",
                   Details({{"target_agent", caller}}));
    }
    std::optional<double> ceiling_a = action.exec ? action.exec : action.ceiling;
    if (t.per_seller_max_pct && ceiling_a) {
      auto used_it = plan.agg.by_seller.find(auth.key);
      const double used = used_it == plan.agg.by_seller.end() ? 0 : used_it->second.Value();
      const double cap = *t.per_seller_max_pct / 100 * t.total - used;
      ev.Category("seller_concentration");
      if (Exceeds(*ceiling_a, cap))
        ev.Finding("seller_concentration", "critical", "The action exceeds the per-seller concentration cap for this seller.",
                   Details({{"requested", *ceiling_a}, {"cap", cap}}));
    }
  } else if (t.approved_sellers_is_array) {  // E3
    ev.Category("seller_compliance");
    if (!ContainsString(t.approved_seller_keys, action.target_key))
      ev.Finding("seller_compliance", "critical", "The seller is no longer an approved seller of this plan.",
                 Details({{"target_agent", action.target_agent}}));
  }
  if (action.proposal_id) {  // E4
    ev.Category("proposal_binding");
    const std::string* pid = pd.find_string("proposal_id");
    const std::string* ptd = pd.find_string("proposal_terms_digest");
    if (!pid || *pid != *action.proposal_id || !ptd || *ptd != *action.terms_digest)
      ev.Finding("proposal_binding", "critical", "The planned delivery is not bound to the authorized proposal.");
  }
  ScopeSteps(plan, scope, ev);  // E5
  if (x) {  // E6
    ev.Category("budget_authority");
    double own = action.settlement != kNone && !action.failed ? action.net_committed() : 0;
    double committed = LedgerCommitted(plan);
    if (x_currency != action.currency || x_currency != t.currency)
      ev.Finding("budget_authority", "critical", "The execution amount's currency differs from the plan currency.",
                 Details({{"currency", x_currency}}));
    else if (!action.ceiling)
      ev.Finding("budget_authority", "critical", "The action was authorized without an amount.");
    else if (Exceeds(*x, *action.ceiling))
      ev.Finding("budget_authority", "critical",
                 "Execution amount " + json::FormatNumber(*x) + " exceeds the authorized ceiling " +
                     json::FormatNumber(*action.ceiling) + ".",
                 Details({{"requested", *x}, {"ceiling", *action.ceiling}}));
    else if (Exceeds(*x, t.total - (committed - own)))
      ev.Finding("budget_authority", "critical", "Execution amount exceeds the plan budget left.",
                 Details({{"requested", *x}, {"remaining", t.total - (committed - own)}}));
  }
  json::Value delivery_statement;
  if (statement || (phase == "delivery" && legacy_metrics)) {  // E7 (03 §5.6; 10 §3.5.5 without a statement)
    const json::Value& m = *metrics;
    ev.Category("delivery_pacing");
    std::optional<double> committed_a = action.settlement != kNone ? std::optional<double>(action.gross)
                                        : action.exec                ? action.exec
                                                                     : action.ceiling;
    std::optional<double> cumulative_spend;
    if (statement) cumulative_spend = statement->cumulative_spend;
    else if (const double* cs = m.find_number("cumulative_spend")) cumulative_spend = *cs;
    const Instant period_end = statement ? statement->period_end
                                         : *ParseDateTime(*m.find("reporting_period")->find_string("end"));
    if (committed_a && cumulative_spend && Exceeds(*cumulative_spend, *committed_a))
      ev.Finding("delivery_pacing", "critical", "Cumulative spend exceeds the committed amount.",
                 Details({{"cumulative_spend", *cumulative_spend}, {"committed", *committed_a}}));
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
    if (const json::Value* chd = m.find_object("channel_distribution")) {
      if (t.channels_allowed) {
        ev.Category("channel_compliance");
        double outside = 0;
        for (const json::Member& c : chd->as_object())
          if (!ContainsString(*t.channels_allowed, c.first)) outside += c.second.as_number();
        if (Exceeds(outside, 0))
          ev.Finding("channel_compliance", "critical", "Delivery in channels the plan does not allow.",
                     Details({{"actual_distribution", *chd}, {"unauthorized_pct", outside}}));
      }
      if (!t.mix_targets.empty()) {
        ev.Category("channel_compliance");
        for (const auto& mt : t.mix_targets) {
          const double* share = chd->find_number(mt.first);
          double v = share ? *share : 0;
          bool low = mt.second.min_pct && v < *mt.second.min_pct - kEpsilon;
          bool high = mt.second.max_pct && Exceeds(v, *mt.second.max_pct);
          if (low || high) {
            json::Value d = Details({{"channel", mt.first}, {"actual_pct", v}});
            if (mt.second.min_pct) d.set("min_pct", *mt.second.min_pct);
            if (mt.second.max_pct) d.set("max_pct", *mt.second.max_pct);
            ev.Finding("channel_compliance", "warning", "Channel " + mt.first + " is outside its mix target.", std::move(d));
          }
        }
      }
    }
    if (const std::string* pacing = m.find_string("pacing"); pacing && (*pacing == "ahead" || *pacing == "behind")) {
      // Pacing measured against flight time elapsed (project addition to the
      // seller's own label): expected spend at the period end, deviation and
      // projected exhaustion of the committed amount.
      json::Value d = Details({{"pacing", *pacing}});
      const Check* exec_check = action.latest_exec_check != kNone ? &state.checks[action.latest_exec_check] : nullptr;
      RequestedScope window = exec_check && exec_check->planned_delivery ? ScopeOfPlannedDelivery(*exec_check->planned_delivery)
                                                                         : RequestedScope{};
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
      ev.Finding("delivery_pacing", "warning", "The seller reports delivery " + *pacing + " of plan.", std::move(d));
    }
    if (action.next_check_ms && *action.next_check_ms < now)
      ev.Finding("delivery_pacing", "warning", "The previous delivery report was due earlier.",
                 Details({{"missed_next_check", FormatMillis(*action.next_check_ms)}}));
    if (statement)
    delivery_statement = json::Obj({{"statement_id", statement->statement_id},
                                    {"statement_digest", statement->statement_digest},
                                    {"sequence", statement->sequence},
                                    {"issued_at", *m.find("issued_at")},
                                    {"seller_reference", seller_reference},
                                    {"reporting_period", *m.find("reporting_period")},
                                    {"cumulative_spend", statement->cumulative_spend},
                                    {"currency", *m.find("currency")},
                                    {"canonical_payload", json::Obj({{"seller_reference", seller_reference},
                                                                     {"delivery_metrics", m}})}});
  }
  BudgetReductionStep(agent, plan, ev);  // E8
  OversightDriftStep(agent, plan, ev);
  std::string verdict = ev.HasCritical() ? "denied" : "approved";
  const std::string configured = ConfiguredMode(agent, plan);
  const std::string effective = plan.effective_human_review ? "enforce" : configured;
  bool escalate = false;
  std::vector<Condition> none;
  ApplyMode(configured, effective, &verdict, &escalate, &none, ev);

  Check c;
  c.check_id = check_id.value();
  c.plan = pi;
  c.intent = false;
  c.phase = phase;
  c.plan_version = plan.version;
  c.plan_hash = plan.plan_hash;
  c.caller = *r.find_string("caller");
  c.caller_key = auth.key;
  c.tool = action.tool;
  c.purchase_type = action.purchase_type;
  c.target_agent = action.target_agent;
  c.verdict = verdict;
  c.mode = effective;
  c.presented_check = presented;
  c.action = ai;
  c.created_ms = now;
  c.planned_delivery = pd;
  c.dialect = DialectName(ctx.dialect);
  if (legacy_metrics) c.legacy_metrics = *metrics;
  if (statement) c.statement = std::make_shared<const Statement>(*statement);
  if (const json::Value* context = r.find_object("context")) c.context = *context;
  if (x) c.amount = x;
  json::Value policies_evaluated = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) policies_evaluated.push(rp.policy_id);
  json::Value parts = json::Obj({{"findings", ev.findings},
                                 {"categories_evaluated", StringArray(ev.categories)},
                                 {"policies_evaluated", std::move(policies_evaluated)}});
  BodyExtras extras;
  if (statement) extras.delivery_statement = delivery_statement;
  std::string new_token;
  int64_t exp_ms = 0;
  if (verdict == "approved") {
    Result<std::string> jti = ctx.NewJti();
    if (!jti.ok()) return TaskResult::Failed(jti.error());
    TokenSpec ts;
    ts.sub = action.action_id;
    ts.plan_hash = plan.plan_hash;
    ts.aud = unbound ? c.caller : action.target_agent;  // binding happens with this approval
    ts.iat = now / 1000;
    ts.exp = ts.iat + agent.config.execution_token_ttl_seconds;
    ts.jti = jti.value();
    ts.phase = phase;
    ts.caller = c.caller;
    ts.check_id = c.check_id;
    if (const std::string* mb = pd.find_string("media_buy_id")) ts.media_buy_id = *mb;
    if (phase != "delivery" && (x || action.ceiling)) {
      ts.commitment_amount = x ? *x : *action.ceiling;
      ts.commitment_currency = t.currency;
    }
    ts.policy_decision_hash = PolicyDecisionHash(plan, ev.findings);
    Result<std::string> signed_token = SignToken(ctx, ts);
    if (!signed_token.ok()) return TaskResult::Failed(signed_token.error());
    new_token = signed_token.value();
    exp_ms = ts.exp * 1000;
    if (agent.config.delivery_reporting_interval_seconds > 0)
      extras.next_check_ms = now + agent.config.delivery_reporting_interval_seconds * 1000;
  }

  // Write.
  Store& store = ctx.store();
  if (verdict == "approved") {
    c.issued_token = new_token;
    c.expires_at_ms = exp_ms;
  }
  const std::string caller_url = c.caller;
  const int32_t ci = store.AddCheck(std::move(c));
  if (verdict == "approved") {
    if (unbound) store.BindAction(ai, caller_url, auth.key, now);  // first-use binding (10 §3.5.4)
    if (extras.next_check_ms) store.SetNextCheck(ai, *extras.next_check_ms);
    if (const std::string* mb = pd.find_string("media_buy_id")) store.RecordMediaBuy(ai, *mb);
    if (phase == "purchase" || phase == "modification") store.ConfirmExecution(ai, ci, x, exp_ms, now);
  }
  if (statement) store.RecordStatement(ci);
  json::Value body = CheckBody(agent.config, state.checks[ci], parts, extras);
  store.FinalizeCheck(ci, now, body);
  return TaskResult::Completed(std::move(body));
}

}  // namespace check
}  // namespace adcp
