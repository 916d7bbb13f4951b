// Generating PostgreSQL DDL from the schema model, and the order a load runs it in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/engine_traits.h"
#include "core/schema.h"
#include "engines/common/ddl_statement.h"

namespace decant::pg_internal {

// The schema a table from another engine lands in (SQLite has none).
inline constexpr const char* kDefaultSchema = "public";
std::string TargetSchema(const std::string& schema);

// CREATE TABLE for `table`, without constraints other than NOT NULL (keys,
// checks and foreign keys come after the data). A table read from PostgreSQL
// keeps its native types, defaults, identity, collations, partitioning and
// inheritance; one from another engine gets types mapped from its logical
// types (see docs/type-mapping.md).
// `source`: the dialect another engine's defaults are written in (null: they
// are left out); `values`: that engine's value policy (null: PostgreSQL's),
// which chooses some types (jsonb for ValuePolicy::json_normalized).
std::string CreateTableSql(const Table& table, bool from_postgres = true, const Dialect* source = nullptr,
                           const ValuePolicy* values = nullptr);

// CREATE VIEW for a view of another engine's schema, its query translated
// from `source`'s dialect (TranslateView); nullopt when it does not translate
// (plan names it; the load leaves it out). Three statements: the query's
// unqualified names are read with the search_path set to the view's schema
// for the transaction (SET LOCAL), then reset to the load's empty one.
std::optional<std::string> ForeignViewSql(const Schema& schema, const View& view, const EngineTraits& source);

// The PostgreSQL type a column of another engine becomes; `source`: that
// engine's value policy (null: PostgreSQL's).
std::string MappedType(const Column& column, const ValuePolicy* source = nullptr);

// The function and trigger that emulate the ON UPDATE clauses
// (Column::on_update) of a table from another engine: one plpgsql function
// <table>_on_update and a BEFORE UPDATE trigger of that name which, when the
// row changed, sets each such column the UPDATE left as it was. `source`: the
// dialect the clauses are written in. Empty when the table has none.
std::vector<std::string> OnUpdateTriggers(const Table& table, const Dialect& source);

// One statement of a load (kind, name, table, sql, essential: see
// DdlStatement), and what to call it in messages.
struct Ddl : DdlStatement {
  std::string what;
  bool must_succeed = true;      // false: a target older than the source reports it and goes on
  bool may_need_tables = false;  // a pre-data function that may take a table's row type
};
// A statement creating `kind` `name` (on `table`: qualified, "" for none),
// called `what` in messages; essential as IsEssentialKind(kind) says.
Ddl MakeDdl(std::string kind, std::string name, std::string table, std::string what, std::string sql,
            bool must_succeed = true, bool may_need_tables = false);

// How the statements of one post-data step run.
enum class StepMode {
  kInOrder,       // one after the other
  kParallel,      // independent of each other: may run at once on several connections
  kUntilSettled,  // may depend on each other in any order: retried while any succeeds
};
struct Step {
  StepMode mode;
  std::vector<Ddl> ddl;
};

// Everything a load runs, in order: pre-data, one CREATE TABLE per schema
// table (same order), then the post-data steps (keys and indexes; foreign
// keys, checks, OWNED BY; sequence values; views; their indexes; triggers
// and comments). `decant schema --dialect postgresql` prints it; the sink runs it.
struct LoadPlan {
  std::vector<Ddl> pre_data;
  std::vector<Ddl> tables;
  std::vector<Step> post_data;
};
// `source`: the engine the schema was read from.
LoadPlan PlanLoad(const Schema& schema, const EngineTraits& source);

// The plan as one script (statements ending with ";\n").
std::string PostgresSchemaScript(const Schema& schema, const EngineTraits& source);

}  // namespace decant::pg_internal
