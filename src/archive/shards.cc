// Sharded directory archives: the plan and part files, and the join.
#include "archive/shards.h"

#include <fmt/format.h>

#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "archive/codec.h"
#include "archive/format.h"
#include "archive/metadata.h"
#include "core/hex.h"
#include "core/plural.h"
#include "core/version.h"

namespace decant {
namespace {

using Json = nlohmann::ordered_json;

// The plan and part files are small; anything larger is not one of them.
constexpr uint64_t kMaxShardFileBytes = 1ull << 30;

Result<std::string> ReadWhole(FileSystem* fs, const std::string& path, uint64_t max) {
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewRandomAccessFile(path));
  uint64_t size = f->Size();
  if (size > max) return Status::Corruption(fmt::format("{} is larger than {} bytes", path, max));
  std::string data(size, '\0');
  if (size > 0) DECANT_RETURN_IF_ERROR(f->ReadAt(0, size, data.data()));
  return data;
}

uint64_t ParseHex64(const std::string& hex) {
  std::optional<uint64_t> v = ParseChecksumHex(hex);
  if (!v) throw std::runtime_error("checksum '" + hex + "' is not 16 hex digits");
  return *v;
}

void CheckFormat(const Json& j, const char* format) {
  if (!j.is_object() || j.value("format", "") != format) throw std::runtime_error(std::string("not a ") + format);
  if (j.at("version").get<int>() != kShardFilesVersion) {
    throw std::runtime_error(
        fmt::format("version {} (this decant reads {})", j.at("version").get<int>(), kShardFilesVersion));
  }
}

std::string PlanToJson(const ShardPlan& p) {
  Json j = Json::object();
  j["format"] = kShardPlanFormat;
  j["version"] = kShardFilesVersion;
  j["snapshot"] = p.snapshot;
  j["archive_uuid"] = p.uuid;
  j["shards"] = p.shards;
  j["schema_checksum"] = ChecksumHex(p.schema_checksum);
  Json units = Json::array();
  for (const ShardUnit& u : p.units) {
    Json uj = Json::object();
    uj["table"] = u.table;
    uj["name"] = ToHex(u.name);  // names need not be UTF-8
    uj["slice"] = u.slice.index;
    uj["slices"] = u.slice.count;
    uj["bounds"] = ToHex(u.slice.bounds);  // opaque bytes of the source
    uj["label"] = ToHex(u.slice.label);
    if (u.slice.estimate.rows) uj["rows"] = *u.slice.estimate.rows;
    if (u.slice.estimate.bytes) uj["bytes"] = *u.slice.estimate.bytes;
    units.push_back(std::move(uj));
  }
  j["units"] = std::move(units);
  return j.dump(1) + "\n";
}

std::string FromHex(const Json& j, const char* key) {
  std::string out;
  if (!AppendDecodedHex(j.at(key).get<std::string>(), &out)) throw std::runtime_error(std::string(key) + " is not hex");
  return out;
}

ShardPlan PlanFromJson(const std::string& text) {
  Json j = Json::parse(text);
  CheckFormat(j, kShardPlanFormat);
  ShardPlan p;
  p.snapshot = j.at("snapshot").get<std::string>();
  p.uuid = j.at("archive_uuid").get<std::string>();
  p.shards = j.at("shards").get<size_t>();
  if (p.shards == 0) throw std::runtime_error("shards is 0");
  p.schema_checksum = ParseHex64(j.at("schema_checksum").get<std::string>());
  for (const Json& uj : j.at("units")) {
    ShardUnit u;
    u.table = uj.at("table").get<size_t>();
    u.name = FromHex(uj, "name");
    u.slice.index = uj.at("slice").get<size_t>();
    u.slice.count = uj.at("slices").get<size_t>();
    u.slice.bounds = FromHex(uj, "bounds");
    u.slice.label = FromHex(uj, "label");
    if (uj.contains("rows")) u.slice.estimate.rows = uj["rows"].get<uint64_t>();
    if (uj.contains("bytes")) u.slice.estimate.bytes = uj["bytes"].get<uint64_t>();
    p.units.push_back(std::move(u));
  }
  return p;
}

std::string PartToJson(const ShardPart& p) {
  Json j = Json::object();
  j["format"] = kShardPartFormat;
  j["version"] = kShardFilesVersion;
  j["shard"] = p.shard;
  j["shards"] = p.shards;
  j["snapshot"] = p.snapshot;
  j["archive_uuid"] = p.uuid;
  j["attempt"] = p.attempt;
  j["units"] = p.units;
  Json chunks = Json::array();
  for (const ShardPartChunk& c : p.chunks) {
    Json cj = Json::object();
    cj["table"] = c.table;
    cj["seq"] = c.seq;
    cj["rows"] = c.rows;
    cj["compressed_bytes"] = c.compressed_bytes;
    cj["uncompressed_bytes"] = c.uncompressed_bytes;
    cj["checksum"] = ChecksumHex(c.checksum);
    chunks.push_back(std::move(cj));
  }
  j["chunks"] = std::move(chunks);
  if (!p.table_rows.empty()) j["table_rows"] = p.table_rows;
  if (!p.table_bytes.empty()) j["table_bytes"] = p.table_bytes;
  return j.dump(1) + "\n";
}

ShardPart PartFromJson(const std::string& text) {
  Json j = Json::parse(text);
  CheckFormat(j, kShardPartFormat);
  ShardPart p;
  p.shard = j.at("shard").get<size_t>();
  p.shards = j.at("shards").get<size_t>();
  p.snapshot = j.at("snapshot").get<std::string>();
  p.uuid = j.at("archive_uuid").get<std::string>();
  p.attempt = j.at("attempt").get<std::string>();
  p.units = j.at("units").get<std::vector<size_t>>();
  for (const Json& cj : j.at("chunks")) {
    ShardPartChunk c;
    c.table = cj.at("table").get<uint32_t>();
    c.seq = cj.at("seq").get<uint32_t>();
    c.rows = cj.at("rows").get<uint64_t>();
    c.compressed_bytes = cj.at("compressed_bytes").get<uint64_t>();
    c.uncompressed_bytes = cj.at("uncompressed_bytes").get<uint64_t>();
    c.checksum = ParseHex64(cj.at("checksum").get<std::string>());
    p.chunks.push_back(c);
  }
  if (j.contains("table_rows")) p.table_rows = j["table_rows"].get<std::vector<uint64_t>>();
  if (j.contains("table_bytes")) p.table_bytes = j["table_bytes"].get<std::vector<uint64_t>>();
  // An attempt names a directory under shards/, never a path elsewhere.
  if (p.attempt.empty() || p.attempt.find('/') != std::string::npos || p.attempt[0] == '.') {
    throw std::runtime_error("attempt '" + p.attempt + "' is not a directory name");
  }
  return p;
}

// A chunk of a part on its way into the archive.
struct JoinChunk {
  std::string from;  // its file under the part's attempt directory
  uint32_t table = 0;
  uint32_t local_seq = 0;
  uint32_t final_seq = 0;
  ShardPartChunk info;
};

// Reads the chunk record at c.from and checks it against what its part says
// and the archive's UUID: frame checksum, chunk header, sizes.
Result<std::string> ReadCheckedChunk(FileSystem* fs, const JoinChunk& c, const ArchiveUuid& uuid, size_t columns) {
  DECANT_ASSIGN_OR_RETURN(std::string rec, ReadWhole(fs, c.from, kRecordHeaderSize + kMaxChunkRecordBytes));
  std::string what = fmt::format("shard chunk {}", c.from);
  if (rec.size() < kRecordHeaderSize + kChunkHeaderSize) return Status::Corruption(what + " is truncated");
  RecordHeader h = DecodeRecordHeader(rec.data());
  std::string_view payload(rec.data() + kRecordHeaderSize, rec.size() - kRecordHeaderSize);
  if (h.type != static_cast<uint8_t>(RecordType::kChunk) || h.length != payload.size()) {
    return Status::Corruption(what + " is not one chunk record");
  }
  if (RecordChecksum(rec.data(), payload) != h.checksum || h.checksum != c.info.checksum) {
    return Status::Corruption("checksum mismatch in " + what);
  }
  ChunkHeader ch = DecodeChunkHeader(payload.data());
  if (ch.uuid != uuid || ch.table_index != c.table || ch.seq != c.local_seq || ch.rows != c.info.rows ||
      ch.columns != columns || ch.uncompressed_bytes != c.info.uncompressed_bytes ||
      payload.size() - kChunkHeaderSize != c.info.compressed_bytes) {
    return Status::Corruption(what + ": its header does not match its part file");
  }
  return rec;
}

}  // namespace

