#include "util/status.h"

namespace adcp {

const char* RecoveryFor(const std::string& code) {
  if (code == "CAMPAIGN_SUSPENDED" || code == "CONFLICT" || code == "SERVICE_UNAVAILABLE") return "transient";
  // A damaged state document stays damaged: restore another one (project choice).
  if (code == "INVALID_STATE") return "terminal";
  return "correctable";  // every other code the core emits (08 §3)
}

TaskError MakeError(std::string code, std::string message, std::string field) {
  TaskError e;
  e.code = std::move(code);
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

json::Value TaskError::ToJson() const {
  json::Value v = json::Value::MakeObject();
  v.set("code", code);
  v.set("message", message);
  v.set("recovery", RecoveryFor(code));
  if (!field.empty()) v.set("field", field);
  if (issues) v.set("issues", *issues);
  if (details) v.set("details", *details);
  return v;
}

}  // namespace adcp
