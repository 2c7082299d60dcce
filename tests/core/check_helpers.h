// Helpers for the check_governance / outcome / adjustment suites.
#pragma once

#include "canon/digests.h"
#include "test_util.h"

namespace adcp::test {

inline const std::string kBuyer = "https://buyer.example.com";
inline const std::string kSeller = "https://seller.example.com";
inline const std::string kSeller2 = "https://seller-two.example.com";

inline std::string NextKey(const std::string& prefix) {
  static int counter = 0;
  return prefix + "-idempotency-" + std::to_string(1000000 + ++counter);
}

inline Value BasePlan(const std::string& id = "plan_1") {
  return J(R"({"plan_id":")" + id + R"(","brand":{"domain":"acme.example"},"objectives":"Spring launch.",
    "budget":{"total":1000,"currency":"USD","reallocation_unlimited":true},
    "flight":{"start":"2026-01-01T00:00:00Z","end":"2026-12-31T00:00:00Z"}})");
}

// Sets a member at a dotted path (creating objects on the way).
inline Value Set(Value v, const std::string& path, Value x) {
  Value* cur = &v;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      cur->put(key, std::move(x));
      return v;
    }
    if (!cur->find(key)) cur->set(key, Value::MakeObject());
    cur = cur->find(key);
    start = dot + 1;
  }
}

inline Value Del(Value v, const std::string& key) {
  v.erase(key);
  return v;
}

inline Value SyncPlan(Host& h, const Value& plan, const std::string& who = kBuyer) {
  Value req = json::Obj({{"idempotency_key", NextKey("sync")}, {"plans", Value(json::Array{plan})}});
  Value r = h.Call("sync_plans", req, who);
  INFO(json::Write(r));
  REQUIRE(*r.find_string("status") == "completed");
  return r;
}

inline Value IntentRequest(double amount, const std::string& plan_id = "plan_1", const std::string& seller = kSeller) {
  Value r = J(R"({"caller":"https://buyer.example.com","tool":"create_media_buy","payload":{"total_budget":0}})");
  r.set("plan_id", plan_id);
  r.set("target_agent", seller);
  r.find("payload")->put("total_budget", amount);
  return r;
}

inline Value Check(Host& h, const Value& request, const std::string& who = kBuyer) {
  return h.Call("check_governance", request, who);
}

// A failed CoreResult with this code and field ("" = no field).
inline void ExpectError(const Value& r, const std::string& code, const std::string& field) {
  INFO(json::Write(r));
  CHECK(ErrorCodeOf(r) == code);
  CHECK(ErrorField(r) == field);
}

inline const Value& Body(const Value& result) { return *result.find("response"); }
inline std::string Verdict(const Value& result) {
  const Value* b = result.find("response");
  return b && b->find_string("verdict") ? *b->find_string("verdict") : "";
}
inline std::string Token(const Value& result) {
  const Value* b = result.find("response");
  return b && b->find_string("governance_context") ? *b->find_string("governance_context") : "";
}

// Categories of the findings of a check body.
inline std::vector<std::string> FindingCategories(const Value& result) {
  std::vector<std::string> out;
  const Value* b = result.find("response");
  if (const json::Array* fs = b ? b->find_array("findings") : nullptr)
    for (const Value& f : *fs) out.push_back(*f.find_string("category_id") + ":" + *f.find_string("severity"));
  return out;
}

inline Value DecodeSegment(const std::string& token, int index) {
  size_t a = token.find('.'), b = token.find('.', a + 1);
  std::string seg = index == 0 ? token.substr(0, a) : token.substr(a + 1, b - a - 1);
  std::string raw;
  REQUIRE(canon::Base64UrlDecode(seg, &raw));
  return ParseOrFail(raw);
}

inline Value ExecutionRequest(const std::string& token, const std::string& phase = "purchase") {
  Value r = json::Obj({{"caller", kSeller}, {"governance_context", token}, {"phase", phase},
                       {"planned_delivery", json::Obj({{"media_buy_id", "mb_1"}})}});
  return r;
}

// A seller's delivery_metrics for media buy mb_1, with its statement digest
// (03 §5.6); `extra` adds members before the digest.
inline Value StatementMetrics(const std::string& id, int sequence, double cumulative,
                              const std::string& start = "2026-01-01T00:00:00Z",
                              const std::string& end = "2026-01-08T00:00:00Z", const std::string& extra = "") {
  Value m = J(R"({"statement_id":)" + json::Write(Value(id)) + R"(,"sequence":)" + std::to_string(sequence) +
              R"(,"issued_at":"2026-01-08T01:00:00Z","reporting_period":{"start":")" + start + R"(","end":")" + end +
              R"("},"spend":)" + json::FormatNumber(cumulative) + R"(,"cumulative_spend":)" + json::FormatNumber(cumulative) +
              R"(,"currency":"USD")" + extra + "}");
  m.set("statement_digest", canon::StatementDigest("mb_1", m));
  return m;
}

// A delivery check presenting `token` with these metrics.
inline Value DeliveryRequest(const std::string& token, const Value& metrics) {
  Value r = ExecutionRequest(token, "delivery");
  r.put("delivery_metrics", metrics);
  return r;
}

}  // namespace adcp::test
