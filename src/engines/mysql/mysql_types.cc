#include "engines/mysql/mysql_types.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace decant::mysql_internal {
namespace {

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (s == n) return true;
  }
  return false;
}

bool Unsigned(const ColumnFacts& f) { return f.column_type.find("unsigned") != std::string::npos; }

bool IsGeometry(std::string_view t) {
  return IsOneOf(t, {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                     "geometrycollection", "geomcollection"});
}

// The quoted values of "enum('a','b''c')".
std::vector<std::string> EnumValues(std::string_view column_type) {
  std::vector<std::string> out;
  size_t i = column_type.find('(');
  if (i == std::string_view::npos) return out;
  while (++i < column_type.size()) {
    if (column_type[i] != '\'') continue;
    std::string v;
    for (++i; i < column_type.size(); ++i) {
      if (column_type[i] == '\'') {
        if (i + 1 < column_type.size() && column_type[i + 1] == '\'') {
          v.push_back('\'');
          ++i;
          continue;
        }
        break;
      }
      if (column_type[i] == '\\' && i + 1 < column_type.size()) ++i;
      v.push_back(column_type[i]);
    }
    out.push_back(std::move(v));
  }
  return out;
}

uint32_t Read32(const char* p, bool little) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return little ? (uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24)
                : (uint32_t{b[3]} | uint32_t{b[2]} << 8 | uint32_t{b[1]} << 16 | uint32_t{b[0]} << 24);
}

void Write32(uint32_t v, bool little, std::string* out) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[little ? i : 3 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 4);
}

constexpr uint32_t kEwkbSrid = 0x20000000;

// Parses the whole of [data, end) as a number; false if anything is left.
template <typename T>
bool ParseWhole(const char* data, const char* end, T* v) {
  auto r = std::from_chars(data, end, *v);
  return r.ec == std::errc() && r.ptr == end;
}

}  // namespace

bool IsUtf8Charset(std::string_view charset) { return IsOneOf(charset, {"utf8mb4", "utf8mb3", "utf8"}); }

CellKind CellKindOf(const ColumnFacts& f) {
  const std::string& t = f.data_type;
  if (IsOneOf(t, {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})) {
    return Unsigned(f) ? CellKind::kUnsigned : CellKind::kSigned;
  }
  if (t == "float") return CellKind::kFloat;
  if (IsOneOf(t, {"double", "real", "double precision"})) return CellKind::kDouble;
  if (t == "bit") return CellKind::kBit;
  if (t == "year") return CellKind::kYear;
  if (IsOneOf(t, {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})) return CellKind::kBinary;
  if (IsGeometry(t)) return CellKind::kGeometry;
  if (!f.charset.empty() && f.charset != "binary" && !IsUtf8Charset(f.charset)) return CellKind::kTextConverted;
  if (f.charset == "binary") return CellKind::kBinary;
  return CellKind::kText;
}

DataType LogicalTypeOf(const ColumnFacts& f) {
  DataType d;
  const std::string& t = f.data_type;
  bool u = Unsigned(f);
  auto set = [&](LogicalType l) { d.logical = l; };
  if (t == "tinyint")
    set(LogicalType::kInt16);
  else if (t == "smallint")
    set(u ? LogicalType::kInt32 : LogicalType::kInt16);
  else if (t == "mediumint")
    set(LogicalType::kInt32);
  else if (t == "int" || t == "integer")
    set(u ? LogicalType::kInt64 : LogicalType::kInt32);
  else if (t == "bigint")
    set(u ? LogicalType::kUInt64 : LogicalType::kInt64);
  else if (t == "year")
    set(LogicalType::kInt16);
  else if (t == "float")
    set(LogicalType::kFloat32);
  else if (IsOneOf(t, {"double", "real", "double precision"}))
    set(LogicalType::kFloat64);
  else if (t == "decimal" || t == "numeric") {
    set(LogicalType::kDecimal);
    d.precision = static_cast<int32_t>(f.precision);
    d.scale = static_cast<int32_t>(f.scale);
  } else if (t == "bit") {
    set(LogicalType::kBitString);
    d.length = static_cast<int32_t>(f.precision);
  } else if (t == "date")
    set(LogicalType::kDate);
  else if (t == "datetime" || t == "timestamp" || t == "time") {
    set(t == "datetime" ? LogicalType::kTimestamp : t == "timestamp" ? LogicalType::kTimestampTz : LogicalType::kTime);
    d.precision = static_cast<int32_t>(f.datetime_precision < 0 ? 0 : f.datetime_precision);
  } else if (t == "char" || t == "varchar") {
    set(LogicalType::kText);
    d.length = static_cast<int32_t>(f.char_length);
  } else if (IsOneOf(t, {"tinytext", "text", "mediumtext", "longtext", "set"}))
    set(LogicalType::kText);
  else if (t == "enum") {
    set(LogicalType::kEnum);
    d.enum_values = EnumValues(f.column_type);
  } else if (t == "json")
    set(LogicalType::kJson);
  else if (t == "binary" || t == "varbinary") {
    set(LogicalType::kBytes);
    d.length = static_cast<int32_t>(f.char_length);
  } else if (IsOneOf(t, {"tinyblob", "blob", "mediumblob", "longblob"}))
    set(LogicalType::kBytes);
  else if (IsGeometry(t))
    set(LogicalType::kGeometry);
  else if (t == "uuid")
    set(LogicalType::kUuid);
  else
    set(LogicalType::kNative);  // inet4, inet6, ... carried as text with the native type
  return d;
}

