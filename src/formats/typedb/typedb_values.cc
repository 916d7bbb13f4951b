#include "formats/typedb/typedb_values.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "core/ascii.h"
#include "core/civil_date.h"
#include "core/utf8.h"
#include "mapping/temporal_text.h"
#include "mapping/value_conversion.h"

namespace decant::typedb {
namespace {

// __int128 is a GNU extension (-Wpedantic would name it).
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

constexpr Int128 kDenominator = static_cast<Int128>(10'000'000'000'000'000'000ULL);  // 10^19
constexpr int64_t kNanosPerSecond = 1'000'000'000;
// 0001-01-01 is day 1 of num_days_since_ce and day -719162 of the Unix epoch.
constexpr int64_t kCeToEpochDays = 719163;
// A datetime decant writes must be a 64-bit count of microseconds (the
// range of every engine's timestamp and more: about 292,000 years).
constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000;

// "YYYY-MM-DD" of `days` since the Unix epoch; years before 1 as PostgreSQL
// writes them: 1 BC is "0001-...-.. BC" (the suffix is returned apart).
std::string DateText(int64_t days, bool* bc) {
  CivilDate d = CivilFromDays(days);
  *bc = d.year <= 0;
  int64_t year = *bc ? 1 - d.year : d.year;
  return fmt::format("{:04d}-{:02d}-{:02d}", year, d.month, d.day);
}

// "YYYY-MM-DD HH:MM:SS.f" with `digits` digits of `fraction` (a count of
// 10^-digits seconds), " BC" for years before 1.
std::string TimestampText(int64_t seconds, int64_t fraction, int digits) {
  int64_t days = FloorDiv(seconds, 86400);
  int64_t rest = seconds - days * 86400;
  bool bc = false;
  std::string out = DateText(days, &bc);
  out += fmt::format(" {:02d}:{:02d}:{:02d}.{:0{}d}", rest / 3600, rest / 60 % 60, rest % 60, fraction, digits);
  if (bc) out += " BC";
  return out;
}

std::string OffsetText(int32_t offset) {
  int64_t o = offset < 0 ? -int64_t{offset} : offset;
  std::string out = fmt::format("{}{:02d}:{:02d}", offset < 0 ? '-' : '+', o / 3600, o / 60 % 60);
  if (o % 60) out += fmt::format(":{:02d}", o % 60);
  return out;
}

// Exact decimal text of integer + fractional / 10^19: no '+', no leading
// zeros, trailing fractional zeros dropped.
std::string DecimalText(int64_t integer, uint64_t fractional) {
  Int128 total = static_cast<Int128>(integer) * kDenominator + fractional;
  bool negative = total < 0;
  UInt128 abs = negative ? static_cast<UInt128>(-(total + 1)) + 1 : static_cast<UInt128>(total);
  auto whole = static_cast<uint64_t>(abs / static_cast<UInt128>(kDenominator));
  auto frac = static_cast<uint64_t>(abs % static_cast<UInt128>(kDenominator));
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  if (frac != 0) {
    std::string digits = fmt::format("{:019d}", frac);
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out;
}

// ISO 8601: P[nY][nM][nD][T[nH][nM][n[.f]S]], PT0S for zero.
std::string DurationText(uint32_t months, uint32_t days, uint64_t nanos) {
  std::string out = "P";
  if (months / 12) out += fmt::format("{}Y", months / 12);
  if (months % 12) out += fmt::format("{}M", months % 12);
  if (days) out += fmt::format("{}D", days);
  uint64_t seconds = nanos / kNanosPerSecond, sub = nanos % kNanosPerSecond;
  if (nanos) {
    out += "T";
    if (seconds / 3600) out += fmt::format("{}H", seconds / 3600);
    if (seconds / 60 % 60) out += fmt::format("{}M", seconds / 60 % 60);
    if (seconds % 60 || sub) {
      out += fmt::format("{}", seconds % 60);
      if (sub) {
        std::string digits = fmt::format("{:09d}", sub);
        digits.erase(digits.find_last_not_of('0') + 1);
        out += "." + digits;
      }
      out += "S";
    }
  }
  if (out == "P") out = "PT0S";
  return out;
}

Status Bad(ValueType type, const Value& v) {
  std::string shown = v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kBytes
                          ? "'" + std::string(Utf8Cut(v.as_string(), 60)) + "'"
                          : v.DebugString();
  return Status::InvalidArgument(fmt::format("{} is not a {} value", shown, ValueTypeName(type)));
}

bool IsText(const Value& v) { return v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kBytes; }

bool ParseInt64(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Decimal text ([+-]digits[.digits][(e|E)[+-]digits]) as a count of 10^-19,
// exactly; false when it has a non-zero digit beyond the 19th fractional
// one or does not fit in an int128.
bool ParseDecimal(std::string_view s, Int128* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string digits;  // all mantissa digits
  int64_t point = -1;  // digits before the point
  bool any = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits.push_back(s[i]);
      any = true;
    } else if (s[i] == '.' && point < 0) {
      point = static_cast<int64_t>(digits.size());
    } else {
      break;
    }
  }
  if (!any) return false;
  if (point < 0) point = static_cast<int64_t>(digits.size());
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    if (!ParseInt64(s.substr(i + 1), &exponent) || exponent > 100 || exponent < -100) return false;
    i = s.size();
  }
  if (i != s.size()) return false;
  point += exponent;
  // The digits scaled to 10^-19: digit k (0-based) has weight 10^(point-1-k+19).
  Int128 total = 0;
  constexpr Int128 kMax = (~static_cast<UInt128>(0) >> 1) / 10;
  for (size_t k = 0; k < digits.size(); ++k) {
    int64_t weight = point - 1 - static_cast<int64_t>(k) + 19;
    if (weight < 0) {
      if (digits[k] != '0') return false;
      continue;
    }
    if (total > kMax) return false;
    total = total * 10 + (digits[k] - '0');
  }
  int64_t missing = point + 19 - static_cast<int64_t>(digits.size());  // zeros after the last digit
  for (int64_t k = 0; k < missing; ++k) {
    if (total > kMax) return false;
    total *= 10;
  }
  *out = negative ? -total : total;
  return true;
}

// The digits of a fraction of a second as a count of 10^-digits seconds;
// false when a non-zero digit lies beyond `digits`.
bool Fraction(const std::string& f, int digits, int64_t* out) {
  int64_t v = 0;
  for (size_t k = 0; k < f.size(); ++k) {
    if (static_cast<int>(k) >= digits) {
      if (f[k] != '0') return false;
      continue;
    }
    v = v * 10 + (f[k] - '0');
  }
  for (size_t k = f.size(); static_cast<int>(k) < digits; ++k) v *= 10;
  *out = v;
  return true;
}

// Timestamp or date text (any engine's form, " BC" and offsets included)
// as seconds since the epoch and its fraction of a second.
bool ParseInstant(const Value& v, int64_t* seconds, std::string* fraction, bool date_only) {
  if (!IsText(v)) return false;
  Moment m;
  if (!ParseMoment(v.as_string(), false, &m) || m.infinity || !m.has_date || m.month == 0) return false;
  if (date_only && m.has_time &&
      (m.hour || m.minute || m.second || m.fraction.find_first_not_of('0') != std::string::npos))
    return false;
  if (m.year > 10'000'000) return false;
  int64_t year = m.bc ? 1 - m.year : m.year;
  int64_t days = DaysFromCivil(year, static_cast<int>(m.month), static_cast<int>(m.day));
  CivilDate check = CivilFromDays(days);
  if (check.month != static_cast<int>(m.month) || check.day != static_cast<int>(m.day)) return false;  // 02-30
  *seconds = days * 86400 + int64_t{m.hour} * 3600 + int64_t{m.minute} * 60 + m.second - m.offset_seconds;
  if (m.hour > 23 || m.second > 59) return false;
  *fraction = m.fraction;
  return true;
}

// "+HH:MM[:SS]" (also "+HH", "+HHMM") as seconds east of UTC.
bool ParseOffset(std::string_view s, int32_t* out) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  int sign = s[0] == '-' ? -1 : 1;
  int parts[3] = {0, 0, 0};
  size_t i = 1;
  for (int p = 0; p < 3 && i < s.size(); ++p) {
    if (p > 0 && s[i] == ':') ++i;
    if (i + 2 > s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return false;
    parts[p] = (s[i] - '0') * 10 + (s[i + 1] - '0');
    i += 2;
  }
  if (i != s.size() || parts[1] > 59 || parts[2] > 59) return false;
  int32_t seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  if (seconds >= 86400) return false;
  *out = sign * seconds;
  return true;
}

// One "<number><unit>" of a duration; false at the end or on a bad form.
bool DurationPart(std::string_view s, size_t* i, uint64_t* number, std::string* fraction, char* unit) {
  size_t start = *i;
  uint64_t n = 0;
  while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9') {
    if (n > (std::numeric_limits<uint64_t>::max() - 9) / 10) return false;
    n = n * 10 + static_cast<uint64_t>(s[(*i)++] - '0');
  }
  if (*i == start) return false;
  fraction->clear();
  if (*i < s.size() && s[*i] == '.') {
    ++*i;
    while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9') fraction->push_back(s[(*i)++]);
    if (fraction->empty()) return false;
  }
  if (*i >= s.size()) return false;
  *unit = s[(*i)++];
  *number = n;
  return true;
}

