// The task table: one row per task (name, handler, request shape, dialect
// handling, rendering, context echo). The facade dispatches through it;
// adding a task is a row here plus its file.
#pragma once

#include <optional>
#include <string_view>

#include "dialect/dialect.h"
#include "tasks/tasks.h"

namespace adcp {

// The dialect additions of a legacy result (10 §6.1, §7.2), appended last.
struct LegacyTail {
  std::optional<json::Value> legacy_denial;
  const char* protocol = nullptr;
};

// How a task meets 3.0-era requests (spec 10).
struct DialectHandling {
  DialectMarkers markers;  // 10 §1.3 (detection D3/D4)
  // 10 §3.1, §4.1, §5.1: the request in 3.2 terms; `legacy` keeps what rendering needs.
  json::Value (*normalize)(const json::Value& request, LegacyRequest* legacy);
  // 10 §6: the result in the request's dialect (body rewritten in place).
  void (*render)(const Agent& agent, const CallContext& ctx, const json::Value& request, TaskResult& result,
                 LegacyTail* tail);
};

struct TaskSpec {
  std::string_view name;
  TaskResult (*run)(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
  // Stateless request validation (facade `validate`): the rules the task runs before touching
  // state; null for reads whose requests are checked against the caller's records only.
  Status (*validate)(const json::Value& request);
  bool echoes_context;              // the request's `context` echoed on the result (not the outcomes ledger)
  const DialectHandling* dialect;   // null: 3.2 only
};

// The row of `name`, or null for an unknown task.
const TaskSpec* FindTask(std::string_view name);

}  // namespace adcp
