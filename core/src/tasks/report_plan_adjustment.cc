// report_plan_adjustment (spec 05): the seller reports an evidence-bound
// adjustment of a completed outcome; the plan owner accepts or disputes it.
// Only a verified record changes accounting, as the accounting mode allows.
#include <algorithm>

#include "tasks/tasks.h"
#include "canon/digests.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/ledger.h"
#include "state/plans.h"

namespace adcp {
namespace {

TaskError Invalid(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kValidationError, message, field);
}

TaskError NotFound(const std::string& field) { return MakeError(ErrorCode::kReferenceNotFound, "reference not found", field); }

// 05 §5 plan_summary; numeric keys but budget_remaining are max(0, x).
json::Value PlanSummary(const Plan& plan) {
  LedgerFigures f = Figures(plan);
  auto nn = [](double x) { return std::max(0.0, x); };
  return json::Obj({{"accounting_mode", plan.terms.accounting_mode},
                    {"gross_committed", nn(f.gross_committed)},
                    {"adjustments_reported", nn(f.adjustments_reported)},
                    {"adjustments_verified", nn(f.adjustments_verified)},
                    {"net_cost", nn(f.net_cost)},
                    {"headroom_restored", nn(f.headroom_restored)},
                    {"ledger_committed", nn(f.ledger_committed)},
                    {"net_committed", nn(f.ledger_committed)},
                    {"budget_remaining", f.remaining}});
}

json::Value Body(const Adjustment& a, const Plan& plan) {
  json::Value body = json::Obj({{"adjustment_id", a.adjustment_id},
                                {"adjustment_state", a.state},
                                {"adjustment_type", a.adjustment_type},
                                {"amount", json::Obj({{"amount", a.amount}, {"currency", a.currency}})},
                                {"headroom_restored", a.headroom_restored},
                                {"plan_summary", PlanSummary(plan)}});
  return body;
}

TaskResult Report(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth, TaskResult result) {
  const State& state = ctx.state();
  const std::string& seller_adjustment_id = *r.find_string("seller_adjustment_id");
  const json::Value& evidence = *r.find("evidence");
  const std::string& evidence_id = *evidence.find_string("evidence_id");
  const std::string hash = canon::IdempotencyPayloadHash(r);
  // 05 §2 step 2: source ids are immutable in the seller's namespace.
  const std::pair<const std::unordered_map<std::string, int32_t>*, const std::string*> sources[] = {
      {&state.adjustment_by_seller_id, &seller_adjustment_id}, {&state.adjustment_by_evidence_id, &evidence_id}};
  for (const auto& source : sources) {
    auto it = source.first->find(JoinKey(auth.key, *source.second));
    if (it == source.first->end()) continue;
    const Adjustment& earlier = state.adjustments[it->second];
    if (earlier.payload_hash != hash)
      return TaskResult::Failed(MakeError(ErrorCode::kConflict, "seller_adjustment_id or evidence_id was already used"));
    json::Value body = json::ParseStored(earlier.report_body_json);
    body.set("replayed", true);
    TaskResult replay = TaskResult::Completed(std::move(body));
    replay.replayed = true;
    return replay;
  }
  // 3. Resolve the outcome (uniform not-found).
  const int32_t oi = FindOutcome(state, *r.find_string("outcome_id"));
  const Outcome* outcome = oi == kNone ? nullptr : &state.outcomes[oi];
  if (!outcome || state.plans[outcome->plan].plan_id != *r.find_string("plan_id") || outcome->action == kNone ||
      state.actions[outcome->action].target_key() != auth.key)
    return TaskResult::Failed(NotFound("outcome_id"));
  const Plan& plan = state.plans[outcome->plan];
  // 4–7.
  const OutcomeSettlement& settled = SettlementOf(*outcome);
  if (outcome->type() != "completed" || !settled.committed_budget || *settled.committed_budget <= kEpsilon)
    return TaskResult::Failed(Invalid("outcome_id", "adjustments apply to a completed outcome with a committed amount"));
  if (!settled.seller_reference || *settled.seller_reference != *r.find_string("seller_reference"))
    return TaskResult::Failed(Invalid("seller_reference", "seller_reference does not match the outcome"));
  const json::Value& amount = *r.find("amount");
  const double value = *amount.find_number("amount");
  const std::string& currency = *amount.find_string("currency");
  if (currency != plan.terms.currency)
    return TaskResult::Failed(Invalid("amount.currency", "amount.currency must equal the plan currency"));
  const Action& action = state.actions[outcome->action];
  ExactSum open;
  for (int32_t j : AdjustmentsOf(action).adjustments)
    if (state.adjustments[j].outcome == oi && state.adjustments[j].state != "disputed") open.Add(state.adjustments[j].amount);
  open.Add(value);
  if (Exceeds(open.Value(), *settled.committed_budget))
    return TaskResult::Failed(Invalid("amount.amount", "adjustments would exceed the committed amount"));
  Result<std::string> id = ctx.NewId("adj", [&](const std::string& x) { return FindAdjustment(state, x) != kNone; });
  if (!id.ok()) return TaskResult::Failed(id.error());
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());

