// adcp-governance: the native command-line host of the core.
//
//   adcp-governance jcs FILE
//   adcp-governance plan-hash FILE
//   adcp-governance public-jwk --signing-key FILE [--kid KID]
//   adcp-governance run CALLS.jsonl [--state-in F] [--state-out F] [--now-ms N]
//                       [--seed S] [--signing-key FILE] [--issuer URL] [--kid KID]
//                       [--config FILE] [--wire]
//
// `run` reads one call per line: {"task", "request", "auth"} and prints one
// CoreResult per line. CLI extensions, shared with the test corpus
// (tests/fixtures/README.md): {"admin": op}, {"get_task": id}, "as": URL
// (shorthand for auth), "now" / "now_ms" / "advance_ms" to move the clock,
// and "save": {name: "response.path"} to reuse a result later as "${name}".
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
               "  adcp-governance run CALLS.jsonl [--state-in F] [--state-out F] [--now-ms N] [--seed S]\n"
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

// "${name}" strings are replaced by values saved by earlier lines.
Value Substitute(const Value& v, const std::map<std::string, Value>& vars, std::string* missing) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.size() > 3 && s.compare(0, 2, "${") == 0 && s.back() == '}') {
      auto it = vars.find(s.substr(2, s.size() - 3));
      if (it == vars.end()) {
        *missing = s;
        return v;
      }
      return it->second;
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
    for (const adcp::json::Member& m : v.as_object()) out.set(m.first, Substitute(m.second, vars, missing));
    return out;
  }
  return v;
}

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
  if (!o.issuer.empty()) config.put("issuer", o.issuer);
  if (!config.has("issuer")) config.put("issuer", "https://governance.local/");
  Value signing = config.find_object("signing") ? *config.find_object("signing") : Value::MakeObject();
  signing.put("alg", "EdDSA");
  signing.put("kid", kid);
  signing.put("public_key", public_x);
  config.put("signing", signing);
  const std::string config_json = adcp::json::Write(config);

  double now_ms = o.now_ms;
  bool fixed_clock = o.has_now;  // a line setting the time also fixes the clock
  adcp::Hooks hooks;
  hooks.now_ms = [&]() -> adcp::HookResult<double> {
    if (fixed_clock) return {now_ms, ""};
    return {static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()),
            ""};
  };
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

  std::ifstream in(o.positional[0]);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", o.positional[0].c_str());
    return 1;
  }
  std::string line;
  size_t line_no = 0;
  std::map<std::string, Value> vars;
  while (std::getline(in, line)) {
    ++line_no;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    adcp::json::ParseResult p = adcp::json::Parse(line);
    if (!p.ok() || !p.value.is_object()) {
      std::fprintf(stderr, "line %zu: not a JSON object\n", line_no);
      return 1;
    }
    std::string missing;
    const Value call = Substitute(p.value, vars, &missing);
    if (!missing.empty()) {
      std::fprintf(stderr, "line %zu: %s was not saved by an earlier line\n", line_no, missing.c_str());
      return 1;
    }
    if (call.has("now_ms") || call.has("now") || call.has("advance_ms")) fixed_clock = true;
    if (const double* t = call.find_number("now_ms")) now_ms = *t;
    if (const std::string* t = call.find_string("now")) {
      std::optional<adcp::Instant> i = adcp::ParseDateTime(*t);
      if (!i) {
        std::fprintf(stderr, "line %zu: \"now\" is not an RFC 3339 date-time\n", line_no);
        return 1;
      }
      now_ms = static_cast<double>(i->FloorMillis());
    }
    if (const double* t = call.find_number("advance_ms")) now_ms += *t;
    std::string result;
    if (const Value* op = call.find("admin")) {
      result = agent.Admin(adcp::json::Write(*op));
    } else if (const std::string* task_id = call.find_string("get_task")) {
      result = agent.GetTask(*task_id);
    } else if (const std::string* task = call.find_string("task")) {
      const Value* request = call.find("request");
      Value auth = Value::MakeObject();
      if (const std::string* as = call.find_string("as")) auth = adcp::json::Obj({{"agent_url", *as}});
      if (const Value* a = call.find("auth")) auth = *a;
      result = agent.Call(*task, request ? adcp::json::Write(*request) : "null", adcp::json::Write(auth));
    } else {
      std::fprintf(stderr, "line %zu: needs \"task\", \"admin\" or \"get_task\"\n", line_no);
      return 1;
    }
    if (const Value* save = call.find_object("save")) {
      adcp::json::ParseResult parsed = adcp::json::Parse(result);
      for (const adcp::json::Member& m : save->as_object()) {
        const Value* v = parsed.ok() && m.second.is_string() ? PathIn(parsed.value, m.second.as_string()) : nullptr;
        if (v) vars[m.first] = *v;
      }
    }
    if (o.wire) {
      adcp::Expected<std::string> wire = GovernanceAgent::ToWire(result);
      if (wire.ok()) result = wire.value;
    }
    std::printf("%s\n", result.c_str());
  }
  if (!o.state_out.empty()) {
    std::ofstream out(o.state_out, std::ios::binary);
    out << agent.ExportState();
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", o.state_out.c_str());
      return 1;
    }
  }
  return 0;
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
