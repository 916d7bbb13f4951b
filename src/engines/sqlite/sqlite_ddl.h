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

namespace decant::sqlite_internal {

bool IsNativeSchema(const Schema& schema);
// `source`: the engine the schema was read from (its dialect reads expressions).
std::string TableDdl(const Schema& schema, const Table& table, const EngineTraits& source);
std::string IndexDdl(const Schema& schema, const Index& index, const EngineTraits& source);
// nullopt: a view from another engine whose query does not translate
// (TranslateView); it is not created, and plan names it.
std::optional<std::string> ViewDdl(const Schema& schema, const View& view, const EngineTraits& source);
std::optional<std::string> TriggerDdl(const Schema& schema, const Trigger& trigger);
// True if a generated CREATE TABLE declares column `column` as
// "INTEGER PRIMARY KEY AUTOINCREMENT".
bool IsAutoIncrementKey(const Table& table, const std::string& column);

}  // namespace decant::sqlite_internal
