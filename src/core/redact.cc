#include "core/redact.h"

namespace decant {

std::string RedactUri(std::string_view uri) {
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

}  // namespace decant