std::vector<size_t> ShardPlan::UnitsOf(size_t index) const {
  std::vector<size_t> out;
  for (size_t u = index; shards > 0 && u < units.size(); u += shards) out.push_back(u);
  return out;
}

namespace {

// Where a run's files are: `root` holds schema.json and shards/ (an
// archive's <dir>.partial, or a sharded load's state directory).
std::string ShardsIn(const std::string& root) { return JoinPath(root, "shards"); }
std::string PlanIn(const std::string& root) { return JoinPath(ShardsIn(root), "plan.json"); }
std::string PartIn(const std::string& root, size_t shard) {
  return JoinPath(ShardsIn(root), fmt::format("part-{}.json", shard));
}

// schema.json and shards/plan.json under `root` (which exists), fsynced;
// sets plan->uuid and plan->schema_checksum.
Status WritePlanFiles(FileSystem* fs, const std::string& root, const Schema& schema, ShardPlan* plan) {
  if (schema.tables.size() > UINT32_MAX) return Status::InvalidArgument("too many tables for an archive");
  std::string schema_json = SchemaToJson(schema);
  if (schema_json.size() > kMaxMetadataBytes) return Status::InvalidArgument("schema too large for an archive");
  plan->schema_checksum = Xxh3(schema_json);
  plan->uuid = UuidToString(NewRandomUuid());
  DECANT_RETURN_IF_ERROR(fs->CreateDir(ShardsIn(root)));
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, JoinPath(root, "schema.json"), schema_json));
  // Workers poll for plan.json: it appears complete, by rename.
  std::string tmp = PlanIn(root) + ".partial";
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, tmp, PlanToJson(*plan)));
  DECANT_RETURN_IF_ERROR(fs->Rename(tmp, PlanIn(root)));
  DECANT_RETURN_IF_ERROR(fs->SyncDir(ShardsIn(root)));
  DECANT_RETURN_IF_ERROR(fs->SyncDir(root));
  return fs->SyncDir(DirName(root));
}

