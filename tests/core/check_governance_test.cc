// Spec 03 check_governance: shape, processing order, intent inputs and
// steps, verdicts, conditions and consultation, human review, modes,
// holds and tokens. Execution and delivery checks: check_execution_test.cc.
#include "canon/digests.h"
#include "check_helpers.h"
#include "util/time.h"

using namespace adcp;
using namespace adcp::test;

namespace {

Host& Ready(Host& h, Value plan = BasePlan()) {
  SyncPlan(h, plan);
  return h;
}

}  // namespace

TEST_CASE("03 §2 S1 intent xor execution shape", "[03]") {
  Host h;
  Ready(h);
  ExpectError(Check(h, J(R"({"caller":"https://buyer.example.com","plan_id":"plan_1"})")), "VALIDATION_ERROR", "tool");
  Value both = Set(IntentRequest(10), "planned_delivery", J("{}"));
  ExpectError(Check(h, both), "VALIDATION_ERROR", "tool");
}

TEST_CASE("03 §2 S2 intent requires tool, payload, plan_id, target_agent; forbids execution fields", "[03]") {
  Host h;
  Ready(h);
  // Without target_agent a request in auto mode is a 3.0-era intent (10 §1.3); the 3.2 rule is for 3.2 requests.
  ExpectError(Check(h, Set(Del(IntentRequest(10), "target_agent"), "adcp_version", "3.2")), "VALIDATION_ERROR",
              "target_agent");
  ExpectError(Check(h, Del(IntentRequest(10), "plan_id")), "VALIDATION_ERROR", "plan_id");
  ExpectError(Check(h, Del(IntentRequest(10), "tool")), "VALIDATION_ERROR", "tool");
  ExpectError(Check(h, Set(IntentRequest(10), "governance_context", "x")), "VALIDATION_ERROR", "governance_context");
  ExpectError(Check(h, Set(IntentRequest(10), "execution_commitment", J(R"({"amount":1,"currency":"USD"})"))),
              "VALIDATION_ERROR", "execution_commitment");
}

TEST_CASE("03 §2 S3–S6 execution shape rules", "[03]") {
  Host h;
  Ready(h);
  ExpectError(Check(h, Set(Del(ExecutionRequest("t"), "governance_context"), "adcp_version", "3.2"), kSeller),
              "VALIDATION_ERROR", "governance_context");
  ExpectError(Check(h, Set(ExecutionRequest("t"), "consultation_context", "c"), kSeller), "VALIDATION_ERROR",
              "consultation_context");
  ExpectError(Check(h, Set(ExecutionRequest("t"), "proposed_commitment", J(R"({"amount":1,"currency":"USD"})")), kSeller),
              "VALIDATION_ERROR", "proposed_commitment");
  Value no_pd = json::Obj({{"caller", kSeller}, {"governance_context", "t"}, {"delivery_metrics", J("{}")}});
  ExpectError(Check(h, no_pd, kSeller), "VALIDATION_ERROR", "planned_delivery");
  Value mod = Set(ExecutionRequest("t", "modification"), "planned_delivery", J("{}"));
  ExpectError(Check(h, mod, kSeller), "VALIDATION_ERROR", "planned_delivery.media_buy_id");
  Value legacy_phase = Del(Set(ExecutionRequest("t"), "governance_phase", "modification"), "phase");
  legacy_phase.put("planned_delivery", J("{}"));
  ExpectError(Check(h, legacy_phase, kSeller), "VALIDATION_ERROR", "planned_delivery.media_buy_id");
  ExpectError(Check(h, ExecutionRequest("t", "delivery"), kSeller), "VALIDATION_ERROR", "delivery_metrics");
  Value partial = Set(ExecutionRequest("t", "delivery"), "delivery_metrics", J(R"({"statement_id":"s","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"}})"));
  ExpectError(Check(h, partial, kSeller), "VALIDATION_ERROR", "delivery_metrics.statement_digest");
  Value budget = Set(ExecutionRequest("t"), "planned_delivery.total_budget", 5.0);
  ExpectError(Check(h, budget, kSeller), "VALIDATION_ERROR", "planned_delivery.currency");
}

TEST_CASE("03 §2 S7–S10 commitment, proposal, attestation and invoice rules", "[03]") {
  Host h;
  Ready(h);
  Value buy = Set(IntentRequest(10), "tool", "buy_products");
  ExpectError(Check(h, buy), "VALIDATION_ERROR", "proposed_commitment");
  Value accept = Set(Set(IntentRequest(10), "tool", "accept_proposal"), "proposed_commitment",
                     J(R"({"amount":10,"currency":"USD"})"));
  ExpectError(Check(h, accept), "VALIDATION_ERROR", "proposal");
  ExpectError(Check(h, Set(IntentRequest(10), "proposal", J("{}"))), "VALIDATION_ERROR", "proposal");
  ExpectError(Check(h, Set(IntentRequest(10), "runtime_attestations", J("[{}]"))), "VALIDATION_ERROR",
              "runtime_attestations");
  Value invoice = Set(IntentRequest(10), "payload.invoice_recipient", J(R"({"legal_name":"Acme"})"));
  ExpectError(Check(h, invoice), "VALIDATION_ERROR", "invoice_recipient");
  invoice.put("invoice_recipient", J(R"({"legal_name":"Acme Ltd"})"));
  ExpectError(Check(h, invoice), "VALIDATION_ERROR", "invoice_recipient");
  invoice.put("invoice_recipient", J(R"({"legal_name":"Acme"})"));
  CHECK(Verdict(Check(h, invoice)) == "approved");
}

TEST_CASE("03 §2 schema problems after the shape rules are VALIDATION_ERROR", "[03][08]") {
  Host h;
  Ready(h);
  ExpectError(Check(h, Del(IntentRequest(10), "caller")), "VALIDATION_ERROR", "caller");
  ExpectError(Check(h, Set(IntentRequest(10), "purchase_type", "tv_spot")), "VALIDATION_ERROR", "purchase_type");
  ExpectError(Check(h, Set(IntentRequest(10), "target_agent", "seller")), "VALIDATION_ERROR", "target_agent");
  ExpectError(Check(h, Set(IntentRequest(10), "payload", "x")), "VALIDATION_ERROR", "payload");
  ExpectError(Check(h, Set(Set(IntentRequest(10), "tool", "buy_products"), "proposed_commitment", J(R"({"amount":-1,"currency":"USD"})"))),
              "VALIDATION_ERROR", "proposed_commitment.amount");
  ExpectError(Check(h, Set(IntentRequest(10), "consultation_context", "bad handle!")), "VALIDATION_ERROR",
              "consultation_context");
}

TEST_CASE("03 §3 step 2: caller must equal the authenticated agent", "[03]") {
  Host h;
  Ready(h);
  ExpectError(Check(h, IntentRequest(10), "https://someone-else.example.com"), "PERMISSION_DENIED", "caller");
  // Normalized comparison (01 §1.1).
  Value r = Set(IntentRequest(10), "caller", "HTTPS://BUYER.example.com:443");
  CHECK(Verdict(Check(h, r)) == "approved");
  ExpectError(h.Call("check_governance", IntentRequest(10), ""), "PERMISSION_DENIED", "");
}

TEST_CASE("03 §3 step 3: unknown plan and another owner's plan are the same PLAN_NOT_FOUND", "[03][08]") {
  Host h;
  Ready(h);
  const std::string other = "https://other-buyer.example.com";
  std::string before = h.State();
  Value theirs = Set(Set(IntentRequest(10), "caller", other), "plan_id", "plan_1");
  Value none = Set(Set(IntentRequest(10), "caller", other), "plan_id", "nope");
  std::string a = h.agent().Call("check_governance", json::Write(theirs), json::Write(json::Obj({{"agent_url", other}})));
  std::string b = h.agent().Call("check_governance", json::Write(none), json::Write(json::Obj({{"agent_url", other}})));
  CHECK(a == b);
  ExpectError(ParseOrFail(a), "PLAN_NOT_FOUND", "plan_id");
  CHECK(h.State() == before);  // nothing recorded at steps 1–7
}

TEST_CASE("03 §3 step 5: a suspended plan answers CAMPAIGN_SUSPENDED", "[03][01]") {
  Host h;
  Ready(h);
  h.Admin(J(R"({"op":"suspend_plan","owner":"https://buyer.example.com","plan_id":"plan_1"})"));
  Value r = Check(h, IntentRequest(10));
  ExpectError(r, "CAMPAIGN_SUSPENDED", "");
  CHECK(*r.find_array("errors")[0][0].find_string("recovery") == "transient");
}

TEST_CASE("03 §11 approved intent: body fields, order and token", "[03]") {
  Host h;
  Ready(h);
  Value req = Set(IntentRequest(250), "context", J(R"({"corr":"x1"})"));
  Value r = Check(h, req);
  CHECK_SUBSET(J(R"({"status":"completed","replayed":false,"response":{"check_id":"chk_00000001","check_type":"intent",
    "verdict":"approved","plan_id":"plan_1","explanation":"All governance checks passed.","findings":"$absent",
    "conditions":"$absent","consultation_context":"$absent","categories_evaluated":["budget_authority","human_review"],
    "policies_evaluated":[],"mode":"enforce","expires_at":"2026-01-01T00:15:00.000Z","context":{"corr":"x1"}}})"),
               r);
  const Value& body = Body(r);
  std::vector<std::string> keys;
  for (const json::Member& m : body.as_object()) keys.push_back(m.first);
  CHECK(keys == std::vector<std::string>{"check_id", "check_type", "verdict", "plan_id", "explanation",
                                         "categories_evaluated", "policies_evaluated", "mode", "expires_at",
                                         "governance_context", "context"});
  std::string token = Token(r);
  Value header = DecodeSegment(token, 0);
  Value claims = DecodeSegment(token, 1);
  CHECK(json::Write(header) ==
        R"({"alg":"EdDSA","kid":"test-kid","typ":"adcp-gov+jws","crit":["authorized_commitment","authorized_task","authorized_payload_hash"],"authorized_commitment":true,"authorized_task":true,"authorized_payload_hash":true})");
  std::vector<std::string> claim_keys;
  for (const json::Member& m : claims.as_object()) claim_keys.push_back(m.first);
  CHECK(claim_keys == std::vector<std::string>{"iss", "sub", "plan_hash", "aud", "iat", "exp", "jti", "phase", "caller",
                                               "check_id", "authorized_commitment", "authorized_task",
                                               "authorized_payload_hash", "policy_decision_hash"});
  CHECK_SUBSET(J(R"({"iss":"https://governance.example.com","sub":"gb_00000001","aud":"https://seller.example.com",
                     "iat":1767225600,"exp":1767226500,"jti":"jti_00000001","phase":"intent","caller":"https://buyer.example.com",
                     "check_id":"chk_00000001","authorized_commitment":{"amount":250,"currency":"USD"},
                     "authorized_task":"create_media_buy",
                     "policy_decision_hash":"4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"})"),
               claims);
  CHECK(*claims.find_string("authorized_payload_hash") ==
        GovernanceAgent::PayloadHash(json::Write(*req.find("payload"))).value);
  // plan_hash is the synced revision's hash.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true})"), kBuyer);
  const Value& entry = audit.find("response")->find_array("plans")[0][0].find_array("entries")[0][0];
  CHECK(*entry.find_string("plan_hash") == *claims.find_string("plan_hash"));
  CHECK(*entry.find_string("governance_context") == token);
  // Signature: the stand-in signer over header.claims.
  size_t last = token.rfind('.');
  CHECK(token.substr(last + 1) == StandInSignature(token.substr(0, last), "test-kid"));
}

TEST_CASE("03 §10 one clock read per call; TTLs from config", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","intent_token_ttl_seconds":60})";
  Host h(o);
  SyncPlan(h, BasePlan());
  h.clock_reads = 0;
  Value r = Check(h, IntentRequest(10));
  CHECK(h.clock_reads == 1);
  Value claims = DecodeSegment(Token(r), 1);
  CHECK(*claims.find_number("exp") - *claims.find_number("iat") == 60);
  CHECK(*Body(r).find_string("expires_at") == "2026-01-01T00:01:00.000Z");
}

TEST_CASE("03 §10 random ids are ULIDs and UUIDv7 from now and randomBytes", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"}})";
  Host h(o);
  SyncPlan(h, BasePlan());
  Value r = Check(h, IntentRequest(10));
  std::string id = *Body(r).find_string("check_id");
  REQUIRE(id.size() == 4 + 26);
  CHECK(id.substr(0, 4) == "chk_");
  // 48-bit time prefix of 2026-01-01T00:00:00Z (0x019B76DAA800) in Crockford base32.
  CHECK(id.substr(4, 10) == "01KDVDNA00");
  Value claims = DecodeSegment(Token(r), 1);
  std::string jti = *claims.find_string("jti");
  REQUIRE(jti.size() == 36);
  CHECK(jti.substr(0, 13) == "019b76da-a800");
  CHECK(jti[14] == '7');
  CHECK(std::string("89ab").find(jti[19]) != std::string::npos);
}

TEST_CASE("03 §4.3 amount sources and validation", "[03]") {
  Host h;
  Ready(h);
  auto with_payload = [](const char* payload) {
    Value r = IntentRequest(0);
    r.put("payload", J(payload));
    return r;
  };
  ExpectError(Check(h, with_payload(R"({})")), "VALIDATION_ERROR", "payload.total_budget");  // create_media_buy needs one
  ExpectError(Check(h, with_payload(R"({"total_budget":"100"})")), "VALIDATION_ERROR", "payload.total_budget");
  ExpectError(Check(h, with_payload(R"({"total_budget":{"amount":-5}})")), "VALIDATION_ERROR", "payload.total_budget.amount");
  ExpectError(Check(h, with_payload(R"({"total_budget":{"amount":5,"currency":"EUR"}})")), "VALIDATION_ERROR",
              "payload.total_budget.currency");
  ExpectError(Check(h, with_payload(R"({"packages":[{"budget":5},{"budget":"x"}]})")), "VALIDATION_ERROR",
              "payload.packages[1].budget");
  CHECK(Verdict(Check(h, with_payload(R"({"budget":{"total":5}})"))) == "approved");
  CHECK(Verdict(Check(h, with_payload(R"({"packages":[{"budget":{"amount":5}},{"name":"x"},{"budget":7}]})"))) == "approved");
  // proposed_commitment must agree with the payload amount (non-incremental tools) and the plan currency.
  Value mismatch = Set(IntentRequest(100), "proposed_commitment", J(R"({"amount":90,"currency":"USD"})"));
  ExpectError(Check(h, mismatch), "VALIDATION_ERROR", "proposed_commitment.amount");
  Value currency = Set(IntentRequest(100), "proposed_commitment", J(R"({"amount":100,"currency":"EUR"})"));
  ExpectError(Check(h, currency), "VALIDATION_ERROR", "proposed_commitment.currency");
  // Incremental tools carry a delta: no agreement check.
  Value update = Set(Set(IntentRequest(500), "tool", "update_media_buy"), "proposed_commitment",
                     J(R"({"amount":50,"currency":"USD"})"));
  Value ok = Check(h, update);
  CHECK(Verdict(ok) == "approved");
  CHECK(*DecodeSegment(Token(ok), 1).find("authorized_commitment")->find_number("amount") == 50);
  // A non-monetary tool without an amount: no authorized_commitment, no crit marker for it.
  Value products = IntentRequest(0);
  products.put("tool", "get_products");
  products.put("payload", J(R"({"brief":"x"})"));
  Value np = Check(h, products);
  CHECK(Verdict(np) == "approved");
  CHECK_FALSE(DecodeSegment(Token(np), 1).has("authorized_commitment"));
  CHECK(json::Write(*DecodeSegment(Token(np), 0).find("crit")) == R"(["authorized_task","authorized_payload_hash"])");
}

TEST_CASE("03 §4.1 requested scope sources and malformed sources", "[03]") {
  Host h;
  Ready(h, Set(Set(BasePlan(), "countries", J(R"(["US"])")), "channels", J(R"({"allowed":["olv"]})")));
  auto with = [](const char* payload) {
    Value r = IntentRequest(0);
    Value p = J(payload);
    p.put("total_budget", 10.0);
    r.put("payload", p);
    return r;
  };
  CHECK(FindingCategories(Check(h, with(R"({"geo":{"countries":["DE"]}})"))) ==
        std::vector<std::string>{"geo_compliance:critical"});
  CHECK(FindingCategories(Check(h, with(R"({"targeting":{"countries":["DE"]}})"))).size() == 1);
  CHECK(FindingCategories(Check(h, with(R"({"campaign":{"countries":["DE"]}})"))).size() == 1);
  CHECK(FindingCategories(Check(h, with(R"({"packages":[{"targeting_overlay":{"geo_countries":["US"]}},{"targeting_overlay":{"geo_countries":["FR"]}}]})"))).size() == 1);
  CHECK(FindingCategories(Check(h, with(R"({"geo":{"countries":[]},"countries":["US"]})"))).empty());  // first non-empty wins
  CHECK(FindingCategories(Check(h, with(R"({"channel":"ctv"})"))) == std::vector<std::string>{"channel_compliance:critical"});
  CHECK(FindingCategories(Check(h, with(R"({"packages":[{"channels":["olv"]},{"channels":["search"]}]})"))).size() == 1);
  ExpectError(Check(h, with(R"({"countries":"US"})")), "VALIDATION_ERROR", "payload.countries");
  ExpectError(Check(h, with(R"({"channel":7})")), "VALIDATION_ERROR", "payload.channel");
  ExpectError(Check(h, with(R"({"packages":[{"targeting_overlay":{"geo_countries":[1]}}]})")), "VALIDATION_ERROR",
              "payload.packages[0].targeting_overlay.geo_countries");
  ExpectError(Check(h, with(R"({"flight":{"start":"tomorrow"}})")), "VALIDATION_ERROR", "payload.flight.start");
  ExpectError(Check(h, with(R"({"campaign":{"end_date":"2026-13-01"}})")), "VALIDATION_ERROR", "payload.campaign.end_date");
  ExpectError(Check(h, with(R"({"end_time":"asap"})")), "VALIDATION_ERROR", "payload.end_time");
}

TEST_CASE("03 §4.2 geography rule with countries and regions", "[03]") {
  Host h;
  Ready(h, Set(Set(BasePlan(), "countries", J(R"(["GB"])")), "regions", J(R"(["US-MA","US-CA"])")));
  auto geo = [&](const char* countries, const char* regions) {
    Value r = IntentRequest(10);
    Value g = json::Obj({{"countries", J(countries)}, {"regions", J(regions)}});
    r.find("payload")->put("geo", g);
    Value res = Check(h, r);
    const json::Array* fs = Body(res).find_array("findings");
    if (!fs) return std::string();
    return json::Write(*(*fs)[0].find("details")->find("unauthorized"));
  };
  CHECK(geo(R"(["GB"])", "[]").empty());
  CHECK(geo(R"(["US"])", R"(["US-MA"])").empty());
  CHECK(geo(R"(["US"])", "[]") == R"(["US"])");        // restricted country needs a region
  CHECK(geo("[]", R"(["US-NY"])") == R"(["US-NY"])");  // region outside PR
  CHECK(geo(R"(["FR"])", R"(["FR-75"])") == R"(["FR","FR-75"])");
  CHECK(geo(R"(["gb"])", "[]") == R"(["gb"])");        // exact, case-sensitive
}

TEST_CASE("03 §5.2 I13 flight compliance: dates, date-only campaign bounds and asap", "[03]") {
  Host h;
  Ready(h, Set(BasePlan(), "flight", J(R"({"start":"2026-03-01T00:00:00Z","end":"2026-03-31T00:00:00Z"})")));
  auto flight = [&](const char* payload_fragment) {
    Value r = IntentRequest(10);
    Value p = J(payload_fragment);
    p.put("total_budget", 10.0);
    r.put("payload", p);
    return Check(h, r);
  };
  Value early = flight(R"({"flight":{"start":"2026-02-28T23:59:59Z","end":"2026-03-10T00:00:00Z"}})");
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"flight_compliance","severity":"critical",
    "details":{"plan_start":"2026-03-01T00:00:00Z","plan_end":"2026-03-31T00:00:00Z","requested_start":"2026-02-28T23:59:59Z",
    "requested_end":"2026-03-10T00:00:00Z"}}]}})"), early);
  CHECK(Verdict(flight(R"({"start_time":"2026-03-01T01:00:00+01:00"})")) == "approved");  // same instant as plan start
  // A date end means the next day's midnight: 2026-03-30 ends at 03-31T00:00Z = plan end.
  CHECK(Verdict(flight(R"({"campaign":{"start_date":"2026-03-01","end_date":"2026-03-30"}})")) == "approved");
  CHECK(Verdict(flight(R"({"campaign":{"end_date":"2026-03-31"}})")) == "denied");
  // asap = now (2026-01-01), before the plan start; reported in the outbound form of now.
  Value asap = flight(R"({"start_time":"asap"})");
  CHECK_SUBSET(J(R"({"response":{"findings":[{"details":{"requested_start":"2026-01-01T00:00:00.000Z","requested_end":"$absent"}}]}})"), asap);
}

