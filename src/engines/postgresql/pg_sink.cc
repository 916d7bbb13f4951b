// PostgresSink: creates the schema in dependency order and loads with COPY.
//
// With one job, everything (DDL, data, keys) happens in one transaction, so a
// failed or interrupted load leaves the target exactly as it was. With more,
// tables are created and committed first so that other connections can load
// them at once; Abort() then drops the tables this load created.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <mutex>
#include <utility>

#include "core/plural.h"
#include "core/pool.h"
#include "core/work_queue.h"
#include "engines/common/load_journal.h"
#include "engines/common/load_protocol.h"
#include "engines/postgresql/pg_catalog.h"
#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/pg_copy.h"
#include "engines/postgresql/pg_ddl.h"
#include "engines/postgresql/pg_internal.h"
#include "engines/postgresql/postgresql_endpoint.h"

namespace decant::pg_internal {
namespace {

constexpr size_t kCopyBufferBytes = 1 << 20;
// maintenance_work_mem for the sessions that build keys and indexes: 2GB
// shared by the jobs, at least 256MB and at most 1GB each (README.md, Loading).
constexpr size_t kIndexBuildBudgetKb = size_t{2048} * 1024;
constexpr size_t kIndexBuildMinKb = size_t{256} * 1024;
constexpr size_t kIndexBuildMaxKb = size_t{1024} * 1024;

bool IsDuplicateObject(const std::string& sqlstate) {
  // duplicate_object, duplicate_table, duplicate_function, duplicate_schema, ...
  return sqlstate == "42710" || sqlstate == "42P07" || sqlstate == "42723" || sqlstate == "42P06" ||
         sqlstate == "42P16" || sqlstate == "42P04";
}

bool IsMissingDependency(const std::string& sqlstate) {
  // undefined_table, undefined_function, undefined_object, undefined_column
  return sqlstate == "42P01" || sqlstate == "42883" || sqlstate == "42704" || sqlstate == "42703";
}

class PostgresSink;

// How one writer loads its table.
struct CopyPath {
  // The binary encoding of each loaded column; empty: text COPY.
  std::vector<Binary> binary;
  // COPY ... FREEZE: the table was created in the writer's transaction.
  bool freeze = false;
};

class CopyInWriter final : public TableWriter {
 public:
  CopyInWriter(PostgresSink* sink, Connection* conn, bool own_transaction, const Table& table, CopyPath path);
  ~CopyInWriter() override;
  // --upsert into a table the load did not create: the rows COPY into the
  // temporary table `stage` (pg_temp.NAME, the loaded columns only) and Close
  // merges them into the table with INSERT ... ON CONFLICT (key) DO UPDATE,
  // counting the rows that found their key (RETURNING xmax = 0: a row the
  // INSERT added has no xmax; one DO UPDATE replaced has this transaction's).
  // Called before Start.
  void UpsertThrough(const std::string& stage, const Table& table, const std::vector<std::string>& key);
  Status Start();
  Status Write(const RowBatch& batch) override;
  Status Close() override;
  uint64_t Updated() const override { return updated_; }
  // A resumable load's unit: Close records its rows in the journal with
  // `journal`'s statement (JournalSql::MarkDone), in the writer's transaction.
  void JournalAs(std::function<std::string(uint64_t rows)> journal) { journal_ = std::move(journal); }

 private:
  Status StartCopy();
  Status EndCopy();
  Status Flush();
  // A row that binary cannot carry exactly: the rows so far are loaded and
  // the rest go in text, in the same transaction.
  Status SwitchToText();

  PostgresSink* sink_;
  Connection* conn_;
  bool own_transaction_;
  std::string label_;
  std::string target_;  // COPY's table and column list
  CopyPath path_;
  std::string buffer_;
  // Upsert: the statements that create the staging table, merge it into the
  // table (returning the rows updated) and drop it; empty otherwise.
  std::string create_stage_, merge_, drop_stage_;
  uint64_t updated_ = 0;
  uint64_t rows_ = 0;  // written so far
  std::function<std::string(uint64_t rows)> journal_;
  bool in_copy_ = false;
  bool closed_ = false;
};

class PostgresSink final : public Sink, private LoadTarget {
 public:
  PostgresSink(std::unique_ptr<Connection> main, std::string location, size_t jobs)
      : main_(std::move(main)), location_(std::move(location)), jobs_(std::max<size_t>(1, jobs)) {}
  ~PostgresSink() override {
    if (state_ == State::kOpen) Abort();
  }

  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override { return main_->Describe(); }
  SinkReport Report() const override { return recorder_.Report(); }
  size_t MaxParallelTables() const override { return jobs_; }
  bool AcceptsShards() const override { return true; }
  std::string ServerVersion() const override { return main_->server_version(); }
  const EngineTraits& Traits() const override { return PostgresTraits(); }
  bool Journaled() const override { return journal_.has_value(); }
  std::optional<LoadJournal> Resumed() const override { return protocol_.resumed(); }
  Status StartJournal(const LoadJournal& journal) override;
  Result<std::unique_ptr<TableWriter>> OpenUnit(const Table& table, size_t unit) override;
  LeftState Left() const override { return left_; }

  void GiveBack(Connection* conn) { workers_.GiveBack(conn); }

 private:
  enum class State { kNew, kOpen, kDone };

  // LoadTarget: the primitives LoadProtocol decides with.
  Listing ObjectListing() const override { return Listing::kEach; }
  Result<std::vector<TargetObject>> ListObjects() override;
  Status StartWriting() override;
  Status DropOurs(const std::vector<TargetObject>& present) override;
  Status CreateBeforeTables() override;
  Result<bool> HasTable(size_t index) override;
  Status CreateTables(const std::vector<size_t>& indexes) override;
  Result<RowCount> CountRows(size_t index) override;
  Status EmptyTables(const std::vector<size_t>& indexes) override;
  std::string TableLabel(const Table& t) const override { return QualifiedName(t.schema, t.name); }
  Result<std::optional<LoadJournal>> ReadJournal() override;
  Status DropJournal() override;
  // A resumed load: drops the keys and checks Commit adds (foreign, unique,
  // check, exclusion) that the interrupted load had added.
  Status DropAddedConstraints();
  // The journal's table: beside the schema's first table (public without one).
  std::string JournalTable() const;
  Status AdvanceSequences();
  // --data-only with one job, as a superuser, into tables without triggers
  // of their own: foreign keys are checked once per key after the load
  // (CheckForeignKeys) instead of once per row by their triggers.
  Status DeferForeignKeys();
  Status BeginShardWorker();
  Status CheckForeignKeys();
  // Runs `sql`, inside a savepoint when in a transaction so that a failure
  // leaves the transaction usable; *sqlstate receives the failure's code.
  static Status TryInSavepoint(Connection* conn, const std::string& sql, bool in_transaction, std::string* sqlstate);
  Status Run(Connection* conn, const Ddl& ddl, bool in_transaction);
  Status RunAll(const std::vector<Ddl>& list, bool parallel);
  Status RunUntilSettled(std::vector<Ddl> pending);
  Result<Connection*> Borrow();
  Result<CopyPath> ChoosePath(Connection* conn, const Table& table);
  Status PrepareForIndexes(Connection* conn) const;
  Status AddForeignKeysThenValidate(const std::vector<Ddl>& list);
  // (table, constraint), both quoted, of every NOT VALID foreign key of the target.
  Result<std::vector<std::pair<std::string, std::string>>> UnvalidatedForeignKeys();

