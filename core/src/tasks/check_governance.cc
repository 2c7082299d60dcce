// check_governance (spec 03): intent checks (buyer, addressed by plan_id)
// and execution checks (seller, addressed by a governance_context token).
// Processing follows 03 §3; nothing is written before step 8 has produced
// the whole result (hooks and signing included).
#include "tasks/check_governance.h"

#include <algorithm>
#include <cmath>

#include "audit/figures.h"
#include "canon/digests.h"
#include "eval/intent_inputs.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "tokens/token.h"
#include "util/url.h"

namespace adcp {
namespace {

const char* const kSignalSubject = "https://adcontextprotocol.org/claims/subjects/signal";
const char* const kReviewIndustries[] = {"consumer_finance", "banking",  "mortgage",   "life_insurance",
                                         "health_insurance", "recruitment", "staffing", "real_estate",
                                         "property_management", "housing"};

TaskError Shape(const std::string& field, const std::string& message) {
  return MakeError("VALIDATION_ERROR", message, field);
}

std::string PhaseOf(const json::Value& r) {
  const std::string* phase = r.find_string("phase");
  const std::string* legacy = r.find_string("governance_phase");
  if (phase) return *phase;
  if (legacy) return *legacy;
  return "purchase";
}

bool EitherPhaseIs(const json::Value& r, std::initializer_list<const char*> values) {
  for (const char* key : {"phase", "governance_phase"})
    if (const std::string* p = r.find_string(key))
      for (const char* v : values)
        if (*p == v) return true;
  return false;
}

// 03 §2 shape rules, in table order.
std::optional<TaskError> ShapeRules(const json::Value& r, const Config& config) {
  const bool intent = r.has("tool") || r.has("payload");
  const bool execution = r.has("planned_delivery") || r.has("delivery_metrics");
  if (intent == execution)  // S1
    return Shape("tool", "a check is either an intent (tool, payload) or an execution (planned_delivery) check");
  if (intent) {  // S2
    for (const char* k : {"tool", "payload", "plan_id", "target_agent"})
      if (!r.has(k)) return Shape(k, std::string(k) + " is required on an intent check");
    for (const char* k : {"governance_context", "execution_commitment"})
      if (r.has(k)) return Shape(k, std::string(k) + " is not allowed on an intent check");
  } else {  // S3
    if (!r.has("governance_context")) return Shape("governance_context", "governance_context is required on an execution check");
    for (const char* k : {"consultation_context", "proposed_commitment", "proposal", "runtime_attestations"})
      if (r.has(k)) return Shape(k, std::string(k) + " is not allowed on an execution check");
    if (r.has("delivery_metrics") && !r.has("planned_delivery"))
      return Shape("planned_delivery", "delivery_metrics requires planned_delivery");
    const json::Value* pd = r.find_object("planned_delivery");
    if (EitherPhaseIs(r, {"modification", "delivery"}) && (!pd || !pd->has("media_buy_id")))  // S4
      return Shape("planned_delivery.media_buy_id", "modification and delivery checks need planned_delivery.media_buy_id");
    if (EitherPhaseIs(r, {"delivery"})) {  // S5
      const json::Value* m = r.find_object("delivery_metrics");
      if (!m) return Shape("delivery_metrics", "delivery checks need delivery_metrics");
      for (const char* k : {"statement_id", "statement_digest", "sequence", "issued_at", "reporting_period",
                            "cumulative_spend", "currency"})
        if (!m->has(k)) return Shape(std::string("delivery_metrics.") + k, std::string("delivery_metrics.") + k + " is required");
    }
    if (pd && pd->has("total_budget") && !pd->has("currency"))  // S6
      return Shape("planned_delivery.currency", "planned_delivery.total_budget requires planned_delivery.currency");
    return std::nullopt;
  }
  const std::string* tool = r.find_string("tool");
  if (tool && IsExplicitCommitmentTool(*tool) && !r.has("proposed_commitment"))  // S7
    return Shape("proposed_commitment", *tool + " requires proposed_commitment");
  if ((tool && *tool == "accept_proposal") != r.has("proposal"))  // S8
    return Shape("proposal", "proposal is present exactly when tool is accept_proposal");
  if (r.has("runtime_attestations")) {  // S9
    const json::Value* payload = r.find_object("payload");
    const std::string* action = payload ? payload->find_string("action") : nullptr;
    const std::string* pt = r.find_string("purchase_type");
    bool ok = config.signal_attestations_enabled && pt && *pt == "signal_activation" && tool &&
              *tool == "activate_signal" && (!payload || !payload->has("action") || (action && *action == "activate"));
    if (!ok)
      return Shape("runtime_attestations",
                   "runtime_attestations apply only to signal activation (activate_signal, purchase_type "
                   "signal_activation) when the feature is configured");
  }
  if (const json::Value* payload = r.find_object("payload")) {  // S10
    if (const json::Value* ir = payload->find("invoice_recipient")) {
      const json::Value* top = r.find("invoice_recipient");
      if (!top || json::Canonicalize(*top) != json::Canonicalize(*ir))
        return Shape("invoice_recipient", "invoice_recipient must be present and equal payload.invoice_recipient");
    }
  }
  return std::nullopt;
}

// 10 §3.2 classification and the 3.2 shape rules minus the relaxed ones
// (S2 without target_agent, S3 without a token, no S4/S5 statement fields,
// no S7; S10 only with a top-level invoice_recipient).
std::optional<TaskError> LegacyShapeRules(const json::Value& r, const Config& config) {
  const bool execution = r.has("planned_delivery") || r.has("delivery_metrics");
  const bool intent = r.has("tool");
  if (intent == execution)
    return Shape("tool", "a check is either an intent (tool, payload) or an execution (planned_delivery) check");
  if (intent) {
    if (!r.find_object("payload")) return Shape("payload", "payload (an object) is required on an intent check");
    if (!r.has("plan_id")) return Shape("plan_id", "plan_id is required on an intent check");
    if (r.has("execution_commitment")) return Shape("execution_commitment", "execution_commitment is not allowed on an intent check");
    const std::string* tool = r.find_string("tool");
    if ((tool && *tool == "accept_proposal") != r.has("proposal"))
      return Shape("proposal", "proposal is present exactly when tool is accept_proposal");
    // accept_proposal keeps S7 (the proposal is checked against proposed_commitment, 03 S8).
    if (tool && *tool == "accept_proposal" && !r.has("proposed_commitment"))
      return Shape("proposed_commitment", "accept_proposal requires proposed_commitment");
    if (r.has("runtime_attestations")) {  // S9 (reachable under D1/D2 only: it is a 3.2 marker)
      const json::Value* payload = r.find_object("payload");
      const std::string* action = payload ? payload->find_string("action") : nullptr;
      const std::string* pt = r.find_string("purchase_type");
      const std::string purchase_type = pt ? *pt : LegacyPurchaseType(tool ? *tool : "");
      bool ok = config.signal_attestations_enabled && purchase_type == "signal_activation" && tool &&
                *tool == "activate_signal" && (!payload->has("action") || (action && *action == "activate"));
      if (!ok)
        return Shape("runtime_attestations",
                     "runtime_attestations apply only to signal activation (activate_signal, purchase_type "
                     "signal_activation) when the feature is configured");
    }
    if (const json::Value* top = r.find("invoice_recipient")) {
      const json::Value* ir = r.find("payload")->find("invoice_recipient");
      if (ir && json::Canonicalize(*top) != json::Canonicalize(*ir))
        return Shape("invoice_recipient", "invoice_recipient must equal payload.invoice_recipient");
    }
    return std::nullopt;
  }
  for (const char* k : {"consultation_context", "proposed_commitment", "proposal", "runtime_attestations"})
    if (r.has(k)) return Shape(k, std::string(k) + " is not allowed on an execution check");
  if (r.has("delivery_metrics") && !r.has("planned_delivery"))
    return Shape("planned_delivery", "delivery_metrics requires planned_delivery");
  if (EitherPhaseIs(r, {"delivery"}) && !r.has("delivery_metrics"))
    return Shape("delivery_metrics", "delivery checks need delivery_metrics");
  const json::Value* m = r.find_object("delivery_metrics");
  if (m && !EitherPhaseIs(r, {"delivery"}))
    return Shape("phase", "delivery metrics need phase delivery");
  if (m && HasStatementFields(m))  // a 3.2 statement is validated and sequenced as in 03 (S5)
    for (const char* k : {"statement_id", "statement_digest", "sequence", "issued_at", "reporting_period",
                          "cumulative_spend", "currency"})
      if (!m->has(k)) return Shape(std::string("delivery_metrics.") + k, std::string("delivery_metrics.") + k + " is required");
  const json::Value* pd = r.find_object("planned_delivery");
  if (pd && pd->has("total_budget") && !pd->has("currency"))  // S6
    return Shape("planned_delivery.currency", "planned_delivery.total_budget requires planned_delivery.currency");
  return std::nullopt;
}

json::Value Details(std::initializer_list<json::Member> members) { return json::Obj(members); }

// Effective mode (03 §8).
std::string ConfiguredMode(const Agent& agent, const Plan& plan) {
  return plan.mode_override ? *plan.mode_override : agent.config.default_mode;
}

struct Ids {
  static std::function<bool(const std::string&)> Taken(const std::unordered_map<std::string, int32_t>& map) {
    return [&map](const std::string& id) { return map.count(id) > 0; };
  }
};

// I2 / E8 shared steps.
void BudgetReductionStep(const Agent& agent, const Plan& plan, Evaluation& ev) {
  if (agent.config.reject_budget_below_committed) return;
  LedgerFigures f = Figures(plan);
  if (f.authorized + kEpsilon < f.ledger_committed)
    ev.Finding("budget_authority", "warning",
               "The plan budget (" + json::FormatNumber(f.authorized) + ") is below the committed amount (" +
                   json::FormatNumber(f.ledger_committed) + ").",
               Details({{"authorized", f.authorized}, {"committed", f.ledger_committed}}));
}

void OversightDriftStep(const Agent& agent, const Plan& plan, Evaluation& ev) {
  DriftThresholds t = EffectiveThresholds(plan, agent.config);
  if (t.empty() || plan.agg.checks < agent.config.drift_min_checks) return;
  DriftValues d = CurrentDrift(plan);
  ev.Category("oversight_drift");
  auto crossed = [&](const char* metric, double value, double threshold) {
    ev.Finding("oversight_drift", "warning",
               std::string("Oversight drift: ") + metric + " " + json::FormatNumber(value) + " crossed the threshold " +
                   json::FormatNumber(threshold) + ".",
               Details({{"metric", metric}, {"value", value}, {"threshold", threshold}}));
  };
  if (t.escalation_rate_max && d.escalation_rate > *t.escalation_rate_max)
    crossed("escalation_rate", d.escalation_rate, *t.escalation_rate_max);
  if (t.escalation_rate_min && d.escalation_rate < *t.escalation_rate_min)
    crossed("escalation_rate", d.escalation_rate, *t.escalation_rate_min);
  if (t.auto_approval_rate_max && d.auto_approval_rate > *t.auto_approval_rate_max)
    crossed("auto_approval_rate", d.auto_approval_rate, *t.auto_approval_rate_max);
  if (t.human_override_rate_max && d.human_override_rate > *t.human_override_rate_max)
    crossed("human_override_rate", d.human_override_rate, *t.human_override_rate_max);
}

// Geography / channel / flight rules shared by I11–I13 and E5.
void ScopeSteps(const Plan& plan, const RequestedScope& scope, Evaluation& ev) {
  const PlanTerms& t = plan.terms;
  if ((t.countries || t.regions) && (!scope.countries.empty() || !scope.regions.empty())) {
    ev.Category("geo_compliance");
    std::vector<std::string> bad = UnauthorizedGeo(t.countries, t.regions, scope.countries, scope.regions);
    if (!bad.empty()) {
      std::string list;
      for (const std::string& b : bad) list += (list.empty() ? "" : ", ") + b;
      ev.Finding("geo_compliance", "critical", "Geography outside the plan's authorized markets: " + list + ".",
                 Details({{"unauthorized", StringArray(bad)},
                          {"plan_countries", t.countries ? StringArray(*t.countries) : json::Value::MakeArray()},
                          {"plan_regions", t.regions ? StringArray(*t.regions) : json::Value::MakeArray()}}));
    }
  }
  if (!scope.channels.empty()) {
    ev.Category("channel_compliance");
    if (t.channels_allowed) {
      std::vector<std::string> bad;
      for (const std::string& ch : scope.channels)
        if (!ContainsString(*t.channels_allowed, ch)) bad.push_back(ch);
      if (!bad.empty())
        ev.Finding("channel_compliance", "critical", "Channels not allowed by the plan.",
                   Details({{"unauthorized", StringArray(bad)}}));
    }
  }
  if (scope.start || scope.end) {
    ev.Category("flight_compliance");
    bool bad = (scope.start && *scope.start < t.flight_start) || (scope.end && *scope.end > t.flight_end);
    if (bad) {
      json::Value d = Details({{"plan_start", t.flight_start_raw}, {"plan_end", t.flight_end_raw}});
      if (scope.start) d.set("requested_start", scope.start_raw);
      if (scope.end) d.set("requested_end", scope.end_raw);
      ev.Finding("flight_compliance", "critical", "Requested dates fall outside the plan's flight.", std::move(d));
    }
  }
}

// Validates a finding returned by evaluatePolicies (README hooks).
bool ValidHookFinding(json::Value& f) {
  if (!f.is_object()) return false;
  for (const json::Member& m : f.as_object()) {
    const std::string& k = m.first;
    const json::Value& v = m.second;
    if (k == "category_id" || k == "explanation" || k == "policy_id" || k == "source_plan_id" ||
        k == "uncertainty_reason") {
      if (!v.is_string()) return false;
    } else if (k == "severity") {
      if (!v.is_string() || (v.as_string() != "info" && v.as_string() != "warning" && v.as_string() != "critical"))
        return false;
    } else if (k == "details") {
      if (!v.is_object()) return false;
    } else if (k == "confidence") {
      if (!v.is_number() || v.as_number() < 0 || v.as_number() > 1) return false;
    } else {
      return false;  // attestation_reference_digest and unknown keys
    }
  }
  if (!f.find_string("severity") || !f.find_string("explanation")) return false;
  if (!f.has("category_id")) f.set("category_id", "policy_compliance");
  return true;
}

json::Value InlinePolicies(const State& state, const Plan& plan) {
  json::Value out = json::Value::MakeArray();
  for (const json::Value& e : plan.terms.custom_policies.as_array()) out.push(e);
  for (int32_t q : PortfoliosContaining(state, plan))
    for (const json::Value& e : state.plans[q].terms.shared_exclusions.as_array()) out.push(e);
  return out;
}

// Approves or denies a pre-verdict under the effective mode (03 §8).
void ApplyMode(const std::string& configured, const std::string& effective, std::string* verdict, bool* escalate,
               std::vector<Condition>* conditions, Evaluation& ev) {
  if (configured != effective)
    ev.Finding("mode_override", "info",
               "Mode " + configured + " is overridden to " + effective + " because the plan is under human review.",
               Details({{"configured", configured}, {"effective", effective}}));
  if (effective == "enforce") return;
  bool suppressed = *escalate;
  if (*verdict != "approved" || *escalate) {
    *verdict = "approved";
    *escalate = false;
  }
  if (suppressed)
    ev.Finding("human_review", "info", "Human review was not started in " + effective + " mode.",
               Details({{"decision", "suppressed_by_mode"}}));
  if (effective == "advisory") {
    // Advisory keeps each dropped condition as a recommendation (project
    // choice: the response schema allows conditions only with a conditions
    // verdict, so they travel as info findings; audit mode drops them).
    for (const Condition& c : *conditions) {
      json::Value d = Details({{"field", c.field}});
      if (c.required_value) d.set("required_value", *c.required_value);
      else if (c.hook_required_value) d.set("required_value", *c.hook_required_value);
      d.set("reason", c.reason);
      ev.Finding("advisory_condition", "info", "Recommended: " + c.reason, std::move(d));
    }
  }
  conditions->clear();
}

}  // namespace

std::string PolicyDecisionHash(const Plan& plan, const json::Value& findings) {
  json::Value decisions = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) {
    bool flagged = false;
    for (const json::Value& f : findings.as_array()) {
      const std::string* pid = f.find_string("policy_id");
      flagged = flagged || (pid && *pid == rp.policy_id);
    }
    decisions.push(json::Obj({{"policy_id", rp.policy_id}, {"outcome", flagged ? "flagged" : "allowed"}}));
  }
  return canon::HexLower(canon::AsBytes(canon::JcsDigest(decisions)));
}

