// Rules that need ledger state across tasks: 02 §2 (i, j) and §3
// accept_with_finding with 03 I2/E8, 06 §5.2 trend, 03 §5.5 E2 and
// modification tokens.
#include "canon/digests.h"
#include "check_helpers.h"

using namespace adcp;
using namespace adcp::test;

namespace {

// Approves and settles `amount`; returns the intent token.
std::string Commit(Host& h, double amount, const std::string& who = kBuyer) {
  Value r = Check(h, Set(IntentRequest(amount), "caller", who), who);
  REQUIRE(Verdict(r) == "approved");
  Value out = json::Obj({{"idempotency_key", NextKey("commit")}, {"plan_id", "plan_1"},
                         {"check_id", *Body(r).find_string("check_id")}, {"governance_context", Token(r)},
                         {"outcome", "completed"}, {"seller_response", J(R"({"seller_reference":"mb"})")}});
  REQUIRE(ErrorCodeOf(h.Call("report_plan_outcome", out, who)).empty());
  return Token(r);
}

}  // namespace

TEST_CASE("02 §2 rule i: the currency is fixed once the plan has commitments or unsettled actions", "[02]") {
  Host h;
  SyncPlan(h, BasePlan());
  Check(h, IntentRequest(100));  // unsettled action
  ExpectError(h.Call("sync_plans", json::Obj({{"idempotency_key", NextKey("sync")},
                                              {"plans", Value(json::Array{Set(BasePlan(), "budget.currency", "EUR")})}}), kBuyer),
              "VALIDATION_ERROR", "plans[0].budget.currency");
}

TEST_CASE("02 §2 rule j: the budget cannot go below the committed amount (reject)", "[02]") {
  Host h;
  SyncPlan(h, BasePlan());
  Commit(h, 600);
  ExpectError(h.Call("sync_plans", json::Obj({{"idempotency_key", NextKey("sync")},
                                              {"plans", Value(json::Array{Set(BasePlan(), "budget.total", 599.0)})}}), kBuyer),
              "VALIDATION_ERROR", "plans[0].budget.total");
  CHECK(ErrorCodeOf(h.Call("sync_plans", json::Obj({{"idempotency_key", NextKey("sync")},
                                                   {"plans", Value(json::Array{Set(BasePlan(), "budget.total", 600.0)})}}), kBuyer))
            .empty());
}

TEST_CASE("02 §3 accept_with_finding: the cut is accepted and every later check warns (I2, E8)", "[02][03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential",
                 "budget_reduction_below_committed":"accept_with_finding"})";
  Host h(o);
  SyncPlan(h, BasePlan());
  std::string token = Commit(h, 600);
  SyncPlan(h, Set(BasePlan(), "budget.total", 500.0));
  Value r = Check(h, Set(IntentRequest(10), "target_agent", kSeller2));
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"budget_authority","severity":"warning",
    "details":{"authorized":500,"committed":600}},{"category_id":"budget_authority","severity":"critical"}]}})"), r);
  Value m = J(R"({"statement_id":"s1","sequence":1,"issued_at":"2026-01-02T00:00:00Z","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"cumulative_spend":10,"currency":"USD"})");
  m.set("statement_digest", canon::StatementDigest("mb_1", m));
  Value delivery = ExecutionRequest(token, "delivery");
  delivery.put("delivery_metrics", m);
  CHECK(FindingCategories(Check(h, delivery, kSeller)) == std::vector<std::string>{"budget_authority:warning"});
}

