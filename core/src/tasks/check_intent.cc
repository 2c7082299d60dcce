// Intent checks (03 §3, buyer, addressed by plan_id): resolve, authorize,
// consult, evaluate (I1–I17), decide, record.
#include "tasks/check_internal.h"

#include <algorithm>
#include <map>
#include <set>
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
namespace check {
namespace {

// 10 §3.4 (R4): the 6.11 seller helper's intent-shaped check with the buyer's
// token, evaluated as an execution check of that token's action.
TaskResult RunSellerIntentShaped(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  const State& state = agent.state;
  const Check& issuer = state.checks[FindIssuer(state, *ctx.legacy.threaded_context)];
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

}  // namespace

namespace {

// One intent check on its way through 03 §3: what each step resolved.
struct Intent {
  Intent(const json::Value& request, const Auth& caller_auth, bool is_legacy)
      : r(request), auth(caller_auth), legacy(is_legacy) {}
  const json::Value& r;
  const Auth& auth;
  const bool legacy;
  // 3–5. Resolve, authorize.
  int32_t pi = kNone;
  const Plan* plan = nullptr;
  int64_t now = 0;
  const Delegation* delegation = nullptr;
  std::string tool, purchase_type, target_agent, target_key, caller, claim_key;
  bool unbound = false;  // a 3.0-era intent naming no seller (10 §3.3.2)
  // 6. Consultation.
  int32_t chain = kNone;
  int64_t attempt = 1;
  // 7. Inputs.
  RequestedScope scope;
  std::optional<double> amount;
  AmountPath path;
  std::string proposal_id, terms_digest;
  // 8. Evaluation and decision.
  std::string check_id;
  Evaluation ev;
  json::Value evaluations = json::Value::MakeArray(), runtime_pairs = json::Value::MakeArray();
  std::string binding_digest;
  std::vector<std::string> triggers;
  bool low_confidence_only = false;  // H4
  Verdict verdict = Verdict::kNone;
  std::string recommendation, configured, effective;
  bool escalate = false;
  std::vector<Condition> conditions;
};

double SumOf(const std::map<std::string, ExactSum>& sums, const std::string& key) {
  auto it = sums.find(key);
  return it == sums.end() ? 0.0 : it->second.Value();
}

// 10 §3.3.1 (R13): 6.11 governs reads too; they commit no spend, so they are
// answered without evaluation or record (the id counter still advances).
TaskResult ReadOnlyAnswer(const Agent& agent, CallContext& ctx, const Intent& in) {
  Result<std::string> id = ctx.NewId("chk", Ids::Taken(ctx.state(), FindCheck));
  if (!id.ok()) return TaskResult::Failed(id.error());
  const std::string configured = ConfiguredMode(agent, *in.plan);
  return TaskResult::Completed(json::Obj({{"check_id", id.value()},
                                          {"check_type", "intent"},
                                          {"verdict", "approved"},
                                          {"plan_id", *in.r.find_string("plan_id")},
                                          {"explanation", "Read-only task; not evaluated."},
                                          {"categories_evaluated", json::Value::MakeArray()},
                                          {"policies_evaluated", json::Value::MakeArray()},
                                          {"mode", in.plan->effective_human_review ? "enforce" : configured},
                                          {"expires_at", FormatMillis(in.now + agent.config.intent_token_ttl_seconds * 1000)}}));
}

// Steps 3–5: the plan, the caller's authority on it, what is asked. An
// answer here ends the call (not found, not allowed, read-only, suspended).
std::optional<TaskResult> ResolveIntent(Agent& agent, CallContext& ctx, Intent& in) {
  const State& state = ctx.state();
  const json::Value& r = in.r;
  in.pi = LookupPlanForCaller(state, in.auth.key, *r.find_string("plan_id"));
  if (in.pi == kNone) {
    // 10 §3.4 (R4): a 3.0 seller helper's intent-shaped check carrying the buyer's token.
    if (in.legacy && ctx.legacy.threaded_context && FindIssuer(state, *ctx.legacy.threaded_context) != kNone)
      return RunSellerIntentShaped(agent, ctx, r, in.auth);
    return TaskResult::Failed(MakeError(ErrorCode::kPlanNotFound, "plan not found", "plan_id"));
  }
  in.plan = &state.plans[in.pi];
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  in.now = now.value();
  const Instant now_i = Instant::FromMillis(in.now);
  const bool owner = in.plan->owner_key == in.auth.key;
  in.delegation = owner ? nullptr : DelegationFor(*in.plan, in.auth.key, now_i);
  if (!owner && (!in.delegation || !in.delegation->ActiveAt(now_i)))
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "the caller's delegation on this plan is not active"));
  in.tool = *r.find_string("tool");
  if (in.legacy && IsReadOnlyTool(in.tool)) return ReadOnlyAnswer(agent, ctx, in);
  if (in.plan->status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError(ErrorCode::kCampaignSuspended, "the plan is suspended"));
  in.purchase_type = r.find_string("purchase_type") ? *r.find_string("purchase_type")
                     : in.legacy                   ? LegacyPurchaseType(in.tool)
                                                   : "media_buy";
  // A 3.0-era intent may name no seller: the action stays unbound until its
  // first execution check (10 §3.3.2, R1).
  in.target_agent = r.find_string("target_agent") ? *r.find_string("target_agent") : "";
  in.unbound = in.target_agent.empty();
  in.target_key = NormalizeAgentUrl(in.target_agent).value_or("");
  in.caller = *r.find_string("caller");
  return std::nullopt;
}

// 10 §3.3.4 (R11): an identical 3.0-era intent claims the client's
// escalation: still pending, or freshly resolved (once).
std::optional<TaskResult> ClaimEscalation(Agent& agent, CallContext& ctx, Intent& in) {
  const State& state = ctx.state();
  in.claim_key = ClaimKey(in.auth.key, NormalizeAgentUrl(in.caller).value_or(""), *in.plan, in.tool, in.purchase_type,
                          in.target_key, *in.r.find("payload"));
  auto claims = state.escalations_by_claim.find(in.claim_key);
  if (claims == state.escalations_by_claim.end()) return std::nullopt;
  const int32_t ei = claims->second.back();  // the most recently created
  const Escalation& e = state.escalations[ei];
  const bool fresh = e.resolved_at_ms && in.now - *e.resolved_at_ms <= agent.config.consultation_ttl_seconds * 1000;
  if (!e.resolution) {
    TaskResult pending;
    pending.kind = TaskResult::kSubmitted;
    pending.task_id = e.task_id;
    return pending;
  }
  if (e.claimed || !fresh) return std::nullopt;
  if (*e.resolution == "approved_by_human") {
    Status minted = MintDeferredToken(ctx, e.check);
    if (!minted.ok()) return TaskResult::Failed(minted.error());
  }
  ctx.store().ClaimEscalation(ei);
  return TaskResult::Completed(CheckBodyOf(state, state.checks[e.check]));
}

// Step 6: the consultation this attempt continues, if any.
std::optional<TaskResult> ResolveConsultation(const Agent& agent, CallContext& ctx, Intent& in) {
  const State& state = ctx.state();
  const int64_t ttl_ms = agent.config.consultation_ttl_seconds * 1000;
  auto continues = [&](const Consultation& c) {
    return c.open && c.agent_key == in.auth.key && c.caller_key == in.auth.key && c.plan == in.pi &&
           c.tool == in.tool && c.purchase_type == in.purchase_type && c.target_key == in.target_key &&
           in.now < c.start_ms + ttl_ms;
  };
  if (in.legacy && !in.r.has("consultation_context") && ctx.legacy.threaded_context) {
    // 10 §3.3.3 (R2): a threaded governance_context continues a matching open
    // chain; any other value is ignored, never an error.
    auto it = state.consultation_by_handle.find(*ctx.legacy.threaded_context);
    if (it != state.consultation_by_handle.end() && continues(state.consultations[it->second])) {
      in.chain = it->second;
      in.attempt = state.consultations[it->second].attempts + 1;
    }
  }
  if (const std::string* handle = in.r.find_string("consultation_context")) {
    auto it = state.consultation_by_handle.find(*handle);
    if (it == state.consultation_by_handle.end() || !continues(state.consultations[it->second]))
      return TaskResult::Failed(Shape("consultation_context", "consultation_context does not match an open consultation"));
    in.chain = it->second;
    in.attempt = state.consultations[it->second].attempts + 1;
  }
  return std::nullopt;
}

// Step 7: requested scope, amount, proposal.
Status ReadIntentInputs(Intent& in) {
  ADCP_ASSIGN_OR_RETURN(in.scope, ExtractIntentScope(in.r, in.now));
  Result<IntentAmount> amount = ExtractAmount(in.r, in.tool, in.plan->terms.currency);
  if (!amount.ok()) return amount.error();
  in.amount = amount.value().amount;
  in.path = amount.value().path;
  if (in.tool == "accept_proposal") return CheckProposal(in.r, &in.proposal_id, &in.terms_digest);
  return Status::Ok();
}

// Holds that ran out stop counting, on the plan and its portfolios' members.
void ExpireHolds(const Agent& agent, CallContext& ctx, const Intent& in) {
  if (!agent.config.budget_holds) return;
  const State& state = ctx.state();
  ctx.store().ExpireHolds(in.pi, in.now);
  for (int32_t q : PortfoliosContaining(state, *in.plan))
    for (const std::string& m : state.plans[q].terms.member_plan_ids) {
      int32_t mi = FindPlan(state, state.plans[q].owner_key, m);
      if (mi != kNone) ctx.store().ExpireHolds(mi, in.now);
    }
}

// I1–I6: plan status, budget reduction, contestation, Annex III, delegation, sellers.
void EvaluateAuthority(const Agent& agent, Intent& in) {
  const Plan& plan = *in.plan;
  Evaluation& ev = in.ev;
  if (plan.status == PlanStatus::kCompleted)  // I1
    ev.Finding("plan_status", "critical", "The plan is completed; no new commitments are allowed.");
  BudgetReductionStep(agent, plan, ev);  // I2
  if (plan.effective_human_review) {  // I3
    ev.Category("data_subject_contestation");
    if (!plan.brand.data_subject_contestation)
      ev.Finding("data_subject_contestation", "critical",
                 "The plan is under human review but the brand publishes no data-subject contestation contact.");
  }
  if (!agent.config.industry_triggers_human_review) {  // I4
    std::vector<std::string> matched;
    for (const std::string& industry : plan.brand.industries)
      for (const char* listed : kReviewIndustries)
        if (industry == listed) matched.push_back(industry);
    if (!matched.empty())
      ev.Finding("annex_iii_industry_advisory", "warning",
                 "The brand's industries are listed as high-risk (EU AI Act Annex III); human review is not enforced by "
                 "configuration.",
                 Details({{"industries", StringArray(matched)}}));
  }
  if (const Delegation* d = in.delegation) {  // I5
    ev.Category("delegation_authority");
    if (d->markets) {
      std::vector<std::string> pc, pr;
      for (const std::string& m : *d->markets) (m.size() == 2 ? pc : pr).push_back(m);
      std::vector<std::string> bad = UnauthorizedGeo(pc, pr, in.scope.countries, in.scope.regions);
      if (!bad.empty())
        ev.Finding("delegation_authority", "critical", "Geography outside the delegation's markets.",
                   Details({{"unauthorized", StringArray(bad)}}));
    }
    if (d->authority == "execute_only" &&
        (in.tool == "update_media_buy" || in.tool == "control_media_buy" || in.tool == "update_rights") && in.amount &&
        *in.amount > 0)
      ev.Finding("delegation_authority", "critical", "An execute_only delegate cannot reallocate budget.");
  }
  const PlanTerms& t = plan.terms;
  if (t.approved_sellers_is_array) {  // I6
    ev.Category("seller_compliance");
    if (in.unbound) {  // enforced at binding (10 §3.5.4); only "no seller at all" fails now
      if (t.approved_seller_keys.empty())
        ev.Finding("seller_compliance", "critical", "The plan allows no seller.", Details({{"target_agent", json::Value()}}));
    } else if (in.target_key.empty() || !ContainsString(t.approved_seller_keys, in.target_key)) {
      ev.Finding("seller_compliance", "critical", "The target agent is not an approved seller of this plan.",
                 Details({{"target_agent", in.target_agent}}));
    }
  }
}

// I7–I10: the amount against the plan, allocations, seller, delegation and portfolio caps.
void EvaluateBudget(const Agent& agent, const State& state, Intent& in) {
  if (!in.amount) return;
  const Plan& plan = *in.plan;
  const PlanTerms& t = plan.terms;
  const PlanAggregates& g = plan.agg;
  const bool holds = agent.config.budget_holds;
  const double a = *in.amount;
  Evaluation& ev = in.ev;
  ev.Category("budget_authority");  // I7
  if (Exceeds(a, t.total)) {
    ev.Finding("budget_authority", "critical",
               "Requested " + json::FormatNumber(a) + " exceeds the authorized budget of " + json::FormatNumber(t.total) + ".",
               Details({{"requested", a}, {"authorized", t.total}}));
  } else {
    ev.Cap("budget_authority", a, t.total - LedgerCommitted(plan) - (holds ? g.held.Value() : 0), in.path,
           "remaining plan budget");
    auto alloc = t.allocations.find(in.purchase_type);
    if (alloc != t.allocations.end()) {
      double used = SumOf(g.by_type, in.purchase_type) + (holds ? SumOf(g.held_by_type, in.purchase_type) : 0);
      if (alloc->second.amount)
        ev.Cap("budget_authority", a, *alloc->second.amount - used, in.path, "remaining " + in.purchase_type + " allocation");
      if (alloc->second.max_pct)
        ev.Cap("budget_authority", a, *alloc->second.max_pct / 100 * t.total - used, in.path,
               in.purchase_type + " allocation share");
    }
  }
  if (t.per_seller_max_pct) {  // I8; unbound: no seller ledger yet, the amount alone must fit (10 §3.3.2)
    double used = in.unbound ? 0 : SumOf(g.by_seller, in.target_key) + (holds ? SumOf(g.held_by_seller, in.target_key) : 0);
    ev.Cap("seller_concentration", a, *t.per_seller_max_pct / 100 * t.total - used, in.path, "per-seller concentration cap");
  }
  if (in.delegation && in.delegation->budget_limit) {  // I9
    double used = SumOf(g.by_caller, in.auth.key) + (holds ? SumOf(g.held_by_caller, in.auth.key) : 0);
    ev.Cap("delegation_authority", a, in.delegation->budget_limit->amount - used, in.path, "delegation budget limit");
  }
  for (int32_t q : PortfoliosContaining(state, plan)) {  // I10
    const Plan& portfolio = state.plans[q];
    if (!portfolio.terms.portfolio_cap) continue;
    double used = 0;
    std::set<std::string> members(portfolio.terms.member_plan_ids.begin(), portfolio.terms.member_plan_ids.end());
    for (const std::string& m : members) {
      int32_t mi = FindPlan(state, portfolio.owner_key, m);
      if (mi == kNone) continue;
      used += LedgerCommitted(state.plans[mi]) + (holds ? state.plans[mi].agg.held.Value() : 0);
    }
    ev.Cap("portfolio_budget", a, portfolio.terms.portfolio_cap->amount - used, in.path,
           "portfolio " + portfolio.plan_id + " budget cap", portfolio.plan_id);
  }
}

// I11–I13 scope, with the I12 channel mix caps.
void EvaluateScope(const Agent& agent, Intent& in) {
  const Plan& plan = *in.plan;
  ScopeSteps(plan, in.scope, in.ev);
  if (!in.amount || in.scope.channels.empty()) return;
  const PlanTerms& t = plan.terms;
  const double k = static_cast<double>(in.scope.channels.size());
  for (const std::string& ch : in.scope.channels) {
    auto mt = t.mix_targets.find(ch);
    if (mt == t.mix_targets.end() || !mt->second.max_pct) continue;
    auto used_it = plan.agg.channel_committed.find(ch);
    double used = (used_it == plan.agg.channel_committed.end() ? 0.0 : used_it->second.Value()) +
                  (agent.config.budget_holds ? SumOf(plan.agg.held_by_channel, ch) : 0);
    in.ev.Cap("channel_compliance", *in.amount, k * (*mt->second.max_pct / 100 * t.total - used), in.path,
              ch + " channel mix cap");
  }
}

// I14: the host's policy evaluation (evaluatePolicies hook), its findings and conditions.
Status EvaluatePolicies(const Agent& agent, CallContext& ctx, Intent& in) {
  const Plan& plan = *in.plan;
  if (plan.resolved_policies.empty() || !agent.hooks.evaluate_policies) return Status::Ok();
  Evaluation& ev = in.ev;
  ev.Category("policy_compliance");
  json::Value policies = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) policies.push(rp.ToJson());
  json::Value hook_ctx = json::Obj({{"check_id", in.check_id},
                                    {"plan_id", plan.plan_id},
                                    {"plan_hash", plan.plan_hash},
                                    {"plan", *plan.plan},
                                    {"resolved_policies", std::move(policies)},
                                    {"inline_policies", InlinePolicies(ctx.state(), plan)},
                                    {"tool", in.tool},
                                    {"payload", *in.r.find("payload")},
                                    {"purchase_type", in.purchase_type},
                                    {"target_agent", in.target_agent},
                                    {"caller", in.caller},
                                    {"amount", in.amount ? json::Value(*in.amount) : json::Value()},
                                    {"currency", plan.terms.currency}});
  std::string ctx_json = json::Write(hook_ctx);
  Result<json::Value> res = ctx.CallJsonHook("evaluatePolicies", [&] { return agent.hooks.evaluate_policies(ctx_json); });
  if (!res.ok()) return res.error();
  json::Value out = res.value();
  if (!out.is_object()) return HookFailure("evaluatePolicies", "result must be an object");
  if (json::Value* fs = out.find("findings")) {
    if (!fs->is_array()) return HookFailure("evaluatePolicies", "findings must be an array");
    for (json::Value& f : fs->as_array()) {
      if (!ValidHookFinding(f)) return HookFailure("evaluatePolicies", "malformed finding");
      ev.Category(*f.find_string("category_id"));
      ev.findings.push(f);
    }
  }
  const json::Value* cs = out.find("conditions");
  if (!cs) return Status::Ok();
  if (!cs->is_array()) return HookFailure("evaluatePolicies", "conditions must be an array");
  for (const json::Value& c : cs->as_array()) {
    const std::string* field = c.find_string("field");
    const std::string* reason = c.find_string("reason");
    if (!c.is_object() || !field || !reason) return HookFailure("evaluatePolicies", "malformed condition");
    for (const json::Member& m : c.as_object())
      if (m.first != "field" && m.first != "reason" && m.first != "required_value")
        return HookFailure("evaluatePolicies", "malformed condition");
    Condition cond;
    cond.field = *field;
    cond.reason = *reason;
    if (const json::Value* rv = c.find("required_value")) cond.hook_required_value = *rv;
    ev.AddCondition(std::move(cond));
  }
  return Status::Ok();
}

