#include "formats/format_registry.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "archive/archive.h"
#include "core/ascii.h"
#include "formats/django/django_format.h"
#include "formats/rethinkdb/rethinkdb_format.h"
#include "formats/typedb/typedb_format.h"

namespace decant {
namespace {

bool RecogniseArchive(const FileProbe& probe, FileSystem* fs) {
  return probe.is_directory ? IsArchiveDirectory(probe.path, fs) : IsArchiveHead(probe.head);
}

Result<std::unique_ptr<Sink>> OpenArchiveFileSink(const std::string& path, const FileWriteOptions& options,
                                                  FileSystem* fs) {
  ArchiveWriteOptions wo;
  wo.form = options.directory ? ArchiveForm::kDirectory : ArchiveForm::kFile;
  wo.zstd_level = options.zstd_level;
  wo.compression = options.compress ? ArchiveCompression::kZstd : ArchiveCompression::kNone;
  wo.replace = options.replace;
  wo.sign = options.sign;
  return OpenArchiveSink(path, wo, fs);
}

// The registry. Adding a format: its folder, and one row here.
const FormatRow kFormats[] = {
    {"decant", "decant archive (file, directory or -)", RecogniseArchive,
     [](const std::string& path, const EndpointOptions&, FileSystem* fs) { return OpenArchiveSource(path, fs); },
     OpenArchiveFileSink},
    {"rethinkdb", "RethinkDB dump (.tar.gz), export or import_export.rb directory", rethinkdb::Recognise,
     rethinkdb::OpenSource, rethinkdb::OpenSink, rethinkdb::Traits, rethinkdb::DefaultOutput},
    {"django", "Django fixture (dumpdata JSON or JSONL, plain or .gz/.bz2/.xz/.lzma/.zip; InvenTree export-records)",
     django::Recognise, django::OpenSource, django::OpenSink, django::Traits, nullptr,
     /*into_existing_tables=*/true, /*inspect=*/nullptr, /*text=*/true},
    {"typedb", "TypeDB or Grakn export (.typedb, .grakn: Grakn 1.8, Grakn 2.0, TypeDB 2.x, TypeDB 3.x)",
     typedb::Recognise, typedb::OpenSource, typedb::OpenSink, typedb::Traits, nullptr,
     /*into_existing_tables=*/false, typedb::Inspect},
};

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string FormatDescriptions() {
  std::string out;
  for (const FormatRow& f : kFormats) out += (out.empty() ? "" : "; ") + std::string(f.description);
  return out;
}

std::string_view FirstWord(std::string_view head) {
  size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  size_t j = i;
  while (j < head.size() && std::isalpha(static_cast<unsigned char>(head[j]))) ++j;
  return head.substr(i, j - i);
}

bool LooksLikeText(std::string_view head) {
  for (unsigned char c : head) {
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
  }
  return true;
}

// What an unrecognised input appears to be, for the one-line error.
std::string LooksLike(const FileProbe& p, FileSystem* fs) {
  if (p.is_directory) {
    if (fs->Exists(JoinPath(p.path, "dump.json"))) return "it is a decant dump directory: use decant restore";
    if (fs->Exists(JoinPath(p.path, "toc.dat"))) {
      return "it is a pg_dump directory-format archive: restore it with pg_restore first";
    }
    return "it is a directory without a manifest.json";
  }
  std::string_view h = p.head;
  if (h.empty()) return "it is empty";
  if (StartsWith(h, std::string_view("SQLite format 3\0", 16))) {
    std::error_code ec;
    std::string abs = p.path == "-" ? p.path : std::filesystem::absolute(p.path, ec).string();
    return "it is a SQLite database: read it as sqlite://" + abs;
  }
  if (StartsWith(h, "PGDMP")) return "it is a pg_dump custom-format archive: restore it with pg_restore first";
  if (StartsWith(h, "\x1f\x8b")) return "it is gzip-compressed data";
  if (StartsWith(h, "\x28\xb5\x2f\xfd")) return "it is zstd-compressed data";
  if (StartsWith(h, "BZh")) return "it is bzip2-compressed data";
  if (StartsWith(h, std::string_view("\xfd"
                                     "7zXZ\0",
                                     6)))
    return "it is xz-compressed data";
  if (StartsWith(h, "PK\x03\x04")) return "it is a zip file";
  if (h.size() >= 262 && h.substr(257, 5) == "ustar") {
    if (StartsWith(h, std::string_view("toc.dat\0", 8))) {
      return "it is a pg_dump tar-format archive: restore it with pg_restore first";
    }
    return "it is a tar archive";
  }
  if (!LooksLikeText(h)) return "it is binary data of no known format";
  std::string_view w = FirstWord(h);
  size_t first = h.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (h[first] == '{' || h[first] == '[')) return "it looks like JSON text";
  if (StartsWith(h.substr(first == std::string_view::npos ? 0 : first), "--") || EqualsIgnoreCaseAscii(w, "create") ||
      EqualsIgnoreCaseAscii(w, "insert") || EqualsIgnoreCaseAscii(w, "set") || EqualsIgnoreCaseAscii(w, "begin")) {
    return "it looks like an SQL script: run it with the database's own client";
  }
  return "it is text of no known format";
}

}  // namespace