TEST_CASE("03 §5.1 cap rule: conditions below the cap, critical when nothing is left", "[03]") {
  Host h;
  Ready(h);
  Value over = Check(h, IntentRequest(1200));
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"budget_authority","severity":"critical",
    "details":{"requested":1200,"authorized":1000}}]}})"), over);
  Value ok = Check(h, IntentRequest(600));
  REQUIRE(Verdict(ok) == "approved");
  // 600 held; 500 requested > 400 left: conditions with required_value 400.
  Value cond = Check(h, IntentRequest(500));
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"field":"payload.total_budget","required_value":400}],
    "consultation_context":"consult_00000001","findings":[{"category_id":"budget_authority","severity":"warning",
    "details":{"requested":500,"cap":400}}],"governance_context":"$absent","expires_at":"$absent"}})"), cond);
  CHECK(Body(cond).find_string("explanation")->rfind("Counterproposal: ", 0) == 0);
}

TEST_CASE("03 §5.7 budget holds: 333.33 + 333.33 + 333.34 of 1000, then 0.01 is refused", "[03]") {
  Host h;
  Ready(h);
  for (double a : {333.33, 333.33, 333.34}) {
    INFO(a);
    CHECK(Verdict(Check(h, IntentRequest(a))) == "approved");
  }
  Value extra = Check(h, IntentRequest(0.01));
  CHECK(Verdict(extra) == "denied");
  CHECK(FindingCategories(extra) == std::vector<std::string>{"budget_authority:critical"});
  // Holds are reported in the audit extension, not in committed.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"budget":{"committed":0,"remaining":1000}}],
    "ext":{"adcp_governance":{"holds":[{"plan_id":"plan_1","held":1000,"actions":[
      {"check_id":"chk_00000001","amount":333.33,"expires_at":"2026-01-01T00:15:00.000Z"},
      {"check_id":"chk_00000002","amount":333.33},{"check_id":"chk_00000003","amount":333.34}]}]}}}})"),
               audit);
  // After the intent tokens expire unsettled, the budget is available again.
  h.now_ms += 15 * 60 * 1000;
  CHECK(Verdict(Check(h, IntentRequest(333.33))) == "approved");
  Value audit2 = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"ext":{"adcp_governance":{"holds":[{"held":333.33}]}}}})"), audit2);
}