// One runtime attestation's evaluation (03 §9): the host's, or "unverifiable".
Result<json::Value> EvaluateAttestation(const Agent& agent, CallContext& ctx, const Intent& in, const json::Value& ref,
                                        const json::Value& known, const std::string& digest) {
  json::Value e;
  if (agent.hooks.evaluate_attestation) {
    json::Value actx = json::Obj({{"check_id", in.check_id},
                                  {"plan_hash", in.plan->plan_hash},
                                  {"known_subject", known},
                                  {"claim_types", StringArray(agent.config.signal_attestation_claim_types)},
                                  {"now", FormatMillis(in.now)}});
    std::string ref_json = json::Write(ref), ctx_json = json::Write(actx);
    Result<json::Value> res =
        ctx.CallJsonHook("evaluateAttestation", [&] { return agent.hooks.evaluate_attestation(ref_json, ctx_json); });
    if (!res.ok()) return res.error();
    e = res.value();
    if (!e.is_object()) return HookFailure("evaluateAttestation", "result must be an object");
  } else {
    e = json::Obj({{"outcome", "unverifiable"}});
  }
  e.put("reference_digest", digest);
  if (!e.has("evaluated_at")) e.set("evaluated_at", FormatMillis(in.now));
  if (!e.has("evaluated_by")) e.set("evaluated_by", agent.config.issuer);
  e.put("action_binding", json::Obj({{"action_type", "https://adcontextprotocol.org/actions/governance-check"},
                                     {"action_id", in.check_id}}));
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
    return HookFailure("evaluateAttestation", "result is not a valid attestation evaluation");
  return e;
}

