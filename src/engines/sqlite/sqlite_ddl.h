// Internal to engines/sqlite: one SQLite statement per schema object, used by
// SqliteSchemaDdl() and by the sink. Statements carry no trailing ';'.
//
// A schema read from SQLite replays each object's native_ddl (exact).
// Any other engine's schema is rendered from the neutral model; expressions
// written in the source dialect are translated (mapping/sql_translate.h):
// defaults by TranslateDefault (one it does not translate is left out, and a
// nextval() default makes the column AUTOINCREMENT when it is a single
// integer key), view queries by TranslateView (a view whose query does not
// translate is not created), CHECKs, generated columns and index expressions
// by TranslateSql, kept as written when it does not translate them.
// Foreign triggers are not translated at all (nullopt).
#pragma once

#include <optional>
#include <string>

#include "core/engine_traits.h"
#include "core/schema.h"
#include "engines/common/ddl_statement.h"

namespace decant::sqlite_internal {

bool IsNativeSchema(const Schema& schema);
// `source`: the engine the schema was read from (its dialect reads expressions).
std::string TableDdl(const Schema& schema, const Table& table, const EngineTraits& source);
// Empty when a key cannot be written in SQLite (a JSON path member with a '"').
std::string IndexDdl(const Schema& schema, const Index& index, const EngineTraits& source);
// A plain key's column, or with a json_path json_extract("doc", '$.a.b')
// (members that are not plain words quoted: $."a b"); nullopt when a member
// holds a '"'. A query that filters on the same json_extract uses the index.
std::optional<std::string> IndexKeySql(const IndexKey& key);
// nullopt: a view from another engine whose query does not translate
// (TranslateView); it is not created, and plan names it.
std::optional<std::string> ViewDdl(const Schema& schema, const View& view, const EngineTraits& source);
std::optional<std::string> TriggerDdl(const Schema& schema, const Trigger& trigger);
// The triggers that emulate the ON UPDATE clauses (Column::on_update) of a
// table from another engine: one AFTER UPDATE trigger per column, named
// <table>_<column>_on_update, that sets the column to CURRENT_TIMESTAMP when
// the statement changed another column but not this one. Its WHEN clause
// stops the trigger's own UPDATE from firing it again. `source`: the dialect
// the clause is written in. Empty when the table has none.
std::vector<std::string> OnUpdateTriggers(const Table& table, const Dialect& source);
// The same triggers as statements of the load (kind "trigger", named).
std::vector<DdlStatement> OnUpdateTriggerStatements(const Table& table, const Dialect& source);
// Everything a load creates, in the order the sink runs it: one statement
// per schema table first (same order and count as schema.tables; kind
// "table", or "virtual table" for a native one), then indexes, views and
// triggers (a trigger that is not translated has no sql, only a note).
// SqliteSchemaDdl prints it; the sink runs it.
std::vector<DdlStatement> SchemaStatements(const Schema& schema, const EngineTraits& source);
// True if a generated CREATE TABLE declares column `column` as
// "INTEGER PRIMARY KEY AUTOINCREMENT".
bool IsAutoIncrementKey(const Table& table, const std::string& column);

}  // namespace decant::sqlite_internal
