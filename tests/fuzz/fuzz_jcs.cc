// JCS, plan_hash and the JSON reader on arbitrary bytes. Properties:
// nothing reads out of bounds (ASan/UBSan stop the run), canonicalization is
// idempotent (jcs(jcs(x)) == jcs(x)), plan_hash of a plan equals
// plan_hash of its canonical form, json::IsValid (checks without
// building) accepts exactly what json::Parse accepts, json::Normalize
// writes exactly Write(Parse(x)), and the members MemberTexts finds in that
// text, spliced as raw text, write it back whole.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "adcp_governance.h"
#include "json/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  adcp::json::ParseLimits limits;
  limits.max_depth = 16;  // low, so the depth limit is reached too
  adcp::json::ParseResult parsed = adcp::json::Parse(input, limits);
  if (adcp::json::IsValid(input, limits) != parsed.ok()) std::abort();
  std::optional<std::string> normalized = adcp::json::Normalize(input, limits);
  if (normalized.has_value() != parsed.ok()) std::abort();
  if (normalized) {
    if (*normalized != adcp::json::Write(parsed.value)) std::abort();
    if (parsed.value.is_object()) {  // keys come as written (escapes and all), values as their text
      std::string spliced = "{";
      for (const adcp::json::MemberText& m : adcp::json::MemberTexts(*normalized))
        spliced.append(spliced.size() > 1 ? ",\"" : "\"").append(m.key).append("\":").append(m.value);
      if (spliced + "}" != *normalized) std::abort();
    }
  }
  adcp::Expected<std::string> once = adcp::GovernanceAgent::Jcs(input);
  adcp::Expected<std::string> hash = adcp::GovernanceAgent::PlanHash(input);
  if (!once.ok()) return 0;
  adcp::Expected<std::string> twice = adcp::GovernanceAgent::Jcs(once.value);
  if (!twice.ok() || twice.value != once.value) std::abort();  // not idempotent
  adcp::Expected<std::string> canonical_hash = adcp::GovernanceAgent::PlanHash(once.value);
  if (hash.ok() != canonical_hash.ok() || (hash.ok() && hash.value != canonical_hash.value)) std::abort();
  return 0;
}
