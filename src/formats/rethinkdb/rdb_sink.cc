// The `rethinkdb dump` archive writer: documents go to one temporary file per
// table (and per writer of it) beside the target, and Commit packs them with
// their .info files into the tar.gz that `rethinkdb restore` reads.
#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "archive/codec.h"
#include "formats/rethinkdb/rdb_shape.h"
#include "formats/rethinkdb/rdb_writer.h"
#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kFlushBytes = size_t{1} << 20;

// A JavaScript string literal (JSON's form is one).
std::string Js(const std::string& s) {
  std::string out;
  AppendPythonJson(Json(s), &out);
  return out;
}

struct TableOut {
  const Table* table = nullptr;
  std::string db, name;  // as RethinkDB names them
  std::unique_ptr<DocumentMaker> maker;
  std::vector<std::string> parts;  // temporary files, in order
  uint64_t docs = 0;
  uint64_t bytes = 0;  // of the parts
  bool open = false;
};

class RdbSink;

class RdbTableWriter final : public TableWriter {
 public:
  RdbTableWriter(RdbSink* sink, TableOut* t, std::unique_ptr<WritableFile> file, size_t columns)
      : sink_(sink), t_(t), file_(std::move(file)), columns_(columns) {}
  ~RdbTableWriter() override;
  Status Write(const RowBatch& batch) override;
  Status Close() override;

 private:
  Status Flush();
  RdbSink* sink_;
  TableOut* t_;
  std::unique_ptr<WritableFile> file_;
  size_t columns_;
  std::string buffer_;
  bool closed_ = false;
  Status failed_;
};

class RdbSink final : public Sink {
 public:
  RdbSink(std::string path, bool replace, FileSystem* fs) : path_(std::move(path)), replace_(replace), fs_(fs) {}
  ~RdbSink() override {
    if (state_ != State::kCommitted && state_ != State::kAborted) Abort();
  }
  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override { return "RethinkDB dump " + (to_stdout() ? std::string("(stdout)") : path_); }
  SinkReport Report() const override { return report_; }
  const EngineTraits& Traits() const override { return *rethinkdb::Traits(); }

  void WriterDone(TableOut* t) {
    std::lock_guard<std::mutex> lock(mu_);
    t->open = false;
  }

 private:
  enum class State { kNew, kOpen, kCommitted, kAborted, kFailed };
  bool to_stdout() const { return path_ == "-"; }
  Status WriteArchive(WritableFile* file);

  std::string path_;
  bool replace_;  // --force: an existing file is replaced on Commit
  FileSystem* fs_;
  std::mutex mu_;
  State state_ = State::kNew;
  std::string top_;  // the archive's top directory
  std::string tmp_;  // where the table files are written
  std::string partial_;
  Schema schema_;
  std::vector<TableOut> tables_;
  SinkReport report_;
};

RdbTableWriter::~RdbTableWriter() {
  if (!closed_) {
    if (file_) (void)file_->Close();
    sink_->WriterDone(t_);
  }
}

Status RdbTableWriter::Flush() {
  if (buffer_.empty()) return Status::OK();
  Status s = file_->Append(buffer_);
  t_->bytes += buffer_.size();
  buffer_.clear();
  return s;
}

Status RdbTableWriter::Write(const RowBatch& batch) {
  if (closed_) return Status::FailedPrecondition("RethinkDB dump: Write after Close");
  if (!failed_.ok()) return failed_;
  if (batch.num_columns() != columns_) {
    return failed_ = Status::InvalidArgument(fmt::format("table {}.{}: batch has {} columns, expected {}", t_->db,
                                                         t_->name, batch.num_columns(), columns_));
  }
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    auto doc = t_->maker->Make(batch.row(r));
    if (!doc.ok()) return failed_ = doc.status();
    buffer_ += t_->docs == 0 ? "\n" : ",\n";
    AppendPythonJson(*doc, &buffer_);
    ++t_->docs;
    if (buffer_.size() >= kFlushBytes) {
      Status s = Flush();
      if (!s.ok()) return failed_ = s;
    }
  }
  return Status::OK();
}

Status RdbTableWriter::Close() {
  if (closed_) return failed_;
  if (failed_.ok()) failed_ = Flush();
  Status c = file_->Close();
  if (failed_.ok()) failed_ = c;
  closed_ = true;
  sink_->WriterDone(t_);
  return failed_;
}

// The names RethinkDB gets: each table's database (its schema, else the
// database's file stem, else "test") and name, made valid and unique.
std::string DatabaseName(const Table& t, const Schema& schema) {
  if (!t.schema.empty()) return t.schema;
  std::string stem = BaseName(schema.database);
  size_t dot = stem.find('.');
  if (dot != std::string::npos && dot > 0) stem.resize(dot);
  return stem.empty() ? "test" : stem;
}

