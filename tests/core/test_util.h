// Shared helpers of the Catch2 suites: a deterministic host (clock, seeded
// randomness, a stand-in signer), file access to ../shared and the fixture
// corpus, and subset matching of JSON values.
#pragma once

#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "adcp_governance.h"
#include "canon/sha256.h"
#include "catch2/catch.hpp"
#include "json/json.h"

namespace adcp::test {

using json::Value;

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string SharedPath(const std::string& rel) { return std::string(ADCP_SHARED_DIR) + "/" + rel; }
inline std::string FixturePath(const std::string& rel) { return std::string(ADCP_FIXTURES_DIR) + "/" + rel; }

inline Value ParseOrFail(const std::string& text) {
  json::ParseLimits limits;
  limits.max_bytes = 64u << 20;
  json::ParseResult p = json::Parse(text, limits);
  INFO("JSON: " << text.substr(0, 200));
  REQUIRE(p.ok());
  return p.value;
}

inline Value ReadJson(const std::string& path) {
  std::string text = ReadFileOrEmpty(path);
  INFO("reading " << path);
  REQUIRE(!text.empty());
  return ParseOrFail(text);
}

// splitmix64 byte stream (the JS fixture runner implements the same).
struct SeededRandom {
  uint64_t state = 0;
  std::string Bytes(size_t n) {
    std::string out;
    while (out.size() < n) {
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      for (int i = 0; i < 8 && out.size() < n; ++i) out.push_back(static_cast<char>(z >> (8 * i)));
    }
    return out;
  }
};

// Stand-in signer for core tests (no Ed25519 in the WASM test build): 64
// bytes = SHA-256("A"||kid||input) || SHA-256("B"||kid||input). Real
// Ed25519 signing is exercised through the CLI (libsodium) and the JS
// package (node:crypto / @noble/curves) and verified with jose.
inline std::string StandInSignature(std::string_view input, std::string_view kid) {
  std::string a = "A" + std::string(kid) + std::string(input);
  std::string b = "B" + std::string(kid) + std::string(input);
  std::string raw = std::string(canon::AsBytes(canon::Sha256Of(a))) + std::string(canon::AsBytes(canon::Sha256Of(b)));
  return canon::Base64UrlEncode(raw);
}

struct HostOptions {
  std::string config = R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential"})";
  uint64_t seed = 1;
};

// A deterministic host around one agent.
class Host {
 public:
  // The agent is created on first use, with the JSON hooks that are set by
  // then installed (a hook's presence matters to the core, e.g. 02 §5).
  explicit Host(HostOptions opts = {}) : opts_(std::move(opts)) { random_.state = opts_.seed; }
  Host(HostOptions opts, std::string state) : opts_(std::move(opts)), import_state_(std::move(state)) {
    random_.state = opts_.seed;
  }

  Hooks MakeHooks() {
    Hooks h;
    h.now_ms = [this]() -> HookResult<double> {
      ++clock_reads;
      if (fail_clock) return HookResult<double>::Fail("clock down");
      return {now_ms, ""};
    };
    h.random_bytes = [this](size_t n) -> HookResult<std::string> { return {random_.Bytes(n), ""}; };
    h.sign = [this](std::string_view input, std::string_view, std::string_view kid) -> HookResult<std::string> {
      if (fail_sign) return HookResult<std::string>::Fail("signer down");
      return {StandInSignature(input, kid), ""};
    };
    if (resolve_brand)
      h.resolve_brand = [this](std::string_view brand) -> HookResult<std::string> {
        ++brand_calls;
        if (!resolve_brand) return {R"({"resolvable":true})", ""};
        return resolve_brand(brand);
      };
    if (resolve_policies)
      h.resolve_policies = [this](std::string_view plan) -> HookResult<std::string> {
        ++policy_calls;
        if (!resolve_policies) return {"[]", ""};
        return resolve_policies(plan);
      };
    if (evaluate_policies)
      h.evaluate_policies = [this](std::string_view ctx) -> HookResult<std::string> {
        if (!evaluate_policies) return {R"({"findings":[],"conditions":[]})", ""};
        return evaluate_policies(ctx);
      };
    if (evaluate_attestation)
      h.evaluate_attestation = [this](std::string_view ref, std::string_view ctx) -> HookResult<std::string> {
        if (!evaluate_attestation) return HookResult<std::string>::Fail("no attestation evaluator");
        return evaluate_attestation(ref, ctx);
      };
    return h;
  }

  GovernanceAgent& agent() {
    if (!agent_) {
      Expected<std::unique_ptr<GovernanceAgent>> a =
          import_state_.empty() ? GovernanceAgent::Create(opts_.config, MakeHooks())
                                : GovernanceAgent::Import(opts_.config, import_state_, MakeHooks());
      INFO(a.error);
      REQUIRE(a.ok());
      agent_ = std::move(a.value);
    }
    return *agent_;
  }

