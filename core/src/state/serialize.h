// exportState / importState (spec README): records to JSON and back; all
// derived indexes and running totals are rebuilt from the records.
#pragma once

#include <string>

#include "agent/config.h"
#include "state/state.h"

namespace adcp {

json::Value ExportState(const State& state);
// Returns an error message (empty on success). `out` is replaced only on success.
std::string ImportState(const json::Value& doc, const Config& config, State* out);
// Rebuilds every derived index and total from the records.
void RebuildDerived(State& state, const Config& config);

}  // namespace adcp