TEST_CASE("03 §5.7 without holds, concurrent approvals can exceed the plan (budget_holds: false)", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","budget_holds":false})";
  Host h(o);
  SyncPlan(h, BasePlan());
  CHECK(Verdict(Check(h, IntentRequest(800))) == "approved");
  CHECK(Verdict(Check(h, IntentRequest(800))) == "approved");
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_FALSE(audit.find("response")->has("ext"));
}

TEST_CASE("03 §5.2 I7 allocations, I8 seller concentration: caps merge on one path", "[03]") {
  Host h;
  Value plan = Set(Set(BasePlan(), "budget.allocations", J(R"({"media_buy":{"amount":500,"max_pct":30}})")),
                   "budget.per_seller_max_pct", 20.0);
  Ready(h, plan);
  Value r = Check(h, IntentRequest(400));
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"field":"payload.total_budget","required_value":200}]}})"), r);
  CHECK(FindingCategories(r) == std::vector<std::string>{"budget_authority:warning", "seller_concentration:warning"});
  std::string reason = *Body(r).find_array("conditions")[0][0].find_string("reason");
  CHECK(reason.find("; ") != std::string::npos);  // merged reasons
  // Another purchase type draws only on the total.
  Value rights = Set(Set(IntentRequest(250), "purchase_type", "rights_license"), "target_agent", kSeller2);
  CHECK(FindingCategories(Check(h, rights)) == std::vector<std::string>{"seller_concentration:warning"});
}

