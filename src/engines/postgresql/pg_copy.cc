#include "engines/postgresql/pg_copy.h"

#include <fmt/format.h>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/hex.h"

namespace decant::pg_internal {
namespace {

// Undoes COPY's backslash escapes.
void Unescape(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\' || i + 1 == in.size()) {
      out->push_back(c);
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case 'x': {
        int v = 0, digits = 0;
        while (digits < 2 && i + 1 < in.size() && HexDigitValue(in[i + 1]) >= 0)
          v = v * 16 + HexDigitValue(in[++i]), ++digits;
        if (digits == 0)
          out->push_back('x');
        else
          out->push_back(static_cast<char>(v));
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', digits = 1;
          while (digits < 3 && i + 1 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '7')
            v = v * 8 + (in[++i] - '0'), ++digits;
          out->push_back(static_cast<char>(v));
        } else {
          out->push_back(e);
        }
    }
  }
}

// The text COPY's text format carries for `v` once unescaped (the server
// reads it with the column's input function); nothing for NULL.
void AppendPlainText(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull: return;
    case Value::Kind::kBool: out->push_back(v.as_bool() ? 't' : 'f'); return;
    case Value::Kind::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out->append(buf, r.ptr);
      return;
    }
    case Value::Kind::kUInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_uint());
      out->append(buf, r.ptr);
      return;
    }
    case Value::Kind::kFloat: {
      double d = v.as_float();
      if (std::isnan(d))
        out->append("NaN");
      else if (std::isinf(d))
        out->append(d > 0 ? "Infinity" : "-Infinity");
      else {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest form that reads back exactly
        out->append(buf, r.ptr);
      }
      return;
    }
    case Value::Kind::kText: out->append(v.as_string()); return;
    case Value::Kind::kBytes:
      out->append("\\x");
      AppendHex(v.as_string(), out);
      return;
  }
}

}  // namespace

Decode DecodeFor(const DataType& type) {
  switch (type.logical) {
    case LogicalType::kBool: return Decode::kBool;
    case LogicalType::kInt16:
    case LogicalType::kInt32:
    case LogicalType::kInt64: return Decode::kInt;
    case LogicalType::kFloat32:
    case LogicalType::kFloat64: return Decode::kFloat;
    case LogicalType::kBytes: return Decode::kBytes;
    default: return Decode::kText;
  }
}

Status DecodeCopyRow(std::string_view line, const std::vector<Decode>& kinds, Value* row, size_t* payload,
                     std::string* scratch) {
  size_t pos = 0;
  for (size_t c = 0; c < kinds.size(); ++c) {
    if (pos > line.size()) return Status::Corruption("COPY row has fewer fields than columns");
    size_t end = line.find('\t', pos);
    if (end == std::string_view::npos) end = line.size();
    if (c + 1 == kinds.size() && end != line.size()) return Status::Corruption("COPY row has more fields than columns");
    std::string_view field = line.substr(pos, end - pos);
    pos = end + 1;
    Value& v = row[c];
    if (field == "\\N") {
      v.SetNull();
      *payload += 1;
      continue;
    }
    switch (kinds[c]) {
      case Decode::kBool:
        v = Value::Bool(field == "t");
        *payload += 1;
        break;
      case Decode::kInt: {
        int64_t i = 0;
        auto r = std::from_chars(field.data(), field.data() + field.size(), i);
        if (r.ec != std::errc() || r.ptr != field.data() + field.size()) {
          return Status::Corruption("COPY returned '" + std::string(field) + "' for an integer column");
        }
        v.SetInt(i);
        *payload += 8;
        break;
      }
      case Decode::kFloat: {
        double d = 0;
        if (field == "NaN")
          d = std::nan("");
        else if (field == "Infinity")
          d = HUGE_VAL;
        else if (field == "-Infinity")
          d = -HUGE_VAL;
        else {
          auto r = std::from_chars(field.data(), field.data() + field.size(), d);
          if (r.ec != std::errc() || r.ptr != field.data() + field.size()) {
            return Status::Corruption("COPY returned '" + std::string(field) + "' for a float column");
          }
        }
        v.SetFloat(d);
        *payload += 8;
        break;
      }
      case Decode::kBytes: {
        Unescape(field, scratch);
        if (scratch->size() < 2 || (*scratch)[0] != '\\' || (*scratch)[1] != 'x' || scratch->size() % 2) {
          return Status::Corruption("COPY returned bytea not in hex format");
        }
        // Decoded in place: byte k is written behind the digits it comes from.
        size_t n = (scratch->size() - 2) / 2;
        if (!DecodeHex(std::string_view(*scratch).substr(2), scratch->data())) {
          return Status::Corruption("COPY returned bytea with a bad hex digit");
        }
        v.SetBytes(std::string_view(scratch->data(), n));
        *payload += n;
        break;
      }
      case Decode::kText:
        if (field.find('\\') == std::string_view::npos) {
          v.SetText(field);
        } else {
          Unescape(field, scratch);
          v.SetText(*scratch);
        }
        *payload += field.size();
        break;
    }
  }
  return Status::OK();
}

