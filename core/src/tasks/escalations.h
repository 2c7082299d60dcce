// Human review operations (03 §7).
#pragma once

#include <optional>
#include <string>

#include "tasks/tasks.h"

namespace adcp {

TaskResult ResolveEscalationOp(Agent& agent, CallContext& ctx, const json::Value& op);
TaskResult ExpireEscalationsOp(Agent& agent, CallContext& ctx);
// getTask: the submitted result while pending, else the final check body.
TaskResult GetTaskResult(Agent& agent, const std::string& task_id, std::optional<json::Value>* context);

}  // namespace adcp
