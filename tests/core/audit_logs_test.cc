// Spec 06 get_plan_audit_logs: request validation, resolution and uniform
// not-found, plan items, budget block, summary. Tests with checks, outcomes
// and adjustments live beside those tasks' suites.
#include <algorithm>

#include "state/ledger.h"
#include "test_util.h"

using namespace adcp;
using namespace adcp::test;

namespace {

const std::string kOwner = "https://buyer.example.com";
const std::string kOther = "https://intruder.example.com";

void SyncPlans(Host& h, const std::string& plans_json, const std::string& who = kOwner) {
  static int n = 0;
  Value req = J(R"({"idempotency_key":"audit-sync-key-)" + std::to_string(100000 + ++n) + R"(","plans":)" + plans_json + "}");
  Value r = h.Call("sync_plans", req, who);
  INFO(json::Write(r));
  REQUIRE(*r.find_string("status") == "completed");
}

std::string PlanJson(const std::string& id, const std::string& extra = "",
                     const std::string& budget = R"({"total":2500.5,"currency":"EUR","reallocation_unlimited":true})") {
  return R"({"plan_id":")" + id + R"(","brand":{"domain":"acme.example"},"objectives":"x","budget":)" + budget +
         R"(,"flight":{"start":"2026-01-01T00:00:00Z","end":"2026-12-31T00:00:00Z"})" + extra + "}";
}

}  // namespace

TEST_CASE("06 §3 plan item: version, status, budget block with every figure", "[06]") {
  Host h;
  SyncPlans(h, "[" + PlanJson("p1", "", R"({"total":2500.5,"currency":"EUR","reallocation_unlimited":true,"accounting_mode":"verified_net_cost"})") + "]");
  Value r = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"]})"), kOwner);
  CHECK_SUBSET(J(R"({"status":"completed","replayed":false,"response":{"plans":[{"plan_id":"p1","plan_version":1,"status":"active",
    "budget":{"authorized":2500.5,"accounting_mode":"verified_net_cost","gross_committed":0,"adjustments_reported":0,
      "adjustments_verified":0,"net_cost":0,"headroom_restored":0,"ledger_committed":0,"net_committed":0,"committed":0,
      "remaining":2500.5,"utilization_pct":0},
    "channel_allocation":{},"governed_actions":[],
    "summary":{"checks_performed":0,"outcomes_reported":0,"adjustments_reported":0,"adjustments_verified":0,
      "statuses":{"approved":0,"denied":0,"conditions":0,"human_reviewed":0},"findings_count":0,"escalations":[],
      "drift_metrics":{"escalation_rate":0,"auto_approval_rate":0,"human_override_rate":0,"mean_confidence":"$absent",
        "escalation_rate_trend":"stable","thresholds":"$absent"}},
    "entries":"$absent"}],"ext":"$absent"}})"),
               r);
  // Key order of the budget block follows 06 §3.1.
  const Value& budget = *r.find("response")->find_array("plans")[0][0].find("budget");
  CHECK(budget.as_object()[0].first == "authorized");
  CHECK(budget.as_object()[8].first == "net_committed");
  CHECK(budget.as_object()[9].first == "committed");
  // include_entries: an (empty) entries array.
  Value e = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"],"include_entries":true})"), kOwner);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"entries":[]}]}})"), e);
}

