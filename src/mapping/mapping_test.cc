#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engines/registry.h"
#include "mapping/sql_translate.h"
#include "mapping/temporal_text.h"
#include "mapping/type_mapping.h"
#include "mapping/value_conversion.h"

namespace decant {
namespace {

DataType T(LogicalType l, int32_t precision = -1, int32_t scale = -1, int32_t length = -1) {
  DataType t;
  t.logical = l;
  t.precision = precision;
  t.scale = scale;
  t.length = length;
  return t;
}

// The tests name engines; the code takes their traits (engines/registry.h).
const EngineTraits& E(const char* name) { return EngineNamed(name); }
ColumnMapping MapColumn(const Column& c, const char* from, const char* to, bool in_key) {
  return decant::MapColumn(c, E(from), E(to), in_key);
}
std::optional<std::string> TranslateSql(std::string_view sql, const char* from, const char* to,
                                        const std::vector<std::string>& drop_qualifiers) {
  return decant::TranslateSql(sql, E(from).dialect, E(to).dialect, drop_qualifiers);
}
std::optional<std::string> TranslateDefault(std::string_view expr, const char* from, const char* to) {
  return decant::TranslateDefault(expr, E(from).dialect, E(to).dialect);
}

// Converts `v` from (source type on `from`) to (target type on `to`); returns the reason or "" if exact.
std::string Conv(Value* v, const DataType& from_t, const char* from, const DataType& to_t, const char* to) {
  ValueConverter c(from_t, E(from), to_t, E(to));
  const char* r = c.Convert(v);
  return r ? r : "";
}

TEST(ValueConversion, DecimalRoundsAndOverflows) {
  Value v = Value::Text("1.005");
  EXPECT_NE(Conv(&v, T(LogicalType::kDecimal), "postgresql", T(LogicalType::kDecimal, 10, 2), "mysql"), "");
  EXPECT_EQ(v.as_string(), "1.01");
  v = Value::Float(0.99);
  EXPECT_EQ(Conv(&v, T(LogicalType::kDecimal, 10, 2), "sqlite", T(LogicalType::kDecimal, 10, 2), "postgresql"), "");
  EXPECT_EQ(v.as_string(), "0.99");
  v = Value::Text("123456");
  EXPECT_NE(Conv(&v, T(LogicalType::kDecimal), "postgresql", T(LogicalType::kDecimal, 5, 2), "mysql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::Text("NaN");
  EXPECT_EQ(Conv(&v, T(LogicalType::kDecimal), "postgresql", T(LogicalType::kDecimal), "postgresql"), "");
  EXPECT_NE(Conv(&v, T(LogicalType::kDecimal), "postgresql", T(LogicalType::kDecimal, 65, 30), "mysql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::Text("-0.50");
  EXPECT_EQ(Conv(&v, T(LogicalType::kDecimal), "mysql", T(LogicalType::kDecimal, 10, 2), "postgresql"), "");
  EXPECT_EQ(v.as_string(), "-0.5");
}

TEST(ValueConversion, FloatsNaNAndInfinity) {
  Value v = Value::Float(std::numeric_limits<double>::quiet_NaN());
  EXPECT_NE(Conv(&v, T(LogicalType::kFloat64), "postgresql", T(LogicalType::kFloat64), "mysql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::Float(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(Conv(&v, T(LogicalType::kFloat64), "postgresql", T(LogicalType::kFloat64), "sqlite"), "");
  EXPECT_TRUE(std::isinf(v.as_float()));
  v = Value::Float(0.1);
  EXPECT_NE(Conv(&v, T(LogicalType::kFloat64), "sqlite", T(LogicalType::kFloat32), "postgresql"), "");
}

TEST(ValueConversion, IntegersRangeAndStorageClass) {
  Value v = Value::Int(70000);
  EXPECT_NE(Conv(&v, T(LogicalType::kInt64), "sqlite", T(LogicalType::kInt16), "postgresql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::Text("42");
  EXPECT_EQ(Conv(&v, T(LogicalType::kInt64), "sqlite", T(LogicalType::kInt64), "postgresql"), "");
  EXPECT_EQ(v.as_int(), 42);
  v = Value::Text("forty-two");
  EXPECT_NE(Conv(&v, T(LogicalType::kInt64), "sqlite", T(LogicalType::kInt64), "mysql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::UInt(18446744073709551615ULL);
  EXPECT_NE(Conv(&v, T(LogicalType::kUInt64), "mysql", T(LogicalType::kInt64), "sqlite"), "");
  EXPECT_EQ(v.kind(), Value::Kind::kFloat);
}

TEST(ValueConversion, TextCleanedForPostgres) {
  Value v = Value::Text(std::string("a\0b\xff", 4));
  EXPECT_NE(Conv(&v, T(LogicalType::kText), "sqlite", T(LogicalType::kText), "postgresql"), "");
  EXPECT_EQ(v.as_string(), "ab\xEF\xBF\xBD");
  v = Value::Text("h\xC3\xA9llo \xF0\x9F\x98\x80");
  EXPECT_EQ(Conv(&v, T(LogicalType::kText), "sqlite", T(LogicalType::kText), "postgresql"), "");
  v = Value::Text("abcdef");
  EXPECT_NE(Conv(&v, T(LogicalType::kText), "postgresql", T(LogicalType::kText, -1, -1, 3), "mysql"), "");
  EXPECT_EQ(v.as_string(), "abc");
}

TEST(ValueConversion, Temporal) {
  Value v = Value::Text("2020-01-01 02:30:00.123456+02");
  EXPECT_NE(Conv(&v, T(LogicalType::kTimestampTz), "postgresql", T(LogicalType::kTimestamp, 6), "mysql"), "");
  EXPECT_EQ(v.as_string(), "2020-01-01 00:30:00.123456");
  v = Value::Text("infinity");
  EXPECT_NE(Conv(&v, T(LogicalType::kDate), "postgresql", T(LogicalType::kDate), "mysql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::Text("0000-00-00 00:00:00");
  EXPECT_NE(Conv(&v, T(LogicalType::kTimestamp), "mysql", T(LogicalType::kTimestamp), "postgresql"), "");
  EXPECT_TRUE(v.is_null());
  v = Value::Text("2009-01-01 00:00:00");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestamp), "sqlite", T(LogicalType::kTimestamp, 6), "mysql"), "");
  EXPECT_EQ(v.as_string(), "2009-01-01 00:00:00");
  v = Value::Text("2009-01-01T10:00:00.1234567");
  EXPECT_NE(Conv(&v, T(LogicalType::kTimestamp), "sqlite", T(LogicalType::kTimestamp), "postgresql"), "");
  EXPECT_EQ(v.as_string(), "2009-01-01 10:00:00.123456");
  v = Value::Text("-12:00:00");
  EXPECT_NE(Conv(&v, T(LogicalType::kTime), "mysql", T(LogicalType::kTime), "postgresql"), "");
  EXPECT_TRUE(v.is_null());
}

TEST(ValueConversion, TemporalTextIntoSqliteIsShortest) {
  // MySQL's DATETIME(6) prints every digit; SQLite keeps the shortest exact text.
  Value v = Value::Text("1962-02-18 00:00:00.000000");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestamp, 6), "mysql", T(LogicalType::kTimestamp, 6), "sqlite"), "");
  EXPECT_EQ(v.as_string(), "1962-02-18 00:00:00");
  v = Value::Text("10:20:30.000");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTime, 3), "mysql", T(LogicalType::kTime, 3), "sqlite"), "");
  EXPECT_EQ(v.as_string(), "10:20:30");
  // A non-zero fraction keeps the digits its column declared; without a declared precision, the shortest.
  v = Value::Text("2020-01-01 10:00:00.250000");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestamp, 6), "mysql", T(LogicalType::kTimestamp, 6), "sqlite"), "");
  EXPECT_EQ(v.as_string(), "2020-01-01 10:00:00.250000");
  v = Value::Text("2020-01-01 10:00:00.250+00");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestampTz), "postgresql", T(LogicalType::kTimestampTz), "sqlite"), "");
  EXPECT_EQ(v.as_string(), "2020-01-01 10:00:00.25+00");
  // SQLite to SQLite keeps the text as written.
  v = Value::Text("2020-01-01 10:00:00.000");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestamp), "sqlite", T(LogicalType::kTimestamp), "sqlite"), "");
  EXPECT_EQ(v.as_string(), "2020-01-01 10:00:00.000");
  EXPECT_EQ(ShortestTemporalText("2020-01-01T10:00:00.500Z", LogicalType::kTimestamp, -1), "2020-01-01T10:00:00.5Z");
  EXPECT_EQ(ShortestTemporalText("not a date.000", LogicalType::kTimestamp, -1), "not a date.000");
}

