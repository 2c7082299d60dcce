// check_governance internals shared by its parts: the intent and execution
// checks (check_intent.cc, check_execution.cc), approvals and tokens
// (check_approval.cc) and the evaluation steps they share (check_steps.cc).
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <vector>

#include "eval/evaluation.h"
#include "eval/intent_inputs.h"
#include "tasks/check_governance.h"

namespace adcp {
namespace check {

extern const char* const kSignalSubject;
extern const char* const kReviewIndustries[10];

TaskError Shape(const std::string& field, const std::string& message);
// The check's phase: `phase`, else the legacy `governance_phase`, else purchase.
Phase PhaseOf(const json::Value& r);
json::Value Details(std::initializer_list<json::Field> members);

// Effective mode (03 §8).
std::string ConfiguredMode(const Agent& agent, const Plan& plan);

struct Ids {
  template <class Key>
  static std::function<bool(const std::string&)> Taken(const std::unordered_map<Key, int32_t>& map) {
    return [&map](const std::string& id) { return map.count(id) > 0; };
  }
  // Over a record index: Find is FindCheck, FindAction, ...
  static std::function<bool(const std::string&)> Taken(const State& state,
                                                       int32_t (*find)(const State&, std::string_view)) {
    return [&state, find](const std::string& id) { return find(state, id) != kNone; };
  }
};

// I2 / E8.
void BudgetReductionStep(const Agent& agent, const Plan& plan, Evaluation& ev);
// I16 / E8 oversight drift.
void OversightDriftStep(const Agent& agent, const Plan& plan, Evaluation& ev);
// Geography / channel / flight rules shared by I11–I13 and E5.
void ScopeSteps(const Plan& plan, const RequestedScope& scope, Evaluation& ev);
// Validates a finding returned by evaluatePolicies (README hooks).
bool ValidHookFinding(json::Value& f);
json::Value InlinePolicies(const State& state, const Plan& plan);
// Approves or denies a pre-verdict under the effective mode (03 §8).
void ApplyMode(const std::string& configured, const std::string& effective, Verdict* verdict, bool* escalate,
               std::vector<Condition>* conditions, Evaluation& ev);

// Off-protocol human approval, verified by the host (check_approval.cc).
Result<bool> VerifyHumanApproval(CallContext& ctx, const json::Value& approval, const Plan& plan,
                                 const std::string& caller, const std::string& tool, const json::Value& payload,
                                 Evaluation& ev);
// 10 §3.3.4 claim key.
std::string ClaimKey(const std::string& agent_key, const std::string& caller_key, const Plan& plan,
                     const std::string& tool, const std::string& purchase_type, const std::string& target_key,
                     const json::Value& payload);

TaskResult RunIntent(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth);
TaskResult RunExecution(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth);

}  // namespace check
}  // namespace adcp