TEST_CASE("06 §2 only the owner may read; absent and not-yours are byte-identical", "[06][08]") {
  Host h;
  SyncPlans(h, "[" + PlanJson("p1", R"(,"delegations":[{"agent_url":"https://intruder.example.com","authority":"full"}])") + "]");
  std::string before = h.State();
  std::string theirs = h.agent().Call("get_plan_audit_logs", R"({"plan_ids":["p1"]})", R"({"agent_url":"https://intruder.example.com"})");
  std::string absent = h.agent().Call("get_plan_audit_logs", R"({"plan_ids":["nope"]})", R"({"agent_url":"https://intruder.example.com"})");
  std::string absent_owner = h.agent().Call("get_plan_audit_logs", R"({"plan_ids":["nope"]})", R"({"agent_url":"https://buyer.example.com"})");
  CHECK(theirs == absent);
  CHECK(absent == absent_owner);
  Value r = ParseOrFail(theirs);
  CHECK(ErrorCodeOf(r) == "PLAN_NOT_FOUND");
  const Value& err = r.find_array("errors")[0][0];
  CHECK_FALSE(err.has("field"));
  CHECK_FALSE(err.has("details"));
  CHECK(err.find_string("message")->find("nope") == std::string::npos);
  // Any failing id fails the whole request.
  CHECK(ErrorCodeOf(h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1","nope"]})"), kOwner)) == "PLAN_NOT_FOUND");
  // An unknown governance context is the same uniform error.
  CHECK(h.agent().Call("get_plan_audit_logs", R"({"governance_contexts":["eyJ.x.y"]})",
                       R"({"agent_url":"https://buyer.example.com"})") == absent_owner);
  CHECK(h.State() == before);
}

TEST_CASE("06 §1 request validation: INVALID_REQUEST with field", "[06][08]") {
  Host h;
  SyncPlans(h, "[" + PlanJson("p1") + "]");
  auto field_of = [&](const std::string& req) {
    Value r = h.Call("get_plan_audit_logs", J(req), kOwner);
    CHECK(ErrorCodeOf(r) == "INVALID_REQUEST");
    return ErrorField(r);
  };
  CHECK(field_of("{}") == "plan_ids");  // anyOf: first branch's required member
  CHECK(field_of(R"({"plan_ids":[]})") == "plan_ids");
  CHECK(field_of(R"({"plan_ids":["p1"],"purchase_types":["tv"]})") == "purchase_types[0]");
  CHECK(field_of(R"({"plan_ids":["p1"],"include_entries":"yes"})") == "include_entries");
  CHECK(field_of(R"({"plan_ids":["p1"],"idempotency_key":"bad key"})") == "idempotency_key");
  CHECK(field_of(R"({"plan_ids":["p1"],"ext":{"adcp_governance":{"entries":{"limit":0}}}})") ==
        "ext.adcp_governance.entries");
  CHECK(field_of(R"({"plan_ids":["p1"],"ext":{"adcp_governance":{"entries":{"limit":1001}}}})") ==
        "ext.adcp_governance.entries");
  CHECK(field_of(R"({"plan_ids":["p1"],"ext":{"adcp_governance":{"entries":{"limit":5,"after":"!!"}}}})") ==
        "ext.adcp_governance.entries");
  CHECK(ErrorCodeOf(h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"]})"), "")) == "PERMISSION_DENIED");
}

TEST_CASE("06 §2 portfolio_plan_ids expand to members; order and duplicates", "[06]") {
  Host h;
  SyncPlans(h, "[" + PlanJson("m1") + "," + PlanJson("m2") + "," +
                   PlanJson("port", R"(,"portfolio":{"member_plan_ids":["m2","ghost","m1"]})") + "]");
  Value r = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["m1"],"portfolio_plan_ids":["port"]})"), kOwner);
  const json::Array& plans = *r.find("response")->find_array("plans");
  REQUIRE(plans.size() == 2);
  CHECK(*plans[0].find_string("plan_id") == "m1");
  CHECK(*plans[1].find_string("plan_id") == "m2");  // m1 deduplicated, ghost skipped, port itself not returned
  // A plan that is not a portfolio cannot be used as one.
  CHECK(ErrorCodeOf(h.Call("get_plan_audit_logs", J(R"({"portfolio_plan_ids":["m1"]})"), kOwner)) == "PLAN_NOT_FOUND");
  // Another owner's portfolio: not found.
  CHECK(ErrorCodeOf(h.Call("get_plan_audit_logs", J(R"({"portfolio_plan_ids":["port"]})"), kOther)) == "PLAN_NOT_FOUND");
}

TEST_CASE("06 §5 drift thresholds: admin override, else config; only configured keys", "[06]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},
                 "drift":{"thresholds":{"escalation_rate_max":0.3}}})";
  Host h(o);
  SyncPlans(h, "[" + PlanJson("p1") + "]");
  CHECK_SUBSET(J(R"({"response":{"plans":[{"summary":{"drift_metrics":{"thresholds":{"escalation_rate_max":0.3}}}}]}})"),
               h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"]})"), kOwner));
  Value set = h.Admin(J(R"({"op":"set_drift_thresholds","owner":"https://buyer.example.com","plan_id":"p1",
                           "thresholds":{"auto_approval_rate_max":0.9,"human_override_rate_max":0.2}})"));
  CHECK(*set.find_string("status") == "completed");
  Value r = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"]})"), kOwner);
  const Value& t = *r.find("response")->find_array("plans")[0][0].find("summary")->find("drift_metrics")->find("thresholds");
  CHECK(json::Write(t) == R"({"auto_approval_rate_max":0.9,"human_override_rate_max":0.2})");
  CHECK(ErrorField(h.Admin(J(R"({"op":"set_drift_thresholds","owner":"https://buyer.example.com","plan_id":"p1",
                                 "thresholds":{"escalation_rate_max":2}})"))) == "thresholds");
}

TEST_CASE("06 §7 audit idempotency: a key caches the read; the root carries replayed", "[06][08]") {
  Host h;
  SyncPlans(h, "[" + PlanJson("p1") + "]");
  Value req = J(R"({"plan_ids":["p1"],"idempotency_key":"audit-read-key-000001"})");
  Value first = h.Call("get_plan_audit_logs", req, kOwner);
  SyncPlans(h, "[" + PlanJson("p1") + "]");  // version 2 now
  Value replay = h.Call("get_plan_audit_logs", req, kOwner);
  CHECK(*replay.find("replayed") == Value(true));
  CHECK_FALSE(replay.find("response")->has("replayed"));  // the body schema has no replayed
  CHECK(json::Write(*first.find("response")) == json::Write(*replay.find("response")));  // historical snapshot
  CHECK_SUBSET(J(R"({"response":{"plans":[{"plan_version":1}]}})"), replay);
  Expected<std::string> wire = GovernanceAgent::ToWire(json::Write(replay));
  CHECK_SUBSET(J(R"({"status":"completed","replayed":true})"), ParseOrFail(wire.value));
}

TEST_CASE("08 §5 idempotency scope is (agent, key): kept per agent across export and import", "[08][15]") {
  // Two agents use the same key; one agent's URL is a prefix of the other's.
  const std::string kNested = kOwner + "/team";
  Host h;
  const Value read = J(R"({"plan_ids":["p1"],"idempotency_key":"shared-key-0000000001"})");
  // The nested agent stores a key first, so its stored scopes come first in
  // any order by their stored form; by text, the owner's come first.
  SyncPlans(h, "[" + PlanJson("p1") + "]", kNested);
  SyncPlans(h, "[" + PlanJson("p1") + "]");
  Value owner_first = h.Call("get_plan_audit_logs", read, kOwner);
  Value nested_first = h.Call("get_plan_audit_logs", read, kNested);
  REQUIRE(*owner_first.find_string("status") == "completed");
  CHECK(*nested_first.find("replayed") == Value(false));  // another agent's key: not a replay of the owner's
  CHECK(*h.Call("get_plan_audit_logs", read, kOwner).find("replayed") == Value(true));
  const Value other_request = J(R"({"plan_ids":["p1"],"include_entries":true,"idempotency_key":"shared-key-0000000001"})");
  CHECK(ErrorCodeOf(h.Call("get_plan_audit_logs", other_request, kNested)) == "IDEMPOTENCY_CONFLICT");
  // The export writes each scope whole, in the order of its text.
  const std::string exported = h.State();
  const Value doc = ParseOrFail(exported);
  std::vector<std::string> scopes;
  for (const Value& e : *doc.find_array("idempotency")) scopes.push_back(*e.find_string("scope"));
  CHECK(std::is_sorted(scopes.begin(), scopes.end()));
  CHECK(std::count(scopes.begin(), scopes.end(), kOwner + "/\nshared-key-0000000001") == 1);  // agent keys are normalized (01 §1.1)
  CHECK(std::count(scopes.begin(), scopes.end(), kNested + "\nshared-key-0000000001") == 1);
  // Imported, each agent's key replays its own answer, and exports the same.
  Host restored(HostOptions{}, exported);
  restored.now_ms = h.now_ms;
  CHECK(json::Write(*restored.Call("get_plan_audit_logs", read, kNested).find("response")) ==
        json::Write(*nested_first.find("response")));
  CHECK(json::Write(*restored.Call("get_plan_audit_logs", read, kOwner).find("response")) ==
        json::Write(*owner_first.find("response")));
  CHECK(ErrorCodeOf(restored.Call("get_plan_audit_logs", other_request, kOwner)) == "IDEMPOTENCY_CONFLICT");
  CHECK(restored.State() == exported);
}

TEST_CASE("08 §5 a stored scope gives back the scope it was made from, and nothing past the agent list", "[08][15]") {
  State state;
  const std::string scope = "https://buyer.example.com/\nkey-0000000000000001";
  const std::string stored = StoredScope(state, scope);
  CHECK(stored == "0\nkey-0000000000000001");
  CHECK(FullScope(state, stored) == scope);
  CHECK(FindStoredScope(state, scope) == std::optional<std::string>(stored));
  CHECK_FALSE(FindStoredScope(state, "https://other.example.com/\nkey-0000000000000001").has_value());
  CHECK(FullScope(state, "no-newline-key") == "no-newline-key");
  // Keys StoredScope never writes (an agent number past the list, not a
  // number, empty) come back as they are, without reading past the list.
  for (const char* odd : {"1\nk", "99999999999999999999999\nk", "x\nk", "\nk", "-1\nk"}) CHECK(FullScope(state, odd) == odd);
}

// Issue 15: keyed requests are records found through an index of their
// stored scopes. A scope stored again replaces its entry in place (one
// record, as a map's assignment kept one), others add a record each, and a
// scope never stored is not found, also after the index grows.
TEST_CASE("08 §5 an idempotency scope stored again replaces its entry in place", "[08][15]") {
  State state;
  auto entry = [](KeyedTask task, int64_t at) {
    IdempotencyEntry e;
    e.task = task;
    e.stored_at_ms = at;
    return e;
  };
  const std::string first = StoredScope(state, "https://buyer.example.com/\nkey-0000000000000001");
  CHECK(FindIdempotency(state, first) == kNone);
  CHECK(PutIdempotencyRecord(state, first, entry(KeyedTask::kSyncPlans, 1)) == 0);
  for (int i = 2; i <= 40; ++i)
    CHECK(PutIdempotencyRecord(state, StoredScope(state, "https://buyer.example.com/\nkey-" + std::to_string(i)),
                               entry(KeyedTask::kReportPlanOutcome, i)) == i - 1);
  CHECK(PutIdempotencyRecord(state, first, entry(KeyedTask::kSyncAccounts, 99)) == 0);
  CHECK(state.idempotency.size() == 40);
  REQUIRE(FindIdempotency(state, first) == 0);
  CHECK(state.idempotency[0].entry.task == KeyedTask::kSyncAccounts);
  CHECK(state.idempotency[0].entry.stored_at_ms == 99);
  const int32_t seventh = FindIdempotency(state, StoredScope(state, "https://buyer.example.com/\nkey-7"));
  REQUIRE(seventh == 6);
  CHECK(state.idempotency[6].entry.stored_at_ms == 7);
  CHECK(FindIdempotency(state, StoredScope(state, "https://buyer.example.com/\nkey-41")) == kNone);
  CHECK(FindIdempotency(state, StoredScope(state, "https://seller.example.com/\nkey-7")) == kNone);
}

TEST_CASE("01 §4 admin lifecycle transitions and errors", "[01]") {
  Host h;
  SyncPlans(h, "[" + PlanJson("p1") + "]");
  auto op = [&](const std::string& name) {
    return h.Admin(J(R"({"op":")" + name + R"(","owner":"https://buyer.example.com","plan_id":"p1"})"));
  };
  CHECK(ErrorCodeOf(op("resume_plan")) == "CONFLICT");
  CHECK(ErrorCodeOf(op("suspend_plan")).empty());
  CHECK(ErrorCodeOf(op("suspend_plan")) == "CONFLICT");
  CHECK(ErrorCodeOf(op("resume_plan")).empty());
  CHECK(ErrorCodeOf(op("complete_plan")).empty());
  CHECK(ErrorCodeOf(op("complete_plan")) == "CONFLICT");
  CHECK(ErrorCodeOf(op("suspend_plan")) == "CONFLICT");
  CHECK(ErrorCodeOf(h.Admin(J(R"({"op":"suspend_plan","owner":"https://buyer.example.com","plan_id":"zz"})"))) ==
        "PLAN_NOT_FOUND");
  CHECK(ErrorField(h.Admin(J(R"({"op":"suspend_plan","plan_id":"p1"})"))) == "owner");
  CHECK(ErrorField(h.Admin(J(R"({"op":"dance"})"))) == "op");
  CHECK(ErrorCodeOf(h.Admin(J("[1]"))) == "INVALID_REQUEST");
  CHECK(ErrorField(h.Admin(J(R"({"op":"set_plan_mode","owner":"https://buyer.example.com","plan_id":"p1","mode":"yolo"})"))) ==
        "mode");
}
