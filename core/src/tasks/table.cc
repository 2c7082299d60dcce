#include "tasks/table.h"

#include "json/json.h"
#include "schema/requests.h"
#include "tasks/check_governance.h"
#include "tasks/outcomes_common.h"

namespace adcp {
namespace {

// Request shapes (validate): the schema, with the task's error code (08 §1).
template <schema::NodeRef (*Shape)(), ErrorCode Code>
Status BySchema(const json::Value& request) {
  if (auto f = schema::Validate(Shape(), request)) return SchemaError(Code, *f);
  return Status::Ok();
}
schema::NodeRef OutcomeRequestShape() { return schema::ReportPlanOutcomeRequest(true); }
Status CheckShape(const json::Value& request) {
  Config config;  // stateless: the attestation feature counts as configured
  config.signal_attestations_enabled = true;
  return CheckGovernanceShape(request, config);
}
constexpr ErrorCode kInvalidRequest = ErrorCode::kInvalidRequest;
constexpr ErrorCode kValidationError = ErrorCode::kValidationError;

// 10 §6.2: a check in the request's dialect; R11 answers a pending review as a denial.
void RenderCheck(const Agent& agent, const CallContext& ctx, const json::Value& request, TaskResult& r,
                 LegacyTail* tail) {
  const State& state = agent.state;
  if (r.kind == TaskResult::kFailed) {
    tail->legacy_denial = LegacyDenial(r.error.ToJson(), request);  // 10 §7.2
    return;
  }
  if (r.kind == TaskResult::kSubmitted) {
    // R11: a 3.0-era client would proceed on `submitted`; answer a pending-review denial.
    const Escalation& e = state.escalations[state.escalation_by_task.at(r.task_id)];
    const Check& c = state.checks[e.check];
    r.body = RenderPendingReviewBody(CheckBodyValue(c), c, e, ctx.dialect, ctx.legacy);
    r.kind = TaskResult::kCompleted;
    return;
  }
  std::optional<int64_t> chain_expires;
  if (const std::string* handle = r.body.find_string("consultation_context")) {
    auto it = state.consultation_by_handle.find(*handle);
    if (it != state.consultation_by_handle.end())
      chain_expires = state.consultations[it->second].start_ms + agent.config.consultation_ttl_seconds * 1000;
  }
  LegacyRequest legacy = ctx.legacy;
  // plan_id on every body (the 3.0.6/3.1 schemas require it): the request's, else the action's plan.
  if (const std::string* pid = request.find_string("plan_id")) {
    legacy.plan_id = *pid;
  } else if (const std::string* check_id = r.body.find_string("check_id")) {
    const int32_t ci = FindCheck(state, *check_id);
    if (ci != kNone) legacy.plan_id = state.plans[state.checks[ci].plan].plan_id;
  }
  r.body = RenderCheckBody(r.body, ctx.dialect, legacy, chain_expires);
}
void RenderOutcome(const Agent&, const CallContext& ctx, const json::Value&, TaskResult& r, LegacyTail*) {
  if (r.kind != TaskResult::kFailed) r.body = RenderOutcomeBody(r.body, ctx.dialect);
}
void RenderAudit(const Agent&, const CallContext& ctx, const json::Value&, TaskResult& r, LegacyTail*) {
  if (r.kind != TaskResult::kFailed) r.body = ProjectAuditBody(r.body, ctx.dialect);
}
void RenderAsIs(const Agent&, const CallContext&, const json::Value&, TaskResult&, LegacyTail*) {}

json::Value NormalizeCheckRequest(const json::Value& r, LegacyRequest* legacy) { return NormalizeCheck(r, legacy); }
json::Value NormalizeOutcomeRequest(const json::Value& r, LegacyRequest*) { return NormalizeOutcome(r); }
json::Value NormalizeSyncRequest(const json::Value& r, LegacyRequest*) { return NormalizeSync(r); }
json::Value NormalizeAuditRequest(const json::Value& r, LegacyRequest*) { return NormalizeAudit(r); }

const DialectHandling kCheckDialect{{CheckHas32Marker, CheckHas30Marker}, NormalizeCheckRequest, RenderCheck};
const DialectHandling kOutcomeDialect{{OutcomeHas32Marker, OutcomeHas30Marker}, NormalizeOutcomeRequest, RenderOutcome};
const DialectHandling kSyncDialect{{SyncHas32Marker, SyncHas30Marker}, NormalizeSyncRequest, RenderAsIs};
const DialectHandling kAuditDialect{{NoMarker, NoMarker}, NormalizeAuditRequest, RenderAudit};

const TaskSpec kTasks[] = {
    {"sync_plans", RunSyncPlans, BySchema<schema::SyncPlansRequest, kInvalidRequest>, true, &kSyncDialect},
    {"check_governance", RunCheckGovernance, CheckShape, true, &kCheckDialect},
    {"report_plan_outcome", RunReportPlanOutcome, BySchema<OutcomeRequestShape, kValidationError>, true,
     &kOutcomeDialect},
    {"report_plan_adjustment", RunReportPlanAdjustment,
     BySchema<schema::ReportPlanAdjustmentRequest, kValidationError>, true, nullptr},
    {"get_plan_audit_logs", RunGetPlanAuditLogs, BySchema<schema::GetPlanAuditLogsRequest, kInvalidRequest>, true,
     &kAuditDialect},
    {"sync_accounts", RunSyncAccounts, BySchema<schema::SyncAccountsRequest, kValidationError>, true, nullptr},
    {"list_accounts", RunListAccounts, BySchema<schema::ListAccountsRequest, kValidationError>, true, nullptr},
    // The outcomes ledger (spec 11): no context echo, no dialects.
    {"record_outcome", RunRecordOutcome, RecordOutcomeShape, false, nullptr},
    {"list_outcomes", RunListOutcomes, nullptr, false, nullptr},
    {"get_value_summary", RunGetValueSummary, nullptr, false, nullptr},
};

}  // namespace

const TaskSpec* FindTask(std::string_view name) {
  for (const TaskSpec& spec : kTasks)
    if (spec.name == name) return &spec;
  return nullptr;
}

}  // namespace adcp
