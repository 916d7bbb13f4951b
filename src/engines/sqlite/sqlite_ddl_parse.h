// Internal to engines/sqlite: the few facts SQLite keeps only in the text of
// a CREATE statement (CHECK clauses, generated-column expressions, constraint
// names, DEFERRABLE, index expressions and WHERE clauses, a view's SELECT).
// A small tokenizer that respects quotes, comments and parentheses is enough:
// the statements come from sqlite_schema, so SQLite has already parsed them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace decant::sqlite_internal {

struct Token {
  enum class Kind { kWord, kQuoted, kString, kNumber, kBlob, kVariable, kPunct };
  Kind kind = Kind::kPunct;
  size_t begin = 0;  // byte offsets into the statement
  size_t end = 0;
  std::string text;  // words as written; quoted identifiers and strings unquoted
};

// Splits `sql` into tokens, dropping whitespace and comments.
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

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

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
