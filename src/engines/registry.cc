#include "engines/registry.h"

#include "engines/mysql/mysql_endpoint.h"
#include "engines/postgresql/postgresql_endpoint.h"
#include "engines/sqlite/sqlite_endpoint.h"

namespace decant {

// Adding an engine: its folder (with its *_traits.cc) and one line here.
std::span<const EngineTraits* const> Engines() {
  static const EngineTraits* const kEngines[] = {
      &SqliteTraits(),
      &PostgresTraits(),
      &MysqlTraits(),
  };
  return kEngines;
}

const EngineTraits* FindEngine(std::string_view name) {
  for (const EngineTraits* e : Engines()) {
    if (e->name == name) return e;
  }
  return nullptr;
}

const EngineTraits& EngineNamed(std::string_view name) {
  const EngineTraits* e = FindEngine(name);
  return e ? *e : UnknownEngineTraits();
}

const EngineTraits* EngineForLocation(const std::string& location) {
  for (const EngineTraits* e : Engines()) {
    if (e->recognizes && e->recognizes(location)) return e;
  }
  return nullptr;
}

std::string EngineNames(bool with_schema_ddl) {
  std::string names;
  for (const EngineTraits* e : Engines()) {
    if (!with_schema_ddl || e->schema_ddl) names += (names.empty() ? "" : ", ") + std::string(e->name);
  }
  return names;
}

}  // namespace decant
