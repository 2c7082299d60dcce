// exportState / importState and determinism (README architecture, issue
// "Core foundation" acceptance), plus the README facade contract.
#include "test_util.h"
#include "call/context.h"
#include "config/config.h"
#include "tasks/tasks.h"
#include "json/json.h"
#include "state/plans.h"
#include "state/records.h"
#include "state/state.h"
#include "util/holes.h"
#include "util/probe_table.h"
#include "util/record_id.h"
#include "util/symbol.h"

#include <cstring>
#include <limits>
#include <thread>
#include <vector>
#include "util/boxed.h"
#include "util/compact_list.h"
#include "util/compact_optional.h"
#include "util/digest_index.h"
#include "util/digest_text.h"
#include "util/id_index.h"
#include "util/money.h"
#include "util/time.h"
#include "util/url.h"

using namespace adcp;
using namespace adcp::test;

namespace {

const char* kCalls[][2] = {
    {"sync_plans", R"({"idempotency_key":"state-test-key-00001","plans":[{"plan_id":"a","brand":{"domain":"acme.example","industries":["banking"],"data_subject_contestation":{"email":"dpo@acme.example"}},"objectives":"x","budget":{"total":100,"currency":"USD","reallocation_threshold":10},"flight":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"},"custom_policies":[{"policy_id":"c1","enforcement":"must","policy":"p"}]},{"plan_id":"b","brand":{"domain":"b.example"},"objectives":"y","budget":{"total":5,"currency":"EUR","reallocation_unlimited":true},"flight":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00.5Z"},"portfolio":{"member_plan_ids":["a"]}}]})"},
    {"sync_plans", R"({"idempotency_key":"state-test-key-00002","plans":[{"plan_id":"a","brand":{"domain":"acme.example","industries":["banking"]},"objectives":"x2","budget":{"total":100,"currency":"USD","reallocation_threshold":10},"flight":{"start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}}]})"},
    {"get_plan_audit_logs", R"({"plan_ids":["a","b"],"include_entries":true,"idempotency_key":"state-test-key-00003"})"},
};

