#include "state/store.h"

#include <algorithm>

#include "json/json.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "state/records.h"
#include "state/serialize.h"

namespace adcp {

namespace {

json::Value Opt(const std::optional<std::string>& v) { return v ? json::Value(*v) : json::Value(); }
json::Value Opt(const std::optional<double>& v) { return v ? json::Value(*v) : json::Value(); }

}  // namespace

void Store::Log(json::Value op) { log_->ops.push_back(std::move(op)); }

// ------------------------------------------------------------------ plans ---

int32_t Store::SyncPlan(PlanSync s) {
  if (logging()) {
    json::Value policies = json::Value::MakeArray();
    for (const ResolvedPolicy& rp : s.resolved_policies) policies.push(rp.ToJson());
    json::Value reasons = json::Value::MakeArray();
    for (const std::string& r : s.human_review_reasons) reasons.push(r);
    json::Value op = json::Obj({{"op", "sync_plan"}, {"plan", s.plan}});
    if (s.plan == kNone) {
      op.set("owner", s.owner);
      op.set("plan_id", s.plan_id);
    }
    op.set("revision", PlanRevisionToJson(s.revision));
    op.set("brand", json::Write(s.brand.ToJson()));
    op.set("resolved_policies", std::move(policies));
    op.set("effective_human_review", s.effective_human_review);
    op.set("human_review_reasons", std::move(reasons));
    op.set("categories", json::Write(s.categories));
    Log(std::move(op));
  }
  int32_t idx = s.plan;
  if (idx == kNone) {
    idx = static_cast<int32_t>(state_.plans.size());
    state_.plans.emplace_back();
    Plan& created = state_.plans.back();
    created.owner = std::move(s.owner);
    created.owner_key = std::move(s.owner_key);
    created.plan_id = std::move(s.plan_id);
  } else {
    UnindexPlan(state_, idx);
  }
  Plan& plan = state_.plans[idx];
  plan.version = s.revision.version;
  // Share identical plan bodies between revisions (same hash, same bytes).
  if (!plan.revisions.empty() && plan.revisions.back().plan_hash == s.revision.plan_hash &&
      *plan.revisions.back().plan == *s.revision.plan)
    s.revision.plan = plan.revisions.back().plan;
  if (plan.pending_downgrade) {  // consumed by this sync (02 §4)
    s.revision.downgrade = std::move(*plan.pending_downgrade);
    plan.pending_downgrade.reset();
  }
  plan.plan = s.revision.plan;
  plan.plan_hash = s.revision.plan_hash;
  plan.synced_at_ms = s.revision.synced_at_ms;
  plan.revisions.push_back(std::move(s.revision));
  plan.terms = ParseTerms(*plan.plan);
  plan.brand = std::move(s.brand);
  plan.resolved_policies = std::move(s.resolved_policies);
  plan.effective_human_review = s.effective_human_review;
  plan.human_review_reasons = std::move(s.human_review_reasons);
  plan.categories = std::move(s.categories);
  IndexPlan(state_, idx);
  return idx;
}

void Store::SetPlanStatus(int32_t plan, PlanStatus status) {
  if (logging()) Log(json::Obj({{"op", "set_plan_status"}, {"plan", plan}, {"status", PlanStatusName(status)}}));
  state_.plans[plan].status = status;
}

void Store::SetPlanMode(int32_t plan, std::optional<std::string> mode) {
  if (logging()) Log(json::Obj({{"op", "set_plan_mode"}, {"plan", plan}, {"mode", Opt(mode)}}));
  state_.plans[plan].mode_override = std::move(mode);
}

void Store::SetPlanDriftThresholds(int32_t plan, std::optional<json::Value> thresholds) {
  if (logging())
    Log(json::Obj({{"op", "set_plan_drift_thresholds"},
                   {"plan", plan},
                   {"thresholds", thresholds ? json::Value(json::Write(*thresholds)) : json::Value()}}));
  state_.plans[plan].drift_thresholds_override = std::move(thresholds);
}

void Store::SetPendingDowngrade(int32_t plan, json::Value downgrade) {
  if (logging())
    Log(json::Obj({{"op", "set_pending_downgrade"}, {"plan", plan}, {"downgrade", json::Write(downgrade)}}));
  state_.plans[plan].pending_downgrade = std::move(downgrade);
}

// ----------------------------------------------------------------- checks ---

int32_t Store::AddCheck(Check c) {
  if (logging()) Log(json::Obj({{"op", "add_check"}, {"check", CheckToJson(state_, c)}}));
  const int32_t ci = static_cast<int32_t>(state_.checks.size());
  IndexIssuedToken(state_, ci, c);
  state_.checks.push_back(std::move(c));
  IndexCheck(state_, ci);
  return ci;
}

void Store::FinalizeCheck(int32_t check_index, int64_t final_ms, const json::Value& body) {
  // The token is kept once, on the check (CheckBodyOf puts it back).
  std::string stored_text = json::WriteWithout(body, "governance_context");
  if (logging())
    Log(json::Obj({{"op", "finalize_check"}, {"check", check_index}, {"final_at", final_ms}, {"body", stored_text}}));
  Check& c = state_.checks[check_index];
  c.pending = false;
  c.set_final_ms(final_ms);
  c.seq = ++state_.seq;
  AttachStatementSource(c, body);
  KeepCheckBody(c, std::move(stored_text));
  CountFinalCheck(state_, check_index, body);
}

int32_t Store::ApproveIntent(int32_t check_index, Action action, std::string token, int64_t exp_ms) {
  const int32_t ai = static_cast<int32_t>(state_.actions.size());
  action.intent_check = check_index;
  if (logging())
    Log(json::Obj({{"op", "approve_intent"},
                   {"check", check_index},
                   {"action", ActionToJson(action)},
                   {"token", token},
                   {"expires_at", exp_ms}}));
  Check& c = state_.checks[check_index];
  state_.actions.push_back(std::move(action));
  Action& a = state_.actions.back();
  state_.plans[a.plan].actions.push_back(ai);
  IndexAction(state_, ai);
  c.action = ai;
  c.set_expires_at_ms(exp_ms);  // before the token is stored: it refers to it (TokenIds)
  c.issued_token = StoredToken::Verbatim(std::move(token));  // "" when minted later
  IndexIssuedToken(state_, check_index, c);
  RegisterAggregation(state_, ai);
  ApplyActionLedger(state_, ai, +1);
  if (config_.budget_holds && a.ceiling) {
    a.StartHold(*a.ceiling, a.hold_exp_ms, HoldChannels(state_, a));
    ApplyActionHold(state_, ai, +1);
  }
  return ai;
}

void Store::MintToken(int32_t check_index, std::string token, int64_t exp_ms, std::string body_json) {
  if (logging())
    Log(json::Obj({{"op", "mint_token"},
                   {"check", check_index},
                   {"token", token},
                   {"expires_at", exp_ms},
                   {"body", body_json}}));
  Check& c = state_.checks[check_index];
  const int32_t ai = c.action;
  ApplyActionHold(state_, ai, -1);
  Action& a = state_.actions[ai];
  a.hold_exp_ms = std::max(a.hold_exp_ms, exp_ms);
  a.ExtendHold(a.hold_exp_ms);  // while it counts
  ApplyActionHold(state_, ai, +1);
  c.set_expires_at_ms(exp_ms);  // before the token is stored: it refers to it (TokenIds)
  c.issued_token = StoredToken::Verbatim(std::move(token));
  IndexIssuedToken(state_, check_index, c);
  KeepCheckBody(c, std::move(body_json));
}

int32_t Store::AddConsultation(Consultation consultation) {
  if (logging()) Log(json::Obj({{"op", "add_consultation"}, {"consultation", ConsultationToJson(consultation)}}));
  const int32_t i = static_cast<int32_t>(state_.consultations.size());
  state_.consultation_by_handle[consultation.handle] = i;
  state_.consultations.push_back(std::move(consultation));
  return i;
}

void Store::UpdateConsultation(int32_t consultation, int64_t attempts, bool open) {
  if (logging())
    Log(json::Obj(
        {{"op", "update_consultation"}, {"consultation", consultation}, {"attempts", attempts}, {"open", open}}));
  Consultation& c = state_.consultations[consultation];
  c.attempts = attempts;
  c.open = open;
}

int32_t Store::AddEscalation(Escalation e, std::string pending_body_json) {
  if (logging())
    Log(json::Obj({{"op", "add_escalation"}, {"escalation", EscalationToJson(e)}, {"body", pending_body_json}}));
  const int32_t ei = static_cast<int32_t>(state_.escalations.size());
  Check& c = state_.checks[e.check];
  c.set_escalation(ei);
  c.recommendation = RecommendationFromName(e.recommendation).value_or(Recommendation::kNone);
  KeepCheckBody(c, std::move(pending_body_json));  // completed at resolution (03 §7)
  if (!e.claim_key.empty()) state_.escalations_by_claim[e.claim_key].push_back(ei);
  state_.escalation_by_task[e.task_id] = ei;
  if (!e.resolution) state_.pending_escalations.insert(ei);
  state_.plans[c.plan].escalations.push_back(ei);
  state_.escalations.push_back(std::move(e));
  return ei;
}

void Store::ResolveEscalation(int32_t escalation, std::string resolution, int64_t resolved_at_ms,
                              std::optional<std::string> reviewer, std::optional<std::string> reason,
                              Verdict verdict) {
  if (logging())
    Log(json::Obj({{"op", "resolve_escalation"},
                   {"escalation", escalation},
                   {"resolution", resolution},
                   {"resolved_at", resolved_at_ms},
                   {"reviewer", Opt(reviewer)},
                   {"reason", Opt(reason)},
                   {"verdict", VerdictName(verdict)}}));
  Escalation& e = state_.escalations[escalation];
  e.resolution = std::move(resolution);
  e.resolved_at_ms = resolved_at_ms;
  e.reviewer = std::move(reviewer);
  e.decision_reason = std::move(reason);
  state_.pending_escalations.erase(escalation);
  state_.checks[e.check].verdict = verdict;
}

void Store::ClaimEscalation(int32_t escalation) {
  if (logging()) Log(json::Obj({{"op", "claim_escalation"}, {"escalation", escalation}}));
  state_.escalations[escalation].claimed = true;
}

// -------------------------------------------------------------- execution ---

void Store::BindAction(int32_t ai, std::string target_agent, std::string target_key, int64_t at_ms) {
  if (logging())
    Log(json::Obj({{"op", "bind_action"}, {"action", ai}, {"target_agent", target_agent}, {"at", at_ms}}));
  // First-use binding (10 §3.5.4): the caller becomes the audience and the
  // action's amounts move from seller key "" to it.
  ApplyActionLedger(state_, ai, -1);
  ApplyActionHold(state_, ai, -1);
  UnregisterAggregation(state_, ai);
  Action& b = state_.actions[ai];
  ActionTexts texts = b.texts();
  texts.target_agent = std::move(target_agent);
  texts.target_key = std::move(target_key);
  b.set_texts(texts);
  b.aggregation_at_ms = at_ms;
  RegisterAggregation(state_, ai);  // the H2 series of the bound seller, as an import rebuilds it
  RecordSettlementAggregation(state_, ai);
  ApplyActionLedger(state_, ai, +1);
  ApplyActionHold(state_, ai, +1);
  if (!b.media_buy_id.empty()) RecordMediaBuyId(state_, ai, b.media_buy_id.str());  // recorded while unbound
}

void Store::SetNextCheck(int32_t action, int64_t next_check_ms) {
  if (logging()) Log(json::Obj({{"op", "set_next_check"}, {"action", action}, {"next_check", next_check_ms}}));
  state_.actions[action].next_check_ms = next_check_ms;
}

void Store::RecordMediaBuy(int32_t action, std::string media_buy_id) {
  if (logging()) Log(json::Obj({{"op", "record_media_buy"}, {"action", action}, {"media_buy_id", media_buy_id}}));
  RecordMediaBuyId(state_, action, media_buy_id);
}

void Store::ConfirmExecution(int32_t ai, int32_t check, std::optional<double> exec, int64_t exp_ms, int64_t now_ms) {
  if (logging())
    Log(json::Obj({{"op", "confirm_execution"},
                   {"action", ai},
                   {"check", check},
                   {"exec", Opt(exec)},
                   {"expires_at", exp_ms},
                   {"now", now_ms}}));
  // The seller confirmed (or changed) the buy: narrow the amount, move the
  // channel attribution and extend the hold (03 §5.5, §5.7).
  Action& a = state_.actions[ai];
  const bool settled = a.settlement != kNone;
  if (settled) ApplyActionLedger(state_, ai, -1);
  ApplyActionHold(state_, ai, -1);
  if (exec) a.exec = exec;
  a.latest_exec_check = check;
  a.hold_exp_ms = std::max(a.hold_exp_ms, exp_ms);
  if (settled) ApplyActionLedger(state_, ai, +1);
  const std::optional<double> held = a.authorized();
  if (config_.budget_holds && !settled && held && a.hold_exp_ms > now_ms) {
    a.StartHold(*held, a.hold_exp_ms, HoldChannels(state_, a));
  }
  ApplyActionHold(state_, ai, +1);
}

void Store::RecordStatement(int32_t check) {
  if (logging()) Log(json::Obj({{"op", "record_statement"}, {"check", check}}));
  IndexStatement(state_, check);
  adcp::RecordStatement(state_, check);
}

// --------------------------------------------------------------- outcomes ---

int32_t Store::AddOutcome(Outcome o) {
  if (logging()) Log(json::Obj({{"op", "add_outcome"}, {"outcome", OutcomeToJson(o)}}));
  const int32_t oi = static_cast<int32_t>(state_.outcomes.size());
  TidyOutcome(o);
  const bool observation = o.type() == "delivery" && !ObservationOf(o).observation_id.empty();
  state_.outcomes.push_back(std::move(o));
  if (observation) IndexObservation(state_, oi);
  IndexOutcome(state_, oi);
  return oi;
}

void Store::Settle(int32_t oi) {
  if (logging()) Log(json::Obj({{"op", "settle"}, {"outcome", oi}}));
  const Outcome& o = state_.outcomes[oi];
  const int32_t ai = o.action;
  // The hold is released or replaced by the committed amount.
  ApplyActionHold(state_, ai, -1);
  state_.actions[ai].StopHold();
  ApplyActionLedger(state_, ai, -1);
  Action& a = state_.actions[ai];
  a.settlement = oi;
  a.failed = o.type() == "failed";
  a.gross = SettlementOf(o).committed_budget.value_or(0);
  ApplyActionLedger(state_, ai, +1);
  RecordSettlementAggregation(state_, ai);
  if (SettlementOf(o).seller_reference && o.type() == "completed") RecordMediaBuyId(state_, ai, SettlementOf(o).seller_reference->str());
}

void Store::AddSnapshotSpend(int32_t action, double spend) {
  if (logging()) Log(json::Obj({{"op", "add_snapshot_spend"}, {"action", action}, {"spend", spend}}));
  MutableAdjustments(state_.actions[action]).legacy_snapshot_spend.Add(spend);
}

void Store::FinalizeOutcome(int32_t oi, std::string body_json) {
  if (logging()) Log(json::Obj({{"op", "finalize_outcome"}, {"outcome", oi}, {"body", body_json}}));
  Outcome& o = state_.outcomes[oi];
  o.seq = ++state_.seq;
  KeepOutcomeBody(o, std::move(body_json));
  if (o.type() == "delivery" && !ObservationOf(o).observation_id.empty()) RecordObservation(state_, oi);
  CountOutcome(state_, oi);
}

// ------------------------------------------------------------ adjustments ---

namespace {

// Re-applies an action's ledger after its adjustment records changed.
void RecomputeActionAdjustments(State& state, int32_t ai) {
  ApplyActionLedger(state, ai, -1);
  ActionAdjustments& a = MutableAdjustments(state.actions[ai]);
  a.reported_adj = ExactSum();
  a.verified = ExactSum();
  a.restored = ExactSum();
  for (int32_t j : a.adjustments) {
    const Adjustment& adj = state.adjustments[j];
    a.reported_adj.Add(adj.amount);
    a.verified.Add(adj.verified_amount);
    a.restored.Add(adj.headroom_restored);
  }
  ApplyActionLedger(state, ai, +1);
}

}  // namespace

int32_t Store::AddAdjustment(Adjustment adj) {
  if (logging()) Log(json::Obj({{"op", "add_adjustment"}, {"adjustment", AdjustmentToJson(adj)}}));
  const int32_t ji = static_cast<int32_t>(state_.adjustments.size());
  const int32_t ai = adj.action;
  state_.adjustment_by_seller_id[JoinKey(adj.seller_key, adj.seller_adjustment_id)] = ji;
  state_.adjustment_by_evidence_id[JoinKey(adj.seller_key, adj.evidence_id)] = ji;
  state_.adjustments.push_back(std::move(adj));
  IndexAdjustment(state_, ji);
  MutableAdjustments(state_.actions[ai]).adjustments.push_back(ji);
  RecomputeActionAdjustments(state_, ai);
  state_.adjustments[ji].seq = ++state_.seq;
  CountAdjustment(state_, ji);
  return ji;
}

void Store::SetAdjustmentReportBody(int32_t adjustment, std::string body_json) {
  if (logging()) Log(json::Obj({{"op", "set_adjustment_body"}, {"adjustment", adjustment}, {"body", body_json}}));
  state_.adjustments[adjustment].report_body_json = std::move(body_json);
}

void Store::ReviewAdjustment(int32_t ji, AdjustmentReview review) {
  if (logging())
    Log(json::Obj({{"op", "review_adjustment"},
                   {"adjustment", ji},
                   {"state", review.state},
                   {"verified_amount", review.verified_amount},
                   {"headroom_restored", review.headroom_restored},
                   {"reviewed_by", review.reviewed_by},
                   {"reviewed_at", review.reviewed_at_ms},
                   {"review_reason", Opt(review.review_reason)}}));
  Adjustment& rec = state_.adjustments[ji];
  const bool accept = review.state == "verified";
  rec.state = std::move(review.state);
  rec.verified_amount = review.verified_amount;
  rec.headroom_restored = review.headroom_restored;
  rec.reviewed_by = std::move(review.reviewed_by);
  rec.reviewed_at_ms = review.reviewed_at_ms;
  if (review.review_reason) rec.review_reason = std::move(review.review_reason);
  RecomputeActionAdjustments(state_, rec.action);
  if (accept) CountAdjustmentVerified(state_, ji);
}

int32_t Store::PutAccount(int32_t index, Account record) {
  if (logging()) Log(json::Obj({{"op", "put_account"}, {"account", index}, {"record", AccountToJson(record)}}));
  if (index != kNone) {
    record.owner_position = state_.accounts[index].owner_position;  // id, owner and natural key never change
    state_.accounts[index] = std::move(record);
    return index;
  }
  const int32_t i = static_cast<int32_t>(state_.accounts.size());
  state_.accounts.push_back(std::move(record));
  IndexAccount(state_, i);
  return i;
}

int32_t Store::AddRevocation(Revocation revocation) {
  if (logging()) Log(json::Obj({{"op", "add_revocation"}, {"revocation", RevocationToJson(revocation)}}));
  const int32_t i = static_cast<int32_t>(state_.revocations.size());
  state_.revocation_by_check[revocation.check] = i;
  state_.revocations.push_back(std::move(revocation));
  return i;
}

// ------------------------------------------- idempotency, ledger, counters ---

void Store::PutIdempotency(std::string scope, IdempotencyEntry e) {
  if (logging()) Log(json::Obj({{"op", "put_idempotency"}, {"entry", IdempotencyToJson(state_, scope, e)}}));
  const int64_t stored_at = e.stored_at_ms;
  const bool has_body = e.has_body();
  // A reported outcome's replay body is the outcome's own (stored just before).
  if (e.task == KeyedTask::kReportPlanOutcome && !state_.outcomes.empty())
    ShareOutcomeBody(state_, e, static_cast<int32_t>(state_.outcomes.size() - 1));
  const int32_t stored = PutIdempotencyRecord(state_, StoredScope(state_, scope), std::move(e));
  if (has_body) AddReplayExpiry(state_, stored_at, stored);
  // Replay bodies that left the window are dropped; their key tombstones
  // stay (08 §5). Deterministic from the state, so replays do the same.
  const int64_t window_ms = (config_.replay_ttl_seconds + 60) * 1000;
  while (!state_.idempotency_expiry.empty() && state_.idempotency_expiry.begin()->first + window_ms < stored_at) {
    const auto [expiring_at, expiring] = state_.idempotency_expiry.front();
    IdempotencyEntry& entry = state_.idempotency[expiring].entry;
    if (entry.stored_at_ms == expiring_at) {  // else stored again since: queued again
      entry.body_json.reset();
      entry.body_in_outcome = false;
    }
    state_.idempotency_expiry.pop_front();
  }
}

void Store::AddValueRecord(ValueRecord record) {
  if (logging()) Log(json::Obj({{"op", "add_value_record"}, {"record", ValueRecordToState(record)}}));
  adcp::AddValueRecord(state_.value_ledger, std::move(record));
}

void Store::SetCounters(const std::map<std::string, uint64_t>& counters) {
  if (counters.empty()) return;
  if (logging()) {
    json::Value values = json::Value::MakeObject();
    for (const auto& c : counters) values.set(c.first, static_cast<double>(c.second));
    Log(json::Obj({{"op", "set_counters"}, {"counters", std::move(values)}}));
  }
  for (const auto& c : counters) state_.id_counters[c.first] = c.second;
}

void Store::ExpireHolds(int32_t plan, int64_t now_ms) { adcp::ExpireHolds(state_, plan, now_ms); }

}  // namespace adcp
