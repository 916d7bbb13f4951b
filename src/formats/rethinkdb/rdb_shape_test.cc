#include "formats/rethinkdb/rdb_shape.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/rethinkdb/rdb_geo.h"
#include "formats/rethinkdb/rdb_index.h"
#include "formats/rethinkdb/rdb_pseudo.h"

namespace decant::rethinkdb {
namespace {

using J = nlohmann::json;
using L = LogicalType;

// Fills `f` in place. TableFiles is built by aggregate initialization
// (`TableFiles f{}`) and never moved: clang-tidy finds that its implicit
// constructors may throw, through nlohmann::json.
void FillFiles(TableFiles* f, const std::string& key = "id", const J& info = J()) {
  f->db = "rsh_db";
  f->table = "rsh_t";
  f->primary_key = key;
  f->info = info;
}

Result<TableShape> ShapeOf(const std::vector<std::string>& docs, bool infer, const std::string& key = "id",
                           const J& info = J(), double rare = 0.01) {
  DocumentOptions o;
  o.infer_columns = infer;
  o.rare_field_share = rare;
  TableFiles files{};
  FillFiles(&files, key, info);
  TableShaper shaper(files, o);
  for (const auto& d : docs) DECANT_RETURN_IF_ERROR(shaper.Observe(J::parse(d)));
  return shaper.Finish();
}

TableShape MustShape(const std::vector<std::string>& docs, bool infer, const std::string& key = "id",
                     const J& info = J(), double rare = 0.01) {
  auto s = ShapeOf(docs, infer, key, info, rare);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : TableShape{};
}

std::vector<Value> Row(const TableShape& shape, const std::string& doc) {
  std::vector<Value> row(shape.table.columns.size());
  Status st = DocumentToRow(shape, J::parse(doc), row.data());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return row;
}

std::vector<std::string> Names(const TableShape& shape) {
  std::vector<std::string> out;
  for (const auto& c : shape.table.columns) out.push_back(c.name);
  return out;
}

const Column& Col(const TableShape& shape, const std::string& name) {
  for (const auto& c : shape.table.columns) {
    if (c.name == name) return c;
  }
  static Column none;
  ADD_FAILURE() << "no column " << name;
  return none;
}

// A note that is `note`, or starts with it followed by ": " (the named
// objects' notes end with their query text).
bool HasNote(const TableShape& shape, const std::string& note) {
  for (const auto& n : shape.notes) {
    if (n == note || n.rfind(note + ": ", 0) == 0) return true;
  }
  return false;
}

std::string Notes(const TableShape& shape) {
  std::string out;
  for (const auto& n : shape.notes) out += n + "\n";
  return out;
}

std::string Time(double epoch, const std::string& tz = "+00:00") {
  return J{{"$reql_type$", "TIME"}, {"epoch_time", epoch}, {"timezone", tz}}.dump();
}

std::string Utc(const std::string& time_json) {
  auto t = ParseTime(J::parse(time_json));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? t->utc_text : "";
}

// --- the document shape ---------------------------------------------------

TEST(RdbShapeDocument, KeyAndWholeDocument) {
  TableShape s = MustShape(
      {R"({"id":"a","n":1})", R"({"id":"b","t":{"$reql_type$":"TIME","epoch_time":1,"timezone":"+00:00"}})"}, false);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "doc"}));
  EXPECT_EQ(s.table.schema, "rsh_db");
  EXPECT_EQ(s.table.name, "rsh_t");
  ASSERT_TRUE(s.table.primary_key);
  EXPECT_EQ(s.table.primary_key->columns, std::vector<std::string>{"id"});
  EXPECT_EQ(s.table.columns[0].type.logical, L::kText);
  EXPECT_FALSE(s.table.columns[0].nullable);
  const Column& doc = s.table.columns[1];
  EXPECT_EQ(doc.type.logical, L::kJson);
  EXPECT_FALSE(doc.nullable);
  EXPECT_EQ(doc.comment, kDocumentComment);
  EXPECT_EQ(s.roles[0].kind, ColumnRole::Kind::kKey);
  EXPECT_EQ(s.roles[1].kind, ColumnRole::Kind::kDocument);
  auto row = Row(s, R"({"n":1,"id":"b","t":{"$reql_type$":"TIME","epoch_time":1,"timezone":"+00:00"},"u":"é"})");
  EXPECT_EQ(row[0], Value::Text("b"));
  // Compact, keys sorted, UTF-8, pseudo-types left as they are.
  EXPECT_EQ(row[1],
            Value::Text(R"({"id":"b","n":1,"t":{"$reql_type$":"TIME","epoch_time":1,"timezone":"+00:00"},"u":"é"})"));
  EXPECT_TRUE(s.notes.empty()) << Notes(s);
}

TEST(RdbShapeDocument, KeyFieldNamedDoc) {
  TableShape s = MustShape({R"({"doc":1})"}, false, "doc");
  EXPECT_EQ(Names(s), (std::vector<std::string>{"doc", "doc_"}));
  EXPECT_EQ(Col(s, "doc_").comment, kDocumentComment);
  EXPECT_EQ(s.table.columns[0].type.logical, L::kInt64);
  EXPECT_TRUE(HasNote(s, "field doc: its name is taken: the document column is named doc_")) << Notes(s);
  auto row = Row(s, R"({"doc":7})");
  EXPECT_EQ(row[0], Value::Int(7));
  EXPECT_EQ(row[1], Value::Text(R"({"doc":7})"));
}

TEST(RdbShapeDocument, MissingKeyIsAnError) {
  auto s = ShapeOf({R"({"id":1})", R"({"name":"x"})"}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "document has no primary key field 'id'");
  auto n = ShapeOf({R"({"id":null})"}, false);
  EXPECT_FALSE(n.ok());
  TableShape ok = MustShape({R"({"id":1})"}, false);
  std::vector<Value> row(2);
  Status st = DocumentToRow(ok, J::parse(R"({"x":1})"), row.data());
  EXPECT_EQ(st.message(), "document has no primary key field 'id'");
}

