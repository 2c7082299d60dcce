// An optional value kept on the heap: one pointer in the record instead of
// the value's full size (issue 15: a check carried five optional JSON values
// and strings, 48 and 40 bytes each, that most checks never set). The
// interface is std::optional's subset the records use; copies are deep.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace adcp {

template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(std::nullopt_t) {}                                   // NOLINT: like std::optional
  Boxed(const T& value) : value_(new T(value)) {}            // NOLINT
  Boxed(T&& value) : value_(new T(std::move(value))) {}      // NOLINT
  Boxed(const std::optional<T>& value) : value_(value ? new T(*value) : nullptr) {}  // NOLINT
  Boxed(std::optional<T>&& value) : value_(value ? new T(std::move(*value)) : nullptr) {}  // NOLINT
  Boxed(const Boxed& other) : value_(other.value_ ? new T(*other.value_) : nullptr) {}
  Boxed(Boxed&& other) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) value_.reset(other.value_ ? new T(*other.value_) : nullptr);
    return *this;
  }
  Boxed& operator=(Boxed&& other) noexcept = default;
  Boxed& operator=(std::nullopt_t) {
    value_.reset();
    return *this;
  }
  void reset() { value_.reset(); }

  explicit operator bool() const { return value_ != nullptr; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }
  std::optional<T> optional() const { return value_ ? std::optional<T>(*value_) : std::nullopt; }

 private:
  std::unique_ptr<T> value_;
};

// An optional text kept on the heap: one pointer in the record and one
// block holding the size and the bytes (issue 15: a Boxed<std::string> was
// a 32-byte string object in one block and, past 15 bytes, its characters
// in another, with the allocator's header on each). Reads as a
// std::string_view; present-but-empty is distinct from absent.
class BoxedText {
 public:
  BoxedText() = default;
  BoxedText(std::nullopt_t) {}                                  // NOLINT: like std::optional
  BoxedText(std::string_view text) { Assign(text); }           // NOLINT: records assign strings
  BoxedText(const std::string& text) { Assign(text); }         // NOLINT
  BoxedText(const BoxedText& other) {
    if (other) Assign(*other);
  }
  BoxedText(BoxedText&&) noexcept = default;
  BoxedText& operator=(const BoxedText& other) {
    if (this != &other) {
      if (other) Assign(*other);
      else block_.reset();
    }
    return *this;
  }
  BoxedText& operator=(BoxedText&&) noexcept = default;
  BoxedText& operator=(std::nullopt_t) {
    block_.reset();
    return *this;
  }
  void reset() { block_.reset(); }

  explicit operator bool() const { return block_ != nullptr; }
  // The text; only when present.
  std::string_view operator*() const {
    uint32_t size;
    std::memcpy(&size, block_.get(), sizeof size);
    return std::string_view(block_.get() + sizeof size, size);
  }
  std::string str() const { return block_ ? std::string(**this) : std::string(); }

 private:
  // Texts a record keeps come from requests (max_request_bytes <= INT32_MAX)
  // or stored documents; a longer one would be cut short, never overrun.
  void Assign(std::string_view text) {
    const uint32_t size = static_cast<uint32_t>(std::min<size_t>(text.size(), UINT32_MAX));
    block_.reset(new char[sizeof size + size]);
    std::memcpy(block_.get(), &size, sizeof size);
    if (size > 0) std::memcpy(block_.get() + sizeof size, text.data(), size);
  }
  std::unique_ptr<char[]> block_;  // the size (uint32), then the bytes; null = absent
};

}  // namespace adcp
