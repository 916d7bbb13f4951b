// Sharded directory archives: N processes (on one machine or many) each write
// a part of one directory archive, all reading one exported snapshot; a
// coordinator plans the work, waits for the parts and joins them into an
// ordinary directory archive (docs/scale.md; the files: "Shard files" in
// docs/archive-format.md).
//
// Layout while the shards run, under <dir>.partial/ (the directory form's
// own build directory):
//   schema.json                      written by the coordinator, as the directory form
//   shards/plan.json                 the plan (ShardPlan), written by the coordinator
//   shards/<attempt>/data/*.chunk    one worker run's chunks (names as the directory form's)
//   shards/part-I.json               shard I's part (ShardPart), renamed into place last
// JoinShards turns that into <dir>/ with manifest.json and data/, and removes shards/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/endpoint.h"
#include "core/schema.h"
#include "core/status.h"
#include "io/file_system.h"

namespace decant {

// Value of the plan's and the parts' "format" keys, and their version (a
// reader refuses another version: the files live only as long as one run).
inline constexpr char kShardPlanFormat[] = "decant-shard-plan";
inline constexpr char kShardPartFormat[] = "decant-shard-part";
inline constexpr int kShardFilesVersion = 1;

// One unit of work of the plan: a slice of one table.
struct ShardUnit {
  size_t table = 0;  // index into the schema's tables (schema.json)
  std::string name;  // the table's qualified name, which workers check
  TableSlice slice;  // as the coordinator's Source::SplitTable returned it
};

struct ShardPlan {
  std::string snapshot;          // Source::SnapshotId of the coordinator
  std::string uuid;              // the archive's UUID (text), which every chunk carries
  size_t shards = 0;             // N
  uint64_t schema_checksum = 0;  // XXH3-64 of schema.json
  std::vector<ShardUnit> units;

