#include "json/value.h"

namespace adcp::json {

const Value* Value::find(std::string_view key) const {
  const Object* o = std::get_if<Object>(&data_);
  if (!o) return nullptr;
  for (const Member& m : *o)
    if (m.first == key) return &m.second;
  return nullptr;
}

Value* Value::find(std::string_view key) {
  Object* o = std::get_if<Object>(&data_);
  if (!o) return nullptr;
  for (Member& m : *o)
    if (m.first == key) return &m.second;
  return nullptr;
}

const std::string* Value::find_string(std::string_view key) const {
  const Value* v = find(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

const Array* Value::find_array(std::string_view key) const {
  const Value* v = find(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

const Value* Value::find_object(std::string_view key) const {
  const Value* v = find(key);
  return v && v->is_object() ? v : nullptr;
}

const double* Value::find_number(std::string_view key) const {
  const Value* v = find(key);
  return v && v->is_number() ? std::get_if<double>(&v->data_) : nullptr;
}

Value& Value::set(std::string key, Value v) {
  if (!is_object()) data_ = Object{};
  Object& o = as_object();
  o.emplace_back(std::move(key), std::move(v));
  return o.back().second;
}

Value& Value::put(std::string key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  return set(std::move(key), std::move(v));
}

bool Value::erase(std::string_view key) {
  Object* o = std::get_if<Object>(&data_);
  if (!o) return false;
  for (auto it = o->begin(); it != o->end(); ++it) {
    if (it->first == key) {
      o->erase(it);
      return true;
    }
  }
  return false;
}

Value& Value::push(Value v) {
  if (!is_array()) data_ = Array{};
  Array& a = as_array();
  a.push_back(std::move(v));
  return a.back();
}

size_t Value::size() const {
  if (const Object* o = std::get_if<Object>(&data_)) return o->size();
  if (const Array* a = std::get_if<Array>(&data_)) return a->size();
  return 0;
}

bool operator==(const Value& a, const Value& b) {
  // Structural equality; objects compare member lists in order (callers that
  // need order-insensitive equality compare canonical forms instead).
  return a.data_ == b.data_;
}

}  // namespace adcp::json
