#include "pipeline/canonical.h"

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "core/hex.h"
#include "core/utf8.h"
#include "mapping/temporal_text.h"

namespace decant {
namespace {

bool IsIntegerType(LogicalType t) {
  return t == LogicalType::kBool || t == LogicalType::kInt16 || t == LogicalType::kInt32 || t == LogicalType::kInt64 ||
         t == LogicalType::kUInt64;
}
bool IsFloatType(LogicalType t) { return t == LogicalType::kFloat32 || t == LogicalType::kFloat64; }
bool IsTextLike(LogicalType t) {
  return t == LogicalType::kText || t == LogicalType::kNative || t == LogicalType::kEnum;
}
bool IsDateTime(LogicalType t) {
  return t == LogicalType::kDate || t == LogicalType::kTimestamp || t == LogicalType::kTimestampTz;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <typename T>
void AppendInt(T x, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  out->append(buf, r.ptr);
}

// Shortest text that reads back as exactly `d` (general or fixed notation);
// NaN and the infinities spelled one way whatever their sign bit or payload.
void AppendDouble(double d, std::string* out, bool fixed = false) {
  if (std::isnan(d) || std::isinf(d)) {
    out->append(std::isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
    return;
  }
  char buf[400];  // fixed notation of DBL_MAX or of the smallest subnormal fits
  auto r = fixed ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed)
                 : std::to_chars(buf, buf + sizeof buf, d);
  if (r.ec != std::errc()) r = std::to_chars(buf, buf + sizeof buf, d);
  out->append(buf, r.ptr);
}

// A float32 column's value is a float, however it was widened on the way: the
// shortest text of the float, so 0.1f read as 0.10000000149011612 and as 0.1
// (PostgreSQL prints real in its own shortest form) agree.
void AppendFloat32(double d, std::string* out) {
  if (!std::isfinite(d) || std::fabs(d) > FLT_MAX) return AppendDouble(d, out);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(d));
  out->append(buf, r.ptr);
}

// Parses text as a double: decimal or exponent form, an optional '+', and
// NaN / Inf / Infinity in any case. False if anything else is there.
bool ParseDouble(std::string_view s, double* d) {
  s = TrimBlanks(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *d);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Decimal text in normal form: no '+', no leading zeros, no trailing
// fractional zeros or bare '.', no exponent, "0" for any zero; NaN,
// Infinity, -Infinity in those spellings. False (and nothing appended) if
// `s` is not [+-]digits[.digits][e[+-]digits] or one of the special values.
bool AppendNormalDecimal(std::string_view s, std::string* out) {
  s = TrimBlanks(s);  // as the value converter reads numbers
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string_view rest = s.substr(i);
  if (EqualsIgnoreCaseAscii(rest, "nan")) {
    out->append("NaN");
    return true;
  }
  if (EqualsIgnoreCaseAscii(rest, "infinity") || EqualsIgnoreCaseAscii(rest, "inf")) {
    out->append(negative ? "-Infinity" : "Infinity");
    return true;
  }
  // The value is 0.<digits> * 10^point.
  std::string digits;
  int64_t point = 0;
  bool seen_dot = false, any_digit = false;
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i])) {
      any_digit = true;
      if (digits.empty() && s[i] == '0') {  // a leading zero
        if (seen_dot) --point;
        continue;
      }
      digits.push_back(s[i]);
      if (!seen_dot) ++point;
    } else if (s[i] == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return false;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return false;
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    int64_t exp = 0;
    auto r = std::from_chars(s.data() + i, s.data() + s.size(), exp);
    // A huge exponent would mean a huge string of zeros: not worth normalising.
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || i == s.size() || exp > 4000) return false;
    point += exp_negative ? -exp : exp;
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) {
    out->push_back('0');
    return true;
  }
  if (negative) out->push_back('-');
  auto n = static_cast<int64_t>(digits.size());
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (point >= n) {
    out->append(digits);
    out->append(static_cast<size_t>(point - n), '0');
  } else {
    out->append(digits, 0, static_cast<size_t>(point));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(point));
  }
  return true;
}

