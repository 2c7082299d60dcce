#include "config/identity.h"

#include "json/json.h"
#include "util/url.h"

namespace adcp {

Auth ParseAuth(std::string_view auth_json) {
  Auth a;
  json::ParseResult p = json::Parse(auth_json);
  if (!p.ok() || !p.value.is_object()) return a;
  a.raw = p.value;
  if (const std::string* proto = p.value.find_string("protocol")) a.protocol = *proto;
  const std::string* url = p.value.find_string("agent_url");
  if (!url) return a;
  std::optional<std::string> key = NormalizeAgentUrl(*url);
  if (!key) return a;
  a.present = true;
  a.agent_url = *url;
  a.key = *key;
  return a;
}

}  // namespace adcp
