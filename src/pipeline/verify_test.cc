// Canonical values (one test per rule of docs/type-mapping.md, "Canonical
// values"), verify's matching and row listing on in-memory sources and SQLite
// files, and verify across SQLite, PostgreSQL and MySQL/MariaDB when the test
// servers are there (DECANT_TEST_PG15_URI, DECANT_TEST_MYSQL_URI).
#include "pipeline/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "engines/registry.h"
#include "mapping/value_conversion.h"
#include "pipeline/canonical.h"
#include "pipeline/endpoints.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::SqliteExec;
using testing_util::TempDir;

DataType Type(LogicalType t, int32_t length = -1) {
  DataType d;
  d.logical = t;
  d.length = length;
  return d;
}

// Every value canonicalises to the same form in a column of type `t`.
void ExpectSame(LogicalType t, const std::vector<Value>& values) {
  for (const Value& v : values) {
    EXPECT_EQ(Canonical(v, Type(t)), Canonical(values[0], Type(t)))
        << LogicalTypeName(t) << ": " << v.DebugString() << " vs " << values[0].DebugString();
  }
}
void ExpectDifferent(LogicalType t, const Value& x, const Value& y) {
  EXPECT_NE(Canonical(x, Type(t)), Canonical(y, Type(t)))
      << LogicalTypeName(t) << ": " << x.DebugString() << " vs " << y.DebugString();
}
std::string Shown(const Value& v, LogicalType t) { return DisplayCanonical(Canonical(v, Type(t))); }

TEST(Canonical, IntegersOfAnyKindAreDigits) {
  for (LogicalType t : {LogicalType::kInt16, LogicalType::kInt32, LogicalType::kInt64, LogicalType::kUInt64}) {
    ExpectSame(t, {Value::Int(5), Value::UInt(5), Value::Float(5.0), Value::Text("5"), Value::Text("+005"),
                   Value::Text("5.0")});
    ExpectSame(t, {Value::Int(0), Value::Float(-0.0), Value::Text("-0")});
    ExpectDifferent(t, Value::Int(5), Value::Int(6));
    ExpectDifferent(t, Value::Int(5), Value::Text("5x"));
  }
  EXPECT_EQ(Shown(Value::UInt(18446744073709551615u), LogicalType::kUInt64), "18446744073709551615");
  EXPECT_EQ(Shown(Value::Int(-9223372036854775807 - 1), LogicalType::kInt64), "-9223372036854775808");
  EXPECT_EQ(Shown(Value::Text("abc"), LogicalType::kInt64), "'abc'");
}

TEST(Canonical, BooleansAreZeroOrOne) {
  ExpectSame(LogicalType::kBool, {Value::Bool(true), Value::Int(1), Value::Text("t"), Value::Text("true"),
                                  Value::Text("TRUE"), Value::Text("1")});
  ExpectSame(LogicalType::kBool,
             {Value::Bool(false), Value::Int(0), Value::Text("f"), Value::Text("false"), Value::Text("0")});
  ExpectDifferent(LogicalType::kBool, Value::Bool(true), Value::Bool(false));
  ExpectDifferent(LogicalType::kBool, Value::Bool(true), Value::Int(2));
  EXPECT_EQ(Shown(Value::Bool(true), LogicalType::kBool), "1");
  // An integer column (MySQL TINYINT(1)) reads a PostgreSQL boolean the same way.
  EXPECT_EQ(Canonical(Value::Bool(true), Type(LogicalType::kInt16)),
            Canonical(Value::Int(1), Type(LogicalType::kBool)));
}

TEST(Canonical, FloatsAreShortestRoundTripText) {
  ExpectSame(LogicalType::kFloat64,
             {Value::Float(1.5), Value::Text("1.5"), Value::Text("1.50"), Value::Text("+15e-1")});
  ExpectSame(LogicalType::kFloat64, {Value::Float(5), Value::Int(5), Value::Text("5")});
  EXPECT_EQ(Shown(Value::Float(0.1 + 0.2), LogicalType::kFloat64), "0.30000000000000004");
  ExpectDifferent(LogicalType::kFloat64, Value::Float(0.1 + 0.2), Value::Float(0.3));
  ExpectSame(LogicalType::kFloat64, {Value::Float(std::nan("")), Value::Float(-std::nan("")),
                                     Value::Float(std::nan("7")), Value::Text("NaN"), Value::Text("nan")});
  ExpectSame(LogicalType::kFloat64, {Value::Float(HUGE_VAL), Value::Text("Infinity"), Value::Text("inf")});
  ExpectSame(LogicalType::kFloat64, {Value::Float(-HUGE_VAL), Value::Text("-Infinity"), Value::Text("-inf")});
  EXPECT_EQ(Shown(Value::Float(-HUGE_VAL), LogicalType::kFloat64), "-Infinity");
  EXPECT_EQ(Shown(Value::Float(std::nan("")), LogicalType::kFloat64), "NaN");
}

TEST(Canonical, NegativeZeroIsKeptInFloatColumns) {
  ExpectDifferent(LogicalType::kFloat64, Value::Float(-0.0), Value::Float(0.0));
  ExpectDifferent(LogicalType::kFloat32, Value::Float(-0.0), Value::Float(0.0));
  ExpectDifferent(LogicalType::kAny, Value::Float(-0.0), Value::Float(0.0));
  EXPECT_EQ(Shown(Value::Float(-0.0), LogicalType::kFloat64), "-0");
}

