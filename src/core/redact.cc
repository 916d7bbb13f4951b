#include "core/redact.h"

namespace decant {

namespace {

// Hides the value of every "password=" / "sslpassword=" in a libpq conninfo
// string or a URI query ("...?password=x&..."); values end at a space or '&'
// (quoted conninfo values at their closing quote).
std::string RedactPasswordParameters(std::string text) {
  for (const char* key : {"password=", "sslpassword="}) {
    size_t pos = 0;
    while ((pos = text.find(key, pos)) != std::string::npos) {
      size_t start = pos + std::string_view(key).size();
      size_t end = start;
      if (end < text.size() && text[end] == '\'') {
        for (++end; end < text.size() && text[end] != '\''; ++end) {
          if (text[end] == '\\') ++end;
        }
        if (end < text.size()) ++end;
      } else {
        while (end < text.size() && text[end] != ' ' && text[end] != '&') ++end;
      }
      text.replace(start, end - start, "****");
      pos = start + 4;
    }
  }
  return text;
}

std::string RedactAuthority(std::string_view uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);
  size_t begin = scheme_end + 3;
  // The authority ends at the next '/'. Not at '?' or '#': a password holding
  // one of those unencoded must still be hidden (over-hiding is harmless).
  size_t end = uri.find('/', begin);
  if (end == std::string_view::npos) end = uri.size();
  std::string_view authority = uri.substr(begin, end - begin);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(uri);
  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(uri);
  std::string out(uri.substr(0, begin + colon + 1));
  out += "****";
  out += uri.substr(begin + at);
  return out;
}

}  // namespace

std::string RedactUri(std::string_view uri) { return RedactPasswordParameters(RedactAuthority(uri)); }

}  // namespace decant
