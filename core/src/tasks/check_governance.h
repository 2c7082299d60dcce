// Pieces of check_governance shared with the escalation operations
// (tasks/escalations.cc): response bodies, minting actions and tokens,
// finalizing checks.
#pragma once

#include <optional>
#include <string>

#include "tasks/tasks.h"
#include "eval/evaluation.h"

namespace adcp {

TaskResult RunCheckGovernance(Agent& agent, CallContext& ctx, const json::Value& request, const Auth& auth);
// Shape rules and schema of a check request (stateless validation).
Status CheckGovernanceShape(const json::Value& request, const Config& config);

// The 03 §11 response body of a check. `parts` carries what evaluation
// produced (findings, categories_evaluated, policies_evaluated and, when
// §9 ran, runtime_attestation_evaluations / _binding_digest).
struct BodyExtras {
  std::vector<Condition> conditions;
  std::string consultation_context;
  std::optional<int64_t> next_check_ms;
  std::optional<json::Value> delivery_statement;
};
json::Value CheckBody(const Config& config, const State& state, const Check& check, json::Value parts,
                      BodyExtras extras);

// policy_decision_hash (03 §10): hex SHA-256 of JCS [{policy_id, outcome}].
std::string PolicyDecisionHash(const Plan& plan, const json::Value& findings);

// The governed action and intent token of an approved intent check (at
// check time, or at escalation resolution), prepared without writing state.
struct MintedAction {
  Action action;
  std::string token;
  int64_t exp_ms = 0;
};
// `mint` false (3.0-era escalations, 10 §3.3.4): the action without its token,
// which MintDeferredToken() signs on the first claim or getTask.
Result<MintedAction> PrepareIntentApproval(CallContext& ctx, const State& state, const Check& check,
                                           const json::Value& findings, const std::string& binding_digest,
                                           bool mint = true);
Status MintDeferredToken(CallContext& ctx, int32_t check_index);

// The stored form of a check body omits governance_context (the token is
// kept once, on the check); CheckBodyOf() puts it back in its place.
json::Value CheckBodyOf(const State& state, const Check& check);

}  // namespace adcp
