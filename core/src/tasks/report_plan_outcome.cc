// report_plan_outcome (spec 04): settles an approved action (`completed`,
// `failed`) with the governance-authorized amount, and records buyer
// delivery observations against a seller statement (`delivery`).
#include <cmath>

#include "tasks/tasks.h"
#include "canon/digests.h"
#include "dialect/dialect.h"
#include "eval/evaluation.h"
#include "eval/intent_inputs.h"
#include "json/json.h"
#include "schema/requests.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "util/url.h"

namespace adcp {
namespace {

TaskError Invalid(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kValidationError, message, field);
}

json::Value Finding(const std::string& category, const char* severity, std::string explanation, json::Value details) {
  return json::Obj({{"category_id", category},
                    {"severity", severity},
                    {"explanation", std::move(explanation)},
                    {"details", std::move(details)}});
}

// seller_reference with the fallbacks of 04 §1 / 09 §3: seller_reference,
// else media_buy_id, rights_grant_id, deployment_id (strings of 1–255).
std::optional<std::string> SellerReference(const json::Value& seller_response) {
  for (const char* k : {"seller_reference", "media_buy_id", "rights_grant_id", "deployment_id"}) {
    const std::string* v = seller_response.find_string(k);
    if (v && !v->empty() && json::CodePointCount(*v) <= 255) return *v;
  }
  return std::nullopt;
}

json::Value PlanSummary(const Plan& plan) {
  LedgerFigures f = Figures(plan);
  return json::Obj({{"total_committed", f.ledger_committed}, {"budget_remaining", f.remaining}});
}

// The governed reference of 04 §3.3: the latest approved purchase/
// modification planned delivery, else the intent-derived values.
struct Reference {
  std::optional<std::vector<std::string>> countries, regions, channels;
  std::optional<std::string> start, end;
  std::optional<double> total_budget;
};

Reference ReferenceOf(const State& state, const Action& a) {
  Reference ref;
  const std::optional<json::Value> planned =
      a.latest_exec_check != kNone ? PlannedDeliveryOf(state.checks[a.latest_exec_check]) : std::nullopt;
  if (planned) {
    const json::Value& pd = *planned;
    if (const json::Value* geo = pd.find_object("geo")) {
      if (geo->find_array("countries")) ref.countries = ScopeOfPlannedDelivery(pd).countries;
      if (geo->find_array("regions")) ref.regions = ScopeOfPlannedDelivery(pd).regions;
    }
    if (pd.find_array("channels")) ref.channels = ScopeOfPlannedDelivery(pd).channels;
    if (const std::string* s = pd.find_string("start_time")) ref.start = *s;
    if (const std::string* e = pd.find_string("end_time")) ref.end = *e;
    if (const double* tb = pd.find_number("total_budget")) ref.total_budget = *tb;
    return ref;
  }
  const IntentScope& intent = IntentScopeOf(state.checks[a.intent_check]);
  if (!intent.countries.empty()) ref.countries = Strings(intent.countries);
  if (!intent.regions.empty()) ref.regions = Strings(intent.regions);
  if (!intent.channels.empty()) ref.channels = Strings(intent.channels);
  if (!intent.start().empty()) ref.start = intent.start();
  if (!intent.end().empty()) ref.end = intent.end();
  ref.total_budget = a.ceiling;
  return ref;
}

bool SameSet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a)
    if (!ContainsString(b, x)) return false;
  for (const std::string& x : b)
    if (!ContainsString(a, x)) return false;
  return true;
}