TEST_CASE("06 §5.2 escalation trend over the older and newer halves", "[06]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","default_mode":"enforce"})";
  Host h(o);
  Value plan = BasePlan();
  plan.find("budget")->erase("reallocation_unlimited");
  plan.find("budget")->set("reallocation_threshold", 50.0);
  SyncPlan(h, plan);
  auto audit_trend = [&] {
    Value a = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
    return *a.find("response")->find_array("plans")[0][0].find("summary")->find("drift_metrics")->find_string("escalation_rate_trend");
  };
  // 5 auto-approved checks (1 each), then 5 escalated (100 > 50) resolved by a human.
  for (int i = 0; i < 5; ++i) CHECK(Verdict(Check(h, IntentRequest(1))) == "approved");
  for (int i = 0; i < 4; ++i) {
    CHECK(*Check(h, IntentRequest(100)).find_string("status") == "submitted");
    h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_0000000)" + std::to_string(i + 1) + R"(","decision":"approve","reviewer":"r"})"));
  }
  CHECK(audit_trend() == "stable");  // N = 9 < trend_min_checks 10
  CHECK(*Check(h, IntentRequest(100)).find_string("status") == "submitted");
  h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000005","decision":"reject","reviewer":"r"})"));
  CHECK(audit_trend() == "increasing");  // r1 = 0/5, r2 = 5/5
  Value a = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"summary":{"checks_performed":10,"statuses":{"approved":9,"denied":1,"human_reviewed":5},
    "drift_metrics":{"escalation_rate":0.5,"auto_approval_rate":0.5,"human_override_rate":0.2}}}]}})"), a);
}

TEST_CASE("03 §5.5 E2: the delegate's authority is re-checked at execution", "[03]") {
  Host h;
  const std::string agency = "https://agency.example.com";
  Value plan = Set(BasePlan(), "delegations", J(R"([{"agent_url":"https://agency.example.com","authority":"full","markets":["US"]}])"));
  SyncPlan(h, plan);
  Value r = Check(h, Set(IntentRequest(100), "caller", agency), agency);
  REQUIRE(Verdict(r) == "approved");
  Value exec = ExecutionRequest(Token(r));
  exec.put("planned_delivery", J(R"({"media_buy_id":"mb_1","geo":{"countries":["CA"]}})"));
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"delegation_authority","details":{"unauthorized":["CA"]}}]}})"),
               Check(h, exec, kSeller));
  // The delegation is removed: an execution check is denied.
  SyncPlan(h, BasePlan());
  CHECK(FindingCategories(Check(h, ExecutionRequest(Token(r)), kSeller)) ==
        std::vector<std::string>{"delegation_authority:critical"});
}

TEST_CASE("03 §10 modification and delivery tokens: phase, media_buy_id, commitment rules", "[03]") {
  Host h;
  SyncPlan(h, BasePlan());
  Value upd = Set(Set(IntentRequest(0), "tool", "update_media_buy"), "proposed_commitment", J(R"({"amount":100,"currency":"USD"})"));
  upd.put("payload", J(R"({"media_buy_id":"mb_1"})"));
  Value r = Check(h, upd);
  REQUIRE(Verdict(r) == "approved");
  Value mod = Set(ExecutionRequest(Token(r), "modification"), "execution_commitment", J(R"({"amount":60,"currency":"USD"})"));
  Value m = Check(h, mod, kSeller);
  Value claims = DecodeSegment(Token(m), 1);
  CHECK_SUBSET(J(R"({"phase":"modification","media_buy_id":"mb_1","authorized_commitment":{"amount":60,"currency":"USD"}})"), claims);
  Value metrics = J(R"({"statement_id":"s1","sequence":1,"issued_at":"2026-01-02T00:00:00Z","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"cumulative_spend":10,"currency":"USD"})");
  metrics.set("statement_digest", canon::StatementDigest("mb_1", metrics));
  Value d = Check(h, Set(ExecutionRequest(Token(m), "delivery"), "delivery_metrics", metrics), kSeller);
  Value dc = DecodeSegment(Token(d), 1);
  CHECK(*dc.find_string("phase") == "delivery");
  CHECK_FALSE(dc.has("authorized_commitment"));  // never on delivery
  CHECK_FALSE(DecodeSegment(Token(d), 0).has("crit"));
}
