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

#include "mapping/value_conversion.h"

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

// Rewrites each batch for the target's column types (cross-engine or
// --data-only), counting per column what could not be stored exactly.
class RowConverter {
 public:
  RowConverter(const MigrationPlan& plan, const TablePlan& table, bool strict) : table_(table), strict_(strict) {
    if (!plan.converts) return;  // same engine, or an archive: every value as read
    for (const ColumnPlan& c : table.columns) {
      converters_.emplace_back(c.source, *plan.source_traits, c.target, *plan.target_traits);
      active_ = active_ || !converters_.back().passthrough();  // only a conversion can make a NULL
    }
    counts_.assign(converters_.size(), 0);
    reasons_.assign(converters_.size(), nullptr);
    std::vector<size_t> data = DataColumns(*table.read);
    if (table.read->primary_key) {
      for (const std::string& k : table.read->primary_key->columns) {
        for (size_t i = 0; i < data.size(); ++i) {
          if (table.read->columns[data[i]].name == k) key_.push_back(i);
        }
      }
    }
  }

  Status Convert(RowBatch* batch) {
    if (!active_) return Status::OK();
    for (size_t r = 0; r < batch->num_rows(); ++r) {
      Value* row = batch->mutable_row(r);
      for (size_t c = 0; c < converters_.size(); ++c) {
        Value& v = row[c];
        if (v.is_null()) continue;
        const char* why;
        if (strict_) {
          Value before = v;
          why = converters_[c].Convert(&v);
          if (why) return Lossy(c, row, before, why);
        } else {
          why = converters_[c].Convert(&v);
        }
        if (why) {
          if (!reasons_[c]) reasons_[c] = why;
          ++counts_[c];
          if (v.is_null() && !table_.columns[c].target_nullable) {
            return Status::DataLoss(fmt::format("{} cannot be stored: {}, and the column is NOT NULL",
                                                Where(c, row), why));
          }
        }
      }
    }
    return Status::OK();
  }

  void Report(const std::string& table, std::vector<ColumnConversions>* out) const {
    for (size_t c = 0; c < counts_.size(); ++c) {
      if (counts_[c]) out->push_back({table, table_.columns[c].name, counts_[c], reasons_[c]});
    }
  }

 private:
  // "table "Invoice" column "Total" (InvoiceId=5)".
  std::string Where(size_t c, const Value* row) const {
    std::string key;
    for (size_t k : key_) {
      key += fmt::format("{}{}={}", key.empty() ? "" : ", ", table_.columns[k].name, Shown(row[k]));
    }
    return fmt::format("table {} column {}{}", QualifiedName(table_.read->schema, table_.read->name),
                       table_.columns[c].name, key.empty() ? "" : " (" + key + ")");
  }

  static std::string Shown(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::kText: {
        std::string s = v.as_string().substr(0, 60);
        return "'" + s + (v.as_string().size() > 60 ? "…'" : "'");
      }
      case Value::Kind::kFloat: return ShortestDecimal(v.as_float());
      case Value::Kind::kInt: return std::to_string(v.as_int());
      case Value::Kind::kUInt: return std::to_string(v.as_uint());
      default: return v.DebugString();
    }
  }

  Status Lossy(size_t c, const Value* row, const Value& before, const char* why) const {
    return Status::DataLoss(fmt::format("--strict: {}: {} cannot be stored exactly in {}: {}", Where(c, row),
                                        Shown(before), table_.columns[c].target_type, why));
  }

  const TablePlan& table_;
  bool strict_;
  bool active_ = false;
  std::vector<ValueConverter> converters_;
  std::vector<uint64_t> counts_;
  std::vector<const char*> reasons_;
  std::vector<size_t> key_;  // data-column indices of the primary key
};

Status CopyTable(Source& source, Sink& sink, const MigrationPlan& plan, const TablePlan& table, bool strict,
                 Progress* progress, TableCopyStats* stats) {
  DECANT_ASSIGN_OR_RETURN(auto reader, source.OpenTable(*table.read));
  DECANT_ASSIGN_OR_RETURN(auto writer, sink.OpenTable(table.write));
  RowConverter converter(plan, table, strict);

  BatchQueue queue(DataColumns(*table.read).size());
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
    st = converter.Convert(batch.get());
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
  DECANT_RETURN_IF_ERROR(writer->Close());
  converter.Report(stats->table, &stats->conversions);
  return Status::OK();
}

// Reports a table that failed, naming it unless the endpoint already did.
Status TableError(Status st, const std::string& table) {
  bool named = st.message().find("table ") != std::string::npos || st.code() == StatusCode::kCancelled;
  return named ? st : st.WithContext("table " + table);
}

// Copies the tables one after the other; progress follows each table live.
Status CopySequentially(Source& source, Sink& sink, const MigrationPlan& plan, bool strict, Progress* progress,
                        CopySummary* summary) {
  for (const TablePlan& table : plan.tables) {
    TableCopyStats stats;
    stats.table = QualifiedName(table.read->schema, table.read->name);
    if (progress) progress->TableStarted(stats.table);
    Status st = CopyTable(source, sink, plan, table, strict, progress, &stats);
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
Status CopyInParallel(Source& source, Sink& sink, const MigrationPlan& plan, bool strict, size_t jobs,
                      Progress* progress, CopySummary* summary) {
  std::mutex mu;
  size_t next = 0;
  Status first_error;
  std::vector<TableCopyStats> done(plan.tables.size());
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard lock(mu);
        if (!first_error.ok() || next == plan.tables.size()) return;
        i = next++;
      }
      const TablePlan& table = plan.tables[i];
      TableCopyStats stats;
      stats.table = QualifiedName(table.read->schema, table.read->name);
      Status st = CopyTable(source, sink, plan, table, strict, nullptr, &stats);
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
  DECANT_ASSIGN_OR_RETURN(Schema read_schema, source.ReadSchema());
  if (options.sink.data_only && !options.existing_target) {
    return Status::InvalidArgument("--data-only needs the target's schema");
  }
  DECANT_ASSIGN_OR_RETURN(MigrationPlan plan, PlanMigration(read_schema, options.select, sink.Traits(),
                                                            options.sink.data_only ? options.existing_target : nullptr));
  const Schema& schema = plan.target_schema;
  SinkOptions sink_options = options.sink;
  if (!sink_options.source) sink_options.source = plan.data_only ? plan.target_traits : plan.source_traits;
  Status st = sink.Begin(plan.target_schema, sink_options);
  if (!st.ok()) {
    sink.Abort();
    return st;
  }

  CopySummary summary;
  size_t jobs = std::min({options.jobs, source.MaxParallelTables(), sink.MaxParallelTables(), plan.tables.size()});
  // Sources that read in order (a piped archive) get the tables in schema
  // order; --data-only reorders them parents first, which needs a source that
  // can seek (a database or an archive file).
  st = jobs > 1 ? CopyInParallel(source, sink, plan, options.strict, jobs, options.progress, &summary)
                : CopySequentially(source, sink, plan, options.strict, options.progress, &summary);
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
  for (const TableCopyStats& t : summary.tables) {
    summary.conversions.insert(summary.conversions.end(), t.conversions.begin(), t.conversions.end());
  }
  summary.not_carried = plan.not_carried;
  summary.notes = plan.notes;
  summary.indexes = schema.indexes.size();
  summary.views = schema.views.size();
  summary.triggers = schema.triggers.size();
  summary.sequences = schema.sequences.size();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace decant
