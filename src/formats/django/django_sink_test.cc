// The Django fixture writer: values in Django's serialized forms, the Sink's
// exact output for small schemas, and a fixture of a real Django database
// that Django's own loaddata reads back to the same objects.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

#include "core/endpoint.h"
#include "formats/django/django_format.h"
#include "formats/django/django_values.h"
#include "formats/django/write_json.h"
#include "formats/format_registry.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "tests/test_util.h"

namespace decant::django {
namespace {

using testing_util::ReadFile;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::TempDir;
using testing_util::WriteFile;
using L = LogicalType;

ColumnForm Form(L type, int scale = -1, std::string hint = "", bool json_text = false) {
  ColumnForm f;
  f.type.logical = type;
  f.type.scale = scale;
  f.hint = std::move(hint);
  f.json_text = json_text;
  return f;
}

std::string Out(const Value& v, const ColumnForm& f, bool ascii = false) {
  std::string s;
  AppendFixtureValue(v, f, ascii, &s);
  return s;
}

TEST(DjangoWriteValues, ScalarsAsDjangoWritesThem) {
  EXPECT_EQ(Out(Value(), Form(L::kText)), "null");
  EXPECT_EQ(Out(Value::Bool(true), Form(L::kBool)), "true");
  EXPECT_EQ(Out(Value::Int(0), Form(L::kBool)), "false");
  EXPECT_EQ(Out(Value::Int(1), Form(L::kBool)), "true");
  EXPECT_EQ(Out(Value::Int(-9223372036854775807 - 1), Form(L::kInt64)), "-9223372036854775808");
  EXPECT_EQ(Out(Value::UInt(18446744073709551615ULL), Form(L::kUInt64)), "18446744073709551615");
  EXPECT_EQ(Out(Value::Float(42.0), Form(L::kInt64)), "42");
  EXPECT_EQ(Out(Value::Float(0.1), Form(L::kFloat64)), "0.1");
  EXPECT_EQ(Out(Value::Float(1.0), Form(L::kFloat64)), "1.0");
  EXPECT_EQ(Out(Value::Float(1e20), Form(L::kFloat64)), "1e+20");
  EXPECT_EQ(Out(Value::Float(1e16), Form(L::kFloat64)), "1e+16");
  EXPECT_EQ(Out(Value::Float(1e-5), Form(L::kFloat64)), "1e-05");
  EXPECT_EQ(Out(Value::Float(std::nan("")), Form(L::kFloat64)), "NaN");
  EXPECT_EQ(Out(Value::Float(-INFINITY), Form(L::kFloat64)), "-Infinity");
  EXPECT_EQ(Out(Value::Int(5), Form(L::kFloat64)), "5.0");
  // Decimals: str(Decimal), at the column's scale.
  EXPECT_EQ(Out(Value::Text("12.50"), Form(L::kDecimal, 2)), "\"12.50\"");
  EXPECT_EQ(Out(Value::Float(12.5), Form(L::kDecimal, 2)), "\"12.50\"");
  EXPECT_EQ(Out(Value::Float(0.1 + 0.2), Form(L::kDecimal, 2)), "\"0.30\"");
  EXPECT_EQ(Out(Value::Float(0.1 + 0.2), Form(L::kDecimal)), "\"0.3\"");
  EXPECT_EQ(Out(Value::Int(12), Form(L::kDecimal, 2)), "\"12.00\"");
  EXPECT_EQ(Out(Value::Int(12), Form(L::kDecimal)), "\"12\"");
  EXPECT_EQ(Out(Value::Text("-0.01"), Form(L::kDecimal, 2)), "\"-0.01\"");
  EXPECT_EQ(Out(Value::Text("0.0000001"), Form(L::kDecimal)), "\"1E-7\"");
  EXPECT_EQ(Out(Value::Text("0.000001"), Form(L::kDecimal)), "\"0.000001\"");
  EXPECT_EQ(Out(Value::Text("1E+2"), Form(L::kDecimal)), "\"1E+2\"");
  EXPECT_EQ(Out(Value::Text("0.125"), Form(L::kDecimal, 2)), "\"0.12\"");  // half to even
  EXPECT_EQ(Out(Value::Text("0.135"), Form(L::kDecimal, 2)), "\"0.14\"");
  EXPECT_EQ(Out(Value::Text("NaN"), Form(L::kDecimal)), "\"NaN\"");
  EXPECT_EQ(Out(Value::Text("-Infinity"), Form(L::kDecimal)), "\"-Infinity\"");
  // SQLite reads Django's TIME column as decimal: the time is still a time.
  EXPECT_EQ(Out(Value::Text("12:34:56.500000"), Form(L::kDecimal)), "\"12:34:56.500\"");
  // Dates and times: DjangoJSONEncoder's forms.
  EXPECT_EQ(Out(Value::Text("2024-02-29"), Form(L::kDate)), "\"2024-02-29\"");
  EXPECT_EQ(Out(Value::Text("23:59:59.999999"), Form(L::kTime)), "\"23:59:59.999\"");
  EXPECT_EQ(Out(Value::Text("08:00:00.000001"), Form(L::kTime)), "\"08:00:00.000\"");
  EXPECT_EQ(Out(Value::Text("00:00:00"), Form(L::kTime)), "\"00:00:00\"");
  EXPECT_EQ(Out(Value::Text("2024-02-29 23:59:59.999999"), Form(L::kTimestamp)), "\"2024-02-29T23:59:59.999Z\"");
  EXPECT_EQ(Out(Value::Text("1970-01-01 00:00:00"), Form(L::kTimestamp)), "\"1970-01-01T00:00:00Z\"");
  EXPECT_EQ(Out(Value::Text("2001-09-09 07:16:40.123456+05:30"), Form(L::kTimestampTz)),
            "\"2001-09-09T01:46:40.123Z\"");
  EXPECT_EQ(Out(Value::Text("2099-12-31 23:59:59.5-08"), Form(L::kTimestampTz)), "\"2100-01-01T07:59:59.500Z\"");
  EXPECT_EQ(Out(Value::Text("infinity"), Form(L::kTimestampTz)), "\"infinity\"");
  // Durations: PostgreSQL's interval text, microseconds in an integer column.
  EXPECT_EQ(Out(Value::Text("3 days 00:00:00.000001"), Form(L::kInterval)), "\"3 00:00:00.000001\"");
  EXPECT_EQ(Out(Value::Text("-1 days +00:00:05"), Form(L::kInterval)), "\"-1 00:00:05\"");
  EXPECT_EQ(Out(Value::Text("-00:00:00.000001"), Form(L::kInterval)), "\"-1 23:59:59.999999\"");
  EXPECT_EQ(Out(Value::Text("10000 days 05:00:00"), Form(L::kInterval)), "\"10000 05:00:00\"");
  EXPECT_EQ(Out(Value::Text("00:00:00"), Form(L::kInterval)), "\"00:00:00\"");
  EXPECT_EQ(Out(Value::Text("1 year 2 mons"), Form(L::kInterval)), "\"425 00:00:00\"");
  EXPECT_EQ(Out(Value::Int(259200000001), Form(L::kInt64, -1, "duration")), "\"3 00:00:00.000001\"");
  EXPECT_EQ(Out(Value::Int(-1), Form(L::kInt64, -1, "duration")), "\"-1 23:59:59.999999\"");
  EXPECT_EQ(Out(Value::Int(7), Form(L::kInt64)), "7");
  // UUIDs, binary.
  EXPECT_EQ(Out(Value::Text("123456789ABC4DEF8123456789ABCDEF"), Form(L::kText, -1, "uuid")),
            "\"12345678-9abc-4def-8123-456789abcdef\"");
  EXPECT_EQ(Out(Value::Text("12345678-9abc-4def-8123-456789abcdef"), Form(L::kUuid)),
            "\"12345678-9abc-4def-8123-456789abcdef\"");
  EXPECT_EQ(Out(Value::Bytes(std::string("\x00\x01\x02\xff\xfe", 5)), Form(L::kBytes)), "\"AAEC//4=\"");
  EXPECT_EQ(Out(Value::Bytes(""), Form(L::kBytes)), "\"\"");
  EXPECT_EQ(Out(Value::Bytes("ab"), Form(L::kBytes)), "\"YWI=\"");
}

TEST(DjangoWriteValues, StringsEscapedAsPythonJson) {
  std::string s = "caf\xc3\xa9 \xf0\x9f\x8e\x89 \"q\" \\ \n\t\x01\x7f";
  EXPECT_EQ(Out(Value::Text(s), Form(L::kText)), "\"caf\xc3\xa9 \xf0\x9f\x8e\x89 \\\"q\\\" \\\\ \\n\\t\\u0001\x7f\"");
  EXPECT_EQ(Out(Value::Text(s), Form(L::kText), true),
            "\"caf\\u00e9 \\ud83c\\udf89 \\\"q\\\" \\\\ \\n\\t\\u0001\\u007f\"");
  EXPECT_EQ(Out(Value::Text("bad \xff"), Form(L::kText)), "\"bad \xef\xbf\xbd\"");
  EXPECT_EQ(Out(Value::Text("bad \xff"), Form(L::kText), true), "\"bad \\ufffd\"");
}

TEST(DjangoWriteValues, JsonEmbeddedAsPythonWouldDumpIt) {
  std::string j =
      R"({"a":[1,2.50,{"b":null,"c":"\u00fc","d":[true,false]}],"n":1e2,"e":{},"l":[],"big":9007199254740993})";
  EXPECT_EQ(Out(Value::Text(j), Form(L::kJson)),
            "{\"a\": [1, 2.5, {\"b\": null, \"c\": \"\xc3\xbc\", \"d\": [true, false]}], \"n\": 100.0, \"e\": {}, "
            "\"l\": [], \"big\": 9007199254740993}");
  EXPECT_EQ(Out(Value::Text("\"just text\""), Form(L::kText, -1, "", true)), "\"just text\"");
  EXPECT_EQ(Out(Value::Text("42"), Form(L::kText, -1, "json")), "42");
  EXPECT_EQ(Out(Value::Text("not json"), Form(L::kJson)), "\"not json\"");
  std::string laid;
  ASSERT_TRUE(AppendPythonJsonText(R"({"a": [1, {"b": []}], "c": "\u00e9"})", true, kIndent2Layout, 1, &laid));
  EXPECT_EQ(laid,
            "{\n    \"a\": [\n      1,\n      {\n        \"b\": []\n      }\n    ],\n    \"c\": \"\\u00e9\"\n  }");
  laid.clear();
  ASSERT_TRUE(AppendPythonJsonText(R"({"a": [1, 2]})", false, kJsonLinesLayout, 0, &laid));
  EXPECT_EQ(laid, R"({"a": [1,2]})");
  laid.clear();
  EXPECT_FALSE(AppendPythonJsonText("[1, 2", false, kPythonLayout, 0, &laid));
  EXPECT_FALSE(AppendPythonJsonText("[1] x", false, kPythonLayout, 0, &laid));
  EXPECT_TRUE(laid.empty());
}

// Floats as Python's json.dumps writes them, checked against Python itself.
TEST(DjangoWriteValues, FloatsMatchPythonRepr) {
  std::vector<double> v = {0.1,
                           1.0,
                           -0.0,
                           1e16,
                           1e15,
                           9999999999999998.0,
                           1e22,
                           1.5e-7,
                           1e-4,
                           0.0001234,
                           1e308,
                           5e-324,
                           2.5e-10,
                           3.141592653589793,
                           -1.7976931348623157e308,
                           123456789.125};
  std::mt19937_64 gen(13);
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = gen();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (std::isfinite(d)) v.push_back(d);
  }
  TempDir dir;
  std::string in, mine;
  for (double d : v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a\n", d);
    in += buf;
    AppendPythonFloat(d, &mine);
    mine += "\n";
  }
  WriteFile(dir.File("in.txt"), in);
  auto r = RunShell("python3 -c " +
                    ShellQuote("import json,sys\nfor l in open(sys.argv[1]): print(json.dumps(float.fromhex(l)))") +
                    " " + ShellQuote(dir.File("in.txt")));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(mine, r.out);
}

Column Col(const std::string& name, L type, int scale = -1) {
  Column c;
  c.name = name;
  c.type.logical = type;
  c.type.scale = scale;
  return c;
}

Table MakeTable(const std::string& name, std::vector<Column> cols) {
  Table t;
  t.name = name;
  t.columns = std::move(cols);
  t.primary_key = KeyConstraint{"", {t.columns[0].name}};
  return t;
}

void AddFk(Table* t, const std::string& column, const std::string& ref) {
  ForeignKey fk;
  fk.columns = {column};
  fk.ref_table = ref;
  fk.ref_columns = {"id"};
  t->foreign_keys.push_back(fk);
}

// A small shop: a child listed before its parent, a self-reference, a
// many-to-many, Django's migration table and a table that is no model.
Schema ShopSchema() {
  Schema s;
  s.engine = "sqlite";
  Table product = MakeTable("shop_product",
                            {Col("id", L::kInt64), Col("category_id", L::kInt64), Col("name", L::kText),
                             Col("price", L::kDecimal, 2), Col("created", L::kTimestamp), Col("attributes", L::kJson)});
  AddFk(&product, "category_id", "shop_category");
  Table category =
      MakeTable("shop_category", {Col("id", L::kInt64), Col("name", L::kText), Col("parent_id", L::kInt64)});
  AddFk(&category, "parent_id", "shop_category");
  Table tag = MakeTable("shop_tag", {Col("id", L::kInt64), Col("label", L::kText)});
  Table tags =
      MakeTable("shop_product_tags", {Col("id", L::kInt64), Col("product_id", L::kInt64), Col("tag_id", L::kInt64)});
  AddFk(&tags, "product_id", "shop_product");
  AddFk(&tags, "tag_id", "shop_tag");
  Table migrations = MakeTable("django_migrations", {Col("id", L::kInt64), Col("app", L::kText)});
  Table loose = MakeTable("loose", {Col("id", L::kInt64)});
  s.tables = {product, tags, category, tag, migrations, loose};
  return s;
}

void Put(Sink* sink, const Table& t, const std::vector<std::vector<Value>>& rows) {
  auto w = sink->OpenTable(t);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  RowBatch batch(t.columns.size());
  for (const auto& row : rows) {
    Value* cells = batch.AppendRow();
    for (size_t i = 0; i < row.size(); ++i) cells[i] = row[i];
  }
  ASSERT_TRUE((*w)->Write(batch).ok());
  ASSERT_TRUE((*w)->Close().ok());
}

std::string WriteShop(const std::string& out, const FileWriteOptions& options, SinkReport* report = nullptr) {
  Schema s = ShopSchema();
  auto sink = OpenSink(out, options, FileSystem::Default());
  EXPECT_TRUE(sink.ok());
  Status st = (*sink)->Begin(s, SinkOptions{});
  EXPECT_TRUE(st.ok()) << st.ToString();
  Put(sink->get(), s.tables[0],
      {{Value::Int(1), Value::Int(2),
        Value::Text("Gr\xc3\xbc\xc3\x9f"
                    "e"),
        Value::Float(12.5), Value::Text("2024-01-02 03:04:05.123456"), Value::Text(R"({"k": [1, "v"]})")},
       {Value::Int(2), Value::Int(1), Value::Text("b"), Value::Text("1.00"), Value::Text("2024-01-02 03:04:05"),
        Value::Text("{}")}});
  Put(sink->get(), s.tables[1],
      {{Value::Int(1), Value::Int(1), Value::Int(7)}, {Value::Int(2), Value::Int(1), Value::Int(3)}});
  Put(sink->get(), s.tables[2],
      {{Value::Int(1), Value::Text("child"), Value::Int(2)}, {Value::Int(2), Value::Text("root"), Value()}});
  Put(sink->get(), s.tables[3], {{Value::Int(3), Value::Text("red")}, {Value::Int(7), Value::Text("blue")}});
  Put(sink->get(), s.tables[4], {{Value::Int(1), Value::Text("shop")}});
  Put(sink->get(), s.tables[5], {{Value::Int(1)}});
  st = (*sink)->Commit();
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (report) *report = (*sink)->Report();
  return out == "-" ? "" : ReadFile(out);
}

TEST(DjangoSink, JsonAsDumpdataWritesIt) {
  TempDir dir;
  SinkReport report;
  std::string text = WriteShop(dir.File("data.json"), FileWriteOptions{}, &report);
  EXPECT_EQ(text, R"([{"model": "shop.category", "pk": 1, "fields": {"name": "child", "parent": 2}}, )"
                  R"({"model": "shop.category", "pk": 2, "fields": {"name": "root", "parent": null}}, )"
                  R"({"model": "shop.tag", "pk": 3, "fields": {"label": "red"}}, )"
                  R"({"model": "shop.tag", "pk": 7, "fields": {"label": "blue"}}, )"
                  R"({"model": "shop.product", "pk": 1, "fields": {"category": 2, "name": "Grüße", "price": "12.50", )"
                  R"("created": "2024-01-02T03:04:05.123Z", "attributes": {"k": [1, "v"]}, "tags": [3, 7]}}, )"
                  R"({"model": "shop.product", "pk": 2, "fields": {"category": 1, "name": "b", "price": "1.00", )"
                  R"("created": "2024-01-02T03:04:05Z", "attributes": {}, "tags": []}}])");
  std::string refused;
  for (const SinkObject& o : report.refused) refused += o.kind + " " + o.name + ": " + o.reason + "\n";
  // django_migrations is no model, and dumpdata never writes it: left out without counting it as not carried.
  EXPECT_EQ(refused.find("django_migrations"), std::string::npos) << refused;
  EXPECT_NE(refused.find("table loose: maps to no Django model"), std::string::npos) << refused;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "temporary files left";
}

TEST(DjangoSink, JsonLinesAsDumpdataWritesThem) {
  TempDir dir;
  std::string text = WriteShop(dir.File("data.jsonl"), FileWriteOptions{});
  EXPECT_EQ(text,
            "{\"model\": \"shop.category\",\"pk\": 1,\"fields\": {\"name\": \"child\",\"parent\": 2}}\n"
            "{\"model\": \"shop.category\",\"pk\": 2,\"fields\": {\"name\": \"root\",\"parent\": null}}\n"
            "{\"model\": \"shop.tag\",\"pk\": 3,\"fields\": {\"label\": \"red\"}}\n"
            "{\"model\": \"shop.tag\",\"pk\": 7,\"fields\": {\"label\": \"blue\"}}\n"
            "{\"model\": \"shop.product\",\"pk\": 1,\"fields\": {\"category\": 2,\"name\": \"Grüße\",\"price\": "
            "\"12.50\",\"created\": \"2024-01-02T03:04:05.123Z\",\"attributes\": {\"k\": [1,\"v\"]},\"tags\": "
            "[3,7]}}\n"
            "{\"model\": \"shop.product\",\"pk\": 2,\"fields\": {\"category\": 1,\"name\": \"b\",\"price\": "
            "\"1.00\",\"created\": \"2024-01-02T03:04:05Z\",\"attributes\": {},\"tags\": []}}\n");
}

TEST(DjangoSink, EmptyFixtures) {
  TempDir dir;
  for (const char* name : {"e.json", "e.jsonl"}) {
    Schema s;
    s.tables.push_back(MakeTable("shop_tag", {Col("id", L::kInt64), Col("label", L::kText)}));
    auto sink = OpenSink(dir.File(name), FileWriteOptions{}, FileSystem::Default());
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Begin(s, SinkOptions{}).ok());
    Put(sink->get(), s.tables[0], {});
    ASSERT_TRUE((*sink)->Commit().ok());
    EXPECT_EQ(ReadFile(dir.File(name)), std::string(name) == "e.json" ? "[]" : "");
  }
}