// 04 §3.3: the seller's planned delivery against what governance approved
// and against the plan. Returns the seller's channels.
std::vector<std::string> VerifySellerDelivery(const State& state, const Plan& plan, const Action& action,
                                              const json::Value& pd, json::Value& findings) {
  Reference ref = ReferenceOf(state, action);
  RequestedScope got = ScopeOfPlannedDelivery(pd);
  json::Value discrepancies = json::Value::MakeArray();
  auto set_diff = [&](const char* field, const std::optional<std::vector<std::string>>& want, bool present,
                      const std::vector<std::string>& have) {
    if (want && present && !SameSet(*want, have))
      discrepancies.push(json::Obj({{"field", field}, {"requested", StringArray(*want)}, {"received", StringArray(have)}}));
  };
  const json::Value* geo = pd.find_object("geo");
  set_diff("geo.countries", ref.countries, geo && geo->find_array("countries"), got.countries);
  set_diff("geo.regions", ref.regions, geo && geo->find_array("regions"), got.regions);
  set_diff("channels", ref.channels, pd.find_array("channels") != nullptr, got.channels);
  auto time_diff = [&](const char* field, const std::optional<std::string>& want, const std::string* have) {
    if (!want || !have) return;
    std::optional<Instant> a = ParseDateTime(*want), b = ParseDateTime(*have);
    if (a && b && *a == *b) return;
    discrepancies.push(json::Obj({{"field", field}, {"requested", *want}, {"received", *have}}));
  };
  time_diff("start_time", ref.start, pd.find_string("start_time"));
  time_diff("end_time", ref.end, pd.find_string("end_time"));
  if (ref.total_budget)
    if (const double* tb = pd.find_number("total_budget"); tb && std::fabs(*tb - *ref.total_budget) > kEpsilon)
      discrepancies.push(json::Obj({{"field", "total_budget"}, {"requested", *ref.total_budget}, {"received", *tb}}));
  if (discrepancies.size() > 0)
    findings.push(Finding("seller_verification", "warning",
                          "The seller's planned delivery differs from what governance approved.",
                          json::Obj({{"discrepancies", std::move(discrepancies)}})));
  const PlanTerms& t = plan.terms;
  std::vector<std::string> bad_geo = UnauthorizedGeo(t.countries, t.regions, got.countries, got.regions);
  if (!bad_geo.empty())
    findings.push(Finding("geo_compliance", "critical", "The seller plans delivery outside the plan's markets.",
                          json::Obj({{"unauthorized", StringArray(bad_geo)},
                                     {"plan_countries", t.countries ? StringArray(*t.countries) : json::Value::MakeArray()},
                                     {"plan_regions", t.regions ? StringArray(*t.regions) : json::Value::MakeArray()}})));
  if (t.channels_allowed) {
    std::vector<std::string> bad;
    for (const std::string& ch : got.channels)
      if (!ContainsString(*t.channels_allowed, ch)) bad.push_back(ch);
    if (!bad.empty())
      findings.push(Finding("channel_compliance", "critical", "The seller plans channels the plan does not allow.",
                            json::Obj({{"unauthorized", StringArray(bad)}})));
  }
  if ((got.start && *got.start < t.flight_start) || (got.end && *got.end > t.flight_end)) {
    json::Value d = json::Obj({{"plan_start", t.flight_start_raw}, {"plan_end", t.flight_end_raw}});
    if (got.start) d.set("requested_start", got.start_raw);
    if (got.end) d.set("requested_end", got.end_raw);
    findings.push(Finding("flight_compliance", "critical", "The seller plans delivery outside the plan's flight.", std::move(d)));
  }
  return got.channels;
}

// 04 §3.4: findings on the ledger after adding the settlement.
void PostSettlementFindings(const Plan& plan, const Action& action, double committed, json::Value& findings) {
  const LedgerFigures f = Figures(plan);
  const double after = f.ledger_committed + committed;
  if (Exceeds(after, f.authorized))
    findings.push(Finding("budget_authority", "warning", "Committed spend now exceeds the authorized budget.",
                          json::Obj({{"committed", after}, {"authorized", f.authorized}})));
  auto alloc = plan.terms.allocations.find(action.purchase_type());
  if (alloc == plan.terms.allocations.end() || !alloc->second.amount) return;
  auto it = plan.agg.by_type.find(action.purchase_type());
  double by_type = (it == plan.agg.by_type.end() ? 0.0 : it->second.Value()) + committed;
  if (Exceeds(by_type, *alloc->second.amount))
    findings.push(Finding("budget_authority", "warning", "The " + action.purchase_type() + " allocation is exceeded.",
                          json::Obj({{"purchase_type", action.purchase_type()}, {"committed", by_type},
                                     {"allocation", *alloc->second.amount}})));
}

