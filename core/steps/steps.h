// The step language for native hosts: the CLI (`adcp-governance run`) and
// the C++ scenario runner (tests/core/scenarios_test.cc). Its one definition
// is js/step-language.json, compiled in; js/steps.js interprets the same file
// for JS hosts with the same messages. A host, not the core: it moves the
// host's clock and answers the host's hooks.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adcp_governance.h"
#include "json/json.h"

namespace adcp::steps {

using json::Value;

// js/step-language.json.
const Value& Language();

// A run in progress: saved values, the current answers of the hooks the run
// installed, and the step clock (unset until a step or the scenario sets it;
// `real_clock` answers until then).
struct Run {
  std::map<std::string, Value> vars;
  std::map<std::string, Value> answers;
  std::optional<double> now_ms;
  std::function<double()> real_clock;
  std::function<void(double)> on_clock;  // told each time a step moves the clock
  double Now() const { return now_ms ? *now_ms : (real_clock ? real_clock() : 0); }
};

// A file's run: a scenario document ({config, hooks, steps}, the clock
// starting at the language's start_now) or one step per line. `where` names
// each step in messages ("step 3" / "line 4").
struct ParsedRun {
  Value config = Value::MakeObject();
  Value hooks = Value::MakeObject();
  std::vector<std::pair<std::string, Value>> steps;
  std::optional<double> start_now;
};
Expected<ParsedRun> ParseRun(std::string_view text);

// The first thing wrong with a step's shape, or "" (a shape check, not an
// error carrier: the caller turns it into its error).
std::string StepProblem(const Value& step);

// Installs fixed-answer hooks for the hooks named in `initial` (a scenario's
// "hooks"; {"$fail": message} = the hook fails). They read run.answers at
// call time, so `run` must outlive the agent.
Expected<bool> InstallHooks(const Value& initial, Run& run, Hooks& hooks);

// Runs one step template: checks its shape, substitutes "${var}", installs
// new hook answers, moves the clock, makes the call and saves what the step
// asks for.
struct StepOutcome {
  Value step;          // the step after substitution
  Value result;        // the parsed result
  std::string raw;     // the result as the agent returned it
};
Expected<StepOutcome> RunStep(GovernanceAgent& agent, const Value& step_template, Run& run);

// What the step's checks ("expect"; "state_unchanged" given the exports
// before and after) find wrong.
std::vector<std::string> CheckStep(const Value& step, const Value& result, const std::string& state_before,
                                   const std::string& state_after);
// expected ⊆ actual, with "$absent" / "$present" markers.
std::vector<std::string> SubsetProblems(const Value& expected, const Value& actual, const std::string& path = "$");

}  // namespace adcp::steps
