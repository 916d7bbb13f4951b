// What a piece of SQL text means in one engine's dialect: how names and
// strings are quoted, which comments exist, how unquoted names fold.
//
// A Dialect is plain data. Each engine folder defines its own (part of its
// EngineTraits); the SQL lexer (src/sql/) and everything that reads or writes
// SQL text (renames, view and default translation, DDL printing) is driven by
// it, so no code outside src/engines/ asks "is this MySQL?".
#pragma once

#include <string_view>

namespace decant {

// How an engine treats letter case in unquoted names.
enum class NameFolding {
  kNone,   // kept as written, compared without regard to case (SQLite, MySQL)
  kLower,  // folded to lower case; quoted names are exact (PostgreSQL)
};

struct Dialect {
  // The character a name that needs quoting is written with ('"' or '`').
  char identifier_quote = '"';
  // Which quote characters delimit a name when reading.
  bool double_quote_names = true;  // "x" (MySQL: a string by default)
  bool backquote_names = false;    // `x` (MySQL, SQLite)
  bool bracket_names = false;      // [x] (SQLite)
  // Strings: '...' with '' for a quote everywhere; these add to it.
  bool backslash_escapes = false;     // \' \\ \n inside '...' (MySQL)
  bool escape_string_prefix = false;  // E'...' with backslash escapes (PostgreSQL)
  bool dollar_quoting = false;        // $tag$ ... $tag$ (PostgreSQL)
  // Comments: -- and /* */ everywhere; these add to it.
  bool hash_comments = false;          // # to end of line (MySQL)
  bool nested_block_comments = false;  // /* /* */ */ (PostgreSQL)
  // Names.
  NameFolding folding = NameFolding::kNone;
  // True when two names differing only in case are two objects (PostgreSQL,
  // for quoted names); false when they are the same object (SQLite, MySQL).
  bool case_sensitive_names = false;
  // The schema an unqualified name lives in ("public", "main"); empty when
  // the qualifier is the database's own name (MySQL).
  std::string_view default_schema;
  // PostgreSQL's "expr::type" cast syntax.
  bool double_colon_casts = false;
  // The characters that start a parameter or variable token, which runs on
  // over name characters: "?:@$" (SQLite: ?1 :a @a $a), "$" (PostgreSQL: $1),
  // "?@" (MySQL: ? @a). A $tag$ quote or a :: cast is read as that first.
  std::string_view variable_prefixes;
  // datetime('now') is the current timestamp (SQLite).
  bool datetime_now_function = false;
  // TRUE and FALSE are written as words in a default (PostgreSQL); else 1 and 0.
  bool boolean_words = false;
  // CURRENT_TIMESTAMP(6) takes a fractional-seconds precision (PostgreSQL,
  // MySQL); without it, the precision is dropped (SQLite).
  bool timestamp_precision_argument = false;
};

}  // namespace decant
