// Audit trail entries (06 §6) built from records.
#pragma once

#include "state/state.h"

namespace adcp {

struct EntryOptions {
  bool include_plan_id = false;
  bool legacy_status = false;  // 3.0 dialect: `status` instead of `verdict` (10 §6.4)
  // Members taken from stored bodies as their text (json::RawText), not
  // parsed: for answers written as they are. A 3.0/3.1 answer is reshaped
  // member by member after the task (dialect/), so it needs them parsed.
  bool verbatim_members = false;
};

json::Value CheckEntry(const State& state, const Check& check, const EntryOptions& opts);
json::Value OutcomeEntry(const State& state, const Outcome& outcome, const EntryOptions& opts);
json::Value AdjustmentEntry(const State& state, const Adjustment& adjustment, const EntryOptions& opts);
json::Value Entry(const State& state, const EntryRef& ref, const EntryOptions& opts);

}  // namespace adcp
