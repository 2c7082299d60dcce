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

bool SplitMembers(std::string_view text, bool (*wanted)(std::string_view member, bool is_string), std::string* shape,
                  std::string* values) {
  shape->clear();
  values->clear();
  if (text.find(kHole) != std::string_view::npos) return false;
  size_t copied = 0;
  auto take = [&](size_t start, size_t end) {
    if (end == start || end - start > 255) return;
    shape->append(text.substr(copied, start - copied)).push_back(kHole);
    values->push_back(static_cast<char>(end - start));
    values->append(text.substr(start, end - start));
    copied = end;
  };
  std::string_view member;  // the name the next value follows, if it follows one
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      if (end >= text.size()) break;  // unterminated: the rest stays as it is
      if (end + 1 < text.size() && text[end + 1] == ':') {
        member = text.substr(i + 1, end - i - 1);
        i = end + 1;  // past the colon
        continue;
      }
      if (wanted(member, true)) take(i + 1, end);
      member = {};
      i = end;
      continue;
    }
    if (!((c >= '0' && c <= '9') || c == '-')) {  // a number starts so; "true" holds an 'e'
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') member = {};
      continue;
    }
    size_t end = i;
    while (end < text.size() && IsNumberByte(text[end])) ++end;
    if (wanted(member, false)) take(i, end);
    member = {};
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

bool SplitNumbers(std::string_view text, std::string* shape, std::string* values) {
  return SplitMembers(text, [](std::string_view, bool is_string) { return !is_string; }, shape, values);
}

bool SplitValues(std::string_view text, std::string* shape, std::string* values) {
  return SplitMembers(text, [](std::string_view, bool) { return true; }, shape, values);
}

std::string ReferToKnown(std::string_view values, std::initializer_list<std::string_view> known) {
  std::string out;
  out.reserve(values.size());
  for (size_t at = 0; at < values.size();) {
    const size_t size = static_cast<unsigned char>(values[at]);
    const std::string_view value = values.substr(at + 1, size);
    size_t index = 0;
    while (index < known.size() && (known.begin()[index].empty() || known.begin()[index] != value)) ++index;
    if (size > 0 && index < known.size()) out.append(1, '\0').push_back(static_cast<char>(index));
    else out.append(values.substr(at, 1 + size));
    at += 1 + size;
  }
  return out;
}

std::string ResolveKnown(std::string_view values, std::initializer_list<std::string_view> known) {
  std::string out;
  out.reserve(values.size() + 64);
  for (size_t at = 0; at < values.size();) {
    const size_t size = static_cast<unsigned char>(values[at]);
    if (size > 0) {
      out.append(values.substr(at, 1 + size));
      at += 1 + size;
      continue;
    }
    const size_t index = at + 1 < values.size() ? static_cast<unsigned char>(values[at + 1]) : known.size();
    if (index < known.size()) {
      const std::string_view value = known.begin()[index];
      out.push_back(static_cast<char>(value.size()));
      out.append(value);
    }
    at += 2;
  }
  return out;
}

ShapedText::ShapedText(std::string_view text) {
  std::string shape;
  if (SplitValues(text, &shape, &values_)) shape_ = Sym(shape);
  else values_ = std::string(text);
}

}  // namespace adcp
