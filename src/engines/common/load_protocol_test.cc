// LoadProtocol against a scripted LoadTarget: which primitives run in which
// mode, and the messages (tests/sink_conformance_test.cc runs real engines).
#include "engines/common/load_protocol.h"

#include <gtest/gtest.h>

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

  Listing listing = Listing::kByKind;
  std::vector<TargetObject> objects;
  std::vector<RowCount> rows;
  std::string calls;
};

Schema TwoTables() {
  Schema s;
  s.tables.resize(2);
  s.tables[0].name = "a";
  s.tables[1].name = "b";
  return s;
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
  EXPECT_EQ(st.message(), "--data-only: table b in fake://db already holds 3 rows; use --append to add to them");
  EXPECT_EQ(t.calls, "count0;count1;");

  t.calls.clear();
  ASSERT_TRUE(p.Begin(t, TwoTables(), {LoadMode::kAppend, true}).ok());
  EXPECT_EQ(t.calls, "count0;count1;");

  t.rows = {{1, false}};
  st = p.Begin(t, TwoTables(), {LoadMode::kRefuseNonEmpty, true});
  EXPECT_EQ(st.message(), "--data-only: table a in fake://db already holds rows; use --append to add to them");
  t.rows = {{0, true}};
  st = p.Begin(t, TwoTables(), {LoadMode::kRefuseNonEmpty, true});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "--data-only: table b is not in fake://db");
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

}  // namespace
}  // namespace decant
