// Python's float.__repr__, which json.dumps writes: what RethinkDB's and
// Django's own tools put in their files.
#pragma once

#include <string>

namespace decant {

// Appends the shortest digits that read back as `d`, in positional form
// unless the decimal exponent is below -4 or at least 16 ("0.1", "1.0",
// "1e+16", "1e-05"); NaN and the infinities as the bare tokens Python's json
// writes ("NaN", "Infinity", "-Infinity").
void AppendPythonFloat(double d, std::string* out);

}  // namespace decant
