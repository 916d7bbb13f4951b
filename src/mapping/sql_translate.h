// Moving small pieces of SQL (defaults, view queries, index expressions)
// from one engine's dialect to another's, token by token.
//
// This is deliberately modest: it re-quotes identifiers, drops the source's
// own schema/database qualifiers, drops PostgreSQL casts and maps the few
// functions every engine has under another name. Anything it cannot vouch
// for is either refused (std::nullopt) or tried by the target, and an object
// the target refuses is named in the summary, never dropped in silence.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace decant {

// `sql` in `from`'s dialect rewritten for `to`. Qualifiers in `drop_qualifiers`
// (e.g. "public", or the MySQL database's name) are removed. nullopt when the
// text calls something with no equivalent (a sequence, a system catalog).
std::optional<std::string> TranslateSql(std::string_view sql, const std::string& from, const std::string& to,
                                        const std::vector<std::string>& drop_qualifiers);

// A column default translated, or nullopt when it is not a literal or a
// current date/time: such defaults are application logic and are listed, not guessed.
std::optional<std::string> TranslateDefault(std::string_view expr, const std::string& from, const std::string& to);

// The qualifiers a schema from `engine` writes that mean "this database":
// "public" for PostgreSQL, the database name for MySQL, "main" for SQLite.
std::vector<std::string> DefaultQualifiers(const std::string& engine, const std::string& database);

}  // namespace decant