  std::unique_ptr<Connection> main_;
  std::string location_;
  size_t jobs_;
  // The load commits in parts: the tables before the rows, each writer on
  // its own connection and transaction (several jobs, a coordinator, or a
  // resumed load); otherwise the whole load is one transaction.
  bool parts_ = false;
  std::optional<JournalSql> journal_;  // a resumable load's (parts_, not --data-only, --upsert or a shard)
  LeftState left_ = LeftState::kUntouched;
  State state_ = State::kNew;
  Schema schema_;
  LoadPlan plan_;
  SinkOptions options_;
  LoadProtocol protocol_;
  bool from_postgres_ = false;
  bool older_target_ = false;  // the source's major version is newer than the target's
  bool in_transaction_ = false;
  bool keys_checked_after_ = false;          // DeferForeignKeys turned the foreign-key triggers off
  std::vector<std::string> created_tables_;  // committed early (jobs > 1), dropped by Abort
  std::vector<std::string> skipped_;
  std::vector<Ddl> deferred_;  // pre-data objects that needed the tables
  DdlRecorder recorder_;       // what was created, what the target refused

  std::mutex mu_;             // guards skipped_
  Pool<Connection> workers_;  // connections beside main_, opened as needed

  std::atomic<size_t> stages_{0};  // upsert staging tables named so far
};

// ---- writer -------------------------------------------------------------------

CopyInWriter::CopyInWriter(PostgresSink* sink, Connection* conn, bool own_transaction, const Table& table,
                           CopyPath path)
    : sink_(sink),
      conn_(conn),
      own_transaction_(own_transaction),
      label_(QualifiedName(table.schema, table.name)),
      path_(std::move(path)) {
  std::string cols;
  for (size_t i : DataColumns(table)) cols += (cols.empty() ? "" : ", ") + QuoteIdent(table.columns[i].name);
  target_ = fmt::format("{} ({})", QuoteQualified(TargetSchema(table.schema), table.name), cols);
  buffer_.reserve(kCopyBufferBytes + (kCopyBufferBytes >> 2));
}

CopyInWriter::~CopyInWriter() {
  if (in_copy_) {
    PQputCopyEnd(conn_->get(), "decant: load abandoned");
    while (PGresult* r = PQgetResult(conn_->get())) PQclear(r);
  }
  if (own_transaction_ && !closed_) (void)conn_->Exec("ROLLBACK");
  if (sink_) sink_->GiveBack(conn_);
}

void CopyInWriter::UpsertThrough(const std::string& stage, const Table& table, const std::vector<std::string>& key) {
  std::string name = QuoteQualified(TargetSchema(table.schema), table.name);
  std::string cols, keys, set;
  for (size_t i : DataColumns(table)) {
    std::string col = QuoteIdent(table.columns[i].name);
    cols += (cols.empty() ? "" : ", ") + col;
    if (std::find(key.begin(), key.end(), table.columns[i].name) == key.end()) {
      set += (set.empty() ? "" : ", ") + col + " = EXCLUDED." + col;
    }
  }
  for (const std::string& k : key) keys += (keys.empty() ? "" : ", ") + QuoteIdent(k);
  if (set.empty()) set = QuoteIdent(key.front()) + " = EXCLUDED." + QuoteIdent(key.front());  // every column is key
  std::string temp = "pg_temp." + QuoteIdent(stage);
  create_stage_ = "CREATE TEMPORARY TABLE " + temp + " AS SELECT " + cols + " FROM " + name + " WITH NO DATA";
  // OVERRIDING SYSTEM VALUE: an identity column GENERATED ALWAYS takes the
  // loaded ids, as COPY gives them.
  merge_ = "WITH u AS (INSERT INTO " + name + " (" + cols + ") OVERRIDING SYSTEM VALUE SELECT " + cols + " FROM " +
           temp + " ON CONFLICT (" + keys + ") DO UPDATE SET " + set +
           " RETURNING xmax = 0 AS inserted) SELECT count(*) FILTER (WHERE NOT inserted) FROM u";
  drop_stage_ = "DROP TABLE " + temp;
  target_ = temp + " (" + cols + ")";
}

Status CopyInWriter::Start() {
  if (own_transaction_) DECANT_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  if (!create_stage_.empty()) DECANT_RETURN_IF_ERROR(conn_->Exec(create_stage_).WithContext("loading table " + label_));
  return StartCopy();
}

Status CopyInWriter::StartCopy() {
  std::string options;
  if (!path_.binary.empty()) options = "FORMAT binary";
  if (path_.freeze) options += options.empty() ? "FREEZE" : ", FREEZE";
  std::string sql = "COPY " + target_ + " FROM STDIN" + (options.empty() ? "" : " WITH (" + options + ")");
  PGresult* r = PQexec(conn_->get(), sql.c_str());
  QueryResult holder(r);
  if (PQresultStatus(r) != PGRES_COPY_IN) return conn_->Error("loading table " + label_, r);
  in_copy_ = true;
  if (!path_.binary.empty()) AppendBinaryHeader(&buffer_);
  return Status::OK();
}

Status CopyInWriter::EndCopy() {
  if (!path_.binary.empty()) AppendBinaryTrailer(&buffer_);
  DECANT_RETURN_IF_ERROR(Flush());
  in_copy_ = false;
  if (PQputCopyEnd(conn_->get(), nullptr) != 1) return conn_->Error("loading table " + label_);
  PGresult* r = PQgetResult(conn_->get());
  QueryResult holder(r);
  while (PGresult* extra = PQgetResult(conn_->get())) PQclear(extra);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) return conn_->Error("loading table " + label_, r);
  return Status::OK();
}

Status CopyInWriter::Flush() {
  if (buffer_.empty()) return Status::OK();
  if (PQputCopyData(conn_->get(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    return conn_->Error("loading table " + label_);
  }
  buffer_.clear();
  return Status::OK();
}

Status CopyInWriter::SwitchToText() {
  DECANT_RETURN_IF_ERROR(EndCopy());
  path_.binary.clear();
  spdlog::debug("table {}: a value has no exact binary form; the rest of its rows load as text", label_);
  return StartCopy();
}

Status CopyInWriter::Write(const RowBatch& batch) {
  if (closed_) return Status::FailedPrecondition("table " + label_ + ": Write after Close");
  size_t columns = batch.num_columns();
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    const Value* row = batch.row(r);
    if (!path_.binary.empty()) {
      if (EncodeBinaryRow(row, path_.binary, &buffer_)) {
        if (buffer_.size() >= kCopyBufferBytes) DECANT_RETURN_IF_ERROR(Flush());
        continue;
      }
      DECANT_RETURN_IF_ERROR(SwitchToText());
    }
    for (size_t c = 0; c < columns; ++c) {
      if (c) buffer_.push_back('\t');
      EncodeCopyValue(row[c], &buffer_);
    }
    buffer_.push_back('\n');
    if (buffer_.size() >= kCopyBufferBytes) DECANT_RETURN_IF_ERROR(Flush());
  }
  rows_ += batch.num_rows();
  return Status::OK();
}

Status CopyInWriter::Close() {
  if (closed_) return Status::OK();
  DECANT_RETURN_IF_ERROR(EndCopy());
  if (!merge_.empty()) {
    Result<std::string> updated = conn_->QueryValue(merge_);
    if (!updated.ok()) return updated.status().WithContext("upserting table " + label_);
    updated_ = std::stoull(*updated);
    DECANT_RETURN_IF_ERROR(conn_->Exec(drop_stage_));
  }
  if (journal_) DECANT_RETURN_IF_ERROR(conn_->Exec(journal_(rows_)).WithContext("loading table " + label_));
  if (own_transaction_) DECANT_RETURN_IF_ERROR(conn_->Exec("COMMIT"));
  closed_ = true;
  return Status::OK();
}

// ---- sink ---------------------------------------------------------------------

Result<std::vector<TargetObject>> PostgresSink::ListObjects() {
  DECANT_ASSIGN_OR_RETURN(
      QueryResult r,
      main_->Query(
          "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' "
          "WHEN 'f' THEN 'foreign table' ELSE 'table' END, n.nspname || '.' || c.relname "
          "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', "
          "'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND NOT EXISTS (SELECT 1 FROM "
          "pg_catalog.pg_depend e WHERE e.classid = 'pg_class'::pg_catalog.regclass AND e.objid = c.oid AND "
          "e.deptype = 'e') ORDER BY c.oid"));
  std::vector<TargetObject> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.Get(i, 0), r.Get(i, 1)});
  return out;
}