TEST(Canonical, Float32ColumnsCompareTheFloat) {
  // MySQL's FLOAT read as DOUBLE is the widened float; PostgreSQL prints real shortest.
  ExpectSame(LogicalType::kFloat32, {Value::Float(0.1), Value::Float(static_cast<double>(0.1f)), Value::Text("0.1")});
  EXPECT_EQ(Shown(Value::Float(static_cast<double>(0.1f)), LogicalType::kFloat32), "0.1");
  ExpectDifferent(LogicalType::kFloat64, Value::Float(0.1), Value::Float(static_cast<double>(0.1f)));
}

TEST(Canonical, DecimalsAreNormalisedText) {
  ExpectSame(LogicalType::kDecimal,
             {Value::Text("1.50"), Value::Text("001.5"), Value::Text("+1.5"), Value::Text("15e-1"), Value::Float(1.5)});
  ExpectSame(LogicalType::kDecimal, {Value::Text("10"), Value::Text("10."), Value::Text("10.000"), Value::Int(10),
                                     Value::Text("1E1"), Value::Float(10)});
  ExpectSame(LogicalType::kDecimal, {Value::Text("0"), Value::Text("-0"), Value::Text("-0.00"), Value::Text(".0"),
                                     Value::Float(-0.0), Value::Int(0)});
  ExpectSame(LogicalType::kDecimal, {Value::Text("0.1"), Value::Text("0.10"), Value::Float(0.1), Value::Text(".1")});
  ExpectSame(LogicalType::kDecimal, {Value::Text("NaN"), Value::Float(std::nan(""))});
  ExpectSame(LogicalType::kDecimal, {Value::Text("Infinity"), Value::Float(HUGE_VAL)});
  ExpectSame(LogicalType::kDecimal, {Value::Text("-Infinity"), Value::Float(-HUGE_VAL)});
  EXPECT_EQ(Shown(Value::Text("-000123.4500"), LogicalType::kDecimal), "-123.45");
  EXPECT_EQ(Shown(Value::Text("0.000120"), LogicalType::kDecimal), "0.00012");
  EXPECT_EQ(Shown(Value::Float(1e20), LogicalType::kDecimal), "100000000000000000000");
  EXPECT_EQ(Shown(Value::Text("12345678901234567890.123456789"), LogicalType::kDecimal),
            "12345678901234567890.123456789");
  ExpectDifferent(LogicalType::kDecimal, Value::Text("1.5"), Value::Text("1.51"));
  ExpectDifferent(LogicalType::kDecimal, Value::Text("1.5"), Value::Text("-1.5"));
  EXPECT_EQ(Shown(Value::Text("n/a"), LogicalType::kDecimal), "'n/a'");
}

TEST(Canonical, TimestampsUseASpaceAndNoTrailingZeros) {
  ExpectSame(LogicalType::kTimestamp, {Value::Text("2009-01-01 00:00:00"), Value::Text("2009-01-01T00:00:00"),
                                       Value::Text("2009-01-01 00:00:00.000000"), Value::Text("2009-01-01 00:00:00.")});
  ExpectSame(LogicalType::kTimestamp,
             {Value::Text("2009-01-01 12:34:56.5"), Value::Text("2009-01-01T12:34:56.500000")});
  ExpectDifferent(LogicalType::kTimestamp, Value::Text("2009-01-01 12:34:56.5"), Value::Text("2009-01-01 12:34:56.05"));
  // A timestamp without time zone keeps an offset: it is part of the text.
  ExpectDifferent(LogicalType::kTimestamp, Value::Text("2020-01-01 02:00:00+02"), Value::Text("2020-01-01 00:00:00"));
  ExpectSame(LogicalType::kTime, {Value::Text("12:00:00.500"), Value::Text("12:00:00.5")});
  ExpectSame(LogicalType::kDate, {Value::Text("2009-01-01")});
  EXPECT_EQ(Shown(Value::Text("infinity"), LogicalType::kTimestamp), "'infinity'");
  EXPECT_EQ(Shown(Value::Text("0000-00-00 00:00:00"), LogicalType::kTimestamp), "'0000-00-00 00:00:00'");
}

TEST(Canonical, TimestampTzIsUtcWithoutOffset) {
  ExpectSame(
      LogicalType::kTimestampTz,
      {Value::Text("2020-01-01 00:00:00+00"), Value::Text("2020-01-01 00:00:00"), Value::Text("2020-01-01T00:00:00Z"),
       Value::Text("2020-01-01 00:00:00+00:00"), Value::Text("2020-01-01 02:00:00+02"),
       Value::Text("2019-12-31 23:30:00-00:30"), Value::Text("2020-01-01 05:30:00+0530")});
  EXPECT_EQ(Shown(Value::Text("2020-03-01 01:00:00.250+02"), LogicalType::kTimestampTz), "'2020-02-29 23:00:00.25'");
  EXPECT_EQ(Shown(Value::Text("2020-12-31 23:00:00-01:00"), LogicalType::kTimestampTz), "'2021-01-01 00:00:00'");
  ExpectDifferent(LogicalType::kTimestampTz, Value::Text("2020-01-01 00:00:00+01"), Value::Text("2020-01-01 00:00:00"));
}

