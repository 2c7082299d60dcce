// Spec 04 report_plan_outcome: processing order, settlement, findings,
// delivery observations and reconciliation; 08 §5 replays.
#include "canon/digests.h"
#include "check_helpers.h"

using namespace adcp;
using namespace adcp::test;

namespace {

struct Approved {
  std::string check_id, token;
};

Approved ApproveIntent(Host& h, double amount, Value request = Value()) {
  if (request.is_null()) request = IntentRequest(amount);
  Value r = Check(h, request);
  INFO(json::Write(r));
  REQUIRE(Verdict(r) == "approved");
  return {*Body(r).find_string("check_id"), Token(r)};
}

Value Completed(const Approved& a, const std::string& seller_response = R"({"seller_reference":"mb_1"})",
                const std::string& key = "") {
  return json::Obj({{"idempotency_key", key.empty() ? NextKey("outcome") : key}, {"plan_id", "plan_1"},
                    {"check_id", a.check_id}, {"governance_context", a.token}, {"outcome", "completed"},
                    {"seller_response", J(seller_response)}});
}

Value Failed(const Approved& a) {
  return json::Obj({{"idempotency_key", NextKey("outcome")}, {"plan_id", "plan_1"}, {"check_id", a.check_id},
                    {"governance_context", a.token}, {"outcome", "failed"},
                    {"error", J(R"({"code":"REJECTED","message":"Inventory unavailable."})")}});
}

Value Outcome(Host& h, const Value& req, const std::string& who = kBuyer) { return h.Call("report_plan_outcome", req, who); }

Value Audit(Host& h) {
  return h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true})"), kBuyer);
}

Value Metrics(const std::string& id, int seq, double cumulative, const std::string& start, const std::string& end) {
  Value m = J(R"({"statement_id":")" + id + R"(","sequence":)" + std::to_string(seq) +
              R"(,"issued_at":"2026-02-01T00:00:00Z","reporting_period":{"start":")" + start + R"(","end":")" + end +
              R"("},"cumulative_spend":)" + json::FormatNumber(cumulative) + R"(,"currency":"USD"})");
  m.set("statement_digest", canon::StatementDigest("mb_1", m));
  return m;
}

// A delivery check by the seller; returns its check id and token.
Approved DeliveryCheck(Host& h, const std::string& token, const Value& metrics) {
  Value req = ExecutionRequest(token, "delivery");
  req.put("delivery_metrics", metrics);
  Value r = Check(h, req, kSeller);
  INFO(json::Write(r));
  REQUIRE(*r.find_string("status") == "completed");
  return {*Body(r).find_string("check_id"), Token(r)};
}

Value Observation(const Approved& d, const std::string& observation, const std::string& delivery_extra = "") {
  Value obs = J(R"({"observation_id":")" + observation + R"(","observed_at":"2026-02-02T00:00:00Z")" + delivery_extra + "}");
  return json::Obj({{"idempotency_key", NextKey("obs")}, {"plan_id", "plan_1"}, {"check_id", d.check_id},
                    {"governance_context", d.token}, {"outcome", "delivery"}, {"delivery", obs}});
}

}  // namespace

TEST_CASE("04 §3.2 completed: the authorized amount is committed; a lower report is a warning", "[04]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 600);
  Value r = Outcome(h, Completed(a, R"({"seller_reference":"mb_1","committed_budget":550})"));
  CHECK_SUBSET(J(R"({"status":"completed","response":{"outcome_id":"out_00000001","outcome_state":"findings","committed_budget":600,
    "findings":[{"category_id":"outcome_budget_reconciliation","severity":"warning","details":{"expected":600,"actual":550}}],
    "plan_summary":{"total_committed":600,"budget_remaining":400},"replayed":"$absent"}})"), r);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"budget":{"gross_committed":600,"committed":600,"remaining":400,"utilization_pct":60},
    "governed_actions":[{"committed":600,"seller_reference":"mb_1","status":"active"}]}],"ext":"$absent"}})"), Audit(h));
}

