// A record's id (issue 15: memory per decision), and other short texts a
// record keeps inline (InlineText). The ids the core mints are a prefix and
// a ULID, 29 or 30 bytes: a std::string keeps them on the heap (32 bytes
// inline, plus a 32-byte block and the allocator's header). RecordId keeps
// them as bytes in 16 (below). InlineText keeps up to kSize - 1 bytes
// inline and a longer text on the heap, and reads as a std::string_view.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace adcp {

// InlineText<kSize>: up to kSize - 1 bytes inline, longer text on the heap.
template <size_t kSize>
class InlineText {
 public:
  InlineText() = default;
  InlineText(std::string_view text) { Assign(text); }                    // NOLINT: records assign strings
  InlineText(const std::string& text) { Assign(text); }                  // NOLINT
  InlineText(const char* text) { Assign(std::string_view(text)); }       // NOLINT
  InlineText(const InlineText& other) { Assign(other.view()); }
  InlineText(InlineText&& other) noexcept { Take(other); }
  InlineText& operator=(const InlineText& other) {
    if (this != &other) {
      Release();
      Assign(other.view());
    }
    return *this;
  }
  InlineText& operator=(InlineText&& other) noexcept {
    if (this != &other) {
      Release();
      Take(other);
    }
    return *this;
  }
  ~InlineText() { Release(); }

  std::string_view view() const {
    if (tag() != kHeap) return std::string_view(bytes_, tag());
    const Heap heap = LoadHeap();
    return std::string_view(heap.data, heap.size);
  }
  operator std::string_view() const { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  bool empty() const { return view().empty(); }
  size_t size() const { return view().size(); }

  friend bool operator==(const InlineText& a, const InlineText& b) { return a.view() == b.view(); }
  friend bool operator!=(const InlineText& a, const InlineText& b) { return a.view() != b.view(); }
  friend bool operator==(const InlineText& a, std::string_view b) { return a.view() == b; }
  friend bool operator!=(const InlineText& a, std::string_view b) { return a.view() != b; }
  friend bool operator==(const InlineText& a, const std::string& b) { return a.view() == b; }
  friend bool operator!=(const InlineText& a, const std::string& b) { return a.view() != b; }
  friend bool operator==(const std::string& a, const InlineText& b) { return a == b.view(); }
  friend bool operator!=(const std::string& a, const InlineText& b) { return a != b.view(); }
  friend std::string operator+(const std::string& a, const InlineText& b) { return a + b.str(); }
  friend std::string operator+(const char* a, const InlineText& b) { return a + b.str(); }

 private:
  // bytes_[0..kSize - 2] hold an inline text, or the front holds a Heap
  // (its pointer, then its size in 4 bytes: texts a record keeps are bounded
  // by the request size far below 4 GiB); the last byte is the tag: the
  // inline size, or kHeap.
  static constexpr uint8_t kInlineMax = kSize - 1, kHeap = 0xFF;
  static_assert(kSize >= sizeof(char*) + sizeof(uint32_t) + 1 && kSize <= 255,
                "a heap text's pointer and size fit, the tag is a byte");
  struct Heap {
    char* data;
    uint32_t size;
  };
  Heap LoadHeap() const {
    Heap heap;
    std::memcpy(&heap.data, bytes_, sizeof heap.data);
    std::memcpy(&heap.size, bytes_ + sizeof heap.data, sizeof heap.size);
    return heap;
  }
  void StoreHeap(const Heap& heap) {
    std::memcpy(bytes_, &heap.data, sizeof heap.data);
    std::memcpy(bytes_ + sizeof heap.data, &heap.size, sizeof heap.size);
  }
  uint8_t tag() const { return static_cast<uint8_t>(bytes_[kInlineMax]); }
  void set_tag(uint8_t tag) { bytes_[kInlineMax] = static_cast<char>(tag); }
  void Assign(std::string_view text) {
    if (text.size() <= kInlineMax) {
      if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
      set_tag(static_cast<uint8_t>(text.size()));
      return;
    }
    // A record's texts come from requests (max_request_bytes <= INT32_MAX)
    // or stored documents, far below 4 GiB; were one longer, its view would
    // be cut short, never past its block.
    Heap heap{new char[text.size()], static_cast<uint32_t>(std::min<size_t>(text.size(), UINT32_MAX))};
    std::memcpy(heap.data, text.data(), text.size());
    StoreHeap(heap);
    set_tag(kHeap);
  }
  void Take(InlineText& other) {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.set_tag(0);  // a heap text now belongs to this id
  }
  void Release() {
    if (tag() == kHeap) delete[] LoadHeap().data;
    set_tag(0);
  }

  alignas(8) char bytes_[kSize] = {};
};

class RecordId;

// clang warns (-Wdangling) when a view of a temporary IdText outlives it;
// gcc has no such attribute.
#if defined(__clang__)
#define ADCP_LIFETIMEBOUND [[clang::lifetimebound]]
#else
#define ADCP_LIFETIMEBOUND
#endif

// A RecordId's text, spelled out where the id keeps it as bytes: a value
// that lives as long as the expression that reads it (pass it to a
// std::string_view parameter, or keep it in a local `auto`; a string_view
// taken from it must not outlive it). Neither copied nor moved: it is made
// in place (C++17), and its view may point into itself.
class IdText {
 public:
  IdText(const IdText&) = delete;
  IdText& operator=(const IdText&) = delete;
  std::string_view view() const ADCP_LIFETIMEBOUND { return view_; }
  operator std::string_view() const ADCP_LIFETIMEBOUND { return view_; }  // NOLINT: read as text
  std::string str() const { return std::string(view_); }
  size_t size() const { return view_.size(); }

