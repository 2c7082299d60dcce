// list_outcomes (spec 11 §4): the session user's records, newest first, in
// O(page + log n) from the per-user index.
#include "tasks/tasks.h"
#include "state/value_ledger.h"
#include "tasks/outcomes_common.h"

namespace adcp {
namespace {
constexpr int64_t kDefaultLimit = 20, kMaxLimit = 50;
}

TaskResult RunListOutcomes(Agent&, CallContext& ctx, const json::Value& request, const Auth& auth_in) {
  Result<ValueAuth> auth = ParseValueAuth(auth_in);
  if (!auth.ok()) return TaskResult::Failed(auth.error());
  // The seed describes listing under session auth only.
  if (auth.value().mode != ValueAuth::kSession) return TaskResult::Failed(Unauthorized());

  int64_t limit = kDefaultLimit;
  if (const json::Value* l = request.find("limit"); l && !l->is_null()) {
    std::optional<int64_t> n = IntegerParam(*l);
    if (!n || *n < 1) return TaskResult::Failed(MakeError(ErrorCode::kValidationError, "limit must be an integer of at least 1", "limit"));
    limit = std::min(*n, kMaxLimit);  // values above 50 are clamped (project choice)
  }

  const ValueLedger& ledger = ctx.state().value_ledger;
  auto user = ledger.by_user.find(auth.value().user_id);
  std::set<NewestFirst>::const_iterator from;
  if (const json::Value* b = request.find("before"); b && !b->is_null()) {
    // Only the user's own record ids are cursors; anything else reads the same.
    auto bad = MakeError(ErrorCode::kValidationError, "before must be the id of one of your outcomes", "before");
    if (!b->is_string()) return TaskResult::Failed(bad);
    auto it = ledger.by_id.find(b->as_string());
    if (it == ledger.by_id.end() || user == ledger.by_user.end()) return TaskResult::Failed(bad);
    const ValueRecord& cursor = ledger.records[it->second];
    if (cursor.user_id != auth.value().user_id) return TaskResult::Failed(bad);
    from = user->second.newest_first.upper_bound({cursor.created_ms, it->second});
  } else if (user != ledger.by_user.end()) {
    from = user->second.newest_first.begin();
  }

  json::Value items = json::Value::MakeArray();
  if (user != ledger.by_user.end())
    for (auto it = from; it != user->second.newest_first.end() && static_cast<int64_t>(items.size()) < limit; ++it)
      items.push(ValueRecordItem(ledger.records[it->index]));
  return TaskResult::Completed(json::Obj({{"outcomes", std::move(items)}}));
}

}  // namespace adcp