json::Value CheckBody(const Config& config, const Check& c, const json::Value& parts, const BodyExtras& extras) {
  json::Value body = json::Obj({{"check_id", c.check_id},
                                {"check_type", c.intent ? "intent" : "execution"},
                                {"verdict", c.verdict}});
  if (c.intent) body.set("plan_id", *parts.find_string("plan_id"));
  const json::Value& findings = *parts.find("findings");
  body.set("explanation", Explanation(c.verdict, findings, extras.conditions));
  if (findings.size() > 0) body.set("findings", findings);
  if (c.verdict == "conditions") {
    json::Value conds = json::Value::MakeArray();
    for (const Condition& cond : extras.conditions) conds.push(cond.ToJson());
    body.set("conditions", std::move(conds));
    body.set("consultation_context", extras.consultation_context);
  }
  body.set("categories_evaluated", *parts.find("categories_evaluated"));
  body.set("policies_evaluated", *parts.find("policies_evaluated"));
  body.set("mode", c.mode);
  if (c.verdict == "approved") {
    body.set("expires_at", FormatMillis(c.expires_at_ms));
    body.set("governance_context", c.issued_token);
  }
  if (c.verdict == "approved" && extras.next_check_ms) body.set("next_check", FormatMillis(*extras.next_check_ms));
  if (extras.delivery_statement) body.set("delivery_statement", *extras.delivery_statement);
  if (const json::Value* evals = parts.find("runtime_attestation_evaluations")) {
    body.set("runtime_attestation_evaluations", *evals);
    body.set("runtime_attestation_binding_digest", *parts.find("runtime_attestation_binding_digest"));
  }
  if (config.compat_legacy_body_status) body.set("status", c.verdict);
  return body;
}

namespace {
// The intent token of an approved intent check for action `action_id`.
TokenSpec IntentTokenSpec(const State& state, const Check& check, const std::string& action_id,
                          const json::Value& findings, const std::string& binding_digest, int64_t now_ms,
                          int64_t ttl_seconds) {
  const Plan& plan = state.plans[check.plan];
  TokenSpec t;
  t.sub = action_id;
  t.plan_hash = check.plan_hash;
  t.aud = check.target_agent;
  t.iat = now_ms / 1000;
  t.exp = t.iat + ttl_seconds;
  t.phase = "intent";
  t.caller = check.caller;
  t.check_id = check.check_id;
  t.commitment_amount = check.amount;
  t.commitment_currency = plan.terms.currency;
  t.authorized_task = check.tool;
  t.authorized_payload_hash = check.payload_hash;
  t.policy_decision_hash = PolicyDecisionHash(plan, findings);
  if (!binding_digest.empty()) t.binding_digest = binding_digest;
  return t;
}
}  // namespace

