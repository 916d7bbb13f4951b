// SqliteSink. A new database is built at "<path>.partial" with journaling and
// syncing off (a crash leaves only a .partial, which the next run deletes),
// then fsync'd and renamed into place. An existing database gets one
// BEGIN IMMEDIATE transaction for everything, so Abort() leaves it untouched.
// Foreign keys stay off on this connection and triggers are created after the
// data, so neither checks nor side effects run during the load.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <set>

#include "core/ascii.h"
#include "engines/common/load_protocol.h"
#include "engines/sqlite/sqlite_ddl.h"
#include "engines/sqlite/sqlite_ddl_parse.h"
#include "engines/sqlite/sqlite_endpoint.h"
#include "engines/sqlite/sqlite_util.h"
#include "io/file_system.h"

namespace decant {
namespace {

using sqlite_internal::Connection;
using sqlite_internal::QuoteIdent;
using sqlite_internal::QuoteLiteral;
using sqlite_internal::Statement;

// The module of a table carried as a virtual table (native schemas only).
const std::string* VirtualModule(const Schema& schema, const Table& t) {
  if (!sqlite_internal::IsNativeSchema(schema) || t.native_ddl.empty()) return nullptr;
  auto it = t.options.find("virtual");
  return it == t.options.end() ? nullptr : &it->second;
}

// A schema option that must be a plain integer before it goes into a PRAGMA.
std::optional<int64_t> IntOption(const Schema& schema, const std::string& key) {
  auto it = schema.options.find(key);
  if (it == schema.options.end() || it->second.empty()) return std::nullopt;
  try {
    size_t used = 0;
    long long v = std::stoll(it->second, &used);
    if (used != it->second.size()) return std::nullopt;
    return static_cast<int64_t>(v);
  } catch (...) {
    return std::nullopt;
  }
}

// Checks the head of a stored or generated CREATE statement before it runs:
// "CREATE [UNIQUE] <KIND> [IF NOT EXISTS] [main.]<name>", where <KIND> is the
// object kind `what` ("table", "index", "view", "trigger", or "virtual table",
// which must continue "USING <module>"), no TEMP, no other schema, and <name>
// the object's own name. `label` opens every message.
Status CheckDdlHead(const std::string& label, const std::string& what, const std::string& name,
                    const std::string& sql) {
  using sqlite_internal::Token;
  const std::vector<Token> toks = sqlite_internal::Tokenize(sql);
  auto word = [&](size_t i, std::string_view w) {
    return i < toks.size() && toks[i].kind == Token::Kind::kWord && EqualsIgnoreCaseAscii(toks[i].text, w);
  };
  auto is_name = [&](size_t i) {
    return i < toks.size() && (toks[i].kind == Token::Kind::kWord || toks[i].kind == Token::Kind::kQuoted ||
                               toks[i].kind == Token::Kind::kString);
  };
  auto refuse = [&](const std::string& why) { return Status::Corruption(label + " " + why + "; refusing to run it"); };
  std::string keyword = AsciiUpper(what);
  const std::string not_kind = "is not a CREATE " + keyword + " statement";
  if (!word(0, "CREATE")) return refuse(not_kind);
  size_t i = 1;
  if (word(i, "TEMP") || word(i, "TEMPORARY")) return refuse("creates a TEMP object");
  if (what == "index" && word(i, "UNIQUE")) ++i;
  if (what == "virtual table") {
    if (!word(i, "VIRTUAL") || !word(i + 1, "TABLE")) return refuse(not_kind);
    i += 2;
  } else {
    if (!word(i, keyword)) return refuse(not_kind);
    ++i;
  }
  if (word(i, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS")) i += 3;
  if (!is_name(i)) return refuse(not_kind);
  std::string object = toks[i].text;
  if (i + 1 < toks.size() && toks[i + 1].kind == Token::Kind::kPunct && toks[i + 1].text == ".") {
    if (!is_name(i + 2)) return refuse(not_kind);
    std::string schema = object;
    object = toks[i + 2].text;
    if (!EqualsIgnoreCaseAscii(schema, "main")) {
      return refuse("creates \"" + schema + "." + object + "\" in another schema");
    }
  }
  if (!EqualsIgnoreCaseAscii(object, name)) return refuse("creates \"" + object + "\", not \"" + name + "\"");
  if (what == "virtual table") {
    size_t next = i + 1;
    if (next < toks.size() && toks[next].kind == Token::Kind::kPunct && toks[next].text == ".") next += 2;
    if (!word(next, "USING") || !is_name(next + 1)) return refuse(not_kind);
  }
  return Status::OK();
}

class SqliteTableWriter : public TableWriter {
 public:
  SqliteTableWriter(std::shared_ptr<Connection> conn, Statement stmt, std::string table,
                    std::vector<std::string> columns)
      : conn_(std::move(conn)), stmt_(std::move(stmt)), table_(std::move(table)), columns_(std::move(columns)) {}

  // --upsert (the statement is INSERT ... ON CONFLICT DO UPDATE): counts the
  // table's rows now, so that Close can tell the rows added from the rows
  // that found their key (one writer at a time, in the sink's transaction).
  Status CountUpdates() {
    count_sql_ = "SELECT count(*) FROM main." + QuoteIdent(table_);
    DECANT_ASSIGN_OR_RETURN(before_, conn_->QueryInt(count_sql_));
    return Status::OK();
  }

  Status Write(const RowBatch& batch) override {
    if (batch.num_columns() != columns_.size()) {
      return Status::Internal("table " + table_ + ": batch has " + std::to_string(batch.num_columns()) +
                              " columns, expected " + std::to_string(columns_.size()));
    }
    sqlite3_stmt* st = stmt_.get();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      sqlite3_reset(st);
      const Value* row = batch.row(r);
      for (size_t c = 0; c < columns_.size(); ++c) {
        DECANT_RETURN_IF_ERROR(Bind(st, static_cast<int>(c) + 1, row[c], c));
      }
      if (sqlite3_step(st) != SQLITE_DONE) {
        Status s = conn_->Error("table " + table_);
        sqlite3_reset(st);
        return s;
      }
    }
    sqlite3_reset(st);
    written_ += batch.num_rows();
    return Status::OK();
  }

  Status Close() override {
    sqlite3_reset(stmt_.get());
    if (count_sql_.empty()) return Status::OK();
    DECANT_ASSIGN_OR_RETURN(int64_t after, conn_->QueryInt(count_sql_));
    uint64_t inserted = static_cast<uint64_t>(after - before_);
    if (after < before_ || inserted > written_)
      return Status::Internal("table " + table_ + ": upsert counts do not add up");
    updated_ = written_ - inserted;
    return Status::OK();
  }

  uint64_t Updated() const override { return updated_; }

 private:
  Status Bind(sqlite3_stmt* st, int i, const Value& v, size_t c) {
    int rc = SQLITE_OK;
    switch (v.kind()) {
      case Value::Kind::kNull: rc = sqlite3_bind_null(st, i); break;
      case Value::Kind::kBool: rc = sqlite3_bind_int64(st, i, v.as_bool() ? 1 : 0); break;
      case Value::Kind::kInt: rc = sqlite3_bind_int64(st, i, v.as_int()); break;
      case Value::Kind::kUInt:
        if (v.as_uint() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Status::DataLoss("table " + table_ + " column " + columns_[c] + ": " + std::to_string(v.as_uint()) +
                                  " does not fit SQLite's signed 64-bit INTEGER");
        }
        rc = sqlite3_bind_int64(st, i, static_cast<int64_t>(v.as_uint()));
        break;
      case Value::Kind::kFloat:
        if (std::isnan(v.as_float())) {
          return Status::DataLoss("table " + table_ + " column " + columns_[c] +
                                  ": SQLite cannot store NaN (it would become NULL)");
        }
        rc = sqlite3_bind_double(st, i, v.as_float());
        break;
      case Value::Kind::kText: {
        const std::string& s = v.as_string();
        rc = sqlite3_bind_text64(st, i, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      }
      case Value::Kind::kBytes: {
        const std::string& s = v.as_string();
        // A zero-length blob must stay a blob, not NULL.
        rc =
            s.empty() ? sqlite3_bind_zeroblob(st, i, 0) : sqlite3_bind_blob64(st, i, s.data(), s.size(), SQLITE_STATIC);
        break;
      }
    }
    if (rc != SQLITE_OK) return conn_->Error("table " + table_ + " column " + columns_[c]);
    return Status::OK();
  }

  std::shared_ptr<Connection> conn_;
  Statement stmt_;
  std::string table_;
  std::vector<std::string> columns_;
  uint64_t written_ = 0;
  std::string count_sql_;  // upsert: counts the table's rows; empty otherwise
  int64_t before_ = 0;     // the rows the table held when the writer opened
  uint64_t updated_ = 0;
};

class SqliteSink : public Sink, private LoadTarget {
 public:
  SqliteSink(std::string path, FileSystem* fs) : path_(std::move(path)), fs_(fs) {}
  ~SqliteSink() override {
    if (!committed_) Abort();
  }

  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override { return path_.starts_with("/") ? "sqlite://" + path_ : "sqlite:" + path_; }
  SinkReport Report() const override { return recorder_.Report(); }
  std::string ServerVersion() const override { return sqlite3_libversion(); }
  const EngineTraits& Traits() const override { return SqliteTraits(); }

 private:
  Status OpenFresh();
  Status OpenExisting();
  // LoadTarget: the primitives LoadProtocol decides with.
  Result<std::vector<TargetObject>> ListObjects() override;
  Status DropOurs(const std::vector<TargetObject>& present) override;
  Result<bool> HasTable(size_t index) override { return protocol_.Kept(schema_.tables[index].name); }
  Status CreateTables(const std::vector<size_t>& indexes) override;
  Result<RowCount> CountRows(size_t index) override;
  Status EmptyTables(const std::vector<size_t>& indexes) override;
  Status CheckReferencesToEmptied();
  bool Exists(const std::string& name) const { return protocol_.Kept(name); }
  Status Create(const std::string& what, const std::string& name, const std::string& sql);
  // Runs one statement of statements_, judged by recorder_.
  Status Run(const DdlStatement& s);
  Status WriteSequences();

  std::string path_;
  FileSystem* fs_;  // what decant does to files itself; SQLite writes pages through its VFS
  std::string work_path_;
  bool fresh_ = false;
  bool committed_ = false;
  std::shared_ptr<Connection> conn_;
  Schema schema_;
  SinkOptions options_;
  const EngineTraits* source_ = nullptr;  // the schema's engine, set by Begin
  LoadProtocol protocol_;
  std::set<std::string> emptied_;  // --data-only --clean: the tables emptied (lower case)
  // sqlite_internal::SchemaStatements: one per table (schema order), then the rest.
  std::vector<DdlStatement> statements_;
  DdlRecorder recorder_;
};

Status SqliteSink::OpenFresh() {
  work_path_ = PartialPath(path_);
  for (const std::string& p : {work_path_, work_path_ + "-journal", work_path_ + "-wal", work_path_ + "-shm"}) {
    if (fs_->Exists(p)) DECANT_RETURN_IF_ERROR(fs_->Remove(p));
  }
  DECANT_ASSIGN_OR_RETURN(
      conn_, Connection::Open(work_path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX));
  // Layout settings only take effect before the first table exists.
  std::string pragmas;
  if (sqlite_internal::IsNativeSchema(schema_)) {
    if (auto v = IntOption(schema_, "page_size")) pragmas += "PRAGMA page_size=" + std::to_string(*v) + ";";
    if (auto v = IntOption(schema_, "auto_vacuum")) pragmas += "PRAGMA auto_vacuum=" + std::to_string(*v) + ";";
    if (auto it = schema_.options.find("encoding"); it != schema_.options.end()) {
      pragmas += "PRAGMA encoding=" + QuoteLiteral(it->second) + ";";
    }
  }
  // A larger page cache (32 MiB) speeds up index builds in Commit().
  pragmas +=
      "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; "
      "PRAGMA cache_size=-32768; BEGIN;";
  return conn_->Exec(pragmas).WithContext(work_path_);
}

Status SqliteSink::OpenExisting() {
  work_path_ = path_;
  DECANT_ASSIGN_OR_RETURN(conn_, Connection::Open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX));
  Status st = conn_->Exec("PRAGMA foreign_keys=OFF; BEGIN IMMEDIATE; SELECT count(*) FROM sqlite_schema;");
  if (!st.ok()) {
    if ((sqlite3_errcode(conn_->db()) & 0xff) == SQLITE_NOTADB) {
      return Status::InvalidArgument(path_ + ": not a SQLite database");
    }
    return st.WithContext(path_);
  }
  return Status::OK();
}

Result<std::vector<TargetObject>> SqliteSink::ListObjects() {
  DECANT_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(conn_.get(),
                                                           "SELECT type, name FROM sqlite_schema "
                                                           "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                                           "ORDER BY rowid"));
  // A virtual table counts as one object: its shadow tables go with it.
  DECANT_ASSIGN_OR_RETURN(std::set<std::string> shadows, sqlite_internal::ShadowTables(conn_.get()));
  std::vector<TargetObject> out;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, st.Step(conn_.get()));
    if (!row) break;
    std::string name = st.ColumnText(1);
    if (shadows.count(AsciiLower(name))) continue;
    out.push_back({st.ColumnText(0), std::move(name)});
  }
  return out;
}

Status SqliteSink::DropOurs(const std::vector<TargetObject>& present) {
  std::set<std::string> ours;
  for (const Table& t : schema_.tables) ours.insert(AsciiLower(t.name));
  for (const Index& i : schema_.indexes) ours.insert(AsciiLower(i.name));
  for (const View& v : schema_.views) ours.insert(AsciiLower(v.name));
  for (const Trigger& t : schema_.triggers) {
    if (sqlite_internal::TriggerDdl(schema_, t)) ours.insert(AsciiLower(t.name));
  }
  for (const char* kind : {"trigger", "view", "index", "table"}) {
    for (const auto& [type, name] : present) {
      if (type != kind || !ours.count(AsciiLower(name))) continue;
      std::string sql = "DROP " + type + " IF EXISTS main." + QuoteIdent(name);
      DECANT_RETURN_IF_ERROR(conn_->Exec(sql).WithContext("dropping " + type + " " + name));
    }
  }
  return Status::OK();
}

Result<RowCount> SqliteSink::CountRows(size_t index) {
  DECANT_ASSIGN_OR_RETURN(int64_t rows,
                          conn_->QueryInt("SELECT count(*) FROM main." + QuoteIdent(schema_.tables[index].name)));
  return RowCount{static_cast<uint64_t>(rows), true};
}

// In the load's one transaction: a failed load leaves the rows as they were.
// Foreign keys are off on this connection (as for every SQLite load), so rows
// of other tables that refer to deleted ones are checked at Commit
// (CheckReferencesToEmptied). AUTOINCREMENT counters (sqlite_sequence) keep
// their value: the next id stays past every id the table ever had.
Status SqliteSink::EmptyTables(const std::vector<size_t>& indexes) {
  for (size_t i : indexes) {
    const std::string& name = schema_.tables[i].name;
    emptied_.insert(AsciiLower(name));
    DECANT_RETURN_IF_ERROR(conn_->Exec("DELETE FROM main." + QuoteIdent(name))
                               .WithContext("--clean: emptying table " + name + " in " + Describe()));
  }
  return Status::OK();
}

// After a --clean load, before COMMIT: a table not emptied (outside the load,
// or merged) whose foreign key points at an emptied table's row the load did
// not bring back fails the load, as a deferred foreign key would
// (FailedPrecondition naming the table; Abort rolls everything back).
Status SqliteSink::CheckReferencesToEmptied() {
  if (emptied_.empty()) return Status::OK();
  DECANT_ASSIGN_OR_RETURN(Statement refs,
                          Statement::Prepare(conn_.get(),
                                             "SELECT DISTINCT s.name, f.\"table\" FROM sqlite_schema s, "
                                             "pragma_foreign_key_list(s.name) f WHERE s.type = 'table' ORDER BY 1"));
  std::vector<std::string> children;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, refs.Step(conn_.get()));
    if (!row) break;
    std::string child = refs.ColumnText(0);
    if (emptied_.count(AsciiLower(refs.ColumnText(1))) && !emptied_.count(AsciiLower(child)) &&
        (children.empty() || children.back() != child)) {
      children.push_back(std::move(child));
    }
  }
  for (const std::string& child : children) {
    DECANT_ASSIGN_OR_RETURN(
        Statement check,
        Statement::Prepare(conn_.get(), "SELECT \"parent\", count(*) FROM pragma_foreign_key_check(?1) GROUP BY 1"));
    sqlite3_bind_text(check.get(), 1, child.data(), static_cast<int>(child.size()), SQLITE_TRANSIENT);
    while (true) {
      // A key SQLite cannot check ("foreign key mismatch") would refuse the
      // DELETE with foreign keys on: refused the same.
      Result<bool> row = check.Step(conn_.get());
      if (!row.ok()) {
        return Status::FailedPrecondition("--clean: table " + child + " in " + Describe() + ": " +
                                          row.status().message());
      }
      if (!*row) break;
      std::string parent = check.ColumnText(0);
      if (!emptied_.count(AsciiLower(parent))) continue;
      return Status::FailedPrecondition("--clean: table " + child + " in " + Describe() + " refers to " +
                                        check.ColumnText(1) + " rows of table " + parent +
                                        " that --clean deleted and the load did not bring back");
    }
  }
  return Status::OK();
}

