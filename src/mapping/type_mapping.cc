#include "mapping/type_mapping.h"

#include <algorithm>

#include <fmt/format.h>

namespace decant {
namespace {

using L = LogicalType;

// Risks that come from the source engine, whatever the target.
void AddSourceRisks(const Column& c, const std::string& source, const std::string& target, ColumnMapping* m) {
  L t = c.type.logical;
  if (source == "sqlite" && t != L::kAny && t != L::kText && t != L::kBytes && target != "sqlite") {
    m->risks.push_back({Loss::kSomeValues,
                        "SQLite does not enforce column types: a value of another storage class is converted "
                        "when that is exact, else stored as NULL"});
  }
  if (source == "sqlite" && t == L::kText && c.type.length > 0 && target != "sqlite") {
    m->risks.push_back({Loss::kSomeValues, "SQLite does not enforce lengths: longer values are cut"});
  }
  if (source == "mysql" && target != "mysql" && target != "sqlite" &&
      (t == L::kDate || t == L::kTimestamp || t == L::kTimestampTz)) {
    m->risks.push_back({Loss::kSomeValues, "MySQL zero dates (0000-00-00) become NULL"});
  }
  if (source == "mysql" && target == "postgresql" && t == L::kTime) {
    m->risks.push_back({Loss::kSomeValues, "times outside 00:00:00 to 24:00:00 become NULL"});
  }
}

void MapToSqlite(const Column& c, ColumnMapping* m) {
  const DataType& t = c.type;
  DataType& out = m->target;
  out = t;
  switch (t.logical) {
    case L::kBool: m->type_sql = "BOOLEAN"; break;
    case L::kInt16:
    case L::kInt32:
    case L::kInt64: m->type_sql = "INTEGER"; break;
    case L::kUInt64:
      m->type_sql = "INTEGER";
      out.logical = L::kInt64;
      m->risks.push_back({Loss::kSomeValues, "values above 9223372036854775807 become REAL (rounded)"});
      break;
    case L::kFloat32:
    case L::kFloat64:
      m->type_sql = "REAL";
      m->risks.push_back({Loss::kSomeValues, "NaN becomes NULL"});
      break;
    case L::kDecimal:
      m->type_sql = t.precision > 0 ? fmt::format("NUMERIC({},{})", t.precision, std::max(0, t.scale)) : "NUMERIC";
      m->risks.push_back({Loss::kSomeValues, "more than 15 significant digits: SQLite rounds the value to a REAL"});
      break;
    case L::kText: m->type_sql = t.length > 0 ? fmt::format("VARCHAR({})", t.length) : "TEXT"; break;
    case L::kBytes:
    case L::kGeometry: m->type_sql = "BLOB"; break;
    case L::kDate: m->type_sql = "DATE"; break;
    case L::kTimestamp: m->type_sql = "DATETIME"; break;
    case L::kAny: m->type_sql = ""; break;
    default: m->type_sql = "TEXT"; break;  // times, uuid, json, enum, arrays, ... as their text
  }
}

void MapToPostgres(const Column& c, const std::string& source, ColumnMapping* m) {
  const DataType& t = c.type;
  DataType& out = m->target;
  out = t;
  bool foreign_text = source != "postgresql";  // SQLite and MySQL text may hold NUL or bad UTF-8
  switch (t.logical) {
    case L::kBool: m->type_sql = "boolean"; break;
    case L::kInt16: m->type_sql = "smallint"; break;
    case L::kInt32: m->type_sql = "integer"; break;
    case L::kInt64: m->type_sql = "bigint"; break;
    case L::kUInt64:
      m->type_sql = "numeric(20,0)";
      out = DataType{};
      out.logical = L::kDecimal;
      out.precision = 20;
      out.scale = 0;
      break;
    case L::kFloat32: m->type_sql = "real"; break;
    case L::kFloat64: m->type_sql = "double precision"; break;
    case L::kDecimal:
      m->type_sql = t.precision > 0 ? fmt::format("numeric({},{})", t.precision, std::max(0, t.scale)) : "numeric";
      if (source == "sqlite" && t.scale >= 0) {
        m->risks.push_back({Loss::kSomeValues, fmt::format("values with more than {} decimal places are rounded", t.scale)});
      }
      break;
    case L::kText:
      m->type_sql = t.length > 0 ? fmt::format("varchar({})", t.length) : "text";
      if (foreign_text) m->risks.push_back({Loss::kSomeValues, "NUL characters are removed and invalid UTF-8 replaced"});
      break;
    case L::kBytes: m->type_sql = "bytea"; break;
    case L::kDate: m->type_sql = "date"; break;
    case L::kTime: m->type_sql = t.precision >= 0 ? fmt::format("time({})", std::min(6, t.precision)) : "time"; break;
    case L::kTimestamp:
      m->type_sql = t.precision >= 0 ? fmt::format("timestamp({})", std::min(6, t.precision)) : "timestamp";
      if (source == "sqlite") m->risks.push_back({Loss::kSomeValues, "fractions of a second beyond 6 digits are cut"});
      break;
    case L::kTimestampTz:
      m->type_sql = t.precision >= 0 ? fmt::format("timestamp({}) with time zone", std::min(6, t.precision))
                                     : "timestamp with time zone";
      break;
    case L::kInterval: m->type_sql = "interval"; break;
    case L::kUuid: m->type_sql = "uuid"; break;
    case L::kJson: m->type_sql = "json"; break;
    case L::kBitString:
      m->type_sql = t.length > 0 ? fmt::format("bit varying({})", t.length) : "bit varying";
      break;
    case L::kGeometry: m->type_sql = "bytea"; break;  // WKB; PostGIS is not assumed
    case L::kEnum:
    case L::kArray:
    case L::kNative:
      m->type_sql = "text";
      out = DataType{};
      out.logical = L::kText;
      if (foreign_text) m->risks.push_back({Loss::kSomeValues, "NUL characters are removed and invalid UTF-8 replaced"});
      break;
    case L::kAny:
      m->type_sql = "text";
      out = DataType{};
      out.logical = L::kText;
      m->risks.push_back({Loss::kSomeValues, "integers, reals and blobs are stored as their text (blobs as hex)"});
      break;
  }
}

std::string EnumList(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    std::string q = "'";
    for (char ch : v) {
      if (ch == '\'' || ch == '\\') q.push_back(ch);
      q.push_back(ch);
    }
    out += (out.empty() ? "" : ",") + q + "'";
  }
  return out;
}

void MapToMysql(const Column& c, const std::string& source, bool in_key, ColumnMapping* m) {
  const DataType& t = c.type;
  DataType& out = m->target;
  out = t;
  auto text_out = [&] {
    out = DataType{};
    out.logical = L::kText;
  };
  switch (t.logical) {
    case L::kBool: m->type_sql = "TINYINT(1)"; break;
    case L::kInt16: m->type_sql = "SMALLINT"; break;
    case L::kInt32: m->type_sql = "INT"; break;
    case L::kInt64: m->type_sql = "BIGINT"; break;
    case L::kUInt64: m->type_sql = "BIGINT UNSIGNED"; break;
    case L::kFloat32:
    case L::kFloat64:
      m->type_sql = t.logical == L::kFloat32 ? "FLOAT" : "DOUBLE";
      m->risks.push_back({Loss::kSomeValues, "NaN and infinities become NULL"});
      break;
    case L::kDecimal: {
      int p = t.precision, s = t.scale < 0 ? 0 : t.scale;
      if (p > 0 && p <= 65 && s <= 30) {
        m->type_sql = fmt::format("DECIMAL({},{})", p, s);
      } else {
        m->type_sql = "DECIMAL(65,30)";
        out.precision = 65;
        out.scale = 30;
        m->risks.push_back({Loss::kSomeValues, "more than 35 integer digits become NULL; more than 30 decimal places are rounded"});
      }
      if (source == "postgresql") m->risks.push_back({Loss::kSomeValues, "NaN and infinities become NULL"});
      break;
    }
    case L::kText:
      if (t.length > 0 && t.length <= 16383) {
        m->type_sql = fmt::format("VARCHAR({})", t.length);
      } else if (in_key) {
        m->type_sql = "VARCHAR(255)";
        out.length = 255;
        m->risks.push_back({Loss::kSomeValues, "a key column: values longer than 255 characters are cut"});
      } else {
        m->type_sql = "LONGTEXT";
      }
      if (source == "sqlite") m->risks.push_back({Loss::kSomeValues, "invalid UTF-8 is replaced"});
      break;
    case L::kBytes:
      if (t.length > 0 && t.length <= 65535) {
        m->type_sql = fmt::format("VARBINARY({})", t.length);
      } else if (in_key) {
        m->type_sql = "VARBINARY(255)";
        out.length = 255;
        m->risks.push_back({Loss::kSomeValues, "a key column: values longer than 255 bytes are cut"});
      } else {
        m->type_sql = "LONGBLOB";
      }
      break;
    case L::kDate:
      m->type_sql = "DATE";
      if (source == "postgresql") m->risks.push_back({Loss::kSomeValues, "BC dates, years above 9999 and infinities become NULL"});
      break;
    case L::kTime:
      m->type_sql = fmt::format("TIME({})", t.precision >= 0 ? std::min(6, t.precision) : 6);
      out.precision = t.precision >= 0 ? std::min(6, t.precision) : 6;
      break;
    case L::kTimestamp:
    case L::kTimestampTz: {
      int p = t.precision >= 0 ? std::min(6, t.precision) : 6;
      m->type_sql = fmt::format("DATETIME({})", p);
      out.logical = L::kTimestamp;
      out.precision = p;
      if (t.logical == L::kTimestampTz && source != "mysql") {
        m->risks.push_back({Loss::kAllValues, "the time zone is dropped: stored as UTC"});
      }
      if (source == "postgresql") {
        m->risks.push_back({Loss::kSomeValues, "BC dates, years above 9999 and infinities become NULL"});
      } else if (source == "sqlite") {
        m->risks.push_back({Loss::kSomeValues, "fractions of a second beyond 6 digits are cut"});
      }
      break;
    }
    case L::kUuid: m->type_sql = "CHAR(36)"; break;
    case L::kJson: m->type_sql = "JSON"; break;
    case L::kGeometry: m->type_sql = "GEOMETRY"; break;
    case L::kBitString:
      if (t.length > 0 && t.length <= 64) {
        m->type_sql = fmt::format("BIT({})", t.length);
      } else {
        m->type_sql = "VARCHAR(255)";
        text_out();
      }
      break;
    case L::kEnum:
      if (!t.enum_values.empty()) {
        m->type_sql = "ENUM(" + EnumList(t.enum_values) + ")";
        break;
      }
      [[fallthrough]];
    case L::kInterval:
    case L::kArray:
    case L::kNative:
    case L::kAny:
      m->type_sql = in_key ? "VARCHAR(255)" : "LONGTEXT";
      text_out();
      if (in_key) out.length = 255;
      if (t.logical == L::kAny) {
        m->risks.push_back({Loss::kSomeValues, "integers, reals and blobs are stored as their text (blobs as hex)"});
      }
      break;
  }
}

}  // namespace

