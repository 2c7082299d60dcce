// The step language for native hosts (steps.h). The same checks, in the
// same order and with the same messages, as js/steps.js: both read
// js/step-language.json, so a step either runs alike on every host or is
// rejected alike.
#include "steps/steps.h"

#include "step_language_json.h"  // generated from js/step-language.json (CMakeLists.txt)
#include "util/time.h"

namespace adcp::steps {

namespace {

// A scenario file may be larger and deeper than a request.
const json::ParseLimits kRunLimits{64u << 20, 256};

template <class T>
Expected<T> Ok(T value) {
  Expected<T> e;
  e.value = std::move(value);
  return e;
}

template <class T>
Expected<T> Fail(std::string message) {
  Expected<T> e;
  e.error = std::move(message);
  return e;
}

bool HasType(const Value& v, const std::string& type) {
  if (type == "any") return true;
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  return false;
}

std::string Joined(const json::Array& names) {
  std::string out;
  for (const Value& n : names) out += (out.empty() ? "" : ", ") + n.as_string();
  return out;
}

std::string KeyRole(const std::string& key) {
  const Value* def = Language().find_object("keys")->find_object(key);
  return def ? *def->find_string("role") : "";
}

// "${name}" strings are replaced by values saved by earlier steps.
Value Substitute(const Value& v, const std::map<std::string, Value>& vars, std::string* missing) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.size() > 3 && s.compare(0, 2, "${") == 0 && s.back() == '}') {
      auto it = vars.find(s.substr(2, s.size() - 3));
      if (it != vars.end()) return it->second;
      if (missing->empty()) *missing = s;
    }
    return v;
  }
  if (v.is_array()) {
    Value out = Value::MakeArray();
    for (const Value& e : v.as_array()) out.push(Substitute(e, vars, missing));
    return out;
  }
  if (v.is_object()) {
    Value out = Value::MakeObject();
    for (const json::Member& m : v.as_object()) out.set(m.first, Substitute(m.second, vars, missing));
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
    cur = cur->is_object() ? cur->find(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start))
                           : nullptr;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

// The clock after the step's clock keys.
Expected<bool> MoveClock(const Value& step, Run& run) {
  const double* now_ms = step.find_number("now_ms");
  const std::string* now = step.find_string("now");
  const double* advance = step.find_number("advance_ms");
  if (!now_ms && !now && !advance) return Ok(true);
  double t = run.Now();
  if (now_ms) t = *now_ms;
  if (now) {
    std::optional<Instant> parsed = ParseDateTime(*now);
    if (!parsed) return Fail<bool>("\"now\" is not an RFC 3339 date-time");
    t = static_cast<double>(parsed->FloorMillis());
  }
  if (advance) t += *advance;
  run.now_ms = t;
  if (run.on_clock) run.on_clock(t);
  return Ok(true);
}

HookResult<std::string> Answer(const Value& answer) {
  if (answer.is_object())
    if (const std::string* message = answer.find_string("$fail")) return HookResult<std::string>::Fail(*message);
  return {json::Write(answer), ""};
}

std::string Call(GovernanceAgent& agent, const Value& step) {
  if (const Value* op = step.find("admin")) return agent.Admin(json::Write(*op));
  if (const std::string* task_id = step.find_string("get_task")) return agent.GetTask(*task_id);
  Value auth = Value::MakeObject();
  if (const std::string* as = step.find_string("as")) auth = json::Obj({{"agent_url", *as}});
  if (const Value* a = step.find("auth")) auth = *a;
  const Value* request = step.find("request");
  const std::string* request_text = step.find_string("request_text");
  return agent.Call(*step.find_string("task"),
                    request_text ? *request_text : (request ? json::Write(*request) : "null"), json::Write(auth));
}

}  // namespace

const Value& Language() {
  static const Value language = json::Parse(kStepLanguageJson).value;
  return language;
}

Expected<ParsedRun> ParseRun(std::string_view text) {
  ParsedRun run;
  json::ParseResult whole = json::Parse(text, kRunLimits);
  if (whole.ok() && whole.value.is_object() && whole.value.find_array("steps")) {
    const Value* scenario = Language().find_object("scenario");
    for (const json::Member& m : whole.value.as_object()) {
      bool known = false;
      for (const Value& k : *scenario->find_array("keys")) known = known || k.as_string() == m.first;
      if (!known) return Fail<ParsedRun>("unknown scenario key \"" + m.first + "\"");
    }
    for (const char* key : {"config", "hooks"}) {
      if (const Value* v = whole.value.find(key)) {
        if (!v->is_object()) return Fail<ParsedRun>(std::string("scenario key \"") + key + "\" must be an object");
        (std::string(key) == "config" ? run.config : run.hooks) = *v;
      }
    }
    const json::Array& steps = *whole.value.find_array("steps");
    for (size_t i = 0; i < steps.size(); ++i) run.steps.emplace_back("step " + std::to_string(i), steps[i]);
    run.start_now = static_cast<double>(ParseDateTime(*scenario->find_string("start_now"))->FloorMillis());
    return Ok(std::move(run));
  }
  size_t line_no = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++line_no;
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string_view::npos || line[b] == '#') continue;
    json::ParseResult p = json::Parse(line.substr(b, e - b + 1), kRunLimits);
    if (!p.ok()) return Fail<ParsedRun>("line " + std::to_string(line_no) + ": not a JSON object");
    run.steps.emplace_back("line " + std::to_string(line_no), std::move(p.value));
  }
  return Ok(std::move(run));
}

