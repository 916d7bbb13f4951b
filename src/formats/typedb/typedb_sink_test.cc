// The TypeDB export writer: a hand-made relational layout written through the
// Sink, the stream parsed back with the generated classes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/endpoint.h"
#include "core/engine_traits.h"
#include "formats/typedb/layout.h"
#include "formats/typedb/typedb_format.h"
#include "formats/typedb/typedb_values.h"
#include "io/file_system.h"
#include "tests/test_util.h"

namespace decant::typedb {
namespace {

using Rows = std::vector<std::vector<Value>>;
using testing_util::ReadFile;
using testing_util::TempDir;

Value T(std::string_view s) { return Value::Text(s); }

// The value columns (value, value_tz, value_ns as the layout has them) of `v`.
std::vector<Value> ValueCells(const v3::MigrationValue& v, bool tz, bool ns) {
  SqlValue sql;
  Status s = ToSql(v, &sql);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<Value> out = {sql.value};
  if (tz) out.push_back(sql.tz);
  if (ns) out.push_back(sql.ns.is_null() ? Value::Int(0) : sql.ns);
  return out;
}

v3::MigrationValue Str(std::string_view s) {
  v3::MigrationValue v;
  v.set_string(std::string(s));
  return v;
}
v3::MigrationValue Int(int64_t i) {
  v3::MigrationValue v;
  v.set_integer(i);
  return v;
}
v3::MigrationValue Millis(int64_t ms) {
  v3::MigrationValue v;
  v.set_datetime_millis(ms);
  return v;
}
v3::MigrationValue Decimal(int64_t i, uint64_t f) {
  v3::MigrationValue v;
  v.mutable_decimal()->set_integer(i);
  v.mutable_decimal()->set_fractional(f);
  return v;
}
v3::MigrationValue Datetime(int64_t s, uint32_t nanos) {
  v3::MigrationValue v;
  v.mutable_datetime()->set_seconds(s);
  v.mutable_datetime()->set_nanos(nanos);
  return v;
}

TypeInfo Attribute(std::string label, ValueType vt) {
  TypeInfo t;
  t.label = std::move(label);
  t.kind = Kind::kAttribute;
  t.value_type = vt;
  return t;
}
TypeInfo Thing(std::string label, Kind kind, std::vector<std::string> owned = {}, bool has_table = false) {
  TypeInfo t;
  t.label = std::move(label);
  t.kind = kind;
  t.owned = std::move(owned);
  t.has_table = has_table;
  return t;
}

// A layout and its rows, written through the sink.
struct Input {
  Layout layout;
  std::map<std::string, Rows> rows;  // by table name (typedb:types is made from the layout)
  std::string schema_name;           // a namespace for every table ("public")
  std::vector<std::string> order;    // tables written first, in this order (the rest after)
};

std::map<std::string, Rows> TypesRows(const Layout& layout) {
  Rows types, file;
  for (const TypeInfo& t : layout.types) {
    types.push_back(
        {T(t.label), T(KindName(t.kind)), t.kind == Kind::kAttribute ? T(ValueTypeName(t.value_type)) : Value::Null()});
  }
  for (const auto& [k, v] : layout.file) file.push_back({T(k), T(v)});
  return {{std::string(kTypesTable), types}, {std::string(kFileTable), file}};
}

// Writes `in` to `path`; the status of the first call that fails.
Status Write(const Input& in, const std::string& path, int version,
             std::vector<std::pair<std::string, std::string>> renames = {}, bool abort = false) {
  Schema schema = BuildSchema(in.layout);
  for (Table& t : schema.tables) t.schema = in.schema_name;
  FileWriteOptions options;
  options.typedb.version = version;
  options.typedb.renames = std::move(renames);
  DECANT_ASSIGN_OR_RETURN(auto sink, OpenSink(path, options, FileSystem::Default()));
  DECANT_RETURN_IF_ERROR(sink->Begin(schema, SinkOptions{}));
  std::map<std::string, Rows> rows = TypesRows(in.layout);
  for (const auto& [k, v] : in.rows) rows[k] = v;
  std::vector<const Table*> order;
  for (const std::string& name : in.order) {
    for (const Table& t : schema.tables) {
      if (t.name == name) order.push_back(&t);
    }
  }
  for (const Table& t : schema.tables) {
    if (std::find(order.begin(), order.end(), &t) == order.end()) order.push_back(&t);
  }
  for (const Table* t : order) {
    DECANT_ASSIGN_OR_RETURN(auto writer, sink->OpenTable(*t));
    RowBatch batch(DataColumns(*t).size());
    for (const std::vector<Value>& row : rows[t->name]) {
      EXPECT_EQ(row.size(), batch.num_columns()) << t->name;
      Value* cells = batch.AppendRow();
      for (size_t c = 0; c < row.size() && c < batch.num_columns(); ++c) cells[c] = row[c];
    }
    DECANT_RETURN_IF_ERROR(writer->Write(batch));
    DECANT_RETURN_IF_ERROR(writer->Close());
  }
  if (abort) {
    sink->Abort();
    return Status::Cancelled("aborted");
  }
  return sink->Commit();
}

// The items of a delimited stream.
std::vector<std::string> Items(const std::string& data) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < data.size()) {
    uint64_t n = 0;
    int shift = 0;
    while (true) {
      auto b = static_cast<uint8_t>(data[at++]);
      n |= uint64_t{b & 0x7fu} << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    EXPECT_LE(at + n, data.size());
    out.push_back(data.substr(at, n));
    at += n;
  }
  return out;
}

std::vector<v3::Item> Parse3(const std::string& path) {
  std::vector<v3::Item> out;
  for (const std::string& bytes : Items(ReadFile(path))) {
    out.emplace_back();
    EXPECT_TRUE(out.back().ParseFromString(bytes));
  }
  return out;
}

std::vector<v2::Item> Parse2(const std::string& path) {
  std::vector<v2::Item> out;
  for (const std::string& bytes : Items(ReadFile(path))) {
    out.emplace_back();
    EXPECT_TRUE(out.back().ParseFromString(bytes));
  }
  return out;
}

// Counts as the exporters count them (docs/formats/typedb.md).
v3::Item::Checksums Count(const std::vector<v3::Item>& items) {
  v3::Item::Checksums c;
  for (const v3::Item& i : items) {
    if (i.has_entity()) {
      c.set_entity_count(c.entity_count() + 1);
      c.set_ownership_count(c.ownership_count() + i.entity().attributes_size());
    } else if (i.has_attribute()) {
      c.set_attribute_count(c.attribute_count() + 1);
      c.set_ownership_count(c.ownership_count() + i.attribute().attributes_size());
    } else if (i.has_relation()) {
      c.set_relation_count(c.relation_count() + 1);
      c.set_ownership_count(c.ownership_count() + i.relation().attributes_size());
      for (const auto& r : i.relation().roles()) c.set_role_count(c.role_count() + r.players_size());
    }
  }
  return c;
}

const v3::Item* ById(const std::vector<v3::Item>& items, const std::string& id) {
  for (const v3::Item& i : items) {
    if ((i.has_entity() && i.entity().id() == id) || (i.has_attribute() && i.attribute().id() == id) ||
        (i.has_relation() && i.relation().id() == id)) {
      return &i;
    }
  }
  return nullptr;
}

std::vector<std::string> Owned(const google::protobuf::RepeatedPtrField<v3::Item::OwnedAttribute>& owned) {
  std::vector<std::string> out;
  for (const auto& a : owned) out.push_back(a.id());
  std::sort(out.begin(), out.end());
  return out;
}

// A small graph: people with names (a column), ages and nicknames (two: a
// :has table), marriages with two spouses, an employment played by a
// marriage (a relation playing a role).
Input Graph(const std::string& generation, const std::string& version) {
  Input in;
  in.layout.file = {{"generation", generation}, {"version", version}, {"original_database", "social"}};
  in.layout.types = {Attribute("age", ValueType::kInteger),
                     Attribute("name", ValueType::kString),
                     Attribute("nick", ValueType::kString),
                     Attribute("since", ValueType::kDatetimeMillis),
                     Thing("company", Kind::kEntity),
                     Thing("employment", Kind::kRelation),
                     Thing("marriage", Kind::kRelation, {"since"}),
                     Thing("person", Kind::kEntity, {"age", "name"}, true)};
  auto attr = [](const std::string& id, const v3::MigrationValue& v) {
    std::vector<Value> row = {T(id)};
    for (Value& c : ValueCells(v, false, false)) row.push_back(c);
    return row;
  };
  in.rows["age"] = {attr("a1", Int(42)), attr("a2", Int(-7))};
  in.rows["name"] = {attr("n1", Str("Ann")), attr("n2", Str("Bob")), attr("n3", Str("Cy"))};
  in.rows["nick"] = {attr("k1", Str("annie")), attr("k2", Str("nan")), attr("k3", Str("bobby"))};
  in.rows["since"] = {attr("s1", Millis(1600000000123))};
  in.rows["person"] = {{T("p1"), T("a1"), T("n1")}, {T("p2"), Value::Null(), T("n2")}, {T("p3"), T("a2"), T("n3")}};
  in.rows["person:has"] = {{T("p1"), T("nick"), T("k1")}, {T("p1"), T("nick"), T("k2")}, {T("p2"), T("nick"), T("k3")}};
  in.rows["company"] = {{T("c1")}};
  in.rows["marriage"] = {{T("m1"), T("s1")}, {T("m2"), Value::Null()}};
  in.rows["marriage:roles"] = {{T("m1"), T("marriage:spouse"), T("p1")},
                               {T("m1"), T("marriage:spouse"), T("p2")},
                               {T("m2"), T("marriage:spouse"), T("p3")},
                               {T("m2"), T("marriage:spouse"), T("p3")}};
  in.rows["employment"] = {{T("e1")}};
  in.rows["employment:roles"] = {{T("e1"), T("employment:employer"), T("c1")},
                                 {T("e1"), T("employment:employee"), T("m1")}};
  return in;
}

class TypeDbSinkTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.File(name); }
  // Nothing of a failed or aborted export is left in the directory.
  void ExpectEmpty() const { EXPECT_TRUE(std::filesystem::is_empty(dir_.path())) << "left behind in " << dir_.path(); }
  TempDir dir_;
};

