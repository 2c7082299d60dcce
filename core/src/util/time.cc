#include "util/time.h"

namespace adcp {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Parses YYYY-MM-DD at the start of s; returns days since epoch.
bool ParseFullDate(std::string_view s, int64_t* days) {
  int y, m, d;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

}  // namespace

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Instant Instant::FromMillis(int64_t ms) {
  Instant t;
  int64_t sec = ms / 1000, rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --sec;
  }
  t.seconds = sec;
  if (rem != 0) {
    char buf[4] = {static_cast<char>('0' + rem / 100), static_cast<char>('0' + rem / 10 % 10),
                   static_cast<char>('0' + rem % 10), 0};
    t.fraction = buf;
    while (!t.fraction.empty() && t.fraction.back() == '0') t.fraction.pop_back();
  }
  return t;
}

int64_t Instant::FloorMillis() const {
  int64_t ms = seconds * 1000;
  for (size_t i = 0; i < 3; ++i) ms += (i < fraction.size() ? fraction[i] - '0' : 0) * (i == 0 ? 100 : i == 1 ? 10 : 1);
  return ms;
}

std::optional<Instant> ParseDateTime(std::string_view s) {
  int64_t days;
  if (!ParseFullDate(s, &days)) return std::nullopt;
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  int hh, mm, ss;
  if (!Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' || !Digits(s, 17, 2, &ss))
    return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  size_t pos = 19;
  std::string fraction;
  if (s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
    fraction.assign(s.data() + start, pos - start);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om))
      return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  Instant t;
  t.seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  t.fraction = std::move(fraction);
  return t;
}

std::optional<Instant> ParseDate(std::string_view s) {
  int64_t days;
  if (s.size() != 10 || !ParseFullDate(s, &days)) return std::nullopt;
  Instant t;
  t.seconds = days * 86400;
  return t;
}

std::string FormatMillis(int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t rem = ms - days * 86400000;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  int hh = static_cast<int>(rem / 3600000), mi = static_cast<int>(rem / 60000 % 60),
      ss = static_cast<int>(rem / 1000 % 60), msec = static_cast<int>(rem % 1000);
  char buf[32];
  // Manual formatting: snprintf is locale-free for integers but keep it simple.
  auto put = [&](char* p, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(buf, y, 4);
  buf[4] = '-';
  put(buf + 5, m, 2);
  buf[7] = '-';
  put(buf + 8, d, 2);
  buf[10] = 'T';
  put(buf + 11, hh, 2);
  buf[13] = ':';
  put(buf + 14, mi, 2);
  buf[16] = ':';
  put(buf + 17, ss, 2);
  buf[19] = '.';
  put(buf + 20, msec, 3);
  buf[23] = 'Z';
  return std::string(buf, 24);
}

}  // namespace adcp
