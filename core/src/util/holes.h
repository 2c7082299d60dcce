// Texts kept as a pooled shape plus the few values that differ from record
// to record (issue 15: memory per decision). Each value's place in the shape
// is one kHole byte; the values follow one another, each after a length
// byte. The split is purely textual and JoinHoles inverts it exactly.
#pragma once

#include <string>
#include <string_view>

#include "util/symbol.h"

namespace adcp {

// A byte compact JSON never holds raw (control characters are escaped
// inside strings), so it cannot be confused with the text's own bytes.
constexpr char kHole = '\x01';

// The shape with the values put back in order.
std::string JoinHoles(std::string_view shape, std::string_view values);

// Takes every number (a run of number characters outside strings, at most
// 255 bytes) out of JSON text: `shape` gets a hole for each, `values` the
// numbers. False, with both left empty, when the text has no number or
// already holds a hole byte.
bool SplitNumbers(std::string_view text, std::string* shape, std::string* values);

// The same for every value: numbers and strings that are not member names
// (each at most 255 bytes, a string with its quotes and escapes as written).
bool SplitValues(std::string_view text, std::string* shape, std::string* values);

// JSON text kept as a pooled shape (SplitValues) and its values, or whole
// when it has no value to take out. Records keep received documents this
// way (a statement's metrics, an observation): the member names and the
// layout are the same from one to the next. Empty = no text.
class ShapedText {
 public:
  ShapedText() = default;
  explicit ShapedText(std::string_view text);
  std::string Text() const { return shape_.empty() ? values_ : JoinHoles(shape_.str(), values_); }
  bool empty() const { return shape_.empty() && values_.empty(); }

 private:
  Sym shape_;           // "" = values_ is the whole text
  std::string values_;
};

}  // namespace adcp
