#include "tasks/outcomes_common.h"

#include <cmath>

#include "util/url.h"

namespace adcp {
namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;
}

TaskError Unauthorized() { return MakeError(ErrorCode::kUnauthorized, "Unauthorized"); }

std::optional<int64_t> IntegerParam(const json::Value& v) {
  if (v.is_number()) {
    double d = v.as_number();
    if (d < 0 || d > kMaxSafeInteger || std::floor(d) != d) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.as_string();
  if (s.empty() || s.size() > 16) return std::nullopt;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (static_cast<double>(n) > kMaxSafeInteger) return std::nullopt;
  return n;
}

Result<ValueAuth> ParseValueAuth(const Auth& auth) {
  if (!auth.raw.is_object()) return Unauthorized();
  const std::string* mode = auth.raw.find_string("mode");
  if (!mode) return Unauthorized();
  ValueAuth out;
  if (*mode == "bearer") {
    out.mode = ValueAuth::kBearer;
  } else if (*mode == "session") {
    const json::Value* user = auth.raw.find("user_id");
    // Only a JSON integer: the host resolved the session, it is not a query string.
    if (!user || !user->is_number()) return Unauthorized();
    std::optional<int64_t> id = IntegerParam(*user);
    if (!id) return Unauthorized();
    out.mode = ValueAuth::kSession;
    out.user_id = *id;
  } else {
    return Unauthorized();
  }
  if (const std::string* url = auth.raw.find_string("agent_url")) out.agent_key = NormalizeAgentUrl(*url);
  return out;
}

}  // namespace adcp
