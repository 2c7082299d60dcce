// importState on arbitrary bytes (issue 17: state documents are untrusted
// input once they are read back from disk or a database). Invariants: no
// sanitizer report; an accepted document exports, and that export imports
// again to the same bytes.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adcp;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::Host host;
  Expected<std::unique_ptr<GovernanceAgent>> agent = GovernanceAgent::Import(fuzz::kDefaultConfig, input, host.MakeHooks());
  if (!agent.ok()) {
    if (agent.error.empty()) fuzz::Violation("import failed without a message");
    return 0;
  }
  const std::string exported = agent.value->ExportState();
  fuzz::CheckRoundTrip(fuzz::kDefaultConfig, exported);
  // An imported agent answers calls without breaking its own invariants.
  const std::string before = agent.value->ExportState();
  std::string audit = agent.value->Call("get_plan_audit_logs", R"({"plan_ids":["p1"],"include_entries":true})",
                                        R"({"agent_url":"https://buyer.example.com"})");
  if (fuzz::StatusOf(audit) == "failed" && agent.value->ExportState() != before)
    fuzz::Violation("a failed call changed the state", audit);
  return 0;
}
