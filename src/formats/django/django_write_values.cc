// Writing: column values into a fixture's JSON, as Django's serializers
// (python.py's _value_from_field, json.py's DjangoJSONEncoder) and Python's
// json module write them.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/civil_date.h"
#include "core/hex.h"
#include "core/python_json.h"
#include "core/utf8.h"
#include "formats/django/django_values.h"
#include "formats/django/write_json.h"
#include "mapping/temporal_text.h"

namespace decant::django {
namespace {

using L = LogicalType;

constexpr int kMaxJsonDepth = 1000;
constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

// A decimal number: digits * 10^exp, `digits` without leading zeros ("0" for zero).
struct Dec {
  bool negative = false;
  std::string digits;
  int64_t exp = 0;
};

// [+-]digits[.digits][(e|E)[+-]digits], blanks around it allowed.
bool ParseDec(std::string_view s, Dec* d) {
  s = TrimBlanks(s);
  size_t i = 0;
  d->negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) d->negative = s[i++] == '-';
  std::string all;
  int64_t frac = 0;
  bool point = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      all.push_back(s[i]);
      if (point) ++frac;
    } else if (s[i] == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (all.empty() || all.size() > 4000) return false;
  int64_t e = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::string_view es = s.substr(i + 1);
    if (!es.empty() && es[0] == '+') es.remove_prefix(1);
    auto r = std::from_chars(es.data(), es.data() + es.size(), e);
    if (r.ec != std::errc() || r.ptr != es.data() + es.size() || e > 100000 || e < -100000) return false;
    i = s.size();
  }
  if (i != s.size()) return false;
  size_t lead = all.find_first_not_of('0');
  d->digits = lead == std::string::npos ? "0" : all.substr(lead);
  d->exp = e - frac;
  return true;
}

// Rounds (half to even, as Decimal.quantize) or pads `d` to `scale` places.
void Quantize(Dec* d, int scale) {
  int64_t want = -static_cast<int64_t>(scale);
  if (d->exp >= want) {
    if (d->digits != "0") d->digits.append(static_cast<size_t>(d->exp - want), '0');
    d->exp = want;
    return;
  }
  size_t drop = static_cast<size_t>(want - d->exp);
  d->exp = want;
  if (drop > d->digits.size()) {
    d->digits = "0";
    return;
  }
  std::string kept = d->digits.substr(0, d->digits.size() - drop);
  std::string_view gone = std::string_view(d->digits).substr(d->digits.size() - drop);
  bool up = false;
  if (gone[0] > '5') {
    up = true;
  } else if (gone[0] == '5') {
    bool rest = gone.find_first_not_of('0', 1) != std::string_view::npos;
    int last = kept.empty() ? 0 : kept.back() - '0';
    up = rest || (last % 2 == 1);
  }
  if (kept.empty()) kept = "0";
  if (up) {
    size_t k = kept.size();
    while (k > 0 && kept[k - 1] == '9') kept[--k] = '0';
    if (k == 0) {
      kept.insert(kept.begin(), '1');
    } else {
      ++kept[k - 1];
    }
  }
  size_t lead = kept.find_first_not_of('0');
  d->digits = lead == std::string::npos ? "0" : kept.substr(lead);
}

// str(Decimal): positional when the exponent is at most 0 and the number has
// more than -6 places before its point, else scientific ("1E-7", "1E+2").
void AppendPythonDecimal(const Dec& d, std::string* out) {
  if (d.negative) out->push_back('-');
  int64_t n = static_cast<int64_t>(d.digits.size());
  int64_t left = d.exp + n;
  int64_t dot = (d.exp <= 0 && left > -6) ? left : 1;
  if (dot <= 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-dot), '0');
    *out += d.digits;
  } else if (dot >= n) {
    *out += d.digits;
    out->append(static_cast<size_t>(dot - n), '0');
  } else {
    out->append(d.digits, 0, static_cast<size_t>(dot));
    out->push_back('.');
    out->append(d.digits, static_cast<size_t>(dot), std::string::npos);
  }
  if (left != dot) *out += fmt::format("E{:+d}", left - dot);
}

