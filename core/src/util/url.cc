#include "util/url.h"

#include <vector>

namespace adcp {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool IsSubDelim(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
int HexVal(char c) {
  if (IsDigit(c)) return c - '0';
  return ToLower(c) - 'a' + 10;
}

// Valid characters of the URI after the scheme (pchar, '/', '?', '#', '@',
// ':', '[', ']' and percent escapes).
bool ValidRestChars(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@' || c == '/' || c == '?' || c == '#' ||
        c == '[' || c == ']')
      continue;
    return false;
  }
  return true;
}

size_t SchemeEnd(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return std::string_view::npos;
  size_t i = 1;
  while (i < s.size() && (IsAlpha(s[i]) || IsDigit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
  if (i >= s.size() || s[i] != ':') return std::string_view::npos;
  return i;
}

// Upper-case hex digits of escapes; decode escapes of unreserved characters.
std::string NormalizeEscapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      char decoded = static_cast<char>(HexVal(s[i + 1]) * 16 + HexVal(s[i + 2]));
      if (IsUnreserved(decoded)) {
        out.push_back(decoded);
      } else {
        out.push_back('%');
        out.push_back(ToUpper(s[i + 1]));
        out.push_back(ToUpper(s[i + 2]));
      }
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// RFC 3986 §5.2.4.
std::string RemoveDotSegments(std::string_view in) {
  std::string input(in), output;
  while (!input.empty()) {
    if (input.compare(0, 3, "../") == 0) {
      input.erase(0, 3);
    } else if (input.compare(0, 2, "./") == 0) {
      input.erase(0, 2);
    } else if (input.compare(0, 3, "/./") == 0) {
      input.erase(0, 2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.compare(0, 4, "/../") == 0 || input == "/..") {
      input = input.size() == 3 ? std::string("/") : input.substr(3);
      size_t slash = output.rfind('/');
      output.erase(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      size_t start = input[0] == '/' ? 1 : 0;
      size_t next = input.find('/', start);
      if (next == std::string::npos) next = input.size();
      output.append(input, 0, next);
      input.erase(0, next);
    }
  }
  return output;
}

}  // namespace

bool IsAbsoluteUri(std::string_view s) {
  size_t colon = SchemeEnd(s);
  if (colon == std::string_view::npos) return false;
  return ValidRestChars(s.substr(colon + 1));
}

std::optional<std::string> NormalizeAgentUrl(std::string_view url) {
  size_t colon = SchemeEnd(url);
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view rest = url.substr(colon + 1);
  if (rest.size() < 2 || rest[0] != '/' || rest[1] != '/') return std::nullopt;
  if (!ValidRestChars(rest)) return std::nullopt;
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) scheme.push_back(ToLower(url[i]));
  rest.remove_prefix(2);
  size_t auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.empty()) return std::nullopt;
  // authority = [userinfo "@"] host [":" port]
  std::string_view userinfo, hostport = authority;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    userinfo = authority.substr(0, at + 1);
    hostport = authority.substr(at + 1);
  }
  std::string_view host = hostport, port;
  bool has_port = false;
  if (!hostport.empty() && hostport[0] == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = hostport.substr(0, close + 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') return std::nullopt;
      has_port = true;
      port = hostport.substr(close + 2);
    }
  } else {
    size_t pc = hostport.rfind(':');
    if (pc != std::string_view::npos) {
      host = hostport.substr(0, pc);
      port = hostport.substr(pc + 1);
      has_port = true;
    }
  }
  for (char c : port)
    if (!IsDigit(c)) return std::nullopt;
  if (host.empty()) return std::nullopt;
  // Split tail into path, query, fragment.
  size_t q = tail.find_first_of("?#");
  std::string_view path = tail.substr(0, q);
  std::string_view after = q == std::string_view::npos ? std::string_view() : tail.substr(q);
  // Already in normal form, as agent URLs almost always are: no escapes, a
  // lower-case scheme and host, no userinfo or port, no dot segments (a
  // path here starts with '/'). Then every step below leaves it as it is
  // and only an empty path becomes "/" (issue 15: the steps cost five
  // strings a call, and a request normalizes several URLs).
  auto lower = [](std::string_view text) {
    for (char c : text)
      if (c >= 'A' && c <= 'Z') return false;
    return true;
  };
  if (userinfo.empty() && !has_port && url.find('%') == std::string_view::npos && lower(url.substr(0, colon)) &&
      lower(host) && path.find("/.") == std::string_view::npos) {
    if (!path.empty()) return std::string(url);
    std::string out(url.substr(0, url.size() - tail.size()));
    out.push_back('/');
    out.append(after);
    return out;
  }
  std::string host_norm = NormalizeEscapes(host);
  for (char& c : host_norm) c = ToLower(c);
  bool default_port = !has_port || port.empty() || (scheme == "http" && port == "80") ||
                      (scheme == "https" && port == "443");
  std::string path_norm = RemoveDotSegments(NormalizeEscapes(path));
  if (path_norm.empty()) path_norm = "/";
  std::string out = scheme + "://" + NormalizeEscapes(userinfo) + host_norm;
  if (!default_port) {
    out.push_back(':');
    out.append(port);
  }
  out += path_norm;
  out += NormalizeEscapes(after);
  return out;
}

bool IsEmail(std::string_view s) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.size() > 64) return false;
  for (char c : local) {
    if (IsAlpha(c) || IsDigit(c)) continue;
    switch (c) {
      case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
      case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
      case '~': case '.':
        continue;
      default:
        return false;
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  // domain: dot-separated labels of [A-Za-z0-9-], not starting/ending with '-'
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!(IsAlpha(c) || IsDigit(c) || c == '-')) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace adcp
