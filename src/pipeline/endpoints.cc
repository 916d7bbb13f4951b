#include "pipeline/endpoints.h"

#include <cctype>

#include "core/redact.h"
#include "engines/mysql/mysql_endpoint.h"
#include "engines/postgresql/postgresql_endpoint.h"
#include "engines/sqlite/sqlite_endpoint.h"
#include "formats/format_registry.h"

namespace decant {
namespace {

// One row per engine: how to recognise its locations and open each end.
// Adding an engine is adding its folder and one row here.
struct Engine {
  const char* name;
  bool (*matches)(const std::string& location);
  Result<std::unique_ptr<Source>> (*open_source)(const std::string& uri, const EndpointOptions& options);
  Result<std::unique_ptr<Sink>> (*open_sink)(const std::string& uri, const EndpointOptions& options);
  Result<std::unique_ptr<Server>> (*open_server)(const std::string& uri);  // null: no server form
};

const Engine kEngines[] = {
    {"sqlite", IsSqliteUri, [](const std::string& uri, const EndpointOptions&) { return OpenSqliteSource(uri); },
     [](const std::string& uri, const EndpointOptions&) { return OpenSqliteSink(uri); }, nullptr},
    {"postgresql", IsPostgresLocation, OpenPostgresSource, OpenPostgresSink, OpenPostgresServer},
    {"mysql", IsMysqlUri, OpenMysqlSource, OpenMysqlSink, OpenMysqlServer},
};

const Engine* EngineFor(const std::string& location) {
  for (const Engine& e : kEngines) {
    if (e.matches(location)) return &e;
  }
  return nullptr;
}

std::string KnownEngines() {
  std::string names;
  for (const Engine& e : kEngines) names += (names.empty() ? "" : ", ") + std::string(e.name);
  return names;
}

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

Status UnknownScheme(const std::string& location) {
  return Status::InvalidArgument("unsupported database URI scheme '" + SchemeOf(location) +
                                 "' (this build reads and writes: " + KnownEngines() + ")");
}

}  // namespace

// "scheme://..." is always a URI; so are the engines' own forms
// ("sqlite:relative.db", a libpq "host=... dbname=..." string). Anything else,
// e.g. "backup-10:00.decant", is a file path.
bool IsDatabaseLocation(const std::string& location) {
  if (EngineFor(location)) return true;
  std::string scheme = SchemeOf(location);
  return !scheme.empty() && location.compare(scheme.size(), 3, "://") == 0;
}

Result<std::string> EngineOfLocation(const std::string& location) {
  if (!IsDatabaseLocation(location)) return std::string();
  const Engine* engine = EngineFor(location);
  if (!engine) return UnknownScheme(location);
  return std::string(engine->name);
}

Result<std::unique_ptr<Source>> OpenSource(const std::string& location, const EndpointOptions& options) {
  if (!IsDatabaseLocation(location)) return OpenFileSource(location);
  const Engine* engine = EngineFor(location);
  if (!engine) return UnknownScheme(location);
  return engine->open_source(location, options);
}

Result<std::unique_ptr<Sink>> OpenDatabaseSink(const std::string& uri, const EndpointOptions& options) {
  if (!IsDatabaseLocation(uri)) {
    return Status::InvalidArgument("'" + uri + "' is not a database URI (expected e.g. sqlite:///path/app.db)");
  }
  const Engine* engine = EngineFor(uri);
  if (!engine) return UnknownScheme(uri);
  return engine->open_sink(uri, options);
}

Result<std::unique_ptr<Server>> OpenServer(const std::string& uri) {
  const Engine* engine = EngineFor(uri);
  if (!engine) {
    if (IsDatabaseLocation(uri)) return UnknownScheme(uri);
    return Status::InvalidArgument("'" + uri + "' is not a server URI (expected e.g. postgresql://user@host:5432)");
  }
  if (!engine->open_server) {
    return Status::InvalidArgument(std::string(engine->name) +
                                   " has no server of several databases to dump; use export for one database");
  }
  return engine->open_server(uri);
}

std::string RedactLocation(const std::string& location) { return RedactUri(location); }

}  // namespace decant
