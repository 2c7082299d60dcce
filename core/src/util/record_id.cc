#include "util/record_id.h"

namespace adcp {
namespace {

// The prefixes of the ids the core mints for checks, actions and outcomes
// (tasks/), in code order; at most 14 (the tag's high nibble is code + 1,
// and 0xF_ would reach the heap tag).
constexpr std::string_view kPrefixes[] = {"chk", "gb", "out"};
static_assert(sizeof kPrefixes / sizeof kPrefixes[0] <= 14, "a prefix code fits the tag's high nibble");
constexpr size_t kUlidDigits = 26;
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// A Crockford digit's value as the core writes it (upper case, no aliases), -1 otherwise.
int DigitValue(char c) {
  for (int v = 0; v < 32; ++v)
    if (kCrockford[v] == c) return v;
  return -1;
}

}  // namespace

bool RecordId::Pack(std::string_view text) {
  if (text.size() < kUlidDigits + 2 || text[text.size() - kUlidDigits - 1] != '_') return false;
  const std::string_view prefix = text.substr(0, text.size() - kUlidDigits - 1);
  size_t code = 0;
  while (code < sizeof kPrefixes / sizeof kPrefixes[0] && kPrefixes[code] != prefix) ++code;
  if (code == sizeof kPrefixes / sizeof kPrefixes[0]) return false;
  const std::string_view digits = text.substr(text.size() - kUlidDigits);
  // 26 digits are 130 bits: the first must be 0 and the second below 16
  // for the value to fit 124 (a ULID's time before the year 2527).
  if (digits[0] != '0' || DigitValue(digits[1]) < 0 || DigitValue(digits[1]) >= 16) return false;
  uint64_t high = 0, low = 0;
  for (size_t i = 1; i < kUlidDigits; ++i) {
    const int value = DigitValue(digits[i]);
    if (value < 0) return false;
    high = high << 5 | low >> 59;
    low = low << 5 | static_cast<uint64_t>(value);
  }
  for (int i = 0; i < 8; ++i) bytes_[i] = static_cast<char>(low >> (8 * i));
  for (int i = 0; i < 7; ++i) bytes_[8 + i] = static_cast<char>(high >> (8 * i));
  set_tag(static_cast<uint8_t>((code + 1) << 4 | (high >> 56 & 0x0F)));
  return true;
}

size_t RecordId::Spell(char* out) const {
  uint64_t high = 0, low = 0;
  for (int i = 0; i < 8; ++i) low |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[i])) << (8 * i);
  for (int i = 0; i < 7; ++i) high |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[8 + i])) << (8 * i);
  high |= static_cast<uint64_t>(tag() & 0x0F) << 56;
  const std::string_view prefix = kPrefixes[(tag() >> 4) - 1];
  std::memcpy(out, prefix.data(), prefix.size());
  out[prefix.size()] = '_';
  char* digits = out + prefix.size() + 1;
  for (size_t i = kUlidDigits; i-- > 0;) {
    digits[i] = kCrockford[low & 31];
    low = low >> 5 | high << 59;
    high >>= 5;
  }
  return prefix.size() + 1 + kUlidDigits;
}

}  // namespace adcp