bool AddChecked(uint64_t* total, uint64_t n, uint64_t unit) {
  if (unit != 0 && n > (std::numeric_limits<uint64_t>::max() - *total) / unit) return false;
  *total += n * unit;
  return true;
}

bool ParseDuration(std::string_view s, v3::Duration* out) {
  if (s.size() < 3 || s[0] != 'P') return false;
  uint64_t months = 0, days = 0, nanos = 0;
  size_t i = 1;
  bool time = false;
  const char* order = "YMD";  // the units still allowed, in order
  const char* time_order = "HMS";
  bool any = false;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (time || i + 1 >= s.size()) return false;
      time = true;
      ++i;
      continue;
    }
    uint64_t n;
    std::string fraction;
    char unit;
    if (!DurationPart(s, &i, &n, &fraction, &unit)) return false;
    const char*& allowed = time ? time_order : order;
    const char* at = std::char_traits<char>::find(allowed, std::char_traits<char>::length(allowed), unit);
    if (at == nullptr) return false;
    allowed = at + 1;
    if (!fraction.empty() && !(time && unit == 'S')) return false;
    any = true;
    bool ok = true;
    if (!time && unit == 'Y') ok = AddChecked(&months, n, 12);
    if (!time && unit == 'M') ok = AddChecked(&months, n, 1);
    if (!time && unit == 'D') ok = AddChecked(&days, n, 1);
    if (time && unit == 'H') ok = AddChecked(&nanos, n, 3600ULL * kNanosPerSecond);
    if (time && unit == 'M') ok = AddChecked(&nanos, n, 60ULL * kNanosPerSecond);
    if (time && unit == 'S') {
      int64_t sub = 0;
      ok = AddChecked(&nanos, n, kNanosPerSecond) && Fraction(fraction, 9, &sub) &&
           AddChecked(&nanos, static_cast<uint64_t>(sub), 1);
    }
    if (!ok) return false;
  }
  if (!any || months > std::numeric_limits<uint32_t>::max() || days > std::numeric_limits<uint32_t>::max())
    return false;
  out->set_months(static_cast<uint32_t>(months));
  out->set_days(static_cast<uint32_t>(days));
  out->set_nanos(nanos);
  return true;
}

