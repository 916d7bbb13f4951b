#include "pipeline/server_dump.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/version.h"
#include "formats/format_registry.h"
#include "io/file_system.h"
#include "pipeline/endpoints.h"

namespace decant {
namespace {

constexpr const char* kDumpIndex = "dump.json";
constexpr const char* kDumpFormat = "decant-server-dump";
constexpr int kDumpFormatMajor = 1;

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

Status WriteText(FileSystem* fs, const std::string& path, const std::string& text) {
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewWritableFile(path));
  DECANT_RETURN_IF_ERROR(f->Append(text));
  DECANT_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

Result<std::string> ReadText(FileSystem* fs, const std::string& path) {
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewSequentialFile(path));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    size_t got = 0;
    DECANT_RETURN_IF_ERROR(f->Read(sizeof buf, buf, &got));
    if (got == 0) break;
    out.append(buf, got);
    if (out.size() > (64u << 20)) return Status::Corruption(path + " is too large to be a dump index");
  }
  return out;
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
  FileSystem* fs = FileSystem::Default();
  if (fs->Exists(dir)) return Status::FailedPrecondition("cannot write dump " + dir + ": it already exists");
  DECANT_ASSIGN_OR_RETURN(auto databases, server.ListDatabases());
  std::string partial = dir + ".partial";
  if (fs->Exists(partial)) DECANT_RETURN_IF_ERROR(fs->Remove(partial));
  DECANT_RETURN_IF_ERROR(fs->CreateDir(partial));

  ServerCopySummary summary;
  nlohmann::ordered_json index = {{"format", kDumpFormat},
                                  {"format_version", fmt::format("{}.0", kDumpFormatMajor)},
                                  {"decant_version", DECANT_VERSION},
                                  {"created_at", UtcStamp("%Y-%m-%dT%H:%M:%SZ")},
                                  {"databases", nlohmann::ordered_json::array()}};
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
    wo.form = options.endpoint.jobs > 1 ? ArchiveForm::kDirectory : ArchiveForm::kFile;
    auto sink = OpenArchiveSink(JoinPath(partial, file), wo);
    if (!sink.ok()) {
      failed = sink.status();
      break;
    }
    if (options.copy.progress) options.copy.progress->Note("database " + db);
    CopyOptions copy = options.copy;
    copy.jobs = options.endpoint.jobs;
    auto copied = CopyDatabase(**source, **sink, copy);
    if (!copied.ok()) {
      failed = copied.status().WithContext("database " + db);
      break;
    }
    index["databases"].push_back({{"name", db}, {"archive", file}});
    summary.databases.emplace_back(db, std::move(*copied));
  }
  if (failed.ok()) failed = WriteText(fs, JoinPath(partial, kDumpIndex), index.dump(2) + "\n");
  if (failed.ok()) failed = fs->SyncDir(partial);
  if (failed.ok()) failed = Publish(fs, partial, dir);
  if (!failed.ok()) {
    (void)fs->Remove(partial);
    return failed;
  }
  summary.seconds = SecondsSince(start);
  return summary;
}

Result<ServerCopySummary> RestoreServer(const std::string& dir, Server& server, const RestoreOptions& options) {
  auto start = std::chrono::steady_clock::now();
  FileSystem* fs = FileSystem::Default();
  if (!fs->IsDirectory(dir)) {
    return Status::NotFound("dump " + dir + " is not a directory (restore reads what decant dump wrote)");
  }
  std::string index_path = JoinPath(dir, kDumpIndex);
  if (!fs->Exists(index_path)) {
    return Status::Corruption("dump " + dir + " is incomplete: no " + kDumpIndex + " (dumping did not finish?)");
  }
  DECANT_ASSIGN_OR_RETURN(std::string text, ReadText(fs, index_path));
  std::vector<std::pair<std::string, std::string>> entries;  // database, archive file
  try {
    auto index = nlohmann::json::parse(text);
    if (index.value("format", "") != kDumpFormat) return Status::Corruption(index_path + " is not a decant dump index");
    std::string version = index.value("format_version", "");
    if (std::atoi(version.c_str()) > kDumpFormatMajor) {
      return Status::UnsupportedVersion("dump format version " + version + " is newer than this decant reads (" +
                                        std::to_string(kDumpFormatMajor) + ".x); use a newer decant");
    }
    for (const auto& d : index.at("databases")) {
      std::string file = d.at("archive").get<std::string>();
      if (file.find('/') != std::string::npos || file.starts_with(".")) {
        return Status::Corruption(index_path + ": archive name '" + file + "' is not a file in the dump");
      }
      entries.emplace_back(d.at("name").get<std::string>(), file);
    }
  } catch (const std::exception& e) {
    return Status::Corruption("malformed " + index_path + ": " + e.what());
  }

  ServerCopySummary summary;
  for (const auto& [db, file] : entries) {
    std::string archive = JoinPath(dir, file);
    auto schema_source = OpenFileSource(archive);
    if (!schema_source.ok()) return schema_source.status().WithContext(Done(summary));
    auto schema = (*schema_source)->ReadSchema();
    if (!schema.ok()) return schema.status().WithContext(Done(summary));
    schema_source->reset();
    auto created = server.CreateDatabase(db, *schema);
    if (!created.ok()) return created.status().WithContext(Done(summary));
    auto source = OpenFileSource(archive);
    if (!source.ok()) return source.status().WithContext(Done(summary));
    auto sink = OpenDatabaseSink(server.DatabaseUri(db), options.endpoint);
    if (!sink.ok()) return sink.status().WithContext(Done(summary));
    if (options.copy.progress) options.copy.progress->Note("database " + db);
    auto copied = CopyDatabase(**source, **sink, options.copy);
    if (!copied.ok()) return copied.status().WithContext("database " + db).WithContext(Done(summary));
    summary.databases.emplace_back(db, std::move(*copied));
  }
  summary.seconds = SecondsSince(start);
  return summary;
}

}  // namespace decant