TaskResult Settle(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth, int32_t pi, int32_t ci,
                  TaskResult result) {
  const State& state = ctx.state();
  const Check& check = state.checks[ci];
  const int32_t ai = check.action;
  const Action& action = state.actions[ai];
  const Plan& plan = state.plans[pi];
  const std::string outcome = *r.find_string("outcome");
  // 04 §3.1 one terminal settlement per action.
  if (action.settlement != kNone)
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "this action already has a terminal settlement"));
  json::Value findings = json::Value::MakeArray();
  double committed = 0;
  std::optional<double> reported;
  std::optional<std::string> seller_reference;
  std::vector<std::string> seller_channels;
  if (outcome == "completed") {
    const json::Value& sr = *r.find("seller_response");
    // 09 §3: media_buy_id is the seller_reference when that is absent.
    const std::string* ref = sr.find_string("seller_reference");
    const std::string* mb = sr.find_string("media_buy_id");
    if (ref && mb && *ref != *mb)
      return TaskResult::Failed(Invalid("seller_response.media_buy_id", "media_buy_id differs from seller_reference"));
    seller_reference = SellerReference(sr);
    // 04 §3.2 ledger amount.
    std::optional<double> T = action.authorized();
    std::string r_field = "seller_response.committed_budget";
    std::optional<double> package_sum;
    if (const json::Array* packages = sr.find_array("packages")) {
      double sum = 0;
      bool any = false;
      for (const json::Value& p : *packages)
        if (const double* b = p.find_number("budget")) {
          sum += *b;
          any = true;
        }
      if (any) package_sum = sum;
    }
    if (const double* cb = sr.find_number("committed_budget")) {
      reported = *cb;
    } else if (package_sum) {
      reported = package_sum;
      r_field = "seller_response.packages";
    }
    if (!T) {
      if (reported && *reported > kEpsilon)
        return TaskResult::Failed(Invalid("seller_response.committed_budget", "this action was authorized without an amount"));
      committed = 0;
    } else {
      if (reported && Exceeds(*reported, *T))
        return TaskResult::Failed(Invalid(r_field, "reported amount " + json::FormatNumber(*reported) +
                                                       " exceeds the authorized amount " + json::FormatNumber(*T)));
      committed = *T;
      if (reported && std::fabs(*reported - *T) > kEpsilon)
        findings.push(Finding("outcome_budget_reconciliation", "warning",
                              "The seller committed " + json::FormatNumber(*reported) + " of the authorized " +
                                  json::FormatNumber(*T) + "; the ledger keeps the authorized amount.",
                              json::Obj({{"expected", *T}, {"actual", *reported}})));
      // Packages that disagree with a stated committed_budget (project addition).
      if (sr.find_number("committed_budget") && package_sum && std::fabs(*package_sum - *reported) > kEpsilon)
        findings.push(Finding("outcome_budget_reconciliation", "warning",
                              "The package budgets do not add up to the committed budget.",
                              json::Obj({{"field", "seller_response.packages"}, {"expected", *reported},
                                         {"actual", *package_sum}})));
    }
    // 04 §3.3 seller verification.
    if (const json::Value* pd = sr.find_object("planned_delivery"))
      seller_channels = VerifySellerDelivery(state, plan, action, *pd, findings);
    // Creative deadline vs flight (project addition): a deadline after the
    // approved start means delivery cannot start with creatives in place.
    if (const std::string* deadline = sr.find_string("creative_deadline")) {
      Reference ref = ReferenceOf(state, action);
      std::optional<Instant> start = ref.start ? ParseDateTime(*ref.start) : std::nullopt;
      std::string start_raw = ref.start ? *ref.start : plan.terms.flight_start_raw;
      if (!start) start = plan.terms.flight_start;
      std::optional<Instant> d = ParseDateTime(*deadline);
      if (d && *d > *start)
        findings.push(Finding("creative_deadline", "warning", "The creative deadline falls after the flight start.",
                              json::Obj({{"creative_deadline", *deadline}, {"flight_start", start_raw}})));
    }
  }
  // 04 §3.4 post-settlement checks (on the ledger after adding T).
  if (outcome == "completed") PostSettlementFindings(plan, action, committed, findings);
  Result<std::string> id = ctx.NewId("out", [&](const std::string& x) { return FindOutcome(state, x) != kNone; });
  if (!id.ok()) return TaskResult::Failed(id.error());
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  // Sum overflow is a business failure (01 §12).
  if (!std::isfinite(Figures(plan).ledger_committed + committed))
    return TaskResult::Failed(Invalid("seller_response.committed_budget", "the ledger sum overflows"));

  // Write.
  Outcome o;
  o.outcome_id = id.value();
  o.plan = pi;
  o.action = ai;
  o.check = ci;
  o.set_texts({outcome, auth.agent_url, auth.key, action.purchase_type()});
  o.dialect = ctx.dialect;
  OutcomeSettlement& settled = MutableSettlement(o);
  settled.committed_budget = committed;
  if (outcome == "completed") settled.reported_committed_budget = reported;
  settled.seller_reference = seller_reference;
  settled.seller_channels = Syms(seller_channels);
  if (ctx.is_legacy()) o.set_payload_hash(canon::IdempotencyPayloadHash(r));  // keyless resends (10 §4.2)
  if (const json::Value* e = r.find("error")) MutableSettlement(o).error = *e;
  SetFindings(o, findings);
  o.timestamp_ms = now.value();
  Store& store = ctx.store();
  const int32_t oi = store.AddOutcome(std::move(o));
  store.Settle(oi);  // the hold is released or replaced by the committed amount
  json::Value body = json::Obj({{"outcome_id", id.value()},
                                {"outcome_state", findings.size() > 0 ? "findings" : "accepted"},
                                {"committed_budget", committed}});
  if (findings.size() > 0) body.set("findings", findings);
  body.set("plan_summary", PlanSummary(state.plans[pi]));
  if (agent.config.compat_legacy_body_status) body.set("status", *body.find_string("outcome_state"));
  store.FinalizeOutcome(oi, json::Write(body));
  result.body = std::move(body);
  return result;
}

