#include "state/plans.h"

#include <algorithm>

#include "util/url.h"

namespace adcp {
namespace {

std::vector<std::string> Strings(const json::Value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const json::Value& e : v->as_array())
      if (e.is_string()) out.push_back(e.as_string());
  return out;
}

std::optional<Money> ParseMoney(const json::Value* v) {
  if (!v || !v->is_object()) return std::nullopt;
  const double* amount = v->find_number("amount");
  const std::string* currency = v->find_string("currency");
  if (!amount || !currency) return std::nullopt;
  return Money{*amount, *currency};
}

}  // namespace

const char* PlanStatusName(PlanStatus s) {
  switch (s) {
    case PlanStatus::kActive: return "active";
    case PlanStatus::kSuspended: return "suspended";
    case PlanStatus::kCompleted: return "completed";
  }
  return "active";
}

json::Value ResolvedPolicy::ToJson() const {
  json::Value v = json::Obj({{"policy_id", policy_id}, {"source", source}, {"enforcement", enforcement}});
  if (reason) v.set("reason", *reason);
  return v;
}

json::Value BrandInfo::ToJson() const {
  json::Value v = json::Obj({{"resolvable", resolvable}});
  json::Value inds = json::Value::MakeArray();
  for (const std::string& i : industries) inds.push(i);
  v.set("industries", std::move(inds));
  if (data_subject_contestation) v.set("data_subject_contestation", *data_subject_contestation);
  return v;
}

PlanTerms ParseTerms(const json::Value& plan) {
  PlanTerms t;
  if (const json::Value* budget = plan.find_object("budget")) {
    if (const double* total = budget->find_number("total")) t.total = *total;
    if (const std::string* c = budget->find_string("currency")) t.currency = *c;
    if (const std::string* m = budget->find_string("accounting_mode")) t.accounting_mode = *m;
    if (const double* r = budget->find_number("reallocation_threshold")) t.reallocation_threshold = *r;
    if (const double* p = budget->find_number("per_seller_max_pct")) t.per_seller_max_pct = *p;
    if (const json::Value* allocs = budget->find_object("allocations")) {
      for (const json::Member& m : allocs->as_object()) {
        Allocation a;
        if (const double* amt = m.second.find_number("amount")) a.amount = *amt;
        if (const double* pct = m.second.find_number("max_pct")) a.max_pct = *pct;
        t.allocations[m.first] = a;
      }
    }
  }
  if (const json::Value* ch = plan.find_object("channels")) {
    t.has_channels = true;
    if (const json::Value* allowed = ch->find("allowed")) t.channels_allowed = Strings(allowed);
    t.channels_required = Strings(ch->find("required"));
    if (const json::Value* mix = ch->find_object("mix_targets")) {
      t.has_mix_targets = true;
      for (const json::Member& m : mix->as_object()) {
        MixTarget mt;
        if (const double* lo = m.second.find_number("min_pct")) mt.min_pct = *lo;
        if (const double* hi = m.second.find_number("max_pct")) mt.max_pct = *hi;
        t.mix_targets[m.first] = mt;
      }
    }
  }
  if (const json::Value* flight = plan.find_object("flight")) {
    if (const std::string* s = flight->find_string("start")) {
      t.flight_start_raw = *s;
      if (auto i = ParseDateTime(*s)) t.flight_start = *i;
    }
    if (const std::string* e = flight->find_string("end")) {
      t.flight_end_raw = *e;
      if (auto i = ParseDateTime(*e)) t.flight_end = *i;
    }
  }
  if (const json::Value* c = plan.find("countries")) t.countries = Strings(c);
  if (const json::Value* r = plan.find("regions")) t.regions = Strings(r);
  if (const json::Array* sellers = plan.find_array("approved_sellers")) {
    t.approved_sellers_is_array = true;
    for (const json::Value& s : *sellers)
      if (s.is_string()) t.approved_seller_keys.push_back(NormalizeAgentUrl(s.as_string()).value_or(""));
  }
  if (const json::Array* dels = plan.find_array("delegations")) {
    for (const json::Value& d : *dels) {
      Delegation del;
      if (const std::string* url = d.find_string("agent_url")) {
        del.agent_url = *url;
        del.agent_key = NormalizeAgentUrl(*url).value_or("");
      }
      if (const std::string* a = d.find_string("authority")) del.authority = *a;
      del.budget_limit = ParseMoney(d.find("budget_limit"));
      if (const json::Value* m = d.find("markets")) del.markets = Strings(m);
      if (const std::string* e = d.find_string("expires_at")) del.expires_at = ParseDateTime(*e);
      t.delegations.push_back(std::move(del));
    }
  }
  if (const json::Value* p = plan.find_object("portfolio")) {
    t.is_portfolio = true;
    t.member_plan_ids = Strings(p->find("member_plan_ids"));
    t.portfolio_cap = ParseMoney(p->find("total_budget_cap"));
    t.shared_policy_ids = Strings(p->find("shared_policy_ids"));
    if (const json::Value* ex = p->find("shared_exclusions"); ex && ex->is_array()) t.shared_exclusions = *ex;
  }
  if (const json::Value* cp = plan.find("custom_policies"); cp && cp->is_array()) t.custom_policies = *cp;
  t.policy_ids = Strings(plan.find("policy_ids"));
  t.policy_categories = Strings(plan.find("policy_categories"));
  if (const json::Value* h = plan.find("human_review_required"); h && h->is_bool()) t.human_review_required = h->as_bool();
  return t;
}