TEST(DjangoSink, AbortLeavesNothing) {
  TempDir dir;
  Schema s = ShopSchema();
  auto sink = OpenSink(dir.File("data.json"), FileWriteOptions{}, FileSystem::Default());
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(s, SinkOptions{}).ok());
  Put(sink->get(), s.tables[3], {{Value::Int(3), Value::Text("red")}});
  (*sink)->Abort();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "left behind in " << dir.path();
}

TEST(DjangoSink, RefusesWhatItCannotWrite) {
  EXPECT_FALSE(OpenSink("", FileWriteOptions{}, FileSystem::Default()).ok());
  EXPECT_FALSE(OpenSink("x.json.gz", FileWriteOptions{}, FileSystem::Default()).ok());
  FileWriteOptions o;
  o.directory = true;
  EXPECT_FALSE(OpenSink("x.json", o, FileSystem::Default()).ok());
  o = {};
  o.django.inventree = true;
  EXPECT_FALSE(OpenSink("x.jsonl", o, FileSystem::Default()).ok());
}

// Django's auth models: natural keys for content types, permissions (the
// content type's key flattened into it), users and groups.
Schema AuthSchema() {
  Schema s;
  Table ct =
      MakeTable("django_content_type", {Col("id", L::kInt64), Col("app_label", L::kText), Col("model", L::kText)});
  Table perm = MakeTable("auth_permission", {Col("id", L::kInt64), Col("name", L::kText),
                                             Col("content_type_id", L::kInt64), Col("codename", L::kText)});
  AddFk(&perm, "content_type_id", "django_content_type");
  Table group = MakeTable("auth_group", {Col("id", L::kInt64), Col("name", L::kText)});
  Table gp = MakeTable("auth_group_permissions",
                       {Col("id", L::kInt64), Col("group_id", L::kInt64), Col("permission_id", L::kInt64)});
  AddFk(&gp, "group_id", "auth_group");
  AddFk(&gp, "permission_id", "auth_permission");
  Table user = MakeTable("auth_user", {Col("id", L::kInt64), Col("username", L::kText)});
  Table ug =
      MakeTable("auth_user_groups", {Col("id", L::kInt64), Col("user_id", L::kInt64), Col("group_id", L::kInt64)});
  AddFk(&ug, "user_id", "auth_user");
  AddFk(&ug, "group_id", "auth_group");
  Table note = MakeTable("common_inventreesetting", {Col("id", L::kInt64), Col("key", L::kText),
                                                     Col("owner_id", L::kInt64), Col("kind_id", L::kInt64)});
  AddFk(&note, "owner_id", "auth_user");
  AddFk(&note, "kind_id", "django_content_type");
  s.tables = {note, ug, gp, user, group, perm, ct};
  return s;
}