  Value Call(const std::string& task, const Value& request, const std::string& agent_url) {
    Value auth = agent_url.empty() ? Value::MakeObject() : json::Obj({{"agent_url", agent_url}});
    return ParseOrFail(Record(task, agent().Call(task, json::Write(request), json::Write(auth))));
  }
  Value CallText(const std::string& task, const std::string& request, const std::string& auth_json) {
    return ParseOrFail(Record(task, agent().Call(task, request, auth_json)));
  }
  // With ADCP_WIRE_DUMP set, every result is appended in wire form for the
  // schema check (tests/js/wire_schema_check.mjs validates it with ajv).
  static const std::string& Record(const std::string& task, const std::string& core_result) {
    static std::ofstream* dump = [] {
      const char* path = std::getenv("ADCP_WIRE_DUMP");
      return path ? new std::ofstream(path, std::ios::trunc) : nullptr;
    }();
    if (dump) {
      Expected<std::string> wire = GovernanceAgent::ToWire(core_result);
      if (wire.ok()) {
        Value line = json::Obj({{"task", task}, {"wire", ParseOrFail(wire.value)}});
        const Value result = ParseOrFail(core_result);  // outlives the pointer into it
        if (const std::string* protocol = result.find_string("protocol")) line.set("protocol", *protocol);
        *dump << json::Write(line) << "\n";
      }
    }
    return core_result;
  }
  Value Admin(const Value& op) { return ParseOrFail(agent().Admin(json::Write(op))); }
  std::string State() { return agent().ExportState(); }

  double now_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  bool fail_clock = false, fail_sign = false;
  int clock_reads = 0, brand_calls = 0, policy_calls = 0;
  std::function<HookResult<std::string>(std::string_view)> resolve_brand, resolve_policies, evaluate_policies;
  std::function<HookResult<std::string>(std::string_view, std::string_view)> evaluate_attestation;

 private:
  HostOptions opts_;
  std::string import_state_;
  SeededRandom random_;
  std::unique_ptr<GovernanceAgent> agent_;
};

// `expected` is a subset of `actual`: objects need every expected key (the
// value "$absent" requires the key to be missing), arrays match element-wise
// with equal length, scalars are equal.
inline bool SubsetMatch(const Value& expected, const Value& actual, const std::string& path, std::string* why) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      *why = path + ": expected an object, got " + json::Write(actual);
      return false;
    }
    for (const json::Member& m : expected.as_object()) {
      const Value* a = actual.find(m.first);
      if (m.second.is_string() && m.second.as_string() == "$absent") {
        if (a) {
          *why = path + "." + m.first + ": expected absent, got " + json::Write(*a);
          return false;
        }
        continue;
      }
      if (m.second.is_string() && m.second.as_string() == "$present") {
        if (!a) {
          *why = path + "." + m.first + ": expected present";
          return false;
        }
        continue;
      }
      if (!a) {
        *why = path + "." + m.first + ": missing";
        return false;
      }
      if (!SubsetMatch(m.second, *a, path + "." + m.first, why)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      *why = path + ": expected " + json::Write(expected) + ", got " + json::Write(actual);
      return false;
    }
    for (size_t i = 0; i < expected.size(); ++i)
      if (!SubsetMatch(expected.as_array()[i], actual.as_array()[i], path + "[" + std::to_string(i) + "]", why))
        return false;
    return true;
  }
  if (!(expected == actual)) {
    *why = path + ": expected " + json::Write(expected) + ", got " + json::Write(actual);
    return false;
  }
  return true;
}

#define CHECK_SUBSET(expected, actual)                                        \
  do {                                                                        \
    std::string _why;                                                         \
    bool _ok = ::adcp::test::SubsetMatch((expected), (actual), "$", &_why);   \
    INFO(_why << "\nactual: " << ::adcp::json::Write(actual));                \
    CHECK(_ok);                                                               \
  } while (0)

inline Value J(const std::string& text) { return ParseOrFail(text); }

// Error code of a failed CoreResult ("" if not failed).
inline std::string ErrorCodeOf(const Value& r) {
  const json::Array* errors = r.find_array("errors");
  if (!errors || errors->empty()) return "";
  const std::string* code = (*errors)[0].find_string("code");
  return code ? *code : "";
}
inline std::string ErrorField(const Value& r) {
  const json::Array* errors = r.find_array("errors");
  if (!errors || errors->empty()) return "";
  const std::string* f = (*errors)[0].find_string("field");
  return f ? *f : "";
}

}  // namespace adcp::test