Status PostgresSink::StartWriting() {
  DECANT_RETURN_IF_ERROR(main_->Exec("BEGIN"));
  in_transaction_ = true;
  return Status::OK();
}

// The objects of the target that depend on what --clean drops, outside it:
// one line each, e.g. "view other.v (on table public.album)". `relations`
// and `types` are quoted qualified names (to_regclass, to_regtype); those not
// there are left out. What goes with the dropped objects without CASCADE
// (their indexes, constraints, rules, triggers, owned sequences, row and
// array types: pg_depend's auto and internal dependents, followed through)
// counts as dropped; a normal dependent of any of it that is not is outside.
Result<std::vector<std::string>> OutsideDependents(Connection* conn, const std::vector<std::string>& relations,
                                                   const std::vector<std::string>& types) {
  auto array = [](const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + QuoteLiteral(n);
    return "ARRAY[" + out + "]::pg_catalog.text[]";
  };
  // ours: what is dropped, `named` for the objects decant names (a dependent
  // is shown with those it depends on, rather than with their indexes or rules).
  std::string sql =
      "WITH RECURSIVE ours(classid, objid, named) AS (SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::"
      "pg_catalog.oid, pg_catalog.to_regclass(n)::pg_catalog.oid, true FROM pg_catalog.unnest(" +
      array(relations) +
      ") n WHERE pg_catalog.to_regclass(n) IS NOT NULL UNION SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::"
      "pg_catalog.oid, pg_catalog.to_regtype(n)::pg_catalog.oid, true FROM pg_catalog.unnest(" +
      array(types) +
      ") n WHERE pg_catalog.to_regtype(n) IS NOT NULL UNION SELECT d.classid, d.objid, false FROM "
      "pg_catalog.pg_depend d JOIN ours o ON d.refclassid = o.classid AND d.refobjid = o.objid WHERE d.deptype IN "
      "('a', 'i', 'P', 'S')), "
      "outside(what, ref, named) AS (SELECT CASE WHEN w.rulename = '_RETURN' THEN pg_catalog.pg_describe_object("
      "'pg_catalog.pg_class'::pg_catalog.regclass, w.ev_class, 0) ELSE pg_catalog.pg_describe_object(d.classid, "
      "d.objid, d.objsubid) END, pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0), o.named FROM "
      "pg_catalog.pg_depend d JOIN ours o ON d.refclassid = o.classid AND d.refobjid = o.objid LEFT JOIN "
      "pg_catalog.pg_rewrite w ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND w.oid = d.objid "
      "WHERE d.deptype = 'n' AND NOT EXISTS (SELECT 1 FROM ours x WHERE x.classid = d.classid AND x.objid = "
      "d.objid)) "
      "SELECT what, COALESCE(pg_catalog.string_agg(DISTINCT ref, ', ') FILTER (WHERE named), pg_catalog.min(ref)) "
      "FROM outside GROUP BY what ORDER BY what";
  DECANT_ASSIGN_OR_RETURN(QueryResult r, conn->Query(sql));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.Get(i, 0) + " (on " + r.Get(i, 1) + ")");
  return out;
}

