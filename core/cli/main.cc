// adcp-governance: the native command-line host of the core.
//
//   adcp-governance jcs FILE
//   adcp-governance plan-hash FILE
//   adcp-governance public-jwk --signing-key FILE [--kid KID]
//   adcp-governance run CALLS.jsonl|SCENARIO.json [--state-in F] [--state-out F] [--now-ms N]
//                       [--seed S] [--signing-key FILE] [--issuer URL] [--kid KID]
//                       [--config FILE] [--wire]
//
// `run` runs the step language (js/step-language.json, shared with the JS
// CLI and both scenario runners; core/steps): one step per line, or a
// scenario document {config, hooks, steps}, and prints one result per step.
// A failed "expect" / "state_unchanged" is reported on stderr and the exit
// code is 1; a step the language rejects stops the run.
// The CLI is a host: it supplies the clock, randomness (libsodium, or a
// seeded generator for reproducible runs) and the Ed25519 signer (libsodium).
#include <sodium.h>

#include <cstdio>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "adcp_governance.h"
#include "canon/sha256.h"
#include "json/json.h"
#include "steps/steps.h"
#include "util/time.h"

namespace {

using adcp::GovernanceAgent;
using adcp::json::Value;

int Usage() {
  std::fprintf(stderr,
               "usage:\n"
               "  adcp-governance jcs FILE\n"
               "  adcp-governance plan-hash FILE\n"
               "  adcp-governance public-jwk --signing-key FILE [--kid KID]\n"
               "  adcp-governance run CALLS.jsonl|SCENARIO.json [--state-in F] [--state-out F] [--now-ms N] [--seed S]\n"
               "                      [--signing-key FILE] [--issuer URL] [--kid KID] [--config FILE] [--wire]\n");
  return 2;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// splitmix64: a deterministic byte stream for --seed (reproducible runs only).
struct SeededRandom {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::string Bytes(size_t n) {
    std::string out;
    while (out.size() < n) {
      uint64_t v = Next();
      for (int i = 0; i < 8 && out.size() < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
    }
    return out;
  }
};

struct Options {
  std::vector<std::string> positional;
  std::string state_in, state_out, signing_key, issuer, kid, config;
  bool has_now = false, has_seed = false, wire = false;
  double now_ms = 0;
  uint64_t seed = 0;
};

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--state-in") {
      if (!value(&o->state_in)) return false;
    } else if (a == "--state-out") {
      if (!value(&o->state_out)) return false;
    } else if (a == "--signing-key") {
      if (!value(&o->signing_key)) return false;
    } else if (a == "--issuer") {
      if (!value(&o->issuer)) return false;
    } else if (a == "--kid") {
      if (!value(&o->kid)) return false;
    } else if (a == "--config") {
      if (!value(&o->config)) return false;
    } else if (a == "--now-ms") {
      if (!value(&v)) return false;
      o->has_now = true;
      o->now_ms = std::strtod(v.c_str(), nullptr);
    } else if (a == "--seed") {
      if (!value(&v)) return false;
      o->has_seed = true;
      o->seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (a == "--wire") {
      o->wire = true;
    } else if (a.rfind("--", 0) == 0) {
      return false;
    } else {
      o->positional.push_back(a);
    }
  }
  return true;
}

struct KeyPair {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

bool LoadSeed(const std::string& path, std::string* seed, std::string* error) {
  std::string text;
  if (!ReadFile(path, &text)) {
    *error = "cannot read " + path;
    return false;
  }
  if (!adcp::canon::Base64UrlDecode(Trim(text), seed) || seed->size() != crypto_sign_SEEDBYTES) {
    *error = path + ": expected a 32-byte Ed25519 seed in base64url";
    return false;
  }
  return true;
}

std::string DefaultKid(const KeyPair& kp) {
  std::string pk(reinterpret_cast<const char*>(kp.pk), sizeof kp.pk);
  return "cli-" + adcp::canon::Base64UrlEncode(adcp::canon::AsBytes(adcp::canon::Sha256Of(pk))).substr(0, 12);
}

int Pure(const std::string& cmd, const Options& o) {
  if (o.positional.size() != 1) return Usage();
  std::string text;
  if (!ReadFile(o.positional[0], &text)) {
    std::fprintf(stderr, "cannot read %s\n", o.positional[0].c_str());
    return 1;
  }
  adcp::Expected<std::string> r = cmd == "jcs" ? GovernanceAgent::Jcs(text) : GovernanceAgent::PlanHash(text);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error.c_str());
    return 1;
  }
  std::printf("%s\n", r.value.c_str());
  return 0;
}