// Any value by its physical kind: what an untyped column compares (and what
// a number in a text-like column turns into).
void AppendByKind(const Value& v, char number_tag, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull: out->push_back(kCanonicalNull); return;
    case Value::Kind::kBool: out->push_back(number_tag), out->push_back(v.as_bool() ? '1' : '0'); return;
    case Value::Kind::kInt: out->push_back(number_tag), AppendInt(v.as_int(), out); return;
    case Value::Kind::kUInt: out->push_back(number_tag), AppendInt(v.as_uint(), out); return;
    case Value::Kind::kFloat:
      out->push_back(number_tag == kCanonicalExact ? kCanonicalApprox : number_tag);
      AppendDouble(v.as_float(), out);
      return;
    case Value::Kind::kText: out->push_back(kCanonicalText), out->append(v.as_string()); return;
    case Value::Kind::kBytes: out->push_back(kCanonicalBytes), out->append(v.as_string()); return;
  }
}

void AppendInteger(const Value& v, bool is_bool, std::string* out) {
  if (v.kind() == Value::Kind::kFloat) {
    double d = v.as_float();
    out->push_back(kCanonicalExact);
    // Only integral values inside the 64-bit ranges convert exactly.
    if (std::isfinite(d) && d == std::trunc(d) && d >= -0x1p63 && d < 0x1p64) {
      if (d < 0)
        AppendInt(static_cast<int64_t>(d), out);
      else
        AppendInt(static_cast<uint64_t>(d), out);
    } else {
      AppendDouble(d, out);
    }
    return;
  }
  if (v.kind() != Value::Kind::kText) return AppendByKind(v, kCanonicalExact, out);
  const std::string& s = v.as_string();
  if (is_bool) {
    for (std::string_view word : {"t", "true", "y", "yes", "on", "f", "false", "n", "no", "off"}) {
      if (!EqualsIgnoreCaseAscii(TrimBlanks(s), word)) continue;
      out->push_back(kCanonicalExact);
      out->push_back(AsciiLower(word[0]) == 't' || AsciiLower(word[0]) == 'y' || word == "on" ? '1' : '0');
      return;
    }
  }
  out->push_back(kCanonicalExact);
  if (AppendNormalDecimal(s, out)) return;
  out->back() = kCanonicalText;
  out->append(s);
}

void AppendApprox(const Value& v, bool float32, std::string* out) {
  double d = 0;
  switch (v.kind()) {
    case Value::Kind::kFloat: d = v.as_float(); break;
    case Value::Kind::kInt: d = static_cast<double>(v.as_int()); break;
    case Value::Kind::kUInt: d = static_cast<double>(v.as_uint()); break;
    case Value::Kind::kBool: d = v.as_bool() ? 1 : 0; break;
    case Value::Kind::kText:
      if (ParseDouble(v.as_string(), &d)) break;
      [[fallthrough]];
    default: return AppendByKind(v, kCanonicalApprox, out);
  }
  out->push_back(kCanonicalApprox);
  if (float32)
    AppendFloat32(d, out);
  else
    AppendDouble(d, out);
}

void AppendDecimal(const Value& v, std::string* out) {
  if (v.kind() == Value::Kind::kFloat) {
    // SQLite keeps NUMERIC(10,2) values as REAL: its shortest round-trip
    // text is the decimal that was meant.
    std::string text;
    AppendDouble(v.as_float(), &text, /*fixed=*/true);
    out->push_back(kCanonicalExact);
    if (!AppendNormalDecimal(text, out)) out->append(text);
    return;
  }
  if (v.kind() != Value::Kind::kText) return AppendByKind(v, kCanonicalExact, out);
  out->push_back(kCanonicalExact);
  if (AppendNormalDecimal(v.as_string(), out)) return;
  out->back() = kCanonicalText;
  out->append(v.as_string());
}

// Date/time text in the one normal form migrate's converter uses too
// (mapping/temporal_text.h); text it does not recognise stays as it is.
void AppendDateTime(std::string_view s, LogicalType type, std::string* out) {
  if (!AppendNormalTemporal(s, type, out)) out->append(s);
}

