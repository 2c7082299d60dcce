// Strict JSON parsing on top of RapidJSON's SAX reader.
//
// RapidJSON gives us a correctly rounded number parser (full-precision flag),
// UTF-8 validation and an iterative (stack-safe) grammar. What it does not do
// we add in the handler: depth limit, duplicate-key rejection (RapidJSON keeps
// duplicates), lone low-surrogate escapes (it only checks high ones) and
// doubles-only numbers (JavaScript semantics).
#include <algorithm>
#include <cmath>

#include "json/json.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"
#include "rapidjson/stream.h"

namespace adcp::json {
namespace {

class Builder {
 public:
  explicit Builder(size_t max_depth) : max_depth_(max_depth) {}

  bool Null() { return Add(Value()); }
  bool Bool(bool b) { return Add(Value(b)); }
  bool Int(int i) { return Add(Value(static_cast<double>(i))); }
  bool Uint(unsigned u) { return Add(Value(static_cast<double>(u))); }
  bool Int64(int64_t i) { return Add(Value(static_cast<double>(i))); }
  bool Uint64(uint64_t u) { return Add(Value(static_cast<double>(u))); }
  bool Double(double d) {
    if (!std::isfinite(d)) return Fail(ParseErrorKind::kNumberOverflow);
    return Add(Value(d));
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Fail(ParseErrorKind::kSyntax); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    std::string_view sv(s, n);
    if (!IsValidUtf8(sv)) return Fail(ParseErrorKind::kInvalidUtf8);
    return Add(Value(std::string(sv)));
  }
  bool StartObject() {
    if (stack_.size() >= max_depth_) return Fail(ParseErrorKind::kTooDeep);
    stack_.push_back(Value::MakeObject());
    keys_.emplace_back();
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    std::string_view sv(s, n);
    if (!IsValidUtf8(sv)) return Fail(ParseErrorKind::kInvalidUtf8);
    keys_.back().assign(sv.data(), sv.size());
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    Value v = std::move(stack_.back());
    stack_.pop_back();
    keys_.pop_back();
    if (HasDuplicateKey(v.as_object())) return Fail(ParseErrorKind::kDuplicateKey);
    return Add(std::move(v));
  }
  bool StartArray() {
    if (stack_.size() >= max_depth_) return Fail(ParseErrorKind::kTooDeep);
    stack_.push_back(Value::MakeArray());
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    Value v = std::move(stack_.back());
    stack_.pop_back();
    return Add(std::move(v));
  }

  ParseErrorKind error() const { return error_; }
  Value TakeRoot() { return std::move(root_); }

 private:
  bool Add(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Value& top = stack_.back();
    if (top.is_array())
      top.push(std::move(v));
    else
      top.set(std::move(keys_.back()), std::move(v));
    return true;
  }
  bool Fail(ParseErrorKind k) {
    error_ = k;
    return false;
  }
  static bool HasDuplicateKey(const Object& o) {
    if (o.size() < 2) return false;
    if (o.size() <= 8) {
      for (size_t i = 0; i < o.size(); ++i)
        for (size_t j = i + 1; j < o.size(); ++j)
          if (o[i].first == o[j].first) return true;
      return false;
    }
    std::vector<std::string_view> keys;
    keys.reserve(o.size());
    for (const Member& m : o) keys.emplace_back(m.first);
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
  }

  size_t max_depth_;
  std::vector<Value> stack_;
  std::vector<std::string> keys_;
  Value root_;
  ParseErrorKind error_ = ParseErrorKind::kNone;
};

}  // namespace

ParseResult Parse(std::string_view text, const ParseLimits& limits) {
  ParseResult r;
  if (text.size() > limits.max_bytes) {
    r.error = ParseErrorKind::kTooLarge;
    r.message = "request body exceeds " + std::to_string(limits.max_bytes) + " bytes";
    return r;
  }
  // RapidJSON's StringStream needs a terminator; string_view may not have one.
  std::string buffer(text);
  Builder builder(limits.max_depth);
  rapidjson::Reader reader;
  rapidjson::StringStream stream(buffer.c_str());
  constexpr unsigned kFlags = rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult pr = reader.Parse<kFlags>(stream, builder);
  // A NUL byte inside the text ends RapidJSON's stream early: treat as syntax.
  bool trailing_nul = pr && buffer.size() != std::char_traits<char>::length(buffer.c_str());
  if (pr && !trailing_nul) {
    r.value = builder.TakeRoot();
    return r;
  }
  switch (builder.error()) {
    case ParseErrorKind::kTooDeep:
      r.error = ParseErrorKind::kTooDeep;
      r.message = "JSON nesting deeper than " + std::to_string(limits.max_depth);
      return r;
    case ParseErrorKind::kDuplicateKey:
      r.error = ParseErrorKind::kDuplicateKey;
      r.message = "duplicate object key";
      return r;
    case ParseErrorKind::kInvalidUtf8:
      r.error = ParseErrorKind::kInvalidUtf8;
      r.message = "invalid UTF-8 or unpaired surrogate in string";
      return r;
    case ParseErrorKind::kNumberOverflow:
      r.error = ParseErrorKind::kNumberOverflow;
      r.message = "number overflows a double";
      return r;
    default:
      break;
  }
  if (trailing_nul) {
    r.error = ParseErrorKind::kSyntax;
    r.message = "unexpected NUL byte";
    return r;
  }
  switch (pr.Code()) {
    case rapidjson::kParseErrorNumberTooBig:
      r.error = ParseErrorKind::kNumberOverflow;
      r.message = "number overflows a double";
      return r;
    case rapidjson::kParseErrorStringInvalidEncoding:
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
      r.error = ParseErrorKind::kInvalidUtf8;
      r.message = "invalid UTF-8 or unpaired surrogate in string";
      return r;
    default:
      r.error = ParseErrorKind::kSyntax;
      r.message = std::string("invalid JSON: ") + rapidjson::GetParseError_En(pr.Code()) +
                  " at offset " + std::to_string(pr.Offset());
      return r;
  }
}

Value ParseStored(std::string_view text) {
  ParseLimits limits;
  limits.max_bytes = SIZE_MAX;
  limits.max_depth = 128;  // stored values come from requests (<= 64 deep) plus a few wrapper levels
  ParseResult r = Parse(text, limits);
  return r.ok() ? std::move(r.value) : Value();
}

}  // namespace adcp::json