TEST_F(TypeDbSinkTest, WritesGeneration3InOrderWithChecksums) {
  Input in = Graph("typedb-3", "3.1.0");
  // Rows arrive in any order: the side tables before their owners, types last.
  in.order = {"marriage:roles", "person:has", "employment", "marriage", "person", "since", "typedb:types"};
  std::string path = Path("out.typedb");
  Status s = Write(in, path, 0);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<v3::Item> items = Parse3(path);
  ASSERT_GE(items.size(), 2u);
  ASSERT_TRUE(items.front().has_header());
  EXPECT_EQ(items.front().header().typedb_version(), "3.1.0");
  EXPECT_EQ(items.front().header().original_database(), "social");
  ASSERT_TRUE(items.back().has_checksums());
  // Attributes, then entities, then relations.
  int phase = 0;
  for (size_t i = 1; i + 1 < items.size(); ++i) {
    int p = items[i].has_attribute() ? 0 : items[i].has_entity() ? 1 : items[i].has_relation() ? 2 : -1;
    ASSERT_GE(p, phase) << "item " << i;
    phase = p;
  }
  v3::Item::Checksums want = Count(items);
  const v3::Item::Checksums& got = items.back().checksums();
  EXPECT_EQ(got.entity_count(), 4);
  EXPECT_EQ(got.attribute_count(), 9);
  EXPECT_EQ(got.relation_count(), 3);
  EXPECT_EQ(got.role_count(), 6);
  EXPECT_EQ(got.ownership_count(), 9);  // p1: 4, p2: 2, p3: 2, m1: 1
  EXPECT_EQ(got.entity_count(), want.entity_count());
  EXPECT_EQ(got.attribute_count(), want.attribute_count());
  EXPECT_EQ(got.relation_count(), want.relation_count());
  EXPECT_EQ(got.role_count(), want.role_count());
  EXPECT_EQ(got.ownership_count(), want.ownership_count());
  EXPECT_EQ(got.key_ownership_count(), 0);

  const v3::Item* p1 = ById(items, "p1");
  ASSERT_TRUE(p1 && p1->has_entity());
  EXPECT_EQ(p1->entity().label(), "person");
  EXPECT_EQ(Owned(p1->entity().attributes()), (std::vector<std::string>{"a1", "k1", "k2", "n1"}));
  EXPECT_EQ(Owned(ById(items, "p2")->entity().attributes()), (std::vector<std::string>{"k3", "n2"}));
  const v3::Item* m1 = ById(items, "m1");
  ASSERT_TRUE(m1 && m1->has_relation());
  EXPECT_EQ(Owned(m1->relation().attributes()), (std::vector<std::string>{"s1"}));
  ASSERT_EQ(m1->relation().roles_size(), 1);
  EXPECT_EQ(m1->relation().roles(0).label(), "marriage:spouse");
  ASSERT_EQ(m1->relation().roles(0).players_size(), 2);
  EXPECT_EQ(m1->relation().roles(0).players(0).id(), "p1");
  EXPECT_EQ(m1->relation().roles(0).players(1).id(), "p2");
  // A player playing a role twice is two players.
  const v3::Item* m2 = ById(items, "m2");
  ASSERT_EQ(m2->relation().roles_size(), 1);
  EXPECT_EQ(m2->relation().roles(0).players_size(), 2);
  const v3::Item* e1 = ById(items, "e1");
  ASSERT_EQ(e1->relation().roles_size(), 2);
  EXPECT_EQ(e1->relation().roles(1).label(), "employment:employee");
  EXPECT_EQ(e1->relation().roles(1).players(0).id(), "m1");
  // Values; a 2.x datetime (millis) is a 3.x datetime.
  EXPECT_EQ(ById(items, "a2")->attribute().value().integer(), -7);
  EXPECT_EQ(ById(items, "n1")->attribute().value().string(), "Ann");
  const v3::MigrationValue& since = ById(items, "s1")->attribute().value();
  ASSERT_TRUE(since.has_datetime()) << since.DebugString();
  EXPECT_EQ(since.datetime().seconds(), 1600000000);
  EXPECT_EQ(since.datetime().nanos(), 123000000u);
  EXPECT_FALSE(std::filesystem::exists(PartialPath(path)));
  EXPECT_FALSE(std::filesystem::exists(PartialPath(path) + ".d"));
}