// What a dump of `schema` holds (its tables, their names and keys) and names instead of
// carrying (report->refused).
void PlanDump(const Schema& schema, std::vector<TableOut>* tables, SinkReport* report) {
  std::set<std::string> used;
  for (const Table& t : schema.tables) {
    TableOut out;
    out.table = &t;
    std::string want_db = DatabaseName(t, schema);
    out.db = RethinkName(want_db);
    if (out.db == "rethinkdb") out.db = "rethinkdb_";  // the system database: restore refuses it
    out.name = RethinkName(t.name);
    std::string base = out.name;
    for (int n = 2; used.count(out.db + "." + out.name); ++n) out.name = fmt::format("{}_{}", base, n);
    used.insert(out.db + "." + out.name);
    out.maker = std::make_unique<DocumentMaker>(t);
    std::string qualified = out.db + "." + out.name;
    std::string note;
    if (out.db != want_db || out.name != t.name) {
      note = fmt::format("{} is {} in RethinkDB (names are [A-Za-z0-9_-], unique, never the system database)",
                         QualifiedName(want_db, t.name), qualified);
    }
    report->created.push_back({"table", qualified, "", note, 1, false});
    report->created.push_back({"primary key", out.maker->primary_key(), qualified, out.maker->key_note(), 1, false});
    tables->push_back(std::move(out));
  }
  auto find = [&](const std::string& schema_name, const std::string& table) -> const TableOut* {
    for (const TableOut& o : *tables) {
      if (o.table->schema == schema_name && o.table->name == table) return &o;
    }
    return nullptr;
  };
  // Indexes: RethinkDB's index functions are server bytes decant cannot
  // write; each is named with the call that creates it.
  for (const Index& x : schema.indexes) {
    const TableOut* o = find(x.schema, x.table);
    if (!o) continue;
    const Table& t = *o->table;
    std::vector<std::string> keys;
    std::string unsupported;
    bool geo = false;
    for (const IndexKey& k : x.keys) {
      if (k.column.empty()) {
        unsupported = k.expression;
        break;
      }
      std::string row = "r.row(" + Js(k.column) + ")";
      // A path into the document column is a path into the document itself.
      bool is_doc = false;
      for (const Column& c : t.columns) {
        if (c.name == k.column && c.type.logical == LogicalType::kJson &&
            (c.name == kDocumentColumn || c.comment == kDocumentComment)) {
          is_doc = true;
        }
        if (c.name == k.column && c.type.logical == LogicalType::kGeometry) geo = true;
      }
      if (is_doc && !k.json_path.empty()) row = "r.row";
      if (is_doc && k.json_path.empty()) {
        unsupported = "the whole document";
        break;
      }
      for (const std::string& p : k.json_path) row += "(" + Js(p) + ")";
      keys.push_back(row);
    }
    std::string reason;
    if (!unsupported.empty() || keys.empty()) {
      reason = "no ReQL equivalent for " + (unsupported.empty() ? std::string("an index without keys") : unsupported);
    } else {
      if (keys.size() == 1 && x.keys[0].column == o->maker->primary_key() && x.keys[0].json_path.empty() && !x.where) {
        continue;  // the table's primary index already orders it
      }
      std::string fn = keys.size() == 1 ? keys[0] : "[" + fmt::format("{}", fmt::join(keys, ", ")) + "]";
      reason = fmt::format("r.db({}).table({}).indexCreate({}, {}{})", Js(o->db), Js(o->name), Js(RethinkName(x.name)),
                           fn, geo && keys.size() == 1 ? ", {geo: true}" : "");
      if (x.unique) reason += "  // unique not enforced: RethinkDB has no unique indexes";
      if (x.where) reason += "  // the condition WHERE " + *x.where + " has no ReQL equivalent";
    }
    report->refused.push_back({"index", x.name, QualifiedName(x.schema, x.table), reason, 1, false});
  }
  for (const TableOut& o : *tables) {
    const Table& t = *o.table;
    std::string q = QualifiedName(t.schema, t.name);
    for (const KeyConstraint& u : t.uniques) {
      report->refused.push_back({"unique key",
                                 u.name.empty() ? fmt::format("({})", fmt::join(u.columns, ", ")) : u.name, q,
                                 "RethinkDB has no unique constraints besides the primary key", 1, false});
    }
    for (const ForeignKey& f : t.foreign_keys) {
      report->refused.push_back({"foreign key",
                                 f.name.empty() ? fmt::format("({})", fmt::join(f.columns, ", ")) : f.name, q,
                                 "RethinkDB has no foreign keys", 1, false});
    }
  }
  for (const View& v : schema.views) {
    report->refused.push_back({v.materialized ? "materialized view" : "view", QualifiedName(v.schema, v.name), "",
                               "RethinkDB has no views", 1, false});
  }
  for (const Trigger& tr : schema.triggers) {
    report->refused.push_back({"trigger", tr.name, QualifiedName(tr.schema, tr.table),
                               "RethinkDB has no triggers (a write hook is a ReQL function decant cannot write)", 1,
                               false});
  }
  for (const Sequence& s : schema.sequences) {
    report->refused.push_back({"sequence", QualifiedName(s.schema, s.name),
                               s.owner_table.empty() ? "" : QualifiedName(s.schema, s.owner_table),
                               fmt::format("RethinkDB has no counters (last value {}): a new document needs its own "
                                           "key, or gets a UUID",
                                           s.last_value),
                               1, false});
  }
}