// A new delivery outcome record of `auth` about a purchase of `purchase_type`
// (id and time allocated, not yet stored).
Result<Outcome> NewDeliveryOutcome(CallContext& ctx, const State& state, int32_t pi, int32_t ai, int32_t ci,
                                   const Auth& auth, const Sym& purchase_type) {
  Result<std::string> id = ctx.NewId("out", [&](const std::string& x) { return FindOutcome(state, x) != kNone; });
  if (!id.ok()) return id.error();
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return now.error();
  Outcome o;
  o.outcome_id = id.value();
  o.plan = pi;
  o.action = ai;
  o.check = ci;
  o.set_texts({"delivery", auth.agent_url, auth.key, purchase_type});
  o.timestamp_ms = now.value();
  o.dialect = ctx.dialect;
  return o;
}

TaskResult Observe(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth, int32_t pi, int32_t ci,
                   TaskResult result) {
  const State& state = ctx.state();
  const Check& check = state.checks[ci];
  const int32_t ai = check.action;
  const Action& action = state.actions[ai];
  const Statement& S = *check.statement();
  const json::Value& d = *r.find("delivery");
  const std::string& observation_id = *d.find_string("observation_id");
  const std::string hash = canon::IdempotencyPayloadHash(r);
  // 04 §4.1 preconditions, in table order.
  const int32_t prior = FindObservation(state, auth.key, pi, observation_id);
  if (prior != kNone) {
    const Outcome& earlier = state.outcomes[prior];
    if (earlier.payload_hash() == hash) {
      json::Value body = json::ParseStored(OutcomeBodyText(earlier));
      body.set("replayed", true);
      TaskResult replay = TaskResult::Completed(std::move(body));
      replay.replayed = true;
      return replay;
    }
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "observation_id was already used with different content"));
  }
  const Period* period = action.periods.Find(PeriodKeyOf(S));
  if (period && period->latest_statement_check != ci && period->highest_sequence > S.sequence)
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "a newer statement supersedes this one for the period"));
  if (period && period->closed)
    return TaskResult::Failed(MakeError(ErrorCode::kConflict, "this reporting period is closed"));
  // 04 §4.2 classification.
  const std::string source = *d.find_string("source");
  const json::Value& obs_period = *d.find("reporting_period");
  const Instant obs_start = *ParseDateTime(*obs_period.find_string("start"));
  const Instant obs_end = *ParseDateTime(*obs_period.find_string("end"));
  const bool same_period = obs_start == PeriodStartOf(S) && obs_end == PeriodEndOf(S);
  const std::string& currency = *d.find_string("currency");
  const double spend = *d.find_number("cumulative_spend");
  const std::string plan_currency = state.plans[pi].terms.currency;
  const json::Value statement_period =
      json::Obj({{"start", S.period_start_raw()}, {"end", S.period_end_raw()}});
  std::string status = "consistent";
  std::optional<json::Value> finding;
  if (source == "seller_statement_copy") {
    const std::string& sid = *d.find_string("seller_statement_id");
    const std::string& sdigest = *d.find_string("seller_statement_digest");
    if (sid != S.statement_id || S.statement_digest != sdigest) {
      status = "disputed";
      bool id_differs = sid != S.statement_id;
      finding = Finding("delivery_evidence_conflict", "critical", "The buyer's copy does not match the seller's statement.",
                        json::Obj({{"field", id_differs ? "delivery.seller_statement_id" : "delivery.seller_statement_digest"},
                                   {"expected", id_differs ? S.statement_id : S.statement_digest.str()},
                                   {"actual", id_differs ? sid : sdigest}}));
    } else {
      // The statement's currency is the plan currency (03 §5.6).
      if (std::fabs(spend - S.cumulative_spend) > kEpsilon)
        return TaskResult::Failed(Invalid("delivery.cumulative_spend", "a statement copy must repeat the statement's spend"));
      if (currency != plan_currency)
        return TaskResult::Failed(Invalid("delivery.currency", "a statement copy must repeat the statement's currency"));
      if (!same_period)
        return TaskResult::Failed(Invalid("delivery.reporting_period", "a statement copy must repeat the statement's period"));
    }
  } else {
    if (currency != plan_currency) {
      status = "disputed";
      finding = Finding("delivery_evidence_conflict", "critical", "The observation's currency differs from the statement's.",
                        json::Obj({{"field", "delivery.currency"}, {"expected", plan_currency}, {"actual", currency}}));
    } else if (!same_period) {
      status = "disputed";
      finding = Finding("delivery_evidence_conflict", "critical", "The observation covers another reporting period.",
                        json::Obj({{"field", "delivery.reporting_period"}, {"expected", statement_period}, {"actual", obs_period}}));
    } else if (std::fabs(spend - S.cumulative_spend) > agent.config.delivery_variance_tolerance) {
      status = "measurement_variance";
      finding = Finding("delivery_measurement_variance", "warning",
                        "Buyer-measured spend differs from the seller's statement.",
                        json::Obj({{"field", "delivery.cumulative_spend"}, {"seller_stated", S.cumulative_spend},
                                   {"buyer_observed", spend}}));
    }
  }
  // 04 §4.3 closing.
  const json::Value* closed_v = d.find("period_closed");
  const bool closing = closed_v && closed_v->as_bool();
  if (closing && status != "consistent") {
    status = "closed_unresolved";
    json::Value details = *finding->find("details");
    finding = Finding("delivery_evidence_conflict", "critical", "The period was closed with unresolved differences.",
                      std::move(details));
  }
  Result<Outcome> made = NewDeliveryOutcome(ctx, state, pi, ai, ci, auth, action.purchase_type());
  if (!made.ok()) return TaskResult::Failed(made.error());
  Outcome o = std::move(made.value());
  OutcomeObservation& observed = MutableObservation(o);
  observed.observation_id = observation_id;  // first: the delivery text refers to it
  observed.delivery = ObservationDelivery(json::Write(d), observed.observation_id);
  observed.reconciliation_status = ReconciliationFromName(status).value_or(Reconciliation::kNone);  // one of its names
  observed.period_state = closing ? PeriodState::kClosed : PeriodState::kOpen;
  o.set_payload_hash(hash);
  if (finding) {
    json::Value findings = json::Value::MakeArray();
    findings.push(*finding);
    SetFindings(o, std::move(findings));
  }
  json::Value body = json::Obj({{"outcome_id", o.outcome_id},
                                {"outcome_state", finding ? "findings" : "accepted"},
                                {"delivery_reconciliation_status", status},
                                {"delivery_period_state", PeriodStateName(observed.period_state)}});
  if (finding) body.set("findings", FindingsOf(o));
  if (agent.config.compat_legacy_body_status) body.set("status", *body.find_string("outcome_state"));
  Store& store = ctx.store();
  const int32_t oi = store.AddOutcome(std::move(o));  // also indexes the observation id
  store.FinalizeOutcome(oi, json::Write(body));      // seq, period reconciliation, counters
  result.body = std::move(body);
  return result;
}

