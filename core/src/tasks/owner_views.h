// Read-only views of one owner's plans for a host's review screens (the
// dashboard, issue 16): admin operations, so the host names the owner from
// its own credential, never from a request body.
#pragma once

#include "tasks/tasks.h"

namespace adcp {

// admin {op: "list_plans", owner}: the owner's plans, sync order.
TaskResult ListPlansOp(const State& state, const json::Value& op);
// admin {op: "list_escalations", owner}: pending human reviews on the
// owner's plans, creation order, with the check's findings and the
// recommendation (03 §7).
TaskResult ListEscalationsOp(const State& state, const json::Value& op);

}  // namespace adcp
