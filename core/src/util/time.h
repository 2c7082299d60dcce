// RFC 3339 instants and dates (01 §12).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace adcp {

// An instant with every fractional digit significant: whole seconds since
// the Unix epoch (UTC) plus the fractional digits without trailing zeros.
struct Instant {
  int64_t seconds = 0;
  std::string fraction;  // decimal digits after the point, no trailing zeros

  static Instant FromMillis(int64_t ms);
  friend bool operator<(const Instant& a, const Instant& b) {
    if (a.seconds != b.seconds) return a.seconds < b.seconds;
    return a.fraction < b.fraction;  // same-length-prefix digit strings: lexicographic = numeric
  }
  friend bool operator==(const Instant& a, const Instant& b) {
    return a.seconds == b.seconds && a.fraction == b.fraction;
  }
  friend bool operator!=(const Instant& a, const Instant& b) { return !(a == b); }
  friend bool operator<=(const Instant& a, const Instant& b) { return !(b < a); }
  friend bool operator>(const Instant& a, const Instant& b) { return b < a; }
  friend bool operator>=(const Instant& a, const Instant& b) { return !(a < b); }
  // Milliseconds since epoch, truncated toward -inf (for arithmetic with now).
  int64_t FloorMillis() const;
};

// RFC 3339 date-time with `Z` or ±HH:MM offset, any fractional digits,
// case-insensitive T/Z, seconds 00..59. nullopt when malformed.
std::optional<Instant> ParseDateTime(std::string_view s);
// YYYY-MM-DD (full-date). Returns midnight UTC of that day.
std::optional<Instant> ParseDate(std::string_view s);

// Outbound form YYYY-MM-DDTHH:MM:SS.sssZ for milliseconds since epoch.
std::string FormatMillis(int64_t ms);

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace adcp
