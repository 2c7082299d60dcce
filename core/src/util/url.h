// Agent URL comparison (01 §1.1) and URI syntax checks (schema format "uri").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace adcp {

// Normalized form used as the comparison key of agent URLs; nullopt when the
// value is not an absolute URI with an authority (such a value never matches).
std::optional<std::string> NormalizeAgentUrl(std::string_view url);

// JSON-Schema "uri" format: an absolute URI (RFC 3986 scheme ":" hier-part).
bool IsAbsoluteUri(std::string_view s);

// JSON-Schema "email" format (RFC 5321 mailbox, the usual practical subset).
bool IsEmail(std::string_view s);

}  // namespace adcp
