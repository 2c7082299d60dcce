// Keyed requests (08 §5): replay, conflict or execute, for the keyed tasks.
#pragma once

#include <optional>
#include <string>

#include "call/context.h"
#include "config/identity.h"
#include "json/value.h"

namespace adcp {

// 08 §5 keyed-request handling, called by each keyed task at its step.
// Returns a replay or an error to answer with, or nullopt to execute; in the
// latter case `pending` is filled so the facade stores the entry on success.
std::optional<TaskResult> CheckIdempotency(CallContext& ctx, KeyedTask task, const json::Value& request,
                                           const Auth& auth, const std::string& key, bool body_declares_replayed,
                                           TaskResult* pending);

// The same for a caller-chosen scope and payload hash (outcomes ledger, 11 §3).
std::optional<TaskResult> CheckIdempotencyScoped(CallContext& ctx, KeyedTask task, const std::string& scope,
                                                 const std::string& hash, bool body_declares_replayed,
                                                 TaskResult* pending);

}  // namespace adcp
