#include "engines/postgresql/postgresql_endpoint.h"

#include <cctype>

#include "core/engine_traits.h"
#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/pg_ddl.h"
#include "engines/postgresql/pg_internal.h"

namespace decant {

bool IsPostgresLocation(const std::string& location) {
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) return true;
  // A conninfo string: "keyword=value ..." that libpq accepts as a whole.
  size_t eq = location.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = location[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ')) return false;
  }
  return pg_internal::ParseLocation(location).ok();
}

Result<std::unique_ptr<Source>> OpenPostgresSource(const std::string& uri, const EndpointOptions& options) {
  return pg_internal::OpenSource(uri, options);
}

Result<std::unique_ptr<Sink>> OpenPostgresSink(const std::string& uri, const EndpointOptions& options) {
  return pg_internal::OpenSink(uri, options);
}

std::string PostgresSchemaDdl(const Schema& schema, const EngineTraits& source) {
  return pg_internal::PostgresSchemaScript(schema, source);
}

std::vector<std::string> PostgresNotCreated(const Schema& schema, const EngineTraits& source) {
  pg_internal::LoadPlan plan = pg_internal::PlanLoad(schema, source);
  std::vector<DdlStatement> all(plan.pre_data.begin(), plan.pre_data.end());
  all.insert(all.end(), plan.tables.begin(), plan.tables.end());
  for (const pg_internal::Step& step : plan.post_data) all.insert(all.end(), step.ddl.begin(), step.ddl.end());
  return NotCreatedLines(all);
}

std::string PostgresSchemaDdl(const Schema& schema) {
  return PostgresSchemaDdl(schema, SourceTraits(nullptr, schema, PostgresTraits()));
}

Result<std::unique_ptr<Server>> OpenPostgresServer(const std::string& uri) { return pg_internal::OpenServer(uri); }

}  // namespace decant
