// Evaluation steps check_governance's intent and execution checks share
// (03 §5–§8): budget reduction, oversight drift, scope, hook findings, mode.
#include "tasks/check_internal.h"

#include <algorithm>
#include <cmath>

#include "audit/figures.h"
#include "canon/digests.h"
#include "eval/intent_inputs.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "tokens/token.h"
#include "util/url.h"

namespace adcp {
namespace check {

extern const char* const kSignalSubject;
const char* const kSignalSubject = "https://adcontextprotocol.org/claims/subjects/signal";
extern const char* const kReviewIndustries[10];
const char* const kReviewIndustries[10] = {"consumer_finance", "banking",  "mortgage",   "life_insurance",
                                         "health_insurance", "recruitment", "staffing", "real_estate",
                                         "property_management", "housing"};

TaskError Shape(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kValidationError, message, field);
}

Phase PhaseOf(const json::Value& r) {
  const std::string* phase = r.find_string("phase");
  const std::string* legacy = r.find_string("governance_phase");
  const std::string* named = phase ? phase : legacy;  // the schema admits only execution phases here
  return named ? PhaseFromName(*named).value_or(Phase::kPurchase) : Phase::kPurchase;
}

json::Value Details(std::initializer_list<json::Field> members) { return json::Obj(members); }

// Effective mode (03 §8).
std::string ConfiguredMode(const Agent& agent, const Plan& plan) {
  return plan.mode_override ? *plan.mode_override : agent.config.default_mode;
}

// I2 / E8 shared steps.
void BudgetReductionStep(const Agent& agent, const Plan& plan, Evaluation& ev) {
  if (agent.config.reject_budget_below_committed) return;
  LedgerFigures f = Figures(plan);
  if (f.authorized + kEpsilon < f.ledger_committed)
    ev.Finding("budget_authority", "warning",
               "The plan budget (" + json::FormatNumber(f.authorized) + ") is below the committed amount (" +
                   json::FormatNumber(f.ledger_committed) + ").",
               Details({{"authorized", f.authorized}, {"committed", f.ledger_committed}}));
}

void OversightDriftStep(const Agent& agent, const Plan& plan, Evaluation& ev) {
  DriftThresholds t = EffectiveThresholds(plan, agent.config);
  if (t.empty() || plan.agg.checks < agent.config.drift_min_checks) return;
  DriftValues d = CurrentDrift(plan);
  ev.Category("oversight_drift");
  auto crossed = [&](const char* metric, double value, double threshold) {
    ev.Finding("oversight_drift", "warning",
               std::string("Oversight drift: ") + metric + " " + json::FormatNumber(value) + " crossed the threshold " +
                   json::FormatNumber(threshold) + ".",
               Details({{"metric", metric}, {"value", value}, {"threshold", threshold}}));
  };
  if (t.escalation_rate_max && d.escalation_rate > *t.escalation_rate_max)
    crossed("escalation_rate", d.escalation_rate, *t.escalation_rate_max);
  if (t.escalation_rate_min && d.escalation_rate < *t.escalation_rate_min)
    crossed("escalation_rate", d.escalation_rate, *t.escalation_rate_min);
  if (t.auto_approval_rate_max && d.auto_approval_rate > *t.auto_approval_rate_max)
    crossed("auto_approval_rate", d.auto_approval_rate, *t.auto_approval_rate_max);
  if (t.human_override_rate_max && d.human_override_rate > *t.human_override_rate_max)
    crossed("human_override_rate", d.human_override_rate, *t.human_override_rate_max);
}

// Geography / channel / flight rules shared by I11–I13 and E5.
void ScopeSteps(const Plan& plan, const RequestedScope& scope, Evaluation& ev) {
  const PlanTerms& t = plan.terms;
  if ((t.countries || t.regions) && (!scope.countries.empty() || !scope.regions.empty())) {
    ev.Category("geo_compliance");
    std::vector<std::string> bad = UnauthorizedGeo(t.countries, t.regions, scope.countries, scope.regions);
    if (!bad.empty()) {
      std::string list;
      for (const std::string& b : bad) list += (list.empty() ? "" : ", ") + b;
      ev.Finding("geo_compliance", "critical", "Geography outside the plan's authorized markets: " + list + ".",
                 Details({{"unauthorized", StringArray(bad)},
                          {"plan_countries", t.countries ? StringArray(*t.countries) : json::Value::MakeArray()},
                          {"plan_regions", t.regions ? StringArray(*t.regions) : json::Value::MakeArray()}}));
    }
  }
  if (!scope.channels.empty()) {
    ev.Category("channel_compliance");
    if (t.channels_allowed) {
      std::vector<std::string> bad;
      for (const std::string& ch : scope.channels)
        if (!ContainsString(*t.channels_allowed, ch)) bad.push_back(ch);
      if (!bad.empty())
        ev.Finding("channel_compliance", "critical", "Channels not allowed by the plan.",
                   Details({{"unauthorized", StringArray(bad)}}));
    }
  }
  if (scope.start || scope.end) {
    ev.Category("flight_compliance");
    bool bad = (scope.start && *scope.start < t.flight_start) || (scope.end && *scope.end > t.flight_end);
    if (bad) {
      json::Value d = Details({{"plan_start", t.flight_start_raw}, {"plan_end", t.flight_end_raw}});
      if (scope.start) d.set("requested_start", scope.start_raw);
      if (scope.end) d.set("requested_end", scope.end_raw);
      ev.Finding("flight_compliance", "critical", "Requested dates fall outside the plan's flight.", std::move(d));
    }
  }
}

// Validates a finding returned by evaluatePolicies (README hooks).
bool ValidHookFinding(json::Value& f) {
  if (!f.is_object()) return false;
  for (const json::Member& m : f.as_object()) {
    const std::string& k = m.first;
    const json::Value& v = m.second;
    if (k == "category_id" || k == "explanation" || k == "policy_id" || k == "source_plan_id" ||
        k == "uncertainty_reason") {
      if (!v.is_string()) return false;
    } else if (k == "severity") {
      if (!v.is_string() || (v.as_string() != "info" && v.as_string() != "warning" && v.as_string() != "critical"))
        return false;
    } else if (k == "details") {
      if (!v.is_object()) return false;
    } else if (k == "confidence") {
      if (!v.is_number() || v.as_number() < 0 || v.as_number() > 1) return false;
    } else {
      return false;  // attestation_reference_digest and unknown keys
    }
  }
  if (!f.find_string("severity") || !f.find_string("explanation")) return false;
  if (!f.has("category_id")) f.set("category_id", "policy_compliance");
  return true;
}

json::Value InlinePolicies(const State& state, const Plan& plan) {
  json::Value out = json::Value::MakeArray();
  for (const json::Value& e : plan.terms.custom_policies.as_array()) out.push(e);
  for (int32_t q : PortfoliosContaining(state, plan))
    for (const json::Value& e : state.plans[q].terms.shared_exclusions.as_array()) out.push(e);
  return out;
}

// Approves or denies a pre-verdict under the effective mode (03 §8).
void ApplyMode(const std::string& configured, const std::string& effective, Verdict* verdict, bool* escalate,
               std::vector<Condition>* conditions, Evaluation& ev) {
  if (configured != effective)
    ev.Finding("mode_override", "info",
               "Mode " + configured + " is overridden to " + effective + " because the plan is under human review.",
               Details({{"configured", configured}, {"effective", effective}}));
  if (effective == "enforce") return;
  bool suppressed = *escalate;
  if (*verdict != Verdict::kApproved || *escalate) {
    *verdict = Verdict::kApproved;
    *escalate = false;
  }
  if (suppressed)
    ev.Finding("human_review", "info", "Human review was not started in " + effective + " mode.",
               Details({{"decision", "suppressed_by_mode"}}));
  if (effective == "advisory") {
    // Advisory keeps each dropped condition as a recommendation (project
    // choice: the response schema allows conditions only with a conditions
    // verdict, so they travel as info findings; audit mode drops them).
    for (const Condition& c : *conditions) {
      json::Value d = Details({{"field", c.field}});
      if (c.required_value) d.set("required_value", *c.required_value);
      else if (c.hook_required_value) d.set("required_value", *c.hook_required_value);
      d.set("reason", c.reason);
      ev.Finding("advisory_condition", "info", "Recommended: " + c.reason, std::move(d));
    }
  }
  conditions->clear();
}

}  // namespace check
}  // namespace adcp
