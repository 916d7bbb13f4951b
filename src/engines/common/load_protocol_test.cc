// LoadProtocol against a scripted LoadTarget: which primitives run in which
// mode, and the messages (tests/sink_conformance_test.cc runs real engines).
#include "engines/common/load_protocol.h"

#include <gtest/gtest.h>

#include <utility>

namespace decant {
namespace {

class FakeTarget : public LoadTarget {
 public:
  std::string Describe() const override { return "fake://db"; }
  Listing ObjectListing() const override { return listing; }
  Result<std::vector<TargetObject>> ListObjects() override {
    calls += "list;";
    return objects;
  }
  Status StartWriting() override {
    calls += "start;";
    return Status::OK();
  }
  Status DropOurs(const std::vector<TargetObject>& present) override {
    calls += "drop" + std::to_string(present.size()) + ";";
    return Status::OK();
  }
  Status CreateBeforeTables() override {
    calls += "before;";
    return Status::OK();
  }
  Result<bool> HasTable(size_t index) override {
    calls += "has" + std::to_string(index) + ";";
    return index == 0;
  }
  Status CreateTables(const std::vector<size_t>& indexes) override {
    calls += "create";
    for (size_t i : indexes) calls += " " + std::to_string(i);
    calls += ";";
    return Status::OK();
  }
  Result<RowCount> CountRows(size_t index) override {
    calls += "count" + std::to_string(index) + ";";
    if (index >= rows.size()) return Status::Internal("no such table");
    return rows[index];
  }
  Status EmptyTables(const std::vector<size_t>& indexes) override {
    calls += "empty";
    for (size_t i : indexes) calls += " " + std::to_string(i);
    calls += ";";
    return empty_status;
  }

  Listing listing = Listing::kByKind;
  std::vector<TargetObject> objects;
  std::vector<RowCount> rows;
  Status empty_status;
  std::string calls;
};

Schema TwoTables() {
  Schema s;
  s.tables.resize(2);
  s.tables[0].name = "a";
  s.tables[1].name = "b";
  return s;
}

// Parents first, as the pipeline orders a data-only schema: a <- b <- c, and d.
Schema FourTables() {
  Schema s;
  for (const char* name : {"a", "b", "c", "d"}) {
    s.tables.emplace_back();
    s.tables.back().schema = "app";
    s.tables.back().name = name;
  }
  return s;
}

SinkOptions DataOnly(LoadMode mode, std::vector<std::string> merged = {}) {
  SinkOptions o;
  o.mode = mode;
  o.data_only = true;
  o.merged_tables = std::move(merged);
  return o;
}

TEST(LoadProtocol, EmptyTargetCreatesEveryTable) {
  FakeTarget t;
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), {}).ok());
  EXPECT_EQ(t.calls, "list;start;before;create 0 1;");
}

TEST(LoadProtocol, RefusesBeforeWritingAnything) {
  FakeTarget t;
  t.objects = {{"table", "a"}, {"view", "v"}, {"table", "b"}};
  LoadProtocol p;
  Status st = p.Begin(t, TwoTables(), {});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "target fake://db is not empty: 2 tables (a, b), 1 view (v); use --clean to replace them or --append to "
            "add rows");
  EXPECT_EQ(t.calls, "list;");
}

TEST(LoadProtocol, CleanDropsThenCreatesAll) {
  FakeTarget t;
  t.objects = {{"table", "a"}};
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), {LoadMode::kClean}).ok());
  EXPECT_EQ(t.calls, "list;start;drop1;before;create 0 1;");
  EXPECT_FALSE(p.Kept("a"));
}

TEST(LoadProtocol, AppendCreatesOnlyMissingTables) {
  FakeTarget t;
  t.objects = {{"table", "A"}, {"trigger", "trg"}};
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), {LoadMode::kAppend}).ok());
  EXPECT_EQ(t.calls, "list;start;before;has0;has1;create 1;");
  EXPECT_TRUE(p.Kept("a"));
  EXPECT_TRUE(p.Kept("a", {"table", "view"}));
  EXPECT_FALSE(p.Kept("trg", {"table", "view"}));
  EXPECT_TRUE(p.Kept("TRG"));
}

