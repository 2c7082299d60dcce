// Spec 05 report_plan_adjustment: report and review rules, caps, accounting
// modes, natural-key replay; 06 audit entries with filters and paging.
#include "canon/digests.h"
#include "check_helpers.h"

using namespace adcp;
using namespace adcp::test;

namespace {

struct Settled {
  std::string check_id, token, outcome_id;
};

// An approved intent settled `completed` at `amount` with seller_reference mb_<n>.
Settled SettleBuy(Host& h, double amount, const std::string& mb, const std::string& purchase_type = "media_buy") {
  Value req = Set(IntentRequest(amount), "purchase_type", purchase_type);
  Value r = Check(h, req);
  REQUIRE(Verdict(r) == "approved");
  Settled s{*Body(r).find_string("check_id"), Token(r), ""};
  Value out = json::Obj({{"idempotency_key", NextKey("settle")}, {"plan_id", "plan_1"}, {"check_id", s.check_id},
                         {"governance_context", s.token}, {"outcome", "completed"}, {"purchase_type", purchase_type},
                         {"seller_response", json::Obj({{"seller_reference", mb}})}});
  Value o = h.Call("report_plan_outcome", out, kBuyer);
  REQUIRE(ErrorCodeOf(o).empty());
  s.outcome_id = *Body(o).find_string("outcome_id");
  return s;
}

std::string EvidenceType(const std::string& t) {
  if (t == "decommitment") return "decommitment_agreement";
  if (t == "refund") return "refund_settlement";
  if (t == "credit") return "credit_note";
  return "makegood_agreement";
}

Value ReportReq(const Settled& s, const std::string& mb, const std::string& type, double amount, const std::string& sid,
                const std::string& evidence_id = "") {
  return json::Obj({{"idempotency_key", NextKey("adj")}, {"action", "report"}, {"plan_id", "plan_1"},
                    {"outcome_id", s.outcome_id}, {"seller_reference", mb}, {"seller_adjustment_id", sid},
                    {"adjustment_type", type}, {"amount", json::Obj({{"amount", amount}, {"currency", "USD"}})},
                    {"reason", "Adjustment."}, {"effective_at", "2026-02-01T00:00:00Z"},
                    {"evidence", json::Obj({{"evidence_id", evidence_id.empty() ? "ev_" + sid : evidence_id},
                                            {"evidence_type", EvidenceType(type)},
                                            {"digest", "sha256:" + std::string(64, 'a')},
                                            {"issued_at", "2026-02-01T00:00:00Z"}})}});
}

Value ReviewReq(const std::string& adjustment_id, const std::string& decision, const std::string& reason = "") {
  Value r = json::Obj({{"idempotency_key", NextKey("review")}, {"action", "review"}, {"plan_id", "plan_1"},
                       {"adjustment_id", adjustment_id}, {"decision", decision}});
  if (!reason.empty()) r.set("reason", reason);
  return r;
}

Value Adjust(Host& h, const Value& req, const std::string& who) { return h.Call("report_plan_adjustment", req, who); }

std::string Statement(Host& h, const std::string& token, double cumulative) {
  Value m = J(R"({"statement_id":"st_)" + json::FormatNumber(cumulative) + R"(","sequence":1,"issued_at":"2026-02-01T00:00:00Z",
    "reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-31T00:00:00Z"},"cumulative_spend":)" +
              json::FormatNumber(cumulative) + R"(,"currency":"USD"})");
  m.set("statement_digest", canon::StatementDigest("mb_1", m));
  Value req = ExecutionRequest(token, "delivery");
  req.put("delivery_metrics", m);
  Value r = Check(h, req, kSeller);
  REQUIRE(ErrorCodeOf(r).empty());
  return *Body(r).find_string("check_id");
}

}  // namespace

