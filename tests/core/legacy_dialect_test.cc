// Spec 10 rules the shared corpus cannot express (token claims, wire form,
// configuration and hints, import of legacy records). The T1–T16 scenarios
// themselves run from tests/fixtures/scenarios/10-*.json.
#include "canon/digests.h"
#include "check_helpers.h"

using namespace adcp;
using namespace adcp::test;

namespace {

const std::string kB = "https://buyer.example/";
const std::string kS = "https://seller.example/mcp";

Value LegacyPlan(const std::string& id) {
  return J(R"({"plan_id":")" + id + R"(","brand":{"domain":"acme.example"},"objectives":"x",
    "budget":{"total":10000,"currency":"USD","reallocation_unlimited":true},
    "flight":{"start":"2026-01-01T00:00:00Z","end":"2027-01-01T00:00:00Z"},"countries":["US"]})");
}

Value Intent611(const std::string& plan, double amount, const std::string& key = "k-1") {
  return J(R"({"adcp_major_version":3,"plan_id":")" + plan + R"(","caller":")" + kB +
           R"(","tool":"create_media_buy","payload":{"total_budget":{"amount":)" + json::FormatNumber(amount) +
           R"(,"currency":"USD"},"start_time":"2026-03-02T00:00:00Z","end_time":"2026-04-01T00:00:00Z","idempotency_key":")" +
           key + R"("}})");
}

Host& Setup(Host& h) {
  h.now_ms = 1772323200000;  // 2026-03-01T00:00:00Z
  SyncPlan(h, LegacyPlan("P"), kB);
  return h;
}

Value Wire(const Value& core_result) {
  Expected<std::string> w = GovernanceAgent::ToWire(json::Write(core_result));
  REQUIRE(w.ok());
  return ParseOrFail(w.value);
}

}  // namespace

TEST_CASE("10 §3.6 T1 an unbound 3.0 approval's token has no aud; the wire status is the decision", "[10]") {
  Host h;
  Setup(h);
  Value r = h.Call("check_governance", Intent611("P", 1000), kB);
  REQUIRE(*r.find_string("protocol") == "3.0");
  Value claims = DecodeSegment(Token(r), 1);
  CHECK(!claims.has("aud"));
  CHECK(*claims.find_string("phase") == "intent");
  CHECK(json::Write(*claims.find("authorized_commitment")) == R"({"amount":1000,"currency":"USD"})");
  Value wire = Wire(r);
  CHECK(*wire.find_string("status") == "approved");
  CHECK(json::Write(wire).find("\"completed\"") == std::string::npos);
  // The same intent with a target_agent (a 3.2 marker) is 3.2: aud is bound, no protocol key.
  Value bound = Set(Intent611("P", 10, "k-2"), "target_agent", kS);
  Value r32 = h.Call("check_governance", bound, kB);
  CHECK(!r32.has("protocol"));
  CHECK(*DecodeSegment(Token(r32), 1).find_string("aud") == kS);
}

TEST_CASE("10 §3.5.4 T8 the binding execution token carries aud = the seller", "[10]") {
  Host h;
  Setup(h);
  std::string t1 = Token(h.Call("check_governance", Intent611("P", 1000), kB));
  Value exec = J(R"({"adcp_major_version":3,"plan_id":"P","caller":")" + kS + R"(","governance_context":")" + t1 +
                 R"(","planned_delivery":{"total_budget":1000,"currency":"USD"},"phase":"purchase","payload":{"media_buy_id":"mb_1"}})");
  Value r = h.Call("check_governance", exec, kS);
  REQUIRE(*Body(r).find_string("status") == "approved");
  Value claims = DecodeSegment(Token(r), 1);
  CHECK(*claims.find_string("aud") == kS);
  CHECK(*claims.find_string("media_buy_id") == "mb_1");
  // The binding survives export/import: the other seller is still refused after a restart.
  Host restored(HostOptions{}, h.State());
  restored.now_ms = h.now_ms;
  Value again = restored.Call("check_governance", Set(exec, "caller", "https://other.example/mcp"), "https://other.example/mcp");
  CHECK(ErrorCodeOf(again) == "PERMISSION_DENIED");
  CHECK(restored.State() == h.State());
}