bool SecondsInRange(int64_t seconds) { return seconds >= -kMaxSeconds && seconds <= kMaxSeconds; }

Status DatetimeToSql(const v3::Datetime& d, SqlValue* out) {
  if (!SecondsInRange(d.seconds()) || d.nanos() >= kNanosPerSecond)
    return Status::Corruption(fmt::format("datetime {}s {}ns is out of range", d.seconds(), d.nanos()));
  out->value = Value::Text(TimestampText(d.seconds(), d.nanos() / 1000, 6));
  out->ns = Value::Int(d.nanos() % 1000);
  return Status::OK();
}

// The value and value_ns columns of a datetime.
bool DatetimeFromSql(const Value& value, const Value& ns, v3::Datetime* out) {
  int64_t seconds, nanos;
  std::string fraction;
  if (!ParseInstant(value, &seconds, &fraction, false) || !Fraction(fraction, 9, &nanos) || !SecondsInRange(seconds))
    return false;
  if (!ns.is_null()) {
    int64_t below;
    if (ns.kind() == Value::Kind::kInt) {
      below = ns.as_int();
    } else if (!IsText(ns) || !ParseInt64(ns.as_string(), &below)) {
      return false;
    }
    if (below < 0 || below > 999 || (nanos % 1000 != 0 && nanos % 1000 != below)) return false;
    nanos = nanos - nanos % 1000 + below;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<uint32_t>(nanos));
  return true;
}

}  // namespace

