// MysqlSink: creates tables with their primary key, bulk-loads them, then
// adds keys, foreign keys, AUTO_INCREMENT counters, routines, views and
// triggers in Commit().
//
// Every loading session runs with sql_mode NO_AUTO_VALUE_ON_ZERO and
// ALLOW_INVALID_DATES and without strict mode, so zero dates, invalid dates
// and a 0 in an AUTO_INCREMENT column load exactly as a non-strict source
// held them; any warning the server raises fails the load instead (see
// mysql_load.h), so nothing is changed in silence. FOREIGN_KEY_CHECKS,
// UNIQUE_CHECKS and (MariaDB) CHECK_CONSTRAINT_CHECKS are off while loading
// and back on before Commit returns.
//
// MySQL DDL is not transactional: Abort() drops the tables, views, triggers
// and routines this sink created; rows added to tables that were already
// there (--append) stay. --data-only --clean deletes the rows before the load
// and cannot put them back: a failed load leaves those tables empty.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "core/ascii.h"
#include "core/work_queue.h"
#include "engines/common/load_journal.h"
#include "engines/common/load_protocol.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_ddl.h"
#include "engines/mysql/mysql_endpoint.h"
#include "engines/mysql/mysql_load.h"
#include "engines/mysql/mysql_schema.h"