TEST_CASE("05 §2 report: resolution, outcome state, reference, currency and the report-time cap", "[05]") {
  Host h;
  SyncPlan(h, BasePlan());
  Settled s = SettleBuy(h, 600, "mb_1");
  std::string before = h.State();
  // Another seller, another plan id, an unknown outcome: one uniform answer.
  std::string a = h.agent().Call("report_plan_adjustment", json::Write(ReportReq(s, "mb_1", "refund", 10, "x1")),
                                 R"({"agent_url":"https://seller-two.example.com"})");
  Settled unknown = s;
  unknown.outcome_id = "out_nope";
  std::string b = h.agent().Call("report_plan_adjustment", json::Write(ReportReq(unknown, "mb_1", "refund", 10, "x1")),
                                 R"({"agent_url":"https://seller-two.example.com"})");
  Value ra = ParseOrFail(a), rb = ParseOrFail(b);
  ExpectError(ra, "REFERENCE_NOT_FOUND", "outcome_id");
  CHECK(json::Write(*ra.find("errors")) == json::Write(*rb.find("errors")));
  ExpectError(Adjust(h, Set(ReportReq(s, "mb_1", "refund", 10, "x2"), "plan_id", "other"), kSeller), "REFERENCE_NOT_FOUND",
              "outcome_id");
  ExpectError(Adjust(h, ReportReq(s, "mb_2", "refund", 10, "x3"), kSeller), "VALIDATION_ERROR", "seller_reference");
  ExpectError(Adjust(h, Set(ReportReq(s, "mb_1", "refund", 10, "x4"), "amount.currency", "EUR"), kSeller), "VALIDATION_ERROR",
              "amount.currency");
  ExpectError(Adjust(h, ReportReq(s, "mb_1", "refund", 600.5, "x5"), kSeller), "VALIDATION_ERROR", "amount.amount");
  // Schema: evidence type must match the adjustment type; amount > 0; dispute needs a reason.
  ExpectError(Adjust(h, Set(ReportReq(s, "mb_1", "refund", 10, "x6"), "evidence.evidence_type", "credit_note"), kSeller),
              "VALIDATION_ERROR", "evidence.evidence_type");
  ExpectError(Adjust(h, Set(ReportReq(s, "mb_1", "refund", 10, "x7"), "amount.amount", 0.0), kSeller), "VALIDATION_ERROR",
              "amount.amount");
  ExpectError(Adjust(h, Del(ReportReq(s, "mb_1", "refund", 10, "x8"), "effective_at"), kSeller), "VALIDATION_ERROR",
              "effective_at");
  ExpectError(Adjust(h, ReviewReq("adj_x", "dispute"), kBuyer), "VALIDATION_ERROR", "reason");
  CHECK(h.State() == before);
  // A failed outcome cannot be adjusted.
  Value r = Check(h, IntentRequest(10));
  Value failed = json::Obj({{"idempotency_key", NextKey("fail")}, {"plan_id", "plan_1"}, {"check_id", *Body(r).find_string("check_id")},
                            {"governance_context", Token(r)}, {"outcome", "failed"}, {"error", J("{}")}});
  Settled f{"", "", *Body(h.Call("report_plan_outcome", failed, kBuyer)).find_string("outcome_id")};
  ExpectError(Adjust(h, ReportReq(f, "mb_1", "refund", 1, "x9"), kSeller), "VALIDATION_ERROR", "outcome_id");
}

TEST_CASE("05 §2 natural-key replay and conflict by seller_adjustment_id or evidence_id", "[05][08]") {
  Host h;
  SyncPlan(h, BasePlan());
  Settled s = SettleBuy(h, 600, "mb_1");
  Value req = ReportReq(s, "mb_1", "refund", 50, "sa_1", "ev_1");
  Value first = Adjust(h, req, kSeller);
  CHECK_SUBSET(J(R"({"response":{"adjustment_id":"adj_00000001","adjustment_state":"reported","adjustment_type":"refund",
    "amount":{"amount":50,"currency":"USD"},"headroom_restored":0,"plan_summary":{"adjustments_reported":50}}})"), first);
  // Same content under a new idempotency key: replay.
  Value again = Set(req, "idempotency_key", "another-key-000000001");
  Value replay = Adjust(h, again, kSeller);
  CHECK(*replay.find("replayed") == Value(true));
  CHECK(*Body(replay).find("replayed") == Value(true));
  // Reused ids with other content: conflict.
  ExpectError(Adjust(h, Set(ReportReq(s, "mb_1", "refund", 60, "sa_1", "ev_new"), "idempotency_key", "k-conflict-0000001"), kSeller),
              "CONFLICT", "");
  ExpectError(Adjust(h, ReportReq(s, "mb_1", "refund", 60, "sa_new", "ev_1"), kSeller), "CONFLICT", "");
}

TEST_CASE("05 §3 review: owner only, uniform not-found, dispute is terminal, already reviewed is CONFLICT", "[05]") {
  Host h;
  SyncPlan(h, BasePlan());
  Settled s = SettleBuy(h, 600, "mb_1");
  Adjust(h, ReportReq(s, "mb_1", "credit", 100, "sa_1"), kSeller);
  std::string x = h.agent().Call("report_plan_adjustment", json::Write(ReviewReq("adj_00000001", "accept")),
                                 R"({"agent_url":"https://seller.example.com"})");
  std::string y = h.agent().Call("report_plan_adjustment", json::Write(ReviewReq("adj_nope", "accept")),
                                 R"({"agent_url":"https://seller.example.com"})");
  ExpectError(ParseOrFail(x), "REFERENCE_NOT_FOUND", "adjustment_id");
  CHECK(json::Write(*ParseOrFail(x).find("errors")) == json::Write(*ParseOrFail(y).find("errors")));
  Value disputed = Adjust(h, ReviewReq("adj_00000001", "dispute", "No credit note on file."), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"adjustment_state":"disputed","headroom_restored":0,"plan_summary":{"adjustments_verified":0}}})"), disputed);
  ExpectError(Adjust(h, ReviewReq("adj_00000001", "accept"), kBuyer), "CONFLICT", "");
  // Disputed records do not count toward the report-time cap.
  CHECK(ErrorCodeOf(Adjust(h, ReportReq(s, "mb_1", "credit", 600, "sa_2"), kSeller)).empty());
  // Audit entry after review carries the reviewer fields.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true})"), kBuyer);
  const json::Array& entries = *audit.find("response")->find_array("plans")[0][0].find_array("entries");
  const Value& adj = entries[entries.size() - 2];
  CHECK_SUBSET(J(R"({"id":"adj_00000001","type":"adjustment","caller":"https://seller.example.com","outcome_id":"out_00000001",
    "seller_reference":"mb_1","seller_adjustment_id":"sa_1","adjustment_type":"credit","amount":{"amount":100,"currency":"USD"},
    "adjustment_state":"disputed","verified_amount":0,"headroom_restored":0,"reviewed_by":"https://buyer.example.com",
    "reviewed_at":"2026-01-01T00:00:00.000Z","review_reason":"No credit note on file.","purchase_type":"media_buy"})"), adj);
}

TEST_CASE("05 §4 accounting: decommitment restores headroom; refund/credit only in verified_net_cost; makegood none", "[05]") {
  for (const std::string mode : {"gross_commitment", "verified_net_cost"}) {
    INFO(mode);
    Host h;
    SyncPlan(h, Set(BasePlan(), "budget.accounting_mode", mode));
    Settled s = SettleBuy(h, 800, "mb_1");
    Statement(h, s.token, 300);
    const char* types[] = {"decommitment", "refund", "credit", "makegood"};
    double restored_total = 0, verified_total = 0;
    for (int i = 0; i < 4; ++i) {
      const std::string t = types[i];
      Value rep = Adjust(h, ReportReq(s, "mb_1", t, 50, "sa_" + t), kSeller);
      Value rev = Adjust(h, ReviewReq(*Body(rep).find_string("adjustment_id"), "accept"), kBuyer);
      double restored = t == "decommitment" || (mode == "verified_net_cost" && (t == "refund" || t == "credit")) ? 50 : 0;
      double verified = t == "makegood" ? 0 : 50;
      restored_total += restored;
      verified_total += verified;
      CHECK(*Body(rev).find_number("headroom_restored") == restored);
      CHECK(*Body(rev).find("plan_summary")->find_number("headroom_restored") == restored_total);
      CHECK(*Body(rev).find("plan_summary")->find_number("adjustments_verified") == verified_total);
      CHECK(*Body(rev).find("plan_summary")->find_number("ledger_committed") == 800 - restored_total);
      CHECK(*Body(rev).find("plan_summary")->find_number("net_cost") == 800 - verified_total);
    }
    // Restored headroom is available to later intent checks.
    double remaining = 1000 - (800 - restored_total);
    CHECK(Verdict(Check(h, IntentRequest(remaining))) == "approved");
    CHECK_SUBSET(J(R"({"response":{"plans":[{"summary":{"adjustments_reported":4,"adjustments_verified":4}}]}})"),
                 h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer));
  }
}

