// SHA-256 (FIPS 180-4), base64url and hex encodings.
//
// Hand-written because the core must build for WebAssembly without any
// system library (no OpenSSL/libsodium in the core: signing is a host hook),
// and SHA-256 is small and fully pinned by the plan-hash and digest vectors.
// Native x86-64 builds use the CPU's SHA extensions when present (chosen
// once at run time); the output is the same bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace adcp::canon {

using Digest = std::array<uint8_t, 32>;

class Sha256;
namespace testing {
// Whether digests use the CPU's SHA extensions; the portable digest (tests
// compare the two).
bool HardwareSha256();
std::array<uint8_t, 32> PortableSha256Of(std::string_view data);
}  // namespace testing

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  Digest Finish();

 private:
  void Block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
  bool portable_ = false;  // tests: force the portable compression
  friend std::array<uint8_t, 32> testing::PortableSha256Of(std::string_view data);
};

Digest Sha256Of(std::string_view data);

std::string Base64UrlEncode(std::string_view bytes);  // RFC 4648 §5, no padding
void Base64UrlAppend(std::string* out, std::string_view bytes);  // the same, appended to *out
// Strict decode: only the base64url alphabet, no padding, canonical trailing bits.
bool Base64UrlDecode(std::string_view text, std::string* out);
std::string HexLower(std::string_view bytes);

inline std::string_view AsBytes(const Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

// Constant-time comparison of equal-length byte strings.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace adcp::canon