TEST(Canonical, DateOnlyAndLooseTimestampText) {
  ExpectSame(LogicalType::kTimestamp, {Value::Text("2006-02-14"), Value::Text("2006-02-14 00:00:00"),
                                       Value::Text("2006-02-14T00:00"), Value::Text(" 2006-02-14 00:00:00.000000Z ")});
  ExpectSame(LogicalType::kDate, {Value::Text("2006-02-14"), Value::Text("2006-02-14 00:00:00")});
  ExpectDifferent(LogicalType::kDate, Value::Text("2006-02-14"), Value::Text("2006-02-14 10:00:00"));
  ExpectSame(LogicalType::kTimestamp, {Value::Text("2020-01-01 02:00:00+02"), Value::Text("2020-01-01T02:00:00+0200")});
  ExpectSame(LogicalType::kTime, {Value::Text("10:20"), Value::Text("10:20:00.000"), Value::Text("10:20:00Z")});
  ExpectSame(LogicalType::kInt64, {Value::Int(42), Value::Text(" 42 "), Value::Text("42.0"), Value::Float(42.0)});
  ExpectSame(LogicalType::kBool, {Value::Bool(true), Value::Text(" yes"), Value::Text("1 ")});
  EXPECT_EQ(Shown(Value::Text("2006-02-14"), LogicalType::kTimestamp), "'2006-02-14 00:00:00'");
}

// The one rule (mapping/temporal_text.h, core/ascii.h's TrimBlanks): a value
// the converter passes as exact is one verify finds equal, and one it counts
// as converted is one verify names. Loose SQLite text into both servers.
TEST(Canonical, MigrateCountsWhatVerifyNames) {
  using L = LogicalType;
  auto text = [](std::initializer_list<const char*> xs) {
    std::vector<Value> out;
    for (const char* x : xs) out.push_back(Value::Text(x));
    return out;
  };
  std::vector<std::pair<DataType, std::vector<Value>>> cases = {
      {Type(L::kTimestamp), text({"2006-02-14", "2006-02-14 00:00:00", "2006-02-14T10:20:30", "2006-02-14 10:20",
                                  "2006-02-14 10:20:30.000000", "2006-02-14 10:20:30.120", "2006-02-14 10:20:30Z",
                                  "2006-02-14 10:20:30+00:00", "2006-02-14 10:20:30+02:00", " 2006-02-14 10:20:30 ",
                                  "2006-02-14 10:20:30.1234567", "not a date", "", "0000-00-00 00:00:00",
                                  "2006-02-30 00:00:00", "12:00:00"})},
      {Type(L::kDate), text({"2006-02-14", "2006-02-14 00:00:00", "2006-02-14 10:00:00", "2006-02-14T00:00:00.000",
                             "14/02/2006", "0000-00-00"})},
      {Type(L::kTime), text({"10:20", "10:20:30.500", "10:20:30+00", "10:20:30+02", "25:00:00", "-01:00:00", "x"})},
      {Type(L::kInt64), text({"42", " 42 ", "+42", "42.0", "4.2e1", "42.5", "x", "", "1e30"})},
      {Type(L::kBool), text({"1", "true", "yes", " 0 ", "maybe", "2"})},
      {Type(L::kFloat64), text({"1.5", " 1.5 ", "1e300", "nan", "inf", "0.1", "x"})},
  };
  DataType money = Type(L::kDecimal);
  money.precision = 10;
  money.scale = 2;
  cases.push_back({money, text({"1.50", " 1.5", "1.505", "1e2", "x", "123456789.5"})});
  for (const auto& [number, more] : std::vector<std::pair<DataType, std::vector<Value>>>{
           {Type(L::kInt64), {Value::Float(42.0), Value::Float(42.5), Value::Int(7)}},
           {Type(L::kBool), {Value::Int(0), Value::Int(1), Value::Int(2)}},
           {Type(L::kTimestamp), {Value::Int(1234), Value::Float(2453780.5)}}}) {
    cases.push_back({number, more});
  }
  const EngineTraits& sqlite = EngineNamed("sqlite");
  for (const char* target_name : {"postgresql", "mysql"}) {
    const EngineTraits& target = EngineNamed(target_name);
    for (const auto& [type, values] : cases) {
      Column column;
      column.name = "c";
      column.type = type;
      ColumnMapping mapping = target.declare_column(column, sqlite.values, false);
      ValueConverter converter(type, sqlite, mapping.target, target);
      DataType compared = CompareType(type, mapping.target);
      for (const Value& v : values) {
        Value out = v;
        const char* reason = converter.Convert(&out);
        bool equal = Canonical(v, compared) == Canonical(out, compared);
        EXPECT_EQ(reason == nullptr, equal)
            << target_name << " " << LogicalTypeName(type.logical) << ": " << v.DebugString() << " -> "
            << out.DebugString() << " (" << (reason ? reason : "exact") << ")";
      }
    }
  }
}

TEST(Canonical, UuidsAreLowercaseWithHyphens) {
  std::string bytes("\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11", 16);
  ExpectSame(LogicalType::kUuid,
             {Value::Text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), Value::Text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
              Value::Text("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"), Value::Text("a0eebc999c0b4ef8bb6d6bb9bd380a11"),
              Value::Bytes(bytes)});
  ExpectDifferent(LogicalType::kUuid, Value::Text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                  Value::Text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12"));
  EXPECT_EQ(Shown(Value::Text("not-a-uuid"), LogicalType::kUuid), "'not-a-uuid'");
}

TEST(Canonical, JsonIgnoresWhitespaceAndKeyOrder) {
  ExpectSame(LogicalType::kJson, {Value::Text(R"({"b": 1, "a": [1, 2]})"), Value::Text(R"({"a":[1,2],"b":1})"),
                                  Value::Text("{\n  \"a\": [1,2],\n  \"b\": 1\n}")});
  ExpectDifferent(LogicalType::kJson, Value::Text(R"({"a":[1,2]})"), Value::Text(R"({"a":[2,1]})"));
  // Not JSON: compared as it is.
  ExpectSame(LogicalType::kJson, {Value::Text("{x"), Value::Text("{x")});
  ExpectDifferent(LogicalType::kJson, Value::Text("{x"), Value::Text("{ x"));
}