Result<ShardPlan> ReadPlanIn(FileSystem* fs, const std::string& root, const char* hint) {
  std::string path = PlanIn(root);
  if (!fs->Exists(path)) return Status::NotFound("no shard plan at " + path + hint);
  DECANT_ASSIGN_OR_RETURN(std::string text, ReadWhole(fs, path, kMaxShardFileBytes));
  try {
    return PlanFromJson(text);
  } catch (const std::exception& e) {
    return Status::Corruption(path + ": malformed shard plan: " + e.what());
  }
}

Status CheckTablesIn(FileSystem* fs, const std::string& root, const ShardPlan& plan, const Schema& schema) {
  std::string path = JoinPath(root, "schema.json");
  DECANT_ASSIGN_OR_RETURN(std::string text, ReadWhole(fs, path, kMaxMetadataBytes));
  if (Xxh3(text) != plan.schema_checksum) return Status::Corruption(path + " does not match the shard plan's checksum");
  Schema theirs;
  DECANT_RETURN_IF_ERROR(SchemaFromJson(text, &theirs));
  const char* hint = " (the same --table, --exclude-table and --rename options as the coordinator?)";
  if (schema.tables.size() != theirs.tables.size()) {
    return Status::FailedPrecondition(fmt::format("{} read, the coordinator's schema has {}{}",
                                                  Counted(schema.tables.size(), "table"), theirs.tables.size(), hint));
  }
  for (size_t t = 0; t < schema.tables.size(); ++t) {
    const Table& a = schema.tables[t];
    const Table& b = theirs.tables[t];
    bool same = a.schema == b.schema && a.name == b.name && a.columns.size() == b.columns.size();
    for (size_t c = 0; same && c < a.columns.size(); ++c) {
      same = a.columns[c].name == b.columns[c].name && a.columns[c].type.logical == b.columns[c].type.logical &&
             a.columns[c].generated_expr.has_value() == b.columns[c].generated_expr.has_value();
    }
    if (!same) {
      return Status::FailedPrecondition(fmt::format("table {} read differs from table {} of the coordinator's schema{}",
                                                    QualifiedName(a.schema, a.name), QualifiedName(b.schema, b.name),
                                                    hint));
    }
  }
  return Status::OK();
}

