// The GovernanceAgent facade: parse, dispatch, CoreResult, commit.
#include "tasks/tasks.h"

#include "adcp_governance.h"
#include "canon/digests.h"
#include "dialect/dialect.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/serialize.h"
#include "state/store.h"
#include "tasks/check_governance.h"
#include "tasks/escalations.h"
#include "tasks/table.h"

namespace adcp {

class GovernanceAgent::Impl {
 public:
  Agent agent;
  // The last call's change set: its log, rendered on first request ("" when
  // the call changed nothing or change sets are off).
  ChangeLog last_log;
  uint64_t last_changes_before = 0, last_seq_before = 0;
  mutable std::optional<std::string> last_change_set;
  bool damaged = false;         // a change set failed half-way: the state must be discarded
};

namespace {

// One facade call: the re-entrancy flag, and the capture of the call's
// changes (state/store.h). When the call ends having changed the state, its
// change set is kept as the agent's last change set.
class CallScope {
 public:
  explicit CallScope(GovernanceAgent::Impl& impl)
      : impl_(impl), changes_before_(impl.agent.state.changes), seq_before_(impl.agent.state.seq) {
    impl_.agent.in_call = true;
    impl_.last_log = ChangeLog{};
    impl_.last_change_set.reset();
    log_.record = impl.agent.config.change_sets;
  }
  ~CallScope() {
    if (log_.changed) {
      ++impl_.agent.state.changes;
      impl_.last_log = std::move(log_);
      impl_.last_changes_before = changes_before_;
      impl_.last_seq_before = seq_before_;
    }
    impl_.agent.in_call = false;
  }
  ChangeLog* log() { return &log_; }

