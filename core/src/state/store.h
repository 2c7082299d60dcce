// The one place that changes agent state (issue 11).
//
// Every change is a named operation on records. The operation writes the
// records, keeps the indexes and running totals (state/ledger.h), and, with
// a ChangeLog attached, writes itself down as {"op": name, ...arguments}:
// the records in their stored form (state/records.h) plus a few scalars.
// ApplyChangeSet replays a logged change set through the same operations,
// so an agent whose state equals the producer's prior state reaches the
// producer's state byte for byte without knowing any task. A change set's
// size follows what the call changed, never the history.
//
// Tasks read `const State&` and change it only through a Store; importState
// fills a fresh State from a document and rebuilds the derived parts with
// the same upkeep functions (state/serialize.cc).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "json/value.h"
#include "state/state.h"
#include "util/status.h"

namespace adcp {

// The operations of one call, in order.
struct ChangeLog {
  bool record = true;    // false: only note that the state changed (change sets off)
  bool changed = false;  // some operation ran
  json::Array ops;
};

// What a sync writes for one plan (02 §6): a new revision and the derived
// review and policy outcome.
struct PlanSync {
  int32_t plan = kNone;                 // kNone: a new plan of (owner, plan_id)
  std::string owner, owner_key, plan_id;  // new plans only
  PlanRevision revision;                // version, synced_at, plan_hash, plan (downgrade taken from the plan)
  BrandInfo brand;
  std::vector<ResolvedPolicy> resolved_policies;
  bool effective_human_review = false;
  std::vector<std::string> human_review_reasons;
  json::Value categories = json::Value::MakeArray();
};

// An adjustment review (05 §4).
struct AdjustmentReview {
  std::string state;  // verified | disputed
  double verified_amount = 0, headroom_restored = 0;
  std::string reviewed_by;
  int64_t reviewed_at_ms = 0;
  std::optional<std::string> review_reason;
};

class Store {
 public:
  Store(State& state, const Config& config, ChangeLog* log = nullptr) : state_(state), config_(config), log_(log) {}
  const State& state() const { return state_; }
  const Config& config() const { return config_; }

  // Plans (02, README admin operations).
  int32_t SyncPlan(PlanSync sync);
  void SetPlanStatus(int32_t plan, PlanStatus status);
  void SetPlanMode(int32_t plan, std::optional<std::string> mode);
  void SetPlanDriftThresholds(int32_t plan, std::optional<json::Value> thresholds);
  void SetPendingDowngrade(int32_t plan, json::Value downgrade);

  // Checks (03). AddCheck takes the record as created (a pending check has
  // no escalation yet: AddEscalation links both); FinalizeCheck stamps seq
  // and stores the response body without its governance_context.
  int32_t AddCheck(Check check);
  void FinalizeCheck(int32_t check, int64_t final_ms, const json::Value& body);
  // An approved intent: its governed action, token registry, H2 series, hold.
  int32_t ApproveIntent(int32_t check, Action action, std::string token, int64_t exp_ms);
  // A deferred intent token (10 §3.3.4): the hold runs to its expiry.
  void MintToken(int32_t check, std::string token, int64_t exp_ms, std::string body_json);
  int32_t AddConsultation(Consultation consultation);
  void UpdateConsultation(int32_t consultation, int64_t attempts, bool open);
  // A pending check's escalation (03 §7) and the pre-resolution body.
  int32_t AddEscalation(Escalation escalation, std::string pending_body_json);
  void ResolveEscalation(int32_t escalation, std::string resolution, int64_t resolved_at_ms,
                         std::optional<std::string> reviewer, std::optional<std::string> reason, Verdict verdict);
  void ClaimEscalation(int32_t escalation);

  // Execution checks (03 §5.5, 10 §3.5).
  void BindAction(int32_t action, std::string target_agent, std::string target_key, int64_t at_ms);
  void SetNextCheck(int32_t action, int64_t next_check_ms);
  void RecordMediaBuy(int32_t action, std::string media_buy_id);
  // A seller's purchase/modification check: amount, channels, hold expiry.
  void ConfirmExecution(int32_t action, int32_t check, std::optional<double> exec, int64_t exp_ms, int64_t now_ms);
  // The delivery statement carried by `check` (its caller is the seller).
  void RecordStatement(int32_t check);

  // Outcomes (04): the record, then its effect, then the final body.
  int32_t AddOutcome(Outcome outcome);
  void Settle(int32_t outcome);                       // completed | failed: hold, ledger, H2, media buy
  void AddSnapshotSpend(int32_t action, double spend);  // 3.0 delivery snapshot (10 §4.4)
  void FinalizeOutcome(int32_t outcome, std::string body_json);

  // Adjustments (05).
  int32_t AddAdjustment(Adjustment adjustment);
  void SetAdjustmentReportBody(int32_t adjustment, std::string body_json);
  void ReviewAdjustment(int32_t adjustment, AdjustmentReview review);

  // Accounts (sync_accounts): a new one, or a changed record at `account`.
  int32_t PutAccount(int32_t account, Account record);

  // A revoked token (README "serve": the revocation list).
  int32_t AddRevocation(Revocation revocation);

  // Idempotency (08 §5), the outcomes ledger (11), id counters.
  void PutIdempotency(std::string scope, IdempotencyEntry entry);
  void AddValueRecord(ValueRecord record);
  void SetCounters(const std::map<std::string, uint64_t>& counters);

  // Derived only (not a change of records, never logged): holds whose
  // expiry is <= now stop counting.
  void ExpireHolds(int32_t plan, int64_t now_ms);

 private:
  void Log(json::Value op);
  // Every operation calls this first: it notes the change and says whether
  // to write the operation down.
  bool logging() const {
    if (!log_) return false;
    log_->changed = true;
    return log_->record;
  }

  State& state_;
  const Config& config_;
  ChangeLog* log_;
};

// The change set of a call: {"format", "format_version", "before":
// {"changes", "seq"}, "after": {...}, "ops": [...]} (canonical JSON text).
std::string ChangeSetText(const ChangeLog& log, uint64_t changes_before, uint64_t seq_before, const State& after);

// Applies a change set to `state`. Fails with INVALID_CHANGE_SET (naming
// the field) when the document is malformed or an argument is out of range
// or of the wrong type, and with CHANGE_SET_OUT_OF_ORDER when it does not
// follow this state (a gap or a replay): both leave the state untouched. A
// well-formed change set whose operations contradict this state (impossible
// for one produced by an agent in this state) fails with
// INVALID_CHANGE_SET after a partial application: `*damaged` is set and the
// state must be discarded.
Status ApplyChangeSet(State& state, const Config& config, const json::Value& change_set, bool* damaged);

}  // namespace adcp
