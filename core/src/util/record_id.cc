#include "util/record_id.h"

#include "util/holes.h"

namespace adcp {
namespace {

// The prefixes of the ids the core mints for checks, actions and outcomes
// (tasks/), in code order; at most 14 (the tag's high nibble is code + 1,
// and 0xF_ would reach the heap tag).
constexpr std::string_view kPrefixes[] = {"chk", "gb", "out"};
constexpr size_t kPrefixCount = sizeof kPrefixes / sizeof kPrefixes[0];
static_assert(kPrefixCount <= 14, "a prefix code fits the tag's high nibble");
constexpr size_t kUlidDigits = 26;
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// A Crockford digit's value as the core writes it (upper case, no aliases),
// -1 otherwise: a table, as every minted id is packed once (a search of the
// alphabet was ~1 % of the governed-buy loop).
struct DigitValues {
  int8_t value[256];
  constexpr DigitValues() : value() {
    for (int c = 0; c < 256; ++c) value[c] = -1;
    for (int v = 0; v < 32; ++v) value[static_cast<unsigned char>(kCrockford[v])] = static_cast<int8_t>(v);
  }
};
constexpr DigitValues kDigitValues;
int DigitValue(char c) { return kDigitValues.value[static_cast<unsigned char>(c)]; }

// A stored scope's packed tag (above any inline size, below the heap tag).
constexpr uint8_t kScopeUuidTag = 0xFE;

}  // namespace

// bytes[0..14] hold the ULID's value below bit 120, least significant first;
// the tag's low nibble bits 120..123, its high nibble the prefix's code + 1
// (so a packed tag is 0x10 and up, above an inline size).
bool MintedIdPacking::Pack(std::string_view text, char* bytes, uint8_t* tag) {
  if (text.size() < kUlidDigits + 2 || text[text.size() - kUlidDigits - 1] != '_') return false;
  const std::string_view prefix = text.substr(0, text.size() - kUlidDigits - 1);
  size_t code = 0;
  while (code < kPrefixCount && kPrefixes[code] != prefix) ++code;
  if (code == kPrefixCount) return false;
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
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(low >> (8 * i));
  for (int i = 0; i < 7; ++i) bytes[8 + i] = static_cast<char>(high >> (8 * i));
  *tag = static_cast<uint8_t>((code + 1) << 4 | (high >> 56 & 0x0F));
  return true;
}

size_t MintedIdPacking::Spell(const char* bytes, uint8_t tag, char* out) {
  uint64_t high = 0, low = 0;
  for (int i = 0; i < 8; ++i) low |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  for (int i = 0; i < 7; ++i) high |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
  high |= static_cast<uint64_t>(tag & 0x0F) << 56;
  const std::string_view prefix = kPrefixes[(tag >> 4) - 1];
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

// bytes[0..3]: the agent's number (little-endian), bytes[4..19]: the UUID.
// Packed only in the spelling StoredScope writes: the number in decimal
// without leading zeros, a newline, a lowercase UUID.
bool ScopeUuidPacking::Pack(std::string_view text, char* bytes, uint8_t* tag) {
  const size_t newline = text.find('\n');
  if (newline == std::string_view::npos || newline == 0 || newline > 10 || (text[0] == '0' && newline > 1)) return false;
  uint64_t number = 0;
  for (size_t i = 0; i < newline; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    number = number * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  unsigned char uuid[16];
  if (number > UINT32_MAX || !ReadUuid(text.substr(newline + 1), uuid)) return false;
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(number >> (8 * i));
  std::memcpy(bytes + 4, uuid, sizeof uuid);
  *tag = kScopeUuidTag;
  return true;
}

size_t ScopeUuidPacking::Spell(const char* bytes, uint8_t, char* out) {
  uint32_t number = 0;
  for (int i = 0; i < 4; ++i) number |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  char digits[10];
  size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number != 0);
  for (size_t i = 0; i < count; ++i) out[i] = digits[count - 1 - i];
  out[count] = '\n';
  WriteUuid(reinterpret_cast<const unsigned char*>(bytes + 4), out + count + 1);
  return count + 1 + 36;
}

}  // namespace adcp