namespace decant {
namespace {

using mysql_internal::Connection;
using mysql_internal::OneLine;
using mysql_internal::QuoteIdent;

constexpr const char* kLoadSqlMode = "'NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION'";
constexpr const char* kLoadSession =
    "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION', "
    "SESSION foreign_key_checks = 0, SESSION unique_checks = 0, "
    "SESSION net_read_timeout = 86400, SESSION net_write_timeout = 86400, SESSION max_error_count = 65535";

// "sql_mode = '...', character_set_client = ..., collation_connection = ...":
// the session settings an object was created with (a trigger's or routine's
// sql_mode, a view's character_set_client and collation_connection become
// part of the object), as mysqldump sets them around its CREATE; "" if none.
// The statement text is UTF-8, so another client character set is set only
// for ASCII text; a value that is not a plain name or mode list is left out.
std::string CreationSettings(const std::map<std::string, std::string>& settings, const std::string& ddl) {
  bool ascii = std::all_of(ddl.begin(), ddl.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
  std::string out;
  for (const auto& setting : settings) {
    const std::string& key = setting.first;
    const std::string& value = setting.second;  // (a lambda cannot capture a structured binding in clang 14)
    auto plain = [&](std::string_view also) {
      return std::all_of(value.begin(), value.end(), [&](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || also.find(ch) != std::string_view::npos;
      });
    };
    std::string assign;
    if (key == "sql_mode" && plain(",")) {
      assign = "'" + value + "'";
    } else if (key == "collation_connection" && !value.empty() && plain("")) {
      assign = value;
    } else if (key == "character_set_client" && !value.empty() && plain("") &&
               (ascii || StartsWithIgnoreCaseAscii(value, "utf8"))) {
      assign = value;
    } else {
      continue;
    }
    out += (out.empty() ? "" : ", ") + key + " = " + assign;
  }
  return out;
}

// Runs a stored CREATE under CreationSettings, then puts the loading
// session's back. Settings the server refuses (a mode of another server
// version) are left out, with a warning.
Status ExecCreate(Connection& c, const std::map<std::string, std::string>& settings, const std::string& ddl,
                  const std::string& shown) {
  std::string set = CreationSettings(settings, ddl);
  if (set.empty()) return c.Exec(ddl);
  if (Status st = c.Exec("SET " + set); !st.ok()) {
    spdlog::warn("{}: created under the loading session's settings ({})", shown, st.message());
    return c.Exec(ddl);
  }
  Status created = c.Exec(ddl);
  Status back = c.Exec(std::string("SET NAMES utf8mb4, sql_mode = ") + kLoadSqlMode);
  return created.ok() ? back : created;
}

// `ddl` as a script statement, under its CreationSettings when it has some
// (the script's own settings saved before and put back after it).
std::string ScriptCreate(const std::map<std::string, std::string>& settings, const std::string& ddl) {
  std::string set = CreationSettings(settings, ddl);
  if (set.empty()) return ddl + ";\n";
  return "SET @decant_sql_mode = @@sql_mode, @decant_cs_client = @@character_set_client, "
         "@decant_col_connection = @@collation_connection;\nSET " +
         set + ";\n" + ddl +
         ";\nSET sql_mode = @decant_sql_mode, character_set_client = @decant_cs_client, "
         "collation_connection = @decant_col_connection;\n";
}

// A stored CREATE statement (which may come from an archive) must create the
// object it belongs to. Multi-statements are off on every connection, so one
// string can never run two statements.
Status CheckCreate(const std::string& what, const std::string& name, const std::string& ddl) {
  // A trigger's statement is kept as it was written, so its name may be unquoted.
  if (ddl.rfind("CREATE ", 0) != 0 ||
      (ddl.find(name) == std::string::npos && ddl.find(QuoteIdent(name)) == std::string::npos)) {
    return Status::Corruption("DDL for " + what + " " + name + " is not a CREATE statement for it; refusing to run it");
  }
  return Status::OK();
}

// What DROP calls a routine or event NativeObject ("procedure" -> "PROCEDURE").
std::string DropKind(const std::string& kind) { return AsciiUpper(kind); }

using mysql_internal::AlterAdd;

// Columns of a MySQL table whose values a same-engine load reproduces with
// a warning, as mysqldump's restore does: generated columns (computed again
// from the same row, clamped as the source clamped them) and ENUMs without a
// '' member (the '' error value a non-strict source stored).
std::vector<std::string> ReproducedColumns(const Table& table) {
  std::vector<std::string> out;
  for (const Column& c : table.columns) {
    const auto& members = c.type.enum_values;
    bool error_value =
        c.type.logical == LogicalType::kEnum && std::find(members.begin(), members.end(), "") == members.end();
    if (c.generated_expr || error_value) out.push_back(AsciiLower(c.name));
  }
  return out;
}

// A resumable load's writer (core/endpoint.h LoadJournal): once every
// statement of the unit committed, its row count goes into the journal. The
// statements commit one by one (loading a unit in one transaction was
// measured 30% slower, and locks an empty table for the first writer until
// it commits: README.md), so a unit without its count may hold some of its
// rows: a resumed load empties that unit's table and loads it whole again.
class JournaledWriter final : public TableWriter {
 public:
  JournaledWriter(std::unique_ptr<TableWriter> inner, Connection* conn, std::function<std::string(uint64_t)> mark)
      : inner_(std::move(inner)), conn_(conn), mark_(std::move(mark)) {}
  Status Write(const RowBatch& batch) override {
    DECANT_RETURN_IF_ERROR(inner_->Write(batch));
    rows_ += batch.num_rows();
    return Status::OK();
  }
  Status Close() override {
    DECANT_RETURN_IF_ERROR(inner_->Close());
    return conn_->Exec(mark_(rows_));
  }

 private:
  std::unique_ptr<TableWriter> inner_;
  Connection* conn_;
  std::function<std::string(uint64_t)> mark_;
  uint64_t rows_ = 0;
};

class MysqlSink : public Sink, private LoadTarget {
 public:
  MysqlSink(mysql_internal::ConnectParams params, size_t jobs)
      : params_(std::move(params)), jobs_(jobs), loaders_(jobs) {}
  ~MysqlSink() override {
    if (!committed_) Abort();
  }

  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override { return params_.shown; }
  SinkReport Report() const override { return recorder_.Report(); }
  size_t MaxParallelTables() const override { return jobs_; }
  bool AcceptsShards() const override { return true; }
  std::string ServerVersion() const override { return server_version_; }
  const EngineTraits& Traits() const override { return MysqlTraits(); }
  bool Journaled() const override { return journal_.has_value(); }
  std::optional<LoadJournal> Resumed() const override { return resumed_; }
  Status StartJournal(const LoadJournal& journal) override;
  Result<std::unique_ptr<TableWriter>> OpenUnit(const Table& table, size_t unit) override {
    return OpenWriter(table, unit);
  }
  LeftState Left() const override { return left_; }

 private:
  Status RedoUnfinishedTables();
  // A writer of `table`; of a journaled unit when `unit` is set.
  Result<std::unique_ptr<TableWriter>> OpenWriter(const Table& table, std::optional<size_t> unit);
  Result<std::optional<LoadJournal>> ReadJournal() override;
  Status DropJournal() override { return main_->Exec(JournalSql(JournalName(), nullptr).Drop()); }
  static std::string JournalName() { return QuoteIdent(std::string(kJournalTable)); }
  bool native() const { return schema_.engine == MysqlTraits().name; }
  Result<std::unique_ptr<Connection>> Connect();
  // LoadTarget: the primitives LoadProtocol decides with.
  Result<std::vector<TargetObject>> ListObjects() override;
  Status DropOurs(const std::vector<TargetObject>& present) override;
  Result<bool> HasTable(size_t index) override { return Existed(schema_.tables[index].name); }
  // DDL commits statement by statement: a load stopped while it created
  // the tables resumes by creating the rest.
  bool CreatesMissingOnResume() const override { return true; }
  Status CreateTables(const std::vector<size_t>& indexes) override;
  Result<RowCount> CountRows(size_t index) override;
  Status EmptyTables(const std::vector<size_t>& indexes) override;
  bool Merged(const Table& t) const;
  // --append: a table or view of that name was there before the load.
  bool Existed(const std::string& name) const { return protocol_.Kept(name, {"table", "view"}); }
  // Runs one statement of statements_ on `conn`, judged by recorder_.
  Status Run(Connection* conn, const DdlStatement& s);
  Status AddKeys();
  // The anti-join of every foreign key of `tables` (see CheckForeignKeys in
  // the .cc), up to jobs_ at once.
  Status CheckForeignKeys(const std::vector<const Table*>& tables);
  // Runs job(connection, i) for i < n on up to jobs_ connections at once.
  Status OnConnections(size_t n, const std::function<Status(Connection&, size_t)>& job);
  Status SetCounters();
  Status CreateNative(const DdlStatement& s);
  Status CreateRoutinesViewsTriggers();
  // The post-data statements of `kind`, in list order.
  std::vector<const DdlStatement*> Statements(std::initializer_list<std::string_view> kinds) const;

  mysql_internal::ConnectParams params_;
  size_t jobs_;
  Schema schema_;
  SinkOptions options_;
  bool committed_ = false;
  bool checked_ = false;  // the target passed Begin's check: Abort may undo the load
  std::unique_ptr<Connection> main_;
  std::string server_version_;  // of main_, kept once it is closed
  LoadProtocol protocol_;
  std::vector<DdlStatement> statements_;  // mysql_internal::SchemaStatements
  std::set<std::string> created_tables_;  // tables this sink created
  DdlRecorder recorder_;
  std::vector<std::pair<std::string, std::string>> created_;  // (kind, name), for Abort
  mysql_internal::TargetColumns target_columns_;              // every table's, once they all exist
  mysql_internal::ConnectionPool loaders_;
  // Every load but --data-only, --upsert and a shard's keeps a journal: MySQL
  // commits its DDL at once, so a load is never one transaction.
  std::optional<JournalSql> journal_;
  std::optional<LoadJournal> resumed_;  // the protocol's, with the units loaded again unmarked
  LeftState left_ = LeftState::kUntouched;
};

Result<std::unique_ptr<Connection>> MysqlSink::Connect() {
  DECANT_ASSIGN_OR_RETURN(auto c, Connection::Open(params_));
  DECANT_RETURN_IF_ERROR(c->Exec(kLoadSession));
  // MariaDB also checks CHECK constraints row by row; other servers lack the switch.
  Status st = c->Exec("SET SESSION check_constraint_checks = 0");
  if (!st.ok() && st.message().find("Unknown system variable") == std::string::npos) return st;
  return c;
}

Result<std::vector<TargetObject>> MysqlSink::ListObjects() {
  DECANT_ASSIGN_OR_RETURN(auto tables, main_->Query("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
                                                    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"));
  DECANT_ASSIGN_OR_RETURN(auto routines, main_->Query("SELECT ROUTINE_NAME, ROUTINE_TYPE FROM "
                                                      "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"));
  DECANT_ASSIGN_OR_RETURN(auto triggers, main_->Query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
                                                      "WHERE TRIGGER_SCHEMA = DATABASE()"));
  std::vector<TargetObject> out;
  for (const auto& r : tables) out.push_back({r[1].value_or("") == "VIEW" ? "view" : "table", r[0].value_or("")});
  for (const auto& r : routines) out.push_back({"routine", r[0].value_or("")});
  for (const auto& r : triggers) out.push_back({"trigger", r[0].value_or("")});
  return out;
}

Status MysqlSink::DropOurs(const std::vector<TargetObject>& present) {
  if (present.empty()) return Status::OK();
  std::set<std::string> ours;
  for (const Table& t : schema_.tables) ours.insert(AsciiLower(t.name));
  for (const View& v : schema_.views) ours.insert(AsciiLower(v.name));
  for (const Trigger& t : schema_.triggers) {
    DECANT_RETURN_IF_ERROR(main_->Exec("DROP TRIGGER IF EXISTS " + QuoteIdent(t.name)));
  }
  for (const NativeObject& o : schema_.objects) {
    if (o.kind == "procedure" || o.kind == "function" || o.kind == "event") {
      DECANT_RETURN_IF_ERROR(main_->Exec("DROP " + DropKind(o.kind) + " IF EXISTS " + QuoteIdent(o.name)));
    }
  }
  for (const TargetObject& o : present) {
    if ((o.kind != "table" && o.kind != "view") || !ours.count(AsciiLower(o.name))) continue;
    DECANT_RETURN_IF_ERROR(
        main_->Exec(std::string(o.kind == "view" ? "DROP VIEW " : "DROP TABLE ") + QuoteIdent(o.name))
            .WithContext("dropping " + o.name));
  }
  return Status::OK();
}

Status MysqlSink::Run(Connection* conn, const DdlStatement& s) {
  Status st = ExecCreate(*conn, s.settings, s.sql, s.Label());
  if (!st.ok() && options_.mode == LoadMode::kAppend && !s.essential &&
      st.message().find("already exists") != std::string::npos) {
    return Status::OK();  // --append keeps the one that is there
  }
  // A resumed load: the interrupted one may have added this key already.
  if (!st.ok() && resumed_ && s.kind != "table") {
    for (const char* there : {"already exists", "Duplicate key name", "Multiple primary key defined",
                              "Duplicate foreign key constraint name", "Duplicate key on write or update",
                              "Duplicate CHECK constraint name"}) {
      if (st.message().find(there) != std::string::npos) return Status::OK();
    }
  }
  DECANT_RETURN_IF_ERROR(recorder_.Outcome(s, st, options_.strict_objects, Describe()));
  if (st.ok() &&
      (s.kind == "table" || s.kind == "view" || s.kind == "procedure" || s.kind == "function" || s.kind == "event")) {
    created_.emplace_back(DropKind(s.kind), s.name);
  }
  return Status::OK();
}

std::vector<const DdlStatement*> MysqlSink::Statements(std::initializer_list<std::string_view> kinds) const {
  std::vector<const DdlStatement*> out;
  for (const DdlStatement& s : statements_) {
    if (s.sql.empty() || std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end()) continue;
    // Keys and counters only for the tables this load created.
    if (s.kind != "trigger" && !s.table.empty() && !created_tables_.count(s.table)) continue;
    out.push_back(&s);
  }
  return out;
}

Status MysqlSink::CreateTables(const std::vector<size_t>& indexes) {
  // The journal first: no table of a load in parts is without it (a resumed
  // load creates the tables the interrupted one had not: it has its journal).
  if (journal_ && options_.mode != LoadMode::kAppend && !protocol_.resumed()) {
    DECANT_RETURN_IF_ERROR(main_->Exec(journal_->Create()));
    created_.emplace_back("TABLE", std::string(kJournalTable));
  }
  for (size_t i : indexes) {
    const Table& t = schema_.tables[i];
    if (native() && !t.native_ddl.empty()) DECANT_RETURN_IF_ERROR(CheckCreate("table", t.name, t.native_ddl));
    for (const DdlStatement& s : statements_) {
      if (s.table != t.name) continue;
      if (s.kind == "table") {
        DECANT_RETURN_IF_ERROR(Run(main_.get(), s));
        created_tables_.insert(t.name);
      } else if (s.sql.empty() && s.kind == "index") {
        DECANT_RETURN_IF_ERROR(recorder_.NotCreated(s, options_.strict_objects));
      }
    }
  }
  return Status::OK();
}

// --data-only: AUTO_INCREMENT counters move past the inserted ids by themselves.
Result<RowCount> MysqlSink::CountRows(size_t index) {
  DECANT_ASSIGN_OR_RETURN(auto rows, main_->QueryValue("SELECT count(*) FROM (SELECT 1 FROM " +
                                                       QuoteIdent(schema_.tables[index].name) + " LIMIT 1) q"));
  return RowCount{rows.value_or("0") == "0" ? 0u : 1u, false};
}

bool MysqlSink::Merged(const Table& t) const {
  const std::vector<std::string>& merged = options_.merged_tables;
  return std::find(merged.begin(), merged.end(), QualifiedName(t.schema, t.name)) != merged.end();
}

// --data-only --clean. Loads commit as they go (LOAD DATA on several
// connections), so the rows are deleted at once and for good: a failed load
// leaves these tables empty (Abort empties what it had loaded). The session
// runs with foreign_key_checks off, as the load does (InnoDB checks a
// self-referencing table's rows one by one as they go, so DELETE would refuse
// it with checks on); a table outside the ones emptied whose foreign key
// holds values pointing at one of them is refused here instead, before any
// row is deleted, as InnoDB, which never defers a check, would refuse it.
// AUTO_INCREMENT counters keep their value (DELETE does not reset them): the
// next id stays past every id the table had before, even when the loaded ids
// are lower.
Status MysqlSink::EmptyTables(const std::vector<size_t>& indexes) {
  std::set<std::string> emptied;
  for (size_t i : indexes) emptied.insert(schema_.tables[i].name);
  DECANT_ASSIGN_OR_RETURN(auto refs, main_->Query("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, "
                                                  "REFERENCED_TABLE_NAME, CONSTRAINT_NAME, TABLE_SCHEMA = DATABASE() "
                                                  "FROM information_schema.KEY_COLUMN_USAGE WHERE "
                                                  "REFERENCED_TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"));
  for (const auto& r : refs) {
    const std::string child = r[1].value_or(""), parent = r[3].value_or("");
    bool here = r[5].value_or("0") == "1";
    if (!emptied.count(parent) || (here && emptied.count(child))) continue;
    std::string table = QuoteIdent(r[0].value_or("")) + "." + QuoteIdent(child);
    DECANT_ASSIGN_OR_RETURN(auto row, main_->QueryValue("SELECT 1 FROM " + table + " WHERE " +
                                                        QuoteIdent(r[2].value_or("")) + " IS NOT NULL LIMIT 1"));
    if (!row) continue;
    return Status::FailedPrecondition("--clean: cannot empty table " + parent + " in " + Describe() + ": table " +
                                      (here ? child : r[0].value_or("") + "." + child) +
                                      " refers to its rows (foreign key " + r[4].value_or("") + ")");
  }
  for (size_t i : indexes) {
    const std::string& name = schema_.tables[i].name;
    DECANT_RETURN_IF_ERROR(main_->Exec("DELETE FROM " + QuoteIdent(name))
                               .WithContext("--clean: emptying table " + name + " in " + Describe()));
  }
  return Status::OK();
}

Status MysqlSink::Begin(const Schema& schema, const SinkOptions& options) {
  schema_ = schema;
  options_ = options;
  recorder_.Observe(options.statement_done);
  if (params_.database.empty()) {
    return Status::InvalidArgument(Describe() + ": no database in the URI (mysql://user@host:3306/DATABASE)");
  }
  statements_ = mysql_internal::SchemaStatements(schema_, SourceTraits(options_.source, schema_, MysqlTraits()));
  DECANT_ASSIGN_OR_RETURN(main_, Connect());
  server_version_ = mysql_get_server_info(main_->get());
  if (options.shard == ShardRole::kWorker) {
    // Rows into the tables the shard's coordinator created: only check they
    // are there. (A coordinator needs nothing special: MySQL's DDL commits.)
    DECANT_ASSIGN_OR_RETURN(target_columns_, mysql_internal::ReadTargetColumns(*main_));
    for (const Table& t : schema_.tables) {
      if (target_columns_.count(t.name) == 0) {
        return Status::NotFound(
            fmt::format("table {} is not in {}: a shard's tables are created by its coordinator", t.name, Describe()));
      }
    }
    return Status::OK();
  }
  // Every load that creates its tables keeps a journal (a resumed one goes
  // on with the interrupted load's): MySQL commits as it goes, so a load is
  // never one transaction. Not --append, whose tables may hold rows of their
  // own that a resumed load must not empty (RedoUnfinishedTables).
  if (!options.data_only && !options.upsert && options.shard == ShardRole::kNone) {
    journal_.emplace(JournalName(), [this](std::string_view text) { return main_->Quote(text); });
  }
  DECANT_RETURN_IF_ERROR(protocol_.Begin(*this, schema_, options));
  checked_ = true;
  if (protocol_.resumed()) {
    // What the interrupted load created stays (a statement that finds its
    // object there is skipped, as with --append).
    options_.mode = LoadMode::kAppend;
    DECANT_RETURN_IF_ERROR(RedoUnfinishedTables());
    // Its tables are this load's: their keys and counters come in Commit.
    for (const Table& t : schema_.tables) created_tables_.insert(t.name);
  } else if (options.mode == LoadMode::kAppend) {
    journal_.reset();  // --resume into a target without a journal, with --append
  }
  DECANT_ASSIGN_OR_RETURN(target_columns_, mysql_internal::ReadTargetColumns(*main_));
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> MysqlSink::OpenTable(const Table& table) {
  return OpenWriter(table, std::nullopt);
}

Result<std::unique_ptr<TableWriter>> MysqlSink::OpenWriter(const Table& table, std::optional<size_t> unit) {
  if (!main_) return Status::FailedPrecondition("sink for " + Describe() + " is not open");
  std::vector<std::string> columns;
  for (size_t i : DataColumns(table)) columns.push_back(table.columns[i].name);
  int auto_increment = -1;
  DECANT_ASSIGN_OR_RETURN(auto kinds,
                          mysql_internal::TargetCellKinds(target_columns_, table.name, columns, &auto_increment));
  // --upsert into a table the load did not create (one it created is empty,
  // and gets its unique keys only in Commit): INSERT ... ON DUPLICATE KEY
  // UPDATE, with unique checks on so that every unique key is matched.
  mysql_internal::LoadMethod method = mysql_internal::DefaultLoadMethod();
  std::vector<std::string> key;
  if (options_.upsert && !created_tables_.count(table.name)) {
    std::optional<std::vector<std::string>> found = UpsertKey(schema_, table);
    if (!found) return Status::Internal("--upsert: table " + table.name + " has no key");
    key = std::move(*found);
    method = mysql_internal::LoadMethod::kUpsert;
  }
  DECANT_ASSIGN_OR_RETURN(Connection * conn, loaders_.Take([this] { return Connect(); }));
  if (method == mysql_internal::LoadMethod::kUpsert) {
    if (Status st = conn->Exec("SET SESSION unique_checks = 1"); !st.ok()) {
      loaders_.GiveBack(conn);
      return st;
    }
  }
  auto writer = mysql_internal::NewTableWriter(
      conn, method, table.name, columns, std::move(kinds), auto_increment, [this, conn] { loaders_.GiveBack(conn); },
      native() ? ReproducedColumns(table) : std::vector<std::string>(), key);
  if (!unit || !journal_) return writer;
  return std::unique_ptr<TableWriter>(std::make_unique<JournaledWriter>(
      std::move(writer), conn, [sql = *journal_, u = *unit](uint64_t rows) { return sql.MarkDone(u, rows); }));
}

// A resumed load: a table with a unit whose count is not in the journal may
// hold part of that unit's rows (JournaledWriter). It is emptied and all its
// units are loaded again. Every table of a journaled load was created by it
// (--append keeps no journal), so its rows are all the load's.
Status MysqlSink::RedoUnfinishedTables() {
  LoadJournal journal = *protocol_.resumed();
  std::set<std::string> redo;  // target tables
  for (const JournalUnit& u : journal.units) {
    if (!u.rows) redo.insert(u.target_table);
  }
  for (const Table& t : schema_.tables) {
    if (!redo.count(QualifiedName(t.schema, t.name))) continue;
    DECANT_RETURN_IF_ERROR(main_->Exec("TRUNCATE TABLE " + QuoteIdent(t.name)).WithContext("--resume"));
  }
  for (const std::string& name : redo) {
    DECANT_RETURN_IF_ERROR(
        main_->Exec("UPDATE " + JournalName() + " SET done_rows = NULL WHERE target_table = " + main_->Quote(name)));
  }
  for (JournalUnit& u : journal.units) {
    if (redo.count(u.target_table)) u.rows.reset();
  }
  resumed_ = std::move(journal);
  // The foreign keys and checks the interrupted load added go, to be added
  // again in Commit: one without a name would otherwise be added twice (the
  // server names each ADD anew).
  DECANT_ASSIGN_OR_RETURN(auto added, main_->Query("SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM "
                                                   "information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = "
                                                   "DATABASE() AND CONSTRAINT_TYPE IN ('FOREIGN KEY', 'CHECK')"));
  for (const auto& r : added) {
    std::string table = r[0].value_or(""), name = r[1].value_or("");
    bool ours = std::any_of(schema_.tables.begin(), schema_.tables.end(),
                            [&](const Table& t) { return EqualsIgnoreCaseAscii(t.name, table); });
    if (!ours) continue;
    std::string drop = r[2].value_or("") == "FOREIGN KEY" ? " DROP FOREIGN KEY " : " DROP CONSTRAINT ";
    DECANT_RETURN_IF_ERROR(
        main_->Exec("ALTER TABLE " + QuoteIdent(table) + drop + QuoteIdent(name)).WithContext("--resume"));
  }
  return Status::OK();
}

Result<std::optional<LoadJournal>> MysqlSink::ReadJournal() {
  DECANT_ASSIGN_OR_RETURN(auto there, main_->QueryValue("SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                                                        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
                                                        main_->Quote(kJournalTable)));
  if (there.value_or("0") == "0") return std::optional<LoadJournal>();
  DECANT_ASSIGN_OR_RETURN(auto rows, main_->Query(JournalSql(JournalName(), nullptr).Select()));
  DECANT_ASSIGN_OR_RETURN(LoadJournal j, ParseJournal(rows));
  return std::optional<LoadJournal>(std::move(j));
}

Status MysqlSink::StartJournal(const LoadJournal& journal) {
  if (!journal_) return Status::OK();
  return journal_->Record(journal, [this](const std::string& sql) { return main_->Exec(sql); });
}

Status MysqlSink::OnConnections(size_t n, const std::function<Status(Connection&, size_t)>& job) {
  std::vector<std::unique_ptr<Connection>> extra;
  for (size_t j = 1; j < std::min(jobs_, n); ++j) {
    auto c = Connect();
    if (!c.ok()) break;  // fewer connections: slower, not wrong
    extra.push_back(std::move(c).value());
  }
  std::vector<Connection*> conns{main_.get()};  // worker 0 is this thread
  for (auto& c : extra) conns.push_back(c.get());
  return RunWorkQueue(n, conns.size(), [&](size_t worker, size_t i) { return job(*conns[worker], i); });
}

// The rows load with foreign_key_checks = 0, and with checks off neither
// MariaDB nor MySQL reads the rows when ALTER TABLE adds a foreign key (with
// checks on the ALTER copies the whole table instead of adding the key in
// place). So each foreign key is checked once, before it is added, by one
// anti-join that stops at the first row without its parent (MATCH SIMPLE: a
// key with a NULL part needs no parent), run after the keys, so that the
// parent's side is an index look-up: a row without its parent fails the load,
// naming the key and the value, as the server's own check would have.
Status MysqlSink::CheckForeignKeys(const std::vector<const Table*>& tables) {
  std::vector<std::pair<const Table*, const ForeignKey*>> fks;
  for (const Table* t : tables) {
    for (const ForeignKey& fk : t->foreign_keys) fks.emplace_back(t, &fk);
  }
  return OnConnections(fks.size(), [&](Connection& c, size_t i) -> Status {
    const Table& t = *fks[i].first;
    const ForeignKey& fk = *fks[i].second;
    std::vector<std::string> ref = fk.ref_columns;
    std::string ref_schema = mysql_internal::TargetRefSchema(t, fk);
    if (ref.empty() && ref_schema.empty()) {  // the parent's primary key
      for (const Table& p : schema_.tables) {
        if (p.name == fk.ref_table && p.primary_key) ref = p.primary_key->columns;
      }
    }
    if (ref.size() != fk.columns.size() || ref.empty()) return Status::OK();  // the server's DDL will say
    std::string parent = (ref_schema.empty() ? "" : QuoteIdent(ref_schema) + ".") + QuoteIdent(fk.ref_table);
    std::string cols, not_null, join;
    for (size_t k = 0; k < ref.size(); ++k) {
      std::string col = "c." + QuoteIdent(fk.columns[k]);
      cols += (k ? ", " : "") + col;
      not_null += (k ? " AND " : "") + col + " IS NOT NULL";
      join += (k ? " AND " : "") + ("p." + QuoteIdent(ref[k])) + " = " + col;
    }
    auto rows = c.Query("SELECT " + cols + " FROM " + QuoteIdent(t.name) + " c WHERE " + not_null +
                        " AND NOT EXISTS (SELECT 1 FROM " + parent + " p WHERE " + join + ") LIMIT 1");
    if (!rows.ok()) return rows.status().WithContext("checking foreign key " + fk.name + " of table " + t.name);
    if (rows->empty()) return Status::OK();
    std::string key;
    for (size_t k = 0; k < fk.columns.size() && k < rows->front().size(); ++k) {
      key += (k ? ", " : "") + fk.columns[k] + "=" + rows->front()[k].value_or("NULL");
    }
    return Status::FailedPrecondition(Describe() + ": foreign key " + (fk.name.empty() ? "(unnamed)" : fk.name) +
                                      " of table " + t.name + ": a row with " + OneLine(key) + " has no row in " +
                                      (ref_schema.empty() ? "" : ref_schema + ".") + fk.ref_table +
                                      "; nothing was loaded");
  });
}

Status MysqlSink::AddKeys() {
  // One list per table (its keys are built one after the other).
  std::vector<std::vector<const DdlStatement*>> keys;
  for (const DdlStatement* s : Statements({"unique index", "index"})) {
    if (keys.empty() || keys.back().front()->table != s->table) keys.emplace_back();
    keys.back().push_back(s);
  }
  Status built = OnConnections(keys.size(), [&](Connection& c, size_t i) -> Status {
    for (const DdlStatement* s : keys[i]) DECANT_RETURN_IF_ERROR(Run(&c, *s));
    return Status::OK();
  });
  DECANT_RETURN_IF_ERROR(built);
  // Foreign keys once every key they may reference exists and their rows
  // passed CheckForeignKeys; with foreign_key_checks off the server does not
  // re-read the rows.
  std::vector<const Table*> children;
  for (const Table& t : schema_.tables) {
    if (created_tables_.count(t.name) || resumed_) children.push_back(&t);  // a resumed load's tables are its own
  }
  DECANT_RETURN_IF_ERROR(CheckForeignKeys(children));
  for (const DdlStatement* s : Statements({"foreign key"})) DECANT_RETURN_IF_ERROR(Run(main_.get(), *s));
  for (const DdlStatement* s : Statements({"check"})) {
    if (s->sql.empty()) {
      DECANT_RETURN_IF_ERROR(recorder_.NotCreated(*s, options_.strict_objects));
    } else {
      DECANT_RETURN_IF_ERROR(Run(main_.get(), *s));
    }
  }
  return Status::OK();
}

Status MysqlSink::SetCounters() {
  for (const DdlStatement& s : statements_) {
    if (s.kind != "sequence value") continue;
    if (options_.mode == LoadMode::kAppend) {
      // Never lower a counter that is already there ("... AUTO_INCREMENT = N").
      int64_t next = std::atoll(s.sql.c_str() + s.sql.rfind('=') + 1);
      DECANT_ASSIGN_OR_RETURN(auto cur, main_->QueryValue("SELECT AUTO_INCREMENT FROM information_schema.TABLES "
                                                          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
                                                          main_->Quote(s.table)));
      if (cur && std::atoll(cur->c_str()) >= next) continue;
    }
    DECANT_RETURN_IF_ERROR(Run(main_.get(), s));
  }
  return Status::OK();
}

// A procedure, function or event; with --append one already there is kept.
Status MysqlSink::CreateNative(const DdlStatement& s) {
  DECANT_RETURN_IF_ERROR(CheckCreate(s.kind, s.name, s.sql));
  return Run(main_.get(), s);
}

Status MysqlSink::CreateRoutinesViewsTriggers() {
  for (const DdlStatement& s : statements_) {
    if (s.sql.empty() && (s.kind == "view" || s.kind == "trigger")) {
      DECANT_RETURN_IF_ERROR(recorder_.NotCreated(s, options_.strict_objects));
    }
  }
  for (const DdlStatement* s : Statements({"procedure", "function"})) DECANT_RETURN_IF_ERROR(CreateNative(*s));
  // A view may read another view: create in rounds until none is left; what
  // still fails when a round creates nothing is judged as refused.
  std::vector<const DdlStatement*> pending;
  for (const DdlStatement* s : Statements({"view"})) {
    if (!Existed(s->name)) pending.push_back(s);
  }
  while (!pending.empty()) {
    std::vector<const DdlStatement*> failed;
    for (const DdlStatement* v : pending) {
      DECANT_RETURN_IF_ERROR(CheckCreate("view", v->name, v->sql));
      Status st = ExecCreate(*main_, v->settings, v->sql, v->Label());
      if (st.ok()) {
        DECANT_RETURN_IF_ERROR(recorder_.Outcome(*v, st, options_.strict_objects, Describe()));
        created_.emplace_back("VIEW", v->name);
      } else {
        failed.push_back(v);
      }
    }
    if (failed.size() == pending.size()) {
      for (const DdlStatement* v : failed) DECANT_RETURN_IF_ERROR(Run(main_.get(), *v));
      break;
    }
    pending = std::move(failed);
  }
  for (const DdlStatement* s : Statements({"trigger"})) {
    if (Existed(s->table)) continue;  // an existing table keeps its own triggers
    DECANT_RETURN_IF_ERROR(CheckCreate("trigger", s->name, s->sql));
    DECANT_RETURN_IF_ERROR(Run(main_.get(), *s));
  }
  for (const DdlStatement* s : Statements({"event"})) DECANT_RETURN_IF_ERROR(CreateNative(*s));
  return Status::OK();
}

Status MysqlSink::Commit() {
  if (!main_) return Status::FailedPrecondition("sink for " + Describe() + " is not open");
  loaders_.Clear();  // every writer is closed; their sessions end here
  if (options_.shard == ShardRole::kWorker) {
    // The rows only (each LOAD DATA committed as it ran): the coordinator
    // adds the keys and the rest once every shard is done.
  } else if (!options_.data_only) {
    DECANT_RETURN_IF_ERROR(AddKeys());
    DECANT_RETURN_IF_ERROR(SetCounters());
    DECANT_RETURN_IF_ERROR(CreateRoutinesViewsTriggers());
  } else {
    // The target's foreign keys were there, but not checked during the load.
    std::vector<const Table*> loaded;
    for (const Table& t : schema_.tables) loaded.push_back(&t);
    DECANT_RETURN_IF_ERROR(CheckForeignKeys(loaded));
  }
  DECANT_RETURN_IF_ERROR(main_->Exec("SET SESSION foreign_key_checks = 1, SESSION unique_checks = 1"));
  if (journal_) DECANT_RETURN_IF_ERROR(DropJournal());  // the load is complete
  main_.reset();
  committed_ = true;
  return Status::OK();
}

void MysqlSink::Abort() {
  if (committed_) return;
  loaders_.Clear();
  if (main_ && checked_ && options_.data_only && options_.mode != LoadMode::kAppend) {
    // The tables were empty (Begin checked, or --clean emptied them) and MySQL
    // loads commit as they go: empty them again rather than leave half a load
    // behind. (A target that Begin refused holds the user's rows: it is left
    // alone; so are merged tables, which held rows: what was added stays.)
    for (const Table& t : schema_.tables) {
      if (Merged(t)) continue;
      Status st = main_->Exec("DELETE FROM " + QuoteIdent(t.name));
      if (!st.ok()) spdlog::warn("{}: could not empty {} after the failed load: {}", Describe(), t.name, st.message());
    }
  }
  // Rows committed into tables this load did not create (--append, a
  // resumed load) stay: the journal says which.
  bool wrote = checked_ && !options_.data_only;
  left_ = !wrote     ? LeftState::kUntouched
          : resumed_ ? LeftState::kResumable  // nothing of it is dropped: the next --resume goes on
          : created_tables_.size() < schema_.tables.size() ? (journal_ ? LeftState::kResumable : LeftState::kPartial)
                                                           : LeftState::kDropped;
  if (!main_ || created_.empty()) {
    main_.reset();
    return;
  }
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    Status st = main_->Exec("DROP " + it->first + " IF EXISTS " + QuoteIdent(it->second));
    if (st.ok()) continue;
    // The server is gone (a restart, a lost connection): what committed
    // stays, and the journal (if it was created) says what.
    left_ = journal_ ? LeftState::kResumable : LeftState::kPartial;
    break;
  }
  created_.clear();
  main_.reset();
}

}  // namespace

std::string MysqlSchemaDdl(const Schema& schema) {
  return MysqlSchemaDdl(schema, SourceTraits(nullptr, schema, MysqlTraits()));
}

std::string MysqlSchemaDdl(const Schema& schema, const EngineTraits& source) {
  std::string out;
  for (const DdlStatement& s : mysql_internal::SchemaStatements(schema, source)) {
    if (!s.sql.empty()) out += ScriptCreate(s.settings, s.sql);
    if (!s.note.empty()) out += "-- " + s.Label() + ": " + s.note + "\n";
  }
  return out;
}

std::vector<std::string> MysqlNotCreated(const Schema& schema, const EngineTraits& source) {
  return NotCreatedLines(mysql_internal::SchemaStatements(schema, source));
}

Result<std::unique_ptr<Sink>> OpenMysqlSink(const std::string& uri, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto params, mysql_internal::ParseUri(uri));
  return std::unique_ptr<Sink>(new MysqlSink(std::move(params), std::max<size_t>(1, options.jobs)));
}

}  // namespace decant
