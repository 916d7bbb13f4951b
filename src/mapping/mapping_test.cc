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
std::optional<std::string> TranslateDefault(std::string_view expr, const char* from, const char* to,
                                            LogicalType type = LogicalType::kTimestamp) {
  return decant::TranslateDefault(expr, type, E(from).dialect, E(to).dialect);
}

// Converts `v` from (source type on `from`) to (target type on `to`); returns the reason or "" if exact.
std::string Conv(Value* v, const DataType& from_t, const char* from, const DataType& to_t, const char* to) {
  ValueConverter c(from_t, E(from), to_t, E(to));
  const char* r = c.Convert(v);
  return r ? r : "";
}

// A json_normalized source's documents into PostgreSQL (jsonb, whose text
// holds no NUL): "\u0000" in a string or key is removed, anything else passes.
TEST(ValueConversion, JsonIntoJsonbLosesOnlyNul) {
  EngineTraits docs;
  docs.name = "documents";
  docs.values.json_normalized = true;
  ValueConverter c(T(LogicalType::kJson), docs, T(LogicalType::kJson), E("postgresql"));
  Value v = Value::Text(R"({"b": "x\u0000y", "a\u0000": ["\u0000", 1], "c": "\\u0000"})");
  const char* r = c.Convert(&v);
  EXPECT_STREQ(r, "NUL removed from a JSON string");
  EXPECT_EQ(v.as_string(), R"({"a":["",1],"b":"xy","c":"\\u0000"})");
  v = Value::Text(R"({"c": "\\u0000 is text"})");
  EXPECT_EQ(c.Convert(&v), nullptr);
  EXPECT_EQ(v.as_string(), R"({"c": "\\u0000 is text"})");
  // Not json_normalized (json, which keeps the text): unchanged.
  v = Value::Text(R"({"b": "x\u0000y"})");
  EXPECT_EQ(Conv(&v, T(LogicalType::kJson), "mysql", T(LogicalType::kJson), "postgresql"), "");
  EXPECT_EQ(v.as_string(), R"({"b": "x\u0000y"})");
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
  EXPECT_EQ(*TranslateDefault("'abc'::character varying", "postgresql", "sqlite", LogicalType::kText), "'abc'");
  EXPECT_EQ(*TranslateDefault("now()", "postgresql", "mysql"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(*TranslateDefault("current_timestamp()", "mysql", "postgresql"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(*TranslateDefault("'it\\'s'", "mysql", "postgresql", LogicalType::kText), "'it''s'");
  EXPECT_EQ(*TranslateDefault("(-1)", "postgresql", "mysql", LogicalType::kInt32), "-1");
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
  // Unbalanced parentheses do not translate.
  EXPECT_FALSE(TranslateSql("current_timestamp(", "mysql", "sqlite", {}));
}

TEST(SqlTranslate, UnterminatedQuoteOrCommentIsRefused) {
  EXPECT_FALSE(TranslateSql("select 'open", "postgresql", "mysql", {}));
  EXPECT_FALSE(TranslateSql("select \"open", "postgresql", "mysql", {}));
  EXPECT_FALSE(TranslateSql("select a /* open", "sqlite", "postgresql", {}));
  EXPECT_FALSE(TranslateDefault("'it\\'s", "mysql", "postgresql"));
  // A closed comment reads as whitespace, quotes inside it included.
  EXPECT_EQ(*TranslateSql("select a -- it's\n  from t", "sqlite", "postgresql", {}), "select a from t");
}

// Defaults (issue 11): the current date/time in every spelling, written for
// the column's type; casts and literals; sequences are not defaults.
TEST(SqlTranslate, DefaultsCurrentDateAndTime) {
  using L = LogicalType;
  for (const char* e : {"CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP()", "now()", "LOCALTIMESTAMP", "current_timestamp()"}) {
    EXPECT_EQ(TranslateDefault(e, "mysql", "postgresql"), "CURRENT_TIMESTAMP") << e;
    EXPECT_EQ(TranslateDefault(e, "mysql", "sqlite"), "CURRENT_TIMESTAMP") << e;
  }
  for (const char* e : {"now()", "transaction_timestamp()", "statement_timestamp()", "clock_timestamp()",
                        "CURRENT_TIMESTAMP", "'now'::timestamp", "'now'::timestamp with time zone"}) {
    EXPECT_EQ(TranslateDefault(e, "postgresql", "mysql"), "CURRENT_TIMESTAMP") << e;
    EXPECT_EQ(TranslateDefault(e, "postgresql", "sqlite"), "CURRENT_TIMESTAMP") << e;
  }
  EXPECT_EQ(TranslateDefault("datetime('now')", "sqlite", "postgresql"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(TranslateDefault("current_timestamp(6)", "mysql", "postgresql"), "CURRENT_TIMESTAMP(6)");
  EXPECT_EQ(TranslateDefault("now(3)", "postgresql", "mysql"), "CURRENT_TIMESTAMP(3)");
  EXPECT_EQ(TranslateDefault("current_timestamp(6)", "mysql", "sqlite"), "CURRENT_TIMESTAMP");
  // Dates.
  for (const char* e : {"('now'::text)::date", "'now'::text::date", "CURRENT_DATE", "'today'::date", "now()"}) {
    EXPECT_EQ(TranslateDefault(e, "postgresql", "sqlite", L::kDate), "CURRENT_DATE") << e;
    EXPECT_EQ(TranslateDefault(e, "postgresql", "mysql", L::kDate), "(CURRENT_DATE)") << e;
  }
  EXPECT_EQ(TranslateDefault("curdate()", "mysql", "postgresql", L::kDate), "CURRENT_DATE");
  EXPECT_EQ(TranslateDefault("date('now')", "sqlite", "mysql", L::kDate), "(CURRENT_DATE)");
  EXPECT_EQ(TranslateDefault("CURRENT_TIMESTAMP", "sqlite", "mysql", L::kDate), "(CURRENT_DATE)");
  EXPECT_EQ(TranslateDefault("CURRENT_TIMESTAMP", "sqlite", "postgresql", L::kDate), "CURRENT_DATE");
  EXPECT_EQ(TranslateDefault("CURRENT_TIME", "postgresql", "mysql", L::kTime), "(CURRENT_TIME)");
  EXPECT_EQ(TranslateDefault("curtime()", "mysql", "sqlite", L::kTime), "CURRENT_TIME");
  // A timestamp default on a text column: an expression default on MySQL.
  EXPECT_EQ(TranslateDefault("CURRENT_TIMESTAMP", "sqlite", "mysql", L::kText), "(CURRENT_TIMESTAMP)");
  // The string 'now' without a cast is text.
  EXPECT_EQ(TranslateDefault("'now'", "sqlite", "postgresql", L::kText), "'now'");
}

TEST(SqlTranslate, DefaultsLiteralsAndCasts) {
  using L = LogicalType;
  EXPECT_EQ(TranslateDefault("'abc'::character varying", "postgresql", "mysql", L::kText), "'abc'");
  EXPECT_EQ(TranslateDefault("'0'::numeric", "postgresql", "sqlite", L::kDecimal), "0");
  EXPECT_EQ(TranslateDefault("'-1.5'::numeric(10,2)", "postgresql", "mysql", L::kDecimal), "-1.5");
  EXPECT_EQ(TranslateDefault("'{}'::jsonb", "postgresql", "mysql", L::kJson), "'{}'");
  EXPECT_EQ(TranslateDefault("NULL::character varying", "postgresql", "sqlite", L::kText), "NULL");
  EXPECT_EQ(TranslateDefault("'a\\\\b'", "mysql", "postgresql", L::kText), "'a\\b'");  // MySQL 'a\\b' is a\b
  EXPECT_EQ(TranslateDefault("'a\\b'::text", "postgresql", "mysql", L::kText), "'a\\\\b'");
  EXPECT_EQ(TranslateDefault("'O''Brien'", "sqlite", "mysql", L::kText), "'O''Brien'");
  EXPECT_EQ(TranslateDefault("((42))", "sqlite", "postgresql", L::kInt32), "42");
  EXPECT_EQ(TranslateDefault("1.5e3", "sqlite", "postgresql", L::kFloat64), "1.5e3");
  // Booleans as the target writes them.
  EXPECT_EQ(TranslateDefault("false", "postgresql", "mysql", L::kBool), "0");
  EXPECT_EQ(TranslateDefault("true", "postgresql", "sqlite", L::kBool), "1");
  EXPECT_EQ(TranslateDefault("'t'::boolean", "postgresql", "sqlite", L::kBool), "1");
  EXPECT_EQ(TranslateDefault("1", "mysql", "postgresql", L::kBool), "true");
  EXPECT_EQ(TranslateDefault("'0'", "mysql", "postgresql", L::kBool), "false");
  EXPECT_EQ(TranslateDefault("TRUE", "sqlite", "postgresql", L::kBool), "true");
  // MySQL bit literals.
  EXPECT_EQ(TranslateDefault("b'0'", "mysql", "postgresql", L::kBool), "false");
  EXPECT_EQ(TranslateDefault("b'101'", "mysql", "postgresql", L::kBitString), "B'101'");
  EXPECT_EQ(TranslateDefault("b'101'", "mysql", "sqlite", L::kBitString), "5");
  // Sequences are the auto id, handled elsewhere; expressions are named.
  EXPECT_FALSE(TranslateDefault("nextval('seq'::regclass)", "postgresql", "sqlite", L::kInt64));
  EXPECT_FALSE(TranslateDefault("nextval('public.seq'::regclass)", "postgresql", "mysql", L::kInt64));
  EXPECT_FALSE(TranslateDefault("(1 + 1)", "mysql", "postgresql", L::kInt32));
  EXPECT_FALSE(TranslateDefault("gen_random_uuid()", "postgresql", "mysql", L::kUuid));
  // SQLite's 'now' without a function is the text 'now'.
  EXPECT_EQ(TranslateDefault("'now'", "sqlite", "mysql", L::kText), "'now'");
}

// Corpus schemas (issue 11): date/time literals each target takes, NUL-padded BINARY defaults.
TEST(SqlTranslate, DefaultsDateTimeLiteralsAndBytes) {
  using L = LogicalType;
  // The zero date exists only on MySQL.
  EXPECT_EQ(TranslateDefault("'0000-00-00 00:00:00'", "sqlite", "mysql", L::kTimestamp), "'0000-00-00 00:00:00'");
  EXPECT_FALSE(TranslateDefault("'0000-00-00 00:00:00'", "sqlite", "postgresql", L::kTimestamp));
  EXPECT_FALSE(TranslateDefault("'0000-00-00'", "mysql", "sqlite", L::kDate));
  EXPECT_EQ(TranslateDefault("0", "sqlite", "mysql", L::kTimestamp), "0");
  EXPECT_FALSE(TranslateDefault("0", "sqlite", "postgresql", L::kTimestamp));
  EXPECT_FALSE(TranslateDefault("'infinity'::timestamp", "postgresql", "mysql", L::kTimestamp));
  // MySQL's DATETIME literal takes no zone: the same instant in UTC.
  EXPECT_EQ(
      TranslateDefault("'1970-01-01 00:00:00+00'::timestamp with time zone", "postgresql", "mysql", L::kTimestampTz),
      "'1970-01-01 00:00:00'");
  EXPECT_EQ(TranslateDefault("'2000-01-01 01:30:00.5+02:30'::timestamp with time zone", "postgresql", "mysql",
                             L::kTimestampTz),
            "'1999-12-31 23:00:00.5'");
  EXPECT_EQ(
      TranslateDefault("'1970-01-01 00:00:00+00'::timestamp with time zone", "postgresql", "sqlite", L::kTimestampTz),
      "'1970-01-01 00:00:00+00'");
  EXPECT_EQ(TranslateDefault("'2001-02-03'::date", "postgresql", "mysql", L::kDate), "'2001-02-03'");
  // MariaDB reports BINARY(4) DEFAULT '' as four NULs.
  std::string nuls = std::string("'") + std::string(4, '\0') + "'";
  EXPECT_EQ(TranslateDefault(nuls, "mysql", "sqlite", L::kBytes), "X'00000000'");
  EXPECT_EQ(TranslateDefault(nuls, "mysql", "postgresql", L::kBytes), "'\\x00000000'::bytea");
  EXPECT_FALSE(TranslateDefault(nuls, "mysql", "postgresql", L::kText));
}

// Views, each translation both ways where both ways exist.
TEST(SqlTranslate, ViewConcatenation) {
  EXPECT_EQ(TranslateSql("select concat(`a`.`fn`,' ',`a`.`ln`) AS `n` from `a`", "mysql", "sqlite", {}),
            "select (\"a\".\"fn\" || ' ' || \"a\".\"ln\") AS \"n\" from \"a\"");
  EXPECT_EQ(TranslateSql("select concat(a, b + 1) from t", "mysql", "postgresql", {}), "select (a || (b + 1)) from t");
  EXPECT_EQ(TranslateSql("SELECT (a.fn || ' '::text) || a.ln AS n FROM a", "postgresql", "mysql", {}),
            "SELECT CONCAT((CONCAT(a.fn, ' ')), a.ln) AS n FROM a");
  EXPECT_EQ(TranslateSql("SELECT fn || ' ' || ln FROM a", "sqlite", "mysql", {}), "SELECT CONCAT(fn, ' ', ln) FROM a");
  EXPECT_EQ(TranslateSql("SELECT fn || ' ' || ln FROM a", "sqlite", "postgresql", {}), "SELECT fn || ' ' || ln FROM a");
  // || next to arithmetic binds differently per engine: refused.
  EXPECT_FALSE(TranslateSql("SELECT a + b || c FROM t", "sqlite", "mysql", {}));
  // In MySQL, || is OR.
  EXPECT_EQ(TranslateSql("select a || b from t", "mysql", "sqlite", {}), "select a OR b from t");
  // PostgreSQL's concat() skips NULLs.
  EXPECT_EQ(TranslateSql("SELECT concat(a.fn, a.ln) AS cc FROM a", "postgresql", "mysql", {}),
            "SELECT CONCAT(COALESCE(a.fn, ''), COALESCE(a.ln, '')) AS cc FROM a");
  // Charset introducers are dropped.
  EXPECT_EQ(TranslateSql("select concat(_utf8mb4'x', _latin1'y', _binary'z')", "mysql", "sqlite", {}),
            "select ('x' || 'y' || 'z')");
  EXPECT_EQ(TranslateSql("select concat_ws(', ', a, b)", "mysql", "postgresql", {}), "select concat_ws(', ', a, b)");
  EXPECT_FALSE(TranslateSql("select concat_ws(', ', a, b)", "mysql", "sqlite", {}));
}

TEST(SqlTranslate, ViewGroupConcat) {
  const char* my =
      "select `a`.`cat` AS `cat`,group_concat(concat(`a`.`fn`,' ',`a`.`ln`) order by `a`.`ln` ASC "
      "separator ', ') AS `names` from `a` group by `a`.`cat`";
  EXPECT_EQ(TranslateSql(my, "mysql", "postgresql", {}),
            "select \"a\".\"cat\" AS \"cat\",string_agg(CAST((\"a\".\"fn\" || ' ' || \"a\".\"ln\") AS text), ', ' "
            "ORDER BY \"a\".\"ln\" ASC) AS \"names\" from \"a\" group by \"a\".\"cat\"");
  bool sqlite_orders = E("sqlite").dialect.aggregate_order_by;  // SQLite 3.44 and later
  if (sqlite_orders) {
    EXPECT_TRUE(TranslateSql(my, "mysql", "sqlite", {}));
  } else {
    EXPECT_FALSE(TranslateSql(my, "mysql", "sqlite", {}));
  }
  EXPECT_EQ(TranslateSql("select group_concat(x separator '; ') from t", "mysql", "sqlite", {}),
            "select group_concat(x, '; ') from t");
  EXPECT_EQ(TranslateSql("select group_concat(x) from t", "mysql", "sqlite", {}), "select group_concat(x) from t");
  EXPECT_EQ(TranslateSql("select group_concat(distinct x) from t", "mysql", "sqlite", {}),
            "select group_concat(DISTINCT x) from t");
  EXPECT_FALSE(TranslateSql("select group_concat(distinct x separator ';') from t", "mysql", "sqlite", {}));
  EXPECT_EQ(TranslateSql("select group_concat(x) from t", "mysql", "postgresql", {}),
            "select string_agg(CAST(x AS text), ',') from t");
  EXPECT_EQ(
      TranslateSql("select group_concat(distinct x order by x desc separator ';') from t", "mysql", "postgresql", {}),
      "select string_agg(DISTINCT CAST(x AS text), ';' ORDER BY CAST(x AS text) DESC) from t");
  EXPECT_FALSE(
      TranslateSql("select group_concat(distinct x order by y separator ';') from t", "mysql", "postgresql", {}));
  EXPECT_EQ(
      TranslateSql("SELECT string_agg((a.fn)::text, ', '::text ORDER BY a.ln) AS n FROM a", "postgresql", "mysql", {}),
      "SELECT GROUP_CONCAT((a.fn) ORDER BY a.ln SEPARATOR ', ') AS n FROM a");
  EXPECT_EQ(TranslateSql("SELECT string_agg(a.fn, ', ') FROM a", "postgresql", "sqlite", {}),
            "SELECT group_concat(a.fn, ', ') FROM a");
  EXPECT_EQ(TranslateSql("SELECT group_concat(fn, '; ') FROM a", "sqlite", "mysql", {}),
            "SELECT GROUP_CONCAT(fn SEPARATOR '; ') FROM a");
  EXPECT_EQ(TranslateSql("SELECT group_concat(fn) FROM a", "sqlite", "postgresql", {}),
            "SELECT string_agg(CAST(fn AS text), ',') FROM a");
}

TEST(SqlTranslate, ViewFunctionsAndClauses) {
  EXPECT_EQ(TranslateSql("select ifnull(`a`.`fn`,'x') AS `f` from `a`", "mysql", "postgresql", {}),
            "select COALESCE(\"a\".\"fn\", 'x') AS \"f\" from \"a\"");
  EXPECT_EQ(TranslateSql("SELECT ifnull(fn, 'x') FROM a", "sqlite", "mysql", {}), "SELECT COALESCE(fn, 'x') FROM a");
  EXPECT_EQ(TranslateSql("SELECT COALESCE(a.fn, 'x'::character varying) AS f FROM a", "postgresql", "sqlite", {}),
            "SELECT coalesce(a.fn, 'x') AS f FROM a");
  EXPECT_EQ(TranslateSql("select if(`a`.`cat` > 1,'big','small') AS `s` from `a`", "mysql", "sqlite", {}),
            "select CASE WHEN \"a\".\"cat\" > 1 THEN 'big' ELSE 'small' END AS \"s\" from \"a\"");
  EXPECT_EQ(TranslateSql("SELECT iif(x, 1, 2) FROM t", "sqlite", "mysql", {}),
            "SELECT CASE WHEN x THEN 1 ELSE 2 END FROM t");
  EXPECT_EQ(TranslateSql("SELECT CASE WHEN (a.cat > 1) THEN 'big'::text ELSE 'small'::text END AS s FROM a",
                         "postgresql", "mysql", {}),
            "SELECT CASE WHEN (a.cat > 1) THEN 'big' ELSE 'small' END AS s FROM a");
  // Dates.
  EXPECT_EQ(TranslateSql("select year(current_timestamp()) AS `y`,month(curdate()) AS `m`", "mysql", "postgresql", {}),
            "select EXTRACT(YEAR FROM CURRENT_TIMESTAMP) AS \"y\",EXTRACT(MONTH FROM CURRENT_DATE) AS \"m\"");
  EXPECT_EQ(TranslateSql("select year(d) from t", "mysql", "sqlite", {}),
            "select CAST(strftime('%Y', d) AS INTEGER) from t");
  EXPECT_EQ(TranslateSql("SELECT EXTRACT(year FROM a.d) AS y, date_part('month'::text, a.d) AS m FROM a", "postgresql",
                         "mysql", {}),
            "SELECT EXTRACT(YEAR FROM a.d) AS y, EXTRACT(MONTH FROM a.d) AS m FROM a");
  EXPECT_FALSE(TranslateSql("SELECT strftime('%Y', d) FROM t", "sqlite", "postgresql", {}));
  EXPECT_EQ(TranslateSql("SELECT datetime('now'), date('now')", "sqlite", "postgresql", {}),
            "SELECT CURRENT_TIMESTAMP, CURRENT_DATE");
  EXPECT_EQ(TranslateSql("select now(), curdate()", "mysql", "sqlite", {}), "select CURRENT_TIMESTAMP, CURRENT_DATE");
  // Casts.
  EXPECT_EQ(TranslateSql("select cast(`a`.`id` as char charset utf8mb4) AS `c` from `a`", "mysql", "postgresql", {}),
            "select CAST(\"a\".\"id\" AS text) AS \"c\" from \"a\"");
  EXPECT_EQ(TranslateSql("select cast(x as signed) from t", "mysql", "sqlite", {}), "select CAST(x AS INTEGER) from t");
  EXPECT_EQ(TranslateSql("SELECT CAST(x AS TEXT) FROM t", "sqlite", "mysql", {}), "SELECT CAST(x AS CHAR) FROM t");
  EXPECT_FALSE(TranslateSql("select cast(x as date) from t", "mysql", "sqlite", {}));
  // Function names by meaning.
  EXPECT_EQ(TranslateSql("SELECT length(a.ln) AS l, \"substring\"((a.fn)::text, 1, 2) AS s FROM a", "postgresql",
                         "mysql", {}),
            "SELECT char_length(a.ln) AS l, substring((a.fn), 1, 2) AS s FROM a");
  EXPECT_EQ(TranslateSql("select char_length(x), length(x) from t", "mysql", "sqlite", {}).has_value(), false);
  EXPECT_EQ(TranslateSql("select char_length(x), count(*) from t", "mysql", "sqlite", {}),
            "select length(x), count(*) from t");
  EXPECT_FALSE(TranslateSql("SELECT my_function(x) FROM t", "postgresql", "mysql", {}));
  EXPECT_EQ(TranslateSql("json_valid(`attrs`)", "mysql", "sqlite", {}), "json_valid(\"attrs\")");
  EXPECT_FALSE(TranslateSql("json_valid(`attrs`)", "mysql", "postgresql", {}));
  // LIMIT forms.
  EXPECT_EQ(TranslateSql("select `a`.`id` AS `id` from `a` limit 2,3", "mysql", "postgresql", {}),
            "select \"a\".\"id\" AS \"id\" from \"a\" LIMIT 3 OFFSET 2");
  EXPECT_EQ(TranslateSql("SELECT a.id FROM a OFFSET 2 LIMIT 3", "postgresql", "mysql", {}),
            "SELECT a.id FROM a LIMIT 3 OFFSET 2");
  EXPECT_EQ(TranslateSql("SELECT a.id FROM a LIMIT 3", "postgresql", "sqlite", {}), "SELECT a.id FROM a LIMIT 3");
  EXPECT_FALSE(TranslateSql("SELECT a.id FROM a OFFSET 2", "postgresql", "sqlite", {}));
  // PostgreSQL's printed LIKE and IN lists.
  EXPECT_EQ(TranslateSql("SELECT a.id FROM a WHERE (((a.fn)::text ~~ 'a%'::text) AND (a.cat = ANY (ARRAY[1, 2])))",
                         "postgresql", "sqlite", {}),
            "SELECT a.id FROM a WHERE (((a.fn) LIKE 'a%') AND (a.cat IN (1, 2)))");
  EXPECT_EQ(
      TranslateSql("SELECT a.id FROM a WHERE a.fn !~~ 'a%' AND a.cat <> ALL (ARRAY[1, 2])", "postgresql", "mysql", {}),
      "SELECT a.id FROM a WHERE a.fn NOT LIKE 'a%' AND a.cat NOT IN (1, 2)");
  EXPECT_FALSE(TranslateSql("SELECT a.id FROM a WHERE a.fn ~~* 'a%'", "postgresql", "mysql", {}));
  EXPECT_EQ(TranslateSql("((s)::text = ANY ((ARRAY['Full'::character varying, 'Used'::character varying])::text[]))",
                         "postgresql", "sqlite", {}),
            "((s) IN ('Full', 'Used'))");
  // Subqueries, quoting, qualifiers.
  EXPECT_EQ(TranslateSql("select (select count(0) from `db`.`b` where `b`.`a_id` = `a`.`id`) AS `n` from `db`.`a`",
                         "mysql", "postgresql", {"db"}),
            "select (select count(0) from \"b\" where \"b\".\"a_id\" = \"a\".\"id\") AS \"n\" from \"a\"");
  EXPECT_EQ(TranslateSql("SELECT \"t\".\"A b\" FROM main.\"t\"", "sqlite", "mysql", {"main"}),
            "SELECT `t`.`A b` FROM `t`");
}
}  // namespace
}  // namespace decant
