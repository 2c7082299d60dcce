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

// A page position (06 §6.1): entries by `seq`; governed actions by `action`
// (the action's creation index; project choice, README).
struct Cursor {
  std::string plan_id;
  uint64_t position = 0;
};

std::string EncodeCursor(const std::string& plan_id, const char* key, uint64_t position) {
  json::Value v = json::Obj({{"plan_id", plan_id}, {key, static_cast<double>(position)}});
  return canon::Base64UrlEncode(json::Canonicalize(v));
}

bool DecodeCursor(const std::string& text, const char* key, Cursor* out) {
  std::string raw;
  if (!canon::Base64UrlDecode(text, &raw)) return false;
  json::ParseResult p = json::Parse(raw);
  if (!p.ok() || !p.value.is_object() || p.value.size() != 2) return false;
  const std::string* plan_id = p.value.find_string("plan_id");
  const double* position = p.value.find_number(key);
  if (!plan_id || !position || *position < 0 || *position > 9007199254740991.0 ||
      *position != static_cast<double>(static_cast<uint64_t>(*position)))
    return false;
  out->plan_id = *plan_id;
  out->position = static_cast<uint64_t>(*position);
  return true;
}

TaskError PageError(const std::string& member, const std::string& why) {
  return MakeError(ErrorCode::kInvalidRequest, "ext.adcp_governance." + member + ": " + why,
                   "ext.adcp_governance." + member);
}

// A sorted list of entries: a plan's (a std::vector) or an action's (a CompactList).
struct EntrySource {
  const EntryRef* first;
  size_t size;
  const EntryRef& operator[](size_t i) const { return first[i]; }
};
template <class List>
EntrySource SourceOf(const List& list) {
  return EntrySource{list.empty() ? nullptr : &list[0], list.size()};
}

// Entries of one plan after `after_seq`, merged by seq from sorted sources.
std::vector<EntryRef> TakeEntries(const State& state, const std::vector<EntrySource>& sources, uint64_t after_seq,
                                  size_t limit, bool* more) {
  using Head = std::pair<uint64_t, size_t>;  // (seq, source)
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
  std::vector<size_t> pos(sources.size());
  for (size_t s = 0; s < sources.size(); ++s) {
    const EntrySource& v = sources[s];
    pos[s] = static_cast<size_t>(
        std::upper_bound(v.first, v.first + v.size, after_seq,
                         [&](uint64_t seq, const EntryRef& e) { return seq < SeqOf(state, e); }) -
        v.first);
    if (pos[s] < v.size) heap.emplace(SeqOf(state, v[pos[s]]), s);
  }
  std::vector<EntryRef> out;
  uint64_t last = after_seq;
  while (!heap.empty() && out.size() < limit) {
    size_t s = heap.top().second;
    heap.pop();
    const EntryRef& e = sources[s][pos[s]];
    const uint64_t seq = SeqOf(state, e);
    if (seq != last) out.push_back(e);  // the same entry can sit in two sources
    last = seq;
    if (++pos[s] < sources[s].size) heap.emplace(SeqOf(state, sources[s][pos[s]]), s);
  }
  // Skip duplicates of the last taken entry before deciding whether more remain.
  while (!heap.empty() && heap.top().first == last) {
    size_t s = heap.top().second;
    heap.pop();
    if (++pos[s] < sources[s].size) heap.emplace(SeqOf(state, sources[s][pos[s]]), s);
  }
  *more = !heap.empty();
  return out;
}

// One paging member of ext.adcp_governance: {limit, after?}.
struct Page {
  std::optional<size_t> limit;
  std::optional<Cursor> after;
};
struct Paging {
  Page entries;  // 06 §6.1
  Page actions;  // governed_actions (project choice, README)
  bool burn = false;  // committed by settlement day (project choice, README)
};

Status ReadPage(const json::Value* ns, const char* member, const char* key, Page* page) {
  const json::Value* spec = ns ? ns->find(member) : nullptr;
  if (!spec) return Status::Ok();
  page->limit = static_cast<size_t>(spec->find_number("limit")[0]);
  if (const std::string* after = spec->find_string("after")) {
    Cursor c;
    if (!DecodeCursor(*after, key, &c)) return PageError(member, "invalid cursor");
    page->after = c;
  }
  return Status::Ok();
}

Status ReadPaging(const json::Value& request, Paging* paging) {
  const json::Value* ext = request.find_object("ext");
  const json::Value* ns = ext ? ext->find_object("adcp_governance") : nullptr;
  const json::Value* burn = ns ? ns->find("burn") : nullptr;
  paging->burn = burn && burn->as_bool();
  ADCP_RETURN_IF_ERROR(ReadPage(ns, "entries", "seq", &paging->entries));
  return ReadPage(ns, "governed_actions", "action", &paging->actions);
}

