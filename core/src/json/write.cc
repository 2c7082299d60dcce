// Serialization: compact JSON (JSON.stringify) and RFC 8785 canonical JSON.
#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/json.h"

// Shortest round-trip digits. The C++17 way is std::to_chars(double), which
// Emscripten 3.1.6's libc++ lacks (toolchain notes §6); {fmt}'s Dragonbox is
// header-only, exception-free and identical on both builds. It is internal
// {fmt} API, so it is wrapped in this one function and pinned by tests
// (tests/core/json_number_test.cc compares 100,000+ values with Node).
#define FMT_HEADER_ONLY
#include "fmt/format.h"

namespace adcp::json {
namespace {

struct ShortestDecimal {
  uint64_t significand;  // no trailing zeros
  int exponent;          // value = significand * 10^exponent
};

ShortestDecimal ToShortestDecimal(double positive) {
  auto d = fmt::detail::dragonbox::to_decimal(positive);
  ShortestDecimal r{d.significand, d.exponent};
  while (r.significand != 0 && r.significand % 10 == 0) {
    r.significand /= 10;
    ++r.exponent;
  }
  return r;
}

}  // namespace

void AppendNumber(std::string& out, double x) {
  if (x == 0) {  // 0 and -0
    out.push_back('0');
    return;
  }
  if (x < 0) {
    out.push_back('-');
    x = -x;
  }
  ShortestDecimal d = ToShortestDecimal(x);
  char digits[24];
  int k = 0;
  for (uint64_t s = d.significand; s != 0; s /= 10) digits[k++] = static_cast<char>('0' + s % 10);
  std::reverse(digits, digits + k);
  const int n = d.exponent + k;  // x = 0.d1..dk * 10^n
  if (k <= n && n <= 21) {
    out.append(digits, k);
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, n);
    out.push_back('.');
    out.append(digits + n, k - n);
  } else if (-6 < n && n <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, k);
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, k - 1);
    }
    out.push_back('e');
    int e = n - 1;
    out.push_back(e < 0 ? '-' : '+');
    out.append(std::to_string(e < 0 ? -e : e));
  }
}

std::string FormatNumber(double x) {
  std::string s;
  AppendNumber(s, x);
  return s;
}

void AppendQuoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < s.size(); ++i) {
#if defined(__SSE2__)
    // Sixteen bytes at a time while none needs escaping (tokens, ids, most
    // text): a control byte (unsigned <= 0x1f), a quote or a backslash.
    while (i + 16 <= s.size()) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(block, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
      const __m128i special = _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')), _mm_cmpeq_epi8(block, _mm_set1_epi8('\\')));
      if (_mm_movemask_epi8(_mm_or_si128(control, special)) != 0) break;
      i += 16;
    }
    if (i >= s.size()) break;
#endif
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\t': out.append("\\t"); break;
      case '\n': out.append("\\n"); break;
      case '\f': out.append("\\f"); break;
      case '\r': out.append("\\r"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

namespace {

template <bool kCanonical>
void AppendValue(std::string& out, const Value& v);

// An object's members in insertion order, without `omitted` when given.
template <bool kCanonical>
void AppendMembers(std::string& out, const Object& o, const std::string_view* omitted) {
  out.push_back('{');
  bool first = true;
  for (const Member& m : o) {
    if (omitted && m.first == *omitted) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(out, m.first);
    out.push_back(':');
    AppendValue<kCanonical>(out, m.second);
  }
  out.push_back('}');
}

// An object's members in canonical order (RFC 8785), without `omitted`.
void AppendSortedMembers(std::string& out, const Object& o, std::initializer_list<std::string_view> omitted) {
  out.push_back('{');
  std::vector<const Member*> sorted;
  sorted.reserve(o.size());
  for (const Member& m : o) {
    bool skip = false;
    for (std::string_view k : omitted) skip = skip || m.first == k;
    if (!skip) sorted.push_back(&m);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Member* a, const Member* b) { return Utf16Less(a->first, b->first); });
  bool first = true;
  for (const Member* m : sorted) {
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(out, m->first);
    out.push_back(':');
    AppendValue<true>(out, m->second);
  }
  out.push_back('}');
}

template <bool kCanonical>
void AppendValue(std::string& out, const Value& v) {
  switch (v.type()) {
    case Type::Null: out.append("null"); return;
    case Type::Bool: out.append(v.as_bool() ? "true" : "false"); return;
    case Type::Number: AppendNumber(out, v.as_number()); return;
    case Type::String: AppendQuoted(out, v.as_string()); return;
    case Type::Array: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        AppendValue<kCanonical>(out, e);
      }
      out.push_back(']');
      return;
    }
    case Type::Object: {
      const Object& o = v.as_object();
      if (kCanonical && o.size() > 1) AppendSortedMembers(out, o, {});
      else AppendMembers<kCanonical>(out, o, nullptr);
      return;
    }
    case Type::Raw:
      if (kCanonical) AppendValue<true>(out, ParseStored(v.as_raw()));  // member order is the canonical form's
      else out.append(v.as_raw());
      return;
  }
}

}  // namespace