// --clean drops what this load creates, by the schema's names (IF EXISTS),
// so types and domains, which the listing leaves out, go too; never anything
// else. Objects that depend on them and that the load does not create (a
// view of another schema, a foreign key of a table left alone, a column of
// that type) refuse the load, named, before anything is dropped. The drops
// then run without CASCADE, each kind in one statement, so that dependencies
// among the dropped objects need none; what still has a dependent waits for
// the others (a view over a materialized view), then goes one by one.
Status PostgresSink::DropOurs(const std::vector<TargetObject>&) {
  struct Drop {
    std::string kind;  // "VIEW", "TABLE", ...
    std::vector<std::string> names;
  };
  Drop views{"VIEW", {}}, matviews{"MATERIALIZED VIEW", {}}, tables{"TABLE", {}}, sequences{"SEQUENCE", {}};
  Drop domains{"DOMAIN", {}}, types{"TYPE", {}};
  for (const View& v : schema_.views) {
    (v.materialized ? matviews : views).names.push_back(QuoteQualified(TargetSchema(v.schema), v.name));
  }
  for (auto it = schema_.tables.rbegin(); it != schema_.tables.rend(); ++it) {
    tables.names.push_back(QuoteQualified(TargetSchema(it->schema), it->name));
  }
  for (const Sequence& q : schema_.sequences) {
    if (!q.native_ddl.empty()) sequences.names.push_back(QuoteQualified(TargetSchema(q.schema), q.name));
  }
  for (const NativeObject& o : schema_.objects) {
    if (o.kind == "type" || o.kind == "domain") {
      (o.kind == "type" ? types : domains).names.push_back(QuoteQualified(o.schema, o.name));
    }
  }
  std::vector<std::string> relations = views.names;
  for (const Drop* d : {&matviews, &tables, &sequences})
    relations.insert(relations.end(), d->names.begin(), d->names.end());
  std::vector<std::string> type_names = domains.names;
  type_names.insert(type_names.end(), types.names.begin(), types.names.end());
  DECANT_ASSIGN_OR_RETURN(std::vector<std::string> outside, OutsideDependents(main_.get(), relations, type_names));
  if (!outside.empty()) {
    std::string list;
    for (size_t i = 0; i < outside.size() && i < 5; ++i) list += (i ? ", " : "") + outside[i];
    if (outside.size() > 5) list += fmt::format(" and {} more", outside.size() - 5);
    return Status::FailedPrecondition(
        fmt::format("--clean refused: {} holds objects decant does not create that depend on objects it would drop: "
                    "{}; drop or change them first (nothing was dropped)",
                    Describe(), list));
  }
  std::vector<std::string> pending;
  for (const Drop* d : {&views, &matviews, &tables, &sequences, &domains, &types}) {
    std::string names;
    for (const std::string& n : d->names) names += (names.empty() ? "" : ", ") + n;
    if (!names.empty()) pending.push_back("DROP " + d->kind + " IF EXISTS " + names);
  }
  bool split = false;
  while (!pending.empty()) {
    std::vector<std::string> retry;
    Status first;
    for (const std::string& sql : pending) {
      std::string sqlstate;
      Status st = TryInSavepoint(main_.get(), sql, in_transaction_, &sqlstate);
      if (st.ok()) continue;
      if (sqlstate != "2BP01") return st.WithContext("--clean");  // not a dependent
      if (first.ok()) first = st;
      retry.push_back(sql);
    }
    if (retry.size() == pending.size()) {
      if (split) return first.WithContext("--clean");
      split = true;  // one object per statement: each goes as soon as nothing depends on it
      pending.clear();
      for (const Drop* d : {&views, &matviews, &tables, &sequences, &domains, &types}) {
        for (const std::string& n : d->names) pending.push_back("DROP " + d->kind + " IF EXISTS " + n);
      }
      continue;
    }
    pending = std::move(retry);
  }
  return Status::OK();
}

Status PostgresSink::TryInSavepoint(Connection* conn, const std::string& sql, bool in_transaction,
                                    std::string* sqlstate) {
  if (in_transaction) DECANT_RETURN_IF_ERROR(conn->Exec("SAVEPOINT decant_ddl"));
  Status st = conn->Exec(sql, sqlstate);
  if (in_transaction) {
    DECANT_RETURN_IF_ERROR(conn->Exec(st.ok() ? "RELEASE SAVEPOINT decant_ddl" : "ROLLBACK TO SAVEPOINT decant_ddl"));
  }
  return st;
}

// Auxiliary objects (and, on a target older than the source, whatever need
// not succeed) run in a savepoint so that a refusal can be skipped; the
// recorder judges the outcome (docs: Sink, essential and auxiliary objects).
Status PostgresSink::Run(Connection* conn, const Ddl& ddl, bool in_transaction) {
  if (ddl.sql.empty()) return recorder_.NotCreated(ddl, options_.strict_objects);  // its note says why
  bool older_skip = older_target_ && !ddl.must_succeed;
  bool tolerate = older_skip || !ddl.essential || options_.mode != LoadMode::kRefuseNonEmpty;
  std::string sqlstate;
  Status st = tolerate ? TryInSavepoint(conn, ddl.sql, in_transaction, &sqlstate) : conn->Exec(ddl.sql, &sqlstate);
  if (!st.ok() && options_.mode != LoadMode::kRefuseNonEmpty && IsDuplicateObject(sqlstate)) {
    return Status::OK();  // already there
  }
  if (!st.ok() && older_skip) {
    std::string line = fmt::format("{} was not created on PostgreSQL {} (source {}): {}", ddl.what,
                                   main_->server_version(), schema_.server_version, st.message());
    {
      std::lock_guard lock(mu_);
      skipped_.push_back(line);
    }
    DdlStatement skipped = ddl;
    skipped.essential = false;
    return recorder_.Outcome(skipped, st, options_.strict_objects, Describe());
  }
  return recorder_.Outcome(ddl, st, options_.strict_objects, Describe());
}

Status PostgresSink::RunAll(const std::vector<Ddl>& list, bool parallel) {
  if (!parallel || jobs_ <= 1 || list.size() < 2) {
    for (const Ddl& d : list) DECANT_RETURN_IF_ERROR(Run(main_.get(), d, in_transaction_));
    return Status::OK();
  }
  // Outside a transaction: each statement commits on its own connection,
  // borrowed by each worker for its first statement.
  std::vector<Connection*> conns(std::min(jobs_, list.size()), nullptr);
  Status st = RunWorkQueue(list.size(), conns.size(), [&](size_t worker, size_t i) -> Status {
    if (!conns[worker]) {
      DECANT_ASSIGN_OR_RETURN(conns[worker], Borrow());
      DECANT_RETURN_IF_ERROR(PrepareForIndexes(conns[worker]));
    }
    return Run(conns[worker], list[i], false);
  });
  for (Connection* conn : conns) {
    if (conn) GiveBack(conn);
  }
  return st;
}

// Views may depend on views created later (CREATE OR REPLACE changes the
// order), so failures for a missing object are retried while any succeeds;
// what still fails then is reported as Run reports it.
Status PostgresSink::RunUntilSettled(std::vector<Ddl> pending) {
  for (;;) {
    std::vector<Ddl> retry;
    for (const Ddl& d : pending) {
      std::string sqlstate;
      Status st = TryInSavepoint(main_.get(), d.sql, in_transaction_, &sqlstate);
      if (st.ok()) {
        recorder_.Created({d.kind, d.name, d.table, "", d.count});
        continue;
      }
      if (IsMissingDependency(sqlstate)) {
        retry.push_back(d);
      } else {
        DECANT_RETURN_IF_ERROR(Run(main_.get(), d, in_transaction_));
      }
    }
    if (retry.empty()) return Status::OK();
    if (retry.size() == pending.size()) return RunAll(retry, false);
    pending = std::move(retry);
  }
}

