// The tables of a RethinkDB input, and the documents of each.
//
// An InputSet is what a dump archive, an export directory or a legacy
// import_export.rb directory holds: one TableFiles per table, each naming a
// local data file. A dump archive (a file or stdin) is unpacked first into a
// private temporary directory (mode 0700 under $TMPDIR), which the InputSet
// removes when it is destroyed; every member path is checked so nothing is
// written outside it.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/status.h"
#include "io/file_system.h"

namespace decant::rethinkdb {

enum class DataFormat {
  kJson,    // <table>.json: "[", documents separated by ",\n", "]" (also a concatenation of objects)
  kNdjson,  // <table>.ndjson: one document per line
  kCsv,     // <table>.csv: a header row, every value a string, empty cells omitted
  kLegacy,  // import_export.rb's <db>/<table>: one document per line, no .info
};

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's destructor is not provably non-throwing
struct TableFiles {
  std::string db;
  std::string table;
  // From the .info ("primary_key"), overridden by DocumentOptions::primary_keys
  // ("db.table"); "id" when neither says.
  std::string primary_key;
  // The .info object as read; null for a legacy directory.
  nlohmann::json info;
  std::string data_path;  // a local file
  DataFormat format = DataFormat::kJson;
  uint64_t data_bytes = 0;
  // The data file as the user knows it, for messages: its path in a
  // directory, "<archive>: <top>/<db>/<table>.json" for a dump member.
  // DocumentReader names data_path when it is empty.
  std::string name;
};

class InputSet {
 public:
  virtual ~InputSet() = default;
  // Opens `path` ("-": a dump archive on stdin). Errors, each one line naming
  // the input: not a RethinkDB input, a member path that climbs out or does
  // not split into top/db/file, members under two top directories, a data
  // file without its .info (export and dump), a .info that is not a JSON
  // object or lacks primary_key, a truncated or corrupt gzip or tar, two data
  // files for one table, a --primary-keys entry naming no table.
  static Result<std::unique_ptr<InputSet>> Open(const std::string& path, const DocumentOptions& options,
                                                FileSystem* fs);
  // In a stable order: by db, then table.
  virtual const std::vector<TableFiles>& tables() const = 0;
  // The input as given ("stdin" for "-"), for messages.
  virtual std::string Describe() const = 0;
};

// Reads the documents of one data file in order, in bounded memory (one
// document at a time, at most 128 MiB each).
class DocumentReader {
 public:
  virtual ~DocumentReader() = default;
  static Result<std::unique_ptr<DocumentReader>> Open(const TableFiles& table);
  // The next document (a JSON object; CSV rows become objects of strings);
  // false at the end. Corruption naming the file and line for malformed
  // JSON, a value that is not an object, a CSV row of the wrong width, or
  // anything but whitespace after the closing "]".
  virtual Result<bool> Next(nlohmann::json* doc) = 0;
  // The line the last document started on (1-based), for messages.
  virtual uint64_t line() const = 0;
};

}  // namespace decant::rethinkdb
