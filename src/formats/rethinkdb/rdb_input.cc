// The input side of RethinkDB's files: which tables a dump archive, an export
// directory or a legacy import_export.rb directory holds (InputSet), and the
// documents of each data file (DocumentReader). The layouts are those of
// rethinkdb-python's _dump.py / _export.py / _import.py / _restore.py and of
// scripts/migration/import_export.rb; docs/formats/rethinkdb.md has the rules.
#include "formats/rethinkdb/rdb_input.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/plural.h"
#include "formats/common/input_helpers.h"
#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {
namespace {

// rethinkdb import's --max-document-size default.
constexpr size_t kMaxDocumentBytes = size_t{128} << 20;
// Objects and arrays inside one another in one document. RethinkDB's import
// builds queries at most 100 deep (--max-nesting-depth); this is generous.
constexpr size_t kMaxNesting = 1000;

// True when the JSON text `s` has objects and arrays more than `limit` deep
// (brackets inside strings do not count).
bool NestingOver(std::string_view s, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return false;
}
constexpr size_t kMaxInfoBytes = size_t{128} << 20;
constexpr size_t kReadChunk = size_t{1} << 20;
// The system database: the tools never export it and refuse to import into it.
constexpr std::string_view kSystemDb = "rethinkdb";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The part of a name before its last '.', and the extension with the dot.
std::pair<std::string, std::string> SplitExtension(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return {name, ""};
  return {name.substr(0, dot), name.substr(dot)};
}

// A character for a message: itself when printable, its code otherwise.
std::string ShowChar(char c) {
  if (c >= 0x21 && c < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
      return false;
    i += len;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Member paths of a dump archive.

// The components of a member path, "" and "." dropped; an error text when it
// is absolute or has a ".." component (restore's normpath check, made strict:
// a ".." is refused even where it would land back inside).
Result<std::vector<std::string>> MemberComponents(const std::string& input, const std::string& name) {
  if (!name.empty() && name.front() == '/')
    return Status::Corruption(fmt::format("{}: member '{}' has an absolute path", input, name));
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(start, slash - start);
    if (part == "..")
      return Status::Corruption(fmt::format("{}: member '{}' climbs out of the archive ('..')", input, name));
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = slash + 1;
  }
  return parts;
}

bool KeptExtension(const std::string& file) {
  return EndsWith(file, ".json") || EndsWith(file, ".csv") || EndsWith(file, ".info");
}

// A reader for every tar form Python's tarfile writes (ustar, GNU, PAX) under
// any compression libarchive knows (tarfile's "r|*" reads gzip, bzip2, xz).
ArchivePtr NewTarReader() {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  return a;
}

std::string EntryPath(struct archive_entry* entry) {
  const char* p = archive_entry_pathname_utf8(entry);
  if (!p) p = archive_entry_pathname(entry);
  return p ? p : "";
}

// ---------------------------------------------------------------------------
// The InputSet.

class InputSetImpl : public InputSet {
 public:
  InputSetImpl(FileSystem* file_system, std::string input) : fs(file_system), describe(std::move(input)) {}
  ~InputSetImpl() override {
    if (!tmpdir.empty()) (void)fs->Remove(tmpdir);
  }
  const std::vector<TableFiles>& tables() const override { return table_list; }
  std::string Describe() const override { return describe; }

  FileSystem* fs;
  std::string describe;
  std::string tmpdir;  // the unpacked dump; removed on destruction
  std::vector<TableFiles> table_list;
};

Result<std::string> MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/decant-rethinkdb-XXXXXX";
  if (!::mkdtemp(tmpl.data()))  // mode 0700
    return Status::IOError(fmt::format("cannot create a temporary directory {}: {}", tmpl, std::strerror(errno)));
  return tmpl;
}

Result<std::string> ReadSmallFile(FileSystem* fs, const std::string& path, const std::string& shown, size_t cap) {
  DECANT_ASSIGN_OR_RETURN(auto file, fs->NewSequentialFile(path));
  std::string out;
  std::vector<char> buf(65536);
  for (;;) {
    size_t got = 0;
    DECANT_RETURN_IF_ERROR(file->Read(buf.size(), buf.data(), &got));
    if (got == 0) break;
    out.append(buf.data(), got);
    if (out.size() > cap) return Status::Corruption(fmt::format("{}: larger than {} MiB", shown, cap >> 20));
  }
  return out;
}

Status ReadInfo(FileSystem* fs, const std::string& path, const std::string& shown, TableFiles* table) {
  DECANT_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(fs, path, shown, kMaxInfoBytes));
  nlohmann::json info;
  try {
    info = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(fmt::format("{}: not a JSON object: {}", shown, JsonErrorText(e)));
  }
  if (!info.is_object()) return Status::Corruption(fmt::format("{}: not a JSON object", shown));
  auto pk = info.find("primary_key");
  if (pk == info.end() || !pk->is_string() || pk->get_ref<const std::string&>().empty())
    return Status::Corruption(fmt::format("{}: no \"primary_key\" string", shown));
  table->primary_key = pk->get<std::string>();
  table->info = std::move(info);
  return Status::OK();
}

