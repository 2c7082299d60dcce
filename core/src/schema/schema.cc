#include "schema/schema.h"

#include <cmath>
#include <set>

#include "json/json.h"
#include "util/time.h"
#include "util/url.h"

namespace adcp::schema {

std::string Path::Pointer() const {
  std::string out;
  for (const Segment& s : segments_) {
    out.push_back('/');
    if (s.is_index) {
      out += std::to_string(s.index);
      continue;
    }
    for (char c : s.text) {
      if (c == '~')
        out += "~0";
      else if (c == '/')
        out += "~1";
      else
        out.push_back(c);
    }
  }
  return out;
}

std::string Path::Field() const {
  std::string out;
  for (const Segment& s : segments_) {
    if (s.is_index) {
      out += "[" + std::to_string(s.index) + "]";
    } else {
      if (!out.empty()) out.push_back('.');
      out += s.text;
    }
  }
  return out;
}

Failure MakeFailure(const Path& path, std::string keyword, std::string message) {
  Failure f;
  f.keyword = std::move(keyword);
  if (path.quiet()) return f;  // Matches(): where and why are never read
  f.pointer = path.Pointer();
  f.field = path.Field();
  f.message = (f.field.empty() ? std::string("request") : f.field) + ": " + message;
  return f;
}

namespace {

std::vector<std::unique_ptr<Node>>& Arena() {
  static std::vector<std::unique_ptr<Node>> arena;
  return arena;
}

bool IsIntegral(double d) { return std::isfinite(d) && std::floor(d) == d; }

const char* TypeName(uint8_t types) {
  switch (types) {
    case kNull: return "null";
    case kBool: return "a boolean";
    case kNumber: return "a number";
    case kInteger: return "an integer";
    case kString: return "a string";
    case kArray: return "an array";
    case kObject: return "an object";
    case kArray | kNull: return "an array or null";
    default: return "of another type";
  }
}

bool TypeMatches(uint8_t types, const json::Value& v) {
  if (types == 0) return true;
  switch (v.type()) {
    case json::Type::Null: return types & kNull;
    case json::Type::Bool: return types & kBool;
    case json::Type::Number: return (types & kNumber) || ((types & kInteger) && IsIntegral(v.as_number()));
    case json::Type::String: return types & kString;
    case json::Type::Array: return types & kArray;
    case json::Type::Object: return types & kObject;
    case json::Type::Raw: return false;  // only in answers being written, never in what is validated
  }
  return false;
}

bool FormatMatches(Format f, const std::string& s) {
  switch (f) {
    case Format::kNone: return true;
    case Format::kDateTime: return ParseDateTime(s).has_value();
    case Format::kDate: return ParseDate(s).has_value();
    case Format::kUri: return IsAbsoluteUri(s);
    case Format::kEmail: return IsEmail(s);
  }
  return true;
}

const char* FormatName(Format f) {
  switch (f) {
    case Format::kDateTime: return "an RFC 3339 date-time with offset";
    case Format::kDate: return "a date (YYYY-MM-DD)";
    case Format::kUri: return "an absolute URI";
    case Format::kEmail: return "an email address";
    default: return "";
  }
}

// The location a failing combinator reports (08 §2): the first property of
// the first branch's `required` list, else the instance itself.
Failure CombinatorFailure(const std::vector<NodeRef>& branches, Path& path, const char* keyword) {
  if (!branches.empty() && !branches[0]->required.empty()) {
    path.PushKey(branches[0]->required[0]);
    Failure f = MakeFailure(path, keyword, std::string("does not match the schema (") + keyword + ")");
    path.Pop();
    return f;
  }
  return MakeFailure(path, keyword, std::string("does not match the schema (") + keyword + ")");
}

}  // namespace

Node* New() {
  Arena().push_back(std::make_unique<Node>());
  return Arena().back().get();
}
Node* Str() {
  Node* n = New();
  n->types = kString;
  return n;
}
Node* Num() {
  Node* n = New();
  n->types = kNumber;
  return n;
}
Node* Int() {
  Node* n = New();
  n->types = kInteger;
  return n;
}
Node* Bool() {
  Node* n = New();
  n->types = kBool;
  return n;
}
Node* ObjectOf(std::vector<std::pair<std::string, NodeRef>> properties, std::vector<std::string> required,
               bool additional_allowed) {
  Node* n = New();
  n->types = kObject;
  n->properties = std::move(properties);
  n->required = std::move(required);
  n->additional_allowed = additional_allowed;
  return n;
}
Node* ArrayOf(NodeRef items) {
  Node* n = New();
  n->types = kArray;
  n->items = items;
  return n;
}
Node* Enum(std::initializer_list<const char*> values) {
  Node* n = Str();
  for (const char* v : values) n->enum_values.emplace_back(v);
  return n;
}
Node* Const(json::Value v) {
  Node* n = New();
  n->const_value = std::move(v);
  return n;
}

std::optional<Failure> ValidateAt(NodeRef node, const json::Value& v, Path& path) {
  if (!TypeMatches(node->types, v)) return MakeFailure(path, "type", std::string("must be ") + TypeName(node->types));
  if (node->const_value && json::Canonicalize(*node->const_value) != json::Canonicalize(v))
    return MakeFailure(path, "const", "must be " + json::Write(*node->const_value));
  if (!node->enum_values.empty()) {
    bool found = false;
    for (const json::Value& e : node->enum_values) found = found || e == v;
    if (!found) {
      std::string allowed;
      for (const json::Value& e : node->enum_values) allowed += (allowed.empty() ? "" : ", ") + json::Write(e);
      return MakeFailure(path, "enum", "must be one of " + allowed);
    }
  }
  switch (v.type()) {
    case json::Type::String: {
      const std::string& s = v.as_string();
      if (node->min_length || node->max_length) {
        size_t n = json::CodePointCount(s);
        if (node->min_length && n < *node->min_length)
          return MakeFailure(path, "minLength", "must be at least " + std::to_string(*node->min_length) + " characters");
        if (node->max_length && n > *node->max_length)
          return MakeFailure(path, "maxLength", "must be at most " + std::to_string(*node->max_length) + " characters");
      }
      if (node->pattern && !node->pattern(s))
        return MakeFailure(path, "pattern", std::string("must match ") + node->pattern_text);
      if (!FormatMatches(node->format, s))
        return MakeFailure(path, "format", std::string("must be ") + FormatName(node->format));
      break;
    }
    case json::Type::Number: {
      double d = v.as_number();
      if (node->minimum && d < *node->minimum)
        return MakeFailure(path, "minimum", "must be >= " + json::FormatNumber(*node->minimum));
      if (node->maximum && d > *node->maximum)
        return MakeFailure(path, "maximum", "must be <= " + json::FormatNumber(*node->maximum));
      if (node->exclusive_minimum && d <= *node->exclusive_minimum)
        return MakeFailure(path, "exclusiveMinimum", "must be > " + json::FormatNumber(*node->exclusive_minimum));
      break;
    }
    case json::Type::Array: {
      const json::Array& a = v.as_array();
      if (node->min_items && a.size() < *node->min_items)
        return MakeFailure(path, "minItems", "must have at least " + std::to_string(*node->min_items) + " item(s)");
      if (node->max_items && a.size() > *node->max_items)
        return MakeFailure(path, "maxItems", "must have at most " + std::to_string(*node->max_items) + " item(s)");
      if (node->unique_items) {
        std::set<std::string> seen;
        for (const json::Value& e : a)
          if (!seen.insert(json::Canonicalize(e)).second) return MakeFailure(path, "uniqueItems", "must not repeat items");
      }
      if (node->items) {
        for (size_t i = 0; i < a.size(); ++i) {
          path.PushIndex(i);
          std::optional<Failure> f = ValidateAt(node->items, a[i], path);
          path.Pop();
          if (f) return f;
        }
      }
      break;
    }
    default:
      break;
  }
  if (v.is_object()) {
    for (const std::string& r : node->required) {
      if (!v.has(r)) {
        path.PushKey(r);
        Failure f = MakeFailure(path, "required", "is required");
        path.Pop();
        return f;
      }
    }
    if (node->min_properties && v.size() < node->min_properties)
      return MakeFailure(path, "minProperties", "must have at least " + std::to_string(node->min_properties) + " member(s)");
  }
  // Combinators (they apply to any instance type).
  if (!node->one_of.empty()) {
    int passing = 0;
    for (NodeRef b : node->one_of) passing += Matches(b, v) ? 1 : 0;
    if (passing != 1) return CombinatorFailure(node->one_of, path, "oneOf");
  }
  if (!node->any_of.empty()) {
    bool any = false;
    for (NodeRef b : node->any_of) any = any || Matches(b, v);
    if (!any) return CombinatorFailure(node->any_of, path, "anyOf");
  }
  if (node->not_schema && Matches(node->not_schema, v)) {
    // `not {required: [...]}`: report the forbidden property.
    if (!node->not_schema->required.empty()) {
      path.PushKey(node->not_schema->required[0]);
      Failure f = MakeFailure(path, "not", "is not allowed here");
      path.Pop();
      return f;
    }
    return MakeFailure(path, "not", "is not allowed here");
  }
  for (const auto& it : node->if_then) {
    if (Matches(it.first, v)) {
      if (std::optional<Failure> f = ValidateAt(it.second, v, path)) return f;
    }
  }
  if (v.is_object()) {
    for (const json::Member& m : v.as_object()) {
      path.PushKey(m.first);
      // The last declaration of a name wins (AddVersionEnvelope appends).
      NodeRef sub = nullptr;
      for (auto p = node->properties.rbegin(); p != node->properties.rend(); ++p) {
        if (p->first == m.first) {
          sub = p->second;
          break;
        }
      }
      std::optional<Failure> f;
      if (node->property_names && !Matches(node->property_names, json::Value(m.first))) {
        f = MakeFailure(path, "propertyNames", "is not an allowed key");
      } else if (sub) {
        f = ValidateAt(sub, m.second, path);
      } else if (!node->additional_allowed) {
        f = MakeFailure(path, "additionalProperties", "is not an allowed property");
      } else if (node->additional_schema) {
        f = ValidateAt(node->additional_schema, m.second, path);
      }
      path.Pop();
      if (f) return f;
    }
  }
  if (node->custom) {
    if (std::optional<Failure> f = node->custom(v, path)) return f;
  }
  return std::nullopt;
}

std::optional<Failure> Validate(NodeRef node, const json::Value& value) {
  Path path;
  path.reserve(8);  // deeper than most requests: one block, not one per doubling
  return ValidateAt(node, value, path);
}

bool Matches(NodeRef node, const json::Value& value) {
  Path path;
  path.set_quiet();
  return !ValidateAt(node, value, path).has_value();
}

namespace {
// A template, not a function pointer: the predicate inlines (issue 15: the
// printable-ASCII check of a token was an indirect call per character).
template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool LowerDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool KeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == ':' || c == '-';
}
bool SignalChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool HexLowerChar(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

bool IsIdempotencyKey(std::string_view s) { return s.size() >= 16 && s.size() <= 255 && AllOf(s, KeyChar); }
bool IsCurrencyCode(std::string_view s) { return s.size() == 3 && AllOf(s, Upper); }
bool IsCountryCode(std::string_view s) { return s.size() == 2 && AllOf(s, Upper); }
bool IsBrandId(std::string_view s) {
  return !s.empty() && AllOf(s, [](char c) { return LowerDigit(c) || c == '_'; });
}
bool IsSignalId(std::string_view s) { return !s.empty() && AllOf(s, SignalChar); }
bool IsDomain(std::string_view s) {
  // ^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !LowerDigit(label.front()) || !LowerDigit(label.back())) return false;
    for (char c : label)
      if (!LowerDigit(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}
bool IsSha256Hex(std::string_view s) {
  return s.size() == 71 && s.substr(0, 7) == "sha256:" && AllOf(s.substr(7), HexLowerChar);
}
bool IsPrintableAscii(std::string_view s) {
  // The least and greatest byte, without an early exit: the compiler
  // vectorizes this form (issue 15: it reads whole tokens).
  unsigned char least = 0xFF, greatest = 0;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    least = c < least ? c : least;
    greatest = c > greatest ? c : greatest;
  }
  return !s.empty() && least >= 0x20 && greatest <= 0x7E;
}
bool IsAdcpVersion(std::string_view s) {
  // ^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)?$
  size_t i = 0;
  auto number = [&]() {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    if (s[i] == '0') {
      ++i;
      return true;
    }
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return true;
  };
  if (!number() || i >= s.size() || s[i] != '.') return false;
  ++i;
  if (!number()) return false;
  if (i == s.size()) return true;
  if (s[i] != '-') return false;
  std::string_view tag = s.substr(i + 1);
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (tag.empty() || !alnum(tag.front()) || !alnum(tag.back())) return false;
  for (char c : tag)
    if (!alnum(c) && c != '.' && c != '-') return false;
  return true;
}
bool IsHexColor(std::string_view s) {
  if (s.size() != 7 || s[0] != '#') return false;
  for (char c : s.substr(1))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace adcp::schema