// A float as SQLite's Django backend reads a REAL from a decimal column:
// rounded to 15 significant digits (Context(prec=15).create_decimal_from_float).
Dec DecFromFloat(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", x);
  Dec d;
  ParseDec(buf, &d);
  // A whole number keeps its digits; only places after the point are trimmed.
  while (d.exp < 0 && d.digits.size() > 1 && d.digits.back() == '0') {
    d.digits.pop_back();
    ++d.exp;
  }
  if (d.digits == "0") d.exp = std::min<int64_t>(d.exp, 0);
  return d;
}

bool ParseInt(std::string_view s, int64_t* v) {
  s = TrimBlanks(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* v) {
  s = TrimBlanks(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return true;
  std::string low = AsciiLower(s);
  bool neg = !low.empty() && low[0] == '-';
  if (neg) low.erase(0, 1);
  if (low == "nan") {
    *v = std::nan("");
  } else if (low == "inf" || low == "infinity") {
    *v = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  } else {
    return false;
  }
  return true;
}

void AppendInteger(int64_t v, std::string* out) { *out += std::to_string(v); }

// The first three digits of a fraction of a second, when its microseconds are
// not zero (DjangoJSONEncoder cuts isoformat()'s ".ffffff" to ".fff").
void AppendMillis(const std::string& fraction, std::string* out) {
  std::string micro = (fraction + "000000").substr(0, 6);
  if (micro == "000000") return;
  out->push_back('.');
  out->append(micro, 0, 3);
}

bool AppendDate(std::string_view text, std::string* out) {
  Moment m;
  if (!ParseMoment(text, false, &m) || !m.has_date || m.infinity != 0 || m.bc || m.year < 1 || m.year > 9999 ||
      m.month == 0) {
    return false;
  }
  *out += fmt::format("\"{:04d}-{:02d}-{:02d}\"", m.year, m.month, m.day);
  return true;
}

bool AppendTime(std::string_view text, std::string* out) {
  Moment m;
  if (!ParseMoment(text, true, &m) || m.has_date || m.negative_time || m.hour < 0 || m.hour > 23 ||
      (m.has_offset && m.offset_seconds != 0)) {
    return false;
  }
  *out += fmt::format("\"{:02d}:{:02d}:{:02d}", m.hour, m.minute, m.second);
  AppendMillis(m.fraction, out);
  out->push_back('"');
  return true;
}

bool AppendDateTime(std::string_view text, bool naive, std::string* out) {
  Moment m;
  if (!ParseMoment(text, false, &m) || !m.has_date || m.infinity != 0 || m.bc || m.month == 0) return false;
  if (m.has_offset) ToUtc(&m);
  if (m.year < 1 || m.year > 9999 || m.hour < 0 || m.hour > 23) return false;
  *out +=
      fmt::format("\"{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", m.year, m.month, m.day, m.hour, m.minute, m.second);
  AppendMillis(m.fraction, out);
  *out += naive ? "\"" : "Z\"";
  return true;
}

// A UUID's text (hyphens, braces, any case) or 16 bytes as "8-4-4-4-12".
bool AppendUuid(const Value& v, std::string* out) {
  std::string hex;
  if (v.kind() == Value::Kind::kBytes && v.as_string().size() == 16) {
    hex = ToHex(v.as_string());
  } else if (v.kind() == Value::Kind::kText) {
    for (char c : v.as_string()) {
      if (c == '-' || c == '{' || c == '}') continue;
      if (HexDigitValue(c) < 0) return false;
      hex.push_back(AsciiLower(c));
    }
  }
  if (hex.size() != 32) return false;
  *out += fmt::format("\"{}-{}-{}-{}-{}\"", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
                      hex.substr(20));
  return true;
}

// A value by its physical kind alone.
void AppendByKind(const Value& v, bool ascii, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull: *out += "null"; return;
    case Value::Kind::kBool: *out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt: AppendInteger(v.as_int(), out); return;
    case Value::Kind::kUInt: *out += std::to_string(v.as_uint()); return;
    case Value::Kind::kFloat: AppendPythonFloat(v.as_float(), out); return;
    case Value::Kind::kText: AppendPythonString(v.as_string(), ascii, out); return;
    case Value::Kind::kBytes:
      out->push_back('"');
      *out += EncodeBase64(v.as_string());
      out->push_back('"');
      return;
  }
}

bool IsText(const Value& v) { return v.kind() == Value::Kind::kText; }

// Reads JSON text and writes it again as Python's json.dumps would.
class JsonRelayer {
 public:
  JsonRelayer(std::string_view s, bool ascii, const JsonLayout& layout, std::string* out)
      : s_(s), ascii_(ascii), layout_(layout), out_(out) {}

  bool Run(int depth) {
    if (!ParseValue(depth, 0)) return false;
    Blanks();
    return i_ == s_.size();
  }

 private:
  void Blanks() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  void NewLine(int depth) {
    out_->push_back('\n');
    out_->append(static_cast<size_t>(depth) * static_cast<size_t>(layout_.indent), ' ');
  }

  bool Hex4(unsigned* v) {
    if (i_ + 4 > s_.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      int d = HexDigitValue(s_[i_ + static_cast<size_t>(k)]);
      if (d < 0) return false;
      *v = (*v << 4) | static_cast<unsigned>(d);
    }
    i_ += 4;
    return true;
  }

  static void AppendUtf8(unsigned cp, std::string* s) {
    if (cp < 0x80) {
      s->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      s->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      s->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // A string literal at i_, decoded.
  bool String(std::string* text) {
    ++i_;  // '"'
    text->clear();
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        text->push_back(c);
        ++i_;
        continue;
      }
      if (++i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"': text->push_back('"'); break;
        case '\\': text->push_back('\\'); break;
        case '/': text->push_back('/'); break;
        case 'b': text->push_back('\b'); break;
        case 'f': text->push_back('\f'); break;
        case 'n': text->push_back('\n'); break;
        case 'r': text->push_back('\r'); break;
        case 't': text->push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp < 0xdc00 && s_.substr(i_, 2) == "\\u") {
            size_t back = i_;
            i_ += 2;
            unsigned low = 0;
            if (Hex4(&low) && low >= 0xdc00 && low < 0xe000) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            } else {
              i_ = back;
            }
          }
          if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;  // a lone surrogate: UTF-8 cannot hold it
          AppendUtf8(cp, text);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  bool Number() {
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (Literal("Infinity")) {
      *out_ += s_.substr(start, i_ - start);
      return true;
    }
    size_t int_start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    if (i_ == int_start || (s_[int_start] == '0' && i_ - int_start > 1)) return false;
    bool integral = true;
    if (i_ < s_.size() && s_[i_] == '.') {
      integral = false;
      size_t f = ++i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == f) return false;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      size_t e = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == e) return false;
    }
    std::string_view text = s_.substr(start, i_ - start);
    if (integral) {
      // Python's int: any size, digit for digit; "-0" is 0.
      *out_ += text == "-0" ? std::string_view("0") : text;
      return true;
    }
    double d = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec == std::errc::result_out_of_range) {
      // Too large is an infinity for Python, too small a zero.
      size_t e = text.find_first_of("eE");
      bool huge = e != std::string_view::npos && text[e + 1] != '-';
      bool neg = text[0] == '-';
      d = huge ? (neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity())
               : (neg ? -0.0 : 0.0);
    } else if (r.ec != std::errc()) {
      return false;
    }
    AppendPythonFloat(d, out_);
    return true;
  }

  bool ParseValue(int depth, int nesting) {
    if (nesting > kMaxJsonDepth) return false;
    Blanks();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{' || c == '[') return Container(depth, nesting);
    if (c == '"') {
      std::string text;
      if (!String(&text)) return false;
      AppendPythonString(text, ascii_, out_);
      return true;
    }
    for (std::string_view word : {"true", "false", "null", "NaN"}) {
      if (Literal(word)) {
        *out_ += word;
        return true;
      }
    }
    return Number();
  }

  bool Container(int depth, int nesting) {
    bool object = s_[i_] == '{';
    char close = object ? '}' : ']';
    ++i_;
    Blanks();
    out_->push_back(object ? '{' : '[');
    if (i_ < s_.size() && s_[i_] == close) {
      ++i_;
      out_->push_back(close);
      return true;
    }
    for (bool first = true;; first = false) {
      if (!first) *out_ += layout_.item;
      if (layout_.indent > 0) NewLine(depth + 1);
      if (object) {
        Blanks();
        if (i_ >= s_.size() || s_[i_] != '"') return false;
        std::string key;
        if (!String(&key)) return false;
        AppendPythonString(key, ascii_, out_);
        Blanks();
        if (i_ >= s_.size() || s_[i_] != ':') return false;
        ++i_;
        *out_ += layout_.key;
      }
      if (!ParseValue(depth + 1, nesting + 1)) return false;
      Blanks();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] != close) return false;
      ++i_;
      break;
    }
    if (layout_.indent > 0) NewLine(depth);
    out_->push_back(close);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool ascii_;
  const JsonLayout& layout_;
  std::string* out_;
};