TEST_F(TypeDbSinkTest, WritesGeneration2WithTheV2Classes) {
  Input in = Graph("typedb-2", "2.17.0");
  in.schema_name = "public";  // as read from PostgreSQL
  std::string path = Path("out.typedb");
  Status s = Write(in, path, 0);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<v2::Item> items = Parse2(path);
  ASSERT_TRUE(items.front().has_header());
  EXPECT_EQ(items.front().header().version(), "2.17.0");
  ASSERT_TRUE(items.back().has_checksums());
  EXPECT_EQ(items.back().checksums().ownership_count(), 9);
  bool since = false;
  for (const v2::Item& i : items) {
    if (i.has_attribute() && i.attribute().id() == "s1") {
      since = true;
      EXPECT_EQ(i.attribute().value().datetime(), 1600000000123);
    }
    if (i.has_attribute() && i.attribute().id() == "a1") {
      EXPECT_EQ(i.attribute().value().long_(), 42);
    }
  }
  EXPECT_TRUE(since);
}

TEST_F(TypeDbSinkTest, HeaderNamesAConversion) {
  std::string path = Path("up.typedb");
  ASSERT_TRUE(Write(Graph("typedb-2", "2.17.0"), path, 3).ok());
  EXPECT_EQ(Parse3(path).front().header().typedb_version(), "3.x (converted by decant from 2.17.0)");
  std::string down = Path("down.typedb");
  ASSERT_TRUE(Write(Graph("typedb-3", "3.1.0"), down, 2).ok());
  EXPECT_EQ(Parse2(down).front().header().version(), "2.x (converted by decant from 3.1.0)");
  // Grakn 1.8 and 2.0 are generation 2; unknown is 3.
  std::string grakn = Path("grakn.typedb");
  ASSERT_TRUE(Write(Graph("grakn-2.0", "2.0.0-alpha"), grakn, 0).ok());
  EXPECT_EQ(Parse2(grakn).front().header().version(), "2.0.0-alpha");
  std::string unknown = Path("unknown.typedb");
  Input none = Graph("unknown", "");
  ASSERT_TRUE(Write(none, unknown, 0).ok());
  EXPECT_EQ(Parse3(unknown).front().header().typedb_version(), "3.x (written by decant)");
}

