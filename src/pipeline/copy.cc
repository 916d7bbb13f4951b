#include "pipeline/copy.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/plural.h"
#include "core/printable.h"
#include "core/work_queue.h"
#include "pipeline/interrupt.h"
#include "pipeline/row_converter.h"

namespace decant {
namespace {

// The primary keys kept per converted column, for the conversion event and
// the --report (the first ones converted; bounded, whatever the count).
constexpr size_t kConversionKeys = 3;

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

// Copies one unit of work: the rows of `slice` of `table`; options.progress
// and options.events advance with each batch.
Status CopyUnit(Source& source, Sink& sink, const MigrationPlan& plan, const TablePlan& table, const TableSlice& slice,
                std::optional<size_t> unit, const CopyOptions& options, TableCopyStats* stats) {
  DECANT_ASSIGN_OR_RETURN(auto reader, source.OpenSlice(*table.read, slice));
  DECANT_ASSIGN_OR_RETURN(auto writer, unit ? sink.OpenUnit(table.write, *unit) : sink.OpenTable(table.write));
  RowConverter converter(plan, table, options.strict ? RowConverter::Mode::kStrict : RowConverter::Mode::kConvert,
                         kConversionKeys);

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
    if (options.progress) options.progress->Advance(stats->table, batch->num_rows(), batch->payload_bytes());
    if (options.events) options.events->TableAdvanced(stats->table, batch->num_rows(), batch->payload_bytes());
    queue.GiveBack(std::move(batch));
    if (options.after_batch) options.after_batch();
  }
  if (!st.ok()) queue.Cancel();
  producer.join();
  DECANT_RETURN_IF_ERROR(st);
  DECANT_RETURN_IF_ERROR(queue.producer_status());
  DECANT_RETURN_IF_ERROR(writer->Close());
  if (options.sink.upsert) {
    stats->updated = writer->Updated();
    stats->inserted = stats->rows - stats->updated;
  }
  converter.Report(stats->table, &stats->conversions);
  return Status::OK();
}

// Reports a table that failed, naming it unless the endpoint already did.
Status TableError(const Status& st, const std::string& table) {
  bool named = st.message().find("table ") != std::string::npos || st.code() == StatusCode::kCancelled;
  return named ? st : st.WithContext("table " + table);
}

// Adds what one slice copied to its table's figures.
void MergeSlice(TableCopyStats&& slice, TableCopyStats* table) {
  table->rows += slice.rows;
  table->bytes += slice.bytes;
  table->inserted += slice.inserted;
  table->updated += slice.updated;
  for (ColumnConversions& c : slice.conversions) {
    auto same = std::find_if(table->conversions.begin(), table->conversions.end(),
                             [&](const ColumnConversions& t) { return t.column == c.column; });
    if (same == table->conversions.end()) {
      table->conversions.push_back(std::move(c));
    } else {
      same->count += c.count;  // the first slice's reason stays
      for (std::string& k : c.keys) {
        if (same->keys.size() < kConversionKeys) same->keys.push_back(std::move(k));
      }
    }
  }
}

using Unit = WorkUnit;

// The units of work: each table split as the source allows into at most
// `jobs` slices (one slice each with a single job), with the size each unit is
// scheduled by (none when they keep plan order) and each table's estimated
// size (for progress, with any number of jobs).
Status PlanUnits(Source& source, const MigrationPlan& plan, size_t jobs, std::vector<Unit>* units,
                 std::vector<uint64_t>* sizes, std::vector<TableSize>* estimates) {
  // A single job gains nothing from splitting or reordering, and sources that
  // read in order (a piped archive) need schema order; with --data-only the
  // target's foreign keys are live, so tables keep the parents-first order.
  bool by_size = jobs > 1 && !plan.data_only;
  for (size_t t = 0; t < plan.tables.size(); ++t) {
    const Table& read = *plan.tables[t].read;
    TableSize estimate = source.EstimateSize(read);
    estimates->push_back(estimate);
    if (jobs == 1) {
      units->push_back({t, TableSlice{}});
      continue;
    }
    auto slices = source.SplitTable(read, estimate, jobs);
    if (!slices.ok()) return TableError(slices.status(), QualifiedName(read.schema, read.name));
    if (slices->empty()) slices->push_back(TableSlice{});
    for (TableSlice& s : *slices) {
      uint64_t weight = s.estimate.Weight() ? s.estimate.Weight() : estimate.Weight() / slices->size();
      if (by_size) sizes->push_back(weight);
      units->push_back({t, std::move(s)});
    }
  }
  return Status::OK();
}

// What the units of one table are estimated to hold between them: unknown
// when one of them is.
TableSize UnitsSize(const std::vector<Unit>& units, size_t table) {
  TableSize size{uint64_t{0}, uint64_t{0}};
  for (const Unit& u : units) {
    if (u.table != table) continue;
    size.rows = size.rows && u.slice.estimate.rows ? std::optional(*size.rows + *u.slice.estimate.rows) : std::nullopt;
    size.bytes =
        size.bytes && u.slice.estimate.bytes ? std::optional(*size.bytes + *u.slice.estimate.bytes) : std::nullopt;
  }
  return size;
}

// The units of an interrupted load (`journal`, which Sink::Resumed returned)
// for `plan`, whose tables are `names`: every unit as planned then, in
// journal order (a unit's index is its journal index). FailedPrecondition
// when the journal and the plan do not name the same tables.
Status UnitsFromJournal(const MigrationPlan& plan, const LoadJournal& journal, const std::vector<std::string>& names,
                        std::vector<Unit>* units) {
  std::vector<bool> seen(plan.tables.size(), false);
  for (const JournalUnit& j : journal.units) {
    auto it = std::find(names.begin(), names.end(), j.table_name);
    if (it == names.end()) {
      return Status::FailedPrecondition(
          fmt::format("--resume: the interrupted load copied table {}, which this one does not; resume with the same "
                      "source and table options, or start over with --clean",
                      Printable(j.table_name)));
    }
    size_t t = static_cast<size_t>(it - names.begin());
    seen[t] = true;
    units->push_back({t, j.slice});
  }
  for (size_t t = 0; t < seen.size(); ++t) {
    if (seen[t]) continue;
    return Status::FailedPrecondition(
        fmt::format("--resume: the interrupted load did not copy table {}; resume with the same source and table "
                    "options, or start over with --clean",
                    Printable(names[t])));
  }
  return Status::OK();
}

// Copies the plan's tables as units of work from one queue, up to `jobs` at
// once; the first error stops further units from starting. With one worker the
// units run in plan order. Progress follows every running table live whatever
// the number of jobs; a table is started with its first unit and finished
// with its last, and the summary lists tables in plan order.
Status CopyUnits(Source& source, Sink& sink, const MigrationPlan& plan, const CopyOptions& options, size_t jobs,
                 CopySummary* summary) {
  std::vector<Unit> units;
  std::vector<uint64_t> sizes;
  std::vector<TableSize> estimates;
  std::vector<std::string> names;
  for (const TablePlan& t : plan.tables) names.push_back(QualifiedName(t.read->schema, t.read->name));
  std::optional<LoadJournal> resumed = sink.Resumed();
  if (resumed && resumed->units.empty()) resumed.reset();  // interrupted before it planned: plan now
  std::vector<bool> skip;                                  // per unit: committed by the interrupted load
  if (resumed) {
    DECANT_RETURN_IF_ERROR(UnitsFromJournal(plan, *resumed, names, &units));
    for (size_t t = 0; t < plan.tables.size(); ++t) estimates.push_back(source.EstimateSize(*plan.tables[t].read));
    for (const JournalUnit& j : resumed->units) skip.push_back(j.rows.has_value());
  } else if (options.units) {
    units = *options.units;
    for (const Unit& u : units) {
      if (u.table >= plan.tables.size()) {
        return Status::InvalidArgument(fmt::format("a unit of work names table {} of a plan of {}", u.table,
                                                   Counted(plan.tables.size(), "table")));
      }
      if (jobs > 1 && !plan.data_only) sizes.push_back(u.slice.estimate.Weight());
    }
    for (size_t t = 0; t < plan.tables.size(); ++t) estimates.push_back(UnitsSize(units, t));
  } else {
    DECANT_RETURN_IF_ERROR(PlanUnits(source, plan, jobs, &units, &sizes, &estimates));
  }
  bool journaled = sink.Journaled();
  if (journaled && !resumed) {
    LoadJournal journal;
    journal.source = source.Describe();
    journal.source_identity = source.Identity();
    for (const Unit& u : units) {
      const Table& write = plan.tables[u.table].write;
      journal.units.push_back(
          {u.table, names[u.table], QualifiedName(write.schema, write.name), u.slice, std::nullopt});
    }
    DECANT_RETURN_IF_ERROR(sink.StartJournal(journal));
  }
  Progress* progress = options.progress;

  std::mutex mu;  // guards the per-table state below
  std::vector<TableCopyStats> done(plan.tables.size());
  std::vector<size_t> pending(plan.tables.size(), 0);  // slices not yet done
  std::vector<bool> started(plan.tables.size(), false);
  for (size_t t = 0; t < plan.tables.size(); ++t) done[t].table = names[t];
  // The units the interrupted load committed count as copied, not run again.
  std::vector<size_t> todo;
  for (size_t i = 0; i < units.size(); ++i) {
    if (resumed && skip[i]) {
      done[units[i].table].rows += *resumed->units[i].rows;
      summary->resumed_rows += *resumed->units[i].rows;
      ++summary->resumed_units;
      continue;
    }
    todo.push_back(i);
    ++pending[units[i].table];
  }
  if (resumed) {
    summary->units = units.size();
    sizes.clear();  // as planned then: in journal order
  }
  if (resumed && progress) {
    progress->Note(fmt::format("resuming the load of {}: {} of {} committed before ({}); {} to copy",
                               resumed->source.empty() ? source.Describe() : resumed->source, summary->resumed_units,
                               Counted(units.size(), "unit"), Counted(summary->resumed_rows, "row"), todo.size()));
  }
  size_t workers = std::min(jobs, todo.size());
  std::vector<uint64_t> todo_sizes;  // RunWorkQueue's order, by the units it runs
  for (size_t i : todo) {
    if (!sizes.empty()) todo_sizes.push_back(sizes[i]);
  }
  if (progress) {
    std::vector<ExpectedTable> expected;
    for (size_t t = 0; t < plan.tables.size(); ++t) {
      if (pending[t]) expected.push_back({done[t].table, estimates[t]});
    }
    progress->Expect(expected, std::max<size_t>(workers, 1));
  }

  Status st = RunWorkQueue(
      todo.size(), workers,
      [&](size_t, size_t k) -> Status {
        size_t i = todo[k];
        const Unit& unit = units[i];
        const std::string& name = done[unit.table].table;
        {
          std::lock_guard lock(mu);
          if (!started[unit.table] && progress) progress->TableStarted(name);
          if (!started[unit.table] && options.events) options.events->TableStarted(name);
          started[unit.table] = true;
        }
        TableCopyStats stats;
        stats.table = name;
        if (progress) progress->UnitStarted(name);
        Status unit_st = CopyUnit(source, sink, plan, plan.tables[unit.table], unit.slice,
                                  journaled ? std::optional(i) : std::nullopt, options, &stats);
        if (progress) progress->UnitFinished(name);
        std::lock_guard lock(mu);
        if (!unit_st.ok()) {
          const TableCopyStats& so_far = done[unit.table];
          if (progress) progress->TableFinished(name, false, so_far.rows + stats.rows, so_far.bytes + stats.bytes);
          if (options.events) {
            options.events->TableFinished(name, false, so_far.rows + stats.rows, so_far.bytes + stats.bytes);
          }
          return TableError(unit_st, name);
        }
        TableCopyStats& table = done[unit.table];
        MergeSlice(std::move(stats), &table);
        if (--pending[unit.table] > 0) return Status::OK();
        if (options.events) options.events->TableFinished(table.table, true, table.rows, table.bytes);
        if (progress) progress->TableFinished(table.table, true, table.rows, table.bytes);
        return Status::OK();
      },
      todo_sizes);
  if (!st.ok()) return st;
  // What was committed before and what was copied now make the source's
  // rows, where it knows them exactly (an archive's manifest).
  for (size_t t = 0; resumed && t < plan.tables.size(); ++t) {
    const TableSize& e = estimates[t];
    if (!e.exact || !e.rows || *e.rows == done[t].rows) continue;
    return Status::DataLoss(
        fmt::format("--resume: table {} holds {} after the resumed load, and the source {}; start over with --clean",
                    Printable(names[t]), Counted(done[t].rows, "row"), Counted(*e.rows, "row")));
  }
  for (auto& stats : done) {
    summary->rows += stats.rows;
    summary->bytes += stats.bytes;
    summary->inserted += stats.inserted;
    summary->updated += stats.updated;
    summary->tables.push_back(std::move(stats));
  }
  return Status::OK();
}

// Whether plan's not-carried lines already name `o` ("view v: ..." or
// "view s.v: ..."), so that each object is listed once.
bool NamedIn(const std::vector<std::string>& lines, const SinkObject& o) {
  for (const std::string& line : lines) {
    std::string head = line.substr(0, line.find(':'));
    if (!head.starts_with(o.kind + " ")) continue;
    std::string name = head.substr(o.kind.size() + 1);
    name = name.substr(0, name.find(" on "));
    if (name == o.name || name.ends_with("." + o.name) || o.name.ends_with("." + name)) return true;
  }
  return false;
}

// The part of the post-data work a DDL statement of `kind` (DdlStatement)
// belongs to, for progress.
const char* PostDataPart(const std::string& kind) {
  if (kind == "index" || kind == "unique index" || kind == "primary key" || kind == "unique key") return "indexes";
  if (kind == "foreign key" || kind == "check") return "constraints";
  if (kind == "view" || kind == "materialized view") return "views";
  return "other objects";  // triggers, sequence values, comments, routines, ...
}

// The one line saying which end limits -j N to fewer units at once ("-j 4:
// the target archive x.decant writes one table at a time"), named by its
// Describe. Requires that one of them allows fewer than `requested`.
std::string JobsLimit(size_t requested, const Source& source, const Sink& sink) {
  size_t read = source.MaxParallelTables(), write = sink.MaxParallelTables();
  bool by_source = read <= write;
  size_t n = by_source ? read : write;
  const char* verb = by_source ? "reads" : "writes";
  std::string how =
      n == 1 ? fmt::format("{} one table at a time", verb) : fmt::format("{} at most {} tables at a time", verb, n);
  return fmt::format("-j {}: the {} {} {}", requested, by_source ? "source" : "target",
                     by_source ? source.Describe() : sink.Describe(), how);
}

}  // namespace

