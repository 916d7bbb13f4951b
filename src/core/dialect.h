// What a piece of SQL text means in one engine's dialect: how names and
// strings are quoted, which comments exist, how unquoted names fold.
//
// A Dialect is plain data. Each engine folder defines its own (part of its
// EngineTraits); the SQL lexer (src/sql/) and everything that reads or writes
// SQL text (renames, view and default translation, DDL printing) is driven by
// it, so no code outside src/engines/ asks "is this MySQL?".
#pragma once

#include <span>
#include <string_view>

namespace decant {

// What a function call means, whatever an engine calls it. Each Dialect lists
// the names it knows (Dialect::functions); view and default translation
// (mapping/sql_translate.h) maps a call through its meaning, and a call whose
// name the source does not list, or whose meaning the target has no name for,
// is not translated.
enum class SqlFunction {
  // The same arguments and result under each engine's name.
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kCoalesce,
  kNullIf,
  kLower,
  kUpper,
  kCharLength,   // characters
  kOctetLength,  // bytes
  kSubstring,    // (s, from[, count]), counted in characters from 1
  kReplace,
  kTrim,
  kLeftTrim,
  kRightTrim,
  kAbs,
  kRound,
  kConcatWs,  // (separator, a, b, ...), NULL arguments skipped
  kRowNumber,
  kRank,
  kDenseRank,
  kDateOf,      // the date part of a date/time value; date('now') is the current date
  kDateTimeOf,  // SQLite's datetime(x); datetime('now') is the current timestamp
  kJsonValid,   // json_valid(x): 1 if x is JSON text (MySQL's JSON column checks)
  // Rewritten by the translator (spelled by the Dialect's other fields).
  kConcat,           // CONCAT(a, b, ...): NULL if any argument is NULL
  kConcatSkipNulls,  // PostgreSQL's concat(): NULL arguments count as ''
  kGroupConcat,      // string aggregation, written as Dialect::group_concat says
  kIfNull,           // IFNULL(a, b): COALESCE(a, b)
  kIf,               // IF(c, a, b): CASE WHEN c THEN a ELSE b END
  kNow,              // the current timestamp: CURRENT_TIMESTAMP
  kCurrentDate,
  kCurrentTime,
  kYear,  // YEAR(x), MONTH(x), DAY(x): written as Dialect::date_part says
  kMonth,
  kDay,
  kDatePart,  // PostgreSQL's date_part('unit', x)
  kSequence,  // nextval() and the like: an auto id, never translated
};

struct FunctionSpelling {
  SqlFunction meaning;
  std::string_view name;  // lower case
};

// How a dialect writes string aggregation.
enum class GroupConcatForm {
  kSeparatorKeyword,   // GROUP_CONCAT([DISTINCT] x [ORDER BY y] [SEPARATOR s]) (MySQL)
  kSeparatorArgument,  // group_concat([DISTINCT] x[, s] [ORDER BY y]) (SQLite)
  kStringAgg,          // string_agg([DISTINCT] x, s [ORDER BY y]), x text (PostgreSQL)
};

// How a dialect takes the year, month, day, hour or minute of a date/time.
enum class DatePartForm {
  kExtract,   // EXTRACT(YEAR FROM x) (PostgreSQL, MySQL)
  kStrftime,  // CAST(strftime('%Y', x) AS INTEGER) (SQLite)
};

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

  // Expressions (view and default translation, mapping/sql_translate.h).
  // The functions this dialect has, by name (several names may share a meaning;
  // the first one listed is the one written).
  std::span<const FunctionSpelling> functions;
  // `a || b` joins strings (PostgreSQL, SQLite); false: || is OR and strings
  // are joined with CONCAT() (MySQL without PIPES_AS_CONCAT).
  bool concat_operator = true;
  GroupConcatForm group_concat = GroupConcatForm::kStringAgg;
  // ORDER BY inside an aggregate's parentheses (PostgreSQL, MySQL's
  // GROUP_CONCAT; SQLite from 3.44).
  bool aggregate_order_by = true;
  DatePartForm date_part = DatePartForm::kExtract;
  // _utf8mb4'x', _binary'x': a charset introducer before a string (MySQL).
  bool charset_introducers = false;
  // OFFSET n without a LIMIT (PostgreSQL); else OFFSET needs LIMIT.
  bool offset_without_limit = false;
  // ~~ and !~~ are LIKE and NOT LIKE (how PostgreSQL prints them).
  bool tilde_like_operators = false;
  // B'0101' is a bit string (PostgreSQL); else bits are written as a number.
  bool bit_string_literals = false;
  // Type names CAST(x AS ...) writes for text, integers, decimals, dates and
  // timestamps; empty: no cast that means the same (SQLite's dates are text).
  std::string_view cast_text = "TEXT";
  std::string_view cast_integer = "INTEGER";
  std::string_view cast_decimal;  // takes (precision, scale) when not empty
  std::string_view cast_date;
  std::string_view cast_timestamp;
  // A default that is not a literal is written in parentheses, except
  // CURRENT_TIMESTAMP on a timestamp column (MySQL).
  bool parenthesized_expression_defaults = false;
  // Date/time literals: the zero date '0000-00-00' (and 0) is one (MySQL);
  // a timestamp literal may end in a zone offset, '... 00:00:00+00' (not MySQL).
  bool zero_date_literals = false;
  bool timestamp_literal_offsets = true;
  // A bytes literal: prefix, hex digits, suffix (X'00ff'; PostgreSQL '\x00ff'::bytea).
  std::string_view bytes_literal_prefix = "X'";
  std::string_view bytes_literal_suffix = "'";
};

}  // namespace decant