TEST_CASE("03 §4.3 several budgeted packages: condition without required_value", "[03]") {
  Host h;
  Ready(h);
  Value r = IntentRequest(0);
  r.put("payload", J(R"({"packages":[{"budget":700},{"budget":700}]})"));
  Value res = Check(h, r);
  CHECK(Verdict(res) == "denied");  // 1400 > authorized 1000
  r.put("payload", J(R"({"packages":[{"budget":300},{"budget":300}]})"));
  Check(h, Set(IntentRequest(500), "target_agent", kSeller2));  // hold 500
  Value cond = Check(h, r);
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"field":"payload.packages","required_value":"$absent"}]}})"), cond);
  r.put("payload", J(R"({"packages":[{"name":"a"},{"budget":{"total":600}}]})"));
  CHECK_SUBSET(J(R"({"response":{"conditions":[{"field":"payload.packages[1].budget.total","required_value":500}]}})"),
               Check(h, r));
}

TEST_CASE("03 §5.2 I6 approved sellers and I12 channels", "[03]") {
  Host h;
  Ready(h, Set(Set(BasePlan(), "approved_sellers", J(R"(["https://seller.example.com/"])")), "channels",
               J(R"({"allowed":["olv","ctv"],"mix_targets":{"ctv":{"max_pct":30}}})")));
  CHECK(Verdict(Check(h, IntentRequest(10))) == "approved");  // normalized match
  Value other = Check(h, Set(IntentRequest(10), "target_agent", kSeller2));
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"seller_compliance","details":{"target_agent":"https://seller-two.example.com"}}]}})"), other);
  Value ctv = Set(IntentRequest(500), "payload.channels", J(R"(["ctv"])"));
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"required_value":300}]}})"), Check(h, ctv));
  Value two = Set(IntentRequest(500), "payload.channels", J(R"(["ctv","olv"])"));
  CHECK(Verdict(Check(h, two)) == "approved");  // k = 2: cap 2 × 300
  Value bad = Set(IntentRequest(10), "payload.channels", J(R"(["search"])"));
  CHECK_SUBSET(J(R"({"response":{"findings":[{"category_id":"channel_compliance","severity":"critical","details":{"unauthorized":["search"]}}]}})"), Check(h, bad));
}