TEST_CASE("04 §3.2 a report above the authorized amount is rejected and changes nothing", "[04]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 600);
  std::string before = h.State();
  ExpectError(Outcome(h, Completed(a, R"({"committed_budget":600.5})")), "VALIDATION_ERROR", "seller_response.committed_budget");
  ExpectError(Outcome(h, Completed(a, R"({"packages":[{"budget":400},{"budget":300}]})")), "VALIDATION_ERROR",
              "seller_response.packages");
  CHECK(h.State() == before);
  // Within ε is not above.
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"accepted","committed_budget":600}})"),
               Outcome(h, Completed(a, R"({"committed_budget":600.0000005})")));
}

TEST_CASE("04 §3.2 non-monetary actions settle at 0 and cannot report spend", "[04]") {
  Host h;
  SyncPlan(h, BasePlan());
  Value products = IntentRequest(0);
  products.put("tool", "get_products");
  products.put("payload", J(R"({"brief":"x"})"));
  Approved a = ApproveIntent(h, 0, products);
  ExpectError(Outcome(h, Completed(a, R"({"committed_budget":5})")), "VALIDATION_ERROR", "seller_response.committed_budget");
  CHECK_SUBSET(J(R"({"response":{"committed_budget":0,"outcome_state":"accepted"}})"), Outcome(h, Completed(a, R"({"committed_budget":0})")));
}

TEST_CASE("04 §3.1 one terminal settlement per action, whichever check is named", "[04]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 600);
  Value purchase = ExecutionRequest(a.token);
  purchase.put("planned_delivery", J(R"({"media_buy_id":"mb_1","total_budget":500,"currency":"USD"})"));
  Value pr = Check(h, purchase, kSeller);
  Approved p{*Body(pr).find_string("check_id"), Token(pr)};
  // Settling on the purchase check commits exec(A) = 500.
  CHECK_SUBSET(J(R"({"response":{"committed_budget":500}})"), Outcome(h, Completed(p)));
  Value again = Outcome(h, Completed(a));
  ExpectError(again, "CONFLICT", "");
  CHECK(*again.find_array("errors")[0][0].find_string("recovery") == "transient");
  ExpectError(Outcome(h, Failed(a)), "CONFLICT", "");
}

TEST_CASE("04 §3.5 failed: committed 0, the hold is released at once, the action completes", "[04][03]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 333.33);
  ApproveIntent(h, 333.33);
  ApproveIntent(h, 333.34);
  CHECK(Verdict(Check(h, IntentRequest(333.33))) == "denied");
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"accepted","committed_budget":0,"plan_summary":{"total_committed":0,"budget_remaining":1000}}})"),
               Outcome(h, Failed(a)));
  CHECK(Verdict(Check(h, IntentRequest(333.33))) == "approved");
  CHECK_SUBSET(J(R"({"response":{"plans":[{"governed_actions":[{"status":"completed","committed":0},{"status":"active"},{"status":"active"},{"status":"active"}]}]}})"),
               Audit(h));
}