std::string WriteAuth(const std::string& out, const FileWriteOptions& options) {
  Schema s = AuthSchema();
  auto sink = OpenSink(out, options, FileSystem::Default());
  EXPECT_TRUE(sink.ok());
  Status st = (*sink)->Begin(s, SinkOptions{});
  EXPECT_TRUE(st.ok()) << st.ToString();
  Put(sink->get(), s.tables[0],
      {{Value::Int(1), Value::Text("NAME"), Value::Int(5), Value::Int(11)},
       {Value::Int(2), Value::Text("_HIDDEN"), Value(), Value()}});
  Put(sink->get(), s.tables[1], {{Value::Int(1), Value::Int(5), Value::Int(4)}});
  Put(sink->get(), s.tables[2], {{Value::Int(1), Value::Int(4), Value::Int(21)}});
  Put(sink->get(), s.tables[3], {{Value::Int(5), Value::Text("zo\xc3\xab")}});
  Put(sink->get(), s.tables[4], {{Value::Int(4), Value::Text("staff")}});
  Put(sink->get(), s.tables[5], {{Value::Int(21), Value::Text("Can add"), Value::Int(11), Value::Text("add_part")}});
  Put(sink->get(), s.tables[6], {{Value::Int(11), Value::Text("part"), Value::Text("part")}});
  st = (*sink)->Commit();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ReadFile(out);
}