// I15: runtime attestations of a signal activation (03 §9).
Status EvaluateAttestations(const Agent& agent, CallContext& ctx, Intent& in) {
  const json::Value& payload = *in.r.find("payload");
  const std::string* action_field = payload.find_string("action");
  const bool apply = agent.config.signal_attestations_enabled && in.tool == "activate_signal" &&
                     (!payload.has("action") || (action_field && *action_field == "activate"));
  if (!apply) return Status::Ok();
  Evaluation& ev = in.ev;
  ev.Category("signal_quality");
  const bool required = agent.config.signal_attestation_requirement == "required";
  const json::Array* refs = in.r.find_array("runtime_attestations");
  if (!refs && required)
    ev.Finding("signal_quality", "critical", "A runtime attestation is required for this signal activation.");
  if (!refs) return Status::Ok();
  json::Value known = json::Obj({{"type", "resource"},
                                 {"resource_type", kSignalSubject},
                                 {"namespace", in.target_agent},
                                 {"id", payload.find("signal_agent_segment_id") ? *payload.find("signal_agent_segment_id")
                                                                              : json::Value()}});
  for (const json::Value& ref : *refs) {
    std::string digest = canon::PrefixedHexDigest(ref);
    Result<json::Value> evaluated = EvaluateAttestation(agent, ctx, in, ref, known, digest);
    if (!evaluated.ok()) return evaluated.error();
    const json::Value& e = evaluated.value();
    const std::string& outcome = *e.find_string("outcome");
    if (outcome != "verified") {
      json::Value& f = ev.Finding("signal_quality", required ? "critical" : "warning",
                                  "Runtime attestation outcome: " + outcome + ".");
      f.set("attestation_reference_digest", digest);
    }
    in.evaluations.push(e);
    in.runtime_pairs.push(json::Obj({{"reference", ref}, {"evaluation", e}}));
  }
  return Status::Ok();
}