  Adjustment a;
  a.adjustment_id = id.value();
  a.plan = outcome->plan;
  a.outcome = oi;
  a.action = outcome->action;
  a.seller = auth.agent_url;
  a.seller_key = auth.key;
  a.seller_reference = *r.find_string("seller_reference");
  a.seller_adjustment_id = seller_adjustment_id;
  a.evidence_id = evidence_id;
  a.adjustment_type = *r.find_string("adjustment_type");
  a.amount = value;
  a.currency = currency;
  a.evidence = evidence;
  a.reason = *r.find_string("reason");
  a.effective_at = *r.find_string("effective_at");
  a.payload_hash = hash;
  a.timestamp_ms = now.value();
  Store& store = ctx.store();
  const int32_t ji = store.AddAdjustment(std::move(a));  // indexes, action ledger, seq, counters
  const Adjustment& rec = state.adjustments[ji];
  result.body = Body(rec, state.plans[rec.plan]);
  store.SetAdjustmentReportBody(ji, json::Write(result.body));
  return result;
}

TaskResult Review(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth, TaskResult result) {
  const State& state = ctx.state();
  // 2. Resolve within plan_id; the caller must own the plan (uniform not-found).
  const int32_t ji = FindAdjustment(state, *r.find_string("adjustment_id"));
  const Adjustment* adj = ji == kNone ? nullptr : &state.adjustments[ji];
  if (!adj || state.plans[adj->plan].plan_id != *r.find_string("plan_id") || state.plans[adj->plan].owner_key != auth.key)
    return TaskResult::Failed(NotFound("adjustment_id"));
  // 3.
  if (adj->state != "reported")
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "this adjustment was already reviewed"));
  const Plan& plan = state.plans[adj->plan];
  const Action& action = state.actions[adj->action];
  const Outcome& outcome = state.outcomes[adj->outcome];
  const double committed = *SettlementOf(outcome).committed_budget;
  const bool accept = *r.find_string("decision") == "accept";
  double verified_amount = 0, restored = 0;
  if (accept) {
    // a. no period whose latest observation is disputed.
    for (const auto& p : action.periods)
      if (p.second.latest_observation != kNone && p.second.status == Reconciliation::kDisputed)
        return TaskResult::Failed(MakeError(ErrorCode::kConflict, "a delivery period of this action is disputed"));
    if (adj->adjustment_type == "decommitment") {
      // b.
      if (action.highest_statement_check == kNone)
        return TaskResult::Failed(MakeError(ErrorCode::kConflict, "a decommitment needs a recorded seller statement"));
      // c.
      double stated = state.checks[action.highest_statement_check].statement()->cumulative_spend;
      double observed = 0;
      if (action.latest_observation != kNone)
        if (std::optional<double> s = DeliveryNumber(state.outcomes[action.latest_observation], "cumulative_spend")) observed = *s;
      const double delivered = std::max(stated, observed);
      ExactSum decommitted;
      for (int32_t j : AdjustmentsOf(action).adjustments) {
        const Adjustment& other = state.adjustments[j];
        if (other.outcome == adj->outcome && other.state == "verified" && other.adjustment_type == "decommitment")
          decommitted.Add(other.amount);
      }
      decommitted.Add(adj->amount);
      if (Exceeds(decommitted.Value(), committed - delivered))
        return TaskResult::Failed(Invalid("amount.amount", "decommitment exceeds the undelivered obligation"));
    }
    // 05 §4 accounting effect under the plan's current mode.
    const std::string& type = adj->adjustment_type;
    const bool net_mode = plan.terms.accounting_mode == "verified_net_cost";
    if (type == "decommitment") {
      verified_amount = restored = adj->amount;
    } else if (type == "refund" || type == "credit") {
      verified_amount = adj->amount;
      restored = net_mode ? adj->amount : 0;
    }
    // d.
    ExactSum verified;
    for (int32_t j : AdjustmentsOf(action).adjustments) {
      const Adjustment& other = state.adjustments[j];
      if (other.outcome == adj->outcome && other.state == "verified") verified.Add(other.verified_amount);
    }
    verified.Add(verified_amount);
    if (Exceeds(verified.Value(), committed))
      return TaskResult::Failed(Invalid("amount.amount", "verified adjustments would exceed the committed amount"));
    // e.
    if (LedgerCommitted(plan) - restored < -kEpsilon)
      return TaskResult::Failed(MakeError(ErrorCode::kValidationError, "the ledger would fall below zero"));
  }
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());

  AdjustmentReview review;
  review.state = accept ? "verified" : "disputed";
  review.verified_amount = verified_amount;
  review.headroom_restored = restored;
  review.reviewed_by = auth.agent_url;
  review.reviewed_at_ms = now.value();
  if (const std::string* reason = r.find_string("reason")) review.review_reason = *reason;
  ctx.store().ReviewAdjustment(ji, std::move(review));
  const Adjustment& rec = state.adjustments[ji];
  result.body = Body(rec, state.plans[rec.plan]);
  return result;
}

}  // namespace

TaskResult RunReportPlanAdjustment(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  if (std::optional<schema::Failure> f = schema::Validate(schema::ReportPlanAdjustmentRequest(), r))
    return TaskResult::Failed(SchemaError(ErrorCode::kValidationError, *f));
  TaskResult result;
  if (std::optional<TaskResult> early =
          CheckIdempotency(ctx, KeyedTask::kReportPlanAdjustment, r, auth, *r.find_string("idempotency_key"), true, &result))
    return *early;
  if (*r.find_string("action") == "report") return Report(agent, ctx, r, auth, std::move(result));
  return Review(agent, ctx, r, auth, std::move(result));
}

}  // namespace adcp
