// PostgresSource: the schema and every table from one snapshot, rows via COPY.

#include <fmt/format.h>

#include "core/pool.h"
#include "engines/postgresql/pg_catalog.h"
#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/pg_copy.h"
#include "engines/postgresql/pg_internal.h"

namespace decant::pg_internal {
namespace {

constexpr const char* kSnapshotTransaction = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

class PostgresSource;

// Reads one table with COPY ... TO STDOUT on a connection borrowed from the
// source's pool, returned when the reader is destroyed.
class CopyOutReader final : public TableReader {
 public:
  CopyOutReader(PostgresSource* source, Connection* conn, const Table& table);
  ~CopyOutReader() override;
  Result<bool> Next(RowBatch* batch) override;

 private:
  Status Start();

  PostgresSource* source_;
  Connection* conn_;
  std::string label_;
  std::string copy_sql_;
  std::vector<Decode> kinds_;
  std::string scratch_;  // unescaping space, reused for every row
  bool started_ = false;
  bool done_ = false;
};

class PostgresSource final : public Source {
 public:
  PostgresSource(std::unique_ptr<Connection> main, std::string location, size_t jobs)
      : location_(std::move(location)), jobs_(std::max<size_t>(1, jobs)), main_(main.get()), pool_(jobs_) {
    pool_.Add(std::move(main));
  }

  // `snapshot`: one another process exported (EndpointOptions::snapshot),
  // imported by every connection; empty: this one exports its own.
  Status Start(const std::string& snapshot) {
    DECANT_RETURN_IF_ERROR(PrepareSession(main_));
    DECANT_RETURN_IF_ERROR(main_->Exec(kSnapshotTransaction));
    if (!snapshot.empty()) {
      Status st = main_->Exec("SET TRANSACTION SNAPSHOT " + QuoteLiteral(snapshot));
      if (!st.ok()) return st.WithContext("importing snapshot " + snapshot);
      snapshot_ = snapshot;
    } else {
      DECANT_ASSIGN_OR_RETURN(snapshot_, main_->QueryValue("SELECT pg_catalog.pg_export_snapshot()"));
    }
    describe_ = main_->Describe();
    return Status::OK();
  }

  Result<Schema> ReadSchema() override { return ReadCatalog(main_); }

  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override {
    DECANT_ASSIGN_OR_RETURN(Connection * conn, Borrow());
    return std::unique_ptr<TableReader>(new CopyOutReader(this, conn, table));
  }

  std::string Describe() const override { return describe_; }
  size_t MaxParallelTables() const override { return jobs_; }
  Result<std::string> SnapshotId() override { return snapshot_; }

  // From the catalog: reltuples (the planner's row estimate, as of the last
  // VACUUM or ANALYZE; -1 before either on PostgreSQL 14+, then unknown) and
  // pg_table_size (heap and TOAST on disk, a stat of the files, no scan).
  // to_regclass, not ::regclass: an error would abort the snapshot's
  // transaction, and with it every read after.
  TableSize EstimateSize(const Table& table) override {
    TableSize size;
    auto conn = Borrow();
    if (!conn.ok()) return size;
    auto r = (*conn)->Query(
        fmt::format("SELECT c.reltuples::bigint, pg_catalog.pg_table_size(c.oid) FROM pg_catalog.pg_class c "
                    "WHERE c.oid = pg_catalog.to_regclass({})",
                    QuoteLiteral(QuoteQualified(table.schema, table.name))));
    GiveBack(*conn);
    if (!r.ok() || r->rows() != 1) return size;
    if (!r->IsNull(0, 0) && r->GetInt(0, 0) >= 0) size.rows = static_cast<uint64_t>(r->GetInt(0, 0));
    if (!r->IsNull(0, 1) && r->GetInt(0, 1) >= 0) size.bytes = static_cast<uint64_t>(r->GetInt(0, 1));
    return size;
  }

  void GiveBack(Connection* conn) { pool_.GiveBack(conn); }