// I17: human-review triggers (03 §5.3).
void HumanReviewTriggers(const Agent& agent, const State& state, Intent& in) {
  const Plan& plan = *in.plan;
  in.ev.Category("human_review");
  if (plan.effective_human_review) {
    std::string why = "plan requires human review";
    if (!plan.human_review_reasons.empty()) {
      why += " (";
      for (size_t i = 0; i < plan.human_review_reasons.size(); ++i) why += (i ? ", " : "") + plan.human_review_reasons[i];
      why += ")";
    }
    in.triggers.push_back(why);
  }
  const PlanTerms& t = plan.terms;
  if (t.reallocation_threshold && in.amount) {
    double aggregate = *in.amount;
    if (agent.config.aggregation_window_days) {
      const json::Value& payload = *in.r.find("payload");
      int64_t after = in.now - *agent.config.aggregation_window_days * 86400 * 1000;
      aggregate += in.unbound ? WindowSumAnySeller(state, plan.owner_key, AccountKey(payload), after)
                              : WindowSum(state, AggregationKey(plan.owner_key, in.target_key, AccountKey(payload)), after);
    }
    if (Exceeds(aggregate, *t.reallocation_threshold))
      in.triggers.push_back("commitment " + json::FormatNumber(aggregate) + " exceeds the reallocation threshold " +
                            json::FormatNumber(*t.reallocation_threshold));
  }
  if (in.delegation && in.delegation->authority == "propose_only") in.triggers.push_back("caller is a propose_only delegate");
  int criticals = 0, low = 0;
  for (const json::Value& f : in.ev.findings.as_array()) {
    if (*f.find_string("severity") != "critical") continue;
    ++criticals;
    const double* conf = f.find_number("confidence");
    if (conf && *conf < agent.config.low_confidence_threshold) ++low;
  }
  in.low_confidence_only = criticals > 0 && low == criticals;  // H4
}