// 10 §4.4 (R10): a 3.0 delivery snapshot, kept as evidence — no ledger change,
// no reconciliation; an over-spend against the action's commitment is flagged.
TaskResult LegacySnapshot(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth, int32_t pi,
                          TaskResult result) {
  const State& state = ctx.state();
  const json::Value* d = r.find_object("delivery");
  if (!d) return TaskResult::Failed(Invalid("delivery", "outcome delivery needs a delivery object"));
  for (const json::Member& m : d->as_object()) {
    const std::string field = "delivery." + m.first;
    const json::Value& v = m.second;
    if (m.first == "media_buy_id" && !v.is_string()) return TaskResult::Failed(Invalid(field, "must be a string"));
    if (m.first == "reporting_period") {
      const std::string* start = v.find_string("start");
      const std::string* end = v.find_string("end");
      if (!v.is_object() || v.size() != 2 || !start || !end || !ParseDateTime(*start) || !ParseDateTime(*end))
        return TaskResult::Failed(Invalid(field, "must be {start, end} date-times"));
    }
    if (m.first == "impressions" &&
        (!v.is_number() || v.as_number() < 0 || std::floor(v.as_number()) != v.as_number()))
      return TaskResult::Failed(Invalid(field, "must be an integer >= 0"));
    if (m.first == "spend" && (!v.is_number() || v.as_number() < 0))
      return TaskResult::Failed(Invalid(field, "must be a number >= 0"));
    if ((m.first == "cpm" || m.first == "viewability_rate" || m.first == "completion_rate") && !v.is_number())
      return TaskResult::Failed(Invalid(field, "must be a number"));
  }
  // The action: check_id and/or governance_context; neither = plan-level evidence.
  int32_t ai = kNone, ci = kNone;
  if (const std::string* check_id = r.find_string("check_id")) {
    ci = FindCheck(state, *check_id);
    if (ci == kNone || state.checks[ci].plan != pi || state.checks[ci].pending || state.checks[ci].action == kNone)
      return TaskResult::Failed(MakeError(ErrorCode::kReferenceNotFound, "reference not found", "check_id"));
    ai = state.checks[ci].action;
  }
  if (const std::string* token = r.find_string("governance_context")) {
    const int32_t issuer = FindIssuer(state, *token);
    if (issuer == kNone || state.checks[issuer].plan != pi)
      return TaskResult::Failed(MakeError(ErrorCode::kReferenceNotFound, "reference not found", "governance_context"));
    if (ai != kNone && state.checks[issuer].action != ai)
      return TaskResult::Failed(Invalid("governance_context", "governance_context and check_id name different actions"));
    if (ci == kNone) ci = issuer;
    ai = state.checks[issuer].action;
  }
  const Plan& plan = state.plans[pi];
  const bool owner = auth.key == plan.owner_key;
  if (ai == kNone ? !owner : !(owner || auth.key == state.actions[ai].caller_key()))
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "only the intent caller or the plan owner reports delivery"));
  if (plan.status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError(ErrorCode::kCampaignSuspended, "the plan is suspended"));
  json::Value findings = json::Value::MakeArray();
  if (ai != kNone) {
    const Action& a = state.actions[ai];
    ExactSum s = AdjustmentsOf(a).legacy_snapshot_spend;
    if (const double* spend = d->find_number("spend")) s.Add(*spend);
    std::optional<double> committed = a.committed();
    if (committed && Exceeds(s.Value(), *committed))
      findings.push(Finding("delivery_pacing", "warning", "Reported delivery spend exceeds the committed amount.",
                            json::Obj({{"reported_spend_total", s.Value()}, {"committed", *committed}})));
  }
  Result<Outcome> made =
      NewDeliveryOutcome(ctx, state, pi, ai, ci, auth, ai != kNone ? state.actions[ai].purchase_type() : Sym("media_buy"));
  if (!made.ok()) return TaskResult::Failed(made.error());
  Outcome o = std::move(made.value());
  MutableObservation(o).delivery = ObservationDelivery(json::Write(*d), ObservationOf(o).observation_id);  // "" here
  o.legacy_snapshot = true;
  SetFindings(o, findings);
  json::Value body = json::Obj({{"outcome_id", o.outcome_id},
                                {"outcome_state", findings.size() > 0 ? "findings" : "accepted"}});
  if (findings.size() > 0) body.set("findings", findings);
  Store& store = ctx.store();
  const int32_t oi = store.AddOutcome(std::move(o));
  if (ai != kNone)
    if (const double* spend = d->find_number("spend")) store.AddSnapshotSpend(ai, *spend);
  store.FinalizeOutcome(oi, json::Write(body));
  result.body = std::move(body);
  return result;
}

}  // namespace

