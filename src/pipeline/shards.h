// Shards for many machines (docs/scale.md): one coordinator plans an export
// from a snapshot it holds open; N workers, on this machine or others, each
// copy every N-th unit of work from that snapshot into their part of one
// directory archive; the coordinator joins the parts (archive/shards.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/shards.h"
#include "core/endpoint.h"
#include "pipeline/copy.h"

namespace decant {

struct ShardCoordinateOptions {
  std::string output;  // the archive directory to build
  size_t shards = 1;   // N
  size_t jobs = 1;     // readers per shard: tables are split into up to N * jobs slices
  // select and strict_objects apply; the workers must be given the same.
  CopyOptions copy;
  // How long to wait for the parts, in seconds; none: as long as it takes.
  std::optional<double> wait_seconds;
  // Called once the plan is on disk, before waiting: the snapshot's ID and
  // the plan (the CLI prints the ID).
  std::function<void(const ShardPlan&)> planned;
};

// Coordinator: takes `source`'s snapshot ID (Source::SnapshotId: sources that
// cannot share one fail with its InvalidArgument), plans the units once
// (PlanCopy, largest first, so that every N-th unit spreads the work),
// writes <output>.partial/ with schema.json and the plan
// (BeginShardedArchive), then waits, keeping `source` (and so its snapshot)
// open, until every shard's part is there, and joins them (JoinShards).
// Waiting stops with Cancelled on a signal and with FailedPrecondition, naming
// the shards missing, after wait_seconds; either leaves <output>.partial.
Status CoordinateShards(Source& source, const ShardCoordinateOptions& options);

// A worker's share: the sink writing shard `index` of `plan` (ReadShardPlan
// of `output`) into its part of `output` (OpenArchiveSink with the shard
// options), and its units, for CopyOptions::units. The copy must read from a
// Source on the plan's snapshot (EndpointOptions::snapshot), with the
// coordinator's select options.
struct ShardWork {
  std::unique_ptr<Sink> sink;
  std::vector<WorkUnit> units;
};
Result<ShardWork> OpenShard(const ShardPlan& plan, const std::string& output, size_t index, int zstd_level);

// ---- Sharded loads: decant migrate --coordinate / --shard I/N -------------

struct ShardLoadOptions {
  std::string state;  // the state directory every process reaches (archive/shards.h, "Sharded loads")
  size_t shards = 1;  // N
  size_t jobs = 1;    // connections per process: tables are split into up to N * jobs slices
  // sink (mode, strict_objects), select, strict and progress apply; the workers
  // must be given the same select options. sink.shard and units are set here.
  CopyOptions copy;
  // How long to wait for the workers, in seconds; none: as long as it takes.
  std::optional<double> wait_seconds;
  // Called once the tables are created and the plan is on disk, before waiting.
  std::function<void(const ShardPlan&)> planned;
};

// Coordinator of a sharded load: takes `source`'s snapshot ID, plans the
// units (as CoordinateShards), begins `sink` as ShardRole::kCoordinator (the
// load protocol: a non-empty target is refused unless --clean or --append;
// the tables are created and committed), writes the plan to the state
// directory (BeginShardedLoad), then waits, holding the snapshot, until every
// worker's part is there (ReadLoadShardParts checks them) and commits the
// sink: keys, indexes, sequence values, views. The summary's rows per table
// are the parts'. A worker's failure file, a signal (Cancelled), the wait
// timeout (FailedPrecondition naming the missing shards), or a failure of the
// parts or the commit aborts the sink (the tables this load created are
// dropped, with every worker's rows) and leaves the state directory; success
// removes it.
Result<CopySummary> CoordinateShardedLoad(Source& source, Sink& sink, const ShardLoadOptions& options);

// Worker `index` of the sharded load whose plan is `plan` (ReadLoadShardPlan
// of options.state): claims the shard (ClaimLoadShard: a shard that was
// started before is refused; claimed once its tables check out, just before
// the sink begins), copies its units (plan.UnitsOf(index)) from
// `source`, which must read the plan's snapshot, into `sink` as
// ShardRole::kWorker, after checking its tables against the coordinator's,
// then publishes its part. A failure after the claim is recorded for the
// coordinator (WriteLoadShardFailure) and returned.
Result<CopySummary> RunLoadShard(Source& source, Sink& sink, const ShardPlan& plan, size_t index,
                                 const ShardLoadOptions& options);

}  // namespace decant
