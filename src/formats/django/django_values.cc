#include "formats/django/django_values.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/civil_date.h"
#include "core/hex.h"
#include "formats/django/fixture_file.h"
#include "mapping/temporal_text.h"
#include "mapping/value_conversion.h"

namespace decant::django {
namespace {

using L = LogicalType;
using Json = nlohmann::json;

// Durations are summed in 128 bits so any overflow of int64 is seen.
__extension__ typedef __int128 Int128;  // NOLINT(modernize-use-using)

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

bool IsIntegerType(L t) { return t == L::kInt16 || t == L::kInt32 || t == L::kInt64 || t == L::kUInt64; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// ---- FormOf ------------------------------------------------------------------

// The identifier starting at `*i` (bare, or quoted with "", ``, [] or '',
// a doubled closing quote standing for itself); false if there is none.
bool ReadIdentifier(std::string_view s, size_t* i, std::string* out) {
  out->clear();
  if (*i >= s.size()) return false;
  char open = s[*i];
  char close = open == '[' ? ']' : open;
  if (open == '"' || open == '`' || open == '[' || open == '\'') {
    for (size_t j = *i + 1; j < s.size(); ++j) {
      if (s[j] != close) {
        out->push_back(s[j]);
      } else if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
        out->push_back(close);
        ++j;
      } else {
        *i = j + 1;
        return true;
      }
    }
    return false;
  }
  while (*i < s.size() && IsIdentChar(s[*i])) out->push_back(s[(*i)++]);
  return !out->empty();
}

// True when `expression` calls json_valid(<column>) (any case, quoted or not):
// SQLite's (JSON_VALID("extra") OR "extra" IS NULL), MariaDB's json_valid(`extra`).
bool CallsJsonValid(std::string_view expression, std::string_view column) {
  std::string lower = AsciiLower(expression);
  constexpr std::string_view kCall = "json_valid";
  for (size_t at = lower.find(kCall); at != std::string::npos; at = lower.find(kCall, at + 1)) {
    if (at > 0 && IsIdentChar(lower[at - 1])) continue;
    size_t i = at + kCall.size();
    auto blanks = [&] {
      while (i < expression.size() && (expression[i] == ' ' || expression[i] == '\t' || expression[i] == '\n')) ++i;
    };
    blanks();
    if (i >= expression.size() || expression[i] != '(') continue;
    ++i;
    blanks();
    std::string name;
    if (!ReadIdentifier(expression, &i, &name)) continue;
    blanks();
    if (i < expression.size() && expression[i] == ')' && EqualsIgnoreCaseAscii(name, column)) return true;
  }
  return false;
}

// ---- numbers -----------------------------------------------------------------

std::string CompactJson(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A bare NaN / Infinity / -Infinity token, as the fixture reader marks it.
bool NonFinite(const Json& v, double* d) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  if (!std::string_view(s).starts_with(kNonFiniteMarker)) return false;
  std::string_view token = std::string_view(s).substr(kNonFiniteMarker.size());
  if (token == "NaN") {
    *d = std::numeric_limits<double>::quiet_NaN();
  } else if (token == "Infinity") {
    *d = std::numeric_limits<double>::infinity();
  } else if (token == "-Infinity") {
    *d = -std::numeric_limits<double>::infinity();
  } else {
    return false;
  }
  return true;
}

// True when a JSON value holds a NaN or an infinity somewhere (no JSON
// column of any engine takes them).
bool HasNonFinite(const Json& v) {
  double d;
  if (v.is_string()) return NonFinite(v, &d);
  if (v.is_structured()) {
    for (const Json& item : v) {
      if (HasNonFinite(item)) return true;
    }
  }
  return false;
}

// An integer's text ([+-]digits, blanks around it), as Python's int() reads it.
bool ParseIntegerText(std::string_view s, Value* out) {
  s = TrimBlanks(s);
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), u);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  constexpr uint64_t kMaxInt = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (u > kMaxInt + 1) return false;
    *out = Value::Int(u == kMaxInt + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(u));
  } else {
    *out = u > kMaxInt ? Value::UInt(u) : Value::Int(static_cast<int64_t>(u));
  }
  return true;
}

// A float's text as Python's float() reads it (nan, inf, infinity in any case too).
bool ParseFloatText(std::string_view s, double* d) {
  s = TrimBlanks(s);
  bool negative = !s.empty() && s[0] == '-';
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (EqualsIgnoreCaseAscii(body, "nan")) {
    *d = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (EqualsIgnoreCaseAscii(body, "inf") || EqualsIgnoreCaseAscii(body, "infinity")) {
    *d = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), *d);
  if (ec != std::errc() || p != body.data() + body.size()) return false;
  if (negative) *d = -*d;
  return true;
}