TEST(RdbShapeDocument, NonIdKeyAndNoDocuments) {
  TableShape s = MustShape({}, false, "email");
  EXPECT_EQ(Names(s), (std::vector<std::string>{"email", "doc"}));
  EXPECT_EQ(s.table.columns[0].type.logical, L::kText);
  TableShape i = MustShape({}, true, "email");
  EXPECT_EQ(Names(i), (std::vector<std::string>{"email", "_rest"}));
}

// --- primary key types ----------------------------------------------------

TEST(RdbShapeKey, Types) {
  EXPECT_EQ(
      MustShape({R"({"id":1})", R"({"id":-9007199254740992})", R"({"id":3.0})"}, false).table.columns[0].type.logical,
      L::kInt64);
  EXPECT_EQ(MustShape({R"({"id":1})", R"({"id":1.5})"}, false).table.columns[0].type.logical, L::kFloat64);
  // Beyond 2^53 a number is a double, not an integer.
  EXPECT_EQ(MustShape({R"({"id":9007199254740994})"}, false).table.columns[0].type.logical, L::kFloat64);
  EXPECT_EQ(MustShape({R"({"id":"a"})", R"({"id":"b"})"}, false).table.columns[0].type.logical, L::kText);
  TableShape arr = MustShape({R"({"id":[1,"a"]})"}, false);
  EXPECT_EQ(arr.table.columns[0].type.logical, L::kText);
  EXPECT_TRUE(arr.roles[0].key_as_json);
  EXPECT_EQ(arr.table.columns[0].comment, kKeyJsonComment);
}

TEST(RdbShapeKey, Values) {
  TableShape ints = MustShape({R"({"id":1})", R"({"id":2.0})"}, false);
  EXPECT_EQ(Row(ints, R"({"id":2.0})")[0], Value::Int(2));
  TableShape floats = MustShape({R"({"id":1})", R"({"id":0.5})"}, false);
  EXPECT_EQ(Row(floats, R"({"id":1})")[0], Value::Float(1.0));
  EXPECT_EQ(Row(floats, R"({"id":0.5})")[0], Value::Float(0.5));
  TableShape strings = MustShape({R"({"id":"1"})"}, false);
  EXPECT_EQ(Row(strings, R"({"id":"1"})")[0], Value::Text("1"));
}

TEST(RdbShapeKey, MixedKeysStayDistinct) {
  std::vector<std::string> docs = {R"({"id":"1"})", R"({"id":1})", R"({"id":[1,"a"]})", R"({"id":true})",
                                   R"({"id":{"$reql_type$":"TIME","epoch_time":1.5,"timezone":"+02:00"}})"};
  TableShape s = MustShape(docs, false);
  EXPECT_TRUE(s.roles[0].key_as_json);
  EXPECT_EQ(Row(s, docs[0])[0], Value::Text(R"("1")"));
  EXPECT_EQ(Row(s, docs[1])[0], Value::Text("1"));
  EXPECT_EQ(Row(s, R"({"id":1.0})")[0], Value::Text("1"));  // the same RethinkDB number, the same key
  EXPECT_EQ(Row(s, docs[2])[0], Value::Text(R"([1,"a"])"));
  EXPECT_EQ(Row(s, docs[3])[0], Value::Text("true"));
  EXPECT_EQ(Row(s, docs[4])[0], Value::Text(R"({"$reql_type$":"TIME","epoch_time":1.5,"timezone":"+02:00"})"));
  EXPECT_TRUE(HasNote(s,
                      "key id: integer, boolean, string, TIME, array: each key as its JSON text (a string quoted: "
                      "\"1\" is '\"1\"')"))
      << Notes(s);
  // Inferred shape: the key also goes to _rest so its JSON type comes back.
  TableShape i = MustShape(docs, true);
  EXPECT_EQ(Names(i), (std::vector<std::string>{"id", "_rest"}));
  auto row = Row(i, R"({"id":[1,"a"],"x":2})");
  EXPECT_EQ(row[0], Value::Text(R"([1,"a"])"));
  EXPECT_EQ(row[1], Value::Text(R"({"id":[1,"a"],"x":2})"));
}

TEST(RdbShapeKey, ADocumentTheShaperDidNotSee) {
  TableShape s = MustShape({R"({"id":1})"}, false);
  std::vector<Value> row(2);
  Status st = DocumentToRow(s, J::parse(R"({"id":"x"})"), row.data());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("primary key field 'id'"), std::string::npos) << st.message();
}

// --- the inferred shape ---------------------------------------------------

