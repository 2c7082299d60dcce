#include "call/context.h"

#include <cmath>

#include "json/json.h"
#include "util/url.h"

namespace adcp {

TaskError HookFailure(const std::string& hook, const std::string& why) {
  return MakeError(ErrorCode::kServiceUnavailable, "hook " + hook + " failed: " + why);
}

Result<int64_t> CallContext::Now() {
  if (now_) return *now_;
  if (!hooks_.now_ms) return HookFailure("nowMs", "no clock hook installed");
  HookResult<double> r = hooks_.now_ms();
  if (!r.ok()) return HookFailure("nowMs", r.error);
  double v = r.value;
  if (!std::isfinite(v) || v < 0 || v > 253402300799999.0) return HookFailure("nowMs", "value out of range");
  now_ = static_cast<int64_t>(std::floor(v));
  return *now_;
}

Result<std::string> CallContext::RandomBytes(size_t n) {
  if (!hooks_.random_bytes) return HookFailure("randomBytes", "no random hook installed");
  HookResult<std::string> r = hooks_.random_bytes(n);
  if (!r.ok()) return HookFailure("randomBytes", r.error);
  if (r.value.size() != n) return HookFailure("randomBytes", "wrong number of bytes");
  return r.value;
}

std::string CallContext::NextCounter(const std::string& prefix) {
  uint64_t current;
  auto staged = staged_counters_.find(prefix);
  if (staged != staged_counters_.end()) {
    current = staged->second;
  } else {
    auto it = state_.id_counters.find(prefix);
    current = it == state_.id_counters.end() ? 0 : it->second;
  }
  ++current;
  staged_counters_[prefix] = current;
  std::string digits = std::to_string(current);
  if (digits.size() < 8) digits.insert(0, 8 - digits.size(), '0');
  return digits;
}

Result<std::string> CallContext::NewId(const std::string& prefix,
                                       const std::function<bool(const std::string&)>& taken) {
  if (config_.sequential_ids) {
    // Counters can still meet an imported id; skip forward past it.
    for (;;) {
      std::string id = prefix + "_" + NextCounter(prefix);
      if (!taken || !taken(id)) return id;
    }
  }
  Result<int64_t> now = Now();
  if (!now.ok()) return now.error();
  static const char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int attempt = 0; attempt < 8; ++attempt) {
    Result<std::string> rnd = RandomBytes(10);
    if (!rnd.ok()) return rnd.error();
    uint8_t bytes[16];
    uint64_t t = static_cast<uint64_t>(now.value());
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(t >> (40 - 8 * i));
    for (int i = 0; i < 10; ++i) bytes[6 + i] = static_cast<uint8_t>(rnd.value()[i]);
    // 128 bits -> 26 base32 chars, big-endian, the first char carrying 3 bits.
    std::string token(26, '0');
    for (int c = 25, bit = 0; c >= 0; --c, bit += 5) {
      int v = 0;
      for (int b = 0; b < 5; ++b) {
        int pos = bit + b;  // bit index from the least significant end
        if (pos >= 128) break;
        int byte = 15 - pos / 8;
        v |= ((bytes[byte] >> (pos % 8)) & 1) << b;
      }
      token[c] = kCrockford[v];
    }
    std::string id = prefix + "_" + token;
    if (!taken || !taken(id)) return id;
  }
  return HookFailure("randomBytes", "repeated id collisions");
}

Result<std::string> CallContext::NewHexId(const std::string& sequential_prefix,
                                          const std::function<bool(const std::string&)>& taken) {
  if (config_.sequential_ids) {
    for (;;) {
      std::string id = sequential_prefix + "_" + NextCounter(sequential_prefix);
      if (!taken || !taken(id)) return id;
    }
  }
  static const char kHex[] = "0123456789abcdef";
  for (int attempt = 0; attempt < 8; ++attempt) {
    Result<std::string> rnd = RandomBytes(16);
    if (!rnd.ok()) return rnd.error();
    std::string id;
    for (unsigned char b : rnd.value()) {
      id.push_back(kHex[b >> 4]);
      id.push_back(kHex[b & 15]);
    }
    if (!taken || !taken(id)) return id;
  }
  return HookFailure("randomBytes", "repeated id collisions");
}

Result<std::string> CallContext::NewJti() {
  if (config_.sequential_ids) return "jti_" + NextCounter("jti");
  Result<int64_t> now = Now();
  if (!now.ok()) return now.error();
  Result<std::string> rnd = RandomBytes(10);
  if (!rnd.ok()) return rnd.error();
  uint8_t b[16];
  uint64_t t = static_cast<uint64_t>(now.value());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(t >> (40 - 8 * i));
  for (int i = 0; i < 10; ++i) b[6 + i] = static_cast<uint8_t>(rnd.value()[i]);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x70);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

void CallContext::Commit() {
  store_.SetCounters(staged_counters_);
  staged_counters_.clear();
}

Result<json::Value> CallContext::CallJsonHook(const char* name, const std::function<HookResult<std::string>()>& call) {
  HookResult<std::string> r = call();
  if (!r.ok()) return HookFailure(name, r.error);
  json::ParseResult p = json::Parse(r.value);
  if (!p.ok()) return HookFailure(name, "result is not valid JSON");
  return p.value;
}

}  // namespace adcp