// 8-4-4-4-12 lowercase hex from text with or without hyphens or braces, or
// from 16 bytes. False if `v` is neither.
bool AppendUuid(const Value& v, std::string* out) {
  std::string hex;
  std::string_view s = v.as_string();
  if (v.kind() == Value::Kind::kBytes && s.size() == 16) {
    AppendHex(s, &hex);
  } else {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
    size_t hyphens = 0;
    for (char ch : s) {
      char l = AsciiLower(ch);
      if (ch == '-')
        ++hyphens;
      else if (IsDigit(l) || (l >= 'a' && l <= 'f'))
        hex.push_back(l);
      else
        return false;
    }
    if (hex.size() != 32 || (hyphens != 0 && hyphens != 4)) return false;
  }
  out->push_back(kCanonicalText);
  for (size_t i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out->push_back('-');
    out->push_back(hex[i]);
  }
  return true;
}

// A JSON number as one form whatever its spelling: an integral value in the
// range of a 64-bit integer as that integer, so 1e2, 100.0 and 100 (a
// normalising store such as jsonb rewrites 1e2 as 100, 1e16 as
// 10000000000000000) compare equal.
void NormaliseJsonNumbers(nlohmann::json* j) {
  if (j->is_structured()) {
    for (auto& e : *j) NormaliseJsonNumbers(&e);
    return;
  }
  if (!j->is_number_float()) return;
  double x = j->get<double>();
  if (!std::isfinite(x) || std::trunc(x) != x) return;
  if (x >= 0 && x < 18446744073709551616.0) {
    *j = static_cast<uint64_t>(x);
  } else if (x < 0 && x >= -9223372036854775808.0) {
    *j = static_cast<int64_t>(x);
  }
}

// JSON re-serialised compactly with object keys sorted (nlohmann::json keeps
// objects in a std::map; a duplicate key keeps its last value, as jsonb does)
// and numbers in one form. False for text that is not JSON.
bool AppendJson(std::string_view s, std::string* out) {
  auto j = nlohmann::json::parse(s.begin(), s.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return false;
  NormaliseJsonNumbers(&j);
  try {
    std::string dumped = j.dump();
    out->push_back(kCanonicalText);
    out->append(dumped);
    return true;
  } catch (const nlohmann::json::exception&) {  // invalid UTF-8 in a string
    return false;
  }
}

// MySQL reads BIT(n) as a number, PostgreSQL as '0101': binary digits, as many
// as the column's length.
void AppendBits(uint64_t x, int32_t length, std::string* out) {
  std::string bits;
  for (; x; x >>= 1) bits.push_back(static_cast<char>('0' + (x & 1)));
  if (length > 0 && bits.size() < static_cast<size_t>(length) && length <= 64)
    bits.resize(static_cast<size_t>(length), '0');
  if (bits.empty()) bits.push_back('0');
  out->push_back(kCanonicalText);
  out->append(bits.rbegin(), bits.rend());
}

}  // namespace

void AppendCanonical(const Value& v, const DataType& type, std::string* out) {
  if (v.is_null()) return out->push_back(kCanonicalNull);
  bool text = v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kBytes;
  LogicalType t = type.logical;
  if (t == LogicalType::kAny) return AppendByKind(v, kCanonicalExact, out);
  if (IsIntegerType(t)) return AppendInteger(v, t == LogicalType::kBool, out);
  if (IsFloatType(t)) return AppendApprox(v, t == LogicalType::kFloat32, out);
  if (t == LogicalType::kDecimal) return AppendDecimal(v, out);
  if (!text) {
    if (t == LogicalType::kBitString && v.kind() != Value::Kind::kFloat) {
      return AppendBits(v.kind() == Value::Kind::kBool ? v.as_bool() : v.as_uint(), type.length, out);
    }
    // A number in a text-like column (an untyped SQLite value, say): its digits as text.
    return AppendByKind(v, IsDateTime(t) || t == LogicalType::kTime ? kCanonicalExact : kCanonicalText, out);
  }
  const std::string& s = v.as_string();
  switch (t) {
    case LogicalType::kDate:
    case LogicalType::kTime:
    case LogicalType::kTimestamp:
    case LogicalType::kTimestampTz: out->push_back(kCanonicalText); return AppendDateTime(s, t, out);
    case LogicalType::kUuid:
      if (AppendUuid(v, out)) return;
      break;
    case LogicalType::kJson:
      if (AppendJson(s, out)) return;
      break;
    case LogicalType::kBytes:
    case LogicalType::kGeometry:
      out->push_back(kCanonicalBytes);
      out->append(s);
      return;
    default:
      out->push_back(kCanonicalText);  // text-like: text and bytes alike
      out->append(s);
      return;
  }
  AppendByKind(v, kCanonicalText, out);
}