TEST(RdbShapeInfer, ColumnTypes) {
  std::string geo = R"({"$reql_type$":"GEOMETRY","type":"Point","coordinates":[-122.5,37.75]})";
  std::string bin = R"({"$reql_type$":"BINARY","data":"AAEC"})";
  TableShape s = MustShape({R"({"id":1,"i":1,"f":1.5,"m":1,"b":true,"s":"x","t":)" + Time(1) + R"(,"bin":)" + bin +
                                R"(,"g":)" + geo + R"(,"o":{"a":1},"a":[1],"oa":{}})",
                            R"({"id":2,"i":-3,"f":2,"m":2.5,"b":false,"s":"y","t":)" + Time(2) + R"(,"bin":)" + bin +
                                R"(,"g":)" + geo + R"(,"o":{"a":1},"a":[2],"oa":[]})"},
                           true);
  EXPECT_EQ(Names(s),
            (std::vector<std::string>{"id", "a", "b", "bin", "f", "g", "i", "m", "o", "oa", "s", "t", "_rest"}));
  EXPECT_EQ(Col(s, "i").type.logical, L::kInt64);
  EXPECT_EQ(Col(s, "f").type.logical, L::kFloat64);
  EXPECT_EQ(Col(s, "m").type.logical, L::kFloat64);  // integers and floats
  EXPECT_EQ(Col(s, "b").type.logical, L::kBool);
  EXPECT_EQ(Col(s, "s").type.logical, L::kText);
  EXPECT_EQ(Col(s, "t").type.logical, L::kTimestampTz);
  EXPECT_EQ(Col(s, "t").type.precision, 3);
  EXPECT_EQ(Col(s, "bin").type.logical, L::kBytes);
  EXPECT_EQ(Col(s, "g").type.logical, L::kGeometry);
  EXPECT_EQ(Col(s, "o").type.logical, L::kJson);
  EXPECT_EQ(Col(s, "a").type.logical, L::kJson);
  EXPECT_EQ(Col(s, "oa").type.logical, L::kJson);  // objects and arrays: both JSON
  const Column& rest = Col(s, "_rest");
  EXPECT_EQ(rest.type.logical, L::kJson);
  EXPECT_EQ(rest.comment, kLeftoversComment);
  EXPECT_TRUE(rest.nullable);
  EXPECT_FALSE(Col(s, "id").nullable);
  EXPECT_TRUE(Col(s, "s").nullable);
  EXPECT_EQ(s.roles.back().kind, ColumnRole::Kind::kLeftovers);
  EXPECT_TRUE(s.notes.empty()) << Notes(s);

  auto row = Row(s, R"({"id":1,"i":1,"f":1.5,"m":1,"b":true,"s":"x","t":)" + Time(1.001) + R"(,"bin":)" + bin +
                        R"(,"g":)" + geo + R"(,"o":{"b":2,"a":1},"a":[1],"oa":{}})");
  EXPECT_EQ(row[0], Value::Int(1));
  EXPECT_EQ(row[1], Value::Text("[1]"));
  EXPECT_EQ(row[2], Value::Bool(true));
  EXPECT_EQ(row[3], Value::Bytes(std::string("\x00\x01\x02", 3)));
  EXPECT_EQ(row[4], Value::Float(1.5));
  EXPECT_EQ(row[5].kind(), Value::Kind::kBytes);
  EXPECT_EQ(row[5], Value::Bytes(GeoJsonToWkb(J::parse(geo)).value()));
  EXPECT_EQ(row[6], Value::Int(1));
  EXPECT_EQ(row[7], Value::Float(1.0));
  EXPECT_EQ(row[8], Value::Text(R"({"a":1,"b":2})"));
  EXPECT_EQ(row[9], Value::Text("{}"));
  EXPECT_EQ(row[10], Value::Text("x"));
  EXPECT_EQ(row[11], Value::Text("1970-01-01 00:00:01.001+00"));
  EXPECT_TRUE(row[12].is_null());
}

TEST(RdbShapeInfer, MixedTypesGoToRest) {
  TableShape s = MustShape({R"({"id":1,"tags":"a","n":1})", R"({"id":2,"tags":["a"],"n":2})"}, true);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "n", "_rest"}));
  EXPECT_TRUE(HasNote(s, "field tags: mixed types (string, array): kept in _rest")) << Notes(s);
  auto row = Row(s, R"({"id":2,"tags":["a"],"n":2})");
  EXPECT_EQ(row[2], Value::Text(R"({"tags":["a"]})"));
  // Time and string, number and boolean: mixed too.
  TableShape t = MustShape({R"({"id":1,"x":)" + Time(0) + "}", R"({"id":2,"x":"now"})"}, true);
  EXPECT_TRUE(HasNote(t, "field x: mixed types (string, TIME): kept in _rest")) << Notes(t);
}

TEST(RdbShapeInfer, NullsAndAbsent) {
  TableShape s = MustShape({R"({"id":1,"a":5})", R"({"id":2,"a":null})", R"({"id":3})", R"({"id":4,"z":null})"}, true);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "a", "_rest"}));
  EXPECT_TRUE(HasNote(s, "field a: 1 explicit null: kept in _rest (NULL in a means absent)")) << Notes(s);
  EXPECT_TRUE(HasNote(s, "field z: null in every document: kept in _rest")) << Notes(s);
  auto r1 = Row(s, R"({"id":1,"a":5})");
  EXPECT_EQ(r1[1], Value::Int(5));
  EXPECT_TRUE(r1[2].is_null());
  auto r2 = Row(s, R"({"id":2,"a":null})");
  EXPECT_TRUE(r2[1].is_null());
  EXPECT_EQ(r2[2], Value::Text(R"({"a":null})"));
  auto r3 = Row(s, R"({"id":3})");
  EXPECT_TRUE(r3[1].is_null());
  EXPECT_TRUE(r3[2].is_null());
  auto r4 = Row(s, R"({"id":4,"z":null})");
  EXPECT_EQ(r4[2], Value::Text(R"({"z":null})"));
}

TEST(RdbShapeInfer, RareFields) {
  std::vector<std::string> docs;
  for (int i = 0; i < 1000; ++i) {
    std::string d = R"({"id":)" + std::to_string(i) + R"(,"name":"n")";
    if (i < 4) d += R"(,"nickname":"x")";
    if (i < 10) d += R"(,"ten":1)";  // exactly 1%: not below the threshold
    docs.push_back(d + "}");
  }
  TableShape s = MustShape(docs, true);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "name", "ten", "_rest"}));
  EXPECT_TRUE(HasNote(s, "field nickname: in 0.4% of documents (below 1%): kept in _rest")) << Notes(s);
  auto row = Row(s, R"({"id":0,"name":"n","nickname":"x","ten":1})");
  EXPECT_EQ(row[3], Value::Text(R"({"nickname":"x"})"));
  // A threshold of 0 keeps every field; 0.5 only the common ones.
  EXPECT_EQ(Names(MustShape(docs, true, "id", J(), 0)),
            (std::vector<std::string>{"id", "name", "nickname", "ten", "_rest"}));
  EXPECT_EQ(Names(MustShape(docs, true, "id", J(), 0.5)), (std::vector<std::string>{"id", "name", "_rest"}));
}

