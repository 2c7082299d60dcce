// exportState / importState (spec README): records to JSON and back; all
// derived indexes and running totals are rebuilt from the records.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "state/state.h"
#include "util/status.h"

namespace adcp {

json::Value ExportState(const State& state);
// Reads a state document (text: parsed record by record, never as one
// tree), validates every field (ranges, vocabularies, references between
// records) and fails with INVALID_STATE naming the first bad field; `out` is
// replaced only on success.
Status ImportState(std::string_view text, const Config& config, State* out);
// Indexes a new account (by id, natural key, owner) -- import and the store.
void IndexAccount(State& state, int32_t account);
// Rebuilds every derived index and total from the records.
void RebuildDerived(State& state, const Config& config);

}  // namespace adcp
