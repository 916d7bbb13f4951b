#include "formats/django/django_values.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engines/registry.h"
#include "formats/django/django_format.h"
#include "formats/django/fixture_file.h"
#include "mapping/value_conversion.h"
#include "tests/test_util.h"

namespace decant::django {
namespace {

using L = LogicalType;
using Json = nlohmann::json;

ColumnForm Form(L type, int32_t length = -1, bool json_text = false) {
  DataType t;
  t.logical = type;
  t.length = length;
  return ColumnForm{t, json_text, ""};
}

// The value read, as its DebugString, or "reason: ..." when it was refused.
std::string Read(const Json& v, const ColumnForm& form) {
  Value out = Value::Text("stale");
  std::string reason = FixtureValue(v, form, &out);
  if (!reason.empty()) return "reason: " + reason + (out.is_null() ? "" : " (value left set)");
  return out.DebugString();
}

Json Marked(const std::string& token) { return Json(std::string(kNonFiniteMarker) + token); }

struct Case {
  const char* json;  // the fixture's JSON value
  const char* want;  // DebugString, or "reason: ..."
};

void Check(const ColumnForm& form, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(Read(Json::parse(c.json), form), c.want)
        << c.json << " into " << LogicalTypeName(form.type.logical) << (form.json_text ? " (json text)" : "");
  }
}

TEST(FixtureValue, NullIsNullInEveryColumn) {
  for (L t : {L::kBool, L::kInt16, L::kInt64, L::kUInt64, L::kFloat64, L::kDecimal, L::kText, L::kBytes, L::kDate,
              L::kTime, L::kTimestamp, L::kTimestampTz, L::kInterval, L::kUuid, L::kJson, L::kEnum, L::kAny}) {
    EXPECT_EQ(Read(Json(nullptr), Form(t)), "null") << LogicalTypeName(t);
  }
  EXPECT_EQ(Read(Json(nullptr), Form(L::kText, -1, true)), "null");
}

TEST(FixtureValue, Booleans) {
  Check(Form(L::kBool), {{"true", "bool:true"},
                         {"false", "bool:false"},
                         {"1", "bool:true"},
                         {"0", "bool:false"},
                         {"1.0", "bool:true"},
                         {"\"t\"", "bool:true"},
                         {"\"True\"", "bool:true"},
                         {"\"False\"", "bool:false"},
                         {"\"0\"", "bool:false"},
                         {"2", "reason: not a boolean"},
                         {"\"yes\"", "reason: not a boolean"},
                         {"[]", "reason: not a boolean"}});
  // MySQL's tinyint(1) (a BooleanField there) is read as int16.
  Check(Form(L::kInt16), {{"true", "int:1"}, {"false", "int:0"}});
}

TEST(FixtureValue, Integers) {
  Check(Form(L::kInt64), {{"42", "int:42"},
                          {"-7", "int:-7"},
                          {"9223372036854775807", "int:9223372036854775807"},
                          {"-9223372036854775808", "int:-9223372036854775808"},
                          {"9223372036854775808", "uint:9223372036854775808"},
                          {"18446744073709551615", "uint:18446744073709551615"},
                          {"3.0", "int:3"},
                          {"-0.0", "int:0"},
                          {"1e3", "int:1000"},
                          {"3.5", "reason: not a whole number"},
                          {"1e30", "reason: out of range"},
                          {"\"42\"", "int:42"},
                          {"\" -42 \"", "int:-42"},
                          {"\"+5\"", "int:5"},
                          {"\"9223372036854775808\"", "uint:9223372036854775808"},
                          {"\"-9223372036854775809\"", "reason: not a number"},
                          {"\"4.5\"", "reason: not a number"},
                          {"\"\"", "reason: not a number"},
                          {"\"abc\"", "reason: not a number"},
                          {"{}", "reason: not a number"}});
  EXPECT_EQ(Read(Marked("NaN"), Form(L::kInt32)), "reason: not a whole number");
}

// A DurationField outside PostgreSQL is a bigint of microseconds; every form
// django.utils.dateparse.parse_duration reads (values checked against it).
TEST(FixtureValue, DurationsIntoIntegerColumns) {
  Check(Form(L::kInt64), {
                             {"\"00:00:00\"", "int:0"},
                             {"\"00:00:01\"", "int:1000000"},
                             {"\"01:02:03.000004\"", "int:3723000004"},
                             {"\"1 02:03:04.5\"", "int:93784500000"},
                             {"\"-1 23:59:59.999999\"", "int:-1"},  // duration_string(timedelta(microseconds=-1))
                             {"\"-1 00:00:00\"", "int:-86400000000"},
                             {"\"-2 23:00:00\"", "int:-90000000000"},
                             {"\"1 day, 0:00:01\"", "int:86401000000"},  // str(timedelta)
                             {"\"3 days, 1:00:00\"", "int:262800000000"},
                             {"\"-00:00:01\"", "int:-1000000"},
                             {"\"1 -00:00:01\"", "int:86399000000"},
                             {"\"25:00:00\"", "int:90000000000"},
                             {"\"1:30\"", "int:90000000"},
                             {"\"00:00:00.1234567\"", "int:123456"},  // digits past the sixth ignored
                             {"\"00:00:00,5\"", "int:500000"},
                             {"\"106751991 04:00:54.775807\"", "int:9223372036854775807"},
                             {"\"106751991 04:00:54.775808\"", "reason: not a duration"},
                             // duration_iso_string
                             {"\"P4DT01H02M03.000004S\"", "int:349323000004"},
                             {"\"-P0DT00H00M00.000001S\"", "int:-1"},
                             {"\"-P1DT00H00M00S\"", "int:-86400000000"},
                             {"\"+P1D\"", "int:86400000000"},
                             {"\"PT1H\"", "int:3600000000"},
                             {"\"P1.5D\"", "int:129600000000"},
                             {"\"PT0,5S\"", "int:500000"},
                             {"\"PT0.0000005S\"", "int:0"},  // half a microsecond: to even
                             {"\"PT0.0000015S\"", "int:2"},
                             {"\"P\"", "int:0"},
                             {"\"P1H\"", "reason: not a duration"},
                             {"\"PT1S1M\"", "reason: not a duration"},
                             // PostgreSQL's interval output
                             {"\"3 days 04:05:06\"", "int:273906000000"},
                             {"\"-1 days +23:59:59.999999\"", "int:-1"},
                             {"\"1 day\"", "int:86400000000"},
                             {"\"-1 days -00:00:01\"", "int:-86401000000"},
                             {"\"1:2:3:4\"", "reason: not a duration"},
                             {"\"1 02:03\"", "int:86523000000"},
                             {"\"x 01:00:00\"", "reason: not a duration"},
                         });
}

TEST(FixtureValue, DurationsIntoIntervalColumns) {
  // PostgreSQL's own text of the interval Django stores (psycopg2 sends days
  // and non-negative seconds).
  Check(Form(L::kInterval), {{"\"00:00:00\"", "text:\"00:00:00\""},
                             {"\"1 02:03:04.5\"", "text:\"1 day 02:03:04.5\""},
                             {"\"2 00:00:00\"", "text:\"2 days\""},
                             {"\"-1 23:59:59.999999\"", "text:\"-1 days +23:59:59.999999\""},
                             {"\"-P0DT00H00M00.000001S\"", "text:\"-1 days +23:59:59.999999\""},
                             {"\"-00:00:01\"", "text:\"-1 days +23:59:59\""},
                             {"\"-2 00:00:00\"", "text:\"-2 days\""},
                             {"\"P4DT01H02M03.000004S\"", "text:\"4 days 01:02:03.000004\""},
                             {"\"00:00:00.000010\"", "text:\"00:00:00.00001\""},
                             {"\"abc\"", "reason: not a duration"},
                             {"86400", "reason: not a duration"}});
}

TEST(FixtureValue, Floats) {
  Check(Form(L::kFloat64), {{"1.5", "float:1.5"},
                            {"-2", "float:-2"},
                            {"18446744073709551615", "float:1.8446744073709552e+19"},
                            {"1e300", "float:1e+300"},
                            {"\"2.25\"", "float:2.25"},
                            {"\"-inf\"", "float:-inf"},
                            {"\"x\"", "reason: not a number"},
                            {"true", "reason: not a number"}});
  EXPECT_EQ(Read(Marked("NaN"), Form(L::kFloat64)), "float:nan");
  EXPECT_EQ(Read(Marked("Infinity"), Form(L::kFloat32)), "float:inf");
  EXPECT_EQ(Read(Marked("-Infinity"), Form(L::kFloat64)), "float:-inf");
  EXPECT_EQ(Read(Marked("nan"), Form(L::kFloat64)), "reason: not a number");
}

TEST(FixtureValue, Decimals) {
  // The text of the number as Python's str(Decimal) wrote it; the value
  // converter rounds it to the column's scale.
  Check(Form(L::kDecimal), {{"\"12.50\"", "text:\"12.50\""},
                            {"\"-0.00\"", "text:\"-0.00\""},
                            {"\"1E+2\"", "text:\"1E+2\""},
                            {"\"1.5e-7\"", "text:\"1.5e-7\""},
                            {"\".5\"", "text:\".5\""},
                            {"\"5.\"", "text:\"5.\""},
                            {"\"NaN\"", "text:\"NaN\""},
                            {"\"Infinity\"", "text:\"Infinity\""},
                            {"\"-Infinity\"", "text:\"-Infinity\""},
                            {"12", "text:\"12\""},
                            {"-12.5", "text:\"-12.5\""},
                            {"0.1", "text:\"0.1\""},
                            {"1e20", "text:\"100000000000000000000\""},
                            {"18446744073709551615", "text:\"18446744073709551615\""},
                            // SQLite reads Django's TIME columns as decimal: a time stays text.
                            {"\"10:20:30.123\"", "text:\"10:20:30.123\""},
                            {"\"1.2.3\"", "reason: not a number"},
                            {"\"e5\"", "reason: not a number"},
                            {"\"\"", "reason: not a number"},
                            {"true", "reason: not a number"},
                            {"[1]", "reason: not a number"}});
  EXPECT_EQ(Read(Marked("NaN"), Form(L::kDecimal)), "text:\"NaN\"");
  EXPECT_EQ(Read(Marked("-Infinity"), Form(L::kDecimal)), "text:\"-Infinity\"");
}

TEST(FixtureValue, Text) {
  Check(Form(L::kText), {{"\"abc\"", "text:\"abc\""},
                         {"\"\"", "text:\"\""},
                         {"\"h\\u00e9\"", "text:\"h\xc3\xa9\""},
                         {"7", "text:\"7\""},
                         {"1.5", "text:\"1.5\""},
                         {"true", "reason: not a string"},
                         {"{\"a\":1}", "reason: not a string"}});
  // A UUIDField outside PostgreSQL is char(32): the hex digits, as Django stores uuid.hex.
  Check(Form(L::kText, 32), {{"\"6F0A2D1C-3B4E-4F5A-8B6C-7D8E9FA0B1C2\"", "text:\"6f0a2d1c3b4e4f5a8b6c7d8e9fa0b1c2\""},
                             {"\"6f0a2d1c3b4e4f5a8b6c7d8e9fa0b1c2\"", "text:\"6f0a2d1c3b4e4f5a8b6c7d8e9fa0b1c2\""},
                             {"\"not-a-uuid\"", "text:\"not-a-uuid\""}});
  // Any other length keeps the hyphenated form (a decant-made CHAR(36), a varchar).
  Check(Form(L::kText, 36),
        {{"\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\"", "text:\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\""}});
  Check(Form(L::kText),
        {{"\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\"", "text:\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\""}});
}

TEST(FixtureValue, JsonIntoJsonAndJsonTextColumns) {
  for (const ColumnForm& form : {Form(L::kJson), Form(L::kText, -1, true), Form(L::kAny, -1, true)}) {
    Check(form,
          {{"{\"b\": [1, 2.5, {\"c\": null}], \"a\": \"x\"}", "text:\"{\"a\":\"x\",\"b\":[1,2.5,{\"c\":null}]}\""},
           {"[]", "text:\"[]\""},
           {"{}", "text:\"{}\""},
           {"\"abc\"", "text:\"\"abc\"\""},  // a JSON string is JSON text too
           {"\"\"", "text:\"\"\"\""},
           {"\"h\\u00e9\\n\"", "text:\"\"h\xc3\xa9\\n\"\""},
           {"42", "text:\"42\""},
           {"-1.5", "text:\"-1.5\""},
           {"true", "text:\"true\""},
           {"false", "text:\"false\""}});
  }
}

TEST(FixtureValue, Bytes) {
  Check(Form(L::kBytes), {{"\"\"", "bytes:x''"},
                          {"\"AAH/\"", "bytes:x'0001ff'"},
                          {"\"aGk=\"", "bytes:x'6869'"},
                          {"\"aGk\"", "reason: bad base64"},
                          {"\"aG-k\"", "reason: bad base64"},
                          {"\"aGk=\\n\"", "reason: bad base64"},
                          {"12", "reason: not base64"}});
}

TEST(FixtureValue, Dates) {
  Check(Form(L::kDate), {{"\"2020-02-29\"", "text:\"2020-02-29\""},
                         {"\"0001-01-01\"", "text:\"0001-01-01\""},
                         {"\"9999-12-31\"", "text:\"9999-12-31\""},
                         {"\"2021-02-29\"", "reason: not a date"},
                         {"\"2020-13-01\"", "reason: not a date"},
                         {"\"0000-00-00\"", "reason: not a date"},
                         {"\"2020-01-01T10:00:00\"", "reason: not a date"},
                         {"\"infinity\"", "reason: not a date"},
                         {"20200101", "reason: not a date"}});
}

TEST(FixtureValue, Times) {
  Check(Form(L::kTime), {{"\"10:20:30\"", "text:\"10:20:30\""},
                         {"\"10:20:30.123\"", "text:\"10:20:30.123\""},
                         {"\"10:20:30.123456\"", "text:\"10:20:30.123456\""},
                         {"\"10:20\"", "text:\"10:20:00\""},
                         {"\"00:00:00Z\"", "text:\"00:00:00\""},
                         {"\"10:20:30+00:00\"", "text:\"10:20:30\""},
                         {"\"10:20:30+02:00\"", "reason: a time with a time zone"},
                         {"\"24:00:00\"", "reason: not a time"},
                         {"\"-01:00:00\"", "reason: not a time"},
                         {"\"10:60:00\"", "reason: not a time"},
                         {"\"2020-01-01\"", "reason: not a time"},
                         {"1", "reason: not a time"}});
}

TEST(FixtureValue, TimestampsWithoutTimeZoneAreUtc) {
  Check(Form(L::kTimestamp), {{"\"2020-01-02T03:04:05.123Z\"", "text:\"2020-01-02 03:04:05.123\""},
                              {"\"2020-01-02T03:04:05.123456Z\"", "text:\"2020-01-02 03:04:05.123456\""},
                              {"\"2020-01-02T03:04:05Z\"", "text:\"2020-01-02 03:04:05\""},
                              {"\"2020-01-02T03:04:05\"", "text:\"2020-01-02 03:04:05\""},  // naive: as is
                              {"\"2020-01-02 03:04\"", "text:\"2020-01-02 03:04:00\""},
                              {"\"2020-01-01T01:30:00+02:00\"", "text:\"2019-12-31 23:30:00\""},
                              {"\"2020-12-31T23:30:00.5-01:00\"", "text:\"2021-01-01 00:30:00.5\""},
                              {"\"2020-01-01T00:00:00+0530\"", "text:\"2019-12-31 18:30:00\""},
                              {"\"2020-01-01T00:00:00.1234567Z\"", "text:\"2020-01-01 00:00:00.123456\""},
                              {"\"2020-03-04\"", "text:\"2020-03-04 00:00:00\""},
                              {"\"2020-01-01T25:00:00Z\"", "reason: not a datetime"},
                              {"\"2020-02-30T00:00:00Z\"", "reason: not a datetime"},
                              {"\"yesterday\"", "reason: not a datetime"},
                              {"0", "reason: not a datetime"}});
}

TEST(FixtureValue, TimestampsWithTimeZone) {
  Check(Form(L::kTimestampTz), {{"\"2020-01-02T03:04:05.123Z\"", "text:\"2020-01-02 03:04:05.123+00:00\""},
                                {"\"2020-01-02T03:04:05\"", "text:\"2020-01-02 03:04:05+00:00\""},
                                {"\"2020-01-02T03:04:05.5+02:00\"", "text:\"2020-01-02 03:04:05.5+02:00\""},
                                {"\"2020-01-02T03:04:05-0130\"", "text:\"2020-01-02 03:04:05-01:30\""},
                                {"\"2020-01-02\"", "text:\"2020-01-02 00:00:00+00:00\""},
                                {"\"2020-01-02T03:04:05 BC\"", "reason: not a datetime"}});
}

TEST(FixtureValue, Uuids) {
  const char* want = "text:\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\"";
  Check(Form(L::kUuid), {{"\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\"", want},
                         {"\"6F0A2D1C3B4E4F5A8B6C7D8E9FA0B1C2\"", want},
                         {"\"{6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2}\"", want},
                         {"\"urn:uuid:6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\"", want},
                         {"\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c\"", "reason: not a UUID"},
                         {"\"6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2aa\"", "reason: not a UUID"},
                         {"\"6g0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2\"", "reason: not a UUID"},
                         {"12", "reason: not a UUID"}});
}

TEST(FixtureValue, OtherTypesTakeStringsAsTheyAreElseJson) {
  for (L t : {L::kEnum, L::kArray, L::kNative, L::kAny}) {
    Check(Form(t), {{"\"a b\"", "text:\"a b\""}, {"[1, 2]", "text:\"[1,2]\""}, {"5", "text:\"5\""}});
  }
}

TEST(FormOf, JsonValidChecksMarkJsonText) {
  Table t;
  t.name = "shop_product";
  for (const char* name : {"id", "attributes", "extra", "Notes", "other"}) {
    Column c;
    c.name = name;
    c.type.logical = std::string(name) == "id" ? L::kInt64 : L::kText;
    t.columns.push_back(c);
  }
  t.checks.push_back({"", "(JSON_VALID(\"attributes\") OR \"attributes\" IS NULL)"});  // SQLite, Django
  t.checks.push_back({"", "json_valid(`extra`)"});                                     // MariaDB
  t.checks.push_back({"notes_json", "Json_Valid ( notes )"});                          // bare, any case
  t.checks.push_back({"", "not_json_valid(other) and length(\"other\") > 0"});
  t.checks.push_back({"", "json_valid(other_column)"});
  std::vector<bool> want = {false, true, true, true, false};
  for (size_t i = 0; i < t.columns.size(); ++i) {
    ColumnForm f = FormOf(t, i);
    EXPECT_EQ(f.json_text, want[i]) << t.columns[i].name;
    EXPECT_EQ(f.type, t.columns[i].type);
    EXPECT_EQ(f.hint, "");
  }
  t.checks = {{"", "JSON_VALID([other])"}};
  EXPECT_TRUE(FormOf(t, 4).json_text);
  t.checks = {{"", "JSON_VALID(\"ot\"\"her\")"}};
  EXPECT_FALSE(FormOf(t, 4).json_text);
}

// ---- end to end -----------------------------------------------------------------
//
// The same fixture loaded into two databases that Django's own migrate made
// (tests/django's shop app): one by Django's loaddata, one by FixtureValue ->
// ValueConverter (the target engine's traits) -> the engine's data-only Sink.
// Django's dumpdata of both must be the same objects. The fixture holds the
// unusual forms on purpose (offsets, naive datetimes, ISO and negative
// durations, "1E+2", a decimal as a JSON number, an upper-case UUID, a JSON
// string, number and null in JSON fields), so Django's own reading is the
// reference for each.

using testing_util::RunShell;
using testing_util::ShellQuote;

constexpr const char* kFixture = R"([
{"model": "shop.category", "pk": 1, "fields": {"name": "Tools", "parent": null}},
{"model": "shop.category", "pk": 2, "fields": {"name": "Saws \u00e9", "parent": 1}},
{"model": "shop.tag", "pk": 1, "fields": {"label": "red", "weight": -3}},
{"model": "shop.tag", "pk": 2, "fields": {"label": "big", "weight": 32767}},
{"model": "shop.product", "pk": 1, "fields": {"category": 2, "sku": "A-1", "name": "Saw", "description": "",
 "notes": null, "stock": -5, "sold": 9007199254740993, "rank": -32768, "views": 2147483647, "price": "12.50",
 "discount": "-0.00", "rating": 1.5, "active": true, "featured": null, "released": "2020-02-29",
 "created": "2020-01-02T03:04:05.123Z", "updated": "2020-01-02T05:04:05.5+02:00", "opens": "10:20:30.123",
 "warranty": "-1 23:59:59.999999", "uid": "6f0a2d1c-3b4e-4f5a-8b6c-7d8e9fa0b1c2",
 "attributes": {"b": [1, 2.5, {"c": null}], "a": "x \u00e9"}, "extra": "abc", "thumbnail": "AAH/", "tags": [1, 2]}},
{"model": "shop.product", "pk": 2, "fields": {"category": 1, "sku": "B-2", "name": "Plane", "description": "two\nlines",
 "notes": "n", "stock": 0, "sold": -9223372036854775808, "rank": null, "views": 0, "price": "1E+2",
 "discount": 7, "rating": 1e300, "active": false, "featured": false, "released": null,
 "created": "2021-06-30T23:59:59", "updated": null, "opens": "00:00:00", "warranty": "P4DT01H02M03.000004S",
 "uid": "00000000-0000-0000-0000-000000000000", "attributes": [], "extra": null, "thumbnail": null, "tags": []}},
{"model": "shop.product", "pk": 3, "fields": {"category": 1, "sku": "C-3", "name": "Drill", "description": "d",
 "notes": null, "stock": 1, "sold": 0, "rank": 7, "views": 1, "price": "-99999999.99", "discount": null,
 "rating": -2.5, "active": true, "featured": true, "released": "0001-01-01",
 "created": "2020-01-01T00:30:00.000001-01:30", "updated": "2020-12-31T23:30:00Z", "opens": "23:59:59.999",
 "warranty": "-P1DT00H00M00.000001S", "uid": "6F0A2D1C-3B4E-4F5A-8B6C-7D8E9FA0B1C3",
 "attributes": {"n": 1e2, "s": "\"q\""}, "extra": 42, "thumbnail": "", "tags": [2]}},
{"model": "shop.order", "pk": 9000000000, "fields": {"product": 1, "quantity": 3, "total": 37.5,
 "placed": "2022-03-04T05:06:07.890+05:30", "customer": "c", "comment": null}}
])";

