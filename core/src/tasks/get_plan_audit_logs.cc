// get_plan_audit_logs (spec 06): budget, channel allocation, governed
// actions, summary and drift from running totals; entries with filters and
// cursor pagination in O(k + log n) per page.
#include <algorithm>
#include <queue>
#include <set>

#include "tasks/tasks.h"
#include "audit/entries.h"
#include "audit/figures.h"
#include "canon/sha256.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "util/time.h"

namespace adcp {
namespace {

TaskError NotFound() {
  // 08 §4: generic message, no field, no details.
  return MakeError(ErrorCode::kPlanNotFound, "one or more requested plans were not found");
}

struct Cursor {
  std::string plan_id;
  uint64_t seq = 0;
};

std::string EncodeCursor(const std::string& plan_id, uint64_t seq) {
  json::Value v = json::Obj({{"plan_id", plan_id}, {"seq", static_cast<double>(seq)}});
  return canon::Base64UrlEncode(json::Canonicalize(v));
}

bool DecodeCursor(const std::string& text, Cursor* out) {
  std::string raw;
  if (!canon::Base64UrlDecode(text, &raw)) return false;
  json::ParseResult p = json::Parse(raw);
  if (!p.ok() || !p.value.is_object() || p.value.size() != 2) return false;
  const std::string* plan_id = p.value.find_string("plan_id");
  const double* seq = p.value.find_number("seq");
  if (!plan_id || !seq || *seq < 0 || *seq > 9007199254740991.0 || *seq != static_cast<double>(static_cast<uint64_t>(*seq)))
    return false;
  out->plan_id = *plan_id;
  out->seq = static_cast<uint64_t>(*seq);
  return true;
}

TaskError PageError(const std::string& why) {
  return MakeError(ErrorCode::kInvalidRequest, "ext.adcp_governance.entries: " + why, "ext.adcp_governance.entries");
}

// Entries of one plan after `after_seq`, merged by seq from sorted sources.
std::vector<EntryRef> TakeEntries(const std::vector<const std::vector<EntryRef>*>& sources, uint64_t after_seq,
                                  size_t limit, bool* more) {
  using Head = std::pair<uint64_t, size_t>;  // (seq, source)
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
  std::vector<size_t> pos(sources.size());
  for (size_t s = 0; s < sources.size(); ++s) {
    const std::vector<EntryRef>& v = *sources[s];
    pos[s] = static_cast<size_t>(
        std::upper_bound(v.begin(), v.end(), after_seq, [](uint64_t seq, const EntryRef& e) { return seq < e.seq; }) -
        v.begin());
    if (pos[s] < v.size()) heap.emplace(v[pos[s]].seq, s);
  }
  std::vector<EntryRef> out;
  uint64_t last = after_seq;
  while (!heap.empty() && out.size() < limit) {
    size_t s = heap.top().second;
    heap.pop();
    const EntryRef& e = (*sources[s])[pos[s]];
    if (e.seq != last) out.push_back(e);  // the same entry can sit in two sources
    last = e.seq;
    if (++pos[s] < sources[s]->size()) heap.emplace((*sources[s])[pos[s]].seq, s);
  }
  // Skip duplicates of the last taken entry before deciding whether more remain.
  while (!heap.empty() && heap.top().first == last) {
    size_t s = heap.top().second;
    heap.pop();
    if (++pos[s] < sources[s]->size()) heap.emplace((*sources[s])[pos[s]].seq, s);
  }
  *more = !heap.empty();
  return out;
}

// The paging member (06 §6.1): ext.adcp_governance.entries {limit, after}.
Status ReadPaging(const json::Value& request, std::optional<size_t>* page_limit, std::optional<Cursor>* cursor) {
  const json::Value* ext = request.find_object("ext");
  const json::Value* ns = ext ? ext->find_object("adcp_governance") : nullptr;
  const json::Value* entries = ns ? ns->find("entries") : nullptr;
  if (!entries) return Status::Ok();
  *page_limit = static_cast<size_t>(entries->find_number("limit")[0]);
  if (const std::string* after = entries->find_string("after")) {
    Cursor c;
    if (!DecodeCursor(*after, &c)) return PageError("invalid cursor");
    *cursor = c;
  }
  return Status::Ok();
}

// The plan's outstanding holds (03 §5.7), in action order.
json::Value HoldsOf(const State& state, const Plan& plan) {
  std::vector<int32_t> holding;
  for (const auto& h : plan.agg.hold_expiry) holding.push_back(h.second);
  std::sort(holding.begin(), holding.end());
  json::Value list = json::Value::MakeArray();
  for (int32_t a : holding) {
    const Action& action = state.actions[a];
    list.push(json::Obj({{"check_id", state.checks[action.intent_check].check_id},
                         {"amount", action.hold.amount},
                         {"expires_at", FormatMillis(action.hold.exp_ms)}}));
  }
  return json::Obj({{"plan_id", plan.plan_id}, {"held", plan.agg.held.Value()}, {"actions", std::move(list)}});
}

}  // namespace

TaskResult RunGetPlanAuditLogs(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  if (std::optional<schema::Failure> f = schema::Validate(schema::GetPlanAuditLogsRequest(), request))
    return TaskResult::Failed(SchemaError(ErrorCode::kInvalidRequest, *f));
  std::optional<size_t> page_limit;
  std::optional<Cursor> cursor;
  if (Status paging = ReadPaging(request, &page_limit, &cursor); !paging.ok()) return TaskResult::Failed(paging.error());
  TaskResult result;
  if (const std::string* key = request.find_string("idempotency_key")) {
    if (std::optional<TaskResult> early = CheckIdempotency(ctx, "get_plan_audit_logs", request, auth, *key, false, &result))
      return *early;
  }

  const State& state = ctx.state();
  // Resolution (06 §2): any failure is one uniform PLAN_NOT_FOUND.
  std::vector<int32_t> plans;
  std::set<int32_t> listed;
  auto add_plan = [&](int32_t p) {
    if (listed.insert(p).second) plans.push_back(p);
  };
  if (const json::Array* ids = request.find_array("plan_ids")) {
    for (const json::Value& id : *ids) {
      int32_t p = FindPlan(state, auth.key, id.as_string());
      if (p == kNone) return TaskResult::Failed(NotFound());
      add_plan(p);
    }
  }
  const json::Array* portfolio_ids = request.find_array("portfolio_plan_ids");
  if (portfolio_ids) {
    std::vector<int32_t> portfolios;
    for (const json::Value& id : *portfolio_ids) {
      int32_t p = FindPlan(state, auth.key, id.as_string());
      if (p == kNone || !state.plans[p].terms.is_portfolio) return TaskResult::Failed(NotFound());
      portfolios.push_back(p);
    }
    for (int32_t q : portfolios)
      for (const std::string& member : state.plans[q].terms.member_plan_ids) {
        int32_t m = FindPlan(state, auth.key, member);
        if (m != kNone) add_plan(m);
      }
  }
  std::set<int32_t> selected_actions;
  const json::Array* contexts = request.find_array("governance_contexts");
  if (contexts) {
    for (const json::Value& token : *contexts) {
      auto it = state.check_by_token.find(TokenKey(token.as_string()));
      int32_t action = it == state.check_by_token.end() ? kNone : state.checks[it->second].action;
      if (action == kNone || state.plans[state.actions[action].plan].owner_key != auth.key)
        return TaskResult::Failed(NotFound());
      selected_actions.insert(action);
      add_plan(state.actions[action].plan);
    }
  }
  if (cursor) {
    bool addressed = false;
    for (int32_t p : plans) addressed = addressed || state.plans[p].plan_id == cursor->plan_id;
    if (!addressed) return TaskResult::Failed(PageError("cursor does not belong to a requested plan"));
  }
  std::set<std::string> types;
  if (const json::Array* pts = request.find_array("purchase_types"))
    for (const json::Value& t : *pts) types.insert(t.as_string());
  auto type_ok = [&](const std::string& pt) { return types.empty() || types.count(pt) > 0; };

  // Holds are evaluated at now (03 §5.7).
  if (agent.config.budget_holds) {
    for (int32_t p : plans) {
      if (state.plans[p].agg.hold_expiry.empty()) continue;
      Result<int64_t> now = ctx.Now();
      if (!now.ok()) return TaskResult::Failed(now.error());
      ctx.store().ExpireHolds(p, now.value());
    }
  }

  const bool include_entries = request.find("include_entries") && request.find("include_entries")->as_bool();
  EntryOptions entry_opts;
  entry_opts.include_plan_id = plans.size() > 1 || portfolio_ids != nullptr;
  json::Value out_plans = json::Value::MakeArray();
  json::Value holds = json::Value::MakeArray();
  json::Value pages = json::Value::MakeArray();
  for (int32_t pi : plans) {
    const Plan& plan = state.plans[pi];
    json::Value item = json::Obj({{"plan_id", plan.plan_id},
                                  {"plan_version", plan.version},
                                  {"status", PlanStatusName(plan.status)},
                                  {"budget", BudgetBlock(plan)},
                                  {"channel_allocation", ChannelAllocation(plan)}});
    // Actions this request selects in this plan, creation order.
    std::vector<int32_t> actions;
    if (contexts) {
      for (int32_t a : selected_actions)
        if (state.actions[a].plan == pi) actions.push_back(a);
      std::sort(actions.begin(), actions.end());
    } else {
      actions = plan.actions;
    }
    json::Value governed = json::Value::MakeArray();
    for (int32_t a : actions) {
      const Action& action = state.actions[a];
      if (IntentToken(state, action).empty() || !type_ok(action.purchase_type)) continue;
      governed.push(GovernedAction(state, action));
    }
    item.set("governed_actions", std::move(governed));
    item.set("summary", Summary(state, plan, agent.config));
    if (include_entries) {
      std::vector<const std::vector<EntryRef>*> sources;
      if (contexts) {
        for (int32_t a : actions)
          if (type_ok(state.actions[a].purchase_type)) sources.push_back(&state.actions[a].entries);
      } else if (!types.empty()) {
        for (const std::string& t : types) {
          auto it = plan.entries_by_type.find(t);
          if (it != plan.entries_by_type.end()) sources.push_back(&it->second);
        }
      } else {
        sources.push_back(&plan.entries);
      }
      uint64_t after = cursor && cursor->plan_id == plan.plan_id ? cursor->seq : 0;
      bool more = false;
      std::vector<EntryRef> refs = TakeEntries(sources, after, page_limit.value_or(SIZE_MAX), &more);
      json::Value entries = json::Value::MakeArray();
      for (const EntryRef& r : refs) entries.push(Entry(state, r, entry_opts));
      item.set("entries", std::move(entries));
      if (page_limit && more)
        pages.push(json::Obj({{"plan_id", plan.plan_id}, {"next_cursor", EncodeCursor(plan.plan_id, refs.back().seq)}}));
    }
    if (agent.config.budget_holds && !plan.agg.hold_expiry.empty()) holds.push(HoldsOf(state, plan));
    out_plans.push(std::move(item));
  }
  result.body = json::Obj({{"plans", std::move(out_plans)}});
  if (holds.size() > 0 || pages.size() > 0) {
    json::Value ns = json::Value::MakeObject();
    if (holds.size() > 0) ns.set("holds", std::move(holds));
    if (pages.size() > 0) ns.set("pages", std::move(pages));
    result.body.set("ext", json::Obj({{"adcp_governance", std::move(ns)}}));
  }
  return result;
}

}  // namespace adcp