int32_t FindPlan(const State& state, const std::string& owner_key, const std::string& plan_id) {
  auto it = state.plan_by_key.find(JoinKey(owner_key, plan_id));
  return it == state.plan_by_key.end() ? kNone : it->second;
}

int32_t LookupPlanForCaller(const State& state, const std::string& caller_key, const std::string& plan_id) {
  int32_t own = FindPlan(state, caller_key, plan_id);
  if (own != kNone) return own;
  auto it = state.plans_by_delegate.find(JoinKey(caller_key, plan_id));
  if (it == state.plans_by_delegate.end() || it->second.size() != 1) return kNone;
  return it->second[0];
}

const Delegation* DelegationFor(const Plan& plan, const std::string& caller_key, const Instant& now) {
  const Delegation* first = nullptr;
  for (const Delegation& d : plan.terms.delegations) {
    if (d.agent_key.empty() || d.agent_key != caller_key) continue;
    if (d.ActiveAt(now)) return &d;
    if (!first) first = &d;
  }
  return first;
}

std::vector<int32_t> PortfoliosContaining(const State& state, const Plan& member) {
  auto it = state.portfolios_by_member.find(JoinKey(member.owner_key, member.plan_id));
  if (it == state.portfolios_by_member.end()) return {};
  std::vector<int32_t> out = it->second;
  // Ascending byte order of the portfolio plan_id (02 §5).
  std::sort(out.begin(), out.end(),
            [&](int32_t a, int32_t b) { return state.plans[a].plan_id < state.plans[b].plan_id; });
  return out;
}

void IndexPlan(State& state, int32_t idx) {
  const Plan& p = state.plans[idx];
  state.plan_by_key[JoinKey(p.owner_key, p.plan_id)] = idx;
  std::vector<int32_t>& same_id = state.plans_by_id[p.plan_id];  // plans are never removed
  if (std::find(same_id.begin(), same_id.end(), idx) == same_id.end()) same_id.push_back(idx);
  std::set<std::string> delegates;
  for (const Delegation& d : p.terms.delegations)
    if (!d.agent_key.empty() && d.agent_key != p.owner_key) delegates.insert(d.agent_key);
  for (const std::string& d : delegates) state.plans_by_delegate[JoinKey(d, p.plan_id)].push_back(idx);
  if (p.terms.is_portfolio) {
    std::set<std::string> members(p.terms.member_plan_ids.begin(), p.terms.member_plan_ids.end());
    for (const std::string& m : members) state.portfolios_by_member[JoinKey(p.owner_key, m)].push_back(idx);
  }
}