// 03 §5.4 verdict, the consultation retry limit, a verified off-protocol
// approval, then the effective mode (03 §8).
Status DecideIntent(const Agent& agent, CallContext& ctx, Intent& in) {
  Evaluation& ev = in.ev;
  bool hard = false;
  for (const json::Value& f : ev.findings.as_array()) {
    if (*f.find_string("severity") != "critical") continue;
    const double* conf = f.find_number("confidence");
    hard = hard || !conf || *conf >= agent.config.low_confidence_threshold;
  }
  if (hard) {
    in.verdict = Verdict::kDenied;
  } else if (!ev.conditions.empty()) {
    in.verdict = Verdict::kConditions;
  } else if (in.low_confidence_only) {
    in.escalate = true;
    in.recommendation = "deny";
  } else if (!in.triggers.empty()) {
    in.escalate = true;
    in.recommendation = "approve";
  } else {
    in.verdict = Verdict::kApproved;
  }
  if (in.low_confidence_only) in.triggers.push_back("every critical finding has low confidence");
  if (in.verdict == Verdict::kConditions && in.attempt >= agent.config.max_consultation_attempts) {
    in.verdict = Verdict::kDenied;
    ev.Finding("consultation_retry_limit", "critical",
               "The consultation reached " + std::to_string(agent.config.max_consultation_attempts) + " attempts.",
               Details({{"attempts", in.attempt}}));
  }
  const json::Value* ext = in.r.find_object("ext");
  const json::Value* approval = ext ? ext->find_object("human_approval") : nullptr;
  if (approval && in.escalate && in.recommendation == "approve") {
    Result<bool> verified = VerifyHumanApproval(ctx, *approval, *in.plan, in.caller, in.tool, *in.r.find("payload"), ev);
    if (!verified.ok()) return verified.error();
    if (verified.value()) {
      in.escalate = false;
      in.verdict = Verdict::kApproved;
    }
  }
  in.configured = ConfiguredMode(agent, *in.plan);
  in.effective = in.plan->effective_human_review ? "enforce" : in.configured;
  in.conditions = ev.conditions;
  ApplyMode(in.configured, in.effective, &in.verdict, &in.escalate, &in.conditions, ev);
  return Status::Ok();
}