Status SqliteSink::Begin(const Schema& schema, const SinkOptions& options) {
  schema_ = schema;
  options_ = options;
  recorder_.Observe(options.statement_done);
  if (options.upsert && sqlite3_libversion_number() < 3024000) {
    return Status::InvalidArgument(std::string("--upsert needs SQLite 3.24 or later (ON CONFLICT DO UPDATE); ") +
                                   "decant runs on SQLite " + sqlite3_libversion());
  }
  source_ = &SourceTraits(options.source, schema, SqliteTraits());
  statements_ = sqlite_internal::SchemaStatements(schema_, *source_);
  if (fs_->IsDirectory(path_)) return Status::InvalidArgument(path_ + ": is a directory, not a SQLite database");
  fresh_ = !fs_->Exists(path_);
  if (!fresh_) {
    DECANT_ASSIGN_OR_RETURN(uint64_t size, fs_->FileSize(path_));
    fresh_ = size == 0;
  }
  if (options.data_only && fresh_) {
    return Status::FailedPrecondition("--data-only: " + Describe() +
                                      " has no tables; let the application create its schema first");
  }
  DECANT_RETURN_IF_ERROR(fresh_ ? OpenFresh() : OpenExisting());
  Status st = protocol_.Begin(*this, schema_, options_);
  if (!st.ok()) Abort();  // a refused target stays exactly as it was
  return st;
}

