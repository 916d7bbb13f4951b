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

#include "core/dialect.h"

namespace decant {

// `sql` in dialect `from` rewritten for dialect `to`. Qualifiers in `drop_qualifiers`
// (e.g. "public", or the MySQL database's name) are removed. nullopt when the
// text calls something with no equivalent (a sequence, a system catalog).
std::optional<std::string> TranslateSql(std::string_view sql, const Dialect& from, const Dialect& to,
                                        const std::vector<std::string>& drop_qualifiers);

// A column default translated, or nullopt when it is not a literal or a
// current date/time: such defaults are application logic and are listed, not guessed.
std::optional<std::string> TranslateDefault(std::string_view expr, const Dialect& from, const Dialect& to);

// The qualifiers a schema in dialect `from` writes that mean "this database":
// its default schema ("public", "main"), else the database's own name (MySQL).
std::vector<std::string> DefaultQualifiers(const Dialect& from, const std::string& database);

}  // namespace decant