std::span<const FormatRow> Formats() { return kFormats; }

std::string FormatNames(bool written_only) {
  std::string out;
  for (const FormatRow& f : kFormats) {
    if (!written_only || f.open_sink) out += (out.empty() ? "" : ", ") + std::string(f.name);
  }
  return out;
}

Result<const FormatRow*> FindFormat(std::string_view name) {
  for (const FormatRow& f : kFormats) {
    if (EqualsIgnoreCaseAscii(f.name, name)) return &f;
  }
  return Status::InvalidArgument("unknown format '" + std::string(name) + "' (this build has: " + FormatNames() + ")");
}

Result<const FormatRow*> RecogniseFile(const std::string& path, FileSystem* fs) {
  if (path.empty()) return Status::InvalidArgument("the input path is empty");
  FileProbe probe;
  probe.path = path;
  if (path != "-") {
    if (!fs->Exists(path)) return Status::NotFound("cannot open " + path + ": No such file or directory");
    probe.is_directory = fs->IsDirectory(path);
  }
  if (!probe.is_directory) {
    DECANT_ASSIGN_OR_RETURN(probe.head, fs->Peek(path, kProbeBytes));
  }
  for (const FormatRow& f : kFormats) {
    if (f.recognise(probe, fs)) return &f;
  }
  std::string what = path == "-" ? "standard input" : path;
  return Status::Corruption(what + " is not a decant archive or another format decant reads (" + LooksLike(probe, fs) +
                            "); decant reads: " + FormatDescriptions());
}

const EngineTraits* FindFormatSystem(std::string_view name) {
  for (const FormatRow& f : kFormats) {
    if (f.traits && f.traits()->name == name) return f.traits();
  }
  return nullptr;
}

Result<std::unique_ptr<Source>> OpenFileSource(const std::string& path, const EndpointOptions& options,
                                               FileSystem* fs) {
  if (!path.empty() && path != "-" && !fs->Exists(path)) return kFormats[0].open_source(path, options, fs);
  DECANT_ASSIGN_OR_RETURN(const FormatRow* format, RecogniseFile(path, fs));
  return format->open_source(path, options, fs);
}

Result<std::unique_ptr<Sink>> OpenFileSink(const std::string& path, std::string_view format,
                                           const FileWriteOptions& options, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(const FormatRow* row, FindFormat(format));
  if (!row->open_sink) {
    return Status::InvalidArgument("decant reads " + std::string(row->description) + " but does not write it");
  }
  return row->open_sink(path, options, fs);
}

}  // namespace decant