TEST_F(TypeDbSinkTest, RenamesTypesAndRoles) {
  std::string path = Path("renamed.typedb");
  Status s = Write(Graph("typedb-3", "3.1.0"), path, 3, {{"person", "human"}, {"marriage:spouse", "marriage:partner"}});
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<v3::Item> items = Parse3(path);
  EXPECT_EQ(ById(items, "p1")->entity().label(), "human");
  EXPECT_EQ(ById(items, "m1")->relation().roles(0).label(), "marriage:partner");
  EXPECT_EQ(ById(items, "m1")->relation().label(), "marriage");

  s = Write(Graph("typedb-3", "3.1.0"), Path("bad.typedb"), 3, {{"robot", "android"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(Path("bad.typedb")));
}

// What generation 2 cannot hold, named before anything is written.
TEST_F(TypeDbSinkTest, RefusesWhatGeneration2CannotHold) {
  Input in = Graph("typedb-3", "3.1.0");
  in.layout.types.push_back(Attribute("price", ValueType::kDecimal));
  in.layout.types.push_back(Attribute("at", ValueType::kDatetime));
  std::sort(in.layout.types.begin(), in.layout.types.end(),
            [](const TypeInfo& a, const TypeInfo& b) { return a.label < b.label; });
  auto attr = [](const std::string& id, const v3::MigrationValue& v) {
    std::vector<Value> row = {T(id)};
    for (Value& c : ValueCells(v, false, false)) row.push_back(c);
    return row;
  };
  in.rows["price"] = {attr("d1", Decimal(-2, 5000000000000000000u)), attr("d2", Decimal(3, 0))};
  in.rows["at"] = {attr("t1", Datetime(1600000000, 123000000)), attr("t2", Datetime(1600000000, 123456000))};
  std::string path = Path("down.typedb");
  Status s = Write(in, path, 2);
  ASSERT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_NE(s.message().find("2 values of attribute type price"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("1 value of attribute type at"), std::string::npos) << s.message();
  ExpectEmpty();

  // Generation 3 holds them.
  ASSERT_TRUE(Write(in, path, 3).ok());
  std::vector<v3::Item> items = Parse3(path);
  EXPECT_EQ(ById(items, "d1")->attribute().value().decimal().integer(), -2);
  EXPECT_EQ(ById(items, "d1")->attribute().value().decimal().fractional(), 5000000000000000000u);
  EXPECT_EQ(ById(items, "t2")->attribute().value().datetime().nanos(), 123456000u);
}

// 2.x attributes owning attributes: written to 2, refused going to 3.
TEST_F(TypeDbSinkTest, AttributesOwningAttributes) {
  Input in = Graph("typedb-2", "2.17.0");
  for (TypeInfo& t : in.layout.types) {
    if (t.label == "name") t.has_table = true;
  }
  in.rows["name:has"] = {{T("n1"), T("nick"), T("k1")}, {T("n1"), T("nick"), T("k2")}};
  std::string path = Path("own.typedb");
  ASSERT_TRUE(Write(in, path, 2).ok());
  std::vector<v2::Item> items = Parse2(path);
  EXPECT_EQ(items.back().checksums().ownership_count(), 11);
  for (const v2::Item& i : items) {
    if (i.has_attribute() && i.attribute().id() == "n1") {
      EXPECT_EQ(i.attribute().attribute_size(), 2);
    }
  }
  std::filesystem::remove(path);
  Status s = Write(in, path, 3);
  ASSERT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("1 attribute of type name owning attributes (TypeDB 3.x refuses attributes that own "
                             "attributes)"),
            std::string::npos)
      << s.message();
  ExpectEmpty();
}

TEST_F(TypeDbSinkTest, RefusesUnscopedRolesGoingTo3) {
  Input in = Graph("grakn-1.8", "1.7.3");
  in.rows["marriage:roles"] = {{T("m1"), T("spouse"), T("p1")}, {T("m1"), T("spouse"), T("p2")}};
  std::string path = Path("roles.typedb");
  Status s = Write(in, path, 3);
  ASSERT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("TypeDB 3.x needs scoped role labels: --rename spouse=marriage:spouse"), std::string::npos)
      << s.message();
  ExpectEmpty();
  // Generation 2 takes them as they are (Grakn 1.8's form).
  ASSERT_TRUE(Write(in, path, 0).ok());
  std::vector<v2::Item> items = Parse2(path);
  EXPECT_EQ(items.front().header().version(), "1.7.3");
}

TEST_F(TypeDbSinkTest, RefusesWhatIsNotTheLayout) {
  FileWriteOptions options;
  auto sink = OpenSink(Path("x.typedb"), options, FileSystem::Default());
  ASSERT_TRUE(sink.ok());
  Schema plain;
  plain.database = "shop.db";
  Table t;
  t.name = "orders";
  plain.tables.push_back(t);
  Status s = (*sink)->Begin(plain, SinkOptions{});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "shop.db is not a TypeDB relational layout: no table typedb:types (docs/formats/typedb.md)");
  (*sink)->Abort();

  // A table typedb:types does not name.
  Input in = Graph("typedb-3", "3.1.0");
  Layout extra = in.layout;
  extra.types.push_back(Thing("stray", Kind::kEntity));
  Input with_stray = in;
  with_stray.layout = extra;
  with_stray.rows["stray"] = {{T("x1")}};
  // typedb:types made from `in.layout` (without stray).
  with_stray.rows[std::string(kTypesTable)] = TypesRows(in.layout)[std::string(kTypesTable)];
  s = Write(with_stray, Path("x.typedb"), 3);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("table stray is neither"), std::string::npos) << s.message();

  // An owned column of an unknown attribute type.
  Input unknown = in;
  for (TypeInfo& ti : unknown.layout.types) {
    if (ti.label == "company") ti.owned = {"rating"};
  }
  unknown.rows["company"] = {{T("c1"), Value::Null()}};
  s = Write(unknown, Path("x.typedb"), 3);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("owned column rating: attribute type rating is unknown"), std::string::npos)
      << s.message();

  // A role player of a relation the table does not hold.
  Input dangling = in;
  dangling.rows["marriage:roles"].push_back({T("m9"), T("marriage:spouse"), T("p1")});
  s = Write(dangling, Path("x.typedb"), 3);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("1 rows name a relation"), std::string::npos) << s.message();
  ExpectEmpty();
}