// Python's Decimal() syntax: [sign] (digits[.[digits]] | .digits) [e[sign]digits],
// or Inf, Infinity, NaN, sNaN (any case, NaN with optional digits).
bool IsDecimalText(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (EqualsIgnoreCaseAscii(s, "inf") || EqualsIgnoreCaseAscii(s, "infinity")) return true;
  if (StartsWithIgnoreCaseAscii(s, "nan") || StartsWithIgnoreCaseAscii(s, "snan")) {
    s.remove_prefix(s[0] == 's' || s[0] == 'S' ? 4 : 3);
    for (char c : s) {
      if (!IsDigit(c)) return false;
    }
    return true;
  }
  size_t i = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e0 = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == e0) return false;
  }
  return i == s.size();
}

// ---- durations (django.utils.dateparse.parse_duration) -----------------------

// A run of digits at `*i`; false if there is none.
bool DigitRun(std::string_view s, size_t* i, std::string_view* out) {
  size_t start = *i;
  while (*i < s.size() && IsDigit(s[*i])) ++*i;
  *out = s.substr(start, *i - start);
  return *i > start;
}

// `digits` (at most 18 significant) times `unit`, added to `*total`; false on overflow.
bool AddScaled(std::string_view digits, int64_t unit, Int128* total) {
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  if (digits.size() > 18) return false;
  int64_t n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  *total += static_cast<Int128>(n) * unit;
  return *total < (static_cast<Int128>(1) << 64) && *total > -(static_cast<Int128>(1) << 64);
}

// The fraction `digits` (".5" -> "5") of `unit` microseconds, rounded half
// to even as Python's timedelta rounds a float argument.
int64_t FractionOf(std::string_view digits, int64_t unit) {
  if (digits.size() > 18) digits = digits.substr(0, 18);
  Int128 num = 0, den = 1;
  for (char c : digits) {
    num = num * 10 + (c - '0');
    den *= 10;
  }
  Int128 scaled = num * unit;
  Int128 q = scaled / den, r = scaled % den;
  if (r * 2 > den || (r * 2 == den && (q & 1))) ++q;
  return static_cast<int64_t>(q);
}

bool FitsInt64(Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

// "[-]digits": that many days, in microseconds.
bool SignedDays(std::string_view d, Int128* out) {
  bool negative = !d.empty() && d[0] == '-';
  if (negative) d.remove_prefix(1);
  size_t k = 0;
  std::string_view run;
  Int128 n = 0;
  if (!DigitRun(d, &k, &run) || k != d.size() || !AddScaled(run, kMicrosPerDay, &n)) return false;
  *out = negative ? -n : n;
  return true;
}

// '[-]D [day[s], ][-][[H:]M:]S[.f]' (duration_string, str(timedelta)).
bool StandardDuration(std::string_view s, Int128* out) {
  size_t i = 0;
  Int128 days = 0;
  size_t space = s.find(' ');
  if (space != std::string_view::npos) {
    if (!SignedDays(s.substr(0, space), &days)) return false;
    i = space + 1;
    for (std::string_view word : {"days, ", "day, "}) {
      if (s.substr(i).starts_with(word)) {
        i += word.size();
        break;
      }
    }
  }
  bool negative = i < s.size() && s[i] == '-';
  if (negative) ++i;
  std::string_view parts[3];
  size_t n = 0;
  while (true) {
    if (n == 3 || !DigitRun(s, &i, &parts[n])) return false;
    ++n;
    if (i < s.size() && s[i] == ':') {
      ++i;
      continue;
    }
    break;
  }
  std::string_view fraction;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    if (!DigitRun(s, &i, &fraction) || fraction.size() > 12) return false;
    fraction = fraction.substr(0, 6);  // digits beyond the sixth are ignored
  }
  if (i != s.size()) return false;
  static constexpr int64_t kUnits[3] = {kMicrosPerHour, kMicrosPerMinute, kMicrosPerSecond};
  Int128 time = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!AddScaled(parts[k], kUnits[3 - n + k], &time)) return false;
  }
  time += FractionOf(fraction, kMicrosPerSecond);
  *out = days + (negative ? -time : time);
  return true;
}

