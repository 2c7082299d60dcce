// Outcomes ledger (spec 11) rules the scenario corpus cannot express: random
// ids, created_at from the clock hook, hook failures, state export/import and
// large-history listing. Request/response rules live in the shared corpus
// (tests/fixtures/scenarios/11-*.json).
#include <catch2/catch.hpp>

#include <regex>

#include "test_util.h"

using namespace adcp;
using namespace adcp::test;
using adcp::json::Value;

namespace {

const std::string kBearer = R"({"mode":"bearer"})";
std::string Session(int64_t user) { return R"({"mode":"session","user_id":)" + std::to_string(user) + "}"; }

Value Record(Host& h, const std::string& body, const std::string& auth) { return h.CallText("record_outcome", body, auth); }

}  // namespace

TEST_CASE("11 §3 ids: random mode is 32 lower-case hex digits of randomBytes(16)", "[outcomes]") {
  HostOptions opts;
  opts.config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"}})";
  Host h(opts);
  Value r = Record(h, R"({"outcomeType":"deal_closed","title":"t"})", Session(1));
  REQUIRE(*r.find_string("status") == "completed");
  const std::string id = *r.find("response")->find_string("id");
  CHECK(std::regex_match(id, std::regex("^[0-9a-f]{32}$")));
  // The first 16 bytes of the host's generator (splitmix64 seeded with 1).
  SeededRandom expected;
  expected.state = 1;
  CHECK(id == canon::HexLower(expected.Bytes(16)));
}

TEST_CASE("11 §3 created_at: the nowMs hook, ISO 8601 UTC with milliseconds", "[outcomes]") {
  Host h;
  h.now_ms = 1767225600123.9;  // the core floors to whole milliseconds
  REQUIRE(*Record(h, R"({"outcomeType":"task_complete","title":"t"})", Session(3)).find_string("status") == "completed");
  Value list = h.CallText("list_outcomes", "{}", Session(3));
  CHECK(*list.find("response")->find_array("outcomes")->at(0).find_string("created_at") == "2026-01-01T00:00:00.123Z");
}

TEST_CASE("11 §3 a failing clock or random hook records nothing", "[outcomes]") {
  HostOptions opts;
  opts.config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"}})";
  Host h(opts);
  const std::string before = h.State();
  h.fail_clock = true;
  Value r = Record(h, R"({"outcomeType":"deal_closed","title":"t"})", Session(1));
  CHECK(*r.find_array("errors")->at(0).find_string("code") == "SERVICE_UNAVAILABLE");
  CHECK(h.State() == before);
}

TEST_CASE("11 §6 records survive exportState/importState with identical answers", "[outcomes]") {
  Host h;
  Record(h, R"({"outcomeType":"deal_closed","title":"A","valueUsd":0.1,"agentId":2,"metadata":{"plan_id":"p","n":[1,2]}})",
         Session(5));
  h.now_ms += 1000;
  Record(h, R"({"outcomeType":"deal_closed","title":"B","valueUsd":0.2,"description":"d","userId":5})", kBearer);
  h.now_ms += 1000;
  Record(h, R"({"outcomeType":"task_complete","title":"C","idempotencyKey":"export-key-000000001"})", Session(5));
  Record(h, R"({"outcomeType":"task_complete","title":"orphan"})", kBearer);  // no user: listed by no one
  const std::string state = h.State();
  const std::string list = h.agent().Call("list_outcomes", "{}", Session(5));
  const std::string summary = h.agent().Call("get_value_summary", "{}", Session(5));
  CHECK(ParseOrFail(summary).find("response")->find_number("value_usd") != nullptr);
  CHECK(*ParseOrFail(summary).find("response")->find_number("value_usd") == 0.1 + 0.2);  // plain sum, creation order

  Host restored(HostOptions{}, state);
  restored.now_ms = h.now_ms;
  CHECK(restored.State() == state);
  CHECK(restored.agent().Call("list_outcomes", "{}", Session(5)) == list);
  CHECK(restored.agent().Call("get_value_summary", "{}", Session(5)) == summary);
  // The idempotency entry came along: the retry replays, and new ids continue the sequence.
  Value replay = Record(restored, R"({"outcomeType":"task_complete","title":"C","idempotencyKey":"export-key-000000001"})",
                        Session(5));
  CHECK(replay.find("replayed")->as_bool());
  Value next = Record(restored, R"({"outcomeType":"task_complete","title":"D"})", Session(5));
  CHECK(*next.find("response")->find_string("id") == "ocr_00000005");
}

