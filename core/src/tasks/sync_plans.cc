// sync_plans (spec 02): create or fully replace plans in the caller's
// namespace. All-or-nothing: every plan is validated (rules a–l, hooks
// included) before the first one is stored.
#include <set>

#include "tasks/tasks.h"
#include "canon/digests.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/plans.h"
#include "util/url.h"

namespace adcp {
namespace {

const char* const kRegulatedCategories[] = {"fair_housing", "fair_lending", "fair_employment",
                                            "pharmaceutical_advertising"};
const char* const kReviewIndustries[] = {"consumer_finance", "banking",  "mortgage",   "life_insurance",
                                         "health_insurance", "recruitment", "staffing", "real_estate",
                                         "property_management", "housing"};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  for (const std::string& e : v)
    if (e == s) return true;
  return false;
}

struct HookPolicy {
  std::string policy_id;
  std::optional<std::string> enforcement, reason;
  bool requires_human_review = false;
};

// Everything computed for one plan item before anything is stored.
struct PreparedPlan {
  const json::Value* item = nullptr;
  PlanTerms terms;
  int32_t existing = kNone;
  bool brand_resolved = false;
  BrandInfo brand;
  bool policies_resolved = false;
  std::vector<HookPolicy> hook_policies;
  bool hook_installed = false;
  std::vector<ResolvedPolicy> resolved;
  bool effective_human_review = false;
  std::vector<std::string> reasons;
  json::Value categories;
  bool derived = false;
};

TaskError Validation(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kValidationError, message, field);
}

// resolveBrand (README hooks): at most once per plan item.
Status ResolveBrand(CallContext& ctx, PreparedPlan& p) {
  if (p.brand_resolved) return Status::Ok();
  p.brand_resolved = true;
  const json::Value& brand = *p.item->find("brand");
  BrandInfo info;
  if (ctx.hooks().resolve_brand) {
    std::string brand_json = json::Write(brand);
    Result<json::Value> r =
        ctx.CallJsonHook("resolveBrand", [&] { return ctx.hooks().resolve_brand(brand_json); });
    if (!r.ok()) return r.error();
    const json::Value& v = r.value();
    const json::Value* resolvable = v.find("resolvable");
    if (!v.is_object() || !resolvable || !resolvable->is_bool())
      return HookFailure("resolveBrand", "result must be an object with a boolean `resolvable`");
    info.resolvable = resolvable->as_bool();
    if (const json::Value* inds = v.find("industries")) {
      if (!inds->is_array()) return HookFailure("resolveBrand", "`industries` must be an array of strings");
      for (const json::Value& i : inds->as_array()) {
        if (!i.is_string()) return HookFailure("resolveBrand", "`industries` must be an array of strings");
        info.industries.push_back(i.as_string());
      }
    }
    if (const json::Value* c = v.find("data_subject_contestation")) {
      if (!c->is_object() || (!c->find_string("url") && !c->find_string("email")))
        return HookFailure("resolveBrand", "`data_subject_contestation` must be an object with url or email");
      info.data_subject_contestation = *c;
    }
  }
  // Inline brand fields take precedence over the hook's values.
  if (const json::Array* inds = brand.find_array("industries")) {
    info.industries.clear();
    for (const json::Value& i : *inds) info.industries.push_back(i.as_string());
  }
  if (const json::Value* c = brand.find_object("data_subject_contestation")) info.data_subject_contestation = *c;
  p.brand = std::move(info);
  return Status::Ok();
}

