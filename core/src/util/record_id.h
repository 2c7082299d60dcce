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

// The bytes an InlineText or a PackedText keeps, and what both do with
// them: bytes_[0..kSize - 2] hold an inline text, or the front holds a Heap
// (its pointer, then its size in 4 bytes: texts a record keeps are bounded
// by the request size far below 4 GiB), or a packed text (PackedText); the
// last byte is the tag: the inline size, kHeap, or a packed form's. Copies
// copy a heap text and the bytes otherwise; a move leaves the source empty.
template <size_t kSize>
class TextStorage {
 public:
  TextStorage() = default;
  TextStorage(const TextStorage& other) { CopyFrom(other); }
  TextStorage(TextStorage&& other) noexcept { Take(other); }
  TextStorage& operator=(const TextStorage& other) {
    if (this != &other) {
      Release();
      CopyFrom(other);
    }
    return *this;
  }
  TextStorage& operator=(TextStorage&& other) noexcept {
    if (this != &other) {
      Release();
      Take(other);
    }
    return *this;
  }
  ~TextStorage() { Release(); }

 protected:
  static constexpr uint8_t kInlineMax = kSize - 1, kHeap = 0xFF;
  static_assert(kSize >= sizeof(char*) + sizeof(uint32_t) + 1 && kSize <= 255,
                "a heap text's pointer and size fit, the tag is a byte");
  uint8_t tag() const { return static_cast<uint8_t>(bytes_[kInlineMax]); }
  void set_tag(uint8_t tag) { bytes_[kInlineMax] = static_cast<char>(tag); }
  char* bytes() { return bytes_; }
  const char* bytes() const { return bytes_; }
  // The text kept as text (an inline size or kHeap tag).
  std::string_view TextView() const {
    if (tag() != kHeap) return std::string_view(bytes_, tag());
    const Heap heap = LoadHeap();
    return std::string_view(heap.data, heap.size);
  }
  // Keeps `text` as text (this is empty).
  void AssignText(std::string_view text) {
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

 private:
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
  void CopyFrom(const TextStorage& other) {
    if (other.tag() == kHeap) AssignText(other.TextView());
    else std::memcpy(bytes_, other.bytes_, sizeof bytes_);
  }
  void Take(TextStorage& other) {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.set_tag(0);  // a heap text now belongs to this one
  }
  void Release() {
    if (tag() == kHeap) delete[] LoadHeap().data;
    set_tag(0);
  }

  // A pointer's alignment: 8 on 64-bit; 4 on wasm32, where 8 padded the
  // records and documents that keep one beside 4-byte members (issue 15).
  alignas(alignof(char*)) char bytes_[kSize] = {};
};

// InlineText<kSize>: up to kSize - 1 bytes inline, longer text on the heap.
template <size_t kSize>
class InlineText : private TextStorage<kSize> {
 public:
  InlineText() = default;
  InlineText(std::string_view text) { this->AssignText(text); }                // NOLINT: records assign strings
  InlineText(const std::string& text) { this->AssignText(text); }              // NOLINT
  InlineText(const char* text) { this->AssignText(std::string_view(text)); }  // NOLINT

  std::string_view view() const { return this->TextView(); }
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
};

template <size_t kSize, class Packing>
class PackedText;

// clang warns (-Wdangling) when a view of a temporary IdText outlives it;
// gcc has no such attribute.
#if defined(__clang__)
#define ADCP_LIFETIMEBOUND [[clang::lifetimebound]]
#else
#define ADCP_LIFETIMEBOUND
#endif

// A PackedText's text (a RecordId's, a ScopeText's), spelled out where it is
// kept as bytes: a value that lives as long as the expression that reads it
// (pass it to a std::string_view parameter, or keep it in a local `auto`; a
// string_view taken from it must not outlive it). Neither copied nor moved:
// it is made in place (C++17), and its view may point into itself.
class IdText {
 public:
  IdText(const IdText&) = delete;
  IdText& operator=(const IdText&) = delete;
  std::string_view view() const ADCP_LIFETIMEBOUND { return view_; }
  operator std::string_view() const ADCP_LIFETIMEBOUND { return view_; }  // NOLINT: read as text
  std::string str() const { return std::string(view_); }
  size_t size() const { return view_.size(); }

  static constexpr size_t kMaxSpelled = 48;

 private:
  template <size_t kSize, class Packing>
  friend class PackedText;
  template <size_t kSize, class Packing>
  explicit IdText(const PackedText<kSize, Packing>& text);
  char spelled_[kMaxSpelled];  // a packed text, spelled out
  std::string_view view_;
};

// A text a record keeps in kSize bytes: packed into bytes when `Packing`
// recognizes it (and then spelled back exactly), else as text: up to
// kSize - 1 bytes inline, longer on the heap. The last byte is the tag: an
// inline text's size (0..kSize - 1), kHeap, or a packed form's tag (any
// other value; Packing's). Packing provides
//   static constexpr size_t kBytes;  // of bytes a packed text uses (the rest is not compared)
//   static bool Pack(std::string_view text, char* bytes, uint8_t* tag);  // bytes: kSize - 1
//   static size_t Spell(const char* bytes, uint8_t tag, char* out);      // out: IdText::kMaxSpelled
// Read it with text() or str().
template <size_t kSize, class Packing>
class PackedText : private TextStorage<kSize> {
  using Storage = TextStorage<kSize>;