TEST_CASE("03 §5.2 I5/I9 delegations: markets, execute_only, budget limit, expiry", "[03][01]") {
  Host h;
  const std::string agency = "https://agency.example.com";
  Value plan = Set(Set(BasePlan(), "countries", J(R"(["US","CA"])")), "delegations",
                   J(R"([{"agent_url":"https://agency.example.com","authority":"execute_only","markets":["US"],
                          "budget_limit":{"amount":300,"currency":"USD"}},
                         {"agent_url":"https://expired.example.com","authority":"full","expires_at":"2025-12-31T00:00:00Z"},
                         {"agent_url":"https://proposer.example.com","authority":"propose_only"}])"));
  Ready(h, plan);
  auto as = [&](const std::string& who, Value r) {
    r.put("caller", who);
    return Check(h, r, who);
  };
  Value ca = Set(IntentRequest(10), "payload.geo", J(R"({"countries":["CA"]})"));
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"delegation_authority","details":{"unauthorized":["CA"]}}]}})"),
               as(agency, ca));
  Value update = Set(Set(IntentRequest(50), "tool", "update_media_buy"), "proposed_commitment", J(R"({"amount":50,"currency":"USD"})"));
  CHECK(FindingCategories(as(agency, update)) == std::vector<std::string>{"delegation_authority:critical"});
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"required_value":300}]}})"), as(agency, IntentRequest(400)));
  ExpectError(as("https://expired.example.com", IntentRequest(10)), "PERMISSION_DENIED", "");
  Value proposer = as("https://proposer.example.com", IntentRequest(10));
  CHECK(*proposer.find_string("status") == "submitted");
  ExpectError(as("https://stranger.example.com", IntentRequest(10)), "PLAN_NOT_FOUND", "plan_id");
}

TEST_CASE("03 §5.2 I10 portfolio caps count member plans and their holds", "[03][01]") {
  Host h;
  SyncPlan(h, BasePlan("m1"));
  SyncPlan(h, BasePlan("m2"));
  SyncPlan(h, Set(BasePlan("port"), "portfolio", J(R"({"member_plan_ids":["m1","m2"],"total_budget_cap":{"amount":1200,"currency":"USD"}})")));
  CHECK(Verdict(Check(h, IntentRequest(900, "m1"))) == "approved");
  Value r = Check(h, IntentRequest(500, "m2"));
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"required_value":300}],
    "findings":[{"category_id":"portfolio_budget","severity":"warning","source_plan_id":"port"}]}})"), r);
}

TEST_CASE("03 §5.3 H2 reallocation threshold escalates; aggregation window defeats splitting", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","aggregation_window_days":30})";
  Host h(o);
  Value plan = BasePlan();
  plan.find("budget")->erase("reallocation_unlimited");
  plan.find("budget")->set("reallocation_threshold", 500.0);
  SyncPlan(h, plan);
  CHECK(*Check(h, IntentRequest(600)).find_string("status") == "submitted");
  CHECK(Verdict(Check(h, IntentRequest(300))) == "approved");
  // 300 held + 300 requested > 500 for the same seller and account: escalated.
  Value second = Check(h, IntentRequest(300));
  CHECK(*second.find_string("status") == "submitted");
  // Another seller is a different aggregation key.
  CHECK(Verdict(Check(h, Set(IntentRequest(300), "target_agent", kSeller2))) == "approved");
}

