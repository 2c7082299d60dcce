// The outcomes-ledger HTTP handler's bodies (spec 11; js/http.js passes the
// POST body text and the query parameters to the core unchanged). The
// first byte picks the route and the caller:
//   'P' POST /api/outcomes as the internal service (bearer)
//   'Q' POST /api/outcomes as session user 7
//   'L' GET  /api/outcomes?<query> as session user 7
//   'S' GET  /api/outcomes/summary?<query> as the internal service
// Invariants: every answer is a CoreResult; a failed call changes nothing;
// a keyed record replays (same record, `replayed`) when sent again.
#include "harness.h"

namespace {

// URLSearchParams semantics: name=value pairs split on '&', as strings
// (invalid UTF-8 cannot come out of the JS layer, so such input is skipped).
bool QueryObject(std::string_view query, std::string* out) {
  adcp::json::Value object = adcp::json::Value::MakeObject();
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq)), value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!adcp::json::IsValidUtf8(name) || !adcp::json::IsValidUtf8(value)) return false;
    if (name == "limit" || name == "before" || name == "user_id") object.put(name, value);
  }
  *out = adcp::json::Write(object);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adcp;
  if (size < 1) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  fuzz::Host host;
  Expected<std::unique_ptr<GovernanceAgent>> created = GovernanceAgent::Create(fuzz::kDefaultConfig, host.MakeHooks());
  if (!created.ok()) fuzz::Violation("default config rejected", created.error);
  GovernanceAgent& agent = *created.value;
  // A little history to list and summarize.
  agent.Call("record_outcome", R"({"outcomeType":"deal_closed","title":"Seed","valueUsd":120.5,"idempotencyKey":"seed-key-0000001"})",
             R"({"mode":"session","user_id":7})");
  const std::string bearer = R"({"mode":"bearer","agent_url":"https://buyer.example.com"})";
  const std::string session = R"({"mode":"session","user_id":7})";
  const std::string before = agent.ExportState();
  std::string result, task, auth, request(body);
  switch (data[0]) {
    case 'P': task = "record_outcome"; auth = bearer; break;
    case 'Q': task = "record_outcome"; auth = session; break;
    case 'L':
      task = "list_outcomes"; auth = session;
      if (!QueryObject(body, &request)) return 0;
      break;
    case 'S':
      task = "get_value_summary"; auth = bearer;
      if (!QueryObject(body, &request)) return 0;
      break;
    default: return 0;
  }
  result = agent.Call(task, request, auth);
  const std::string status = fuzz::StatusOf(result);
  if (status == "failed") {
    if (agent.ExportState() != before) fuzz::Violation("a failed call changed the state", result);
    return 0;
  }
  if (task == "record_outcome" && result.find("\"replayed\":true") == std::string::npos) {
    const std::string after = agent.ExportState();
    std::string again = agent.Call(task, request, auth);
    json::ParseResult p = json::Parse(request);
    const bool keyed = p.ok() && p.value.is_object() && p.value.find_string("idempotencyKey") != nullptr;
    if (keyed) {
      if (fuzz::StatusOf(again) != "completed" || again.find("\"replayed\":true") == std::string::npos)
        fuzz::Violation("a keyed record did not replay", again);
      if (agent.ExportState() != after) fuzz::Violation("a replay changed the state", again);
    }
  }
  fuzz::CheckRoundTrip(fuzz::kDefaultConfig, agent.ExportState());
  return 0;
}
