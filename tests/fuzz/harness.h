// Shared pieces of the libFuzzer targets: a deterministic host (clock,
// splitmix64 randomness, the corpus' stand-in signer, fixed JSON hook
// answers) and the invariants every target checks. A broken invariant
// aborts, which libFuzzer reports as a finding with its input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "adcp_governance.h"
#include "canon/sha256.h"
#include "json/json.h"

namespace adcp::fuzz {

inline constexpr const char* kDefaultConfig =
    R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential","change_sets":true})";

[[noreturn]] inline void Violation(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "invariant violated: %s\n%.*s\n", what, static_cast<int>(std::min<size_t>(detail.size(), 4000)),
               detail.data());
  std::abort();
}

// The host of one agent; every answer is a pure function of the input.
struct Host {
  double now_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  uint64_t random_state = 1;
  std::map<std::string, std::string> hook_answers;  // resolve_brand, resolve_policies, ...

  Hooks MakeHooks() {
    Hooks h;
    h.now_ms = [this]() -> HookResult<double> { return {now_ms, ""}; };
    h.random_bytes = [this](size_t n) -> HookResult<std::string> {
      std::string out;
      while (out.size() < n) {
        uint64_t z = (random_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (int i = 0; i < 8 && out.size() < n; ++i) out.push_back(static_cast<char>(z >> (8 * i)));
      }
      return {out, ""};
    };
    h.sign = [](std::string_view input, std::string_view, std::string_view kid) -> HookResult<std::string> {
      std::string a = "A" + std::string(kid) + std::string(input), b = "B" + std::string(kid) + std::string(input);
      return {canon::Base64UrlEncode(std::string(canon::AsBytes(canon::Sha256Of(a))) +
                                     std::string(canon::AsBytes(canon::Sha256Of(b)))),
              ""};
    };
    auto answer = [this](const char* name) -> HookResult<std::string> {
      auto it = hook_answers.find(name);
      if (it == hook_answers.end()) return HookResult<std::string>::Fail("no answer");
      if (it->second == "$fail") return HookResult<std::string>::Fail("hook failed");
      return {it->second, ""};
    };
    if (hook_answers.count("resolve_brand"))
      h.resolve_brand = [answer](std::string_view) { return answer("resolve_brand"); };
    if (hook_answers.count("resolve_policies"))
      h.resolve_policies = [answer](std::string_view) { return answer("resolve_policies"); };
    if (hook_answers.count("evaluate_policies"))
      h.evaluate_policies = [answer](std::string_view) { return answer("evaluate_policies"); };
    if (hook_answers.count("evaluate_attestation"))
      h.evaluate_attestation = [answer](std::string_view, std::string_view) { return answer("evaluate_attestation"); };
    return h;
  }
};

// A CoreResult must be a JSON object with a status; returns the status.
inline std::string StatusOf(const std::string& result) {
  json::ParseLimits limits;
  limits.max_bytes = SIZE_MAX;
  limits.max_depth = 256;
  json::ParseResult p = json::Parse(result, limits);
  if (!p.ok() || !p.value.is_object()) Violation("result is not a JSON object", result);
  const std::string* status = p.value.find_string("status");
  if (!status) Violation("result without status", result);
  return *status;
}

// export -> import -> export is byte-identical (the state document is
// complete and import is exact).
inline void CheckRoundTrip(const std::string& config, const std::string& state) {
  Host host;
  Expected<std::unique_ptr<GovernanceAgent>> again = GovernanceAgent::Import(config, state, host.MakeHooks());
  if (!again.ok()) Violation("an exported state does not import", again.error + "\n" + state);
  std::string reexported = again.value->ExportState();
  if (reexported != state) Violation("export -> import -> export differs", state + "\n----\n" + reexported);
}

}  // namespace adcp::fuzz