 private:
  friend class RecordId;
  explicit IdText(const RecordId& id);
  char spelled_[32];  // a packed id's text (a prefix of up to 7 bytes, '_', 26 ULID digits)
  std::string_view view_;
};

// A check's, an action's or an outcome's id: 16 bytes (issue 15: 32 as an
// InlineText<32>, five of them a governed buy). The ids the core mints
// ("chk_", "gb_" or "out_" and a ULID, 29 or 30 bytes) are kept as bytes:
// the ULID's 128-bit value, whose top 4 bits are zero for any time before
// the year 2527, in 124 bits, and the prefix as a code. Other ids are kept
// as text: up to 15 bytes inline (sequential test ids), longer ones on the
// heap. Only a text that spells back exactly is packed (Crockford's upper
// case digits, as the core writes them), so every form reads back as the
// text it was given. Read it with text() or str().
class RecordId {
 public:
  RecordId() = default;
  RecordId(std::string_view text) { Assign(text); }               // NOLINT: records assign strings
  RecordId(const std::string& text) { Assign(text); }             // NOLINT
  RecordId(const char* text) { Assign(std::string_view(text)); }  // NOLINT
  RecordId(const RecordId& other) { CopyFrom(other); }
  RecordId(RecordId&& other) noexcept { Take(other); }
  RecordId& operator=(const RecordId& other) {
    if (this != &other) {
      Release();
      CopyFrom(other);
    }
    return *this;
  }
  RecordId& operator=(RecordId&& other) noexcept {
    if (this != &other) {
      Release();
      Take(other);
    }
    return *this;
  }
  ~RecordId() { Release(); }

  IdText text() const { return IdText(*this); }
  std::string str() const { return text().str(); }
  bool empty() const { return tag() == 0; }
  size_t size() const { return text().size(); }
  // Whether the id is kept as bytes (tests and memory figures).
  bool packed() const { return tag() >= kPackedLow && tag() <= kPackedHigh; }