TEST_CASE("04 §2 processing order: references, tuple, purchase type, reporter, suspension", "[04][08]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 100);
  Value denied = Check(h, IntentRequest(5000));
  const std::string denied_id = *Body(denied).find_string("check_id");
  std::string before = h.State();
  ExpectError(Outcome(h, Set(Completed(a), "plan_id", "nope")), "REFERENCE_NOT_FOUND", "plan_id");
  // Another agent: the same answer as an unknown plan.
  std::string x1 = h.agent().Call("report_plan_outcome", json::Write(Set(Completed(a), "idempotency_key", "not-yours-000000001")),
                                  R"({"agent_url":"https://intruder.example.com"})");
  std::string x2 = h.agent().Call("report_plan_outcome",
                                  json::Write(Set(Set(Completed(a), "plan_id", "nope"), "idempotency_key", "not-yours-000000001")),
                                  R"({"agent_url":"https://intruder.example.com"})");
  CHECK(x1 == x2);
  ExpectError(Outcome(h, Set(Completed(a), "check_id", "chk_nope")), "REFERENCE_NOT_FOUND", "check_id");
  ExpectError(Outcome(h, Set(Completed(a), "check_id", denied_id)), "VALIDATION_ERROR", "governance_context");
  ExpectError(Outcome(h, Set(Completed(a), "governance_context", a.token + "x")), "VALIDATION_ERROR", "governance_context");
  ExpectError(Outcome(h, Set(Completed(a), "purchase_type", "rights_license")), "VALIDATION_ERROR", "purchase_type");
  // A token-less settlement is a 3.0-era request in auto mode (10 §1.3, R8); 3.2 requires the token.
  ExpectError(Outcome(h, Set(Del(Completed(a), "governance_context"), "adcp_version", "3.2")), "VALIDATION_ERROR",
              "governance_context");
  ExpectError(Outcome(h, Del(Completed(a), "seller_response")), "VALIDATION_ERROR", "seller_response");
  ExpectError(Outcome(h, Set(Del(Completed(a), "idempotency_key"), "adcp_version", "3.2")), "VALIDATION_ERROR",
              "idempotency_key");
  ExpectError(Outcome(h, Set(Completed(a), "seller_response.packages", J(R"([{"budget":"10"}])"))), "VALIDATION_ERROR",
              "seller_response.packages[0].budget");
  ExpectError(Outcome(h, Set(Completed(a), "seller_response.media_buy_id", "mb_2")), "VALIDATION_ERROR",
              "seller_response.media_buy_id");
  CHECK(h.State() == before);
  h.Admin(J(R"({"op":"suspend_plan","owner":"https://buyer.example.com","plan_id":"plan_1"})"));
  ExpectError(Outcome(h, Completed(a)), "CAMPAIGN_SUSPENDED", "");
  h.Admin(J(R"({"op":"resume_plan","owner":"https://buyer.example.com","plan_id":"plan_1"})"));
  CHECK(ErrorCodeOf(Outcome(h, Completed(a))).empty());
}

TEST_CASE("04 §2 step 7: only the intent caller settles (a delegate's action, not the owner)", "[04]") {
  Host h;
  const std::string agency = "https://agency.example.com";
  SyncPlan(h, Set(BasePlan(), "delegations", J(R"([{"agent_url":"https://agency.example.com","authority":"full"}])")));
  Value r = Check(h, Set(IntentRequest(100), "caller", agency), agency);
  Approved b{*Body(r).find_string("check_id"), Token(r)};
  ExpectError(Outcome(h, Completed(b), kBuyer), "PERMISSION_DENIED", "");
  CHECK(ErrorCodeOf(Outcome(h, Completed(b), agency)).empty());
}

TEST_CASE("08 §5 outcome replay: byte-identical body with replayed true, committed once", "[04][08]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 100);
  Value req = Completed(a, R"({"seller_reference":"mb_1"})", "outcome-replay-key-01");
  Value first = Outcome(h, req);
  h.Admin(J(R"({"op":"suspend_plan","owner":"https://buyer.example.com","plan_id":"plan_1"})"));
  Value second = Outcome(h, req);  // answered before any plan lookup (04 §2 step 2)
  CHECK(*second.find("replayed") == Value(true));
  Value b = Body(second);
  CHECK(*b.find("replayed") == Value(true));
  b.erase("replayed");
  CHECK(json::Write(b) == json::Write(Body(first)));
  CHECK_SUBSET(J(R"({"response":{"plans":[{"budget":{"gross_committed":100},"summary":{"outcomes_reported":1}}]}})"), Audit(h));
  ExpectError(Outcome(h, Set(req, "seller_response.seller_reference", "mb_9")), "IDEMPOTENCY_CONFLICT", "");
}

// The replay body is the outcome's own body (kept once, issue 15): export
// writes it into the key's entry, and an imported agent replays it the same.
TEST_CASE("08 §5 outcome replay after export and import: the same body, written into the key's entry", "[04][08][15]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 100);
  Value req = Completed(a, R"({"seller_reference":"mb_1"})", "outcome-replay-key-02");
  Value first = Outcome(h, req);
  const std::string exported = h.State();
  CHECK(exported.find(json::Write(json::Write(Body(first)))) != std::string::npos);  // body as a JSON string
  Host restored(HostOptions{}, exported);
  CHECK(restored.State() == exported);
  Value replay = Outcome(restored, req);
  CHECK(*replay.find("replayed") == Value(true));
  Value b = Body(replay);
  b.erase("replayed");
  CHECK(json::Write(b) == json::Write(Body(first)));
  CHECK(json::Write(Outcome(h, req)) == json::Write(replay));
}

// Issue 15: a keyed report's payload hash is kept once, in the outcome (a
// 3.2 completed outcome has none of its own: it still reads and exports
// none). The key's entry exports the request's hash, detects conflicts, and
// keeps the hash after its body leaves the replay window and after import.
TEST_CASE("08 §5 a keyed report's payload hash: exported with the key, not the outcome; kept past expiry and import", "[04][08][15]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 100);
  Value req = Completed(a, R"({"seller_reference":"mb_1"})", "outcome-hash-key-0001");
  REQUIRE(*Outcome(h, req).find_string("status") == "completed");
  const std::string request_hash = canon::IdempotencyPayloadHash(req);
  auto entry_hash = [](const std::string& state, const std::string& key) {
    const Value doc = J(state);
    for (const Value& e : doc.find("idempotency")->as_array())
      if (e.find_string("scope")->find(key) != std::string::npos) return *e.find_string("payload_hash");
    return std::string("absent");
  };
  auto outcome_hash = [](const std::string& state) { return *J(state).find("outcomes")->as_array().at(0).find_string("payload_hash"); };
  std::string exported = h.State();
  CHECK(entry_hash(exported, "outcome-hash-key-0001") == request_hash);
  CHECK(outcome_hash(exported).empty());
  ExpectError(Outcome(h, Set(req, "seller_response.seller_reference", "mb_9")), "IDEMPOTENCY_CONFLICT", "");
  Host restored(HostOptions{}, exported);
  CHECK(restored.State() == exported);
  ExpectError(Outcome(restored, Set(req, "seller_response.seller_reference", "mb_9")), "IDEMPOTENCY_CONFLICT", "");
  // Past the window: a later keyed request drops the body; the hash stays with the key.
  h.now_ms += (86400 + 61) * 1000.0;
  SyncPlan(h, BasePlan());
  ExpectError(Outcome(h, req), "IDEMPOTENCY_EXPIRED", "");
  exported = h.State();
  const Value expired_doc = J(exported);
  for (const Value& e : expired_doc.find("idempotency")->as_array())
    if (e.find_string("scope")->find("outcome-hash-key-0001") != std::string::npos) CHECK_FALSE(e.has("body"));  // dropped
  CHECK(entry_hash(exported, "outcome-hash-key-0001") == request_hash);
  CHECK(outcome_hash(exported).empty());
  Host expired(HostOptions{}, exported);
  CHECK(expired.State() == exported);
}

TEST_CASE("08 §5 1,000 interleaved duplicate reports commit exactly once each", "[04][08]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","budget_holds":false})";
  Host h(o);
  SyncPlan(h, Set(BasePlan(), "budget.total", 1e9));
  std::vector<Value> requests;
  for (int i = 0; i < 1000; ++i) {
    Approved a = ApproveIntent(h, 1000 + i);
    requests.push_back(Completed(a, R"({"seller_reference":"mb"})", "dup-report-key-" + std::to_string(100000 + i)));
  }
  // First pass, then interleaved duplicates in another order.
  std::vector<std::string> first(1000);
  for (int i = 0; i < 1000; ++i) first[i] = h.agent().Call("report_plan_outcome", json::Write(requests[i]), R"({"agent_url":"https://buyer.example.com"})");
  int replays = 0;
  for (int k = 0; k < 1000; ++k) {
    int i = (k * 7919) % 1000;
    Value r = ParseOrFail(h.agent().Call("report_plan_outcome", json::Write(requests[i]), R"({"agent_url":"https://buyer.example.com"})"));
    replays += *r.find("replayed") == Value(true) ? 1 : 0;
    Value b = Body(r);
    b.erase("replayed");
    if (json::Write(b) != json::Write(Body(ParseOrFail(first[i])))) FAIL_CHECK("replay differs for " << i);
  }
  CHECK(replays == 1000);
  double expected = 0;
  for (int i = 0; i < 1000; ++i) expected += 1000 + i;
  CHECK_SUBSET(json::Obj({{"response", json::Obj({{"plans", Value(json::Array{json::Obj({{"budget", json::Obj({{"gross_committed", expected}})},
                                                                                          {"summary", json::Obj({{"outcomes_reported", 1000.0}})}})})}})}}),
               h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer));
}

TEST_CASE("04 §3.3 seller verification: discrepancies vs the approval and plan violations", "[04]") {
  Host h;
  SyncPlan(h, Set(Set(BasePlan(), "countries", J(R"(["US","CA"])")), "channels", J(R"({"allowed":["olv","ctv"]})")));
  Value intent = IntentRequest(500);
  intent.put("payload", J(R"({"total_budget":500,"geo":{"countries":["US"]},"channels":["olv"],
    "flight":{"start":"2026-03-01T00:00:00Z","end":"2026-03-31T00:00:00Z"}})"));
  Approved a = ApproveIntent(h, 500, intent);
  Value r = Outcome(h, Completed(a, R"({"seller_reference":"mb_1","planned_delivery":{"geo":{"countries":["US","MX"]},
    "channels":["olv","search"],"start_time":"2026-03-01T01:00:00+01:00","end_time":"2027-01-31T00:00:00Z","total_budget":450,
    "currency":"USD"},"creative_deadline":"2026-03-05T00:00:00Z"})"));
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"findings","committed_budget":500,"findings":[
    {"category_id":"seller_verification","severity":"warning","details":{"discrepancies":[
      {"field":"geo.countries","requested":["US"],"received":["US","MX"]},
      {"field":"channels","requested":["olv"],"received":["olv","search"]},
      {"field":"end_time","requested":"2026-03-31T00:00:00Z","received":"2027-01-31T00:00:00Z"},
      {"field":"total_budget","requested":500,"received":450}]}},
    {"category_id":"geo_compliance","severity":"critical","details":{"unauthorized":["MX"]}},
    {"category_id":"channel_compliance","severity":"critical","details":{"unauthorized":["search"]}},
    {"category_id":"flight_compliance","severity":"critical"},
    {"category_id":"creative_deadline","severity":"warning","details":{"creative_deadline":"2026-03-05T00:00:00Z","flight_start":"2026-03-01T00:00:00Z"}}]}})"),
               r);
  // The outcome is still recorded; the seller's channels attribute the commitment.
  CHECK_SUBSET(J(R"({"response":{"plans":[{"channel_allocation":{"olv":{"committed":250,"pct":25},"search":{"committed":250,"pct":25}}}]}})"), Audit(h));
}

TEST_CASE("04 §3.4 post-settlement warnings: over an allocation and over the plan", "[04]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","budget_holds":false})";
  Host h(o);
  SyncPlan(h, Set(BasePlan(), "budget.allocations", J(R"({"media_buy":{"amount":700}})")));
  // Without holds two approvals can together pass the allocation (03 §5.7).
  Approved a = ApproveIntent(h, 600);
  Approved b = ApproveIntent(h, 200);
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"accepted"}})"), Outcome(h, Completed(a)));
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"findings","committed_budget":200,"findings":[{"category_id":"budget_authority",
    "severity":"warning","details":{"purchase_type":"media_buy","committed":800,"allocation":700}}]}})"), Outcome(h, Completed(b)));
  SyncPlan(h, Set(Set(BasePlan(), "budget.allocations", J(R"({"media_buy":{"amount":700}})")), "budget.total", 850.0));
  Value rights = Set(IntentRequest(50), "purchase_type", "rights_license");
  Approved c = ApproveIntent(h, 50, rights);
  Approved d = ApproveIntent(h, 40, Set(rights, "payload.total_budget", 40.0));
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"accepted"}})"), Outcome(h, Set(Completed(c), "purchase_type", "rights_license")));
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"findings","findings":[{"category_id":"budget_authority","severity":"warning",
    "details":{"committed":890,"authorized":850}}],"plan_summary":{"total_committed":890,"budget_remaining":-40}}})"),
               Outcome(h, Set(Completed(d), "purchase_type", "rights_license")));
}

