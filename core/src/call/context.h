// Per-call context: the one clock read, id allocation, hook wrappers and the
// task result type. Tasks validate fully before they mutate; id counters are
// staged here and committed only when the call succeeds (08 §6).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "adcp_governance.h"
#include "config/config.h"
#include "config/identity.h"
#include "dialect/dialect.h"
#include "json/value.h"
#include "state/state.h"
#include "state/store.h"
#include "util/status.h"

namespace adcp {

// What a task returns to the facade.
struct TaskResult {
  enum Kind { kCompleted, kSubmitted, kFailed } kind = kCompleted;
  json::Value body;      // completed: response body without context
  bool replayed = false;
  std::string task_id;   // submitted
  TaskError error;       // failed
  // Idempotency entry to store on success (set by the keyed tasks).
  std::optional<std::string> idempotency_scope;
  KeyedTask idempotency_task = KeyedTask::kNone;
  std::string idempotency_hash;

  static TaskResult Completed(json::Value body) {
    TaskResult r;
    r.body = std::move(body);
    return r;
  }
  static TaskResult Failed(TaskError e) {
    TaskResult r;
    r.kind = kFailed;
    r.error = std::move(e);
    return r;
  }
};

class CallContext {
 public:
  // Changes go through store(); with `log` they are written down as the
  // call's change set (state/store.h).
  CallContext(const Config& config, const Hooks& hooks, State& state, ChangeLog* log = nullptr)
      : config_(config), hooks_(hooks), state_(state), store_(state, config, log) {}

  // The request's dialect (10 §1) and what its normalization set aside.
  Dialect dialect = Dialect::k32;
  LegacyRequest legacy;
  bool is_legacy() const { return IsLegacy(dialect); }

  const Config& config() const { return config_; }
  const Hooks& hooks() const { return hooks_; }
  const State& state() const { return state_; }
  Store& store() { return store_; }

  // "now" of this call: read once from the hook on first need (README).
  Result<int64_t> Now();
  // New "<prefix>_<token>" id (README "Identifiers"); `taken` rejects collisions.
  Result<std::string> NewId(const std::string& prefix, const std::function<bool(const std::string&)>& taken);
  // Outcomes-ledger record id (11 §3): 32 lower-case hex digits of
  // randomBytes(16), or "<prefix>_<counter>" in sequential mode.
  Result<std::string> NewHexId(const std::string& sequential_prefix,
                               const std::function<bool(const std::string&)>& taken);
  // Token jti: UUIDv7 (random) or jti_<counter> (sequential).
  Result<std::string> NewJti();
  // Commits staged id counters through the store (the facade, on success).
  void Commit();

  // JSON-valued hooks: result parsed, or SERVICE_UNAVAILABLE.
  Result<json::Value> CallJsonHook(const char* name, const std::function<HookResult<std::string>()>& call);

 private:
  Result<std::string> RandomBytes(size_t n);
  std::string NextCounter(const std::string& prefix);

  const Config& config_;
  const Hooks& hooks_;
  const State& state_;
  Store store_;
  std::optional<int64_t> now_;
  std::map<std::string, uint64_t> staged_counters_;
};

TaskError HookFailure(const std::string& hook, const std::string& why);

}  // namespace adcp