// '[-+]P[nD][T[nH][nM][nS]]' with fractions ('.' or ','), duration_iso_string's form.
bool IsoDuration(std::string_view s, Int128* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (i >= s.size() || s[i++] != 'P') return false;
  Int128 total = 0;
  // One number and its designator, the designators in order.
  auto part = [&](std::string_view designators, int64_t const* units, size_t* next) {
    std::string_view whole, fraction;
    size_t k = i;
    if (!DigitRun(s, &k, &whole)) return true;  // absent
    if (k < s.size() && (s[k] == '.' || s[k] == ',')) {
      ++k;
      if (!DigitRun(s, &k, &fraction)) return false;
    }
    if (k >= s.size()) return false;
    size_t d = designators.find(s[k], *next);
    if (d == std::string_view::npos) return false;
    if (!AddScaled(whole, units[d], &total)) return false;
    total += FractionOf(fraction, units[d]);
    *next = d + 1;
    i = k + 1;
    return true;
  };
  static constexpr int64_t kDay[1] = {kMicrosPerDay};
  static constexpr int64_t kTime[3] = {kMicrosPerHour, kMicrosPerMinute, kMicrosPerSecond};
  size_t next = 0;
  if (!part("D", kDay, &next)) return false;
  if (i < s.size() && s[i] == 'T') {
    ++i;
    next = 0;
    for (int k = 0; k < 3 && i < s.size(); ++k) {
      size_t before = i;
      if (!part("HMS", kTime, &next)) return false;
      if (i == before) break;
    }
  }
  if (i != s.size()) return false;
  *out = negative ? -total : total;
  return true;
}

// '[-]D day[s] [[+-]HH:MM:SS[.f]]' (PostgreSQL's interval output).
bool PostgresDuration(std::string_view s, Int128* out) {
  size_t i = 0;
  Int128 days = 0;
  size_t space = s.find(' ');
  if (space != std::string_view::npos) {
    if (!SignedDays(s.substr(0, space), &days)) return false;
    i = space + 1;
    if (!s.substr(i).starts_with("day")) return false;
    i += 3;
    if (i < s.size() && s[i] == 's') ++i;
    if (i < s.size() && s[i] == ' ') ++i;
  }
  Int128 time = 0;
  bool negative = false;
  if (i < s.size()) {
    if (s[i] == '-' || s[i] == '+') negative = s[i++] == '-';
    std::string_view h, m, sec, fraction;
    if (!DigitRun(s, &i, &h) || i >= s.size() || s[i++] != ':') return false;
    if (!DigitRun(s, &i, &m) || m.size() != 2 || i >= s.size() || s[i++] != ':') return false;
    if (!DigitRun(s, &i, &sec) || sec.size() != 2) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!DigitRun(s, &i, &fraction) || fraction.size() > 6) return false;
    }
    if (i != s.size()) return false;
    if (!AddScaled(h, kMicrosPerHour, &time) || !AddScaled(m, kMicrosPerMinute, &time) ||
        !AddScaled(sec, kMicrosPerSecond, &time))
      return false;
    time += FractionOf(fraction, kMicrosPerSecond);
  }
  *out = days + (negative ? -time : time);
  return true;
}

// The microseconds of a duration in any form Django's parse_duration reads.
bool ParseDuration(std::string_view s, int64_t* micros) {
  Int128 total = 0;
  if (!StandardDuration(s, &total) && !IsoDuration(s, &total) && !PostgresDuration(s, &total)) return false;
  if (!FitsInt64(total)) return false;
  *micros = static_cast<int64_t>(total);
  return true;
}

// A string an integer column takes as a duration rather than as an integer.
bool LooksLikeDuration(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s.find(':') != std::string_view::npos || s.starts_with('P') || s.find(" day") != std::string_view::npos;
}

// Microseconds as PostgreSQL prints the interval Django stores for them
// (psycopg2 sends days and non-negative seconds): "1 day 02:03:04.5",
// "-1 days +23:59:59.999999", "00:00:00".
std::string PostgresInterval(int64_t micros) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  std::string out;
  if (days != 0) out = fmt::format("{} {}", days, days == 1 ? "day" : "days");
  if (rest != 0 || days == 0) {
    if (!out.empty()) out += days < 0 ? " +" : " ";
    out += fmt::format("{:02d}:{:02d}:{:02d}", rest / kMicrosPerHour, rest / kMicrosPerMinute % 60,
                       rest / kMicrosPerSecond % 60);
    if (rest % kMicrosPerSecond != 0) {
      std::string fraction = fmt::format("{:06d}", rest % kMicrosPerSecond);
      fraction.erase(fraction.find_last_not_of('0') + 1);
      out += "." + fraction;
    }
  }
  return out;
}

// ---- dates and times -----------------------------------------------------------

