#include "mapping/value_conversion.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/ascii.h"
#include "core/hex.h"
#include "core/utf8.h"
#include "mapping/temporal_text.h"

namespace decant {
namespace {

using L = LogicalType;

bool IsIntegerType(L t) { return t == L::kInt16 || t == L::kInt32 || t == L::kInt64 || t == L::kUInt64; }

std::string_view Trim(std::string_view s) { return TrimBlanks(s); }

// A decimal number as sign, integer digits and fraction digits, without
// leading zeros in `integer` or trailing zeros in `fraction`.
struct Decimal {
  bool negative = false;
  std::string integer;   // "" means 0
  std::string fraction;  // "" means none
  std::string Text() const {
    std::string out = negative && !(integer.empty() && fraction.empty()) ? "-" : "";
    out += integer.empty() ? "0" : integer;
    if (!fraction.empty()) out += "." + fraction;
    return out;
  }
  size_t SignificantDigits() const {
    if (!integer.empty()) return integer.size() + fraction.size();
    size_t z = fraction.find_first_not_of('0');
    return z == std::string::npos ? 0 : fraction.size() - z;
  }
};

// Parses [+-]digits[.digits][e[+-]digits]; false for anything else.
bool ParseDecimal(std::string_view s, Decimal* out) {
  s = Trim(s);
  Decimal d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) d.negative = s[i++] == '-';
  std::string digits;
  size_t point = std::string::npos;
  size_t start = i;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits.push_back(s[i]);
    } else if (s[i] == '.' && point == std::string::npos) {
      point = digits.size();
    } else {
      break;
    }
  }
  if (digits.empty() || i == start) return false;
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t e0 = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && exponent < 100000) exponent = exponent * 10 + (s[i++] - '0');
    if (i == e0) return false;
    if (neg) exponent = -exponent;
  }
  if (i != s.size()) return false;
  long int_len = static_cast<long>(point == std::string::npos ? digits.size() : point) + exponent;
  if (int_len > 100000 || int_len < -100000) return false;
  if (int_len <= 0) {
    d.fraction = std::string(static_cast<size_t>(-int_len), '0') + digits;
  } else if (static_cast<size_t>(int_len) >= digits.size()) {
    d.integer = digits + std::string(static_cast<size_t>(int_len) - digits.size(), '0');
  } else {
    d.integer = digits.substr(0, static_cast<size_t>(int_len));
    d.fraction = digits.substr(static_cast<size_t>(int_len));
  }
  d.integer.erase(0, std::min(d.integer.find_first_not_of('0'), d.integer.size()));
  while (!d.fraction.empty() && d.fraction.back() == '0') d.fraction.pop_back();
  *out = std::move(d);
  return true;
}