Status MintDeferredToken(CallContext& ctx, int32_t check_index) {
  const State& state = ctx.state();
  const Check& c = state.checks[check_index];
  if (c.action == kNone || !c.issued_token.empty()) return Status::Ok();
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return now.error();
  Result<std::string> jti = ctx.NewJti();
  if (!jti.ok()) return jti.error();
  json::Value body = json::ParseStored(c.body_json);
  const std::string* digest = body.find_string("runtime_attestation_binding_digest");
  TokenSpec t = IntentTokenSpec(state, c, state.actions[c.action].action_id, *body.find("findings"),
                                digest ? *digest : "", now.value(), ctx.config().intent_token_ttl_seconds);
  t.jti = jti.value();
  Result<std::string> token = SignToken(ctx, t);
  if (!token.ok()) return token.error();
  // Nothing below fails. The hold now runs to the token's expiry (03 §5.7).
  body.put("expires_at", FormatMillis(t.exp * 1000));
  ctx.store().MintToken(check_index, token.value(), t.exp * 1000, json::Write(body));
  return Status::Ok();
}

Result<MintedAction> PrepareIntentApproval(CallContext& ctx, const State& state, const Check& check,
                                           const json::Value& findings, const std::string& binding_digest, bool mint) {
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return now.error();
  const Plan& plan = state.plans[check.plan];
  MintedAction m;
  Result<std::string> id = ctx.NewId("gb", Ids::Taken(state.action_by_id));
  if (!id.ok()) return id.error();
  TokenSpec t = IntentTokenSpec(state, check, id.value(), findings, binding_digest, now.value(),
                                ctx.config().intent_token_ttl_seconds);
  if (mint) {
    Result<std::string> jti = ctx.NewJti();
    if (!jti.ok()) return jti.error();
    t.jti = jti.value();
    Result<std::string> token = SignToken(ctx, t);
    if (!token.ok()) return token.error();
    m.token = token.value();
  }
  Action& a = m.action;
  a.action_id = id.value();
  a.plan = check.plan;
  a.purchase_type = check.purchase_type;
  a.tool = check.tool;
  a.caller = check.caller;
  a.caller_key = check.caller_key;
  a.target_agent = check.target_agent;
  a.target_key = NormalizeAgentUrl(check.target_agent).value_or("");
  a.ceiling = check.amount;
  a.currency = plan.terms.currency;
  a.hold_exp_ms = t.exp * 1000;
  a.account_key = check.account_key;
  a.approved_at_ms = now.value();
  a.intent_channels = check.intent_channels;
  a.proposal_id = check.proposal_id;
  a.terms_digest = check.terms_digest;
  m.exp_ms = t.exp * 1000;
  return m;
}

json::Value CheckBodyOf(const Check& c) {
  json::Value stored = json::ParseStored(c.body_json);
  if (c.pending || c.issued_token.empty()) return stored;
  json::Value body = json::Value::MakeObject();
  for (json::Member& m : stored.as_object()) {
    const bool after = m.first == "expires_at";
    body.set(std::move(m.first), std::move(m.second));
    if (after) body.set("governance_context", c.issued_token);
  }
  return body;
}