TEST(DjangoSink, NaturalForeignKeys) {
  TempDir dir;
  FileWriteOptions o;
  o.django.natural_foreign = true;
  std::string text = WriteAuth(dir.File("n.json"), o);
  EXPECT_EQ(text,
            R"([{"model": "contenttypes.contenttype", "pk": 11, "fields": {"app_label": "part", "model": "part"}}, )"
            R"({"model": "auth.permission", "pk": 21, "fields": {"name": "Can add", )"
            R"("content_type": ["part", "part"], "codename": "add_part"}}, )"
            R"({"model": "auth.group", "pk": 4, "fields": {"name": "staff", )"
            R"("permissions": [["add_part", "part", "part"]]}}, )"
            R"({"model": "auth.user", "pk": 5, "fields": {"username": "zoë", "groups": [["staff"]]}}, )"
            R"({"model": "common.inventreesetting", "pk": 1, "fields": {"key": "NAME", "owner": ["zoë"], )"
            R"("kind": ["part", "part"]}}, )"
            R"({"model": "common.inventreesetting", "pk": 2, "fields": {"key": "_HIDDEN", "owner": null, )"
            R"("kind": null}}])");
}

TEST(DjangoSink, InvenTreeExportRecords) {
  TempDir dir;
  FileWriteOptions o;
  o.django.inventree = true;
  std::string text = WriteAuth(dir.File("data.json"), o);
  size_t head = text.find("  {\n    \"model\"");
  ASSERT_NE(head, std::string::npos) << text;
  EXPECT_TRUE(text.starts_with("[\n  {\n    \"metadata\": true,\n    \"comment\": ")) << text;
  EXPECT_NE(text.find("\"source_version\": null,\n    \"api_version\": null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"installed_apps\": [\n      \"auth\",\n      \"common\"\n    ]\n  },\n"), std::string::npos)
      << text;
  // Content types and permissions left out, permissions lists emptied, the
  // hidden setting dropped, non-ASCII escaped, no trailing newline.
  EXPECT_EQ(
      text.substr(head),
      "  {\n    \"model\": \"auth.group\",\n    \"pk\": 4,\n    \"fields\": {\n      \"name\": \"staff\",\n"
      "      \"permissions\": []\n    }\n  },\n"
      "  {\n    \"model\": \"auth.user\",\n    \"pk\": 5,\n    \"fields\": {\n      \"username\": \"zo\\u00eb\",\n"
      "      \"groups\": [\n        [\n          \"staff\"\n        ]\n      ]\n    }\n  },\n"
      "  {\n    \"model\": \"common.inventreesetting\",\n    \"pk\": 1,\n    \"fields\": {\n"
      "      \"key\": \"NAME\",\n      \"owner\": [\n        \"zo\\u00eb\"\n      ],\n"
      "      \"kind\": [\n        \"part\",\n        \"part\"\n      ]\n    }\n  }\n]")
      << text;
}

