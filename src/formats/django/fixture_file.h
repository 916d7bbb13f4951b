// A Django fixture file, read record by record in bounded memory.
//
// Django writes a fixture as one JSON array of records (dumpdata's json
// format, indented or not; InvenTree's export-records file) or as one record
// per line (jsonl). loaddata also reads them compressed: .gz, .bz2, .xz,
// .lzma, or a .zip holding one file. FixtureFile finds each record's bytes
// without keeping more than one record in memory: Scan walks the whole file
// once, and ReadRecord reads any record again by the span Scan gave, from
// any thread, so tables can be read in any order (parents first) and at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "io/file_system.h"

namespace decant::django {

// Where one record's text lies in the (decompressed) file.
struct RecordSpan {
  uint64_t offset = 0;  // of its '{'
  uint64_t length = 0;  // through its '}'
  uint64_t line = 1;    // the line its '{' is on (1-based), for messages
};

// The largest record read; a longer one is Corruption naming it.
inline constexpr uint64_t kMaxRecordBytes = uint64_t{256} << 20;

enum class Compression { kNone, kGzip, kBzip2, kXz, kLzma, kZip };
const char* CompressionName(Compression c);  // "none", "gzip", ...

// Which compression `head` (a file's first bytes) starts with.
Compression DetectCompression(std::string_view head);

class FixtureFile {
 public:
  virtual ~FixtureFile() = default;

  // Opens `path` ("-": standard input). Compressed data and standard input
  // are first copied, decompressed, to a private temporary file (mode 0600
  // under $TMPDIR, removed when the FixtureFile is destroyed), so memory
  // stays bounded. Errors, one line naming the input: cannot open, truncated
  // or corrupt compressed data, a zip that holds no file or more than one,
  // not a JSON array or JSON lines (the first non-blank byte is neither '['
  // nor '{').
  static Result<std::unique_ptr<FixtureFile>> Open(const std::string& path, FileSystem* fs);

  // Calls `record` with each record in file order: its number (0-based), its
  // span and its text (valid during the call). Stops at the first error
  // `record` returns. Corruption, one line naming the input, the record
  // number and the line: text between records other than blanks and one
  // ',' (array form), an element that is not an object, an unterminated
  // string or object, a record above kMaxRecordBytes, nesting deeper than
  // 1000, anything after the closing ']', a missing ']'. An empty array, an
  // empty file of JSON lines and blank lines are fine (no records).
  virtual Status Scan(
      const std::function<Status(uint64_t index, const RecordSpan& span, std::string_view text)>& record) = 0;

  // The text of the record at `span` (from Scan) into `*text`. Thread-safe:
  // several threads may read at once (pread).
  virtual Status ReadRecord(const RecordSpan& span, std::string* text) const = 0;

  // The input as the user named it, with its compression: "data.json.gz (gzip)".
  virtual std::string Describe() const = 0;
  virtual Compression compression() const = 0;
  virtual bool json_lines() const = 0;  // one record per line, not an array
  // Bytes of the (decompressed) text.
  virtual uint64_t size() const = 0;
};

// What a bare NaN, Infinity or -Infinity token (Django writes them for float
// fields: Python's json allows them) becomes when a record is parsed: a JSON
// string holding this marker followed by the token ("\x01decant:NaN").
inline constexpr std::string_view kNonFiniteMarker =
    "\x01"
    "decant:";

// Parses one record's text into a JSON object. Bare NaN, Infinity and
// -Infinity outside strings become marker strings (above). Corruption
// "record N (line L): ..." with the parser's reason otherwise, and for a
// value that is not an object.
Result<nlohmann::json> ParseRecord(std::string_view text, uint64_t index, uint64_t line);

}  // namespace decant::django