namespace {

TaskResult RunExecution(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth);

// An off-protocol human approval (ext.human_approval {approved_by,
// approved_at, approval_reference}) of an intent that would go to review.
// The reference agent trusts it, so a buyer could approve itself; here it
// counts only when the host's verify_human_approval hook vouches for it
// (a signed approval, a known ticket). Either way the check records what
// happened as a human_review finding (project choice).
Result<bool> VerifyHumanApproval(CallContext& ctx, const json::Value& approval, const Plan& plan,
                                 const std::string& caller, const std::string& tool, const json::Value& payload,
                                 Evaluation& ev) {
  bool verified = false;
  if (ctx.hooks().verify_human_approval) {
    json::Value input = json::Obj({{"approval", approval}, {"plan_id", plan.plan_id}, {"owner", plan.owner},
                                   {"caller", caller}, {"tool", tool}, {"payload", payload}});
    Result<json::Value> answer = ctx.CallJsonHook(
        "verifyHumanApproval", [&] { return ctx.hooks().verify_human_approval(json::Write(input)); });
    if (!answer.ok()) return answer.error();
    const json::Value* v = answer.value().find("verified");
    verified = v && v->is_bool() && v->as_bool();
  }
  const std::string* by = approval.find_string("approved_by");
  json::Value details = json::Obj({{"decision", verified ? "approved_by_human" : "ignored"}, {"off_protocol", true}});
  for (const char* k : {"approved_by", "approved_at", "approval_reference"})
    if (const json::Value* v = approval.find(k); v && v->is_string()) details.set(k, *v);
  ev.Finding("human_review", "info",
             verified ? "Approved off-protocol by " + (by ? *by : std::string("a human reviewer")) +
                            "; the approval was verified by the governance host."
                      : "ext.human_approval was not verified by the governance host and is ignored; the check goes to "
                        "human review.",
             std::move(details));
  return verified;
}

// 10 §3.3.4 claim key: who asks, for what, with which payload (6.11 puts a
// fresh idempotency_key into every governed payload, so it is left out).
std::string ClaimKey(const std::string& agent_key, const std::string& caller_key, const Plan& plan,
                     const std::string& tool, const std::string& purchase_type, const std::string& target_key,
                     const json::Value& payload) {
  json::Value stripped = payload;
  for (const char* k : {"idempotency_key", "context", "governance_context", "push_notification_config", "adcp_version",
                        "adcp_major_version"})
    stripped.erase(k);
  json::Value tuple = json::Value(json::Array{json::Value(agent_key), json::Value(caller_key), json::Value(plan.owner_key),
                                              json::Value(plan.plan_id), json::Value(tool), json::Value(purchase_type),
                                              json::Value(target_key), stripped});
  return canon::HexLower(canon::AsBytes(canon::JcsDigest(tuple)));
}

// 10 §3.4 (R4): the 6.11 seller helper's intent-shaped check with the buyer's
// token, evaluated as an execution check of that token's action.
TaskResult RunSellerIntentShaped(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  const State& state = agent.state;
  const Check& issuer = state.checks[state.check_by_token.at(TokenKey(*ctx.legacy.threaded_context))];
  const Plan& plan = state.plans[issuer.plan];
  const std::string& tool = *r.find_string("tool");
  const json::Value& payload = *r.find("payload");
  std::string phase = "purchase";
  if (const std::string* p = r.find_string("phase")) phase = *p;
  else if (const std::string* gp = r.find_string("governance_phase")) phase = *gp;
  else if (tool == "update_media_buy" || tool == "update_rights" || tool == "control_media_buy") phase = "modification";
  if (phase == "delivery")  // no delivery_metrics can come with an intent-shaped check (03 S5)
    return TaskResult::Failed(Shape("delivery_metrics", "delivery checks need delivery_metrics"));
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  Result<RequestedScope> scope = ExtractIntentScope(r, now.value());
  if (!scope.ok()) return TaskResult::Failed(scope.error());
  json::Value bare = r;
  bare.erase("proposed_commitment");
  Result<IntentAmount> amount = ExtractAmount(bare, tool, plan.terms.currency);
  if (!amount.ok()) return TaskResult::Failed(amount.error());
  json::Value pd = json::Value::MakeObject();
  json::Value geo = json::Value::MakeObject();
  if (!scope.value().countries.empty()) geo.set("countries", StringArray(scope.value().countries));
  if (!scope.value().regions.empty()) geo.set("regions", StringArray(scope.value().regions));
  if (geo.size() > 0) pd.set("geo", std::move(geo));
  if (!scope.value().channels.empty()) pd.set("channels", StringArray(scope.value().channels));
  if (!scope.value().start_raw.empty()) pd.set("start_time", scope.value().start_raw);
  if (!scope.value().end_raw.empty()) pd.set("end_time", scope.value().end_raw);
  if (amount.value().amount) {
    pd.set("total_budget", *amount.value().amount);
    const json::Value* tb = payload.find("total_budget");
    const std::string* cur = tb && tb->is_object() ? tb->find_string("currency") : nullptr;
    pd.set("currency", cur ? *cur : plan.terms.currency);
  }
  if (const std::string* mb = payload.find_string("media_buy_id")) pd.set("media_buy_id", *mb);
  json::Value exec = json::Obj({{"caller", *r.find_string("caller")},
                                {"plan_id", *r.find_string("plan_id")},  // must match the token's plan (10 §3.5.1)
                                {"governance_context", *ctx.legacy.threaded_context},
                                {"phase", phase},
                                {"planned_delivery", std::move(pd)}});
  if (const json::Value* context = r.find_object("context")) exec.set("context", *context);
  return RunExecution(agent, ctx, exec, auth);
}

// ---------------------------------------------------------------- intent ---

TaskResult RunIntent(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  const State& state = ctx.state();
  const std::string& plan_id = *r.find_string("plan_id");
  const bool legacy = ctx.is_legacy();
  // 3. Resolve.
  const int32_t pi = LookupPlanForCaller(state, auth.key, plan_id);
  if (pi == kNone) {
    // 10 §3.4 (R4): a 3.0 seller helper's intent-shaped check carrying the buyer's token.
    if (legacy && ctx.legacy.threaded_context &&
        state.check_by_token.count(TokenKey(*ctx.legacy.threaded_context)))
      return RunSellerIntentShaped(agent, ctx, r, auth);
    return TaskResult::Failed(MakeError("PLAN_NOT_FOUND", "plan not found", "plan_id"));
  }
  const Plan& plan = state.plans[pi];
  // 4. Authorize.
  Result<int64_t> now_r = ctx.Now();
  if (!now_r.ok()) return TaskResult::Failed(now_r.error());
  const int64_t now = now_r.value();
  const Instant now_i = Instant::FromMillis(now);
  const bool owner = plan.owner_key == auth.key;
  const Delegation* delegation = owner ? nullptr : DelegationFor(plan, auth.key, now_i);
  if (!owner && (!delegation || !delegation->ActiveAt(now_i)))
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the caller's delegation on this plan is not active"));
  const std::string tool = *r.find_string("tool");
  if (legacy && IsReadOnlyTool(tool)) {
    // 10 §3.3.1 (R13): 6.11 governs reads too; they commit no spend, so they are
    // answered without evaluation or record (the id counter still advances).
    Result<std::string> id = ctx.NewId("chk", Ids::Taken(state.check_by_id));
    if (!id.ok()) return TaskResult::Failed(id.error());
    const std::string configured = ConfiguredMode(agent, plan);
    return TaskResult::Completed(json::Obj(
        {{"check_id", id.value()},
         {"check_type", "intent"},
         {"verdict", "approved"},
         {"plan_id", plan_id},
         {"explanation", "Read-only task; not evaluated."},
         {"categories_evaluated", json::Value::MakeArray()},
         {"policies_evaluated", json::Value::MakeArray()},
         {"mode", plan.effective_human_review ? "enforce" : configured},
         {"expires_at", FormatMillis(now + agent.config.intent_token_ttl_seconds * 1000)}}));
  }
  // 5.
  if (plan.status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError("CAMPAIGN_SUSPENDED", "the plan is suspended"));
  const std::string purchase_type = r.find_string("purchase_type") ? *r.find_string("purchase_type")
                                    : legacy                       ? LegacyPurchaseType(tool)
                                                                   : "media_buy";
  // A 3.0-era intent may name no seller: the action stays unbound until its
  // first execution check (10 §3.3.2, R1).
  const std::string target_agent = r.find_string("target_agent") ? *r.find_string("target_agent") : "";
  const bool unbound = target_agent.empty();
  const std::string target_key = NormalizeAgentUrl(target_agent).value_or("");
  const std::string caller = *r.find_string("caller");
  std::string claim_key;
  if (legacy) {
    // 10 §3.3.4 (R11): an identical intent claims the client's escalation.
    claim_key = ClaimKey(auth.key, NormalizeAgentUrl(caller).value_or(""), plan, tool, purchase_type, target_key,
                         *r.find("payload"));
    auto claims = state.escalations_by_claim.find(claim_key);
    if (claims != state.escalations_by_claim.end()) {
      const int32_t ei = claims->second.back();  // the most recently created
      const Escalation& e = state.escalations[ei];
      const bool fresh = e.resolved_at_ms && now - *e.resolved_at_ms <= agent.config.consultation_ttl_seconds * 1000;
      if (!e.resolution) {
        TaskResult pending;
        pending.kind = TaskResult::kSubmitted;
        pending.task_id = e.task_id;
        return pending;
      }
      if (!e.claimed && fresh) {
        if (*e.resolution == "approved_by_human") {
          Status minted = MintDeferredToken(ctx, e.check);
          if (!minted.ok()) return TaskResult::Failed(minted.error());
        }
        ctx.store().ClaimEscalation(ei);
        return TaskResult::Completed(CheckBodyOf(state.checks[e.check]));
      }
    }
  }
  // 6. Consultation handle.
  int32_t chain = kNone;
  int64_t attempt = 1;
  if (legacy && !r.has("consultation_context") && ctx.legacy.threaded_context) {
    // 10 §3.3.3 (R2): a threaded governance_context continues a matching open
    // chain; any other value is ignored, never an error.
    auto it = state.consultation_by_handle.find(*ctx.legacy.threaded_context);
    if (it != state.consultation_by_handle.end()) {
      const Consultation& c = state.consultations[it->second];
      if (c.open && c.agent_key == auth.key && c.caller_key == auth.key && c.plan == pi && c.tool == tool &&
          c.purchase_type == purchase_type && c.target_key == target_key &&
          now < c.start_ms + agent.config.consultation_ttl_seconds * 1000) {
        chain = it->second;
        attempt = c.attempts + 1;
      }
    }
  }
  if (const std::string* handle = r.find_string("consultation_context")) {
    auto it = state.consultation_by_handle.find(*handle);
    const Consultation* c = it == state.consultation_by_handle.end() ? nullptr : &state.consultations[it->second];
    if (!c || !c->open || c->agent_key != auth.key || c->caller_key != auth.key || c->plan != pi || c->tool != tool ||
        c->purchase_type != purchase_type || c->target_key != target_key ||
        !(now < c->start_ms + agent.config.consultation_ttl_seconds * 1000))
      return TaskResult::Failed(Shape("consultation_context", "consultation_context does not match an open consultation"));
    chain = it->second;
    attempt = c->attempts + 1;
  }
  // 7. Inputs, amount, proposal.
  Result<RequestedScope> scope_r = ExtractIntentScope(r, now);
  if (!scope_r.ok()) return TaskResult::Failed(scope_r.error());
  const RequestedScope& scope = scope_r.value();
  Result<IntentAmount> amount_r = ExtractAmount(r, tool, plan.terms.currency);
  if (!amount_r.ok()) return TaskResult::Failed(amount_r.error());
  const std::optional<double> amount = amount_r.value().amount;
  const AmountPath& path = amount_r.value().path;
  std::string proposal_id, terms_digest;
  if (tool == "accept_proposal") {
    Status s = CheckProposal(r, &proposal_id, &terms_digest);
    if (!s.ok()) return TaskResult::Failed(s.error());
  }
  const json::Value& payload = *r.find("payload");

  // 8. Evaluate.
  Result<std::string> check_id = ctx.NewId("chk", Ids::Taken(state.check_by_id));
  if (!check_id.ok()) return TaskResult::Failed(check_id.error());
  if (agent.config.budget_holds) {
    ctx.store().ExpireHolds(pi, now);
    for (int32_t q : PortfoliosContaining(state, plan))
      for (const std::string& m : state.plans[q].terms.member_plan_ids) {
        int32_t mi = FindPlan(state, state.plans[q].owner_key, m);
        if (mi != kNone) ctx.store().ExpireHolds(mi, now);
      }
  }
  const PlanTerms& t = plan.terms;
  const PlanAggregates& g = plan.agg;
  auto sum_of = [](const std::map<std::string, ExactSum>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0.0 : it->second.Value();
  };
  const bool holds = agent.config.budget_holds;
  Evaluation ev;
  // I1
  if (plan.status == PlanStatus::kCompleted)
    ev.Finding("plan_status", "critical", "The plan is completed; no new commitments are allowed.");
  // I2
  BudgetReductionStep(agent, plan, ev);
  // I3
  if (plan.effective_human_review) {
    ev.Category("data_subject_contestation");
    if (!plan.brand.data_subject_contestation)
      ev.Finding("data_subject_contestation", "critical",
                 "The plan is under human review but the brand publishes no data-subject contestation contact.");
  }
  // I4
  if (!agent.config.industry_triggers_human_review) {
    std::vector<std::string> matched;
    for (const std::string& ind : plan.brand.industries)
      for (const char* r2 : kReviewIndustries)
        if (ind == r2) matched.push_back(ind);
    if (!matched.empty())
      ev.Finding("annex_iii_industry_advisory", "warning",
                 "The brand's industries are listed as high-risk (EU AI Act Annex III); human review is not enforced by "
                 "configuration.",
                 Details({{"industries", StringArray(matched)}}));
  }
  // I5
  if (delegation) {
    ev.Category("delegation_authority");
    if (delegation->markets) {
      std::vector<std::string> pc, pr;
      for (const std::string& m : *delegation->markets) (m.size() == 2 ? pc : pr).push_back(m);
      std::vector<std::string> bad = UnauthorizedGeo(pc, pr, scope.countries, scope.regions);
      if (!bad.empty())
        ev.Finding("delegation_authority", "critical", "Geography outside the delegation's markets.",
                   Details({{"unauthorized", StringArray(bad)}}));
    }
    if (delegation->authority == "execute_only" &&
        (tool == "update_media_buy" || tool == "control_media_buy" || tool == "update_rights") && amount &&
        *amount > 0)
      ev.Finding("delegation_authority", "critical", "An execute_only delegate cannot reallocate budget.");
  }
  // I6
  if (t.approved_sellers_is_array) {
    ev.Category("seller_compliance");
    if (unbound) {  // enforced at binding (10 §3.5.4); only "no seller at all" fails now
      if (t.approved_seller_keys.empty())
        ev.Finding("seller_compliance", "critical", "The plan allows no seller.", Details({{"target_agent", json::Value()}}));
    } else if (target_key.empty() || !ContainsString(t.approved_seller_keys, target_key)) {
      ev.Finding("seller_compliance", "critical", "The target agent is not an approved seller of this plan.",
                 Details({{"target_agent", target_agent}}));
    }
  }
  if (amount) {
    const double a = *amount;
    const double committed = LedgerCommitted(plan);
    // I7
    ev.Category("budget_authority");
    if (Exceeds(a, t.total)) {
      ev.Finding("budget_authority", "critical",
                 "Requested " + json::FormatNumber(a) + " exceeds the authorized budget of " +
                     json::FormatNumber(t.total) + ".",
                 Details({{"requested", a}, {"authorized", t.total}}));
    } else {
      ev.Cap("budget_authority", a, t.total - committed - (holds ? g.held.Value() : 0), path, "remaining plan budget");
      auto alloc = t.allocations.find(purchase_type);
      if (alloc != t.allocations.end()) {
        double used = sum_of(g.by_type, purchase_type) + (holds ? sum_of(g.held_by_type, purchase_type) : 0);
        if (alloc->second.amount)
          ev.Cap("budget_authority", a, *alloc->second.amount - used, path, "remaining " + purchase_type + " allocation");
        if (alloc->second.max_pct)
          ev.Cap("budget_authority", a, *alloc->second.max_pct / 100 * t.total - used, path,
                 purchase_type + " allocation share");
      }
    }
    // I8
    if (t.per_seller_max_pct) {
      // Unbound: no seller ledger yet, the amount alone must fit (10 §3.3.2).
      double used = unbound ? 0 : sum_of(g.by_seller, target_key) + (holds ? sum_of(g.held_by_seller, target_key) : 0);
      ev.Cap("seller_concentration", a, *t.per_seller_max_pct / 100 * t.total - used, path,
             "per-seller concentration cap");
    }
    // I9
    if (delegation && delegation->budget_limit) {
      double used = sum_of(g.by_caller, auth.key) + (holds ? sum_of(g.held_by_caller, auth.key) : 0);
      ev.Cap("delegation_authority", a, delegation->budget_limit->amount - used, path, "delegation budget limit");
    }
    // I10
    for (int32_t q : PortfoliosContaining(state, plan)) {
      const Plan& portfolio = state.plans[q];
      if (!portfolio.terms.portfolio_cap) continue;
      double used = 0;
      std::set<std::string> members(portfolio.terms.member_plan_ids.begin(), portfolio.terms.member_plan_ids.end());
      for (const std::string& m : members) {
        int32_t mi = FindPlan(state, portfolio.owner_key, m);
        if (mi == kNone) continue;
        used += LedgerCommitted(state.plans[mi]) + (holds ? state.plans[mi].agg.held.Value() : 0);
      }
      ev.Cap("portfolio_budget", a, portfolio.terms.portfolio_cap->amount - used, path,
             "portfolio " + portfolio.plan_id + " budget cap", portfolio.plan_id);
    }
  }
  // I11–I13
  ScopeSteps(plan, scope, ev);
  if (amount && !scope.channels.empty()) {  // I12 mix targets
    const double k = static_cast<double>(scope.channels.size());
    for (const std::string& ch : scope.channels) {
      auto mt = t.mix_targets.find(ch);
      if (mt == t.mix_targets.end() || !mt->second.max_pct) continue;
      auto used_it = g.channel_committed.find(ch);
      double used = (used_it == g.channel_committed.end() ? 0.0 : used_it->second.Value()) +
                    (holds ? sum_of(g.held_by_channel, ch) : 0);
      ev.Cap("channel_compliance", *amount, k * (*mt->second.max_pct / 100 * t.total - used), path,
             ch + " channel mix cap");
    }
  }
  // I14
  std::vector<Condition> hook_conditions;
  if (!plan.resolved_policies.empty() && agent.hooks.evaluate_policies) {
    ev.Category("policy_compliance");
    json::Value policies = json::Value::MakeArray();
    for (const ResolvedPolicy& rp : plan.resolved_policies) policies.push(rp.ToJson());
    json::Value hook_ctx = json::Obj({{"check_id", check_id.value()},
                                      {"plan_id", plan.plan_id},
                                      {"plan_hash", plan.plan_hash},
                                      {"plan", *plan.plan},
                                      {"resolved_policies", std::move(policies)},
                                      {"inline_policies", InlinePolicies(state, plan)},
                                      {"tool", tool},
                                      {"payload", payload},
                                      {"purchase_type", purchase_type},
                                      {"target_agent", target_agent},
                                      {"caller", caller},
                                      {"amount", amount ? json::Value(*amount) : json::Value()},
                                      {"currency", t.currency}});
    std::string ctx_json = json::Write(hook_ctx);
    Result<json::Value> res =
        ctx.CallJsonHook("evaluatePolicies", [&] { return agent.hooks.evaluate_policies(ctx_json); });
    if (!res.ok()) return TaskResult::Failed(res.error());
    json::Value out = res.value();
    if (!out.is_object()) return TaskResult::Failed(HookFailure("evaluatePolicies", "result must be an object"));
    if (json::Value* fs = out.find("findings")) {
      if (!fs->is_array()) return TaskResult::Failed(HookFailure("evaluatePolicies", "findings must be an array"));
      for (json::Value& f : fs->as_array()) {
        if (!ValidHookFinding(f)) return TaskResult::Failed(HookFailure("evaluatePolicies", "malformed finding"));
        ev.Category(*f.find_string("category_id"));
        ev.findings.push(f);
      }
    }
    if (const json::Value* cs = out.find("conditions")) {
      if (!cs->is_array()) return TaskResult::Failed(HookFailure("evaluatePolicies", "conditions must be an array"));
      for (const json::Value& c : cs->as_array()) {
        const std::string* field = c.find_string("field");
        const std::string* reason = c.find_string("reason");
        if (!c.is_object() || !field || !reason) return TaskResult::Failed(HookFailure("evaluatePolicies", "malformed condition"));
        for (const json::Member& m : c.as_object())
          if (m.first != "field" && m.first != "reason" && m.first != "required_value")
            return TaskResult::Failed(HookFailure("evaluatePolicies", "malformed condition"));
        Condition cond;
        cond.field = *field;
        cond.reason = *reason;
        if (const json::Value* rv = c.find("required_value")) cond.hook_required_value = *rv;
        ev.AddCondition(std::move(cond));
      }
    }
  }
  // I15 runtime attestations (03 §9).
  json::Value evaluations = json::Value::MakeArray();
  json::Value runtime_pairs = json::Value::MakeArray();
  std::string binding_digest;
  const std::string* action_field = payload.find_string("action");
  const bool attestations_apply = agent.config.signal_attestations_enabled && tool == "activate_signal" &&
                                  (!payload.has("action") || (action_field && *action_field == "activate"));
  if (attestations_apply) {
    ev.Category("signal_quality");
    const bool required = agent.config.signal_attestation_requirement == "required";
    const json::Array* refs = r.find_array("runtime_attestations");
    if (!refs && required)
      ev.Finding("signal_quality", "critical", "A runtime attestation is required for this signal activation.");
    if (refs) {
      json::Value known = json::Obj({{"type", "resource"},
                                     {"resource_type", kSignalSubject},
                                     {"namespace", target_agent},
                                     {"id", payload.find("signal_agent_segment_id") ? *payload.find("signal_agent_segment_id")
                                                                                  : json::Value()}});
      json::Value claim_types = StringArray(agent.config.signal_attestation_claim_types);
      for (const json::Value& ref : *refs) {
        std::string digest = canon::PrefixedHexDigest(ref);
        json::Value e;
        if (agent.hooks.evaluate_attestation) {
          json::Value actx = json::Obj({{"check_id", check_id.value()},
                                        {"plan_hash", plan.plan_hash},
                                        {"known_subject", known},
                                        {"claim_types", claim_types},
                                        {"now", FormatMillis(now)}});
          std::string ref_json = json::Write(ref), ctx_json = json::Write(actx);
          Result<json::Value> res = ctx.CallJsonHook(
              "evaluateAttestation", [&] { return agent.hooks.evaluate_attestation(ref_json, ctx_json); });
          if (!res.ok()) return TaskResult::Failed(res.error());
          e = res.value();
          if (!e.is_object()) return TaskResult::Failed(HookFailure("evaluateAttestation", "result must be an object"));
        } else {
          e = json::Obj({{"outcome", "unverifiable"}});
        }
        e.put("reference_digest", digest);
        if (!e.has("evaluated_at")) e.set("evaluated_at", FormatMillis(now));
        if (!e.has("evaluated_by")) e.set("evaluated_by", agent.config.issuer);
        e.put("action_binding", json::Obj({{"action_type", "https://adcontextprotocol.org/actions/governance-check"},
                                           {"action_id", check_id.value()}}));
        const std::string* outcome = e.find_string("outcome");
        if (outcome && *outcome == "verified") {
          const json::Value* subject = ref.find("subject");
          const std::string* claim = ref.find_string("claim_type");
          if (!subject || json::Canonicalize(*subject) != json::Canonicalize(known))
            e.put("outcome", "subject_mismatch");
          else if (!claim || !ContainsString(agent.config.signal_attestation_claim_types, *claim))
            e.put("outcome", "unsupported");
        }
        if (schema::Validate(schema::AttestationEvaluation(), e))
          return TaskResult::Failed(HookFailure("evaluateAttestation", "result is not a valid attestation evaluation"));
        outcome = e.find_string("outcome");
        if (*outcome != "verified") {
          json::Value& f = ev.Finding("signal_quality", required ? "critical" : "warning",
                                      "Runtime attestation outcome: " + *outcome + ".");
          f.set("attestation_reference_digest", digest);
        }
        evaluations.push(e);
        runtime_pairs.push(json::Obj({{"reference", ref}, {"evaluation", e}}));
      }
    }
  }
  // I16
  OversightDriftStep(agent, plan, ev);
  // I17 human-review triggers (03 §5.3).
  ev.Category("human_review");
  std::vector<std::string> triggers;
  bool h4 = false;
  {
    if (plan.effective_human_review) {
      std::string why = "plan requires human review";
      if (!plan.human_review_reasons.empty()) {
        why += " (";
        for (size_t i = 0; i < plan.human_review_reasons.size(); ++i) why += (i ? ", " : "") + plan.human_review_reasons[i];
        why += ")";
      }
      triggers.push_back(why);
    }
    if (t.reallocation_threshold && amount) {
      double agg = *amount;
      if (agent.config.aggregation_window_days) {
        int64_t after = now - *agent.config.aggregation_window_days * 86400 * 1000;
        agg += unbound ? WindowSumAnySeller(state, plan.owner_key, AccountKey(payload), after)
                       : WindowSum(state, AggregationKey(plan.owner_key, target_key, AccountKey(payload)), after);
      }
      if (Exceeds(agg, *t.reallocation_threshold))
        triggers.push_back("commitment " + json::FormatNumber(agg) + " exceeds the reallocation threshold " +
                           json::FormatNumber(*t.reallocation_threshold));
    }
    if (delegation && delegation->authority == "propose_only") triggers.push_back("caller is a propose_only delegate");
    int criticals = 0, low = 0;
    for (const json::Value& f : ev.findings.as_array()) {
      if (*f.find_string("severity") != "critical") continue;
      ++criticals;
      const double* conf = f.find_number("confidence");
      if (conf && *conf < agent.config.low_confidence_threshold) ++low;
    }
    h4 = criticals > 0 && low == criticals;
  }
  // 03 §5.4 verdict.
  bool hard = false;
  for (const json::Value& f : ev.findings.as_array()) {
    if (*f.find_string("severity") != "critical") continue;
    const double* conf = f.find_number("confidence");
    hard = hard || !conf || *conf >= agent.config.low_confidence_threshold;
  }
  std::string verdict;
  bool escalate = false;
  std::string recommendation;
  if (hard) {
    verdict = "denied";
  } else if (!ev.conditions.empty()) {
    verdict = "conditions";
  } else if (h4) {
    escalate = true;
    recommendation = "deny";
  } else if (!triggers.empty()) {
    escalate = true;
    recommendation = "approve";
  } else {
    verdict = "approved";
  }
  if (h4) triggers.push_back("every critical finding has low confidence");
  if (verdict == "conditions" && attempt >= agent.config.max_consultation_attempts) {
    verdict = "denied";
    ev.Finding("consultation_retry_limit", "critical",
               "The consultation reached " + std::to_string(agent.config.max_consultation_attempts) + " attempts.",
               Details({{"attempts", attempt}}));
  }
  if (const json::Value* ext = r.find_object("ext"); ext && escalate && recommendation == "approve") {
    if (const json::Value* approval = ext->find_object("human_approval")) {
      Result<bool> verified = VerifyHumanApproval(ctx, *approval, plan, caller, tool, *r.find("payload"), ev);
      if (!verified.ok()) return TaskResult::Failed(verified.error());
      if (verified.value()) {
        escalate = false;
        verdict = "approved";
      }
    }
  }
  const std::string configured = ConfiguredMode(agent, plan);
  const std::string effective = plan.effective_human_review ? "enforce" : configured;
  std::vector<Condition> conditions = ev.conditions;
  ApplyMode(configured, effective, &verdict, &escalate, &conditions, ev);

  // Build the check record.
  Check c;
  c.check_id = check_id.value();
  c.plan = pi;
  c.intent = true;
  c.phase = "intent";
  c.plan_version = plan.version;
  c.plan_hash = plan.plan_hash;
  c.caller = caller;
  c.caller_key = auth.key;
  c.tool = tool;
  c.purchase_type = purchase_type;
  c.target_agent = target_agent;
  c.mode = effective;
  c.dialect = DialectName(ctx.dialect);
  if (const json::Value* context = r.find_object("context")) c.context = *context;
  c.amount = amount;
  c.created_ms = now;
  c.payload_hash = canon::PayloadHash(payload);
  c.intent_channels = scope.channels;
  c.intent_countries = scope.countries;
  c.intent_regions = scope.regions;
  c.intent_start = scope.start_raw;
  c.intent_end = scope.end_raw;
  c.account_key = AccountKey(payload);
  if (!proposal_id.empty()) {
    c.proposal_id = proposal_id;
    c.terms_digest = terms_digest;
  }
  if (runtime_pairs.size() > 0) {
    c.runtime_attestations = runtime_pairs;
    json::Value digest_findings = json::Value::MakeArray();
    for (const json::Value& f : ev.findings.as_array())
      if (f.has("attestation_reference_digest")) digest_findings.push(f);
    binding_digest =
        canon::PrefixedHexDigest(json::Obj({{"evaluations", evaluations}, {"findings", std::move(digest_findings)}}));
  }
  json::Value policies_evaluated = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) policies_evaluated.push(rp.policy_id);
  json::Value parts = json::Obj({{"plan_id", plan_id},
                                 {"findings", ev.findings},
                                 {"categories_evaluated", StringArray(ev.categories)},
                                 {"policies_evaluated", std::move(policies_evaluated)}});
  if (runtime_pairs.size() > 0) {
    parts.set("runtime_attestation_evaluations", evaluations);
    parts.set("runtime_attestation_binding_digest", binding_digest);
  }

