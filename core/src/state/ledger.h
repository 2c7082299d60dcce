// Running totals (derived state): every figure of 01 §6 / 06 §5 is kept
// incrementally so reads are O(1). The live path and RebuildDerived() use
// these same functions, so an imported agent answers identically.
#pragma once

#include "state/state.h"

namespace adcp {

// Adds (sign = +1) or removes (-1) an action's ledger contribution to its
// plan: gross, adjustment sums, per-type/seller/caller/channel net
// commitment, unsettled count. To change an action: remove, mutate, add.
void ApplyActionLedger(State& state, int32_t action, int sign);

// Adds or removes an action's budget hold (03 §5.7). The hold counts only
// while `action.hold_counting()`.
void ApplyActionHold(State& state, int32_t action, int sign);

// Stops counting holds whose expiry is <= now (monotone clock assumed).
void ExpireHolds(State& state, int32_t plan, int64_t now_ms);

// A check became final: summary counters, drift prefix, audit entry.
// `body` is the check's response body (its findings are counted).
void CountFinalCheck(State& state, int32_t check, const json::Value& body);
// An outcome record was created: counters and audit entry.
void CountOutcome(State& state, int32_t outcome);
// An adjustment record was created: counters and audit entry.
void CountAdjustment(State& state, int32_t adjustment);
// An adjustment became verified (review accept).
void CountAdjustmentVerified(State& state, int32_t adjustment);

// A delivery statement was recorded on a check (03 §5.6): action and
// period sequencing state.
void RecordStatement(State& state, int32_t check);
// A buyer observation was recorded (04 §4): period reconciliation state.
void RecordObservation(State& state, int32_t outcome);

// H2 aggregation (03 §5.3): registers an approved action in its (owner,
// seller, account) series; WindowSum adds settled gross and counting holds
// of the series' actions approved after `after_ms` (exclusive).
void RegisterAggregation(State& state, int32_t action);
// Takes an action's settled gross out of its series (first-use binding of a
// 3.0-era action moves it to its seller's series, 10 §3.5.4). Holds are
// removed by ApplyActionHold(-1) first.
void UnregisterAggregation(State& state, int32_t action);
// A settled `completed` action's gross enters its aggregation series once
// (later adjustments never reduce it, 03 §5.3).
void RecordSettlementAggregation(State& state, int32_t action);
double WindowSum(const State& state, const std::string& key, int64_t after_ms);
// The same over every seller of (owner, account): an unbound 3.0-era intent
// has no seller yet, so H2 counts conservatively (10 §3.3.2).
double WindowSumAnySeller(const State& state, const std::string& owner_key, const std::string& account_key,
                          int64_t after_ms);
std::string AggregationKey(const std::string& owner_key, const std::string& seller_key, const std::string& account_key);

// Channel attribution of a settled action (06 §3.2) and of a hold (03 §5.7).
std::vector<Sym> SettledChannels(const State& state, const Action& action);
SymList HoldChannels(const State& state, const Action& action);

// Queues a replay body for expiry (State::idempotency_expiry), after the
// ones stored at or before `stored_at_ms`.
void AddReplayExpiry(State& state, int64_t stored_at_ms, int32_t entry);

// An idempotency scope ("agent\nkey", 08 §5) as `State::idempotency` keys
// it: "<n>\nkey", n the agent's number in State::idempotency_agents (added
// when new). A scope without a newline is kept as it is. FullScope gives the
// scope back exactly; FindStoredScope is StoredScope for lookups, nothing
// when the agent never stored a scope.
std::string StoredScope(State& state, std::string_view scope);
std::optional<std::string> FindStoredScope(const State& state, std::string_view scope);
std::string FullScope(const State& state, std::string_view stored_scope);

// Identity of a reporting period (01 §12: equal iff both instants equal).
std::string PeriodKey(const Instant& start, const Instant& end);
inline std::string PeriodKeyOf(const Statement& s) { return PeriodKey(PeriodStartOf(s), PeriodEndOf(s)); }


}  // namespace adcp
