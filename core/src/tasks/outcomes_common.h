// Pieces shared by the outcomes-ledger tasks (spec 11): the host-resolved
// auth forms and the query parameters that arrive as JSON strings.
#pragma once

#include <optional>
#include <string>

#include "call/context.h"
#include "json/value.h"
#include "util/status.h"

namespace adcp {

// 11 §2. `agent_url` (normalized) is the user's orchestrator identity, used
// only to decide which plans a value summary may join (11 §5).
struct ValueAuth {
  enum Mode { kBearer, kSession } mode = kBearer;
  int64_t user_id = 0;                    // session only
  std::optional<std::string> agent_key;   // normalized agent_url, when given
  std::string Principal() const {         // idempotency scope (11 §3)
    return mode == kBearer ? "outcomes:bearer" : "outcomes:session:" + std::to_string(user_id);
  }
};

// The auth form, or UNAUTHORIZED.
Result<ValueAuth> ParseValueAuth(const Auth& auth);

TaskError Unauthorized();

// An integer 0 … 2^53−1 given as a JSON number or a string of decimal digits
// (11 §1); nullopt when it is neither.
std::optional<int64_t> IntegerParam(const json::Value& v);

// The body rules of record_outcome (11 §3) without state or auth, for the
// facade's `validate` (a web form checks a record before sending it).
Status RecordOutcomeShape(const json::Value& body);

}  // namespace adcp
