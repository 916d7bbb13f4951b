// CopyDatabase: the one pipeline behind export, import and migrate.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "pipeline/events.h"
#include "pipeline/plan.h"
#include "pipeline/progress.h"
#include "pipeline/row_converter.h"
#include "pipeline/selection.h"

namespace decant {

// One unit of work: a slice of the table MigrationPlan::tables[table].
struct WorkUnit {
  size_t table = 0;
  TableSlice slice;
};

struct CopyOptions {
  SinkOptions sink;
  // May be null. Told the phases (schema: Sink::Begin; data: the rows;
  // post_data: Sink::Commit, its parts "indexes", "constraints", "views" and
  // "other objects" by the kind of each statement the sink reports through
  // SinkOptions::statement_done), every table with
  // the source's estimate of its size before the data, each table's start,
  // batches and end live whatever the number of jobs, and, in one line, an
  // end that allows fewer units at once than `jobs` (naming it).
  Progress* progress = nullptr;
  // --json-log (may be null): the plan, each table's start, progress and
  // end (with any number of jobs), and the phases schema (Sink::Begin),
  // data (the rows) and post_data (Sink::Commit: indexes, constraints,
  // views, triggers, sequences, which the sinks do not time separately).
  EventLog* events = nullptr;
  // Units of work (table, slice) copied at once, each by its own reader and
  // writer; capped by what the source and the sink allow (MaxParallelTables).
  // With more than one, tables are split as the source allows and the units
  // run largest first (by the source's estimates; --data-only keeps the
  // parents-first order).
  size_t jobs = 1;
  // Stop at the first value the target cannot hold exactly (DataLoss),
  // leaving the target as it was; otherwise convert it and count it.
  bool strict = false;
  // With sink.data_only: the target's own schema (read before loading), into
  // whose tables rows go by table and column name.
  const Schema* existing_target = nullptr;
  // --table / --exclude-table / --rename.
  SelectOptions select;
  // Called after each batch is written to the sink, from the thread that
  // wrote it (several at once with jobs > 1); may be empty. A test hook: the
  // CLI's end-to-end tests interrupt the copy at a deterministic point with it.
  std::function<void()> after_batch;
  // A shard's work (docs/scale.md): when set, exactly these units are copied,
  // as given: never split or planned again. They are what PlanCopy returned
  // in another process, from the same snapshot and the same options, so
  // `table` indexes this copy's plan tables; a unit whose table index is out
  // of range is InvalidArgument. Tables without a unit here are not read
  // (the sink still receives every table in Begin). Units run largest first
  // (by their slices' estimates) with jobs > 1. Null: planned from `jobs`.
  const std::vector<WorkUnit>* units = nullptr;
  // Called with the schema the sink is about to be begun with (the plan's
  // target schema), before anything is written; an error ends the copy with
  // it, the sink untouched. A shard worker checks its tables against the
  // coordinator's with it. May be empty.
  std::function<Status(const Schema&)> before_begin;
  // With sink.resume, when the source cannot tell that it holds what the
  // interrupted load read (Source::Identity empty or different): continue
  // anyway (--not-consistent) instead of refusing with FailedPrecondition.
  bool not_consistent = false;
};

struct TableCopyStats {
  std::string table;  // qualified name
  uint64_t rows = 0;
  uint64_t bytes = 0;
  // With options.sink.upsert: of `rows`, those that replaced a row with the
  // same key (TableWriter::Updated) and those added; inserted + updated ==
  // rows. Both 0 otherwise.
  uint64_t inserted = 0, updated = 0;
  std::vector<ColumnConversions> conversions;
};

struct CopySummary {
  std::vector<TableCopyStats> tables;
  std::vector<ColumnConversions> conversions;
  // Objects of the source the target did not get, each once: what the plan
  // said would not be carried, then what the target refused (Sink::Report).
  std::vector<std::string> not_carried;
  std::vector<std::string> notes;  // what the table selection dropped or could not rewrite
  // Objects the sink reports it created, never what it skipped or was refused
  // (sequences: the sequences and counters it set).
  size_t indexes = 0, views = 0, triggers = 0, sequences = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  // With options.sink.upsert (upsert true): the tables' inserted and updated
  // rows summed; inserted + updated == rows.
  bool upsert = false;
  uint64_t inserted = 0, updated = 0;
  double seconds = 0;
  // With sink.resume, when the sink resumed an interrupted load: its units
  // (every unit of the load), those it had committed, and their rows (in
  // `rows` too). 0 otherwise.
  size_t units = 0, resumed_units = 0;
  uint64_t resumed_rows = 0;
  std::string target_version;  // Sink::ServerVersion(), "" for a file
};

// Reads the schema and every table of `source` and writes them to `sink`.
// Each unit's rows are read on a worker thread and handed to the sink
// through a bounded queue, so memory stays bounded whatever the table size.
// Progress and the summary are per table: a table read in several slices is
// reported once, when all its slices are written.
// On any error the sink is aborted (nothing is left looking complete) and the
// error is returned with the table it happened in; Sink::Left() then says
// what the target holds.
// A sink that loads in parts (Sink::Journaled) gets the planned units
// (StartJournal) before the first row, and a writer per unit (OpenUnit). With
// options.sink.resume a sink that found an interrupted load's journal
// (Sink::Resumed) continues it: its units, as planned then, that did not
// commit are copied; the journal must name this plan's tables, and the
// source must say it holds what was read then (Source::Identity) unless
// options.not_consistent; a table whose source count is exact
// (TableSize::exact) must then hold exactly that many rows (DataLoss). With
// options.sink.strict_objects, an object the plan says will not be carried
// fails the copy with NotCarried before the sink is begun (nothing written).
Result<CopySummary> CopyDatabase(Source& source, Sink& sink, const CopyOptions& options);

// What a failed copy left in `sink`'s target (Sink::Left, once it was
// aborted) and what continues it, for the end of the error line
// (docs/reliability.md): "TARGET is as it was", "TARGET is partly written:
// the same command with --resume continues it; ...". After a signal, whose
// own line says nothing is left looking complete, only a partly written
// target is named ("" otherwise).
std::string LeftSentence(const Sink& sink);

// The end of a copy's summary, once `sink` committed: the conversions of
// summary->tables gathered, what was not carried (the plan's, then what the
// sink reports refused), the source's and the plan's notes, and the counts
// of objects the sink created. (CopyDatabase, and a sharded load's
// coordinator, which copies no rows itself.)
void SummarizeCommit(const MigrationPlan& plan, Source& source, const Sink& sink, CopySummary* summary);

// What CopyDatabase would copy, planned without copying anything: a shard
// coordinator's plan. `read` is the source's schema, `plan` the tables (it
// points into `read`), `units` every unit of work, each table split by
// Source::SplitTable into at most `jobs` slices (whole tables with one job).
struct CopyPlan {
  Schema read;
  MigrationPlan plan;
  std::vector<WorkUnit> units;
};

// Reads `source`'s schema and plans its copy into a sink of `target` traits
// with options.select (options.sink.data_only is not supported here:
// InvalidArgument), splitting tables for `jobs` readers in all. Errors as
// CopyDatabase's before it writes (NotCarried with strict_objects included).
Result<std::unique_ptr<CopyPlan>> PlanCopy(Source& source, const CopyOptions& options, const EngineTraits& target,
                                           size_t jobs);

}  // namespace decant
