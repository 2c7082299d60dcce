// Intent checks (03 §3, buyer, addressed by plan_id): resolve, authorize,
// consult, evaluate (I1–I17), decide, record.
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
namespace check {
namespace {

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

}  // namespace

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

}  // namespace check
}  // namespace adcp
