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

std::string PayloadHash(const json::Value& payload) {
  return Base64UrlEncode(AsBytes(Sha256Of(json::CanonicalizeWithout(payload, {"governance_context", "context"}))));
}

std::string StatementDigest(const std::string& seller_reference, const json::Value& delivery_metrics) {
  // JCS of {seller_reference, delivery_metrics without statement_digest},
  // written directly: "delivery_metrics" sorts before "seller_reference".
  std::string pre = "{\"delivery_metrics\":";
  pre += json::CanonicalizeWithout(delivery_metrics, {"statement_digest"});
  pre += ",\"seller_reference\":";
  json::AppendQuoted(pre, seller_reference);
  pre += '}';
  return "sha256:" + HexLower(AsBytes(Sha256Of(pre)));
}

std::string PrefixedHexDigest(const json::Value& v) { return "sha256:" + HexLower(AsBytes(JcsDigest(v))); }

std::string PrefixedB64Digest(const json::Value& v) { return "sha256:" + Base64UrlEncode(AsBytes(JcsDigest(v))); }

std::string IdempotencyPayloadHash(const json::Value& request, const char* key_member) {
  const json::Value* pnc = request.find("push_notification_config");
  const json::Value* auth = pnc ? pnc->find("authentication") : nullptr;
  if (!auth || !auth->has("credentials"))
    return HexLower(AsBytes(Sha256Of(json::CanonicalizeWithout(request, {key_member, "context"}))));
  // Credentials are left out of the hash: the one case that edits a copy.
  json::Value pre = request;
  pre.erase(key_member);
  pre.erase("context");
  pre.find("push_notification_config")->find("authentication")->erase("credentials");
  return HexLower(AsBytes(JcsDigest(pre)));
}

}  // namespace adcp::canon