Status SqliteSink::CreateTables(const std::vector<size_t>& indexes) {
  for (size_t i : indexes) {
    const Table& t = schema_.tables[i];
    if (VirtualModule(schema_, t)) continue;
    DECANT_RETURN_IF_ERROR(Run(statements_[i]));
  }
  // Virtual tables after ordinary ones (an external-content FTS table names its content table).
  for (size_t i : indexes) {
    const Table& t = schema_.tables[i];
    const std::string* module = VirtualModule(schema_, t);
    if (module == nullptr) continue;
    Status st = Create("virtual table", t.name, t.native_ddl);
    if (!st.ok() && st.message().find("no such module") != std::string::npos) {
      return Status::FailedPrecondition("table " + t.name + ": SQLite module " + *module +
                                        " is not available in this SQLite build (" + sqlite3_libversion() + ")");
    }
    DECANT_RETURN_IF_ERROR(recorder_.Outcome(statements_[i], st, options_.strict_objects, Describe()));
  }
  return Status::OK();
}

Status SqliteSink::Run(const DdlStatement& s) {
  std::string what = s.kind == "unique index" ? "index" : s.kind;
  return recorder_.Outcome(s, Create(what, s.name, s.sql), options_.strict_objects, Describe());
}

// Runs one CREATE statement, which may come from an archive: exactly one
// statement, of the expected kind, creating `name` in the main schema. Never
// sqlite3_exec, which would run whatever follows the first statement.
Status SqliteSink::Create(const std::string& what, const std::string& name, const std::string& sql) {
  const std::string label = std::string(sqlite_internal::IsNativeSchema(schema_) ? "archive DDL" : "DDL") + " for " +
                            what + " \"" + name + "\"";
  DECANT_RETURN_IF_ERROR(CheckDdlHead(label, what, name, sql));
  auto failed = [&](const Status& st) {
    return Status(st.code(), "creating " + what + " " + name + ": " + st.message());
  };
  size_t tail = 0;
  Result<Statement> prepared = Statement::Prepare(conn_.get(), sql, &tail);
  if (!prepared.ok()) return failed(prepared.status());
  Statement stmt = std::move(prepared).value();
  if (stmt.get() == nullptr) {
    return Status::Corruption(label + " is not a CREATE statement; refusing to run it");
  }
  // Only semicolons, whitespace and comments may follow (a trigger's BEGIN ... END is part of its one statement).
  for (const sqlite_internal::Token& t : sqlite_internal::Tokenize(std::string_view(sql).substr(tail))) {
    if (t.kind != sqlite_internal::Token::Kind::kPunct || t.text != ";") {
      return Status::Corruption(label + " holds more than one statement; refusing to run it");
    }
  }
  while (true) {
    Result<bool> row = stmt.Step(conn_.get());
    if (!row.ok()) return failed(row.status());
    if (!*row) break;
  }
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> SqliteSink::OpenTable(const Table& table) {
  if (!conn_) return Status::FailedPrecondition("sink for " + Describe() + " is not open");
  std::vector<std::string> columns;
  for (size_t i : DataColumns(table)) columns.push_back(table.columns[i].name);
  std::string sql = "INSERT INTO main." + QuoteIdent(table.name) + " (";
  std::string values;
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", " : "") + QuoteIdent(columns[i]);
    values += i ? ", ?" : "?";
  }
  sql += ") VALUES (" + values + ")";
  // --upsert into a table that was there before the load (one it created is
  // empty): ON CONFLICT (key) DO UPDATE, every other column from the row.
  bool upsert = options_.upsert && (options_.data_only || Exists(table.name));
  if (upsert) {
    std::optional<std::vector<std::string>> key = UpsertKey(schema_, table);
    if (!key) return Status::Internal("--upsert: table " + table.name + " has no key");
    std::string keys, set;
    for (const std::string& k : *key) keys += (keys.empty() ? "" : ", ") + QuoteIdent(k);
    for (const std::string& c : columns) {
      if (std::find(key->begin(), key->end(), c) != key->end()) continue;
      set += (set.empty() ? "" : ", ") + QuoteIdent(c) + " = excluded." + QuoteIdent(c);
    }
    if (set.empty()) set = QuoteIdent(key->front()) + " = excluded." + QuoteIdent(key->front());  // every column is key
    sql += " ON CONFLICT (" + keys + ") DO UPDATE SET " + set;
  }
  auto st = Statement::Prepare(conn_.get(), sql);
  if (!st.ok()) return st.status().WithContext("table " + table.name);
  auto writer = std::make_unique<SqliteTableWriter>(conn_, std::move(st).value(), table.name, std::move(columns));
  if (upsert) DECANT_RETURN_IF_ERROR(writer->CountUpdates().WithContext("table " + table.name));
  return std::unique_ptr<TableWriter>(std::move(writer));
}

