// check_governance (spec 03): intent checks (buyer, addressed by plan_id)
// and execution checks (seller, addressed by a governance_context token).
// Processing follows 03 §3; nothing is written before step 8 has produced
// the whole result (hooks and signing included). The parts: check_intent.cc,
// check_execution.cc, check_approval.cc, check_steps.cc.
#include "tasks/check_governance.h"

#include "tasks/check_internal.h"

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

using check::Shape;

bool EitherPhaseIs(const json::Value& r, std::initializer_list<const char*> values) {
  for (const char* key : {"phase", "governance_phase"})
    if (const std::string* p = r.find_string(key))
      for (const char* v : values)
        if (*p == v) return true;
  return false;
}

// 03 §2 shape rules, in table order.
Status ShapeRules(const json::Value& r, const Config& config) {
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
    return Status::Ok();
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
  return Status::Ok();
}

// 10 §3.2 classification and the 3.2 shape rules minus the relaxed ones
// (S2 without target_agent, S3 without a token, no S4/S5 statement fields,
// no S7; S10 only with a top-level invoice_recipient).
Status LegacyShapeRules(const json::Value& r, const Config& config) {
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
    return Status::Ok();
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
  return Status::Ok();
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

json::Value CheckBody(const Config& config, const State& state, const Check& c, json::Value parts, BodyExtras extras) {
  // `parts` and `extras` are the caller's to give up: their members move
  // into the body (issue 15: copying them was a share of every check).
  json::Value body = json::Obj({{"check_id", c.check_id},
                                {"check_type", c.intent ? "intent" : "execution"},
                                {"verdict", VerdictName(c.verdict)}});
  if (c.intent) body.set("plan_id", *parts.find_string("plan_id"));
  json::Value& findings = *parts.find("findings");
  body.set("explanation", Explanation(c.verdict, findings, extras.conditions));
  if (findings.size() > 0) body.set("findings", std::move(findings));
  if (c.verdict == Verdict::kConditions) {
    json::Value conds = json::Value::MakeArray();
    for (const Condition& cond : extras.conditions) conds.push(cond.ToJson());
    body.set("conditions", std::move(conds));
    body.set("consultation_context", std::move(extras.consultation_context));
  }
  body.set("categories_evaluated", std::move(*parts.find("categories_evaluated")));
  body.set("policies_evaluated", std::move(*parts.find("policies_evaluated")));
  body.set("mode", c.mode());
  if (c.verdict == Verdict::kApproved) {
    body.set("expires_at", FormatMillis(c.expires_at_ms()));
    body.set("governance_context", IssuedTokenText(state, c));
  }
  if (c.verdict == Verdict::kApproved && extras.next_check_ms) body.set("next_check", FormatMillis(*extras.next_check_ms));
  if (extras.delivery_statement) body.set("delivery_statement", std::move(*extras.delivery_statement));
  if (json::Value* evals = parts.find("runtime_attestation_evaluations")) {
    body.set("runtime_attestation_evaluations", std::move(*evals));
    body.set("runtime_attestation_binding_digest", std::move(*parts.find("runtime_attestation_binding_digest")));
  }
  if (config.compat_legacy_body_status) body.set("status", VerdictName(c.verdict));
  return body;
}

json::Value CheckBodyOf(const State& state, const Check& c) {
  json::Value stored = CheckBodyValue(c);
  if (c.pending || c.issued_token.empty()) return stored;
  json::Value body = json::Value::MakeObject();
  for (json::Member& m : stored.as_object()) {
    const bool after = m.first == "expires_at";
    body.set(std::move(m.first), std::move(m.second));
    if (after) body.set("governance_context", IssuedTokenText(state, c));
  }
  return body;
}

TaskResult RunCheckGovernance(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  Status shape = ctx.is_legacy() ? LegacyShapeRules(request, agent.config) : ShapeRules(request, agent.config);
  if (!shape.ok()) return TaskResult::Failed(shape.error());
  if (std::optional<schema::Failure> f = schema::Validate(schema::CheckGovernanceRequest(), request))
    return TaskResult::Failed(SchemaError(ErrorCode::kValidationError, *f));
  std::optional<std::string> caller_key = NormalizeAgentUrl(*request.find_string("caller"));
  if (!caller_key || *caller_key != auth.key)
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "caller does not match the authenticated agent", "caller"));
  if (request.has("tool")) return check::RunIntent(agent, ctx, request, auth);
  return check::RunExecution(agent, ctx, request, auth);
}

Status CheckGovernanceShape(const json::Value& request, const Config& config) {
  ADCP_RETURN_IF_ERROR(ShapeRules(request, config));
  if (std::optional<schema::Failure> f = schema::Validate(schema::CheckGovernanceRequest(), request))
    return SchemaError(ErrorCode::kValidationError, *f);
  return Status::Ok();
}

}  // namespace adcp
