// Admin operations (spec README "Admin operations"): plan lifecycle, mode
// and threshold overrides, human-review downgrades, escalation resolution.
#include "tasks/tasks.h"
#include "config/config.h"
#include "canon/sha256.h"
#include "json/json.h"
#include "util/time.h"
#include "state/plans.h"
#include "tasks/escalations.h"
#include "tasks/owner_views.h"
#include "util/url.h"

namespace adcp {
namespace {

TaskError Invalid(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kInvalidRequest, message, field);
}

// Resolves (owner, plan_id) of a plan-scoped op.
Result<int32_t> PlanOf(const State& state, const json::Value& op) {
  const json::Value* owner = op.find("owner");
  if (!owner || !owner->is_string()) return Invalid("owner", "owner must be an agent URL string");
  const json::Value* plan_id = op.find("plan_id");
  if (!plan_id || !plan_id->is_string()) return Invalid("plan_id", "plan_id must be a string");
  std::optional<std::string> key = NormalizeAgentUrl(owner->as_string());
  int32_t p = key ? FindPlan(state, *key, plan_id->as_string()) : kNone;
  if (p == kNone) return MakeError(ErrorCode::kPlanNotFound, "plan not found", "plan_id");
  return p;
}

Status OptionalString(const json::Value& op, const char* key) {
  const json::Value* v = op.find(key);
  if (v && !v->is_string()) return Invalid(key, std::string(key) + " must be a string");
  return Status::Ok();
}

TaskResult Done() { return TaskResult::Completed(json::Value::MakeObject()); }

// Counts a host shows on its metrics: O(plans).
TaskResult Stats(const State& state) {
  double holds = 0;
  for (const Plan& p : state.plans) holds += static_cast<double>(p.agg.hold_expiry.size());
  return TaskResult::Completed(json::Obj({{"plans", static_cast<double>(state.plans.size())},
                                          {"checks", static_cast<double>(state.checks.size())},
                                          {"governed_actions", static_cast<double>(state.actions.size())},
                                          {"outcomes", static_cast<double>(state.outcomes.size())},
                                          {"pending_escalations", static_cast<double>(state.pending_escalations.size())},
                                          {"holds_outstanding", holds},
                                          {"revocations", static_cast<double>(state.revocations.size())},
                                          {"changes", static_cast<double>(state.changes)}}));
}

// Revokes a token this agent issued (by governance_context or check_id):
// sellers see it in the revocation list, and an execution check presenting
// it is refused. Revoking twice is a no-op.
TaskResult RevokeToken(CallContext& ctx, const json::Value& op) {
  const State& state = ctx.state();
  int32_t check = kNone;
  if (const std::string* token = op.find_string("governance_context")) {
    check = FindIssuer(state, *token);
  } else if (const std::string* id = op.find_string("check_id")) {
    const int32_t found = FindCheck(state, *id);
    if (found != kNone && !state.checks[found].issued_token.empty()) check = found;
  } else {
    return TaskResult::Failed(Invalid("governance_context", "governance_context or check_id is required"));
  }
  if (check == kNone) return TaskResult::Failed(MakeError(ErrorCode::kReferenceNotFound, "no token of this agent matches", "governance_context"));
  Status reason = OptionalString(op, "reason");
  if (!reason.ok()) return TaskResult::Failed(reason.error());
  const Check& c = state.checks[check];
  // The jti is inside the token's claims (this agent signed them).
  const std::string claims_text = IssuedTokenClaims(state, c);
  json::Value claims = claims_text.empty() ? json::Value() : json::ParseStored(claims_text);
  const std::string* jti = claims.find_string("jti");
  if (!jti) return TaskResult::Failed(MakeError(ErrorCode::kValidationError, "the token carries no jti", "governance_context"));
  auto done = [&](bool revoked_now, int64_t at) {
    return TaskResult::Completed(json::Obj({{"check_id", c.check_id}, {"jti", *jti},
                                            {"revoked_at", FormatMillis(at)}, {"revoked_now", revoked_now}}));
  };
  if (auto prior = state.revocation_by_check.find(check); prior != state.revocation_by_check.end())
    return done(false, state.revocations[prior->second].revoked_at_ms);
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  Revocation rev;
  rev.jti = *jti;
  rev.check = check;
  rev.revoked_at_ms = now.value();
  rev.expires_at_ms = c.expires_at_ms();
  if (const std::string* why = op.find_string("reason")) rev.reason = *why;
  ctx.store().AddRevocation(std::move(rev));
  return done(true, now.value());
}

// The revocations of tokens that have not expired yet, oldest first.
TaskResult ListRevocations(CallContext& ctx) {
  const State& state = ctx.state();
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  json::Value revoked = json::Value::MakeArray();
  for (const Revocation& r : state.revocations) {
    if (r.expires_at_ms <= now.value()) continue;
    json::Value item = json::Obj({{"jti", r.jti},
                                  {"check_id", state.checks[r.check].check_id},
                                  {"revoked_at", FormatMillis(r.revoked_at_ms)},
                                  {"expires_at", FormatMillis(r.expires_at_ms)}});
    if (r.reason) item.set("reason", *r.reason);
    revoked.push(std::move(item));
  }
  return TaskResult::Completed(json::Obj({{"revoked", std::move(revoked)}}));
}

}  // namespace