TEST(ValueConversion, LooseSqliteTextInTypedColumns) {
  Value v = Value::Text("2006-02-14");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestamp), "sqlite", T(LogicalType::kTimestamp), "postgresql"), "");
  EXPECT_EQ(v.as_string(), "2006-02-14 00:00:00");
  v = Value::Text(" 2006-02-14T10:20 ");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTimestamp), "sqlite", T(LogicalType::kTimestamp, 6), "mysql"), "");
  EXPECT_EQ(v.as_string(), "2006-02-14 10:20:00");
  v = Value::Text("2006-02-14 10:20:30");
  EXPECT_EQ(Conv(&v, T(LogicalType::kDate), "sqlite", T(LogicalType::kDate), "postgresql"), "the time of day dropped");
  EXPECT_EQ(v.as_string(), "2006-02-14");
  v = Value::Text("2006-02-14 00:00:00.000");
  EXPECT_EQ(Conv(&v, T(LogicalType::kDate), "sqlite", T(LogicalType::kDate), "postgresql"), "");
  EXPECT_EQ(v.as_string(), "2006-02-14");
  v = Value::Text("10:20:30+02");
  EXPECT_EQ(Conv(&v, T(LogicalType::kTime), "sqlite", T(LogicalType::kTime), "postgresql"), "the time zone dropped");
  v = Value::Text(" 42 ");
  EXPECT_EQ(Conv(&v, T(LogicalType::kInt64), "sqlite", T(LogicalType::kInt64), "postgresql"), "");
  EXPECT_EQ(v.as_int(), 42);
  v = Value::Text("42.0");
  EXPECT_EQ(Conv(&v, T(LogicalType::kInt64), "sqlite", T(LogicalType::kInt32), "mysql"), "");
  EXPECT_EQ(v.as_int(), 42);
}