TEST_CASE("04 §1 seller_reference falls back to media_buy_id, rights_grant_id, deployment_id", "[04]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 10), b = ApproveIntent(h, 10), c = ApproveIntent(h, 10);
  Outcome(h, Completed(a, R"({"media_buy_id":"mb_raw"})"));
  Outcome(h, Completed(b, R"({"rights_grant_id":"rg_1"})"));
  Outcome(h, Completed(c, R"({})"));
  CHECK_SUBSET(J(R"({"response":{"plans":[{"governed_actions":[{"seller_reference":"mb_raw"},{"seller_reference":"rg_1"},{"seller_reference":"$absent"}]}]}})"),
               Audit(h));
}

TEST_CASE("04 §4 delivery observations: classification table, replay, conflicts, closing", "[04]") {
  Host h;
  SyncPlan(h, BasePlan());
  Approved a = ApproveIntent(h, 600);
  Outcome(h, Completed(a));
  const std::string p1s = "2026-01-01T00:00:00Z", p1e = "2026-01-15T00:00:00Z";
  Value m1 = Metrics("st_1", 1, 100, p1s, p1e);
  Approved d1 = DeliveryCheck(h, a.token, m1);
  const std::string period = R"(,"reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-15T00:00:00Z"})";
  const std::string copy = R"(,"source":"seller_statement_copy","seller_statement_id":"st_1","seller_statement_digest":")" +
                           *m1.find_string("statement_digest") + "\"";
  // consistent copy
  Value ok = Outcome(h, Observation(d1, "obs_1", copy + period + R"(,"cumulative_spend":100,"currency":"USD")"));
  CHECK_SUBSET(J(R"({"response":{"outcome_state":"accepted","delivery_reconciliation_status":"consistent","delivery_period_state":"open",
    "findings":"$absent","committed_budget":"$absent","plan_summary":"$absent"}})"), ok);
  // a copy with the same ids but other values: VALIDATION_ERROR, nothing recorded
  std::string before = h.State();
  ExpectError(Outcome(h, Observation(d1, "obs_2", copy + period + R"(,"cumulative_spend":101,"currency":"USD")")),
              "VALIDATION_ERROR", "delivery.cumulative_spend");
  CHECK(h.State() == before);
  // buyer measurement: variance, then currency dispute, then period dispute
  CHECK_SUBSET(J(R"({"response":{"delivery_reconciliation_status":"measurement_variance","findings":[{"category_id":"delivery_measurement_variance",
    "details":{"seller_stated":100,"buyer_observed":104}}]}})"),
               Outcome(h, Observation(d1, "obs_3", R"(,"source":"buyer_measurement")" + period + R"(,"cumulative_spend":104,"currency":"USD")")));
  CHECK_SUBSET(J(R"({"response":{"delivery_reconciliation_status":"disputed","findings":[{"category_id":"delivery_evidence_conflict",
    "severity":"critical","details":{"field":"delivery.currency","expected":"USD","actual":"EUR"}}]}})"),
               Outcome(h, Observation(d1, "obs_4", R"(,"source":"buyer_measurement")" + period + R"(,"cumulative_spend":100,"currency":"EUR")")));
  Value other_period = Outcome(h, Observation(d1, "obs_5", R"(,"source":"buyer_measurement","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-16T00:00:00Z"},"cumulative_spend":100,"currency":"USD")"));
  CHECK_SUBSET(J(R"({"response":{"delivery_reconciliation_status":"disputed","findings":[{"details":{"field":"delivery.reporting_period",
    "expected":{"start":"2026-01-01T00:00:00Z","end":"2026-01-15T00:00:00Z"}}}]}})"), other_period);
  // natural-key replay and conflict
  Value resend = Observation(d1, "obs_3", R"(,"source":"buyer_measurement")" + period + R"(,"cumulative_spend":104,"currency":"USD")");
  Value replay = Outcome(h, resend);
  CHECK(*replay.find("replayed") == Value(true));
  ExpectError(Outcome(h, Observation(d1, "obs_3", R"(,"source":"buyer_measurement")" + period + R"(,"cumulative_spend":105,"currency":"USD")")),
              "CONFLICT", "");
  // latest observation wins: the audit shows the period disputed
  CHECK_SUBSET(J(R"({"response":{"plans":[{"governed_actions":[{"delivery_reconciliation_status":"disputed","buyer_observed_spend":100,
    "seller_reported_spend":100,"conservative_exposure":100}]}]}})"), Audit(h));
  // only the owner closes a period; a delegate-free plan: intent caller == owner here
  Value close = Outcome(h, Observation(d1, "obs_6", copy + period + R"(,"cumulative_spend":100,"currency":"USD","period_closed":true)"));
  CHECK_SUBSET(J(R"({"response":{"delivery_reconciliation_status":"consistent","delivery_period_state":"closed"}})"), close);
  ExpectError(Outcome(h, Observation(d1, "obs_7", copy + period + R"(,"cumulative_spend":100,"currency":"USD")")), "CONFLICT", "");
  // an exact resend of an observation still replays after the period closed
  CHECK(*Outcome(h, resend).find("replayed") == Value(true));
  // the seller cannot file a statement for a closed period
  Value late = ExecutionRequest(d1.token, "delivery");
  late.put("delivery_metrics", Metrics("st_9", 5, 120, p1s, p1e));
  ExpectError(Check(h, late, kSeller), "CONFLICT", "");
  // a superseded statement: observations against the older statement of a period conflict
  Approved d2 = DeliveryCheck(h, d1.token, Metrics("st_2", 2, 150, "2026-01-15T00:00:00Z", "2026-01-29T00:00:00Z"));
  DeliveryCheck(h, d2.token, Metrics("st_3", 3, 160, "2026-01-15T00:00:00Z", "2026-01-29T00:00:00Z"));
  ExpectError(Outcome(h, Observation(d2, "obs_8", R"(,"source":"buyer_measurement","reporting_period":{"start":"2026-01-15T00:00:00Z","end":"2026-01-29T00:00:00Z"},"cumulative_spend":150,"currency":"USD")")),
              "CONFLICT", "");
}