// resolvePolicies (README hooks): at most once per plan item.
Status ResolvePoliciesHook(CallContext& ctx, PreparedPlan& p) {
  if (p.policies_resolved) return Status::Ok();
  p.policies_resolved = true;
  p.hook_installed = static_cast<bool>(ctx.hooks().resolve_policies);
  if (!p.hook_installed) return Status::Ok();
  std::string plan_json = json::Write(*p.item);
  Result<json::Value> r = ctx.CallJsonHook("resolvePolicies", [&] { return ctx.hooks().resolve_policies(plan_json); });
  if (!r.ok()) return r.error();
  if (!r.value().is_array()) return HookFailure("resolvePolicies", "result must be an array");
  for (const json::Value& e : r.value().as_array()) {
    const std::string* id = e.find_string("policy_id");
    if (!e.is_object() || !id) return HookFailure("resolvePolicies", "each item needs a string policy_id");
    HookPolicy hp;
    hp.policy_id = *id;
    if (const json::Value* enf = e.find("enforcement")) {
      if (!enf->is_string() ||
          (enf->as_string() != "must" && enf->as_string() != "should" && enf->as_string() != "may"))
        return HookFailure("resolvePolicies", "enforcement must be must, should or may");
      hp.enforcement = enf->as_string();
    }
    if (const json::Value* reason = e.find("reason")) {
      if (!reason->is_string()) return HookFailure("resolvePolicies", "reason must be a string");
      hp.reason = reason->as_string();
    }
    if (const json::Value* rhr = e.find("requires_human_review")) {
      if (!rhr->is_bool()) return HookFailure("resolvePolicies", "requires_human_review must be a boolean");
      hp.requires_human_review = rhr->as_bool();
    }
    p.hook_policies.push_back(std::move(hp));
  }
  return Status::Ok();
}

const HookPolicy* FindHookPolicy(const PreparedPlan& p, const std::string& id) {
  for (const HookPolicy& hp : p.hook_policies)
    if (hp.policy_id == id) return &hp;
  return nullptr;
}

// 02 §5 resolved policies and 01 §4.2 effective human review, from the
// portfolio plans that exist before this request.
void DeriveReviewAndPolicies(const Agent& agent, const std::string& owner_key, PreparedPlan& p) {
  const State& state = agent.state;
  Plan probe;
  probe.owner_key = owner_key;
  probe.plan_id = *p.item->find_string("plan_id");
  std::vector<int32_t> portfolios = PortfoliosContaining(state, probe);
  p.derived = true;
  std::set<std::string> seen;
  auto add = [&](ResolvedPolicy rp) {
    if (seen.insert(rp.policy_id).second) p.resolved.push_back(std::move(rp));
  };
  for (const std::string& id : p.terms.policy_ids) {
    const HookPolicy* hp = FindHookPolicy(p, id);
    if (p.hook_installed && !hp) continue;  // the hook dropped it (jurisdiction mismatch)
    add({id, "explicit", hp && hp->enforcement ? *hp->enforcement : "must", std::string("Referenced in plan policy_ids")});
  }
  for (const json::Value& e : p.terms.custom_policies.as_array())
    add({*e.find_string("policy_id"), "explicit", *e.find_string("enforcement"),
         std::string("Declared in plan custom_policies")});
  for (int32_t q : portfolios) {
    const Plan& portfolio = state.plans[q];
    std::string reason = "Shared by portfolio " + portfolio.plan_id;
    for (const std::string& id : portfolio.terms.shared_policy_ids) {
      const HookPolicy* hp = FindHookPolicy(p, id);
      add({id, "auto_applied", hp && hp->enforcement ? *hp->enforcement : "must", reason});
    }
    for (const json::Value& e : portfolio.terms.shared_exclusions.as_array())
      add({*e.find_string("policy_id"), "auto_applied", *e.find_string("enforcement"), reason});
  }
  for (const HookPolicy& hp : p.hook_policies) {
    if (Contains(p.terms.policy_ids, hp.policy_id)) continue;
    add({hp.policy_id, "auto_applied", hp.enforcement.value_or("must"), hp.reason});
  }

  // Effective human review triggers, in the order of 01 §4.2.
  std::vector<std::string>& reasons = p.reasons;
  auto reason = [&](std::string r) {
    if (!Contains(reasons, r)) reasons.push_back(std::move(r));
  };
  for (const std::string& c : p.terms.policy_categories)
    for (const char* reg : kRegulatedCategories)
      if (c == reg) reason("policy_category:" + c);
  if (Contains(p.terms.policy_ids, "eu_ai_act_annex_iii")) reason("policy_id:eu_ai_act_annex_iii");
  auto custom_triggers = [&](const json::Value& entries) {
    for (const json::Value& e : entries.as_array()) {
      const json::Value* rhr = e.find("requires_human_review");
      if (rhr && rhr->is_bool() && rhr->as_bool()) reason("custom_policy:" + *e.find_string("policy_id"));
    }
  };
  custom_triggers(p.terms.custom_policies);
  for (int32_t q : portfolios) custom_triggers(state.plans[q].terms.shared_exclusions);
  for (const HookPolicy& hp : p.hook_policies)
    if (hp.requires_human_review && seen.count(hp.policy_id)) reason("policy_id:" + hp.policy_id);
  if (agent.config.industry_triggers_human_review)
    for (const std::string& ind : p.brand.industries)
      for (const char* r : kReviewIndustries)
        if (ind == r) reason("industry:" + ind);
  p.effective_human_review = p.terms.human_review_required || !reasons.empty();

  // 02 §5 categories.
  bool portfolio_budget = p.terms.is_portfolio && p.terms.portfolio_cap.has_value();
  for (int32_t q : portfolios) portfolio_budget = portfolio_budget || state.plans[q].terms.portfolio_cap.has_value();
  const PlanTerms& t = p.terms;
  std::pair<const char*, bool> cats[] = {
      {"budget_authority", true},
      {"delegation_authority", true},
      {"seller_compliance", t.approved_sellers_is_array},
      {"seller_concentration", t.per_seller_max_pct.has_value()},
      {"geo_compliance", t.countries.has_value() || t.regions.has_value()},
      {"channel_compliance", t.channels_allowed.has_value() || t.has_mix_targets},
      {"flight_compliance", true},
      {"delivery_pacing", true},
      {"human_review", p.effective_human_review || t.reallocation_threshold.has_value()},
      {"policy_compliance", !p.resolved.empty() && static_cast<bool>(agent.hooks.evaluate_policies)},
      {"portfolio_budget", portfolio_budget},
  };
  p.categories = json::Value::MakeArray();
  for (const auto& c : cats)
    p.categories.push(json::Obj({{"category_id", c.first}, {"status", c.second ? "active" : "inactive"}}));
}