TEST_CASE("05 §3 accept rules b–d: decommitments need a statement and are capped by undelivered obligation", "[05]") {
  Host h;
  SyncPlan(h, BasePlan());
  Settled s = SettleBuy(h, 800, "mb_1");
  Adjust(h, ReportReq(s, "mb_1", "decommitment", 100, "sa_1"), kSeller);
  ExpectError(Adjust(h, ReviewReq("adj_00000001", "accept"), kBuyer), "CONFLICT", "");  // no statement yet (b)
  Statement(h, s.token, 650);
  // 800 - 650 = 150 undelivered: 100 fits, a further 100 does not (c).
  CHECK(ErrorCodeOf(Adjust(h, ReviewReq("adj_00000001", "accept"), kBuyer)).empty());
  Adjust(h, ReportReq(s, "mb_1", "decommitment", 100, "sa_2"), kSeller);
  std::string before = h.State();
  ExpectError(Adjust(h, ReviewReq("adj_00000002", "accept"), kBuyer), "VALIDATION_ERROR", "amount.amount");
  CHECK(h.State() == before);
  // A refund is not capped by delivery, only by the committed amount (d).
  Adjust(h, ReportReq(s, "mb_1", "refund", 600, "sa_3"), kSeller);
  CHECK(ErrorCodeOf(Adjust(h, ReviewReq("adj_00000003", "accept"), kBuyer)).empty());
  // The report-time cap counts every record not disputed: 100 + 100 + 600 leaves nothing.
  ExpectError(Adjust(h, ReportReq(s, "mb_1", "credit", 50, "sa_4"), kSeller), "VALIDATION_ERROR", "amount.amount");
  Adjust(h, ReviewReq("adj_00000002", "dispute", "Spend was delivered."), kBuyer);
  Value credit = Adjust(h, ReportReq(s, "mb_1", "credit", 100, "sa_5"), kSeller);
  CHECK_SUBSET(J(R"({"response":{"adjustment_id":"adj_00000004","adjustment_state":"reported"}})"), credit);
  CHECK_SUBSET(J(R"({"response":{"adjustment_state":"verified","plan_summary":{"gross_committed":800,"adjustments_reported":900,
    "adjustments_verified":800,"net_cost":0,"headroom_restored":100,"ledger_committed":700,"net_committed":700,"budget_remaining":300}}})"),
               Adjust(h, ReviewReq("adj_00000004", "accept"), kBuyer));
}

