// Plan-level audit figures (06 §3–§5), all read from running totals.
#pragma once

#include "config/config.h"
#include "state/state.h"

namespace adcp {

json::Value BudgetBlock(const Plan& plan);
json::Value ChannelAllocation(const Plan& plan);
json::Value GovernedAction(const State& state, const Action& action);
json::Value Summary(const State& state, const Plan& plan, const Config& config);

// Drift metrics over the plan's final checks so far (06 §5.1), unrounded.
struct DriftValues {
  int64_t n = 0;
  double escalation_rate = 0, auto_approval_rate = 0, human_override_rate = 0;
};
DriftValues CurrentDrift(const Plan& plan);
DriftThresholds EffectiveThresholds(const Plan& plan, const Config& config);

// 01 §4.1 governed action status.
const char* ActionStatus(const State& state, const Action& action);

}  // namespace adcp
