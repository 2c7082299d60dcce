#include "state/vocab.h"

namespace adcp {
namespace {

// The value whose name is `name` among `values`, nullopt for none.
template <class E, size_t N>
std::optional<E> ByName(std::string_view name, const E (&values)[N], const char* (*name_of)(E)) {
  for (E value : values)
    if (name == name_of(value)) return value;
  return std::nullopt;
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kApproved: return "approved";
    case Verdict::kDenied: return "denied";
    case Verdict::kConditions: return "conditions";
    case Verdict::kNone: break;
  }
  return "";
}

std::optional<Verdict> VerdictFromName(std::string_view name) {
  static constexpr Verdict kValues[] = {Verdict::kNone, Verdict::kApproved, Verdict::kDenied, Verdict::kConditions};
  return ByName(name, kValues, VerdictName);
}

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kIntent: return "intent";
    case Phase::kPurchase: return "purchase";
    case Phase::kModification: return "modification";
    case Phase::kDelivery: break;
  }
  return "delivery";
}

std::optional<Phase> PhaseFromName(std::string_view name) {
  static constexpr Phase kValues[] = {Phase::kIntent, Phase::kPurchase, Phase::kModification, Phase::kDelivery};
  return ByName(name, kValues, PhaseName);
}

const char* DialectName(Dialect d) {
  switch (d) {
    case Dialect::k30: return "3.0";
    case Dialect::k31: return "3.1";
    case Dialect::k32: break;
  }
  return "3.2";
}

const char* RecommendationName(Recommendation r) {
  switch (r) {
    case Recommendation::kApprove: return "approve";
    case Recommendation::kDeny: return "deny";
    case Recommendation::kNone: break;
  }
  return "";
}

std::optional<Recommendation> RecommendationFromName(std::string_view name) {
  static constexpr Recommendation kValues[] = {Recommendation::kNone, Recommendation::kApprove, Recommendation::kDeny};
  return ByName(name, kValues, RecommendationName);
}

const char* ReconciliationName(Reconciliation r) {
  switch (r) {
    case Reconciliation::kConsistent: return "consistent";
    case Reconciliation::kDisputed: return "disputed";
    case Reconciliation::kMeasurementVariance: return "measurement_variance";
    case Reconciliation::kClosedUnresolved: return "closed_unresolved";
    case Reconciliation::kNone: break;
  }
  return "";
}

std::optional<Reconciliation> ReconciliationFromName(std::string_view name) {
  static constexpr Reconciliation kValues[] = {Reconciliation::kNone, Reconciliation::kConsistent, Reconciliation::kDisputed, Reconciliation::kMeasurementVariance, Reconciliation::kClosedUnresolved};
  return ByName(name, kValues, ReconciliationName);
}

const char* PeriodStateName(PeriodState p) {
  switch (p) {
    case PeriodState::kOpen: return "open";
    case PeriodState::kClosed: return "closed";
    case PeriodState::kNone: break;
  }
  return "";
}

std::optional<PeriodState> PeriodStateFromName(std::string_view name) {
  static constexpr PeriodState kValues[] = {PeriodState::kNone, PeriodState::kOpen, PeriodState::kClosed};
  return ByName(name, kValues, PeriodStateName);
}

const char* KeyedTaskName(KeyedTask t) {
  switch (t) {
    case KeyedTask::kSyncPlans: return "sync_plans";
    case KeyedTask::kReportPlanOutcome: return "report_plan_outcome";
    case KeyedTask::kReportPlanAdjustment: return "report_plan_adjustment";
    case KeyedTask::kGetPlanAuditLogs: return "get_plan_audit_logs";
    case KeyedTask::kRecordOutcome: return "record_outcome";
    case KeyedTask::kSyncAccounts: return "sync_accounts";
    case KeyedTask::kNone: break;
  }
  return "";
}

std::optional<KeyedTask> KeyedTaskFromName(std::string_view name) {
  static constexpr KeyedTask kValues[] = {KeyedTask::kSyncPlans, KeyedTask::kReportPlanOutcome, KeyedTask::kReportPlanAdjustment, KeyedTask::kGetPlanAuditLogs, KeyedTask::kRecordOutcome, KeyedTask::kSyncAccounts};
  return ByName(name, kValues, KeyedTaskName);
}

Dialect DialectFromName(std::string_view name) {
  if (name == "3.0") return Dialect::k30;
  if (name == "3.1") return Dialect::k31;
  return Dialect::k32;
}

}  // namespace adcp