Status SqliteSink::WriteSequences() {
  if (schema_.sequences.empty()) return Status::OK();
  DECANT_ASSIGN_OR_RETURN(int64_t has,
                          conn_->QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'"));
  bool native = sqlite_internal::IsNativeSchema(schema_);
  bool append = options_.mode == LoadMode::kAppend;
  DECANT_ASSIGN_OR_RETURN(
      Statement update,
      Statement::Prepare(conn_.get(), append ? "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1"
                                             : "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1"));
  std::optional<Statement> insert;
  for (const Sequence& s : schema_.sequences) {
    std::string table = s.owner_table.empty() ? s.name : s.owner_table;
    if (!native) {
      const Table* t = schema_.FindTable(s.schema, table);
      for (const Table& candidate : schema_.tables) {
        if (t == nullptr && s.schema.empty() && candidate.name == table) t = &candidate;
      }
      if (t == nullptr || !sqlite_internal::IsAutoIncrementKey(*t, s.owner_column)) continue;
    }
    if (!has) {
      spdlog::warn("{}: no AUTOINCREMENT table, sequence of {} not restored", Describe(), table);
      continue;
    }
    int64_t value = s.is_called ? s.last_value : s.last_value - 1;
    sqlite3_reset(update.get());
    sqlite3_bind_text(update.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(update.get(), 2, value);
    DECANT_ASSIGN_OR_RETURN(bool ignored, update.Step(conn_.get()));
    (void)ignored;
    if (sqlite3_changes(conn_->db()) > 0) {
      recorder_.Created({"sequence value", table, table, ""});
      continue;
    }
    if (!insert) {
      DECANT_ASSIGN_OR_RETURN(
          insert, Statement::Prepare(conn_.get(), "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)"));
    }
    sqlite3_reset(insert->get());
    sqlite3_bind_text(insert->get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert->get(), 2, value);
    DECANT_ASSIGN_OR_RETURN(bool ignored2, insert->Step(conn_.get()));
    (void)ignored2;
    recorder_.Created({"sequence value", table, table, ""});
  }
  return Status::OK();
}

Status SqliteSink::Commit() {
  if (!conn_) return Status::FailedPrecondition("sink for " + Describe() + " is not open");
  // External-content FTS tables: index the content table now that it is loaded.
  for (const Table& t : schema_.tables) {
    auto it = t.options.find("virtual_rebuild");
    if (!VirtualModule(schema_, t) || it == t.options.end() || it->second != "1") continue;
    std::string q = QuoteIdent(t.name);
    DECANT_RETURN_IF_ERROR(
        conn_->Exec("INSERT INTO main." + q + "(" + q + ") VALUES('rebuild')").WithContext("rebuilding " + t.name));
  }
  // Indexes, views and triggers: the statements after the tables'.
  for (size_t i = schema_.tables.size(); i < statements_.size(); ++i) {
    const DdlStatement& s = statements_[i];
    if (Exists(s.name)) continue;
    if (s.sql.empty()) {
      DECANT_RETURN_IF_ERROR(recorder_.NotCreated(s, options_.strict_objects));
      continue;
    }
    DECANT_RETURN_IF_ERROR(Run(s));
  }
  // With --data-only SQLite moves each AUTOINCREMENT counter past the ids inserted.
  if (!options_.data_only) DECANT_RETURN_IF_ERROR(WriteSequences());
  if (sqlite_internal::IsNativeSchema(schema_) && options_.mode != LoadMode::kAppend) {
    for (const char* pragma : {"user_version", "application_id"}) {
      if (auto v = IntOption(schema_, pragma)) {
        DECANT_RETURN_IF_ERROR(conn_->Exec(std::string("PRAGMA ") + pragma + "=" + std::to_string(*v)));
      }
    }
  }
  DECANT_RETURN_IF_ERROR(CheckReferencesToEmptied());
  DECANT_RETURN_IF_ERROR(conn_->Exec("COMMIT").WithContext("committing " + Describe()));
  if (fresh_) {
    // synchronous=OFF skipped every sync; make the file durable before it is published.
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(conn_->db(), "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK && file != nullptr &&
        file->pMethods != nullptr) {
      int rc = file->pMethods->xSync(file, SQLITE_SYNC_FULL);
      if (rc != SQLITE_OK) {
        return sqlite_internal::StatusFromCode(rc, "syncing " + work_path_ + ": " + sqlite3_errstr(rc));
      }
    }
  }
  DECANT_RETURN_IF_ERROR(conn_->Close());
  conn_.reset();
  if (fresh_) DECANT_RETURN_IF_ERROR(Publish(fs_, work_path_, path_));
  committed_ = true;
  return Status::OK();
}

void SqliteSink::Abort() {
  if (committed_) return;
  if (conn_) {
    if (!fresh_ && !sqlite3_get_autocommit(conn_->db())) (void)conn_->Exec("ROLLBACK");
    (void)conn_->Close();
    conn_.reset();
    // A failed write (a full disk) leaves SQLite's pager in its error state,
    // which closes without rolling back: the file keeps the new pages and a
    // hot journal that the next reader plays back. Be that reader now, so
    // the file is as it was before the load, not only once someone opens it.
    if (!fresh_ && fs_->Exists(path_ + "-journal")) {
      if (auto again = Connection::Open(path_, SQLITE_OPEN_READWRITE); again.ok()) {
        (void)(*again)->Exec("SELECT count(*) FROM sqlite_schema");
        (void)(*again)->Close();
      }
    }
  }
  if (fresh_ && !work_path_.empty()) {
    for (const std::string& p : {work_path_, work_path_ + "-journal"}) {
      if (fs_->Exists(p)) (void)fs_->Remove(p);
    }
  }
}

}  // namespace

Result<std::unique_ptr<Sink>> OpenSqliteSink(const std::string& uri, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(std::string path, SqliteUriPath(uri));
  return std::unique_ptr<Sink>(new SqliteSink(std::move(path), fs));
}

}  // namespace decant
