// JCS, plan_hash and the JSON reader on arbitrary bytes. Properties:
// nothing reads out of bounds (ASan/UBSan stop the run), canonicalization is
// idempotent (jcs(jcs(x)) == jcs(x)), and plan_hash of a plan equals
// plan_hash of its canonical form.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adcp_governance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  adcp::Expected<std::string> once = adcp::GovernanceAgent::Jcs(input);
  adcp::Expected<std::string> hash = adcp::GovernanceAgent::PlanHash(input);
  if (!once.ok()) return 0;
  adcp::Expected<std::string> twice = adcp::GovernanceAgent::Jcs(once.value);
  if (!twice.ok() || twice.value != once.value) std::abort();  // not idempotent
  adcp::Expected<std::string> canonical_hash = adcp::GovernanceAgent::PlanHash(once.value);
  if (hash.ok() != canonical_hash.ok() || (hash.ok() && hash.value != canonical_hash.value)) std::abort();
  return 0;
}