TEST(RdbShapeInfer, TimeZones) {
  TableShape utc = MustShape({R"({"id":1,"t":)" + Time(0) + "}"}, true);
  EXPECT_EQ(Names(utc), (std::vector<std::string>{"id", "t", "_rest"}));
  TableShape s = MustShape({R"({"id":1,"t":)" + Time(0, "-07:00") + R"(,"u":1})", R"({"id":2,"t":)" + Time(0) + "}",
                            R"({"id":3,"t":)" + Time(0, "+05:30") + "}"},
                           true);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "t", "t_tz", "u", "_rest"}));
  const Column& tz = Col(s, "t_tz");
  EXPECT_EQ(tz.type.logical, L::kText);
  EXPECT_EQ(tz.comment, std::string(kTimeZoneComment) + "t");
  EXPECT_EQ(s.roles[2].kind, ColumnRole::Kind::kTimeZone);
  EXPECT_EQ(s.roles[2].field, "t");
  EXPECT_TRUE(HasNote(s, "field t: 2 values with an offset other than +00:00: offsets in t_tz")) << Notes(s);
  auto row = Row(s, R"({"id":1,"t":)" + Time(1375147296.681, "-07:00") + "}");
  EXPECT_EQ(row[1], Value::Text("2013-07-30 01:21:36.681+00"));
  EXPECT_EQ(row[2], Value::Text("-07:00"));
  auto absent = Row(s, R"({"id":2})");
  EXPECT_TRUE(absent[1].is_null());
  EXPECT_TRUE(absent[2].is_null());
  EXPECT_EQ(Row(s, R"({"id":2,"t":)" + Time(0) + "}")[2], Value::Text("+00:00"));
}

TEST(RdbShapeInfer, NameCollisions) {
  TableShape s =
      MustShape({R"({"id":1,"_rest":1,"t":)" + Time(0, "+01:00") + R"(,"t_tz":"x","ID":2,"Name":1,"name":2})"}, true);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "Name", "_rest", "t", "t_tz_", "t_tz", "_rest_"}));
  EXPECT_EQ(Col(s, "_rest_").comment, kLeftoversComment);
  EXPECT_EQ(Col(s, "_rest").comment, "");
  EXPECT_EQ(Col(s, "t_tz_").comment, std::string(kTimeZoneComment) + "t");
  EXPECT_TRUE(HasNote(s, "field ID: its name differs only in case from column id: kept in _rest")) << Notes(s);
  EXPECT_TRUE(HasNote(s, "field name: its name differs only in case from column Name: kept in _rest")) << Notes(s);
  EXPECT_TRUE(HasNote(s, "field _rest: its name is taken: the leftovers column is named _rest_")) << Notes(s);
  EXPECT_TRUE(HasNote(s, "field t_tz: its name is taken: the offset column of t is named t_tz_")) << Notes(s);
  auto row = Row(s, R"({"id":1,"_rest":1,"t":)" + Time(0, "+01:00") + R"(,"t_tz":"x","ID":2,"Name":1,"name":2})");
  EXPECT_EQ(row[2], Value::Int(1));
  EXPECT_EQ(row[4], Value::Text("+01:00"));
  EXPECT_EQ(row[5], Value::Text("x"));
  EXPECT_EQ(row[6], Value::Text(R"({"ID":2,"name":2})"));
}

TEST(RdbShapeInfer, KeyNamedRest) {
  TableShape s = MustShape({R"({"_rest":1,"a":"x"})"}, true, "_rest");
  EXPECT_EQ(Names(s), (std::vector<std::string>{"_rest", "a", "_rest_"}));
  EXPECT_EQ(Col(s, "_rest_").comment, kLeftoversComment);
  auto row = Row(s, R"({"_rest":1,"a":"x","b":2})");
  EXPECT_EQ(row[0], Value::Int(1));
  EXPECT_EQ(row[2], Value::Text(R"({"b":2})"));
}

TEST(RdbShapeInfer, AtMostAThousandFields) {
  J doc = {{"id", 1}};
  for (int i = 0; i < 1200; ++i) doc[fmt::format("f{:04d}", i)] = i;
  DocumentOptions o;
  o.infer_columns = true;
  TableFiles files{};
  FillFiles(&files);
  TableShaper shaper(files, o);
  ASSERT_TRUE(shaper.Observe(doc).ok());
  auto s = shaper.Finish();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->table.columns.size(), 1002u);  // the key, f0000..f0999, _rest
  EXPECT_TRUE(HasNote(*s,
                      "200 values of fields seen after the first 1000 fields (e.g. f1000, f1001, f1002): kept in "
                      "_rest"))
      << Notes(*s);
  std::vector<Value> row(s->table.columns.size());
  ASSERT_TRUE(DocumentToRow(*s, doc, row.data()).ok());
  EXPECT_EQ(row[1000], Value::Int(999));
  EXPECT_EQ(J::parse(row[1001].as_string()).size(), 200u);
}

TEST(RdbShapeInfer, OddNames) {
  std::string longname(64, 'x');
  TableShape s = MustShape({R"({"id":1,"":1,")" + longname + R"(":2})"}, true);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"id", "_rest"}));
  EXPECT_TRUE(HasNote(s, "field : an empty name: kept in _rest")) << Notes(s);
  EXPECT_TRUE(HasNote(s, "field " + longname + ": its name is longer than 63 bytes: kept in _rest")) << Notes(s);
}

TEST(RdbShapeInfer, BadPseudoTypesAreNamed) {
  auto b = ShapeOf({R"({"id":1,"pic":{"$reql_type$":"BINARY","data":"AAE"}})"}, true);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().message(), "field 'pic': BINARY data is not base64: its length is not a multiple of 4");
  auto t = ShapeOf({R"({"id":1,"at":{"$reql_type$":"TIME","epoch_time":"x","timezone":"+00:00"}})"}, true);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "field 'at': TIME: epoch_time is not a number");
  auto g = ShapeOf({R"({"id":1,"g":{"$reql_type$":"GEOMETRY","type":"MultiPoint","coordinates":[]}})"}, true);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("field 'g': GEOMETRY type 'MultiPoint'"), std::string::npos);
  // The document shape leaves them in the JSON as they are.
  EXPECT_TRUE(ShapeOf({R"({"id":1,"pic":{"$reql_type$":"BINARY","data":"AAE"}})"}, false).ok());
  // An unknown $reql_type$ is an object.
  TableShape o = MustShape({R"({"id":1,"x":{"$reql_type$":"GROUPED_DATA","data":[]}})"}, true);
  EXPECT_EQ(Col(o, "x").type.logical, L::kJson);
}

TEST(RdbShapeInfer, UnobservedDocumentOfAnotherType) {
  TableShape s = MustShape({R"({"id":1,"n":1})"}, true);
  std::vector<Value> row(s.table.columns.size());
  Status st = DocumentToRow(s, J::parse(R"({"id":1,"n":"one"})"), row.data());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("field 'n': a string in a int64 column"), std::string::npos) << st.message();
  // A field the shaper never saw goes to _rest.
  auto r = Row(s, R"({"id":1,"n":1,"new":true})");
  EXPECT_EQ(r[2], Value::Text(R"({"new":true})"));
}