// Publishes `part` as shards/part-I.json: written beside as <attempt>.json,
// fsynced, renamed into place unless another run's part got there first.
Status PublishPart(FileSystem* fs, const std::string& root, const ShardPart& part) {
  std::string path = PartIn(root, part.shard);
  std::string tmp = JoinPath(ShardsIn(root), part.attempt + ".json");
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, tmp, PartToJson(part)));
  if (fs->Exists(path)) {
    (void)fs->Remove(tmp);
    return Status::FailedPrecondition(
        fmt::format("shard {}/{} was finished meanwhile by another run ({} exists)", part.shard, part.shards, path));
  }
  DECANT_RETURN_IF_ERROR(fs->Rename(tmp, path));
  return fs->SyncDir(ShardsIn(root));
}

std::vector<bool> PartsPresentIn(FileSystem* fs, const std::string& root, size_t shards) {
  std::vector<bool> out(shards);
  for (size_t i = 0; i < shards; ++i) out[i] = fs->Exists(PartIn(root, i));
  return out;
}

// Every part of `plan` under `root`: there, this plan's, exactly its share of
// the units, and together every unit once.
Result<std::vector<ShardPart>> ReadPartsIn(FileSystem* fs, const std::string& root, const ShardPlan& plan) {
  std::vector<ShardPart> parts;
  std::vector<size_t> done(plan.units.size(), 0);
  for (size_t i = 0; i < plan.shards; ++i) {
    std::string path = PartIn(root, i);
    std::string name = fmt::format("shard {}/{}", i, plan.shards);
    if (!fs->Exists(path)) return Status::FailedPrecondition(name + " has not finished: no " + path);
    DECANT_ASSIGN_OR_RETURN(std::string text, ReadWhole(fs, path, kMaxShardFileBytes));
    ShardPart part;
    try {
      part = PartFromJson(text);
    } catch (const std::exception& e) {
      return Status::FailedPrecondition(path + ": malformed shard part: " + e.what());
    }
    if (part.shard != i || part.shards != plan.shards || part.snapshot != plan.snapshot || part.uuid != plan.uuid) {
      return Status::FailedPrecondition(fmt::format(
          "{} belongs to another plan (shard {}/{}, snapshot {}, run {}; the plan: {}/{}, snapshot {}, run {})", path,
          part.shard, part.shards, part.snapshot, part.uuid, i, plan.shards, plan.snapshot, plan.uuid));
    }
    if (part.units != plan.UnitsOf(i)) {
      return Status::FailedPrecondition(path + ": the units it copied are not the plan's units of " + name);
    }
    for (size_t u : part.units) ++done[u];
    parts.push_back(std::move(part));
  }
  for (size_t u = 0; u < done.size(); ++u) {
    if (done[u] != 1) {
      return Status::FailedPrecondition(fmt::format("unit {} of the shard plan was copied {} times", u, done[u]));
    }
  }
  return parts;
}

}  // namespace