Status RdbSink::Begin(const Schema& schema, const SinkOptions& /*options*/) {
  if (state_ != State::kNew) return Status::FailedPrecondition("RethinkDB dump: Begin called twice");
  state_ = State::kFailed;  // until Begin succeeds
  DECANT_RETURN_IF_ERROR(CheckOutputFile(fs_, path_, "RethinkDB dump", replace_));
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  top_ = DumpName(now);
  if (!to_stdout()) {
    std::string base = BaseName(path_);
    if (base.size() > 7 && base.ends_with(".tar.gz")) top_ = base.substr(0, base.size() - 7);
  }
  schema_ = schema;
  tables_.clear();
  report_ = {};
  PlanDump(schema_, &tables_, &report_);
  if (to_stdout()) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    tmp_ = (dir / ("decant-rethinkdb-" + UuidToString(NewRandomUuid()))).string();
  } else {
    partial_ = PartialPath(path_);
    tmp_ = partial_ + ".d";
    if (fs_->Exists(tmp_)) DECANT_RETURN_IF_ERROR(fs_->Remove(tmp_));
  }
  DECANT_RETURN_IF_ERROR(fs_->CreateDir(tmp_));
  state_ = State::kOpen;
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> RdbSink::OpenTable(const Table& table) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kOpen) return Status::FailedPrecondition("RethinkDB dump is not open for writing");
  for (size_t i = 0; i < tables_.size(); ++i) {
    TableOut& t = tables_[i];
    if (t.table->schema != table.schema || t.table->name != table.name) continue;
    if (t.open) return Status::FailedPrecondition("table " + t.db + "." + t.name + " is already open");
    std::string part = JoinPath(tmp_, fmt::format("{}.{}.json", i, t.parts.size()));
    DECANT_ASSIGN_OR_RETURN(auto file, fs_->NewWritableFile(part));
    t.parts.push_back(part);
    t.open = true;
    return std::unique_ptr<TableWriter>(new RdbTableWriter(this, &t, std::move(file), DataColumns(*t.table).size()));
  }
  return Status::NotFound("table " + QualifiedName(table.schema, table.name) + " is not in the dump's schema");
}

// libarchive's output callback: appends to a WritableFile.
struct Output {
  WritableFile* file;
  Status status;
};