TEST_F(TypeDbSinkTest, AbortLeavesNothing) {
  Status s = Write(Graph("typedb-3", "3.1.0"), Path("gone.typedb"), 3, {}, /*abort=*/true);
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  ExpectEmpty();
}

// Enough rows to cross the spool's 1 MiB flushes and reads, and one value
// longer than a whole read.
TEST_F(TypeDbSinkTest, ManyRowsAndALongValue) {
  Input in;
  in.layout.file = {{"generation", "typedb-3"}, {"version", "3.1.0"}};
  in.layout.types = {Attribute("name", ValueType::kString), Thing("node", Kind::kEntity, {"name"}),
                     Thing("link", Kind::kRelation)};
  constexpr int kNodes = 60000;
  Rows names, nodes, links, roles;
  for (int i = 0; i < kNodes; ++i) {
    std::string n = std::to_string(i);
    names.push_back({T("name-" + n), T(i == 777 ? std::string(3 << 20, 'x') : "node number " + n)});
    nodes.push_back({T("node-" + n), T("name-" + n)});
    if (i % 2 == 0) {
      links.push_back({T("link-" + n)});
      roles.push_back({T("link-" + n), T("link:from"), T("node-" + n)});
      roles.push_back({T("link-" + n), T("link:to"), T("node-" + std::to_string((i + 1) % kNodes))});
    }
  }
  in.rows = {{"name", names}, {"node", nodes}, {"link", links}, {"link:roles", roles}};
  std::string path = Path("many.typedb");
  Status s = Write(in, path, 3);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<v3::Item> items = Parse3(path);
  ASSERT_EQ(items.size(), 2u + kNodes + kNodes + kNodes / 2);
  const v3::Item::Checksums& c = items.back().checksums();
  EXPECT_EQ(c.attribute_count(), kNodes);
  EXPECT_EQ(c.entity_count(), kNodes);
  EXPECT_EQ(c.relation_count(), kNodes / 2);
  EXPECT_EQ(c.role_count(), kNodes);
  EXPECT_EQ(c.ownership_count(), kNodes);
  EXPECT_EQ(ById(items, "name-777")->attribute().value().string().size(), size_t{3} << 20);
  EXPECT_EQ(ById(items, "name-59999")->attribute().value().string(), "node number 59999");
  const v3::Item* link = ById(items, "link-59998");
  ASSERT_EQ(link->relation().roles_size(), 2);
  EXPECT_EQ(link->relation().roles(1).players(0).id(), "node-59999");
}