// A cursor must name a plan the request addresses.
Status CheckCursorPlans(const State& state, const std::vector<int32_t>& plans, const Paging& paging) {
  const std::pair<const char*, const Page*> pages[] = {{"entries", &paging.entries}, {"governed_actions", &paging.actions}};
  for (const auto& [member, page] : pages) {
    if (!page->after) continue;
    bool addressed = false;
    for (int32_t p : plans) addressed = addressed || state.plans[p].plan_id == page->after->plan_id;
    if (!addressed) return PageError(member, "cursor does not belong to a requested plan");
  }
  return Status::Ok();
}

// The governed actions of one plan (06 §4) from `actions` (creation order),
// after the page cursor, at most `limit`: O(limit + log n) without a
// purchase-type filter. `*next` is set when more remain.
json::Value GovernedActionsPage(const State& state, const Plan& plan, const std::vector<int32_t>& actions,
                                const std::set<std::string>& types, const Page& page, std::optional<uint64_t>* next) {
  size_t start = 0;
  if (page.after && page.after->plan_id == plan.plan_id)
    start = static_cast<size_t>(std::upper_bound(actions.begin(), actions.end(), page.after->position,
                                                 [](uint64_t pos, int32_t a) { return pos < static_cast<uint64_t>(a); }) -
                                actions.begin());
  const size_t limit = page.limit.value_or(SIZE_MAX);
  json::Value governed = json::Value::MakeArray();
  if (limit == 0) return governed;  // the summary alone: O(1)
  int32_t last = kNone;
  size_t i = start;
  for (; i < actions.size(); ++i) {
    const Action& action = state.actions[actions[i]];
    if (state.checks[action.intent_check].issued_token.empty() || (!types.empty() && types.count(action.purchase_type()) == 0)) continue;
    if (governed.size() == limit) break;
    governed.push(GovernedAction(state, action));
    last = actions[i];
  }
  if (page.limit && i < actions.size()) *next = static_cast<uint64_t>(last);
  return governed;
}

// The plan's burn: ledger committed of settled actions by the UTC day of
// their settlement, with the running total (whose last value is the budget
// block's ledger_committed). O(days with settlements).
json::Value BurnOf(const Plan& plan) {
  json::Value days = json::Value::MakeArray();
  ExactSum running;
  for (const auto& [day, committed] : plan.agg.committed_by_day) {
    running.Add(committed.Value());
    days.push(json::Obj({{"date", FormatMillis(day * 86400000).substr(0, 10)},
                         {"committed", committed.Value()},
                         {"cumulative", running.Value()}}));
  }
  return json::Obj({{"plan_id", plan.plan_id}, {"currency", plan.terms.currency}, {"days", std::move(days)}});
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
                         {"amount", action.hold().amount},
                         {"expires_at", FormatMillis(action.hold().exp_ms)}}));
  }
  return json::Obj({{"plan_id", plan.plan_id}, {"held", plan.agg.held.Value()}, {"actions", std::move(list)}});
}

// What the request asks of every plan (06 §2 filters, §6 entries).
struct AuditQuery {
  bool contexts = false;
  std::set<int32_t> selected_actions;
  std::set<std::string> types;
  bool include_entries = false;
  EntryOptions entry_opts;
};

// One plan item (06 §3): figures, governed actions (paged when asked),
// summary, entries (paged when asked); next cursors go to `pages` /
// `action_pages`.
json::Value PlanItem(const State& state, const Config& config, int32_t pi, const AuditQuery& query,
                     const Paging& paging, json::Value* pages, json::Value* action_pages) {
  const Plan& plan = state.plans[pi];
  json::Value item = json::Obj({{"plan_id", plan.plan_id},
                                {"plan_version", plan.version},
                                {"status", PlanStatusName(plan.status)},
                                {"budget", BudgetBlock(plan)},
                                {"channel_allocation", ChannelAllocation(plan)}});
  // Actions this request selects in this plan, creation order.
  std::vector<int32_t> selected;
  if (query.contexts) {
    for (int32_t a : query.selected_actions)
      if (state.actions[a].plan == pi) selected.push_back(a);
  }
  const std::vector<int32_t>& actions = query.contexts ? selected : plan.actions;
  std::optional<uint64_t> next_action;
  item.set("governed_actions", GovernedActionsPage(state, plan, actions, query.types, paging.actions, &next_action));
  if (next_action)
    action_pages->push(json::Obj({{"plan_id", plan.plan_id},
                                  {"next_cursor", EncodeCursor(plan.plan_id, "action", *next_action)}}));
  item.set("summary", Summary(state, plan, config));
  if (!query.include_entries) return item;
  auto type_ok = [&](const std::string& pt) { return query.types.empty() || query.types.count(pt) > 0; };
  std::vector<EntrySource> sources;
  if (query.contexts) {
    for (int32_t a : actions)
      if (type_ok(state.actions[a].purchase_type())) sources.push_back(SourceOf(state.actions[a].entries));
  } else if (!query.types.empty()) {
    for (const std::string& t : query.types)
      if (const std::vector<EntryRef>* of_type = EntriesOfType(plan, t)) sources.push_back(SourceOf(*of_type));
  } else {
    sources.push_back(SourceOf(plan.entries));
  }
  const Page& page = paging.entries;
  uint64_t after = page.after && page.after->plan_id == plan.plan_id ? page.after->position : 0;
  bool more = false;
  std::vector<EntryRef> refs = TakeEntries(state, sources, after, page.limit.value_or(SIZE_MAX), &more);
  json::Value entries = json::Value::MakeArray();
  for (const EntryRef& r : refs) entries.push(Entry(state, r, query.entry_opts));
  item.set("entries", std::move(entries));
  if (page.limit && more)
    pages->push(json::Obj({{"plan_id", plan.plan_id}, {"next_cursor", EncodeCursor(plan.plan_id, "seq", SeqOf(state, refs.back()))}}));
  return item;
}

}  // namespace