TEST_CASE("06 §6 entries: order, kinds, filters by governance_contexts and purchase_types, cursor pages", "[06]") {
  Host h;
  SyncPlan(h, BasePlan());
  auto ids_of_type = [&h](const char* type) {
    Value r = h.Call("get_plan_audit_logs", json::Obj({{"plan_ids", J(R"(["plan_1"])")}, {"purchase_types", Value(json::Array{Value(type)})},
                                                         {"include_entries", true}}), kBuyer);
    std::vector<std::string> ids;
    for (const Value& e : *r.find("response")->find_array("plans")[0][0].find_array("entries")) ids.push_back(*e.find_string("id"));
    return ids;
  };
  Settled a = SettleBuy(h, 100, "mb_a");
  // One purchase type so far (issue 15: the plan's entries serve as its list).
  CHECK(ids_of_type("media_buy") == std::vector<std::string>{"chk_00000001", "out_00000001"});
  CHECK(ids_of_type("rights_license").empty());
  Settled b = SettleBuy(h, 200, "mb_b", "rights_license");
  CHECK(ids_of_type("media_buy") == std::vector<std::string>{"chk_00000001", "out_00000001"});
  CHECK(ids_of_type("rights_license") == std::vector<std::string>{"chk_00000002", "out_00000002"});
  Check(h, IntentRequest(5000));  // denied: a check entry without an action
  Adjust(h, ReportReq(a, "mb_a", "refund", 10, "sa_1"), kSeller);
  Value all = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true})"), kBuyer);
  const json::Array& entries = *all.find("response")->find_array("plans")[0][0].find_array("entries");
  std::vector<std::string> kinds;
  for (const Value& e : entries) kinds.push_back(*e.find_string("type") + ":" + *e.find_string("id"));
  CHECK(kinds == std::vector<std::string>{"check:chk_00000001", "outcome:out_00000001", "check:chk_00000002",
                                          "outcome:out_00000002", "check:chk_00000003", "adjustment:adj_00000001"});
  CHECK_SUBSET(J(R"({"id":"out_00000001","type":"outcome","caller":"https://buyer.example.com","purchase_type":"media_buy",
    "outcome":"completed","outcome_status":"accepted","committed_budget":100,"seller_reference":"mb_a","plan_id":"$absent"})"), entries[1]);
  CHECK_SUBSET(J(R"({"id":"chk_00000003","verdict":"denied","check_type":"intent","governance_context":"$absent","findings":[{"category_id":"budget_authority"}]})"), entries[4]);
  // governance_contexts narrows actions and entries; budget and summary stay plan-wide.
  Value by_ctx = h.Call("get_plan_audit_logs", json::Obj({{"governance_contexts", Value(json::Array{Value(a.token)})}, {"include_entries", true}}), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"budget":{"gross_committed":300},"summary":{"checks_performed":3},
    "governed_actions":[{"committed":100}],"entries":[{"id":"chk_00000001"},{"id":"out_00000001"},{"id":"adj_00000001"}]}]}})"), by_ctx);
  CHECK(ids_of_type("media_buy") == std::vector<std::string>{"chk_00000001", "out_00000001", "chk_00000003", "adj_00000001"});
  Value by_type = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"purchase_types":["rights_license"],"include_entries":true})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"governed_actions":[{"committed":200,"purchase_type":"rights_license"}],
    "entries":[{"id":"chk_00000002"},{"id":"out_00000002"}]}]}})"), by_type);
  // Paging in ext.adcp_governance: two entries per page, cursor continues.
  std::vector<std::string> seen;
  Value req = J(R"({"plan_ids":["plan_1"],"include_entries":true,"ext":{"adcp_governance":{"entries":{"limit":4}}}})");
  for (int page = 0; page < 5; ++page) {
    Value r = h.Call("get_plan_audit_logs", req, kBuyer);
    for (const Value& e : *r.find("response")->find_array("plans")[0][0].find_array("entries")) seen.push_back(*e.find_string("id"));
    const Value* pages = r.find("response")->find("ext") ? r.find("response")->find("ext")->find("adcp_governance")->find("pages") : nullptr;
    if (!pages) break;
    CHECK(*pages->as_array()[0].find_string("plan_id") == "plan_1");
    req.find("ext")->find("adcp_governance")->find("entries")->put("after", *pages->as_array()[0].find_string("next_cursor"));
  }
  CHECK(seen == std::vector<std::string>{"chk_00000001", "out_00000001", "chk_00000002", "out_00000002", "chk_00000003",
                                         "adj_00000001"});
  // A cursor for a plan the request does not address is rejected.
  SyncPlan(h, BasePlan("plan_2"));
  Value other = Set(req, "plan_ids", J(R"(["plan_2"])"));
  CHECK(ErrorField(h.Call("get_plan_audit_logs", other, kBuyer)) == "ext.adcp_governance.entries");
}