std::string ShardsDir(const std::string& dir) { return ShardsIn(PartialPath(dir)); }
std::string ShardPlanPath(const std::string& dir) { return PlanIn(PartialPath(dir)); }
std::string ShardPartPath(const std::string& dir, size_t shard) { return PartIn(PartialPath(dir), shard); }

Status BeginShardedArchive(const std::string& dir, const Schema& schema, ShardPlan* plan, FileSystem* fs) {
  std::string partial = PartialPath(dir);
  if (fs->Exists(dir))
    return Status::FailedPrecondition("cannot write archive directory " + dir + ": it already exists");
  if (fs->Exists(partial)) {
    return Status::FailedPrecondition("cannot coordinate shards into " + dir + ": " + partial +
                                      " exists (another run's; remove it to start over)");
  }
  if (schema.tables.size() > UINT32_MAX) return Status::InvalidArgument("too many tables for an archive");
  DECANT_RETURN_IF_ERROR(fs->CreateDir(partial));
  DECANT_RETURN_IF_ERROR(fs->CreateDir(JoinPath(partial, "data")));
  return WritePlanFiles(fs, partial, schema, plan);
}

Result<ShardPlan> ReadShardPlan(const std::string& dir, FileSystem* fs) {
  return ReadPlanIn(fs, PartialPath(dir), " (is the coordinator running, with the same -o?)");
}

Status CheckShardTables(const std::string& dir, const ShardPlan& plan, const Schema& schema, FileSystem* fs) {
  return CheckTablesIn(fs, PartialPath(dir), plan, schema);
}

Status WriteShardPart(const std::string& dir, const ShardPart& part, FileSystem* fs) {
  DECANT_RETURN_IF_ERROR(fs->SyncDir(JoinPath(JoinPath(ShardsDir(dir), part.attempt), "data")));
  return PublishPart(fs, PartialPath(dir), part);
}

std::vector<bool> ShardPartsPresent(const std::string& dir, size_t shards, FileSystem* fs) {
  return PartsPresentIn(fs, PartialPath(dir), shards);
}

