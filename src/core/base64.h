// Base64 (RFC 4648 section 4: the standard alphabet, with padding): the one
// encoder and decoder for every format that carries bytes so (RethinkDB's
// BINARY pseudo-type, Django's BinaryField).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace decant {

// The bytes of `text`, strictly: only the 64 letters, a length that is a
// multiple of 4, one or two '=' at the end only, zero bits after the last
// byte (so EncodeBase64 gives `text` back). InvalidArgument otherwise,
// "not base64: <why>" (the caller names the value).
Result<std::string> DecodeBase64(std::string_view text);

// Standard base64 with padding, as Python's base64.b64encode writes it.
std::string EncodeBase64(std::string_view bytes);

}  // namespace decant