TEST_CASE("governed_actions pages and the summary alone (ext.adcp_governance.governed_actions, project choice)", "[06]") {
  Host h;
  SyncPlan(h, BasePlan());
  std::vector<Settled> buys;
  for (int i = 0; i < 5; ++i) buys.push_back(SettleBuy(h, 100 + i, "mb_" + std::to_string(i), i == 3 ? "rights_license" : "media_buy"));
  Check(h, IntentRequest(5000));  // denied: no action
  Value whole = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  const Value& full = (*whole.find("response")->find_array("plans"))[0];
  std::vector<std::string> all;
  for (const Value& a : *full.find_array("governed_actions")) all.push_back(*a.find_string("governance_context"));
  REQUIRE(all.size() == 5);
  // Pages of two, in creation order; the last page has no next cursor.
  std::vector<std::string> seen;
  Value req = J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"governed_actions":{"limit":2}}}})");
  int pages = 0;
  for (; pages < 5; ++pages) {
    Value r = h.Call("get_plan_audit_logs", req, kBuyer);
    const Value& item = (*r.find("response")->find_array("plans"))[0];
    CHECK(json::Write(*item.find("budget")) == json::Write(*full.find("budget")));  // figures stay whole-plan
    CHECK(item.find_array("governed_actions")->size() <= 2);
    for (const Value& a : *item.find_array("governed_actions")) seen.push_back(*a.find_string("governance_context"));
    const Value* ext = r.find("response")->find("ext");
    const Value* next = ext ? ext->find("adcp_governance")->find("action_pages") : nullptr;
    if (!next) break;
    CHECK(*next->as_array()[0].find_string("plan_id") == "plan_1");
    req.find("ext")->find("adcp_governance")->find("governed_actions")->put("after", *next->as_array()[0].find_string("next_cursor"));
  }
  CHECK(pages == 2);
  CHECK(seen == all);
  // limit 0: the plan figures and summary alone.
  Value alone = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"governed_actions":{"limit":0}}}})"), kBuyer);
  const Value& item = (*alone.find("response")->find_array("plans"))[0];
  CHECK(item.find_array("governed_actions")->empty());
  CHECK(json::Write(*item.find("summary")) == json::Write(*full.find("summary")));
  CHECK(json::Write(*item.find("budget")) == json::Write(*full.find("budget")));
  CHECK(alone.find("response")->find("ext") == nullptr);
  // With a purchase-type filter, pages hold only matching actions.
  Value typed = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"purchase_types":["media_buy"],
    "ext":{"adcp_governance":{"governed_actions":{"limit":3}}}})"), kBuyer);
  const json::Array& first = *(*typed.find("response")->find_array("plans"))[0].find_array("governed_actions");
  CHECK(first.size() == 3);
  for (const Value& a : first) CHECK(*a.find_string("purchase_type") == "media_buy");
  // Bad members and foreign cursors: INVALID_REQUEST naming the member.
  CHECK(ErrorField(h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"governed_actions":{"limit":1001}}}})"), kBuyer)) ==
        "ext.adcp_governance.governed_actions");
  CHECK(ErrorField(h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"governed_actions":{"limit":1,"after":"bm90LWEtY3Vyc29y"}}}})"), kBuyer)) ==
        "ext.adcp_governance.governed_actions");
  Value entries_page = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true,"ext":{"adcp_governance":{"entries":{"limit":1}}}})"), kBuyer);
  std::string entries_cursor = *entries_page.find("response")->find("ext")->find("adcp_governance")->find("pages")->as_array()[0].find_string("next_cursor");
  Value wrong = J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"governed_actions":{"limit":1}}}})");
  wrong.find("ext")->find("adcp_governance")->find("governed_actions")->put("after", entries_cursor);
  CHECK(ErrorField(h.Call("get_plan_audit_logs", wrong, kBuyer)) == "ext.adcp_governance.governed_actions");
  SyncPlan(h, BasePlan("plan_2"));
  Value other = Set(req, "plan_ids", J(R"(["plan_2"])"));
  CHECK(ErrorField(h.Call("get_plan_audit_logs", other, kBuyer)) == "ext.adcp_governance.governed_actions");
}

