// PostgresSource against real servers: tables split into ctid page ranges
// (SplitTable / OpenSlice) and snapshots shared between sources
// (SnapshotId / EndpointOptions::snapshot). Every database is named pgs_*.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engines/postgresql/postgresql_endpoint.h"
#include "pipeline/endpoints.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::TempDir;

// Runs SQL through libpq, returning the first column of every row; fails the
// test on error.
std::vector<std::string> Sql(const std::string& uri, const std::string& sql) {
  std::vector<std::string> out;
  PGconn* c = PQconnectdb(uri.c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) << PQresultErrorMessage(r) << sql.substr(0, 200);
  for (int i = 0; st == PGRES_TUPLES_OK && i < PQntuples(r); ++i) out.push_back(PQgetvalue(r, i, 0));
  PQclear(r);
  PQfinish(c);
  return out;
}

// A database on one of the test servers for the length of a test.
class Db {
 public:
  Db(std::string server, const std::string& tag)
      : server_(std::move(server)),
        name_("pgs_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++)) {
    Sql(server_, "DROP DATABASE IF EXISTS \"" + name_ + "\"");
    Sql(server_, "CREATE DATABASE \"" + name_ + "\"");
  }
  ~Db() { Sql(server_, "DROP DATABASE IF EXISTS \"" + name_ + "\""); }
  std::string uri() const { return server_.substr(0, server_.rfind('/') + 1) + name_; }
  const std::string& name() const { return name_; }
  std::vector<std::string> Run(const std::string& sql) const { return Sql(uri(), sql); }

 private:
  static inline std::atomic<int> counter{0};
  std::string server_, name_;
};

// DECANT_PG_MIN_SLICE_BYTES for the life of the object (read by OpenSource).
class MinSlice {
 public:
  explicit MinSlice(uint64_t bytes) { setenv("DECANT_PG_MIN_SLICE_BYTES", std::to_string(bytes).c_str(), 1); }
  ~MinSlice() { unsetenv("DECANT_PG_MIN_SLICE_BYTES"); }
};