#ifdef DJS_SOURCE_DIR
// Django's own manage.py for the test project, on `db` (a sqlite:// URI).
testing_util::ShellResult Manage(const std::string& db, const std::string& args) {
  std::string here = std::string(DJS_SOURCE_DIR) + "/tests/django";
  return RunShell("cd " + ShellQuote(here) + " && DECANT_DJANGO_DB=" + ShellQuote(db) +
                  " DJANGO_SETTINGS_MODULE=decant_django.settings PYTHONPATH=" + ShellQuote(here) +
                  " /usr/bin/python3 " + args + " 2>&1");
}

bool HaveDjango() { return RunShell("/usr/bin/python3 -c 'import django' 2>/dev/null").exit_code == 0; }

// A migrated SQLite database holding the objects run_test.py makes.
void MakeShop(const std::string& db) {
  auto r = Manage(db, "manage.py migrate --no-input");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = Manage(db, "run_test.py --orm populate");
  ASSERT_EQ(r.exit_code, 0) << r.out;
}

// loaddata of `fixture` into a fresh migrated database, then dumpdata of both
// compared as run_test.py compares them.
void ExpectLoadsBack(const TempDir& dir, const std::string& src, const std::string& fixture, const std::string& tag) {
  std::string dst = "sqlite://" + dir.File("djs_" + tag + "_dst.sqlite3");
  auto r = Manage(dst, "manage.py migrate --no-input");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = Manage(dst, "manage.py loaddata " + ShellQuote(fixture));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  WriteFile(
      dir.File("djs_compare.py"),
      "import json, os, re, subprocess, sys\n"
      "import run_test\n"
      "def dump(loc):\n"
      "    out = subprocess.run([sys.executable, 'manage.py', 'dumpdata', 'shop'], env=run_test.django_env(loc),\n"
      "                         capture_output=True, text=True, check=True).stdout\n"
      "    return json.loads(out)\n"
      "def ms(objs):\n"
      "    # DjangoJSONEncoder cuts microseconds to milliseconds: '...05.000Z' loads as a\n"
      "    # whole second, which dumpdata then writes '...05Z' (Django's own round trip too).\n"
      "    for o in objs:\n"
      "        for k, v in o['fields'].items():\n"
      "            if isinstance(v, str) and re.fullmatch(r'(\\d{4}-\\d\\d-\\d\\dT)?\\d\\d:\\d\\d:\\d\\d\\.000Z?', "
      "v):\n"
      "                o['fields'][k] = v.replace('.000', '')\n"
      "    return objs\n"
      "a, b = ms(dump(sys.argv[1])), ms(dump(sys.argv[2]))\n"
      "diff = run_test.compare(a, b)\n"
      "print(diff or 'equal %d' % len(a))\n"
      "sys.exit(1 if diff or not a else 0)\n");
  r = Manage(src, ShellQuote(dir.File("djs_compare.py")) + " " + ShellQuote(src) + " " + ShellQuote(dst));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("equal"), std::string::npos) << r.out;
}

