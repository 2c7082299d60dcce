// get_value_summary (spec 11 §5): a user's value delivered, by outcome type
// and agent, beside the committed budget of the plans the records link to.
// Everything comes from running totals kept at record time.
#include "tasks/tasks.h"
#include "state/plans.h"
#include "state/value_ledger.h"
#include "tasks/outcomes_common.h"
#include "util/money.h"

namespace adcp {
namespace {

json::Value Totals(const std::map<std::string, ValueTotal>& totals) {
  json::Value out = json::Value::MakeObject();
  for (const auto& t : totals)  // std::map: ascending byte order of the keys
    out.set(t.first, json::Obj({{"count", t.second.count}, {"value_usd", t.second.value_usd}}));
  return out;
}

// The one plan with this id the caller may see (owner or active delegate), or
// kNone; a summary never reveals another owner's budget (11 §5).
Result<int32_t> VisiblePlan(CallContext& ctx, const ValueAuth& auth, const std::vector<int32_t>& same_id) {
  if (same_id.size() != 1 || !auth.agent_key) return kNone;
  const Plan& plan = ctx.state().plans[same_id[0]];
  if (plan.owner_key == *auth.agent_key) return same_id[0];
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return now.error();
  const Delegation* d = DelegationFor(plan, *auth.agent_key, Instant::FromMillis(now.value()));
  return d && d->ActiveAt(Instant::FromMillis(now.value())) ? same_id[0] : kNone;
}

}  // namespace

TaskResult RunGetValueSummary(Agent&, CallContext& ctx, const json::Value& request, const Auth& auth_in) {
  Result<ValueAuth> auth = ParseValueAuth(auth_in);
  if (!auth.ok()) return TaskResult::Failed(auth.error());
  int64_t user_id = auth.value().user_id;
  if (auth.value().mode == ValueAuth::kBearer) {
    const json::Value* u = request.find("user_id");
    std::optional<int64_t> id = u ? IntegerParam(*u) : std::nullopt;
    if (!id)
      return TaskResult::Failed(
          MakeError(ErrorCode::kValidationError, "user_id (an integer) is required with bearer auth", "user_id"));
    user_id = *id;
  }

  static const UserValue kNoRecords;
  const State& state = ctx.state();
  auto found = state.value_ledger.by_user.find(user_id);
  const UserValue& user = found == state.value_ledger.by_user.end() ? kNoRecords : found->second;

  json::Value plans = json::Value::MakeArray();
  for (const auto& link : user.by_plan_id) {  // ascending plan_id
    auto same_id = state.plans_by_id.find(link.first);
    if (same_id == state.plans_by_id.end()) continue;  // no such plan in this agent
    Result<int32_t> visible = VisiblePlan(ctx, auth.value(), same_id->second);
    if (!visible.ok()) return TaskResult::Failed(visible.error());
    json::Value entry = json::Obj({{"plan_id", link.first}, {"currency", json::Value()}, {"committed", json::Value()},
                                   {"value_usd", link.second.value_usd}, {"value_to_spend", json::Value()}});
    if (visible.value() != kNone) {
      const Plan& plan = state.plans[visible.value()];
      const double committed = LedgerCommitted(plan);
      entry.put("currency", plan.terms.currency);
      entry.put("committed", committed);
      // No currency conversion (README): a ratio only for USD plans.
      if (committed != 0 && plan.terms.currency == "USD")
        entry.put("value_to_spend", Round3(link.second.value_usd / committed));
    }
    plans.push(std::move(entry));
  }
  return TaskResult::Completed(json::Obj({{"user_id", user_id},
                                          {"count", user.total.count},
                                          {"value_usd", user.total.value_usd},
                                          {"by_outcome_type", Totals(user.by_outcome_type)},
                                          {"by_agent_id", Totals(user.by_agent_id)},
                                          {"plans", std::move(plans)}}));
}

}  // namespace adcp