// The tables of one <db> directory of an export (or an unpacked dump):
// <table>.info beside <table>.json | .ndjson | .csv. `shown` is how the
// directory is named in messages.
Status CollectExportTables(FileSystem* fs, const std::string& dir, const std::string& shown, const std::string& db,
                           bool allow_ndjson, std::vector<TableFiles>* out) {
  DECANT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::sort(names.begin(), names.end());
  std::map<std::string, std::pair<std::string, DataFormat>> data;  // table -> file name, format
  std::set<std::string> infos;
  for (const std::string& name : names) {
    if (name.empty() || name.front() == '.') continue;
    auto [stem, ext] = SplitExtension(name);
    DataFormat format;
    if (ext == ".info") {
      infos.insert(stem);
      continue;
    }
    if (ext == ".json") {
      format = DataFormat::kJson;
    } else if (ext == ".csv") {
      format = DataFormat::kCsv;
    } else if (ext == ".ndjson" && allow_ndjson) {
      format = DataFormat::kNdjson;
    } else {
      continue;
    }
    auto [it, inserted] = data.emplace(stem, std::make_pair(name, format));
    if (!inserted)
      return Status::Corruption(fmt::format("{}/{}: two data files for table {}.{} ({} and {})", shown, name, db, stem,
                                            it->second.first, name));
  }
  for (const auto& [stem, file] : data) {
    if (!infos.count(stem))
      return Status::Corruption(
          fmt::format("{}/{}: no {}.info beside it (the table's primary key and indexes)", shown, file.first, stem));
    TableFiles t;
    t.db = db;
    t.table = stem;
    t.format = file.second;
    t.data_path = JoinPath(dir, file.first);
    t.name = shown + "/" + file.first;
    DECANT_RETURN_IF_ERROR(ReadInfo(fs, JoinPath(dir, stem + ".info"), shown + "/" + stem + ".info", &t));
    DECANT_ASSIGN_OR_RETURN(t.data_bytes, fs->FileSize(t.data_path));
    out->push_back(std::move(t));
  }
  for (const std::string& stem : infos) {
    if (!data.count(stem))
      return Status::Corruption(fmt::format("{}/{}.info: no data file ({}.json{}, {}.csv) beside it", shown, stem, stem,
                                            allow_ndjson ? ", " + stem + ".ndjson" : "", stem));
  }
  return Status::OK();
}

// The sub-directories of `path` that may be databases: not dot-named, not the
// system database.
Result<std::vector<std::string>> DbDirectories(FileSystem* fs, const std::string& path) {
  DECANT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(path));
  std::sort(names.begin(), names.end());
  std::vector<std::string> dbs;
  for (const std::string& name : names) {
    if (name.empty() || name.front() == '.' || name == kSystemDb) continue;
    if (fs->IsDirectory(JoinPath(path, name))) dbs.push_back(name);
  }
  return dbs;
}