TEST(DjangoSinkEndToEnd, LoaddataReadsWhatDecantWrites) {
  if (!HaveDjango()) GTEST_SKIP() << "no python3-django";
  TempDir dir;
  std::string src = "sqlite://" + dir.File("djs_src.sqlite3");
  MakeShop(src);
  // JSON fields in SQLite are text with a CHECK calling json_valid (FormOf
  // tells); the first run also names them with --field-type (and the second
  // too while FormOf does not see such CHECKs).
  Table probe;
  probe.columns = {Col("j", L::kText)};
  probe.checks = {CheckConstraint{"", "(JSON_VALID(\"j\") OR \"j\" IS NULL)"}};
  bool checks_known = FormOf(probe, 0).json_text;
  for (const char* name : {"djs_out.json", "djs_out.jsonl"}) {
    bool hinted = std::string(name).ends_with(".json") || !checks_known;
    auto source = decant::OpenSource(src);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    FileWriteOptions o;
    // Outside PostgreSQL, Django keeps durations in a bigint and UUIDs in a char(32).
    o.django.field_types = {{"shop.product.warranty", "duration"}, {"shop.product.uid", "uuid"}};
    if (hinted) o.django.field_types.insert({{"shop.product.attributes", "json"}, {"shop.product.extra", "json"}});
    std::string out = dir.File(name);
    auto sink = OpenSink(out, o, FileSystem::Default());
    ASSERT_TRUE(sink.ok());
    auto summary = CopyDatabase(**source, **sink, CopyOptions{});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    // Every table is a model, a many-to-many table or django_migrations: nothing is not carried.
    EXPECT_TRUE(summary->not_carried.empty()) << ::testing::PrintToString(summary->not_carried);
    ExpectLoadsBack(dir, src, out, std::string(name).ends_with(".json") ? "json" : "jsonl");
  }
}