// A moment Python's date / datetime / time can hold: years 1 to 9999, a real
// day of the month, hours below 24, seconds below 60.
bool PythonMoment(const Moment& m) {
  if (m.infinity || m.bc || m.negative_time) return false;
  if (m.has_date) {
    if (m.year < 1 || m.year > 9999) return false;
    CivilDate back = CivilFromDays(DaysFromCivil(m.year, static_cast<int>(m.month), static_cast<int>(m.day)));
    if (back.month != static_cast<int>(m.month) || back.day != static_cast<int>(m.day)) return false;
  }
  return !m.has_time || (m.hour < 24 && m.minute < 60 && m.second < 60);
}

std::string OffsetText(int seconds) {
  int o = seconds < 0 ? -seconds : seconds;
  std::string out = fmt::format("{}{:02d}:{:02d}", seconds < 0 ? '-' : '+', o / 3600, o / 60 % 60);
  if (o % 60) out += fmt::format(":{:02d}", o % 60);
  return out;
}

std::string ReadTemporal(const Json& v, L type, Value* out) {
  const char* what = type == L::kDate ? "not a date" : type == L::kTime ? "not a time" : "not a datetime";
  if (!v.is_string()) return what;
  Moment m;
  if (!ParseMoment(v.get_ref<const std::string&>(), type == L::kTime, &m) || !PythonMoment(m)) return what;
  if (m.fraction.size() > 6) m.fraction.resize(6);  // Django reads six digits and ignores the rest
  switch (type) {
    case L::kDate:
      if (m.has_time) return what;
      out->SetText(FormatMoment(m, true, false, false, false));
      return "";
    case L::kTime:
      if (m.has_offset && m.offset_seconds != 0) return "a time with a time zone";
      out->SetText(FormatMoment(m, false, true, false, false));
      return "";
    case L::kTimestamp:
      if (m.has_offset) ToUtc(&m);
      if (m.year < 1 || m.year > 9999) return what;  // Python's datetime overflows too
      out->SetText(FormatMoment(m, true, true, false, false));
      return "";
    default:  // timestamptz: a value without an offset is taken as UTC
      out->SetText(FormatMoment(m, true, true, false, false) + OffsetText(m.has_offset ? m.offset_seconds : 0));
      return "";
  }
}

// ---- UUIDs ---------------------------------------------------------------------

// The 32 lower-case hex digits of a UUID in a form Python's uuid.UUID(hex=)
// reads (hyphens, braces, "urn:uuid:" prefix), or false.
bool UuidHex(std::string_view s, std::string* hex) {
  hex->clear();
  if (s.starts_with("urn:")) s.remove_prefix(4);
  if (s.starts_with("uuid:")) s.remove_prefix(5);
  while (!s.empty() && (s.front() == '{')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '}')) s.remove_suffix(1);
  for (char c : s) {
    if (c == '-') continue;
    if (HexDigitValue(c) < 0 || hex->size() == 32) return false;
    hex->push_back(AsciiLower(c));
  }
  return hex->size() == 32;
}

// True for the hyphenated 8-4-4-4-12 form.
bool IsHyphenatedUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : HexDigitValue(s[i]) < 0) return false;
  }
  return true;
}

// ---- by column type ------------------------------------------------------------

std::string ReadBool(const Json& v, Value* out) {
  if (v.is_boolean()) {
    *out = Value::Bool(v.get<bool>());
    return "";
  }
  if (v.is_number()) {
    double d = v.get<double>();
    if (d != 0 && d != 1) return "not a boolean";
    *out = Value::Bool(d == 1);
    return "";
  }
  if (v.is_string()) {  // BooleanField.to_python's strings
    const auto& s = v.get_ref<const std::string&>();
    if (s == "t" || s == "True" || s == "1") {
      *out = Value::Bool(true);
      return "";
    }
    if (s == "f" || s == "False" || s == "0") {
      *out = Value::Bool(false);
      return "";
    }
  }
  return "not a boolean";
}

std::string ReadInteger(const Json& v, Value* out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    *out = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? Value::UInt(u)
                                                                          : Value::Int(static_cast<int64_t>(u));
    return "";
  }
  if (v.is_number_integer()) {
    *out = Value::Int(v.get<int64_t>());
    return "";
  }
  if (v.is_boolean()) {
    *out = Value::Int(v.get<bool>() ? 1 : 0);
    return "";
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d != std::trunc(d)) return "not a whole number";
    if (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) {
      *out = Value::Int(static_cast<int64_t>(d));
    } else if (d >= 0 && d < 1.8446744073709552e19) {
      *out = Value::UInt(static_cast<uint64_t>(d));
    } else {
      return "out of range";
    }
    return "";
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    double d;
    if (NonFinite(v, &d)) return "not a whole number";
    if (LooksLikeDuration(s)) {  // a DurationField on SQLite and MySQL: microseconds
      int64_t micros;
      if (!ParseDuration(s, &micros)) return "not a duration";
      *out = Value::Int(micros);
      return "";
    }
    if (ParseIntegerText(s, out)) return "";
  }
  return "not a number";
}