// Sorting for an index build spills to disk beyond maintenance_work_mem
// (64MB by default): the loading sessions raise it, never lower it.
// README.md, Loading, has the measurements.
Status PostgresSink::PrepareForIndexes(Connection* conn) const {
  size_t kb = std::clamp(kIndexBuildBudgetKb / jobs_, kIndexBuildMinKb, kIndexBuildMaxKb);
  return conn->Exec(
      fmt::format("SELECT pg_catalog.set_config('maintenance_work_mem', '{}kB', false) FROM pg_catalog.pg_settings "
                  "WHERE name = 'maintenance_work_mem' AND setting::bigint < {}",
                  kb, kb));
}

Result<Connection*> PostgresSink::Borrow() {
  return workers_.Take([this]() -> Result<std::unique_ptr<Connection>> {
    DECANT_ASSIGN_OR_RETURN(auto worker, Connection::Open(location_));
    DECANT_RETURN_IF_ERROR(PrepareSession(worker.get()));
    return worker;
  });
}

Result<RowCount> PostgresSink::CountRows(size_t index) {
  const Table& t = schema_.tables[index];
  std::string name = QuoteQualified(TargetSchema(t.schema), t.name);
  DECANT_ASSIGN_OR_RETURN(std::string rows,
                          main_->QueryValue("SELECT count(*) FROM (SELECT 1 FROM " + name + " LIMIT 1) q"));
  return RowCount{rows == "0" ? 0u : 1u, false};
}

// --data-only --clean: DELETE (TRUNCATE would need every referencing table
// too). With one job the rows go in the load's transaction, so a failed load
// leaves them as they were. With more, the tables load on other connections,
// each table committing on its own, so the deletes commit first (an
// uncommitted delete would make their inserts wait): a failed load then
// leaves the tables empty, or holding what loaded completely.
// A foreign key from a table outside the load that still points at a deleted
// row fails the DELETE (or, declared DEFERRABLE INITIALLY DEFERRED as Django
// does, the COMMIT unless the load brings that row back).
Status PostgresSink::EmptyTables(const std::vector<size_t>& indexes) {
  if (!in_transaction_) DECANT_RETURN_IF_ERROR(StartWriting());
  for (size_t i : indexes) {
    const Table& t = schema_.tables[i];
    // (A refused delete, class 23, is already FailedPrecondition.)
    Status st = main_->Exec("DELETE FROM " + QuoteQualified(TargetSchema(t.schema), t.name));
    if (!st.ok())
      return st.WithContext("--clean: emptying table " + QualifiedName(t.schema, t.name) + " in " + Describe());
  }
  if (jobs_ == 1) return Status::OK();
  in_transaction_ = false;
  return main_->Exec("COMMIT").WithContext("--clean: emptying the tables");
}

// A foreign-key trigger checks each row as it arrives (or, DEFERRABLE
// INITIALLY DEFERRED as Django declares them, queues it for the COMMIT): a
// million rows are a million look-ups, most of a data-only load's time. A
// superuser can load with session_replication_role = replica, which fires no
// triggers, and then check each foreign key of the loaded tables with one
// anti-join (CheckForeignKeys), in the same transaction: a row without its
// parent fails the load as the trigger would have. Only for tables without
// triggers of their own (replica would skip them too), and only within the
// load's transaction (SET LOCAL), so nothing outlives it.
Status PostgresSink::DeferForeignKeys() {
  if (schema_.tables.empty()) return Status::OK();
  DECANT_ASSIGN_OR_RETURN(std::string super, main_->QueryValue("SELECT pg_catalog.current_setting('is_superuser')"));
  if (super != "on") return Status::OK();
  std::string names;
  for (const Table& t : schema_.tables) {
    names += (names.empty() ? "" : ", ") + QuoteLiteral(QuoteQualified(TargetSchema(t.schema), t.name));
  }
  DECANT_ASSIGN_OR_RETURN(std::string own_triggers,
                          main_->QueryValue("SELECT count(*) FROM pg_catalog.pg_trigger WHERE NOT tgisinternal AND "
                                            "tgrelid = ANY (ARRAY[" +
                                            names + "]::pg_catalog.regclass[])"));
  if (own_triggers != "0") return Status::OK();
  DECANT_RETURN_IF_ERROR(main_->Exec("SET LOCAL session_replication_role = replica"));
  keys_checked_after_ = true;
  return Status::OK();
}

Status PostgresSink::CheckForeignKeys() {
  DECANT_RETURN_IF_ERROR(main_->Exec("SET LOCAL session_replication_role = origin"));
  for (const Table& t : schema_.tables) {
    std::string child = QuoteQualified(TargetSchema(t.schema), t.name);
    for (const ForeignKey& fk : t.foreign_keys) {
      std::string parent = QuoteQualified(TargetSchema(fk.ref_schema.empty() ? t.schema : fk.ref_schema), fk.ref_table);
      if (fk.ref_columns.size() != fk.columns.size()) continue;  // the catalog always names them
      std::string cols, not_null, join;
      for (size_t i = 0; i < fk.columns.size(); ++i) {
        std::string c = "c." + QuoteIdent(fk.columns[i]);
        cols += (i ? ", " : "") + c;
        not_null += (i ? " AND " : "") + c + " IS NOT NULL";
        join += (i ? " AND " : "") + ("p." + QuoteIdent(fk.ref_columns[i])) + " = " + c;
      }
      std::string sql = fmt::format("SELECT {} FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {}) LIMIT 1",
                                    cols, child, not_null, parent, join);
      DECANT_ASSIGN_OR_RETURN(QueryResult r, main_->Query(sql));
      if (r.rows() == 0) continue;
      std::string key;
      for (size_t i = 0; i < fk.columns.size(); ++i) {
        key += (i ? ", " : "") + fk.columns[i] + "=" +
               (r.IsNull(0, static_cast<int>(i)) ? "NULL" : r.Get(0, static_cast<int>(i)));
      }
      return Status::FailedPrecondition(
          fmt::format("{}: foreign key {} of table {}: a row with {} has no row in {}; nothing was loaded", Describe(),
                      fk.name.empty() ? "(unnamed)" : fk.name, QualifiedName(t.schema, t.name), key,
                      QualifiedName(fk.ref_schema.empty() ? t.schema : fk.ref_schema, fk.ref_table)));
    }
  }
  return Status::OK();
}

Result<std::vector<std::pair<std::string, std::string>>> PostgresSink::UnvalidatedForeignKeys() {
  DECANT_ASSIGN_OR_RETURN(
      QueryResult r, main_->Query("SELECT c.conrelid::pg_catalog.regclass::text, pg_catalog.quote_ident(c.conname) "
                                  "FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND NOT c.convalidated"));
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0), r.Get(i, 1));
  std::sort(out.begin(), out.end());
  return out;
}