bool IsExportFileName(const std::string& name) {
  if (name.empty() || name.front() == '.') return false;
  std::string ext = SplitExtension(name).second;
  return ext == ".info" || ext == ".json" || ext == ".ndjson" || ext == ".csv";
}

bool IsLegacyFileName(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.find('.') == std::string::npos;
}

Status OpenDirectory(const std::string& path, FileSystem* fs, InputSetImpl* set) {
  DECANT_ASSIGN_OR_RETURN(std::vector<std::string> dbs, DbDirectories(fs, path));
  // An export if any database directory holds an export's file; a legacy
  // directory otherwise.
  bool is_export = false, any_legacy = false;
  for (const std::string& db : dbs) {
    DECANT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(JoinPath(path, db)));
    for (const std::string& name : names) {
      if (IsExportFileName(name)) is_export = true;
      if (IsLegacyFileName(name) && fs->IsRegularFile(JoinPath(JoinPath(path, db), name))) any_legacy = true;
    }
  }
  if (is_export) {
    for (const std::string& db : dbs)
      DECANT_RETURN_IF_ERROR(
          CollectExportTables(fs, JoinPath(path, db), JoinPath(path, db), db, /*allow_ndjson=*/true, &set->table_list));
    return Status::OK();
  }
  if (!any_legacy)
    return Status::Corruption(
        fmt::format("{}: not a RethinkDB export or import_export.rb directory (no <db>/<table>.info, no <db>/<table> "
                    "files)",
                    path));
  for (const std::string& db : dbs) {
    std::string dir = JoinPath(path, db);
    DECANT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (!IsLegacyFileName(name) || !fs->IsRegularFile(JoinPath(dir, name))) continue;
      TableFiles t;
      t.db = db;
      t.table = name;
      t.primary_key = "id";
      t.format = DataFormat::kLegacy;
      t.data_path = JoinPath(dir, name);
      t.name = t.data_path;
      DECANT_ASSIGN_OR_RETURN(t.data_bytes, fs->FileSize(t.data_path));
      set->table_list.push_back(std::move(t));
    }
  }
  return Status::OK();
}

Status ArchiveFailure(const std::string& input, struct archive* a, const ArchiveStream& ctx) {
  if (!ctx.status.ok()) return ctx.status;
  const char* msg = archive_error_string(a);
  return Status::Corruption(fmt::format("{} is truncated or corrupt: {}", input, msg ? msg : "unreadable tar"));
}