ValueType TypeOf(const v3::MigrationValue& v) {
  using C = v3::MigrationValue::ValueCase;
  switch (v.value_case()) {
    case C::kString: return ValueType::kString;
    case C::kBoolean: return ValueType::kBoolean;
    case C::kInteger: return ValueType::kInteger;
    case C::kDouble: return ValueType::kDouble;
    case C::kDatetimeMillis: return ValueType::kDatetimeMillis;
    case C::kDecimal: return ValueType::kDecimal;
    case C::kDate: return ValueType::kDate;
    case C::kDatetime: return ValueType::kDatetime;
    case C::kDatetimeTz: return ValueType::kDatetimeTz;
    case C::kDuration: return ValueType::kDuration;
    case C::kStruct: return ValueType::kStruct;
    default: return ValueType::kNone;
  }
}

Status ToSql(const v3::MigrationValue& v, SqlValue* out) {
  out->value = Value();
  out->tz = Value();
  out->ns = Value();
  using C = v3::MigrationValue::ValueCase;
  switch (v.value_case()) {
    case C::kString: out->value = Value::Text(v.string()); return Status::OK();
    case C::kBoolean: out->value = Value::Bool(v.boolean()); return Status::OK();
    case C::kInteger: out->value = Value::Int(v.integer()); return Status::OK();
    case C::kDouble: out->value = Value::Float(v.double_()); return Status::OK();
    case C::kDatetimeMillis: {
      int64_t ms = v.datetime_millis();
      int64_t seconds = FloorDiv(ms, 1000);
      if (!SecondsInRange(seconds)) return Status::Corruption(fmt::format("datetime {}ms is out of range", ms));
      out->value = Value::Text(TimestampText(seconds, ms - seconds * 1000, 3));
      return Status::OK();
    }
    case C::kDecimal:
      if (v.decimal().fractional() >= static_cast<uint64_t>(kDenominator))
        return Status::Corruption(
            fmt::format("decimal fractional part {} is not below 10^19", v.decimal().fractional()));
      out->value = Value::Text(DecimalText(v.decimal().integer(), v.decimal().fractional()));
      return Status::OK();
    case C::kDate: {
      bool bc = false;
      std::string text = DateText(int64_t{v.date().num_days_since_ce()} - kCeToEpochDays, &bc);
      out->value = Value::Text(bc ? text + " BC" : text);
      return Status::OK();
    }
    case C::kDatetime: return DatetimeToSql(v.datetime(), out);
    case C::kDatetimeTz: {
      const v3::DatetimeTz& tz = v.datetime_tz();
      if (tz.timezone_case() == v3::DatetimeTz::kNamed && !tz.named().empty()) {
        out->tz = Value::Text(tz.named());
      } else if (tz.timezone_case() == v3::DatetimeTz::kOffset && tz.offset() > -86400 && tz.offset() < 86400) {
        out->tz = Value::Text(OffsetText(tz.offset()));
      } else {
        return Status::Corruption("datetime-tz without a valid time zone");
      }
      return DatetimeToSql(tz.datetime(), out);
    }
    case C::kDuration:
      out->value = Value::Text(DurationText(v.duration().months(), v.duration().days(), v.duration().nanos()));
      return Status::OK();
    case C::kStruct: out->value = Value::Text(v.struct_().struct_type_name()); return Status::OK();
    default: return Status::Corruption("attribute without a value");
  }
}

