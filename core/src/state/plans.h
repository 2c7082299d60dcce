// Plan-level helpers: typed terms, lookup (01 §1), indexes, ledger figures.
#pragma once

#include <string>
#include <vector>

#include "state/state.h"

namespace adcp {

// Typed view of a schema-valid plan item.
PlanTerms ParseTerms(const json::Value& plan);

// The plan (owner_key, plan_id), or kNone.
int32_t FindPlan(const State& state, const std::string& owner_key, const std::string& plan_id);
// 01 §1 lookup for caller U: own plan, else the unique plan listing U as a
// delegate; kNone when not found or ambiguous.
int32_t LookupPlanForCaller(const State& state, const std::string& caller_key, const std::string& plan_id);
// The delegation that applies to caller_key on a plan (first active, else
// first), or nullptr.
const Delegation* DelegationFor(const Plan& plan, const std::string& caller_key, const Instant& now);

// Portfolio plans of the plan's owner whose member_plan_ids list it.
std::vector<int32_t> PortfoliosContaining(const State& state, const Plan& member);

// (Re)builds the lookup indexes of one plan from its terms. Call Unindex
// with the previous terms before replacing them.
void IndexPlan(State& state, int32_t plan_index);
void UnindexPlan(State& state, int32_t plan_index);

// Records a media buy id reported for an action (10 §3.5.1): the latest id,
// and the tokenless-lookup index of bound actions.
void RecordMediaBuyId(State& state, int32_t action, const std::string& media_buy_id);
// The one action bound to `audience_key` that recorded `media_buy_id` on
// plan `plan_id`; kNone when none did, or several.
int32_t MediaBuyActionOf(const State& state, const std::string& audience_key, const std::string& plan_id,
                         const std::string& media_buy_id);

// 01 §6 plan figures.
struct LedgerFigures {
  double authorized = 0, gross_committed = 0, adjustments_reported = 0, adjustments_verified = 0, net_cost = 0,
         headroom_restored = 0, ledger_committed = 0, remaining = 0, utilization_pct = 0;
};
LedgerFigures Figures(const Plan& plan);
double LedgerCommitted(const Plan& plan);

}  // namespace adcp