int Run(const Options& o, bool jwk_only) {
  if (!jwk_only && o.positional.size() != 1) return Usage();
  SeededRandom seeded{o.seed};
  auto random_bytes = [&](size_t n) {
    if (o.has_seed) return seeded.Bytes(n);
    std::string out(n, '\0');
    randombytes_buf(&out[0], n);
    return out;
  };
  KeyPair kp;
  std::string seed, error;
  if (!o.signing_key.empty()) {
    if (!LoadSeed(o.signing_key, &seed, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
  } else if (jwk_only) {
    return Usage();
  } else {
    seed = random_bytes(crypto_sign_SEEDBYTES);  // ephemeral key for this run
  }
  crypto_sign_seed_keypair(kp.pk, kp.sk, reinterpret_cast<const unsigned char*>(seed.data()));
  const std::string kid = o.kid.empty() ? DefaultKid(kp) : o.kid;
  const std::string public_x =
      adcp::canon::Base64UrlEncode(std::string(reinterpret_cast<const char*>(kp.pk), sizeof kp.pk));

  Value config = Value::MakeObject();
  if (!o.config.empty()) {
    std::string text;
    adcp::json::ParseResult p;
    if (!ReadFile(o.config, &text) || !(p = adcp::json::Parse(text)).ok() || !p.value.is_object()) {
      std::fprintf(stderr, "cannot read config %s\n", o.config.c_str());
      return 1;
    }
    config = p.value;
  }
  // The run: one step per line, or a scenario document whose config is
  // merged over --config (the step language, core/steps).
  adcp::steps::ParsedRun plan;
  if (!jwk_only) {
    std::string text;
    if (!ReadFile(o.positional[0], &text)) {
      std::fprintf(stderr, "cannot read %s\n", o.positional[0].c_str());
      return 1;
    }
    adcp::Expected<adcp::steps::ParsedRun> parsed = adcp::steps::ParseRun(text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s\n", parsed.error.c_str());
      return 1;
    }
    plan = std::move(parsed.value);
    for (const adcp::json::Member& m : plan.config.as_object()) config.put(m.first, m.second);
  }
  if (!o.issuer.empty()) config.put("issuer", o.issuer);
  if (!config.has("issuer")) config.put("issuer", "https://governance.local/");
  Value signing = config.find_object("signing") ? *config.find_object("signing") : Value::MakeObject();
  signing.put("alg", "EdDSA");
  signing.put("kid", kid);
  signing.put("public_key", public_x);
  config.put("signing", signing);
  const std::string config_json = adcp::json::Write(config);

  // The step clock: --now-ms, the scenario's start, or the real clock until
  // a step sets it.
  adcp::steps::Run run;
  run.real_clock = []() {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  };
  if (plan.start_now) run.now_ms = plan.start_now;
  if (o.has_now) run.now_ms = o.now_ms;
  adcp::Hooks hooks;
  hooks.now_ms = [&run]() -> adcp::HookResult<double> { return {run.Now(), ""}; };
  adcp::Expected<bool> installed = adcp::steps::InstallHooks(plan.hooks, run, hooks);
  if (!installed.ok()) {
    std::fprintf(stderr, "%s\n", installed.error.c_str());
    return 1;
  }
  hooks.random_bytes = [&](size_t n) -> adcp::HookResult<std::string> { return {random_bytes(n), ""}; };
  hooks.sign = [&](std::string_view input, std::string_view alg, std::string_view) -> adcp::HookResult<std::string> {
    if (alg != "EdDSA") return adcp::HookResult<std::string>::Fail("only EdDSA is supported by the CLI signer");
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(), kp.sk);
    return {adcp::canon::Base64UrlEncode(std::string(reinterpret_cast<const char*>(sig), sizeof sig)), ""};
  };

  adcp::Expected<std::unique_ptr<GovernanceAgent>> created;
  if (!o.state_in.empty()) {
    std::string state;
    if (!ReadFile(o.state_in, &state)) {
      std::fprintf(stderr, "cannot read %s\n", o.state_in.c_str());
      return 1;
    }
    created = GovernanceAgent::Import(config_json, state, hooks);
  } else {
    created = GovernanceAgent::Create(config_json, hooks);
  }
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.error.c_str());
    return 1;
  }
  GovernanceAgent& agent = *created.value;
  if (jwk_only) {
    std::printf("%s\n", agent.PublicJwk().c_str());
    return 0;
  }

  int failures = 0;
  for (const auto& [where, step_template] : plan.steps) {
    const Value* unchanged = step_template.find("state_unchanged");
    const bool check_state = unchanged && unchanged->is_bool() && unchanged->as_bool();
    const std::string before = check_state ? agent.ExportState() : std::string();
    adcp::Expected<adcp::steps::StepOutcome> outcome = adcp::steps::RunStep(agent, step_template, run);
    if (!outcome.ok()) {
      std::fprintf(stderr, "%s: %s\n", where.c_str(), outcome.error.c_str());
      return 1;
    }
    std::string printed = outcome.value.raw;
    if (o.wire) {
      adcp::Expected<std::string> wire = GovernanceAgent::ToWire(printed);
      if (wire.ok()) printed = wire.value;
    }
    std::printf("%s\n", printed.c_str());
    const std::string after = check_state ? agent.ExportState() : std::string();
    for (const std::string& problem : adcp::steps::CheckStep(outcome.value.step, outcome.value.result, before, after)) {
      std::fprintf(stderr, "%s: %s\n", where.c_str(), problem.c_str());
      ++failures;
    }
  }
  if (!o.state_out.empty()) {
    std::ofstream out(o.state_out, std::ios::binary);
    out << agent.ExportState();
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", o.state_out.c_str());
      return 1;
    }
  }
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  if (sodium_init() < 0) {
    std::fprintf(stderr, "libsodium failed to initialize\n");
    return 1;
  }
  std::string cmd = argv[1];
  Options o;
  if (!ParseOptions(argc, argv, &o)) return Usage();
  if (cmd == "jcs" || cmd == "plan-hash") return Pure(cmd, o);
  if (cmd == "run") return Run(o, false);
  if (cmd == "public-jwk") return Run(o, true);
  return Usage();
}
