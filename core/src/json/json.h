// Parsing and serialization of json::Value.
#pragma once

#include <optional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "json/value.h"

namespace adcp::json {

struct ParseLimits {
  size_t max_bytes = 1u << 20;  // 1 MiB (issue: configurable)
  size_t max_depth = 64;
};

enum class ParseErrorKind {
  kNone,
  kTooLarge,
  kTooDeep,
  kInvalidUtf8,
  kDuplicateKey,
  kNumberOverflow,
  kSyntax,
};

struct ParseResult {
  ParseErrorKind error = ParseErrorKind::kNone;
  std::string message;  // human text for error.message
  std::string field;    // path of the offending member ("plans[0].budget.total"), when one is
  Value value;
  bool ok() const { return error == ParseErrorKind::kNone; }
};

// Strict I-JSON parse (07 §1.1): rejects duplicate keys, invalid UTF-8, lone
// surrogate escapes, NaN/Infinity literals, numbers overflowing a double,
// nesting deeper than limits.max_depth and inputs over limits.max_bytes.
// Numbers are parsed to the nearest double (correctly rounded), exactly as
// ECMAScript's JSON.parse reads them; one that overflows fails (field = its
// path), one that underflows is 0.
ParseResult Parse(std::string_view text, const ParseLimits& limits = {});

// Whether Parse would accept `text` (the same checks, nothing built).
bool IsValid(std::string_view text, const ParseLimits& limits = {});

// ParseOutline: a root object whose array members are not built. Each
// element of such an array is kept as its byte range [begin, end) in the
// text (a scalar element as its value), to be Parse'd on its own: a large
// document of records (a state snapshot) is then never one tree in memory.
// The outline pass checks the grammar around the elements and finds each
// element's end by bracket matching (string-aware); an element is checked
// (grammar, encoding, depth, duplicate keys, numbers) when it is parsed,
// so a caller must parse every element before it trusts the document.
struct OutlineElement {
  size_t begin = 0, end = 0;
  std::optional<Value> scalar;
};
struct Outline {
  // Root member arrays in document order: key, elements.
  std::vector<std::pair<std::string, std::vector<OutlineElement>>> arrays;
};
// On success the value is the root, its outlined arrays left empty.
ParseResult ParseOutline(std::string_view text, const ParseLimits& limits, Outline* outline);

// One JSON number token (RFC 8259 grammar, nothing around it) read as
// JSON.parse reads it: nearest double, ties to even.
struct NumberText {
  bool valid = false;   // the token is a JSON number
  bool finite = false;  // false: it overflows to +-Infinity
  double value = 0;
};
NumberText ReadNumber(std::string_view token);

// ECMAScript Number::toString (07 §1.3). Precondition: finite.
void AppendNumber(std::string& out, double x);
std::string FormatNumber(double x);

// JSON string literal with the escaping of 07 §1.2 (= JSON.stringify).
void AppendQuoted(std::string& out, std::string_view s);

// Parses JSON text the core itself wrote and stored (record bodies): no
// request limits apply. Invalid text yields null.
Value ParseStored(std::string_view text);

// `text` as Write(Parse(text)) would write it (compact, numbers and escapes as
// JSON.stringify gives them), without building a tree; nullopt when Parse
// would refuse it. Stored bodies are kept in this form, so that their members
// can be spliced into answers as they are (RawText).
std::optional<std::string> Normalize(std::string_view text, const ParseLimits& limits = {});

// The top-level members of a JSON object text that is valid JSON (a stored
// body): each key as written between its quotes and its value's text, found
// by one string-aware bracket-matching scan that builds nothing. Empty when
// the text is not an object.
struct MemberText {
  std::string_view key, value;
};
std::vector<MemberText> MemberTexts(std::string_view object_text);

// Compact JSON in insertion order (= JSON.stringify(value)).
std::string Write(const Value& v);
void AppendWrite(std::string& out, const Value& v);
// Write of an object without one of its top-level members (no copy of the
// rest); other values are written whole.
std::string WriteWithout(const Value& v, std::string_view omitted_key);

// RFC 8785 canonical form: like Write, with object members sorted by their
// keys as UTF-16 code-unit sequences.
std::string Canonicalize(const Value& v);
void AppendCanonical(std::string& out, const Value& v);
// Canonicalize of an object without some of its top-level members, written
// from the object itself (issue 15: the digests of a payload, a statement
// and an idempotent request copied the whole tree first); other values are
// canonicalized whole.
std::string CanonicalizeWithout(const Value& v, std::initializer_list<std::string_view> omitted_keys);

// Key comparison in UTF-16 code-unit order for valid UTF-8 strings.
bool Utf16Less(std::string_view a, std::string_view b);

// Strict UTF-8 validation (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points of valid UTF-8 (schema lengths, README).
size_t CodePointCount(std::string_view s);
// Number of UTF-16 code units of valid UTF-8 (11 §3 limits).
size_t Utf16Length(std::string_view s);

}  // namespace adcp::json