TEST(LoadProtocol, DataOnlyChecksTablesAndCreatesNothing) {
  FakeTarget t;
  t.rows = {{0, true}, {3, true}};
  LoadProtocol p;
  Status st = p.Begin(t, TwoTables(), {LoadMode::kRefuseNonEmpty, true});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "--data-only: table b in fake://db already holds 3 rows; use --append to add to them or --clean to empty "
            "them first");
  EXPECT_EQ(t.calls, "count0;count1;");

  t.calls.clear();
  ASSERT_TRUE(p.Begin(t, TwoTables(), {LoadMode::kAppend, true}).ok());
  EXPECT_EQ(t.calls, "count0;count1;");

  t.rows = {{1, false}};
  st = p.Begin(t, TwoTables(), {LoadMode::kRefuseNonEmpty, true});
  EXPECT_EQ(st.message(),
            "--data-only: table a in fake://db already holds rows; use --append to add to them or --clean to "
            "empty them first");
  t.rows = {{0, true}};
  st = p.Begin(t, TwoTables(), {LoadMode::kRefuseNonEmpty, true});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "--data-only: table b is not in fake://db");
}

TEST(LoadProtocol, DataOnlyCleanEmptiesTablesHoldingRowsChildrenFirst) {
  FakeTarget t;
  t.rows = {{2, true}, {0, true}, {1, false}, {5, true}};
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, FourTables(), DataOnly(LoadMode::kClean)).ok());
  EXPECT_EQ(t.calls, "count0;count1;count2;count3;empty 3 2 0;");

  // Nothing to empty: no call.
  t.calls.clear();
  t.rows = {{0, true}, {0, true}, {0, true}, {0, true}};
  ASSERT_TRUE(p.Begin(t, FourTables(), DataOnly(LoadMode::kClean)).ok());
  EXPECT_EQ(t.calls, "count0;count1;count2;count3;");

  // A missing table is named before anything is emptied.
  t.calls.clear();
  t.rows = {{2, true}, {3, true}};
  Status st = p.Begin(t, FourTables(), DataOnly(LoadMode::kClean));
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "--data-only: table c is not in fake://db");
  EXPECT_EQ(t.calls, "count0;count1;count2;");

  // The target's refusal is Begin's error.
  t.calls.clear();
  t.rows = {{2, true}, {0, true}, {0, true}, {0, true}};
  t.empty_status = Status::FailedPrecondition("--clean: table app.x refers to rows of app.a");
  st = p.Begin(t, FourTables(), DataOnly(LoadMode::kClean));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "--clean: table app.x refers to rows of app.a");
}

TEST(LoadProtocol, MergedTablesMayHoldRowsAndAreNeverEmptied) {
  FakeTarget t;
  t.rows = {{2, true}, {0, true}, {0, true}, {7, true}};
  LoadProtocol p;
  // Named by QualifiedName(schema, name).
  ASSERT_TRUE(p.Begin(t, FourTables(), DataOnly(LoadMode::kRefuseNonEmpty, {"app.a", "app.d"})).ok());
  EXPECT_EQ(t.calls, "count0;count1;count2;count3;");

  Status st = p.Begin(t, FourTables(), DataOnly(LoadMode::kRefuseNonEmpty, {"a", "app.d"}));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "--data-only: table a in fake://db already holds 2 rows; use --append to add to them or --clean to "
            "empty them first");

  t.calls.clear();
  t.rows = {{2, true}, {4, true}, {0, true}, {7, true}};
  ASSERT_TRUE(p.Begin(t, FourTables(), DataOnly(LoadMode::kClean, {"app.a"})).ok());
  EXPECT_EQ(t.calls, "count0;count1;count2;count3;empty 3 1;");

  t.calls.clear();
  ASSERT_TRUE(p.Begin(t, FourTables(), DataOnly(LoadMode::kAppend, {"app.a"})).ok());
  EXPECT_EQ(t.calls, "count0;count1;count2;count3;");
}

