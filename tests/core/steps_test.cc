// The step language (core/steps, from js/step-language.json): the runs it
// rejects give the same messages as js/steps.js (tests/js/steps.test.mjs
// runs the same fixture), and its definition is complete.
#include "steps/steps.h"
#include "test_util.h"

using namespace adcp;
using namespace adcp::test;

namespace {

// Runs a scenario document on a fresh agent until a step fails; returns the
// message ("" when every step ran).
std::string RunUntilRejected(const Value& run_document) {
  Expected<steps::ParsedRun> parsed = steps::ParseRun(json::Write(run_document));
  if (!parsed.ok()) return parsed.error;
  Host host;
  steps::Run run;
  run.now_ms = parsed.value.start_now;
  Hooks fixed;
  Expected<bool> installed = steps::InstallHooks(parsed.value.hooks, run, fixed);
  if (!installed.ok()) return installed.error;
  host.resolve_brand = fixed.resolve_brand;
  host.resolve_policies = fixed.resolve_policies;
  for (const auto& [where, step_template] : parsed.value.steps) {
    Expected<steps::StepOutcome> outcome = steps::RunStep(host.agent(), step_template, run);
    if (!outcome.ok()) return where + ": " + outcome.error;
  }
  return "";
}

}  // namespace

TEST_CASE("The step language rejects the fixture's runs with the shared messages", "[steps]") {
  Value fixture = ReadJson(FixturePath("step-language/rejected.json"));
  const json::Array* cases = fixture.find_array("cases");
  REQUIRE(cases != nullptr);
  REQUIRE(cases->size() >= 10);
  for (const Value& c : *cases) {
    INFO(*c.find_string("name"));
    CHECK(RunUntilRejected(*c.find("run")) == *c.find_string("error"));
  }
}

TEST_CASE("The step language definition names a type and a role for every key", "[steps]") {
  const Value& language = steps::Language();
  REQUIRE(language.find_object("keys") != nullptr);
  for (const json::Member& key : language.find_object("keys")->as_object()) {
    INFO(key.first);
    CHECK(key.second.find_string("type") != nullptr);
    CHECK(key.second.find_string("role") != nullptr);
  }
  // Every hook the language installs is one the runner can answer.
  for (const char* hook : {"resolve_brand", "resolve_policies", "evaluate_policies", "evaluate_attestation"})
    CHECK(language.find_object("hooks")->has(hook));
}

TEST_CASE("A step's hooks re-answer an installed hook from that step on", "[steps]") {
  Host host;
  steps::Run run;
  Hooks fixed;
  REQUIRE(steps::InstallHooks(J(R"({"resolve_brand":{"resolvable":true}})"), run, fixed).ok());
  REQUIRE(fixed.resolve_brand);
  CHECK(!fixed.resolve_policies);  // only what the run names is installed: a hook's presence matters (02 §5)
  CHECK(fixed.resolve_brand("{}").value == R"({"resolvable":true})");
  Expected<steps::StepOutcome> outcome =
      steps::RunStep(host.agent(), J(R"({"get_task":"task_x","hooks":{"resolve_brand":{"$fail":"registry down"}}})"), run);
  REQUIRE(outcome.ok());
  HookResult<std::string> answer = fixed.resolve_brand("{}");
  CHECK(!answer.ok());
  CHECK(answer.error == "registry down");
}

TEST_CASE("The step clock: now, now_ms and advance_ms move it before the call", "[steps]") {
  Host host;
  steps::Run run;
  double seen = 0;
  run.on_clock = [&seen](double t) { seen = t; };
  REQUIRE(steps::RunStep(host.agent(), J(R"({"get_task":"t","now":"2026-03-01T00:00:00Z","advance_ms":1500})"), run).ok());
  CHECK(seen == 1772323201500.0);
  REQUIRE(steps::RunStep(host.agent(), J(R"({"get_task":"t","advance_ms":500})"), run).ok());
  CHECK(run.Now() == 1772323202000.0);
  REQUIRE(steps::RunStep(host.agent(), J(R"({"get_task":"t","now_ms":5})"), run).ok());
  CHECK(run.Now() == 5.0);
}
