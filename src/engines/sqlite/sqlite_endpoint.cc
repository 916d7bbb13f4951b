#include "engines/sqlite/sqlite_endpoint.h"

#include <cctype>

#include "core/ascii.h"
#include "core/hex.h"
#include "core/redact.h"
#include "engines/sqlite/sqlite_util.h"

namespace decant {
namespace {

constexpr std::string_view kScheme = "sqlite:";

bool HasSchemePrefix(const std::string& s) { return StartsWithIgnoreCaseAscii(s, kScheme); }

}  // namespace

bool IsSqliteUri(const std::string& location) { return HasSchemePrefix(location); }

Result<std::string> SqliteUriPath(const std::string& uri) {
  // No message may show a password the URI carries.
  const std::string shown = RedactUri(uri);
  if (!HasSchemePrefix(uri)) return Status::InvalidArgument("not a sqlite: URI: " + shown);
  std::string rest = uri.substr(kScheme.size());
  if (rest.starts_with("//")) {
    rest = rest.substr(2);
    size_t slash = rest.find('/');
    std::string host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost") {
      std::string shown_host = RedactUri("x://" + host).substr(4);
      return Status::InvalidArgument("sqlite URI names a remote host (" + shown_host + "): " + shown);
    }
    if (slash == std::string::npos) return Status::InvalidArgument("sqlite URI has no path: " + shown);
    rest = rest.substr(slash);
  }
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexDigitValue(rest[i + 1]) >= 0 && HexDigitValue(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(HexDigitValue(rest[i + 1]) * 16 + HexDigitValue(rest[i + 2])));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  if (path.empty() || path == "/") return Status::InvalidArgument("sqlite URI has no path: " + shown);
  if (path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("sqlite URI path contains a NUL byte");
  }
  return path;
}

}  // namespace decant