 private:
  GovernanceAgent::Impl& impl_;
  ChangeLog log_;
  uint64_t changes_before_, seq_before_;
};

// Why a call cannot run now (re-entrant, or damaged state), or Ok.
Status Unavailable(const GovernanceAgent::Impl& impl) {
  if (impl.agent.in_call) return MakeError(ErrorCode::kServiceUnavailable, "re-entrant call on a busy agent");
  if (impl.damaged)
    return MakeError(ErrorCode::kServiceUnavailable, "a change set failed to apply: restore this agent from its store");
  return Status::Ok();
}

std::string FailedResult(const TaskError& e, const json::Value* context) {
  json::Value r = json::Obj({{"status", "failed"}, {"errors", json::Value(json::Array{e.ToJson()})}});
  if (context) r.set("context", *context);
  return json::Write(r);
}

// Stores the entry of a successful keyed call (08 §5); the store drops
// replay bodies that left the window.
void StoreIdempotency(CallContext& ctx, const TaskResult& r) {
  if (!r.idempotency_scope || r.replayed) return;
  Result<int64_t> now = ctx.Now();  // read by CheckIdempotency: cannot fail here
  IdempotencyEntry e;
  e.task = r.idempotency_task;
  e.own_hash = DigestText(r.idempotency_hash);
  e.body_json = json::Write(r.body);
  e.stored_at_ms = now.ok() ? now.value() : 0;
  ctx.store().PutIdempotency(*r.idempotency_scope, std::move(e));
}

// Takes the result by value: the body moves into the answer (a page of an
// audit log is hundreds of nodes; copying them was a fifth of its cost).
std::string RenderResult(TaskResult r, const json::Value* context, const LegacyTail& tail = {}) {
  json::Value out;
  if (r.kind == TaskResult::kFailed) {
    out = json::Obj({{"status", "failed"}, {"errors", json::Value(json::Array{r.error.ToJson()})}});
    if (context) out.set("context", *context);
  } else if (r.kind == TaskResult::kSubmitted) {
    out = json::Obj({{"status", "submitted"}, {"task_id", r.task_id}});
    if (context) out.set("context", *context);
  } else {
    json::Value body = std::move(r.body);
    if (context) body.set("context", *context);
    out = json::Obj({{"status", "completed"}, {"response", std::move(body)}, {"replayed", r.replayed}});
  }
  if (tail.legacy_denial) out.set("legacy_denial", *tail.legacy_denial);
  if (tail.protocol) out.set("protocol", tail.protocol);
  return json::Write(out);
}

// 10 §2 steps 2–3: identity first, then normalization, then the task.
TaskResult RunLegacy(const TaskSpec& spec, Agent& agent, CallContext& ctx, const json::Value& request,
                     const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  return spec.run(agent, ctx, spec.dialect->normalize(request, &ctx.legacy), auth);
}

// State documents and change sets: as large as the agent made them (a state
// grows with history; a request limit would make a large agent unable to
// read back its own snapshot).
json::ParseResult ParseStateInput(std::string_view text) {
  json::ParseLimits limits;
  limits.max_bytes = SIZE_MAX;
  limits.max_depth = 256;
  return json::Parse(text, limits);
}

json::ParseResult ParseUtilityInput(std::string_view text) {
  json::ParseLimits limits;
  limits.max_bytes = 64u << 20;
  limits.max_depth = 256;
  return json::Parse(text, limits);
}

}  // namespace

GovernanceAgent::GovernanceAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GovernanceAgent::~GovernanceAgent() = default;

Expected<std::unique_ptr<GovernanceAgent>> GovernanceAgent::Create(std::string_view config_json, Hooks hooks) {
  Expected<std::unique_ptr<GovernanceAgent>> out;
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
  schema::InitAll();  // threads may share the schemas (Node workers); a WASM instance without threads builds each on first use
#endif
  auto impl = std::make_unique<Impl>();
  std::string err = ParseConfig(config_json, &impl->agent.config);
  out.code = CodeName(ErrorCode::kInvalidConfig);
  if (!err.empty()) {
    out.error = err;
    return out;
  }
  if (!hooks.sign && !impl->agent.config.allow_unsigned_tokens) {
    out.error = "no signer: install a sign hook (or set allow_unsigned_tokens for tests)";
    return out;
  }
  if (hooks.sign && !impl->agent.config.signing_kid) {
    out.error = "config.signing.kid is required when tokens are signed";
    out.field = "signing.kid";
    return out;
  }
  out.code.clear();
  impl->agent.hooks = std::move(hooks);
  out.value.reset(new GovernanceAgent(std::move(impl)));
  return out;
}

Expected<std::unique_ptr<GovernanceAgent>> GovernanceAgent::Import(std::string_view config_json,
                                                                  std::string_view state_json, Hooks hooks) {
  Expected<std::unique_ptr<GovernanceAgent>> out = Create(config_json, std::move(hooks));
  if (!out.ok()) return out;
  Status imported = ImportState(state_json, out.value->impl_->agent.config, &out.value->impl_->agent.state);
  if (!imported.ok()) {
    out.error = imported.error().message;
    out.code = CodeName(imported.error().code);
    out.field = imported.error().field;
    out.value.reset();
  }
  return out;
}

std::string GovernanceAgent::DescribeFailure(std::string_view code, std::string_view message, std::string_view field) {
  TaskError e = MakeError(CodeFromName(code), std::string(message), std::string(field));
  return json::Write(e.ToJson());
}

std::string GovernanceAgent::ExportState() const {
  return json::Canonicalize(adcp::ExportState(impl_->agent.state));
}

std::string GovernanceAgent::Call(std::string_view task, std::string_view request_json, std::string_view auth_json) {
  Agent& agent = impl_->agent;
  if (Status busy = Unavailable(*impl_); !busy.ok()) return FailedResult(busy.error(), nullptr);
  CallScope scope(*impl_);
  json::ParseLimits limits;
  limits.max_bytes = static_cast<size_t>(agent.config.max_request_bytes);
  json::ParseResult parsed = json::Parse(request_json, limits);
  if (!parsed.ok()) return FailedResult(MakeError(ErrorCode::kInvalidRequest, parsed.message, parsed.field), nullptr);
  if (!parsed.value.is_object())
    return FailedResult(MakeError(ErrorCode::kInvalidRequest, "request must be a JSON object"), nullptr);
  const TaskSpec* spec = FindTask(task);
  const json::Value* context = !spec || spec->echoes_context ? parsed.value.find_object("context") : nullptr;
  if (!spec) return FailedResult(MakeError(ErrorCode::kInvalidRequest, "unknown task: " + std::string(task)), context);
  Auth auth = ParseAuth(auth_json);
  CallContext ctx(agent.config, agent.hooks, agent.state, scope.log());
  ctx.dialect = Detect(spec->dialect ? &spec->dialect->markers : nullptr, parsed.value, agent.config, auth);
  TaskResult r = ctx.is_legacy() ? RunLegacy(*spec, agent, ctx, parsed.value, auth)
                                 : spec->run(agent, ctx, parsed.value, auth);
  if (r.kind != TaskResult::kFailed) {
    StoreIdempotency(ctx, r);
    ctx.Commit();
  }
  if (!ctx.is_legacy()) return RenderResult(std::move(r), context);
  LegacyTail tail;
  tail.protocol = DialectName(ctx.dialect);
  spec->dialect->render(agent, ctx, parsed.value, r, &tail);
  return RenderResult(std::move(r), context, tail);
}

std::string GovernanceAgent::GetTask(std::string_view task_id) {
  Agent& agent = impl_->agent;
  if (Status busy = Unavailable(*impl_); !busy.ok()) return FailedResult(busy.error(), nullptr);
  CallScope scope(*impl_);
  std::optional<json::Value> context;
  auto esc = agent.state.escalation_by_task.find(std::string(task_id));
  if (esc != agent.state.escalation_by_task.end() && IsLegacy(agent.state.escalations[esc->second].dialect)) {
    // 10 §3.3.4: a 3.0-era escalation renders in its dialect, never `submitted`;
    // fetching an approved one mints its token.
    const Escalation& e = agent.state.escalations[esc->second];
    CallContext ctx(agent.config, agent.hooks, agent.state, scope.log());
    ctx.dialect = e.dialect;
    const Check& c = agent.state.checks[e.check];
    TaskResult r;
    if (c.pending) {
      r = TaskResult::Completed(RenderPendingReviewBody(CheckBodyValue(c), c, e, ctx.dialect, ctx.legacy));
    } else {
      Status minted = e.resolution && *e.resolution == "approved_by_human" ? MintDeferredToken(ctx, e.check)
                                                                           : Status::Ok();
      if (!minted.ok()) return RenderResult(TaskResult::Failed(minted.error()), nullptr, LegacyTail{{}, DialectName(ctx.dialect)});
      ctx.Commit();
      r = TaskResult::Completed(RenderCheckBody(CheckBodyOf(agent.state, agent.state.checks[e.check]), ctx.dialect, ctx.legacy, std::nullopt));
    }
    LegacyTail tail;
    tail.protocol = DialectName(ctx.dialect);
    return RenderResult(std::move(r), c.context() ? &*c.context() : nullptr, tail);
  }
  TaskResult r = GetTaskResult(agent, std::string(task_id), &context);
  return RenderResult(std::move(r), context ? &*context : nullptr);
}

std::string GovernanceAgent::Admin(std::string_view op_json) {
  Agent& agent = impl_->agent;
  if (Status busy = Unavailable(*impl_); !busy.ok()) return FailedResult(busy.error(), nullptr);
  CallScope scope(*impl_);
  CallContext ctx(agent.config, agent.hooks, agent.state, scope.log());
  TaskResult r = RunAdmin(agent, ctx, op_json);
  if (r.kind != TaskResult::kFailed) ctx.Commit();
  return RenderResult(std::move(r), nullptr);
}

const std::string& GovernanceAgent::LastChangeSet() const {
  Impl& impl = *impl_;
  if (!impl.last_change_set) {
    impl.last_change_set = impl.last_log.record && impl.last_log.changed
                               ? ChangeSetText(impl.last_log, impl.last_changes_before, impl.last_seq_before, impl.agent.state)
                               : std::string();
  }
  return *impl.last_change_set;
}

Expected<bool> GovernanceAgent::ApplyChangeSet(std::string_view change_set_json) {
  Expected<bool> out;
  if (Status busy = Unavailable(*impl_); !busy.ok()) {
    out.error = busy.error().message;
    out.code = CodeName(busy.error().code);
    return out;
  }
  impl_->last_log = ChangeLog{};
  impl_->last_change_set.reset();
  json::ParseResult parsed = ParseStateInput(change_set_json);
  Status applied = parsed.ok() ? adcp::ApplyChangeSet(impl_->agent.state, impl_->agent.config, parsed.value, &impl_->damaged)
                               : Status(MakeError(ErrorCode::kInvalidChangeSet, "change set is not valid JSON: " + parsed.message,
                                                  parsed.field));
  if (!applied.ok()) {
    out.error = applied.error().message;
    out.code = CodeName(applied.error().code);
    out.field = applied.error().field;
    return out;
  }
  out.value = true;
  return out;
}

std::string GovernanceAgent::PublicJwk() const {
  const Config& c = impl_->agent.config;
  if (!c.signing_public_jwk) return "null";
  // The JWKS entry sellers verify governance tokens with (sdk-integration §4).
  json::Value jwk = *c.signing_public_jwk;
  if (c.signing_kid) jwk.set("kid", *c.signing_kid);
  jwk.set("alg", c.signing_alg);
  jwk.set("use", "sig");
  jwk.set("key_ops", json::Value(json::Array{json::Value("verify")}));
  jwk.set("adcp_use", "governance-signing");
  return json::Write(jwk);
}

std::string GovernanceAgent::Validate(std::string_view task, std::string_view request_json) {
  schema::InitAll();
  json::ParseResult parsed = json::Parse(request_json);
  if (!parsed.ok()) return FailedResult(MakeError(ErrorCode::kInvalidRequest, parsed.message, parsed.field), nullptr);
  if (!parsed.value.is_object())
    return FailedResult(MakeError(ErrorCode::kInvalidRequest, "request must be a JSON object"), nullptr);
  const TaskSpec* spec = FindTask(task);
  Status valid = spec && spec->validate ? spec->validate(parsed.value)
                                       : Status(MakeError(ErrorCode::kInvalidRequest, "unknown task: " + std::string(task)));
  if (!valid.ok()) return FailedResult(valid.error(), parsed.value.find_object("context"));
  return json::Write(json::Obj({{"status", "completed"}, {"response", json::Obj({{"valid", true}})}}));
}

Expected<std::string> GovernanceAgent::ToWire(std::string_view core_result_json) {
  Expected<std::string> out;
  json::ParseResult p = ParseUtilityInput(core_result_json);
  const std::string* status = p.ok() ? p.value.find_string("status") : nullptr;
  if (!status) {
    out.error = "not a CoreResult";
    return out;
  }
  const json::Value& r = p.value;
  const std::string* protocol = r.find_string("protocol");
  const bool v30 = protocol && *protocol == "3.0", v31 = protocol && *protocol == "3.1";
  json::Value wire = json::Value::MakeObject();
  if (*status == "completed") {
    const json::Value* body = r.find_object("response");
    if (!body) {
      out.error = "completed CoreResult without response";
      return out;
    }
    const json::Value* replayed = r.find("replayed");
    const bool replay = replayed && replayed->is_bool() && replayed->as_bool() && !body->has("replayed");
    if (v30) {
      // 10 §6.1: the 3.0 body at the root; its own `status` is the decision.
      if (!body->has("status")) wire.set("status", "completed");
      for (const json::Member& m : body->as_object()) wire.set(m.first, m.second);
    } else {
      wire.set("status", "completed");
      for (const json::Member& m : body->as_object())
        if (m.first != "status") wire.set(m.first, m.second);
    }
    if (replay) wire.set("replayed", true);
  } else if (*status == "submitted") {
    wire.set("status", "submitted");
    if (const json::Value* t = r.find("task_id")) wire.set("task_id", *t);
    if (const json::Value* c = r.find("context")) wire.set("context", *c);
  } else if (*status == "failed") {
    const json::Array* errors = r.find_array("errors");
    if (!errors || errors->empty()) {
      out.error = "failed CoreResult without errors";
      return out;
    }
    const json::Value* denial = r.find_object("legacy_denial");
    if (denial && v30) {  // 10 §6.1: a fail-closed `denied` for 3.0-era middlewares
      wire.set("status", "denied");
    } else {
      wire.set("status", "failed");
      if (denial && v31) wire.set("verdict", "denied");
    }
    if (denial && (v30 || v31))
      for (const char* k : {"check_id", "plan_id", "explanation", "findings"})
        if (const json::Value* v = denial->find(k)) wire.set(k, *v);
    wire.set("errors", json::Value(*errors));
    wire.set("adcp_error", (*errors)[0]);
    if (const json::Value* c = r.find("context")) wire.set("context", *c);
  } else {
    out.error = "unknown CoreResult status";
    return out;
  }
  out.value = json::Write(wire);
  return out;
}

Expected<std::string> GovernanceAgent::Jcs(std::string_view text) {
  Expected<std::string> out;
  json::ParseResult p = ParseUtilityInput(text);
  if (!p.ok()) {
    out.error = p.message;
    return out;
  }
  out.value = json::Canonicalize(p.value);
  return out;
}

Expected<std::string> GovernanceAgent::PlanHash(std::string_view plan_json) {
  Expected<std::string> out;
  json::ParseResult p = ParseUtilityInput(plan_json);
  if (!p.ok()) {
    out.error = p.message;
    return out;
  }
  out.value = canon::PlanHash(p.value);
  return out;
}

Expected<std::string> GovernanceAgent::PayloadHash(std::string_view payload_json) {
  Expected<std::string> out;
  json::ParseResult p = ParseUtilityInput(payload_json);
  if (!p.ok() || !p.value.is_object()) {
    out.error = p.ok() ? "payload must be a JSON object" : p.message;
    return out;
  }
  out.value = canon::PayloadHash(p.value);
  return out;
}

Expected<std::string> GovernanceAgent::StatementDigest(std::string_view seller_reference,
                                                      std::string_view delivery_metrics_json) {
  Expected<std::string> out;
  json::ParseResult p = ParseUtilityInput(delivery_metrics_json);
  if (!p.ok() || !p.value.is_object()) {
    out.error = p.ok() ? "delivery_metrics must be a JSON object" : p.message;
    return out;
  }
  if (!json::IsValidUtf8(seller_reference)) {
    out.error = "seller_reference must be valid UTF-8";
    return out;
  }
  out.value = canon::StatementDigest(std::string(seller_reference), p.value);
  return out;
}

std::string GovernanceAgent::Utility(std::string_view name, std::string_view arg1, std::string_view arg2) {
  Expected<std::string> r;
  bool json_value = false;  // the value is JSON text (embedded as JSON), else a string
  if (name == "toWire") {
    r = ToWire(arg1);
    json_value = true;
  } else if (name == "jcs") {
    r = Jcs(arg1);
  } else if (name == "planHash") {
    r = PlanHash(arg1);
  } else if (name == "payloadHash") {
    r = PayloadHash(arg1);
  } else if (name == "statementDigest") {
    r = StatementDigest(arg1, arg2);
  } else if (name == "validate") {
    r.value = Validate(arg1, arg2);
    json_value = true;
  } else {
    r.error = "unknown utility " + std::string(name);
  }
  if (!r.ok()) return json::Write(json::Obj({{"ok", false}, {"error", r.error}}));
  std::string out = "{\"ok\":true,\"value\":";
  if (json_value) out += r.value;
  else json::AppendQuoted(out, r.value);
  return out + "}";
}

}  // namespace adcp