// What a normalising store (PostgreSQL's jsonb) gives back for a document:
// keys sorted by length then bytes, ", " and ": ", the last of duplicate keys,
// 1e2 as 100 and 1e16 written out; all equal to the text it was given.
TEST(Canonical, JsonAsJsonbGivesItBackIsEqual) {
  ExpectSame(LogicalType::kJson,
             {Value::Text(R"({"name":"x","id":1,"a":{"z":1e2,"b":[1.5,-0,1e16]},"id":2})"),
              Value::Text(R"({"a": {"b": [1.5, 0, 10000000000000000], "z": 100}, "id": 2, "name": "x"})")});
  ExpectSame(LogicalType::kJson, {Value::Text(R"({"n":100.0})"), Value::Text(R"({"n":100})")});
  ExpectSame(LogicalType::kJson, {Value::Text(R"({"s":"\u00e9\n"})"), Value::Text("{\"s\": \"\xc3\xa9\\n\"}")});
  ExpectDifferent(LogicalType::kJson, Value::Text(R"({"n":1.5})"), Value::Text(R"({"n":1})"));
  ExpectDifferent(LogicalType::kJson, Value::Text(R"({"n":"1"})"), Value::Text(R"({"n":1})"));
  ExpectDifferent(LogicalType::kJson, Value::Text(R"({"n":1e300})"), Value::Text(R"({"n":1e299})"));
}

TEST(Canonical, TextAndBytesAgreeInTextColumnsBytesColumnsCompareBytes) {
  ExpectSame(LogicalType::kText, {Value::Text("abc"), Value::Bytes("abc")});
  ExpectSame(LogicalType::kBytes, {Value::Bytes("abc"), Value::Text("abc")});
  ExpectDifferent(LogicalType::kBytes, Value::Bytes(std::string("a\0b", 3)), Value::Bytes("ab"));
  ExpectSame(LogicalType::kText, {Value::Text("5"), Value::Int(5)});  // an untyped SQLite value read as text
  ExpectDifferent(LogicalType::kText, Value::Text("abc"), Value::Text("ABC"));
  EXPECT_EQ(Shown(Value::Bytes(std::string("\x00\xff", 2)), LogicalType::kBytes), "x'00ff'");
}

TEST(Canonical, UntypedColumnsKeepTheKind) {
  ExpectSame(LogicalType::kAny, {Value::Int(5), Value::UInt(5)});
  ExpectDifferent(LogicalType::kAny, Value::Int(5), Value::Text("5"));
  ExpectDifferent(LogicalType::kAny, Value::Int(2), Value::Float(2.0));
  ExpectDifferent(LogicalType::kAny, Value::Text("ab"), Value::Bytes("ab"));
}

TEST(Canonical, EverythingElseIsRawTextOrBytes) {
  ExpectDifferent(LogicalType::kInterval, Value::Text("1 day"), Value::Text("24:00:00"));
  ExpectSame(LogicalType::kEnum, {Value::Text("red")});
  ExpectDifferent(LogicalType::kArray, Value::Text("{1,2}"), Value::Text("{1, 2}"));
  ExpectDifferent(LogicalType::kNative, Value::Text("10.0.0.1"), Value::Text("10.0.0.1/32"));
  // MySQL reads BIT(8) as a number, PostgreSQL as '00000101'.
  EXPECT_EQ(Canonical(Value::UInt(5), Type(LogicalType::kBitString, 8)),
            Canonical(Value::Text("00000101"), Type(LogicalType::kBitString, 8)));
  EXPECT_EQ(Canonical(Value::Null(), Type(LogicalType::kText)), "N");
  ExpectDifferent(LogicalType::kText, Value::Null(), Value::Text(""));
  ExpectDifferent(LogicalType::kText, Value::Null(), Value::Text("NULL"));
}

TEST(Canonical, CompareTypeTakesTheMoreSpecific) {
  auto ct = [](LogicalType x, LogicalType y) { return CompareType(Type(x), Type(y)).logical; };
  using L = LogicalType;
  EXPECT_EQ(ct(L::kAny, L::kText), L::kText);
  EXPECT_EQ(ct(L::kInt64, L::kAny), L::kInt64);
  EXPECT_EQ(ct(L::kText, L::kUuid), L::kUuid);
  EXPECT_EQ(ct(L::kJson, L::kText), L::kJson);
  EXPECT_EQ(ct(L::kInt64, L::kDecimal), L::kDecimal);
  EXPECT_EQ(ct(L::kDecimal, L::kInt32), L::kDecimal);
  EXPECT_EQ(ct(L::kInt64, L::kFloat64), L::kFloat64);
  EXPECT_EQ(ct(L::kFloat64, L::kDecimal), L::kDecimal);
  EXPECT_EQ(ct(L::kFloat64, L::kFloat32), L::kFloat32);
  EXPECT_EQ(ct(L::kInt16, L::kBool), L::kBool);
  EXPECT_EQ(ct(L::kTimestamp, L::kTimestampTz), L::kTimestampTz);
  EXPECT_EQ(ct(L::kDecimal, L::kUuid), L::kUuid);  // SQLite's NUMERIC affinity for "UUID"
  EXPECT_EQ(ct(L::kBytes, L::kUuid), L::kUuid);
  EXPECT_EQ(ct(L::kText, L::kBytes), L::kBytes);
}

