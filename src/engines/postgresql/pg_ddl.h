// Generating PostgreSQL DDL from the schema model.
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"

namespace decant::pg_internal {

// The schema a table from another engine lands in (SQLite has none).
inline constexpr const char* kDefaultSchema = "public";
std::string TargetSchema(const std::string& schema);

// CREATE TABLE for `table`, without constraints other than NOT NULL (keys,
// checks and foreign keys come after the data). A table read from PostgreSQL
// keeps its native types, defaults, identity, collations, partitioning and
// inheritance; one from another engine gets types mapped from its logical
// types (see docs/type-mapping.md).
std::string CreateTableSql(const Table& table, bool from_postgres = true);

// The PostgreSQL type a column of another engine becomes.
std::string MappedType(const Column& column);

// Post-data statements for a schema from another engine: keys, unique
// constraints, indexes, foreign keys, checks, views (as far as they
// translate).
struct ForeignPostData {
  std::vector<std::string> keys, indexes, foreign_keys, checks, views;
};
ForeignPostData ForeignPostDataSql(const Schema& schema);

// The whole schema as a PostgreSQL script (decant schema --dialect postgresql).
std::string PostgresSchemaScript(const Schema& schema);

}  // namespace decant::pg_internal
