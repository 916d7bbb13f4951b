#include "pipeline/shards.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "archive/archive.h"
#include "core/engine_traits.h"
#include "pipeline/interrupt.h"

namespace decant {

Status CoordinateShards(Source& source, const ShardCoordinateOptions& options) {
  if (options.shards == 0) return Status::InvalidArgument("--shards must be at least 1");
  DECANT_ASSIGN_OR_RETURN(std::string snapshot, source.SnapshotId());
  size_t jobs = options.shards * std::max<size_t>(options.jobs, 1);
  DECANT_ASSIGN_OR_RETURN(auto planned, PlanCopy(source, options.copy, ArchiveTraits(), jobs));
  // Largest first, so that taking every N-th unit deals the big ones out
  // evenly (the sort is stable: equal units stay in table order).
  std::vector<WorkUnit> units = planned->units;
  std::stable_sort(units.begin(), units.end(), [](const WorkUnit& a, const WorkUnit& b) {
    return a.slice.estimate.Weight() > b.slice.estimate.Weight();
  });
  ShardPlan plan;
  plan.snapshot = snapshot;
  plan.shards = options.shards;
  const Schema& schema = planned->plan.target_schema;
  for (WorkUnit& u : units) {
    const Table& t = schema.tables[u.table];
    plan.units.push_back({u.table, QualifiedName(t.schema, t.name), std::move(u.slice)});
  }
  DECANT_RETURN_IF_ERROR(BeginShardedArchive(options.output, schema, &plan));
  if (options.planned) options.planned(plan);

  auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<bool> present = ShardPartsPresent(options.output, plan.shards);
    std::vector<size_t> missing;
    for (size_t i = 0; i < present.size(); ++i) {
      if (!present[i]) missing.push_back(i);
    }
    if (missing.empty()) break;
    DECANT_RETURN_IF_ERROR(
        CheckInterrupted().WithContext(fmt::format("waiting for {} of {} shards ({} is left as it is)", missing.size(),
                                                   plan.shards, PartialPath(options.output))));
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.wait_seconds && waited >= *options.wait_seconds) {
      return Status::FailedPrecondition(fmt::format(
          "waited {:.0f} s for the shards: {} of {} have not finished (first: shard {}/{}); {} is left as it is",
          waited, missing.size(), plan.shards, missing.front(), plan.shards, PartialPath(options.output)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
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

}  // namespace decant