TEST(RdbShapeInfer, NegativeZeroAndBigNumbersAreFloats) {
  TableShape s = MustShape({R"({"id":1,"z":-0.0,"big":1e300,"i":9007199254740992})"}, true);
  EXPECT_EQ(Col(s, "z").type.logical, L::kFloat64);
  EXPECT_EQ(Col(s, "big").type.logical, L::kFloat64);
  EXPECT_EQ(Col(s, "i").type.logical, L::kInt64);
  auto row = Row(s, R"({"id":1,"z":-0.0,"big":1e300,"i":9007199254740992})");
  EXPECT_EQ(row[1], Value::Float(1e300));
  EXPECT_EQ(row[2], Value::Int(9007199254740992));
  EXPECT_EQ(row[3], Value::Float(-0.0));
}

// --- TIME -----------------------------------------------------------------

TEST(RdbTime, Milliseconds) {
  EXPECT_EQ(Utc(Time(0)), "1970-01-01 00:00:00+00");
  EXPECT_EQ(Utc(Time(1.001)), "1970-01-01 00:00:01.001+00");
  EXPECT_EQ(Utc(Time(1.01)), "1970-01-01 00:00:01.01+00");
  EXPECT_EQ(Utc(Time(1.1)), "1970-01-01 00:00:01.1+00");
  EXPECT_EQ(Utc(Time(-0.001)), "1969-12-31 23:59:59.999+00");
  EXPECT_EQ(Utc(Time(-1.5)), "1969-12-31 23:59:58.5+00");
  EXPECT_EQ(Utc(Time(-86400)), "1969-12-31 00:00:00+00");
  // The server rounds epoch_time * 1000 half away from zero.
  EXPECT_EQ(Utc(Time(0.9995)), "1970-01-01 00:00:01+00");
  EXPECT_EQ(Utc(Time(1.0004)), "1970-01-01 00:00:01+00");
  EXPECT_EQ(Utc(Time(-0.0005)), "1969-12-31 23:59:59.999+00");
  // Times around 10^12 ms: every millisecond exact.
  EXPECT_EQ(Utc(Time(1700000000.123)), "2023-11-14 22:13:20.123+00");
  EXPECT_EQ(Utc(Time(1000000000.001)), "2001-09-09 01:46:40.001+00");
  EXPECT_EQ(Utc(Time(999999999.999)), "2001-09-09 01:46:39.999+00");
  for (int64_t ms = 1699999999990; ms < 1700000000010; ++ms) {
    double epoch = static_cast<double>(ms) / 1000;
    std::string want = TimestampText(ms);
    EXPECT_EQ(Utc(Time(epoch)), want) << ms;
  }
  // RethinkDB's range of years.
  EXPECT_EQ(Utc(Time(-17987443200.0)), "1400-01-01 00:00:00+00");
  EXPECT_EQ(Utc(Time(253402300799.999)), "9999-12-31 23:59:59.999+00");
  EXPECT_EQ(Utc(Time(253402300800.0)), "10000-01-01 00:00:00+00");
}

TEST(RdbTime, TimezonesAndErrors) {
  auto tz = [](const std::string& zone) {
    auto t = ParseTime(J{{"$reql_type$", "TIME"}, {"epoch_time", 0}, {"timezone", zone}});
    return t.ok() ? t->timezone : "error";
  };
  EXPECT_EQ(tz("+00:00"), "+00:00");
  EXPECT_EQ(tz("-07:00"), "-07:00");
  EXPECT_EQ(tz("Z"), "+00:00");
  EXPECT_EQ(tz("+05"), "+05:00");
  EXPECT_EQ(tz("+0530"), "+05:30");
  EXPECT_EQ(tz("-00:00"), "error");
  EXPECT_EQ(tz("+25:00"), "error");
  EXPECT_EQ(tz("07:00"), "error");
  EXPECT_FALSE(ParseTime(J::parse(R"({"$reql_type$":"TIME","epoch_time":0})")).ok());
  EXPECT_FALSE(ParseTime(J::parse(R"({"$reql_type$":"TIME","epoch_time":0,"timezone":"+00:00","x":1})")).ok());
  EXPECT_FALSE(ParseTime(J::parse(R"({"$reql_type$":"TIME","epoch_time":-1e20,"timezone":"+00:00"})")).ok());
  EXPECT_FALSE(ParseTime(J::parse(R"({"$reql_type$":"TIME","epoch_time":-62135596801,"timezone":"+00:00"})")).ok());
  EXPECT_EQ(Utc(Time(-62135596800.0)), "0001-01-01 00:00:00+00");
}

// --- BINARY ---------------------------------------------------------------

TEST(RdbBase64, StrictDecodeAndEncode) {
  auto dec = [](const std::string& s) {
    auto r = DecodeBase64(s);
    return r.ok() ? r.value() : std::string("error");
  };
  EXPECT_EQ(dec(""), "");
  EXPECT_EQ(dec("Zg=="), "f");
  EXPECT_EQ(dec("Zm8="), "fo");
  EXPECT_EQ(dec("Zm9v"), "foo");
  EXPECT_EQ(dec("Zm9vYmFy"), "foobar");
  EXPECT_EQ(dec("//+/"), "\xff\xff\xbf");
  EXPECT_EQ(dec("AA=="), std::string(1, '\0'));
  EXPECT_EQ(dec("Zg="), "error");       // length
  EXPECT_EQ(dec("Zg"), "error");        // no padding
  EXPECT_EQ(dec("Zh=="), "error");      // non-zero bits after the last byte
  EXPECT_EQ(dec("Zm9="), "error");      // likewise
  EXPECT_EQ(dec("Z==="), "error");      // three '='
  EXPECT_EQ(dec("Zg==Zg=="), "error");  // '=' inside
  EXPECT_EQ(dec("Zm9v\n"), "error");    // a line break
  EXPECT_EQ(dec("Zm-v"), "error");      // the URL-safe alphabet
  EXPECT_EQ(dec("Zm_v"), "error");
  EXPECT_EQ(DecodeBase64("Zm-v").status().message(), "BINARY data is not base64: byte 2 is not a base64 letter");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n < 7; ++n) {
    std::string bytes = all.substr(250 - n, n);
    EXPECT_EQ(dec(EncodeBase64(bytes)), bytes);
  }
  EXPECT_EQ(EncodeBase64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_EQ(EncodeBase64("f"), "Zg==");
  EXPECT_EQ(dec(EncodeBase64(all)), all);
}

