// Text from the data (a table or column name, a server's message) as decant
// prints it: control characters (a newline or an escape sequence in a table
// name) are shown escaped, so a message stays one line and cannot drive the
// terminal. The one place messages and progress lines escape names.
#pragma once

#include <string>

#include "core/hex.h"

namespace decant {

// `text` with '\n' as "\n", '\t' as "\t" and any other byte below 0x20, and
// 0x7f, as "\xHH"; every other byte (UTF-8 included) as it is.
inline std::string Printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      AppendHexByte(c, &(out += "\\x"));
    else
      out += static_cast<char>(c);
  }
  return out;
}

}  // namespace decant
