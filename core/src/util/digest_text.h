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
#include <utility>

#include "canon/sha256.h"

namespace adcp {

// The spellings of a SHA-256 digest that are kept as its 32 bytes, read and
// written here once for DigestText and for split values (util/holes.h).
enum class DigestForm : uint8_t { kNone, kHex, kPrefixedHex, kBase64Url };
constexpr std::string_view kSha256Prefix = "sha256:";

inline int LowerHexNibble(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

// The form `text` is spelled in, with its bytes in `bytes`; kNone (and
// `bytes` unspecified) when it is none of them. The strict base64url
// decoder takes only canonical text, so every form writes back exactly.
inline DigestForm ReadDigest(std::string_view text, std::array<uint8_t, 32>* bytes) {
  DigestForm form = DigestForm::kHex;
  if (text.size() == kSha256Prefix.size() + 64 && text.substr(0, kSha256Prefix.size()) == kSha256Prefix) {
    text.remove_prefix(kSha256Prefix.size());
    form = DigestForm::kPrefixedHex;
  }
  if (text.size() == 64) {
    for (size_t i = 0; i < 32; ++i) {
      const int high = LowerHexNibble(text[2 * i]), low = LowerHexNibble(text[2 * i + 1]);
      if (high < 0 || low < 0) return DigestForm::kNone;
      (*bytes)[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return form;
  }
  std::string decoded;
  if (form != DigestForm::kHex || text.size() != 43 || !canon::Base64UrlDecode(text, &decoded) || decoded.size() != 32)
    return DigestForm::kNone;
  for (size_t i = 0; i < 32; ++i) (*bytes)[i] = static_cast<uint8_t>(decoded[i]);
  return DigestForm::kBase64Url;
}

// Appends the digest's text in `form` (not kNone).
inline void AppendDigest(DigestForm form, const uint8_t* bytes, std::string* out) {
  if (form == DigestForm::kBase64Url)
    return canon::Base64UrlAppend(out, std::string_view(reinterpret_cast<const char*>(bytes), 32));
  static constexpr char kHex[] = "0123456789abcdef";
  if (form == DigestForm::kPrefixedHex) out->append(kSha256Prefix);
  for (size_t i = 0; i < 32; ++i) {
    out->push_back(kHex[bytes[i] >> 4]);
    out->push_back(kHex[bytes[i] & 15]);
  }
}

class DigestText {
 public:
  DigestText() = default;
  DigestText(std::string_view text) { Assign(text); }          // NOLINT: records assign strings
  DigestText(const std::string& text) { Assign(text); }        // NOLINT
  DigestText(const char* text) { Assign(std::string_view(text)); }  // NOLINT
  DigestText(const DigestText& other) { CopyFrom(other); }
  DigestText(DigestText&& other) noexcept { TakeFrom(other); }
  DigestText& operator=(const DigestText& other) {
    if (this != &other) {
      Clear();
      CopyFrom(other);
    }
    return *this;
  }
  DigestText& operator=(DigestText&& other) noexcept {
    if (this != &other) {
      Clear();
      TakeFrom(other);
    }
    return *this;
  }
  ~DigestText() { Clear(); }

  std::string str() const {
    if (form_ == DigestForm::kNone) return other_ ? *other_ : std::string();
    std::string text;
    AppendDigest(form_, bytes_.data(), &text);
    return text;
  }
  bool empty() const { return form_ == DigestForm::kNone && (!other_ || other_->empty()); }
  // Compared with text without building the digest's own text (a replay
  // check compares one on every keyed resend).
  friend bool operator==(const DigestText& a, std::string_view text) {
    if (a.form_ == DigestForm::kNone) return a.other_ ? *a.other_ == text : text.empty();
    std::array<uint8_t, 32> bytes;
    return ReadDigest(text, &bytes) == a.form_ && bytes == a.bytes_;
  }
  friend bool operator!=(const DigestText& a, std::string_view text) { return !(a == text); }
  friend bool operator==(const DigestText& a, const std::string& text) { return a == std::string_view(text); }
  friend bool operator!=(const DigestText& a, const std::string& text) { return !(a == std::string_view(text)); }

 private:
  void Assign(std::string_view text) {
    Clear();
    std::array<uint8_t, 32> bytes;
    const DigestForm form = ReadDigest(text, &bytes);
    if (form != DigestForm::kNone) {
      bytes_ = bytes;
      form_ = form;
    } else if (!text.empty()) {
      other_ = new std::string(text);
    }
  }
  void Clear() {
    if (form_ == DigestForm::kNone) delete other_;
    other_ = nullptr;
    form_ = DigestForm::kNone;
  }
  void CopyFrom(const DigestText& other) {  // *this is clear
    if (other.form_ != DigestForm::kNone) bytes_ = other.bytes_;
    else other_ = other.other_ ? new std::string(*other.other_) : nullptr;
    form_ = other.form_;
  }
  void TakeFrom(DigestText& other) {  // *this is clear
    if (other.form_ != DigestForm::kNone) bytes_ = other.bytes_;
    else std::swap(other_, other.other_);
    form_ = other.form_;
  }

  // A digest's bytes (form_ names its spelling), or (kNone) any other text,
  // owned, null for "": one or the other (issue 15: side by side they were
  // 48 bytes, now 40). A union, which std::variant cannot pack this tight.
  union {
    std::array<uint8_t, 32> bytes_;
    std::string* other_ = nullptr;
  };
  DigestForm form_ = DigestForm::kNone;
};

}  // namespace adcp
