#include "pipeline/copy.h"

#include "pipeline/interrupt.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

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
    static long batches_written = 0;
    if (++batches_written == InterruptAfterBatches()) std::raise(SIGINT);
  }
  if (!st.ok()) queue.Cancel();
  producer.join();
  DECANT_RETURN_IF_ERROR(st);
  DECANT_RETURN_IF_ERROR(queue.producer_status());
  return writer->Close();
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
  for (const Table& table : schema.tables) {
    TableCopyStats stats;
    stats.table = QualifiedName(table.schema, table.name);
    if (options.progress) options.progress->TableStarted(stats.table);
    st = CopyTable(source, sink, table, options.progress, &stats);
    if (options.progress) options.progress->TableFinished(st.ok());
    if (!st.ok()) {
      sink.Abort();
      // Endpoints usually name the table (or the damaged one) themselves.
      bool named = st.message().find("table ") != std::string::npos || st.code() == StatusCode::kCancelled;
      return named ? st : st.WithContext("table " + stats.table);
    }
    summary.rows += stats.rows;
    summary.bytes += stats.bytes;
    summary.tables.push_back(std::move(stats));
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
