// Stateful task sequences: one agent, one call per input line.
//
//   G<config JSON>          first line only: the agent's configuration
//   H<{"hook": answer}>     fixed answers of the JSON hooks ("$fail" fails)
//   N<ms>                   the clock, in ms since the epoch
//   s c o a l r i v         sync_plans, check_governance, report_plan_outcome,
//                           report_plan_adjustment, get_plan_audit_logs,
//                           record_outcome, list_outcomes, get_value_summary:
//                           <op><auth JSON>\t<request text>
//   t<task id>              getTask
//   m<op JSON>              admin
//   x                       export -> import -> export now
//
// Invariants: every result is a JSON object with a status; a failed call
// changes nothing; every 50 calls, at `x` and at the end export -> import ->
// export is byte-identical. "A failed call changes nothing" is checked with
// a twin: agent A runs every call, agent B only the calls that succeeded on
// A; B's result must equal A's byte for byte, and at the end (and at `x`)
// both export the same state. Exporting once per input instead of once per
// call keeps the fuzzer fast. An input runs at most kMaxCalls calls (state
// worth reaching comes from the seeds). tests/fuzz/make_seeds.mjs writes the
// shared scenario corpus in this form.
#include "harness.h"

namespace {

const char* TaskOf(char op) {
  switch (op) {
    case 's': return "sync_plans";
    case 'c': return "check_governance";
    case 'o': return "report_plan_outcome";
    case 'a': return "report_plan_adjustment";
    case 'l': return "get_plan_audit_logs";
    case 'r': return "record_outcome";
    case 'i': return "list_outcomes";
    case 'v': return "get_value_summary";
    default: return nullptr;
  }
}

constexpr size_t kMaxCalls = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adcp;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string config = fuzz::kDefaultConfig;
  if (!input.empty() && input[0] == 'G') {
    size_t end = input.find('\n');
    config = std::string(input.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  }
  fuzz::Host host_a, host_b;
  std::unique_ptr<GovernanceAgent> a, b;
  size_t calls = 0;
  auto check_twins = [&] {
    const std::string state = a->ExportState();
    if (b->ExportState() != state) fuzz::Violation("a failed call changed the state (twins differ)", state);
    fuzz::CheckRoundTrip(config, state);
  };
  while (!input.empty() && calls < kMaxCalls) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    if (line.empty()) continue;
    const char op = line[0];
    std::string_view rest = line.substr(1);
    if (op == 'H') {  // hook answers apply to agents created from now on
      json::ParseResult p = json::Parse(rest);
      if (p.ok() && p.value.is_object() && !a)
        for (const json::Member& m : p.value.as_object())
          host_a.hook_answers[m.first] = host_b.hook_answers[m.first] =
              m.second.is_string() && m.second.as_string() == "$fail" ? "$fail" : json::Write(m.second);
      continue;
    }
    if (op == 'N') {
      json::ParseResult p = json::Parse(rest);
      if (p.ok() && p.value.is_number()) host_a.now_ms = host_b.now_ms = p.value.as_number();
      continue;
    }
    if (!a) {
      Expected<std::unique_ptr<GovernanceAgent>> ca = GovernanceAgent::Create(config, host_a.MakeHooks());
      if (!ca.ok()) return 0;  // an invalid configuration is the config parser's business
      a = std::move(ca.value);
      b = std::move(GovernanceAgent::Create(config, host_b.MakeHooks()).value);
    }
    if (op == 'x') {
      check_twins();
      continue;
    }
    auto run = [&](GovernanceAgent& agent) -> std::string {
      if (const char* task = TaskOf(op)) {
        size_t tab = rest.find('\t');
        std::string_view auth = tab == std::string_view::npos ? std::string_view("{}") : rest.substr(0, tab);
        std::string_view request = tab == std::string_view::npos ? rest : rest.substr(tab + 1);
        return agent.Call(task, request, auth);
      }
      if (op == 't') return agent.GetTask(rest);
      if (op == 'm') return agent.Admin(rest);
      return "";
    };
    host_a.BeginCall(rest);
    std::string result = run(*a);
    if (result.empty()) continue;
    ++calls;
    if (fuzz::StatusOf(result) != "failed") {
      host_b.BeginCall(rest);
      if (run(*b) != result) fuzz::Violation("the twin answered differently (a failed call changed the state)", result);
    }
    if (calls % 50 == 0) check_twins();
  }
  if (a) check_twins();
  return 0;
}
