// adcp-governance core: the public C++ API.
//
// One GovernanceAgent owns one in-memory state. Everything crosses this API
// as UTF-8 JSON text; nothing throws. The core never reads a clock, RNG, file
// or network: all of that comes through Hooks, so every build (native, WASM)
// produces byte-identical output for identical input, state and hooks.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace adcp {

// A hook's answer: a value, or a failure message (the task then fails with
// SERVICE_UNAVAILABLE and changes nothing).
template <class T>
struct HookResult {
  T value{};
  std::string error;  // non-empty = the hook failed
  bool ok() const { return error.empty(); }
  static HookResult Fail(std::string message) {
    HookResult r;
    r.error = message.empty() ? "hook failed" : std::move(message);
    return r;
  }
};

// Synchronous host hooks (spec README "Hooks"). Any may be left empty.
// JSON-valued hooks take and return JSON text.
struct Hooks {
  // Milliseconds since the epoch. Read at most once per call.
  std::function<HookResult<double>()> now_ms;
  // Exactly n random bytes.
  std::function<HookResult<std::string>(size_t n)> random_bytes;
  // Signature over signing_input (ASCII) as unpadded base64url of 64 bytes.
  std::function<HookResult<std::string>(std::string_view signing_input, std::string_view alg, std::string_view kid)>
      sign;
  // (brandRefJson) -> {resolvable, industries?, data_subject_contestation?}
  std::function<HookResult<std::string>(std::string_view brand_ref_json)> resolve_brand;
  // (planJson) -> ResolvedPolicy[]
  std::function<HookResult<std::string>(std::string_view plan_json)> resolve_policies;
  // (evaluationContextJson) -> {findings[], conditions[]}
  std::function<HookResult<std::string>(std::string_view context_json)> evaluate_policies;
  // ({approval, plan_id, owner, caller, tool, payload}) -> {verified: bool}:
  // whether the host vouches for an off-protocol human approval
  // (ext.human_approval) of an intent check that would go to review.
  std::function<HookResult<std::string>(std::string_view approval_json)> verify_human_approval;
  // (referenceJson, contextJson) -> AttestationEvaluation
  std::function<HookResult<std::string>(std::string_view reference_json, std::string_view context_json)>
      evaluate_attestation;
};

// Success value or an error (constructor, import and utilities): a message,
// and for Create/Import a code (INVALID_CONFIG, INVALID_STATE, ...) and the
// path of the offending member when there is one ("checks[3].expires_at").
template <class T>
struct Expected {
  T value{};
  std::string error;
  std::string code;
  std::string field;
  bool ok() const { return error.empty(); }
};

class GovernanceAgent {
 public:
  // configJson: spec README "Configuration". Fails on invalid config or when
  // no signer is installed and allow_unsigned_tokens is not set.
  static Expected<std::unique_ptr<GovernanceAgent>> Create(std::string_view config_json, Hooks hooks = {});
  // Restores a state produced by ExportState().
  static Expected<std::unique_ptr<GovernanceAgent>> Import(std::string_view config_json, std::string_view state_json,
                                                          Hooks hooks = {});
  ~GovernanceAgent();
  GovernanceAgent(const GovernanceAgent&) = delete;
  GovernanceAgent& operator=(const GovernanceAgent&) = delete;

  // Canonical JSON (JCS) of the full state.
  std::string ExportState() const;
  // Runs one task; returns CoreResult JSON. authJson: {"agent_url": "..."}.
  std::string Call(std::string_view task, std::string_view request_json, std::string_view auth_json);
  // CoreResult of an escalated check (03 §7).
  std::string GetTask(std::string_view task_id);
  // Admin operations (spec README "Admin operations"); authorized by the host.
  std::string Admin(std::string_view op_json);

  // Change sets (issue 11): the change set of the last Call/GetTask/Admin
  // (canonical JSON: format, format_version, before/after {changes, seq},
  // ops), or "" when it changed nothing. A journal or database persists it
  // without knowing any task.
  const std::string& LastChangeSet() const;
  // Applies a change set produced by an agent whose state equals this one's
  // (the next in sequence): the state becomes byte-identical to the
  // producer's. Errors: INVALID_CHANGE_SET (malformed; names the field),
  // CHANGE_SET_OUT_OF_ORDER (a gap or a replay) -- both change nothing.
  // A well-formed set that contradicts this state fails half-way; the agent
  // then refuses every call (SERVICE_UNAVAILABLE) and must be restored.
  Expected<bool> ApplyChangeSet(std::string_view change_set_json);
  // The signer's public key as a JWK (kid, alg, use, key_ops, adcp_use),
  // when the host supplied it in config (signing.public_jwk or
  // signing.public_key); "null" otherwise.
  std::string PublicJwk() const;

  // Stateless request validation (schema and shape rules, no state): a
  // CoreResult that is "failed" with the first error, or
  // {"status":"completed","response":{"valid":true}}.
  static std::string Validate(std::string_view task, std::string_view request_json);

  // A failed Create/Import as JSON for the bindings:
  // {"code","message","recovery","field"?}.
  static std::string DescribeFailure(std::string_view code, std::string_view message, std::string_view field);

  // Pure utilities (spec 07). Invalid input -> error.
  static Expected<std::string> ToWire(std::string_view core_result_json);
  static Expected<std::string> Jcs(std::string_view json);
  static Expected<std::string> PlanHash(std::string_view plan_json);
  static Expected<std::string> PayloadHash(std::string_view payload_json);
  static Expected<std::string> StatementDigest(std::string_view seller_reference,
                                              std::string_view delivery_metrics_json);

  // One entry point for the pure utilities, JSON text in and out, so the
  // bindings stay thin: name is "toWire" | "jcs" | "planHash" |
  // "payloadHash" | "statementDigest" | "validate"; returns
  // {"ok":true,"value":...} or {"ok":false,"error":"..."}.
  static std::string Utility(std::string_view name, std::string_view arg1, std::string_view arg2);

  class Impl;

 private:
  explicit GovernanceAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace adcp
