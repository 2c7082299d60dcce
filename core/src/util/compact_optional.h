// An optional number in the number's own 8 bytes (issue 15: memory per
// decision). std::optional<double> and std::optional<int64_t> are 16 bytes,
// half of it the flag and its padding; records carry several (an action's
// ceiling, execution amount and next check, a check's amount). Absence is a
// value the number never takes:
//   - a double: a signaling NaN with a fixed payload. JSON has no NaN, and
//     arithmetic (IEEE 754, x86 and WebAssembly alike) only produces quiet
//     NaNs, so no computed value has these bits; the bits are compared as
//     integers, never as doubles;
//   - an int64_t: INT64_MIN (the records' times and counts are >= 0).
// The interface is the subset of std::optional the records use: a value is
// read with * or value_or() and returned by value, so it is never changed in
// place (assign a new value instead).
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

namespace adcp {

class OptionalDouble {
 public:
  OptionalDouble() = default;
  OptionalDouble(std::nullopt_t) {}                                // NOLINT: like std::optional
  OptionalDouble(double value) : bits_(BitsOf(value)) {}           // NOLINT
  OptionalDouble(const std::optional<double>& value) : bits_(value ? BitsOf(*value) : kAbsent) {}  // NOLINT
  OptionalDouble& operator=(std::nullopt_t) {
    bits_ = kAbsent;
    return *this;
  }
  bool has_value() const { return bits_ != kAbsent; }
  explicit operator bool() const { return has_value(); }
  double operator*() const {
    double value;
    std::memcpy(&value, &bits_, sizeof value);
    return value;
  }
  double value_or(double fallback) const { return has_value() ? **this : fallback; }
  void reset() { bits_ = kAbsent; }
  operator std::optional<double>() const { return has_value() ? std::optional<double>(**this) : std::nullopt; }  // NOLINT
  friend bool operator==(const OptionalDouble& a, const OptionalDouble& b) {
    return a.has_value() == b.has_value() && (!a.has_value() || *a == *b);
  }
  friend bool operator!=(const OptionalDouble& a, const OptionalDouble& b) { return !(a == b); }

 private:
  static constexpr uint64_t kAbsent = 0x7FF0'0000'AD0C'0001ull;  // exponent all ones, quiet bit clear, payload != 0
  static uint64_t BitsOf(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  }
  uint64_t bits_ = kAbsent;
};

class OptionalInt64 {
 public:
  OptionalInt64() = default;
  OptionalInt64(std::nullopt_t) {}                         // NOLINT: like std::optional
  OptionalInt64(int64_t value) : value_(value) {}          // NOLINT
  OptionalInt64(const std::optional<int64_t>& value) : value_(value ? *value : kAbsent) {}  // NOLINT
  OptionalInt64& operator=(std::nullopt_t) {
    value_ = kAbsent;
    return *this;
  }
  bool has_value() const { return value_ != kAbsent; }
  explicit operator bool() const { return has_value(); }
  int64_t operator*() const { return value_; }
  int64_t value_or(int64_t fallback) const { return has_value() ? value_ : fallback; }
  void reset() { value_ = kAbsent; }
  operator std::optional<int64_t>() const { return has_value() ? std::optional<int64_t>(value_) : std::nullopt; }  // NOLINT
  friend bool operator==(const OptionalInt64& a, const OptionalInt64& b) { return a.value_ == b.value_; }
  friend bool operator!=(const OptionalInt64& a, const OptionalInt64& b) { return !(a == b); }

 private:
  static constexpr int64_t kAbsent = std::numeric_limits<int64_t>::min();
  int64_t value_ = kAbsent;
};

}  // namespace adcp