TEST_CASE("10 §3.3.4 T7 a claimed human approval mints its token at claim time", "[10]") {
  Host h;
  h.now_ms = 1772323200000;
  Value plan = LegacyPlan("P7");
  plan.find("budget")->erase("reallocation_unlimited");
  plan.find("budget")->set("reallocation_threshold", 500);
  SyncPlan(h, plan, kB);
  Value pending = h.Call("check_governance", Intent611("P7", 1000, "a"), kB);
  REQUIRE(*Body(pending).find_string("status") == "denied");
  const std::string task_id = *Body(pending).find_string("task_id");
  h.now_ms += 60000;
  h.Admin(J(R"({"op":"resolve_escalation","task_id":")" + task_id + R"(","decision":"approve","reviewer":"cfo"})"));
  // Until claimed, the action is out of governed_actions and its entry has no token.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"adcp_version":"3.2","plan_ids":["P7"],"include_entries":true})"), kB);
  CHECK(Body(audit).find_array("plans")->at(0).find_array("governed_actions")->empty());
  h.now_ms += 60000;
  Value claimed = h.Call("check_governance", Intent611("P7", 1000, "b"), kB);
  REQUIRE(*Body(claimed).find_string("status") == "approved");
  CHECK(*Body(claimed).find_string("check_id") == *Body(pending).find_string("check_id"));
  Value claims = DecodeSegment(Token(claimed), 1);
  CHECK(*claims.find_number("iat") == (h.now_ms / 1000));
  audit = h.Call("get_plan_audit_logs", J(R"({"adcp_version":"3.2","plan_ids":["P7"]})"), kB);
  CHECK(Body(audit).find_array("plans")->at(0).find_array("governed_actions")->size() == 1);
  // getTask renders the final body in the escalation's dialect.
  Value task = ParseOrFail(h.agent().GetTask(task_id));
  CHECK(*task.find_string("status") == "completed");
  CHECK(*task.find_string("protocol") == "3.0");
  CHECK(*Body(task).find_string("governance_context") == Token(claimed));
}

TEST_CASE("10 §1.1 config.protocol and the auth hint decide the dialect", "[10]") {
  HostOptions strict;
  strict.config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential","protocol":"3.2"})";
  Host h(strict);
  Setup(h);
  Value r = h.Call("check_governance", Intent611("P", 1000), kB);
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");  // D1: every legacy shape fails as in 03
  CHECK(ErrorField(r) == "target_agent");
  CHECK(!r.has("protocol"));

  HostOptions forced;
  forced.config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential","protocol":"3.0"})";
  Host h30(forced);
  Setup(h30);
  // D1 "3.0": even a 3.2-shaped intent (target_agent present) is answered in 3.0, bound as in 3.2.
  Value r30 = h30.Call("check_governance", Set(Intent611("P", 10), "target_agent", kS), kB);
  CHECK(*r30.find_string("protocol") == "3.0");
  CHECK(*Body(r30).find_string("status") == "approved");
  CHECK(*DecodeSegment(Token(r30), 1).find_string("aud") == kS);

  Host hinted;
  Setup(hinted);
  // D5: a 3.2-shaped audit request with a 3.1 hint renders the 3.1 projection (verdict kept, no body status).
  Value audit = ParseOrFail(hinted.agent().Call("get_plan_audit_logs", R"({"plan_ids":["P"]})",
                                                R"({"agent_url":")" + kB + R"(","protocol":"3.1"})"));
  CHECK(*audit.find_string("protocol") == "3.1");
  CHECK(!Body(audit).find_array("plans")->at(0).find("budget")->has("gross_committed"));
  // D6: adcp_major_version alone is 3.0.
  Value audit30 = ParseOrFail(hinted.agent().Call("get_plan_audit_logs", R"({"adcp_major_version":3,"plan_ids":["P"]})",
                                                  R"({"agent_url":")" + kB + R"("})"));
  CHECK(*audit30.find_string("protocol") == "3.0");
  CHECK(*Wire(audit30).find_string("status") == "completed");
}

TEST_CASE("10 §5.1 human_override is removed before validation and hashing, never authorizing a downgrade", "[10]") {
  Host h;
  h.now_ms = 1772323200000;
  Value with = LegacyPlan("P");
  with.set("human_override", J(R"({"approver":"x","reason":"y"})"));
  Value r = h.Call("sync_plans", json::Obj({{"idempotency_key", "legacy-sync-override-1"}, {"plans", Value(json::Array{with})}}), kB);
  REQUIRE(*r.find_string("status") == "completed");
  CHECK(*r.find_string("protocol") == "3.0");
  Host plain;
  plain.now_ms = h.now_ms;
  SyncPlan(plain, LegacyPlan("P"), kB);
  Value a = h.Call("get_plan_audit_logs", J(R"({"adcp_version":"3.2","plan_ids":["P"],"include_entries":true})"), kB);
  Value b = plain.Call("get_plan_audit_logs", J(R"({"adcp_version":"3.2","plan_ids":["P"],"include_entries":true})"), kB);
  CHECK(canon::PlanHash(LegacyPlan("P")) ==
        *DecodeSegment(Token(h.Call("check_governance", Set(Intent611("P", 10), "target_agent", kS), kB)), 1)
             .find_string("plan_hash"));
  CHECK(json::Write(*Body(a).find_array("plans")->at(0).find("budget")) ==
        json::Write(*Body(b).find_array("plans")->at(0).find("budget")));
}