  friend bool operator==(const RecordId& a, const RecordId& b) { return a.text().view() == b.text().view(); }
  friend bool operator!=(const RecordId& a, const RecordId& b) { return !(a == b); }
  friend bool operator==(const RecordId& a, std::string_view b) { return a.text().view() == b; }
  friend bool operator!=(const RecordId& a, std::string_view b) { return !(a == b); }
  friend bool operator==(const RecordId& a, const std::string& b) { return a.text().view() == b; }
  friend bool operator!=(const RecordId& a, const std::string& b) { return !(a == b); }
  friend bool operator==(const std::string& a, const RecordId& b) { return b == a; }
  friend bool operator!=(const std::string& a, const RecordId& b) { return !(b == a); }
  friend std::string operator+(const std::string& a, const RecordId& b) { return a + b.str(); }
  friend std::string operator+(const char* a, const RecordId& b) { return a + b.str(); }

 private:
  friend class IdText;
  // bytes_[15] is the tag: 0..15 an inline text's size; kHeap a heap text
  // (its pointer, then its 32-bit size, at the front); kPackedLow..High a
  // packed id, the tag's high nibble its prefix's code + 1, its low nibble
  // the value's top 4 bits (bits 120..123), bytes_[0..14] the rest, least
  // significant first.
  static constexpr uint8_t kInlineMax = 15, kHeap = 0xFF, kPackedLow = 0x10, kPackedHigh = 0xEF;
  struct Heap {
    char* data;
    uint32_t size;
  };
  static_assert(sizeof(char*) + sizeof(uint32_t) <= kInlineMax, "a heap text's pointer and size fit before the tag");
  uint8_t tag() const { return static_cast<uint8_t>(bytes_[kInlineMax]); }
  void set_tag(uint8_t tag) { bytes_[kInlineMax] = static_cast<char>(tag); }
  Heap LoadHeap() const {
    Heap heap;
    std::memcpy(&heap.data, bytes_, sizeof heap.data);
    std::memcpy(&heap.size, bytes_ + sizeof heap.data, sizeof heap.size);
    return heap;
  }
  void StoreHeap(const Heap& heap) {
    std::memcpy(bytes_, &heap.data, sizeof heap.data);
    std::memcpy(bytes_ + sizeof heap.data, &heap.size, sizeof heap.size);
  }
  // Keeps `text` packed when it spells back exactly; false to keep it as text.
  bool Pack(std::string_view text);
  // Writes a packed id's text to `out` (32 bytes); its size.
  size_t Spell(char* out) const;
  void Assign(std::string_view text) {
    if (Pack(text)) return;
    if (text.size() <= kInlineMax) {
      if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
      set_tag(static_cast<uint8_t>(text.size()));
      return;
    }
    // As InlineText: texts come from requests or stored documents, far
    // below 4 GiB; were one longer, its view would be cut short.
    Heap heap{new char[text.size()], static_cast<uint32_t>(std::min<size_t>(text.size(), UINT32_MAX))};
    std::memcpy(heap.data, text.data(), text.size());
    StoreHeap(heap);
    set_tag(kHeap);
  }
  void CopyFrom(const RecordId& other) {
    if (other.tag() == kHeap) {
      const Heap heap = other.LoadHeap();
      Assign(std::string_view(heap.data, heap.size));
    } else {
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    }
  }
  void Take(RecordId& other) {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.set_tag(0);  // a heap text now belongs to this id
  }
  void Release() {
    if (tag() == kHeap) delete[] LoadHeap().data;
    set_tag(0);
  }

  alignas(8) char bytes_[16] = {};
};
static_assert(sizeof(RecordId) == 16, "a RecordId is 16 bytes");

inline IdText::IdText(const RecordId& id) {
  const uint8_t tag = id.tag();
  if (tag <= RecordId::kInlineMax) {
    view_ = std::string_view(id.bytes_, tag);
  } else if (tag == RecordId::kHeap) {
    const RecordId::Heap heap = id.LoadHeap();
    view_ = std::string_view(heap.data, heap.size);
  } else {
    view_ = std::string_view(spelled_, id.Spell(spelled_));
  }
}

}  // namespace adcp