void EncodeCopyValue(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull: out->append("\\N"); return;
    case Value::Kind::kText: {
      const std::string& s = v.as_string();
      size_t start = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        const char* esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
        if (!esc) continue;
        out->append(s, start, i - start);
        out->append(esc);
        start = i + 1;
      }
      out->append(s, start, std::string::npos);
      return;
    }
    case Value::Kind::kBytes: {
      out->append("\\\\x");
      AppendHex(v.as_string(), out);
      return;
    }
    default: AppendPlainText(v, out); return;
  }
}

// ---- binary -------------------------------------------------------------------

namespace {

void Put16(uint16_t v, std::string* out) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 2);
}
void Put32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}
void Put64(uint64_t v, std::string* out) {
  Put32(static_cast<uint32_t>(v >> 32), out);
  Put32(static_cast<uint32_t>(v), out);
}

// A cursor over text being parsed; every Take* fails (false) without
// consuming on a mismatch.
struct Cursor {
  std::string_view s;
  size_t pos = 0;
  bool Done() const { return pos == s.size(); }
  bool Take(char c) {
    if (pos < s.size() && s[pos] == c) return ++pos, true;
    return false;
  }
  // Exactly `n` decimal digits.
  bool Digits(size_t n, int64_t* v) {
    if (s.size() - pos < n) return false;
    int64_t r = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = s[pos + i];
      if (c < '0' || c > '9') return false;
      r = r * 10 + (c - '0');
    }
    pos += n;
    *v = r;
    return true;
  }
};

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
constexpr int64_t kPgEpochDays = 10957;  // 2000-01-01, PostgreSQL's epoch, from 1970-01-01
constexpr int64_t kMicrosPerDay = 86400000000LL;

// YYYY-MM-DD, year 1 to 9999 (no BC, no other layout): days since 2000-01-01.
bool ParseDate(Cursor* c, int64_t* days) {
  int64_t y, m, d;
  if (!c->Digits(4, &y) || !c->Take('-') || !c->Digits(2, &m) || !c->Take('-') || !c->Digits(2, &d)) return false;
  static constexpr int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kMonthDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return false;
  *days = DaysFromCivil(y, m, d) - kPgEpochDays;
  return true;
}