std::string StepProblem(const Value& step) {
  if (!step.is_object()) return "a step is a JSON object";
  const Value& keys = *Language().find_object("keys");
  for (const json::Member& m : step.as_object()) {
    const Value* def = keys.find_object(m.first);
    if (!def) return "unknown step key \"" + m.first + "\"";
    const std::string& type = *def->find_string("type");
    if (!HasType(m.second, type))
      return "step key \"" + m.first + "\" must be " + (type == "object" ? "an " : "a ") + type;
  }
  for (const Value& group : *Language().find_array("exclusive")) {
    int present = 0;
    for (const Value& k : group.as_array()) present += step.has(k.as_string()) ? 1 : 0;
    if (present > 1) return "a step takes only one of " + Joined(group.as_array());
  }
  json::Array calls;
  bool has_call = false;
  for (const json::Member& m : keys.as_object()) {
    if (*m.second.find_string("role") != "call") continue;
    calls.push_back(Value(m.first));
    has_call = has_call || step.has(m.first);
  }
  if (!has_call) return "a step needs one of " + Joined(calls);
  for (const json::Member& m : step.as_object())
    if (KeyRole(m.first) == "task" && !step.has("task")) return "step key \"" + m.first + "\" needs \"task\"";
  return "";
}

Expected<bool> InstallHooks(const Value& initial, Run& run, Hooks& hooks) {
  const Value& names = *Language().find_object("hooks");
  for (const json::Member& m : initial.as_object()) {
    if (!names.has(m.first)) return Fail<bool>("unknown hook \"" + m.first + "\"");
    run.answers[m.first] = m.second;
    Run* r = &run;
    const std::string name = m.first;
    auto answer = [r, name](std::string_view) { return Answer(r->answers[name]); };
    if (name == "resolve_brand") hooks.resolve_brand = answer;
    if (name == "resolve_policies") hooks.resolve_policies = answer;
    if (name == "evaluate_policies") hooks.evaluate_policies = answer;
    if (name == "evaluate_attestation")
      hooks.evaluate_attestation = [r, name](std::string_view, std::string_view) { return Answer(r->answers[name]); };
  }
  return Ok(true);
}

Expected<StepOutcome> RunStep(GovernanceAgent& agent, const Value& step_template, Run& run) {
  std::string problem = StepProblem(step_template);
  if (!problem.empty()) return Fail<StepOutcome>(problem);
  StepOutcome out;
  std::string missing;
  out.step = Substitute(step_template, run.vars, &missing);
  if (!missing.empty()) return Fail<StepOutcome>(missing + " was not saved by an earlier step");
  Expected<bool> clock = MoveClock(out.step, run);
  if (!clock.ok()) return Fail<StepOutcome>(clock.error);
  if (const Value* hooks = out.step.find_object("hooks")) {
    for (const json::Member& m : hooks->as_object()) {
      if (!run.answers.count(m.first))
        return Fail<StepOutcome>("hook \"" + m.first + "\" is not installed (name it in the scenario's hooks)");
      run.answers[m.first] = m.second;
    }
  }
  out.raw = Call(agent, out.step);
  out.result = json::ParseStored(out.raw);
  if (const Value* save = out.step.find_object("save")) {
    for (const json::Member& m : save->as_object()) {
      const Value* v = m.second.is_string() ? PathIn(out.result, m.second.as_string()) : nullptr;
      if (!v) return Fail<StepOutcome>("nothing at " + json::Write(m.second) + " to save as \"" + m.first + "\"");
      run.vars[m.first] = *v;
    }
  }
  return Ok(std::move(out));
}

std::vector<std::string> SubsetProblems(const Value& expected, const Value& actual, const std::string& path) {
  std::vector<std::string> problems;
  auto differ = [&]() { problems.push_back(path + ": expected " + json::Write(expected) + ", got " + json::Write(actual)); };
  if (expected.is_object()) {
    if (!actual.is_object()) return {path + ": expected an object"};
    for (const json::Member& m : expected.as_object()) {
      const Value* a = actual.find(m.first);
      const std::string* marker = m.second.is_string() ? &m.second.as_string() : nullptr;
      if (marker && *marker == "$absent") {
        if (a) problems.push_back(path + "." + m.first + ": expected absent");
      } else if (marker && *marker == "$present") {
        if (!a) problems.push_back(path + "." + m.first + ": expected present");
      } else if (!a) {
        problems.push_back(path + "." + m.first + ": missing");
      } else {
        for (std::string& p : SubsetProblems(m.second, *a, path + "." + m.first)) problems.push_back(std::move(p));
      }
    }
  } else if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      differ();
    } else {
      for (size_t i = 0; i < expected.size(); ++i)
        for (std::string& p : SubsetProblems(expected.as_array()[i], actual.as_array()[i],
                                             path + "[" + std::to_string(i) + "]"))
          problems.push_back(std::move(p));
    }
  } else if (expected != actual) {
    differ();
  }
  return problems;
}

std::vector<std::string> CheckStep(const Value& step, const Value& result, const std::string& state_before,
                                   const std::string& state_after) {
  std::vector<std::string> problems;
  if (const Value* expect = step.find("expect")) problems = SubsetProblems(*expect, result);
  const Value* unchanged = step.find("state_unchanged");
  if (unchanged && unchanged->is_bool() && unchanged->as_bool() && state_before != state_after)
    problems.push_back("the state changed");
  return problems;
}

}  // namespace adcp::steps