Status OpenArchive(const std::string& path, FileSystem* fs, InputSetImpl* set) {
  const std::string& input = set->describe;
  DECANT_ASSIGN_OR_RETURN(set->tmpdir, MakeTempDir());
  DECANT_ASSIGN_OR_RETURN(auto file, fs->NewSequentialFile(path));
  ArchiveStream ctx;
  ctx.file = file.get();
  ctx.buf.resize(kReadChunk);
  ArchivePtr a = NewTarReader();
  if (archive_read_open(a.get(), &ctx, nullptr, ArchiveStreamRead, nullptr) != ARCHIVE_OK) {
    if (ctx.status.ok() && ctx.bytes == 0) return Status::Corruption(input + " is empty, not a RethinkDB dump");
    return ArchiveFailure(input, a.get(), ctx);
  }
  std::string top;
  std::set<std::string> seen, dbs;
  std::vector<char> buf(65536);
  for (;;) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) {
      if (ctx.bytes == 0) return Status::Corruption(input + " is empty, not a RethinkDB dump");
      break;
    }
    if (r < ARCHIVE_WARN) return ArchiveFailure(input, a.get(), ctx);
    std::string name = EntryPath(entry);
    DECANT_ASSIGN_OR_RETURN(std::vector<std::string> parts, MemberComponents(input, name));
    // Directories, links and devices are skipped (restore reads regular
    // files only); a hard link has no data of its own.
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry)) continue;
    if (parts.empty() || parts.back().front() == '.' || !KeptExtension(parts.back())) continue;
    if (parts.size() != 3)
      return Status::Corruption(
          fmt::format("{}: member '{}' is not <top>/<db>/<file> (unexpected directory structure)", input, name));
    if (top.empty()) top = parts[0];
    if (parts[0] != top)
      return Status::Corruption(
          fmt::format("{}: members under two top directories ('{}' and '{}')", input, top, parts[0]));
    const std::string& db = parts[1];
    if (db == kSystemDb) continue;
    if (!seen.insert(db + "/" + parts[2]).second)
      return Status::Corruption(fmt::format("{}: member '{}' appears twice", input, name));
    std::string dir = JoinPath(set->tmpdir, db);
    if (dbs.insert(db).second) DECANT_RETURN_IF_ERROR(fs->CreateDir(dir));
    DECANT_ASSIGN_OR_RETURN(auto out, fs->NewWritableFile(JoinPath(dir, parts[2])));
    for (;;) {
      la_ssize_t got = archive_read_data(a.get(), buf.data(), buf.size());
      if (got < 0) return ArchiveFailure(input, a.get(), ctx);
      if (got == 0) break;
      DECANT_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), static_cast<size_t>(got))));
    }
    DECANT_RETURN_IF_ERROR(out->Close());
  }
  for (const std::string& db : dbs)
    DECANT_RETURN_IF_ERROR(CollectExportTables(fs, JoinPath(set->tmpdir, db), input + ": " + top + "/" + db, db,
                                               /*allow_ndjson=*/false, &set->table_list));
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<InputSet>> InputSet::Open(const std::string& path, const DocumentOptions& options,
                                                 FileSystem* fs) {
  auto set = std::make_unique<InputSetImpl>(fs, path == "-" ? "stdin" : path);
  if (path != "-" && fs->IsDirectory(path)) {
    DECANT_RETURN_IF_ERROR(OpenDirectory(path, fs, set.get()));
  } else {
    if (path != "-" && !fs->Exists(path)) return Status::NotFound(fmt::format("{}: no such file or directory", path));
    DECANT_RETURN_IF_ERROR(OpenArchive(path, fs, set.get()));
  }
  std::sort(set->table_list.begin(), set->table_list.end(),
            [](const TableFiles& x, const TableFiles& y) { return std::tie(x.db, x.table) < std::tie(y.db, y.table); });
  for (const auto& entry : options.primary_keys) {
    const std::string& key = entry.first;
    const std::string& pk = entry.second;
    auto it = std::find_if(set->table_list.begin(), set->table_list.end(),
                           [&key](const TableFiles& t) { return t.db + "." + t.table == key; });
    if (it == set->table_list.end())
      return Status::InvalidArgument(
          fmt::format("--primary-keys names {}, which is not a table of {}", key, set->Describe()));
    if (pk.empty()) return Status::InvalidArgument(fmt::format("--primary-keys gives {} an empty key", key));
    it->primary_key = pk;
  }
  return std::unique_ptr<InputSet>(std::move(set));
}

// ---------------------------------------------------------------------------
// Documents.

namespace {

// A file read front to back through a buffer: bytes [pos_, buf_.size()) are
// read and not yet consumed; line_ is the line of buf_[pos_].
class BufferedFile {
 public:
  BufferedFile(std::unique_ptr<SequentialFile> file, std::string name)
      : file_(std::move(file)), name_(std::move(name)) {}

