#include "util/holes.h"

namespace adcp {
namespace {

bool IsNumberByte(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

}  // namespace

std::string JoinHoles(std::string_view shape, std::string_view values) {
  std::string text;
  text.reserve(shape.size() + values.size());
  size_t copied = 0, at = 0;
  for (size_t hole = shape.find(kHole); hole != std::string_view::npos && at < values.size();
       hole = shape.find(kHole, copied)) {
    const size_t size = static_cast<unsigned char>(values[at]);
    text.append(shape.substr(copied, hole - copied)).append(values.substr(at + 1, size));
    at += 1 + size;
    copied = hole + 1;
  }
  text.append(shape.substr(copied));
  return text;
}

namespace {

// Takes out the numbers and, with `strings`, the string values.
bool Split(std::string_view text, bool strings, std::string* shape, std::string* values) {
  shape->clear();
  values->clear();
  if (text.find(kHole) != std::string_view::npos) return false;
  size_t copied = 0;
  auto take = [&](size_t start, size_t end) {
    if (end - start > 255) return;
    shape->append(text.substr(copied, start - copied)).push_back(kHole);
    values->push_back(static_cast<char>(end - start));
    values->append(text.substr(start, end - start));
    copied = end;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      if (end >= text.size()) break;  // unterminated: the rest stays as it is
      ++end;                          // past the closing quote
      const bool member_name = end < text.size() && text[end] == ':';
      if (strings && !member_name) take(i, end);
      i = end - 1;
      continue;
    }
    if (!((c >= '0' && c <= '9') || c == '-')) continue;  // a number starts so; "true" holds an 'e'
    size_t end = i;
    while (end < text.size() && IsNumberByte(text[end])) ++end;
    take(i, end);
    i = end - 1;
  }
  if (copied == 0) {
    shape->clear();
    values->clear();
    return false;
  }
  shape->append(text.substr(copied));
  values->shrink_to_fit();  // records keep the values: no slack from growing them
  return true;
}

}  // namespace

bool SplitNumbers(std::string_view text, std::string* shape, std::string* values) {
  return Split(text, false, shape, values);
}

bool SplitValues(std::string_view text, std::string* shape, std::string* values) {
  return Split(text, true, shape, values);
}

ShapedText::ShapedText(std::string_view text) {
  std::string shape;
  if (SplitValues(text, &shape, &values_)) shape_ = Sym(shape);
  else values_ = std::string(text);
}

}  // namespace adcp
