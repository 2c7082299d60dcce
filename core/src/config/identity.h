// Who is calling: the identity the host resolved from its credential
// (README authJson). Never taken from a request body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"

namespace adcp {

// Host-resolved identity (README authJson).
struct Auth {
  bool present = false;
  std::string agent_url;  // verbatim
  std::string key;        // normalized
  std::optional<std::string> protocol;
  json::Value raw;  // the parsed authJson (outcomes ledger forms, 11 §2)
};
Auth ParseAuth(std::string_view auth_json);

}  // namespace adcp