// "-" writes the stream to standard output, and nothing else.
TEST_F(TypeDbSinkTest, WritesToStandardOutput) {
  std::string path = Path("stdout.typedb");
  fflush(stdout);
  int saved = dup(1);
  ASSERT_GE(saved, 0);
  FILE* f = fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  dup2(fileno(f), 1);
  Status s = Write(Graph("typedb-3", "3.1.0"), "-", 3);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  fclose(f);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<v3::Item> items = Parse3(path);
  ASSERT_FALSE(items.empty());
  EXPECT_TRUE(items.front().has_header());
  EXPECT_TRUE(items.back().has_checksums());
  EXPECT_EQ(items.back().checksums().entity_count(), 4);
}

TEST(TypeDbTraits, NamesWhatTheStreamHolds) {
  const EngineTraits& traits = *Traits();
  ASSERT_TRUE(traits.declare_column);
  Column text;
  text.name = "id";
  text.type.logical = LogicalType::kText;
  ColumnMapping m = traits.declare_column(text, traits.values, true);
  EXPECT_EQ(m.type_sql, "string");
  EXPECT_TRUE(m.risks.empty());
  Column json;
  json.name = "doc";
  json.type.logical = LogicalType::kJson;
  m = traits.declare_column(json, traits.values, false);
  ASSERT_EQ(m.risks.size(), 1u);
  EXPECT_EQ(m.risks[0].loss, Loss::kAllValues);
  Schema schema;
  View v;
  v.name = "people";
  schema.views.push_back(v);
  std::vector<std::string> lines = traits.not_created(schema, traits);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("view people"), std::string::npos);
}

// ---------------------------------------------------------------------------
// File -> file, through the reader (typedb_source.cc).

using Tables = std::map<std::string, std::vector<std::string>>;  // table -> sorted rows "a|b|c"

std::string Cell(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "NULL";
    case Value::Kind::kText:
    case Value::Kind::kBytes: return v.as_string();
    default: return v.DebugString();
  }
}

Status ReadTables(const std::string& path, Tables* tables) {
  DECANT_ASSIGN_OR_RETURN(auto source, OpenSource(path, EndpointOptions{}, FileSystem::Default()));
  DECANT_ASSIGN_OR_RETURN(Schema schema, source->ReadSchema());
  for (const Table& t : schema.tables) {
    std::vector<std::string>& rows = (*tables)[t.name];
    DECANT_ASSIGN_OR_RETURN(auto reader, source->OpenTable(t));
    RowBatch batch;
    for (;;) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::string line;
        for (size_t c = 0; c < batch.num_columns(); ++c) line += (c ? "|" : "") + Cell(batch.at(r, c));
        rows.push_back(line);
      }
    }
    std::sort(rows.begin(), rows.end());
  }
  return source->Finish();
}