// Rules a–l for plan i (02 §2 step 4).
Status ValidatePlan(Agent& agent, CallContext& ctx, const Auth& auth, size_t i, PreparedPlan& p,
                    std::map<std::string, size_t>& seen_ids) {
  const std::string at = "plans[" + std::to_string(i) + "]";
  const json::Value& item = *p.item;
  const std::string& plan_id = *item.find_string("plan_id");
  const PlanTerms& t = p.terms;
  // a
  size_t len = json::CodePointCount(plan_id);
  if (len < 1 || len > 255) return Validation(at + ".plan_id", "plan_id must be 1-255 characters");
  // b
  if (!seen_ids.emplace(plan_id, i).second)
    return Validation(at + ".plan_id", "plan_id appears more than once in this request");
  // c
  if (!schema::IsCurrencyCode(t.currency))
    return Validation(at + ".budget.currency", "budget.currency must be an ISO 4217 code (^[A-Z]{3}$)");
  if (!(t.total >= 0)) return Validation(at + ".budget.total", "budget.total must be >= 0");
  if (t.per_seller_max_pct && (*t.per_seller_max_pct < 0 || *t.per_seller_max_pct > 100))
    return Validation(at + ".budget.per_seller_max_pct", "per_seller_max_pct must be within 0-100");
  // d
  if (!(t.flight_start < t.flight_end)) return Validation(at + ".flight.end", "flight.end must be after flight.start");
  // e (member order of mix_targets)
  if (const json::Value* ch = item.find_object("channels")) {
    if (const json::Value* mix = ch->find_object("mix_targets")) {
      for (const json::Member& m : mix->as_object()) {
        std::string field = at + ".channels.mix_targets." + m.first;
        if (!schema::IsChannel(m.first)) return Validation(field, "mix_targets key is not a channel id");
        const double* lo = m.second.find_number("min_pct");
        const double* hi = m.second.find_number("max_pct");
        if ((lo && (*lo < 0 || *lo > 100)) || (hi && (*hi < 0 || *hi > 100)) || (lo && hi && *lo > *hi))
          return Validation(field, "mix target needs 0 <= min_pct <= max_pct <= 100");
      }
    }
  }
  // f
  for (size_t k = 0; k < t.delegations.size(); ++k)
    if (t.delegations[k].budget_limit && t.delegations[k].budget_limit->currency != t.currency)
      return Validation(at + ".delegations[" + std::to_string(k) + "].budget_limit.currency",
                        "delegation budget_limit currency must equal the plan currency");
  if (t.portfolio_cap && t.portfolio_cap->currency != t.currency)
    return Validation(at + ".portfolio.total_budget_cap.currency",
                      "portfolio total_budget_cap currency must equal the plan currency");
  // g
  if (t.is_portfolio && Contains(t.member_plan_ids, plan_id))
    return Validation(at + ".portfolio.member_plan_ids", "a portfolio cannot list itself as a member");
  p.existing = FindPlan(agent.state, auth.key, plan_id);
  if (p.existing != kNone) {
    const Plan& old = agent.state.plans[p.existing];
    // h
    if (old.status == PlanStatus::kCompleted)
      return Validation(at + ".plan_id", "plan is completed and read-only");
    // i
    if ((old.agg.gross_committed.Value() > 0 || old.agg.unsettled_actions > 0) && old.terms.currency != t.currency)
      return Validation(at + ".budget.currency", "budget.currency cannot change once the plan has commitments");
    // j
    if (agent.config.reject_budget_below_committed && t.total + kEpsilon < LedgerCommitted(old))
      return Validation(at + ".budget.total", "budget.total is below the committed amount");
    // k
    if (old.effective_human_review) {
      ADCP_RETURN_IF_ERROR(ResolveBrand(ctx, p));
      ADCP_RETURN_IF_ERROR(ResolvePoliciesHook(ctx, p));
      DeriveReviewAndPolicies(agent, auth.key, p);
      if (!p.effective_human_review && !old.pending_downgrade)
        return Validation(at + ".human_review_required",
                          "effective human review cannot be dropped without an approved downgrade");
    }
  }
  // l
  ADCP_RETURN_IF_ERROR(ResolveBrand(ctx, p));
  if (!p.brand.resolvable)
    return MakeError(ErrorCode::kReferenceNotFound, "brand could not be resolved", at + ".brand.domain");
  ADCP_RETURN_IF_ERROR(ResolvePoliciesHook(ctx, p));
  if (!p.derived) DeriveReviewAndPolicies(agent, auth.key, p);
  return Status::Ok();
}

}  // namespace

