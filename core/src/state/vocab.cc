#include "state/vocab.h"

namespace adcp {

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
  for (Verdict v : {Verdict::kNone, Verdict::kApproved, Verdict::kDenied, Verdict::kConditions})
    if (name == VerdictName(v)) return v;
  return std::nullopt;
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
  for (Phase p : {Phase::kIntent, Phase::kPurchase, Phase::kModification, Phase::kDelivery})
    if (name == PhaseName(p)) return p;
  return std::nullopt;
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
  for (Recommendation r : {Recommendation::kNone, Recommendation::kApprove, Recommendation::kDeny})
    if (name == RecommendationName(r)) return r;
  return std::nullopt;
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
  for (Reconciliation r : {Reconciliation::kNone, Reconciliation::kConsistent, Reconciliation::kDisputed,
                           Reconciliation::kMeasurementVariance, Reconciliation::kClosedUnresolved})
    if (name == ReconciliationName(r)) return r;
  return std::nullopt;
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
  for (PeriodState p : {PeriodState::kNone, PeriodState::kOpen, PeriodState::kClosed})
    if (name == PeriodStateName(p)) return p;
  return std::nullopt;
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
  for (KeyedTask t : {KeyedTask::kSyncPlans, KeyedTask::kReportPlanOutcome, KeyedTask::kReportPlanAdjustment,
                      KeyedTask::kGetPlanAuditLogs, KeyedTask::kRecordOutcome, KeyedTask::kSyncAccounts})
    if (name == KeyedTaskName(t)) return t;
  return std::nullopt;
}

Dialect DialectFromName(std::string_view name) {
  if (name == "3.0") return Dialect::k30;
  if (name == "3.1") return Dialect::k31;
  return Dialect::k32;
}

}  // namespace adcp