TEST_CASE("11 §6 a state document without value_records imports as an empty ledger", "[outcomes]") {
  Host h;
  std::string state = h.State();
  const std::string member = R"(,"value_records":[])";
  REQUIRE(state.find(member) != std::string::npos);
  state.erase(state.find(member), member.size());
  Host restored(HostOptions{}, state);
  Value list = restored.CallText("list_outcomes", "{}", Session(1));
  CHECK(list.find("response")->find_array("outcomes")->empty());
}

TEST_CASE("11 §6 invalid value records are refused on import", "[outcomes]") {
  Host h;
  Record(h, R"({"outcomeType":"deal_closed","title":"A"})", Session(5));
  const std::string state = h.State();
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"("user_id":5)", R"("user_id":-5)"}, {R"("title":"A")", R"("title":7)"}, {R"("created_at":)", R"("created":)"}}) {
    std::string broken = state;
    REQUIRE(broken.find(from) != std::string::npos);
    broken.replace(broken.find(from), from.size(), to);
    Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Import(
        R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"}})", broken, h.MakeHooks());
    INFO(to);
    CHECK(!a.ok());
    CHECK(a.error.find("value_records[0]") != std::string::npos);
  }
}

TEST_CASE("11 §4 listing pages through a long history in order", "[outcomes]") {
  Host h;
  // 3000 records of one user in 1000 distinct milliseconds (three per ms), plus another user's.
  for (int i = 0; i < 3000; ++i) {
    if (i % 3 == 0) h.now_ms += 1;
    Record(h, R"({"outcomeType":"task_complete","title":"t)" + std::to_string(i) + R"(","userId":1})", kBearer);
    if (i % 10 == 0) Record(h, R"({"outcomeType":"task_complete","title":"x","userId":2})", kBearer);
  }
  std::vector<std::string> seen;
  std::string before;
  for (;;) {
    std::string req = before.empty() ? R"({"limit":50})" : R"({"limit":50,"before":")" + before + "\"}";
    Value page = h.CallText("list_outcomes", req, Session(1));
    const json::Array& items = *page.find("response")->find_array("outcomes");
    if (items.empty()) break;
    for (const Value& item : items) seen.push_back(*item.find_string("title"));
    before = *items.back().find_string("id");
  }
  REQUIRE(seen.size() == 3000);
  for (int i = 0; i < 3000; ++i) CHECK(seen[i] == "t" + std::to_string(2999 - i));
}

TEST_CASE("11 §4 (revised): records of one millisecond list the later-recorded first, with random ids", "[outcomes]") {
  HostOptions opts;  // random ids: they carry no order
  opts.config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"}})";
  Host h(opts);
  std::vector<std::string> recorded;
  for (int i = 0; i < 55; ++i) {
    Value r = Record(h, R"({"outcomeType":"deal_closed","title":"t)" + std::to_string(i) + R"("})", Session(3));
    REQUIRE(*r.find_string("status") == "completed");
    recorded.push_back(*r.find("response")->find_string("id"));
  }
  // Newest first = reverse record order, across pages of 20 with `before`.
  std::vector<std::string> listed;
  std::string before;
  for (int page = 0; page < 4; ++page) {
    Value req = before.empty() ? json::Obj({{"limit", 20}}) : json::Obj({{"limit", 20}, {"before", before}});
    Value r = h.CallText("list_outcomes", json::Write(req), Session(3));
    REQUIRE(*r.find_string("status") == "completed");
    const json::Array& items = *r.find("response")->find_array("outcomes");
    for (const Value& item : items) listed.push_back(*item.find_string("id"));
    if (items.empty()) break;
    before = *items.back().find_string("id");
  }
  std::vector<std::string> expected(recorded.rbegin(), recorded.rend());
  CHECK(listed == expected);
  // The order survives export/import.
  Host restored(opts, h.State());
  Value first = restored.CallText("list_outcomes", R"({"limit":3})", Session(3));
  const json::Array& items = *first.find("response")->find_array("outcomes");
  REQUIRE(items.size() == 3);
  CHECK(*items[0].find_string("id") == recorded[54]);
  CHECK(*items[2].find_string("id") == recorded[52]);
}
