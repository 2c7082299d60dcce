// The outcomes ledger (spec 11): records of value delivered, kept beside the
// governance state, with per-user indexes and running totals so listing is
// O(page + log n) and a summary O(#types + #agents + #linked plans).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "json/value.h"

namespace adcp {

// One recorded outcome (11 §3). Integers are kept as int64 within 0 … 2^53−1.
struct ValueRecord {
  std::string id;
  std::optional<int64_t> user_id, agent_id;
  std::string outcome_type, title;
  std::optional<std::string> description;
  std::optional<double> value_usd;
  std::optional<std::string> metadata_json;  // compact JSON text of the object
  std::optional<std::string> plan_id;        // metadata.plan_id when a string (set by whoever parsed metadata)
  int64_t created_ms = 0;
};

// Count and plain (creation-order) sum of value_usd, absent = 0 (11 §5).
struct ValueTotal {
  int64_t count = 0;
  double value_usd = 0;
  void Add(const ValueRecord& r) {
    ++count;
    value_usd += r.value_usd.value_or(0);
  }
};

// Listing order (11 §4, revised): created_at descending; among records
// created in the same millisecond the one recorded later first (record
// order: ids are random and carry no order).
struct NewestFirst {
  int64_t created_ms;
  int32_t index;  // position in the ledger's records (creation order)
  bool operator<(const NewestFirst& o) const {
    if (created_ms != o.created_ms) return created_ms > o.created_ms;
    return index > o.index;
  }
};

// Everything derived for one user: the listing index and the summary totals.
struct UserValue {
  std::set<NewestFirst> newest_first;
  ValueTotal total;
  std::map<std::string, ValueTotal> by_outcome_type;  // ascending byte order
  std::map<std::string, ValueTotal> by_agent_id;      // "<agent_id>" or "null"
  std::map<std::string, ValueTotal> by_plan_id;       // metadata.plan_id links
};

struct ValueLedger {
  std::deque<ValueRecord> records;  // creation order
  // Derived.
  std::unordered_map<std::string, int32_t> by_id;
  std::unordered_map<int64_t, UserValue> by_user;
};

// Appends a record and updates the indexes and totals (also the import path).
void AddValueRecord(ValueLedger& ledger, ValueRecord record);

// The list item of 11 §4 (exactly the seed's snake_case fields).
json::Value ValueRecordItem(const ValueRecord& r);

// State document form (exportState) and back; "" or an error.
json::Value ValueRecordToState(const ValueRecord& r);
// One of the six outcome types of 11 §3.
bool IsOutcomeType(std::string_view type);
// Reads a record of exportState; on failure returns a message that starts
// with the offending member's name ("created_at must be ...").
std::string ValueRecordFromState(const json::Value& v, ValueRecord* out);

}  // namespace adcp
