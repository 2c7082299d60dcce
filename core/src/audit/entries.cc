#include "audit/entries.h"

#include "json/json.h"
#include "util/time.h"

namespace adcp {
namespace {

// `from` is a body parsed for this entry alone: its members are moved out.
void MoveIf(json::Value& out, json::Value& from, const char* key) {
  if (json::Value* v = from.find(key)) out.set(key, std::move(*v));
}

json::Value Head(const char* type, const std::string& id, int64_t ts_ms, const Plan& plan, const EntryOptions& opts) {
  json::Value e = json::Obj({{"id", id}, {"type", type}, {"timestamp", FormatMillis(ts_ms)}});
  if (opts.include_plan_id) e.set("plan_id", plan.plan_id);
  return e;
}

}  // namespace

json::Value CheckEntry(const State& state, const Check& c, const EntryOptions& opts) {
  json::Value body = CheckBodyValue(c);
  json::Value e = Head("check", c.check_id, c.final_ms, state.plans[c.plan], opts);
  e.set("caller", c.caller);
  e.set("tool", c.tool);
  e.set(opts.legacy_status ? "status" : "verdict", VerdictName(c.verdict));
  e.set("check_type", c.intent ? "intent" : "execution");
  e.set("mode", c.mode);
  MoveIf(e, body, "explanation");
  MoveIf(e, body, "policies_evaluated");
  MoveIf(e, body, "categories_evaluated");
  json::Value* findings = body.find("findings");
  e.set("findings", findings ? std::move(*findings) : json::Value::MakeArray());
  if (c.verdict == Verdict::kApproved && !c.issued_token.empty())
    e.set("governance_context", TokenText(state, c.issued_token));
  else if (c.verdict == Verdict::kDenied && !c.intent && c.presented_check != kNone)
    e.set("governance_context", PresentedToken(state, c));
  e.set("plan_hash", c.plan_hash);
  e.set("purchase_type", c.purchase_type);
  MoveIf(e, body, "delivery_statement");
  if (c.runtime_attestations) {
    e.set("runtime_attestations", *c.runtime_attestations);
    MoveIf(e, body, "runtime_attestation_binding_digest");
  }
  return e;
}

json::Value OutcomeEntry(const State& state, const Outcome& o, const EntryOptions& opts) {
  json::Value e = Head("outcome", o.outcome_id, o.timestamp_ms, state.plans[o.plan], opts);
  e.set("caller", o.reporter);
  if (o.check != kNone) e.set("governance_context", OutcomeContext(state, o));  // plan-level 3.0 snapshots name none
  e.set("purchase_type", o.purchase_type);
  e.set("outcome", o.type);
  json::Value body = json::ParseStored(OutcomeBodyText(o));
  if (json::Value* st = body.find("outcome_state")) e.set("outcome_status", std::move(*st));
  if (o.type != "delivery" && o.committed_budget) e.set("committed_budget", *o.committed_budget);
  if (o.type == "completed" && o.reported_committed_budget)
    e.set("reported_committed_budget", *o.reported_committed_budget);
  if (o.type == "completed" && o.seller_reference) e.set("seller_reference", *o.seller_reference);
  if (o.delivery) e.set("delivery", *o.delivery);
  if (!o.reconciliation_status.empty()) e.set("delivery_reconciliation_status", o.reconciliation_status);
  if (!o.period_state.empty()) e.set("delivery_period_state", o.period_state);
  if (o.findings.size() > 0) e.set("findings", o.findings);
  return e;
}

json::Value AdjustmentEntry(const State& state, const Adjustment& a, const EntryOptions& opts) {
  json::Value e = Head("adjustment", a.adjustment_id, a.timestamp_ms, state.plans[a.plan], opts);
  const Action& action = state.actions[a.action];
  e.set("caller", a.seller);
  e.set("governance_context", IntentToken(state, action));
  e.set("purchase_type", action.purchase_type);
  e.set("outcome_id", state.outcomes[a.outcome].outcome_id);
  e.set("seller_reference", a.seller_reference);
  e.set("seller_adjustment_id", a.seller_adjustment_id);
  e.set("adjustment_type", a.adjustment_type);
  e.set("amount", json::Obj({{"amount", a.amount}, {"currency", a.currency}}));
  e.set("adjustment_state", a.state);
  e.set("verified_amount", a.verified_amount);
  e.set("headroom_restored", a.headroom_restored);
  e.set("evidence", a.evidence);
  e.set("reason", a.reason);
  e.set("effective_at", a.effective_at);
  if (a.reviewed_by) e.set("reviewed_by", *a.reviewed_by);
  if (a.reviewed_at_ms) e.set("reviewed_at", FormatMillis(*a.reviewed_at_ms));
  if (a.review_reason) e.set("review_reason", *a.review_reason);
  return e;
}

json::Value Entry(const State& state, const EntryRef& ref, const EntryOptions& opts) {
  switch (ref.kind) {
    case EntryKind::kCheck: return CheckEntry(state, state.checks[ref.index], opts);
    case EntryKind::kOutcome: return OutcomeEntry(state, state.outcomes[ref.index], opts);
    case EntryKind::kAdjustment: return AdjustmentEntry(state, state.adjustments[ref.index], opts);
  }
  return json::Value();
}

}  // namespace adcp