TEST(RdbBase64, ExtraKeysInBinary) {
  auto s = ShapeOf({R"({"id":1,"b":{"$reql_type$":"BINARY","data":"","x":1}})"}, true);
  EXPECT_FALSE(s.ok());
  TableShape e = MustShape({R"({"id":1,"b":{"$reql_type$":"BINARY","data":""}})"}, true);
  EXPECT_EQ(Row(e, R"({"id":1,"b":{"$reql_type$":"BINARY","data":""}})")[1], Value::Bytes(""));
}

// --- GEOMETRY -------------------------------------------------------------

std::string Hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string Unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

void RoundTrip(const std::string& geojson) {
  J in = J::parse(geojson);
  auto wkb = GeoJsonToWkb(in);
  ASSERT_TRUE(wkb.ok()) << wkb.status().ToString();
  auto back = WkbToGeoJson(wkb.value());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(J::parse(back->dump()), in);
  std::string keys;
  for (const auto& [k, v] : back->items()) keys += k + ",";
  EXPECT_EQ(keys, "$reql_type$,coordinates,type,");
}

TEST(RdbGeo, PointBytes) {
  auto wkb = GeoJsonToWkb(J::parse(R"({"$reql_type$":"GEOMETRY","type":"Point","coordinates":[1,2]})"));
  ASSERT_TRUE(wkb.ok());
  // little-endian, type 1, x = longitude 1.0, y = latitude 2.0
  EXPECT_EQ(Hex(wkb.value()), "0101000000000000000000f03f0000000000000040");
  auto back = WkbToGeoJson(wkb.value());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->dump(), R"({"$reql_type$":"GEOMETRY","coordinates":[1,2],"type":"Point"})");
}

TEST(RdbGeo, RoundTrips) {
  RoundTrip(R"({"$reql_type$":"GEOMETRY","type":"Point","coordinates":[-122.423246,37.779388]})");
  RoundTrip(R"({"$reql_type$":"GEOMETRY","type":"LineString","coordinates":[[0,0],[1.5,-2.25],[180,90]]})");
  RoundTrip(R"({"$reql_type$":"GEOMETRY","type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],)"
            R"([[2,2],[3,2],[3,3],[2,3],[2,2]],[[5,5],[6,5],[6,6],[5,5]]]})");
}

TEST(RdbGeo, BigEndianAndEwkbInput) {
  // POINT(1 2), big-endian.
  auto be = WkbToGeoJson(Unhex("00000000013ff00000000000004000000000000000"));
  ASSERT_TRUE(be.ok()) << be.status().ToString();
  EXPECT_EQ(be->dump(), R"({"$reql_type$":"GEOMETRY","coordinates":[1,2],"type":"Point"})");
  // LINESTRING(0.5 1, 2 3), big-endian.
  auto line = WkbToGeoJson(Unhex("0000000002000000023fe00000000000003ff000000000000040000000000000004008000000000000"));
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(line->dump(), R"({"$reql_type$":"GEOMETRY","coordinates":[[0.5,1],[2,3]],"type":"LineString"})");
  // EWKB SRID 4326 (MySQL's geometry with an SRID), little-endian.
  auto ewkb = WkbToGeoJson(Unhex("0101000020e6100000000000000000f03f0000000000000040"));
  ASSERT_TRUE(ewkb.ok()) << ewkb.status().ToString();
  EXPECT_EQ(ewkb->dump(), R"({"$reql_type$":"GEOMETRY","coordinates":[1,2],"type":"Point"})");
  EXPECT_FALSE(WkbToGeoJson(Unhex("0101000020110f0000000000000000f03f0000000000000040")).ok());  // SRID 3857
}

TEST(RdbGeo, Refusals) {
  EXPECT_FALSE(WkbToGeoJson("").ok());
  EXPECT_FALSE(WkbToGeoJson(Unhex("0101000000000000000000f03f00000000000000")).ok());      // truncated
  EXPECT_FALSE(WkbToGeoJson(Unhex("0101000000000000000000f03f000000000000004000")).ok());  // trailing byte
  EXPECT_FALSE(WkbToGeoJson(Unhex("0104000000")).ok());                                    // MultiPoint
  EXPECT_FALSE(WkbToGeoJson(Unhex("0101000000000000000000f87f000000000000f87f")).ok());    // POINT EMPTY (NaN)
  EXPECT_FALSE(WkbToGeoJson(Unhex("0102000000ffffffff")).ok());                            // a count beyond the bytes
  EXPECT_FALSE(WkbToGeoJson(Unhex("0201000000000000000000f03f0000000000000040")).ok());    // byte order 2
  EXPECT_FALSE(GeoJsonToWkb(J::parse(R"({"$reql_type$":"GEOMETRY","type":"Point","coordinates":[1,2,3]})")).ok());
  EXPECT_FALSE(GeoJsonToWkb(J::parse(R"({"$reql_type$":"GEOMETRY","type":"Point","coordinates":["a",2]})")).ok());
  EXPECT_FALSE(GeoJsonToWkb(J::parse(R"({"$reql_type$":"GEOMETRY","type":"LineString","coordinates":[1,2]})")).ok());
  EXPECT_FALSE(GeoJsonToWkb(J::parse(R"({"$reql_type$":"GEOMETRY","type":"Polygon","coordinates":[[1,2]]})")).ok());
  EXPECT_FALSE(GeoJsonToWkb(J::parse(R"({"$reql_type$":"GEOMETRY","coordinates":[1,2]})")).ok());
}

// --- indexes --------------------------------------------------------------