// The check record and the evaluation parts of its body (03 §11).
Check IntentRecord(CallContext& ctx, Intent& in, json::Value* parts) {
  const Plan& plan = *in.plan;
  const json::Value& payload = *in.r.find("payload");
  Check c;
  c.check_id = in.check_id;
  c.plan = in.pi;
  c.intent = true;
  c.phase = Phase::kIntent;
  c.set_plan_version(plan.version);
  c.set_texts({plan.plan_hash, in.caller, in.auth.key, in.tool, in.purchase_type, in.target_agent, in.effective});
  c.dialect = ctx.dialect;
  if (const json::Value* context = in.r.find_object("context")) c.set_context(*context);
  c.amount = in.amount;
  c.set_created_ms(in.now);
  IntentScope scope;
  scope.payload_hash = canon::PayloadHash(payload);
  scope.channels = Syms(in.scope.channels);
  scope.countries = Syms(in.scope.countries);
  scope.regions = Syms(in.scope.regions);
  scope.set_texts(in.scope.start_raw, in.scope.end_raw, AccountKey(payload));
  if (!in.proposal_id.empty()) c.set_proposal(ProposalBinding{in.proposal_id, in.terms_digest});
  c.set_scope(std::move(scope));  // never empty: the payload hash is always there
  if (in.runtime_pairs.size() > 0) {
    c.set_runtime_attestations(in.runtime_pairs);
    json::Value digest_findings = json::Value::MakeArray();
    for (const json::Value& f : in.ev.findings.as_array())
      if (f.has("attestation_reference_digest")) digest_findings.push(f);
    in.binding_digest =
        canon::PrefixedHexDigest(json::Obj({{"evaluations", in.evaluations}, {"findings", std::move(digest_findings)}}));
  }
  json::Value policies_evaluated = json::Value::MakeArray();
  for (const ResolvedPolicy& rp : plan.resolved_policies) policies_evaluated.push(rp.policy_id);
  *parts = json::Obj({{"plan_id", *in.r.find_string("plan_id")},
                      {"findings", in.ev.findings},
                      {"categories_evaluated", StringArray(in.ev.categories)},
                      {"policies_evaluated", std::move(policies_evaluated)}});
  if (in.runtime_pairs.size() > 0) {
    parts->set("runtime_attestation_evaluations", in.evaluations);
    parts->set("runtime_attestation_binding_digest", in.binding_digest);
  }
  return c;
}

