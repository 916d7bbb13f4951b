#include "pipeline/server_dump.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "archive/dump_index.h"
#include "core/version.h"
#include "formats/format_registry.h"
#include "io/file_system.h"
#include "pipeline/endpoints.h"
#include "pipeline/verify.h"

namespace decant {
namespace {

std::string UtcStamp(const char* pattern) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Done(const ServerCopySummary& s) {
  if (s.databases.empty()) return "no database was restored";
  std::string names;
  for (const auto& [name, _] : s.databases) names += (names.empty() ? "" : ", ") + name;
  return "already restored: " + names;
}

}  // namespace

std::string DefaultDumpName() { return "decant_dump_" + UtcStamp("%Y%m%dT%H%M%SZ"); }

Result<ServerCopySummary> DumpServer(Server& server, const std::string& dir, const DumpOptions& options) {
  auto start = std::chrono::steady_clock::now();
  FileSystem* fs = options.fs;
  if (fs->Exists(dir) && !options.replace) {
    return Status::FailedPrecondition("cannot write dump " + dir + ": it already exists");
  }
  if (fs->IsDirectory(dir) && !fs->Exists(JoinPath(dir, "dump.json"))) {
    return Status::FailedPrecondition("cannot write dump " + dir +
                                      ": a directory that is not a decant dump is there (never replaced)");
  }
  DECANT_ASSIGN_OR_RETURN(auto databases, server.ListDatabases());
  std::string partial = PartialPath(dir);
  if (fs->Exists(partial)) DECANT_RETURN_IF_ERROR(fs->Remove(partial));
  DECANT_RETURN_IF_ERROR(fs->CreateDir(partial));

  ServerCopySummary summary;
  DumpIndex index;
  index.decant_version = DECANT_VERSION;
  index.created_at = UtcStamp("%Y-%m-%dT%H:%M:%SZ");
  Status failed;
  for (size_t i = 0; i < databases.size() && failed.ok(); ++i) {
    const std::string& db = databases[i];
    // Numbered files: a database name may hold any character.
    std::string file = fmt::format("{:04}.decant", i + 1);
    auto source = OpenSource(server.DatabaseUri(db), options.endpoint);
    if (!source.ok()) {
      // A database dropped since the listing is not an error (as it would not
      // be had the dump started a moment later).
      auto now = server.ListDatabases();
      if (now.ok() && std::find(now->begin(), now->end(), db) == now->end()) {
        spdlog::warn("database {} was dropped while the server was being dumped; skipped", db);
        continue;
      }
      failed = source.status().WithContext("database " + db);
      break;
    }
    // Several jobs write several tables at once, which only the directory form takes.
    ArchiveWriteOptions wo;
    wo.zstd_level = options.zstd_level;
    wo.compression = options.compress ? ArchiveCompression::kZstd : ArchiveCompression::kNone;
    wo.form = options.endpoint.jobs > 1 ? ArchiveForm::kDirectory : ArchiveForm::kFile;
    wo.sign = options.sign;
    auto sink = OpenArchiveSink(JoinPath(partial, file), wo, fs);
    if (!sink.ok()) {
      failed = sink.status();
      break;
    }
    if (options.copy.progress) options.copy.progress->Note("database " + db);
    CopyOptions copy = options.copy;
    copy.jobs = options.endpoint.jobs;
    if (copy.events) copy.events->DatabaseStarted(db);
    auto copied = CopyDatabase(**source, **sink, copy);
    if (!copied.ok()) {
      failed = copied.status().WithContext("database " + db);
      break;
    }
    if (copy.events) copy.events->DatabaseFinished(db, *copied);
    index.databases.push_back({db, file});
    summary.databases.emplace_back(db, std::move(*copied));
  }
  if (failed.ok()) failed = WriteDumpIndex(fs, partial, index);
  if (failed.ok()) failed = fs->SyncDir(partial);
  if (failed.ok()) failed = Publish(fs, partial, dir, options.replace);
  if (!failed.ok()) {
    (void)fs->Remove(partial);
    return failed;
  }
  summary.seconds = SecondsSince(start);
  return summary;
}

namespace {

// restore --resume: whether database `uri` holds exactly the rows of the
// dump's `archive`, every table compared (VerifySources).
Result<bool> AlreadyRestored(const std::string& archive, const std::string& uri, const RestoreOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto a, OpenFileSource(archive, {}, options.fs));
  DECANT_ASSIGN_OR_RETURN(auto b, OpenSource(uri));
  DECANT_ASSIGN_OR_RETURN(Schema target, b->ReadSchema());
  if (target.tables.empty()) return false;
  DECANT_ASSIGN_OR_RETURN(VerifyReport report, VerifySources(*a, *b));
  return report.equal();
}

}  // namespace