TEST(Canonical, DisplayAndKeyOrder) {
  EXPECT_EQ(DisplayCanonical("N"), "NULL");
  EXPECT_EQ(DisplayCanonical("Tit's"), "'it''s'");
  EXPECT_EQ(DisplayCanonical("T" + std::string(100, 'x'), 10), "'" + std::string(10, 'x') + "'...");
  EXPECT_EQ(DisplayCanonical("Tabcdef", 60, 3), "'...def'");
  EXPECT_TRUE(CanonicalLess("#9", "#10"));
  EXPECT_TRUE(CanonicalLess("#-10", "#-9"));
  EXPECT_TRUE(CanonicalLess("#-1", "#0"));
  EXPECT_FALSE(CanonicalLess("#10", "#10"));
  EXPECT_TRUE(CanonicalLess("Tabc", "Tabd"));
}

// ---- verify on in-memory sources ---------------------------------------------

// Tables and their rows held in memory.
class MemorySource final : public Source {
 public:
  void Add(Table t, std::vector<std::vector<Value>> rows) {
    schema_.tables.push_back(std::move(t));
    rows_.push_back(std::move(rows));
  }
  Result<Schema> ReadSchema() override { return schema_; }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override {
    for (size_t i = 0; i < schema_.tables.size(); ++i) {
      if (schema_.tables[i].name == table.name && schema_.tables[i].schema == table.schema) {
        return std::unique_ptr<TableReader>(new Reader(rows_[i], table.columns.size()));
      }
    }
    return Status::NotFound("no table " + table.name);
  }
  std::string Describe() const override { return "memory"; }

 private:
  class Reader final : public TableReader {
   public:
    Reader(const std::vector<std::vector<Value>>& rows, size_t width) : rows_(rows), width_(width) {}
    Result<bool> Next(RowBatch* batch) override {
      batch->Reset(width_);
      while (next_ < rows_.size() && batch->num_rows() < 3) {
        Value* cells = batch->AppendRow();
        for (size_t c = 0; c < width_; ++c) cells[c] = rows_[next_][c];
        ++next_;
      }
      return !batch->empty();
    }

   private:
    const std::vector<std::vector<Value>>& rows_;
    size_t width_;
    size_t next_ = 0;
  };
  Schema schema_;
  std::vector<std::vector<std::vector<Value>>> rows_;
};

Table MakeTable(const std::string& schema, const std::string& name,
                const std::vector<std::pair<std::string, LogicalType>>& cols, std::vector<std::string> pk = {}) {
  Table t;
  t.schema = schema;
  t.name = name;
  for (const auto& [n, type] : cols) {
    Column c;
    c.name = n;
    c.type.logical = type;
    t.columns.push_back(c);
  }
  if (!pk.empty()) t.primary_key = KeyConstraint{"", std::move(pk)};
  return t;
}

const TableDifference* Find(const VerifyReport& r, const std::string& table) {
  for (const auto& d : r.differences) {
    if (d.table == table) return &d;
  }
  return nullptr;
}

TEST(Verify, ChangedRowIsNamedByPrimaryKey) {
  using L = LogicalType;
  auto invoice = [](const std::string& schema, L total_type) {
    return MakeTable(schema, "Invoice", {{"InvoiceId", L::kInt64}, {"Total", total_type}, {"Note", L::kText}},
                     {"InvoiceId"});
  };
  std::vector<std::vector<Value>> rows_a, rows_b;
  for (int i = 1; i <= 20; ++i) {
    rows_a.push_back({Value::Int(i), Value::Float(i + 0.98), Value::Text("n")});  // SQLite NUMERIC as REAL
    rows_b.push_back({Value::Int(i), Value::Text(std::to_string(i) + ".98"), Value::Text("n")});  // numeric text
  }
  rows_b[6][1] = Value::Text("7.99");
  rows_b.push_back({Value::Int(412), Value::Text("1.00"), Value::Null()});
  MemorySource a, b;
  a.Add(invoice("", L::kDecimal), rows_a);
  b.Add(invoice("public", L::kDecimal), rows_b);
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const TableDifference* d = Find(*r, "Invoice");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->reason, "rows 20 vs 21");
  EXPECT_THAT(d->details, ElementsAre("InvoiceId=7: Total 7.98 vs 7.99", "InvoiceId=412 only in B"));
  EXPECT_EQ(r->differences.size(), 1u);

  // Equal once B is mended: numeric text and REAL compare as decimals.
  rows_b[6][1] = Value::Text("7.980");
  rows_b.pop_back();
  MemorySource a2, b2;
  a2.Add(invoice("", L::kDecimal), rows_a);
  b2.Add(invoice("public", L::kDecimal), rows_b);
  auto same = VerifySources(a2, b2);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->equal()) << same->differences[0].reason;
}

TEST(Verify, ListsTheFirstRowsByKeyAndCountsTheRest) {
  using L = LogicalType;
  Table t = MakeTable("", "t", {{"id", L::kInt64}, {"v", L::kInt64}}, {"id"});
  std::vector<std::vector<Value>> ra, rb;
  for (int i = 1; i <= 100; ++i) {
    ra.push_back({Value::Int(i), Value::Int(0)});
    rb.push_back({Value::Int(101 - i), Value::Int((101 - i) % 10 == 0 ? 1 : 0)});  // 10, 20, ... differ
  }
  MemorySource a, b;
  a.Add(t, ra);
  b.Add(t, rb);
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->differences.size(), 1u);
  EXPECT_EQ(r->differences[0].reason, "same row count, content differs");
  EXPECT_EQ(r->differences[0].differing_rows, 10u);
  EXPECT_THAT(r->differences[0].details,
              ElementsAre("id=10: v 0 vs 1", "id=20: v 0 vs 1", "id=30: v 0 vs 1", "id=40: v 0 vs 1", "id=50: v 0 vs 1",
                          "... and 5 more differing rows"));
}

