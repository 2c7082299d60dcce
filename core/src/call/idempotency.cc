// Idempotency and replay (08 §5).
#include "call/idempotency.h"

#include "state/ledger.h"
#include "state/store.h"
#include "canon/digests.h"
#include "json/json.h"

namespace adcp {

std::optional<TaskResult> CheckIdempotency(CallContext& ctx, KeyedTask task, const json::Value& request,
                                           const Auth& auth, const std::string& key, bool body_declares_replayed,
                                           TaskResult* pending) {
  return CheckIdempotencyScoped(ctx, task, JoinKey(auth.key, key), canon::IdempotencyPayloadHash(request),
                                body_declares_replayed, pending);
}

std::optional<TaskResult> CheckIdempotencyScoped(CallContext& ctx, KeyedTask task, const std::string& scope,
                                                 const std::string& hash, bool body_declares_replayed,
                                                 TaskResult* pending) {
  const State& state = ctx.state();
  // Read the clock now: a replay needs it, and so does storing the entry.
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  const std::optional<std::string> stored_scope = FindStoredScope(state, scope);
  const int32_t stored = stored_scope ? FindIdempotency(state, *stored_scope) : kNone;
  if (stored != kNone) {
    const IdempotencyEntry& entry = state.idempotency[stored].entry;
    const int64_t window_ms = (ctx.config().replay_ttl_seconds + 60) * 1000;
    const std::optional<std::string> stored_body = ReplayBodyOf(state, entry);
    if (now.value() - entry.stored_at_ms > window_ms || !stored_body)
      return TaskResult::Failed(MakeError(ErrorCode::kIdempotencyExpired, "idempotency key is outside the replay window"));
    if (entry.task != task || PayloadHashOf(state, entry) != hash)
      return TaskResult::Failed(
          MakeError(ErrorCode::kIdempotencyConflict, "idempotency key was already used for a different request"));
    json::Value body = json::ParseStored(*stored_body);
    if (body_declares_replayed) body.set("replayed", true);
    TaskResult r = TaskResult::Completed(std::move(body));
    r.replayed = true;
    return r;
  }
  pending->idempotency_scope = scope;
  pending->idempotency_task = task;
  pending->idempotency_hash = hash;
  return std::nullopt;
}

}  // namespace adcp