Status FromSql(ValueType type, const Value& value, const Value& tz, const Value& ns, v3::MigrationValue* out) {
  out->Clear();
  if (value.is_null()) return Status::InvalidArgument(fmt::format("NULL is not a {} value", ValueTypeName(type)));
  switch (type) {
    case ValueType::kString:
    case ValueType::kStruct:
      if (!IsText(value) || !IsValidUtf8(value.as_string())) return Bad(type, value);
      if (type == ValueType::kString) {
        out->set_string(value.as_string());
      } else {
        out->mutable_struct_()->set_struct_type_name(value.as_string());
      }
      return Status::OK();
    case ValueType::kBoolean: {
      switch (value.kind()) {
        case Value::Kind::kBool: out->set_boolean(value.as_bool()); return Status::OK();
        case Value::Kind::kInt:
        case Value::Kind::kUInt:
          if (value.as_uint() > 1) return Bad(type, value);
          out->set_boolean(value.as_uint() == 1);
          return Status::OK();
        case Value::Kind::kFloat:
          if (value.as_float() != 0.0 && value.as_float() != 1.0) return Bad(type, value);
          out->set_boolean(value.as_float() == 1.0);
          return Status::OK();
        default: break;
      }
      std::string_view s = TrimBlanks(value.as_string());
      for (const char* t : {"t", "true", "1"}) {
        if (EqualsIgnoreCaseAscii(s, t)) {
          out->set_boolean(true);
          return Status::OK();
        }
      }
      for (const char* f : {"f", "false", "0"}) {
        if (EqualsIgnoreCaseAscii(s, f)) {
          out->set_boolean(false);
          return Status::OK();
        }
      }
      return Bad(type, value);
    }
    case ValueType::kInteger: {
      int64_t i = 0;
      switch (value.kind()) {
        case Value::Kind::kBool:
        case Value::Kind::kInt: i = value.as_int(); break;
        case Value::Kind::kUInt:
          if (value.as_uint() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return Bad(type, value);
          i = static_cast<int64_t>(value.as_uint());
          break;
        case Value::Kind::kFloat: {
          double d = value.as_float();
          // 2^63 is the first double above INT64_MAX.
          if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d)
            return Bad(type, value);
          i = static_cast<int64_t>(d);
          break;
        }
        default:
          if (!ParseInt64(TrimBlanks(value.as_string()), &i)) return Bad(type, value);
      }
      out->set_integer(i);
      return Status::OK();
    }
    case ValueType::kDouble: {
      double d = 0;
      switch (value.kind()) {
        case Value::Kind::kFloat: d = value.as_float(); break;
        case Value::Kind::kBool:
        case Value::Kind::kInt:
          d = static_cast<double>(value.as_int());
          if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != value.as_int()) return Bad(type, value);
          break;
        case Value::Kind::kUInt:
          d = static_cast<double>(value.as_uint());
          if (d >= 18446744073709551616.0 || static_cast<uint64_t>(d) != value.as_uint()) return Bad(type, value);
          break;
        default: {
          std::string_view s = TrimBlanks(value.as_string());
          if (!s.empty() && s[0] == '+') s.remove_prefix(1);
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return Bad(type, value);
        }
      }
      out->set_double_(d);
      return Status::OK();
    }
    case ValueType::kDecimal: {
      std::string text;
      switch (value.kind()) {
        case Value::Kind::kInt: text = std::to_string(value.as_int()); break;
        case Value::Kind::kUInt: text = std::to_string(value.as_uint()); break;
        case Value::Kind::kFloat: text = ShortestDecimal(value.as_float()); break;
        case Value::Kind::kText:
        case Value::Kind::kBytes: text = TrimBlanks(value.as_string()); break;
        default: return Bad(type, value);
      }
      Int128 total;
      if (!ParseDecimal(text, &total)) return Bad(type, value);
      // Floor division by 10^19 into integer + fractional in [0, 10^19).
      Int128 integer = total / kDenominator, fractional = total % kDenominator;
      if (fractional < 0) {
        fractional += kDenominator;
        integer -= 1;
      }
      if (integer < std::numeric_limits<int64_t>::min() || integer > std::numeric_limits<int64_t>::max())
        return Status::InvalidArgument(fmt::format("decimal {} is out of the range of TypeDB's decimal", text));
      out->mutable_decimal()->set_integer(static_cast<int64_t>(integer));
      out->mutable_decimal()->set_fractional(static_cast<uint64_t>(fractional));
      return Status::OK();
    }
    case ValueType::kDate: {
      int64_t seconds;
      std::string fraction;
      if (!ParseInstant(value, &seconds, &fraction, true)) return Bad(type, value);
      int64_t days = FloorDiv(seconds, 86400) + kCeToEpochDays;
      if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max())
        return Status::InvalidArgument(fmt::format("date {} is out of the range of TypeDB's date", value.as_string()));
      out->mutable_date()->set_num_days_since_ce(static_cast<int32_t>(days));
      return Status::OK();
    }
    case ValueType::kDatetimeMillis: {
      int64_t seconds, ms;
      std::string fraction;
      if (!ParseInstant(value, &seconds, &fraction, false) || !Fraction(fraction, 3, &ms) || !SecondsInRange(seconds))
        return Bad(type, value);
      if (!ns.is_null() && !(ns.kind() == Value::Kind::kInt && ns.as_int() == 0)) return Bad(type, ns);
      out->set_datetime_millis(seconds * 1000 + ms);
      return Status::OK();
    }
    case ValueType::kDatetime:
      if (!DatetimeFromSql(value, ns, out->mutable_datetime())) return Bad(type, value);
      return Status::OK();
    case ValueType::kDatetimeTz: {
      v3::DatetimeTz* d = out->mutable_datetime_tz();
      if (!DatetimeFromSql(value, ns, d->mutable_datetime())) return Bad(type, value);
      if (!IsText(tz) || tz.as_string().empty()) return Bad(type, tz);
      const std::string& zone = tz.as_string();
      if (zone[0] == '+' || zone[0] == '-') {
        int32_t offset;
        if (!ParseOffset(zone, &offset)) return Bad(type, tz);
        d->set_offset(offset);
      } else {
        if (!IsValidUtf8(zone)) return Bad(type, tz);
        d->set_named(zone);
      }
      return Status::OK();
    }
    case ValueType::kDuration:
      if (!IsText(value) || !ParseDuration(TrimBlanks(value.as_string()), out->mutable_duration())) {
        out->Clear();
        return Bad(type, value);
      }
      return Status::OK();
    case ValueType::kNone: break;
  }
  return Status::InvalidArgument("not an attribute type");
}