TEST(Verify, LongValuesAreShownWhereTheyDiffer) {
  using L = LogicalType;
  Table t = MakeTable("", "t", {{"id", L::kInt64}, {"body", L::kText}}, {"id"});
  std::string text(200, 'a');
  MemorySource a, b;
  a.Add(t, {{Value::Int(1), Value::Text(text + "xyz")}});
  b.Add(t, {{Value::Int(1), Value::Text(text + "xYz")}});
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->differences.size(), 1u);
  EXPECT_THAT(r->differences[0].details,
              ElementsAre("id=1: body '..." + std::string(19, 'a') + "xyz' vs '..." + std::string(19, 'a') + "xYz'"));
}

TEST(Verify, TablesWithoutKeyListWholeRows) {
  using L = LogicalType;
  Table t = MakeTable("", "log", {{"at", L::kText}, {"n", L::kInt32}});
  MemorySource a, b;
  a.Add(t, {{Value::Text("x"), Value::Int(1)}, {Value::Text("y"), Value::Int(2)}, {Value::Text("y"), Value::Int(2)}});
  b.Add(t, {{Value::Text("y"), Value::Int(2)}, {Value::Text("x"), Value::Null()}});
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->differences.size(), 1u);
  EXPECT_THAT(
      r->differences[0].details,
      ElementsAre("a row only in A: ('x', 1)", "a row 2 times in A, 1 in B: ('y', 2)", "a row only in B: ('x', NULL)"));
}

// Tables without a key (a TypeDB file's <relation>:roles, written by
// parallel workers): rows in any order, a row repeated, are equal; the same
// rows repeated a different number of times are not.
TEST(Verify, TablesWithoutKeyAreComparedInAnyOrder) {
  using L = LogicalType;
  Table t = MakeTable("", "marriage:roles", {{"relation", L::kText}, {"role", L::kText}, {"player", L::kText}});
  auto row = [](const char* r, const char* role, const char* p) {
    return std::vector<Value>{Value::Text(r), Value::Text(role), Value::Text(p)};
  };
  std::vector<std::vector<Value>> a_rows, b_rows;
  for (int i = 0; i < 50; ++i) {
    std::string r = "r" + std::to_string(i);
    a_rows.push_back(row(r.c_str(), "marriage:spouse", "p1"));
    a_rows.push_back(row(r.c_str(), "marriage:spouse", "p1"));  // a player that plays a role twice
    a_rows.push_back(row(r.c_str(), "marriage:spouse", "p2"));
  }
  b_rows.assign(a_rows.rbegin(), a_rows.rend());
  MemorySource a, b;
  a.Add(t, a_rows);
  b.Add(t, b_rows);
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->equal());

  // Same row count, one row's repeat moved to another row.
  b_rows[1] = row("r49", "marriage:spouse", "p2");  // b_rows[1] is a p1 row
  MemorySource a2, b2;
  a2.Add(t, a_rows);
  b2.Add(t, b_rows);
  r = VerifySources(a2, b2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->differences.size(), 1u);
  EXPECT_EQ(r->differences[0].reason, "same row count, content differs");
  EXPECT_THAT(r->differences[0].details, ElementsAre("a row 2 times in A, 1 in B: ('r49', 'marriage:spouse', 'p1')",
                                                     "a row 1 times in A, 2 in B: ('r49', 'marriage:spouse', 'p2')"));
}

TEST(Verify, MatchesTablesAndColumnsAcrossEngines) {
  using L = LogicalType;
  MemorySource a, b;
  // SQLite: no schema, an untyped column; PostgreSQL: public, lower-case names, text.
  a.Add(MakeTable("", "Artist", {{"ArtistId", L::kInt64}, {"Name", L::kAny}, {"Fax", L::kText}}, {"ArtistId"}),
        {{Value::Int(1), Value::Int(5), Value::Null()}});
  b.Add(MakeTable("public", "artist", {{"artistid", L::kInt32}, {"name", L::kText}, {"email", L::kText}}),
        {{Value::Int(1), Value::Text("5"), Value::Text("a@b")}});
  a.Add(MakeTable("", "only_a", {{"x", L::kInt64}}), {});
  b.Add(MakeTable("public", "only_b", {{"x", L::kInt64}}), {});
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->differences.size(), 3u);
  EXPECT_EQ(r->differences[0].table, "Artist");
  EXPECT_EQ(r->differences[0].reason, "columns differ");
  EXPECT_THAT(r->differences[0].details, ElementsAre("column Fax only in A", "column email only in B"));
  EXPECT_EQ(r->differences[1].table, "only_a");
  EXPECT_EQ(r->differences[1].reason, "only in A");
  EXPECT_EQ(r->differences[2].table, "public.only_b");
  EXPECT_EQ(r->differences[2].reason, "only in B");
}

TEST(Verify, PublicIsPreferredWhenTheNameIsInSeveralSchemas) {
  using L = LogicalType;
  MemorySource a, b;
  a.Add(MakeTable("", "t", {{"x", L::kInt64}}), {{Value::Int(1)}});
  b.Add(MakeTable("audit", "t", {{"x", L::kInt64}}), {{Value::Int(2)}});
  b.Add(MakeTable("public", "t", {{"x", L::kInt64}}), {{Value::Int(1)}});
  auto r = VerifySources(a, b);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->differences.size(), 1u);
  EXPECT_EQ(r->differences[0].table, "audit.t");
  EXPECT_EQ(r->differences[0].reason, "only in B");
}