TaskResult RunAdmin(Agent& agent, CallContext& ctx, std::string_view op_json) {
  json::ParseResult parsed = json::Parse(op_json);
  if (!parsed.ok() || !parsed.value.is_object())
    return TaskResult::Failed(Invalid("op", "admin operation must be a JSON object"));
  const json::Value& op = parsed.value;
  const std::string* name = op.find_string("op");
  if (!name) return TaskResult::Failed(Invalid("op", "op is required"));
  const State& state = ctx.state();
  if (*name == "resolve_escalation") return ResolveEscalationOp(agent, ctx, op);
  if (*name == "stats") return Stats(state);
  if (*name == "revoke_token") return RevokeToken(ctx, op);
  if (*name == "list_revocations") return ListRevocations(ctx);
  if (*name == "expire_escalations") return ExpireEscalationsOp(agent, ctx);
  if (*name == "list_plans") return ListPlansOp(state, op);
  if (*name == "list_escalations") return ListEscalationsOp(state, op);
  const bool lifecycle = *name == "suspend_plan" || *name == "resume_plan" || *name == "complete_plan";
  if (!lifecycle && *name != "set_plan_mode" && *name != "set_drift_thresholds" &&
      *name != "approve_human_review_downgrade")
    return TaskResult::Failed(Invalid("op", "unknown admin operation"));
  Result<int32_t> p = PlanOf(state, op);
  if (!p.ok()) return TaskResult::Failed(p.error());
  const Plan& plan = state.plans[p.value()];
  Store& store = ctx.store();

  if (lifecycle) {
    Status s = OptionalString(op, "reason");
    if (!s.ok()) return TaskResult::Failed(s.error());
    if (*name == "suspend_plan") {
      if (plan.status != PlanStatus::kActive) return TaskResult::Failed(MakeError(ErrorCode::kConflict, "plan is not active"));
      store.SetPlanStatus(p.value(), PlanStatus::kSuspended);
    } else if (*name == "resume_plan") {
      if (plan.status != PlanStatus::kSuspended)
        return TaskResult::Failed(MakeError(ErrorCode::kConflict, "plan is not suspended"));
      store.SetPlanStatus(p.value(), PlanStatus::kActive);
    } else {
      if (plan.status == PlanStatus::kCompleted)
        return TaskResult::Failed(MakeError(ErrorCode::kConflict, "plan is already completed"));
      store.SetPlanStatus(p.value(), PlanStatus::kCompleted);
    }
    return Done();
  }
  if (*name == "set_plan_mode") {
    const json::Value* mode = op.find("mode");
    if (!mode) return TaskResult::Failed(Invalid("mode", "mode is required (or null)"));
    if (mode->is_null()) {
      store.SetPlanMode(p.value(), std::nullopt);
      return Done();
    }
    if (!mode->is_string() ||
        (mode->as_string() != "audit" && mode->as_string() != "advisory" && mode->as_string() != "enforce"))
      return TaskResult::Failed(Invalid("mode", "mode must be audit, advisory, enforce or null"));
    store.SetPlanMode(p.value(), mode->as_string());
    return Done();
  }
  if (*name == "set_drift_thresholds") {
    const json::Value* thresholds = op.find("thresholds");
    if (!thresholds) return TaskResult::Failed(Invalid("thresholds", "thresholds is required (or null)"));
    if (thresholds->is_null()) {
      store.SetPlanDriftThresholds(p.value(), std::nullopt);
      return Done();
    }
    DriftThresholds parsed_thresholds;
    std::string err = ParseDriftThresholds(*thresholds, &parsed_thresholds);
    if (!err.empty()) return TaskResult::Failed(Invalid("thresholds", err));
    store.SetPlanDriftThresholds(p.value(), parsed_thresholds.ToJson());
    return Done();
  }
  // approve_human_review_downgrade
  const json::Value* approver = op.find("approver");
  if (!approver || !approver->is_string() || approver->as_string().empty())
    return TaskResult::Failed(Invalid("approver", "approver is required"));
  const json::Value* reason = op.find("reason");
  if (!reason || !reason->is_string()) return TaskResult::Failed(Invalid("reason", "reason is required"));
  if (json::CodePointCount(reason->as_string()) < 20)
    return TaskResult::Failed(MakeError(ErrorCode::kValidationError, "reason must be at least 20 characters", "reason"));
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  store.SetPendingDowngrade(p.value(), json::Obj({{"approver", approver->as_string()},
                                                  {"reason", reason->as_string()},
                                                  {"approved_at", FormatMillis(now.value())}}));
  return Done();
}

}  // namespace adcp