  // The units (indexes into `units`) shard `index` runs: u % shards == index.
  std::vector<size_t> UnitsOf(size_t index) const;
};

// One shard's finished part.
struct ShardPartChunk {
  uint32_t table = 0;  // index into the schema's tables
  uint32_t seq = 0;    // the chunk's number within this part's chunks of the table
  uint64_t rows = 0;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t checksum = 0;  // of the chunk record as the worker wrote it
};

struct ShardPart {
  size_t shard = 0;
  size_t shards = 0;
  std::string snapshot;
  std::string uuid;
  std::string attempt;                 // the directory under shards/ holding its chunks
  std::vector<size_t> units;           // the plan's units it copied, in full
  std::vector<ShardPartChunk> chunks;  // per table in seq order (archives)
  std::vector<uint64_t> table_rows;    // rows loaded per table of the schema (loads); empty for archives
  std::vector<uint64_t> table_bytes;   // and their payload bytes, as the summary counts them (loads)
};

// <dir>.partial/shards, and the plan and part files in it, for the archive at `dir`.
std::string ShardsDir(const std::string& dir);
std::string ShardPlanPath(const std::string& dir);
std::string ShardPartPath(const std::string& dir, size_t shard);

// Coordinator: creates <dir>.partial/ with schema.json (`schema`, the schema
// the archive holds) and shards/plan.json, every file fsynced. Sets
// plan->uuid (a new one) and plan->schema_checksum; the rest of `plan` is the
// caller's. Refuses (FailedPrecondition) an existing <dir> or <dir>.partial.
Status BeginShardedArchive(const std::string& dir, const Schema& schema, ShardPlan* plan,
                           FileSystem* fs = FileSystem::Default());

// The plan of the sharded archive at `dir` (NotFound without one;
// Corruption when it does not parse).
Result<ShardPlan> ReadShardPlan(const std::string& dir, FileSystem* fs = FileSystem::Default());

// Worker: OK when `schema` has the tables of the sharded archive at `dir`
// (its schema.json, checked against `plan`): the same tables in the same
// order, each with the same columns (names, logical types, generated or
// not), so that its chunks fit them. The rest may differ (a sequence's value
// is read outside any snapshot); the archive keeps the coordinator's.
// FailedPrecondition naming the first difference.
Status CheckShardTables(const std::string& dir, const ShardPlan& plan, const Schema& schema,
                        FileSystem* fs = FileSystem::Default());

// Worker: publishes `part` as shards/part-I.json (written beside, fsynced,
// renamed into place, the directory fsynced), after its chunks were fsynced.
// FailedPrecondition when the part file exists already (another run of the
// shard finished first).
Status WriteShardPart(const std::string& dir, const ShardPart& part, FileSystem* fs = FileSystem::Default());

// Which of the plan's parts are there now.
std::vector<bool> ShardPartsPresent(const std::string& dir, size_t shards, FileSystem* fs = FileSystem::Default());

// Coordinator, once every part is there: checks that each part belongs to
// this plan (snapshot, UUID, shard count and number) and did exactly its
// units, that together they did every unit once, and every chunk (checksum,
// UUID, table, number, sizes); gives each table's chunks their final numbers
// (parts in shard order, each part's chunks in its order), moving them into
// data/ (a renumbered chunk's header and record checksum are rewritten);
// writes manifest.json last and publishes <dir>.partial as <dir>. A missing,
// foreign or inconsistent part is FailedPrecondition, a damaged chunk
// Corruption; either leaves <dir>.partial as it was, for inspection (chunks
// moved so far stay valid under their new names).
Status JoinShards(const std::string& dir, FileSystem* fs = FileSystem::Default());

// ---- Sharded loads ----------------------------------------------------------
// decant migrate --coordinate / --shard I/N (docs/scale.md): N processes load
// one target from one snapshot. The same plan and part files as above, in a
// state directory every process reaches (no archive around them):
//   <state>/schema.json                  the coordinator's plan's target schema
//   <state>/shards/plan.json             the plan
//   <state>/shards/claim-I-<attempt>     a run of worker I began (its rows may be in the target)
//   <state>/shards/failed-I.json         worker I failed, with its error (the coordinator stops)
//   <state>/shards/part-I.json           worker I's part: its units, rows and bytes per table

std::string LoadShardPlanPath(const std::string& state);
std::string LoadShardPartPath(const std::string& state, size_t shard);

// Coordinator, before it touches the target: creates the directory `state`
// (FailedPrecondition when it exists: another run's).
Status ReserveShardedLoad(const std::string& state, FileSystem* fs = FileSystem::Default());
// Coordinator, once the target's tables are committed: writes schema.json and
// shards/plan.json into the reserved `state`, as BeginShardedArchive does.
Status BeginShardedLoad(const std::string& state, const Schema& schema, ShardPlan* plan,
                        FileSystem* fs = FileSystem::Default());
// As ReadShardPlan and CheckShardTables, for a load's state directory.
Result<ShardPlan> ReadLoadShardPlan(const std::string& state, FileSystem* fs = FileSystem::Default());
Status CheckLoadShardTables(const std::string& state, const ShardPlan& plan, const Schema& schema,
                            FileSystem* fs = FileSystem::Default());
// Worker, before it writes a row: records that run `attempt` of shard
// `shard` began. FailedPrecondition when another run of the shard began
// before (or begins at the same time): a load commits as it goes, so the
// shard's rows may be partly in the target and running it again would load
// them twice.
Status ClaimLoadShard(const std::string& state, size_t shard, size_t shards, const std::string& attempt,
                      FileSystem* fs = FileSystem::Default());
// Worker: publishes its part (as WriteShardPart), once its rows are committed.
Status WriteLoadShardPart(const std::string& state, const ShardPart& part, FileSystem* fs = FileSystem::Default());
// Worker: records that shard `shard` failed with `message`, so that the
// coordinator stops instead of waiting.
Status WriteLoadShardFailure(const std::string& state, size_t shard, const std::string& message,
                             FileSystem* fs = FileSystem::Default());
std::vector<bool> LoadShardPartsPresent(const std::string& state, size_t shards,
                                        FileSystem* fs = FileSystem::Default());
// The first shard that recorded a failure, and its message; none: none did.
std::optional<std::pair<size_t, std::string>> LoadShardFailure(const std::string& state, size_t shards,
                                                               FileSystem* fs = FileSystem::Default());
// Coordinator, once every part is there: each part checked as JoinShards
// checks them (this plan's, exactly its units, every unit once), each with
// rows for `tables` tables. FailedPrecondition otherwise.
Result<std::vector<ShardPart>> ReadLoadShardParts(const std::string& state, const ShardPlan& plan, size_t tables,
                                                  FileSystem* fs = FileSystem::Default());

}  // namespace decant