// HH:MM:SS[.f{1,6}], before 24:00: microseconds since midnight.
bool ParseTime(Cursor* c, int64_t* micros) {
  int64_t h, m, s, frac = 0;
  if (!c->Digits(2, &h) || !c->Take(':') || !c->Digits(2, &m) || !c->Take(':') || !c->Digits(2, &s)) return false;
  if (h > 23 || m > 59 || s > 59) return false;
  if (c->Take('.')) {
    size_t digits = 0;
    while (digits < 7 && c->pos < c->s.size() && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
      frac = frac * 10 + (c->s[c->pos++] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 6) return false;  // more than 6 would be rounded by the server
    for (; digits < 6; ++digits) frac *= 10;
  }
  *micros = ((h * 60 + m) * 60 + s) * 1000000 + frac;
  return true;
}

// A timestamp: date, ' ' or 'T', time; with `zone`, an optional Z, +HH,
// +HH:MM or +HH:MM:SS (none: UTC, the load session's TimeZone). Without
// `zone` no offset may follow (timestamp input would ignore it).
bool ParseTimestamp(std::string_view text, bool zone, int64_t* micros) {
  Cursor c{text};
  int64_t days, time;
  if (!ParseDate(&c, &days) || !(c.Take(' ') || c.Take('T')) || !ParseTime(&c, &time)) return false;
  int64_t offset = 0;
  if (zone && !c.Done() && !c.Take('Z')) {
    bool negative = c.Take('-');
    if (!negative && !c.Take('+')) return false;
    int64_t h, m = 0, s = 0;
    if (!c.Digits(2, &h)) return false;
    if (c.Take(':') && (!c.Digits(2, &m) || (c.Take(':') && !c.Digits(2, &s)))) return false;
    if (h > 14 || m > 59 || s > 59) return false;
    offset = ((h * 60 + m) * 60 + s) * 1000000 * (negative ? -1 : 1);
  }
  if (!c.Done()) return false;
  *micros = days * kMicrosPerDay + time - offset;
  return true;
}

// A decimal number as numeric_in reads it: [+-]digits[.digits] (or .digits),
// or NaN; no exponent, no spaces, no infinity (kept for the text format).
bool AppendNumeric(std::string_view text, std::string* out) {
  if (text == "NaN") {
    Put16(0, out), Put16(0, out), Put16(0xC000, out), Put16(0, out);
    return true;
  }
  Cursor c{text};
  bool negative = c.Take('-');
  if (!negative) c.Take('+');
  size_t int_start = c.pos;
  while (!c.Done() && c.s[c.pos] >= '0' && c.s[c.pos] <= '9') ++c.pos;
  std::string_view whole = text.substr(int_start, c.pos - int_start);
  std::string_view frac;
  if (c.Take('.')) {
    size_t frac_start = c.pos;
    while (!c.Done() && c.s[c.pos] >= '0' && c.s[c.pos] <= '9') ++c.pos;
    frac = text.substr(frac_start, c.pos - frac_start);
  }
  if (!c.Done() || (whole.empty() && frac.empty()) || whole.size() > 1000 || frac.size() > 1000) return false;
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  // Base-10000 digits: the whole part aligned on the decimal point from the
  // left, the fraction padded on the right.
  std::vector<int16_t> digits;
  size_t lead = (4 - whole.size() % 4) % 4;
  int group = 0, n = 0;
  for (size_t i = 0; i < lead + whole.size(); ++i) {
    group = group * 10 + (i < lead ? 0 : whole[i - lead] - '0');
    if (++n == 4) digits.push_back(static_cast<int16_t>(group)), group = n = 0;
  }
  int weight = static_cast<int>(digits.size()) - 1;
  for (size_t i = 0; i < frac.size() + (4 - frac.size() % 4) % 4; ++i) {
    group = group * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    if (++n == 4) digits.push_back(static_cast<int16_t>(group)), group = n = 0;
  }
  size_t first = 0;
  while (first < digits.size() && digits[first] == 0) ++first, --weight;
  size_t last = digits.size();
  while (last > first && digits[last - 1] == 0) --last;
  if (first == last) weight = 0, negative = false;  // zero, as numeric_in makes it
  Put16(static_cast<uint16_t>(last - first), out);
  Put16(static_cast<uint16_t>(static_cast<int16_t>(weight)), out);
  Put16(negative ? 0x4000 : 0, out);
  Put16(static_cast<uint16_t>(frac.size()), out);
  for (size_t i = first; i < last; ++i) Put16(static_cast<uint16_t>(digits[i]), out);
  return true;
}

// 8-4-4-4-12 or 32 hex digits, either case, optionally in braces.
bool AppendUuid(std::string_view text, std::string* out) {
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') text = text.substr(1, text.size() - 2);
  bool hyphens = text.size() == 36;
  if (!hyphens && text.size() != 32) return false;
  char bytes[16];
  size_t k = 0;
  for (size_t i = 0; i < text.size();) {
    if (hyphens && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i++] != '-') return false;
      continue;
    }
    int hi = HexDigitValue(text[i]), lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[k++] = static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  out->append(bytes, 16);
  return true;
}

