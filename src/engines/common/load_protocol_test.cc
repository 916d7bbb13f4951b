// LoadProtocol against a scripted LoadTarget: which primitives run in which
// mode, and the messages (tests/sink_conformance_test.cc runs real engines).
#include "engines/common/load_protocol.h"

#include <gtest/gtest.h>

#include <utility>

#include "engines/common/load_journal.h"

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

// ---- the load journal (resume) ----------------------------------------------

class JournalTarget : public FakeTarget {
 public:
  Result<std::optional<LoadJournal>> ReadJournal() override {
    calls += "journal;";
    return journal;
  }
  Status DropJournal() override {
    calls += "dropjournal;";
    return Status::OK();
  }
  Result<bool> HasTable(size_t index) override {
    calls += "has" + std::to_string(index) + ";";
    return every_table || index == 0;
  }
  std::optional<LoadJournal> journal;
  bool every_table = true;  // false: only table 0 is there
};

LoadJournal TwoUnitsOneDone() {
  LoadJournal j;
  j.source = "sqlite:src.db";
  j.units.push_back({0, "main.a", "a", TableSlice{}, uint64_t{10}});
  j.units.push_back({1, "main.b", "b", TableSlice{}, std::nullopt});
  return j;
}

TEST(LoadProtocol, InterruptedLoadIsNamedWithResumeAndClean) {
  JournalTarget t;
  t.journal = TwoUnitsOneDone();
  t.objects = {{"table", "a"}, {"table", "b"}, {"table", "public.decant_load_journal"}};
  LoadProtocol p;
  Status st = p.Begin(t, TwoTables(), {});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "target fake://db holds an interrupted decant load of sqlite:src.db: 1 of 2 units committed (main.a "
            "complete); continue it with --resume, or start over with --clean");
  EXPECT_EQ(t.calls, "journal;list;");
  // --append does not add to an interrupted load either.
  SinkOptions append;
  append.mode = LoadMode::kAppend;
  EXPECT_EQ(p.Begin(t, TwoTables(), append).code(), StatusCode::kFailedPrecondition);
}

TEST(LoadProtocol, ResumeCreatesNothingAndKeepsWhatIsThere) {
  JournalTarget t;
  t.journal = TwoUnitsOneDone();
  t.objects = {{"table", "a"}, {"table", "b"}, {"table", "decant_load_journal"}};
  SinkOptions o;
  o.resume = true;
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), o).ok());
  EXPECT_EQ(t.calls, "journal;list;has0;has1;start;");
  ASSERT_TRUE(p.resumed().has_value());
  EXPECT_EQ(p.resumed()->Done(), 1u);
  EXPECT_TRUE(p.Kept("b", {"table"}));  // post-data objects of the interrupted load are kept
  EXPECT_FALSE(p.Kept("decant_load_journal"));
}

TEST(LoadProtocol, ResumeRefusesWhenATableIsGone) {
  JournalTarget t;
  t.every_table = false;
  t.journal = TwoUnitsOneDone();
  SinkOptions o;
  o.resume = true;
  LoadProtocol p;
  Status st = p.Begin(t, TwoTables(), o);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "--resume: table b of the interrupted load is not in fake://db any more; start over with --clean");
  EXPECT_FALSE(p.resumed().has_value());
}

TEST(LoadProtocol, ResumeCreatesTheTablesAnEngineWithoutTransactionalDdlLacks) {
  class NoTransactionalDdl : public JournalTarget {
   public:
    bool CreatesMissingOnResume() const override { return true; }
  } t;
  t.every_table = false;
  t.journal = TwoUnitsOneDone();
  SinkOptions o;
  o.resume = true;
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), o).ok());
  EXPECT_EQ(t.calls, "journal;list;has0;has1;start;create 1;");
  EXPECT_TRUE(p.resumed().has_value());
}

TEST(LoadProtocol, ResumeWithoutJournalLoadsOrRefusesAsUsual) {
  JournalTarget t;
  SinkOptions o;
  o.resume = true;
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), o).ok());
  EXPECT_EQ(t.calls, "journal;list;start;before;create 0 1;");
  EXPECT_FALSE(p.resumed().has_value());
  t.objects = {{"table", "x"}};
  Status st = p.Begin(t, TwoTables(), o);
  EXPECT_EQ(st.message(),
            "target fake://db is not empty: 1 table (x); it holds no interrupted decant load to resume; use --clean "
            "to replace them or --append to add rows");
}

TEST(LoadProtocol, CleanDropsTheJournalToo) {
  JournalTarget t;
  t.journal = TwoUnitsOneDone();
  t.objects = {{"table", "a"}, {"table", "decant_load_journal"}};
  SinkOptions o;
  o.mode = LoadMode::kClean;
  LoadProtocol p;
  ASSERT_TRUE(p.Begin(t, TwoTables(), o).ok());
  EXPECT_EQ(t.calls, "journal;list;start;dropjournal;drop1;before;create 0 1;");
}

TEST(LoadJournal, StatementsAndParsingRoundTrip) {
  JournalSql sql("j", [](std::string_view s) { return "'" + std::string(s) + "'"; });
  EXPECT_EQ(sql.MarkDone(3, 42), "UPDATE j SET done_rows = 42 WHERE unit_id = 3");
  LoadJournal j = TwoUnitsOneDone();
  j.source_identity = "archive x";
  auto inserts = sql.Insert(j);
  ASSERT_EQ(inserts.size(), 1u);
  EXPECT_EQ(inserts[0],
            "INSERT INTO j (unit_id, table_name, target_table, slice_index, slice_count, bounds, label, done_rows) "
            "VALUES (-1, NULL, NULL, 1, 0, 'archive x', 'sqlite:src.db', NULL), (0, 'main.a', 'a', 0, 1, '', '', "
            "NULL), (1, 'main.b', 'b', 0, 1, '', '', NULL)");
  // Many units: several statements.
  j.units.resize(450, j.units[1]);
  EXPECT_EQ(sql.Insert(j).size(), 3u);
  // Rows as the engines return them.
  std::vector<std::vector<std::optional<std::string>>> rows = {
      {"-1", std::nullopt, std::nullopt, "1", "0", "archive x", "sqlite:src.db", std::nullopt},
      {"0", "main.a", "a", "0", "2", "chunks:0:3", "chunks 0-2", "10"},
      {"1", "main.a", "a", "1", "2", "chunks:3:", "chunks 3-", std::nullopt}};
  auto parsed = ParseJournal(rows);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->source, "sqlite:src.db");
  EXPECT_EQ(parsed->source_identity, "archive x");
  ASSERT_EQ(parsed->units.size(), 2u);
  EXPECT_EQ(parsed->units[0].rows, std::optional<uint64_t>(10));
  EXPECT_EQ(parsed->units[1].slice.index, 1u);
  EXPECT_EQ(parsed->units[1].slice.bounds, "chunks:3:");
  EXPECT_FALSE(parsed->units[1].rows.has_value());
  // A journal of a later version, a unit out of order, garbage.
  rows[0][3] = "2";
  EXPECT_EQ(ParseJournal(rows).status().code(), StatusCode::kFailedPrecondition);
  rows[0][3] = "1";
  rows[2][0] = "5";
  EXPECT_EQ(ParseJournal(rows).status().code(), StatusCode::kDataLoss);
  rows[2][0] = "1";
  rows[2][7] = "ten";
  EXPECT_EQ(ParseJournal(rows).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace decant
