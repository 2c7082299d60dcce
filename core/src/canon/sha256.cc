#include "canon/sha256.h"

#include <cstring>

// SHA-NI for native x86-64 builds (never for WebAssembly).
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__) && (defined(__GNUC__) || defined(__clang__))
#define ADCP_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define ADCP_SHA_NI 0
#endif

namespace adcp::canon {
namespace {

constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// Forced inline: at -Oz (the WASM build) it was left a call, about 4 % of a
// WASM governed buy.
__attribute__((always_inline)) inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }


void BlockPortable(uint32_t* h_, const uint8_t* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) |
           uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = h + s1 + ch + kK[i] + w[i];
    uint32_t s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = s0 + maj;
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h_[0] += a; h_[1] += b; h_[2] += c; h_[3] += d;
  h_[4] += e; h_[5] += f; h_[6] += g; h_[7] += h;
}

#if ADCP_SHA_NI
// The same compression with the x86 SHA extensions (SHA-NI), chosen at run
// time when the CPU has them. Written here rather than linking OpenSSL so a
// prebuilt add-on needs no system library (the pattern of Intel's reference
// code; every digest is checked against the portable one in tests).
__attribute__((target("sha,sse4.1,ssse3"))) void BlockShaNi(uint32_t* state, const uint8_t* data) {
  const __m128i kMask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                // CDAB
  state1 = _mm_shuffle_epi32(state1, 0x1B);          // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  const __m128i abef = state0, cdgh = state1;
  __m128i m[4];
  for (int i = 0; i < 4; ++i)
    m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), kMask);
  for (int i = 0; i < 16; ++i) {
    const __m128i k = _mm_set_epi32(static_cast<int>(kK[4 * i + 3]), static_cast<int>(kK[4 * i + 2]),
                                    static_cast<int>(kK[4 * i + 1]), static_cast<int>(kK[4 * i]));
    __m128i msg = _mm_add_epi32(m[i & 3], k);
    state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
    msg = _mm_shuffle_epi32(msg, 0x0E);
    state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
    if (i < 12) {  // W[4(i+4)..] = msg2(msg1(M_i, M_i+1) + alignr(M_i+3, M_i+2, 4), M_i+3)
      __m128i next = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
      next = _mm_add_epi32(next, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
      m[i & 3] = _mm_sha256msg2_epu32(next, m[(i + 3) & 3]);
    }
  }
  state0 = _mm_add_epi32(state0, abef);
  state1 = _mm_add_epi32(state1, cdgh);
  tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), state1);
}

bool CpuHasShaNi() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return ssse3 && sse41 && (b & (1u << 29));
}
#endif

using BlockFn = void (*)(uint32_t*, const uint8_t*);
BlockFn ChosenBlock() {
#if ADCP_SHA_NI
  static const BlockFn chosen = CpuHasShaNi() ? BlockShaNi : BlockPortable;
  return chosen;
#else
  return BlockPortable;
#endif
}

}  // namespace

Sha256::Sha256() {
  static constexpr uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::memcpy(h_, kInit, sizeof h_);
}

void Sha256::Block(const uint8_t* p) {
  if (portable_) BlockPortable(h_, p);
  else ChosenBlock()(h_, p);
}

namespace testing {
bool HardwareSha256() { return ChosenBlock() != BlockPortable; }
Digest PortableSha256Of(std::string_view data) {
  Sha256 h;
  h.portable_ = true;
  h.Update(data);
  return h.Finish();
}
}  // namespace testing

void Sha256::Update(std::string_view data) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  total_ += n;
  if (buf_len_ > 0) {
    size_t take = std::min(n, 64 - buf_len_);
    std::memcpy(buf_ + buf_len_, p, take);
    buf_len_ += take;
    p += take;
    n -= take;
    if (buf_len_ == 64) {
      Block(buf_);
      buf_len_ = 0;
    }
  }
  while (n >= 64) {
    Block(p);
    p += 64;
    n -= 64;
  }
  if (n > 0) {
    std::memcpy(buf_, p, n);
    buf_len_ = n;
  }
}