TEST_CASE("ext.adcp_governance.burn: ledger committed by settlement day, its total the budget's (project choice)", "[06]") {
  Host h;
  SyncPlan(h, BasePlan());
  Settled a = SettleBuy(h, 100, "mb_a");
  SettleBuy(h, 50, "mb_b");
  h.now_ms += 2 * 86400000LL;
  SettleBuy(h, 25, "mb_c", "rights_license");
  // A verified refund restores headroom on the first buy's settlement day.
  Adjust(h, ReportReq(a, "mb_a", "refund", 10, "sa_1"), kSeller);
  Value r = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"burn":true}}})"), kBuyer);
  const Value& burn = (*r.find("response")->find("ext")->find("adcp_governance")->find_array("burn"))[0];
  CHECK(*burn.find_string("plan_id") == "plan_1");
  const json::Array& days = *burn.find_array("days");
  REQUIRE(days.size() == 2);
  CHECK(*days[1].find_number("cumulative") ==
        *(*r.find("response")->find_array("plans"))[0].find("budget")->find_number("ledger_committed"));
  CHECK(*days[0].find_number("cumulative") == *days[0].find_number("committed"));
  CHECK(*days[1].find_number("committed") == 25);
  CHECK(*days[0].find_string("date") < *days[1].find_string("date"));
  // The same after export and import (the index is derived from the records).
  Host twin({}, h.agent().ExportState());
  twin.now_ms = h.now_ms;
  Value again = twin.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"burn":true}}})"), kBuyer);
  CHECK(json::Write(*again.find("response")->find("ext")) == json::Write(*r.find("response")->find("ext")));
  CHECK(ErrorField(h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"ext":{"adcp_governance":{"burn":1}}})"), kBuyer)) ==
        "ext.adcp_governance.burn");
}