// With several jobs (the load is not one transaction anyway), a step with
// foreign keys adds them NOT VALID, a catalog change that reads no rows,
// commits, and then checks them over the jobs' connections with VALIDATE
// CONSTRAINT: it takes SHARE UPDATE EXCLUSIVE on the referencing table and
// ROW SHARE on the referenced one, so the keys of different tables are
// checked at once (two of one table wait for each other). The check is the
// one ADD runs, with the same error for a row without its parent; a key that
// was NOT VALID in the source stays so. README.md, Loading.
Status PostgresSink::AddForeignKeysThenValidate(const std::vector<Ddl>& list) {
  // Which constraint each ADD made (an unnamed key gets the server's name):
  // the unvalidated keys after it that were not there before.
  DECANT_ASSIGN_OR_RETURN(auto known, UnvalidatedForeignKeys());
  std::vector<std::pair<std::string, std::string>> added;
  std::vector<const Ddl*> added_by;
  for (const Ddl& d : list) {
    bool key = d.kind == "foreign key" && !d.sql.empty();
    bool unchecked = key && d.sql.find(" NOT VALID") == std::string::npos;
    if (!unchecked) {
      DECANT_RETURN_IF_ERROR(Run(main_.get(), d, in_transaction_));
    } else {
      Ddl later = d;
      later.sql += " NOT VALID";
      DECANT_RETURN_IF_ERROR(Run(main_.get(), later, in_transaction_));
    }
    if (!key) continue;
    DECANT_ASSIGN_OR_RETURN(auto now, UnvalidatedForeignKeys());
    if (unchecked) {
      std::set_difference(now.begin(), now.end(), known.begin(), known.end(), std::back_inserter(added));
      added_by.resize(added.size(), &d);
    }
    known = std::move(now);
  }
  if (in_transaction_) DECANT_RETURN_IF_ERROR(main_->Exec("COMMIT"));
  in_transaction_ = false;
  if (added.empty()) return Status::OK();
  std::vector<Connection*> conns(std::min(jobs_, added.size()), nullptr);
  Status st = RunWorkQueue(added.size(), conns.size(), [&](size_t worker, size_t i) -> Status {
    if (!conns[worker]) {
      DECANT_ASSIGN_OR_RETURN(conns[worker], Borrow());
    }
    const auto& [table, name] = added[i];
    Status validated = conns[worker]->Exec("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + name);
    // A failure is named as the ADD that failed would have been.
    if (validated.ok()) recorder_.Ran("foreign key");
    return validated.ok() ? validated : recorder_.Outcome(*added_by[i], validated, options_.strict_objects, Describe());
  });
  for (Connection* conn : conns) {
    if (conn) GiveBack(conn);
  }
  if (!st.ok()) {
    // As a failed ADD would: none of the keys stays behind (on a table the
    // load did not create, which Abort leaves).
    for (const auto& [table, name] : added)
      (void)main_->Exec("ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + name);
  }
  return st;
}

// --data-only: every serial or identity column's sequence continues after the
// highest id loaded, so the application's next insert gets a fresh id.
Status PostgresSink::AdvanceSequences() {
  for (const Table& t : schema_.tables) {
    std::string name = QuoteQualified(TargetSchema(t.schema), t.name);
    for (const Column& c : t.columns) {
      LogicalType l = c.type.logical;
      if (l != LogicalType::kInt16 && l != LogicalType::kInt32 && l != LogicalType::kInt64) continue;
      std::string sql = fmt::format(
          "SELECT pg_catalog.setval(q.seq, GREATEST(q.m, 1), q.m >= 1) FROM (SELECT "
          "pg_catalog.pg_get_serial_sequence({}, {}) AS seq, (SELECT COALESCE(MAX({}), 0) FROM {}) AS m) q "
          "WHERE q.seq IS NOT NULL",
          QuoteLiteral(name), QuoteLiteral(c.name), QuoteIdent(c.name), name);
      DECANT_RETURN_IF_ERROR(main_->Exec(sql).WithContext("advancing the sequence of " + t.name + "." + c.name));
    }
  }
  return Status::OK();
}

Status PostgresSink::Begin(const Schema& schema, const SinkOptions& options) {
  if (state_ != State::kNew) return Status::FailedPrecondition("PostgreSQL sink: Begin called twice");
  state_ = State::kOpen;
  schema_ = schema;
  options_ = options;
  recorder_.Observe(options.statement_done);
  from_postgres_ = schema.engine == PostgresTraits().name;
  older_target_ = from_postgres_ && std::atoi(schema.server_version.c_str()) > main_->server_major();
  DECANT_RETURN_IF_ERROR(PrepareSession(main_.get()));
  if (options.shard == ShardRole::kWorker) {
    parts_ = jobs_ > 1;  // each writer on its own connection, committing on its own
    return BeginShardWorker();
  }
  // A coordinator's load is never one transaction: other processes load its
  // tables, which are committed below, as with several jobs.
  if (options.shard == ShardRole::kCoordinator) jobs_ = std::max<size_t>(jobs_, 2);
  // A load in parts keeps a journal (created with the tables, in their
  // transaction, so that no table committed in parts is without it).
  bool journaled = !options.data_only && !options.upsert && options.shard == ShardRole::kNone;
  auto journal = [&] { journal_.emplace(QuoteQualified(JournalTable(), std::string(kJournalTable)), QuoteLiteral); };
  if (journaled && jobs_ > 1) journal();
  DECANT_RETURN_IF_ERROR(protocol_.Begin(*this, schema_, options));
  if (journaled && protocol_.resumed() && !journal_) journal();
  parts_ = jobs_ > 1 || protocol_.resumed().has_value();
  // What the interrupted load created stays: a statement that finds its
  // object there is skipped, as with --append. Its post-data objects are
  // planned as CreateBeforeTables, which a resumed load does not run, does.
  if (protocol_.resumed()) {
    options_.mode = LoadMode::kAppend;
    plan_ = PlanLoad(schema_, SourceTraits(options_.source, schema_, PostgresTraits()));
    // The keys and checks the interrupted load added go, to be added again
    // in Commit: one without a name would otherwise be added twice (the
    // server names each ADD anew). Its tables are all the load's own.
    DECANT_RETURN_IF_ERROR(DropAddedConstraints());
  }
  if (options.data_only) {
    if (jobs_ == 1 && !in_transaction_) DECANT_RETURN_IF_ERROR(StartWriting());
    if (jobs_ == 1) DECANT_RETURN_IF_ERROR(DeferForeignKeys());
    return Status::OK();
  }
  if (parts_) {
    // Other connections load the tables, so they must be committed now.
    DECANT_RETURN_IF_ERROR(main_->Exec("COMMIT"));
    in_transaction_ = false;
  }
  return Status::OK();
}

Status PostgresSink::DropAddedConstraints() {
  for (const Table& t : schema_.tables) {
    std::string name = QuoteQualified(TargetSchema(t.schema), t.name);
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        main_->Query("SELECT pg_catalog.quote_ident(conname) FROM pg_catalog.pg_constraint WHERE conrelid = " +
                     QuoteLiteral(name) +
                     "::pg_catalog.regclass AND contype IN ('f', 'u', 'c', 'x') AND coninhcount = 0 "
                     "ORDER BY contype = 'f' DESC"));
    for (int i = 0; i < r.rows(); ++i) {
      DECANT_RETURN_IF_ERROR(
          main_->Exec("ALTER TABLE " + name + " DROP CONSTRAINT IF EXISTS " + r.Get(i, 0) + " CASCADE")
              .WithContext("--resume"));
    }
  }
  return Status::OK();
}

std::string PostgresSink::JournalTable() const {
  return TargetSchema(schema_.tables.empty() ? std::string("public") : schema_.tables.front().schema);
}

Result<std::optional<LoadJournal>> PostgresSink::ReadJournal() {
  JournalSql sql(QuoteQualified(JournalTable(), std::string(kJournalTable)), QuoteLiteral);
  DECANT_ASSIGN_OR_RETURN(
      std::string there,
      main_->QueryValue("SELECT pg_catalog.to_regclass(" +
                        QuoteLiteral(QuoteQualified(JournalTable(), std::string(kJournalTable))) + ") IS NOT NULL"));
  if (there != "t") return std::optional<LoadJournal>();
  DECANT_ASSIGN_OR_RETURN(QueryResult r, main_->Query(sql.Select()));
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (int i = 0; i < r.rows(); ++i) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < kJournalColumns; ++c) row.push_back(r.IsNull(i, c) ? std::nullopt : std::optional(r.Get(i, c)));
  }
  DECANT_ASSIGN_OR_RETURN(LoadJournal j, ParseJournal(rows));
  return std::optional<LoadJournal>(std::move(j));
}

