// Human review (03 §7): resolution only through the admin operations, with
// reviewer identity and time; getTask for the submitted check.
#include "tasks/escalations.h"

#include "json/json.h"
#include "tasks/check_governance.h"
#include "util/time.h"

namespace adcp {
namespace {

TaskError Invalid(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kInvalidRequest, message, field);
}

// The pre-resolution parts (findings, categories, ...) stored on a pending check.
json::Value Parts(const Check& c) { return CheckBodyValue(c); }

// Writes a resolution: escalation record, final check body, counters.
void Resolve(CallContext& ctx, int32_t ei, Verdict verdict, const std::string& resolution,
             std::optional<std::string> reviewer, std::optional<std::string> reason, json::Value finding,
             std::optional<MintedAction> minted, int64_t now) {
  const State& state = ctx.state();
  Store& store = ctx.store();
  const int32_t ci = state.escalations[ei].check;
  json::Value parts = Parts(state.checks[ci]);
  parts.find("findings")->push(std::move(finding));
  store.ResolveEscalation(ei, resolution, now, std::move(reviewer), std::move(reason), verdict);
  if (minted) store.ApproveIntent(ci, std::move(minted->action), std::move(minted->token), minted->exp_ms);
  const Check& rec = state.checks[ci];
  json::Value body = CheckBody(ctx.config(), state, rec, std::move(parts), BodyExtras{});
  if (rec.consultation() != kNone) {
    const Consultation& chain = state.consultations[rec.consultation()];
    store.UpdateConsultation(rec.consultation(), chain.attempts, false);
  }
  store.FinalizeCheck(ci, now, body);
}

}  // namespace

TaskResult ResolveEscalationOp(Agent& agent, CallContext& ctx, const json::Value& op) {
  const json::Value* task_id = op.find("task_id");
  if (!task_id || !task_id->is_string()) return TaskResult::Failed(Invalid("task_id", "task_id must be a string"));
  const json::Value* decision = op.find("decision");
  if (!decision || !decision->is_string() || (decision->as_string() != "approve" && decision->as_string() != "reject"))
    return TaskResult::Failed(Invalid("decision", "decision must be approve or reject"));
  const json::Value* reviewer = op.find("reviewer");
  if (!reviewer || !reviewer->is_string() || reviewer->as_string().empty())
    return TaskResult::Failed(Invalid("reviewer", "reviewer is required"));
  const json::Value* reason = op.find("reason");
  if (reason && !reason->is_string()) return TaskResult::Failed(Invalid("reason", "reason must be a string"));
  const State& state = ctx.state();
  auto it = state.escalation_by_task.find(task_id->as_string());
  if (it == state.escalation_by_task.end() || !state.pending_escalations.count(it->second))
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "task_id is not a pending escalation"));
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  const int32_t ei = it->second;
  const Check& c = state.checks[state.escalations[ei].check];
  const bool approve = decision->as_string() == "approve";
  json::Value details = json::Obj({{"decision", approve ? "approved_by_human" : "rejected_by_human"},
                                   {"reviewer", reviewer->as_string()}});
  if (!approve && reason) details.set("reason", reason->as_string());
  json::Value finding =
      json::Obj({{"category_id", "human_review"},
                 {"severity", approve ? "info" : "critical"},
                 {"explanation", std::string(approve ? "Approved" : "Rejected") + " by human reviewer " +
                                     reviewer->as_string() + "."},
                 {"details", std::move(details)}});
  std::optional<MintedAction> minted;
  if (approve) {
    json::Value parts = Parts(c);
    json::Value findings = *parts.find("findings");
    findings.push(finding);
    const std::string* digest = parts.find_string("runtime_attestation_binding_digest");
    // A 3.0-era escalation mints its token when claimed or fetched (10 §3.3.4).
    const bool mint_now = !IsLegacy(state.escalations[ei].dialect);
    Result<MintedAction> m = PrepareIntentApproval(ctx, state, c, findings, digest ? *digest : "", mint_now);
    if (!m.ok()) return TaskResult::Failed(m.error());
    minted = std::move(m.value());
  }
  std::optional<std::string> why;
  if (reason) why = reason->as_string();
  Resolve(ctx, ei, approve ? Verdict::kApproved : Verdict::kDenied, approve ? "approved_by_human" : "rejected_by_human",
          reviewer->as_string(), why, std::move(finding), std::move(minted), now.value());
  return TaskResult::Completed(json::Value::MakeObject());
}

TaskResult ExpireEscalationsOp(Agent& agent, CallContext& ctx) {
  const State& state = ctx.state();
  json::Value expired = json::Value::MakeArray();
  if (agent.config.escalation_timeout_seconds > 0 && !state.pending_escalations.empty()) {
    Result<int64_t> now = ctx.Now();
    if (!now.ok()) return TaskResult::Failed(now.error());
    std::vector<int32_t> due;
    for (int32_t ei : state.pending_escalations)
      if (now.value() >= state.escalations[ei].created_ms + agent.config.escalation_timeout_seconds * 1000)
        due.push_back(ei);
    for (int32_t ei : due) {
      expired.push(state.escalations[ei].task_id);
      json::Value finding = json::Obj({{"category_id", "human_review"},
                                       {"severity", "critical"},
                                       {"explanation", "Human review expired without a decision."},
                                       {"details", json::Obj({{"decision", "expired"}})}});
      Resolve(ctx, ei, Verdict::kDenied, "expired", std::nullopt, std::nullopt, std::move(finding), std::nullopt, now.value());
    }
  }
  return TaskResult::Completed(json::Obj({{"expired", std::move(expired)}}));
}

TaskResult GetTaskResult(Agent& agent, const std::string& task_id, std::optional<json::Value>* context) {
  const State& state = agent.state;
  auto it = state.escalation_by_task.find(task_id);
  if (it == state.escalation_by_task.end())
    return TaskResult::Failed(MakeError(ErrorCode::kReferenceNotFound, "unknown task", "task_id"));
  const Escalation& e = state.escalations[it->second];
  const Check& c = state.checks[e.check];
  *context = c.context().optional();
  if (c.pending) {
    TaskResult r;
    r.kind = TaskResult::kSubmitted;
    r.task_id = task_id;
    return r;
  }
  return TaskResult::Completed(CheckBodyOf(state, c));
}

}  // namespace adcp