Status JoinShards(const std::string& dir, FileSystem* fs) {
  std::string partial = PartialPath(dir);
  DECANT_ASSIGN_OR_RETURN(ShardPlan plan, ReadShardPlan(dir, fs));
  ArchiveUuid uuid{};
  if (!ParseUuid(plan.uuid, &uuid)) return Status::Corruption(ShardPlanPath(dir) + ": malformed archive UUID");
  DECANT_ASSIGN_OR_RETURN(std::string schema_json, ReadWhole(fs, JoinPath(partial, "schema.json"), kMaxMetadataBytes));
  if (Xxh3(schema_json) != plan.schema_checksum) {
    return Status::Corruption(partial + "/schema.json does not match the checksum in the shard plan");
  }
  Schema schema;
  DECANT_RETURN_IF_ERROR(SchemaFromJson(schema_json, &schema));

  // Every part: this plan's, and exactly its share of the units.
  DECANT_ASSIGN_OR_RETURN(std::vector<ShardPart> parts, ReadPartsIn(fs, partial, plan));
  std::vector<std::vector<JoinChunk>> per_table(schema.tables.size());
  for (const ShardPart& part : parts) {
    std::string path = ShardPartPath(dir, part.shard);
    std::string attempt = JoinPath(ShardsDir(dir), part.attempt);
    std::vector<uint32_t> next(schema.tables.size(), 0);
    for (const ShardPartChunk& c : part.chunks) {
      if (c.table >= schema.tables.size() || c.seq != next[c.table]) {
        return Status::FailedPrecondition(
            fmt::format("{}: chunk {} of table {} is out of order or names no table", path, c.seq, c.table));
      }
      ++next[c.table];
      JoinChunk jc;
      jc.from = JoinPath(attempt, ChunkFileName(c.table, c.seq));
      jc.table = c.table;
      jc.local_seq = c.seq;
      jc.info = c;
      per_table[c.table].push_back(std::move(jc));
    }
  }

  // Check every chunk before anything moves, so that a failed join can be
  // looked into (or run again) as the workers left it.
  Manifest m;
  m.decant_version = DECANT_VERSION;
  m.uuid = uuid;
  m.form = "directory";
  m.source_engine = schema.engine;
  m.server_version = schema.server_version;
  m.database = schema.database;
  m.created_at = NowUtc();
  m.schema_checksum = plan.schema_checksum;
  for (size_t t = 0; t < schema.tables.size(); ++t) {
    ManifestTable mt;
    mt.schema = schema.tables[t].schema;
    mt.name = schema.tables[t].name;
    size_t columns = DataColumns(schema.tables[t]).size();
    if (per_table[t].size() > UINT32_MAX) return Status::InvalidArgument("too many chunks for an archive table");
    for (size_t k = 0; k < per_table[t].size(); ++k) {
      JoinChunk& c = per_table[t][k];
      c.final_seq = static_cast<uint32_t>(k);
      DECANT_RETURN_IF_ERROR(ReadCheckedChunk(fs, c, uuid, columns).status());
      mt.rows += c.info.rows;
    }
    m.tables.push_back(std::move(mt));
  }

  // Into data/ under the final numbers. A renumbered chunk gets its seq and
  // its record checksum rewritten (docs/archive-format.md, "Chunk record
  // payload"); the UUID is the plan's already.
  for (size_t t = 0; t < schema.tables.size(); ++t) {
    size_t columns = DataColumns(schema.tables[t]).size();
    for (const JoinChunk& c : per_table[t]) {
      std::string to = JoinPath(partial, ChunkFileName(c.table, c.final_seq));
      ManifestChunk mc;
      mc.rows = c.info.rows;
      mc.compressed_bytes = c.info.compressed_bytes;
      mc.uncompressed_bytes = c.info.uncompressed_bytes;
      mc.checksum = c.info.checksum;
      if (c.final_seq == c.local_seq) {
        DECANT_RETURN_IF_ERROR(fs->Rename(c.from, to));
      } else {
        DECANT_ASSIGN_OR_RETURN(std::string rec, ReadCheckedChunk(fs, c, uuid, columns));
        char* payload = rec.data() + kRecordHeaderSize;
        PutU32(payload + 20, c.final_seq);
        mc.checksum = RecordChecksum(rec.data(), {payload, rec.size() - kRecordHeaderSize});
        PutU64(rec.data() + 8, mc.checksum);
        DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, to, rec));
      }
      m.tables[t].chunks.push_back(mc);
    }
  }
  DECANT_RETURN_IF_ERROR(WriteDirectoryManifest(fs, partial, ManifestToJson(m)));
  DECANT_RETURN_IF_ERROR(fs->SyncDir(JoinPath(partial, "data")));
  DECANT_RETURN_IF_ERROR(fs->Remove(ShardsDir(dir)));
  DECANT_RETURN_IF_ERROR(fs->SyncDir(partial));
  return Publish(fs, partial, dir);
}

// ---- sharded loads -------------------------------------------------------

std::string LoadShardPlanPath(const std::string& state) { return PlanIn(state); }
std::string LoadShardPartPath(const std::string& state, size_t shard) { return PartIn(state, shard); }

Status ReserveShardedLoad(const std::string& state, FileSystem* fs) {
  if (fs->Exists(state)) {
    return Status::FailedPrecondition("cannot coordinate a sharded load with state directory " + state +
                                      ": it exists (another run's; remove it to start over)");
  }
  return fs->CreateDir(state);
}