std::unique_ptr<Source> Open(const std::string& uri, size_t jobs, const std::string& snapshot = "") {
  EndpointOptions options;
  options.jobs = jobs;
  options.snapshot = snapshot;
  auto source = OpenSource(uri, options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(*source) : nullptr;
}

const Table* Find(const Schema& schema, const std::string& name) {
  for (const Table& t : schema.tables) {
    if (t.name == name) return &t;
  }
  ADD_FAILURE() << "no table " << name;
  return nullptr;
}

// Every row a reader returns, each as its values' debug forms, sorted.
std::vector<std::string> Drain(Result<std::unique_ptr<TableReader>> reader) {
  std::vector<std::string> rows;
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return rows;
  RowBatch batch;
  for (;;) {
    auto more = (*reader)->Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::string row;
      for (size_t c = 0; c < batch.num_columns(); ++c) row += (c ? "|" : "") + batch.at(r, c).DebugString();
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The rows of every slice, together, sorted (each slice on its own connection).
std::vector<std::string> DrainSlices(Source& source, const Table& table, const std::vector<TableSlice>& slices) {
  std::vector<std::string> all;
  for (const TableSlice& s : slices) {
    std::vector<std::string> rows = Drain(source.OpenSlice(table, s));
    all.insert(all.end(), rows.begin(), rows.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<TableSlice> Split(Source& source, const Table& table, size_t max_slices) {
  auto slices = source.SplitTable(table, source.EstimateSize(table), max_slices);
  EXPECT_TRUE(slices.ok()) << slices.status().ToString();
  return slices.ok() ? *slices : std::vector<TableSlice>{};
}

// The slices are contiguous page ranges from page 0, the last open-ended.
void ExpectContiguous(const std::vector<TableSlice>& slices) {
  ASSERT_GT(slices.size(), 1u);
  std::string next = "0:";
  for (size_t i = 0; i < slices.size(); ++i) {
    const TableSlice& s = slices[i];
    EXPECT_EQ(s.index, i);
    EXPECT_EQ(s.count, slices.size());
    EXPECT_TRUE(s.bounds.starts_with(next)) << s.bounds << " after " << next;
    std::string end = s.bounds.substr(s.bounds.find(':') + 1);
    if (i + 1 == slices.size()) {
      EXPECT_EQ(end, "") << "the last slice must be open-ended";
    } else {
      ASSERT_FALSE(end.empty()) << s.bounds;
      next = end + ":";
    }
    EXPECT_THAT(s.label, HasSubstr("pages "));
  }
}

class PgSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg15_ = testing_util::Env("DECANT_TEST_PG15_URI");
    old_ = testing_util::Env("DECANT_TEST_PG_OLD_URI");
    new_ = testing_util::Env("DECANT_TEST_PG_NEW_URI");
    if (pg15_.empty() || old_.empty() || new_.empty()) {
      GTEST_SKIP()
          << "PostgreSQL test servers not running (bash scripts/servers/postgresql.sh start; source its env file)";
    }
  }
  std::string pg15_, old_, new_;
  TempDir tmp_;
};

constexpr const char* kSliceTables = R"sql(
CREATE TABLE holes (id int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO holes SELECT i, repeat('h', 200) FROM generate_series(1, 20000) i;
-- whole pages emptied, then dead rows left on their pages
DELETE FROM holes WHERE id BETWEEN 3000 AND 9000;
VACUUM holes;
DELETE FROM holes WHERE id % 7 = 0;
CREATE TABLE toasted (id int, doc text);
ALTER TABLE toasted ALTER COLUMN doc SET STORAGE EXTERNAL;
INSERT INTO toasted SELECT i, repeat(md5(i::text), 80) || E'\n\t\\' FROM generate_series(1, 5000) i;
CREATE TABLE empty (id int);
CREATE TABLE emptied (id int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO emptied SELECT i, repeat('e', 300) FROM generate_series(1, 3000) i;
DELETE FROM emptied;
CREATE TABLE parent (id int, pad text);
CREATE TABLE child (extra int) INHERITS (parent);
INSERT INTO parent SELECT i, repeat('p', 200) FROM generate_series(1, 5000) i;
INSERT INTO child SELECT -i, 'child', i FROM generate_series(1, 5000) i;
CREATE TABLE parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE parted_all PARTITION OF parted FOR VALUES FROM (MINVALUE) TO (MAXVALUE);
INSERT INTO parted SELECT i, repeat('q', 200) FROM generate_series(1, 5000) i;
CREATE VIEW holes_view AS SELECT * FROM holes;
)sql";

// ---- slices -------------------------------------------------------------------

TEST_F(PgSourceTest, SlicesCoverEveryRowExactlyOnce) {
  for (const std::string& server : {pg15_, new_}) {
    Db db(server, "cover");
    // One statement at a time: VACUUM cannot run in the implicit transaction
    // of several.
    std::string script = kSliceTables;
    for (size_t at = 0, end; (end = script.find(";\n", at)) != std::string::npos; at = end + 2) {
      db.Run(script.substr(at, end - at));
    }
    MinSlice knob(uint64_t{4} * 8192);
    auto source = Open(db.uri(), 4);
    ASSERT_TRUE(source);
    auto schema = source->ReadSchema();
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    for (std::string name : {"holes", "toasted", "empty", "emptied", "parent", "parted", "parted_all"}) {
      SCOPED_TRACE(server + " " + name);
      const Table* table = Find(*schema, name);
      ASSERT_TRUE(table);
      std::vector<TableSlice> slices = Split(*source, *table, 4);
      bool split =
          name == "holes" || name == "toasted" || name == "emptied" || name == "parent" || name == "parted_all";
      if (split) {
        EXPECT_EQ(slices.size(), 4u);
        ExpectContiguous(slices);
      } else {
        ASSERT_EQ(slices.size(), 1u);  // no pages, or a partitioned parent
        EXPECT_TRUE(slices[0].whole());
      }
      std::vector<std::string> whole = Drain(source->OpenTable(*table));
      EXPECT_EQ(DrainSlices(*source, *table, slices), whole);
      EXPECT_EQ(whole.size(), std::stoull(db.Run("SELECT count(*) FROM ONLY \"" + name + "\"")[0]));
    }
    const Table* holes = Find(*schema, "holes");
    ASSERT_TRUE(holes);
    // A view is not a table: read whole, whatever it is given as.
    Table view = *holes;
    view.name = "holes_view";
    EXPECT_EQ(Split(*source, view, 4).size(), 1u);
    // Estimates are shared out by pages.
    std::vector<TableSlice> slices = Split(*source, *holes, 4);
    uint64_t bytes = 0;
    for (const TableSlice& s : slices) bytes += s.estimate.bytes.value_or(0);
    EXPECT_GT(bytes, 0u);
    EXPECT_LE(bytes, source->EstimateSize(*holes).bytes.value_or(0));
  }
}

TEST_F(PgSourceTest, SliceCountFollowsSizeAndJobs) {
  Db db(pg15_, "count");
  db.Run("CREATE TABLE t (id int, pad text); INSERT INTO t SELECT i, repeat('x', 500) FROM generate_series(1, 3000) i");
  uint64_t size = std::stoull(db.Run("SELECT pg_relation_size('t')")[0]);
  {
    // A third of the table: exactly 3 slices, whatever the jobs above that.
    MinSlice knob(size / 3);
    auto source = Open(db.uri(), 8);
    ASSERT_TRUE(source);
    auto schema = source->ReadSchema();
    ASSERT_TRUE(schema.ok());
    std::vector<TableSlice> slices = Split(*source, schema->tables[0], 8);
    EXPECT_EQ(slices.size(), 3u);
    ExpectContiguous(slices);
    EXPECT_EQ(Split(*source, schema->tables[0], 2).size(), 2u);  // at most max_slices
    EXPECT_EQ(Split(*source, schema->tables[0], 1).size(), 1u);
    EXPECT_EQ(DrainSlices(*source, schema->tables[0], slices), Drain(source->OpenTable(schema->tables[0])));
  }
  {
    // Below two minimum slices: whole.
    MinSlice knob(size / 2 + 8192);
    auto source = Open(db.uri(), 8);
    ASSERT_TRUE(source);
    auto schema = source->ReadSchema();
    ASSERT_TRUE(schema.ok());
    EXPECT_EQ(Split(*source, schema->tables[0], 8).size(), 1u);
  }
  {
    // The default minimum (64 MiB) leaves a table of a few hundred KiB whole.
    auto source = Open(db.uri(), 8);
    ASSERT_TRUE(source);
    auto schema = source->ReadSchema();
    ASSERT_TRUE(schema.ok());
    EXPECT_EQ(Split(*source, schema->tables[0], 8).size(), 1u);
  }
}

TEST_F(PgSourceTest, SlicesAreTidRangeScans) {
  for (const std::string& server : {pg15_, new_}) {
    SCOPED_TRACE(server);
    Db db(server, "tidscan");
    db.Run("CREATE TABLE t (id int, \"Odd name\" text); INSERT INTO t SELECT i, 'v' FROM generate_series(1, 20000) i");
    MinSlice knob(8192);
    auto source = Open(db.uri(), 2);
    ASSERT_TRUE(source);
    auto schema = source->ReadSchema();
    ASSERT_TRUE(schema.ok());
    std::vector<TableSlice> slices = Split(*source, schema->tables[0], 2);
    ASSERT_EQ(slices.size(), 2u);
    for (const TableSlice& s : slices) {
      EXPECT_FALSE(Drain(source->OpenSlice(schema->tables[0], s)).empty());
      // The statement the reader ran, as the server recorded it; its query
      // part must plan as a TID Range Scan.
      std::vector<std::string> copy = Sql(server, "SELECT query FROM pg_stat_activity WHERE datname = '" + db.name() +
                                                      "' AND query LIKE 'COPY (SELECT %' AND pid <> pg_backend_pid()");
      ASSERT_FALSE(copy.empty());
      for (const std::string& statement : copy) {
        std::string query = statement.substr(6, statement.rfind(") TO STDOUT") - 6);
        std::string plan;
        for (const std::string& line : db.Run("EXPLAIN " + query)) plan += line + "\n";
        EXPECT_THAT(plan, HasSubstr("Tid Range Scan")) << query;
        EXPECT_THAT(plan, Not(HasSubstr("Seq Scan"))) << query;
      }
    }
  }
}

TEST_F(PgSourceTest, OldServersReadTablesWhole) {
  Db db(old_, "old");
  db.Run("CREATE TABLE t (id int, pad text); INSERT INTO t SELECT i, repeat('x', 500) FROM generate_series(1, 3000) i");
  MinSlice knob(8192);
  auto source = Open(db.uri(), 4);
  ASSERT_TRUE(source);
  auto schema = source->ReadSchema();
  ASSERT_TRUE(schema.ok());
  std::vector<TableSlice> slices = Split(*source, schema->tables[0], 4);
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_TRUE(slices[0].whole());
  EXPECT_EQ(Drain(source->OpenSlice(schema->tables[0], slices[0])).size(), 3000u);
}

TEST_F(PgSourceTest, BadBoundsAreRefused) {
  Db db(pg15_, "bounds");
  db.Run("CREATE TABLE t (id int)");
  auto source = Open(db.uri(), 2);
  ASSERT_TRUE(source);
  auto schema = source->ReadSchema();
  ASSERT_TRUE(schema.ok());
  for (std::string bounds : {"", "x", "5:3", "1:1", "-1:", "1:2:3", "4294967296:"}) {
    TableSlice s;
    s.index = 0;
    s.count = 2;
    s.bounds = bounds;
    auto reader = source->OpenSlice(schema->tables[0], s);
    ASSERT_FALSE(reader.ok()) << bounds;
    EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(reader.status().message(), HasSubstr("not a page range"));
  }
}

// Slices are a function of their bounds: a slice made by one source reads, on
// another, the rows of that other's snapshot, and the open-ended last slice
// takes in the pages added since the split.
TEST_F(PgSourceTest, LastSliceReadsPagesAddedAfterTheSplit) {
  for (const std::string& server : {pg15_, new_}) {
    SCOPED_TRACE(server);
    Db db(server, "grow");
    db.Run(
        "CREATE TABLE t (id int, pad text); INSERT INTO t SELECT i, repeat('g', 200) FROM generate_series(1, 4000) i");
    MinSlice knob(8192);
    auto first = Open(db.uri(), 3);
    ASSERT_TRUE(first);
    auto schema = first->ReadSchema();
    ASSERT_TRUE(schema.ok());
    const Table& t = schema->tables[0];
    std::vector<TableSlice> slices = Split(*first, t, 3);
    ASSERT_EQ(slices.size(), 3u);
    // Committed before the second source's snapshot, in pages past the split.
    db.Run("INSERT INTO t SELECT i, repeat('g', 200) FROM generate_series(4001, 8000) i");
    EXPECT_GT(std::stoull(db.Run("SELECT max((ctid::text::point)[0])::bigint FROM t")[0]),
              std::stoull(slices.back().bounds.substr(0, slices.back().bounds.find(':'))) + 10);
    auto second = Open(db.uri(), 3);
    ASSERT_TRUE(second);
    // Committed after both snapshots: neither may see them.
    db.Run("INSERT INTO t SELECT i, 'late' FROM generate_series(8001, 9000) i; DELETE FROM t WHERE id <= 100");
    std::vector<std::string> on_second = DrainSlices(*second, t, slices);
    EXPECT_EQ(on_second.size(), 8000u);
    EXPECT_EQ(on_second, Drain(second->OpenTable(t)));
    std::vector<std::string> on_first = DrainSlices(*first, t, slices);
    EXPECT_EQ(on_first.size(), 4000u);
    EXPECT_EQ(on_first, Drain(first->OpenTable(t)));
  }
}

// ---- shared snapshots ----------------------------------------------------------

TEST_F(PgSourceTest, SecondSourceReadsTheFirstOnesSnapshot) {
  for (const std::string& server : {pg15_, new_}) {
    SCOPED_TRACE(server);
    Db db(server, "share");
    db.Run(
        "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int);"
        "INSERT INTO a SELECT i, 'v' || i FROM generate_series(1, 6000) i;"
        "INSERT INTO b SELECT generate_series(1, 1000)");
    MinSlice knob(8192);
    auto first = Open(db.uri(), 3);
    ASSERT_TRUE(first);
    auto id = first->SnapshotId();
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_FALSE(id->empty());
    // Changes between the two opens, which the second must not see.
    db.Run(
        "INSERT INTO a SELECT i, 'new' FROM generate_series(6001, 7000) i; UPDATE a SET v = 'changed' WHERE id % 3 = 0;"
        "DELETE FROM b WHERE id > 10; CREATE TABLE later (x int)");
    auto second = Open(db.uri(), 3, *id);
    ASSERT_TRUE(second);
    auto id2 = second->SnapshotId();
    ASSERT_TRUE(id2.ok());
    EXPECT_EQ(*id2, *id);
    db.Run("UPDATE a SET v = 'again' WHERE id % 5 = 0; INSERT INTO b VALUES (-1)");

    auto s1 = first->ReadSchema();
    auto s2 = second->ReadSchema();
    ASSERT_TRUE(s1.ok() && s2.ok());
    ASSERT_EQ(s2->tables.size(), 2u) << "a table created after the snapshot was read";
    for (const Table& t : s1->tables) {
      SCOPED_TRACE(t.name);
      std::vector<std::string> whole = Drain(first->OpenTable(t));
      EXPECT_EQ(whole.size(), t.name == "a" ? 6000u : 1000u);
      EXPECT_EQ(Drain(second->OpenTable(t)), whole);
      std::vector<TableSlice> slices = Split(*first, t, 3);
      EXPECT_EQ(DrainSlices(*second, t, slices), whole);
      EXPECT_EQ(DrainSlices(*first, t, slices), whole);
    }
    std::vector<std::string> rows = Drain(second->OpenTable(*Find(*s2, "a")));
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const std::string& r) { return r.find("changed") != r.npos; }),
              0);
  }
}

TEST_F(PgSourceTest, SnapshotThatIsGoneIsOneClearLine) {
  Db db(pg15_, "gone");
  db.Run("CREATE TABLE t (id int)");
  std::string id;
  {
    auto first = Open(db.uri(), 1);
    ASSERT_TRUE(first);
    auto got = first->SnapshotId();
    ASSERT_TRUE(got.ok());
    id = *got;
  }  // the exporting transaction ends here
  for (const std::string& bad : {id, std::string("00000003-0000001B-1"), std::string("not a snapshot")}) {
    EndpointOptions options;
    options.snapshot = bad;
    auto source = OpenSource(db.uri(), options);
    ASSERT_FALSE(source.ok()) << bad;
    EXPECT_EQ(source.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(source.status().message(), HasSubstr("snapshot " + bad + " is not available on postgresql 127.0.0.1:"));
    EXPECT_THAT(source.status().message(), HasSubstr("must still be running"));
    EXPECT_THAT(source.status().message(), Not(HasSubstr("\n")));
  }
  // A snapshot of another database is refused with the server's reason.
  Db other(pg15_, "gone_other");
  auto exporter = Open(other.uri(), 1);
  ASSERT_TRUE(exporter);
  EndpointOptions options;
  options.snapshot = exporter->SnapshotId().value();
  auto source = OpenSource(db.uri(), options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(source.status().message(), HasSubstr("different database"));
  EXPECT_THAT(source.status().message(), Not(HasSubstr("\n")));
}

// ---- through the pipeline ---------------------------------------------------------

TEST_F(PgSourceTest, ParallelExportOfSlicedTableVerifies) {
  Db db(pg15_, "e2e");
  db.Run(
      "CREATE TABLE big (id bigint PRIMARY KEY, pad text, doc jsonb);"
      "INSERT INTO big SELECT i, repeat(md5(i::text), 4), jsonb_build_object('i', i) FROM generate_series(1, 30000) i;"
      "DELETE FROM big WHERE id % 11 = 0; CREATE TABLE small (x int); INSERT INTO small VALUES (1), (2)");
  MinSlice knob(uint64_t{64} * 1024);  // inherited by the decant processes
  {
    auto source = Open(db.uri(), 2);
    ASSERT_TRUE(source);
    auto schema = source->ReadSchema();
    ASSERT_TRUE(schema.ok());
    EXPECT_EQ(Split(*source, *Find(*schema, "big"), 2).size(), 2u);  // the export below reads it in 2 slices
  }
  std::string dir = tmp_.File("pgs_e2e.decant");
  auto ex = testing_util::RunDecantBinary({"export", "-j2", "--directory", db.uri(), "-o", dir});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  auto verify = testing_util::RunDecantBinary({"verify", dir, db.uri()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace decant
