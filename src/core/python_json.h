// Floats and strings as Python's json.dumps writes them: what RethinkDB's
// and Django's own tools put in their files.
#pragma once

#include <string>
#include <string_view>

namespace decant {

// Appends the shortest digits that read back as `d`, in positional form
// unless the decimal exponent is below -4 or at least 16 ("0.1", "1.0",
// "1e+16", "1e-05"); NaN and the infinities as the bare tokens Python's json
// writes ("NaN", "Infinity", "-Infinity").
void AppendPythonFloat(double d, std::string* out);

// Appends `s` as a JSON string the way json.dumps escapes it: '"', '\\' and
// \b \f \n \r \t by name, other control characters as \u00XX; with
// `ensure_ascii` (json.dumps' default) every character outside ' '..'~' as
// \uXXXX (a surrogate pair above U+FFFF), else UTF-8 as it is. Bytes that
// are not UTF-8 become U+FFFD (a Python string cannot hold them).
void AppendPythonString(std::string_view s, bool ensure_ascii, std::string* out);

}  // namespace decant
