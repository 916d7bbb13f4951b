// Internal to engines/sqlite: the few facts SQLite keeps only in the text of
// a CREATE statement (CHECK clauses, generated-column expressions, constraint
// names, DEFERRABLE, index expressions and WHERE clauses, a view's SELECT).
// The shared SQL lexer (sql/lexer.h) with SQLite's dialect is enough: the
// statements come from sqlite_schema, so SQLite has already parsed them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dialect.h"
#include "core/schema.h"
#include "sql/lexer.h"

namespace decant::sqlite_internal {

// SQLite's SQL dialect: "x", `x` and [x] name, '...' strings without
// backslash escapes, -- and /* */ comments (not nested), names kept as
// written and compared without regard to case, "main" the default schema,
// ?1 :a @a $a parameters. The dialect of SQLite's row in the engine registry
// (SqliteTraits()), here for the DDL parser.
const Dialect& SqliteDialect();

using Token = sql::Token;

// sql::Lex with SqliteDialect(): the tokens of `sql`, whitespace and comments
// dropped. An unterminated quote or comment runs to the end (sql/lexer.h).
std::vector<Token> Tokenize(std::string_view sql);

struct ParsedColumn {
  std::string name;
  std::optional<std::string> generated_expr;  // text inside AS ( ... )
  bool generated_stored = false;
};

struct ParsedForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;
  bool deferrable = false;
  bool initially_deferred = false;
};

struct ParsedTable {
  std::vector<ParsedColumn> columns;
  std::vector<CheckConstraint> checks;  // column and table CHECKs, in order
  std::vector<ParsedForeignKey> foreign_keys;
  std::vector<KeyConstraint> uniques;  // with their CONSTRAINT names, if any
  std::string primary_key_name;
};

// Parses "CREATE TABLE name (...)". False if it has no column list (AS SELECT).
bool ParseCreateTable(std::string_view sql, ParsedTable* out);

struct ParsedIndex {
  // One entry per indexed item: its text without COLLATE and ASC/DESC.
  std::vector<std::string> items;
  std::optional<std::string> where;
};

bool ParseCreateIndex(std::string_view sql, ParsedIndex* out);

// The SELECT of "CREATE VIEW name [(cols)] AS SELECT ...", or empty.
std::string ParseViewDefinition(std::string_view sql);

// "CREATE VIRTUAL TABLE [IF NOT EXISTS] [schema.]name USING module(args)".
struct ParsedVirtualTable {
  std::string name;
  std::string module;                  // lower-cased
  std::optional<std::string> content;  // FTS content=... option, unquoted
};

// Nullopt unless `sql` is a CREATE VIRTUAL TABLE statement.
std::optional<ParsedVirtualTable> ParseCreateVirtualTable(std::string_view sql);

// True if `name` is "<vtab>_<suffix>" with a suffix of a shadow table that
// `module` (fts3/fts4/fts5/rtree/geopoly) creates for virtual table `vtab`.
bool IsShadowTableOf(std::string_view module, std::string_view vtab, std::string_view name);

}  // namespace decant::sqlite_internal