// Adds `n` of `unit` (as microseconds per unit) to `*total`; false on overflow.
bool AddScaled(double n, double unit, int64_t* total) {
  double add = std::round(n * unit);
  double sum = static_cast<double>(*total) + add;
  if (!std::isfinite(sum) || std::fabs(sum) > 9.2e18) return false;
  *total += static_cast<int64_t>(add);
  return true;
}

// "[+-]H:MM[:SS[.f]]" as microseconds.
bool ParseClock(std::string_view s, int64_t* micros) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t parts[3] = {0, 0, 0};
  int count = 0;
  std::string fraction;
  size_t i = 0;
  while (count < 3) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 12) return false;
    std::from_chars(s.data() + start, s.data() + i, parts[count++]);
    if (i < s.size() && s[i] == ':') {
      ++i;
      continue;
    }
    break;
  }
  if (count < 2) return false;
  if (i < s.size() && (s[i] == '.' || s[i] == ',') && count == 3) {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') fraction.push_back(s[i++]);
  }
  if (i != s.size()) return false;
  int64_t us = 0;
  if (!fraction.empty()) std::from_chars(fraction.data(), fraction.data() + std::min<size_t>(6, fraction.size()), us);
  for (size_t k = fraction.size(); k < 6; ++k) us *= 10;
  if (parts[0] > 2562047788) return false;  // hours that overflow int64 microseconds
  int64_t v = ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000000 + us;
  *micros = neg ? -v : v;
  return true;
}