const char* LossName(Loss loss) {
  switch (loss) {
    case Loss::kExact: return "exact";
    case Loss::kSomeValues: return "lossy for some values";
    case Loss::kAllValues: return "lossy for every value";
  }
  return "?";
}

Loss ColumnMapping::worst() const {
  Loss w = Loss::kExact;
  for (const Risk& r : risks) w = std::max(w, r.loss);
  return w;
}

bool IsKeyColumn(const Table& table, const std::string& column) {
  auto in = [&](const std::vector<std::string>& cols) { return std::find(cols.begin(), cols.end(), column) != cols.end(); };
  if (table.primary_key && in(table.primary_key->columns)) return true;
  for (const auto& u : table.uniques) {
    if (in(u.columns)) return true;
  }
  for (const auto& fk : table.foreign_keys) {
    if (in(fk.columns)) return true;
  }
  return false;
}

ColumnMapping MapColumn(const Column& column, const std::string& source_engine, const std::string& target_engine,
                        bool in_key) {
  ColumnMapping m;
  if (target_engine == "sqlite") {
    MapToSqlite(column, &m);
  } else if (target_engine == "postgresql") {
    MapToPostgres(column, source_engine, &m);
  } else {
    MapToMysql(column, source_engine, in_key, &m);
  }
  AddSourceRisks(column, source_engine, target_engine, &m);
  return m;
}

}  // namespace decant
