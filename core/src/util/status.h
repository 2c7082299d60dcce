// Errors are values: a task failure is a TaskError carried in a Result.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "json/value.h"

namespace adcp {

// 08 §1 error object.
struct TaskError {
  std::string code;
  std::string message;
  std::string field;                   // JSONPath-lite; empty = no field
  std::optional<json::Value> issues;   // schema failures: [{pointer, message, keyword}]
  std::optional<json::Value> details;  // never for not-found / idempotency errors

  json::Value ToJson() const;
};

// Recovery class per code (08 §3).
const char* RecoveryFor(const std::string& code);

TaskError MakeError(std::string code, std::string message, std::string field = {});

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

#define ADCP_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::adcp::Status _adcp_status = (expr);   \
    if (!_adcp_status.ok()) return _adcp_status.error(); \
  } while (0)

}  // namespace adcp
