#include "audit/entries.h"

#include "json/json.h"
#include "util/time.h"

namespace adcp {
namespace {

// The members of a stored body that an entry carries: moved out of the body
// parsed, or (EntryOptions::verbatim_members) spliced as their text, which
// skips parsing and writing again what is most of a page (issue 15).
class BodyMembers {
 public:
  explicit BodyMembers(json::Value parsed) : parsed_(std::move(parsed)) {}
  BodyMembers(std::string text, bool verbatim) : text_(std::move(text)) {
    if (verbatim) members_ = json::MemberTexts(text_);  // views of text_, which stays put
    else parsed_ = json::ParseStored(text_);
  }
  BodyMembers(const BodyMembers&) = delete;
  BodyMembers& operator=(const BodyMembers&) = delete;

  std::optional<json::Value> Take(std::string_view key) {
    if (json::Value* v = parsed_.find(key)) return std::move(*v);
    for (const json::MemberText& m : members_)
      if (m.key == key) return json::Value(json::RawText{std::string(m.value)});
    return std::nullopt;
  }
  void MoveIf(json::Value& out, const char* key) {
    if (std::optional<json::Value> v = Take(key)) out.set(key, std::move(*v));
  }

 private:
  json::Value parsed_;
  std::string text_;
  std::vector<json::MemberText> members_;
};

json::Value Head(const char* type, std::string_view id, int64_t ts_ms, const Plan& plan, const EntryOptions& opts) {
  json::Value e = json::Obj({{"id", id}, {"type", type}, {"timestamp", FormatMillis(ts_ms)}});
  if (opts.include_plan_id) e.set("plan_id", plan.plan_id);
  return e;
}

}  // namespace

json::Value CheckEntry(const State& state, const Check& c, const EntryOptions& opts) {
  // A delivery check's statement echo is put back as a value when parsed
  // (CheckBodyValue), cheaper than writing it out to parse it again.
  BodyMembers body = opts.verbatim_members ? BodyMembers(CheckBodyText(c), true) : BodyMembers(CheckBodyValue(c));
  json::Value e = Head("check", c.check_id.text(), c.final_ms(), state.plans[c.plan], opts);
  e.set("caller", c.caller());
  e.set("tool", c.tool());
  e.set(opts.legacy_status ? "status" : "verdict", VerdictName(c.verdict));
  e.set("check_type", c.intent ? "intent" : "execution");
  e.set("mode", c.mode());
  body.MoveIf(e, "explanation");
  body.MoveIf(e, "policies_evaluated");
  body.MoveIf(e, "categories_evaluated");
  std::optional<json::Value> findings = body.Take("findings");
  e.set("findings", findings ? std::move(*findings) : json::Value::MakeArray());
  if (c.verdict == Verdict::kApproved && !c.issued_token.empty())
    e.set("governance_context", IssuedTokenText(state, c));
  else if (c.verdict == Verdict::kDenied && !c.intent && c.presented_check != kNone)
    e.set("governance_context", PresentedToken(state, c));
  e.set("plan_hash", c.plan_hash());
  e.set("purchase_type", c.purchase_type());
  body.MoveIf(e, "delivery_statement");
  if (c.runtime_attestations()) {
    e.set("runtime_attestations", *c.runtime_attestations());
    body.MoveIf(e, "runtime_attestation_binding_digest");
  }
  return e;
}

json::Value OutcomeEntry(const State& state, const Outcome& o, const EntryOptions& opts) {
  json::Value e = Head("outcome", o.outcome_id.text(), o.timestamp_ms, state.plans[o.plan], opts);
  e.set("caller", o.reporter());
  if (o.check != kNone) e.set("governance_context", OutcomeContext(state, o));  // plan-level 3.0 snapshots name none
  e.set("purchase_type", o.purchase_type());
  e.set("outcome", o.type());
  BodyMembers body(OutcomeBodyText(o), opts.verbatim_members);
  if (std::optional<json::Value> st = body.Take("outcome_state")) e.set("outcome_status", std::move(*st));
  const OutcomeSettlement& settled = SettlementOf(o);
  const OutcomeObservation& observed = ObservationOf(o);
  if (o.type() != "delivery" && settled.committed_budget) e.set("committed_budget", *settled.committed_budget);
  if (o.type() == "completed" && settled.reported_committed_budget)
    e.set("reported_committed_budget", *settled.reported_committed_budget);
  if (o.type() == "completed" && settled.seller_reference) e.set("seller_reference", *settled.seller_reference);
  if (!observed.delivery.empty()) {
    std::string delivery = ObservationDeliveryText(observed);
    e.set("delivery", opts.verbatim_members ? json::Value(json::RawText{std::move(delivery)}) : json::ParseStored(delivery));
  }
  if (observed.reconciliation_status != Reconciliation::kNone)
    e.set("delivery_reconciliation_status", ReconciliationName(observed.reconciliation_status));
  if (observed.period_state != PeriodState::kNone) e.set("delivery_period_state", PeriodStateName(observed.period_state));
  if (const json::Value* findings = o.parts.findings()) e.set("findings", *findings);
  return e;
}

json::Value AdjustmentEntry(const State& state, const Adjustment& a, const EntryOptions& opts) {
  json::Value e = Head("adjustment", a.adjustment_id, a.timestamp_ms, state.plans[a.plan], opts);
  const Action& action = state.actions[a.action];
  e.set("caller", a.seller);
  e.set("governance_context", IntentToken(state, action));
  e.set("purchase_type", action.purchase_type());
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
  switch (ref.kind()) {
    case EntryKind::kCheck: return CheckEntry(state, state.checks[ref.index()], opts);
    case EntryKind::kOutcome: return OutcomeEntry(state, state.outcomes[ref.index()], opts);
    case EntryKind::kAdjustment: return AdjustmentEntry(state, state.adjustments[ref.index()], opts);
  }
  return json::Value();
}

}  // namespace adcp
