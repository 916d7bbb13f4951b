// Pipeline logic on small in-memory endpoints: error propagation, abort on
// failure, and verify's order independence. Engines are tested for real in
// their own folders and in tests/.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "pipeline/copy.h"
#include "pipeline/verify.h"

namespace decant {
namespace {

// Rows held in memory; optionally fails after `fail_after` batches.
class VectorSource final : public Source {
 public:
  VectorSource(std::vector<std::vector<Value>> rows, int fail_after = -1)
      : rows_(std::move(rows)), fail_after_(fail_after) {}
  Result<Schema> ReadSchema() override {
    Schema s;
    Table t;
    t.name = "t";
    t.columns.resize(rows_.empty() ? 1 : rows_[0].size());
    for (size_t i = 0; i < t.columns.size(); ++i) t.columns[i].name = "c" + std::to_string(i);
    s.tables.push_back(t);
    return s;
  }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table&) override {
    return std::unique_ptr<TableReader>(new Reader(this));
  }
  std::string Describe() const override { return "vector"; }

 private:
  class Reader final : public TableReader {
   public:
    explicit Reader(VectorSource* s) : s_(s) {}
    Result<bool> Next(RowBatch* batch) override {
      if (s_->fail_after_ >= 0 && batches_ == s_->fail_after_) return Status::IOError("disk on fire");
      batch->Reset(s_->rows_.empty() ? 1 : s_->rows_[0].size());
      while (next_ < s_->rows_.size() && batch->num_rows() < 2) {  // tiny batches: exercise the queue
        Value* cells = batch->AppendRow();
        for (size_t c = 0; c < batch->num_columns(); ++c) cells[c] = s_->rows_[next_][c];
        ++next_;
      }
      ++batches_;
      return !batch->empty();
    }

   private:
    VectorSource* s_;
    size_t next_ = 0;
    int batches_ = 0;
  };
  std::vector<std::vector<Value>> rows_;
  int fail_after_;
};

class VectorSink final : public Sink {
 public:
  Status Begin(const Schema&, const SinkOptions&) override { return Status::OK(); }
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table&) override {
    return std::unique_ptr<TableWriter>(new Writer(this));
  }
  Status Commit() override {
    committed = true;
    return Status::OK();
  }
  void Abort() override { aborted = true; }
  std::string Describe() const override { return "vector"; }

  std::vector<std::vector<Value>> rows;
  bool committed = false, aborted = false;
  int fail_on_write = -1;

 private:
  class Writer final : public TableWriter {
   public:
    explicit Writer(VectorSink* s) : s_(s) {}
    Status Write(const RowBatch& b) override {
      if (s_->fail_on_write == writes_++) return Status::NoSpace("disk full");
      for (size_t r = 0; r < b.num_rows(); ++r) s_->rows.emplace_back(b.row(r), b.row(r) + b.num_columns());
      return Status::OK();
    }
    Status Close() override { return Status::OK(); }

   private:
    VectorSink* s_;
    int writes_ = 0;
  };
};

std::vector<std::vector<Value>> SomeRows(int n) {
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < n; ++i) rows.push_back({Value::Int(i), Value::Text("row " + std::to_string(i))});
  return rows;
}

TEST(CopyDatabase, CopiesEveryRowInOrderAndCommits) {
  VectorSource src(SomeRows(101));
  VectorSink sink;
  auto summary = CopyDatabase(src, sink, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 101u);
  EXPECT_EQ(sink.rows, SomeRows(101));
  EXPECT_TRUE(sink.committed);
  EXPECT_FALSE(sink.aborted);
}