bool ToGeneration2(const v3::MigrationValue& v, v2::ValueObject* out, std::string* why) {
  out->Clear();
  using C = v3::MigrationValue::ValueCase;
  switch (v.value_case()) {
    case C::kString: out->set_string(v.string()); return true;
    case C::kBoolean: out->set_boolean(v.boolean()); return true;
    case C::kInteger: out->set_long_(v.integer()); return true;
    case C::kDouble: out->set_double_(v.double_()); return true;
    case C::kDatetimeMillis: out->set_datetime(v.datetime_millis()); return true;
    case C::kDatetime: {
      int64_t s = v.datetime().seconds();
      uint32_t nanos = v.datetime().nanos();
      if (nanos % 1'000'000 != 0 || nanos >= kNanosPerSecond) {
        *why = "2.x datetimes are milliseconds: this datetime has digits below the millisecond";
        return false;
      }
      if (s > std::numeric_limits<int64_t>::max() / 1000 - 1 || s < std::numeric_limits<int64_t>::min() / 1000 + 1) {
        *why = "2.x datetimes are 64-bit milliseconds: this datetime is out of their range";
        return false;
      }
      out->set_datetime(s * 1000 + nanos / 1'000'000);
      return true;
    }
    case C::kDecimal: *why = "2.x has no decimal values"; return false;
    case C::kDate: *why = "2.x has no date values"; return false;
    case C::kDatetimeTz: *why = "2.x has no datetime-tz values"; return false;
    case C::kDuration: *why = "2.x has no duration values"; return false;
    case C::kStruct: *why = "2.x has no struct values"; return false;
    default: *why = "attribute without a value"; return false;
  }
}

void MillisToDatetime(int64_t millis, v3::Datetime* out) {
  int64_t seconds = FloorDiv(millis, 1000);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<uint32_t>((millis - seconds * 1000) * 1'000'000));
}

}  // namespace decant::typedb