// PostgreSQL keeps durations, UUIDs and JSON in their own types: no hints.
TEST(DjangoSinkEndToEnd, FromPostgresql) {
  if (!HaveDjango()) GTEST_SKIP() << "no python3-django";
  if (testing_util::Env("DECANT_TEST_PG15_URI").empty()) GTEST_SKIP() << "DECANT_TEST_PG15_URI is not set";
  testing_util::PgTestDb db("djs");
  MakeShop(db.uri());
  TempDir dir;
  auto source = decant::OpenSource(db.uri());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::string out = dir.File("djs_pg.json");
  auto sink = OpenSink(out, FileWriteOptions{}, FileSystem::Default());
  ASSERT_TRUE(sink.ok());
  auto summary = CopyDatabase(**source, **sink, CopyOptions{});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  std::string text = ReadFile(out);
  EXPECT_NE(text.find("\"warranty\": \"3 00:00:00.000001\""), std::string::npos);
  EXPECT_NE(text.find("\"uid\": \"12345678-9abc-4def-8123-456789abcdef\""), std::string::npos);
  ExpectLoadsBack(dir, db.uri(), out, "pg");
}

// MariaDB: booleans in tinyint(1), durations in bigint and UUIDs in char(32).
TEST(DjangoSinkEndToEnd, FromMariadb) {
  if (!HaveDjango()) GTEST_SKIP() << "no python3-django";
  if (testing_util::Env("DECANT_TEST_MYSQL_URI").empty()) GTEST_SKIP() << "DECANT_TEST_MYSQL_URI is not set";
  testing_util::MariadbTestDb db("djs");
  MakeShop(db.uri());
  TempDir dir;
  auto source = decant::OpenSource(db.uri());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::string out = dir.File("djs_my.json");
  FileWriteOptions o;
  o.django.field_types = {{"shop.product.warranty", "duration"},
                          {"shop.product.uid", "uuid"},
                          {"shop.product.attributes", "json"},
                          {"shop.product.extra", "json"}};
  auto sink = OpenSink(out, o, FileSystem::Default());
  ASSERT_TRUE(sink.ok());
  auto summary = CopyDatabase(**source, **sink, CopyOptions{});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  std::string text = ReadFile(out);
  EXPECT_NE(text.find("\"active\": true"), std::string::npos);
  ExpectLoadsBack(dir, db.uri(), out, "my");
}