bool HaveDjango() { return RunShell("/usr/bin/python3 -c 'import django' 2>/dev/null").exit_code == 0; }

// Runs tests/django/manage.py on database `django_db` (DECANT_DJANGO_DB's form).
testing_util::ShellResult Manage(const std::string& django_db, const std::string& args) {
  return RunShell("cd " + ShellQuote(std::string(DJV_SOURCE_DIR) + "/tests/django") +
                  " && DECANT_DJANGO_DB=" + ShellQuote(django_db) + " /usr/bin/python3 -W ignore manage.py " + args);
}

// dumpdata of the shop app, parsed.
Json Dump(const std::string& django_db) {
  auto r = Manage(django_db, "dumpdata shop 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return Json::parse(r.out, nullptr, false);
}

// Loads kFixture the way the Django source does, into the database at
// `decant_uri` whose tables Django's migrate made.
void LoadWithFixtureValue(const std::string& decant_uri) {
  const EngineTraits* engine = EngineForLocation(decant_uri);
  ASSERT_NE(engine, nullptr) << decant_uri;
  auto source = engine->open_source(decant_uri, EndpointOptions{});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  source->reset();  // its snapshot would keep a SQLite target locked
  auto table_named = [&](const std::string& name) -> const Table* {
    for (const Table& t : schema->tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  };
  // Rows by table, parents first.
  std::vector<std::string> order = {"shop_category", "shop_tag", "shop_product", "shop_product_tags", "shop_order"};
  std::map<std::string, std::vector<std::vector<Value>>> rows;
  int64_t through_id = 0;
  for (const Json& record : Json::parse(kFixture)) {
    std::string model = record["model"].get<std::string>();
    const Table* t = table_named("shop_" + model.substr(model.find('.') + 1));
    ASSERT_NE(t, nullptr) << model;
    std::vector<Value> row(t->columns.size());
    const Json& fields = record["fields"];
    for (size_t c = 0; c < t->columns.size(); ++c) {
      const std::string& name = t->columns[c].name;
      const Json* v = nullptr;
      if (name == "id") {
        v = &record["pk"];
      } else if (fields.contains(name)) {
        v = &fields[name];
      } else if (name.ends_with("_id") && fields.contains(name.substr(0, name.size() - 3))) {
        v = &fields[name.substr(0, name.size() - 3)];
      }
      ASSERT_NE(v, nullptr) << t->name << "." << name;
      ColumnForm form = FormOf(*t, c);
      std::string reason = FixtureValue(*v, form, &row[c]);
      ASSERT_EQ(reason, "") << t->name << "." << name << " " << v->dump();
      ValueConverter convert(form.type, *Traits(), form.type, *engine);
      const char* inexact = convert.Convert(&row[c]);
      EXPECT_EQ(inexact, nullptr) << t->name << "." << name << " " << v->dump() << ": " << inexact;
    }
    rows[t->name].push_back(std::move(row));
    if (fields.contains("tags")) {
      for (const Json& tag : fields["tags"]) {
        rows["shop_product_tags"].push_back(
            {Value::Int(++through_id), Value::Int(record["pk"].get<int64_t>()), Value::Int(tag.get<int64_t>())});
      }
    }
  }
  Schema load;
  load.engine = schema->engine;
  for (const std::string& name : order) load.tables.push_back(*table_named(name));
  ASSERT_EQ(table_named("shop_product_tags")->columns[1].name, "product_id");
  auto sink = engine->open_sink(decant_uri, EndpointOptions{});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  SinkOptions options;
  options.data_only = true;
  ASSERT_TRUE((*sink)->Begin(load, options).ok());
  for (const Table& t : load.tables) {
    auto writer = (*sink)->OpenTable(t);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    RowBatch batch(t.columns.size());
    for (const auto& row : rows[t.name]) {
      Value* cells = batch.AppendRow();
      for (size_t c = 0; c < row.size(); ++c) cells[c] = row[c];
    }
    Status st = (*writer)->Write(batch);
    ASSERT_TRUE(st.ok()) << t.name << ": " << st.ToString();
    st = (*writer)->Close();
    ASSERT_TRUE(st.ok()) << t.name << ": " << st.ToString();
  }
  Status st = (*sink)->Commit();
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// Django's loaddata into `django_ref`, FixtureValue into `django_db` /
// `decant_uri`; then the two dumpdata outputs.
void CompareWithDjango(const std::string& django_ref, const std::string& django_db, const std::string& decant_uri,
                       const std::string& fixture_path) {
  testing_util::WriteFile(fixture_path, kFixture);
  for (const std::string& db : {django_ref, django_db}) {
    auto r = Manage(db, "migrate -v0 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  auto r = Manage(django_ref, "loaddata " + ShellQuote(fixture_path) + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  LoadWithFixtureValue(decant_uri);
  if (::testing::Test::HasFatalFailure()) return;
  Json want = Dump(django_ref), got = Dump(django_db);
  ASSERT_TRUE(want.is_array()) << want.dump();
  ASSERT_EQ(want.size(), 8u);
  ASSERT_EQ(got.size(), want.size()) << got.dump(1);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
}

TEST(FixtureValueEndToEnd, SqliteLoadsAsDjangoDoes) {
  if (!HaveDjango()) GTEST_SKIP() << "no Django at /usr/bin/python3";
  testing_util::TempDir dir;
  std::string ref = "sqlite://" + dir.File("djv_ref.db"), db = "sqlite://" + dir.File("djv_dec.db");
  CompareWithDjango(ref, db, "sqlite:" + dir.File("djv_dec.db"), dir.File("djv_fixture.json"));
}

TEST(FixtureValueEndToEnd, PostgresqlLoadsAsDjangoDoes) {
  if (!HaveDjango() || testing_util::Env("DECANT_TEST_PG15_URI").empty()) GTEST_SKIP() << "no Django or no server";
  testing_util::PgTestDb ref("djv_ref"), db("djv_dec");
  testing_util::TempDir dir;
  CompareWithDjango(ref.uri(), db.uri(), db.uri(), dir.File("djv_fixture.json"));
}

TEST(FixtureValueEndToEnd, MariadbLoadsAsDjangoDoes) {
  if (!HaveDjango() || testing_util::Env("DECANT_TEST_MYSQL_URI").empty()) GTEST_SKIP() << "no Django or no server";
  testing_util::MariadbTestDb ref("djv_ref"), db("djv_dec");
  testing_util::TempDir dir;
  auto django = [](const std::string& uri) { return uri.substr(0, uri.find('?')); };  // settings.py reads the file
  CompareWithDjango(django(ref.uri()), django(db.uri()), db.uri(), dir.File("djv_fixture.json"));
}

}  // namespace
}  // namespace decant::django
