// sync_accounts / list_accounts (AdCP accounts protocol, 3.0.6 account/*):
// the advertiser accounts an agent buys for through this governance agent.
// Project choices (the spec has no account section): accounts are the
// caller's own (identity from the credential; another agent's accounts read
// as absent); the natural key is (owner, brand.domain, brand.brand_id,
// operator); an account is active at once (a governance agent provisions no
// credit); `delete_missing` closes the caller's accounts the request leaves
// out; `dry_run` answers what would happen and changes nothing.
#include "tasks/tasks.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/store.h"

namespace adcp {
namespace {

constexpr int64_t kDefaultPage = 50;

json::Value AccountItem(const Account& a, const char* action) {
  const std::string* domain = a.brand.find_string("domain");
  json::Value v = json::Obj({{"account_id", a.account_id},
                             {"brand", a.brand},
                             {"operator", a.operator_domain},
                             {"name", (domain ? *domain : std::string("brand")) + " via " + a.operator_domain}});
  if (action) v.set("action", action);
  v.set("status", a.status);
  v.set("billing", a.billing);
  if (a.billing_entity) v.set("billing_entity", *a.billing_entity);
  if (a.payment_terms) v.set("payment_terms", *a.payment_terms);
  if (a.sandbox) v.set("sandbox", true);
  return v;
}

// The record an item of the request describes (id and times set by the caller).
Account FromItem(const json::Value& item, const Auth& auth) {
  Account a;
  a.owner = auth.agent_url;
  a.owner_key = auth.key;
  a.brand = *item.find("brand");
  a.operator_domain = *item.find_string("operator");
  a.billing = *item.find_string("billing");
  if (const json::Value* e = item.find("billing_entity")) a.billing_entity = *e;
  if (const std::string* t = item.find_string("payment_terms")) a.payment_terms = *t;
  if (const json::Value* s = item.find("sandbox")) a.sandbox = s->as_bool();
  return a;
}

bool SameTerms(const Account& a, const Account& b) {
  return a.brand == b.brand && a.billing == b.billing && a.billing_entity == b.billing_entity &&
         a.payment_terms == b.payment_terms && a.sandbox == b.sandbox && a.status == b.status;
}

}  // namespace

TaskResult RunSyncAccounts(Agent&, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  if (std::optional<schema::Failure> f = schema::Validate(schema::SyncAccountsRequest(), request))
    return TaskResult::Failed(SchemaError(ErrorCode::kValidationError, *f));
  TaskResult result;
  if (std::optional<TaskResult> early =
          CheckIdempotency(ctx, KeyedTask::kSyncAccounts, request, auth, *request.find_string("idempotency_key"), true, &result))
    return *early;
  const State& state = ctx.state();
  const json::Array& items = *request.find_array("accounts");
  const bool dry_run = request.find("dry_run") && request.find("dry_run")->as_bool();
  const bool delete_missing = request.find("delete_missing") && request.find("delete_missing")->as_bool();
  // Validate fully, then write: duplicate natural keys in one request fail.
  std::vector<Account> wanted;
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    wanted.push_back(FromItem(items[i], auth));
    const std::string key = AccountKey(auth.key, wanted.back().brand, wanted.back().operator_domain);
    if (!seen.emplace(key, i).second)
      return TaskResult::Failed(MakeError(ErrorCode::kValidationError, "the request lists the same account twice",
                                          "accounts[" + std::to_string(i) + "]"));
  }
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  std::vector<std::optional<std::string>> new_ids(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (state.account_by_key.count(AccountKey(auth.key, wanted[i].brand, wanted[i].operator_domain))) continue;
    Result<std::string> id = ctx.NewId("acc", [&](const std::string& x) { return state.account_by_id.count(x) > 0; });
    if (!id.ok()) return TaskResult::Failed(id.error());
    new_ids[i] = id.value();
  }
  json::Value out = json::Value::MakeArray();
  for (size_t i = 0; i < wanted.size(); ++i) {
    Account a = std::move(wanted[i]);
    auto existing = state.account_by_key.find(AccountKey(auth.key, a.brand, a.operator_domain));
    const char* action = "created";
    int32_t index = kNone;
    if (existing != state.account_by_key.end()) {
      index = existing->second;
      const Account& prior = state.accounts[index];
      a.account_id = prior.account_id;
      a.created_ms = prior.created_ms;
      const bool unchanged = SameTerms(prior, a);
      action = unchanged ? "unchanged" : "updated";
      a.updated_ms = unchanged ? prior.updated_ms : now.value();
    } else {
      a.account_id = *new_ids[i];
      a.created_ms = a.updated_ms = now.value();
    }
    out.push(AccountItem(a, action));
    if (!dry_run && std::string(action) != "unchanged") ctx.store().PutAccount(index, std::move(a));
  }
  if (delete_missing) {
    auto owned = state.accounts_by_owner.find(auth.key);
    if (owned != state.accounts_by_owner.end())
      for (int32_t i : owned->second) {
        const Account& a = state.accounts[i];
        if (a.status == "closed" || seen.count(AccountKey(a.owner_key, a.brand, a.operator_domain))) continue;
        Account closed = a;
        closed.status = "closed";
        closed.updated_ms = now.value();
        out.push(AccountItem(closed, "updated"));
        if (!dry_run) ctx.store().PutAccount(i, std::move(closed));
      }
  }
  result.body = json::Obj({{"accounts", std::move(out)}});
  if (dry_run) result.body.set("dry_run", true);
  return result;
}

TaskResult RunListAccounts(Agent&, CallContext& ctx, const json::Value& request, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  if (std::optional<schema::Failure> f = schema::Validate(schema::ListAccountsRequest(), request))
    return TaskResult::Failed(SchemaError(ErrorCode::kValidationError, *f));
  const State& state = ctx.state();
  int64_t limit = kDefaultPage;
  size_t from = 0;
  auto owned = state.accounts_by_owner.find(auth.key);
  if (const json::Value* page = request.find_object("pagination")) {
    if (const double* m = page->find_number("max_results")) limit = static_cast<int64_t>(*m);
    if (const std::string* cursor = page->find_string("cursor")) {
      // The cursor is the last account id of the previous page (the caller's own).
      auto it = state.account_by_id.find(*cursor);
      if (it == state.account_by_id.end() || state.accounts[it->second].owner_key != auth.key)
        return TaskResult::Failed(MakeError(ErrorCode::kValidationError, "cursor is not from a previous page", "pagination.cursor"));
      from = static_cast<size_t>(state.accounts[it->second].owner_position) + 1;
    }
  }
  const std::string* status = request.find_string("status");
  const json::Value* sandbox = request.find("sandbox");
  json::Value items = json::Value::MakeArray();
  bool more = false;
  std::string last;
  if (owned != state.accounts_by_owner.end()) {
    // Filters scan forward from the cursor; without filters this is O(page).
    for (size_t k = from; k < owned->second.size(); ++k) {
      const Account& a = state.accounts[owned->second[k]];
      if ((status && a.status != *status) || (sandbox && a.sandbox != sandbox->as_bool())) continue;
      if (static_cast<int64_t>(items.size()) == limit) {
        more = true;
        break;
      }
      items.push(AccountItem(a, nullptr));
      last = a.account_id;
    }
  }
  json::Value pagination = json::Obj({{"has_more", more}});
  if (more) pagination.set("cursor", last);
  return TaskResult::Completed(json::Obj({{"accounts", std::move(items)}, {"pagination", std::move(pagination)}}));
}

}  // namespace adcp
