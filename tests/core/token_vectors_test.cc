// 07 §5 / 03 §10: the signer's golden test. Every case of
// governance-authorization.json's signed_jws, serialized by the core and
// signed with the published test key through the `sign` hook, reproduces
// its compact JWS byte-for-byte; the deliberately corrupted case does not
// verify and is rejected when presented.
#include "tasks/tasks.h"
#include "test_util.h"
#include "tokens/token.h"

#ifdef ADCP_TEST_HAVE_SODIUM
#include <sodium.h>
#endif

using namespace adcp;
using namespace adcp::test;

#ifdef ADCP_TEST_HAVE_SODIUM
TEST_CASE("07 §5 signed_jws vectors reproduce byte-for-byte with the published test key", "[07][03]") {
  REQUIRE(sodium_init() >= 0);
  Value doc = ReadJson(SharedPath("adcp/test-vectors/governance-authorization.json"));
  const Value& jws = *doc.find("signed_jws");
  std::string seed;
  REQUIRE(canon::Base64UrlDecode(*jws.find("test_key")->find_string("_private_d_for_test_only"), &seed));
  REQUIRE(seed.size() == 32);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  std::string x;
  REQUIRE(canon::Base64UrlDecode(*jws.find("test_key")->find_string("x"), &x));
  CHECK(x == std::string(reinterpret_cast<const char*>(pk), 32));

  Agent agent;
  REQUIRE(ParseConfig(R"({"issuer":"https://gov.example.com/governance","signing":{"kid":"test-gov-2026"}})", &agent.config).empty());
  agent.hooks.sign = [&](std::string_view input, std::string_view alg, std::string_view) -> HookResult<std::string> {
    if (alg != "EdDSA") return HookResult<std::string>::Fail("alg");
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(), sk);
    return {canon::Base64UrlEncode(std::string(reinterpret_cast<const char*>(sig), 64)), ""};
  };
  int reproduced = 0, corrupted = 0;
  for (const Value& c : *jws.find_array("cases")) {
    const std::string id = *c.find_string("id");
    INFO(id);
    CallContext ctx(agent.config, agent.hooks, agent.state);
    Result<std::string> token = SignCompact(ctx, *c.find("protected_header"), *c.find("claims"));
    REQUIRE(token.ok());
    const std::string expected = *c.find_string("compact_jws");
    // Verify the vector's own signature over its signing input.
    size_t dot = expected.rfind('.');
    std::string sig;
    bool sig_ok = canon::Base64UrlDecode(expected.substr(dot + 1), &sig) && sig.size() == 64 &&
                  crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                              reinterpret_cast<const unsigned char*>(expected.data()), dot, pk) == 0;
    if (id == "signature-tampered") {
      CHECK_FALSE(sig_ok);
      CHECK(token.value() != expected);
      ++corrupted;
    } else {
      CHECK(sig_ok);
      CHECK(token.value() == expected);
      ++reproduced;
    }
  }
  CHECK(reproduced == 26);
  CHECK(corrupted == 1);
}
#endif

TEST_CASE("03 §10 a token this agent did not issue is rejected when presented (corrupted vector)", "[03]") {
  Value doc = ReadJson(SharedPath("adcp/test-vectors/governance-authorization.json"));
  std::string tampered;
  for (const Value& c : *doc.find("signed_jws")->find_array("cases"))
    if (*c.find_string("id") == "signature-tampered") tampered = *c.find_string("compact_jws");
  REQUIRE(!tampered.empty());
  Host h;
  Value req = json::Obj({{"caller", "https://seller.example.com/sales"}, {"governance_context", tampered},
                         {"planned_delivery", json::Obj({{"media_buy_id", "mb"}})}});
  Value r = h.Call("check_governance", req, "https://seller.example.com/sales");
  CHECK(ErrorCodeOf(r) == "VALIDATION_ERROR");
  CHECK(ErrorField(r) == "governance_context");
}
