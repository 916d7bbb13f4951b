// The archive's JSON documents: the schema and the manifest
// (docs/archive-format.md, "Schema document" and "Manifest document").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archive/format.h"
#include "core/schema.h"
#include "core/status.h"
#include "io/file_system.h"

namespace decant {

// Serializes every field of `schema` as JSON with stable keys. Strings that
// are not valid UTF-8 are written as {"hex": "..."} so they round-trip.
std::string SchemaToJson(const Schema& schema);
// Parses SchemaToJson's output; missing keys take the struct defaults.
// Corruption("malformed schema: ...") on anything else.
Status SchemaFromJson(std::string_view text, Schema* out);

struct ManifestChunk {
  uint64_t rows = 0;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t checksum = 0;  // XXH3-64 of the chunk record (see the spec)
  uint64_t offset = 0;    // single-file form: where the chunk record starts
};

struct ManifestTable {
  std::string schema;
  std::string name;
  uint64_t rows = 0;
  std::vector<ManifestChunk> chunks;
};

struct Manifest {
  uint32_t format_major = kArchiveFormatMajor;
  uint32_t format_minor = kArchiveFormatMinor;
  std::string decant_version;
  ArchiveUuid uuid{};
  std::string form;  // "file" or "directory"
  std::string source_engine;
  std::string server_version;
  std::string database;
  std::string created_at;
  uint64_t schema_checksum = 0;  // XXH3-64 of the schema document's bytes
  std::vector<ManifestTable> tables;
};

std::string ManifestToJson(const Manifest& manifest);
// Corruption("... not a decant archive") without the "format" key,
// UnsupportedVersion for a newer major, Corruption("malformed manifest: ...")
// for anything else wrong, including row counts that do not add up.
Status ManifestFromJson(std::string_view text, Manifest* out);

// Directory form: writes `dir`/manifest.json.xxh3 (the checksum of `manifest`,
// format 1.3), then `dir`/manifest.json, each fsynced; the caller fsyncs `dir`.
Status WriteDirectoryManifest(FileSystem* fs, const std::string& dir, std::string_view manifest);
// Directory form: the content of manifest.json.xxh3 for `manifest`.
std::string ManifestChecksumFileContent(std::string_view manifest);

// Now, as the manifest's created_at holds it: UTC, "YYYY-MM-DDTHH:MM:SSZ".
std::string NowUtc();

// Directory form: the file holding chunk `seq` of table `table_index`.
std::string ChunkFileName(uint32_t table_index, uint32_t seq);

// A chunk record's frame (kRecordHeaderSize bytes) and payload against the
// manifest's entry for it: Corruption "checksum mismatch in LABEL" when its
// type, length or checksum differ.
Status CheckChunkRecord(const char* frame, std::string_view payload, const ManifestChunk& mc, const std::string& label);
// Directory form: reads the chunk file at `path` (its payload into
// `payload`) and checks it (CheckChunkRecord); Corruption naming `label`
// when it is missing or of another size.
Status ReadChunkFile(FileSystem* fs, const std::string& path, const ManifestChunk& mc, const std::string& label,
                     std::string* payload);

}  // namespace decant