  // Ids in the order of 03 §3 step 8: consult | task | gb, then jti.
  BodyExtras extras;
  std::string new_handle, task_id;
  std::optional<MintedAction> minted;
  if (!escalate && verdict == "conditions") {
    if (chain != kNone) {
      extras.consultation_context = state.consultations[chain].handle;
    } else {
      Result<std::string> h = ctx.NewId("consult", Ids::Taken(state.consultation_by_handle));
      if (!h.ok()) return TaskResult::Failed(h.error());
      new_handle = h.value();
      extras.consultation_context = new_handle;
    }
    extras.conditions = conditions;
  } else if (escalate) {
    Result<std::string> id = ctx.NewId("task", Ids::Taken(state.escalation_by_task));
    if (!id.ok()) return TaskResult::Failed(id.error());
    task_id = id.value();
  } else if (verdict == "approved") {
    Result<MintedAction> m = PrepareIntentApproval(ctx, state, c, ev.findings, binding_digest);
    if (!m.ok()) return TaskResult::Failed(m.error());
    minted = std::move(m.value());
  }

  // Write (nothing below can fail).
  Store& store = ctx.store();
  c.verdict = escalate ? "" : verdict;
  c.pending = escalate;
  c.attempt = attempt;
  if (!new_handle.empty()) {
    Consultation chain_rec;
    chain_rec.handle = new_handle;
    chain_rec.agent_key = auth.key;
    chain_rec.caller_key = auth.key;
    chain_rec.target_key = target_key;
    chain_rec.plan = pi;
    chain_rec.tool = tool;
    chain_rec.purchase_type = purchase_type;
    chain_rec.start_ms = now;
    chain_rec.attempts = 1;
    c.consultation = store.AddConsultation(std::move(chain_rec));
  } else if (chain != kNone) {
    c.consultation = chain;
    store.UpdateConsultation(chain, attempt, state.consultations[chain].open && (escalate || verdict == "conditions"));
  }
  const int32_t ci = store.AddCheck(std::move(c));
  const Check& rec = state.checks[ci];
  if (escalate) {
    Escalation e;
    e.task_id = task_id;
    e.check = ci;
    for (size_t i = 0; i < triggers.size(); ++i) e.reason += (i ? "; " : "") + triggers[i];
    e.recommendation = recommendation;
    e.created_ms = now;
    if (legacy) {
      e.dialect = DialectName(ctx.dialect);
      e.claim_key = claim_key;
    }
    store.AddEscalation(std::move(e), json::Write(parts));  // the body is completed at resolution (03 §7)
    TaskResult result;
    result.kind = TaskResult::kSubmitted;
    result.task_id = task_id;
    return result;
  }
  if (minted) store.ApproveIntent(ci, std::move(minted->action), std::move(minted->token), minted->exp_ms);
  json::Value body = CheckBody(agent.config, rec, parts, extras);
  store.FinalizeCheck(ci, now, body);
  return TaskResult::Completed(std::move(body));
}