// What the decision needs besides the record, prepared before anything is
// written: ids in the order of 03 §3 step 8 (consult | task | gb, then jti).
struct IntentOutcome {
  BodyExtras extras;
  std::string new_handle, task_id;
  std::optional<MintedAction> minted;
};
Result<IntentOutcome> PrepareOutcome(CallContext& ctx, const Intent& in, const Check& c) {
  const State& state = ctx.state();
  IntentOutcome out;
  if (!in.escalate && in.verdict == Verdict::kConditions) {
    if (in.chain != kNone) {
      out.extras.consultation_context = state.consultations[in.chain].handle;
    } else {
      ADCP_ASSIGN_OR_RETURN(out.new_handle, ctx.NewId("consult", Ids::Taken(state.consultation_by_handle)));
      out.extras.consultation_context = out.new_handle;
    }
    out.extras.conditions = in.conditions;
  } else if (in.escalate) {
    ADCP_ASSIGN_OR_RETURN(out.task_id, ctx.NewId("task", Ids::Taken(state.escalation_by_task)));
  } else if (in.verdict == Verdict::kApproved) {
    ADCP_ASSIGN_OR_RETURN(out.minted, PrepareIntentApproval(ctx, state, c, in.ev.findings, in.binding_digest));
  }
  return out;
}