TaskResult RunSyncPlans(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  if (std::optional<schema::Failure> f = schema::Validate(schema::SyncPlansRequest(), request))
    return TaskResult::Failed(SchemaError(ErrorCode::kInvalidRequest, *f));
  TaskResult result;
  if (std::optional<TaskResult> early = CheckIdempotency(ctx, KeyedTask::kSyncPlans, request, auth,
                                                         *request.find_string("idempotency_key"), true, &result))
    return *early;

  const json::Array& items = request.find_array("plans")[0];
  std::vector<PreparedPlan> prepared(items.size());
  std::map<std::string, size_t> seen_ids;
  for (size_t i = 0; i < items.size(); ++i) {
    prepared[i].item = &items[i];
    prepared[i].terms = ParseTerms(items[i]);
    Status s = ValidatePlan(agent, ctx, auth, i, prepared[i], seen_ids);
    if (!s.ok()) return TaskResult::Failed(s.error());
  }
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());

  // Apply (nothing below can fail).
  const State& state = ctx.state();
  json::Value out_plans = json::Value::MakeArray();
  for (PreparedPlan& p : prepared) {
    PlanSync sync;
    sync.plan = p.existing;
    if (p.existing == kNone) {
      sync.owner = auth.agent_url;
      sync.owner_key = auth.key;
      sync.plan_id = *p.item->find_string("plan_id");
    }
    sync.revision.version = (p.existing == kNone ? 0 : state.plans[p.existing].version) + 1;
    sync.revision.synced_at_ms = now.value();
    sync.revision.plan_hash = canon::PlanHash(*p.item);
    sync.revision.plan = std::make_shared<const json::Value>(*p.item);
    sync.brand = std::move(p.brand);
    sync.resolved_policies = std::move(p.resolved);
    sync.effective_human_review = p.effective_human_review;
    sync.human_review_reasons = std::move(p.reasons);
    sync.categories = p.categories;
    const Plan& plan = state.plans[ctx.store().SyncPlan(std::move(sync))];

    json::Value item = json::Obj({{"plan_id", plan.plan_id}, {"status", "active"}, {"version", plan.version}});
    item.set("categories", p.categories);
    if (!plan.resolved_policies.empty()) {
      json::Value rps = json::Value::MakeArray();
      for (const ResolvedPolicy& rp : plan.resolved_policies) rps.push(rp.ToJson());
      item.set("resolved_policies", std::move(rps));
    }
    out_plans.push(std::move(item));
  }
  result.body = json::Obj({{"plans", std::move(out_plans)}});
  return result;
}

}  // namespace adcp
