// A record's id (issue 15: memory per decision), and other short texts a
// record keeps inline (InlineText). The ids the core mints are
// a prefix and a ULID, 29 or 30 bytes: a std::string keeps them on the heap
// (32 bytes inline, plus a 32-byte block and the allocator's header).
// RecordId keeps up to 31 bytes inline in its 32, and a longer id (imported,
// or from a host's id scheme) on the heap. It reads as a std::string_view.
// Like a short std::string, an inline id lives in the record itself: the
// id indexes view records that never move (State's deques).
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

using RecordId = InlineText<32>;
// 64-bit: as large as a std::string's inline part. wasm32's std::string is
// 12 bytes, but a minted id there took a heap block as well.
static_assert(sizeof(RecordId) == 32, "a RecordId is 32 bytes");

}  // namespace adcp
