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
// there (--append) stay.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/ascii.h"
#include "core/work_queue.h"
#include "engines/common/load_protocol.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_ddl.h"
#include "engines/mysql/mysql_endpoint.h"
#include "engines/mysql/mysql_load.h"
#include "engines/mysql/mysql_schema.h"

namespace decant {
namespace {

using mysql_internal::Connection;
using mysql_internal::QuoteIdent;

constexpr const char* kLoadSession =
    "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION', "
    "SESSION foreign_key_checks = 0, SESSION unique_checks = 0, "
    "SESSION net_read_timeout = 86400, SESSION net_write_timeout = 86400";

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

// "ALTER TABLE `t` ADD a, ADD b".
std::string AlterAdd(const std::string& alter, const std::vector<std::string>& clauses) {
  std::string sql = alter;
  for (size_t i = 0; i < clauses.size(); ++i) sql += (i ? ", ADD " : " ADD ") + clauses[i];
  return sql;
}

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
  size_t MaxParallelTables() const override { return jobs_; }
  const EngineTraits& Traits() const override { return MysqlTraits(); }

 private:
  bool native() const { return schema_.engine == MysqlTraits().name; }
  Result<std::unique_ptr<Connection>> Connect();
  // LoadTarget: the primitives LoadProtocol decides with.
  Result<std::vector<TargetObject>> ListObjects() override;
  Status DropOurs(const std::vector<TargetObject>& present) override;
  Result<bool> HasTable(size_t index) override { return Existed(schema_.tables[index].name); }
  Status CreateTables(const std::vector<size_t>& indexes) override;
  Result<RowCount> CountRows(size_t index) override;
  // --append: a table or view of that name was there before the load.
  bool Existed(const std::string& name) const { return protocol_.Kept(name, {"table", "view"}); }
  Status AddKeys();
  Status RunOnEach(const std::vector<std::vector<std::string>>& work);
  Status SetCounters();
  Status CreateNative(const NativeObject& o);
  Status CreateRoutinesViewsTriggers();

