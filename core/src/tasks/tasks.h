// The task layer: the agent's configuration, hooks and state as the tasks
// see them, and the task entry points (the task table in tasks/table.h).
#pragma once

#include <optional>
#include <string>

#include "adcp_governance.h"
#include "config/config.h"
#include "call/context.h"
#include "call/idempotency.h"
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

// A schema failure as the task's error (08 §1: field = issues[0].pointer).
TaskError SchemaError(ErrorCode code, const schema::Failure& f);

// Stamps `seq` (record finalization order, 01 §10).
inline uint64_t NextSeq(State& state) { return ++state.seq; }

}  // namespace adcp
