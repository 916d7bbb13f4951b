// Internal to engines/mysql: reading and writing MySQL DDL text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/engine_traits.h"
#include "core/schema.h"
#include "engines/common/ddl_statement.h"

namespace decant::mysql_internal {

// SHOW CREATE TABLE output cut into what the sink runs before the load and
// what it adds after it. Each clause is one definition exactly as the server
// printed it ("KEY `k` (`a`(10))", "CONSTRAINT `f` FOREIGN KEY ...").
struct SplitTable {
  std::string create;                     // CREATE TABLE with columns, PRIMARY KEY, CHECKs
  std::vector<std::string> keys;          // UNIQUE/plain/SPATIAL keys, added after the load
  std::vector<std::string> fulltext;      // FULLTEXT keys (InnoDB adds one per ALTER)
  std::vector<std::string> foreign_keys;  // CONSTRAINT ... FOREIGN KEY, added last
  // An index with keys on JSON fields (IndexKey::json_path), added after the
  // load by one ALTER of its own: the generated columns it needs and the key
  // (JsonPathIndexClauses).
  struct JsonIndex {
    std::string name;
    bool unique = false;
    std::vector<std::string> clauses;  // "COLUMN `doc_email` ...", "KEY `i` (...)"
  };
  std::vector<JsonIndex> json_indexes;
};

// Splits `ddl`. A key whose first column is `auto_increment_column` stays in
// CREATE TABLE (MySQL requires one for an AUTO_INCREMENT column).
SplitTable SplitCreateTable(const std::string& ddl, const std::string& auto_increment_column);

// The statements that create `table` of `schema` on MySQL: its own stored
// DDL split, for a MySQL schema; else built from the neutral model, with the
// names of indexes that cannot be translated (expression keys) in *skipped.
// `source`: the engine the schema was read from (its dialect reads defaults).
SplitTable TableStatements(const Schema& schema, const Table& table, const EngineTraits& source,
                           std::vector<std::string>* skipped);

// Everything a load into MySQL creates, in the order the sink runs it: one
// CREATE TABLE per schema table (kind "table"); per table an ALTER adding its
// unique keys ("unique index", name: the keys' names joined by ", "), one
// adding its other keys ("index") and one per FULLTEXT key ("index"); per
// table an ALTER adding its foreign keys ("foreign key"); AUTO_INCREMENT
// counters ("sequence value"); then, for a MySQL schema, routines, views, triggers
// and events. What is not created (an expression key, another engine's view
// or trigger) is a statement without sql whose note says why.
// MysqlSchemaDdl prints it; the sink runs it.
std::vector<DdlStatement> SchemaStatements(const Schema& schema, const EngineTraits& source);

// "ALTER TABLE `t` ADD a, ADD b".
std::string AlterAdd(const std::string& alter, const std::vector<std::string>& clauses);

// The definition clauses of SHOW CREATE TABLE output, one per element
// (columns, keys, constraints), without trailing commas.
std::vector<std::string> CreateTableClauses(const std::string& ddl);

// The name of a key clause ("KEY `a``b` (...)" -> "a`b"); "" if none.
std::string ClauseName(const std::string& clause);

// Removes "DEFINER=`user`@`host`" from a view, trigger, routine or event
// definition, so the object belongs to whoever restores it.
std::string StripDefiner(const std::string& ddl);

// CREATE TABLE for a table read from another engine, from the neutral model
// (types by logical type, primary key, NOT NULL, AUTO_INCREMENT); indexes
// and foreign keys come from IndexClause/ForeignKeyClause after the load.
// `source`: the dialect the table's defaults are written in.
std::string GenericCreateTable(const Table& table, const Dialect& source);
std::string GenericIndexClause(const Table& table, const Index& index);
// The ALTER clauses of an index with keys on JSON fields: per such key a
// VIRTUAL generated column `<column>_<path members>` (made unique in the
// table among `*taken`, which grows; at most 64 bytes)
//   LONGTEXT AS (json_unquote(json_extract(`doc`, '$.a.b'))) VIRTUAL
// then the key on those columns. LONGTEXT: a value of any length fits (a
// VARCHAR(n) column refuses a longer value in strict mode, and the ALTER with
// it). A non-unique key indexes a prefix of 768 / (number of keys) characters
// (InnoDB's 3072-byte key limit in utf8mb4); a unique key the whole values
// (MariaDB enforces it by a hash; MySQL refuses it, and the index is named).
std::vector<std::string> JsonPathIndexClauses(const Table& table, const Index& index, std::vector<std::string>* taken);
std::string ForeignKeyClause(const ForeignKey& fk);

// The database a foreign key of `table` references on the target: "" (the
// load's own) when the source named "public", "main" or the table's own
// schema, which all land in the one database; else fk.ref_schema.
std::string TargetRefSchema(const Table& table, const ForeignKey& fk);

// CREATE VIEW for `view` of `schema`: its stored DDL for a MySQL schema,
// else its query translated from `source`'s dialect (TranslateView), or
// nullopt when the query does not translate (plan names it; not created).
std::optional<std::string> ViewDdl(const Schema& schema, const View& view, const EngineTraits& source);

}  // namespace decant::mysql_internal