std::optional<int64_t> ParseIsoDuration(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || (s[0] != 'P' && s[0] != 'p')) return std::nullopt;
  s.remove_prefix(1);
  bool time = false, any = false;
  int64_t total = 0;
  while (!s.empty()) {
    if (s[0] == 'T' || s[0] == 't') {
      time = true;
      s.remove_prefix(1);
      continue;
    }
    size_t i = 0;
    bool sign = i < s.size() && (s[i] == '-' || s[i] == '+');
    if (sign) ++i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ',')) ++i;
    if (i == (sign ? 1u : 0u) || i >= s.size()) return std::nullopt;
    std::string num(s.substr(0, i));
    for (char& c : num) c = c == ',' ? '.' : c;
    double n = 0;
    if (!ParseDouble(num, &n)) return std::nullopt;
    char unit = AsciiUpper(s[i]);
    double per = 0;
    if (!time) {
      per = unit == 'Y'   ? 365.0 * kMicrosPerDay
            : unit == 'M' ? 30.0 * kMicrosPerDay
            : unit == 'W' ? 7.0 * kMicrosPerDay
            : unit == 'D' ? 1.0 * kMicrosPerDay
                          : 0;
    } else {
      per = unit == 'H' ? 3600e6 : unit == 'M' ? 60e6 : unit == 'S' ? 1e6 : 0;
    }
    if (per == 0 || !AddScaled(n, per, &total)) return std::nullopt;
    any = true;
    s.remove_prefix(i + 1);
  }
  if (!any) return std::nullopt;
  return neg ? -total : total;
}

}  // namespace

bool AppendPythonJsonText(std::string_view json, bool ascii, const JsonLayout& layout, int depth, std::string* out) {
  size_t mark = out->size();
  JsonRelayer r(json, ascii, layout, out);
  if (r.Run(depth)) return true;
  out->resize(mark);
  return false;
}