 public:
  PackedText() = default;
  PackedText(std::string_view text) { Assign(text); }               // NOLINT: records assign strings
  PackedText(const std::string& text) { Assign(text); }             // NOLINT
  PackedText(const char* text) { Assign(std::string_view(text)); }  // NOLINT

  IdText text() const { return IdText(*this); }
  std::string str() const { return text().str(); }
  bool empty() const { return this->tag() == 0; }
  size_t size() const { return text().size(); }
  // Whether the text is kept packed (tests and memory figures).
  bool packed() const { return this->tag() > Storage::kInlineMax && this->tag() != Storage::kHeap; }

  // Packing is canonical (a text that packs is always kept packed), so two
  // texts of which one is packed are equal only as the same bytes: no
  // spelling out (the id indexes compare a record's id with a packed probe).
  friend bool operator==(const PackedText& a, const PackedText& b) {
    if (a.packed() || b.packed())
      return a.tag() == b.tag() && std::memcmp(a.bytes(), b.bytes(), Packing::kBytes) == 0;
    return a.TextView() == b.TextView();
  }
  friend bool operator!=(const PackedText& a, const PackedText& b) { return !(a == b); }
  friend bool operator==(const PackedText& a, std::string_view b) { return a.text().view() == b; }
  friend bool operator!=(const PackedText& a, std::string_view b) { return !(a == b); }
  friend bool operator==(const PackedText& a, const std::string& b) { return a.text().view() == b; }
  friend bool operator!=(const PackedText& a, const std::string& b) { return !(a == b); }
  friend bool operator==(const std::string& a, const PackedText& b) { return b == a; }
  friend bool operator!=(const std::string& a, const PackedText& b) { return !(b == a); }
  friend std::string operator+(const std::string& a, const PackedText& b) { return a + b.str(); }
  friend std::string operator+(const char* a, const PackedText& b) { return a + b.str(); }

 private:
  friend class IdText;
  static_assert(Packing::kBytes <= Storage::kInlineMax, "a packed text fits before the tag");
  void Assign(std::string_view text) {
    uint8_t packed_tag = 0;
    if (Packing::Pack(text, this->bytes(), &packed_tag)) this->set_tag(packed_tag);
    else this->AssignText(text);
  }
  // The text: a view of the one kept as text, or the packed one spelled out at `out`.
  std::string_view Read(char* out) const {
    return packed() ? std::string_view(out, Packing::Spell(this->bytes(), this->tag(), out)) : this->TextView();
  }
};

template <size_t kSize, class Packing>
IdText::IdText(const PackedText<kSize, Packing>& text) : view_(text.Read(spelled_)) {}

// A check's, an action's or an outcome's id: 16 bytes (issue 15: 32 as an
// InlineText<32>, five of them a governed buy). The ids the core mints
// ("chk_", "gb_" or "out_" and a ULID, 29 or 30 bytes) are kept as bytes:
// the ULID's 128-bit value, whose top 4 bits are zero for any time before
// the year 2527, in 124 bits, and the prefix as a code in the tag's high
// nibble. Other ids are kept as text: up to 15 bytes inline (sequential test
// ids), longer ones on the heap. Only a text that spells back exactly is
// packed (Crockford's upper case digits, as the core writes them).
struct MintedIdPacking {
  static constexpr size_t kBytes = 15;
  static bool Pack(std::string_view text, char* bytes, uint8_t* tag);
  static size_t Spell(const char* bytes, uint8_t tag, char* out);
};
using RecordId = PackedText<16, MintedIdPacking>;
static_assert(sizeof(RecordId) == 16, "a RecordId is 16 bytes");

// An idempotency scope's stored form ("<agent number>\n<key>", StoredScope
// in state/ledger.h) in 32 bytes: up to 31 inline (the keys a test or a
// bench writes), a key that is a lowercase UUID (what clients mostly send)
// packed as the agent's number and the UUID's 16 bytes, longer ones on the
// heap (issue 15: an InlineText<40> was 40 bytes in every keyed record).
struct ScopeUuidPacking {
  static constexpr size_t kBytes = 20;
  static bool Pack(std::string_view text, char* bytes, uint8_t* tag);
  static size_t Spell(const char* bytes, uint8_t tag, char* out);
};
using ScopeText = PackedText<32, ScopeUuidPacking>;
static_assert(sizeof(ScopeText) == 32, "a stored scope is 32 bytes");

}  // namespace adcp
