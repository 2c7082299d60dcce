// An optional value kept on the heap: one pointer in the record instead of
// the value's full size (issue 15: a check carried five optional JSON values
// and strings, 48 and 40 bytes each, that most checks never set). The
// interface is std::optional's subset the records use; copies are deep.
#pragma once

#include <memory>
#include <optional>
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

}  // namespace adcp
