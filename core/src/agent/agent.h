// Internal agent: configuration, hooks and state, shared by the tasks.
#pragma once

#include <optional>
#include <string>

#include "adcp_governance.h"
#include "agent/config.h"
#include "agent/context.h"
#include "json/value.h"
#include "schema/schema.h"
#include "state/state.h"

namespace adcp {

struct Agent {
  Config config;
  Hooks hooks;
  State state;
  bool in_call = false;  // re-entrancy guard (README: SERVICE_UNAVAILABLE)
};

// Task entry points (tasks/*.cc). Each follows its own processing order.
TaskResult RunSyncPlans(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
TaskResult RunGetPlanAuditLogs(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
TaskResult RunReportPlanOutcome(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
TaskResult RunReportPlanAdjustment(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
// The outcomes ledger (spec 11).
TaskResult RunRecordOutcome(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
TaskResult RunListOutcomes(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
TaskResult RunGetValueSummary(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
// Accounts protocol (sync_accounts, list_accounts).
TaskResult RunSyncAccounts(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
TaskResult RunListAccounts(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
// Admin operations (README "Admin operations"), authorized by the host.
TaskResult RunAdmin(Agent& agent, CallContext& ctx, std::string_view op_json);
// Stateless request validation (schema and shape) of a task's request.
std::optional<TaskError> ValidateRequestShape(std::string_view task, const json::Value& request);

// 08 §5 keyed-request handling, called by each keyed task at its step.
// Returns a replay or an error to answer with, or nullopt to execute; in the
// latter case `pending` is filled so the facade stores the entry on success.
std::optional<TaskResult> CheckIdempotency(CallContext& ctx, const std::string& task, const json::Value& request,
                                           const Auth& auth, const std::string& key, bool body_declares_replayed,
                                           TaskResult* pending);

// The same for a caller-chosen scope and payload hash (outcomes ledger, 11 §3).
std::optional<TaskResult> CheckIdempotencyScoped(CallContext& ctx, const std::string& task, const std::string& scope,
                                                 const std::string& hash, bool body_declares_replayed,
                                                 TaskResult* pending);

// A schema failure as the task's error (08 §1: field = issues[0].pointer).
TaskError SchemaError(const std::string& code, const schema::Failure& f);

// Stamps `seq` (record finalization order, 01 §10).
inline uint64_t NextSeq(State& state) { return ++state.seq; }

}  // namespace adcp