// ------------------------------------------------------------- execution ---

TaskResult RunExecution(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  const State& state = ctx.state();
  const bool legacy = ctx.is_legacy();
  const std::string* token = r.find_string("governance_context");
  // 3. Resolve.
  int32_t presented = kNone;
  if (token) {
    auto tok = state.check_by_token.find(TokenKey(*token));
    if (tok == state.check_by_token.end())
      return TaskResult::Failed(Shape("governance_context", "governance_context is not a token issued by this agent"));
    presented = tok->second;
  } else {
    // 10 §3.5.1 (R3): a tokenless 3.0 seller check names its media buy; only
    // actions already bound to this caller are candidates.
    const json::Value* pd0 = r.find_object("planned_delivery");
    const std::string* mb = pd0 ? pd0->find_string("media_buy_id") : nullptr;
    const std::string* pid = r.find_string("plan_id");
    auto it = mb && pid ? state.actions_by_media_buy.find(JoinKey(JoinKey(auth.key, *pid), *mb))
                        : state.actions_by_media_buy.end();
    if (it == state.actions_by_media_buy.end() || it->second.size() != 1)
      return TaskResult::Failed(Shape("governance_context", "governance_context is required (no single bound media buy matches)"));
    const Action& found = state.actions[it->second[0]];
    presented = found.latest_exec_check != kNone ? found.latest_exec_check : found.intent_check;
  }
  const Check& issuer_check = state.checks[presented];
  const int32_t ai = issuer_check.action;
  const Action& action = state.actions[ai];
  const int32_t pi = action.plan;
  const Plan& plan = state.plans[pi];
  if (const std::string* pid = r.find_string("plan_id"); pid && *pid != plan.plan_id)
    return TaskResult::Failed(Shape("plan_id", "plan_id does not match the governance_context's plan"));
  // 4. Authorize.
  Result<int64_t> now_r = ctx.Now();
  if (!now_r.ok()) return TaskResult::Failed(now_r.error());
  const int64_t now = now_r.value();
  // An unbound 3.0-era action: any authenticated caller may attempt; the
  // first approved execution check binds it (10 §3.5.3–§3.5.4, R1).
  const bool unbound = legacy && action.target_key.empty() && action.target_agent.empty();
  if (token && issuer_check.expires_at_ms <= now)
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the governance_context has expired", "governance_context"));
  if (token && state.revocation_by_check.count(presented))
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the governance_context was revoked", "governance_context"));
  if (!unbound && (action.target_key.empty() || auth.key != action.target_key))
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "the caller is not the audience of this governance_context"));
  // 5.
  if (plan.status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError("CAMPAIGN_SUSPENDED", "the plan is suspended"));
  const std::string phase = PhaseOf(r);
  json::Value pd = *r.find("planned_delivery");
  if (legacy && (phase == "modification" || phase == "delivery") && !pd.has("media_buy_id")) {
    // 10 §3.5.2: 6.11 drops media_buy_id next to a modification_summary.
    if (action.media_buy_id.empty())
      return TaskResult::Failed(Shape("planned_delivery.media_buy_id", "modification and delivery checks need planned_delivery.media_buy_id"));
    pd.set("media_buy_id", action.media_buy_id);
  }
  const json::Value* metrics = r.find_object("delivery_metrics");
  const bool legacy_metrics = legacy && metrics && !HasStatementFields(metrics);
  const bool incremental = IsIncrementalTool(action.tool);
  // 7. Amount and statement validation.
  std::optional<double> x;
  std::string x_currency;
  if (phase == "purchase" || phase == "modification") {
    const json::Value* ec = r.find_object("execution_commitment");
    if (incremental && !ec && !legacy)
      return TaskResult::Failed(Shape("execution_commitment", "execution_commitment is required for an incremental action"));
    if (!incremental && ec)
      return TaskResult::Failed(Shape("execution_commitment", "execution_commitment applies only to incremental actions"));
    if (ec) {
      x = *ec->find_number("amount");
      x_currency = *ec->find_string("currency");
    } else if (const double* tb = pd.find_number("total_budget"); tb && !(legacy && incremental)) {
      // Legacy incremental actions: a new total cannot be compared with a delta
      // ceiling, so E6 is not applied and exec(A) not set (10 §3.5.6).
      x = *tb;
      x_currency = *pd.find_string("currency");
    }
  }
  std::optional<Statement> statement;
  std::string seller_reference;
  if (phase == "delivery" && legacy_metrics) {
    // 10 §3.5.5 (R6): evaluated, not sequenced, digested or replay-protected.
    if (const std::string* cur = pd.find_string("currency"); cur && *cur != plan.terms.currency)
      return TaskResult::Failed(Shape("planned_delivery.currency", "planned_delivery.currency must equal the plan currency"));
  } else if (phase == "delivery" && metrics) {
    const json::Value& m = *metrics;
    seller_reference = *pd.find_string("media_buy_id");
    if (*m.find_string("currency") != plan.terms.currency)
      return TaskResult::Failed(Shape("delivery_metrics.currency", "delivery currency must equal the plan currency"));
    const std::string digest = *m.find_string("statement_digest");
    if (digest != canon::StatementDigest(seller_reference, m))
      return TaskResult::Failed(Shape("delivery_metrics.statement_digest", "statement_digest does not match the statement"));
    const std::string& statement_id = *m.find_string("statement_id");
    auto prior = state.statement_by_id.find(JoinKey(auth.key, statement_id));
    if (prior != state.statement_by_id.end()) {
      const Check& earlier = state.checks[prior->second];
      if (earlier.statement->statement_digest == digest && earlier.action == ai) {
        TaskResult replay = TaskResult::Completed(CheckBodyOf(earlier));
        replay.replayed = true;
        return replay;
      }
      return TaskResult::Failed(MakeError("CONFLICT", "statement_id was already used with different content"));
    }
    Statement s;
    s.statement_id = statement_id;
    s.statement_digest = digest;
    s.sequence = static_cast<int64_t>(*m.find_number("sequence"));
    const json::Value& period = *m.find("reporting_period");
    s.period_start_raw = *period.find_string("start");
    s.period_end_raw = *period.find_string("end");
    s.period_start = *ParseDateTime(s.period_start_raw);
    s.period_end = *ParseDateTime(s.period_end_raw);
    s.cumulative_spend = *m.find_number("cumulative_spend");
    auto per = action.periods.find(PeriodKey(s.period_start, s.period_end));
    if (per != action.periods.end() && per->second.closed)
      return TaskResult::Failed(MakeError("CONFLICT", "this reporting period was closed by the buyer"));
    if (s.sequence <= action.highest_sequence)
      return TaskResult::Failed(MakeError("CONFLICT", "sequence must be higher than the action's last statement"));
    statement = std::move(s);
  }

  // 8. Evaluate.
  Result<std::string> check_id = ctx.NewId("chk", Ids::Taken(state.check_by_id));
  if (!check_id.ok()) return TaskResult::Failed(check_id.error());
  const PlanTerms& t = plan.terms;
  const Instant now_i = Instant::FromMillis(now);
  Evaluation ev;
  if (plan.status == PlanStatus::kCompleted && phase != "delivery")  // E1
    ev.Finding("plan_status", "critical", "The plan is completed; no new commitments are allowed.");
  const RequestedScope scope = ScopeOfPlannedDelivery(pd);
  if (action.caller_key != plan.owner_key) {  // E2
    ev.Category("delegation_authority");
    const Delegation* d = DelegationFor(plan, action.caller_key, now_i);
    if (!d || !d->ActiveAt(now_i)) {
      ev.Finding("delegation_authority", "critical", "The delegation that authorized this action is no longer active.");
    } else if (d->markets) {
      std::vector<std::string> pc, pr;
      for (const std::string& m : *d->markets) (m.size() == 2 ? pc : pr).push_back(m);
      std::vector<std::string> bad = UnauthorizedGeo(pc, pr, scope.countries, scope.regions);
      if (!bad.empty())
        ev.Finding("delegation_authority", "critical", "Planned geography outside the delegation's markets.",
                   Details({{"unauthorized", StringArray(bad)}}));
    }
  }
  if (unbound) {
    // B1, B2 (10 §3.5.4) in place of E3.
    const std::string& caller = *r.find_string("caller");
    if (t.approved_sellers_is_array) {
      ev.Category("seller_compliance");
      if (!ContainsString(t.approved_seller_keys, auth.key))
        ev.Finding("seller_compliance", "critical", "The seller is not an approved seller of this plan.",
                   Details({{"target_agent", caller}}));
    }
    std::optional<double> ceiling_a = action.exec ? action.exec : action.ceiling;
    if (t.per_seller_max_pct && ceiling_a) {
      auto used_it = plan.agg.by_seller.find(auth.key);
      const double used = used_it == plan.agg.by_seller.end() ? 0 : used_it->second.Value();
      const double cap = *t.per_seller_max_pct / 100 * t.total - used;
      ev.Category("seller_concentration");
      if (Exceeds(*ceiling_a, cap))
        ev.Finding("seller_concentration", "critical", "The action exceeds the per-seller concentration cap for this seller.",
                   Details({{"requested", *ceiling_a}, {"cap", cap}}));
    }
  } else if (t.approved_sellers_is_array) {  // E3
    ev.Category("seller_compliance");
    if (!ContainsString(t.approved_seller_keys, action.target_key))
      ev.Finding("seller_compliance", "critical", "The seller is no longer an approved seller of this plan.",
                 Details({{"target_agent", action.target_agent}}));
  }
  if (action.proposal_id) {  // E4
    ev.Category("proposal_binding");
    const std::string* pid = pd.find_string("proposal_id");
    const std::string* ptd = pd.find_string("proposal_terms_digest");
    if (!pid || *pid != *action.proposal_id || !ptd || *ptd != *action.terms_digest)
      ev.Finding("proposal_binding", "critical", "The planned delivery is not bound to the authorized proposal.");
  }
  ScopeSteps(plan, scope, ev);  // E5
  if (x) {  // E6
    ev.Category("budget_authority");
    double own = action.settlement != kNone && !action.failed ? action.net_committed() : 0;
    double committed = LedgerCommitted(plan);
    if (x_currency != action.currency || x_currency != t.currency)
      ev.Finding("budget_authority", "critical", "The execution amount's currency differs from the plan currency.",
                 Details({{"currency", x_currency}}));
    else if (!action.ceiling)
      ev.Finding("budget_authority", "critical", "The action was authorized without an amount.");
    else if (Exceeds(*x, *action.ceiling))
      ev.Finding("budget_authority", "critical",
                 "Execution amount " + json::FormatNumber(*x) + " exceeds the authorized ceiling " +
                     json::FormatNumber(*action.ceiling) + ".",
                 Details({{"requested", *x}, {"ceiling", *action.ceiling}}));
    else if (Exceeds(*x, t.total - (committed - own)))
      ev.Finding("budget_authority", "critical", "Execution amount exceeds the plan budget left.",
                 Details({{"requested", *x}, {"remaining", t.total - (committed - own)}}));
  }
  json::Value delivery_statement;
  if (statement || (phase == "delivery" && legacy_metrics)) {  // E7 (03 §5.6; 10 §3.5.5 without a statement)
    const json::Value& m = *metrics;
    ev.Category("delivery_pacing");
    std::optional<double> committed_a = action.settlement != kNone ? std::optional<double>(action.gross)
                                        : action.exec                ? action.exec
                                                                     : action.ceiling;
    std::optional<double> cumulative_spend;
    if (statement) cumulative_spend = statement->cumulative_spend;
    else if (const double* cs = m.find_number("cumulative_spend")) cumulative_spend = *cs;
    const Instant period_end = statement ? statement->period_end
                                         : *ParseDateTime(*m.find("reporting_period")->find_string("end"));
    if (committed_a && cumulative_spend && Exceeds(*cumulative_spend, *committed_a))
      ev.Finding("delivery_pacing", "critical", "Cumulative spend exceeds the committed amount.",
                 Details({{"cumulative_spend", *cumulative_spend}, {"committed", *committed_a}}));
    if (const json::Value* geo = m.find_object("geo_distribution"); geo && (t.countries || t.regions)) {
      ev.Category("geo_compliance");
      std::vector<std::string> allowed = AllowedCountries(t.countries, t.regions);
      double outside = 0;
      for (const json::Member& g : geo->as_object())
        if (!ContainsString(allowed, g.first)) outside += g.second.as_number();
      if (Exceeds(outside, agent.config.geo_drift_tolerance_pct))
        ev.Finding("geo_compliance", "critical", "Delivery outside authorized markets exceeds the tolerance.",
                   Details({{"actual_distribution", *geo}, {"unauthorized_pct", outside}}));
    }
    if (const json::Value* chd = m.find_object("channel_distribution")) {
      if (t.channels_allowed) {
        ev.Category("channel_compliance");
        double outside = 0;
        for (const json::Member& c : chd->as_object())
          if (!ContainsString(*t.channels_allowed, c.first)) outside += c.second.as_number();
        if (Exceeds(outside, 0))
          ev.Finding("channel_compliance", "critical", "Delivery in channels the plan does not allow.",
                     Details({{"actual_distribution", *chd}, {"unauthorized_pct", outside}}));
      }
      if (!t.mix_targets.empty()) {
        ev.Category("channel_compliance");
        for (const auto& mt : t.mix_targets) {
          const double* share = chd->find_number(mt.first);
          double v = share ? *share : 0;
          bool low = mt.second.min_pct && v < *mt.second.min_pct - kEpsilon;
          bool high = mt.second.max_pct && Exceeds(v, *mt.second.max_pct);
          if (low || high) {
            json::Value d = Details({{"channel", mt.first}, {"actual_pct", v}});
            if (mt.second.min_pct) d.set("min_pct", *mt.second.min_pct);
            if (mt.second.max_pct) d.set("max_pct", *mt.second.max_pct);
            ev.Finding("channel_compliance", "warning", "Channel " + mt.first + " is outside its mix target.", std::move(d));
          }
        }
      }
    }
    if (const std::string* pacing = m.find_string("pacing"); pacing && (*pacing == "ahead" || *pacing == "behind")) {
      // Pacing measured against flight time elapsed (project addition to the
      // seller's own label): expected spend at the period end, deviation and
      // projected exhaustion of the committed amount.
      json::Value d = Details({{"pacing", *pacing}});
      const Check* exec_check = action.latest_exec_check != kNone ? &state.checks[action.latest_exec_check] : nullptr;
      RequestedScope window = exec_check && exec_check->planned_delivery ? ScopeOfPlannedDelivery(*exec_check->planned_delivery)
                                                                         : RequestedScope{};
      Instant start = window.start ? *window.start : t.flight_start;
      Instant end = window.end ? *window.end : t.flight_end;
      double span = static_cast<double>(end.FloorMillis() - start.FloorMillis());
      double elapsed = static_cast<double>(period_end.FloorMillis() - start.FloorMillis());
      if (committed_a && cumulative_spend && span > 0 && elapsed > 0) {
        double fraction = std::min(1.0, elapsed / span);
        double expected = *committed_a * fraction;
        d.set("expected_spend", Round2(expected));
        if (expected > 0) d.set("pace_deviation_pct", Round2((*cumulative_spend / expected - 1) * 100));
        if (*cumulative_spend > 0) {
          double ms_to_exhaust = elapsed * (*committed_a / *cumulative_spend);
          double at = static_cast<double>(start.FloorMillis()) + ms_to_exhaust;
          if (at < 253402300799999.0) d.set("projected_exhaustion_at", FormatMillis(static_cast<int64_t>(at)));
        }
      }
      ev.Finding("delivery_pacing", "warning", "The seller reports delivery " + *pacing + " of plan.", std::move(d));
    }
    if (action.next_check_ms && *action.next_check_ms < now)
      ev.Finding("delivery_pacing", "warning", "The previous delivery report was due earlier.",
                 Details({{"missed_next_check", FormatMillis(*action.next_check_ms)}}));
    if (statement)
    delivery_statement = json::Obj({{"statement_id", statement->statement_id},
                                    {"statement_digest", statement->statement_digest},
                                    {"sequence", statement->sequence},
                                    {"issued_at", *m.find("issued_at")},
                                    {"seller_reference", seller_reference},
                                    {"reporting_period", *m.find("reporting_period")},
                                    {"cumulative_spend", statement->cumulative_spend},
                                    {"currency", *m.find("currency")},
                                    {"canonical_payload", json::Obj({{"seller_reference", seller_reference},
                                                                     {"delivery_metrics", m}})}});
  }
  BudgetReductionStep(agent, plan, ev);  // E8
  OversightDriftStep(agent, plan, ev);
  std::string verdict = ev.HasCritical() ? "denied" : "approved";
  const std::string configured = ConfiguredMode(agent, plan);
  const std::string effective = plan.effective_human_review ? "enforce" : configured;
  bool escalate = false;
  std::vector<Condition> none;
  ApplyMode(configured, effective, &verdict, &escalate, &none, ev);

  Check c;
  c.check_id = check_id.value();
  c.plan = pi;
  c.intent = false;
  c.phase = phase;
  c.plan_version = plan.version;
  c.plan_hash = plan.plan_hash;
  c.caller = *r.find_string("caller");
  c.caller_key = auth.key;
  c.tool = action.tool;
  c.purchase_type = action.purchase_type;
  c.target_agent = action.target_agent;
  c.verdict = verdict;
  c.mode = effective;
  c.presented_check = presented;
  c.action = ai;
  c.created_ms = now;
  c.planned_delivery = pd;
  c.dialect = DialectName(ctx.dialect);
  if (legacy_metrics) c.legacy_metrics = *metrics;
  if (statement) c.statement = std::make_shared<const Statement>(*statement);
  if (const json::Value* context = r.find_object("context")) c.context = *context;
  if (x) c.amount = x;
  json::Value policies_evaluated = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) policies_evaluated.push(rp.policy_id);
  json::Value parts = json::Obj({{"findings", ev.findings},
                                 {"categories_evaluated", StringArray(ev.categories)},
                                 {"policies_evaluated", std::move(policies_evaluated)}});
  BodyExtras extras;
  if (statement) extras.delivery_statement = delivery_statement;
  std::string new_token;
  int64_t exp_ms = 0;
  if (verdict == "approved") {
    Result<std::string> jti = ctx.NewJti();
    if (!jti.ok()) return TaskResult::Failed(jti.error());
    TokenSpec ts;
    ts.sub = action.action_id;
    ts.plan_hash = plan.plan_hash;
    ts.aud = unbound ? c.caller : action.target_agent;  // binding happens with this approval
    ts.iat = now / 1000;
    ts.exp = ts.iat + agent.config.execution_token_ttl_seconds;
    ts.jti = jti.value();
    ts.phase = phase;
    ts.caller = c.caller;
    ts.check_id = c.check_id;
    if (const std::string* mb = pd.find_string("media_buy_id")) ts.media_buy_id = *mb;
    if (phase != "delivery" && (x || action.ceiling)) {
      ts.commitment_amount = x ? *x : *action.ceiling;
      ts.commitment_currency = t.currency;
    }
    ts.policy_decision_hash = PolicyDecisionHash(plan, ev.findings);
    Result<std::string> signed_token = SignToken(ctx, ts);
    if (!signed_token.ok()) return TaskResult::Failed(signed_token.error());
    new_token = signed_token.value();
    exp_ms = ts.exp * 1000;
    if (agent.config.delivery_reporting_interval_seconds > 0)
      extras.next_check_ms = now + agent.config.delivery_reporting_interval_seconds * 1000;
  }

  // Write.
  Store& store = ctx.store();
  if (verdict == "approved") {
    c.issued_token = new_token;
    c.expires_at_ms = exp_ms;
  }
  const std::string caller_url = c.caller;
  const int32_t ci = store.AddCheck(std::move(c));
  if (verdict == "approved") {
    if (unbound) store.BindAction(ai, caller_url, auth.key, now);  // first-use binding (10 §3.5.4)
    if (extras.next_check_ms) store.SetNextCheck(ai, *extras.next_check_ms);
    if (const std::string* mb = pd.find_string("media_buy_id")) store.RecordMediaBuy(ai, *mb);
    if (phase == "purchase" || phase == "modification") store.ConfirmExecution(ai, ci, x, exp_ms, now);
  }
  if (statement) store.RecordStatement(ci);
  json::Value body = CheckBody(agent.config, state.checks[ci], parts, extras);
  store.FinalizeCheck(ci, now, body);
  return TaskResult::Completed(std::move(body));
}

}  // namespace