TEST_CASE("03 §7 human review: submitted, getTask, approve by admin, audit counts", "[03][06]") {
  Host h;
  Ready(h, Set(Set(BasePlan(), "human_review_required", true), "brand.data_subject_contestation",
               J(R"({"email":"dpo@acme.example"})")));
  Value req = Set(IntentRequest(100), "context", J(R"({"trace":"r1"})"));
  Value sub = Check(h, req);
  CHECK(json::Write(sub) == R"({"status":"submitted","task_id":"task_00000001","context":{"trace":"r1"}})");
  CHECK(h.agent().GetTask("task_00000001") == json::Write(sub));
  CHECK(ErrorCodeOf(ParseOrFail(h.agent().GetTask("task_nope"))) == "REFERENCE_NOT_FOUND");
  // A request body cannot approve itself: a second identical check is another escalation.
  Value again = Check(h, Set(req, "human_approval", J(R"({"approved":true})")));
  CHECK(*again.find_string("status") == "submitted");
  // Pending checks are invisible in statuses but listed in escalations.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"summary":{"checks_performed":0,"escalations":[
    {"check_id":"chk_00000001","resolution":"$absent"},{"check_id":"chk_00000002"}]},"entries":[]}]}})"), audit);
  h.now_ms += 60000;
  Value ok = h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000001","decision":"approve","reviewer":"jane@acme.example"})"));
  CHECK(json::Write(ok) == R"({"status":"completed","response":{},"replayed":false})");
  Value done = ParseOrFail(h.agent().GetTask("task_00000001"));
  CHECK_SUBSET(J(R"({"status":"completed","response":{"check_id":"chk_00000001","verdict":"approved","mode":"enforce",
    "findings":[{"category_id":"human_review","severity":"info","details":{"decision":"approved_by_human","reviewer":"jane@acme.example"}}],
    "expires_at":"2026-01-01T00:16:00.000Z","context":{"trace":"r1"}}})"), done);
  // The token was minted at resolution time.
  CHECK(*DecodeSegment(Token(done), 1).find_number("iat") == 1767225660);
  // Resolving again is a conflict; rejecting the second one records the override data.
  CHECK(ErrorCodeOf(h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000001","decision":"reject","reviewer":"x"})"))) == "CONFLICT");
  h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000002","decision":"reject","reviewer":"bob","reason":"Not now."})"));
  Value audit2 = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"summary":{"checks_performed":2,"statuses":{"approved":1,"denied":1,"conditions":0,"human_reviewed":2},
    "escalations":[{"check_id":"chk_00000001","resolution":"approved_by_human","resolved_at":"2026-01-01T00:01:00.000Z"},
                   {"check_id":"chk_00000002","resolution":"rejected_by_human"}],
    "drift_metrics":{"escalation_rate":1,"auto_approval_rate":0,"human_override_rate":0.5}}}]}})"), audit2);
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"human_review","severity":"critical",
    "details":{"decision":"rejected_by_human","reviewer":"bob","reason":"Not now."}}]}})"),
               ParseOrFail(h.agent().GetTask("task_00000002")));
}

TEST_CASE("03 §7 expire_escalations denies pending reviews after the timeout", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","escalation_timeout_seconds":3600})";
  Host h(o);
  SyncPlan(h, Set(Set(BasePlan(), "human_review_required", true), "brand.data_subject_contestation", J(R"({"email":"d@a.example"})")));
  Check(h, IntentRequest(10));
  h.now_ms += 1800 * 1000;
  Check(h, IntentRequest(10));
  h.now_ms += 1800 * 1000;  // first is due (half-open: now >= t + timeout), second is not
  Value r = h.Admin(J(R"({"op":"expire_escalations"})"));
  CHECK(json::Write(*r.find("response")) == R"({"expired":["task_00000001"]})");
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"human_review","details":{"decision":"expired"}}]}})"),
               ParseOrFail(h.agent().GetTask("task_00000001")));
  CHECK(*ParseOrFail(h.agent().GetTask("task_00000002")).find_string("status") == "submitted");
}

TEST_CASE("03 §5.2 I3 no contestation contact under human review denies; I4 advisory", "[03]") {
  Host h;
  Ready(h, Set(BasePlan(), "human_review_required", true));
  CHECK(FindingCategories(Check(h, IntentRequest(10))) == std::vector<std::string>{"data_subject_contestation:critical"});
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","industry_triggers_human_review":false})";
  Host h2(o);
  SyncPlan(h2, Set(BasePlan(), "brand.industries", J(R"(["banking"])")));
  Value r = Check(h2, IntentRequest(10));
  CHECK(Verdict(r) == "approved");
  CHECK(FindingCategories(r) == std::vector<std::string>{"annex_iii_industry_advisory:warning"});
}

TEST_CASE("03 §5.4 H4: only low-confidence criticals escalate with a deny recommendation", "[03]") {
  Host h;
  h.evaluate_policies = [](std::string_view) {
    return HookResult<std::string>{R"({"findings":[{"severity":"critical","explanation":"Might target minors.","policy_id":"coppa","confidence":0.4}]})", ""};
  };
  Ready(h, Set(BasePlan(), "custom_policies", J(R"([{"policy_id":"coppa","enforcement":"must","policy":"No kids."}])")));
  Value r = Check(h, IntentRequest(10));
  CHECK(*r.find_string("status") == "submitted");
  h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000001","decision":"approve","reviewer":"r"})"));
  // approve against a deny recommendation = a human override.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"summary":{"drift_metrics":{"human_override_rate":1,"mean_confidence":0.4}}}]}})"), audit);
  // The flagged policy shows in the token's policy decisions.
  Value done = ParseOrFail(h.agent().GetTask("task_00000001"));
  Value decisions = J(R"([{"policy_id":"coppa","outcome":"flagged"}])");
  CHECK(*DecodeSegment(Token(done), 1).find_string("policy_decision_hash") ==
        canon::HexLower(canon::AsBytes(canon::JcsDigest(decisions))));
}