Digest Sha256::Finish() {
  uint64_t bits = total_ * 8;
  uint8_t pad = 0x80;
  Update(std::string_view(reinterpret_cast<const char*>(&pad), 1));
  uint8_t zero = 0;
  while (buf_len_ != 56) Update(std::string_view(reinterpret_cast<const char*>(&zero), 1));
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  Update(std::string_view(reinterpret_cast<const char*>(len), 8));
  Digest out;
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<uint8_t>(h_[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(h_[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(h_[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(h_[i]);
  }
  return out;
}

Digest Sha256Of(std::string_view data) {
  Sha256 s;
  s.Update(data);
  return s.Finish();
}

static constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The encoders write into a string sized once: per-character push_back was
// a call each in the -Oz WASM build (tokens are ~1 KB of base64url).
namespace {
// The two characters of each 12-bit value: three bytes encode with two table
// reads (stored tokens are rebuilt from bytes on every read, issue 15). Built
// on first use rather than stored, so the WASM module does not grow by 8 KB.
struct B64UrlPairs {
  char pair[4096][2];
  B64UrlPairs() {
    for (int v = 0; v < 4096; ++v) {
      pair[v][0] = kB64Url[v >> 6];
      pair[v][1] = kB64Url[v & 63];
    }
  }
};
const B64UrlPairs& Pairs() {
  static const B64UrlPairs pairs;
  return pairs;
}
}  // namespace

void Base64UrlAppend(std::string* out, std::string_view bytes) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  const size_t at = out->size();
  out->resize(at + (n * 4 + 2) / 3);
  char* o = out->data() + at;
  const B64UrlPairs& table = Pairs();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8) | p[i + 2];
    std::memcpy(o, table.pair[v >> 12], 2);
    std::memcpy(o + 2, table.pair[v & 0xFFF], 2);
    o += 4;
  }
  if (n - i == 1) {
    uint32_t v = uint32_t(p[i]) << 16;
    *o++ = kB64Url[v >> 18];
    *o++ = kB64Url[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8);
    *o++ = kB64Url[v >> 18];
    *o++ = kB64Url[(v >> 12) & 63];
    *o++ = kB64Url[(v >> 6) & 63];
  }
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  Base64UrlAppend(&out, bytes);
  return out;
}

namespace {
// Value of each base64url character, -1 for the rest (a table: the decoder
// reads every stored token once, issue 15).
struct B64UrlValues {
  int8_t v[256];
  constexpr B64UrlValues() : v() {
    for (int c = 0; c < 256; ++c) v[c] = -1;
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(kB64Url[i])] = static_cast<int8_t>(i);
  }
};
constexpr B64UrlValues kB64UrlValues;
}  // namespace

bool Base64UrlDecode(std::string_view text, std::string* out) {
  const size_t n = text.size();
  if (n % 4 == 1) return false;
  out->resize(n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  const int8_t* value = kB64UrlValues.v;
  char* o = out->data();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const int a = value[s[i]], b = value[s[i + 1]], c = value[s[i + 2]], d = value[s[i + 3]];
    if ((a | b | c | d) < 0) return false;
    const uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xFF);
    *o++ = static_cast<char>(v & 0xFF);
  }
  // A tail of 2 or 3 characters; its unused low bits must be zero (canonical).
  if (n - i >= 2) {
    const int a = value[s[i]], b = value[s[i + 1]], c = n - i == 3 ? value[s[i + 2]] : 0;
    if ((a | b | c) < 0) return false;
    *o++ = static_cast<char>((a << 2) | (b >> 4));
    if (n - i == 2) return (b & 0x0F) == 0;
    *o++ = static_cast<char>(((b & 0x0F) << 4) | (c >> 2));
    return (c & 0x03) == 0;
  }
  return true;
}

std::string HexLower(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* o = out.data();
  for (unsigned char c : bytes) {
    *o++ = kHex[c >> 4];
    *o++ = kHex[c & 15];
  }
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace adcp::canon
