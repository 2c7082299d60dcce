// Runs the shared scenario corpus (tests/fixtures/scenarios/*.json), the same
// files the JS suite runs on every backend. Format: tests/fixtures/README.md.
#include <algorithm>
#include <map>
#include <cstring>
#include <dirent.h>

#include "scenario_runner.h"
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

// A hook answer from the scenario: a JSON result, or {"$fail": msg}.
std::function<HookResult<std::string>(std::string_view)> FixedHook(const Value& answer) {
  return [answer](std::string_view) -> HookResult<std::string> {
    if (const std::string* msg = answer.find_string("$fail")) return HookResult<std::string>::Fail(*msg);
    return {json::Write(answer), ""};
  };
}

// Fixed hook answers of a scenario or a step (the step language's "hooks":
// every hook the JS runner honours, evaluate_attestation included).
void InstallHooks(const Value& hooks, Host& host) {
  if (const Value* v = hooks.find("resolve_brand")) host.resolve_brand = FixedHook(*v);
  if (const Value* v = hooks.find("resolve_policies")) host.resolve_policies = FixedHook(*v);
  if (const Value* v = hooks.find("evaluate_policies")) host.evaluate_policies = FixedHook(*v);
  if (const Value* v = hooks.find("evaluate_attestation")) {
    Value answer = *v;
    host.evaluate_attestation = [answer](std::string_view, std::string_view) -> HookResult<std::string> {
      if (const std::string* msg = answer.find_string("$fail")) return HookResult<std::string>::Fail(*msg);
      return {json::Write(answer), ""};
    };
  }
}

// "${name}" strings are replaced by values saved by earlier steps.
Value Substitute(const Value& v, const std::map<std::string, Value>& vars) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.size() > 3 && s.compare(0, 2, "${") == 0 && s.back() == '}') {
      auto it = vars.find(s.substr(2, s.size() - 3));
      REQUIRE(it != vars.end());
      return it->second;
    }
    return v;
  }
  if (v.is_array()) {
    Value out = Value::MakeArray();
    for (const Value& e : v.as_array()) out.push(Substitute(e, vars));
    return out;
  }
  if (v.is_object()) {
    Value out = Value::MakeObject();
    for (const json::Member& m : v.as_object()) out.set(m.first, Substitute(m.second, vars));
    return out;
  }
  return v;
}

// A dotted path into a result ("response.governance_context").
const Value* PathIn(const Value& v, const std::string& path) {
  const Value* cur = &v;
  size_t start = 0;
  while (cur) {
    size_t dot = path.find('.', start);
    cur = cur->find(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

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
  std::map<std::string, Value> vars;
  Value sc = ReadJson(path);
  Value config = ParseOrFail(kDefaultConfig);
  if (const Value* overrides = sc.find_object("config"))
    for (const json::Member& m : overrides->as_object()) config.put(m.first, m.second);
  config.put("change_sets", true);  // the producer writes its change sets down for the twin
  HostOptions opts;
  opts.config = json::Write(config);
  Host host(opts);
  if (const Value* hooks = sc.find_object("hooks")) InstallHooks(*hooks, host);
  // Issue 11 property: a twin that only applies the change sets stays
  // byte-identical; every state round-trips through export/import.
  Host twin(opts);
  const json::Array* steps = sc.find_array("steps");
  REQUIRE(steps != nullptr);
  for (size_t i = 0; i < steps->size(); ++i) {
    const Value step = Substitute((*steps)[i], vars);
    INFO(path << " step " << i << (step.find_string("note") ? " (" + *step.find_string("note") + ")" : ""));
    if (const double* now = step.find_number("now_ms")) host.now_ms = *now;
    if (const std::string* now = step.find_string("now")) {
      std::optional<Instant> t = ParseDateTime(*now);
      REQUIRE(t);
      host.now_ms = static_cast<double>(t->FloorMillis());
    }
    if (const double* adv = step.find_number("advance_ms")) host.now_ms += *adv;
    if (const Value* hooks = step.find_object("hooks")) InstallHooks(*hooks, host);
    std::string before = host.State();
    std::string raw;
    if (const Value* op = step.find("admin")) {
      raw = host.agent().Admin(json::Write(*op));
    } else if (const std::string* task_id = step.find_string("get_task")) {
      raw = host.agent().GetTask(*task_id);
    } else {
      const std::string* task = step.find_string("task");
      REQUIRE(task != nullptr);
      std::string auth = "{}";
      if (const std::string* as = step.find_string("as")) auth = json::Write(json::Obj({{"agent_url", *as}}));
      if (const Value* a = step.find("auth")) auth = json::Write(*a);
      const Value* request = step.find("request");
      std::string req = step.find_string("request_text") ? *step.find_string("request_text")
                                                         : (request ? json::Write(*request) : "null");
      raw = Host::Record(*task, host.agent().Call(*task, req, auth));
    }
    Value result = ParseOrFail(raw);
    if (const Value* expect = step.find("expect")) CHECK_SUBSET(*expect, result);
    if (const Value* save = step.find_object("save")) {
      for (const json::Member& m : save->as_object()) {
        const Value* v = PathIn(result, m.second.as_string());
        INFO("save " << m.first << " from " << m.second.as_string() << " in " << raw);
        REQUIRE(v != nullptr);
        vars[m.first] = *v;
      }
    }
    if (const Value* unchanged = step.find("state_unchanged"); unchanged && unchanged->as_bool())
      CHECK(host.State() == before);
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
