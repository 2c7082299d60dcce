// Bad input (issue "Core foundation" §6, 07 §1.1, 08 §1–2): structured
// errors and state byte-identical to before.
#include "test_util.h"

using namespace adcp;
using namespace adcp::test;

namespace {

const char* kOwner = "https://buyer.example.com";

std::string SyncBody(const std::string& plan_fragment = "") {
  return R"({"idempotency_key":"bad-input-key-000001","plans":[{"plan_id":"p1","brand":{"domain":"acme.example"},)"
         R"("objectives":"x","budget":{"total":1000,"currency":"USD","reallocation_unlimited":true},)"
         R"("flight":{"start":"2026-01-01T00:00:00Z","end":"2026-12-31T00:00:00Z"})" +
         plan_fragment + "}]}";
}

void ExpectRejected(Host& host, const std::string& text, const std::string& code, const std::string& field = "") {
  std::string before = host.State();
  Value r = host.CallText("sync_plans", text, R"({"agent_url":"https://buyer.example.com"})");
  INFO(json::Write(r));
  CHECK(*r.find_string("status") == "failed");
  CHECK(ErrorCodeOf(r) == code);
  const Value& e = r.find_array("errors")[0][0];
  CHECK(e.find_string("message") != nullptr);
  CHECK(e.find_string("recovery") != nullptr);
  if (!field.empty()) CHECK(ErrorField(r) == field);
  CHECK(host.State() == before);
}

}  // namespace

TEST_CASE("07 §1.1 malformed JSON bodies fail INVALID_REQUEST and change nothing", "[07][08]") {
  Host host;
  REQUIRE(*host.CallText("sync_plans", SyncBody(), R"({"agent_url":"https://buyer.example.com"})").find_string("status") ==
          "completed");
  ExpectRejected(host, "{", "INVALID_REQUEST");
  ExpectRejected(host, "[]", "INVALID_REQUEST");
  ExpectRejected(host, R"({"a":1,"a":2})", "INVALID_REQUEST");            // duplicate keys
  ExpectRejected(host, R"({"plans":[{"x":1,"x":1}]})", "INVALID_REQUEST");
  ExpectRejected(host, "{\"a\":\"\xC3\x28\"}", "INVALID_REQUEST");         // invalid UTF-8
  ExpectRejected(host, "{\"a\":\"\xED\xA0\x80\"}", "INVALID_REQUEST");     // encoded surrogate
  ExpectRejected(host, R"({"a":"\ud800"})", "INVALID_REQUEST");          // lone high surrogate
  ExpectRejected(host, R"({"a":"\udc00"})", "INVALID_REQUEST");          // lone low surrogate
  ExpectRejected(host, R"({"a":NaN})", "INVALID_REQUEST");
  ExpectRejected(host, R"({"a":Infinity})", "INVALID_REQUEST");
  ExpectRejected(host, R"({"a":-Infinity})", "INVALID_REQUEST");
  ExpectRejected(host, R"({"a":1e400})", "INVALID_REQUEST");             // overflows a double
  ExpectRejected(host, std::string("{\"a\":1}\0", 8), "INVALID_REQUEST");
  ExpectRejected(host, "{\"a\":1} x", "INVALID_REQUEST");
}

TEST_CASE("Bad input: nesting deeper than 64 is rejected, 64 is accepted", "[08]") {
  Host host;
  auto nested = [](int depth) {
    std::string s = R"({"idempotency_key":"bad-input-key-000002","plans":[],"ext":)";
    for (int i = 0; i < depth - 1; ++i) s += "[";
    for (int i = 0; i < depth - 1; ++i) s += "]";
    return s + "}";
  };
  // Depth counts containers: the root object plus depth-1 nested arrays.
  Value ok = host.CallText("sync_plans", nested(64), R"({"agent_url":"https://buyer.example.com"})");
  // Depth 64 parses: the request then fails schema validation at a field.
  CHECK(ErrorCodeOf(ok) == "INVALID_REQUEST");
  CHECK_FALSE(ErrorField(ok).empty());
  Value deep = host.CallText("sync_plans", nested(65), R"({"agent_url":"https://buyer.example.com"})");
  CHECK(ErrorCodeOf(deep) == "INVALID_REQUEST");
  CHECK(ErrorField(deep).empty());
  std::string msg = *deep.find_array("errors")[0][0].find_string("message");
  CHECK(msg.find("nesting") != std::string::npos);
}

TEST_CASE("Bad input: bodies over the configured size limit are rejected", "[08]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"max_request_bytes":4096})";
  Host host(o);
  std::string big = SyncBody(R"(,"ext":{"pad":")" + std::string(5000, 'x') + "\"}");
  Value r = host.CallText("sync_plans", big, R"({"agent_url":"https://buyer.example.com"})");
  CHECK(ErrorCodeOf(r) == "INVALID_REQUEST");
  // The default limit is 1 MiB.
  Host def;
  std::string mib = SyncBody(R"(,"ext":{"pad":")" + std::string(1 << 20, 'x') + "\"}");
  CHECK(ErrorCodeOf(def.CallText("sync_plans", mib, R"({"agent_url":"https://buyer.example.com"})")) == "INVALID_REQUEST");
  std::string under = SyncBody(R"(,"ext":{"pad":")" + std::string(1000, 'x') + "\"}");
  CHECK(*def.CallText("sync_plans", under, R"({"agent_url":"https://buyer.example.com"})").find_string("status") ==
        "completed");
}

TEST_CASE("Bad input: wrong types give field-level errors with one issue", "[08][02]") {
  Host host;
  std::string before = host.State();
  Value r = host.CallText("sync_plans",
                          R"({"idempotency_key":"bad-input-key-000003","plans":[{"plan_id":"p","brand":{"domain":"a.example"},"objectives":"x","budget":{"total":"100","currency":"USD","reallocation_unlimited":true},"flight":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}}]})",
                          R"({"agent_url":"https://buyer.example.com"})");
  CHECK(ErrorCodeOf(r) == "INVALID_REQUEST");
  CHECK(ErrorField(r) == "plans[0].budget.total");
  const Value& e = r.find_array("errors")[0][0];
  const json::Array& issues = *e.find_array("issues");
  REQUIRE(issues.size() == 1);
  CHECK(*issues[0].find_string("pointer") == "/plans/0/budget/total");
  CHECK(*issues[0].find_string("keyword") == "type");
  CHECK(*e.find_string("recovery") == "correctable");
  CHECK(host.State() == before);
}

TEST_CASE("README authJson: missing or invalid identity is unauthenticated", "[01][08]") {
  Host host;
  for (const char* auth : {"{}", "null", "not json", R"({"agent_url":"buyer"})", R"({"agent_url":"mailto:a@b.c"})",
                           R"({"agent_url":7})"}) {
    INFO(auth);
    Value r = host.CallText("sync_plans", SyncBody(), auth);
    CHECK(ErrorCodeOf(r) == "PERMISSION_DENIED");
  }
  (void)kOwner;
}

TEST_CASE("README: a hook that fails gives SERVICE_UNAVAILABLE and mutates nothing", "[08]") {
  Host host;
  host.resolve_brand = [](std::string_view) { return HookResult<std::string>::Fail("registry down"); };
  std::string before = host.State();
  Value r = host.CallText("sync_plans", SyncBody(), R"({"agent_url":"https://buyer.example.com"})");
  CHECK(ErrorCodeOf(r) == "SERVICE_UNAVAILABLE");
  CHECK(*r.find_array("errors")[0][0].find_string("recovery") == "transient");
  CHECK(host.State() == before);
  // A malformed hook result is a failure too.
  host.resolve_brand = [](std::string_view) { return HookResult<std::string>{R"({"resolvable":"yes"})", ""}; };
  CHECK(ErrorCodeOf(host.CallText("sync_plans", SyncBody(), R"({"agent_url":"https://buyer.example.com"})")) ==
        "SERVICE_UNAVAILABLE");
  host.resolve_brand = nullptr;
  host.fail_clock = true;
  CHECK(ErrorCodeOf(host.CallText("sync_plans", SyncBody(), R"({"agent_url":"https://buyer.example.com"})")) ==
        "SERVICE_UNAVAILABLE");
  host.fail_clock = false;
  host.now_ms = 1e300;  // out of range
  CHECK(ErrorCodeOf(host.CallText("sync_plans", SyncBody(), R"({"agent_url":"https://buyer.example.com"})")) ==
        "SERVICE_UNAVAILABLE");
  CHECK(host.State() == before);
}

TEST_CASE("README: a re-entrant call from inside a hook fails SERVICE_UNAVAILABLE", "[08]") {
  Host host;
  std::string inner;
  host.resolve_brand = [&](std::string_view) {
    inner = host.agent().Call("get_plan_audit_logs", R"({"plan_ids":["p1"]})",
                              R"({"agent_url":"https://buyer.example.com"})");
    return HookResult<std::string>{R"({"resolvable":true})", ""};
  };
  Value r = host.CallText("sync_plans", SyncBody(), R"({"agent_url":"https://buyer.example.com"})");
  CHECK(*r.find_string("status") == "completed");
  CHECK(ErrorCodeOf(ParseOrFail(inner)) == "SERVICE_UNAVAILABLE");
}