TEST(Verify, SameTypesStayStrict) {
  using L = LogicalType;
  Table t = MakeTable("", "t", {{"f", L::kFloat64}, {"any", L::kAny}});
  MemorySource a, b, c;
  a.Add(t, {{Value::Float(0.0), Value::Int(1)}});
  b.Add(t, {{Value::Float(-0.0), Value::Int(1)}});
  c.Add(t, {{Value::Float(0.0), Value::Text("1")}});
  auto ab = VerifySources(a, b);
  ASSERT_TRUE(ab.ok());
  EXPECT_FALSE(ab->equal());
  EXPECT_THAT(ab->differences[0].details, ElementsAre("a row only in A: (0, 1)", "a row only in B: (-0, 1)"));
  MemorySource a2;
  a2.Add(t, {{Value::Float(0.0), Value::Int(1)}});
  auto ac = VerifySources(a2, c);
  ASSERT_TRUE(ac.ok());
  EXPECT_FALSE(ac->equal());
}

// ---- verify on SQLite files ----------------------------------------------------

TEST(Verify, SqliteFilesChangedRowIsNamed) {
  TempDir tmp;
  std::string schema =
      "CREATE TABLE album (id INTEGER PRIMARY KEY, title TEXT, price NUMERIC(10,2));"
      "CREATE TABLE tag (album_id INTEGER, tag TEXT);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000)"
      "  INSERT INTO album SELECT i, 'album ' || i, i * 0.25 FROM n;"
      "INSERT INTO tag VALUES (1, 'rock'), (2, 'jazz');";
  std::string a = tmp.File("a.db"), b = tmp.File("b.db");
  SqliteExec(a, schema);
  SqliteExec(b, schema);
  auto verify = [&] {
    auto sa = OpenSource("sqlite://" + a);
    auto sb = OpenSource("sqlite://" + b);
    EXPECT_TRUE(sa.ok() && sb.ok());
    return VerifySources(**sa, **sb);
  };
  auto same = verify();
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(same->equal());
  SqliteExec(b,
             "UPDATE album SET title = 'changed' WHERE id = 1234; DELETE FROM album WHERE id = 99;"
             "UPDATE tag SET tag = 'pop' WHERE album_id = 2;");
  auto diff = verify();
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  ASSERT_EQ(diff->differences.size(), 2u);
  EXPECT_EQ(diff->differences[0].reason, "rows 2000 vs 1999");
  EXPECT_THAT(diff->differences[0].details, ElementsAre("id=99 only in A", "id=1234: title 'album 1234' vs 'changed'"));
  EXPECT_THAT(diff->differences[1].details, ElementsAre("a row only in A: (2, 'jazz')", "a row only in B: (2, 'pop')"));
}

// ---- verify across engines -------------------------------------------------------

using testing_util::Env;

std::string Unique(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "decant_vt_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// A PostgreSQL database for one test (password through PGPASSFILE).
class PgDb {
 public:
  explicit PgDb(std::string server) : server_(std::move(server)), name_(Unique("pg")) {
    Exec(server_, "CREATE DATABASE " + name_);
  }
  ~PgDb() { Exec(server_, "DROP DATABASE IF EXISTS " + name_); }
  std::string uri() const { return server_.substr(0, server_.rfind('/') + 1) + name_; }
  static void Exec(const std::string& uri, const std::string& sql) {
    PGconn* c = PQconnectdb(uri.c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r) << sql;
    PQclear(r);
    PQfinish(c);
  }
  void Exec(const std::string& sql) const { Exec(uri(), sql); }

 private:
  std::string server_, name_;
};

// A MySQL/MariaDB database for one test (password from the defaults file).
class MyDb {
 public:
  MyDb() : name_(Unique("my")) { Exec("", "CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4"); }
  ~MyDb() { Exec("", "DROP DATABASE IF EXISTS " + name_); }
  std::string uri() const { return testing_util::MysqlTestUri(name_); }
  void Exec(const std::string& sql) const { Exec(name_, sql); }

 private:
  static void Exec(const std::string& db, const std::string& sql) {
    // mysql://user@host:port/
    std::string uri = Env("DECANT_TEST_MYSQL_URI");
    std::string rest = uri.substr(uri.find("://") + 3);
    rest.resize(rest.find('/'));
    size_t at = rest.find('@');
    std::string user = at == std::string::npos ? "" : rest.substr(0, at);
    std::string hostport = rest.substr(at == std::string::npos ? 0 : at + 1);
    size_t colon = hostport.rfind(':');
    unsigned port = colon == std::string::npos ? 3306 : static_cast<unsigned>(std::stoul(hostport.substr(colon + 1)));
    std::string host = hostport.substr(0, colon);
    MYSQL* m = mysql_init(nullptr);
    std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
    if (!defaults.empty()) mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, defaults.c_str());
    mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "client");
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    bool ok = mysql_real_connect(m, host.c_str(), user.empty() ? nullptr : user.c_str(), std::getenv("MYSQL_PWD"),
                                 db.empty() ? nullptr : db.c_str(), port, nullptr, CLIENT_MULTI_STATEMENTS) != nullptr;
    EXPECT_TRUE(ok) << mysql_error(m);
    if (ok) {
      std::string all = "SET time_zone = '+00:00'; " + sql;
      EXPECT_EQ(mysql_real_query(m, all.data(), all.size()), 0) << mysql_error(m) << "\n" << sql;
      do {
        if (MYSQL_RES* r = mysql_store_result(m)) mysql_free_result(r);
      } while (mysql_next_result(m) == 0);
    }
    mysql_close(m);
  }
  std::string name_;
};

