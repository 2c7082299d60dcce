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
// yields no change set and changes nothing; a twin agent that only applies
// the change sets (issue 11) exports the same state; every 50 calls, at `x`
// and at the end export -> import -> export is byte-identical. An input runs
// at most kMaxCalls calls (state worth reaching comes from the seeds).
// tests/fuzz/make_seeds.mjs writes the shared scenario corpus in this form.
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
    // The producer must write its change sets down for the twin.
    json::ParseResult parsed = json::Parse(config);
    if (parsed.ok() && parsed.value.is_object()) {
      parsed.value.put("change_sets", true);
      config = json::Write(parsed.value);
    }
  }
  fuzz::Host host, twin_host;
  std::unique_ptr<GovernanceAgent> agent, twin;
  size_t calls = 0;
  std::string state;  // the agent's export after the last call
  auto check_twin = [&] {
    if (twin->ExportState() != state) fuzz::Violation("the change-set twin differs", state);
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
      if (p.ok() && p.value.is_object() && !agent)
        for (const json::Member& m : p.value.as_object())
          host.hook_answers[m.first] =
              m.second.is_string() && m.second.as_string() == "$fail" ? "$fail" : json::Write(m.second);
      continue;
    }
    if (op == 'N') {
      json::ParseResult p = json::Parse(rest);
      if (p.ok() && p.value.is_number()) host.now_ms = p.value.as_number();
      continue;
    }
    if (!agent) {
      Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Create(config, host.MakeHooks());
      if (!a.ok()) return 0;  // an invalid configuration is the config parser's business
      agent = std::move(a.value);
      twin = std::move(GovernanceAgent::Create(config, twin_host.MakeHooks()).value);
      state = agent->ExportState();
    }
    if (op == 'x') {
      check_twin();
      continue;
    }
    std::string result;
    if (const char* task = TaskOf(op)) {
      size_t tab = rest.find('\t');
      std::string_view auth = tab == std::string_view::npos ? std::string_view("{}") : rest.substr(0, tab);
      std::string_view request = tab == std::string_view::npos ? rest : rest.substr(tab + 1);
      result = agent->Call(task, request, auth);
    } else if (op == 't') {
      result = agent->GetTask(rest);
    } else if (op == 'm') {
      result = agent->Admin(rest);
    } else {
      continue;
    }
    ++calls;
    const std::string& change_set = agent->LastChangeSet();
    const bool failed = fuzz::StatusOf(result) == "failed";
    if (failed && !change_set.empty()) fuzz::Violation("a failed call produced a change set", change_set);
    if (!change_set.empty()) {
      Expected<bool> applied = twin->ApplyChangeSet(change_set);
      if (!applied.ok()) fuzz::Violation("a change set did not apply to the twin", applied.error + "\n" + change_set);
      state = agent->ExportState();
    } else if (calls % 8 == 0 || failed) {
      // No change set: nothing may have changed (checked on every failure
      // and now and then on success).
      if (agent->ExportState() != state) fuzz::Violation("the state changed without a change set", result);
    }
    if (calls % 50 == 0) check_twin();
  }
  if (agent) check_twin();
  return 0;
}