TEST_CASE("03 §5.2 I14 evaluatePolicies: context, findings as returned, malformed answers", "[03]") {
  Host h;
  std::string seen;
  h.evaluate_policies = [&](std::string_view ctx) {
    seen = std::string(ctx);
    return HookResult<std::string>{
        R"({"findings":[{"severity":"warning","explanation":"Tone.","policy_id":"tone","details":{"b":1,"a":2}}],
            "conditions":[{"field":"payload.creative","reason":"Use the approved creative.","required_value":{"id":"cr_1"}}]})",
        ""};
  };
  Ready(h, Set(BasePlan(), "custom_policies", J(R"([{"policy_id":"tone","enforcement":"should","policy":"Be calm."}])")));
  Value r = Check(h, IntentRequest(10));
  CHECK_SUBSET(J(R"({"response":{"verdict":"conditions","conditions":[{"field":"payload.creative","required_value":{"id":"cr_1"},"reason":"Use the approved creative."}],
    "findings":[{"severity":"warning","explanation":"Tone.","policy_id":"tone","details":{"b":1,"a":2},"category_id":"policy_compliance"}],
    "categories_evaluated":["budget_authority","policy_compliance","human_review"],"policies_evaluated":["tone"]}})"), r);
  CHECK(json::Write(*Body(r).find_array("findings")[0][0].find("details")) == R"({"b":1,"a":2})");  // order as returned
  Value ctx = ParseOrFail(seen);
  CHECK_SUBSET(J(R"({"check_id":"chk_00000001","plan_id":"plan_1","tool":"create_media_buy","purchase_type":"media_buy",
    "amount":10,"currency":"USD","caller":"https://buyer.example.com","inline_policies":[{"policy_id":"tone"}],
    "resolved_policies":[{"policy_id":"tone","source":"explicit"}]})"), ctx);
  std::string before = h.State();
  h.evaluate_policies = [](std::string_view) { return HookResult<std::string>{R"({"findings":[{"severity":"fatal","explanation":"x"}]})", ""}; };
  CHECK(ErrorCodeOf(Check(h, IntentRequest(10))) == "SERVICE_UNAVAILABLE");
  h.evaluate_policies = [](std::string_view) { return HookResult<std::string>::Fail("model down"); };
  CHECK(ErrorCodeOf(Check(h, IntentRequest(10))) == "SERVICE_UNAVAILABLE");
  CHECK(h.State() == before);  // ids not consumed, nothing recorded
}

TEST_CASE("03 §6 consultation: handle binding, attempts and the retry limit", "[03]") {
  Host h;
  Ready(h);
  Check(h, IntentRequest(800));  // hold 800
  Value c1 = Check(h, IntentRequest(300));
  REQUIRE(Verdict(c1) == "conditions");
  const std::string handle = *Body(c1).find_string("consultation_context");
  Value retry = Set(IntentRequest(250), "consultation_context", handle);
  Value c2 = Check(h, retry);
  CHECK(Verdict(c2) == "conditions");
  CHECK(*Body(c2).find_string("consultation_context") == handle);
  // Binding: another seller with the same handle is refused.
  ExpectError(Check(h, Set(retry, "target_agent", kSeller2)), "VALIDATION_ERROR", "consultation_context");
  ExpectError(Check(h, Set(IntentRequest(10), "consultation_context", "consult_unknown")), "VALIDATION_ERROR",
              "consultation_context");
  // Third attempt (max 3) that would again be conditions: denied with consultation_retry_limit.
  Value c3 = Check(h, retry);
  CHECK(Verdict(c3) == "denied");
  CHECK(FindingCategories(c3).back() == "consultation_retry_limit:critical");
  // The chain is closed now.
  ExpectError(Check(h, Set(IntentRequest(100), "consultation_context", handle)), "VALIDATION_ERROR", "consultation_context");
}

TEST_CASE("03 §6 consultation TTL and closing on approval", "[03]") {
  Host h;
  Ready(h);
  Check(h, IntentRequest(800));
  Value c1 = Check(h, IntentRequest(300));
  const std::string handle = *Body(c1).find_string("consultation_context");
  Value fixed = Check(h, Set(IntentRequest(150), "consultation_context", handle));
  CHECK(Verdict(fixed) == "approved");
  ExpectError(Check(h, Set(IntentRequest(1), "consultation_context", handle)), "VALIDATION_ERROR", "consultation_context");
  Value c2 = Check(h, IntentRequest(100));
  REQUIRE(Verdict(c2) == "conditions");
  const std::string handle2 = *Body(c2).find_string("consultation_context");
  h.now_ms += 3600 * 1000;  // now == start + ttl: expired (now < start + ttl required)
  ExpectError(Check(h, Set(IntentRequest(1), "consultation_context", handle2)), "VALIDATION_ERROR", "consultation_context");
}

TEST_CASE("03 §8 modes: advisory keeps recommendations, audit only records, review forces enforce", "[03]") {
  for (const std::string mode : {"advisory", "audit"}) {
    INFO(mode);
    Host h;
    Ready(h);
    h.Admin(J(R"({"op":"set_plan_mode","owner":"https://buyer.example.com","plan_id":"plan_1","mode":")" + mode + "\"}"));
    CHECK(Verdict(Check(h, IntentRequest(900))) == "approved");
    Value cond = Check(h, IntentRequest(500));  // enforce would answer conditions (cap 100)
    CHECK(Verdict(cond) == "approved");
    CHECK(*Body(cond).find_string("mode") == mode);
    CHECK_FALSE(Body(cond).has("conditions"));
    CHECK_FALSE(Body(cond).has("consultation_context"));
    std::vector<std::string> cats = FindingCategories(cond);
    if (mode == "advisory") {
      CHECK(cats == std::vector<std::string>{"budget_authority:warning", "advisory_condition:info"});
      CHECK_SUBSET(J(R"({"response":{"findings":[{},{"details":{"field":"payload.total_budget","required_value":100}}]}})"), cond);
    } else {
      CHECK(cats == std::vector<std::string>{"budget_authority:warning"});
    }
    Value over = Check(h, IntentRequest(1200));  // enforce would deny
    CHECK(Verdict(over) == "approved");
    CHECK(FindingCategories(over).front() == "budget_authority:critical");  // findings kept
  }
  // human review forces enforce: mode_override finding, escalation still happens.
  Host h;
  Ready(h, Set(Set(BasePlan(), "human_review_required", true), "brand.data_subject_contestation", J(R"({"email":"d@a.example"})")));
  h.Admin(J(R"({"op":"set_plan_mode","owner":"https://buyer.example.com","plan_id":"plan_1","mode":"audit"})"));
  CHECK(*Check(h, IntentRequest(10)).find_string("status") == "submitted");
  h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000001","decision":"approve","reviewer":"r"})"));
  CHECK_SUBSET(J(R"({"response":{"mode":"enforce","findings":[{"category_id":"mode_override","severity":"info",
    "details":{"configured":"audit","effective":"enforce"}},{"category_id":"human_review"}]}})"),
               ParseOrFail(h.agent().GetTask("task_00000001")));
}