namespace {

std::string Exec(const std::string& token, const std::string& phase, const std::string& extra = "") {
  return R"({"adcp_major_version":3,"plan_id":"P","caller":")" + kS + R"(",)" +
         (token.empty() ? "" : R"("governance_context":")" + token + R"(",)") +
         R"("planned_delivery":{"total_budget":1000,"currency":"USD"},"phase":")" + phase + "\"" + extra + "}";
}
Value CallAs(Host& h, const std::string& task, const std::string& request, const std::string& who) {
  return h.CallText(task, request, R"({"agent_url":")" + who + R"("})");
}

}  // namespace

TEST_CASE("10 §3.4–§3.5 malformed legacy seller checks fail with a field, never crash", "[10]") {
  Host h;
  Setup(h);
  std::string t1 = Token(h.Call("check_governance", Intent611("P", 1000), kB));
  const std::string before = h.State();
  // An intent-shaped seller check cannot be a delivery check (no metrics).
  Value r = CallAs(h, "check_governance", R"({"plan_id":"P","caller":")" + kS +
                   R"(","tool":"create_media_buy","phase":"delivery","payload":{"total_budget":{"amount":1000,"currency":"USD"}},"governance_context":")" +
                   t1 + R"("})", kS);
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");
  CHECK(ErrorField(r) == "delivery_metrics");
  // ... and its plan_id must match the token's plan.
  r = CallAs(h, "check_governance", R"({"plan_id":"OTHER","caller":")" + kS +
             R"(","tool":"create_media_buy","payload":{"total_budget":{"amount":1000,"currency":"USD"}},"governance_context":")" + t1 + R"("})", kS);
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");  // 10 §3.5.1 step 1 after R4
  CHECK(ErrorField(r) == "plan_id");
  // A statement field makes the metrics a 3.2 statement: all statement fields are required (03 S5).
  r = CallAs(h, "check_governance", R"({"adcp_version":"3.0","plan_id":"P","caller":")" + kS + R"(","governance_context":")" + t1 +
             R"(","phase":"delivery","planned_delivery":{"media_buy_id":"mb_1"},"delivery_metrics":{"statement_id":"s1","reporting_period":{"start":"2026-03-02T00:00:00Z","end":"2026-03-09T00:00:00Z"}}})", kS);
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");
  CHECK(ErrorField(r) == "delivery_metrics.statement_digest");
  // accept_proposal keeps its proposed_commitment (03 S7/S8) in every dialect.
  r = CallAs(h, "check_governance", R"({"adcp_version":"3.0","plan_id":"P","caller":")" + kB +
             R"(","tool":"accept_proposal","payload":{},"proposal":{}})", kB);
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");
  CHECK(ErrorField(r) == "proposed_commitment");
  CHECK(h.State() == before);
}

TEST_CASE("10 §2.1 a 3.2 execution check cannot bind an unbound 3.0 action", "[10]") {
  Host h;
  Setup(h);
  std::string t1 = Token(h.Call("check_governance", Intent611("P", 1000), kB));
  const std::string before = h.State();
  Value r = CallAs(h, "check_governance", R"({"adcp_version":"3.2","caller":")" + kS + R"(","governance_context":")" + t1 +
                   R"(","phase":"purchase","planned_delivery":{"total_budget":1000,"currency":"USD"}})", kS);
  CHECK(ErrorCodeOf(r) == "PERMISSION_DENIED");
  CHECK(!r.has("protocol"));
  CHECK(h.State() == before);
}