TEST(RdbIndexQuery, ServerForms) {
  // indexCreate('email'): the server's own function (src/rdb_protocol/terms/sindex.cc).
  auto byname = ParseIndexQuery(R"(indexCreate('email', function(_var19) { return _var19("email"); }))");
  ASSERT_TRUE(byname);
  EXPECT_EQ(byname->keys, (std::vector<std::vector<std::string>>{{"email"}}));
  EXPECT_FALSE(byname->multi);
  auto lambda = ParseIndexQuery(R"(indexCreate('x', function(var1) { return var1("email"); }))");
  ASSERT_TRUE(lambda);
  EXPECT_EQ(lambda->keys, (std::vector<std::vector<std::string>>{{"email"}}));
  auto nested = ParseIndexQuery(R"(indexCreate('city', function(var1) { return var1("address")("city"); }))");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->keys, (std::vector<std::vector<std::string>>{{"address", "city"}}));
  auto getfield = ParseIndexQuery(R"(indexCreate('c', function(var3) { return var3.getField("a")("b"); }))");
  ASSERT_TRUE(getfield);
  EXPECT_EQ(getfield->keys, (std::vector<std::vector<std::string>>{{"a", "b"}}));
  auto compound =
      ParseIndexQuery(R"(indexCreate('ab', function(var1) { return r.expr([var1("a"), var1("b")("c")]); }))");
  ASSERT_TRUE(compound);
  EXPECT_EQ(compound->keys, (std::vector<std::vector<std::string>>{{"a"}, {"b", "c"}}));
  auto multi = ParseIndexQuery(R"(indexCreate('tags', function(var1) { return var1("tags"); }, {multi: true}))");
  ASSERT_TRUE(multi);
  EXPECT_TRUE(multi->multi);
  auto geo = ParseIndexQuery(R"(indexCreate('loc', function(var1) { return var1("loc"); }, {geo: true}))");
  ASSERT_TRUE(geo);
  EXPECT_TRUE(geo->geo);
  auto both = ParseIndexQuery(R"(indexCreate('l', function(var1) { return var1("l"); }, {multi: true, geo: true}))");
  ASSERT_TRUE(both);
  EXPECT_TRUE(both->multi && both->geo);
  // Broken over lines by the pretty-printer.
  auto wrapped = ParseIndexQuery(
      "indexCreate('w', function(var1) { return r.expr([var1(\"aaaaaaaaaaaaaaaaaaaa\"),\n"
      "  var1(\"bbbbbbbbbbbbbbbbbbbbbbb\")]); })");
  ASSERT_TRUE(wrapped);
  EXPECT_EQ(wrapped->keys.size(), 2u);
}

TEST(RdbIndexQuery, HandWrittenForms) {
  auto a = ParseIndexQuery("indexCreate('email', r.row('email'))");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->keys, (std::vector<std::vector<std::string>>{{"email"}}));
  auto b = ParseIndexQuery(R"(indexCreate('email', r.row("email")))");
  ASSERT_TRUE(b);
  auto c = ParseIndexQuery("indexCreate('ab', [r.row('a'), r.row('b')])");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keys.size(), 2u);
  auto d = ParseIndexQuery("indexCreate('x', function(var1) { return [var1('a'), var1('b')]; })");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->keys.size(), 2u);
}

TEST(RdbIndexQuery, NotPlainFields) {
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var1("a").add(1); }))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var1("a").downcase(); }))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var1(0); }))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var2("a"); }))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return r.point(var1("x"), var1("y")); }))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return r.branch(var1("a"), 1, 2); }))"));
  EXPECT_FALSE(ParseIndexQuery("indexCreate('f', r.js(function(x) { return x.a; }))"));
  EXPECT_FALSE(ParseIndexQuery("indexCreate('f', non-printable function (captured scope not empty))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var1("a\"b"); }))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var1("a"); }, {other: true}))"));
  EXPECT_FALSE(ParseIndexQuery(R"(indexCreate('f', function(var1) { return var1("a"); }) extra)"));
  EXPECT_FALSE(ParseIndexQuery("setWriteHook(function(var1, var2, var3) { return var3; })"));
  EXPECT_FALSE(ParseIndexQuery(""));
}

J Info(const std::vector<J>& indexes, J write_hook = J()) {
  J info = {
      {"type", "TABLE"}, {"name", "rsh_t"}, {"primary_key", "id"}, {"indexes", indexes}, {"write_hook", write_hook}};
  return info;
}

J Entry(const std::string& name, const std::string& query, bool multi = false, bool geo = false) {
  J e = {{"index", name},  {"ready", true}, {"function", {{"$reql_type$", "BINARY"}, {"data", "AAAA"}}},
         {"multi", multi}, {"geo", geo},    {"outdated", false}};
  if (!query.empty()) e["query"] = query;
  return e;
}

IndexKey PathKey(const std::string& column, std::vector<std::string> path) {
  IndexKey k;
  k.column = column;
  k.json_path = std::move(path);
  return k;
}

