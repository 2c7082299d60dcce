// Runs the shared scenario corpus (tests/fixtures/scenarios/*.json), the same
// files the JS suite runs on every backend. Format: tests/fixtures/README.md.
#include <algorithm>
#include <map>
#include <cstring>
#include <dirent.h>

#include "scenario_runner.h"
#include "steps/steps.h"
#include "test_util.h"
#include "util/time.h"

using namespace adcp;
using namespace adcp::test;

namespace {

const char* kDefaultConfig =
    R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential"})";

}  // namespace

std::vector<std::string> adcp::test::ScenarioFiles() {
  std::string dir = FixturePath("scenarios");
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::strstr(e->d_name, ".json")) files.push_back(dir + "/" + e->d_name);
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// (a) the step's change set applied to the twin gives a byte-identical
// exportState; (b) export -> import -> export is byte-identical; (c) a
// failing step yields no change set and leaves the export unchanged.
void CheckChangeSetProperties(Host& host, Host& twin, const HostOptions& opts, const Value& result,
                              const std::string& before) {
  const std::string after = host.State();
  const std::string& change_set = host.agent().LastChangeSet();
  if (*result.find_string("status") == "failed") {
    CHECK(change_set.empty());
    CHECK(after == before);
  }
  if (change_set.empty()) {
    CHECK(after == before);
  } else {
    // A change set is canonical JSON (README): its text is its own JCS form.
    CHECK(json::Canonicalize(ParseOrFail(change_set)) == change_set);
    Expected<bool> applied = twin.agent().ApplyChangeSet(change_set);
    INFO(applied.error);
    CHECK(applied.ok());
  }
  CHECK(twin.State() == after);
  Host imported(opts, after);
  CHECK(imported.State() == after);
}

}  // namespace

std::string adcp::test::RunScenario(const std::string& path) {
  // The step language is the CLI's and the JS runner's (core/steps, from
  // js/step-language.json): one definition, one interpreter per language.
  Expected<steps::ParsedRun> parsed = steps::ParseRun(ReadFileOrEmpty(path));
  INFO(path << ": " << parsed.error);
  REQUIRE(parsed.ok());
  Value config = ParseOrFail(kDefaultConfig);
  for (const json::Member& m : parsed.value.config.as_object()) config.put(m.first, m.second);
  config.put("change_sets", true);  // the producer writes its change sets down for the twin
  HostOptions opts;
  opts.config = json::Write(config);
  Host host(opts);
  steps::Run run;
  run.now_ms = parsed.value.start_now;
  host.now_ms = *run.now_ms;
  // A step moves the step clock before its call: the host's clock follows.
  run.on_clock = [&host](double t) { host.now_ms = t; };
  Hooks fixed;
  Expected<bool> installed = steps::InstallHooks(parsed.value.hooks, run, fixed);
  INFO(installed.error);
  REQUIRE(installed.ok());
  host.resolve_brand = fixed.resolve_brand;
  host.resolve_policies = fixed.resolve_policies;
  host.evaluate_policies = fixed.evaluate_policies;
  host.evaluate_attestation = fixed.evaluate_attestation;
  // Issue 11 property: a twin that only applies the change sets stays
  // byte-identical; every state round-trips through export/import.
  Host twin(opts);
  for (const auto& [where, step_template] : parsed.value.steps) {
    const std::string* note = step_template.find_string("note");
    INFO(path << " " << where << (note ? " (" + *note + ")" : ""));
    std::string before = host.State();
    Expected<steps::StepOutcome> outcome = steps::RunStep(host.agent(), step_template, run);
    INFO(outcome.error);
    REQUIRE(outcome.ok());
    const Value& step = outcome.value.step;
    if (const std::string* task = step.find_string("task")) Host::Record(*task, outcome.value.raw);
    const Value& result = outcome.value.result;
    REQUIRE(result.is_object());
    const std::string after = host.State();
    // One assertion per check the step asks for.
    for (const char* check : {"expect", "state_unchanged"}) {
      if (!step.has(check)) continue;
      std::vector<std::string> problems = steps::CheckStep(json::Obj({{check, *step.find(check)}}), result, before, after);
      INFO(check << ": " << (problems.empty() ? "" : problems[0]) << "\nactual: " << outcome.value.raw);
      CHECK(problems.empty());
    }
    CheckChangeSetProperties(host, twin, opts, result, before);
  }
  return host.State();
}

TEST_CASE("Scenario corpus (tests/fixtures/scenarios)", "[scenarios]") {
  std::vector<std::string> files = ScenarioFiles();
  REQUIRE(!files.empty());
  for (const std::string& f : files) {
    DYNAMIC_SECTION(f.substr(f.rfind('/') + 1)) { RunScenario(f); }
  }
}
