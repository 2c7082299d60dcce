// Approvals of check_governance (03 §5.7, §10): the governed action and its
// intent token (minted at check time, at escalation resolution, or deferred
// for 3.0-era escalations), and off-protocol human approvals.
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

using check::Ids;

namespace {
// The intent token of an approved intent check for action `action_id`.
TokenSpec IntentTokenSpec(const State& state, const Check& check, std::string_view action_id,
                          const json::Value& findings, const std::string& binding_digest, int64_t now_ms,
                          int64_t ttl_seconds) {
  const Plan& plan = state.plans[check.plan];
  TokenSpec t;
  t.sub = std::string(action_id);
  t.plan_hash = check.plan_hash();
  t.aud = check.target_agent();
  t.iat = now_ms / 1000;
  t.exp = t.iat + ttl_seconds;
  t.phase = "intent";
  t.caller = check.caller();
  t.check_id = check.check_id.str();
  t.commitment_amount = check.amount;
  t.commitment_currency = plan.terms.currency;
  t.authorized_task = check.tool();
  t.authorized_payload_hash = IntentScopeOf(check).payload_hash.str();
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
  json::Value body = CheckBodyValue(c);
  const std::string* digest = body.find_string("runtime_attestation_binding_digest");
  TokenSpec t = IntentTokenSpec(state, c, state.actions[c.action].action_id.text(), *body.find("findings"),
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
  Result<std::string> id = ctx.NewId("gb", Ids::Taken(state, FindAction));
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
  const IntentScope& scope = IntentScopeOf(check);
  a.set_texts({check.purchase_type(), check.tool(), check.caller(), check.caller_key(), check.target_agent(),
               NormalizeAgentUrl(check.target_agent().str()).value_or(""), plan.terms.currency, scope.account_key()});
  a.ceiling = check.amount;
  a.hold_exp_ms = t.exp * 1000;
  a.approved_at_ms = now.value();
  a.intent_channels = scope.channels;
  a.proposal = check.proposal();
  m.exp_ms = t.exp * 1000;
  return m;
}

namespace check {

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

}  // namespace check

}  // namespace adcp
