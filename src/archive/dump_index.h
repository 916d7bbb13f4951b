// The index of a server dump, dump.json (docs/archive-format.md, "Server
// dumps"): which decant archive in the dump directory holds which database.
// `decant dump` writes it last; `decant restore` reads it first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "io/file_system.h"

namespace decant {

// The dump index format version this decant writes, MAJOR.MINOR, versioned
// apart from the archive format and the tool's release. A reader refuses a
// newer major; a minor version only adds keys (with defaults).
//
// History (format: what it added; written by decant):
//   1.0  format, format_version, decant_version, created_at,
//        databases[{name, archive}] (0.2.0)
inline constexpr uint16_t kDumpIndexFormatMajor = 1;
inline constexpr uint16_t kDumpIndexFormatMinor = 0;
// Value of the index's "format" key.
inline constexpr char kDumpIndexFormatName[] = "decant-server-dump";
// The index's file name inside the dump directory.
inline constexpr char kDumpIndexFileName[] = "dump.json";
// Largest dump.json a reader accepts.
inline constexpr uint64_t kMaxDumpIndexBytes = 64u << 20;

struct DumpIndexEntry {
  std::string database;  // the database's name on the server (any bytes)
  std::string archive;   // a plain file name inside the dump directory
  bool operator==(const DumpIndexEntry&) const = default;
};

struct DumpIndex {
  uint32_t format_major = kDumpIndexFormatMajor;
  uint32_t format_minor = kDumpIndexFormatMinor;
  std::string decant_version;             // the writing tool's release
  std::string created_at;                 // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  std::vector<DumpIndexEntry> databases;  // in dump order
};

// The index as written to dump.json: keys in a fixed order, two-space indent,
// a final newline. A database name that is not valid UTF-8 is written as
// {"hex": "..."}, as in the archive's JSON documents.
std::string DumpIndexToJson(const DumpIndex& index);

// Parses dump.json text; `what` names it in messages (its path).
// UnsupportedVersion for a newer major format_version; Corruption for another
// "format" ("... is not a decant dump index") and for anything else wrong
// ("malformed <what>: ..."): not JSON, a missing or mistyped key, an archive
// that is not a plain file name in the dump directory.
Status DumpIndexFromJson(std::string_view text, const std::string& what, DumpIndex* out);

// Writes <dir>/dump.json through `fs` and syncs it. The caller publishes
// `dir` (it is built at NAME.partial and renamed), so the index is the last
// file written into a dump.
Status WriteDumpIndex(FileSystem* fs, const std::string& dir, const DumpIndex& index);

// Reads and checks <dir>/dump.json. NotFound if `dir` is not a directory;
// Corruption if it has no dump.json (an unfinished dump) or the index is
// damaged; UnsupportedVersion for a newer major format version.
Result<DumpIndex> ReadDumpIndex(FileSystem* fs, const std::string& dir);

}  // namespace decant
