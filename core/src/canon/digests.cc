#include "canon/digests.h"

#include "json/json.h"

namespace adcp::canon {

Digest JcsDigest(const json::Value& v) { return Sha256Of(json::Canonicalize(v)); }

json::Value PlanHashPreimage(const json::Value& plan) {
  static const char* const kBookkeeping[] = {"version",         "status",          "syncedAt",
                                             "revisionHistory", "committedBudget", "committedByType"};
  if (!plan.is_object()) return plan;
  json::Value pre = json::Value::MakeObject();
  for (const json::Member& m : plan.as_object()) {
    bool skip = false;
    for (const char* k : kBookkeeping) skip = skip || m.first == k;
    if (!skip) pre.set(m.first, m.second);
  }
  return pre;
}

std::string PlanHash(const json::Value& plan) {
  return Base64UrlEncode(AsBytes(JcsDigest(PlanHashPreimage(plan))));
}

bool PlanHashEquals(const std::string& a, const std::string& b) {
  std::string da, db;
  if (!Base64UrlDecode(a, &da) || !Base64UrlDecode(b, &db)) return false;
  if (da.size() != 32 || db.size() != 32) return false;
  return ConstantTimeEqual(da, db);
}

namespace {
json::Value Without(const json::Value& v, std::initializer_list<const char*> keys) {
  if (!v.is_object()) return v;
  json::Value out = json::Value::MakeObject();
  for (const json::Member& m : v.as_object()) {
    bool skip = false;
    for (const char* k : keys) skip = skip || m.first == k;
    if (!skip) out.set(m.first, m.second);
  }
  return out;
}
}  // namespace

std::string PayloadHash(const json::Value& payload) {
  return Base64UrlEncode(AsBytes(JcsDigest(Without(payload, {"governance_context", "context"}))));
}

std::string StatementDigest(const std::string& seller_reference, const json::Value& delivery_metrics) {
  json::Value pre = json::Obj({{"seller_reference", seller_reference},
                               {"delivery_metrics", Without(delivery_metrics, {"statement_digest"})}});
  return "sha256:" + HexLower(AsBytes(JcsDigest(pre)));
}

std::string PrefixedHexDigest(const json::Value& v) { return "sha256:" + HexLower(AsBytes(JcsDigest(v))); }

std::string PrefixedB64Digest(const json::Value& v) { return "sha256:" + Base64UrlEncode(AsBytes(JcsDigest(v))); }

std::string IdempotencyPayloadHash(const json::Value& request, const char* key_member) {
  json::Value pre = Without(request, {key_member, "context"});
  if (json::Value* pnc = pre.find("push_notification_config")) {
    if (json::Value* auth = pnc->find("authentication")) auth->erase("credentials");
  }
  return HexLower(AsBytes(JcsDigest(pre)));
}

}  // namespace adcp::canon