// The export at `from` read and written to `to` as generation `version`.
Status Copy(const std::string& from, const std::string& to, int version) {
  DECANT_ASSIGN_OR_RETURN(auto source, OpenSource(from, EndpointOptions{}, FileSystem::Default()));
  DECANT_ASSIGN_OR_RETURN(Schema schema, source->ReadSchema());
  FileWriteOptions options;
  options.typedb.version = version;
  DECANT_ASSIGN_OR_RETURN(auto sink, OpenSink(to, options, FileSystem::Default()));
  DECANT_RETURN_IF_ERROR(sink->Begin(schema, SinkOptions{}));
  for (const Table& t : schema.tables) {
    DECANT_ASSIGN_OR_RETURN(auto reader, source->OpenTable(t));
    DECANT_ASSIGN_OR_RETURN(auto writer, sink->OpenTable(t));
    RowBatch batch;
    for (;;) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) break;
      DECANT_RETURN_IF_ERROR(writer->Write(batch));
    }
    DECANT_RETURN_IF_ERROR(writer->Close());
  }
  DECANT_RETURN_IF_ERROR(source->Finish());
  return sink->Commit();
}

void WriteStream(const std::string& path, const std::vector<v3::Item>& items) {
  std::string out;
  for (const v3::Item& item : items) {
    std::string bytes = item.SerializeAsString();
    uint64_t n = bytes.size();
    while (n >= 0x80) {
      out.push_back(static_cast<char>((n & 0x7f) | 0x80));
      n >>= 7;
    }
    out.push_back(static_cast<char>(n));
    out += bytes;
  }
  testing_util::WriteFile(path, out);
}

v3::Item Item(const std::string& kind, const std::string& id, const std::string& label,
              const std::vector<std::string>& owned = {}) {
  v3::Item item;
  google::protobuf::RepeatedPtrField<v3::Item::OwnedAttribute>* o = nullptr;
  if (kind == "entity") {
    item.mutable_entity()->set_id(id);
    item.mutable_entity()->set_label(label);
    o = item.mutable_entity()->mutable_attributes();
  } else if (kind == "relation") {
    item.mutable_relation()->set_id(id);
    item.mutable_relation()->set_label(label);
    o = item.mutable_relation()->mutable_attributes();
  } else {
    item.mutable_attribute()->set_id(id);
    item.mutable_attribute()->set_label(label);
    o = item.mutable_attribute()->mutable_attributes();
  }
  for (const std::string& a : owned) o->Add()->set_id(a);
  return item;
}

v3::Item WithValue(v3::Item item, const v3::MigrationValue& v) {
  *item.mutable_attribute()->mutable_value() = v;
  return item;
}

v3::Item Play(v3::Item item, const std::string& role, const std::vector<std::string>& players) {
  auto* r = item.mutable_relation()->add_roles();
  r->set_label(role);
  for (const std::string& p : players) r->add_players()->set_id(p);
  return item;
}

// A 2.x export, shuffled as parallel exporters write: every 2.x value type,
// repeated ownerships, a relation with two players in one role, a relation
// playing a role, checksums as TypeDB 2.x counts them.
std::vector<v3::Item> Stream2(bool attribute_owning) {
  v3::MigrationValue yes, pi;
  yes.set_boolean(true);
  pi.set_double_(3.141592653589793);
  v3::Item header;
  header.mutable_header()->set_typedb_version("2.17.0");
  header.mutable_header()->set_original_database("social");
  std::vector<v3::Item> items = {
      header,
      Item("entity", "p1", "person", {"n1", "k1", "k2", "g1"}),
      WithValue(Item("attribute", "k2", "nick"), Str("Annie")),
      Play(Play(Item("relation", "w1", "witness", {"s1"}), "witness:event", {"f1"}), "witness:who", {"p2"}),
      WithValue(Item("attribute", "n1", "name"), Str("Ann")),
      WithValue(Item("attribute", "g1", "age",
                     attribute_owning ? std::vector<std::string>{"s1"} : std::vector<std::string>{}),
                Int(42)),
      Play(Item("relation", "f1", "friendship"), "friendship:friend", {"p1", "p2"}),
      WithValue(Item("attribute", "k1", "nick"), Str("A")),
      Item("entity", "p2", "person", {"n2", "t1"}),
      WithValue(Item("attribute", "n2", "name"), Str("Bob")),
      WithValue(Item("attribute", "s1", "source"), Str("census")),
      WithValue(Item("attribute", "t1", "born"), Millis(-86400001)),
      WithValue(Item("attribute", "b1", "alive"), yes),
      WithValue(Item("attribute", "h1", "height"), pi),
  };
  v3::Item sums;
  auto* c = sums.mutable_checksums();
  c->set_entity_count(2);
  c->set_attribute_count(9);
  c->set_relation_count(2);
  c->set_role_count(4);
  c->set_ownership_count(attribute_owning ? 8 : 7);
  items.push_back(sums);
  return items;
}