void AppendWrite(std::string& out, const Value& v) { AppendValue<false>(out, v); }
void AppendCanonical(std::string& out, const Value& v) { AppendValue<true>(out, v); }

namespace {

// Written into one reused buffer, then copied out at its exact size: growing
// a fresh string by doubling cost a reallocation and copy per doubling (about
// an eighth of a governed call), and the text kept in records would carry up
// to twice its size in slack.
template <class Fill>
std::string WriteExact(Fill fill) {
  thread_local std::string scratch;
  scratch.clear();
  fill(scratch);
  std::string out(scratch);
  if (scratch.capacity() > (1u << 20)) std::string().swap(scratch);  // keep no huge buffer after a huge document
  return out;
}

}  // namespace

std::string Write(const Value& v) {
  return WriteExact([&](std::string& out) { AppendValue<false>(out, v); });
}

std::string WriteWithout(const Value& v, std::string_view omitted_key) {
  if (!v.is_object()) return Write(v);
  return WriteExact([&](std::string& out) { AppendMembers<false>(out, v.as_object(), &omitted_key); });
}

std::string Canonicalize(const Value& v) {
  return WriteExact([&](std::string& out) { AppendValue<true>(out, v); });
}

std::string CanonicalizeWithout(const Value& v, std::initializer_list<std::string_view> omitted_keys) {
  if (!v.is_object()) return Canonicalize(v);
  return WriteExact([&](std::string& out) { AppendSortedMembers(out, v.as_object(), omitted_keys); });
}

// UTF-16 order equals UTF-8 byte order except that code points U+E000..U+FFFF
// (3-byte sequences starting EE/EF) sort *after* supplementary characters
// (4-byte, surrogates D800..DFFF in UTF-16). Map each lead byte to a rank that
// reproduces the UTF-16 order and compare byte-wise otherwise.
bool Utf16Less(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    // Only a difference at a lead byte can disagree with UTF-16 order, and
    // only between a 4-byte lead (F0..F4) and a 3-byte lead EE/EF.
    auto rank = [](unsigned char c) -> int {
      if (c >= 0xF0) return 0xEE;                  // supplementary -> surrogate range, below EE
      if (c == 0xEE || c == 0xEF) return c + 0x10;  // U+E000..U+FFFF above surrogates
      return c;
    };
    // Continuation bytes (80..BF) are compared as bytes: both strings share
    // the same lead byte there, so the sequence lengths agree.
    bool x_lead = (x & 0xC0) != 0x80, y_lead = (y & 0xC0) != 0x80;
    if (x_lead && y_lead) {
      int rx = rank(x), ry = rank(y);
      if (rx != ry) return rx < ry;
      // Same rank but different bytes: EE/EF mapped apart; F0..F4 all map to
      // 0xEE: compare the raw bytes (they preserve code point order).
    }
    return x < y;
  }
  return a.size() < b.size();
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    // Eight ASCII bytes at a time (most of what is stored is ASCII).
    uint64_t word;
    if (i + 8 <= n && (std::memcpy(&word, s.data() + i, 8), (word & 0x8080808080808080ull) == 0)) {
      i += 8;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += len;
  }
  return true;
}

size_t CodePointCount(std::string_view s) {
  size_t count = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++count;
  return count;
}

size_t Utf16Length(std::string_view s) {
  size_t count = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++count;
    if (c >= 0xF0) ++count;  // supplementary: a surrogate pair
  }
  return count;
}

}  // namespace adcp::json
