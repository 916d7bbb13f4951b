#include "pipeline/endpoints.h"

#include <cctype>

#include "core/redact.h"
#include "engines/registry.h"
#include "formats/format_registry.h"

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

Status UnknownScheme(const std::string& location) {
  return Status::InvalidArgument("unsupported database URI scheme '" + SchemeOf(location) +
                                 "' (this build reads and writes: " + EngineNames() + ")");
}

}  // namespace

// "scheme://..." is always a URI; so are the engines' own forms
// ("sqlite:relative.db", a libpq "host=... dbname=..." string). Anything else,
// e.g. "backup-10:00.decant", is a file path.
bool IsDatabaseLocation(const std::string& location) {
  if (EngineForLocation(location)) return true;
  std::string scheme = SchemeOf(location);
  return !scheme.empty() && location.compare(scheme.size(), 3, "://") == 0;
}

Result<const EngineTraits*> EngineOfLocation(const std::string& location) {
  if (!IsDatabaseLocation(location)) return &ArchiveTraits();
  const EngineTraits* engine = EngineForLocation(location);
  if (!engine) return UnknownScheme(location);
  return engine;
}

const EngineTraits& SystemNamed(std::string_view name) {
  if (const EngineTraits* e = FindEngine(name)) return *e;
  if (const EngineTraits* f = FindFormatSystem(name)) return *f;
  return UnknownEngineTraits();
}

Result<std::unique_ptr<Source>> OpenSource(const std::string& location, const EndpointOptions& options) {
  if (!IsDatabaseLocation(location)) return OpenFileSource(location, options);
  const EngineTraits* engine = EngineForLocation(location);
  if (!engine) return UnknownScheme(location);
  if (!engine->open_source) return Status::InvalidArgument(std::string(engine->name) + " cannot be read by this build");
  return engine->open_source(location, options);
}

Result<std::unique_ptr<Sink>> OpenDatabaseSink(const std::string& uri, const EndpointOptions& options) {
  if (!IsDatabaseLocation(uri)) {
    return Status::InvalidArgument("'" + RedactUri(uri) +
                                   "' is not a database URI (expected e.g. sqlite:///path/app.db)");
  }
  const EngineTraits* engine = EngineForLocation(uri);
  if (!engine) return UnknownScheme(uri);
  if (!engine->open_sink)
    return Status::InvalidArgument(std::string(engine->name) + " cannot be written by this build");
  return engine->open_sink(uri, options);
}

Result<std::unique_ptr<Server>> OpenServer(const std::string& uri) {
  const EngineTraits* engine = EngineForLocation(uri);
  if (!engine) {
    if (IsDatabaseLocation(uri)) return UnknownScheme(uri);
    return Status::InvalidArgument("'" + RedactUri(uri) +
                                   "' is not a server URI (expected e.g. postgresql://user@host:5432)");
  }
  if (!engine->open_server) {
    return Status::InvalidArgument(std::string(engine->name) +
                                   " has no server of several databases to dump; use export for one database");
  }
  return engine->open_server(uri);
}

bool LoadsIntoExistingTables(const std::string& location) {
  if (IsDatabaseLocation(location)) return false;
  auto format = RecogniseFile(location);
  return format.ok() && (*format)->into_existing_tables;
}

Result<std::unique_ptr<FittedTarget>> FitToTarget(Source& source, const std::string& target) {
  if (!IsDatabaseLocation(target)) {
    return Status::InvalidArgument("'" + RedactUri(target) + "' is not a database URI: " + source.Describe() +
                                   " loads into the tables an application already made in a database");
  }
  auto fitted = std::make_unique<FittedTarget>();
  auto rows = OpenSource(target);
  if (!rows.ok()) return rows.status().WithContext("target");
  fitted->rows = std::move(rows).value();
  auto schema = fitted->rows->ReadSchema();
  if (!schema.ok()) return schema.status().WithContext("target");
  fitted->schema = std::move(schema).value();
  DECANT_RETURN_IF_ERROR(source.FitTo(fitted->schema, fitted->rows.get()));
  return fitted;
}

std::string RedactLocation(const std::string& location) { return RedactUri(location); }

}  // namespace decant
