#include "pipeline/shards.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "archive/archive.h"
#include "archive/codec.h"
#include "core/engine_traits.h"
#include "io/file_system.h"
#include "pipeline/interrupt.h"

namespace decant {

namespace {

// Units sorted largest first, so that taking every N-th deals the big ones
// out evenly (stable: equal units stay in table order), as plan units.
std::vector<ShardUnit> ShareOut(const CopyPlan& planned) {
  std::vector<WorkUnit> units = planned.units;
  std::stable_sort(units.begin(), units.end(), [](const WorkUnit& a, const WorkUnit& b) {
    return a.slice.estimate.Weight() > b.slice.estimate.Weight();
  });
  std::vector<ShardUnit> out;
  for (WorkUnit& u : units) {
    const Table& t = planned.plan.target_schema.tables[u.table];
    out.push_back({u.table, QualifiedName(t.schema, t.name), std::move(u.slice)});
  }
  return out;
}

// Waits until `all_there` says every part is there; OK then. Stops with
// what `stop` returns when it returns an error (checked before each wait),
// with Cancelled on a signal and FailedPrecondition after `wait_seconds`.
Status WaitForParts(size_t shards, const std::optional<double>& wait_seconds, const std::string& left,
                    const std::function<std::vector<bool>()>& present, const std::function<Status()>& stop) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<bool> there = present();
    std::vector<size_t> missing;
    for (size_t i = 0; i < there.size(); ++i) {
      if (!there[i]) missing.push_back(i);
    }
    if (missing.empty()) return Status::OK();
    DECANT_RETURN_IF_ERROR(stop());
    DECANT_RETURN_IF_ERROR(
        CheckInterrupted().WithContext(fmt::format("waiting for {} of {} shards ({})", missing.size(), shards, left)));
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (wait_seconds && waited >= *wait_seconds) {
      return Status::FailedPrecondition(
          fmt::format("waited {:.0f} s for the shards: {} of {} have not finished (first: shard {}/{}); {}", waited,
                      missing.size(), shards, missing.front(), shards, left));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// What both ends of a sharded load require of the sink and the options.
Status CheckShardedSink(const Sink& sink, const ShardLoadOptions& options) {
  if (options.copy.sink.data_only) return Status::InvalidArgument("a sharded load cannot be --data-only");
  if (!sink.AcceptsShards()) {
    return Status::InvalidArgument(sink.Describe() + " cannot be loaded by several processes at once");
  }
  return Status::OK();
}

}  // namespace

Status CoordinateShards(Source& source, const ShardCoordinateOptions& options) {
  if (options.shards == 0) return Status::InvalidArgument("--shards must be at least 1");
  DECANT_ASSIGN_OR_RETURN(std::string snapshot, source.SnapshotId());
  size_t jobs = options.shards * std::max<size_t>(options.jobs, 1);
  DECANT_ASSIGN_OR_RETURN(auto planned, PlanCopy(source, options.copy, ArchiveTraits(), jobs));
  ShardPlan plan;
  plan.snapshot = snapshot;
  plan.shards = options.shards;
  plan.units = ShareOut(*planned);
  DECANT_RETURN_IF_ERROR(BeginShardedArchive(options.output, planned->plan.target_schema, &plan));
  if (options.planned) options.planned(plan);
  DECANT_RETURN_IF_ERROR(WaitForParts(
      plan.shards, options.wait_seconds, PartialPath(options.output) + " is left as it is",
      [&] { return ShardPartsPresent(options.output, plan.shards); }, [] { return Status::OK(); }));
  if (options.copy.progress) options.copy.progress->Note("every shard is done; joining their parts");
  return JoinShards(options.output);
}

Result<ShardWork> OpenShard(const ShardPlan& plan, const std::string& output, size_t index, int zstd_level) {
  if (index >= plan.shards) {
    return Status::InvalidArgument(fmt::format("shard {} is not one of the plan's {} shards", index, plan.shards));
  }
  ArchiveWriteOptions wo;
  wo.form = ArchiveForm::kDirectory;
  wo.zstd_level = zstd_level;
  wo.shard_index = index;
  wo.shard_count = plan.shards;
  wo.shard_units = plan.UnitsOf(index);
  ShardWork work;
  for (size_t u : wo.shard_units) work.units.push_back({plan.units[u].table, plan.units[u].slice});
  DECANT_ASSIGN_OR_RETURN(work.sink, OpenArchiveSink(output, wo));
  return work;
}

Result<CopySummary> CoordinateShardedLoad(Source& source, Sink& sink, const ShardLoadOptions& options) {
  if (options.shards == 0) return Status::InvalidArgument("--shards must be at least 1");
  DECANT_RETURN_IF_ERROR(CheckShardedSink(sink, options));
  auto start = std::chrono::steady_clock::now();
  DECANT_ASSIGN_OR_RETURN(std::string snapshot, source.SnapshotId());
  size_t jobs = options.shards * std::max<size_t>(options.jobs, 1);
  DECANT_ASSIGN_OR_RETURN(auto planned, PlanCopy(source, options.copy, sink.Traits(), jobs));
  const MigrationPlan& mplan = planned->plan;
  ShardPlan plan;
  plan.snapshot = snapshot;
  plan.shards = options.shards;
  plan.units = ShareOut(*planned);

  SinkOptions sink_options = options.copy.sink;
  sink_options.shard = ShardRole::kCoordinator;
  if (!sink_options.source) sink_options.source = mplan.source_traits;
  DECANT_RETURN_IF_ERROR(ReserveShardedLoad(options.state));
  if (Status st = sink.Begin(mplan.target_schema, sink_options); !st.ok()) {
    sink.Abort();
    (void)FileSystem::Default()->Remove(options.state);  // nothing in it yet
    return st;
  }
  // From here on a failure drops what Begin created, rows and all, and says so.
  auto fail = [&](const Status& st) {
    sink.Abort();
    return Status(st.code(), st.message() + "; the tables this load created were dropped");
  };
  // The tables are committed before the plan appears: a worker that finds
  // the plan finds the tables.
  if (Status st = BeginShardedLoad(options.state, mplan.target_schema, &plan); !st.ok()) return fail(st);
  if (options.planned) options.planned(plan);
  std::string left = options.state + " is left as it is";
  Status waited = WaitForParts(
      plan.shards, options.wait_seconds, left, [&] { return LoadShardPartsPresent(options.state, plan.shards); },
      [&]() -> Status {
        auto failed = LoadShardFailure(options.state, plan.shards);
        if (!failed) return Status::OK();
        return Status::FailedPrecondition(
            fmt::format("shard {}/{} failed: {}; {}", failed->first, plan.shards, failed->second, left));
      });
  if (!waited.ok()) return fail(waited);
  auto parts = ReadLoadShardParts(options.state, plan, mplan.target_schema.tables.size());
  if (!parts.ok()) return fail(parts.status());
  if (Status st = source.Finish(); !st.ok()) return fail(st);
  if (options.copy.progress) {
    options.copy.progress->Note("every shard is done; creating indexes, views, triggers and sequences; committing");
  }
  if (Status st = sink.Commit(); !st.ok()) return fail(st);

  CopySummary summary;
  for (size_t t = 0; t < mplan.tables.size(); ++t) {
    TableCopyStats stats;
    stats.table = QualifiedName(mplan.tables[t].read->schema, mplan.tables[t].read->name);
    for (const ShardPart& p : *parts) {
      stats.rows += p.table_rows[t];
      stats.bytes += p.table_bytes[t];
    }
    summary.rows += stats.rows;
    summary.bytes += stats.bytes;
    summary.tables.push_back(std::move(stats));
  }
  SummarizeCommit(mplan, source, sink, &summary);
  Status removed = FileSystem::Default()->Remove(options.state);
  if (!removed.ok()) summary.notes.push_back("could not remove the state directory: " + removed.message());
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

Result<CopySummary> RunLoadShard(Source& source, Sink& sink, const ShardPlan& plan, size_t index,
                                 const ShardLoadOptions& options) {
  if (index >= plan.shards) {
    return Status::InvalidArgument(fmt::format("shard {} is not one of the plan's {} shards", index, plan.shards));
  }
  DECANT_RETURN_IF_ERROR(CheckShardedSink(sink, options));
  ShardPart part;
  part.shard = index;
  part.shards = plan.shards;
  part.snapshot = plan.snapshot;
  part.uuid = plan.uuid;
  part.attempt = fmt::format("run-{}-{}", index, UuidToString(NewRandomUuid()).substr(0, 8));
  part.units = plan.UnitsOf(index);
  std::vector<WorkUnit> units;
  for (size_t u : part.units) units.push_back({plan.units[u].table, plan.units[u].slice});
  CopyOptions copy = options.copy;
  copy.jobs = std::max<size_t>(options.jobs, 1);
  copy.units = &units;
  copy.sink.shard = ShardRole::kWorker;
  // Claimed just before the sink begins: a failure before that (the
  // source, the snapshot, the schema) wrote no row, and the shard may run again.
  bool claimed = false;
  copy.before_begin = [&](const Schema& schema) {
    DECANT_RETURN_IF_ERROR(CheckLoadShardTables(options.state, plan, schema));
    DECANT_RETURN_IF_ERROR(ClaimLoadShard(options.state, index, plan.shards, part.attempt));
    claimed = true;
    return Status::OK();
  };
  Result<CopySummary> summary = CopyDatabase(source, sink, copy);
  if (!summary.ok() && !claimed) return summary.status();
  if (summary.ok()) {
    for (const TableCopyStats& t : summary->tables) {
      part.table_rows.push_back(t.rows);
      part.table_bytes.push_back(t.bytes);
    }
    Status st = WriteLoadShardPart(options.state, part);
    if (st.ok()) return summary;
    summary = st;
  }
  Status recorded = WriteLoadShardFailure(options.state, index, summary.status().message());
  if (!recorded.ok()) {
    return summary.status().WithContext("and the coordinator was not told (" + recorded.message() + ")");
  }
  return summary.status();
}

}  // namespace decant