std::string ReadFloat(const Json& v, Value* out) {
  double d;
  if (v.is_number()) {
    *out = Value::Float(v.get<double>());
    return "";
  }
  if (NonFinite(v, &d) || (v.is_string() && ParseFloatText(v.get_ref<const std::string&>(), &d))) {
    *out = Value::Float(d);
    return "";
  }
  return "not a number";
}

std::string ReadDecimal(const Json& v, Value* out) {
  double d;
  if (v.is_number_integer()) {
    out->SetText(CompactJson(v));
    return "";
  }
  if (v.is_number_float()) {
    out->SetText(ShortestDecimal(v.get<double>()));
    return "";
  }
  if (NonFinite(v, &d)) {
    out->SetText(ShortestDecimal(d));
    return "";
  }
  if (!v.is_string()) return "not a number";
  std::string_view s = TrimBlanks(v.get_ref<const std::string&>());
  Moment m;
  // SQLite reads Django's TIME columns as decimal: a time is kept as text.
  if (IsDecimalText(s) || (ParseMoment(s, true, &m) && PythonMoment(m))) {
    out->SetText(s);
    return "";
  }
  return "not a number";
}

std::string ReadJson(const Json& v, Value* out) {
  if (HasNonFinite(v)) return "NaN or Infinity in JSON";
  out->SetText(CompactJson(v));
  return "";
}

std::string ReadText(const Json& v, const ColumnForm& form, Value* out) {
  if (form.json_text) return ReadJson(v, out);
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    std::string hex;
    // Django's UUIDField outside PostgreSQL is char(32): its hex digits.
    if (form.type.length == 32 && IsHyphenatedUuid(s) && UuidHex(s, &hex)) {
      out->SetText(hex);
    } else {
      out->SetText(s);
    }
    return "";
  }
  if (v.is_number()) {
    out->SetText(CompactJson(v));
    return "";
  }
  return "not a string";
}

}  // namespace

ColumnForm FormOf(const Table& table, size_t column) {
  ColumnForm form{table.columns[column].type, false, ""};
  for (const CheckConstraint& check : table.checks) {
    if (CallsJsonValid(check.expression, table.columns[column].name)) form.json_text = true;
  }
  return form;
}

std::string FixtureValue(const nlohmann::json& v, const ColumnForm& form, Value* out) {
  out->SetNull();
  if (v.is_null()) return "";
  L type = form.type.logical;
  std::string reason;
  if (IsIntegerType(type)) {
    reason = ReadInteger(v, out);
  } else {
    switch (type) {
      case L::kBool: reason = ReadBool(v, out); break;
      case L::kFloat32:
      case L::kFloat64: reason = ReadFloat(v, out); break;
      case L::kDecimal: reason = ReadDecimal(v, out); break;
      case L::kText: reason = ReadText(v, form, out); break;
      case L::kBytes: {
        if (!v.is_string()) {
          reason = "not base64";
          break;
        }
        auto bytes = DecodeBase64(v.get_ref<const std::string&>());
        if (!bytes.ok()) {
          reason = "bad base64";
          break;
        }
        out->SetBytes(*bytes);
        break;
      }
      case L::kDate:
      case L::kTime:
      case L::kTimestamp:
      case L::kTimestampTz: reason = ReadTemporal(v, type, out); break;
      case L::kInterval: {
        int64_t micros;
        if (!v.is_string() || !ParseDuration(v.get_ref<const std::string&>(), &micros)) {
          reason = "not a duration";
          break;
        }
        out->SetText(PostgresInterval(micros));
        break;
      }
      case L::kUuid: {
        std::string hex;
        if (!v.is_string() || !UuidHex(v.get_ref<const std::string&>(), &hex)) {
          reason = "not a UUID";
          break;
        }
        out->SetText(fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                                 hex.substr(16, 4), hex.substr(20)));
        break;
      }
      case L::kJson: reason = ReadJson(v, out); break;
      default:  // enum, array, native, any, ...
        if (form.json_text) {
          reason = ReadJson(v, out);
        } else if (v.is_string()) {
          out->SetText(v.get_ref<const std::string&>());
        } else {
          out->SetText(CompactJson(v));
        }
        break;
    }
  }
  if (!reason.empty()) out->SetNull();
  return reason;
}

}  // namespace decant::django
