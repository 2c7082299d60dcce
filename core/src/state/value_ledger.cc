#include "state/value_ledger.h"

#include <cmath>

#include "json/json.h"
#include "util/time.h"

namespace adcp {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

json::Value OptInt(const std::optional<int64_t>& v) { return v ? json::Value(*v) : json::Value(); }

}  // namespace

void AddValueRecord(ValueLedger& ledger, ValueRecord record) {
  const int32_t index = static_cast<int32_t>(ledger.records.size());
  ledger.by_id[record.id] = index;
  if (record.user_id) {
    UserValue& user = ledger.by_user[*record.user_id];
    user.newest_first.insert({record.created_ms, index});
    user.total.Add(record);
    user.by_outcome_type[record.outcome_type].Add(record);
    user.by_agent_id[record.agent_id ? std::to_string(*record.agent_id) : "null"].Add(record);
    if (record.plan_id) user.by_plan_id[*record.plan_id].Add(record);
  }
  ledger.records.push_back(std::move(record));
}

json::Value ValueRecordItem(const ValueRecord& r) {
  return json::Obj({{"id", r.id},
                    {"user_id", OptInt(r.user_id)},
                    {"agent_id", OptInt(r.agent_id)},
                    {"outcome_type", r.outcome_type},
                    {"title", r.title},
                    {"description", r.description ? json::Value(*r.description) : json::Value()},
                    {"value_usd", r.value_usd ? json::Value(*r.value_usd) : json::Value()},
                    {"metadata", r.metadata_json ? json::ParseStored(*r.metadata_json) : json::Value()},
                    {"created_at", FormatMillis(r.created_ms)}});
}

json::Value ValueRecordToState(const ValueRecord& r) {
  json::Value v = json::Obj({{"id", r.id},
                             {"user_id", OptInt(r.user_id)},
                             {"agent_id", OptInt(r.agent_id)},
                             {"outcome_type", r.outcome_type},
                             {"title", r.title},
                             {"created_at", r.created_ms}});
  if (r.description) v.set("description", *r.description);
  if (r.value_usd) v.set("value_usd", *r.value_usd);
  if (r.metadata_json) v.set("metadata", *r.metadata_json);
  return v;
}

bool IsOutcomeType(std::string_view type) {
  for (const char* t : {"negotiation_complete", "amplification_complete", "deal_closed", "broadcast_complete",
                        "task_complete", "content_published"})
    if (type == t) return true;
  return false;
}

std::string ValueRecordFromState(const json::Value& v, ValueRecord* out) {
  if (!v.is_object()) return "must be an object";
  auto integer = [](const json::Value* n, std::optional<int64_t>* dst, bool nullable) -> bool {
    if (n && n->is_null() && nullable) return true;
    if (!n || !n->is_number() || n->as_number() < 0 || n->as_number() > kMaxSafeInteger ||
        std::floor(n->as_number()) != n->as_number())
      return false;
    *dst = static_cast<int64_t>(n->as_number());
    return true;
  };
  const std::string* id = v.find_string("id");
  const std::string* type = v.find_string("outcome_type");
  const std::string* title = v.find_string("title");
  if (!id) return "id must be a string";
  if (!type) return "outcome_type must be a string";
  if (!title) return "title must be a string";
  if (!IsOutcomeType(*type)) return "outcome_type must be one of the outcome types";
  out->id = *id;
  out->outcome_type = *type;
  out->title = *title;
  if (!integer(v.find("user_id"), &out->user_id, true)) return "user_id must be null or an integer";
  if (!integer(v.find("agent_id"), &out->agent_id, true)) return "agent_id must be null or an integer";
  std::optional<int64_t> created;
  if (!integer(v.find("created_at"), &created, false) || *created > 253402300799999)  // nowMs's range
    return "created_at must be milliseconds";
  out->created_ms = *created;
  if (const json::Value* d = v.find("description")) {
    if (!d->is_string()) return "description must be a string";
    out->description = d->as_string();
  }
  if (const json::Value* usd = v.find("value_usd")) {
    if (!usd->is_number()) return "value_usd must be a number";
    out->value_usd = usd->as_number();
  }
  if (const json::Value* m = v.find("metadata")) {
    if (!m->is_string()) return "metadata must be JSON text";
    json::ParseLimits limits;
    limits.max_bytes = 1u << 20;
    json::ParseResult p = json::Parse(m->as_string(), limits);
    if (!p.ok() || !p.value.is_object()) return "metadata must be JSON text of an object";
    out->metadata_json = json::Write(p.value);
    if (const std::string* plan_id = p.value.find_string("plan_id")) out->plan_id = *plan_id;
  }
  return "";
}

}  // namespace adcp
