#include "audit/figures.h"

#include "state/ledger.h"
#include "state/plans.h"
#include "util/money.h"
#include "util/time.h"

namespace adcp {
namespace {

double Rate(int64_t num, int64_t den) { return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den); }

}  // namespace

json::Value BudgetBlock(const Plan& plan) {
  LedgerFigures f = Figures(plan);
  return json::Obj({{"authorized", f.authorized},
                    {"accounting_mode", plan.terms.accounting_mode},
                    {"gross_committed", f.gross_committed},
                    {"adjustments_reported", f.adjustments_reported},
                    {"adjustments_verified", f.adjustments_verified},
                    {"net_cost", f.net_cost},
                    {"headroom_restored", f.headroom_restored},
                    {"ledger_committed", f.ledger_committed},
                    {"net_committed", f.ledger_committed},
                    {"committed", f.ledger_committed},
                    {"remaining", f.remaining},
                    {"utilization_pct", f.utilization_pct}});
}

json::Value ChannelAllocation(const Plan& plan) {
  json::Value out = json::Value::MakeObject();
  const double authorized = plan.terms.total;
  for (const auto& ch : plan.agg.channel_committed) {  // std::map: ascending byte order
    double committed = ch.second.Value();
    out.set(ch.first, json::Obj({{"committed", committed},
                                 {"pct", authorized > 0 ? Round2(committed / authorized * 100) : 0.0}}));
  }
  return out;
}

const char* ActionStatus(const State& state, const Action& a) {
  const Plan& plan = state.plans[a.plan];
  if (plan.status == PlanStatus::kSuspended) return "suspended";
  if (plan.status == PlanStatus::kCompleted || a.failed) return "completed";
  return "active";
}

json::Value GovernedAction(const State& state, const Action& a) {
  json::Value v = json::Obj({{"governance_context", IntentToken(state, a)},
                             {"purchase_type", a.purchase_type()},
                             {"status", ActionStatus(state, a)},
                             {"committed", a.gross},
                             {"adjustments_reported", AdjustmentsOf(a).reported_adj.Value()},
                             {"adjustments_verified", AdjustmentsOf(a).verified.Value()},
                             {"net_cost", a.gross - AdjustmentsOf(a).verified.Value()},
                             {"headroom_restored", AdjustmentsOf(a).restored.Value()},
                             {"net_committed", a.net_committed()},
                             {"check_count", static_cast<int64_t>(a.check_count)}});
  if (a.settlement != kNone && !a.failed) {
    const Outcome& o = state.outcomes[a.settlement];
    if (SettlementOf(o).seller_reference) v.set("seller_reference", *SettlementOf(o).seller_reference);
  }
  if (a.highest_statement_check != kNone) {
    const Statement& s = *state.checks[a.highest_statement_check].statement();
    v.set("delivery_reporting_period", json::Obj({{"start", s.period_start_raw()}, {"end", s.period_end_raw()}}));
    v.set("seller_reported_spend", s.cumulative_spend);
    const Period* period = a.periods.Find(PeriodKeyOf(s));
    bool observed = period && period->latest_observation != kNone;
    if (observed) v.set("buyer_observed_spend", period->latest_observed_spend);
    v.set("conservative_exposure",
          std::max(s.cumulative_spend, observed ? period->latest_observed_spend : 0.0));
    v.set("delivery_reconciliation_status",
          observed && period->status != Reconciliation::kNone ? ReconciliationName(period->status) : "unmatched");
    v.set("delivery_period_state", period && period->closed ? "closed" : "open");
  }
  return v;
}

DriftValues CurrentDrift(const Plan& plan) {
  const PlanAggregates& g = plan.agg;
  DriftValues d;
  d.n = g.checks;
  d.escalation_rate = Rate(g.escalated, g.checks);
  d.auto_approval_rate = Rate(g.auto_approved, g.checks);
  d.human_override_rate = Rate(g.overrides, g.human_reviewed);
  return d;
}

DriftThresholds EffectiveThresholds(const Plan& plan, const Config& config) {
  if (plan.drift_thresholds_override) {
    DriftThresholds t;
    ParseDriftThresholds(*plan.drift_thresholds_override, &t);
    return t;
  }
  return config.drift_thresholds;
}

json::Value Summary(const State& state, const Plan& plan, const Config& config) {
  const PlanAggregates& g = plan.agg;
  json::Value escalations = json::Value::MakeArray();
  for (int32_t ei : plan.escalations) {
    const Escalation& e = state.escalations[ei];
    json::Value item = json::Obj({{"check_id", state.checks[e.check].check_id}, {"reason", e.reason}});
    if (e.resolution) item.set("resolution", *e.resolution);
    if (e.resolved_at_ms) item.set("resolved_at", FormatMillis(*e.resolved_at_ms));
    escalations.push(std::move(item));
  }
  DriftValues d = CurrentDrift(plan);
  json::Value drift = json::Obj({{"escalation_rate", Round3(d.escalation_rate)},
                                 {"auto_approval_rate", Round3(d.auto_approval_rate)},
                                 {"human_override_rate", Round3(d.human_override_rate)}});
  if (g.confidence_count > 0)
    drift.set("mean_confidence", Round3(g.confidence_sum / static_cast<double>(g.confidence_count)));
  // 06 §5.2 trend over the older and newer halves of C.
  const char* trend = "stable";
  const int64_t n = g.checks;
  if (n >= config.drift_trend_min_checks && n >= 2) {
    const int64_t half = n / 2;
    const int64_t older = EscalatedAmongFirst(g, half);
    double r1 = Rate(older, half);
    double r2 = Rate(EscalatedAmongFirst(g, n) - older, n - half);
    double delta = r2 - r1;
    if (delta > config.drift_trend_epsilon) trend = "increasing";
    else if (delta < -config.drift_trend_epsilon) trend = "declining";
  }
  drift.set("escalation_rate_trend", trend);
  DriftThresholds t = EffectiveThresholds(plan, config);
  if (!t.empty()) drift.set("thresholds", t.ToJson());
  return json::Obj({{"checks_performed", g.checks},
                    {"outcomes_reported", g.outcomes},
                    {"adjustments_reported", g.adjustments},
                    {"adjustments_verified", g.adjustments_verified_count},
                    {"statuses", json::Obj({{"approved", g.approved},
                                            {"denied", g.denied},
                                            {"conditions", g.conditions},
                                            {"human_reviewed", g.human_reviewed}})},
                    {"findings_count", g.findings},
                    {"escalations", std::move(escalations)},
                    {"drift_metrics", std::move(drift)}});
}

}  // namespace adcp