TEST(CopyDatabase, ReaderFailureAbortsTheSinkAndNamesTheTable) {
  VectorSource src(SomeRows(100), /*fail_after=*/5);
  VectorSink sink;
  auto summary = CopyDatabase(src, sink, {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kIOError);
  EXPECT_EQ(summary.status().message(), "table t: disk on fire");
  EXPECT_TRUE(sink.aborted);
  EXPECT_FALSE(sink.committed);
}

TEST(CopyDatabase, WriterFailureStopsTheReaderAndAborts) {
  VectorSource src(SomeRows(1000));
  VectorSink sink;
  sink.fail_on_write = 3;
  auto summary = CopyDatabase(src, sink, {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kNoSpace);
  EXPECT_TRUE(sink.aborted);
}

// Tables of `sizes[i]` rows each, named t0, t1, ...; each is estimated at its
// row count and split into up to `slices` slices (slice k holds the rows
// whose id % count == k). Records the order slices are opened in.
class SlicedSource final : public Source {
 public:
  SlicedSource(std::vector<int> sizes, size_t slices) : sizes_(std::move(sizes)), slices_(slices) {}
  Result<Schema> ReadSchema() override {
    Schema s;
    for (size_t t = 0; t < sizes_.size(); ++t) {
      Table table;
      table.name = "t" + std::to_string(t);
      table.columns.resize(1);
      table.columns[0].name = "id";
      s.tables.push_back(table);
    }
    return s;
  }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override { return OpenSlice(table, TableSlice{}); }
  TableSize EstimateSize(const Table& table) override {
    TableSize size;
    size.rows = sizes_[Index(table)];
    return size;
  }
  Result<std::vector<TableSlice>> SplitTable(const Table&, const TableSize& estimate, size_t max_slices) override {
    std::vector<TableSlice> out(std::min(slices_, max_slices));
    for (size_t k = 0; k < out.size(); ++k) {
      out[k].index = k;
      out[k].count = out.size();
      out[k].bounds = std::to_string(k);
      out[k].estimate.rows = *estimate.rows / out.size();
    }
    return out;
  }
  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override {
    size_t t = Index(table);
    {
      std::lock_guard lock(mu);
      opened.push_back(table.name);
    }
    return std::unique_ptr<TableReader>(new Reader(sizes_[t], slice.index, slice.count));
  }
  std::string Describe() const override { return "sliced"; }
  size_t MaxParallelTables() const override { return 64; }

  std::mutex mu;
  std::vector<std::string> opened;

 private:
  static size_t Index(const Table& table) { return std::stoul(table.name.substr(1)); }

  class Reader final : public TableReader {
   public:
    Reader(int rows, size_t index, size_t count) : rows_(rows), next_(static_cast<int>(index)), step_(count) {}
    Result<bool> Next(RowBatch* batch) override {
      batch->Reset(1);
      for (; next_ < rows_ && batch->num_rows() < 3; next_ += static_cast<int>(step_)) {
        batch->AppendRow()[0] = Value::Int(next_);
      }
      return !batch->empty();
    }

   private:
    int rows_, next_;
    size_t step_;
  };
  std::vector<int> sizes_;
  size_t slices_;
};

// Takes any number of writers at once; keeps each table's ids.
class TableSetSink final : public Sink {
 public:
  Status Begin(const Schema&, const SinkOptions&) override { return Status::OK(); }
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override {
    return std::unique_ptr<TableWriter>(new Writer(this, table.name));
  }
  Status Commit() override { return Status::OK(); }
  void Abort() override {}
  std::string Describe() const override { return "set"; }
  size_t MaxParallelTables() const override { return 64; }

  std::mutex mu;
  std::map<std::string, std::multiset<int64_t>> ids;

 private:
  class Writer final : public TableWriter {
   public:
    Writer(TableSetSink* s, std::string table) : s_(s), table_(std::move(table)) {}
    Status Write(const RowBatch& b) override {
      std::lock_guard lock(s_->mu);
      for (size_t r = 0; r < b.num_rows(); ++r) s_->ids[table_].insert(b.row(r)[0].as_int());
      return Status::OK();
    }
    Status Close() override { return Status::OK(); }

   private:
    TableSetSink* s_;
    std::string table_;
  };
};

class RecordingProgress final : public Progress {
 public:
  void PhaseStarted(const std::string& phase, const std::string&) override { Add("phase " + phase); }
  void PhaseStep(const std::string& part) override { Add("step " + part); }
  void PhaseFinished(const std::string& phase) override { Add("end " + phase); }
  void Expect(const std::vector<ExpectedTable>& tables, size_t jobs) override {
    std::string line = fmt::format("expect {} jobs:", jobs);
    for (const ExpectedTable& t : tables) line += fmt::format(" {}={}", t.name, t.estimate.rows.value_or(0));
    Add(line);
  }
  void TableStarted(const std::string& table) override { Add("started " + table); }
  void UnitStarted(const std::string& table) override {
    std::lock_guard lock(mu_);
    ++units[table];
  }
  void UnitFinished(const std::string&) override {}
  void Advance(const std::string& table, uint64_t rows, uint64_t) override {
    std::lock_guard lock(mu_);
    advanced[table] += rows;
  }
  void TableFinished(const std::string& table, bool ok, uint64_t rows, uint64_t) override {
    Add(fmt::format("{} {} {}", ok ? "finished" : "failed", table, rows));
  }
  void Note(const std::string& message) override { Add(message); }
  std::map<std::string, uint64_t> advanced;
  std::map<std::string, int> units;
  std::vector<std::string> lines;

 private:
  void Add(std::string line) {
    std::lock_guard lock(mu_);
    lines.push_back(std::move(line));
  }
  std::mutex mu_;
};

TEST(CopyDatabase, UnitsAreSlicesRunLargestFirstAndReportedPerTable) {
  SlicedSource src({10, 300, 40}, 3);
  TableSetSink sink;
  RecordingProgress progress;
  CopyOptions options;
  options.jobs = 3;
  options.progress = &progress;
  auto summary = CopyDatabase(src, sink, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  // Every row once, whichever slice carried it.
  for (auto [name, rows] : {std::pair{"t0", 10}, {"t1", 300}, {"t2", 40}}) {
    std::multiset<int64_t> want;
    for (int i = 0; i < rows; ++i) want.insert(i);
    EXPECT_EQ(sink.ids[name], want) << name;
  }
  // Nine units; t1's three slices are handed out first (to the three
  // workers), so the first slice opened is one of t1's.
  ASSERT_EQ(src.opened.size(), 9u);
  EXPECT_EQ(src.opened.front(), "t1");
  // The summary and progress are per table, in plan order and once each.
  ASSERT_EQ(summary->tables.size(), 3u);
  EXPECT_EQ(summary->tables[0].table, "t0");
  EXPECT_EQ(summary->tables[0].rows, 10u);
  EXPECT_EQ(summary->tables[1].rows, 300u);
  EXPECT_EQ(summary->tables[2].rows, 40u);
  EXPECT_EQ(summary->rows, 350u);
  // Progress follows every table live with three jobs too: the totals
  // first, each table started and finished once, every row advanced.
  ASSERT_GE(progress.lines.size(), 3u);
  EXPECT_EQ(progress.lines[0], "phase schema");
  EXPECT_EQ(progress.lines[1], "end schema");
  EXPECT_EQ(progress.lines[2], "expect 3 jobs: t0=10 t1=300 t2=40");
  std::multiset<std::string> lines(progress.lines.begin(), progress.lines.end());
  for (auto [name, rows] : {std::pair{"t0", 10}, {"t1", 300}, {"t2", 40}}) {
    EXPECT_EQ(lines.count(std::string("started ") + name), 1u);
    EXPECT_EQ(lines.count(fmt::format("finished {} {}", name, rows)), 1u);
    EXPECT_EQ(progress.advanced[name], static_cast<uint64_t>(rows));
    EXPECT_EQ(progress.units[name], 3) << name;  // each of its slices
  }
  EXPECT_EQ(progress.lines.back(), "end post_data");
  EXPECT_EQ(progress.lines.size(), 12u);  // and the data and post_data phases
}

TEST(CopyDatabase, OneJobReadsWholeTablesInPlanOrderWithLiveProgress) {
  SlicedSource src({10, 300, 40}, 3);
  TableSetSink sink;
  RecordingProgress progress;
  CopyOptions options;
  options.progress = &progress;
  auto summary = CopyDatabase(src, sink, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(src.opened, (std::vector<std::string>{"t0", "t1", "t2"}));  // not split, not reordered
  EXPECT_EQ(progress.lines,
            (std::vector<std::string>{"phase schema", "end schema", "expect 1 jobs: t0=10 t1=300 t2=40", "started t0",
                                      "finished t0 10", "started t1", "finished t1 300", "started t2", "finished t2 40",
                                      "end data", "phase post_data", "end post_data"}));
  EXPECT_EQ(summary->rows, 350u);
}

// -j N that an end cannot take is said once, naming the end that limits it.
TEST(CopyDatabase, JobsLimitedByAnEndIsNoted) {
  {
    VectorSource src(SomeRows(5));  // one table at a time
    TableSetSink sink;
    RecordingProgress progress;
    CopyOptions options;
    options.jobs = 4;
    options.progress = &progress;
    ASSERT_TRUE(CopyDatabase(src, sink, options).ok());
    EXPECT_EQ(
        std::count(progress.lines.begin(), progress.lines.end(), "-j 4: the source vector reads one table at a time"),
        1);
  }
  {
    SlicedSource src({10, 20}, 2);
    VectorSink sink;  // one writer at a time
    RecordingProgress progress;
    CopyOptions options;
    options.jobs = 3;
    options.progress = &progress;
    ASSERT_TRUE(CopyDatabase(src, sink, options).ok());
    EXPECT_EQ(
        std::count(progress.lines.begin(), progress.lines.end(), "-j 3: the target vector writes one table at a time"),
        1);
  }
  {
    SlicedSource src({10, 20}, 2);
    TableSetSink sink;  // both take 64: nothing to say
    RecordingProgress progress;
    CopyOptions options;
    options.jobs = 3;
    options.progress = &progress;
    ASSERT_TRUE(CopyDatabase(src, sink, options).ok());
    for (const std::string& line : progress.lines) EXPECT_FALSE(line.starts_with("-j")) << line;
  }
}

// Reports its DDL statements as a database sink does (DdlRecorder).
class DdlSink final : public Sink {
 public:
  Status Begin(const Schema&, const SinkOptions& options) override {
    options_ = options;
    options_.statement_done("table");  // the schema phase: not timed by kind
    return Status::OK();
  }
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override { return set_.OpenTable(table); }
  Status Commit() override {
    for (const char* kind : {"primary key", "index", "foreign key", "view", "trigger"}) options_.statement_done(kind);
    return Status::OK();
  }
  void Abort() override {}
  std::string Describe() const override { return "ddl"; }

 private:
  SinkOptions options_;
  TableSetSink set_;
};

// The post-data phase is timed by the kind of each statement the sink ran.
TEST(CopyDatabase, PostDataStepsAreReportedByKind) {
  SlicedSource src({10}, 1);
  DdlSink sink;
  RecordingProgress progress;
  CopyOptions options;
  options.progress = &progress;
  ASSERT_TRUE(CopyDatabase(src, sink, options).ok());
  auto post = std::find(progress.lines.begin(), progress.lines.end(), "phase post_data");
  ASSERT_NE(post, progress.lines.end());
  EXPECT_EQ(std::vector<std::string>(post, progress.lines.end()),
            (std::vector<std::string>{"phase post_data", "step indexes", "step indexes", "step constraints",
                                      "step views", "step other objects", "end post_data"}));
  EXPECT_EQ(std::count(progress.lines.begin(), progress.lines.end(), "step other objects"), 1);  // not Begin's
}

TEST(CopyDatabase, AfterBatchIsCalledOncePerBatchWritten) {
  VectorSource src(SomeRows(101));  // batches of two rows
  VectorSink sink;
  CopyOptions options;
  std::atomic<int> batches{0};
  options.after_batch = [&] { ++batches; };
  auto summary = CopyDatabase(src, sink, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(batches, 51);
}

TEST(Verify, OrderDoesNotMatterButContentAndMultiplicityDo) {
  auto rows = SomeRows(50);
  auto reversed = rows;
  std::reverse(reversed.begin(), reversed.end());
  VectorSource a(rows), b(reversed);
  auto same = VerifySources(a, b);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->equal());

  auto changed = rows;
  changed[7][1] = Value::Text("row 7 changed");
  VectorSource c(rows), d(changed);
  auto diff = VerifySources(c, d);
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->differences.size(), 1u);
  EXPECT_EQ(diff->differences[0].reason, "same row count, content differs");

  // A duplicated row must not cancel out (a XOR of hashes would miss this).
  auto dup1 = rows, dup2 = rows;
  dup1[1] = dup1[0];
  dup2[1] = dup2[0];
  dup2[2] = dup2[0];
  dup2[3] = dup2[0];
  dup1[3] = dup1[2];
  VectorSource e(dup1), f(dup2);
  auto dups = VerifySources(e, f);
  ASSERT_TRUE(dups.ok());
  EXPECT_FALSE(dups->equal());
}

TEST(Verify, IntegerKindsCompareByValueFloatsByBits) {
  VectorSource a({{Value::Int(5)}, {Value::Float(0.0)}});
  VectorSource b({{Value::UInt(5)}, {Value::Float(0.0)}});
  VectorSource c({{Value::Int(5)}, {Value::Float(-0.0)}});
  auto ab = VerifySources(a, b);
  ASSERT_TRUE(ab.ok());
  EXPECT_TRUE(ab->equal());
  VectorSource a2({{Value::Int(5)}, {Value::Float(0.0)}});
  auto ac = VerifySources(a2, c);
  ASSERT_TRUE(ac.ok());
  EXPECT_FALSE(ac->equal());
}

}  // namespace
}  // namespace decant