la_ssize_t WriteCallback(struct archive* a, void* data, const void* buffer, size_t length) {
  auto* out = static_cast<Output*>(data);
  Status s = out->file->Append({static_cast<const char*>(buffer), length});
  if (!s.ok()) {
    out->status = s;
    archive_set_error(a, EIO, "%s", s.message().c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

Status RdbSink::WriteArchive(WritableFile* file) {
  Output out{file, Status::OK()};
  struct archive* a = archive_write_new();
  if (!a) return Status::Internal("libarchive: out of memory");
  auto fail = [&](const std::string& what) {
    Status s = out.status.ok() ? Status::IOError(fmt::format("writing the RethinkDB dump: {}: {}", what,
                                                             archive_error_string(a) ? archive_error_string(a) : "?"))
                               : out.status;
    archive_write_free(a);
    return s;
  };
  // PAX, gzip: what Python's tarfile (>= 3.8) writes with mode "w:gz".
  if (archive_write_set_format_pax(a) != ARCHIVE_OK || archive_write_add_filter_gzip(a) != ARCHIVE_OK) {
    return fail("format");
  }
  if (archive_write_open(a, &out, nullptr, WriteCallback, nullptr) != ARCHIVE_OK) return fail("open");
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  std::map<std::string, std::string> db_ids;
  std::vector<char> buf(size_t{1} << 16);
  for (const TableOut& t : tables_) {
    if (!db_ids.count(t.db)) db_ids[t.db] = UuidToString(NewRandomUuid());
    Json info = Json::object();  // table.info()'s keys, sorted as the server sends them, then write_hook
    Json db = Json::object();
    db["id"] = db_ids[t.db];
    db["name"] = t.db;
    db["type"] = "DB";
    info["db"] = std::move(db);
    info["doc_count_estimates"] = Json::array({t.docs});
    info["id"] = UuidToString(NewRandomUuid());
    info["indexes"] = Json::array();
    info["name"] = t.name;
    info["primary_key"] = t.maker->primary_key();
    info["type"] = "TABLE";
    info["write_hook"] = nullptr;
    std::string info_text;
    AppendPythonJson(info, &info_text);
    info_text += "\n";
    static constexpr std::string_view kHead = "[";
    static constexpr std::string_view kTail = "\n]\n";  // "[\n]\n" for an empty table
    for (int member = 0; member < 2; ++member) {
      bool is_info = member == 0;
      std::string path = fmt::format("{}/{}/{}.{}", top_, t.db, t.name, is_info ? "info" : "json");
      uint64_t size = is_info ? info_text.size() : kHead.size() + t.bytes + kTail.size();
      struct archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, path.c_str());
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(size));
      archive_entry_set_mtime(e, ns / 1000000000, ns % 1000000000);
      int r = archive_write_header(a, e);
      archive_entry_free(e);
      if (r != ARCHIVE_OK) return fail(path);
      auto put = [&](std::string_view data) {
        return archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size());
      };
      if (is_info) {
        if (!put(info_text)) return fail(path);
        continue;
      }
      if (!put(kHead)) return fail(path);
      for (const std::string& part : t.parts) {
        auto in = fs_->NewSequentialFile(part);
        if (!in.ok()) {
          archive_write_free(a);
          return in.status();
        }
        for (;;) {
          size_t got = 0;
          Status s = (*in)->Read(buf.size(), buf.data(), &got);
          if (!s.ok()) {
            archive_write_free(a);
            return s;
          }
          if (got == 0) break;
          if (!put({buf.data(), got})) return fail(path);
        }
      }
      if (!put(kTail)) return fail(path);
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK) return fail("close");
  archive_write_free(a);
  return out.status;
}

Status RdbSink::Commit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kOpen) {
      return Status::FailedPrecondition("RethinkDB dump " + path_ + " cannot be committed: writing failed or finished");
    }
    for (const TableOut& t : tables_) {
      if (t.open) {
        state_ = State::kFailed;
        return Status::FailedPrecondition("RethinkDB dump: table " + t.db + "." + t.name + " is still open");
      }
    }
  }
  Status s;
  auto file = fs_->NewWritableFile(to_stdout() ? path_ : partial_);
  if (!file.ok()) {
    s = file.status();
  } else {
    s = WriteArchive(file->get());
    if (s.ok()) s = (*file)->Sync();
    Status c = (*file)->Close();
    if (s.ok()) s = c;
  }
  if (s.ok() && !to_stdout()) s = Publish(fs_, partial_, path_, replace_);
  if (!s.ok()) {
    Abort();
    return s;
  }
  (void)fs_->Remove(tmp_);
  state_ = State::kCommitted;
  return Status::OK();
}

void RdbSink::Abort() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kCommitted || state_ == State::kAborted) return;
    state_ = State::kAborted;
  }
  if (!tmp_.empty() && fs_->Exists(tmp_)) (void)fs_->Remove(tmp_);
  if (!partial_.empty() && fs_->Exists(partial_)) (void)fs_->Remove(partial_);
}

}  // namespace

std::vector<std::string> NotWritten(const Schema& schema, const EngineTraits& /*source*/) {
  std::vector<TableOut> tables;
  SinkReport report;
  PlanDump(schema, &tables, &report);
  std::vector<std::string> out;
  for (const SinkObject& o : report.refused) {
    out.push_back(fmt::format("{}{}{}: {}", o.kind, o.name.empty() ? "" : " " + o.name,
                              o.table.empty() || o.table == o.name ? "" : " on " + o.table, o.reason));
  }
  return out;
}

Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& options, FileSystem* fs) {
  if (path.empty()) return Status::InvalidArgument("RethinkDB dump path is empty");
  if (options.directory) {
    return Status::InvalidArgument("a RethinkDB dump is one .tar.gz file: drop --directory");
  }
  return std::unique_ptr<Sink>(new RdbSink(path, options.replace, fs));
}

std::string DefaultOutput() { return DumpName(std::time(nullptr)) + ".tar.gz"; }

}  // namespace decant::rethinkdb
