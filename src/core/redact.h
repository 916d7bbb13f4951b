// Hiding passwords: every URI that reaches a message, a log line or an
// archive goes through RedactUri first.
#pragma once

#include <string>
#include <string_view>

namespace decant {

// "scheme://user:secret@host/..." -> "scheme://user:****@host/...", and
// "password=secret" in a libpq conninfo string or a URI query -> "password=****";
// anything without a password comes back unchanged.
std::string RedactUri(std::string_view uri);

}  // namespace decant