Status PostgresSink::DropJournal() {
  return main_->Exec(JournalSql(QuoteQualified(JournalTable(), std::string(kJournalTable)), QuoteLiteral).Drop());
}

Status PostgresSink::StartJournal(const LoadJournal& journal) {
  if (!journal_) return Status::OK();
  return journal_->Record(journal, [this](const std::string& sql) { return main_->Exec(sql); });
}

Result<std::unique_ptr<TableWriter>> PostgresSink::OpenUnit(const Table& table, size_t unit) {
  DECANT_ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> writer, OpenTable(table));
  if (journal_) {
    static_cast<CopyInWriter*>(writer.get())->JournalAs([sql = *journal_, unit](uint64_t rows) {
      return sql.MarkDone(unit, rows);
    });
  }
  return writer;
}

// A shard worker loads rows into the tables its coordinator created and
// committed: it only checks that they are there. With one job its rows are one
// transaction, committed by Commit; with several, each writer commits its own.
Status PostgresSink::BeginShardWorker() {
  for (size_t i = 0; i < schema_.tables.size(); ++i) {
    DECANT_ASSIGN_OR_RETURN(bool there, HasTable(i));
    if (!there) {
      const Table& t = schema_.tables[i];
      return Status::NotFound(fmt::format("table {} is not in {}: a shard's tables are created by its coordinator",
                                          QualifiedName(TargetSchema(t.schema), t.name), Describe()));
    }
  }
  if (jobs_ == 1) DECANT_RETURN_IF_ERROR(StartWriting());
  return Status::OK();
}

Status PostgresSink::CreateBeforeTables() {
  plan_ = PlanLoad(schema_, SourceTraits(options_.source, schema_, PostgresTraits()));
  for (const Ddl& d : plan_.pre_data) {
    // A function may return or take a table's row type: it then waits for
    // the tables and is created with the views (pg_dump sorts by dependency).
    if (d.may_need_tables) {
      std::string sqlstate;
      if (TryInSavepoint(main_.get(), d.sql, true, &sqlstate).ok()) {
        recorder_.Created({d.kind, d.name, d.table, "", d.count});
        continue;
      }
      if (IsMissingDependency(sqlstate)) {
        deferred_.push_back(d);
        continue;
      }
    }
    DECANT_RETURN_IF_ERROR(Run(main_.get(), d, true));
  }
  return Status::OK();
}

Result<bool> PostgresSink::HasTable(size_t index) {
  const Table& t = schema_.tables[index];
  std::string name = QuoteLiteral(QuoteQualified(TargetSchema(t.schema), t.name));
  DECANT_ASSIGN_OR_RETURN(std::string exists,
                          main_->QueryValue("SELECT pg_catalog.to_regclass(" + name + ") IS NOT NULL"));
  return exists == "t";
}

Status PostgresSink::CreateTables(const std::vector<size_t>& indexes) {
  if (journal_) DECANT_RETURN_IF_ERROR(main_->Exec(journal_->Create()));
  for (size_t i : indexes) {
    const Table& t = schema_.tables[i];
    DECANT_RETURN_IF_ERROR(Run(main_.get(), plan_.tables[i], true));
    created_tables_.push_back(QualifiedName(t.schema, t.name));
  }
  return Status::OK();
}

// Binary COPY when every loaded column's type on the target (a domain's
// base type) has a binary form EncodeBinaryRow writes; FREEZE when the table
// was created in the transaction that loads it (one job). README.md, Loading.
Result<CopyPath> PostgresSink::ChoosePath(Connection* conn, const Table& table) {
  CopyPath path;
  std::string name = QuoteQualified(TargetSchema(table.schema), table.name);
  DECANT_ASSIGN_OR_RETURN(
      QueryResult r,
      conn->Query("SELECT a.attname, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, c.relkind "
                  "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
                  "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE a.attrelid = " +
                  QuoteLiteral(name) + "::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped"));
  bool partitioned = r.rows() > 0 && r.Get(0, 2) == "p";
  for (size_t i : DataColumns(table)) {
    Binary b = Binary::kNone;
    for (int k = 0; k < r.rows(); ++k) {
      if (r.Get(k, 0) == table.columns[i].name) b = BinaryFor(static_cast<unsigned>(std::stoul(r.Get(k, 1))));
    }
    if (b == Binary::kNone) {
      path.binary.clear();
      break;
    }
    path.binary.push_back(b);
  }
  // FREEZE needs the table created (or truncated) in this transaction, and
  // is refused on a partitioned table.
  path.freeze = !parts_ && !partitioned && in_transaction_ &&
                std::find(created_tables_.begin(), created_tables_.end(), QualifiedName(table.schema, table.name)) !=
                    created_tables_.end();
  return path;
}

