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

bool SplitNumbers(std::string_view text, std::string* shape, std::string* values) {
  shape->clear();
  values->clear();
  if (text.find(kHole) != std::string_view::npos) return false;
  size_t copied = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped byte is never a quote that ends the string
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (!((c >= '0' && c <= '9') || c == '-')) continue;  // a number starts so; "true" holds an 'e'
    size_t end = i;
    while (end < text.size() && IsNumberByte(text[end])) ++end;
    if (end - i <= 255) {
      shape->append(text.substr(copied, i - copied)).push_back(kHole);
      values->push_back(static_cast<char>(end - i));
      values->append(text.substr(i, end - i));
      copied = end;
    }
    i = end - 1;
  }
  if (copied == 0) {
    shape->clear();
    values->clear();
    return false;
  }
  shape->append(text.substr(copied));
  return true;
}

}  // namespace adcp