Result<ServerCopySummary> RestoreServer(const std::string& dir, Server& server, const RestoreOptions& options) {
  auto start = std::chrono::steady_clock::now();
  DECANT_ASSIGN_OR_RETURN(DumpIndex index, ReadDumpIndex(options.fs, dir));

  if (options.verify) {
    // All of them first: a dump whose third archive was changed restores nothing.
    for (const DumpIndexEntry& entry : index.databases) {
      std::string archive = JoinPath(dir, entry.archive);
      DECANT_RETURN_IF_ERROR(VerifyArchiveSignature(archive, *options.verify, options.fs));
      DECANT_ASSIGN_OR_RETURN(ArchiveInfo info, InspectArchive(archive, false, options.fs));
      if (info.database != entry.database) {
        return Status::Corruption(fmt::format("{}: dump.json names it database \"{}\", its signed manifest \"{}\"",
                                              archive, entry.database, info.database));
      }
    }
  }
  ServerCopySummary summary;
  for (const DumpIndexEntry& entry : index.databases) {
    const std::string& db = entry.database;
    std::string archive = JoinPath(dir, entry.archive);
    auto schema_source = OpenFileSource(archive, {}, options.fs);
    if (!schema_source.ok()) return schema_source.status().WithContext(Done(summary));
    auto schema = (*schema_source)->ReadSchema();
    if (!schema.ok()) return schema.status().WithContext(Done(summary));
    schema_source->reset();
    auto created = server.CreateDatabase(db, *schema);
    if (!created.ok()) return created.status().WithContext(Done(summary));
    if (options.copy.sink.resume) {
      // A database the interrupted restore finished holds what its archive
      // holds, row for row (decant verify's comparison): it is not loaded again.
      DECANT_ASSIGN_OR_RETURN(bool restored, AlreadyRestored(archive, server.DatabaseUri(db), options));
      if (restored) {
        if (options.copy.progress) options.copy.progress->Note("database " + db + ": already restored (verified)");
        summary.databases.emplace_back(db, CopySummary{});
        continue;
      }
    }
    auto source = OpenFileSource(archive, {}, options.fs);
    if (!source.ok()) return source.status().WithContext(Done(summary));
    auto sink = OpenDatabaseSink(server.DatabaseUri(db), options.endpoint);
    if (!sink.ok()) return sink.status().WithContext(Done(summary));
    if (options.copy.progress) options.copy.progress->Note("database " + db);
    if (options.copy.events) options.copy.events->DatabaseStarted(db);
    auto copied = CopyDatabase(**source, **sink, options.copy);
    if (!copied.ok()) {
      Status st = copied.status().WithContext("database " + db).WithContext(Done(summary));
      std::string left = LeftSentence(**sink);
      return left.empty() ? st : Status(st.code(), st.message() + "; " + left);
    }
    if (options.copy.events) options.copy.events->DatabaseFinished(db, *copied);
    summary.databases.emplace_back(db, std::move(*copied));
  }
  summary.seconds = SecondsSince(start);
  return summary;
}

}  // namespace decant
