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

}  // namespace decant