TEST_CASE("10 §3.5.1 a media buy id settled before binding serves tokenless checks, live as after import", "[10]") {
  Host h;
  Setup(h);
  Value intent = h.Call("check_governance", Intent611("P", 1000), kB);
  std::string t1 = Token(intent);
  Value settled = CallAs(h, "report_plan_outcome", R"({"adcp_major_version":3,"idempotency_key":"legacy-settle-000001","plan_id":"P","check_id":")" +
                         *Body(intent).find_string("check_id") + R"(","outcome":"completed","governance_context":")" + t1 +
                         R"(","seller_response":{"media_buy_id":"mb_1"}})", kB);
  REQUIRE(*Body(settled).find_string("status") == "accepted");
  REQUIRE(*Body(CallAs(h, "check_governance", Exec(t1, "purchase"), kS)).find_string("status") == "approved");
  const std::string tokenless = Exec("", "delivery", R"(,"payload":{"media_buy_id":"mb_1"},"delivery_metrics":{"reporting_period":{"start":"2026-03-02T00:00:00Z","end":"2026-03-09T00:00:00Z"},"spend":10})");
  Host restored(HostOptions{}, h.State());
  restored.now_ms = h.now_ms;
  Value live = CallAs(h, "check_governance", tokenless, kS);
  Value imported = CallAs(restored, "check_governance", tokenless, kS);
  CHECK(*Body(live).find_string("status") == "approved");
  CHECK(json::Write(live) == json::Write(imported));
  // A 3.2 observation cannot name that legacy delivery check: it has no statement (10 §3.5.5).
  Value obs = CallAs(h, "report_plan_outcome", R"({"adcp_version":"3.2","idempotency_key":"legacy-observe-000001","plan_id":"P","check_id":")" +
                     *Body(live).find_string("check_id") + R"(","outcome":"delivery","governance_context":")" + Token(live) +
                     R"(","delivery":{"observation_id":"o1","source":"buyer_measurement","observed_at":"2026-03-09T00:00:00Z","reporting_period":{"start":"2026-03-02T00:00:00Z","end":"2026-03-09T00:00:00Z"},"cumulative_spend":10,"currency":"USD"}})", kB);
  CHECK(ErrorCodeOf(obs) == "VALIDATION_ERROR");
  CHECK(ErrorField(obs) == "check_id");
}

TEST_CASE("10 §2 step 4, §4.2 a patch-level adcp_version is accepted; a keyless replay says replayed", "[10]") {
  Host h;
  Setup(h);
  Value audit = CallAs(h, "get_plan_audit_logs", R"({"adcp_version":"3.0.6","plan_ids":["P"]})", kB);
  CHECK(*audit.find_string("status") == "completed");
  CHECK(*audit.find_string("protocol") == "3.0");
  Value intent = h.Call("check_governance", Intent611("P", 100), kB);
  const std::string outcome = R"({"plan_id":"P","check_id":")" + *Body(intent).find_string("check_id") +
                              R"(","outcome":"completed","governance_context":")" + Token(intent) + R"(","seller_response":{"media_buy_id":"mb_2"}})";
  Value first = CallAs(h, "report_plan_outcome", outcome, kB);
  Value again = CallAs(h, "report_plan_outcome", outcome, kB);
  CHECK(again.find("replayed")->as_bool());
  CHECK(Body(again).find("replayed")->as_bool());
  CHECK(*Body(again).find_string("outcome_id") == *Body(first).find_string("outcome_id"));
}

TEST_CASE("10 §3.5.4 binding moves the action into its seller's H2 window, live as after import", "[10]") {
  HostOptions opts;
  opts.config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential","aggregation_window_days":30})";
  Host h(opts);
  h.now_ms = 1772323200000;
  Value plan = LegacyPlan("P");
  plan.find("budget")->erase("reallocation_unlimited");
  plan.find("budget")->set("reallocation_threshold", 1500);
  SyncPlan(h, plan, kB);
  std::string t1 = Token(h.Call("check_governance", Intent611("P", 1000), kB));  // unbound: 1000 <= 1500
  REQUIRE(!t1.empty());
  h.now_ms += 1000;
  REQUIRE(*Body(CallAs(h, "check_governance", Exec(t1, "purchase"), kS)).find_string("status") == "approved");
  // A 3.2 intent to that seller now sees the bound 1000 in its window: 1600 > 1500 -> human review.
  const Value to_seller = Set(Intent611("P", 600, "k-9"), "target_agent", kS);
  Host restored(opts, h.State());
  restored.now_ms = h.now_ms;
  Value live = h.Call("check_governance", to_seller, kB);
  Value imported = restored.Call("check_governance", to_seller, kB);
  CHECK(*live.find_string("status") == "submitted");
  CHECK(json::Write(live) == json::Write(imported));
  CHECK(h.State() == restored.State());
}
