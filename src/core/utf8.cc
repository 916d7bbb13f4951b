#include "core/utf8.h"

namespace decant {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if (!IsContinuation(s[i + k])) return 0;
  }
  unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
  if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
  if (c == 0xED && c1 >= 0xA0) return 0;  // surrogates
  if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
  if (c == 0xF4 && c1 >= 0x90) return 0;  // above U+10FFFF
  return n;
}

bool IsValidUtf8(std::string_view s, bool allow_nul) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      if (s[i] == '\0' && !allow_nul) return false;
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string RepairUtf8(std::string_view s, bool allow_nul) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      if (s[i] != '\0' || allow_nul) out.push_back(s[i]);
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

size_t Utf8CharCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += !IsContinuation(c);
  return n;
}

std::string_view Utf8Prefix(std::string_view s, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsContinuation(s[i])) {
      if (seen == chars) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

size_t Utf8BoundaryAtOrBefore(std::string_view s, size_t at) {
  if (at >= s.size()) return at;
  while (at > 0 && IsContinuation(s[at])) --at;
  return at;
}

std::string_view Utf8Cut(std::string_view s, size_t max_bytes) {
  return s.size() <= max_bytes ? s : s.substr(0, Utf8BoundaryAtOrBefore(s, max_bytes));
}

}  // namespace decant
