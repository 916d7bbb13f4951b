// Hiding passwords (docs/security.md): every connection string that reaches a
// message, a log line, an event, a report or an archive goes through
// RedactUri first, parsed or not; every message decant prints goes through
// RedactSecrets as a last net.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace decant {

// `location` (one URI, conninfo string or path, as the user gave it) with
// every secret replaced by "****", whatever the mistake in it:
// - the userinfo password of "scheme://user:secret@host/...", up to the LAST
//   '@' of the string (a password may hold an unencoded '@', '/', '?' or ' ');
// - the value of every "key=value" (conninfo, URI query, ';'-separated DSN)
//   whose key reads as a password: it holds "pass", "pwd" or "secret", or
//   starts with "pas" or "pw" (password, passwd, passwrd, pwd, sslpassword,
//   client_secret...); a quoted value ends at its closing quote (an
//   unbalanced quote hides the rest of the string), any other at a space,
//   '&' or ';'.
// Anything without a secret comes back unchanged; over-hiding is harmless.
std::string RedactUri(std::string_view location);

// The same for a message that may hold a location among other words: a
// URI's userinfo ends at the last '@' before the next space or quote.
std::string RedactSecrets(std::string_view text);

// RedactSecrets(text), and besides every piece of a secret of `location` that
// `text` holds: a library that parsed `location` otherwise than RedactUri
// (libpq ends a URI's userinfo at its first '@') may name a piece of the
// password as a host, a port or a token in its message. Pieces are the
// secret split at '@', '/', ':', '?', '#', '&', ';', quotes and spaces, of 3
// bytes or more.
std::string RedactSecretsOf(std::string_view text, std::string_view location);

// Where RedactUri finds the secrets of `location`: sorted, disjoint byte ranges.
struct SecretRange {
  size_t offset = 0;
  size_t size = 0;
};
std::vector<SecretRange> SecretRanges(std::string_view location);

// Overwrites each secret byte of the NUL-terminated `location` with '*', in
// place (what `ps` shows of a command-line argument, as the mysql client
// masks -p); true when it found one.
bool MaskSecretsInPlace(char* location);

}  // namespace decant
