// A SHA-256 digest in lowercase hex (a request's payload hash), or the same
// after "sha256:" (a statement digest), kept as its 32 bytes (issue 15: as
// text it was a 65- or 72-byte heap block beside every outcome, statement
// and idempotency entry). Any other text, such as an imported record's, is
// kept as it is, so str() always gives back what was stored.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/boxed.h"

namespace adcp {

class HexDigest {
 public:
  HexDigest() = default;
  HexDigest(std::string_view text) { Assign(text); }          // NOLINT: records assign strings
  HexDigest(const std::string& text) { Assign(text); }        // NOLINT
  HexDigest(const char* text) { Assign(std::string_view(text)); }  // NOLINT

  std::string str() const {
    if (!raw_) return other_ ? *other_ : std::string();
    static constexpr char kHex[] = "0123456789abcdef";
    const size_t at = prefixed_ ? kPrefix.size() : 0;
    std::string text(at + 64, '0');
    if (prefixed_) text.replace(0, at, kPrefix);
    for (size_t i = 0; i < 32; ++i) {
      text[at + 2 * i] = kHex[bytes_[i] >> 4];
      text[at + 2 * i + 1] = kHex[bytes_[i] & 15];
    }
    return text;
  }
  bool empty() const { return !raw_ && (!other_ || other_->empty()); }
  // Compared with text without building the digest's own text (a replay
  // check compares one on every keyed resend).
  friend bool operator==(const HexDigest& a, std::string_view text) {
    if (!a.raw_) return a.other_ ? *a.other_ == text : text.empty();
    if (a.prefixed_) {
      if (text.substr(0, kPrefix.size()) != kPrefix) return false;
      text.remove_prefix(kPrefix.size());
    }
    if (text.size() != 64) return false;
    for (size_t i = 0; i < 32; ++i)
      if (Nibble(text[2 * i]) != a.bytes_[i] >> 4 || Nibble(text[2 * i + 1]) != (a.bytes_[i] & 15)) return false;
    return true;
  }
  friend bool operator!=(const HexDigest& a, std::string_view text) { return !(a == text); }
  friend bool operator==(const HexDigest& a, const std::string& text) { return a == std::string_view(text); }
  friend bool operator!=(const HexDigest& a, const std::string& text) { return !(a == std::string_view(text)); }

 private:
  static int Nibble(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }
  static constexpr std::string_view kPrefix = "sha256:";
  void Assign(std::string_view text) {
    const std::string_view whole = text;
    prefixed_ = text.size() == kPrefix.size() + 64 && text.substr(0, kPrefix.size()) == kPrefix;
    if (prefixed_) text.remove_prefix(kPrefix.size());
    raw_ = text.size() == 64;
    for (size_t i = 0; raw_ && i < 32; ++i) {
      const int high = Nibble(text[2 * i]), low = Nibble(text[2 * i + 1]);
      raw_ = high >= 0 && low >= 0;
      if (raw_) bytes_[i] = static_cast<uint8_t>(high << 4 | low);
    }
    if (!raw_) prefixed_ = false;
    if (raw_ || whole.empty()) other_.reset();
    else other_ = std::string(whole);
  }

  std::array<uint8_t, 32> bytes_{};
  Boxed<std::string> other_;
  bool raw_ = false;
  bool prefixed_ = false;  // raw_, written after "sha256:"
};

}  // namespace adcp