TEST_F(TypeDbSinkTest, FileToFileSameGeneration) {
  std::string in = Path("in.typedb"), out = Path("out.typedb");
  WriteStream(in, Stream2(true));
  Status s = Copy(in, out, 0);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Tables a, b;
  ASSERT_TRUE(ReadTables(in, &a).ok());
  s = ReadTables(out, &b);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Equal tables, typedb:file included: same header, same checksums.
  EXPECT_EQ(a, b);
  auto check = Inspect(out, EndpointOptions{}, true, FileSystem::Default());
  EXPECT_TRUE(check.ok()) << check.status().ToString();
}

TEST_F(TypeDbSinkTest, FileToFileUpAndDown) {
  std::string in = Path("in.typedb"), up = Path("up.typedb"), down = Path("down.typedb");
  WriteStream(in, Stream2(false));
  Status s = Copy(in, up, 3);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<v3::Item> items = Parse3(up);
  EXPECT_EQ(items.front().header().typedb_version(), "3.x (converted by decant from 2.17.0)");
  const v3::MigrationValue& born = ById(items, "t1")->attribute().value();
  ASSERT_TRUE(born.has_datetime());
  EXPECT_EQ(born.datetime().seconds(), -86401);
  EXPECT_EQ(born.datetime().nanos(), 999000000u);
  auto check = Inspect(up, EndpointOptions{}, true, FileSystem::Default());
  EXPECT_TRUE(check.ok()) << check.status().ToString();
  Tables a, b, c;
  ASSERT_TRUE(ReadTables(in, &a).ok());
  ASSERT_TRUE(ReadTables(up, &b).ok());
  EXPECT_THAT(b["typedb:file"], ::testing::Contains("generation|typedb-3"));
  EXPECT_THAT(b["typedb:types"], ::testing::Contains("born|attribute|datetime"));
  for (const auto& [table, rows] : a) {
    if (table != "typedb:file" && table != "typedb:types" && table != "born") {
      EXPECT_EQ(rows, b[table]) << table;
    }
  }
  // And back down: the same tables as the 2.x file, but for the header.
  s = Copy(up, down, 2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Parse2(down).front().header().version(), "2.x (converted by decant from 2.17.0)");
  ASSERT_TRUE(ReadTables(down, &c).ok());
  for (const auto& [table, rows] : a) {
    if (table != "typedb:file") {
      EXPECT_EQ(rows, c[table]) << table;
    }
  }
}

// The real export files (DECANT_TYPEDB_SAMPLES names their directory).
TEST_F(TypeDbSinkTest, RealSamplesRoundTrip) {
  const char* dir = std::getenv("DECANT_TYPEDB_SAMPLES");
  if (!dir || !*dir) GTEST_SKIP() << "DECANT_TYPEDB_SAMPLES is not set: the real export files are not read";
  for (const char* name : {"iam-2.17.typedb", "simulation-1.7.3.grakn"}) {
    std::string in = std::string(dir) + "/" + name, out = Path(std::string("same-") + name);
    Status s = Copy(in, out, 0);
    ASSERT_TRUE(s.ok()) << name << ": " << s.ToString();
    Tables a, b;
    ASSERT_TRUE(ReadTables(in, &a).ok());
    ASSERT_TRUE(ReadTables(out, &b).ok());
    EXPECT_EQ(a, b) << name;
    auto check = Inspect(out, EndpointOptions{}, true, FileSystem::Default());
    EXPECT_TRUE(check.ok()) << name << ": " << check.status().ToString();
  }
  // TypeDB 2.17 to 3.x: scoped roles, no attribute owning one.
  std::string up = Path("iam-3.typedb");
  Status s = Copy(std::string(dir) + "/iam-2.17.typedb", up, 3);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto check = Inspect(up, EndpointOptions{}, true, FileSystem::Default());
  EXPECT_TRUE(check.ok()) << check.status().ToString();
  // Grakn 1.8 to 3.x: unscoped role labels.
  s = Copy(std::string(dir) + "/simulation-1.7.3.grakn", Path("sim-3.typedb"), 3);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("TypeDB 3.x needs scoped role labels"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(Path("sim-3.typedb")));
}

}  // namespace
}  // namespace decant::typedb