TaskResult RunGetPlanAuditLogs(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  if (std::optional<schema::Failure> f = schema::Validate(schema::GetPlanAuditLogsRequest(), request))
    return TaskResult::Failed(SchemaError(ErrorCode::kInvalidRequest, *f));
  Paging paging;
  if (Status read = ReadPaging(request, &paging); !read.ok()) return TaskResult::Failed(read.error());
  TaskResult result;
  if (const std::string* key = request.find_string("idempotency_key")) {
    if (std::optional<TaskResult> early = CheckIdempotency(ctx, KeyedTask::kGetPlanAuditLogs, request, auth, *key, false, &result))
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
      const int32_t issuer = FindIssuer(state, token.as_string());
      const int32_t action = issuer == kNone ? kNone : state.checks[issuer].action;
      if (action == kNone || state.plans[state.actions[action].plan].owner_key != auth.key)
        return TaskResult::Failed(NotFound());
      selected_actions.insert(action);
      add_plan(state.actions[action].plan);
    }
  }
  if (Status cursors = CheckCursorPlans(state, plans, paging); !cursors.ok()) return TaskResult::Failed(cursors.error());
  AuditQuery query;
  query.contexts = contexts != nullptr;
  query.selected_actions = std::move(selected_actions);
  if (const json::Array* pts = request.find_array("purchase_types"))
    for (const json::Value& t : *pts) query.types.insert(t.as_string());
  query.include_entries = request.find("include_entries") && request.find("include_entries")->as_bool();
  query.entry_opts.include_plan_id = plans.size() > 1 || portfolio_ids != nullptr;
  query.entry_opts.verbatim_members = !ctx.is_legacy();

  // Holds are evaluated at now (03 §5.7).
  if (agent.config.budget_holds) {
    for (int32_t p : plans) {
      if (state.plans[p].agg.hold_expiry.empty()) continue;
      Result<int64_t> now = ctx.Now();
      if (!now.ok()) return TaskResult::Failed(now.error());
      ctx.store().ExpireHolds(p, now.value());
    }
  }

  json::Value out_plans = json::Value::MakeArray();
  json::Value holds = json::Value::MakeArray();
  json::Value pages = json::Value::MakeArray();
  json::Value action_pages = json::Value::MakeArray();
  json::Value burn = json::Value::MakeArray();
  for (int32_t pi : plans) {
    const Plan& plan = state.plans[pi];
    out_plans.push(PlanItem(state, agent.config, pi, query, paging, &pages, &action_pages));
    if (agent.config.budget_holds && !plan.agg.hold_expiry.empty()) holds.push(HoldsOf(state, plan));
    if (paging.burn) burn.push(BurnOf(plan));
  }
  result.body = json::Obj({{"plans", std::move(out_plans)}});
  if (holds.size() > 0 || pages.size() > 0 || action_pages.size() > 0 || burn.size() > 0) {
    json::Value ns = json::Value::MakeObject();
    if (burn.size() > 0) ns.set("burn", std::move(burn));
    if (holds.size() > 0) ns.set("holds", std::move(holds));
    if (pages.size() > 0) ns.set("pages", std::move(pages));
    if (action_pages.size() > 0) ns.set("action_pages", std::move(action_pages));
    result.body.set("ext", json::Obj({{"adcp_governance", std::move(ns)}}));
  }
  return result;
}

}  // namespace adcp
