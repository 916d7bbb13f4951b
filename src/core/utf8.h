// UTF-8: the one place decant validates, repairs and measures UTF-8 text.
// "Valid" is RFC 3629: no overlong forms, no surrogates (U+D800-U+DFFF),
// nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace decant {

// Length (1-4) of the valid UTF-8 sequence starting at s[i], or 0 if none
// starts there. Requires i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True if `s` is valid UTF-8; with allow_nul false, a NUL byte also makes it
// invalid.
bool IsValidUtf8(std::string_view s, bool allow_nul = true);

// `s` made valid: every byte that does not start a valid sequence becomes
// U+FFFD, and NUL bytes are dropped unless allow_nul. Valid input comes back
// unchanged.
std::string RepairUtf8(std::string_view s, bool allow_nul = true);

// Characters in `s`: the bytes that are not continuation bytes (10xxxxxx).
size_t Utf8CharCount(std::string_view s);

// The first `chars` characters of `s` (counted as Utf8CharCount does), or all
// of it if it has fewer.
std::string_view Utf8Prefix(std::string_view s, size_t chars);

// The largest position <= `at` that does not fall on a continuation byte
// (never below 0), for cutting `s` at a character boundary. Requires
// at <= s.size(); s.size() itself is returned as it is.
size_t Utf8BoundaryAtOrBefore(std::string_view s, size_t at);

// `s` cut to at most `max_bytes` bytes at a character boundary (a name cut
// to an engine's length limit); `s` itself when it fits.
std::string_view Utf8Cut(std::string_view s, size_t max_bytes);

}  // namespace decant
