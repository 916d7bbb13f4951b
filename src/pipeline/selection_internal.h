// Internal to pipeline/selection*.cc: what the parts of SelectAndRename share.
// selection.cc holds the public entry points; selection_scan.cc reads the
// names in SQL text (reference scanning); selection_tables.cc applies --table
// and --exclude-table; selection_resolve.cc finds what a --rename names;
// selection_rename.cc rewrites the schema and its SQL texts for one rename.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/dialect.h"
#include "core/schema.h"
#include "core/status.h"
#include "pipeline/selection.h"
#include "sql/lexer.h"

namespace decant::selection_internal {

using sql::IsPunct;
using sql::IsWord;
using sql::MatchParen;
using sql::Token;

// What selection needs to know of the source's engine.
struct SourceDialect {
  Dialect sql;           // how its SQL text reads and how a name is quoted
  std::string database;  // MySQL qualifies names with the database's name
  // SQLite and MySQL counters are named after their table (PostgreSQL's
  // sequences have names of their own).
  bool sequences_named_after_tables = false;
};

// The dialect of `s`'s engine (selection.cc).
SourceDialect DialectOf(const Schema& s);
// What a name without a schema is qualified with: the engine's default schema
// ("main", "public"), else the database's own name (MySQL).
std::string DefaultQualifier(const Schema& s);

// ---------------------------------------------------------------- names (selection_scan.cc)

// Two names of the model denote the same object (SQLite and MySQL names are
// case-insensitive; PostgreSQL's are not).
bool SameName(const std::string& a, const std::string& b, const SourceDialect& d);

bool IsIdent(const Token& t);
// A bare name matches whatever its case; a quoted one exactly where the
// engine's names are case-sensitive.
bool TokNames(const Token& t, std::string_view name, const SourceDialect& d);

struct Edit {
  size_t begin, end;
  std::string text;
};

// `text` with each edit's byte range replaced; the ranges must not overlap.
std::string ApplyEdits(std::string text, std::vector<Edit> edits);

// Splits "a.b", "\"a.b\".c" into parts; double quotes group.
std::vector<std::string> SplitQualified(const std::string& s);

// ---------------------------------------------------------------- text contexts

// What a piece of SQL text is, which decides where a name in it may refer to
// a table or a column.
enum class TextKind {
  kTableDdl,  // CREATE TABLE: names the table in its header and after REFERENCES
  kIndexDdl,  // CREATE INDEX: names the table after ON
  kExpr,      // a CHECK, default or index expression: tables only as qualifiers
  kFree,      // views, triggers, native objects: any name may be a table
};

struct TextCtx {
  TextKind kind = TextKind::kFree;
  std::string schema;          // the schema the object lives in
  int own = -1;                // the table it belongs to (index into tables), -1 if none
  bool schema_object = false;  // the text creates the schema being renamed
  std::string what;            // "view v", for notes
};

// Reads the names in one SQL text: which tables it refers to and where
// (selection_scan.cc). Keeps references to `s`, `d` and `ctx`.
class TextScan {
 public:
  TextScan(const Schema& s, const SourceDialect& d, const std::string& text, const TextCtx& ctx)
      : s_(s), d_(d), ctx_(ctx), toks_(sql::Lex(text, d.sql)) {}

  const std::vector<Token>& toks() const { return toks_; }
  bool PrevDot(size_t i) const { return i > 0 && IsPunct(toks_[i - 1], '.'); }
  bool NextDot(size_t i) const { return i + 1 < toks_.size() && IsPunct(toks_[i + 1], '.'); }
  // The token qualifying toks[i] ("q" in q.name), or -1.
  int Qualifier(size_t i) const { return PrevDot(i) && i >= 2 && IsIdent(toks_[i - 2]) ? static_cast<int>(i - 2) : -1; }

  // True if `q` qualifies a name in schema `schema` (SQLite's main database
  // and MySQL's database have no schema name in the model).
  bool QualifierIsSchema(const Token& q, const std::string& schema) const;

  // The table named by toks[i] with its qualifier, if any; -1 if none.
  int TableAt(size_t i) const;

  // Tables a free text refers to, and the aliases it gives them.
  void FindReferences();
  const std::set<int>& referenced() const { return referenced_; }
  int Alias(const Token& t) const;

  // For each token inside "REFERENCES name ( ... )": the table named, else -2.
  std::vector<int> ReferencesLists() const;

 private:
  const Schema& s_;
  const SourceDialect& d_;
  const TextCtx& ctx_;
  std::vector<Token> toks_;
  std::set<int> referenced_;
  std::map<std::string, int> aliases_;
};

// ---------------------------------------------------------------- the parts

// What a --rename names.
struct Target {
  enum Kind { kSchema, kTable, kColumn } kind = kTable;
  std::string schema;  // kSchema: the old schema name; otherwise the table's schema
  int table = -1;      // kTable, kColumn: index into Schema::tables
  std::string name;    // the old name of the schema, table or column
  std::string new_name;
};

// Applies --table and --exclude-table to `source`, filling `out`
// (selection_tables.cc).
Status Select(const Schema& source, const SourceDialect& d, const SelectOptions& options, Selection* out);

// What "--rename old_arg=new_arg" names in `s`; InvalidArgument for an
// unknown or ambiguous name or one onto an existing name (selection_resolve.cc).
Result<Target> Resolve(const Schema& s, const SourceDialect& d, const std::string& old_arg, const std::string& new_arg);

// Renames `t` in `s`: every structured reference and every SQL text that
// names it; notes what it could not vouch for (selection_rename.cc).
void Rename(Schema* s, const SourceDialect& d, const Target& t, std::vector<std::string>* notes);

}  // namespace decant::selection_internal