TEST_CASE("03 §8 advisory/audit: escalation suppressed with a finding", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","default_mode":"advisory"})";
  Host h(o);
  Value plan = BasePlan();
  plan.find("budget")->erase("reallocation_unlimited");
  plan.find("budget")->set("reallocation_threshold", 100.0);
  SyncPlan(h, plan);
  Value r = Check(h, IntentRequest(200));
  CHECK(Verdict(r) == "approved");
  CHECK_SUBSET(J(R"({"response":{"mode":"advisory","findings":[{"category_id":"human_review","severity":"info","details":{"decision":"suppressed_by_mode"}}]}})"), r);
}

TEST_CASE("03 §5.2 I1 completed plans deny new intent", "[03][01]") {
  Host h;
  Ready(h);
  h.Admin(J(R"({"op":"complete_plan","owner":"https://buyer.example.com","plan_id":"plan_1"})"));
  Value r = Check(h, IntentRequest(10));
  CHECK(FindingCategories(r) == std::vector<std::string>{"plan_status:critical"});
}

TEST_CASE("03 §5.3/06 §5.3 I16 oversight drift warnings after enough checks", "[03][06]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential",
                 "drift":{"thresholds":{"auto_approval_rate_max":0.5},"min_checks":3}})";
  Host h(o);
  SyncPlan(h, BasePlan());
  for (int i = 0; i < 3; ++i) CHECK(FindingCategories(Check(h, IntentRequest(1))).empty());
  Value r = Check(h, IntentRequest(1));
  CHECK_SUBSET(J(R"({"response":{"verdict":"approved","findings":[{"category_id":"oversight_drift","severity":"warning",
    "details":{"metric":"auto_approval_rate","value":1,"threshold":0.5}}]}})"), r);
}

TEST_CASE("03 §10 signer failures and oversized tokens record nothing", "[03]") {
  Host h;
  Ready(h);
  std::string before = h.State();
  h.fail_sign = true;
  CHECK(ErrorCodeOf(Check(h, IntentRequest(10))) == "SERVICE_UNAVAILABLE");
  CHECK(h.State() == before);
  h.fail_sign = false;
  Value huge = Set(IntentRequest(10), "target_agent", "https://seller.example.com/" + std::string(3000, 'a'));
  Value r = Check(h, huge);
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");
  CHECK(ErrorField(r).empty());
  CHECK(h.State() == before);
}

TEST_CASE("03 §10 allow_unsigned_tokens issues alg none tokens", "[03]") {
  Hooks hooks;
  hooks.now_ms = [] { return HookResult<double>{1767225600000.0, ""}; };
  hooks.random_bytes = [](size_t n) { return HookResult<std::string>{std::string(n, '\x01'), ""}; };
  auto created = GovernanceAgent::Create(R"({"issuer":"https://g.example","allow_unsigned_tokens":true,"id_mode":"sequential"})", hooks);
  REQUIRE(created.ok());
  GovernanceAgent& a = *created.value;
  a.Call("sync_plans", json::Write(json::Obj({{"idempotency_key", "unsigned-sync-00001"}, {"plans", Value(json::Array{BasePlan()})}})),
         R"({"agent_url":"https://buyer.example.com"})");
  Value r = ParseOrFail(a.Call("check_governance", json::Write(IntentRequest(10)), R"({"agent_url":"https://buyer.example.com"})"));
  std::string token = Token(r);
  CHECK(token.back() == '.');
  CHECK(*DecodeSegment(token, 0).find_string("alg") == "none");
  CHECK_FALSE(DecodeSegment(token, 0).has("kid"));
}

TEST_CASE("owner views for review screens: list_plans, list_escalations (project choice)", "[03][06]") {
  Host h;
  Ready(h, Set(Set(BasePlan(), "human_review_required", true), "brand.data_subject_contestation",
               J(R"({"email":"dpo@acme.example"})")));
  Value sub = Check(h, IntentRequest(100));
  REQUIRE(*sub.find_string("status") == "submitted");
  Value plans = h.Admin(J(R"({"op":"list_plans","owner":"https://buyer.example.com"})"));
  CHECK_SUBSET(J(R"({"status":"completed","response":{"plans":[{"plan_id":"plan_1","plan_version":1,"status":"active",
    "pending_escalations":1,"plan":{"plan_id":"plan_1","human_review_required":true}}]}})"), plans);
  Value pending = h.Admin(J(R"({"op":"list_escalations","owner":"https://buyer.example.com"})"));
  CHECK_SUBSET(J(R"({"status":"completed","response":{"escalations":[{"task_id":"task_00000001","check_id":"chk_00000001",
    "plan_id":"plan_1","recommendation":"approve","caller":"https://buyer.example.com","tool":"create_media_buy","amount":100}]}})"),
               pending);
  const Value& item = (*pending.find("response")->find_array("escalations"))[0];
  CHECK(item.find_array("findings") != nullptr);
  CHECK(!item.find_string("reason")->empty());
  // Another owner sees nothing of it; a bad owner is INVALID_REQUEST naming the field.
  CHECK_SUBSET(J(R"({"response":{"plans":[]}})"), h.Admin(J(R"({"op":"list_plans","owner":"https://intruder.example.com"})")));
  CHECK_SUBSET(J(R"({"response":{"escalations":[]}})"), h.Admin(J(R"({"op":"list_escalations","owner":"https://intruder.example.com"})")));
  CHECK(ErrorField(h.Admin(J(R"({"op":"list_plans","owner":7})"))) == "owner");
  // Resolved: no longer pending.
  h.Admin(J(R"({"op":"resolve_escalation","task_id":"task_00000001","decision":"approve","reviewer":"jane@acme.example"})"));
  CHECK_SUBSET(J(R"({"response":{"escalations":[]}})"), h.Admin(J(R"({"op":"list_escalations","owner":"https://buyer.example.com"})")));
  CHECK_SUBSET(J(R"({"response":{"plans":[{"pending_escalations":0}]}})"), h.Admin(J(R"({"op":"list_plans","owner":"https://buyer.example.com"})")));
}
