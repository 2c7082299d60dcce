#include "util/holes.h"

#include <array>
#include <cstdint>

#include "util/digest_text.h"

namespace adcp {
namespace {

bool IsNumberByte(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Packed forms of a value (after a zero length byte): the form, then the
// bytes. The three digest spellings are DigestForm's (util/digest_text.h).
constexpr unsigned char kFirstForm = 0x80, kUuid = 0x83, kTime = 0x84, kTimeMillis = 0x85;
unsigned char FormByte(DigestForm form) { return static_cast<unsigned char>(kFirstForm + static_cast<int>(form) - 1); }

size_t PackedSize(unsigned char form) {
  switch (form) {
    case kUuid: return 16;
    case kTime: return 5;
    case kTimeMillis: return 7;
    default: return form >= kFirstForm && form < kUuid ? 32 : 0;
  }
}

// A UTC time as RFC 3339 spells it with seconds, "2026-01-02T00:00:00Z", or
// with milliseconds, "2026-01-02T00:00:00.000Z" (the times records keep:
// observed_at, issued_at): its fields packed into 40 or 50 bits, 5 or 7
// bytes where the text was 20 or 24 (issue 15). Only that exact spelling
// with every field in its range is packed, so printing the fields back with
// their fixed widths gives the same text.
struct TimeField {
  size_t at, digits;
  uint32_t max;
  uint32_t min;
};
constexpr TimeField kTimeFields[] = {{0, 4, 9999, 0}, {5, 2, 12, 1}, {8, 2, 31, 1}, {11, 2, 23, 0}, {14, 2, 59, 0}, {17, 2, 60, 0}};
constexpr int kTimeFieldBits[] = {14, 4, 5, 5, 6, 6};

bool ReadTime(std::string_view v, std::string* bytes, unsigned char* form) {
  const bool millis = v.size() == 24;
  if ((v.size() != 20 && !millis) || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' ||
      v.back() != 'Z' || (millis && v[19] != '.'))
    return false;
  auto number = [&](size_t at, size_t digits, uint32_t* out) {
    *out = 0;
    for (size_t i = at; i < at + digits; ++i) {
      if (v[i] < '0' || v[i] > '9') return false;
      *out = *out * 10 + static_cast<uint32_t>(v[i] - '0');
    }
    return true;
  };
  uint64_t packed = 0;
  for (size_t f = 0; f < 6; ++f) {
    uint32_t value;
    if (!number(kTimeFields[f].at, kTimeFields[f].digits, &value) || value < kTimeFields[f].min || value > kTimeFields[f].max)
      return false;
    packed = packed << kTimeFieldBits[f] | value;
  }
  if (millis) {
    uint32_t ms;
    if (!number(20, 3, &ms)) return false;
    packed = packed << 10 | ms;
  }
  *form = millis ? kTimeMillis : kTime;
  for (size_t i = PackedSize(*form); i-- > 0;) bytes->push_back(static_cast<char>(packed >> (8 * i)));
  return true;
}

void AppendTime(unsigned char form, std::string_view bytes, std::string* text) {
  uint64_t packed = 0;
  for (char b : bytes) packed = packed << 8 | static_cast<unsigned char>(b);
  uint32_t ms = 0;
  if (form == kTimeMillis) {
    ms = static_cast<uint32_t>(packed & 1023);
    packed >>= 10;
  }
  uint32_t fields[6];
  for (size_t f = 6; f-- > 0;) {
    fields[f] = static_cast<uint32_t>(packed & ((1u << kTimeFieldBits[f]) - 1));
    packed >>= kTimeFieldBits[f];
  }
  auto put = [&](uint32_t value, size_t digits) {
    char out[4];
    for (size_t i = digits; i-- > 0; value /= 10) out[i] = static_cast<char>('0' + value % 10);
    text->append(out, digits);
  };
  const char separators[] = {'-', '-', 'T', ':', ':'};
  for (size_t f = 0; f < 6; ++f) {
    put(fields[f], kTimeFields[f].digits);
    if (f < 5) text->push_back(separators[f]);
  }
  if (form == kTimeMillis) {
    text->push_back('.');
    put(ms, 3);
  }
  text->push_back('Z');
}

bool IsUuidDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// The value as a length byte and its text, or packed when it has a packed form.
void AppendValue(std::string_view value, std::string* values) {
  std::array<uint8_t, 32> digest;
  std::string packed;
  unsigned char time_form = 0;
  if (const DigestForm form = ReadDigest(value, &digest); form != DigestForm::kNone) {
    values->append(1, '\0').push_back(static_cast<char>(FormByte(form)));
    values->append(reinterpret_cast<const char*>(digest.data()), digest.size());
  } else if (unsigned char uuid[16]; ReadUuid(value, uuid)) {
    values->append(1, '\0').push_back(static_cast<char>(kUuid));
    values->append(reinterpret_cast<const char*>(uuid), sizeof uuid);
  } else if (ReadTime(value, &packed, &time_form)) {
    values->append(1, '\0').push_back(static_cast<char>(time_form));
    values->append(packed);
  } else {
    values->push_back(static_cast<char>(value.size()));
    values->append(value);
  }
}

// The text of a packed value (form and bytes).
void AppendUnpacked(unsigned char form, std::string_view bytes, std::string* text) {
  if (form == kTime || form == kTimeMillis) return AppendTime(form, bytes, text);
  if (form != kUuid)
    return AppendDigest(static_cast<DigestForm>(form - kFirstForm + 1), reinterpret_cast<const uint8_t*>(bytes.data()), text);
  char spelled[36];
  WriteUuid(reinterpret_cast<const unsigned char*>(bytes.data()), spelled);
  text->append(spelled, sizeof spelled);
}

// The size of the value entry at `at` (its length byte included).
size_t EntrySize(std::string_view values, size_t at) {
  const size_t size = static_cast<unsigned char>(values[at]);
  if (size > 0) return 1 + size;
  const unsigned char form = at + 1 < values.size() ? static_cast<unsigned char>(values[at + 1]) : 0;
  return 2 + PackedSize(form);
}

}  // namespace

bool ReadUuid(std::string_view v, unsigned char* bytes) {
  if (v.size() != 36) return false;
  for (size_t i = 0; i < v.size(); ++i)
    if (IsUuidDash(i) != (v[i] == '-') || (!IsUuidDash(i) && LowerHexNibble(v[i]) < 0)) return false;
  for (size_t i = 0; i < v.size(); i += 2) {
    if (IsUuidDash(i)) ++i;
    *bytes++ = static_cast<unsigned char>(LowerHexNibble(v[i]) << 4 | LowerHexNibble(v[i + 1]));
  }
  return true;
}

void WriteUuid(const unsigned char* bytes, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *out++ = '-';
    *out++ = kHex[bytes[i] >> 4];
    *out++ = kHex[bytes[i] & 15];
  }
}

std::string JoinHoles(std::string_view shape, std::string_view values) {
  std::string text;
  text.reserve(shape.size() + values.size() + 64);
  size_t copied = 0, at = 0;
  for (size_t hole = shape.find(kHole); hole != std::string_view::npos && at < values.size();
       hole = shape.find(kHole, copied)) {
    const size_t size = static_cast<unsigned char>(values[at]), entry = EntrySize(values, at);
    text.append(shape.substr(copied, hole - copied));
    if (size > 0) text.append(values.substr(at + 1, size));
    else if (entry > 2 && at + entry <= values.size())
      AppendUnpacked(static_cast<unsigned char>(values[at + 1]), values.substr(at + 2, entry - 2), &text);
    at += entry;
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
    AppendValue(text.substr(start, end - start), values);
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
  std::string unpacked;
  for (size_t at = 0; at < values.size();) {
    const size_t size = static_cast<unsigned char>(values[at]), entry = EntrySize(values, at);
    std::string_view value = values.substr(at + 1, size);
    if (size == 0 && entry > 2 && at + entry <= values.size()) {  // a packed value: compared as its text
      unpacked.clear();
      AppendUnpacked(static_cast<unsigned char>(values[at + 1]), values.substr(at + 2, entry - 2), &unpacked);
      value = unpacked;
    }
    size_t index = 0;
    while (index < known.size() && (known.begin()[index].empty() || known.begin()[index] != value)) ++index;
    if (!value.empty() && index < known.size() && index < kFirstForm) out.append(1, '\0').push_back(static_cast<char>(index));
    else out.append(values.substr(at, entry));
    at += entry;
  }
  return out;
}

bool ResolveKnown(std::string_view values, std::initializer_list<std::string_view> known, std::string* resolved) {
  std::string& out = *resolved;
  out.clear();
  out.reserve(values.size() + 64);
  for (size_t at = 0; at < values.size();) {
    const size_t size = static_cast<unsigned char>(values[at]), entry = EntrySize(values, at);
    if (size > 0 || entry > 2) {  // a value, or a packed one
      out.append(values.substr(at, entry));
      at += entry;
      continue;
    }
    const size_t index = at + 1 < values.size() ? static_cast<unsigned char>(values[at + 1]) : known.size();
    const std::string_view value = index < known.size() ? known.begin()[index] : std::string_view();
    if (value.empty() || value.size() > 255) return false;  // not a value ReferToKnown took
    out.push_back(static_cast<char>(value.size()));
    out.append(value);
    at += 2;
  }
  return true;
}

ShapedText::ShapedText(std::string_view text, std::initializer_list<std::string_view> known)
    : ShapedText(text, [](std::string_view, bool) { return true; }, known) {}

ShapedText::ShapedText(std::string_view text, bool (*wanted)(std::string_view member, bool is_string),
                       std::initializer_list<std::string_view> known) {
  std::string shape, values;
  if (!SplitMembers(text, wanted, &shape, &values)) {
    values_ = text;
    return;
  }
  shape_ = Sym(shape);
  if (known.size() != 0) {
    // The references are kept only when they read back exactly; values_ is
    // assigned once (each assignment of a long text is a heap block).
    std::string referred = ReferToKnown(values, known), resolved;
    if (referred != values && ResolveKnown(referred, known, &resolved) && JoinHoles(shape, resolved) == text) {
      values_ = referred;
      return;
    }
  }
  values_ = values;
}

std::string ShapedText::Text(std::initializer_list<std::string_view> known) const {
  if (shape_.empty()) return values_.str();
  std::string resolved;
  if (known.size() == 0 || !ResolveKnown(values_, known, &resolved)) return JoinHoles(shape_.str(), values_);
  return JoinHoles(shape_.str(), resolved);
}

}  // namespace adcp
