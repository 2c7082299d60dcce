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
#include <cstring>
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

// 33 bytes with no alignment of its own (issue 15): a record places it
// beside its int32 and one-byte members, so it takes no padding.
class DigestText {
 public:
  DigestText() { set_other(nullptr); }
  DigestText(std::string_view text) : DigestText() { Assign(text); }          // NOLINT: records assign strings
  DigestText(const std::string& text) : DigestText() { Assign(text); }        // NOLINT
  DigestText(const char* text) : DigestText() { Assign(std::string_view(text)); }  // NOLINT
  DigestText(const DigestText& other) : DigestText() { CopyFrom(other); }
  DigestText(DigestText&& other) noexcept : DigestText() { TakeFrom(other); }
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
    if (form_ == DigestForm::kNone) return other() ? *other() : std::string();
    std::string text;
    AppendDigest(form_, storage_, &text);
    return text;
  }
  bool empty() const { return form_ == DigestForm::kNone && (!other() || other()->empty()); }

  // Compared with text without building the digest's own text (a replay
  // check compares one on every keyed resend).
  friend bool operator==(const DigestText& a, std::string_view text) {
    if (a.form_ == DigestForm::kNone) return a.other() ? *a.other() == text : text.empty();
    std::array<uint8_t, 32> bytes;
    return ReadDigest(text, &bytes) == a.form_ && std::memcmp(bytes.data(), a.storage_, bytes.size()) == 0;
  }
  friend bool operator!=(const DigestText& a, std::string_view text) { return !(a == text); }
  friend bool operator==(const DigestText& a, const std::string& text) { return a == std::string_view(text); }
  friend bool operator!=(const DigestText& a, const std::string& text) { return !(a == std::string_view(text)); }

 private:
  // kNone: storage_ holds a pointer (copied in and out: the storage has no
  // alignment) to any other text, owned, null for "".
  std::string* other() const {
    std::string* text;
    std::memcpy(&text, storage_, sizeof text);
    return text;
  }
  void set_other(std::string* text) { std::memcpy(storage_, &text, sizeof text); }

  void Assign(std::string_view text) {
    Clear();
    std::array<uint8_t, 32> bytes;
    const DigestForm form = ReadDigest(text, &bytes);
    if (form != DigestForm::kNone) {
      std::memcpy(storage_, bytes.data(), bytes.size());
      form_ = form;
    } else if (!text.empty()) {
      set_other(new std::string(text));
    }
  }
  void Clear() {
    if (form_ == DigestForm::kNone) delete other();
    set_other(nullptr);
    form_ = DigestForm::kNone;
  }
  void CopyFrom(const DigestText& other_text) {  // *this is clear
    if (other_text.form_ != DigestForm::kNone) std::memcpy(storage_, other_text.storage_, sizeof storage_);
    else set_other(other_text.other() ? new std::string(*other_text.other()) : nullptr);
    form_ = other_text.form_;
  }
  void TakeFrom(DigestText& other_text) {  // *this is clear
    std::memcpy(storage_, other_text.storage_, sizeof storage_);  // the bytes, or the pointer (now this one's)
    form_ = other_text.form_;
    other_text.set_other(nullptr);
    other_text.form_ = DigestForm::kNone;
  }

  // A digest's bytes (form_ names its spelling), or (kNone) the pointer
  // above: one or the other (issue 15: side by side they were 48 bytes, as
  // an aligned union 40).
  uint8_t storage_[32];
  DigestForm form_ = DigestForm::kNone;
};
static_assert(sizeof(DigestText) == 33 && alignof(DigestText) == 1, "a DigestText packs beside small members");

}  // namespace adcp