const Index* FindIndex(const TableShape& s, const std::string& name) {
  for (const auto& i : s.indexes) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

const NativeObject* FindNotCarried(const TableShape& s, const std::string& name) {
  for (const auto& o : s.not_carried) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

J IndexInfo() {
  return Info(
      {Entry("email", R"(indexCreate('email', function(_var19) { return _var19("email"); }))"),
       Entry("city", R"(indexCreate('city', function(var1) { return var1("address")("city"); }))"),
       Entry("by_id", R"(indexCreate('by_id', function(var1) { return var1("id"); }))"),
       Entry("ab", R"(indexCreate('ab', function(var1) { return r.expr([var1("email"), var1("n")]); }))"),
       Entry("tags", R"(indexCreate('tags', function(var1) { return var1("tags"); }, {multi: true}))", true),
       Entry("loc", R"(indexCreate('loc', function(var1) { return var1("loc"); }, {geo: true}))", false, true),
       Entry("lower", R"(indexCreate('lower', function(var1) { return var1("email").downcase(); }))"), Entry("old", ""),
       Entry("t_ms", R"(indexCreate('t_ms', function(var1) { return var1("t")("epoch_time"); }))"),
       Entry("rare", R"(indexCreate('rare', function(var1) { return var1("nick"); }))")},
      J{{"function", {{"$reql_type$", "BINARY"}, {"data", "AAAA"}}},
        {"query", "setWriteHook(function(var1, var2, var3) { return var3.merge({at: r.now()}); })"}});
}

TEST(RdbShapeIndexes, DocumentShape) {
  TableShape s = MustShape({R"({"id":1,"email":"a","n":1})"}, false, "id", IndexInfo());
  const Index* email = FindIndex(s, "email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->schema, "rsh_db");
  EXPECT_EQ(email->table, "rsh_t");
  EXPECT_FALSE(email->unique);
  EXPECT_EQ(email->keys, (std::vector<IndexKey>{PathKey("doc", {"email"})}));
  EXPECT_EQ(email->native_ddl, R"(indexCreate('email', function(_var19) { return _var19("email"); }))");
  const Index* city = FindIndex(s, "city");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->keys, (std::vector<IndexKey>{PathKey("doc", {"address", "city"})}));
  const Index* by_id = FindIndex(s, "by_id");
  ASSERT_NE(by_id, nullptr);
  EXPECT_EQ(by_id->keys, (std::vector<IndexKey>{PathKey("id", {})}));
  const Index* ab = FindIndex(s, "ab");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->keys, (std::vector<IndexKey>{PathKey("doc", {"email"}), PathKey("doc", {"n"})}));
  EXPECT_NE(FindIndex(s, "t_ms"), nullptr);  // a path in the document
  for (const char* name : {"tags", "loc", "lower", "old"}) {
    EXPECT_EQ(FindIndex(s, name), nullptr) << name;
    const NativeObject* o = FindNotCarried(s, name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->kind, "index");
    EXPECT_EQ(o->schema, "rsh_db");
    EXPECT_EQ(o->table, "rsh_t");
    EXPECT_EQ(o->phase, "post-data");
  }
  EXPECT_EQ(FindNotCarried(s, "old")->native_ddl, "(no query text in the .info)");
  EXPECT_EQ(FindNotCarried(s, "lower")->native_ddl,
            R"(indexCreate('lower', function(var1) { return var1("email").downcase(); }))");
  EXPECT_TRUE(HasNote(s,
                      "index tags: a multi index (one entry per array element): no equivalent on a column: named, "
                      "not created"))
      << Notes(s);
  EXPECT_TRUE(HasNote(s, "index loc: a geo index (no PostGIS is assumed): named, not created")) << Notes(s);
  EXPECT_TRUE(HasNote(s, "index lower: its function is not a plain field: named, not created")) << Notes(s);
  EXPECT_TRUE(
      HasNote(s, "index old: the .info has no query text (written by RethinkDB before 2.2): named, not created"))
      << Notes(s);
  const NativeObject* hook = FindNotCarried(s, "rsh_t");
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->kind, "write hook");
  EXPECT_EQ(hook->native_ddl, "setWriteHook(function(var1, var2, var3) { return var3.merge({at: r.now()}); })");
  EXPECT_TRUE(HasNote(s, "write hook rsh_t: RethinkDB runs it on every write; no equivalent: named, not created"))
      << Notes(s);
}

TEST(RdbShapeIndexes, InferredShape) {
  std::vector<std::string> docs;
  for (int i = 0; i < 200; ++i) {
    docs.push_back(R"({"id":)" + std::to_string(i) + R"(,"email":"a","n":1,"address":{"city":"x"},"t":)" + Time(i) +
                   (i == 0 ? R"(,"nick":"z")" : "") + "}");
  }
  TableShape s = MustShape(docs, true, "id", IndexInfo());
  EXPECT_EQ(FindIndex(s, "email")->keys, (std::vector<IndexKey>{PathKey("email", {})}));
  EXPECT_EQ(FindIndex(s, "city")->keys, (std::vector<IndexKey>{PathKey("address", {"city"})}));
  EXPECT_EQ(FindIndex(s, "ab")->keys, (std::vector<IndexKey>{PathKey("email", {}), PathKey("n", {})}));
  // The rare field is in _rest: the index is on its path there.
  EXPECT_EQ(FindIndex(s, "rare")->keys, (std::vector<IndexKey>{PathKey("_rest", {"nick"})}));
  // A path inside a TIME column has no equivalent.
  EXPECT_EQ(FindIndex(s, "t_ms"), nullptr);
  EXPECT_TRUE(HasNote(s, "index t_ms: a path inside t, a timestamptz column: named, not created")) << Notes(s);
  EXPECT_NE(FindNotCarried(s, "loc"), nullptr);
  EXPECT_NE(FindNotCarried(s, "tags"), nullptr);
}

TEST(RdbShapeIndexes, NoIndexesNoHook) {
  J info = {{"primary_key", "id"}, {"indexes", J::array()}, {"write_hook", nullptr}};
  TableShape s = MustShape({R"({"id":1})"}, false, "id", info);
  EXPECT_TRUE(s.indexes.empty());
  EXPECT_TRUE(s.not_carried.empty());
  TableShape legacy = MustShape({R"({"id":1})"}, false, "id", J());  // legacy: no .info
  EXPECT_TRUE(legacy.not_carried.empty());
  // A hook without query text.
  J hook = {{"primary_key", "id"}, {"write_hook", {{"function", {{"$reql_type$", "BINARY"}, {"data", ""}}}}}};
  TableShape h = MustShape({R"({"id":1})"}, false, "id", hook);
  ASSERT_EQ(h.not_carried.size(), 1u);
  EXPECT_EQ(h.not_carried[0].native_ddl, "(no query text in the .info)");
}

// A .info whose "indexes" is table.info()'s own list of names (as a RethinkDB
// documentation page shows it: ["model", "version"]): each index is named as
// not carried, never dropped in silence (it was).
TEST(RethinkShapeIndexes, IndexNamesWithoutFunctionsAreNamed) {
  TableShape s = MustShape({R"({"serial_num": "R1", "model": "T-800"})"}, false, "serial_num",
                           J::parse(R"({"primary_key": "serial_num", "indexes": ["model", "version"]})"));
  EXPECT_TRUE(s.indexes.empty());
  for (const char* name : {"model", "version"}) {
    const NativeObject* o = FindNotCarried(s, name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->kind, "index");
    EXPECT_EQ(o->native_ddl, "(no query text in the .info)");
  }
}

}  // namespace
}  // namespace decant::rethinkdb
