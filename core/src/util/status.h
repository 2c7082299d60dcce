// Errors are values: a task failure is a TaskError carried in a Result.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "json/value.h"

namespace adcp {

// Every error code the core emits (08 §2, spec 11, change sets, state
// documents) with its recovery class (08 §3): one table, so a code cannot be
// misspelt into the wrong recovery.
enum class ErrorCode {
  kInvalidRequest,
  kValidationError,
  kPermissionDenied,
  kUnauthorized,
  kPlanNotFound,
  kReferenceNotFound,
  kConflict,
  kCampaignSuspended,
  kServiceUnavailable,
  kIdempotencyConflict,
  kIdempotencyExpired,
  kInvalidOutcomeType,
  kInvalidState,
  kInvalidChangeSet,
  kChangeSetOutOfOrder,
  kInvalidConfig,
  kInvalidArgument,
};
enum class Recovery { kTransient, kCorrectable, kTerminal };
const char* CodeName(ErrorCode code);  // "INVALID_REQUEST", ...
Recovery RecoveryOf(ErrorCode code);
const char* RecoveryName(Recovery recovery);  // "transient" | "correctable" | "terminal"
// A code named at the API edge (host-supplied failure codes); unknown names read as INVALID_ARGUMENT.
ErrorCode CodeFromName(std::string_view name);

// 08 §1 error object.
struct TaskError {
  ErrorCode code = ErrorCode::kInvalidRequest;
  std::string message;
  std::string field;                   // JSONPath-lite; empty = no field
  std::optional<json::Value> issues;   // schema failures: [{pointer, message, keyword}]
  std::optional<json::Value> details;  // never for not-found / idempotency errors

  json::Value ToJson() const;
};

TaskError MakeError(ErrorCode code, std::string message, std::string field = {});

// Result<T>: a value or a TaskError.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(TaskError error) : error_(std::move(error)) {}
  bool ok() const { return !error_.has_value(); }
  const T& value() const { return *value_; }
  T& value() { return *value_; }
  const TaskError& error() const { return *error_; }
  TaskError& error() { return *error_; }

 private:
  std::optional<T> value_;
  std::optional<TaskError> error_;
};

// Status: success or a TaskError.
class Status {
 public:
  Status() = default;
  Status(TaskError error) : error_(std::move(error)) {}
  static Status Ok() { return Status(); }
  bool ok() const { return !error_.has_value(); }
  const TaskError& error() const { return *error_; }
  TaskError& error() { return *error_; }

 private:
  std::optional<TaskError> error_;
};

// `lhs = value of expr`, or return its error: ADCP_ASSIGN_OR_RETURN(in.scope, ExtractScope(r));
#define ADCP_ASSIGN_OR_RETURN(lhs, expr) ADCP_ASSIGN_OR_RETURN_IMPL(ADCP_CONCAT_(_adcp_result_, __LINE__), lhs, expr)
#define ADCP_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                               \
  if (!result.ok()) return std::move(result.error()); \
  lhs = std::move(result.value())
#define ADCP_CONCAT_(a, b) ADCP_CONCAT_INNER_(a, b)
#define ADCP_CONCAT_INNER_(a, b) a##b

#define ADCP_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::adcp::Status _adcp_status = (expr);   \
    if (!_adcp_status.ok()) return _adcp_status.error(); \
  } while (0)

}  // namespace adcp