  // Drops the consumed bytes (shifting *offset, an index into buf_, with
  // them) and appends a chunk; sets eof_ when none came.
  Status Fill(size_t* offset = nullptr) {
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      if (offset) *offset -= pos_;
      pos_ = 0;
    }
    size_t old = buf_.size(), got = 0;
    buf_.resize(old + kReadChunk);
    Status s = file_->Read(kReadChunk, buf_.data() + old, &got);
    buf_.resize(old + got);
    DECANT_RETURN_IF_ERROR(s);
    if (got == 0) eof_ = true;
    return Status::OK();
  }
  void Consume(size_t n) {
    line_ += static_cast<uint64_t>(std::count(buf_.data() + pos_, buf_.data() + pos_ + n, '\n'));
    pos_ += n;
  }
  // Skips whitespace; on return pos_ is at a significant byte or the end of the file.
  Status SkipSpace() {
    for (;;) {
      while (pos_ < buf_.size() && IsSpace(buf_[pos_])) {
        if (buf_[pos_] == '\n') ++line_;
        ++pos_;
      }
      if (pos_ < buf_.size() || eof_) return Status::OK();
      DECANT_RETURN_IF_ERROR(Fill());
    }
  }
  bool AtEnd() const { return pos_ >= buf_.size() && eof_; }
  Status Error(uint64_t line, const std::string& what) const {
    return Status::Corruption(fmt::format("{}: line {}: {}", name_, line, what));
  }
  Status TooDeep(uint64_t line) const {
    return Error(line, fmt::format("a document nested deeper than {} levels", kMaxNesting));
  }
  // Parses buf_[begin, end) as one document, which must be an object.
  // The caller has checked the nesting (TooDeep): the parser and the
  // document's destructor recurse once per level.
  Status ParseDocument(size_t begin, size_t end, uint64_t line, nlohmann::json* doc) const {
    try {
      *doc = nlohmann::json::parse(buf_.data() + begin, buf_.data() + end);
    } catch (const nlohmann::json::exception& e) {
      return Error(line, "malformed JSON: " + JsonErrorText(e));
    }
    if (!doc->is_object()) return Error(line, fmt::format("a document is {}, not a JSON object", doc->type_name()));
    return Status::OK();
  }

 protected:
  std::unique_ptr<SequentialFile> file_;
  std::string name_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t line_ = 1;
};

// <table>.json: "[" documents "," ... "]", or a concatenation of objects
// (rethinkdb import's JSON reader, foreign-formats.md 1.7).
class JsonReader : public DocumentReader, BufferedFile {
 public:
  using BufferedFile::BufferedFile;

  Result<bool> Next(nlohmann::json* doc) override {
    if (done_) return false;
    DECANT_RETURN_IF_ERROR(SkipSpace());
    if (!started_) {
      started_ = true;
      if (AtEnd()) {  // an empty file: no documents
        done_ = true;
        return false;
      }
      char c = buf_[pos_];
      if (c == '[') {
        array_ = true;
        Consume(1);
        DECANT_RETURN_IF_ERROR(SkipSpace());
        if (!AtEnd() && buf_[pos_] == ']') return Close();
      } else if (c != '{') {
        return Error(line_, fmt::format("expected '[' or '{{' at the start, found {}", ShowChar(c)));
      }
    } else if (array_) {
      if (AtEnd()) return Error(line_, "the file ends before the closing ']' (truncated?)");
      char c = buf_[pos_];
      if (c == ']') return Close();
      if (c != ',') return Error(line_, fmt::format("expected ',' or ']' after a document, found {}", ShowChar(c)));
      Consume(1);
      DECANT_RETURN_IF_ERROR(SkipSpace());
    } else if (AtEnd()) {
      done_ = true;
      return false;
    }
    if (AtEnd()) return Error(line_, "the file ends before the closing ']' (truncated?)");
    doc_line_ = line_;
    size_t end = 0;
    DECANT_RETURN_IF_ERROR(ScanValue(&end));
    DECANT_RETURN_IF_ERROR(ParseDocument(pos_, end, doc_line_, doc));
    Consume(end - pos_);
    return true;
  }
  uint64_t line() const override { return doc_line_; }