// Rounds the fraction to `scale` digits, half away from zero. Returns true if
// a non-zero digit was dropped.
bool RoundTo(Decimal* d, int scale) {
  if (scale < 0 || d->fraction.size() <= static_cast<size_t>(scale)) return false;
  bool up = d->fraction[static_cast<size_t>(scale)] >= '5';
  d->fraction.resize(static_cast<size_t>(scale));
  if (up) {
    std::string all = (d->integer.empty() ? "0" : d->integer) + d->fraction;
    int k = static_cast<int>(all.size()) - 1;
    while (k >= 0 && all[static_cast<size_t>(k)] == '9') all[static_cast<size_t>(k--)] = '0';
    if (k < 0) {
      all.insert(all.begin(), '1');
    } else {
      ++all[static_cast<size_t>(k)];
    }
    size_t int_len = all.size() - static_cast<size_t>(scale);
    d->integer = all.substr(0, int_len);
    d->fraction = all.substr(int_len);
    d->integer.erase(0, std::min(d->integer.find_first_not_of('0'), d->integer.size()));
  }
  while (!d->fraction.empty() && d->fraction.back() == '0') d->fraction.pop_back();
  return true;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  s = Trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool ParseDouble(std::string_view s, double* out) {
  s = Trim(s);
  if (EqualsIgnoreCaseAscii(s, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  for (std::string_view inf : {"infinity", "inf", "+infinity", "+inf"}) {
    if (EqualsIgnoreCaseAscii(s, inf)) {
      *out = std::numeric_limits<double>::infinity();
      return true;
    }
  }
  for (std::string_view inf : {"-infinity", "-inf"}) {
    if (EqualsIgnoreCaseAscii(s, inf)) {
      *out = -std::numeric_limits<double>::infinity();
      return true;
    }
  }
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

std::string Hex(std::string_view bytes) {
  std::string out = "\\x";
  AppendHex(bytes, &out);
  return out;
}

std::string PlainText(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool: return v.as_bool() ? "1" : "0";
    case Value::Kind::kInt: return std::to_string(v.as_int());
    case Value::Kind::kUInt: return std::to_string(v.as_uint());
    case Value::Kind::kFloat: return ShortestDecimal(v.as_float());
    default: return v.as_string();
  }
}

// ---- dates and times -------------------------------------------------------

const char* kNullNotType = "not a value of the column's type: stored as NULL";

bool Digits(std::string_view s, size_t* i, size_t min, size_t max, int64_t* out) {
  size_t start = *i;
  int64_t v = 0;
  while (*i < s.size() && *i - start < max && s[*i] >= '0' && s[*i] <= '9') v = v * 10 + (s[(*i)++] - '0');
  if (*i - start < min) return false;
  *out = v;
  return true;
}

// PostgreSQL's interval text ("1 year 2 mons 3 days -04:05:06.5") as
// microseconds, counting a month as 30 days (so *inexact is set when there
// are years or months).
bool IntervalMicros(std::string_view s, int64_t* out, bool* inexact) {
  s = Trim(s);
  long double total = 0;
  *inexact = false;
  size_t i = 0;
  auto skip = [&] {
    while (i < s.size() && s[i] == ' ') ++i;
  };
  while (skip(), i < s.size()) {
    size_t start = i;
    bool neg = false;
    if (s[i] == '-' || s[i] == '+') neg = s[i++] == '-';
    int64_t n;
    if (!Digits(s, &i, 1, 18, &n)) return false;
    if (i < s.size() && s[i] == ':') {  // the time part
      i = s[start] == '+' ? start + 1 : start;
      size_t end = std::min(s.find(' ', i), s.size());
      Moment m;
      if (!ParseMoment(s.substr(i, end - i), /*time_only=*/true, &m) || m.has_offset) return false;
      i = end;
      std::string frac = (m.fraction + "000000").substr(0, 6);
      if (m.fraction.size() > 6) *inexact = true;
      long double t = (static_cast<long double>(m.hour) * 3600 + m.minute * 60 + m.second) * 1000000 + std::stoll(frac);
      total += m.negative_time ? -t : t;
      continue;
    }
    skip();
    size_t w = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(w, i - w);
    long double v = neg ? -n : n;
    if (unit.starts_with("year")) {
      total += v * 360 * 86400 * 1000000LL;
      *inexact = true;
    } else if (unit.starts_with("mon")) {
      total += v * 30 * 86400 * 1000000LL;
      *inexact = true;
    } else if (unit.starts_with("day")) {
      total += v * 86400 * 1000000LL;
    } else {
      return false;
    }
  }
  // long double holds 64 bits of mantissa: exact for every int64 total.
  if (total >= 9.2233720368547758e18L || total < -9.2233720368547758e18L) return false;
  *out = static_cast<int64_t>(total);
  return true;
}

// Microseconds as PostgreSQL interval input: "3 days 00:00:00.000001".
std::string MicrosInterval(int64_t us) {
  bool neg = us < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(us) : static_cast<uint64_t>(us);
  uint64_t days = u / 86400000000ULL, rest = u % 86400000000ULL;
  std::string sign = neg ? "-" : "";
  return fmt::format("{}{} days {}{:02d}:{:02d}:{:02d}.{:06d}", sign, days, sign, rest / 3600000000ULL,
                     rest / 60000000ULL % 60, rest / 1000000ULL % 60, rest % 1000000ULL);
}

}  // namespace

std::string ShortestDecimal(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<size_t>(p - buf));
  if (s.find('e') == std::string_view::npos) return std::string(s);
  Decimal dec;
  ParseDecimal(s, &dec);
  return dec.Text();
}

ValueConverter::ValueConverter(const DataType& source, const EngineTraits& source_engine, const DataType& target,
                               const EngineTraits& target_engine)
    : source_(source), target_(target), into_(&target_engine.values) {
  passthrough_ = source_engine.name == target_engine.name && source == target;
  L t = target.logical;
  // Text-like targets on an engine that does not enforce types (SQLite) take any value as it is.
  if (!into_->enforces_types && (t == L::kAny || t == L::kDate || t == L::kTime || t == L::kTimestamp ||
                                 t == L::kTimestampTz || t == L::kInterval || t == L::kUuid || t == L::kJson ||
                                 t == L::kEnum || t == L::kArray || t == L::kNative || t == L::kBitString)) {
    passthrough_ = source.logical != L::kBitString;
    // Dates and times from another engine are written in their shortest text.
    bool temporal = t == L::kDate || t == L::kTime || t == L::kTimestamp || t == L::kTimestampTz;
    if (temporal && into_->shortest_time_text && source_engine.name != target_engine.name) passthrough_ = false;
  }
  if (t == L::kArray || t == L::kNative || t == L::kGeometry) passthrough_ = true;
  if (t == L::kInterval && (source.logical == L::kInterval || !into_->native_intervals)) passthrough_ = true;
  json_without_nul_ = t == L::kJson && source_engine.values.json_normalized && !into_->text_nul;
  if (json_without_nul_) passthrough_ = false;
}

const char* ValueConverter::Convert(Value* v) const {
  if (passthrough_ || v->is_null()) return nullptr;
  switch (target_.logical) {
    case L::kBool: return ToBool(v);
    case L::kInt16:
    case L::kInt32:
    case L::kInt64:
    case L::kUInt64: return ToInteger(v);
    case L::kFloat32:
    case L::kFloat64: return ToFloat(v);
    case L::kDecimal: return ToDecimal(v);
    case L::kText: return ToText(v);
    case L::kBytes: return ToBytes(v);
    case L::kDate:
    case L::kTime:
    case L::kTimestamp:
    case L::kTimestampTz: return ToTemporal(v);
    case L::kUuid: return ToUuid(v);
    case L::kJson: return ToJson(v);
    case L::kBitString: return ToBits(v);
    case L::kEnum: return ToEnum(v);
    case L::kInterval:
      // An integer in an interval column is microseconds (Django's DurationField
      // on SQLite and MySQL stores durations so).
      if (v->kind() == Value::Kind::kInt) *v = Value::Text(MicrosInterval(v->as_int()));
      return nullptr;
    default: return nullptr;
  }
}

const char* ValueConverter::ToBool(Value* v) {
  switch (v->kind()) {
    case Value::Kind::kBool: return nullptr;
    case Value::Kind::kInt:
    case Value::Kind::kUInt: {
      bool nonzero = v->kind() == Value::Kind::kInt ? v->as_int() != 0 : v->as_uint() != 0;
      bool exact = v->kind() == Value::Kind::kInt ? (v->as_int() == 0 || v->as_int() == 1) : v->as_uint() <= 1;
      *v = Value::Bool(nonzero);
      return exact ? nullptr : "an integer other than 0 or 1 stored as true";
    }
    case Value::Kind::kFloat: {
      double d = v->as_float();
      *v = Value::Bool(d != 0);
      return d == 0 || d == 1 ? nullptr : "a number other than 0 or 1 stored as true";
    }
    default: {
      std::string_view s = Trim(v->as_string());
      for (std::string_view t : {"t", "true", "1", "y", "yes", "on"}) {
        if (EqualsIgnoreCaseAscii(s, t)) {
          *v = Value::Bool(true);
          return nullptr;
        }
      }
      for (std::string_view f : {"f", "false", "0", "n", "no", "off"}) {
        if (EqualsIgnoreCaseAscii(s, f)) {
          *v = Value::Bool(false);
          return nullptr;
        }
      }
      v->SetNull();
      return kNullNotType;
    }
  }
}

const char* ValueConverter::ToInteger(Value* v) const {
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  switch (target_.logical) {
    case L::kInt16: lo = -32768, hi = 32767; break;
    case L::kInt32: lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max(); break;
    case L::kUInt64: lo = 0; break;
    default: break;
  }
  const char* reason = nullptr;
  switch (v->kind()) {
    case Value::Kind::kBool: *v = Value::Int(v->as_bool() ? 1 : 0); return nullptr;
    case Value::Kind::kInt: break;
    case Value::Kind::kUInt:
      if (target_.logical == L::kUInt64) return nullptr;
      if (v->as_uint() > static_cast<uint64_t>(hi)) {
        if (!into_->enforces_types && target_.logical == L::kInt64) {
          *v = Value::Float(static_cast<double>(v->as_uint()));
          return "above the largest 64-bit integer: stored as REAL (rounded)";
        }
        v->SetNull();
        return "out of the column's range: stored as NULL";
      }
      *v = Value::Int(static_cast<int64_t>(v->as_uint()));
      return nullptr;
    case Value::Kind::kFloat: {
      double d = v->as_float();
      if (!std::isfinite(d)) {
        v->SetNull();
        return "NaN or infinity in an integer column: stored as NULL";
      }
      double r = std::round(d);
      if (r < -9.2233720368547758e18 || r >= 9.2233720368547758e18) {
        v->SetNull();
        return "out of the column's range: stored as NULL";
      }
      *v = Value::Int(static_cast<int64_t>(r));
      if (r != d) reason = "a fraction in an integer column: rounded";
      break;
    }
    case Value::Kind::kText:
    case Value::Kind::kBytes: {
      int64_t i;
      if (source_.logical == L::kInterval) {
        // An interval into an integer column becomes microseconds.
        bool inexact;
        if (!IntervalMicros(v->as_string(), &i, &inexact)) {
          v->SetNull();
          return kNullNotType;
        }
        *v = Value::Int(i);
        if (inexact) reason = "an interval with months or years: a month counted as 30 days";
        break;
      }
      if (ParseInt64(v->as_string(), &i)) {
        *v = Value::Int(i);
        break;
      }
      Decimal dec;
      if (target_.logical == L::kUInt64 && ParseDecimal(v->as_string(), &dec) && !dec.negative &&
          dec.fraction.empty()) {
        uint64_t u;
        auto [p, ec] = std::from_chars(dec.integer.data(), dec.integer.data() + dec.integer.size(), u);
        if (ec == std::errc() && p == dec.integer.data() + dec.integer.size()) {
          *v = Value::UInt(u);
          return nullptr;
        }
      }
      if (ParseDecimal(v->as_string(), &dec)) {
        bool dropped = RoundTo(&dec, 0);
        if (ParseInt64(dec.Text(), &i)) {
          *v = Value::Int(i);
          if (dropped) reason = "a fraction in an integer column: rounded";
          break;
        }
        v->SetNull();
        return "out of the column's range: stored as NULL";
      }
      v->SetNull();
      return kNullNotType;
    }
    default: return nullptr;
  }
  int64_t i = v->as_int();
  if (i < lo || i > hi) {
    v->SetNull();
    return "out of the column's range: stored as NULL";
  }
  return reason;
}

const char* ValueConverter::ToFloat(Value* v) const {
  double d;
  const char* reason = nullptr;
  switch (v->kind()) {
    case Value::Kind::kFloat: d = v->as_float(); break;
    case Value::Kind::kBool: d = v->as_bool() ? 1 : 0; break;
    case Value::Kind::kInt:
      d = static_cast<double>(v->as_int());
      if (static_cast<int64_t>(d) != v->as_int() || std::fabs(d) >= 9.2233720368547758e18)
        reason = "more digits than a float holds: rounded";
      break;
    case Value::Kind::kUInt:
      d = static_cast<double>(v->as_uint());
      if (d >= 1.8446744073709552e19 || static_cast<uint64_t>(d) != v->as_uint())
        reason = "more digits than a float holds: rounded";
      break;
    default: {
      if (!ParseDouble(v->as_string(), &d)) {
        v->SetNull();
        return kNullNotType;
      }
      Decimal given, back;
      if (ParseDecimal(v->as_string(), &given) && ParseDecimal(ShortestDecimal(d), &back) &&
          given.Text() != back.Text()) {
        reason = "more digits than a float holds: rounded";
      }
      break;
    }
  }
  if (target_.logical == L::kFloat32 && std::isfinite(d)) {
    float f = static_cast<float>(d);
    if (static_cast<double>(f) != d && !reason) reason = "more digits than a 4-byte float holds: rounded";
    d = f;
  }
  if (std::isnan(d) && !into_->float_nan) {
    v->SetNull();
    return "NaN stored as NULL";
  }
  if (std::isinf(d) && !into_->float_infinity) {
    v->SetNull();
    return "infinity stored as NULL";
  }
  *v = Value::Float(d);
  return reason;
}

const char* ValueConverter::ToDecimal(Value* v) const {
  Decimal dec;
  switch (v->kind()) {
    case Value::Kind::kBool: *v = Value::Text(v->as_bool() ? "1" : "0"); return nullptr;
    case Value::Kind::kInt:
      dec.negative = v->as_int() < 0;
      dec.integer = std::to_string(v->as_int());
      break;
    case Value::Kind::kUInt: dec.integer = std::to_string(v->as_uint()); break;
    case Value::Kind::kFloat:
      if (!std::isfinite(v->as_float())) {
        if (std::isnan(v->as_float()) && into_->decimal_nan) {
          *v = Value::Text("NaN");
          return nullptr;
        }
        v->SetNull();
        return "NaN or infinity stored as NULL";
      }
      ParseDecimal(ShortestDecimal(v->as_float()), &dec);
      break;
    default: {
      std::string_view s = Trim(v->as_string());
      if (EqualsIgnoreCaseAscii(s, "nan") || EqualsIgnoreCaseAscii(s, "infinity") ||
          EqualsIgnoreCaseAscii(s, "-infinity")) {
        if (into_->decimal_nan && EqualsIgnoreCaseAscii(s, "nan")) return nullptr;
        if (!into_->enforces_types) return nullptr;  // kept as text
        v->SetNull();
        return "NaN or infinity stored as NULL";
      }
      if (!ParseDecimal(s, &dec)) {
        if (!into_->enforces_types) return nullptr;  // SQLite keeps the text
        v->SetNull();
        return kNullNotType;
      }
      break;
    }
  }
  if (!dec.integer.empty() && dec.integer[0] == '-') dec.integer.erase(0, 1);
  const char* reason = nullptr;
  if (RoundTo(&dec, target_.scale)) reason = "more decimal places than the column holds: rounded";
  if (target_.precision > 0) {
    int max_int = target_.precision - std::max(0, target_.scale);
    if (static_cast<int>(dec.integer.size()) > max_int) {
      v->SetNull();
      return "more integer digits than the column holds: stored as NULL";
    }
  }
  int exact = into_->exact_decimal_digits;  // decimals stored as floating point (SQLite)
  if (exact > 0 && dec.SignificantDigits() > static_cast<size_t>(exact) && !reason) {
    reason = "more significant digits than the column keeps exactly: rounded to a float";
  }
  if (exact > 0 && v->kind() == Value::Kind::kFloat && !reason) return nullptr;  // already a REAL
  *v = Value::Text(dec.Text());
  return reason;
}

const char* ValueConverter::ToText(Value* v) const {
  const char* reason = nullptr;
  bool nul = into_->text_nul;         // NUL is kept (else removed)
  bool any = !into_->enforces_types;  // any value is kept as given (SQLite)
  switch (v->kind()) {
    case Value::Kind::kText:
      if (source_.logical == L::kUuid && target_.length == 32 && v->as_string().size() == 36) {
        // A uuid into a 32-character column (Django's UUIDField outside PostgreSQL): its hex digits.
        std::string hex;
        for (char ch : v->as_string()) {
          if (ch != '-') hex.push_back(ch);
        }
        *v = Value::Text(hex);
        return nullptr;
      }
      if (into_->requires_valid_utf8 && !IsValidUtf8(v->as_string(), nul)) {
        *v = Value::Text(RepairUtf8(v->as_string(), nul));
        reason = !nul ? "NUL removed or invalid UTF-8 replaced" : "invalid UTF-8 replaced";
      }
      break;
    case Value::Kind::kBytes:
      if (any) return nullptr;  // SQLite keeps a blob in a text column
      if (IsValidUtf8(v->as_string(), nul)) {
        *v = Value::Text(v->as_string());
        reason = "a blob stored as text";
      } else {
        *v = Value::Text(Hex(v->as_string()));
        reason = "a blob stored as hex text";
      }
      break;
    default: {
      if (any) return nullptr;
      // A number from a numeric column keeps its value as text; from an
      // untyped or a text column its storage class is lost.
      L s = source_.logical;
      bool numeric_column = IsIntegerType(s) || s == L::kBool || s == L::kFloat32 || s == L::kFloat64 ||
                            s == L::kDecimal || s == L::kBitString;
      *v = Value::Text(PlainText(*v));
      if (!numeric_column) reason = "a number stored as text";
      break;
    }
  }
  if (target_.length > 0 && into_->enforces_lengths && v->as_string().size() > static_cast<size_t>(target_.length) &&
      Utf8CharCount(v->as_string()) > static_cast<size_t>(target_.length)) {
    *v = Value::Text(Utf8Prefix(v->as_string(), static_cast<size_t>(target_.length)));
    return "longer than the column: cut";
  }
  return reason;
}

const char* ValueConverter::ToBytes(Value* v) const {
  const char* reason = nullptr;
  if (v->kind() != Value::Kind::kBytes) {
    *v = Value::Bytes(PlainText(*v));
    reason = "stored as the bytes of its text";
  }
  if (target_.length > 0 && into_->enforces_lengths && v->as_string().size() > static_cast<size_t>(target_.length)) {
    *v = Value::Bytes(std::string_view(v->as_string()).substr(0, static_cast<size_t>(target_.length)));
    return "longer than the column: cut";
  }
  return reason;
}

const char* ValueConverter::ToTemporal(Value* v) const {
  L t = target_.logical;
  bool any = !into_->enforces_types;  // dates and times are text there, kept as read
  if (v->kind() != Value::Kind::kText) {
    if (any) return nullptr;
    v->SetNull();
    return kNullNotType;
  }
  Moment m;
  if (!ParseMoment(v->as_string(), t == L::kTime, &m)) {
    if (any) return nullptr;
    v->SetNull();
    return kNullNotType;
  }
  if (any) {
    // Text from another engine's date/time column: its shortest exact form
    // (MySQL's DATETIME(6) prints '...00.000000' for a whole second).
    if (into_->shortest_time_text) {
      std::string text = ShortestTemporalText(v->as_string(), t, source_.precision);
      if (text.size() != v->as_string().size()) *v = Value::Text(std::move(text));
    }
    return nullptr;
  }
  if (m.infinity) {
    if (into_->infinite_dates && t != L::kTime) return nullptr;
    v->SetNull();
    return "infinity stored as NULL";
  }
  const char* reason = nullptr;
  if (t != L::kTime) {
    if (m.has_date && m.year == 0 && m.month == 0) {
      if (into_->zero_dates) return nullptr;
      v->SetNull();
      return "a zero date stored as NULL";
    }
    if (!m.has_date) {
      v->SetNull();
      return kNullNotType;
    }
    if ((!into_->bc_dates && (m.bc || m.year < 1)) || (into_->max_year > 0 && m.year > into_->max_year)) {
      v->SetNull();
      return "a date outside the column's range stored as NULL";
    }
    if (m.has_offset && t != L::kTimestampTz) {
      if (m.offset_seconds != 0 || source_.logical == L::kTimestampTz) reason = "the time zone dropped: stored as UTC";
      ToUtc(&m);
    }
    if (t == L::kDate && (m.hour || m.minute || m.second || m.fraction.find_first_not_of('0') != std::string::npos)) {
      if (!reason) reason = "the time of day dropped";
    }
  } else {
    if (m.has_offset && m.offset_seconds != 0) reason = "the time zone dropped";
    if (m.has_date) {
      v->SetNull();
      return kNullNotType;
    }
    if (!into_->times_beyond_24h && (m.negative_time || m.hour > 24 || (m.hour == 24 && (m.minute || m.second)))) {
      v->SetNull();
      return "a time outside 00:00 to 24:00 stored as NULL";
    }
  }
  size_t digits = target_.precision >= 0 ? static_cast<size_t>(std::min(6, target_.precision)) : 6;
  if (m.fraction.size() > digits) {
    if (m.fraction.find_first_not_of('0', digits) != std::string::npos && !reason) {
      reason = "fractions of a second beyond the column's precision: cut";
    }
    m.fraction.resize(digits);
  }
  while (!m.fraction.empty() && m.fraction.back() == '0') m.fraction.pop_back();
  bool date = t != L::kTime;
  bool time = t == L::kTime || t == L::kTimestamp || t == L::kTimestampTz;
  bool offset = into_->time_zones && t == L::kTimestampTz;
  if (offset && m.has_offset) ToUtc(&m);
  *v = Value::Text(FormatMoment(m, date, time, offset, into_->bc_dates));
  return reason;
}

const char* ValueConverter::ToUuid(Value* v) const {
  if (!into_->enforces_types) return nullptr;
  std::string hex;
  std::string_view s = v->kind() == Value::Kind::kText ? Trim(v->as_string()) : std::string_view();
  if (v->kind() == Value::Kind::kBytes && v->as_string().size() == 16) {
    AppendHex(v->as_string(), &hex);
  } else {
    for (char c : s) {
      if (std::isxdigit(static_cast<unsigned char>(c))) {
        hex.push_back(AsciiLower(c));
      } else if (c != '-' && c != '{' && c != '}') {
        hex.clear();
        break;
      }
    }
  }
  if (hex.size() != 32) {
    v->SetNull();
    return kNullNotType;
  }
  std::string out = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
                    "-" + hex.substr(20);
  bool same = v->kind() == Value::Kind::kText && EqualsIgnoreCaseAscii(s, out);
  *v = Value::Text(out);
  return same || v->kind() == Value::Kind::kText ? nullptr : "a 16-byte value stored as a uuid";
}

namespace {

// `j` with every NUL character removed from its strings and object keys;
// *removed is set when there was one.
nlohmann::json WithoutNul(const nlohmann::json& j, bool* removed) {
  auto strip = [&](std::string s) {
    size_t n = s.size();
    std::erase(s, '\0');
    *removed = *removed || s.size() != n;
    return s;
  };
  if (j.is_string()) return strip(j.get<std::string>());
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(WithoutNul(e, removed));
    return out;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : j.items()) out[strip(key)] = WithoutNul(value, removed);
    return out;
  }
  return j;
}

}  // namespace