bool IsSubnormal(double d) { return d != 0 && std::fabs(d) < std::numeric_limits<double>::min(); }

// Appends the value of one non-NULL field (without its length).
bool AppendField(const Value& v, Binary type, std::string* out) {
  Value::Kind kind = v.kind();
  switch (type) {
    case Binary::kNone: return false;
    case Binary::kBool:
      if (kind == Value::Kind::kBool) return out->push_back(v.as_bool() ? 1 : 0), true;
      if (kind == Value::Kind::kInt && (v.as_int() == 0 || v.as_int() == 1))  // boolin reads 0 and 1
        return out->push_back(static_cast<char>(v.as_int())), true;
      return false;
    case Binary::kInt2:
    case Binary::kInt4:
    case Binary::kInt8: {
      if (kind != Value::Kind::kInt) return false;
      int64_t i = v.as_int();
      if (type == Binary::kInt2) {
        if (i < INT16_MIN || i > INT16_MAX) return false;
        return Put16(static_cast<uint16_t>(i), out), true;
      }
      if (type == Binary::kInt4) {
        if (i < INT32_MIN || i > INT32_MAX) return false;
        return Put32(static_cast<uint32_t>(i), out), true;
      }
      return Put64(static_cast<uint64_t>(i), out), true;
    }
    case Binary::kFloat4: {
      float f;
      if (kind == Value::Kind::kFloat) {
        double d = v.as_float();
        if (std::isnan(d)) {
          f = std::numeric_limits<float>::quiet_NaN();  // float4in's NaN
        } else {
          // Text COPY sends d's shortest digits, which float4in rounds to a
          // float (strtof from 12, strtod and a cast before): binary only
          // where both roundings give the same float, a normal or zero one.
          char buf[32];
          auto printed = std::to_chars(buf, buf + sizeof buf, d);
          float parsed = 0;
          auto read = std::from_chars(buf, printed.ptr, parsed);
          f = static_cast<float>(d);
          if (std::isinf(d))
            parsed = f;
          else if (read.ec != std::errc() || read.ptr != printed.ptr)
            return false;
          if (parsed != f || std::signbit(parsed) != std::signbit(f) || (f != 0 && std::fabs(f) < FLT_MIN) ||
              (std::isinf(f) && !std::isinf(d)))
            return false;
        }
      } else if (kind == Value::Kind::kInt && v.as_int() >= -(1 << 24) && v.as_int() <= (1 << 24)) {
        f = static_cast<float>(v.as_int());  // exact
      } else {
        return false;
      }
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      return Put32(bits, out), true;
    }
    case Binary::kFloat8: {
      double d;
      if (kind == Value::Kind::kFloat) {
        d = v.as_float();
        if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();  // float8in's NaN
        if (IsSubnormal(d)) return false;
      } else if (kind == Value::Kind::kInt && v.as_int() >= -(int64_t{1} << 53) && v.as_int() <= (int64_t{1} << 53)) {
        d = static_cast<double>(v.as_int());
      } else {
        return false;
      }
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      return Put64(bits, out), true;
    }
    case Binary::kBytea:
      if (kind != Value::Kind::kBytes) return false;
      return out->append(v.as_string()), true;
    case Binary::kText: AppendPlainText(v, out); return true;
    case Binary::kJsonb:
      out->push_back(1);  // jsonb's binary format version
      AppendPlainText(v, out);
      return true;
    case Binary::kNumeric: {
      if (kind == Value::Kind::kText) return AppendNumeric(v.as_string(), out);
      if (kind != Value::Kind::kInt && kind != Value::Kind::kUInt) return false;
      std::string digits;
      AppendPlainText(v, &digits);
      return AppendNumeric(digits, out);
    }
    case Binary::kUuid: return kind == Value::Kind::kText && AppendUuid(v.as_string(), out);
    case Binary::kDate: {
      if (kind != Value::Kind::kText) return false;
      const std::string& s = v.as_string();
      if (s == "infinity" || s == "-infinity") return Put32(s[0] == '-' ? 0x80000000u : 0x7FFFFFFFu, out), true;
      Cursor c{s};
      int64_t days;
      if (!ParseDate(&c, &days) || !c.Done()) return false;
      return Put32(static_cast<uint32_t>(static_cast<int32_t>(days)), out), true;
    }
    case Binary::kTime: {
      if (kind != Value::Kind::kText) return false;
      Cursor c{v.as_string()};
      int64_t micros;
      if (!ParseTime(&c, &micros) || !c.Done()) return false;
      return Put64(static_cast<uint64_t>(micros), out), true;
    }
    case Binary::kTimestamp:
    case Binary::kTimestampTz: {
      if (kind != Value::Kind::kText) return false;
      const std::string& s = v.as_string();
      if (s == "infinity" || s == "-infinity")
        return Put64(s[0] == '-' ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1, out), true;
      int64_t micros;
      if (!ParseTimestamp(s, type == Binary::kTimestampTz, &micros)) return false;
      return Put64(static_cast<uint64_t>(micros), out), true;
    }
  }
  return false;
}

}  // namespace

