// The closed vocabularies records carry (spec 01, 03, 10): enums inside the
// core, strings only at the JSON edge (records, bodies, tokens). One byte
// each: records carry them (issue 15).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace adcp {

// A record position that names no record.
constexpr int32_t kNone = -1;

// A check's decision; kNone while an escalated check awaits review.
enum class Verdict : uint8_t { kNone, kApproved, kDenied, kConditions };
const char* VerdictName(Verdict v);  // "" | "approved" | "denied" | "conditions"
std::optional<Verdict> VerdictFromName(std::string_view name);

// The lifecycle phase a check governs (03 §2).
enum class Phase : uint8_t { kIntent, kPurchase, kModification, kDelivery };
const char* PhaseName(Phase p);
std::optional<Phase> PhaseFromName(std::string_view name);

// The dialect of a request (10 §1).
enum class Dialect : uint8_t { k30, k31, k32 };
const char* DialectName(Dialect d);  // "3.0" | "3.1" | "3.2"
inline bool IsLegacy(Dialect d) { return d != Dialect::k32; }
Dialect DialectFromName(std::string_view name);  // unknown -> 3.2

// What an escalated check's evaluation recommended to its reviewer (03 §7).
enum class Recommendation : uint8_t { kNone, kApprove, kDeny };
const char* RecommendationName(Recommendation r);  // "" | "approve" | "deny"
std::optional<Recommendation> RecommendationFromName(std::string_view name);

// A delivery observation's reconciliation with the seller's statements and
// its period's state (04 §4): kNone = not set.
enum class Reconciliation : uint8_t { kNone, kConsistent, kDisputed, kMeasurementVariance, kClosedUnresolved };
const char* ReconciliationName(Reconciliation r);  // "" for kNone
std::optional<Reconciliation> ReconciliationFromName(std::string_view name);
enum class PeriodState : uint8_t { kNone, kOpen, kClosed };
const char* PeriodStateName(PeriodState p);  // "" for kNone
std::optional<PeriodState> PeriodStateFromName(std::string_view name);

// The tasks that take an idempotency key (08 §5; record_outcome, 11 §3): a
// keyed request's entry names its task (issue 15: a byte where a Sym was 8).
enum class KeyedTask : uint8_t {
  kNone,
  kSyncPlans,
  kReportPlanOutcome,
  kReportPlanAdjustment,
  kGetPlanAuditLogs,
  kRecordOutcome,
  kSyncAccounts
};
const char* KeyedTaskName(KeyedTask t);  // "" for kNone
std::optional<KeyedTask> KeyedTaskFromName(std::string_view name);

}  // namespace adcp
