// A SHA-256 digest as the text it travels as, kept as its 32 bytes (issue
// 15: as text it was a 44- to 72-byte heap block beside every outcome,
// statement, intent check and idempotency entry): lowercase hex (a request's
// payload hash), the same after "sha256:" (a statement digest), or unpadded
// base64url (an intent's authorized payload hash). Any other text, such as
// an imported record's, is kept as it is, so str() always gives back what
// was stored.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "canon/sha256.h"
#include "util/boxed.h"

namespace adcp {

class DigestText {
 public:
  DigestText() = default;
  DigestText(std::string_view text) { Assign(text); }          // NOLINT: records assign strings
  DigestText(const std::string& text) { Assign(text); }        // NOLINT
  DigestText(const char* text) { Assign(std::string_view(text)); }  // NOLINT

  std::string str() const {
    if (form_ == Form::kText) return other_ ? *other_ : std::string();
    if (form_ == Form::kBase64Url) {
      std::string text;
      canon::Base64UrlAppend(&text, std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()));
      return text;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    const size_t at = form_ == Form::kPrefixedHex ? kPrefix.size() : 0;
    std::string text(at + 64, '0');
    if (at) text.replace(0, at, kPrefix);
    for (size_t i = 0; i < 32; ++i) {
      text[at + 2 * i] = kHex[bytes_[i] >> 4];
      text[at + 2 * i + 1] = kHex[bytes_[i] & 15];
    }
    return text;
  }
  bool empty() const { return form_ == Form::kText && (!other_ || other_->empty()); }
  // Compared with text without building the digest's own text (a replay
  // check compares one on every keyed resend).
  friend bool operator==(const DigestText& a, std::string_view text) {
    if (a.form_ == Form::kText) return a.other_ ? *a.other_ == text : text.empty();
    if (a.form_ == Form::kBase64Url) return text.size() == 43 && a.str() == text;
    if (a.form_ == Form::kPrefixedHex) {
      if (text.substr(0, kPrefix.size()) != kPrefix) return false;
      text.remove_prefix(kPrefix.size());
    }
    if (text.size() != 64) return false;
    for (size_t i = 0; i < 32; ++i)
      if (Nibble(text[2 * i]) != a.bytes_[i] >> 4 || Nibble(text[2 * i + 1]) != (a.bytes_[i] & 15)) return false;
    return true;
  }
  friend bool operator!=(const DigestText& a, std::string_view text) { return !(a == text); }
  friend bool operator==(const DigestText& a, const std::string& text) { return a == std::string_view(text); }
  friend bool operator!=(const DigestText& a, const std::string& text) { return !(a == std::string_view(text)); }

 private:
  enum class Form : uint8_t { kText, kHex, kPrefixedHex, kBase64Url };
  static int Nibble(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }
  static constexpr std::string_view kPrefix = "sha256:";

  bool AssignHex(std::string_view text) {
    if (text.size() != 64) return false;
    for (size_t i = 0; i < 32; ++i) {
      const int high = Nibble(text[2 * i]), low = Nibble(text[2 * i + 1]);
      if (high < 0 || low < 0) return false;
      bytes_[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return true;
  }
  // The strict decoder takes only canonical base64url, so the bytes encode
  // back to exactly this text.
  bool AssignBase64Url(std::string_view text) {
    std::string decoded;
    if (text.size() != 43 || !canon::Base64UrlDecode(text, &decoded) || decoded.size() != 32) return false;
    for (size_t i = 0; i < 32; ++i) bytes_[i] = static_cast<uint8_t>(decoded[i]);
    return true;
  }
  void Assign(std::string_view text) {
    const bool prefixed = text.size() == kPrefix.size() + 64 && text.substr(0, kPrefix.size()) == kPrefix;
    if (prefixed && AssignHex(text.substr(kPrefix.size()))) form_ = Form::kPrefixedHex;
    else if (AssignHex(text)) form_ = Form::kHex;
    else if (AssignBase64Url(text)) form_ = Form::kBase64Url;
    else form_ = Form::kText;
    if (form_ != Form::kText || text.empty()) other_.reset();
    else other_ = std::string(text);
  }

  std::array<uint8_t, 32> bytes_{};
  Boxed<std::string> other_;
  Form form_ = Form::kText;
};

}  // namespace adcp
