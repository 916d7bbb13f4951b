// MySQL's (and MariaDB's) row in the engine registry: its dialect, what it
// holds, and how a column of another engine is declared here.
#include <fmt/format.h>

#include <algorithm>

#include "core/engine_traits.h"
#include "engines/mysql/mysql_endpoint.h"
#include "mapping/type_mapping.h"

namespace decant {
namespace {

using L = LogicalType;

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

ColumnMapping DeclareMysqlColumn(const Column& c, const ValuePolicy& source, bool in_key) {
  ColumnMapping mapping;
  ColumnMapping* m = &mapping;
  const ValuePolicy& self = MysqlTraits().values;
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
        m->risks.push_back(
            {Loss::kSomeValues, "more than 35 integer digits become NULL; more than 30 decimal places are rounded"});
      }
      AddDecimalSpecialRisk(source, self, m);
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
      AddTextRisk(source, self, m);
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
      AddDateRangeRisk(source, self, m);
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
      if (t.logical == L::kTimestampTz) AddTimeZoneRisk(source, self, m);
      AddDateRangeRisk(source, self, m);
      AddSecondFractionRisk(source, self, m);
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
  return mapping;
}

std::string SchemaDdl(const Schema& schema, const EngineTraits& source) { return MysqlSchemaDdl(schema, source); }

// The functions view and default translation knows by their MySQL names.
using F = SqlFunction;
constexpr FunctionSpelling kMysqlFunctions[] = {
    {F::kCount, "count"},
    {F::kSum, "sum"},
    {F::kAvg, "avg"},
    {F::kMin, "min"},
    {F::kMax, "max"},
    {F::kCoalesce, "coalesce"},
    {F::kNullIf, "nullif"},
    {F::kLower, "lower"},
    {F::kUpper, "upper"},
    {F::kReplace, "replace"},
    {F::kTrim, "trim"},
    {F::kLeftTrim, "ltrim"},
    {F::kRightTrim, "rtrim"},
    {F::kAbs, "abs"},
    {F::kRound, "round"},
    {F::kCharLength, "char_length"},
    {F::kCharLength, "character_length"},
    {F::kOctetLength, "length"},
    {F::kOctetLength, "octet_length"},
    {F::kSubstring, "substring"},
    {F::kSubstring, "substr"},
    {F::kSubstring, "mid"},
    {F::kLower, "lcase"},
    {F::kUpper, "ucase"},
    {F::kConcatWs, "concat_ws"},
    {F::kRowNumber, "row_number"},
    {F::kRank, "rank"},
    {F::kDenseRank, "dense_rank"},
    {F::kDateOf, "date"},
    {F::kJsonValid, "json_valid"},
    {F::kConcat, "concat"},
    {F::kGroupConcat, "group_concat"},
    {F::kIfNull, "ifnull"},
    {F::kIf, "if"},
    {F::kNow, "now"},
    {F::kNow, "current_timestamp"},
    {F::kNow, "localtimestamp"},
    {F::kNow, "localtime"},
    {F::kCurrentDate, "curdate"},
    {F::kCurrentDate, "current_date"},
    {F::kCurrentTime, "curtime"},
    {F::kCurrentTime, "current_time"},
    {F::kYear, "year"},
    {F::kMonth, "month"},
    {F::kDay, "dayofmonth"},
    {F::kDay, "day"},
};

}  // namespace

const EngineTraits& MysqlTraits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "mysql";
    t.display_name = "MySQL";
    Dialect& d = t.dialect;
    d.identifier_quote = '`';
    d.double_quote_names = false;  // "x" is a string
    d.backquote_names = true;
    d.bracket_names = false;
    d.backslash_escapes = d.hash_comments = true;
    d.folding = NameFolding::kNone;
    d.case_sensitive_names = false;
    d.default_schema = "";       // names are qualified by the database's own name
    d.variable_prefixes = "?@";  // ? @a
    d.timestamp_precision_argument = true;
    d.functions = kMysqlFunctions;
    d.concat_operator = false;  // || is OR
    d.group_concat = GroupConcatForm::kSeparatorKeyword;
    d.charset_introducers = true;
    d.cast_text = "CHAR";
    d.cast_integer = "SIGNED";
    d.cast_decimal = "DECIMAL";
    d.cast_date = "DATE";
    d.cast_timestamp = "DATETIME";
    d.parenthesized_expression_defaults = true;
    d.zero_date_literals = true;
    d.timestamp_literal_offsets = false;  // '... +00' is an invalid DATETIME
    ValuePolicy& v = t.values;
    v.float_nan = v.float_infinity = false;
    v.decimal_nan = false;
    v.text_nul = true;
    v.requires_valid_utf8 = true;
    v.bc_dates = false;
    v.max_year = 9999;
    v.infinite_dates = false;
    v.zero_dates = true;
    v.times_beyond_24h = true;  // TIME is a duration, -838:59:59 to 838:59:59
    v.second_fraction_digits = 6;
    v.time_zones = false;  // DATETIME: the zone is dropped
    v.unsigned_integers = true;
    v.bits_as_unsigned = true;
    ObjectSupport& o = t.objects;
    o.views = o.triggers = o.checks = o.generated_columns = o.expression_indexes = o.routines = true;
    // t.carries: from another engine's schema views and CHECKs are recreated (those whose
    // query translates, mapping/sql_translate.h).
    t.carries.views = t.carries.checks = true;
    static const IndexMethod kIndexMethods[] = {{"", ""},
                                                {"btree", ""},
                                                {"hash", "a BTREE index (InnoDB has no hash indexes)"},
                                                {"brin", "a BTREE index"},
                                                {nullptr, nullptr}};
    DdlRules& r = t.ddl;
    r.fk_reference = FkReference::kIndexed;
    r.max_name_bytes = 64;
    r.fk_names_per_schema = true;
    r.fk_set_null_on_not_null = r.fk_set_default = r.fk_match_full = r.fk_deferrable = false;
    r.index_methods = kIndexMethods;
    r.on_update_clause = true;
    t.recognizes = IsMysqlUri;
    t.open_source = OpenMysqlSource;
    t.open_sink = OpenMysqlSink;
    t.open_server = OpenMysqlServer;
    t.schema_ddl = SchemaDdl;
    t.not_created = MysqlNotCreated;
    t.declare_column = DeclareMysqlColumn;
    return t;
  }();
  return kTraits;
}

}  // namespace decant