TEST(ValueConversion, BoolsUuidJsonBits) {
  Value v = Value::Int(1);
  EXPECT_EQ(Conv(&v, T(LogicalType::kInt16), "mysql", T(LogicalType::kBool), "postgresql"), "");
  EXPECT_EQ(v.kind(), Value::Kind::kBool);
  v = Value::Int(2);
  EXPECT_NE(Conv(&v, T(LogicalType::kInt16), "mysql", T(LogicalType::kBool), "postgresql"), "");
  v = Value::Text("not-a-uuid");
  EXPECT_NE(Conv(&v, T(LogicalType::kText), "sqlite", T(LogicalType::kUuid), "postgresql"), "");
  v = Value::Text("{\"a\": [1, 2]}");
  EXPECT_EQ(Conv(&v, T(LogicalType::kJson), "postgresql", T(LogicalType::kJson), "mysql"), "");
  v = Value::Text("{bad");
  EXPECT_NE(Conv(&v, T(LogicalType::kText), "sqlite", T(LogicalType::kJson), "mysql"), "");
  v = Value::Text("0101");
  EXPECT_EQ(
      Conv(&v, T(LogicalType::kBitString, -1, -1, 4), "postgresql", T(LogicalType::kBitString, -1, -1, 4), "mysql"),
      "");
  EXPECT_EQ(v.as_uint(), 5u);
  EXPECT_EQ(
      Conv(&v, T(LogicalType::kBitString, -1, -1, 4), "mysql", T(LogicalType::kBitString, -1, -1, 4), "postgresql"),
      "");
  EXPECT_EQ(v.as_string(), "0101");
}