Status DecodeCell(CellKind kind, const char* data, unsigned long length, std::string* scratch, Value* out) {
  if (data == nullptr) {
    out->SetNull();
    return Status::OK();
  }
  const char* end = data + length;
  auto bad = [&](const char* what) {
    return Status::Corruption(std::string("server sent a malformed ") + what + " value '" +
                              std::string(data, std::min<unsigned long>(length, 40)) + "'");
  };
  switch (kind) {
    case CellKind::kSigned:
    case CellKind::kYear: {
      int64_t v = 0;
      if (!ParseWhole(data, end, &v)) return bad("integer");
      out->SetInt(v);
      return Status::OK();
    }
    case CellKind::kUnsigned: {
      uint64_t v = 0;
      if (!ParseWhole(data, end, &v)) return bad("unsigned integer");
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *out = Value::UInt(v);
      } else {
        out->SetInt(static_cast<int64_t>(v));
      }
      return Status::OK();
    }
    case CellKind::kFloat:
    case CellKind::kDouble: {
      double v = 0;
      if (!ParseWhole(data, end, &v)) return bad("floating-point");
      out->SetFloat(v);
      return Status::OK();
    }
    case CellKind::kBit: {
      if (length > 8) return bad("BIT");
      uint64_t v = 0;
      for (unsigned long i = 0; i < length; ++i) v = v << 8 | static_cast<unsigned char>(data[i]);
      *out = Value::UInt(v);
      return Status::OK();
    }
    case CellKind::kText:
    case CellKind::kTextConverted: out->SetText(std::string_view(data, length)); return Status::OK();
    case CellKind::kBinary: out->SetBytes(std::string_view(data, length)); return Status::OK();
    case CellKind::kGeometry:
      DECANT_RETURN_IF_ERROR(GeometryToWkb(std::string_view(data, length), scratch));
      out->SetBytes(*scratch);
      return Status::OK();
  }
  return Status::Internal("unknown cell kind");
}

Status GeometryToWkb(std::string_view stored, std::string* out) {
  out->clear();
  if (stored.size() < 9) return Status::Corruption("geometry value shorter than an SRID and a WKB header");
  uint32_t srid = Read32(stored.data(), true);
  std::string_view wkb = stored.substr(4);
  if (srid == 0) {
    out->assign(wkb);
    return Status::OK();
  }
  bool little = wkb[0] == 1;
  out->push_back(wkb[0]);
  Write32(Read32(wkb.data() + 1, little) | kEwkbSrid, little, out);
  Write32(srid, little, out);
  out->append(wkb.substr(5));
  return Status::OK();
}

Status WkbToGeometry(std::string_view wkb, std::string* out) {
  out->clear();
  if (wkb.size() < 5 || (wkb[0] != 0 && wkb[0] != 1)) return Status::DataLoss("value is not WKB");
  bool little = wkb[0] == 1;
  uint32_t type = Read32(wkb.data() + 1, little);
  uint32_t srid = 0;
  size_t body = 5;
  if (type & kEwkbSrid) {
    if (wkb.size() < 9) return Status::DataLoss("EWKB value too short for its SRID");
    srid = Read32(wkb.data() + 5, little);
    type &= ~kEwkbSrid;
    body = 9;
  }
  Write32(srid, true, out);
  out->push_back(wkb[0]);
  Write32(type, little, out);
  out->append(wkb.substr(body));
  return Status::OK();
}

}  // namespace decant::mysql_internal