void UnindexPlan(State& state, int32_t idx) {
  const Plan& p = state.plans[idx];
  auto remove_from = [idx](std::unordered_map<std::string, std::vector<int32_t>>& map, const std::string& key) {
    auto it = map.find(key);
    if (it == map.end()) return;
    it->second.erase(std::remove(it->second.begin(), it->second.end(), idx), it->second.end());
    if (it->second.empty()) map.erase(it);
  };
  for (const Delegation& d : p.terms.delegations)
    if (!d.agent_key.empty()) remove_from(state.plans_by_delegate, JoinKey(d.agent_key, p.plan_id));
  if (p.terms.is_portfolio)
    for (const std::string& m : p.terms.member_plan_ids) remove_from(state.portfolios_by_member, JoinKey(p.owner_key, m));
}

namespace {
// The media-buy key (10 §3.5.1) of `media_buy_id` for a bound action.
KeyDigest MediaBuyKeyOf(const State& state, const Action& a, const std::string& media_buy_id) {
  return KeyOf(JoinKey(JoinKey(a.target_key(), state.plans[a.plan].plan_id), media_buy_id));
}
// Whether the action at a position is bound and names the media buy `key` now.
auto NamesMediaBuy(const State& state, const KeyDigest& key) {
  return [&state, &key](int32_t action) {
    const Action& a = state.actions[action];
    return !a.target_key().empty() && !a.media_buy_id.empty() && MediaBuyKeyOf(state, a, a.media_buy_id.str()) == key;
  };
}
}  // namespace

void RecordMediaBuyId(State& state, int32_t action_index, const std::string& media_buy_id) {
  if (media_buy_id.empty()) return;
  Action& a = state.actions[action_index];
  const std::string previous = a.media_buy_id.str();
  a.media_buy_id = media_buy_id;
  if (a.target_key().empty()) return;  // unbound actions are never tokenless candidates
  // The id it named before stays recorded for it, but the action can no
  // longer confirm it: listed.
  if (!previous.empty() && previous != media_buy_id)
    state.media_buys_listed[MediaBuyKeyOf(state, a, previous)].Add(action_index);
  const KeyDigest key = MediaBuyKeyOf(state, a, media_buy_id);
  if (auto listed = state.media_buys_listed.find(key); listed != state.media_buys_listed.end()) {
    listed->second.Add(action_index);
    return;
  }
  const int32_t named = state.action_by_media_buy.Find(key, NamesMediaBuy(state, key));
  if (named == action_index) return;
  if (named != kNone) {  // a second action: both listed, in the order recorded
    ActionsOfMediaBuy& both = state.media_buys_listed[key];
    both.Add(named);
    both.Add(action_index);
    return;
  }
  state.action_by_media_buy.Insert(key, action_index, NamesMediaBuy(state, key));
}

int32_t MediaBuyActionOf(const State& state, const std::string& audience_key, const std::string& plan_id,
                         const std::string& media_buy_id) {
  const KeyDigest key = KeyOf(JoinKey(JoinKey(audience_key, plan_id), media_buy_id));
  if (auto listed = state.media_buys_listed.find(key); listed != state.media_buys_listed.end())
    return listed->second.size() == 1 ? listed->second.front() : kNone;
  return state.action_by_media_buy.Find(key, NamesMediaBuy(state, key));
}

double LedgerCommitted(const Plan& plan) {
  return plan.agg.gross_committed.Value() - plan.agg.headroom_restored.Value();
}

LedgerFigures Figures(const Plan& plan) {
  LedgerFigures f;
  f.authorized = plan.terms.total;
  f.gross_committed = plan.agg.gross_committed.Value();
  f.adjustments_reported = plan.agg.adjustments_reported.Value();
  f.adjustments_verified = plan.agg.adjustments_verified.Value();
  f.headroom_restored = plan.agg.headroom_restored.Value();
  f.net_cost = f.gross_committed - f.adjustments_verified;
  f.ledger_committed = f.gross_committed - f.headroom_restored;
  f.remaining = f.authorized - f.ledger_committed;
  f.utilization_pct = f.authorized > 0 ? Round2(f.ledger_committed / f.authorized * 100) : 0;
  return f;
}

}  // namespace adcp