void Run(Host& h, std::vector<std::string>* out) {
  for (const auto& c : kCalls) {
    out->push_back(h.agent().Call(c[0], c[1], R"({"agent_url":"https://buyer.example.com"})"));
    h.now_ms += 1000;
  }
  out->push_back(h.agent().Admin(R"({"op":"approve_human_review_downgrade","owner":"https://buyer.example.com","plan_id":"a","approver":"x","reason":"twenty characters or more"})"));
}

}  // namespace

TEST_CASE("README exportState -> importState -> exportState is byte-identical", "[state]") {
  Host h;
  std::vector<std::string> results;
  Run(h, &results);
  std::string exported = h.State();
  Host restored(HostOptions{}, exported);
  CHECK(restored.State() == exported);
  // The restored agent answers like the original.
  std::string q = R"({"plan_ids":["a","b"],"include_entries":true})";
  CHECK(restored.agent().Call("get_plan_audit_logs", q, R"({"agent_url":"https://buyer.example.com"})") ==
        h.agent().Call("get_plan_audit_logs", q, R"({"agent_url":"https://buyer.example.com"})"));
  // Replays survive the round trip.
  CHECK(restored.agent().Call(kCalls[0][0], kCalls[0][1], R"({"agent_url":"https://buyer.example.com"})") ==
        h.agent().Call(kCalls[0][0], kCalls[0][1], R"({"agent_url":"https://buyer.example.com"})"));
  // Exported state is canonical JSON.
  CHECK(GovernanceAgent::Jcs(exported).value == exported);
}

TEST_CASE("README determinism: same calls and hook outputs give byte-identical responses", "[state]") {
  Host a, b;
  std::vector<std::string> ra, rb;
  Run(a, &ra);
  Run(b, &rb);
  CHECK(ra == rb);
  CHECK(a.State() == b.State());
}

TEST_CASE("README importState rejects documents that are not our state", "[state]") {
  HostOptions o;
  for (const char* bad : {"{}", "[]", R"({"format":"adcp-governance/state","format_version":2})",
                          R"({"format":"adcp-governance/state","format_version":1,"seq":0,"id_counters":{},"plans":[],"checks":[{"plan":5}],"actions":[],"outcomes":[],"adjustments":[],"escalations":[],"consultations":[],"idempotency":[]})"}) {
    INFO(bad);
    Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Import(o.config, bad, {});
    CHECK_FALSE(a.ok());
  }
}

TEST_CASE("README configuration: wrong types or ranges fail construction; a signer is required", "[config]") {
  Hooks none;
  CHECK_FALSE(GovernanceAgent::Create(R"({"issuer":"https://g.example"})", none).ok());  // no signer
  CHECK(GovernanceAgent::Create(R"({"issuer":"https://g.example","allow_unsigned_tokens":true})", none).ok());
  Hooks signer;
  signer.sign = [](std::string_view, std::string_view, std::string_view) { return HookResult<std::string>{}; };
  CHECK_FALSE(GovernanceAgent::Create(R"({})", signer).ok());
  CHECK_FALSE(GovernanceAgent::Create(R"({"issuer":"http://g.example"})", signer).ok());
  for (const char* bad : {R"("intent_token_ttl_seconds":901)", R"("intent_token_ttl_seconds":1.5)",
                          R"("replay_ttl_seconds":100)", R"("default_mode":"strict")", R"("low_confidence_threshold":2)",
                          R"("aggregation_window_days":0)", R"("budget_holds":"yes")", R"("protocol":"4.0")",
                          R"("id_mode":"uuid")", R"("drift":{"thresholds":{"escalation_rate_max":1.5}})",
                          R"("runtime_attestations":{"signal_activation":{"requirement":"maybe","claim_types":[]}})",
                          R"("compat":{"legacy_body_status":1})", R"("signing":{"alg":"RS256"})"}) {
    INFO(bad);
    CHECK_FALSE(GovernanceAgent::Create(std::string(R"({"issuer":"https://g.example",)") + bad + "}", signer).ok());
  }
  CHECK(GovernanceAgent::Create(R"({"issuer":"https://g.example","signing":{"kid":"k1"},"aggregation_window_days":null,"unknown":1})", signer).ok());
  CHECK_FALSE(GovernanceAgent::Create(R"({"issuer":"https://g.example"})", signer).ok());  // signing needs a kid
}

TEST_CASE("README toWire: completed, submitted and failed forms", "[wire]") {
  CHECK(GovernanceAgent::ToWire(R"({"status":"completed","response":{"plans":[],"status":"x","context":{"a":1}},"replayed":true})").value ==
        R"({"status":"completed","plans":[],"context":{"a":1},"replayed":true})");
  CHECK(GovernanceAgent::ToWire(R"({"status":"completed","response":{"plans":[],"replayed":true},"replayed":true})").value ==
        R"({"status":"completed","plans":[],"replayed":true})");
  CHECK(GovernanceAgent::ToWire(R"({"status":"submitted","task_id":"task_1","context":{"c":2}})").value ==
        R"({"status":"submitted","task_id":"task_1","context":{"c":2}})");
  CHECK(GovernanceAgent::ToWire(R"({"status":"failed","errors":[{"code":"CONFLICT","message":"m","recovery":"transient"}]})").value ==
        R"({"status":"failed","errors":[{"code":"CONFLICT","message":"m","recovery":"transient"}],"adcp_error":{"code":"CONFLICT","message":"m","recovery":"transient"}})");
  CHECK_FALSE(GovernanceAgent::ToWire("{}").ok());
  CHECK_FALSE(GovernanceAgent::ToWire("nope").ok());
}

TEST_CASE("README CoreResult: context echo on success and failure; key order", "[wire]") {
  Host h;
  std::string ok = h.agent().Call("sync_plans", kCalls[0][1], R"({"agent_url":"https://buyer.example.com"})");
  CHECK(ok.rfind(R"({"status":"completed","response":{"plans":)", 0) == 0);
  std::string failed = h.agent().Call("get_plan_audit_logs", R"({"plan_ids":["zz"],"context":{"t":1}})",
                                      R"({"agent_url":"https://buyer.example.com"})");
  CHECK(failed == R"({"status":"failed","errors":[{"code":"PLAN_NOT_FOUND","message":"one or more requested plans were not found","recovery":"correctable"}],"context":{"t":1}})");
  CHECK(ErrorCodeOf(ParseOrFail(h.agent().Call("no_such_task", "{}", "{}"))) == "INVALID_REQUEST");
}

TEST_CASE("01 §1.1 agent URL normalization", "[01]") {
  CHECK(NormalizeAgentUrl("HTTPS://Example.COM:443/a/./b/../c") == std::optional<std::string>("https://example.com/a/c"));
  CHECK(NormalizeAgentUrl("http://example.com:80") == std::optional<std::string>("http://example.com/"));
  CHECK(NormalizeAgentUrl("http://example.com:8080/") == std::optional<std::string>("http://example.com:8080/"));
  CHECK(NormalizeAgentUrl("https://example.com/%7euser/%2f%41") == std::optional<std::string>("https://example.com/~user/%2FA"));
  CHECK(NormalizeAgentUrl("https://example.com/Path?Q=1") == std::optional<std::string>("https://example.com/Path?Q=1"));
  CHECK(NormalizeAgentUrl("https://example.com:/x") == std::optional<std::string>("https://example.com/x"));
  // URLs already in normal form come back as they are (an empty path as
  // "/"); each of these differs from normal form in one way only.
  CHECK(NormalizeAgentUrl("https://buyer.example.com") == std::optional<std::string>("https://buyer.example.com/"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com?x=1#f") == std::optional<std::string>("https://buyer.example.com/?x=1#f"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com/mcp/a.b") == std::optional<std::string>("https://buyer.example.com/mcp/a.b"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com/a/./b") == std::optional<std::string>("https://buyer.example.com/a/b"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com/.well-known") == std::optional<std::string>("https://buyer.example.com/.well-known"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com/a/..") == std::optional<std::string>("https://buyer.example.com/"));
  CHECK(NormalizeAgentUrl("hTTps://buyer.example.com/a") == std::optional<std::string>("https://buyer.example.com/a"));
  CHECK(NormalizeAgentUrl("https://Buyer.example.com/A") == std::optional<std::string>("https://buyer.example.com/A"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com:443") == std::optional<std::string>("https://buyer.example.com/"));
  CHECK(NormalizeAgentUrl("https://u@buyer.example.com") == std::optional<std::string>("https://u@buyer.example.com/"));
  CHECK(NormalizeAgentUrl("https://buyer.example.com/?q=%7e") == std::optional<std::string>("https://buyer.example.com/?q=~"));
  CHECK_FALSE(NormalizeAgentUrl("https://buyer.example.com:44x"));
  CHECK_FALSE(NormalizeAgentUrl("example.com"));
  CHECK_FALSE(NormalizeAgentUrl("urn:example:a"));
  CHECK_FALSE(NormalizeAgentUrl("https://"));
  CHECK_FALSE(NormalizeAgentUrl("https://exa mple.com"));
}

TEST_CASE("01 §12 instants: offsets, fractions, half-open comparisons", "[01]") {
  auto t = [](const char* s) { return *ParseDateTime(s); };
  CHECK(t("2026-01-01T01:00:00+01:00") == t("2026-01-01T00:00:00Z"));
  CHECK(t("2026-01-01T00:00:00.1Z") == t("2026-01-01T00:00:00.100Z"));
  CHECK(t("2026-01-01T00:00:00.01Z") < t("2026-01-01T00:00:00.1Z"));
  CHECK(t("2026-01-01t00:00:00z") == t("2026-01-01T00:00:00Z"));
  CHECK(t("2026-01-01T00:00:00.0000000001Z") > t("2026-01-01T00:00:00Z"));
  CHECK_FALSE(ParseDateTime("2026-02-29T00:00:00Z"));
  CHECK(ParseDateTime("2028-02-29T00:00:00Z"));
  CHECK_FALSE(ParseDateTime("2026-01-01T00:00:60Z"));
  CHECK_FALSE(ParseDateTime("2026-01-01T00:00:00"));
  CHECK_FALSE(ParseDateTime("2026-01-01 00:00:00Z"));
  CHECK_FALSE(ParseDateTime("2026-01-01T00:00:00+0100"));
  CHECK(FormatMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatMillis(1767225600123) == "2026-01-01T00:00:00.123Z");
  CHECK(FormatMillis(253402300799999) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("README money: ε comparisons, round2/round3, exact order-independent sums", "[money]") {
  CHECK_FALSE(Exceeds(1000.0000005, 1000));
  CHECK(Exceeds(1000.000002, 1000));
  CHECK(Round2(12.345) == 12.35);
  CHECK(Round2(1.005) == 1.0);  // floor(x*100+0.5)/100 with x*100 = 100.49999999999999
  CHECK(Round3(0.3335) == 0.334);
  ExactSum a, b;
  for (double x : {0.1, 0.2, 0.3}) a.Add(x);
  for (double x : {0.3, 0.2, 0.1}) b.Add(x);
  CHECK(a.Value() == b.Value());
  CHECK(a.Value() == 0.6);
  a.Subtract(0.1);
  a.Subtract(0.2);
  a.Subtract(0.3);
  CHECK(a.Value() == 0);
  ExactSum c;
  CHECK(c.Add(1.7976931348623157e308));
  CHECK_FALSE(c.Add(1.7976931348623157e308));  // overflow is refused
  CHECK(c.Value() == 1.7976931348623157e308);
}

// Issue 15 (facts, not renderings): the state keeps a token's header once and
// its claims and signature as bytes, and gives back the exact text.
TEST_CASE("Stored tokens split into a shared header, claims and signature and read back exactly", "[state][15]") {
  State s;
  const TokenIds kNoIds;  // tokens of no check: nothing referred to
  const std::string header = canon::Base64UrlEncode(R"({"alg":"EdDSA","kid":"k","typ":"adcp-gov+jws"})");
  const std::string signature = canon::Base64UrlEncode(std::string(64, '\x7f'));
  auto token = [&](const std::string& claims) { return header + "." + canon::Base64UrlEncode(claims) + "." + signature; };
  const std::string first = token(R"({"sub":"gb_1","jti":"a"})"), second = token(R"({"sub":"gb_2","jti":"bb"})");
  StoredToken a = StoredToken::Verbatim(first), b = StoredToken::Verbatim(second);
  CompactToken(s, a, kNoIds);
  CompactToken(s, b, kNoIds);
  CHECK(a.header() == 0);
  CHECK(b.header() == 0);  // one header kept for both
  CHECK(s.token_headers.size() == 1);
  // The per-token values (sub, jti) are taken out of one shared claims shape.
  CHECK(a.bytes() == std::string("\x04gb_1\x01" "a") + std::string(64, '\x7f'));
  CHECK(&a.claims_shape().str() == &b.claims_shape().str());
  CHECK(TokenText(s, a, kNoIds) == first);
  CHECK(TokenText(s, b, kNoIds) == second);
  // Claims without such values keep their JSON; a value with an escape, or
  // numbers and nested amounts, read back the same.
  for (const std::string& claims : {std::string(R"({"iss":"x","phase":"intent"})"),
                                    std::string(R"({"sub":"a"b","iat":1767225600,"exp":-1.5e3,"authorized_commitment":{"amount":33.333333333333336,"currency":"USD"},"check_id":"chk_1"})"),
                                    std::string(R"({"sub":"","jti":")") + std::string(300, 'j') + R"("})"}) {
    INFO(claims);
    StoredToken t = StoredToken::Verbatim(token(claims));
    CompactToken(s, t, kNoIds);
    CHECK(t.header() == 0);
    CHECK(TokenClaims(t, kNoIds) == claims);
    CHECK(TokenText(s, t, kNoIds) == token(claims));
  }
  StoredToken plain = StoredToken::Verbatim(token(R"({"iss":"x"})"));
  CompactToken(s, plain, kNoIds);
  CHECK(plain.claims_shape().empty());
  CHECK(plain.bytes() == std::string(R"({"iss":"x"})") + std::string(64, '\x7f'));
  // The claims read straight from the bytes, and from a verbatim token.
  CHECK(TokenClaims(a, kNoIds) == R"({"sub":"gb_1","jti":"a"})");
  CHECK(TokenClaims(StoredToken::Verbatim(second), kNoIds) == R"({"sub":"gb_2","jti":"bb"})");
  CHECK(TokenClaims(StoredToken::Verbatim("not a token"), kNoIds).empty());
  // An unsigned token (allow_unsigned_tokens) has an empty signature segment.
  const std::string unsigned_token = header + "." + canon::Base64UrlEncode("{}") + ".";
  StoredToken u = StoredToken::Verbatim(unsigned_token);
  CompactToken(s, u, kNoIds);
  CHECK(u.header() == 0);
  CHECK(TokenText(s, u, kNoIds) == unsigned_token);
  // What does not split back byte-exactly stays verbatim: non-canonical
  // trailing bits, padding, a fourth segment, a missing one, no token.
  for (const std::string& odd : {header + ".e31." + signature, header + ".e30=." + signature,
                                 first + ".x", header + "." + signature, std::string()}) {
    INFO(odd);
    StoredToken t = StoredToken::Verbatim(odd);
    CompactToken(s, t, kNoIds);
    CHECK(t.header() == StoredToken::kVerbatim);
    CHECK(TokenText(s, t, kNoIds) == odd);
    CHECK(t.empty() == odd.empty());
  }
  CHECK(s.token_headers.size() == 1);
  // The check id and sub a check's records already hold are kept as
  // references (a zero byte and the index), and read back with the same ids.
  const std::string owned = token(R"({"sub":"gb_7","check_id":"chk_7","jti":"chk_7x"})");
  StoredToken o = StoredToken::Verbatim(owned);
  const TokenIds ids{"chk_7", "gb_7"};
  CompactToken(s, o, ids);
  CHECK(o.bytes() == std::string("\0\x01\0\0\x06" "chk_7x", 11) + std::string(64, '\x7f'));
  CHECK(TokenText(s, o, ids) == owned);
  CHECK(TokenClaims(o, ids) == R"({"sub":"gb_7","check_id":"chk_7","jti":"chk_7x"})");
  // A stored token is one heap block beside its shape; copies are deep and
  // read back the same, an empty one stays empty.
  StoredToken copy = o;
  CHECK(copy.bytes().data() != o.bytes().data());
  CHECK(TokenText(s, copy, ids) == owned);
  copy = StoredToken();
  CHECK(copy.empty());
  copy = a;
  CHECK(TokenText(s, copy, kNoIds) == first);
  CHECK(StoredToken::Verbatim("").empty());
  CHECK(sizeof(StoredToken) == 2 * sizeof(void*));
  // The block's sizes are varints: tokens and signatures on either side of
  // each byte boundary read back whole, with their header and signature
  // size, and copy alike.
  for (size_t size : {size_t(1), size_t(127), size_t(128), size_t(16383), size_t(16384), size_t(70000)}) {
    INFO(size);
    const std::string text(size, 't');
    const StoredToken verbatim = StoredToken::Verbatim(text);
    CHECK(verbatim.bytes() == text);
    CHECK(verbatim.header() == StoredToken::kVerbatim);
    CHECK(verbatim.signature_size() == 0);
    const StoredToken copied = verbatim;
    CHECK(copied.bytes() == text);
  }
  for (size_t signature_size : {size_t(0), size_t(64), size_t(127), size_t(128), size_t(256), size_t(65534)}) {
    INFO(signature_size);
    const std::string claims(200, 'c'), raw_signature(signature_size, '\x80');
    const StoredToken split = StoredToken::Split(claims, raw_signature, Sym(), 63);
    CHECK(split.header() == 63);
    CHECK(split.signature_size() == signature_size);
    CHECK(split.bytes() == claims + raw_signature);
    const StoredToken copied = split;
    CHECK(copied.bytes() == claims + raw_signature);
    CHECK(copied.signature_size() == signature_size);
  }
  // An intent token's authorized_payload_hash, which its check's scope keeps
  // (a packed value, compared as its text): a reference too.
  const std::string hash = "MVi-v9u02G1PsucdFCednlehLtZUyrWqSGnBKtyoEdA";
  const std::string intent = token(R"({"sub":"gb_7","check_id":"chk_7","authorized_payload_hash":")" + hash + R"("})");
  const TokenIds with_hash{"chk_7", "gb_7", hash};
  StoredToken unreferred = StoredToken::Verbatim(intent), referring = StoredToken::Verbatim(intent);
  CompactToken(s, unreferred, ids);
  CompactToken(s, referring, with_hash);
  CHECK(referring.bytes().size() + 32 == unreferred.bytes().size());  // 2 bytes where 34 were
  CHECK(TokenText(s, referring, with_hash) == intent);
  CHECK(TokenText(s, unreferred, ids) == intent);
  CHECK(TokenClaims(referring, ids).empty());  // read without the hash: no text rather than a wrong one
  // The iat and exp claims, equal to the check's creation and its token's
  // expiry in whole seconds: references too; a time that differs (an
  // escalated check's token is issued at its resolution) keeps its value.
  const std::string timed = token(R"({"sub":"gb_7","iat":1767225600,"exp":1767226500,"jti":"x"})");
  TokenIds with_times = ids;
  with_times.created_s = "1767225600";
  with_times.expires_s = "1767226500";
  TokenIds other_created = with_times;
  other_created.created_s = "1767225599";
  StoredToken untimed = StoredToken::Verbatim(timed), both = StoredToken::Verbatim(timed),
              exp_only = StoredToken::Verbatim(timed);
  CompactToken(s, untimed, ids);
  CompactToken(s, both, with_times);
  CompactToken(s, exp_only, other_created);
  CHECK(both.bytes().size() + 18 == untimed.bytes().size());  // 2 bytes where 11 were, twice
  CHECK(exp_only.bytes().size() + 9 == untimed.bytes().size());
  CHECK(TokenText(s, both, with_times) == timed);
  CHECK(TokenText(s, exp_only, other_created) == timed);
  CHECK(TokenClaims(both, ids).empty());  // read without the times: no text rather than a wrong one
}

// Issue 15: digests and UUIDs in their usual spellings are kept as their
// bytes; every near miss keeps its text; all of it joins back exactly, also
// through ReferToKnown / ResolveKnown.
TEST_CASE("Split values keep digests and UUIDs as bytes and join back exactly", "[state][15]") {
  const std::string hex = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
  const std::string uuid = "019b76da-a801-775c-bf52-dd53ff9f5d1c", b64 = "MVi-v9u02G1PsucdFCednlehLtZUyrWqSGnBKtyoEdA";
  const struct {
    std::string value;
    size_t stored;  // bytes the value takes in `values`
  } cases[] = {
      {hex, 34}, {"sha256:" + hex, 34}, {uuid, 18}, {b64, 34},
      // Near misses: upper case, a wrong length, a dash out of place, a
      // non-canonical last character, another prefix.
      {"4F53" + hex.substr(4), 65}, {hex.substr(1), 64}, {"019b76daa-801-775c-bf52-dd53ff9f5d1c", 37},
      {"019B76DA-A801-775C-BF52-DD53FF9F5D1C", 37}, {b64.substr(0, 42) + "B", 44}, {"sha257:" + hex, 72},
      {hex.substr(0, 30) + "-" + hex.substr(31), 65},
      // UTC times as RFC 3339 spells them, with seconds or milliseconds:
      // their fields in 5 or 7 bytes, every field at its limits.
      {"2026-01-02T00:00:07Z", 7}, {"2026-01-02T00:00:07.123Z", 9}, {"0000-01-01T00:00:00Z", 7},
      {"9999-12-31T23:59:60Z", 7}, {"9999-12-31T23:59:59.999Z", 9}, {"2024-02-29T12:34:56.000Z", 9},
      // Near misses keep their text: a field out of range, a lower-case t or
      // z, an offset, two or four fraction digits, a five-digit year, a
      // space, a sign, a missing zero.
      {"2026-13-01T00:00:00Z", 21}, {"2026-00-01T00:00:00Z", 21}, {"2026-01-32T00:00:00Z", 21},
      {"2026-01-00T00:00:00Z", 21}, {"2026-01-01T24:00:00Z", 21}, {"2026-01-01T00:60:00Z", 21},
      {"2026-01-01T00:00:61Z", 21}, {"2026-01-01t00:00:00Z", 21}, {"2026-01-01T00:00:00z", 21},
      {"2026-01-01T00:00:00+00:00", 26}, {"2026-01-01T00:00:00.12Z", 24}, {"2026-01-01T00:00:00.1234Z", 26},
      {"12026-01-01T00:00:00Z", 22}, {"2026-01-01 00:00:00Z", 21}, {"-026-01-01T00:00:00Z", 21},
      {"2026-1-01T00:00:00Z", 20}, {"2026-01-01T00:00:00.12aZ", 25}};
  for (const auto& c : cases) {
    INFO(c.value);
    const std::string text = R"({"a":")" + c.value + R"(","n":1})";
    std::string shape, values;
    REQUIRE(SplitValues(text, &shape, &values));
    CHECK(values.size() == c.stored + 2);  // and the number's two bytes
    CHECK(JoinHoles(shape, values) == text);
    // Every value equal to a known one is referred to, a packed one compared
    // as its text (two bytes for the reference, two for the number), and
    // joins back the same.
    const std::string referred = ReferToKnown(values, {"x", c.value});
    CHECK(referred.size() == 4);
    std::string resolved;
    REQUIRE(ResolveKnown(referred, {"x", c.value}, &resolved));
    CHECK(JoinHoles(shape, resolved) == text);
    // Without the known value, the reference names nothing.
    CHECK_FALSE(ResolveKnown(referred, {"x"}, &resolved));
    CHECK(ShapedText(text).Text() == text);
  }
  // Every field's digits come back in place: a sweep over the calendar's
  // fields at and inside their limits.
  char time[32];
  size_t packed = 0;
  for (int year : {0, 1, 1970, 2026, 9999})
    for (int month = 1; month <= 12; ++month)
      for (int day = 1; day <= 31; day += 3)
        for (int second : {0, 30, 60})
          for (const char* millis : {"", ".000", ".999", ".042"}) {
            std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", year, month, day, (day * 7) % 24,
                          (month * 5) % 60, second, millis);
            const std::string text = std::string(R"([")") + time + R"("])";
            std::string shape, values;
            REQUIRE(SplitValues(text, &shape, &values));
            packed += values.size() == (*millis ? 9u : 7u);
            REQUIRE(JoinHoles(shape, values) == text);
          }
  CHECK(packed == 5 * 12 * 11 * 3 * 4);
}

// Issue 15: values a record holds elsewhere are referred to, not repeated;
// the references resolve back exactly, and only with the same known values.
TEST_CASE("ReferToKnown and ResolveKnown invert exactly", "[state][15]") {
  std::string shape, values;
  REQUIRE(SplitValues(R"({"a":"chk_1","b":"gb_1","c":"chk_12","d":3,"e":"gb_1"})", &shape, &values));
  const std::string referred = ReferToKnown(values, {"chk_1", "gb_1"});
  CHECK(referred == std::string("\0\0\0\x01\x06" "chk_12\x01" "3\0\x01", 15));
  std::string resolved;
  REQUIRE(ResolveKnown(referred, {"chk_1", "gb_1"}, &resolved));
  CHECK(resolved == values);
  CHECK(JoinHoles(shape, resolved) == R"({"a":"chk_1","b":"gb_1","c":"chk_12","d":3,"e":"gb_1"})");
  // Other known values than the references were made with: refused.
  CHECK_FALSE(ResolveKnown(referred, {"chk_1"}, &resolved));
  CHECK_FALSE(ResolveKnown(referred, {"chk_1", ""}, &resolved));
  // An empty known value never matches; nothing known, nothing changes.
  CHECK(ReferToKnown(values, {"", ""}) == values);
  CHECK(ReferToKnown(values, {}) == values);
  REQUIRE(ResolveKnown(values, {}, &resolved));
  CHECK(resolved == values);
  // A value of 255 bytes is referred to like any other.
  const std::string longest(255, 'z');
  REQUIRE(SplitValues("[\"" + longest + "\"]", &shape, &values));
  CHECK(ReferToKnown(values, {longest}) == std::string("\0\0", 2));
  REQUIRE(ResolveKnown(std::string("\0\0", 2), {longest}, &resolved));
  CHECK(resolved == values);
}

TEST_CASE("An approved check's token reads back the same in its answer, the export and the audit log", "[state][15]") {
  Host h;
  const std::string buyer = R"({"agent_url":"https://buyer.example.com"})";
  h.agent().Call("sync_plans", kCalls[0][1], buyer);
  const std::string check = h.agent().Call("check_governance",
      R"({"caller":"https://buyer.example.com","plan_id":"b","target_agent":"https://seller.example.com","tool":"create_media_buy","payload":{"total_budget":1}})", buyer);
  json::ParseResult answer = json::Parse(check);
  REQUIRE(answer.ok());
  const std::string* token = answer.value.find("response")->find_string("governance_context");
  REQUIRE(token);
  std::string exported = h.State();
  CHECK(exported.find(*token) != std::string::npos);  // export writes the text
  Host restored(HostOptions{}, exported);
  CHECK(restored.State() == exported);
  const std::string audit = R"({"plan_ids":["b"],"include_entries":true})";
  const std::string log = h.agent().Call("get_plan_audit_logs", audit, buyer);
  CHECK(log.find(*token) != std::string::npos);
  CHECK(restored.agent().Call("get_plan_audit_logs", audit, buyer) == log);
}

// Issue 15: a final check's body is kept as a pooled shape (no check id, no
// expiry, no statement echo) and reads back byte-exactly.
TEST_CASE("Check bodies are kept as one shared shape and read back exactly", "[state][15]") {
  auto check = [](const std::string& id, int64_t expires_at_ms) {
    Check c;
    c.check_id = id;
    c.set_expires_at_ms(expires_at_ms);
    return c;
  };
  auto body = [](const std::string& id, const std::string& expiry) {
    return R"({"check_id":")" + id + R"(","check_type":"intent","verdict":"approved","mode":"enforce","expires_at":")" +
           expiry + R"(","next":1})";
  };
  Check a = check("chk_a", 1767226500000), b = check("chk_bb", 1767226600000);
  const std::string text_a = body("chk_a", "2026-01-01T00:15:00.000Z"), text_b = body("chk_bb", "2026-01-01T00:16:40.000Z");
  KeepCheckBody(a, text_a);
  KeepCheckBody(b, text_b);
  CHECK(!a.body_json());
  CHECK(a.body_shape.str().find("chk_a") == std::string::npos);
  CHECK(a.body_shape.str().find("2026-01-01") == std::string::npos);
  CHECK(&a.body_shape.str() == &b.body_shape.str());  // one pooled copy
  CHECK(CheckBodyText(a) == text_a);
  CHECK(CheckBodyText(b) == text_b);

  // What would not come back byte-exactly stays as it is: another id first,
  // an expiry that is not the record's where a literal hole sits, a pending
  // check (its body changes at resolution).
  Check other = check("chk_c", 1767226500000);
  KeepCheckBody(other, text_a);
  CHECK(*other.body_json() == text_a);
  Check literal = check("chk_d", 1767226500000);
  const std::string tricky = R"({"check_id":"chk_d","details":{"x":1,"expires_at":""},"expires_at":"2026-01-01T00:00:00.000Z"})";
  KeepCheckBody(literal, tricky);
  CHECK(CheckBodyText(literal) == tricky);
  CHECK(*literal.body_json() == tricky);
  Check pending = check("chk_a", 1767226500000);
  pending.pending = true;
  KeepCheckBody(pending, text_a);
  CHECK(*pending.body_json() == text_a);
  CHECK(pending.body_shape.empty());
  Check none = check("chk_e", 1767226500000);
  KeepCheckBody(none, "");  // nothing is boxed for an empty body
  CHECK(!none.body_json());
  CHECK(CheckBodyText(none).empty());

  // A delivery check's statement echo is rebuilt from the statement and the
  // metrics taken from the body.
  Check delivery = check("chk_e", 0);
  Statement st;
  st.statement_id = "st_1";
  st.statement_digest = "sha256:00";
  st.sequence = 2;
  st.cumulative_spend = 50.5;
  delivery.set_statement(st);
  json::ParseResult metrics = json::Parse(
      R"({"statement_id":"st_1","sequence":2,"issued_at":"2026-01-02T00:00:00Z","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"cumulative_spend":50.5,"currency":"USD","impressions":1200,"statement_digest":"sha256:00"})");
  REQUIRE(metrics.ok());
  json::Value full = json::Obj({{"check_id", "chk_e"}, {"verdict", "denied"}});
  full.set("delivery_statement", DeliveryStatementEcho(st, "mb_1", metrics.value));
  full.set("status", "denied");
  const std::string delivery_text = json::Write(full);
  AttachStatementSource(delivery, full);
  KeepCheckBody(delivery, delivery_text);
  CHECK(StatementMetricsText(*delivery.statement()) == json::Write(metrics.value));
  CHECK(delivery.body_shape.str() == R"({"check_id":"","verdict":"denied","delivery_statement":0,"status":"denied"})");
  CHECK(CheckBodyText(delivery) == delivery_text);
  CHECK(json::Write(CheckBodyValue(delivery)) == delivery_text);  // the echo put in as a value
  CHECK(json::Write(CheckBodyValue(a)) == text_a);

  // An echo that occurs twice in the text is not taken out (the hole must be
  // the body's own member): the body stays whole and reads back the same.
  Check twice = delivery;
  json::Value doubled = full;
  json::Value findings = json::Value::MakeArray();
  findings.push(json::Obj({{"x", 1}, {"delivery_statement", *full.find("delivery_statement")}}));
  doubled.set("findings", std::move(findings));
  const std::string doubled_text = json::Write(doubled);
  KeepCheckBody(twice, doubled_text);
  CHECK(twice.body_shape.str().find(R"("delivery_statement":0)") == std::string::npos);
  CHECK(CheckBodyText(twice) == doubled_text);
  CHECK(json::Write(CheckBodyValue(twice)) == doubled_text);

  // The only echo sits inside a finding: its hole is not the body's member,
  // so the value is read from the text.
  Check nested = delivery;
  json::Value inside = json::Obj({{"check_id", "chk_e"}, {"verdict", "denied"}});
  json::Value only = json::Value::MakeArray();
  only.push(json::Obj({{"x", 1}, {"delivery_statement", *full.find("delivery_statement")}}));
  inside.set("findings", std::move(only));
  const std::string nested_text = json::Write(inside);
  KeepCheckBody(nested, nested_text);
  CHECK(nested.body_shape.str().find(R"("delivery_statement":0)") != std::string::npos);
  CHECK(CheckBodyText(nested) == nested_text);
  CHECK(json::Write(CheckBodyValue(nested)) == nested_text);
  // A key that could be spelled with escapes: the echo stays in the text.
  Check escaped = delivery;
  json::Value with_escape = full;
  with_escape.set("note", "\\u0041");  // JSON text "\\u0041"
  const std::string escaped_text = json::Write(with_escape);
  KeepCheckBody(escaped, escaped_text);
  CHECK(escaped.body_shape.str().find(R"("delivery_statement":0)") == std::string::npos);
  CHECK(CheckBodyText(escaped) == escaped_text);
}

// Issue 15: an outcome's body is kept without its id, shared by outcomes
// whose bodies differ only there.
TEST_CASE("Outcome bodies share one shape without the outcome id", "[state][15]") {
  Outcome a, b, odd;
  a.outcome_id = "out_1";
  b.outcome_id = "out_22";
  odd.outcome_id = "out_3";
  const std::string tail = R"(,"outcome_state":"accepted","delivery_reconciliation_status":"consistent"})";
  KeepOutcomeBody(a, R"({"outcome_id":"out_1")" + tail);
  KeepOutcomeBody(b, R"({"outcome_id":"out_22")" + tail);
  CHECK(!a.body_json);
  CHECK(&a.body_shape.str() == &b.body_shape.str());
  CHECK(OutcomeBodyText(a) == R"({"outcome_id":"out_1")" + tail);
  CHECK(OutcomeBodyText(b) == R"({"outcome_id":"out_22")" + tail);
  const std::string other = R"({"outcome_state":"accepted","outcome_id":"out_3"})";
  KeepOutcomeBody(odd, other);  // does not start with its id: kept as it is
  CHECK(odd.body_shape.empty());
  CHECK(OutcomeBodyText(odd) == other);
  KeepOutcomeBody(odd, "");  // nothing is boxed for an empty body
  CHECK(!odd.body_json);
  CHECK(OutcomeBodyText(odd).empty());
}

// Issue 15: a completed outcome's body carries the plan's running totals;
// its shape leaves the numbers out, so such outcomes share one shape too.
TEST_CASE("Outcome bodies share one shape without their numbers", "[state][15]") {
  Outcome a, b;
  a.outcome_id = "out_1";
  b.outcome_id = "out_2";
  const auto body = [](const std::string& id, const std::string& committed, const std::string& remaining) {
    return R"({"outcome_id":")" + id + R"(","outcome_state":"accepted","committed_budget":100,"note":"7 \"8\" true",)" +
           R"("plan_summary":{"total_committed":)" + committed + R"(,"budget_remaining":)" + remaining + "}}";
  };
  KeepOutcomeBody(a, body("out_1", "100", "999999999999900"));
  KeepOutcomeBody(b, body("out_2", "-2.5e-7", "0"));
  CHECK(&a.body_shape.str() == &b.body_shape.str());
  CHECK(a.body_shape.str().find("100") == std::string::npos);
  CHECK(a.body_shape.str().find(R"("note":"7 \"8\" true")") != std::string::npos);  // numbers in strings stay
  CHECK(OutcomeBodyText(a) == body("out_1", "100", "999999999999900"));
  CHECK(OutcomeBodyText(b) == body("out_2", "-2.5e-7", "0"));
  // A text that already holds the hole byte keeps its numbers in the shape.
  Outcome odd;
  odd.outcome_id = "out_3";
  const std::string with_hole = std::string(R"({"outcome_id":"out_3","n":1,"x":")") + kHole + R"("})";
  KeepOutcomeBody(odd, with_hole);
  CHECK(!odd.body_json);
  CHECK(OutcomeBodyText(odd) == with_hole);
}

TEST_CASE("SplitNumbers and JoinHoles invert each other exactly", "[state][15]") {
  for (const std::string& text : std::vector<std::string>{R"([1,-2,3.5e+10,"4",{"a":-0.0}])", R"({"a":true,"b":false,"c":null})", std::string("12"),
                                 R"({"s":"\"9\\\\\"","t":10})", std::string(300, '7')}) {
    std::string shape, values;
    if (SplitNumbers(text, &shape, &values)) CHECK(JoinHoles(shape, values) == text);
    else CHECK(shape.empty());
  }
  std::string shape, values;
  CHECK(!SplitNumbers(R"({"a":true,"b":"1"})", &shape, &values));  // no number outside strings
  CHECK(!SplitNumbers(std::string(300, '7'), &shape, &values));      // longer than a length byte says
  // The member a value follows decides (token claims take out named ones);
  // a string's contents go, its quotes stay; array elements follow no name.
  REQUIRE(SplitMembers(R"({"sub":"gb_1","n":{"sub":2},"l":["sub",3],"e":"","x":"a\"b"})",
                       [](std::string_view member, bool) { return member == "sub" || member == "x"; }, &shape, &values));
  CHECK(shape == std::string(R"({"sub":")") + kHole + R"(","n":{"sub":)" + kHole + R"(},"l":["sub",3],"e":"","x":")" + kHole + R"("})");
  CHECK(values == std::string("\x04gb_1\x01" "2\x04" R"(a\"b)"));
  CHECK(JoinHoles(shape, values) == R"({"sub":"gb_1","n":{"sub":2},"l":["sub",3],"e":"","x":"a\"b"})");
  REQUIRE(SplitNumbers(R"({"s":"\"9\\\\\"","t":10})", &shape, &values));
  CHECK(values == std::string("\x02") + "10");
}

// Issue 15: minted ids (a prefix and a ULID) are kept as bytes, short ids
// inline, longer ones (imported, or from a host's id scheme) on the heap,
// with the same reads; a text that would not spell back exactly is kept as
// text.
TEST_CASE("RecordId keeps minted ids as bytes and others as text", "[state][15]") {
  struct Case {
    std::string text;
    bool packed;
  };
  const std::vector<Case> cases = {
      {"", false},
      {"chk_1", false},
      {std::string(15, 'x'), false},
      {std::string(16, 'x'), false},
      {std::string(200, 'y'), false},
      {"out_01KDVDNA02K3NF9Z573ZVEC6P3", true},
      {"chk_01KDVDNA02K3NF9Z573ZVEC6P3", true},
      {"gb_01KDVDNA02K3NF9Z573ZVEC6P3", true},
      {"gb_0FZZZZZZZZZZZZZZZZZZZZZZZZ", true},   // the largest value kept: 124 bits
      {"gb_00000000000000000000000000", true},   // the smallest
      {"gb_0GZZZZZZZZZZZZZZZZZZZZZZZZ", false},  // bit 124 set: a time past the year 2527
      {"gb_10000000000000000000000000", false},  // 130-bit digits
      {"gb_01kdvdna02k3nf9z573zvec6p3", false},  // lower case: would spell back upper
      {"gb_01KDVDNA02K3NF9Z573ZVEC6PI", false},  // not a Crockford digit
      {"gb_01KDVDNA02K3NF9Z573ZVEC6P", false},   // 25 digits
      {"acc_01KDVDNA02K3NF9Z573ZVEC6P3", false},  // not a record's prefix
      {"gb-01KDVDNA02K3NF9Z573ZVEC6P3", false},
      {"_01KDVDNA02K3NF9Z573ZVEC6P3", false},
      {"xgb_01KDVDNA02K3NF9Z573ZVEC6P3", false},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    RecordId id(c.text);
    CHECK(id.packed() == c.packed);
    CHECK(id == c.text);
    CHECK(id.str() == c.text);
    CHECK(id.text().view() == c.text);
    CHECK(id.size() == c.text.size());
    CHECK(id.empty() == c.text.empty());
    if (!c.packed) {
      const auto text = id.text();
      const bool inline_text = text.view().data() >= reinterpret_cast<const char*>(&id) &&
                               text.view().data() < reinterpret_cast<const char*>(&id) + sizeof id;
      CHECK(inline_text == (c.text.size() <= 15));
    }
    RecordId copy = id;
    CHECK(copy == c.text);
    CHECK(copy == id);
    RecordId moved = std::move(copy);
    CHECK(moved == c.text);
    CHECK(copy.empty());  // NOLINT: a moved-from id is empty
    copy = moved;
    moved = RecordId("chk_1");
    CHECK(copy == c.text);
    CHECK(moved == std::string("chk_1"));
    CHECK(json::Write(json::Value(copy)) == json::Write(json::Value(c.text)));
  }
  // Ids compare equal exactly when their texts are (packed ones as bytes).
  RecordId reused(std::string(15, 'x'));
  reused = RecordId("chk_01KDVDNA02K3NF9Z573ZVEC6P3");
  CHECK(reused == RecordId("chk_01KDVDNA02K3NF9Z573ZVEC6P3"));
  CHECK(RecordId("chk_1") == RecordId("chk_1"));
  CHECK(RecordId(std::string(40, 'y')) == RecordId(std::string(40, 'y')));
  CHECK(RecordId("chk_1") != RecordId("chk_01KDVDNA02K3NF9Z573ZVEC6P3"));
  // Two packed ids differ when their texts do.
  CHECK(RecordId("gb_01KDVDNA02K3NF9Z573ZVEC6P3") != RecordId("out_01KDVDNA02K3NF9Z573ZVEC6P3"));
  CHECK(RecordId("gb_01KDVDNA02K3NF9Z573ZVEC6P3") != RecordId("gb_01KDVDNA02K3NF9Z573ZVEC6P4"));
  static_assert(sizeof(RecordId) == 16, "five ids a governed buy, 16 bytes each");
}

// Issue 15: the ids the core mints for checks, actions and outcomes (a
// prefix and a ULID of the call's time and random bytes) are the ones kept
// as bytes, at today's times and up to the last millisecond before 2527.
TEST_CASE("RecordId keeps the ids the core mints as bytes", "[state][15]") {
  Agent agent;
  REQUIRE(ParseConfig(R"({"issuer":"https://g.example","signing":{"kid":"k"}})", &agent.config).empty());
  double now = 1767225600000.0;  // 2026-01-01
  uint32_t seed = 7;
  agent.hooks.now_ms = [&]() -> HookResult<double> { return {now, ""}; };
  agent.hooks.random_bytes = [&](size_t n) -> HookResult<std::string> {
    std::string bytes(n, '\0');
    for (char& b : bytes) b = static_cast<char>((seed = seed * 1103515245u + 12345u) >> 24);
    return {bytes, ""};
  };
  for (double at : {1767225600000.0, 0.0, 17592186044415.0}) {  // 17592186044415 = 2^44 - 1 ms
    now = at;
    for (const char* prefix : {"chk", "gb", "out"}) {
      for (int i = 0; i < 200; ++i) {
        CallContext ctx(agent.config, agent.hooks, agent.state);
        Result<std::string> id = ctx.NewId(prefix, nullptr);
        REQUIRE(id.ok());
        INFO(id.value());
        const RecordId kept(id.value());
        CHECK(kept.packed());
        CHECK(kept == id.value());
      }
    }
  }
  // Past that millisecond the id is kept as text, and reads the same.
  now = 17592186044416.0;
  CallContext ctx(agent.config, agent.hooks, agent.state);
  Result<std::string> id = ctx.NewId("chk", nullptr);
  REQUIRE(id.ok());
  CHECK_FALSE(RecordId(id.value()).packed());
  CHECK(RecordId(id.value()) == id.value());
}

// Issue 15: an idempotency scope's stored form (the agent's number, a
// newline, a key of 16 to 255 characters) is kept inline up to 31 bytes,
// packed when the key is a lowercase UUID in StoredScope's spelling, on the
// heap otherwise; every form reads back, copies and moves alike.
TEST_CASE("ScopeText keeps a stored scope with a UUID key packed", "[state][15]") {
  const std::string uuid = "0d1f6b4e-7a4b-4c8e-9d3a-2b7f1c9e8a10";
  struct Case {
    std::string text;
    bool packed, inline_text;
  };
  const std::vector<Case> cases = {
      {"", false, true},
      {"0\nbench-outcome-key-1", false, true},
      {std::string(31, 's'), false, true},
      {std::string(32, 't'), false, false},
      {std::string(260, 'k'), false, false},
      {"12\n" + uuid, true, false},
      {"0\n" + uuid, true, false},
      {"4294967295\n" + uuid, true, false},
      {"4294967296\n" + uuid, false, false},  // past 32 bits
      {"012\n" + uuid, false, false},         // a leading zero: not StoredScope's spelling
      {"\n" + uuid, false, false},
      {"1a\n" + uuid, false, false},
      {"12\n0D1F6B4E-7A4B-4C8E-9D3A-2B7F1C9E8A10", false, false},  // upper case
      {"12\n" + uuid + "0", false, false},
      {"12\n" + uuid.substr(0, 35), false, false},
      {"12\n0d1f6b4e_7a4b-4c8e-9d3a-2b7f1c9e8a10", false, false},
      {uuid, false, false},  // no agent number
  };
  for (const Case& c : cases) {
    INFO(c.text);
    ScopeText scope(c.text);
    CHECK(scope.packed() == c.packed);
    CHECK(scope == c.text);
    CHECK(scope.str() == c.text);
    CHECK(scope.size() == c.text.size());
    if (!c.packed) {
      const auto text = scope.text();
      const bool inline_text = text.view().data() >= reinterpret_cast<const char*>(&scope) &&
                               text.view().data() < reinterpret_cast<const char*>(&scope) + sizeof scope;
      CHECK(inline_text == c.inline_text);
    }
    ScopeText copy = scope, moved = std::move(scope);
    CHECK(copy == c.text);
    CHECK(moved == c.text);
    CHECK(scope.empty());  // NOLINT: moved from
    scope = copy;
    CHECK(scope == c.text);
  }
  static_assert(sizeof(ScopeText) == 32, "its own 32 bytes");
  // Packed texts compare as their bytes, only the bytes the packing uses:
  // one packed over an inline text (whose other bytes stay) equals a fresh one.
  ScopeText reused(std::string(31, 'z')), fresh("12\n" + uuid);
  reused = ScopeText("12\n" + uuid);
  CHECK(reused == fresh);
  CHECK_FALSE(reused != fresh);
  CHECK(reused != ScopeText("13\n" + uuid));
  CHECK(reused != ScopeText(std::string(31, 'z')));
  CHECK(ScopeText("0\nbench-outcome-key-1") == ScopeText("0\nbench-outcome-key-1"));
}

// Issue 15: the smaller InlineTexts (a shaped text's values in 16 bytes, a
// statement's, an observation's and a media buy's ids in 24), whose heap
// form is a pointer and a 4-byte size: inline up to one byte short of their
// size, on the heap from there, copied, moved and assigned alike.
template <size_t kSize>
void CheckInlineTextSizes() {
  INFO(kSize);
  static_assert(sizeof(InlineText<kSize>) == (kSize + alignof(char*) - 1) / alignof(char*) * alignof(char*),
                "its own bytes, padded to a pointer's alignment");
  for (size_t size : {size_t(0), size_t(1), kSize - 2, kSize - 1, kSize, kSize + 1, size_t(300)}) {
    INFO(size);
    std::string text(size, 'a');
    for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 26);
    InlineText<kSize> kept(text);
    CHECK(kept.view() == text);
    const bool inline_text = size == 0 || (kept.view().data() >= reinterpret_cast<const char*>(&kept) &&
                                           kept.view().data() < reinterpret_cast<const char*>(&kept) + sizeof kept);
    CHECK(inline_text == (size <= kSize - 1));
    InlineText<kSize> copy = kept, assigned("x");
    assigned = kept;
    InlineText<kSize> moved = std::move(kept);
    CHECK(copy.view() == text);
    CHECK(assigned.view() == text);
    CHECK(moved.view() == text);
    assigned = std::string(kSize + 5, 'z');  // a heap text replaced by another
    CHECK(assigned.view() == std::string(kSize + 5, 'z'));
    assigned = "y";
    CHECK(assigned.view() == "y");
  }
}
TEST_CASE("InlineText<16> and InlineText<24> keep short texts inline and longer ones on the heap", "[state][15]") {
  CheckInlineTextSizes<16>();
  CheckInlineTextSizes<20>();  // an observation's id on wasm32
  CheckInlineTextSizes<24>();
  CheckInlineTextSizes<32>();
}

TEST_CASE("Compact optionals hold every value of their type and tell absence apart", "[state][15]") {
  static_assert(sizeof(OptionalDouble) == 8 && sizeof(OptionalInt64) == 8, "the number's own 8 bytes");
  const double zero = 0.0, quiet_nan = zero / zero;  // computed NaNs are quiet: a value, not absence
  for (double x : {0.0, -0.0, 1e-300, 12.5, -7.0, 1e308, std::numeric_limits<double>::infinity(), quiet_nan}) {
    OptionalDouble v = x;
    REQUIRE(v.has_value());
    const double got = *v;
    CHECK(std::memcmp(&x, &got, sizeof x) == 0);  // bit for bit, -0.0 and NaN too
    std::optional<double> wide = v;
    CHECK(wide.has_value());
    CHECK((v.value_or(99) == got || x != x));
  }
  OptionalDouble absent;
  CHECK_FALSE(absent.has_value());
  CHECK_FALSE(std::optional<double>(absent).has_value());
  CHECK(absent.value_or(3.5) == 3.5);
  CHECK(OptionalDouble(std::optional<double>()) == absent);
  OptionalDouble set = 4.0;
  CHECK(set != absent);
  set = std::nullopt;
  CHECK(set == absent);
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{-1}, std::numeric_limits<int64_t>::max(), int64_t{8'640'000'000'000'000}}) {
    OptionalInt64 v = t;
    REQUIRE(v.has_value());
    CHECK(*v == t);
    CHECK(std::optional<int64_t>(v) == t);
  }
  OptionalInt64 none;
  CHECK_FALSE(none.has_value());
  CHECK(none.value_or(7) == 7);
  CHECK(OptionalInt64(std::optional<int64_t>(5)) == OptionalInt64(5));
}

// Issue 15: the table under both indexes keeps 1.33-2 slots a key once past
// its first 16 slots (at most three quarters full, grown by half), finds
// every key after each growth, and wraps a probe run past its last slot
// (hashes whose home is the last slot).
TEST_CASE("ProbeTable stays between half and three quarters full and wraps its probe runs", "[state][15]") {
  struct Slot {
    uint32_t hash;
    int32_t position;
  };
  ProbeTable<Slot> table;
  std::vector<uint32_t> hashes;
  auto insert = [&](uint32_t hash) {
    const int32_t position = static_cast<int32_t>(hashes.size());
    hashes.push_back(hash);
    table.Insert(hash, Slot{hash, position}, [&](const Slot& s) { return s.position == position; },
                 [](const Slot& s) { return static_cast<size_t>(s.hash); });
  };
  auto find = [&](int32_t position) {
    const Slot* slot = table.Find(hashes[position], [&](const Slot& s) { return s.position == position; });
    return slot ? slot->position : -1;
  };
  for (int k = 0; k < 5; ++k) insert(0xFFFFFFFFu);  // all at home in the last slot: the run wraps to slot 0
  CHECK(table.slot_count() == 16);
  for (int32_t p = 0; p < 5; ++p) CHECK(find(p) == p);
  for (uint32_t h = 1; h <= 7; ++h) insert(h << 28);  // 12 keys: three quarters of 16
  CHECK(table.slot_count() == 16);
  // Replacing a key at the limit does not grow the table; adding one does.
  table.Insert(hashes[3], Slot{hashes[3], 3}, [](const Slot& s) { return s.position == 3; },
               [](const Slot& s) { return static_cast<size_t>(s.hash); });
  CHECK(table.size() == 12);
  CHECK(table.slot_count() == 16);
  CHECK(find(3) == 3);
  insert(0x12345678u);
  CHECK(table.slot_count() == 24);
  for (int32_t p = 0; p < 13; ++p) CHECK(find(p) == p);
  uint32_t spread = 12345;
  for (int i = 13; i < 20000; ++i) {
    spread = spread * 2654435761u + 1;
    insert(i % 97 == 0 ? 0xFFFFFFFFu : spread);
    CHECK(table.size() * 4 <= table.slot_count() * 3);
    if (table.size() > 12) CHECK(table.slot_count() <= table.size() * 2);
  }
  for (int32_t p = 0; p < 20000; ++p) CHECK(find(p) == p);
  CHECK(table.Find(0xFFFFFFFFu, [](const Slot& s) { return s.position == 20000; }) == nullptr);
}

// Issue 15: the id indexes keep only positions; the ids are read from the
// records. Every id is found after the table grows, absent ids are not (also
// ids that share a slot's probe run), and an id indexed again moves.
TEST_CASE("IdIndex finds each record by the id read from it", "[state][15]") {
  std::vector<std::string> ids;
  IdIndex index;
  const auto id_of = [&ids](int32_t i) { return std::string_view(ids[i]); };
  CHECK(index.Find("chk_0", id_of) == IdIndex::kAbsent);
  for (int i = 0; i < 1000; ++i) {
    ids.push_back("chk_" + std::to_string(i));
    index.Insert(static_cast<int32_t>(i), id_of);
  }
  CHECK(index.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(index.Find("chk_" + std::to_string(i), id_of) == i);
  for (const char* absent : {"", "chk_1000", "chk_", "chk_01", "CHK_1"}) CHECK(index.Find(absent, id_of) == IdIndex::kAbsent);
  ids.push_back("chk_7");  // the same id at a later position replaces the earlier one
  index.Insert(1000, id_of);
  CHECK(index.size() == 1000);
  CHECK(index.Find("chk_7", id_of) == 1000);
  CHECK(index.Find("chk_8", id_of) == 8);
  index.clear();
  CHECK(index.Find("chk_8", id_of) == IdIndex::kAbsent);
}

// Issue 15: the digest indexes keep 32 bits of each key's digest and ask the
// record to confirm. Every key is found after the table grows; a key whose
// first 32 bits equal a stored one's is told apart by the confirmation (as a
// map keyed by the whole digest tells them apart); a key indexed again moves.
TEST_CASE("DigestIndex finds each record by its key's digest, confirmed by the record", "[state][15]") {
  std::vector<canon::Digest> keys;
  DigestIndex index;
  int confirmations = 0;
  auto has = [&](const canon::Digest& key) {
    return [&keys, &confirmations, key](int32_t i) {
      ++confirmations;
      return keys[i] == key;
    };
  };
  CHECK(index.Find(canon::Sha256Of("st_0"), has(canon::Sha256Of("st_0"))) == DigestIndex::kAbsent);
  for (int i = 0; i < 1000; ++i) {
    keys.push_back(canon::Sha256Of("st_" + std::to_string(i)));
    index.Insert(keys.back(), i, has(keys.back()));
  }
  CHECK(index.size() == 1000);
  confirmations = 0;
  for (int i = 0; i < 1000; ++i) CHECK(index.Find(keys[i], has(keys[i])) == i);
  CHECK(confirmations == 1000);  // one confirmation a hit: other slots are passed over by their bits
  for (const char* absent : {"", "st_1000", "st_", "st_01"}) {
    const canon::Digest key = canon::Sha256Of(absent);
    CHECK(index.Find(key, has(key)) == DigestIndex::kAbsent);
  }
  // Same first 32 bits, another digest: absent, and indexed beside the first.
  canon::Digest twin = keys[5];
  twin[31] ^= 1;
  CHECK(index.Find(twin, has(twin)) == DigestIndex::kAbsent);
  keys.push_back(twin);
  index.Insert(twin, 1000, has(twin));
  CHECK(index.size() == 1001);
  CHECK(index.Find(twin, has(twin)) == 1000);
  CHECK(index.Find(keys[5], has(keys[5])) == 5);
  // The same key at a later position replaces the earlier one.
  keys.push_back(keys[7]);
  index.Insert(keys[7], 1001, has(keys[7]));
  CHECK(index.size() == 1001);
  CHECK(index.Find(keys[7], has(keys[7])) == 1001);
  index.clear();
  CHECK(index.Find(keys[8], has(keys[8])) == DigestIndex::kAbsent);
}

// Issue 15 (review): the token, statement and observation indexes keep 32
// bits of a key's digest. Keys whose digests share those bits (pairs found
// by a birthday search; the test checks that they do) are told apart by
// each index's own confirmation against the record: the one not indexed is
// not found, and once both are, each finds its own record.
TEST_CASE("The token, statement and observation indexes tell apart keys that share 32 bits", "[state][15]") {
  auto tag = [](const std::string& key) {
    const canon::Digest d = canon::Sha256Of(key);
    return std::string(reinterpret_cast<const char*>(d.data()), 4);
  };
  const std::string seller = "https://seller.example.com", buyer = "https://buyer.example.com";
  State s;
  // Statements: (seller key, statement id).
  REQUIRE(tag(seller + "\nst_26375") == tag(seller + "\nst_70802"));
  auto add_statement = [&](const char* id) {
    Check c;
    c.set_texts({"", "", seller, "", "", "", ""});
    Statement st;
    st.statement_id = id;
    c.set_statement(std::move(st));
    s.checks.push_back(std::move(c));
    IndexStatement(s, static_cast<int32_t>(s.checks.size() - 1));
  };
  add_statement("st_26375");
  CHECK(FindStatement(s, seller, "st_26375") == 0);
  CHECK(FindStatement(s, seller, "st_70802") == kNone);
  add_statement("st_70802");
  CHECK(FindStatement(s, seller, "st_26375") == 0);
  CHECK(FindStatement(s, seller, "st_70802") == 1);
  // Observations: (reporter key, plan, observation id).
  REQUIRE(tag(buyer + "\n0\nobs_4401") == tag(buyer + "\n0\nobs_62008"));
  auto add_observation = [&](const char* id) {
    Outcome o;
    o.set_texts({"delivery", "", buyer, ""});
    o.plan = 0;
    MutableObservation(o).observation_id = id;
    s.outcomes.push_back(std::move(o));
    IndexObservation(s, static_cast<int32_t>(s.outcomes.size() - 1));
  };
  add_observation("obs_4401");
  CHECK(FindObservation(s, buyer, 0, "obs_4401") == 0);
  CHECK(FindObservation(s, buyer, 0, "obs_62008") == kNone);
  add_observation("obs_62008");
  CHECK(FindObservation(s, buyer, 0, "obs_62008") == 1);
  CHECK(FindObservation(s, buyer, 1, "obs_62008") == kNone);  // another plan
  // Tokens: their text (these stay verbatim: they are no JWS).
  REQUIRE(tag("tok-25250") == tag("tok-61579"));
  auto add_token = [&](const char* token) {
    Check c;
    c.issued_token = StoredToken::Verbatim(token);
    s.checks.push_back(std::move(c));
    const int32_t i = static_cast<int32_t>(s.checks.size() - 1);
    IndexIssuedToken(s, i, s.checks[i]);
    return i;
  };
  const int32_t first = add_token("tok-25250");
  CHECK(FindIssuer(s, "tok-25250") == first);
  CHECK(FindIssuer(s, "tok-61579") == kNone);
  const int32_t second = add_token("tok-61579");
  CHECK(FindIssuer(s, "tok-25250") == first);
  CHECK(FindIssuer(s, "tok-61579") == second);
}

// Issue 15: an action's delivery periods are a sorted vector. They are
// found by key, added once in key order whatever the order they arrive in
// (reads that walk them, such as the dispute check of 04 §6, see them as a
// std::map showed them), and a period changed through [] stays changed.
TEST_CASE("An action's periods are found by key and kept in key order", "[state][15]") {
  Periods periods;
  CHECK(periods.Find(Sym("2026-01-02/2026-01-03")) == nullptr);
  for (const char* key : {"2026-01-02/2026-01-03", "2026-01-01/2026-01-02", "2026-01-03/2026-01-04", "2026-01-01/2026-01-02"})
    periods[Sym(key)].highest_sequence += 1;
  REQUIRE(periods.size() == 3);
  std::vector<std::string> order;
  for (const auto& item : periods) order.push_back(item.first.str());
  CHECK(order == std::vector<std::string>{"2026-01-01/2026-01-02", "2026-01-02/2026-01-03", "2026-01-03/2026-01-04"});
  REQUIRE(periods.Find(Sym("2026-01-01/2026-01-02")) != nullptr);
  CHECK(periods.Find(Sym("2026-01-01/2026-01-02"))->highest_sequence == 2);
  CHECK(periods.Find(Sym("2026-01-03/2026-01-04"))->highest_sequence == 1);
  CHECK(periods.Find(Sym("2026-01-04/2026-01-05")) == nullptr);
  periods[Sym("2026-01-03/2026-01-04")].closed = true;
  CHECK(periods.Find(Sym("2026-01-03/2026-01-04"))->closed);
  CHECK(periods.size() == 3);
  // Copies and moves keep every period; the array grows past its first
  // capacities with inserts at the front, the middle and the end.
  Periods copy = periods;
  Periods moved = std::move(periods);
  CHECK(periods.size() == 0);  // NOLINT: a moved-from list is empty
  CHECK(periods.begin() == periods.end());
  for (int day = 40; day >= 10; day -= 3) copy[Sym("2026-02-" + std::to_string(day) + "/x")].highest_sequence = day;
  for (int day = 11; day <= 41; day += 3) copy[Sym("2026-02-" + std::to_string(day) + "/x")].highest_sequence = day;
  REQUIRE(copy.size() == 3 + 11 + 11);
  CHECK(std::is_sorted(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.first < b.first; }));
  for (int day = 10; day <= 41; ++day) {
    const Period* p = copy.Find(Sym("2026-02-" + std::to_string(day) + "/x"));
    CHECK((p != nullptr) == (day % 3 != 0));
    if (p) CHECK(p->highest_sequence == day);
  }
  CHECK(copy.Find(Sym("2026-01-01/2026-01-02"))->highest_sequence == 2);
  REQUIRE(moved.size() == 3);
  CHECK(moved.Find(Sym("2026-01-03/2026-01-04"))->closed);
  moved = copy;
  CHECK(moved.size() == copy.size());
  copy = Periods();
  CHECK(moved.Find(Sym("2026-02-40/x"))->highest_sequence == 40);
}

// Issue 15: most outcomes have no findings and box none; the ones that do
// read back as they were set.
TEST_CASE("An outcome boxes findings only when it has some", "[state][15]") {
  Outcome o;
  CHECK(json::Write(FindingsOf(o)) == "[]");
  SetFindings(o, json::Value::MakeArray());
  CHECK(!o.parts.findings());
  json::Value some = json::Value::MakeArray();
  some.push(json::Obj({{"category_id", "delivery_pacing"}, {"severity", "warning"}}));
  SetFindings(o, some);
  REQUIRE(o.parts.findings());
  CHECK(json::Write(FindingsOf(o)) == json::Write(some));
  SetFindings(o, json::Value::MakeArray());
  CHECK(!o.parts.findings());
}

// Issue 15: an outcome boxes what it settles or what it observed, only
// when it has some of it; reads of an absent part see an empty one.
TEST_CASE("An outcome boxes its settlement and its observation only when it has them", "[state][15]") {
  Outcome o;
  CHECK_FALSE(SettlementOf(o).committed_budget);
  CHECK(ObservationOf(o).observation_id.empty());
  CHECK(!o.parts.settlement());
  CHECK(!o.parts.observation());
  MutableSettlement(o).seller_channels = {};
  MutableObservation(o).observation_id = "";
  TidyOutcome(o);  // filled in with nothing: both boxes go
  CHECK(!o.parts.settlement());
  CHECK(!o.parts.observation());
  // A failed outcome's error alone keeps the settlement box (issue 15: it
  // lives there rather than in every outcome).
  MutableSettlement(o).error = json::Obj({{"code", "SELLER_REJECTED"}});
  TidyOutcome(o);
  REQUIRE(o.parts.settlement());
  CHECK(json::Write(*SettlementOf(o).error) == R"({"code":"SELLER_REJECTED"})");
  o.parts = OutcomeParts();
  MutableSettlement(o).committed_budget = 0.0;  // a failed outcome's zero is kept
  MutableObservation(o).period_state = PeriodState::kOpen;
  TidyOutcome(o);
  REQUIRE(o.parts.settlement());
  REQUIRE(o.parts.observation());
  CHECK(*SettlementOf(o).committed_budget == 0.0);
  CHECK(ObservationOf(o).period_state == PeriodState::kOpen);
  Outcome copy = o;  // deep copies
  MutableObservation(o).period_state = PeriodState::kClosed;
  CHECK(ObservationOf(copy).period_state == PeriodState::kOpen);
  // One pointer holds either part, or both: each part keeps what it had as
  // the other is added, and tidying keeps the part that is not empty.
  Outcome observed;
  MutableObservation(observed).observation_id = "obs_1";
  CHECK(!observed.parts.settlement());
  MutableSettlement(observed).seller_reference = std::string("mb_1");
  REQUIRE(observed.parts.observation());
  CHECK(ObservationOf(observed).observation_id.view() == "obs_1");
  CHECK(SettlementOf(observed).seller_reference->view() == "mb_1");
  MutableSettlement(observed).seller_reference.reset();
  TidyOutcome(observed);  // the settlement is empty again: the observation alone
  CHECK(!observed.parts.settlement());
  CHECK(ObservationOf(observed).observation_id.view() == "obs_1");
  Outcome settled;
  MutableSettlement(settled).committed_budget = 12.5;
  MutableObservation(settled);  // added, left empty
  TidyOutcome(settled);
  CHECK(!settled.parts.observation());
  CHECK(*SettlementOf(settled).committed_budget == 12.5);
  const Outcome moved = std::move(settled);
  CHECK(*SettlementOf(moved).committed_budget == 12.5);
  CHECK(!settled.parts.settlement());  // NOLINT: a moved-from outcome keeps no part
  static_assert(sizeof(OutcomeParts) == sizeof(void*), "one pointer an outcome");
  // Findings join whatever parts there are, and leave them as they were.
  Outcome found;
  MutableSettlement(found).committed_budget = 7.0;
  json::Value findings = json::Value::MakeArray();
  findings.push(json::Obj({{"category_id", "budget_authority"}}));
  SetFindings(found, findings);
  REQUIRE(found.parts.findings());
  CHECK(*SettlementOf(found).committed_budget == 7.0);
  MutableObservation(found).observation_id = "obs_2";  // added under the findings
  CHECK(ObservationOf(found).observation_id.view() == "obs_2");
  CHECK(*SettlementOf(found).committed_budget == 7.0);
  MutableObservation(found).observation_id = "";
  TidyOutcome(found);
  CHECK(!found.parts.observation());
  CHECK(json::Write(FindingsOf(found)) == json::Write(findings));
  const Outcome found_copy = found;
  SetFindings(found, json::Value::MakeArray());  // none left: the parts stay
  CHECK(!found.parts.findings());
  CHECK(*SettlementOf(found).committed_budget == 7.0);
  CHECK(json::Write(FindingsOf(found_copy)) == json::Write(findings));
  CHECK(*SettlementOf(found_copy).committed_budget == 7.0);
  Outcome only_findings;
  SetFindings(only_findings, findings);
  TidyOutcome(only_findings);
  CHECK(!only_findings.parts.settlement());
  CHECK(json::Write(FindingsOf(only_findings)) == json::Write(findings));
}

// Issue 15: received documents (a statement's metrics, an observation) keep
// their member names and layout once, in a pooled shape, and their values.
TEST_CASE("ShapedText pools a document's shape and gives back its exact text", "[state][15]") {
  const std::string a = R"({"statement_id":"st_1","sequence":1,"reporting_period":{"start":"2026-01-01T00:00:00Z"},)"
                        R"("final":true,"note":"a \"quoted\" \\ text","spend":50.25,"list":["x",-1e-3,null]})";
  const std::string b = R"({"statement_id":"st_22","sequence":2,"reporting_period":{"start":"2026-02-01T00:00:00Z"},)"
                        R"("final":false,"note":"","spend":0,"list":["yy",7,null]})";
  const ShapedText sa(a), sb(b), none, flat("true"), with_hole(std::string("[\"") + kHole + "\"]");
  CHECK(sa.Text() == a);
  CHECK(sb.Text() == b);
  CHECK(none.empty());
  CHECK(none.Text().empty());
  CHECK(flat.Text() == "true");  // nothing to take out: kept whole
  CHECK(with_hole.Text() == std::string("[\"") + kHole + "\"]");
  std::string shape_a, values_a, shape_b, values_b;
  REQUIRE(SplitValues(a, &shape_a, &values_a));
  REQUIRE(SplitValues(b, &shape_b, &values_b));
  CHECK(shape_a.find("statement_id") != std::string::npos);  // member names stay in the shape
  CHECK(shape_a.find("st_1") == std::string::npos);
  CHECK(shape_a.find("true") != std::string::npos);  // literals stay too
  CHECK(shape_a != shape_b);  // true and false differ
}

// Issue 15: a statement's metrics refer to the values the statement keeps
// anyway (its id, its period's start and end) instead of keeping them
// twice: every place a known value appears (a string or a number, the same
// value twice) reads back exactly, given the same list.
TEST_CASE("ShapedText refers to known values and reads back exactly with them", "[state][15]") {
  const std::string text = R"({"statement_id":"7","sequence":7,"issued_at":"2026-01-02T00:00:00Z",)"
                           R"("reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"currency":"USD"})";
  const std::initializer_list<std::string_view> known = {"7", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"};
  const ShapedText plain(text), referring(text, known);
  CHECK(plain.Text() == text);
  CHECK(referring.Text(known) == text);
  // A reference is two bytes where the value took its length and itself (a
  // time packed: a zero byte, its form and 5 bytes).
  CHECK(referring.shape() == plain.shape());
  CHECK(plain.values().size() == 2 + 2 + 3 * 7 + 4);  // "7", 7, three times, "USD"
  CHECK(referring.values().size() == 5 * 2 + 4);
  // Nothing known in the text: kept as without a list.
  const ShapedText unrelated(text, {"st_99"});
  CHECK(unrelated.values() == plain.values());
  CHECK(unrelated.Text({"st_99"}) == text);
  CHECK(unrelated.Text() == text);
  // The statement's own accessors: built and read with its id and period.
  Statement st;
  st.statement_id = "7";
  st.set_period(Sym("2026-01-01T00:00:00Z"), Sym("2026-01-02T00:00:00Z"));
  st.metrics = StatementMetrics(st, text);
  CHECK(StatementMetricsText(st) == text);
  // Its digest, which the metrics repeat, too: a 2-byte reference where its
  // 32 bytes were kept again.
  const std::string digest = "sha256:" + std::string(64, 'c');
  const std::string with_digest = text.substr(0, text.size() - 1) + R"(,"statement_digest":")" + digest + "\"}";
  const ShapedText without_digest(with_digest, {"7", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"});
  st.statement_digest = digest;
  st.metrics = StatementMetrics(st, with_digest);
  CHECK(StatementMetricsText(st) == with_digest);
  CHECK(st.metrics.values().size() + 30 < without_digest.values().size());
}

// Issue 15: an execution check keeps its planned_delivery as shaped text
// and reads it back as the same document (numbers, nesting, escapes).
TEST_CASE("A check's planned_delivery is kept as text and reads back as it was set", "[state][15]") {
  Check c;
  CHECK_FALSE(PlannedDeliveryOf(c).has_value());
  json::ParseResult planned = json::Parse(
      R"({"media_buy_id":"mb_\"1\"","total_budget":33.333333333333336,"currency":"USD","channels":["ctv","olv"],)"
      R"("geo":{"countries":["US"],"regions":[]},"start_time":"2026-01-01T00:00:00Z","flag":true,"none":null})");
  REQUIRE(planned.ok());
  SetPlannedDelivery(c, planned.value);
  REQUIRE(PlannedDeliveryOf(c).has_value());
  CHECK(json::Write(*PlannedDeliveryOf(c)) == json::Write(planned.value));
  const Check copy = c;
  CHECK(json::Write(*PlannedDeliveryOf(copy)) == json::Write(planned.value));
}

// Issue 15: the actions under a media-buy key keep the first inline. Each
// is listed once, in the order recorded, and the count tells one from many
// (the tokenless 3.0 check of 10 §3.5.1 needs exactly one).
TEST_CASE("The actions of a media buy are listed once each, the first inline", "[state][15]") {
  ActionsOfMediaBuy actions;
  CHECK(actions.size() == 0);
  actions.Add(4);
  actions.Add(4);
  CHECK(actions.size() == 1);
  CHECK(actions.front() == 4);
  actions.Add(9);
  actions.Add(4);
  actions.Add(9);
  actions.Add(2);
  CHECK(actions.size() == 3);
  CHECK(actions.front() == 4);
  const ActionsOfMediaBuy copy = actions;
  CHECK(copy.size() == 3);
}

// 10 §3.5.1 over the issue 15 index: a media buy that one bound action
// recorded, and still names, resolves to it from a slot confirmed against
// the action; one that several actions recorded resolves to none; an id an
// action has since replaced still resolves to it; an unbound action's ids
// are not candidates until it is bound and records one.
TEST_CASE("A tokenless media buy resolves to the one bound action that recorded it", "[state][10][15]") {
  State s;
  s.plans.emplace_back();
  s.plans[0].plan_id = "plan_mb";
  for (const char* seller : {"seller-a", "seller-a", "seller-a", ""}) {
    Action a;
    a.plan = 0;
    a.set_texts({"media_buy", "create_media_buy", "https://buyer.example", "buyer", "", seller, "USD", ""});
    s.actions.push_back(std::move(a));
  }
  auto of = [&](const char* seller, const char* plan, const char* media_buy) {
    return MediaBuyActionOf(s, seller, plan, media_buy);
  };
  CHECK(of("seller-a", "plan_mb", "mb_1") == kNone);
  RecordMediaBuyId(s, 0, "mb_1");
  RecordMediaBuyId(s, 0, "mb_1");  // recorded again: still one action
  CHECK(of("seller-a", "plan_mb", "mb_1") == 0);
  CHECK(of("seller-b", "plan_mb", "mb_1") == kNone);  // another audience
  CHECK(of("seller-a", "plan_other", "mb_1") == kNone);
  CHECK(s.media_buys_listed.empty());  // the common case costs a slot only
  RecordMediaBuyId(s, 1, "mb_2");
  RecordMediaBuyId(s, 2, "mb_2");  // a second action with the same id: ambiguous
  CHECK(of("seller-a", "plan_mb", "mb_2") == kNone);
  CHECK(of("seller-a", "plan_mb", "mb_1") == 0);
  RecordMediaBuyId(s, 0, "mb_3");  // action 0 moves on: both ids are its own
  CHECK(s.actions[0].media_buy_id.view() == "mb_3");
  CHECK(of("seller-a", "plan_mb", "mb_3") == 0);
  CHECK(of("seller-a", "plan_mb", "mb_1") == 0);
  RecordMediaBuyId(s, 1, "mb_1");  // ... and another action records mb_1 too
  CHECK(of("seller-a", "plan_mb", "mb_1") == kNone);
  RecordMediaBuyId(s, 0, "mb_1");  // back to an id it recorded: still shared
  CHECK(of("seller-a", "plan_mb", "mb_1") == kNone);
  CHECK(of("seller-a", "plan_mb", "mb_3") == 0);
  // Unbound (no target key): its id is kept, but it is no candidate.
  RecordMediaBuyId(s, 3, "mb_4");
  CHECK(s.actions[3].media_buy_id.view() == "mb_4");
  CHECK(of("", "plan_mb", "mb_4") == kNone);
  // Bound later, the id it names is recorded for its audience (store.cc's
  // first-use binding records it again).
  ActionTexts bound = s.actions[3].texts();
  bound.target_key = "seller-c";
  s.actions[3].set_texts(bound);
  CHECK(of("seller-c", "plan_mb", "mb_4") == kNone);
  RecordMediaBuyId(s, 3, "mb_4");
  CHECK(of("seller-c", "plan_mb", "mb_4") == 3);
}

// Issue 15: a check that is final when it is made keeps its final time as
// its creation time, once; another final time (a resolved escalation's) is
// kept with the rarely set members, and 0 (not final yet) reads as 0. Each
// time reads back as set, whichever is set first.
TEST_CASE("A check's final time is its creation time unless set otherwise", "[state][15]") {
  Check c;
  c.set_created_ms(1000);
  CHECK(c.created_ms() == 1000);
  CHECK(c.final_ms() == 0);  // not final yet (as AddCheck logs it)
  CHECK(!c.extras_);
  c.set_final_ms(1000);
  CHECK(c.final_ms() == 1000);
  CHECK(!c.extras_);  // kept once
  c.set_final_ms(5000);  // resolved later
  CHECK(c.final_ms() == 5000);
  REQUIRE(c.extras_);
  c.set_created_ms(2000);  // the final time stays what it was
  CHECK(c.created_ms() == 2000);
  CHECK(c.final_ms() == 5000);
  c.set_final_ms(2000);
  CHECK(c.final_ms() == 2000);
  CHECK_FALSE(c.extras_->final_ms);
  Check imported;  // a record read final time first
  imported.set_final_ms(7000);
  imported.set_created_ms(3000);
  CHECK(imported.final_ms() == 7000);
  CHECK(imported.created_ms() == 3000);
  const Check copy = imported;
  CHECK(copy.final_ms() == 7000);
}

// Issue 15: a check's token expiry is kept as its distance from the
// creation time; none reads as 0, and one too far from the creation time
// for 32 bits of milliseconds (or before it, as a record may say) reads
// back as set, whichever time is set first.
TEST_CASE("A check's expiry reads back as set, near its creation time or not", "[state][15]") {
  const int64_t created = 1767225600000;  // 2026-01-01
  Check c;
  c.set_created_ms(created);
  CHECK(c.expires_at_ms() == 0);
  c.set_expires_at_ms(created + 900000);  // a 15-minute token
  CHECK(c.expires_at_ms() == created + 900000);
  CHECK(!c.extras_);
  for (const int64_t expiry : {created + int64_t{INT32_MAX}, created + int64_t{INT32_MAX} + 1, created + int64_t{90} * 86400000,
                               created - 1, int64_t{1}, created - int64_t{INT32_MAX} - 2}) {
    INFO(expiry);
    c.set_expires_at_ms(expiry);
    CHECK(c.expires_at_ms() == expiry);
    c.set_created_ms(created + 5);  // the expiry stays what it was
    CHECK(c.expires_at_ms() == expiry);
    c.set_created_ms(created);
    const Check copy = c;
    CHECK(copy.expires_at_ms() == expiry);
  }
  c.set_expires_at_ms(0);
  CHECK(c.expires_at_ms() == 0);
  // A check read back from its record (import, a journal's change set)
  // keeps its near expiry and final time without a box of rare members,
  // as it did when it was made.
  State s;
  Check made;
  made.check_id = "chk_round_trip";
  made.intent = false;
  made.plan = 0;
  made.set_texts({"hash", "https://seller.example", "seller", "create_media_buy", "media_buy", "", "enforce"});
  made.set_created_ms(created);
  made.set_expires_at_ms(created + 900000);
  made.set_final_ms(created);
  KeepCheckBody(made, R"({"check_id":"chk_round_trip","check_type":"delivery","verdict":"approved"})");
  REQUIRE(!made.extras_);
  RecordReader reader;
  TableSizes sizes;
  sizes.plans = 1;
  const Check read = ReadCheck(reader, CheckToJson(s, made), "checks[0]", sizes);
  INFO(reader.error << " at " << reader.field);
  CHECK(reader.error.empty());
  CHECK(read.created_ms() == created);
  CHECK(read.expires_at_ms() == created + 900000);
  CHECK(read.final_ms() == created);
  CHECK(!read.extras_);
  Check imported;  // a record read the expiry first
  imported.set_expires_at_ms(created + 60000);
  imported.set_created_ms(created);
  CHECK(imported.expires_at_ms() == created + 60000);
  CHECK(imported.created_ms() == created);
}

// Issue 15: a check keeps its scope, planned delivery and statement in one
// pointer: each part reads back as set, alone or with the others (a
// delivery check's two in one block, any other mix in boxes), through
// copies and moves, and a part set to nothing is gone.
TEST_CASE("A check keeps the parts of its kind in one pointer", "[state][15]") {
  static_assert(sizeof(CheckParts) == sizeof(void*), "one pointer a check");
  IntentScope scope;
  scope.payload_hash = "MVi-v9u02G1PsucdFCednlehLtZUyrWqSGnBKtyoEdA";
  Statement statement;
  statement.statement_id = "st_parts";
  statement.sequence = 3;
  const ShapedText planned(R"({"media_buy_id":"mb_parts"})");
  Check c;
  CHECK(!c.scope());
  CHECK(!c.planned_delivery());
  CHECK(!c.statement());
  c.set_scope(scope);  // an intent check
  REQUIRE(c.scope());
  CHECK(c.scope()->payload_hash.str() == scope.payload_hash.str());
  CHECK(!c.planned_delivery());
  Check execution;
  execution.set_statement(statement);  // a delivery check, statement first
  REQUIRE(execution.statement());
  CHECK(!execution.planned_delivery());
  execution.set_planned_delivery(planned);
  REQUIRE(execution.statement());
  REQUIRE(execution.planned_delivery());
  CHECK(execution.statement()->statement_id.view() == "st_parts");
  CHECK(execution.planned_delivery()->Text() == planned.Text());
  execution.mutable_statement()->sequence = 4;
  CHECK(execution.statement()->sequence == 4);
  const Check copy = execution;  // deep
  execution.mutable_statement()->sequence = 5;
  CHECK(copy.statement()->sequence == 4);
  CHECK(copy.planned_delivery()->Text() == planned.Text());
  execution.set_scope(scope);  // all three: boxes
  REQUIRE(execution.scope());
  CHECK(execution.statement()->sequence == 5);
  CHECK(execution.planned_delivery()->Text() == planned.Text());
  execution.set_statement(std::nullopt);
  execution.set_scope(std::nullopt);  // back to a purchase check's one part
  CHECK(!execution.statement());
  CHECK(!execution.scope());
  CHECK(execution.planned_delivery()->Text() == planned.Text());
  Check moved = std::move(execution);
  CHECK(moved.planned_delivery()->Text() == planned.Text());
  CHECK(!execution.planned_delivery());  // NOLINT: a moved-from check keeps no part
  moved.set_planned_delivery(std::nullopt);
  CHECK(!moved.planned_delivery());
}

// Issue 15: a check's recommendation is a byte; it reads back as the words
// the records and escalations carry, and nothing else reads as one.
TEST_CASE("A recommendation is kept as a byte and named as the records name it", "[state][15]") {
  for (const char* name : {"", "approve", "deny"}) {
    INFO(name);
    const std::optional<Recommendation> r = RecommendationFromName(name);
    REQUIRE(r.has_value());
    CHECK(std::string(RecommendationName(*r)) == name);
  }
  CHECK(RecommendationFromName("Approve") == std::nullopt);
  CHECK(RecommendationFromName("approved") == std::nullopt);
  CHECK(sizeof(Recommendation) == 1);
}

// Issue 15: an observation's reconciliation status and period state, and a
// keyed request's task, are bytes; each reads back as the words the records
// carry, and nothing else reads as one.
TEST_CASE("Observation states and keyed tasks are kept as bytes and named as the records name them", "[state][15]") {
  for (const char* name : {"", "consistent", "disputed", "measurement_variance", "closed_unresolved"}) {
    INFO(name);
    const std::optional<Reconciliation> r = ReconciliationFromName(name);
    REQUIRE(r.has_value());
    CHECK(std::string(ReconciliationName(*r)) == name);
  }
  CHECK(ReconciliationFromName("unmatched") == std::nullopt);  // the audit's word for none, never stored
  CHECK(ReconciliationFromName("Disputed") == std::nullopt);
  for (const char* name : {"", "open", "closed"}) {
    INFO(name);
    const std::optional<PeriodState> p = PeriodStateFromName(name);
    REQUIRE(p.has_value());
    CHECK(std::string(PeriodStateName(*p)) == name);
  }
  CHECK(PeriodStateFromName("opened") == std::nullopt);
  for (const char* name : {"sync_plans", "report_plan_outcome", "report_plan_adjustment", "get_plan_audit_logs",
                           "record_outcome", "sync_accounts"}) {
    INFO(name);
    const std::optional<KeyedTask> t = KeyedTaskFromName(name);
    REQUIRE(t.has_value());
    CHECK(std::string(KeyedTaskName(*t)) == name);
  }
  CHECK(KeyedTaskFromName("") == std::nullopt);
  CHECK(KeyedTaskFromName("check_governance") == std::nullopt);  // takes no idempotency key
  CHECK(sizeof(Reconciliation) == 1);
  CHECK(sizeof(PeriodState) == 1);
  CHECK(sizeof(KeyedTask) == 1);
}

// Issue 15: an observation keeps its reporting period, source and currency
// in the pooled shape, which the observations of a period share; its own
// values (id, time, numbers) are the record's, and the text reads back exactly.
TEST_CASE("An observation's shared members stay in its pooled shape", "[state][15]") {
  auto observation = [](const std::string& id, const std::string& start) {
    return R"({"observation_id":")" + id + R"(","source":"buyer_measurement","observed_at":"2026-01-02T00:00:07Z",)"
           R"("reporting_period":{"start":")" + start + R"(","end":"2026-01-02T00:00:00Z"},"cumulative_spend":50.5,"currency":"USD"})";
  };
  const std::string a = observation("obs_1", "2026-01-01T00:00:00Z"), b = observation("obs_22", "2026-01-01T00:00:00Z"),
                    other_period = observation("obs_3", "2025-12-31T00:00:00Z");
  const ShapedText sa = ObservationDelivery(a, "obs_1"), sb = ObservationDelivery(b, "obs_22"),
                   sc = ObservationDelivery(other_period, "obs_3");
  CHECK(sa.Text({"obs_1"}) == a);
  CHECK(sb.Text({"obs_22"}) == b);
  CHECK(sc.Text({"obs_3"}) == other_period);
  CHECK(sa.shape() == sb.shape());  // one pooled shape for the period's observations
  CHECK(sa.shape() != sc.shape());
  const std::string shape = sa.shape().str();
  CHECK(shape.find("2026-01-01T00:00:00Z") != std::string::npos);  // the period is the shape's
  CHECK(shape.find("buyer_measurement") != std::string::npos);
  CHECK(sa.values().find("2026-01-01T00:00:00Z") == std::string_view::npos);
  // The time and the number are the record's: the time packed (7 bytes),
  // the id a reference to the observation's own (2 bytes), so the values fit
  // inline in the ShapedText (15 bytes).
  CHECK(sa.values().size() == 2 + 7 + 5);  // the id's reference, the packed time, "50.5" after its length
  CHECK(sa.values().find("obs_1") == std::string_view::npos);
  CHECK(sa.values().find("2026-01-02T00:00:07Z") == std::string_view::npos);
  CHECK(sa.values().find("50.5") != std::string_view::npos);
  CHECK(sa.Text() != a);  // read without the id: not the text (records read it with ObservationDeliveryText)
  // An observation whose text names another id keeps that id as a value.
  CHECK(ObservationDelivery(a, "obs_9").Text({"obs_9"}) == a);
  CHECK(ObservationDelivery(a, "obs_9").values().find("obs_1") != std::string_view::npos);
}

// Issue 15: payload hashes are kept as their 32 bytes; other text verbatim.
TEST_CASE("DigestText keeps a lowercase hex digest as bytes and any other text as it is", "[state][15]") {
  const std::string hex = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
  DigestText digest(hex);
  CHECK(digest.str() == hex);
  CHECK(digest == hex);
  CHECK(digest != std::string(63, 'a') + "b");
  // Compared without its text: a change in the last nibble, upper case, or
  // another length differs.
  CHECK(digest != hex.substr(0, 63) + "4");
  CHECK(digest != std::string("4F53CDA18C2BAA0C0354BB5F9A3ECBE5ED12AB4D8E11BA873C2F11161202B945"));
  CHECK(digest != hex + "5");
  CHECK(DigestText() == std::string());
  CHECK_FALSE(digest.empty());
  for (const std::string& other : {std::string("4F53CDA18C2BAA0C0354BB5F9A3ECBE5ED12AB4D8E11BA873C2F11161202B945"),
                                   hex.substr(1), hex + "0", std::string("sha256:") + hex, std::string(64, 'g')}) {
    INFO(other);
    DigestText kept(other);
    CHECK(kept.str() == other);
    CHECK(kept == other);
    CHECK(kept != hex);
  }
  CHECK(DigestText().empty());
  CHECK(DigestText("").str().empty());
  // A statement digest: "sha256:" and the hex, kept as bytes too, and never
  // equal to the bare hex (or the bare hex to it).
  const std::string prefixed = "sha256:" + hex;
  DigestText statement(prefixed);
  CHECK(statement.str() == prefixed);
  CHECK(statement == prefixed);
  CHECK(statement != hex);
  CHECK(digest != prefixed);
  CHECK(statement != "sha256:" + hex.substr(0, 63) + "4");
  CHECK(statement != "sha257:" + hex);
  for (const std::string& other : {std::string("sha256:") + hex.substr(1), std::string("SHA256:") + hex,
                                   std::string("sha256:") + std::string(64, 'g')}) {
    DigestText kept(other);
    CHECK(kept.str() == other);
    CHECK(kept == other);
  }
  DigestText copy = digest;  // copies are deep
  digest = DigestText("x");
  CHECK(copy == hex);
  CHECK(digest == std::string("x"));
  // Moves hand over the bytes or the owned text (kept unaligned, issue 15).
  DigestText moved_text(std::move(digest)), moved_digest(std::move(copy));
  CHECK(moved_text == std::string("x"));
  CHECK(moved_digest == hex);
  CHECK(digest.empty());  // NOLINT: a moved-from DigestText is empty
  CHECK(copy.empty());    // NOLINT
  moved_text = std::move(moved_digest);
  CHECK(moved_text == hex);
  struct Packed {
    int32_t number;
    bool flag;
    DigestText hash;
  };
  CHECK(sizeof(Packed) == 40);  // no padding before or inside it
  // An authorized payload hash: 32 bytes in unpadded base64url, kept as
  // bytes; a non-canonical last character, another length or a stray
  // character keep their text.
  const std::string b64 = "MVi-v9u02G1PsucdFCednlehLtZUyrWqSGnBKtyoEdA";
  DigestText payload(b64);
  CHECK(payload.str() == b64);
  CHECK(payload == b64);
  CHECK(payload != b64.substr(0, 42) + "B");
  CHECK(payload != hex);
  CHECK(sizeof(DigestText) <= 40);
  for (const std::string& other : {b64.substr(0, 42) + "B", b64.substr(1), b64 + "=", b64.substr(0, 42) + "+",
                                   std::string(43, '!')}) {
    INFO(other);
    DigestText kept(other);
    CHECK(kept.str() == other);
    CHECK(kept == other);
    CHECK(kept != b64);
  }
}

// Issue 15: repeated record strings (agent URLs, keys, tools) are one pooled
// copy per distinct text, freed with their last reference.
TEST_CASE("Sym keeps one pooled copy per distinct text and frees it with the last reference", "[state][15]") {
  const size_t before = SymPoolSize();
  {
    Sym a("https://sym-test.example/agent");
    Sym b(std::string("https://sym-test.example/agent"));
    Sym c = a;
    CHECK(a == b);
    CHECK(&a.str() == &b.str());  // one copy
    CHECK(a == std::string("https://sym-test.example/agent"));
    CHECK(a != Sym("https://sym-test.example/other"));
    CHECK(SymPoolSize() == before + 1);
    Sym moved = std::move(c);
    CHECK(moved == a);
    b = Sym("https://sym-test.example/third");
    CHECK(SymPoolSize() == before + 2);
  }
  CHECK(SymPoolSize() == before);  // nothing left behind
  Sym empty, also_empty("");
  CHECK(empty == also_empty);
  CHECK(empty.empty());
  CHECK(empty.str().empty());
  CHECK(SymPoolSize() == before);
}

#ifndef __EMSCRIPTEN__
TEST_CASE("Sym interning and release are safe across threads", "[state][15]") {
  const size_t before = SymPoolSize();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      for (int i = 0; i < 20000; ++i) {
        Sym s("https://threads.example/" + std::to_string(i % 37));
        Sym copy = s;
        if (copy != s) std::abort();
      }
    });
  for (std::thread& t : threads) t.join();
  CHECK(SymPoolSize() == before);
}
#endif

// Issue 15: a record's channel, country and region lists are one pooled
// list per distinct list, 8 bytes in the record, freed with their last user.
TEST_CASE("SymList keeps one pooled list per distinct list and frees it with the last reference", "[state][15]") {
  const size_t lists = SymListPoolSize(), texts = SymPoolSize();
  {
    SymList a(Syms({"symlist-ctv", "symlist-olv"}));
    SymList b(std::vector<Sym>{Sym("symlist-ctv"), Sym("symlist-olv")});
    SymList reversed(Syms({"symlist-olv", "symlist-ctv"}));
    SymList shorter(Syms({"symlist-ctv"}));
    SymList with_empty(Syms({"symlist-ctv", ""}));
    CHECK(sizeof(SymList) == sizeof(void*));
    CHECK(sizeof(EntryRef) == 4);  // kind and position in one word; the seq is read from the record
    CHECK(a == b);
    CHECK(&a.items() == &b.items());  // one copy
    CHECK(a != reversed);              // order is kept
    CHECK(a != shorter);
    CHECK(shorter != with_empty);
    CHECK(SymListPoolSize() == lists + 4);
    CHECK(SymPoolSize() == texts + 2);
    REQUIRE(a.size() == 2);
    CHECK(a[0] == "symlist-ctv");
    CHECK(a[1] == "symlist-olv");
    CHECK(Strings(reversed) == std::vector<std::string>{"symlist-olv", "symlist-ctv"});
    CHECK(with_empty.size() == 2);
    CHECK(with_empty[1].empty());
    std::vector<std::string> read;
    for (const Sym& s : a) read.push_back(s.str());
    CHECK(read == std::vector<std::string>{"symlist-ctv", "symlist-olv"});
    SymList copy = a, moved = std::move(b);
    CHECK(copy == a);
    CHECK(moved == a);
    a = reversed;
    CHECK(a == reversed);
    CHECK(SymListPoolSize() == lists + 4);
  }
  CHECK(SymListPoolSize() == lists);  // nothing left behind, lists nor their texts
  CHECK(SymPoolSize() == texts);
  SymList empty, also_empty(std::vector<Sym>{});
  CHECK(empty == also_empty);
  CHECK(empty.empty());
  CHECK(empty.size() == 0);
  CHECK(empty.begin() == empty.end());
  CHECK(SymListPoolSize() == lists);
}

// Issue 15: a check's, an action's and an outcome's repeated texts are one
// pooled tuple, 8 bytes in the record, shared by the records that repeat
// them, read back member by member.
TEST_CASE("SymTuple: one pooled entry per distinct set of texts, read back in order", "[state][15]") {
  const size_t lists = SymListPoolSize(), texts = SymPoolSize();
  {
    Check first, second, other, none;
    first.set_texts({"symtuple-hash", "https://symtuple-buyer.example", "symtuple-buyer", "symtuple-tool", "symtuple-type",
                     "https://symtuple-seller.example", "symtuple-enforce"});
    second.set_texts(first.texts());
    CheckTexts changed = first.texts();
    changed.mode = "symtuple-audit";
    other.set_texts(changed);
    none.set_texts(CheckTexts());
    CHECK(sizeof(SymTuple<7>) == sizeof(void*));
    CHECK(first.texts_ == second.texts_);  // one pooled entry
    CHECK(&first.caller() == &second.caller());
    CHECK(!(first.texts_ == other.texts_));
    CHECK(SymListPoolSize() == lists + 2);  // the all-empty set takes none
    CHECK(SymPoolSize() == texts + 8);
    CHECK(first.plan_hash() == "symtuple-hash");
    CHECK(first.caller() == "https://symtuple-buyer.example");
    CHECK(first.caller_key() == "symtuple-buyer");
    CHECK(first.tool() == "symtuple-tool");
    CHECK(first.purchase_type() == "symtuple-type");
    CHECK(first.target_agent() == "https://symtuple-seller.example");
    CHECK(first.mode() == "symtuple-enforce");
    CHECK(other.mode() == "symtuple-audit");
    CHECK(other.caller() == first.caller());
    CHECK(none.caller().empty());
    CHECK(none.mode().empty());
    Check defaulted;
    CHECK(defaulted.tool().empty());
    Action a;
    a.set_texts({"media_buy", "create_media_buy", "https://symtuple-buyer.example", "symtuple-buyer", "", "", "USD", ""});
    CHECK(a.currency() == "USD");
    CHECK(a.target_key().empty());
    ActionTexts bound = a.texts();
    bound.target_key = "symtuple-seller";
    a.set_texts(bound);
    CHECK(a.target_key() == "symtuple-seller");
    CHECK(a.caller() == "https://symtuple-buyer.example");
    Outcome o;
    o.set_texts({"delivery", "https://symtuple-buyer.example", "symtuple-buyer", "media_buy"});
    CHECK(o.type() == "delivery");
    CHECK(o.reporter_key() == "symtuple-buyer");
    CHECK(o.purchase_type() == "media_buy");
  }
  CHECK(SymListPoolSize() == lists);  // freed with the last record
  CHECK(SymPoolSize() == texts);
}

#ifndef __EMSCRIPTEN__
TEST_CASE("SymList interning and release are safe across threads", "[state][15]") {
  const size_t lists = SymListPoolSize(), texts = SymPoolSize();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      for (int i = 0; i < 20000; ++i) {
        SymList l(Syms({"threads-" + std::to_string(i % 5), "threads-" + std::to_string(i % 7)}));
        SymList copy = l;
        if (copy != l || copy.size() != 2) std::abort();
      }
    });
  for (std::thread& t : threads) t.join();
  CHECK(SymListPoolSize() == lists);
  CHECK(SymPoolSize() == texts);
}
#endif

TEST_CASE("An observation is kept as text; its numbers are read from its top-level members only", "[15]") {
  Outcome o;
  CHECK_FALSE(DeliveryNumber(o, "cumulative_spend").has_value());  // no observation
  MutableObservation(o).delivery = ShapedText(R"({"reporting_period":{"cumulative_spend":7},"note":"\"cumulative_spend\":9","cumulative_spend":50.25,"spend":"12"})");
  CHECK(DeliveryNumber(o, "cumulative_spend") == std::optional<double>(50.25));
  CHECK_FALSE(DeliveryNumber(o, "spend").has_value());  // a string, not a number
  CHECK_FALSE(DeliveryNumber(o, "impressions").has_value());
  MutableObservation(o).delivery = ShapedText(R"({"cumulative_spend":0.1})");
  CHECK(DeliveryNumber(o, "cumulative_spend") == std::optional<double>(0.1));  // read as JSON.parse reads it
  MutableObservation(o).delivery = ShapedText("[1,2]");
  CHECK_FALSE(DeliveryNumber(o, "cumulative_spend").has_value());
}

// Issue 15: an audit entry is its record's kind and position in one word;
// each kind and positions up to 2^30 - 1 read back as made.
TEST_CASE("An audit entry keeps its kind and position in 32 bits", "[state][15]") {
  static_assert(sizeof(EntryRef) == 4, "one word an entry");
  for (const EntryKind kind : {EntryKind::kCheck, EntryKind::kOutcome, EntryKind::kAdjustment})
    for (const int32_t index : {0, 1, 65535, 65536, (1 << 30) - 1}) {
      const EntryRef ref(index, kind);
      CHECK(ref.index() == index);
      CHECK(ref.kind() == kind);
    }
}

// Issue 15: an action's audit entries are a CompactList, one pointer in the
// action. It keeps every item in order through growth (its capacity is the
// size rounded up to a power of two), and copies are deep.
TEST_CASE("CompactList keeps its items in order through growth, in one pointer", "[state][15]") {
  CHECK(sizeof(CompactList<EntryRef>) == sizeof(void*));
  CompactList<EntryRef> list;
  CHECK(list.empty());
  CHECK(list.begin() == list.end());
  std::vector<EntryRef> expected;
  for (int32_t i = 0; i < 1000; ++i) {
    const EntryRef ref{i * 3, static_cast<EntryKind>(i % 3)};
    list.push_back(ref);
    expected.push_back(ref);
    REQUIRE(list.size() == expected.size());
    CHECK(list.back().index() == ref.index());
  }
  auto same = [&](const CompactList<EntryRef>& l) {
    if (l.size() != expected.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i)
      if (l[i].index() != expected[i].index() || l[i].kind() != expected[i].kind()) return false;
    return true;
  };
  CHECK(same(list));
  CompactList<EntryRef> copy = list;
  CHECK(copy.data() != list.data());
  CHECK(same(copy));
  copy.push_back(EntryRef{7777, EntryKind::kOutcome});  // a full copy grows on its own
  CHECK(copy.size() == 1001);
  CHECK(same(list));
  CompactList<EntryRef> moved = std::move(copy);
  CHECK(moved.size() == 1001);
  CHECK(moved.back().index() == 7777);
  CHECK(moved.back().kind() == EntryKind::kOutcome);
  moved = CompactList<EntryRef>();
  CHECK(moved.empty());
  moved = list;
  CHECK(same(moved));
}

// Issue 15: a record's optional body text is a BoxedText, one pointer and
// one block. Absent and present-but-empty differ, copies are deep, and the
// bytes read back exactly at any length.
TEST_CASE("BoxedText keeps an optional text in one block and reads it back exactly", "[state][15]") {
  CHECK(sizeof(BoxedText) == sizeof(void*));
  BoxedText none;
  CHECK_FALSE(none);
  CHECK(none.str().empty());
  BoxedText empty{std::string_view()};
  CHECK(static_cast<bool>(empty));
  CHECK((*empty).empty());
  for (size_t n : {size_t{1}, size_t{15}, size_t{16}, size_t{23}, size_t{100000}}) {
    std::string text(n, 'x');
    text[0] = '\0';  // bytes, not a C string
    text[n - 1] = '\xff';
    BoxedText box(text);
    CHECK(*box == text);
    BoxedText copy = box;
    CHECK((*copy).data() != (*box).data());
    CHECK(*copy == text);
    BoxedText moved = std::move(copy);
    CHECK(*moved == text);
    moved = std::nullopt;
    CHECK_FALSE(moved);
    moved = box;
    CHECK(moved.str() == text);
    box.reset();
    CHECK_FALSE(box);
    CHECK(*moved == text);
  }
}

// Issue 15: what few checks carry (an escalation, a consultation, runtime
// attestations, 3.0 metrics) is one box, taken only when one of them is set.
TEST_CASE("A check's rarely set members are one box, absent until one is set", "[state][15]") {
  Check c;
  c.set_escalation(kNone);
  c.set_consultation(kNone);
  c.set_runtime_attestations(std::nullopt);
  c.set_legacy_metrics(std::nullopt);
  CHECK_FALSE(c.extras_);
  CHECK(c.escalation() == kNone);
  CHECK(c.consultation() == kNone);
  CHECK_FALSE(c.runtime_attestations());
  CHECK_FALSE(c.legacy_metrics());
  c.set_consultation(4);
  REQUIRE(c.extras_);
  CHECK(c.consultation() == 4);
  CHECK(c.escalation() == kNone);
  c.set_escalation(7);
  c.set_legacy_metrics(json::Value(json::Value::MakeObject()));
  const Check copy = c;  // deep
  c.set_escalation(kNone);
  c.set_legacy_metrics(std::nullopt);
  CHECK(c.escalation() == kNone);
  CHECK_FALSE(c.legacy_metrics());
  CHECK(copy.escalation() == 7);
  CHECK(copy.consultation() == 4);
  REQUIRE(copy.legacy_metrics());
  CHECK(copy.legacy_metrics()->is_object());
  // The attempt: an intent check's first (1) and another check's none (0)
  // take no box; any other is kept, and reads back.
  Check intent, execution;
  execution.intent = false;
  intent.set_attempt(1);
  execution.set_attempt(0);
  CHECK_FALSE(intent.extras_);
  CHECK_FALSE(execution.extras_);
  CHECK(intent.attempt() == 1);
  CHECK(execution.attempt() == 0);
  intent.set_attempt(3);
  execution.set_attempt(1);
  CHECK(intent.attempt() == 3);
  CHECK(execution.attempt() == 1);
  intent.set_attempt(1);
  CHECK(intent.attempt() == 1);
  intent.set_attempt(0);
  CHECK(intent.attempt() == 0);
  // The plan version: 32 bits in the check, a larger one boxed, each read back.
  Check versioned;
  CHECK(versioned.plan_version() == 0);
  for (int64_t version : {int64_t{1}, int64_t{INT32_MAX}}) {
    versioned.set_plan_version(version);
    CHECK(versioned.plan_version() == version);
    CHECK_FALSE(versioned.extras_);
  }
  for (int64_t version : {int64_t{INT32_MAX} + 1, int64_t{9007199254740991}, int64_t{7}}) {
    versioned.set_plan_version(version);
    CHECK(versioned.plan_version() == version);
    CHECK(versioned.extras_);  // boxed by the first large one
    CHECK(versioned.extras_->plan_version.has_value() == (version > INT32_MAX));
  }
  // The bit-fields' defaults are the members' old ones.
  const Check fresh;
  CHECK(fresh.intent);
  CHECK_FALSE(fresh.pending);
  CHECK(fresh.phase == Phase::kIntent);
  CHECK(fresh.verdict == Verdict::kNone);
  CHECK(fresh.dialect == Dialect::k32);
  CHECK(fresh.recommendation == Recommendation::kNone);
  CHECK(fresh.final_ms() == 0);
  static_assert(sizeof(Check) <= 112, "a check is at most 112 bytes on 64-bit");
}

// Issue 15: a keyed report's idempotency entry keeps its payload hash in the
// outcome the request recorded: in the outcome's empty field (flagged: the
// outcome still reads none), or the outcome's own hash when it is the same.
// An outcome with another hash leaves the entry its own box. The entry reads
// the hash the same way after its body has left the replay window.
TEST_CASE("A keyed report's payload hash is kept once, in the outcome that can hold it", "[state][15]") {
  const std::string hash = "Xtm3ndvaxk6WbWma354PAqVeW89uDTRLGPnqEpkPVnY", other = "MVi-v9u02G1PsucdFCednlehLtZUyrWqSGnBKtyoEdA";
  State s;
  for (const std::string& own : {std::string(), hash, other}) {
    Outcome o;
    if (!own.empty()) o.set_payload_hash(own);
    KeepOutcomeBody(o, R"({"outcome_id":"out_)" + std::to_string(s.outcomes.size()) + R"(","status":"accepted"})");
    s.outcomes.push_back(std::move(o));
  }
  auto keyed = [&](int32_t outcome) {
    IdempotencyEntry e;
    e.own_hash = DigestText(hash);
    e.body_json = OutcomeBodyText(s.outcomes[outcome]);
    ShareOutcomeBody(s, e, outcome);
    REQUIRE(e.body_in_outcome);
    CHECK(e.outcome == outcome);
    CHECK(PayloadHashOf(s, e).str() == hash);
    return e;
  };
  IdempotencyEntry none = keyed(0);  // the outcome had none: it holds the key's, and still reads none
  CHECK_FALSE(none.own_hash);
  CHECK(s.outcomes[0].payload_hash().empty());
  CHECK(s.outcomes[0].key_hash().str() == hash);
  IdempotencyEntry same = keyed(1);  // the outcome's own hash is the key's
  CHECK_FALSE(same.own_hash);
  CHECK(s.outcomes[1].payload_hash().str() == hash);
  IdempotencyEntry differs = keyed(2);  // another hash: the entry keeps its own
  CHECK(differs.own_hash);
  CHECK(s.outcomes[2].payload_hash().str() == other);
  // Another key whose body is outcome 0's, with another hash: its own box.
  IdempotencyEntry second;
  second.own_hash = DigestText(other);
  second.body_json = OutcomeBodyText(s.outcomes[0]);
  ShareOutcomeBody(s, second, 0);
  CHECK(second.own_hash);
  CHECK(PayloadHashOf(s, second).str() == other);
  CHECK(PayloadHashOf(s, none).str() == hash);
  CHECK(OutcomeToJson(s.outcomes[0]).find_string("payload_hash")->empty());  // exported as before
  none.body_in_outcome = false;  // the body left the window
  CHECK(PayloadHashOf(s, none).str() == hash);
  CHECK_FALSE(ReplayBodyOf(s, none));
  // A body that is not the outcome's: nothing is shared.
  IdempotencyEntry unrelated;
  unrelated.own_hash = DigestText(other);
  unrelated.body_json = std::string(R"({"plans":[]})");
  ShareOutcomeBody(s, unrelated, 0);
  CHECK_FALSE(unrelated.body_in_outcome);
  CHECK(unrelated.outcome == kNone);
  CHECK(PayloadHashOf(s, unrelated).str() == other);
  // Setting an outcome's own hash ends the key-only flag.
  Outcome fresh = s.outcomes[0];
  fresh.set_payload_hash(other);
  CHECK(fresh.payload_hash().str() == other);
}
