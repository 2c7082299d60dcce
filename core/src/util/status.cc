#include "util/status.h"

namespace adcp {
namespace {

struct CodeInfo {
  ErrorCode code;
  const char* name;
  Recovery recovery;
};
// 08 §3: CAMPAIGN_SUSPENDED, CONFLICT and SERVICE_UNAVAILABLE are transient;
// a damaged state document stays damaged (INVALID_STATE: terminal, project
// choice); every other code is correctable.
const CodeInfo kCodes[] = {
    {ErrorCode::kInvalidRequest, "INVALID_REQUEST", Recovery::kCorrectable},
    {ErrorCode::kValidationError, "VALIDATION_ERROR", Recovery::kCorrectable},
    {ErrorCode::kPermissionDenied, "PERMISSION_DENIED", Recovery::kCorrectable},
    {ErrorCode::kUnauthorized, "UNAUTHORIZED", Recovery::kCorrectable},
    {ErrorCode::kPlanNotFound, "PLAN_NOT_FOUND", Recovery::kCorrectable},
    {ErrorCode::kReferenceNotFound, "REFERENCE_NOT_FOUND", Recovery::kCorrectable},
    {ErrorCode::kConflict, "CONFLICT", Recovery::kTransient},
    {ErrorCode::kCampaignSuspended, "CAMPAIGN_SUSPENDED", Recovery::kTransient},
    {ErrorCode::kServiceUnavailable, "SERVICE_UNAVAILABLE", Recovery::kTransient},
    {ErrorCode::kIdempotencyConflict, "IDEMPOTENCY_CONFLICT", Recovery::kCorrectable},
    {ErrorCode::kIdempotencyExpired, "IDEMPOTENCY_EXPIRED", Recovery::kCorrectable},
    {ErrorCode::kInvalidOutcomeType, "INVALID_OUTCOME_TYPE", Recovery::kCorrectable},
    {ErrorCode::kInvalidState, "INVALID_STATE", Recovery::kTerminal},
    {ErrorCode::kInvalidChangeSet, "INVALID_CHANGE_SET", Recovery::kCorrectable},
    {ErrorCode::kChangeSetOutOfOrder, "CHANGE_SET_OUT_OF_ORDER", Recovery::kCorrectable},
    {ErrorCode::kInvalidConfig, "INVALID_CONFIG", Recovery::kCorrectable},
    {ErrorCode::kInvalidArgument, "INVALID_ARGUMENT", Recovery::kCorrectable},
};

const CodeInfo& InfoOf(ErrorCode code) {
  for (const CodeInfo& info : kCodes)
    if (info.code == code) return info;
  return kCodes[0];  // unreachable: every enumerator has a row
}

}  // namespace

const char* CodeName(ErrorCode code) { return InfoOf(code).name; }
Recovery RecoveryOf(ErrorCode code) { return InfoOf(code).recovery; }

const char* RecoveryName(Recovery recovery) {
  switch (recovery) {
    case Recovery::kTransient: return "transient";
    case Recovery::kTerminal: return "terminal";
    case Recovery::kCorrectable: break;
  }
  return "correctable";
}

ErrorCode CodeFromName(std::string_view name) {
  for (const CodeInfo& info : kCodes)
    if (name == info.name) return info.code;
  return ErrorCode::kInvalidArgument;
}

TaskError MakeError(ErrorCode code, std::string message, std::string field) {
  TaskError e;
  e.code = code;
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

json::Value TaskError::ToJson() const {
  json::Value v = json::Value::MakeObject();
  v.set("code", CodeName(code));
  v.set("message", message);
  v.set("recovery", RecoveryName(RecoveryOf(code)));
  if (!field.empty()) v.set("field", field);
  if (issues) v.set("issues", *issues);
  if (details) v.set("details", *details);
  return v;
}

}  // namespace adcp
