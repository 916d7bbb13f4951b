// Moving small pieces of SQL (defaults, view queries, index expressions)
// from one engine's dialect to another's, token by token.
//
// It re-quotes identifiers, drops the source's own schema/database
// qualifiers and PostgreSQL casts, and maps through a neutral meaning what
// the dialects (core/dialect.h, filled in each engine's traits) spell
// differently: function names (Dialect::functions), CONCAT() and ||,
// GROUP_CONCAT / group_concat / string_agg, IFNULL, IF, the current date and
// time, year/month/day extraction, CAST types, MySQL charset introducers,
// LIMIT a, b and OFFSET a LIMIT b, PostgreSQL's ~~ and = ANY (ARRAY[...]).
// A call to a function the source dialect does not list, or whose meaning
// the target has no spelling for, is refused (std::nullopt), as is an
// expression whose meaning would change (|| next to arithmetic, an aggregate
// ORDER BY the target cannot write).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dialect.h"
#include "core/schema.h"

namespace decant {

// `sql` in dialect `from` rewritten for dialect `to`. Qualifiers in `drop_qualifiers`
// (e.g. "public", or the MySQL database's name) are removed. nullopt when the
// text calls something with no equivalent (a sequence, a system catalog).
std::optional<std::string> TranslateSql(std::string_view sql, const Dialect& from, const Dialect& to,
                                        const std::vector<std::string>& drop_qualifiers);

// The query of `view` (read from `schema`, in dialect `from`) in dialect `to`,
// the source's own qualifiers dropped; nullopt when it does not map. Plan and
// every sink ask this one function, so plan names exactly the views a sink
// leaves out.
std::optional<std::string> TranslateView(const Schema& schema, const View& view, const Dialect& from,
                                         const Dialect& to);

// The expression of `check` (a CHECK of a table of `schema`, in dialect
// `from`) in dialect `to`; nullopt when it does not map. Plan and the sinks
// ask this one function.
std::optional<std::string> TranslateCheck(const Schema& schema, const CheckConstraint& check, const Dialect& from,
                                          const Dialect& to);

// A column default as `to` writes it after DEFAULT, for a column of logical
// type `type`; nullopt when it is not one of: a literal (numbers, strings in
// the target's escaping, TRUE/FALSE as the target writes booleans, MySQL's
// b'0101', NULL), a literal with PostgreSQL casts ('abc'::character varying,
// '0'::numeric), or the current date/time in any spelling (now(),
// CURRENT_TIMESTAMP(6), curdate(), datetime('now'), ('now'::text)::date, ...).
// The current timestamp of a DATE column is the current date (TIME: the time).
// A sequence (nextval) is the column's auto id, never a default; anything else
// is application logic, listed by plan rather than guessed.
std::optional<std::string> TranslateDefault(std::string_view expr, LogicalType type, const Dialect& from,
                                            const Dialect& to);

// The qualifiers a schema in dialect `from` writes that mean "this database":
// its default schema ("public", "main"), else the database's own name (MySQL).
std::vector<std::string> DefaultQualifiers(const Dialect& from, const std::string& database);

}  // namespace decant