  mysql_internal::ConnectParams params_;
  size_t jobs_;
  Schema schema_;
  SinkOptions options_;
  bool committed_ = false;
  bool checked_ = false;  // the target passed Begin's check: Abort may undo the load
  std::unique_ptr<Connection> main_;
  LoadProtocol protocol_;
  std::map<std::string, mysql_internal::SplitTable> split_;   // tables this sink created
  std::vector<std::pair<std::string, std::string>> created_;  // (kind, name), for Abort
  mysql_internal::TargetColumns target_columns_;              // every table's, once they all exist
  mysql_internal::ConnectionPool loaders_;
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

Status MysqlSink::CreateTables(const std::vector<size_t>& indexes) {
  for (size_t i : indexes) {
    const Table& t = schema_.tables[i];
    if (native() && !t.native_ddl.empty()) DECANT_RETURN_IF_ERROR(CheckCreate("table", t.name, t.native_ddl));
    std::vector<std::string> skipped;
    mysql_internal::SplitTable split =
        mysql_internal::TableStatements(schema_, t, SourceTraits(options_.source, schema_, MysqlTraits()), &skipped);
    for (const std::string& index : skipped) {
      spdlog::warn("{}: index {} on {} not created (expression keys are not translated)", Describe(), index, t.name);
    }
    DECANT_RETURN_IF_ERROR(main_->Exec(split.create).WithContext("creating table " + t.name));
    created_.emplace_back("TABLE", t.name);
    split_[t.name] = std::move(split);
  }
  return Status::OK();
}

// --data-only: AUTO_INCREMENT counters move past the inserted ids by themselves.
Result<RowCount> MysqlSink::CountRows(size_t index) {
  DECANT_ASSIGN_OR_RETURN(auto rows, main_->QueryValue("SELECT count(*) FROM (SELECT 1 FROM " +
                                                       QuoteIdent(schema_.tables[index].name) + " LIMIT 1) q"));
  return RowCount{rows.value_or("0") == "0" ? 0u : 1u, false};
}

Status MysqlSink::Begin(const Schema& schema, const SinkOptions& options) {
  schema_ = schema;
  options_ = options;
  if (params_.database.empty()) {
    return Status::InvalidArgument(Describe() + ": no database in the URI (mysql://user@host:3306/DATABASE)");
  }
  DECANT_ASSIGN_OR_RETURN(main_, Connect());
  DECANT_RETURN_IF_ERROR(protocol_.Begin(*this, schema_, options));
  checked_ = true;
  DECANT_ASSIGN_OR_RETURN(target_columns_, mysql_internal::ReadTargetColumns(*main_));
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> MysqlSink::OpenTable(const Table& table) {
  if (!main_) return Status::FailedPrecondition("sink for " + Describe() + " is not open");
  std::vector<std::string> columns;
  for (size_t i : DataColumns(table)) columns.push_back(table.columns[i].name);
  int auto_increment = -1;
  DECANT_ASSIGN_OR_RETURN(auto kinds,
                          mysql_internal::TargetCellKinds(target_columns_, table.name, columns, &auto_increment));
  DECANT_ASSIGN_OR_RETURN(Connection * conn, loaders_.Take([this] { return Connect(); }));
  return mysql_internal::NewTableWriter(conn, mysql_internal::DefaultLoadMethod(), table.name, columns,
                                        std::move(kinds), auto_increment, [this, conn] { loaders_.GiveBack(conn); });
}

// Runs each list of statements on its own connection, up to jobs_ at once
// (index builds of different tables overlap on the server).
Status MysqlSink::RunOnEach(const std::vector<std::vector<std::string>>& work) {
  std::vector<std::unique_ptr<Connection>> extra;
  for (size_t j = 1; j < std::min(jobs_, work.size()); ++j) {
    auto c = Connect();
    if (!c.ok()) break;  // fewer connections: slower, not wrong
    extra.push_back(std::move(c).value());
  }
  std::vector<Connection*> conns{main_.get()};  // worker 0 is this thread
  for (auto& c : extra) conns.push_back(c.get());
  return RunWorkQueue(work.size(), conns.size(), [&](size_t worker, size_t i) -> Status {
    for (const std::string& sql : work[i]) {
      Status st = conns[worker]->Exec(sql);
      if (!st.ok()) return st.WithContext(sql.substr(0, sql.find(" ADD ")));
    }
    return Status::OK();
  });
}

Status MysqlSink::AddKeys() {
  std::vector<std::vector<std::string>> keys;
  std::vector<std::string> fks;
  for (const Table& t : schema_.tables) {
    auto it = split_.find(t.name);
    if (it == split_.end()) continue;
    const auto& s = it->second;
    std::string alter = "ALTER TABLE " + QuoteIdent(t.name);
    std::vector<std::string> stmts;
    if (!s.keys.empty()) stmts.push_back(AlterAdd(alter, s.keys));
    // InnoDB builds one FULLTEXT index per ALTER.
    for (const std::string& f : s.fulltext) stmts.push_back(AlterAdd(alter, {f}));
    if (!stmts.empty()) keys.push_back(std::move(stmts));
    if (!s.foreign_keys.empty()) fks.push_back(AlterAdd(alter, s.foreign_keys));
  }
  DECANT_RETURN_IF_ERROR(RunOnEach(keys));
  // Foreign keys once every key they may reference exists; with
  // foreign_key_checks off the server does not re-read the rows.
  for (const std::string& f : fks) DECANT_RETURN_IF_ERROR(main_->Exec(f).WithContext("adding foreign keys"));
  return Status::OK();
}

Status MysqlSink::SetCounters() {
  for (const Sequence& s : schema_.sequences) {
    std::string table = s.owner_table.empty() ? s.name : s.owner_table;
    const Table* t = nullptr;
    for (const Table& c : schema_.tables) {
      if (c.name == table) t = &c;
    }
    if (t == nullptr) continue;
    bool has_ai = false;
    for (const Column& c : t->columns) has_ai |= c.auto_increment;
    if (!has_ai) continue;
    int64_t next = s.is_called ? s.last_value + 1 : s.last_value;
    if (next < 1) continue;
    if (options_.mode == LoadMode::kAppend) {
      // Never lower a counter that is already there.
      DECANT_ASSIGN_OR_RETURN(auto cur, main_->QueryValue("SELECT AUTO_INCREMENT FROM information_schema.TABLES "
                                                          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
                                                          main_->Quote(table)));
      if (cur && std::atoll(cur->c_str()) >= next) continue;
    }
    DECANT_RETURN_IF_ERROR(main_->Exec("ALTER TABLE " + QuoteIdent(table) + " AUTO_INCREMENT = " + std::to_string(next))
                               .WithContext("setting the AUTO_INCREMENT of " + table));
  }
  return Status::OK();
}

// A procedure, function or event; with --append one already there is kept.
Status MysqlSink::CreateNative(const NativeObject& o) {
  DECANT_RETURN_IF_ERROR(CheckCreate(o.kind, o.name, o.native_ddl));
  Status st = main_->Exec(o.native_ddl);
  if (!st.ok() && options_.mode == LoadMode::kAppend && st.message().find("already exists") != std::string::npos) {
    return Status::OK();
  }
  DECANT_RETURN_IF_ERROR(st.WithContext("creating " + o.kind + " " + o.name));
  created_.emplace_back(DropKind(o.kind), o.name);
  return Status::OK();
}

Status MysqlSink::CreateRoutinesViewsTriggers() {
  if (!native() && !schema_.triggers.empty()) {
    spdlog::warn("{}: {} triggers from {} are not translated to MySQL", Describe(), schema_.triggers.size(),
                 schema_.engine);
  }
  for (const NativeObject& o : schema_.objects) {
    if (native() && o.phase == "post-data" && o.kind != "event") DECANT_RETURN_IF_ERROR(CreateNative(o));
  }
  // A view may read another view: create in rounds until none is left. A
  // view from another engine whose query does not translate is left out (plan names it).
  std::vector<std::pair<const View*, std::string>> pending;
  for (const View& v : schema_.views) {
    if (Existed(v.name)) continue;
    auto ddl = mysql_internal::ViewDdl(schema_, v, SourceTraits(options_.source, schema_, MysqlTraits()));
    if (ddl) pending.emplace_back(&v, std::move(*ddl));
  }
  while (!pending.empty()) {
    std::vector<std::pair<const View*, std::string>> failed;
    Status last;
    for (auto& [v, ddl] : pending) {
      DECANT_RETURN_IF_ERROR(CheckCreate("view", v->name, ddl));
      Status st = main_->Exec(ddl);
      if (st.ok()) {
        created_.emplace_back("VIEW", v->name);
      } else {
        last = st.WithContext("creating view " + v->name);
        failed.emplace_back(v, std::move(ddl));
      }
    }
    if (failed.size() == pending.size()) return last;
    pending = std::move(failed);
  }
  if (!native()) return Status::OK();
  for (const Trigger& t : schema_.triggers) {
    if (Existed(t.table)) continue;  // an existing table keeps its own triggers
    DECANT_RETURN_IF_ERROR(CheckCreate("trigger", t.name, t.native_ddl));
    DECANT_RETURN_IF_ERROR(main_->Exec(t.native_ddl).WithContext("creating trigger " + t.name));
  }
  for (const NativeObject& o : schema_.objects) {
    if (o.kind == "event") DECANT_RETURN_IF_ERROR(CreateNative(o));
  }
  return Status::OK();
}

Status MysqlSink::Commit() {
  if (!main_) return Status::FailedPrecondition("sink for " + Describe() + " is not open");
  loaders_.Clear();  // every writer is closed; their sessions end here
  if (!options_.data_only) {
    DECANT_RETURN_IF_ERROR(AddKeys());
    DECANT_RETURN_IF_ERROR(SetCounters());
    DECANT_RETURN_IF_ERROR(CreateRoutinesViewsTriggers());
  }
  DECANT_RETURN_IF_ERROR(main_->Exec("SET SESSION foreign_key_checks = 1, SESSION unique_checks = 1"));
  main_.reset();
  committed_ = true;
  return Status::OK();
}

void MysqlSink::Abort() {
  if (committed_) return;
  loaders_.Clear();
  if (main_ && checked_ && options_.data_only && options_.mode != LoadMode::kAppend) {
    // The tables were empty (Begin checked) and MySQL loads commit as they go:
    // empty them again rather than leave half a load behind. (A target that
    // Begin refused holds the user's rows: it is left alone.)
    for (const Table& t : schema_.tables) {
      Status st = main_->Exec("DELETE FROM " + QuoteIdent(t.name));
      if (!st.ok()) spdlog::warn("{}: could not empty {} after the failed load: {}", Describe(), t.name, st.message());
    }
  }
  if (!main_ || created_.empty()) {
    main_.reset();
    return;
  }
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    Status st = main_->Exec("DROP " + it->first + " IF EXISTS " + QuoteIdent(it->second));
    if (!st.ok()) spdlog::warn("{}: could not drop {} {}: {}", Describe(), it->first, it->second, st.message());
  }
  created_.clear();
  main_.reset();
}

}  // namespace

std::string MysqlSchemaDdl(const Schema& schema) {
  return MysqlSchemaDdl(schema, SourceTraits(nullptr, schema, MysqlTraits()));
}

std::string MysqlSchemaDdl(const Schema& schema, const EngineTraits& source) {
  using mysql_internal::TableStatements;
  std::string out, keys, fks, counters, last;
  bool native = schema.engine == MysqlTraits().name;
  for (const Table& t : schema.tables) {
    std::vector<std::string> skipped;
    mysql_internal::SplitTable split = TableStatements(schema, t, source, &skipped);
    out += split.create + ";\n";
    for (const std::string& index : skipped)
      out += "-- index " + index + " on " + t.name + ": expression keys are not translated\n";
    std::string alter = "ALTER TABLE " + QuoteIdent(t.name);
    if (!split.keys.empty()) keys += AlterAdd(alter, split.keys) + ";\n";
    for (const std::string& f : split.fulltext) keys += AlterAdd(alter, {f}) + ";\n";
    if (!split.foreign_keys.empty()) fks += AlterAdd(alter, split.foreign_keys) + ";\n";
  }
  for (const Sequence& s : schema.sequences) {
    const std::string& table = s.owner_table.empty() ? s.name : s.owner_table;
    int64_t next = s.is_called ? s.last_value + 1 : s.last_value;
    if (native && next >= 1)
      counters += "ALTER TABLE " + QuoteIdent(table) + " AUTO_INCREMENT = " + std::to_string(next) + ";\n";
  }
  if (native) {
    for (const NativeObject& o : schema.objects) {
      if (o.phase == "post-data" && o.kind != "event") last += o.native_ddl + ";\n";
    }
    for (const View& v : schema.views) last += *mysql_internal::ViewDdl(schema, v, source) + ";\n";
    for (const Trigger& t : schema.triggers) last += t.native_ddl + ";\n";
    for (const NativeObject& o : schema.objects) {
      if (o.kind == "event") last += o.native_ddl + ";\n";
    }
  } else {
    for (const View& v : schema.views) {
      if (auto ddl = mysql_internal::ViewDdl(schema, v, source)) {
        last += *ddl + ";\n";
      } else {
        last += "-- view " + v.name + " from " + schema.engine + ": its query does not translate to MySQL\n";
      }
    }
    for (const Trigger& t : schema.triggers)
      last += "-- trigger " + t.name + " from " + schema.engine + " is not translated\n";
  }
  return out + keys + fks + counters + last;
}

Result<std::unique_ptr<Sink>> OpenMysqlSink(const std::string& uri, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto params, mysql_internal::ParseUri(uri));
  return std::unique_ptr<Sink>(new MysqlSink(std::move(params), std::max<size_t>(1, options.jobs)));
}

}  // namespace decant