// The same values, written natively by each engine's SQL.
constexpr const char* kRows =
    "(1, TRUE, 42, 9007199254740993, 1.50, 0.1, 0.30000000000000004, '2009-01-01 12:34:56.5', TZ, UUID, JSON, 'héllo'),"
    "(2, FALSE, -7, -1, 0.00, 1e10, -2.5e-8, '1999-12-31 23:59:59', TZ2, NULL, '[]', ''),"
    "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

std::string Rows(const std::string& tz, const std::string& tz2, const std::string& uuid, const std::string& json) {
  std::string s = kRows;
  auto put = [&s](const std::string& what, const std::string& by) { s.replace(s.find(what), what.size(), by); };
  put("TZ2", tz2);
  put("TZ", tz);
  put("UUID", uuid);
  put("JSON", json);
  return s;
}

Result<VerifyReport> VerifyUris(const std::string& a, const std::string& b) {
  auto sa = OpenSource(a);
  if (!sa.ok()) return sa.status();
  auto sb = OpenSource(b);
  if (!sb.ok()) return sb.status();
  return VerifySources(**sa, **sb);
}

std::string Lines(const VerifyReport& r) {
  std::string out;
  for (const auto& d : r.differences) {
    out += d.table + ": " + d.reason + "\n";
    for (const auto& x : d.details) out += "  " + x + "\n";
  }
  return out;
}

TEST(VerifyAcrossEngines, SqlitePostgresqlMysqlHoldTheSameValues) {
  std::string pg_server = Env("DECANT_TEST_PG15_URI");
  if (pg_server.empty())
    GTEST_SKIP() << "DECANT_TEST_PG15_URI is unset (source /var/tmp/decant-servers/postgresql.env)";
  if (Env("DECANT_TEST_MYSQL_URI").empty()) {
    GTEST_SKIP() << "DECANT_TEST_MYSQL_URI is unset (source /var/tmp/decant-servers/mariadb.env)";
  }
  TempDir tmp;
  std::string lite = "sqlite://" + tmp.File("v.db");
  // SQLite: BOOLEAN and BIGINT are integers, NUMERIC(10,2) keeps 1.50 as REAL,
  // UUID and JSON get NUMERIC affinity and keep their text.
  SqliteExec(tmp.File("v.db"),
             "CREATE TABLE t (id INTEGER PRIMARY KEY, b BOOLEAN, i INTEGER, bi BIGINT, n NUMERIC(10,2), r REAL, "
             "d DOUBLE, ts TIMESTAMP, tz TEXT, u UUID, j JSON, s TEXT);"
             "INSERT INTO t VALUES " +
                 Rows("'2020-01-01T00:00:00Z'", "'2020-06-30 22:00:00.000'", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
                      "'{\"a\":[1,2],\"b\":1}'") +
                 ";");
  PgDb pg(pg_server);
  pg.Exec(
      "CREATE TABLE t (id integer PRIMARY KEY, b boolean, i integer, bi bigint, n numeric(10,2), r real, "
      "d double precision, ts timestamp(3), tz timestamptz, u uuid, j jsonb, s text);"
      "INSERT INTO t VALUES " +
      Rows("'2020-01-01 02:00:00+02'", "'2020-07-01 00:00:00+02'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
           "'{\"b\": 1, \"a\": [1, 2]}'") +
      ";");
  MyDb my;
  my.Exec(
      "CREATE TABLE t (id INT PRIMARY KEY, b BOOLEAN, i INT, bi BIGINT, n DECIMAL(10,2), r FLOAT, d DOUBLE, "
      "ts DATETIME(6), tz DATETIME(6), u CHAR(36), j JSON, s VARCHAR(20));"
      "INSERT INTO t VALUES " +
      Rows("'2020-01-01 00:00:00'", "'2020-06-30 22:00:00'", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
           "'{\"b\": 1,  \"a\": [1,2]}'") +
      ";");

  for (const auto& [x, y] : std::vector<std::pair<std::string, std::string>>{
           {lite, pg.uri()}, {pg.uri(), lite}, {lite, my.uri()}, {pg.uri(), my.uri()}, {my.uri(), pg.uri()}}) {
    SCOPED_TRACE(x.substr(0, x.find(':')) + " vs " + y.substr(0, y.find(':')));
    auto r = VerifyUris(x, y);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->equal()) << Lines(*r);
  }

  my.Exec("UPDATE t SET n = 1.51 WHERE id = 1; INSERT INTO t (id) VALUES (4);");
  auto r = VerifyUris(pg.uri(), my.uri());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->differences.size(), 1u) << Lines(*r);
  EXPECT_EQ(r->differences[0].table, "public.t");
  EXPECT_EQ(r->differences[0].reason, "rows 3 vs 4");
  EXPECT_THAT(r->differences[0].details, ElementsAre("id=1: n 1.5 vs 1.51", "id=4 only in B"));

  pg.Exec("UPDATE t SET tz = '2020-01-01 00:00:01+00' WHERE id = 1");
  r = VerifyUris(lite, pg.uri());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->differences.size(), 1u) << Lines(*r);
  EXPECT_THAT(r->differences[0].details, ElementsAre("id=1: tz '2020-01-01 00:00:00' vs '2020-01-01 00:00:01'"));
}

}  // namespace
}  // namespace decant