std::string Canonical(const Value& v, const DataType& type) {
  std::string out;
  AppendCanonical(v, type, &out);
  return out;
}

DataType CompareType(const DataType& a, const DataType& b) {
  LogicalType x = a.logical, y = b.logical;
  if (x == y) return a;
  if (x == LogicalType::kAny) return b;
  if (y == LogicalType::kAny) return a;
  if (IsTextLike(x)) return b;
  if (IsTextLike(y)) return a;
  auto rank = [](LogicalType t) {
    return IsIntegerType(t) ? 1 : IsFloatType(t) ? 2 : t == LogicalType::kDecimal ? 3 : 0;
  };
  int rx = rank(x), ry = rank(y);
  if (rx && ry) {
    if (rx == ry && rx == 1) return x == LogicalType::kBool ? a : b.logical == LogicalType::kBool ? b : a;
    if (rx == ry) return x == LogicalType::kFloat32 ? a : b;  // the narrower float
    return rx > ry ? a : b;
  }
  // SQLite gives NUMERIC affinity to any declared type it does not know
  // (UUID, JSON, TIMESTAMPTZ): the other side knows better.
  if (rx == 3) return b;
  if (ry == 3) return a;
  if (IsDateTime(x) && IsDateTime(y)) {
    auto order = [](LogicalType t) { return t == LogicalType::kDate ? 0 : t == LogicalType::kTimestamp ? 1 : 2; };
    return order(x) > order(y) ? a : b;
  }
  if (x == LogicalType::kBytes) return b;
  if (y == LogicalType::kBytes) return a;
  return a;
}

std::string DisplayCanonical(std::string_view canonical, size_t max_chars, size_t skip) {
  if (canonical.empty()) return "?";
  std::string_view body = canonical.substr(1);
  bool cut = false, skipped = false;
  if (skip > 0 && skip < body.size() && (canonical[0] == kCanonicalText || canonical[0] == kCanonicalBytes)) {
    if (canonical[0] == kCanonicalText) {
      skip = Utf8BoundaryAtOrBefore(body, skip);
    }
    body.remove_prefix(skip);
    skipped = skip > 0;
  }
  auto clip = [&](size_t limit) {
    if (body.size() <= limit) return;
    // Back off to a UTF-8 character boundary.
    body = Utf8Cut(body, limit);
    cut = true;
  };
  std::string out;
  switch (canonical[0]) {
    case kCanonicalNull: return "NULL";
    case kCanonicalBytes: {
      clip(max_chars / 2);
      out = skipped ? "x'..." : "x'";
      AppendHex(body, &out);
      out += "'";
      break;
    }
    case kCanonicalText:
      clip(max_chars);
      out = skipped ? "'..." : "'";
      for (char ch : body) {
        if (ch == '\'') out.push_back('\'');
        out.push_back(ch);
      }
      out += "'";
      break;
    default: clip(max_chars); out.assign(body);
  }
  if (cut) out += "...";
  return out;
}

bool CanonicalLess(std::string_view a, std::string_view b) {
  auto plain_integer = [](std::string_view s) {
    if (s.size() < 2 || s[0] != kCanonicalExact) return false;
    size_t i = s[1] == '-' ? 2 : 1;
    if (i == s.size()) return false;
    for (; i < s.size(); ++i) {
      if (!IsDigit(s[i])) return false;
    }
    return true;
  };
  if (!plain_integer(a) || !plain_integer(b)) return a < b;
  bool na = a[1] == '-', nb = b[1] == '-';
  if (na != nb) return na;
  std::string_view ma = a.substr(na ? 2 : 1), mb = b.substr(nb ? 2 : 1);
  // Normal form has no leading zeros, so the longer magnitude is larger.
  bool less = ma.size() != mb.size() ? ma.size() < mb.size() : ma < mb;
  bool greater = ma.size() != mb.size() ? ma.size() > mb.size() : ma > mb;
  return na ? greater : less;
}

}  // namespace decant