Status BeginShardedLoad(const std::string& state, const Schema& schema, ShardPlan* plan, FileSystem* fs) {
  if (!fs->IsDirectory(state)) return Status::FailedPrecondition(state + " was not reserved for a sharded load");
  return WritePlanFiles(fs, state, schema, plan);
}

Result<ShardPlan> ReadLoadShardPlan(const std::string& state, FileSystem* fs) {
  return ReadPlanIn(fs, state, " (is the coordinator running, with the same --state?)");
}

Status CheckLoadShardTables(const std::string& state, const ShardPlan& plan, const Schema& schema, FileSystem* fs) {
  return CheckTablesIn(fs, state, plan, schema);
}

Status ClaimLoadShard(const std::string& state, size_t shard, size_t shards, const std::string& attempt,
                      FileSystem* fs) {
  std::string prefix = fmt::format("claim-{}-", shard);
  std::string mine = JoinPath(ShardsIn(state), prefix + attempt);
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, mine, attempt + "\n"));
  DECANT_RETURN_IF_ERROR(fs->SyncDir(ShardsIn(state)));
  // Listed after our own claim is durable: of two runs at once, each sees
  // the other's (both refuse, neither loads); a later run sees ours.
  DECANT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(ShardsIn(state)));
  for (const std::string& n : names) {
    if (n.rfind(prefix, 0) == 0 && n != prefix + attempt) {
      (void)fs->Remove(mine);
      return Status::FailedPrecondition(fmt::format(
          "shard {}/{} was started before ({}) and has not finished: rows it loaded may be in the target, and a "
          "sharded load cannot resume; stop the coordinator (it drops the tables it created) and start over",
          shard, shards, JoinPath(ShardsIn(state), n)));
    }
  }
  return Status::OK();
}

Status WriteLoadShardPart(const std::string& state, const ShardPart& part, FileSystem* fs) {
  return PublishPart(fs, state, part);
}

Status WriteLoadShardFailure(const std::string& state, size_t shard, const std::string& message, FileSystem* fs) {
  Json j = Json::object();
  j["format"] = "decant-shard-failure";
  j["version"] = kShardFilesVersion;
  j["shard"] = shard;
  j["error"] = ToHex(message);  // messages need not be UTF-8
  std::string path = JoinPath(ShardsIn(state), fmt::format("failed-{}.json", shard));
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, path + ".partial", j.dump(1) + "\n"));
  return fs->Rename(path + ".partial", path);
}

std::vector<bool> LoadShardPartsPresent(const std::string& state, size_t shards, FileSystem* fs) {
  return PartsPresentIn(fs, state, shards);
}

std::optional<std::pair<size_t, std::string>> LoadShardFailure(const std::string& state, size_t shards,
                                                               FileSystem* fs) {
  for (size_t i = 0; i < shards; ++i) {
    std::string path = JoinPath(ShardsIn(state), fmt::format("failed-{}.json", i));
    if (!fs->Exists(path)) continue;
    std::string message = "(its failure file is unreadable: " + path + ")";
    Result<std::string> text = ReadWhole(fs, path, kMaxShardFileBytes);
    if (text.ok()) {
      try {
        Json j = Json::parse(*text);
        message = FromHex(j, "error");
      } catch (const std::exception&) {
      }
    }
    return std::pair<size_t, std::string>{i, message};
  }
  return std::nullopt;
}

Result<std::vector<ShardPart>> ReadLoadShardParts(const std::string& state, const ShardPlan& plan, size_t tables,
                                                  FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(std::vector<ShardPart> parts, ReadPartsIn(fs, state, plan));
  for (const ShardPart& p : parts) {
    if (p.table_rows.size() != tables || p.table_bytes.size() != tables) {
      return Status::FailedPrecondition(
          fmt::format("{}: rows for {}, bytes for {}; the plan has {}", LoadShardPartPath(state, p.shard),
                      Counted(p.table_rows.size(), "table"), Counted(p.table_bytes.size(), "table"), tables));
    }
  }
  return parts;
}

}  // namespace decant
