// JSON value model used everywhere in the core.
//
// Why our own type instead of rapidjson::Value: numbers must be IEEE doubles
// only (JavaScript semantics, 07 §1.1), objects must keep insertion order
// (README "Key order") and the core builds many small response objects in a
// fixed key order. RapidJSON is still the parser (see parse.cc).
#pragma once

#include "util/record_id.h"
#include "util/symbol.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace adcp::json {

enum class Type : uint8_t { Null, Bool, Number, String, Array, Object, Raw };

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;

// JSON text the core wrote itself (compact, exactly as Write writes it),
// written out verbatim: an audit page splices the members of stored bodies
// into its answer instead of parsing them and writing them again (issue 15).
// Only in answers about to be written: never looked into or validated, and
// equal only to the same text.
struct RawText {
  std::string text;
  bool operator==(const RawText& o) const { return text == o.text; }
};

class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(double d) : data_(d == 0 ? 0.0 : d) {}  // negative zero is 0 (01 §12)
  Value(int i) : data_(static_cast<double>(i)) {}
  Value(int64_t i) : data_(static_cast<double>(i)) {}
  Value(uint64_t i) : data_(static_cast<double>(i)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}
  Value(const Sym& s) : data_(s.str()) {}
  template <size_t kSize>
  Value(const InlineText<kSize>& text) : data_(text.str()) {}  // NOLINT: inline texts
  Value(const RecordId& id) : data_(id.str()) {}                  // NOLINT: record ids
  Value(Array a) : data_(std::move(a)) {}
  Value(Object o) : data_(std::move(o)) {}
  Value(RawText r) : data_(std::move(r)) {}

  static Value MakeObject() { return Value(Object{}); }
  static Value MakeArray() { return Value(Array{}); }

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_null() const { return type() == Type::Null; }
  bool is_bool() const { return type() == Type::Bool; }
  bool is_number() const { return type() == Type::Number; }
  bool is_string() const { return type() == Type::String; }
  bool is_array() const { return type() == Type::Array; }
  bool is_object() const { return type() == Type::Object; }

  bool as_bool() const { return *std::get_if<bool>(&data_); }
  double as_number() const { return *std::get_if<double>(&data_); }
  const std::string& as_string() const { return *std::get_if<std::string>(&data_); }
  std::string* mutable_string() { return std::get_if<std::string>(&data_); }
  const Array& as_array() const { return *std::get_if<Array>(&data_); }
  Array& as_array() { return *std::get_if<Array>(&data_); }
  const Object& as_object() const { return *std::get_if<Object>(&data_); }
  Object& as_object() { return *std::get_if<Object>(&data_); }
  const std::string& as_raw() const { return std::get_if<RawText>(&data_)->text; }

  // Object access. Lookups are linear: request objects are small and the
  // parser rejects duplicate keys, so the first match is the only match.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Typed lookups: nullptr when absent or of another type.
  const std::string* find_string(std::string_view key) const;
  const Array* find_array(std::string_view key) const;
  const Value* find_object(std::string_view key) const;
  const double* find_number(std::string_view key) const;

  // Append (object). Does not check for an existing key: callers build
  // objects in the spec's key order.
  Value& set(std::string key, Value v);
  // Replace an existing key's value in place, or append.
  Value& put(std::string key, Value v);
  bool erase(std::string_view key);
  // Append (array).
  Value& push(Value v);

  size_t size() const;  // members or elements; 0 for scalars

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  std::variant<std::monostate, bool, double, std::string, Array, Object, RawText> data_;
};

// One member of Obj's list. The value is `mutable` so Obj can move it out:
// the elements of an initializer_list are const, and a list of Members was
// copied whole, deep-copying every subtree passed to Obj (a response body
// into its envelope, a page of governed actions into its answer).
struct Field {
  Field(std::string k, Value v) : key(std::move(k)), value(std::move(v)) {}
  std::string key;
  mutable Value value;
};

// Shorthand for building objects in a fixed key order; values passed with
// std::move are moved, not copied.
inline Value Obj(std::initializer_list<Field> fields) {
  Object members;
  members.reserve(fields.size());
  for (const Field& f : fields) members.emplace_back(f.key, std::move(f.value));
  return Value(std::move(members));
}

}  // namespace adcp::json