// Writes the check and what it decided (nothing here can fail).
TaskResult WriteIntent(const Agent& agent, CallContext& ctx, const Intent& in, Check c, const json::Value& parts,
                       IntentOutcome& out) {
  const State& state = ctx.state();
  Store& store = ctx.store();
  c.verdict = in.escalate ? Verdict::kNone : in.verdict;
  c.pending = in.escalate;
  c.set_attempt(in.attempt);  // c.intent is set
  if (!out.new_handle.empty()) {
    Consultation chain;
    chain.handle = out.new_handle;
    chain.agent_key = in.auth.key;
    chain.caller_key = in.auth.key;
    chain.target_key = in.target_key;
    chain.plan = in.pi;
    chain.tool = in.tool;
    chain.purchase_type = in.purchase_type;
    chain.start_ms = in.now;
    chain.attempts = 1;
    c.set_consultation(store.AddConsultation(std::move(chain)));
  } else if (in.chain != kNone) {
    c.set_consultation(in.chain);
    store.UpdateConsultation(in.chain, in.attempt,
                             state.consultations[in.chain].open && (in.escalate || in.verdict == Verdict::kConditions));
  }
  const int32_t ci = store.AddCheck(std::move(c));
  if (in.escalate) {
    Escalation e;
    e.task_id = out.task_id;
    e.check = ci;
    for (size_t i = 0; i < in.triggers.size(); ++i) e.reason += (i ? "; " : "") + in.triggers[i];
    e.recommendation = in.recommendation;
    e.created_ms = in.now;
    if (in.legacy) {
      e.dialect = ctx.dialect;
      e.claim_key = in.claim_key;
    }
    store.AddEscalation(std::move(e), json::Write(parts));  // the body is completed at resolution (03 §7)
    TaskResult result;
    result.kind = TaskResult::kSubmitted;
    result.task_id = out.task_id;
    return result;
  }
  if (out.minted) store.ApproveIntent(ci, std::move(out.minted->action), std::move(out.minted->token), out.minted->exp_ms);
  json::Value body = CheckBody(agent.config, state, state.checks[ci], std::move(parts), std::move(out.extras));
  store.FinalizeCheck(ci, in.now, body);
  return TaskResult::Completed(std::move(body));
}

}  // namespace

// 03 §3 for an intent: resolve → authorize → consult → evaluate → decide → record.
TaskResult RunIntent(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  Intent in(r, auth, ctx.is_legacy());
  if (std::optional<TaskResult> answer = ResolveIntent(agent, ctx, in)) return std::move(*answer);  // 3–5
  if (in.legacy)
    if (std::optional<TaskResult> claimed = ClaimEscalation(agent, ctx, in)) return std::move(*claimed);
  if (std::optional<TaskResult> bad = ResolveConsultation(agent, ctx, in)) return std::move(*bad);  // 6
  if (Status s = ReadIntentInputs(in); !s.ok()) return TaskResult::Failed(s.error());  // 7
  // 8. Evaluate.
  Result<std::string> check_id = ctx.NewId("chk", Ids::Taken(ctx.state(), FindCheck));
  if (!check_id.ok()) return TaskResult::Failed(check_id.error());
  in.check_id = check_id.value();
  ExpireHolds(agent, ctx, in);
  EvaluateAuthority(agent, in);                 // I1–I6
  EvaluateBudget(agent, ctx.state(), in);       // I7–I10
  EvaluateScope(agent, in);                     // I11–I13
  if (Status s = EvaluatePolicies(agent, ctx, in); !s.ok()) return TaskResult::Failed(s.error());      // I14
  if (Status s = EvaluateAttestations(agent, ctx, in); !s.ok()) return TaskResult::Failed(s.error());  // I15
  OversightDriftStep(agent, *in.plan, in.ev);   // I16
  HumanReviewTriggers(agent, ctx.state(), in);  // I17
  if (Status s = DecideIntent(agent, ctx, in); !s.ok()) return TaskResult::Failed(s.error());
  // Record.
  json::Value parts;
  Check c = IntentRecord(ctx, in, &parts);
  Result<IntentOutcome> out = PrepareOutcome(ctx, in, c);
  if (!out.ok()) return TaskResult::Failed(out.error());
  return WriteIntent(agent, ctx, in, std::move(c), parts, out.value());
}

}  // namespace check
}  // namespace adcp