Result<std::unique_ptr<TableWriter>> PostgresSink::OpenTable(const Table& table) {
  if (state_ != State::kOpen) return Status::FailedPrecondition("PostgreSQL sink is not open");
  Connection* conn = main_.get();
  bool own = false;
  if (parts_) {
    DECANT_ASSIGN_OR_RETURN(conn, Borrow());
    own = true;
  }
  Result<CopyPath> path = ChoosePath(conn, table);
  if (!path.ok()) {
    if (own) GiveBack(conn);
    return path.status().WithContext("loading table " + QualifiedName(table.schema, table.name));
  }
  auto writer = std::make_unique<CopyInWriter>(parts_ ? this : nullptr, conn, own, table, std::move(*path));
  // A table this load created is empty: its rows are plain inserts (and its
  // keys come only in Commit, so ON CONFLICT would have none to match).
  if (options_.upsert && std::find(created_tables_.begin(), created_tables_.end(),
                                   QualifiedName(table.schema, table.name)) == created_tables_.end()) {
    std::optional<std::vector<std::string>> key = UpsertKey(schema_, table);
    if (!key) return Status::Internal("--upsert: table " + QualifiedName(table.schema, table.name) + " has no key");
    writer->UpsertThrough("decant_upsert_" + std::to_string(++stages_), table, *key);
  }
  DECANT_RETURN_IF_ERROR(writer->Start());
  return std::unique_ptr<TableWriter>(std::move(writer));
}

Status PostgresSink::Commit() {
  if (state_ != State::kOpen) return Status::FailedPrecondition("PostgreSQL sink is not open");
  if (options_.shard == ShardRole::kWorker) {
    // The rows only: the coordinator creates everything else once every shard is done.
    if (in_transaction_) DECANT_RETURN_IF_ERROR(main_->Exec("COMMIT"));
    in_transaction_ = false;
    state_ = State::kDone;
    return Status::OK();
  }
  DECANT_RETURN_IF_ERROR(PrepareForIndexes(main_.get()));
  for (const Step& step : plan_.post_data) {
    // Keys and indexes are built over several connections when there are
    // several jobs (each committing on its own); the rest is one transaction.
    bool parallel = step.mode == StepMode::kParallel;
    if (!parallel && !in_transaction_) {
      DECANT_RETURN_IF_ERROR(main_->Exec("BEGIN"));
      in_transaction_ = true;
    }
    bool has_keys = std::any_of(step.ddl.begin(), step.ddl.end(), [](const Ddl& d) { return d.kind == "foreign key"; });
    if (step.mode == StepMode::kUntilSettled) {
      std::vector<Ddl> pending = deferred_;
      pending.insert(pending.end(), step.ddl.begin(), step.ddl.end());
      DECANT_RETURN_IF_ERROR(RunUntilSettled(std::move(pending)));
    } else if (jobs_ > 1 && has_keys) {
      DECANT_RETURN_IF_ERROR(AddForeignKeysThenValidate(step.ddl));
    } else {
      DECANT_RETURN_IF_ERROR(RunAll(step.ddl, parallel));
    }
  }
  if (options_.data_only) {
    if (!in_transaction_) {
      DECANT_RETURN_IF_ERROR(main_->Exec("BEGIN"));
      in_transaction_ = true;
    }
    if (keys_checked_after_) DECANT_RETURN_IF_ERROR(CheckForeignKeys());
    DECANT_RETURN_IF_ERROR(AdvanceSequences());
  }
  if (journal_) {
    // The load is complete: its journal goes with the last transaction.
    if (!in_transaction_) {
      DECANT_RETURN_IF_ERROR(main_->Exec("BEGIN"));
      in_transaction_ = true;
    }
    DECANT_RETURN_IF_ERROR(DropJournal());
  }
  if (in_transaction_) DECANT_RETURN_IF_ERROR(main_->Exec("COMMIT"));
  in_transaction_ = false;
  state_ = State::kDone;
  if (!skipped_.empty()) {
    spdlog::warn("{} of the PostgreSQL {} source were not created on PostgreSQL {} (listed above)",
                 Counted(skipped_.size(), "object"), schema_.server_version, main_->server_version());
  }
  return Status::OK();
}

void PostgresSink::Abort() {
  if (state_ != State::kOpen) return;
  state_ = State::kDone;
  if (PQtransactionStatus(main_->get()) != PQTRANS_IDLE) (void)main_->Exec("ROLLBACK");
  in_transaction_ = false;
  left_ = parts_ ? LeftState::kDropped : LeftState::kUntouched;
  // A resumed load created nothing: what it and the interrupted load
  // committed stays, with the journal, for the next --resume. So do the rows
  // of a load into tables that were there (--append).
  if (parts_ && created_tables_.empty()) left_ = journal_ ? LeftState::kResumable : LeftState::kPartial;
  if (parts_ && !created_tables_.empty()) {
    // The tables, and the sequences, types and views made with them, were
    // committed so that several connections could load them: what this load
    // created goes, so nothing half-loaded stays behind and a rerun finds
    // the target as it was. Without --append every object of the schema in
    // the target is the load's (Begin refused a target holding any, or
    // --clean dropped them), so --clean's drop takes them all; with
    // --append, only the tables it created.
    auto drop_created_tables = [&] {
      for (auto it = schema_.tables.rbegin(); it != schema_.tables.rend(); ++it) {
        std::string label = QualifiedName(it->schema, it->name);
        if (std::find(created_tables_.begin(), created_tables_.end(), label) == created_tables_.end()) continue;
        if (!main_->Exec("DROP TABLE IF EXISTS " + QuoteQualified(TargetSchema(it->schema), it->name) + " CASCADE")
                 .ok()) {
          return false;
        }
      }
      return true;
    };
    bool dropped = (options_.mode != LoadMode::kAppend && DropOurs({}).ok()) || drop_created_tables();
    if (journal_ && dropped) dropped = DropJournal().ok();
    // The server could not be reached (a restart, a lost connection): what
    // committed stays, and the journal says what.
    if (!dropped) {
      left_ = journal_ ? LeftState::kResumable : LeftState::kPartial;
      return;
    }
    // (A shard coordinator's caller says so in its error.)
    if (options_.shard != ShardRole::kCoordinator) {
      spdlog::warn("load into {} failed: dropped the {} it had created", Describe(),
                   Counted(created_tables_.size(), "table"));
    }
  }
}

}  // namespace

Result<std::unique_ptr<Sink>> OpenSink(const std::string& location, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto conn, Connection::Open(location));
  return std::unique_ptr<Sink>(new PostgresSink(std::move(conn), location, options.jobs));
}

}  // namespace decant::pg_internal
