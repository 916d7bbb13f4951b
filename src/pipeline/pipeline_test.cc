// Pipeline logic on small in-memory endpoints: error propagation, abort on
// failure, and verify's order independence. Engines are tested for real in
// their own folders and in tests/.
#include <gtest/gtest.h>

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