TEST(TypeMapping, RisksNameTheLoss) {
  Column c;
  c.type = T(LogicalType::kTimestampTz);
  ColumnMapping m = MapColumn(c, "postgresql", "mysql", false);
  EXPECT_EQ(m.type_sql, "DATETIME(6)");
  EXPECT_EQ(m.worst(), Loss::kAllValues);
  c.type = T(LogicalType::kInt32);
  EXPECT_EQ(MapColumn(c, "postgresql", "mysql", false).worst(), Loss::kExact);
  EXPECT_EQ(MapColumn(c, "sqlite", "postgresql", false).worst(), Loss::kSomeValues);  // storage classes
  c.type = T(LogicalType::kUInt64);
  EXPECT_EQ(MapColumn(c, "mysql", "postgresql", false).type_sql, "numeric(20,0)");
  EXPECT_EQ(MapColumn(c, "mysql", "postgresql", false).worst(), Loss::kExact);
}

TEST(SqlTranslate, ViewsAndDefaults) {
  EXPECT_EQ(*TranslateSql("select `db`.`t`.`a` AS `a` from `db`.`t`", "mysql", "postgresql", {"db"}),
            "select \"t\".\"a\" AS \"a\" from \"t\"");
  EXPECT_EQ(*TranslateSql(" SELECT t.a::text AS a\n   FROM public.t;", "postgresql", "mysql", {"public"}),
            "SELECT t.a AS a FROM t");
  EXPECT_FALSE(TranslateDefault("nextval('t_id_seq'::regclass)", "postgresql", "mysql"));
  EXPECT_EQ(*TranslateDefault("'abc'::character varying", "postgresql", "sqlite"), "'abc'");
  EXPECT_EQ(*TranslateDefault("now()", "postgresql", "mysql"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(*TranslateDefault("current_timestamp()", "mysql", "postgresql"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(*TranslateDefault("'it\\'s'", "mysql", "postgresql"), "'it''s'");
  EXPECT_EQ(*TranslateDefault("(-1)", "postgresql", "mysql"), "-1");
  EXPECT_FALSE(TranslateDefault("lower(name)", "postgresql", "mysql"));
}

// The lexer's rule (sql/lexer.h): an unterminated quote or comment runs to the
// end; translation needs a well-formed text and refuses it.
// MySQL writes DATETIME(6) defaults as current_timestamp(6) (pagila through MariaDB);
// SQLite has no precision argument.
TEST(SqlTranslate, TimestampPrecisionArgumentOnlyWhereTheTargetTakesIt) {
  EXPECT_EQ(TranslateSql("current_timestamp(6)", "mysql", "sqlite", {}), "CURRENT_TIMESTAMP");
  EXPECT_EQ(TranslateSql("now( 3 )", "postgresql", "sqlite", {}), "CURRENT_TIMESTAMP");
  EXPECT_EQ(TranslateSql("current_timestamp(6)", "mysql", "postgresql", {}), "current_timestamp(6)");
  EXPECT_EQ(TranslateSql("current_timestamp(", "mysql", "sqlite", {}), "current_timestamp(");
}

TEST(SqlTranslate, UnterminatedQuoteOrCommentIsRefused) {
  EXPECT_FALSE(TranslateSql("select 'open", "postgresql", "mysql", {}));
  EXPECT_FALSE(TranslateSql("select \"open", "postgresql", "mysql", {}));
  EXPECT_FALSE(TranslateSql("select a /* open", "sqlite", "postgresql", {}));
  EXPECT_FALSE(TranslateDefault("'it\\'s", "mysql", "postgresql"));
  // A closed comment reads as whitespace, quotes inside it included.
  EXPECT_EQ(*TranslateSql("select a -- it's\n  from t", "sqlite", "postgresql", {}), "select a from t");
}

}  // namespace
}  // namespace decant