 private:
  // After the closing ']': only whitespace may follow.
  Result<bool> Close() {
    Consume(1);
    done_ = true;
    DECANT_RETURN_IF_ERROR(SkipSpace());
    if (!AtEnd()) return Error(line_, fmt::format("junk after the closing ']': {}", ShowChar(buf_[pos_])));
    return false;
  }

  // Finds the end of the JSON value starting at pos_ (a significant byte):
  // strings with their escapes and the nesting depth, without parsing.
  Status ScanValue(size_t* end) {
    size_t i = pos_;
    char c0 = buf_[pos_];
    bool scalar = c0 != '{' && c0 != '[' && c0 != '"';
    bool in_string = false;
    size_t depth = 0;
    for (;;) {
      const char* b = buf_.data();
      size_t n = buf_.size();
      if (scalar) {
        while (i < n && !IsSpace(b[i]) && b[i] != ',' && b[i] != ']' && b[i] != '}') ++i;
        if (i < n || eof_) {
          if (i == pos_) return Error(line_, fmt::format("expected a document, found {}", ShowChar(c0)));
          *end = i;
          return Status::OK();
        }
      } else {
        while (i < n) {
          if (in_string) {
            while (i < n && b[i] != '"' && b[i] != '\\') ++i;
            if (i >= n) break;
            if (b[i] == '\\') {
              if (i + 1 >= n) break;  // the escaped byte is in the next chunk
              i += 2;
              continue;
            }
            in_string = false;
            ++i;
            if (depth == 0) {
              *end = i;
              return Status::OK();
            }
            continue;
          }
          char c = b[i];
          if (c == '"') {
            in_string = true;
          } else if (c == '{' || c == '[') {
            if (++depth > kMaxNesting) return TooDeep(doc_line_);
          } else if (c == '}' || c == ']') {
            if (--depth == 0) {
              *end = i + 1;
              return Status::OK();
            }
          }
          ++i;
        }
        if (eof_) return Error(doc_line_, "the file ends inside a document (truncated?)");
      }
      if (i - pos_ > kMaxDocumentBytes)
        return Error(doc_line_, fmt::format("a document larger than {} MiB", kMaxDocumentBytes >> 20));
      DECANT_RETURN_IF_ERROR(Fill(&i));
    }
  }

  bool started_ = false, array_ = false, done_ = false;
  uint64_t doc_line_ = 0;
};

// <table>.ndjson and import_export.rb's <table>: one document per line; blank
// lines are skipped, the last line needs no newline.
class LineReader : public DocumentReader, BufferedFile {
 public:
  using BufferedFile::BufferedFile;

  Result<bool> Next(nlohmann::json* doc) override {
    for (;;) {
      size_t scan = pos_;
      size_t nl;
      for (;;) {
        const char* found = static_cast<const char*>(std::memchr(buf_.data() + scan, '\n', buf_.size() - scan));
        if (found) {
          nl = static_cast<size_t>(found - buf_.data());
          break;
        }
        if (eof_) {
          nl = buf_.size();
          break;
        }
        scan = buf_.size();
        if (scan - pos_ > kMaxDocumentBytes)
          return Error(line_, fmt::format("a line longer than {} MiB", kMaxDocumentBytes >> 20));
        DECANT_RETURN_IF_ERROR(Fill(&scan));
      }
      if (pos_ >= buf_.size()) return false;
      size_t begin = pos_, end = nl;
      while (begin < end && IsSpace(buf_[begin])) ++begin;
      while (end > begin && IsSpace(buf_[end - 1])) --end;
      doc_line_ = line_;
      if (begin == end) {
        Consume(nl < buf_.size() ? nl + 1 - pos_ : nl - pos_);
        continue;
      }
      if (NestingOver(std::string_view(buf_).substr(begin, end - begin), kMaxNesting)) return TooDeep(doc_line_);
      DECANT_RETURN_IF_ERROR(ParseDocument(begin, end, doc_line_, doc));
      Consume(nl < buf_.size() ? nl + 1 - pos_ : nl - pos_);
      return true;
    }
  }
  uint64_t line() const override { return doc_line_; }