TaskResult RunReportPlanOutcome(Agent& agent, CallContext& ctx, const json::Value& r, const Auth& auth) {
  if (!auth.present) return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "authentication required"));
  const bool legacy = ctx.is_legacy();
  const bool keyless_ok = agent.config.compat_accept_missing_idempotency_key;
  const std::string outcome = r.find_string("outcome") ? *r.find_string("outcome") : "";
  // A 3.0 delivery snapshot has no observation fields (10 §4.4); a 3.2
  // observation inside a legacy request is processed as in 04.
  const json::Value* delivery_in = r.find_object("delivery");
  const bool snapshot = legacy && outcome == "delivery" && !HasObservationFields(delivery_in);
  schema::NodeRef shape = legacy && (outcome != "delivery" || snapshot) ? schema::ReportPlanOutcomeRequestLegacy()
                          : legacy                                     ? schema::ReportPlanOutcomeRequest(false)
                                                                       : schema::ReportPlanOutcomeRequest(!keyless_ok);
  if (std::optional<schema::Failure> f = schema::Validate(shape, r)) return TaskResult::Failed(SchemaError(ErrorCode::kValidationError, *f));
  TaskResult result;
  const std::string* key = r.find_string("idempotency_key");
  if (key) {
    if (std::optional<TaskResult> early = CheckIdempotency(ctx, KeyedTask::kReportPlanOutcome, r, auth, *key, true, &result))
      return *early;
  }
  const State& state = ctx.state();
  // 3. Plan, looked up with the reporter as caller (01 §1).
  const int32_t pi = LookupPlanForCaller(state, auth.key, *r.find_string("plan_id"));
  if (pi == kNone)  // 10 §7.1: the 3.0/3.1 code for the same uniform answer
    return TaskResult::Failed(legacy ? MakeError(ErrorCode::kPlanNotFound, "plan not found", "plan_id")
                                     : MakeError(ErrorCode::kReferenceNotFound, "reference not found", "plan_id"));
  if (snapshot) return LegacySnapshot(agent, ctx, r, auth, pi, std::move(result));
  // 4. A final check of that plan.
  const int32_t ci = FindCheck(state, *r.find_string("check_id"));
  if (ci == kNone || state.checks[ci].plan != pi || state.checks[ci].pending)
    return TaskResult::Failed(MakeError(ErrorCode::kReferenceNotFound, "reference not found", "check_id"));
  const Check& check = state.checks[ci];
  // 5. The settlement tuple.
  const std::string* presented = r.find_string("governance_context");
  if (presented && legacy) {
    // 10 §7.1: a value that is no token of this plan "does not resolve".
    const int32_t issuer = FindIssuer(state, *presented);
    if (issuer == kNone || state.checks[issuer].plan != pi)
      return TaskResult::Failed(MakeError(ErrorCode::kReferenceNotFound, "reference not found", "governance_context"));
  }
  if (check.verdict != Verdict::kApproved || (presented && IssuedTokenText(state, check) != *presented) ||
      (!presented && check.issued_token.empty()))  // R8: absent is accepted for 3.0-era clients
    return TaskResult::Failed(Invalid("governance_context", "governance_context is not the token issued by check_id"));
  const bool settles = outcome == "completed" || outcome == "failed";
  const bool check_fits = settles ? (check.intent || check.phase == Phase::kPurchase || check.phase == Phase::kModification)
                                  : (!check.intent && check.phase == Phase::kDelivery && check.statement());
  if (!check_fits)
    return TaskResult::Failed(Invalid("check_id", settles ? "settle against the intent check or a purchase/modification check"
                                                          : "delivery observations name a delivery check with a statement"));
  const Action& action = state.actions[check.action];
  // 6. purchase_type: default media_buy (04); the action's own for 3.0-era clients (R9).
  const std::string purchase_type = r.find_string("purchase_type") ? *r.find_string("purchase_type")
                                    : legacy                       ? action.purchase_type().str()
                                                                   : "media_buy";
  if (purchase_type != action.purchase_type())
    return TaskResult::Failed(Invalid("purchase_type", "purchase_type must equal the action's purchase type"));
  // 7. Reporter.
  const Plan& plan = state.plans[pi];
  const bool is_intent_caller = auth.key == action.caller_key();
  const bool is_owner = auth.key == plan.owner_key;
  if (settles && !is_intent_caller)
    return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "only the intent caller settles an action"));
  if (!settles) {
    if (!is_intent_caller && !is_owner)
      return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "only the intent caller or the plan owner reports delivery"));
    const json::Value* closed = r.find("delivery")->find("period_closed");
    if (closed && closed->as_bool() && !is_owner)
      return TaskResult::Failed(MakeError(ErrorCode::kPermissionDenied, "only the plan owner closes a period"));
  }
  // 10 §4.2 (R7): without a key, a resend of the same settlement is a replay.
  if (legacy && !key && settles && action.settlement != kNone) {
    const Outcome& first = state.outcomes[action.settlement];
    if (first.reporter_key() == auth.key && first.payload_hash() == canon::IdempotencyPayloadHash(r)) {
      json::Value body = json::ParseStored(OutcomeBodyText(first));
      body.set("replayed", true);  // as keyed replays do (08 §5)
      TaskResult replay = TaskResult::Completed(std::move(body));
      replay.replayed = true;
      return replay;
    }
  }
  // 8.
  if (plan.status == PlanStatus::kSuspended)
    return TaskResult::Failed(MakeError(ErrorCode::kCampaignSuspended, "the plan is suspended"));
  return settles ? Settle(agent, ctx, r, auth, pi, ci, std::move(result))
                 : Observe(agent, ctx, r, auth, pi, ci, std::move(result));
}

}  // namespace adcp
