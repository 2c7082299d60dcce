#include "config/identity.h"

#include "json/json.h"
#include "util/url.h"

namespace adcp {

Auth ParseAuth(std::string_view auth_json) {
  Auth a;
  json::ParseResult p = json::Parse(auth_json);
  if (!p.ok() || !p.value.is_object()) return a;
  if (const std::string* proto = p.value.find_string("protocol")) a.protocol = *proto;
  if (const std::string* url = p.value.find_string("agent_url")) {
    if (std::optional<std::string> key = NormalizeAgentUrl(*url)) {
      a.present = true;
      a.agent_url = *url;
      a.key = std::move(*key);
    }
  }
  a.raw = std::move(p.value);  // last: `url` and `proto` point into it
  return a;
}

}  // namespace adcp