std::optional<int64_t> ParseDurationMicros(std::string_view text) {
  text = TrimBlanks(text);
  if (text.empty()) return std::nullopt;
  if (auto iso = ParseIsoDuration(text)) return iso;
  // Words: numbers with units ("3 days", "1 year", "2 mons"), a bare number
  // before a clock (Django's "D HH:MM:SS"), and one clock.
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != ',') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  int64_t total = 0;
  bool clock = false;
  for (size_t w = 0; w < words.size(); ++w) {
    std::string_view word = words[w];
    if (word.find(':') != std::string_view::npos) {
      int64_t us = 0;
      if (clock || !ParseClock(word, &us)) return std::nullopt;
      if (!AddScaled(static_cast<double>(us), 1, &total)) return std::nullopt;
      clock = true;
      continue;
    }
    double n = 0;
    if (!ParseDouble(word, &n) || !std::isfinite(n)) return std::nullopt;
    std::string unit = w + 1 < words.size() ? AsciiLower(words[w + 1]) : std::string();
    double per = 0;
    if (unit.starts_with("year")) {
      per = 365.0 * kMicrosPerDay;
    } else if (unit.starts_with("mon")) {
      per = 30.0 * kMicrosPerDay;
    } else if (unit.starts_with("week")) {
      per = 7.0 * kMicrosPerDay;
    } else if (unit.starts_with("day")) {
      per = 1.0 * kMicrosPerDay;
    } else if (unit.starts_with("hour")) {
      per = 3600e6;
    } else if (unit.starts_with("min")) {
      per = 60e6;
    } else if (unit.starts_with("sec")) {
      per = 1e6;
    }
    if (per != 0) {
      ++w;
    } else if (w + 1 < words.size() && words[w + 1].find(':') != std::string_view::npos) {
      per = 1.0 * kMicrosPerDay;  // Django's "D HH:MM:SS"
    } else {
      return std::nullopt;
    }
    if (!AddScaled(n, per, &total)) return std::nullopt;
  }
  return total;
}

std::string DurationString(int64_t micros) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  int64_t secs = rest / 1000000, us = rest % 1000000;
  std::string out = fmt::format("{:02d}:{:02d}:{:02d}", secs / 3600, (secs / 60) % 60, secs % 60);
  if (days != 0) out = fmt::format("{} ", days) + out;
  if (us != 0) out += fmt::format(".{:06d}", us);
  return out;
}

