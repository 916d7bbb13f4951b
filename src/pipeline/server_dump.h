// dump and restore: every database of a server to a dump directory and back.
//
// A dump is a directory (docs/archive-format.md, "Server dumps"): one decant
// archive per database plus dump.json (archive/dump_index.h), which lists them
// and is written last, so a dump without it is unfinished. It is built at
// NAME.partial and renamed. Every file is read and written through the
// options' FileSystem.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "archive/archive.h"
#include "core/endpoint.h"
#include "io/file_system.h"
#include "pipeline/copy.h"

namespace decant {

struct ServerCopySummary {
  std::vector<std::pair<std::string, CopySummary>> databases;  // name, what was copied
  double seconds = 0;
};

// Exports every database ListDatabases() names into `dir`. With
// endpoint.jobs > 1 each database's tables are read that many at a time and
// its archive is the directory form.
struct DumpOptions {
  int zstd_level = 3;
  bool compress = true;  // false: chunks uncompressed (--compress none)
  CopyOptions copy;
  EndpointOptions endpoint;
  // --force: an existing `dir` that is a file or a dump directory (it holds
  // dump.json) is replaced once the new dump is complete; without it, an
  // existing `dir` is FailedPrecondition. Any other directory is refused.
  bool replace = false;
  // --sign: every database's archive is signed with this Ed25519 private key
  // (dump.json, the index, is not signed: restore checks each archive's
  // signed database name against it).
  std::shared_ptr<const ArchiveKey> sign = nullptr;
  FileSystem* fs = FileSystem::Default();  // not owned
};
Result<ServerCopySummary> DumpServer(Server& server, const std::string& dir, const DumpOptions& options);

// Imports every database of the dump at `dir` into `server`, creating the
// databases that do not exist. A database that exists is loaded according to
// options.copy.sink.mode (by default refused unless empty). Stops at the first
// failure; the error names the databases already restored.
struct RestoreOptions {
  CopyOptions copy;
  EndpointOptions endpoint;
  // --verify-signature: before any database is created, every archive of the
  // dump must carry a signature that verifies with this key, and the database
  // its signed manifest names must be the one dump.json names (Corruption).
  std::shared_ptr<const ArchiveKey> verify = nullptr;
  FileSystem* fs = FileSystem::Default();  // not owned
};
Result<ServerCopySummary> RestoreServer(const std::string& dir, Server& server, const RestoreOptions& options);

// "decant_dump_20261122T101500Z": the default dump name, in UTC.
std::string DefaultDumpName();

}  // namespace decant
