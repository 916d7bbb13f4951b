#include "pipeline/copy.h"

#include "pipeline/interrupt.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace decant {
namespace {

// A fixed pool of batches cycling between one producer and one consumer.
// Holding at most kDepth batches bounds memory to kDepth * RowBatch::kMaxBytes.
class BatchQueue {
 public:
  static constexpr size_t kDepth = 4;

  explicit BatchQueue(size_t num_columns) {
    for (size_t i = 0; i < kDepth; ++i) free_.push_back(std::make_unique<RowBatch>(num_columns));
  }

  // Producer side.
  std::unique_ptr<RowBatch> TakeFree() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || cancelled_; });
    if (cancelled_) return nullptr;
    auto b = std::move(free_.front());
    free_.pop_front();
    return b;
  }
  void PushFull(std::unique_ptr<RowBatch> b) {
    std::lock_guard lock(mu_);
    full_.push_back(std::move(b));
    cv_.notify_all();
  }
  void Finish(Status st) {
    std::lock_guard lock(mu_);
    done_ = true;
    producer_status_ = std::move(st);
    cv_.notify_all();
  }

  // Consumer side: null once the producer finished and everything was taken.
  std::unique_ptr<RowBatch> TakeFull() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || done_; });
    if (full_.empty()) return nullptr;
    auto b = std::move(full_.front());
    full_.pop_front();
    return b;
  }
  void GiveBack(std::unique_ptr<RowBatch> b) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
    cv_.notify_all();
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  Status producer_status() {
    std::lock_guard lock(mu_);
    return producer_status_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<RowBatch>> free_, full_;
  bool done_ = false;
  bool cancelled_ = false;
  Status producer_status_;
};

// Tests set DECANT_TEST_INTERRUPT_AFTER_BATCHES=N to raise SIGINT after the
// Nth batch written, so interruption is tested at a deterministic point.
long InterruptAfterBatches() {
  static const long n = [] {
    const char* env = std::getenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES");
    return env ? std::strtol(env, nullptr, 10) : -1L;
  }();
  return n;
}

Status CopyTable(Source& source, Sink& sink, const Table& table, Progress* progress, TableCopyStats* stats) {
  DECANT_ASSIGN_OR_RETURN(auto reader, source.OpenTable(table));
  DECANT_ASSIGN_OR_RETURN(auto writer, sink.OpenTable(table));

  BatchQueue queue(DataColumns(table).size());
  std::thread producer([&] {
    Status st;
    while (auto batch = queue.TakeFree()) {
      st = CheckInterrupted();
      if (!st.ok()) break;
      Result<bool> more = reader->Next(batch.get());
      if (!more.ok()) {
        st = more.status();
        break;
      }
      if (!*more) break;
      queue.PushFull(std::move(batch));
    }
    queue.Finish(st);
  });

  Status st;
  while (auto batch = queue.TakeFull()) {
    st = CheckInterrupted();
    if (!st.ok()) break;
    st = writer->Write(*batch);
    if (!st.ok()) break;
    stats->rows += batch->num_rows();
    stats->bytes += batch->payload_bytes();
    if (progress) progress->Advance(batch->num_rows(), batch->payload_bytes());
    queue.GiveBack(std::move(batch));
    static std::atomic<long> batches_written{0};
    if (++batches_written == InterruptAfterBatches()) std::raise(SIGINT);
  }
  if (!st.ok()) queue.Cancel();
  producer.join();
  DECANT_RETURN_IF_ERROR(st);
  DECANT_RETURN_IF_ERROR(queue.producer_status());
  return writer->Close();
}

// Reports a table that failed, naming it unless the endpoint already did.
Status TableError(Status st, const std::string& table) {
  bool named = st.message().find("table ") != std::string::npos || st.code() == StatusCode::kCancelled;
  return named ? st : st.WithContext("table " + table);
}

// Copies the tables one after the other; progress follows each table live.
Status CopySequentially(Source& source, Sink& sink, const Schema& schema, Progress* progress, CopySummary* summary) {
  for (const Table& table : schema.tables) {
    TableCopyStats stats;
    stats.table = QualifiedName(table.schema, table.name);
    if (progress) progress->TableStarted(stats.table);
    Status st = CopyTable(source, sink, table, progress, &stats);
    if (progress) progress->TableFinished(st.ok());
    if (!st.ok()) return TableError(st, stats.table);
    summary->rows += stats.rows;
    summary->bytes += stats.bytes;
    summary->tables.push_back(std::move(stats));
  }
  return Status::OK();
}

// Copies up to `jobs` tables at once, started in schema order; the first error
// stops further tables from starting. Progress shows one line per finished
// table (several live lines would interleave).
Status CopyInParallel(Source& source, Sink& sink, const Schema& schema, size_t jobs, Progress* progress,
                      CopySummary* summary) {
  std::mutex mu;
  size_t next = 0;
  Status first_error;
  std::vector<TableCopyStats> done(schema.tables.size());
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard lock(mu);
        if (!first_error.ok() || next == schema.tables.size()) return;
        i = next++;
      }
      const Table& table = schema.tables[i];
      TableCopyStats stats;
      stats.table = QualifiedName(table.schema, table.name);
      Status st = CopyTable(source, sink, table, nullptr, &stats);
      std::lock_guard lock(mu);
      if (!st.ok()) {
        if (first_error.ok()) first_error = TableError(st, stats.table);
        return;
      }
      if (progress) progress->Note(fmt::format("{}: {} rows ({})", stats.table, stats.rows, HumanBytes(stats.bytes)));
      done[i] = std::move(stats);
    }
  };
  std::vector<std::thread> threads;
  for (size_t j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (!first_error.ok()) return first_error;
  for (auto& stats : done) {
    summary->rows += stats.rows;
    summary->bytes += stats.bytes;
    summary->tables.push_back(std::move(stats));
  }
  return Status::OK();
}

}  // namespace

Result<CopySummary> CopyDatabase(Source& source, Sink& sink, const CopyOptions& options) {
  auto start = std::chrono::steady_clock::now();
  DECANT_ASSIGN_OR_RETURN(Schema schema, source.ReadSchema());
  Status st = sink.Begin(schema, options.sink);
  if (!st.ok()) {
    sink.Abort();
    return st;
  }

  CopySummary summary;
  size_t jobs = std::min({options.jobs, source.MaxParallelTables(), sink.MaxParallelTables(), schema.tables.size()});
  st = jobs > 1 ? CopyInParallel(source, sink, schema, jobs, options.progress, &summary)
                : CopySequentially(source, sink, schema, options.progress, &summary);
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  st = source.Finish();
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  if (options.progress) {
    options.progress->Note("creating indexes, views, triggers and sequences; committing");
  }
  st = sink.Commit();
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  summary.indexes = schema.indexes.size();
  summary.views = schema.views.size();
  summary.triggers = schema.triggers.size();
  summary.sequences = schema.sequences.size();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace decant
