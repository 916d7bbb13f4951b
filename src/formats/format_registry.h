// The format registry: every input and output that is not a database URI.
//
// A file, a directory or "-" (standard input/output) given where a database
// could stand is one of the file formats decant reads or writes: the decant
// archive today, foreign dump formats (RethinkDB, Django fixtures, TypeDB
// exports) as they arrive. Reading recognises the format from the input's own
// bytes (magic numbers, directory layout), never from its name; writing picks
// the format by name (`--format NAME`, default "decant").
//
// Adding a format is one folder under src/formats/ (or src/archive/ for the
// native one) with a Source and, where it is written, a Sink, plus one row in
// format_registry.cc. Nothing else changes: import, inspect, verify, plan,
// schema, migrate and restore all open files through this registry.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/endpoint.h"
#include "core/engine_traits.h"
#include "io/file_system.h"

namespace decant {

// How many leading bytes a recogniser sees.
inline constexpr size_t kProbeBytes = 4096;

// What an input is, read once, for the recognisers.
struct FileProbe {
  std::string path;  // as given; "-" is standard input
  bool is_directory = false;
  std::string head;  // its first kProbeBytes bytes (fewer if shorter); empty for a directory
};

// How a format writes, for the formats that are written.
class ArchiveKey;  // archive/signature.h

struct FileWriteOptions {
  bool directory = false;     // the format's directory form, where it has one
  int zstd_level = 3;         // compression level, where the format compresses
  bool compress = true;       // false: a decant archive's chunks uncompressed (--compress none)
  DjangoOptions django = {};  // a Django fixture's form (core/endpoint.h)
  TypeDbOptions typedb = {};  // a TypeDB export's generation and renames (core/endpoint.h)
  // --force: an existing output is replaced once the new one is complete (a
  // file, or a directory that holds what the format writes there); without
  // it, an existing output is refused (FailedPrecondition) and left as it is.
  bool replace = false;
  // --sign: a decant archive's Ed25519 private key (other formats: null).
  std::shared_ptr<const ArchiveKey> sign = nullptr;
};

// One row per format. Every function is given the FileSystem to use.
struct FormatRow {
  std::string_view name;         // what --format takes, e.g. "decant"
  std::string_view description;  // for messages, e.g. "decant archive (file, directory or -)"
  // True when the probed input is this format. Must not consume anything
  // beyond what FileSystem::Peek already read.
  bool (*recognise)(const FileProbe& probe, FileSystem* fs);
  // `options.documents` says how a format of documents becomes tables;
  // `options.jobs` how many tables may be read at once.
  Result<std::unique_ptr<Source>> (*open_source)(const std::string& path, const EndpointOptions& options,
                                                 FileSystem* fs);
  // Null for a format decant only reads.
  Result<std::unique_ptr<Sink>> (*open_sink)(const std::string& path, const FileWriteOptions& options, FileSystem* fs);
  // The traits of the system whose files these are (RethinkDB: what its
  // documents can hold, its name in Schema::engine), for a format whose
  // Source names a system that is not an engine of the registry; null for
  // a format whose schemas name their own engine (the decant archive).
  const EngineTraits* (*traits)() = nullptr;
  // The file `export --format NAME` writes when -o is left out, as the
  // format's own tool names it (RethinkDB: rethinkdb_dump_<DATE>.tar.gz);
  // null: -o is required.
  std::string (*default_output)() = nullptr;
  // The format's records load into tables an application already made (a
  // Django fixture): import, plan and verify read the target's schema, fit
  // the Source to it (Source::FitTo) and load data-only.
  bool into_existing_tables = false;
  // What `decant inspect FILE` prints for a file of this format, when the
  // format has more to say than its Source's tables (a TypeDB export: its
  // header, counts per label, checksums). `check`: read and verify
  // everything (--check); a file that fails the check is an error (one
  // line). Null: inspect shows the Source's tables.
  Result<std::string> (*inspect)(const std::string& path, const EndpointOptions& options, bool check,
                                 FileSystem* fs) = nullptr;
  // The format writes text a terminal can show (a Django fixture); a binary
  // format is not written to a terminal (as gzip refuses to).
  bool text = false;
};

// Every registered format, the default (the decant archive) first.
std::span<const FormatRow> Formats();

// "decant, ...": the formats' names, for messages and option help; with
// `written_only`, only the formats decant can write.
std::string FormatNames(bool written_only = false);

// The format named `name` (case-insensitive); InvalidArgument listing the
// names otherwise.
Result<const FormatRow*> FindFormat(std::string_view name);

// The traits of the system a format's files come from, by the name its
// schemas carry (Schema::engine, e.g. "rethinkdb"); nullptr when no format
// names that system.
const EngineTraits* FindFormatSystem(std::string_view name);

// The format of the input at `path` ("-" = standard input, peeked without
// consuming it). Corruption with one line naming what the input looks like
// (empty, a SQLite database, gzip data, JSON, SQL text, ...) and what decant
// reads when no format recognises it; NotFound when `path` does not exist.
Result<const FormatRow*> RecogniseFile(const std::string& path, FileSystem* fs = FileSystem::Default());

// A Source for the input at `path`, in whatever format it is (RecogniseFile).
// An input that does not exist is reported by the default format's reader,
// with its usual message.
Result<std::unique_ptr<Source>> OpenFileSource(const std::string& path, const EndpointOptions& options = {},
                                               FileSystem* fs = FileSystem::Default());

// A Sink writing `format` (a FormatRow name) at `path`.
Result<std::unique_ptr<Sink>> OpenFileSink(const std::string& path, std::string_view format,
                                           const FileWriteOptions& options, FileSystem* fs = FileSystem::Default());

}  // namespace decant
