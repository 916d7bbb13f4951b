#include "formats/typedb/typedb_values.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace decant::typedb {
namespace {

using MV = v3::MigrationValue;

constexpr uint64_t kFrac = 10'000'000'000'000'000'000ULL;  // 10^19

MV Decimal(int64_t integer, uint64_t fractional) {
  MV v;
  v.mutable_decimal()->set_integer(integer);
  v.mutable_decimal()->set_fractional(fractional);
  return v;
}
MV Date(int32_t days) {
  MV v;
  v.mutable_date()->set_num_days_since_ce(days);
  return v;
}
MV Datetime(int64_t seconds, uint32_t nanos) {
  MV v;
  v.mutable_datetime()->set_seconds(seconds);
  v.mutable_datetime()->set_nanos(nanos);
  return v;
}
MV Millis(int64_t ms) {
  MV v;
  v.set_datetime_millis(ms);
  return v;
}
MV Duration(uint32_t months, uint32_t days, uint64_t nanos) {
  MV v;
  v.mutable_duration()->set_months(months);
  v.mutable_duration()->set_days(days);
  v.mutable_duration()->set_nanos(nanos);
  return v;
}
MV Tz(int64_t seconds, uint32_t nanos, int32_t offset) {
  MV v;
  v3::DatetimeTz* tz = v.mutable_datetime_tz();
  tz->mutable_datetime()->set_seconds(seconds);
  tz->mutable_datetime()->set_nanos(nanos);
  tz->set_offset(offset);
  return v;
}

SqlValue Sql(const MV& v) {
  SqlValue out;
  Status s = ToSql(v, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::string Text(const MV& v) { return Sql(v).value.as_string(); }

// ToSql, then FromSql of what it wrote: the same message.
void RoundTrip(const MV& v) {
  SqlValue sql = Sql(v);
  MV back;
  Status s = FromSql(TypeOf(v), sql.value, sql.tz, sql.ns, &back);
  ASSERT_TRUE(s.ok()) << s.ToString() << " for " << v.ShortDebugString();
  EXPECT_EQ(back.SerializeAsString(), v.SerializeAsString())
      << v.ShortDebugString() << " came back as " << back.ShortDebugString();
}

MV Read(ValueType t, const Value& v, const Value& tz = Value(), const Value& ns = Value()) {
  MV out;
  Status s = FromSql(t, v, tz, ns, &out);
  EXPECT_TRUE(s.ok()) << s.ToString() << " for " << v.DebugString();
  return out;
}

std::string Refused(ValueType t, const Value& v, const Value& tz = Value(), const Value& ns = Value()) {
  MV out;
  Status s = FromSql(t, v, tz, ns, &out);
  return s.ok() ? "accepted: " + out.ShortDebugString() : s.message();
}

TEST(TypeDbValues, TypeOf) {
  EXPECT_EQ(TypeOf(MV()), ValueType::kNone);
  MV s;
  s.set_string("");
  EXPECT_EQ(TypeOf(s), ValueType::kString);
  EXPECT_EQ(TypeOf(Decimal(0, 0)), ValueType::kDecimal);
  EXPECT_EQ(TypeOf(Millis(0)), ValueType::kDatetimeMillis);
  EXPECT_EQ(TypeOf(Tz(0, 0, 0)), ValueType::kDatetimeTz);
  SqlValue out;
  EXPECT_EQ(ToSql(MV(), &out).code(), StatusCode::kCorruption);
}

TEST(TypeDbValues, Scalars) {
  MV v;
  for (const char* s : {"", "héllo wörld", "日本語 🎉", "a\nb\tc"}) {
    v.set_string(s);
    EXPECT_EQ(Sql(v).value, Value::Text(s));
    RoundTrip(v);
  }
  v.set_boolean(true);
  EXPECT_EQ(Sql(v).value, Value::Bool(true));
  RoundTrip(v);
  v.set_boolean(false);
  RoundTrip(v);
  for (int64_t i :
       {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    v.set_integer(i);
    EXPECT_EQ(Sql(v).value, Value::Int(i));
    RoundTrip(v);
  }
  for (double d : {0.0, -0.0, 0.1, -1e308, 5e-324, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()}) {
    v.set_double_(d);
    EXPECT_EQ(Sql(v).value, Value::Float(d));
    RoundTrip(v);
  }
  v.mutable_struct_()->set_struct_type_name("point");
  EXPECT_EQ(Text(v), "point");
  RoundTrip(v);
}

TEST(TypeDbValues, ScalarsAsEnginesReturnThem) {
  EXPECT_TRUE(Read(ValueType::kBoolean, Value::Int(1)).boolean());
  EXPECT_FALSE(Read(ValueType::kBoolean, Value::Int(0)).boolean());
  EXPECT_TRUE(Read(ValueType::kBoolean, Value::Text("t")).boolean());
  EXPECT_FALSE(Read(ValueType::kBoolean, Value::Text("false")).boolean());
  EXPECT_EQ(Refused(ValueType::kBoolean, Value::Int(2)), "int:2 is not a boolean value");
  EXPECT_EQ(Read(ValueType::kInteger, Value::Text("-42")).integer(), -42);
  EXPECT_EQ(Read(ValueType::kInteger, Value::Float(3.0)).integer(), 3);
  EXPECT_EQ(Refused(ValueType::kInteger, Value::Float(3.5)), "float:3.5 is not a integer value");
  EXPECT_EQ(Refused(ValueType::kInteger, Value::UInt(1ULL << 63)), "uint:9223372036854775808 is not a integer value");
  EXPECT_EQ(Read(ValueType::kDouble, Value::Text("0.1")).double_(), 0.1);
  EXPECT_TRUE(std::signbit(Read(ValueType::kDouble, Value::Text("-0")).double_()));
  EXPECT_TRUE(std::isnan(Read(ValueType::kDouble, Value::Text("NaN")).double_()));
  EXPECT_EQ(Read(ValueType::kDouble, Value::Text("-Infinity")).double_(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Read(ValueType::kDouble, Value::Int(7)).double_(), 7.0);
  EXPECT_EQ(Read(ValueType::kString, Value::Bytes("x")).string(), "x");
  EXPECT_EQ(Refused(ValueType::kString, Value::Bytes("\xff")), "'\xff' is not a string value");
  EXPECT_EQ(Refused(ValueType::kString, Value()), "NULL is not a string value");
}

TEST(TypeDbValues, Decimal) {
  EXPECT_EQ(Text(Decimal(0, 0)), "0");
  EXPECT_EQ(Text(Decimal(1, kFrac / 2)), "1.5");
  EXPECT_EQ(Text(Decimal(-2, kFrac / 2)), "-1.5");  // the floor convention
  EXPECT_EQ(Text(Decimal(-1, kFrac - 1)), "-0.0000000000000000001");
  EXPECT_EQ(Text(Decimal(0, 1)), "0.0000000000000000001");
  EXPECT_EQ(Text(Decimal(std::numeric_limits<int64_t>::max(), kFrac - 1)), "9223372036854775807.9999999999999999999");
  EXPECT_EQ(Text(Decimal(std::numeric_limits<int64_t>::min(), 0)), "-9223372036854775808");
  EXPECT_EQ(Text(Decimal(std::numeric_limits<int64_t>::min(), 1)), "-9223372036854775807.9999999999999999999");
  for (const MV& v :
       {Decimal(0, 0), Decimal(1, kFrac / 2), Decimal(-2, kFrac / 2), Decimal(-1, kFrac - 1),
        Decimal(std::numeric_limits<int64_t>::max(), kFrac - 1), Decimal(std::numeric_limits<int64_t>::min(), 0),
        Decimal(std::numeric_limits<int64_t>::min(), 1), Decimal(123, 4'560'000'000'000'000'000ULL)}) {
    RoundTrip(v);
  }
  SqlValue out;
  EXPECT_EQ(ToSql(Decimal(0, kFrac), &out).message(),
            "decimal fractional part 10000000000000000000 is not below 10^19");

  // What engines give back: PostgreSQL numeric(39,19) with its zeros, SQLite
  // a REAL or an INTEGER, exponents.
  MV d = Read(ValueType::kDecimal, Value::Text("-1.5000000000000000000"));
  EXPECT_EQ(d.decimal().integer(), -2);
  EXPECT_EQ(d.decimal().fractional(), kFrac / 2);
  d = Read(ValueType::kDecimal, Value::Float(0.1));
  EXPECT_EQ(d.decimal().integer(), 0);
  EXPECT_EQ(d.decimal().fractional(), kFrac / 10);
  d = Read(ValueType::kDecimal, Value::Int(-3));
  EXPECT_EQ(d.decimal().integer(), -3);
  EXPECT_EQ(d.decimal().fractional(), 0u);
  d = Read(ValueType::kDecimal, Value::Text("1.5E+3"));
  EXPECT_EQ(d.decimal().integer(), 1500);
  d = Read(ValueType::kDecimal, Value::Text("+.25"));
  EXPECT_EQ(d.decimal().fractional(), kFrac / 4);
  EXPECT_EQ(Read(ValueType::kDecimal, Value::Text("1.00000000000000000010000")).decimal().fractional(), 1u);
  EXPECT_EQ(Refused(ValueType::kDecimal, Value::Text("1.00000000000000000001")),
            "'1.00000000000000000001' is not a decimal value");
  EXPECT_EQ(Refused(ValueType::kDecimal, Value::Text("9223372036854775808")),
            "decimal 9223372036854775808 is out of the range of TypeDB's decimal");
  EXPECT_EQ(Refused(ValueType::kDecimal, Value::Text("-9223372036854775808.1")),
            "decimal -9223372036854775808.1 is out of the range of TypeDB's decimal");
  EXPECT_EQ(Refused(ValueType::kDecimal, Value::Float(std::nan(""))), "float:nan is not a decimal value");
  EXPECT_EQ(Refused(ValueType::kDecimal, Value::Text("1e999")), "'1e999' is not a decimal value");
  EXPECT_EQ(Refused(ValueType::kDecimal, Value::Text("abc")), "'abc' is not a decimal value");
}

TEST(TypeDbValues, Date) {
  EXPECT_EQ(Text(Date(719163)), "1970-01-01");
  EXPECT_EQ(Text(Date(1)), "0001-01-01");
  EXPECT_EQ(Text(Date(0)), "0001-12-31 BC");
  EXPECT_EQ(Text(Date(-365)), "0001-01-01 BC");
  EXPECT_EQ(Text(Date(-366)), "0002-12-31 BC");
  EXPECT_EQ(Text(Date(738886)), "2024-01-01");
  EXPECT_EQ(Text(Date(std::numeric_limits<int32_t>::max())), "5879611-07-11");
  EXPECT_EQ(Text(Date(std::numeric_limits<int32_t>::min())), "5879611-06-22 BC");
  for (int32_t d :
       {1, 0, -1, 719163, 719162, 600000, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()})
    RoundTrip(Date(d));
  EXPECT_EQ(Read(ValueType::kDate, Value::Text("1969-12-31 00:00:00")).date().num_days_since_ce(), 719162);
  EXPECT_EQ(Refused(ValueType::kDate, Value::Text("1969-12-31 00:00:01")), "'1969-12-31 00:00:01' is not a date value");
  EXPECT_EQ(Refused(ValueType::kDate, Value::Text("2023-02-29")), "'2023-02-29' is not a date value");
  EXPECT_EQ(Refused(ValueType::kDate, Value::Text("infinity")), "'infinity' is not a date value");
  EXPECT_EQ(Refused(ValueType::kDate, Value::Text("9999999-01-01")),
            "date 9999999-01-01 is out of the range of TypeDB's date");
}

TEST(TypeDbValues, Datetime) {
  SqlValue s = Sql(Datetime(0, 0));
  EXPECT_EQ(s.value, Value::Text("1970-01-01 00:00:00.000000"));
  EXPECT_EQ(s.ns, Value::Int(0));
  s = Sql(Datetime(-1, 999'999'999));  // 1969-12-31 23:59:59.999999999
  EXPECT_EQ(s.value, Value::Text("1969-12-31 23:59:59.999999"));
  EXPECT_EQ(s.ns, Value::Int(999));
  EXPECT_EQ(Text(Datetime(-62135596800, 5000)), "0001-01-01 00:00:00.000005");
  EXPECT_EQ(Text(Datetime(-62135596801, 0)), "0001-12-31 23:59:59.000000 BC");
  EXPECT_EQ(Text(Datetime(1704164645, 123456789)), "2024-01-02 03:04:05.123456");
  for (const MV& v :
       {Datetime(0, 0), Datetime(-1, 999'999'999), Datetime(-62135596801, 1), Datetime(1704164645, 123456789),
        Datetime(-9'000'000'000'000, 7), Datetime(9'000'000'000'000, 999'999'999)})
    RoundTrip(v);
  SqlValue out;
  EXPECT_EQ(ToSql(Datetime(std::numeric_limits<int64_t>::max(), 0), &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(ToSql(Datetime(0, 1'000'000'000), &out).code(), StatusCode::kCorruption);

  // As engines print them: shorter fractions, 'T', a zero offset, no value_ns column.
  MV d = Read(ValueType::kDatetime, Value::Text("2024-01-02 03:04:05.123"));
  EXPECT_EQ(d.datetime().seconds(), 1704164645);
  EXPECT_EQ(d.datetime().nanos(), 123'000'000u);
  d = Read(ValueType::kDatetime, Value::Text("2024-01-02T03:04:05+00"), Value(), Value::Int(0));
  EXPECT_EQ(d.datetime().nanos(), 0u);
  d = Read(ValueType::kDatetime, Value::Text("2024-01-02 05:04:05.5+02:00"), Value(), Value::Text("7"));
  EXPECT_EQ(d.datetime().seconds(), 1704164645);
  EXPECT_EQ(d.datetime().nanos(), 500'000'007u);
  d = Read(ValueType::kDatetime, Value::Text("2024-01-02 03:04:05.123456789"));
  EXPECT_EQ(d.datetime().nanos(), 123'456'789u);
  EXPECT_EQ(Refused(ValueType::kDatetime, Value::Text("2024-01-02 03:04:05.1234567891")),
            "'2024-01-02 03:04:05.1234567891' is not a datetime value");
  EXPECT_EQ(Refused(ValueType::kDatetime, Value::Text("2024-01-02 03:04:05"), Value(), Value::Int(1000)),
            "'2024-01-02 03:04:05' is not a datetime value");
  EXPECT_EQ(Refused(ValueType::kDatetime, Value::Text("2024-01-02 24:00:00")),
            "'2024-01-02 24:00:00' is not a datetime value");
  EXPECT_EQ(Refused(ValueType::kDatetime, Value::Int(5)), "int:5 is not a datetime value");
}

TEST(TypeDbValues, DatetimeMillis) {
  EXPECT_EQ(Text(Millis(0)), "1970-01-01 00:00:00.000");
  EXPECT_EQ(Text(Millis(-1)), "1969-12-31 23:59:59.999");
  EXPECT_EQ(Text(Millis(-1001)), "1969-12-31 23:59:58.999");
  EXPECT_EQ(Text(Millis(1704164645123)), "2024-01-02 03:04:05.123");
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{-1001}, int64_t{1704164645123}, int64_t{-62135596800001},
                     int64_t{9'000'000'000'000'000}})
    RoundTrip(Millis(ms));
  EXPECT_EQ(Read(ValueType::kDatetimeMillis, Value::Text("1969-12-31 23:59:59.999000")).datetime_millis(), -1);
  EXPECT_EQ(Read(ValueType::kDatetimeMillis, Value::Text("1969-12-31 23:59:59")).datetime_millis(), -1000);
  EXPECT_EQ(Refused(ValueType::kDatetimeMillis, Value::Text("1970-01-01 00:00:00.0001")),
            "'1970-01-01 00:00:00.0001' is not a datetime-millis value");
  SqlValue out;
  EXPECT_EQ(ToSql(Millis(std::numeric_limits<int64_t>::min()), &out).code(), StatusCode::kCorruption);

  v3::Datetime d;
  MillisToDatetime(-1, &d);
  EXPECT_EQ(d.seconds(), -1);
  EXPECT_EQ(d.nanos(), 999'000'000u);
  MillisToDatetime(1704164645123, &d);
  EXPECT_EQ(d.seconds(), 1704164645);
  EXPECT_EQ(d.nanos(), 123'000'000u);
}

TEST(TypeDbValues, DatetimeTz) {
  SqlValue s = Sql(Tz(0, 5, 19800));
  EXPECT_EQ(s.value, Value::Text("1970-01-01 00:00:00.000000"));  // the UTC instant
  EXPECT_EQ(s.tz, Value::Text("+05:30"));
  EXPECT_EQ(s.ns, Value::Int(5));
  EXPECT_EQ(Sql(Tz(0, 0, -3630)).tz, Value::Text("-01:00:30"));
  EXPECT_EQ(Sql(Tz(0, 0, 0)).tz, Value::Text("+00:00"));
  EXPECT_EQ(Sql(Tz(0, 0, -45)).tz, Value::Text("-00:00:45"));
  MV named = Tz(-86400, 0, 0);
  named.mutable_datetime_tz()->set_named("Europe/London");
  EXPECT_EQ(Sql(named).tz, Value::Text("Europe/London"));
  for (const MV& v : {Tz(0, 5, 19800), Tz(0, 0, -3630), Tz(0, 0, 0), Tz(-1, 999'999'999, -45), Tz(0, 0, 86399), named})
    RoundTrip(v);
  SqlValue out;
  EXPECT_EQ(ToSql(Tz(0, 0, 86400), &out).message(), "datetime-tz without a valid time zone");
  MV none = Tz(0, 0, 0);
  none.mutable_datetime_tz()->clear_timezone();
  EXPECT_EQ(ToSql(none, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(
      Read(ValueType::kDatetimeTz, Value::Text("1970-01-01 00:00:00"), Value::Text("+0530")).datetime_tz().offset(),
      19800);
  EXPECT_EQ(Refused(ValueType::kDatetimeTz, Value::Text("1970-01-01 00:00:00"), Value::Text("+5:30")),
            "'+5:30' is not a datetime-tz value");
  EXPECT_EQ(Refused(ValueType::kDatetimeTz, Value::Text("1970-01-01 00:00:00"), Value()),
            "null is not a datetime-tz value");
}

TEST(TypeDbValues, Duration) {
  constexpr uint64_t kS = 1'000'000'000;
  EXPECT_EQ(Text(Duration(0, 0, 0)), "PT0S");
  EXPECT_EQ(Text(Duration(14, 3, 0)), "P1Y2M3D");
  EXPECT_EQ(Text(Duration(12, 0, 0)), "P1Y");
  EXPECT_EQ(Text(Duration(0, 0, 3723 * kS + 500'000'000)), "PT1H2M3.5S");
  EXPECT_EQ(Text(Duration(0, 0, 1)), "PT0.000000001S");
  EXPECT_EQ(Text(Duration(0, 0, 7200 * kS)), "PT2H");
  EXPECT_EQ(Text(Duration(0, 1, 60 * kS)), "P1DT1M");
  uint32_t max32 = std::numeric_limits<uint32_t>::max();
  uint64_t max64 = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(Text(Duration(max32, max32, max64)), "P357913941Y3M4294967295DT5124095H34M33.709551615S");
  for (const MV& v : {Duration(0, 0, 0), Duration(14, 3, 0), Duration(0, 0, 1), Duration(1, 0, 3723 * kS + 500'000'000),
                      Duration(max32, max32, max64), Duration(0, 0, 59 * kS)})
    RoundTrip(v);
  MV d = Read(ValueType::kDuration, Value::Text("PT90M"));
  EXPECT_EQ(d.duration().nanos(), 5400 * kS);
  d = Read(ValueType::kDuration, Value::Text("P0D"));
  EXPECT_EQ(d.duration().days(), 0u);
  for (const char* bad : {"P", "PT", "1D", "P1S", "PT1D", "P1M1Y", "PT1.5M", "P4294967296D", "P357913941Y4M",
                          "PT5124095H34M33.709551616S", "PT1.0000000001S", "P1DT"}) {
    EXPECT_EQ(Refused(ValueType::kDuration, Value::Text(bad)), "'" + std::string(bad) + "' is not a duration value");
  }
}

TEST(TypeDbValues, ToGeneration2) {
  v2::ValueObject out;
  std::string why;
  MV v;
  v.set_integer(-5);
  ASSERT_TRUE(ToGeneration2(v, &out, &why));
  EXPECT_EQ(out.long_(), -5);
  ASSERT_TRUE(ToGeneration2(Millis(-1), &out, &why));
  EXPECT_EQ(out.datetime(), -1);
  ASSERT_TRUE(ToGeneration2(Datetime(-1, 999'000'000), &out, &why));
  EXPECT_EQ(out.datetime(), -1);
  EXPECT_FALSE(ToGeneration2(Datetime(0, 1), &out, &why));
  EXPECT_EQ(why, "2.x datetimes are milliseconds: this datetime has digits below the millisecond");
  EXPECT_FALSE(ToGeneration2(Decimal(1, 0), &out, &why));
  EXPECT_EQ(why, "2.x has no decimal values");
  EXPECT_FALSE(ToGeneration2(Duration(0, 0, 0), &out, &why));
  EXPECT_EQ(why, "2.x has no duration values");
  EXPECT_FALSE(ToGeneration2(Tz(0, 0, 0), &out, &why));
  EXPECT_FALSE(ToGeneration2(Date(1), &out, &why));
}

}  // namespace
}  // namespace decant::typedb
