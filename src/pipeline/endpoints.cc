#include "pipeline/endpoints.h"

#include <cctype>

#include "core/redact.h"
#include "engines/sqlite/sqlite_endpoint.h"

namespace decant {
namespace {

// The scheme of "scheme:..." when it looks like a URI scheme (letters, digits,
// '+', '-', '.'; at least two characters so "C:" style paths are not schemes).
std::string SchemeOf(const std::string& location) {
  size_t colon = location.find(':');
  if (colon == std::string::npos || colon < 2) return "";
  for (size_t i = 0; i < colon; ++i) {
    char c = location[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return "";
  }
  return location.substr(0, colon);
}

Status UnknownScheme(const std::string& scheme) {
  return Status::InvalidArgument("unsupported database URI scheme '" + scheme +
                                 "' (this build reads and writes: sqlite)");
}

}  // namespace

// "scheme://..." is always a URI; "sqlite:relative.db" is the one scheme
// without "//". Anything else, e.g. "backup-10:00.decant", is a file path.
bool IsDatabaseLocation(const std::string& location) {
  std::string scheme = SchemeOf(location);
  if (scheme.empty()) return false;
  return location.compare(scheme.size(), 3, "://") == 0 || IsSqliteUri(location);
}

Result<std::unique_ptr<Source>> OpenSource(const std::string& location) {
  if (!IsDatabaseLocation(location)) return OpenArchiveSource(location);
  if (IsSqliteUri(location)) return OpenSqliteSource(location);
  return UnknownScheme(SchemeOf(location));
}

Result<std::unique_ptr<Sink>> OpenDatabaseSink(const std::string& uri) {
  if (!IsDatabaseLocation(uri)) {
    return Status::InvalidArgument("'" + uri + "' is not a database URI (expected e.g. sqlite:///path/app.db)");
  }
  if (IsSqliteUri(uri)) return OpenSqliteSink(uri);
  return UnknownScheme(SchemeOf(uri));
}

std::string RedactLocation(const std::string& location) { return RedactUri(location); }

}  // namespace decant
