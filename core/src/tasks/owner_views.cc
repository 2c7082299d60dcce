// Owner-scoped views for review screens (issue 16; project choice, README).
#include "tasks/owner_views.h"

#include "json/json.h"
#include "state/plans.h"
#include "util/time.h"
#include "util/url.h"

namespace adcp {
namespace {

Result<std::string> OwnerKey(const json::Value& op) {
  const json::Value* owner = op.find("owner");
  std::optional<std::string> key = owner && owner->is_string() ? NormalizeAgentUrl(owner->as_string()) : std::nullopt;
  if (!key) return MakeError(ErrorCode::kInvalidRequest, "owner must be an agent URL", "owner");
  return *key;
}

}  // namespace

TaskResult ListPlansOp(const State& state, const json::Value& op) {
  Result<std::string> key = OwnerKey(op);
  if (!key.ok()) return TaskResult::Failed(key.error());
  json::Value plans = json::Value::MakeArray();
  for (const Plan& plan : state.plans) {
    if (plan.owner_key != key.value()) continue;
    double pending = 0;
    for (int32_t e : plan.escalations) pending += state.escalations[e].resolution ? 0 : 1;
    json::Value item = json::Obj({{"plan_id", plan.plan_id},
                                  {"plan_version", plan.version},
                                  {"status", PlanStatusName(plan.status)},
                                  {"synced_at", FormatMillis(plan.synced_at_ms)},
                                  {"pending_escalations", pending}});
    if (plan.plan) item.set("plan", *plan.plan);
    plans.push(std::move(item));
  }
  return TaskResult::Completed(json::Obj({{"plans", std::move(plans)}}));
}

TaskResult ListEscalationsOp(const State& state, const json::Value& op) {
  Result<std::string> key = OwnerKey(op);
  if (!key.ok()) return TaskResult::Failed(key.error());
  json::Value list = json::Value::MakeArray();
  for (int32_t ei : state.pending_escalations) {
    const Escalation& e = state.escalations[ei];
    const Check& c = state.checks[e.check];
    const Plan& plan = state.plans[c.plan];
    if (plan.owner_key != key.value()) continue;
    json::Value item = json::Obj({{"task_id", e.task_id},
                                  {"check_id", c.check_id},
                                  {"plan_id", plan.plan_id},
                                  {"created_at", FormatMillis(e.created_ms)},
                                  {"reason", e.reason},
                                  {"recommendation", e.recommendation},
                                  {"caller", c.caller()},
                                  {"tool", c.tool()},
                                  {"purchase_type", c.purchase_type()}});
    if (c.amount) item.set("amount", *c.amount);
    // The check as it will read once final, without its verdict: findings
    // and explanation are what the reviewer decides on.
    json::Value body = CheckBodyValue(c);
    if (const json::Value* findings = body.find("findings")) item.set("findings", *findings);
    if (const std::string* explanation = body.find_string("explanation")) item.set("explanation", *explanation);
    list.push(std::move(item));
  }
  return TaskResult::Completed(json::Obj({{"escalations", std::move(list)}}));
}

}  // namespace adcp
