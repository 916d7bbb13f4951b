// The decant archive as a Source and a Sink, plus inspection.
// The format is specified in docs/archive-format.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"
#include "io/file_system.h"

namespace decant {

class ArchiveKey;  // archive/signature.h

enum class ArchiveForm {
  kFile,       // one file, streamable; "-" means stdout / stdin
  kDirectory,  // a directory of chunk files plus manifest.json
};

enum class ArchiveCompression {
  kZstd,  // each chunk one zstd frame (codec 1)
  kNone,  // the rows as they are (codec 0, format 1.2)
};

struct ArchiveWriteOptions {
  ArchiveForm form = ArchiveForm::kFile;
  ArchiveCompression compression = ArchiveCompression::kZstd;
  // zstd's level, 1..19 (docs/archive-format.md: the default's measurement).
  int zstd_level = 3;  // = kDefaultZstdLevel (format.h)
  // Threads that compress chunks, shared by the sink's table writers; 0: one
  // per core, at most 4. A writer has at most threads + 1 chunks in flight in
  // the single-file form, 2 in the directory form (about 4 MiB of rows and
  // their compressed record each), written in order.
  size_t compress_threads = 0;
  // --force: what is at `path` is replaced on Commit, once the new archive is
  // complete: a file, or a directory that is itself a decant archive; any
  // other directory is refused. Without it, an existing `path` is refused.
  bool replace = false;
  // A --shard worker's part of a sharded directory archive (archive/shards.h):
  // with shard_count > 0 the sink writes shard `shard_index` of the plan at
  // <path>.partial/shards/plan.json, which lists `shard_units` (the plan's
  // units it copies) as done on Commit. Needs the directory form.
  size_t shard_index = 0;
  size_t shard_count = 0;
  std::vector<size_t> shard_units = {};
  // --sign: the Ed25519 private key the archive is signed with (format 1.3:
  // a signature record before the manifest; the directory form's file
  // "signature"); null: unsigned. Not for a shard part.
  std::shared_ptr<const ArchiveKey> sign = nullptr;
};

// True when `head` (a file's first bytes) starts with the archive's magic number.
bool IsArchiveHead(std::string_view head);
// True when the directory at `path` has the layout of the directory form
// (manifest.json, or schema.json and data/ of one whose writing did not finish).
bool IsArchiveDirectory(const std::string& path, FileSystem* fs = FileSystem::Default());

// A Sink that writes an archive at `path` ("-" = stdout, single-file form
// only). The single-file form takes one table writer at a time, in schema
// order (tables never opened have zero rows); the directory form allows
// several writers at once, in any order, several of one table among them
// (their chunks interleave in the table's chunk list). Writers must be destroyed before the
// sink. Something at `path` is refused (FailedPrecondition, in Begin, or on
// Commit when it appeared meanwhile) unless options.replace says it may be
// replaced. Nothing appears at `path` as complete until Commit() succeeds: a file
// or directory is built under "<path>.partial" and renamed; a stream ends with
// an end record whose absence readers report as truncation.
//
// A shard part (options.shard_count > 0) writes no schema and no manifest:
// Begin checks the schema against the plan's schema.json checksum (a
// different one is FailedPrecondition) and refuses a shard whose part file
// exists already; chunks go under <path>.partial/shards/<attempt>/, a
// directory of this run alone; Commit publishes part-I.json (WriteShardPart);
// Abort removes only the attempt's directory.
Result<std::unique_ptr<Sink>> OpenArchiveSink(const std::string& path, const ArchiveWriteOptions& options,
                                              FileSystem* fs = FileSystem::Default());

// A Source reading an archive (file, directory, or "-" for stdin). A path that
// is not a regular file (a FIFO, /dev/fd/N from a process substitution) is
// read front to back, as OpenArchiveStream does. Fails with
// Corruption if it is not a decant archive or its manifest/schema is damaged,
// UnsupportedVersion if written by a newer format version. Chunk checksums are
// checked as chunks are read, before any row of the chunk is returned.
Result<std::unique_ptr<Source>> OpenArchiveSource(const std::string& path, FileSystem* fs = FileSystem::Default());

// Reads a single-file archive strictly front to back, exactly as from a pipe,
// even when `path` is a regular file ("-" = stdin). Tables must be opened in
// schema order (InvalidArgument otherwise); skipped tables are read past. The
// manifest arrives last and is checked against what was read when the reader
// reaches it; a mismatch is Corruption.
Result<std::unique_ptr<Source>> OpenArchiveStream(const std::string& path, FileSystem* fs = FileSystem::Default());

struct ArchiveChunkInfo {
  uint64_t rows = 0;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  std::string checksum;  // hex
};

struct ArchiveTableInfo {
  std::string schema;
  std::string name;
  uint64_t rows = 0;
  std::vector<ArchiveChunkInfo> chunks;
};

struct ArchiveInfo {
  std::string form;            // "file" or "directory"
  std::string format_version;  // e.g. "1.0"
  std::string decant_version;
  std::string source_engine;
  std::string server_version;
  std::string database;
  std::string created_at;  // ISO-8601 UTC
  std::vector<ArchiveTableInfo> tables;
  uint64_t total_bytes = 0;
  // The key id its signature names (format 1.3), empty when it has none or
  // was read as a stream; not verified (VerifyArchiveSignature does that).
  std::string signed_by;
};

// Reads the archive's header and manifest. With `check`, also reads and
// verifies every chunk (checksums, decompression, row counts) and fails with
// the first damaged table and chunk named.
Result<ArchiveInfo> InspectArchive(const std::string& path, bool check, FileSystem* fs = FileSystem::Default());

// Checks the signature of the archive at `path` (a file or a directory; a
// stream is InvalidArgument: its signature comes after its rows) with `key`:
// its header, manifest and schema are read and checked as by
// OpenArchiveSource; Corruption, one line, when the archive has no signature,
// names another key, or does not verify. The chunks are bound through the
// manifest's checksums, which reading checks: verify, then read.
Status VerifyArchiveSignature(const std::string& path, const ArchiveKey& key, FileSystem* fs = FileSystem::Default());

}  // namespace decant
