#include "core/python_json.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string_view>

#include "core/utf8.h"

namespace decant {
namespace {

void AppendU16(unsigned u, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[6] = {'\\', 'u', kHex[(u >> 12) & 15], kHex[(u >> 8) & 15], kHex[(u >> 4) & 15], kHex[u & 15]};
  out->append(buf, 6);
}

}  // namespace

void AppendPythonFloat(double d, std::string* out) {
  if (std::isnan(d)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    *out += d < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  if (!sci.empty() && sci[0] == '-') {
    out->push_back('-');
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char ch : sci.substr(0, e)) {
    if (ch != '.') digits.push_back(ch);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exp10 = 0;
  std::string_view es = sci.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp10);
  int decpt = exp10 + 1;  // value = 0.<digits> * 10^decpt
  if (decpt <= -4 || decpt > 16) {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    *out += fmt::format("e{}{:02d}", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  } else if (decpt <= 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-decpt), '0');
    *out += digits;
  } else if (static_cast<size_t>(decpt) < digits.size()) {
    out->append(digits, 0, static_cast<size_t>(decpt));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(decpt), std::string::npos);
  } else {
    *out += digits;
    out->append(static_cast<size_t>(decpt) - digits.size(), '0');
    *out += ".0";
  }
}

void AppendPythonString(std::string_view s, bool ascii, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': *out += "\\\""; break;
        case '\\': *out += "\\\\"; break;
        case '\n': *out += "\\n"; break;
        case '\r': *out += "\\r"; break;
        case '\t': *out += "\\t"; break;
        case '\b': *out += "\\b"; break;
        case '\f': *out += "\\f"; break;
        default:
          if (c < 0x20 || (ascii && c == 0x7f)) {
            AppendU16(c, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      // Python's strings cannot hold invalid UTF-8: U+FFFD instead.
      if (ascii) {
        AppendU16(0xfffd, out);
      } else {
        *out += "\xef\xbf\xbd";
      }
      ++i;
      continue;
    }
    if (!ascii) {
      out->append(s.data() + i, n);
      i += n;
      continue;
    }
    unsigned cp = c & (0xff >> (n + 1));
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendU16(0xd800 | (cp >> 10), out);
      AppendU16(0xdc00 | (cp & 0x3ff), out);
    } else {
      AppendU16(cp, out);
    }
    i += n;
  }
  out->push_back('"');
}

}  // namespace decant
