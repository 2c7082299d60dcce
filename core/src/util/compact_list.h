// A growing list of small trivially copyable items in one pointer (issue 15:
// memory per decision). A std::vector is 24 bytes in its record (8 on
// wasm32: 12) and an action's list of audit entries is almost always a few
// items: here the record keeps one pointer, and the block holds the size
// and then the items. The capacity is not stored: it is the size rounded up
// to a power of two (sizes up to 4 fit exactly), so the block grows by
// doubling and an append is amortized O(1).
//
// Written here rather than taken from a library: the small-vector types of
// the well-kept libraries (Abseil's InlinedVector, Boost's small_vector)
// keep a size, a capacity and inline room in the record, which is what this
// saves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace adcp {

template <class T>
class CompactList {
  static_assert(std::is_trivially_copyable<T>::value, "items are copied as bytes");
  static_assert(alignof(T) <= alignof(uint32_t), "items follow the 4-byte size unpadded");

 public:
  CompactList() = default;
  CompactList(const CompactList& other) { CopyFrom(other); }
  CompactList(CompactList&&) noexcept = default;
  CompactList& operator=(const CompactList& other) {
    if (this != &other) CopyFrom(other);
    return *this;
  }
  CompactList& operator=(CompactList&&) noexcept = default;

  size_t size() const {
    if (!block_) return 0;
    uint32_t size;
    std::memcpy(&size, block_.get(), sizeof size);
    return size;
  }
  bool empty() const { return size() == 0; }
  // The items, in a block laid out for them (its items start 4 bytes in,
  // which T's alignment allows).
  const T* data() const { return block_ ? reinterpret_cast<const T*>(block_.get() + sizeof(uint32_t)) : nullptr; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  const T& operator[](size_t i) const { return data()[i]; }
  const T& back() const { return data()[size() - 1]; }

  void push_back(const T& item) {
    const size_t n = size();
    if (Capacity(n) == n) {  // full (or empty): the next power of two
      std::unique_ptr<char[]> grown(new char[sizeof(uint32_t) + Capacity(n + 1) * sizeof(T)]);
      if (block_) std::memcpy(grown.get(), block_.get(), sizeof(uint32_t) + n * sizeof(T));
      block_ = std::move(grown);
    }
    std::memcpy(block_.get() + sizeof(uint32_t) + n * sizeof(T), &item, sizeof(T));
    const uint32_t grown_size = static_cast<uint32_t>(n + 1);
    std::memcpy(block_.get(), &grown_size, sizeof grown_size);
  }

 private:
  // Room for n items: n rounded up to a power of two (0 for none).
  static size_t Capacity(size_t n) {
    size_t capacity = n == 0 ? 0 : 1;
    while (capacity < n) capacity *= 2;
    return capacity;
  }
  void CopyFrom(const CompactList& other) {
    const size_t n = other.size();
    if (n == 0) {
      block_.reset();
      return;
    }
    block_.reset(new char[sizeof(uint32_t) + Capacity(n) * sizeof(T)]);
    std::memcpy(block_.get(), other.block_.get(), sizeof(uint32_t) + n * sizeof(T));
  }

  std::unique_ptr<char[]> block_;  // the size (uint32), then the items; null = empty
};

}  // namespace adcp