 private:
  // A connection reading the same snapshot: the main one, or a worker that
  // imported it with SET TRANSACTION SNAPSHOT.
  Result<Connection*> Borrow() {
    DECANT_ASSIGN_OR_RETURN(Connection * conn, pool_.TryTake([this]() -> Result<std::unique_ptr<Connection>> {
      DECANT_ASSIGN_OR_RETURN(auto worker, Connection::Open(location_));
      DECANT_RETURN_IF_ERROR(PrepareSession(worker.get()));
      DECANT_RETURN_IF_ERROR(worker->Exec(kSnapshotTransaction));
      DECANT_RETURN_IF_ERROR(worker->Exec("SET TRANSACTION SNAPSHOT " + QuoteLiteral(snapshot_)));
      return worker;
    }));
    if (!conn) return Status::Internal("more tables open at once than --jobs allows");
    return conn;
  }

  std::string location_;
  size_t jobs_;
  std::string snapshot_;
  std::string describe_;
  Connection* main_;       // owned by pool_
  Pool<Connection> pool_;  // main_, then workers up to jobs_
};

CopyOutReader::CopyOutReader(PostgresSource* source, Connection* conn, const Table& table)
    : source_(source), conn_(conn), label_(QualifiedName(table.schema, table.name)) {
  std::string cols;
  for (size_t i : DataColumns(table)) {
    cols += (cols.empty() ? "" : ", ") + QuoteIdent(table.columns[i].name);
    kinds_.push_back(DecodeFor(table.columns[i].type));
  }
  // A partitioned table holds no rows itself: its partitions are tables of
  // their own. (Rows of a table without columns carry nothing either.)
  if (table.options.count(kOptPartitionBy) || kinds_.empty()) {
    done_ = true;
    return;
  }
  copy_sql_ = fmt::format("COPY {} ({}) TO STDOUT", QuoteQualified(table.schema, table.name), cols);
}

CopyOutReader::~CopyOutReader() {
  if (started_ && !done_) {
    // Drain the COPY so the connection can be reused (an error path).
    char* buf = nullptr;
    while (PQgetCopyData(conn_->get(), &buf, 0) > 0) PQfreemem(buf);
    while (PGresult* r = PQgetResult(conn_->get())) PQclear(r);
  }
  source_->GiveBack(conn_);
}

Status CopyOutReader::Start() {
  started_ = true;
  PGresult* r = PQexec(conn_->get(), copy_sql_.c_str());
  QueryResult holder(r);
  if (PQresultStatus(r) != PGRES_COPY_OUT) {
    done_ = true;
    return conn_->Error("reading table " + label_, r);
  }
  return Status::OK();
}

Result<bool> CopyOutReader::Next(RowBatch* batch) {
  batch->Reset(kinds_.size());
  if (done_) return false;
  if (!started_) DECANT_RETURN_IF_ERROR(Start());
  while (!batch->full()) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_->get(), &buf, 0);
    if (n == -1) {  // end of COPY: collect its result
      done_ = true;
      PGresult* r = PQgetResult(conn_->get());
      QueryResult holder(r);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) return conn_->Error("reading table " + label_, r);
      while (PGresult* extra = PQgetResult(conn_->get())) PQclear(extra);
      break;
    }
    if (n < 0) {
      done_ = true;
      return conn_->Error("reading table " + label_);
    }
    std::string_view line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    size_t payload = 0;
    Status st = DecodeCopyRow(line, kinds_, batch->AppendRow(), &payload, &scratch_);
    PQfreemem(buf);
    if (!st.ok()) return st.WithContext("table " + label_);
    batch->AddPayload(payload);
  }
  return !batch->empty();
}

}  // namespace

Result<std::unique_ptr<Source>> OpenSource(const std::string& location, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto conn, Connection::Open(location));
  auto source = std::make_unique<PostgresSource>(std::move(conn), location, options.jobs);
  DECANT_RETURN_IF_ERROR(source->Start(options.snapshot));
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace decant::pg_internal