#ifdef DJS_DECANT_BINARY
TEST(DjangoSinkEndToEnd, CliExport) {
  if (!HaveDjango()) GTEST_SKIP() << "no python3-django";
  std::string bin = testing_util::Env("DECANT_BINARY").empty() ? DJS_DECANT_BINARY : testing_util::Env("DECANT_BINARY");
  TempDir dir;
  std::string src = "sqlite://" + dir.File("djs_cli.sqlite3");
  MakeShop(src);
  auto help = RunShell(ShellQuote(bin) + " export --help 2>&1");
  if (help.out.find("--field-type") == std::string::npos) GTEST_SKIP() << "the CLI has no --field-type yet";
  std::string out = dir.File("djs_cli.json");
  auto r = RunShell(ShellQuote(bin) + " -q export " + ShellQuote(src) + " --format django -o " + ShellQuote(out) +
                    " --field-type shop.product.warranty=duration --field-type shop.product.uid=uuid 2>&1");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 9) << r.out;  // 9: django_migrations named, not carried
  ExpectLoadsBack(dir, src, out, "cli");
  // "-o -": the same fixture on standard output, nothing left in $TMPDIR.
  std::string tmp = dir.File("djs_tmp");
  std::filesystem::create_directory(tmp);
  r = RunShell("TMPDIR=" + ShellQuote(tmp) + " " + ShellQuote(bin) + " -q export " + ShellQuote(src) +
               " --format django -o - --field-type shop.product.warranty=duration --field-type "
               "shop.product.uid=uuid > " +
               ShellQuote(dir.File("djs_stdout.json")));
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 9) << r.out;
  EXPECT_EQ(ReadFile(dir.File("djs_stdout.json")), ReadFile(out));
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}
#endif
#endif

}  // namespace
}  // namespace decant::django