std::string LeftSentence(const Sink& sink) {
  LeftState left = sink.Left();
  if (InterruptSignal() && (left == LeftState::kUntouched || left == LeftState::kDropped)) return "";
  switch (left) {
    case LeftState::kUntouched: return sink.Describe() + " is as it was";
    case LeftState::kDropped: return sink.Describe() + " is as it was (the tables this load created were dropped)";
    case LeftState::kResumable:
      return sink.Describe() +
             " is partly written: the same command with --resume continues it; without "
             "--resume (a database: with --clean) it starts over";
    case LeftState::kPartial:
      return sink.Describe() + " is partly written and cannot be resumed: the same command with --clean starts over";
  }
  return "";
}

void SummarizeCommit(const MigrationPlan& plan, Source& source, const Sink& sink, CopySummary* summary) {
  for (const TableCopyStats& t : summary->tables) {
    summary->conversions.insert(summary->conversions.end(), t.conversions.begin(), t.conversions.end());
  }
  summary->not_carried = plan.not_carried;
  summary->target_version = sink.ServerVersion();
  SinkReport report = sink.Report();
  for (const SinkObject& o : report.refused) {
    if (!NamedIn(plan.not_carried, o)) {
      summary->not_carried.push_back(fmt::format(
          "{}{}{}: {}{}", o.kind, o.name.empty() ? "" : " " + o.name,
          o.table.empty() || o.table == o.name ? "" : " on " + o.table,
          o.by_target ? fmt::format("{} refused it: ", sink.Traits().display_name) : std::string(), o.reason));
    }
  }
  summary->notes = source.Notes();
  summary->notes.insert(summary->notes.end(), plan.notes.begin(), plan.notes.end());
  summary->indexes = report.Created("index") + report.Created("unique index");
  summary->views = report.Created("view") + report.Created("materialized view");
  summary->triggers = report.Created("trigger");
  summary->sequences = report.Created("sequence value");
}