TEST_CASE("04 §2 delivery: the check must be a delivery check; owner-only closing", "[04]") {
  Host h;
  const std::string agency = "https://agency.example.com";
  SyncPlan(h, Set(BasePlan(), "delegations", J(R"([{"agent_url":"https://agency.example.com","authority":"full"}])")));
  Value r = Check(h, Set(IntentRequest(100), "caller", agency), agency);
  Approved a{*Body(r).find_string("check_id"), Token(r)};
  Value obs = Observation(a, "o1", R"(,"source":"buyer_measurement","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"cumulative_spend":1,"currency":"USD")");
  ExpectError(Outcome(h, obs, agency), "VALIDATION_ERROR", "check_id");
  ExpectError(Outcome(h, Set(Completed(a), "plan_id", "plan_1"), kBuyer), "PERMISSION_DENIED", "");
  Approved d = DeliveryCheck(h, a.token, Metrics("st_1", 1, 10, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"));
  Value closing = Observation(d, "o2", R"(,"source":"buyer_measurement","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"cumulative_spend":10,"currency":"USD","period_closed":true)");
  ExpectError(Outcome(h, closing, agency), "PERMISSION_DENIED", "");
  CHECK(ErrorCodeOf(Outcome(h, closing, kBuyer)).empty());  // the owner may report and close delivery
}