TEST(LoadProtocol, ListingStyles) {
  std::vector<TargetObject> objs;
  for (int i = 1; i <= 7; ++i) objs.push_back({"table", "t" + std::to_string(i)});
  objs.push_back({"index", "i"});
  objs.push_back({"routine", "r"});
  objs.push_back({"trigger", "g"});
  objs.push_back({"sequence", "s"});
  EXPECT_EQ(DescribeTargetObjects(objs, LoadTarget::Listing::kByKind),
            "7 tables (t1, t2, t3, t4, t5, …and 2 more), 1 index (i), 1 routine (r), 1 trigger (g), 1 sequence (s)");
  EXPECT_EQ(DescribeTargetObjects(objs, LoadTarget::Listing::kEach),
            "table t1, table t2, table t3, table t4, table t5 and 6 more");
}

Column Col(const char* name) {
  Column c;
  c.name = name;
  return c;
}

KeyConstraint Key(std::vector<std::string> columns) {
  KeyConstraint k;
  k.columns = std::move(columns);
  return k;
}

// An index of table t on `column` (or, when `expression` is set, on that).
Index IndexOn(const char* column, bool unique, const char* expression = nullptr, const char* where = nullptr) {
  Index x;
  x.table = "t";
  x.unique = unique;
  x.keys.emplace_back();
  if (expression) {
    x.keys.back().expression = expression;
  } else {
    x.keys.back().column = column;
  }
  if (where) x.where = where;
  return x;
}

// UpsertKey: the primary key, else the first unique constraint, else the
// first unique index of plain columns without WHERE; only of loaded columns.
TEST(LoadProtocol, U16UpsertKeyPrefersThePrimaryKey) {
  Schema s;
  s.tables.resize(1);
  Table& t = s.tables[0];
  t.name = "t";
  for (const char* c : {"id", "code", "g", "v"}) t.columns.push_back(Col(c));
  t.columns[2].generated_expr = "v * 2";
  EXPECT_FALSE(UpsertKey(s, t));
  s.indexes = {IndexOn("v", true, nullptr, "v > 0"), IndexOn("", true, "lower(code)"), IndexOn("v", false)};
  EXPECT_FALSE(UpsertKey(s, t));
  s.indexes.push_back(IndexOn("v", true));
  EXPECT_EQ(UpsertKey(s, t), std::vector<std::string>{"v"});
  t.uniques.push_back(Key({"g"}));  // generated: not loaded
  EXPECT_EQ(UpsertKey(s, t), std::vector<std::string>{"v"});
  t.uniques.push_back(Key({"code", "v"}));
  EXPECT_EQ(UpsertKey(s, t), (std::vector<std::string>{"code", "v"}));
  t.primary_key = Key({"id"});
  EXPECT_EQ(UpsertKey(s, t), std::vector<std::string>{"id"});
}

// --upsert: a table without a key is refused before any primitive runs;
// otherwise the protocol is --append's.
TEST(LoadProtocol, U16UpsertRefusesATableWithoutKeyFirst) {
  FakeTarget t;
  Schema s = TwoTables();
  s.tables[0].columns.push_back(Col("id"));
  s.tables[0].primary_key = Key({"id"});
  SinkOptions o;
  o.mode = LoadMode::kAppend;
  o.upsert = true;
  LoadProtocol p;
  Status st = p.Begin(t, s, o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "--upsert: table b has no primary or unique key to match rows by; leave it out with --exclude-table or "
            "load it without --upsert");
  EXPECT_EQ(t.calls, "");
  s.tables[1].columns.push_back(Col("k"));
  s.tables[1].uniques.push_back(Key({"k"}));
  t.objects = {{"table", "a"}};
  ASSERT_TRUE(p.Begin(t, s, o).ok());
  EXPECT_EQ(t.calls, "list;start;before;has0;has1;create 1;");
  t.calls.clear();
  o.mode = LoadMode::kClean;
  EXPECT_EQ(p.Begin(t, s, o).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.calls, "");
}

}  // namespace
}  // namespace decant