Result<std::unique_ptr<CopyPlan>> PlanCopy(Source& source, const CopyOptions& options, const EngineTraits& target,
                                           size_t jobs) {
  if (options.sink.data_only) return Status::InvalidArgument("a planned copy cannot be --data-only");
  auto out = std::make_unique<CopyPlan>();
  DECANT_ASSIGN_OR_RETURN(out->read, source.ReadSchema());
  DECANT_ASSIGN_OR_RETURN(out->plan, PlanMigration(out->read, options.select, target, nullptr));
  if (options.sink.strict_objects && !out->plan.not_carried.empty()) {
    return Status::NotCarried(fmt::format("--strict-objects: {} would not be carried to {} (first: {})",
                                          Counted(out->plan.not_carried.size(), "object"), out->plan.target_engine,
                                          out->plan.not_carried.front()));
  }
  std::vector<uint64_t> sizes;
  std::vector<TableSize> estimates;
  DECANT_RETURN_IF_ERROR(PlanUnits(source, out->plan, std::max<size_t>(jobs, 1), &out->units, &sizes, &estimates));
  return out;
}

Result<CopySummary> CopyDatabase(Source& source, Sink& sink, const CopyOptions& options) {
  auto start = std::chrono::steady_clock::now();
  Result<Schema> read = source.ReadSchema();
  if (!read.ok()) {
    // Named unless the source did (a lost server says only what libpq says).
    const std::string& m = read.status().message();
    bool named = m.find(source.Describe()) != std::string::npos || read.status().code() == StatusCode::kCancelled;
    return named ? read.status() : read.status().WithContext("reading the schema of " + source.Describe());
  }
  Schema read_schema = std::move(*read);
  if (options.sink.data_only && !options.existing_target) {
    return Status::InvalidArgument("--data-only needs the target's schema");
  }
  DECANT_ASSIGN_OR_RETURN(MigrationPlan plan,
                          PlanMigration(read_schema, options.select, sink.Traits(),
                                        options.sink.data_only ? options.existing_target : nullptr));
  if (options.sink.strict_objects && !plan.not_carried.empty()) {
    return Status::NotCarried(
        fmt::format("--strict-objects: {} would not be carried to {} (first: {}); "
                    "nothing was written (decant plan lists them)",
                    Counted(plan.not_carried.size(), "object"), plan.target_engine, plan.not_carried.front()));
  }
  if (options.events) options.events->Plan(plan, read_schema);
  SinkOptions sink_options = options.sink;
  if (plan.data_only) {
    for (std::string& t : source.MergedTables()) sink_options.merged_tables.push_back(std::move(t));
  }
  if (!sink_options.source) sink_options.source = plan.data_only ? plan.target_traits : plan.source_traits;
  // The post-data work timed by the kind of each statement the sink runs in
  // Commit (a sink may still call this once the copy returned: then nothing).
  auto committing = std::make_shared<std::atomic<bool>>(false);
  if (options.progress) {
    sink_options.statement_done = [committing, progress = options.progress,
                                   chained = sink_options.statement_done](const std::string& kind) {
      if (*committing) progress->PhaseStep(PostDataPart(kind));
      if (chained) chained(kind);
    };
  }
  if (options.before_begin) DECANT_RETURN_IF_ERROR(options.before_begin(plan.target_schema));
  auto phase = std::chrono::steady_clock::now();
  // Reports the phase that ends now (docs/events.md).
  auto phase_finished = [&](const char* name) {
    auto now = std::chrono::steady_clock::now();
    if (options.events) options.events->PhaseFinished(name, std::chrono::duration<double>(now - phase).count());
    if (options.progress) options.progress->PhaseFinished(name);
    phase = now;
  };
  if (options.progress) options.progress->PhaseStarted("schema", "schema");
  Status st = sink.Begin(plan.target_schema, sink_options);
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  if (std::optional<LoadJournal> resumed = sink.Resumed(); resumed && !resumed->units.empty()) {
    std::string now = source.Identity();
    if (!options.not_consistent && (resumed->source_identity.empty() || now != resumed->source_identity)) {
      sink.Abort();
      if (resumed->source_identity.empty()) {
        return Status::FailedPrecondition(fmt::format(
            "--resume: the interrupted load read {} from a snapshot that ended with it: the rows it committed and "
            "the rows read now may not be one state of the source; add --not-consistent to continue anyway, or "
            "start over with --clean",
            resumed->source.empty() ? source.Describe() : resumed->source));
      }
      return Status::FailedPrecondition(fmt::format(
          "--resume: {} is not what the interrupted load read ({}): it changed since; add --not-consistent to "
          "continue anyway, or start over with --clean",
          source.Describe(), resumed->source));
    }
  }
  phase_finished("schema");

  CopySummary summary;
  summary.upsert = options.sink.upsert;
  size_t jobs = std::max<size_t>(std::min({options.jobs, source.MaxParallelTables(), sink.MaxParallelTables()}), 1);
  if (options.progress && jobs < options.jobs) options.progress->Note(JobsLimit(options.jobs, source, sink));
  // Sources that read in order (a piped archive) get the tables in schema
  // order; --data-only reorders them parents first, which needs a source that
  // can seek (a database or an archive file).
  st = CopyUnits(source, sink, plan, options, jobs, &summary);
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  st = source.Finish();
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  phase_finished("data");
  if (options.progress) {
    options.progress->PhaseStarted(
        "post_data", options.sink.shard == ShardRole::kWorker
                         ? "commit (the coordinator creates keys, indexes and views once every shard is done)"
                         : "post-data (indexes, constraints, views)");
  }
  *committing = true;
  st = sink.Commit();
  *committing = false;
  if (!st.ok()) {
    sink.Abort();
    return st;
  }
  phase_finished("post_data");
  SummarizeCommit(plan, source, sink, &summary);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace decant