 private:
  uint64_t doc_line_ = 0;
};

// <table>.csv as Python's csv.reader (excel dialect, strict off) reads it:
// quoted fields with "" for a quote, which may span lines; \r\n, \n or \r
// ends a record; a quote inside an unquoted field is kept. The header row
// names the fields; every value is a string; empty cells are left out.
class CsvReader : public DocumentReader, BufferedFile {
 public:
  using BufferedFile::BufferedFile;

  Result<bool> Next(nlohmann::json* doc) override {
    std::vector<std::string> row;
    if (!have_header_) {
      DECANT_ASSIGN_OR_RETURN(bool got, ReadRecord(&header_));
      if (!got) return false;
      have_header_ = true;
      for (const std::string& h : header_)
        if (!ValidUtf8(h)) return Error(doc_line_, "the header is not UTF-8");
    }
    DECANT_ASSIGN_OR_RETURN(bool got, ReadRecord(&row));
    if (!got) return false;
    if (row.size() != header_.size())
      return Error(doc_line_, fmt::format("{}, the header has {}", Counted(row.size(), "field"), header_.size()));
    *doc = nlohmann::json::object();
    for (size_t k = 0; k < row.size(); ++k) {
      if (row[k].empty()) continue;
      if (!ValidUtf8(row[k])) return Error(doc_line_, fmt::format("field '{}' is not UTF-8", header_[k]));
      (*doc)[header_[k]] = std::move(row[k]);
    }
    return true;
  }
  uint64_t line() const override { return doc_line_; }

 private:
  // The next non-blank record; false at the end of the file.
  Result<bool> ReadRecord(std::vector<std::string>* fields) {
    enum { kStartField, kInField, kInQuoted, kQuoteInQuoted } state = kStartField;
    fields->clear();
    std::string field;
    size_t bytes = 0;
    bool any = false;  // a byte of this record other than its line end
    for (;;) {
      if (pos_ >= buf_.size()) {
        if (!eof_) {
          DECANT_RETURN_IF_ERROR(Fill());
          continue;
        }
        if (state == kInQuoted) return Error(doc_line_, "the file ends inside a quoted field (truncated?)");
        if (!any) return false;
        fields->push_back(std::move(field));
        return true;
      }
      char c = buf_[pos_++];
      if (!any && c != '\r' && c != '\n') {
        any = true;
        doc_line_ = line_;
      }
      if (c == '\n') ++line_;
      if (++bytes > kMaxDocumentBytes)
        return Error(doc_line_, fmt::format("a record larger than {} MiB", kMaxDocumentBytes >> 20));
      bool newline = c == '\n' || c == '\r';
      switch (state) {
        case kStartField:
        case kInField:
          if (state == kStartField && c == '"') {
            state = kInQuoted;
          } else if (c == ',') {
            fields->push_back(std::move(field));
            field.clear();
            state = kStartField;
          } else if (newline) {
            if (!any) continue;  // a blank line
            return EndRecord(c, fields, &field);
          } else {
            field.push_back(c);
            state = kInField;
          }
          break;
        case kInQuoted:
          if (c == '"') {
            state = kQuoteInQuoted;
          } else {
            field.push_back(c);
          }
          break;
        case kQuoteInQuoted:
          if (c == '"') {
            field.push_back('"');
            state = kInQuoted;
          } else if (c == ',') {
            fields->push_back(std::move(field));
            field.clear();
            state = kStartField;
          } else if (newline) {
            return EndRecord(c, fields, &field);
          } else {
            field.push_back(c);
            state = kInField;
          }
          break;
      }
    }
  }
  // Ends a record at a line end `c` (a "\r\n" counts once).
  Result<bool> EndRecord(char c, std::vector<std::string>* fields, std::string* field) {
    fields->push_back(std::move(*field));
    if (c == '\r') {
      if (pos_ >= buf_.size() && !eof_) DECANT_RETURN_IF_ERROR(Fill());
      if (pos_ < buf_.size() && buf_[pos_] == '\n') {
        ++pos_;
        ++line_;
      }
    }
    return true;
  }