TaskResult RunCheckGovernance(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError("PERMISSION_DENIED", "authentication required"));
  if (std::optional<TaskError> e = ctx.is_legacy() ? LegacyShapeRules(request, agent.config)
                                                   : ShapeRules(request, agent.config))
    return TaskResult::Failed(*e);
  if (std::optional<schema::Failure> f = schema::Validate(schema::CheckGovernanceRequest(), request))
    return TaskResult::Failed(SchemaError("VALIDATION_ERROR", *f));
  std::optional<std::string> caller_key = NormalizeAgentUrl(*request.find_string("caller"));
  if (!caller_key || *caller_key != auth.key)
    return TaskResult::Failed(MakeError("PERMISSION_DENIED", "caller does not match the authenticated agent", "caller"));
  if (request.has("tool")) return RunIntent(agent, ctx, request, auth);
  return RunExecution(agent, ctx, request, auth);
}

std::optional<TaskError> CheckGovernanceShape(const json::Value& request, const Config& config) {
  if (std::optional<TaskError> e = ShapeRules(request, config)) return e;
  if (std::optional<schema::Failure> f = schema::Validate(schema::CheckGovernanceRequest(), request))
    return SchemaError("VALIDATION_ERROR", *f);
  return std::nullopt;
}

}  // namespace adcp