void AppendFixtureValueLaidOut(const Value& v, const ColumnForm& form, bool ascii, const JsonLayout& layout, int depth,
                               std::string* out) {
  if (v.is_null()) {
    *out += "null";
    return;
  }
  L type = form.type.logical;
  bool json = type == L::kJson || form.json_text || form.hint == "json";
  if (json && (IsText(v) || v.kind() == Value::Kind::kBytes)) {
    if (AppendPythonJsonText(v.as_string(), ascii, layout, depth, out)) return;
    AppendPythonString(v.as_string(), ascii, out);  // not JSON: kept as the text it is
    return;
  }
  if (json) {
    AppendByKind(v, ascii, out);
    return;
  }
  if (form.hint == "uuid" || type == L::kUuid) {
    if (AppendUuid(v, out)) return;
    AppendByKind(v, ascii, out);
    return;
  }
  if (form.hint == "duration" || type == L::kInterval) {
    std::optional<int64_t> micros;
    if (v.kind() == Value::Kind::kInt) {
      micros = v.as_int();
    } else if (IsText(v)) {
      int64_t i = 0;
      micros = ParseInt(v.as_string(), &i) ? std::optional<int64_t>(i) : ParseDurationMicros(v.as_string());
    } else if (v.kind() == Value::Kind::kFloat && std::isfinite(v.as_float()) && std::fabs(v.as_float()) < 9.2e18) {
      micros = static_cast<int64_t>(std::llround(v.as_float()));
    }
    if (micros) {
      AppendPythonString(DurationString(*micros), ascii, out);
    } else {
      AppendByKind(v, ascii, out);
    }
    return;
  }
  switch (type) {
    case L::kBool: {
      switch (v.kind()) {
        case Value::Kind::kBool: *out += v.as_bool() ? "true" : "false"; return;
        case Value::Kind::kInt:
        case Value::Kind::kUInt: *out += v.as_uint() != 0 ? "true" : "false"; return;
        case Value::Kind::kFloat: *out += v.as_float() != 0 ? "true" : "false"; return;
        default: break;
      }
      std::string t = AsciiLower(TrimBlanks(v.as_string()));
      if (t == "t" || t == "true" || t == "1" || t == "y" || t == "yes" || t == "on") {
        *out += "true";
      } else if (t == "f" || t == "false" || t == "0" || t == "n" || t == "no" || t == "off") {
        *out += "false";
      } else {
        AppendByKind(v, ascii, out);
      }
      return;
    }
    case L::kInt16:
    case L::kInt32:
    case L::kInt64:
    case L::kUInt64: {
      int64_t i = 0;
      if (v.kind() == Value::Kind::kFloat && std::isfinite(v.as_float()) && v.as_float() == std::trunc(v.as_float()) &&
          std::fabs(v.as_float()) < 9.2e18) {
        AppendInteger(static_cast<int64_t>(v.as_float()), out);
      } else if (IsText(v) && ParseInt(v.as_string(), &i)) {
        AppendInteger(i, out);
      } else {
        AppendByKind(v, ascii, out);
      }
      return;
    }
    case L::kFloat32:
    case L::kFloat64: {
      double d = 0;
      if (v.kind() == Value::Kind::kInt) {
        AppendPythonFloat(static_cast<double>(v.as_int()), out);
      } else if (v.kind() == Value::Kind::kUInt) {
        AppendPythonFloat(static_cast<double>(v.as_uint()), out);
      } else if (IsText(v) && ParseDouble(v.as_string(), &d)) {
        AppendPythonFloat(d, out);
      } else {
        AppendByKind(v, ascii, out);
      }
      return;
    }
    case L::kDecimal: {
      Dec d;
      bool ok = false;
      if (v.kind() == Value::Kind::kInt) {
        ok = ParseDec(std::to_string(v.as_int()), &d);
      } else if (v.kind() == Value::Kind::kUInt) {
        ok = ParseDec(std::to_string(v.as_uint()), &d);
      } else if (v.kind() == Value::Kind::kFloat && std::isfinite(v.as_float())) {
        d = DecFromFloat(v.as_float());
        ok = true;
      } else if (IsText(v)) {
        ok = ParseDec(v.as_string(), &d);
        if (!ok) {
          // Python's spellings of Decimal's special values; SQLite reads a
          // TIME column as decimal, and Django keeps times there as text.
          std::string t = AsciiLower(TrimBlanks(v.as_string()));
          bool neg = t.starts_with('-');
          if (neg || t.starts_with('+')) t.erase(0, 1);
          if (t == "nan") {
            AppendPythonString("NaN", ascii, out);
          } else if (t == "inf" || t == "infinity") {
            AppendPythonString(neg ? "-Infinity" : "Infinity", ascii, out);
          } else if (!AppendTime(v.as_string(), out)) {
            AppendByKind(v, ascii, out);
          }
          return;
        }
      }
      if (!ok) {
        if (v.kind() == Value::Kind::kFloat) {
          AppendPythonString(std::isnan(v.as_float()) ? "NaN"
                             : v.as_float() < 0       ? "-Infinity"
                                                      : "Infinity",
                             ascii, out);
        } else {
          AppendByKind(v, ascii, out);
        }
        return;
      }
      if (form.type.scale >= 0) Quantize(&d, form.type.scale);
      out->push_back('"');
      AppendPythonDecimal(d, out);
      out->push_back('"');
      return;
    }
    case L::kDate:
      if (IsText(v) && AppendDate(v.as_string(), out)) return;
      AppendByKind(v, ascii, out);
      return;
    case L::kTime:
      if (IsText(v) && AppendTime(v.as_string(), out)) return;
      AppendByKind(v, ascii, out);
      return;
    case L::kTimestamp:
    case L::kTimestampTz:
      if (IsText(v) && AppendDateTime(v.as_string(), form.naive, out)) return;
      AppendByKind(v, ascii, out);
      return;
    case L::kText:
      if (v.kind() == Value::Kind::kBytes) {
        AppendPythonString(v.as_string(), ascii, out);
        return;
      }
      AppendByKind(v, ascii, out);
      return;
    case L::kBytes:
      if (IsText(v)) {
        out->push_back('"');
        *out += EncodeBase64(v.as_string());
        out->push_back('"');
        return;
      }
      AppendByKind(v, ascii, out);
      return;
    default: AppendByKind(v, ascii, out); return;
  }
}

void AppendFixtureValue(const Value& v, const ColumnForm& form, bool ascii, std::string* out) {
  AppendFixtureValueLaidOut(v, form, ascii, kPythonLayout, 0, out);
}

}  // namespace decant::django