Binary BinaryFor(unsigned oid) {
  switch (oid) {
    case 16: return Binary::kBool;
    case 17: return Binary::kBytea;
    case 20: return Binary::kInt8;
    case 21: return Binary::kInt2;
    case 23: return Binary::kInt4;
    case 25:    // text
    case 114:   // json
    case 1042:  // bpchar
    case 1043:  // varchar
      return Binary::kText;
    case 700: return Binary::kFloat4;
    case 701: return Binary::kFloat8;
    case 1082: return Binary::kDate;
    case 1083: return Binary::kTime;
    case 1114: return Binary::kTimestamp;
    case 1184: return Binary::kTimestampTz;
    case 1700: return Binary::kNumeric;
    case 2950: return Binary::kUuid;
    case 3802: return Binary::kJsonb;
    default: return Binary::kNone;
  }
}

void AppendBinaryHeader(std::string* out) {
  out->append("PGCOPY\n\377\r\n\0", 11);
  Put32(0, out);  // flags
  Put32(0, out);  // header extension length
}

void AppendBinaryTrailer(std::string* out) { Put16(0xFFFF, out); }

bool EncodeBinaryRow(const Value* row, const std::vector<Binary>& types, std::string* out) {
  size_t start = out->size();
  Put16(static_cast<uint16_t>(types.size()), out);
  for (size_t c = 0; c < types.size(); ++c) {
    if (row[c].is_null()) {
      Put32(0xFFFFFFFFu, out);
      continue;
    }
    size_t length_at = out->size();
    Put32(0, out);
    if (!AppendField(row[c], types[c], out) || out->size() - length_at - 4 > INT32_MAX) {
      out->resize(start);
      return false;
    }
    uint32_t n = static_cast<uint32_t>(out->size() - length_at - 4);
    char b[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                 static_cast<char>(n)};
    out->replace(length_at, 4, b, 4);
  }
  return true;
}

}  // namespace decant::pg_internal
