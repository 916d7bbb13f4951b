// ASCII case folding: the one place decant compares or folds names and
// keywords without regard to case. Only 'A'-'Z' and 'a'-'z' fold; every other
// byte (including UTF-8) is compared as it is, whatever the C locale says.
#pragma once

#include <string>
#include <string_view>

namespace decant {

inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
inline char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// A copy of `s` with ASCII letters folded.
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);

// True if `a` and `b` have the same length and are equal after AsciiLower.
bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b);
// True if `s` begins with `prefix`, compared as EqualsIgnoreCaseAscii does.
bool StartsWithIgnoreCaseAscii(std::string_view s, std::string_view prefix);

// `s` without the blanks (space, tab, newline) around it: what a number or a
// date read from text may carry (loose SQLite text) and both the value
// converter and verify ignore.
inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace decant
