// Texts kept as a pooled shape plus the few values that differ from record
// to record (issue 15: memory per decision). Each value's place in the shape
// is one kHole byte; the values follow one another, each after a length
// byte. A value that is a digest or a UUID in its usual spelling (lowercase
// hex, "sha256:" and lowercase hex, canonical unpadded base64url of 32
// bytes, a lowercase UUID) or a UTC time as RFC 3339 spells it
// ("2026-01-02T00:00:00Z", or with ".000" milliseconds) is kept as its bytes
// instead: a zero length byte, a form byte (0x80 and up) and the bytes. The split is purely textual and
// JoinHoles inverts it exactly.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "util/record_id.h"
#include "util/symbol.h"

namespace adcp {

// A byte compact JSON never holds raw (control characters are escaped
// inside strings), so it cannot be confused with the text's own bytes.
constexpr char kHole = '\x01';

// A lowercase UUID (8-4-4-4-12 hex digits) as its 16 bytes; false when
// `text` is not one. WriteUuid writes the 36 characters back at `out`.
bool ReadUuid(std::string_view text, unsigned char* bytes);
void WriteUuid(const unsigned char* bytes, char* out);

// The shape with the values put back in order.
std::string JoinHoles(std::string_view shape, std::string_view values);

// Takes values out of JSON text: `shape` gets a hole for each, `values` the
// values. A value is a number (a run of number characters outside strings)
// or the contents of a string that is not a member name (escapes as
// written, quotes left in the shape), 1 to 255 bytes; `wanted` is asked
// with the member name it follows ("" in an array or at the top) and
// whether it is a string. False, with both left empty, when nothing is
// taken out or the text already holds a hole byte.
bool SplitMembers(std::string_view text, bool (*wanted)(std::string_view member, bool is_string), std::string* shape,
                  std::string* values);
// Every number.
bool SplitNumbers(std::string_view text, std::string* shape, std::string* values);
// Every value.
bool SplitValues(std::string_view text, std::string* shape, std::string* values);

// Values (as SplitMembers gives them; a packed one compared as its text)
// equal to one of `known` (the first 128; empty ones never match) become a
// reference to it: a zero length byte (a value is never empty) and its
// index. A record then keeps once a value it already holds (a token's check
// id, action id, payload hash and times). ResolveKnown, given the same
// `known`, gives back the values exactly; false when a reference
// names no known value (then `known` is not the one the values were made
// with).
std::string ReferToKnown(std::string_view values, std::initializer_list<std::string_view> known);
bool ResolveKnown(std::string_view values, std::initializer_list<std::string_view> known, std::string* resolved);

// JSON text kept as a pooled shape (SplitValues) and its values, or whole
// when it has no value to take out. Records keep received documents this
// way (a statement's metrics, an observation): the member names and the
// layout are the same from one to the next. Empty = no text.
//
// `known`: values the record keeps anyway (a statement's id, period and digest);
// values equal to one are kept as a reference to it (ReferToKnown). Text()
// must be given the same list; the text is kept unreferenced when it would
// not read back exactly.
class ShapedText {
 public:
  ShapedText() = default;
  explicit ShapedText(std::string_view text, std::initializer_list<std::string_view> known = {});
  // Only the values `wanted` takes (SplitMembers) are the record's own; the
  // others stay in the pooled shape: for values many records share.
  ShapedText(std::string_view text, bool (*wanted)(std::string_view member, bool is_string),
             std::initializer_list<std::string_view> known = {});
  std::string Text(std::initializer_list<std::string_view> known = {}) const;
  bool empty() const { return shape_.empty() && values_.empty(); }
  // What it keeps (tests and memory figures): the pooled shape, "" when the
  // text is kept whole in values().
  const Sym& shape() const { return shape_; }
  std::string_view values() const { return values_; }

 private:
  Sym shape_;               // "" = values_ is the whole text
  InlineText<16> values_;  // issue 15: 15 bytes inline in 16, where a std::string was 32
};

}  // namespace adcp