const char* ValueConverter::ToJson(Value* v) const {
  if (!into_->enforces_types) return nullptr;
  std::string text = PlainText(*v);
  if (!nlohmann::json::accept(text)) {
    v->SetNull();
    return "not valid JSON: stored as NULL";
  }
  if (json_without_nul_ && text.find("\\u0000") != std::string::npos) {
    bool removed = false;
    nlohmann::json j = WithoutNul(nlohmann::json::parse(text, nullptr, false), &removed);
    if (removed) {
      *v = Value::Text(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return "NUL removed from a JSON string";
    }
  }
  if (v->kind() != Value::Kind::kText) *v = Value::Text(text);
  return nullptr;
}

const char* ValueConverter::ToBits(Value* v) const {
  int width = target_.length > 0 ? target_.length : source_.length;
  if (into_->bits_as_unsigned) {
    // MySQL BIT(n) is written as an unsigned number.
    if (v->kind() == Value::Kind::kText) {
      uint64_t u = 0;
      const std::string& s = v->as_string();
      if (s.size() > 64 || s.find_first_not_of("01") != std::string::npos) {
        v->SetNull();
        return kNullNotType;
      }
      for (char c : s) u = (u << 1) | static_cast<uint64_t>(c == '1');
      *v = Value::UInt(u);
    }
    return nullptr;
  }
  if (v->kind() == Value::Kind::kInt || v->kind() == Value::Kind::kUInt) {
    uint64_t u = v->kind() == Value::Kind::kInt ? static_cast<uint64_t>(v->as_int()) : v->as_uint();
    int n = width > 0 ? std::min(width, 64) : 64;
    std::string bits;
    for (int i = n - 1; i >= 0; --i) bits.push_back((u >> i) & 1 ? '1' : '0');
    *v = Value::Text(bits);
  }
  return nullptr;
}

const char* ValueConverter::ToEnum(Value* v) const {
  if (target_.enum_values.empty() || !into_->enforces_types) return nullptr;
  std::string text = PlainText(*v);
  for (const std::string& e : target_.enum_values) {
    if (e == text) {
      if (v->kind() != Value::Kind::kText) *v = Value::Text(text);
      return nullptr;
    }
  }
  v->SetNull();
  return "not one of the enum's values: stored as NULL";
}

}  // namespace decant
