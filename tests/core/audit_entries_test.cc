// Audit trail entries (06 §6, core/src/audit/entries.cc): an answer's
// entries splice the members of stored bodies as text (issue 15), and read
// exactly as the bodies parsed do, including bodies imported in another form.
#include "audit/entries.h"
#include "check_helpers.h"
#include "config/config.h"
#include "state/serialize.h"

using namespace adcp::test;
namespace json = adcp::json;

TEST_CASE("Entries splice stored body members as text and read as the parsed bodies do", "[15][06]") {
  Host h;
  SyncPlan(h, BasePlan());
  Value intent = adcp::test::Check(h, IntentRequest(600));
  REQUIRE(Verdict(intent) == "approved");
  const std::string token = Token(intent);
  Value outcome = h.Call("report_plan_outcome", json::Obj({{"idempotency_key", NextKey("outcome")}, {"plan_id", "plan_1"},
                                                           {"check_id", *Body(intent).find_string("check_id")},
                                                           {"governance_context", token}, {"outcome", "completed"},
                                                           {"seller_response", J(R"({"seller_reference":"mb_1"})")}}),
                         kBuyer);
  REQUIRE(*outcome.find_string("status") == "completed");
  // Metrics with escapes and non-ASCII text, then an overspend (findings).
  Value m1 = StatementMetrics("st_\u00e9\"\\1\u2028", 1, 100, "2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z", R"(,"impressions":1200)");
  Value first = adcp::test::Check(h, DeliveryRequest(token, m1), kSeller);
  INFO(json::Write(first));
  REQUIRE(Verdict(first) == "approved");
  // The buyer's observation of that period (kept as text, spliced as text).
  Value observed = h.Call("report_plan_outcome",
                          json::Obj({{"idempotency_key", NextKey("observation")}, {"plan_id", "plan_1"},
                                     {"check_id", *Body(first).find_string("check_id")},
                                     {"governance_context", Token(first)}, {"outcome", "delivery"},
                                     {"delivery", J(R"({"observation_id":"obs_\u00e9","source":"buyer_measurement",
                                       "observed_at":"2026-01-08T02:00:00Z","reporting_period":{"start":"2026-01-01T00:00:00Z",
                                       "end":"2026-01-08T00:00:00Z"},"cumulative_spend":100.50,"currency":"USD"})")}}),
                          kBuyer);
  INFO(json::Write(observed));
  REQUIRE(*observed.find_string("status") == "completed");
  Value over = adcp::test::Check(h, DeliveryRequest(token, StatementMetrics("st_2", 2, 5000)), kSeller);
  REQUIRE(Body(over).find_array("findings"));
  REQUIRE_FALSE(Body(over).find_array("findings")->empty());
  const std::string audit_request = R"({"plan_ids":["plan_1"],"include_entries":true})";
  const std::string spliced = h.agent().Call("get_plan_audit_logs", audit_request, R"({"agent_url":"https://buyer.example.com"})");

  // Every entry reads the same whether its body's members are spliced or parsed.
  const std::string state = h.State();
  adcp::Config config;
  REQUIRE(adcp::ParseConfig(HostOptions().config, &config).empty());
  adcp::State s;
  REQUIRE(adcp::ImportState(state, config, &s).ok());
  REQUIRE(s.plans.size() == 1);
  REQUIRE(s.plans[0].entries.size() == 5);
  Value parsed_entries = Value::MakeArray();
  for (const adcp::EntryRef& ref : s.plans[0].entries) {
    adcp::EntryOptions verbatim, parsed;
    verbatim.verbatim_members = true;
    const std::string as_text = json::Write(adcp::Entry(s, ref, verbatim));
    const std::string as_values = json::Write(adcp::Entry(s, ref, parsed));
    CHECK(as_text == as_values);
    parsed_entries.push(adcp::Entry(s, ref, parsed));
  }
  Value answer = ParseOrFail(spliced);
  CHECK(*answer.find("response")->find_array("plans")[0][0].find("entries") == parsed_entries);
  CHECK(spliced.find(R"("delivery":{"observation_id":"obs_é","source":"buyer_measurement")") != std::string::npos);
  CHECK(spliced.find(R"("cumulative_spend":100.5,"currency":"USD"})") != std::string::npos);

  // An imported body written otherwise (spaces, escapes, 1.0) is kept as the
  // core writes it: the agent exports and answers as the original does.
  Value doc = ParseOrFail(state);
  json::Array& checks = *const_cast<json::Array*>(doc.find_array("checks"));
  std::string body = checks[0].find_string("body") ? *checks[0].find_string("body") : "";
  const size_t verdict = body.find("\"verdict\":");
  REQUIRE(verdict != std::string::npos);
  body.replace(verdict, 10, " \"\\u0076erdict\" : ");
  REQUIRE(body != *checks[0].find_string("body"));
  checks[0].put("body", body);
  Host restored(HostOptions(), json::Write(doc));
  CHECK(restored.State() == state);
  CHECK(restored.agent().Call("get_plan_audit_logs", audit_request, R"({"agent_url":"https://buyer.example.com"})") == spliced);
}