  bool have_header_ = false;
  std::vector<std::string> header_;
  uint64_t doc_line_ = 0;
};

}  // namespace

Result<std::unique_ptr<DocumentReader>> DocumentReader::Open(const TableFiles& table) {
  DECANT_ASSIGN_OR_RETURN(auto file, FileSystem::Default()->NewSequentialFile(table.data_path));
  std::string name = table.name.empty() ? table.data_path : table.name;
  switch (table.format) {
    case DataFormat::kJson: return std::unique_ptr<DocumentReader>(new JsonReader(std::move(file), std::move(name)));
    case DataFormat::kNdjson:
    case DataFormat::kLegacy: return std::unique_ptr<DocumentReader>(new LineReader(std::move(file), std::move(name)));
    case DataFormat::kCsv: return std::unique_ptr<DocumentReader>(new CsvReader(std::move(file), std::move(name)));
  }
  return Status::Internal("DocumentReader: unknown data format");
}

// ---------------------------------------------------------------------------
// Recognising.

namespace {

// The head of a file: a gzip-compressed or plain tar whose first regular
// member is <top>/<db>/<table>.json|.info|.csv.
bool RecogniseHead(const std::string& head) {
  std::string tar = head.compare(0, 2, "\x1f\x8b") == 0 ? InflateHead(head, size_t{64} << 10) : head;
  if (tar.size() < 512 || tar.compare(257, 5, "ustar") != 0) return false;
  struct archive* raw = archive_read_new();
  ArchivePtr a(raw);
  archive_read_support_format_tar(raw);
  archive_read_support_format_gnutar(raw);
  if (archive_read_open_memory(raw, tar.data(), tar.size()) != ARCHIVE_OK) return false;
  for (int k = 0; k < 8; ++k) {  // directory entries first, as `tar czf` writes them
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(raw, &entry);
    if (r < ARCHIVE_WARN || r == ARCHIVE_EOF) return false;
    if (archive_entry_filetype(entry) == AE_IFDIR) continue;
    if (archive_entry_filetype(entry) != AE_IFREG) return false;
    auto parts = MemberComponents("", EntryPath(entry));
    return parts.ok() && parts.value().size() == 3 && KeptExtension(parts.value()[2]);
  }
  return false;
}

// A directory with a database sub-directory holding a .info (an export) or
// an extension-less file starting with '{' (import_export.rb).
bool RecogniseDirectory(const std::string& path, FileSystem* fs) {
  auto dbs = DbDirectories(fs, path);
  if (!dbs.ok()) return false;
  size_t looked = 0;
  for (const std::string& db : dbs.value()) {
    std::string dir = JoinPath(path, db);
    auto names = fs->ListDir(dir);
    if (!names.ok()) continue;
    for (const std::string& name : names.value()) {
      if (++looked > 10000) return false;
      std::string file = JoinPath(dir, name);
      if (IsExportFileName(name) && EndsWith(name, ".info") && fs->IsRegularFile(file)) return true;
      if (IsLegacyFileName(name) && fs->IsRegularFile(file)) {
        auto head = fs->Peek(file, 256);
        if (!head.ok()) continue;
        const std::string& h = head.value();
        size_t k = h.find_first_not_of(" \t\r\n");
        if (k != std::string::npos && h[k] == '{') return true;
      }
    }
  }
  return false;
}

}  // namespace

bool Recognise(const FileProbe& probe, FileSystem* fs) {
  return probe.is_directory ? RecogniseDirectory(probe.path, fs) : RecogniseHead(probe.head);
}

}  // namespace decant::rethinkdb
