// record_outcome (spec 11 §3): one record of value delivered.
// Order: auth, the body's fields in table order (first failure wins),
// idempotency, then the record. Nothing is stored unless every step passes.
#include <cmath>

#include "tasks/tasks.h"
#include "canon/digests.h"
#include "canon/sha256.h"
#include "json/json.h"
#include "state/value_ledger.h"
#include "tasks/outcomes_common.h"

namespace adcp {
namespace {

constexpr size_t kTitleMax = 200, kDescriptionMax = 1000, kMetadataMaxBytes = 16384;
constexpr double kValueUsdMax = 1e12;

TaskError Invalid(const std::string& field, const std::string& why) {
  return MakeError(ErrorCode::kValidationError, field + " " + why, field);
}

// Optional members may be sent as null by JSON clients; null reads as absent.
const json::Value* Present(const json::Value& body, const char* key) {
  const json::Value* v = body.find(key);
  return v && !v->is_null() ? v : nullptr;
}

bool ValidKeyChars(const std::string& key) {
  for (char c : key) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Validates the body (11 §3 table order) into `out`; user_id is left to the caller.
Status ReadBody(const json::Value& body, const ValueAuth& auth, ValueRecord* out,
                std::optional<std::string>* idempotency_key) {
  const std::string* type = body.find_string("outcomeType");
  if (!type || !IsOutcomeType(*type))
    return MakeError(ErrorCode::kInvalidOutcomeType,
                     "Invalid outcome_type: outcomeType must be one of negotiation_complete, amplification_complete, "
                     "deal_closed, broadcast_complete, task_complete, content_published",
                     "outcomeType");
  out->outcome_type = *type;

  const json::Value* title = body.find("title");
  if (!title || !title->is_string()) return Invalid("title", "is required and must be a string");
  const size_t title_length = json::Utf16Length(title->as_string());
  if (title_length < 1 || title_length > kTitleMax) return Invalid("title", "must be 1 to 200 characters");
  out->title = title->as_string();

  if (const json::Value* d = Present(body, "description")) {
    if (!d->is_string()) return Invalid("description", "must be a string");
    if (json::Utf16Length(d->as_string()) > kDescriptionMax) return Invalid("description", "must be at most 1000 characters");
    out->description = d->as_string();
  }
  if (const json::Value* v = Present(body, "valueUsd")) {
    // The parser already refuses NaN/Infinity literals; finite is all it can be.
    if (!v->is_number() || v->as_number() < 0 || v->as_number() > kValueUsdMax)
      return Invalid("valueUsd", "must be a number from 0 to 1e12");
    out->value_usd = v->as_number();
  }
  if (const json::Value* a = Present(body, "agentId")) {
    std::optional<int64_t> id = a->is_number() ? IntegerParam(*a) : std::nullopt;
    if (!id) return Invalid("agentId", "must be an integer from 0 to 2^53-1");
    out->agent_id = id;
  }
  if (auth.mode == ValueAuth::kBearer) {
    if (const json::Value* u = Present(body, "userId")) {
      std::optional<int64_t> id = u->is_number() ? IntegerParam(*u) : std::nullopt;
      if (!id) return Invalid("userId", "must be an integer from 0 to 2^53-1");
      out->user_id = id;
    }
  } else {
    out->user_id = auth.user_id;  // the session decides; a body userId is ignored
  }
  if (const json::Value* m = Present(body, "metadata")) {
    if (!m->is_object()) return Invalid("metadata", "must be an object");
    if (json::Canonicalize(*m).size() > kMetadataMaxBytes)
      return Invalid("metadata", "must be at most 16384 bytes as canonical JSON");
    out->metadata_json = json::Write(*m);
    if (const std::string* plan_id = m->find_string("plan_id")) out->plan_id = *plan_id;  // links to a plan (11 §5)
  }
  if (const json::Value* k = Present(body, "idempotencyKey")) {
    if (!k->is_string() || k->as_string().size() < 16 || k->as_string().size() > 255 || !ValidKeyChars(k->as_string()))
      return Invalid("idempotencyKey", "must be 16 to 255 characters of [A-Za-z0-9_.:-]");
    *idempotency_key = k->as_string();
  }
  return Status::Ok();
}

}  // namespace

Status RecordOutcomeShape(const json::Value& body) {
  ValueRecord record;
  std::optional<std::string> key;
  return ReadBody(body, ValueAuth{}, &record, &key);  // bearer: userId is checked too
}

TaskResult RunRecordOutcome(Agent&, CallContext& ctx, const json::Value& request, const Auth& auth_in) {
  Result<ValueAuth> auth = ParseValueAuth(auth_in);
  if (!auth.ok()) return TaskResult::Failed(auth.error());
  ValueRecord record;
  std::optional<std::string> key;
  if (Status read = ReadBody(request, auth.value(), &record, &key); !read.ok()) return TaskResult::Failed(read.error());

  TaskResult result;
  if (key) {
    json::Value hashed = request;
    hashed.erase("idempotencyKey");
    const std::string hash = canon::HexLower(canon::AsBytes(canon::JcsDigest(hashed)));
    if (std::optional<TaskResult> early = CheckIdempotencyScoped(ctx, KeyedTask::kRecordOutcome,
                                                                 JoinKey(auth.value().Principal(), *key), hash,
                                                                 false, &result))
      return *early;
  }
  Result<int64_t> now = ctx.Now();
  if (!now.ok()) return TaskResult::Failed(now.error());
  const ValueLedger& ledger = ctx.state().value_ledger;
  Result<std::string> id = ctx.NewHexId("ocr", [&ledger](const std::string& c) { return ledger.by_id.count(c) > 0; });
  if (!id.ok()) return TaskResult::Failed(id.error());
  record.id = id.value();
  record.created_ms = now.value();

  json::Value body = json::Obj({{"ok", true}});
  if (auth.value().mode == ValueAuth::kSession) body.set("id", record.id);  // as the seed: id only under session
  ctx.store().AddValueRecord(std::move(record));
  result.body = std::move(body);
  return result;
}

}  // namespace adcp
