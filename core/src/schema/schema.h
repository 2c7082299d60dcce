// A small draft-07-style validator for the request shapes the core accepts.
//
// Why not a library: RapidJSON's schema.h is draft-04 only and wrong on this
// contract (toolchain notes §7); valijson adds ~264 KB to the WASM build and
// its Debian package pulls Qt/Poco. The upstream schema files are test data
// only (never shipped), so the shapes are declared in code (requests.cc) and
// this engine reports the *first* failure in the order 08 §2 fixes: a
// depth-first walk of the request in member order; at an object, `required`
// (in list order) and combinators come before failures inside its members.
// The tests cross-check it against ajv on the upstream schemas.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace adcp::schema {

enum TypeBits : uint8_t {
  kNull = 1,
  kBool = 2,
  kNumber = 4,
  kInteger = 8,  // a number with an integral value (2.0 counts)
  kString = 16,
  kArray = 32,
  kObject = 64,
};

enum class Format { kNone, kDateTime, kDate, kUri, kEmail };

struct Node;
using NodeRef = const Node*;

// Location of a value inside the request. A key is held as a view (issue
// 15: every member of every request was copied into a string on the way
// down): it must outlive its push, as the keys of the value being validated
// and the schema's own names do.
class Path {
 public:
  void PushKey(std::string_view key) {
    if (!quiet_) segments_.push_back({key, 0, false});
  }
  void PushKey(const char* key) { PushKey(std::string_view(key)); }
  void PushKey(std::string&&) = delete;  // a temporary would dangle
  void PushIndex(size_t i) {
    if (!quiet_) segments_.push_back({{}, i, true});
  }
  void Pop() {
    if (!quiet_) segments_.pop_back();
  }
  std::string Pointer() const;  // RFC 6901: /plans/1/budget/total
  std::string Field() const;    // JSONPath-lite: plans[1].budget.total
  bool empty() const { return segments_.empty(); }
  // Matches() only asks whether a value fails, never where or why: a quiet
  // path keeps no segments and its failures carry only their keyword
  // (MakeFailure). Only Matches() makes one.
  bool quiet() const { return quiet_; }
  void reserve(size_t depth) { segments_.reserve(depth); }

 private:
  friend bool Matches(NodeRef node, const json::Value& value);
  void set_quiet() { quiet_ = true; }
  struct Segment {
    std::string_view text;
    size_t index;
    bool is_index;
  };
  std::vector<Segment> segments_;
  bool quiet_ = false;
};

// Under Matches() (a quiet path) only `keyword` is filled in.
struct Failure {
  std::string pointer;
  std::string field;
  std::string keyword;
  std::string message;
};

struct Node {
  uint8_t types = 0;  // 0 = any type
  // object
  std::vector<std::pair<std::string, NodeRef>> properties;
  std::vector<std::string> required;
  bool additional_allowed = true;
  NodeRef additional_schema = nullptr;  // schema for members not in properties
  NodeRef property_names = nullptr;
  size_t min_properties = 0;
  // combinators evaluated at this value after `required` (schema order)
  std::vector<NodeRef> one_of;
  std::vector<NodeRef> any_of;
  NodeRef not_schema = nullptr;
  std::vector<std::pair<NodeRef, NodeRef>> if_then;  // allOf of if/then
  // array
  NodeRef items = nullptr;
  std::optional<size_t> min_items, max_items;
  bool unique_items = false;
  // string (lengths in code points)
  std::optional<size_t> min_length, max_length;
  bool (*pattern)(std::string_view) = nullptr;
  const char* pattern_text = "";
  Format format = Format::kNone;
  // number
  std::optional<double> minimum, maximum, exclusive_minimum;
  // enum / const
  std::vector<json::Value> enum_values;
  std::optional<json::Value> const_value;
  // Extra rule (project choices the schema cannot express); runs last.
  std::function<std::optional<Failure>(const json::Value&, Path&)> custom;
};

// Builders. Nodes live for the process lifetime (they describe fixed shapes).
Node* New();
Node* Str();
Node* Num();
Node* Int();
Node* Bool();
Node* ObjectOf(std::vector<std::pair<std::string, NodeRef>> properties, std::vector<std::string> required = {},
               bool additional_allowed = true);
Node* ArrayOf(NodeRef items);
Node* Enum(std::initializer_list<const char*> values);
Node* Const(json::Value v);

// First failure of `value` against `node`, or nullopt.
std::optional<Failure> Validate(NodeRef node, const json::Value& value);
std::optional<Failure> ValidateAt(NodeRef node, const json::Value& value, Path& path);
bool Matches(NodeRef node, const json::Value& value);

Failure MakeFailure(const Path& path, std::string keyword, std::string message);

// Shared patterns.
bool IsIdempotencyKey(std::string_view s);  // ^[A-Za-z0-9_.:-]{16,255}$
bool IsCurrencyCode(std::string_view s);    // ^[A-Z]{3}$
bool IsCountryCode(std::string_view s);     // ^[A-Z]{2}$
bool IsDomain(std::string_view s);          // brand-ref domain pattern
bool IsBrandId(std::string_view s);         // ^[a-z0-9_]+$
bool IsSha256Hex(std::string_view s);       // ^sha256:[a-f0-9]{64}$
bool IsPrintableAscii(std::string_view s);  // ^[\x20-\x7E]+$
bool IsSignalId(std::string_view s);        // ^[a-zA-Z0-9_-]+$
bool IsAdcpVersion(std::string_view s);     // version-envelope adcp_version pattern
bool IsHexColor(std::string_view s);        // ^#[0-9a-fA-F]{6}$

}  // namespace adcp::schema
