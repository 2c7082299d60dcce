// Stateless validation of a request (facade `validate(task, request)`):
// the same schema and shape rules the task runs before touching state.
#include "agent/agent.h"
#include "schema/requests.h"
#include "tasks/check_governance.h"
#include "tasks/outcomes_common.h"

namespace adcp {

std::optional<TaskError> ValidateRequestShape(std::string_view task, const json::Value& request) {
  if (task == "sync_plans") {
    if (auto f = schema::Validate(schema::SyncPlansRequest(), request)) return SchemaError("INVALID_REQUEST", *f);
    return std::nullopt;
  }
  if (task == "get_plan_audit_logs") {
    if (auto f = schema::Validate(schema::GetPlanAuditLogsRequest(), request)) return SchemaError("INVALID_REQUEST", *f);
    return std::nullopt;
  }
  if (task == "report_plan_outcome") {
    if (auto f = schema::Validate(schema::ReportPlanOutcomeRequest(true), request)) return SchemaError("VALIDATION_ERROR", *f);
    return std::nullopt;
  }
  if (task == "report_plan_adjustment") {
    if (auto f = schema::Validate(schema::ReportPlanAdjustmentRequest(), request)) return SchemaError("VALIDATION_ERROR", *f);
    return std::nullopt;
  }
  if (task == "check_governance") {
    // Stateless: the attestation feature counts as configured.
    Config config;
    config.signal_attestations_enabled = true;
    return CheckGovernanceShape(request, config);
  }
  if (task == "record_outcome") return RecordOutcomeShape(request);
  if (task == "sync_accounts") {
    if (auto f = schema::Validate(schema::SyncAccountsRequest(), request)) return SchemaError("VALIDATION_ERROR", *f);
    return std::nullopt;
  }
  if (task == "list_accounts") {
    if (auto f = schema::Validate(schema::ListAccountsRequest(), request)) return SchemaError("VALIDATION_ERROR", *f);
    return std::nullopt;
  }
  return MakeError("INVALID_REQUEST", "unknown task: " + std::string(task));
}

}  // namespace adcp
