// The shared scenario corpus runner (tests/core/scenarios_test.cc).
#pragma once

#include <string>
#include <vector>

namespace adcp::test {

// tests/fixtures/scenarios/*.json, sorted.
std::vector<std::string> ScenarioFiles();
// Runs one scenario (checking every step's expectations) and returns the
// agent's final exportState.
std::string RunScenario(const std::string& path);

}  // namespace adcp::test
