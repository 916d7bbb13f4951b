// MysqlSource: every table from one consistent snapshot, streamed.
//
// Each connection runs START TRANSACTION WITH CONSISTENT SNAPSHOT (REPEATABLE
// READ, READ ONLY) and reads a table with mysql_use_result, so rows flow from
// the server batch by batch and a table is never held whole in memory. For
// several connections to share one point in time, they open their snapshots
// while the first holds FLUSH TABLES WITH READ LOCK, released right after.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_endpoint.h"
#include "engines/mysql/mysql_schema.h"

namespace decant {
namespace {

using mysql_internal::CellKind;
using mysql_internal::Connection;
using mysql_internal::ConnectionPool;
using mysql_internal::QuoteIdent;

class MysqlTableReader : public TableReader {
 public:
  MysqlTableReader(ConnectionPool* pool, Connection* conn, MYSQL_RES* res, std::vector<CellKind> kinds,
                   std::string table)
      : pool_(pool), conn_(conn), res_(res), kinds_(std::move(kinds)), table_(std::move(table)) {}
  ~MysqlTableReader() override {
    // Freeing an unbuffered result reads and drops the rows not fetched yet.
    if (res_) mysql_free_result(res_);
    pool_->GiveBack(conn_);
  }

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(kinds_.size());
    if (res_ == nullptr) return false;
    while (!batch->full()) {
      MYSQL_ROW row = mysql_fetch_row(res_);
      if (row == nullptr) {
        if (mysql_errno(conn_->get()) != 0) return conn_->Error("table " + table_);
        mysql_free_result(res_);
        res_ = nullptr;
        break;
      }
      unsigned long* lengths = mysql_fetch_lengths(res_);
      Value* cells = batch->AppendRow();
      size_t bytes = 0;
      for (size_t c = 0; c < kinds_.size(); ++c) {
        Status st = mysql_internal::DecodeCell(kinds_[c], row[c], lengths[c], &scratch_, &cells[c]);
        if (!st.ok()) return st.WithContext("table " + table_);
        bytes += row[c] ? lengths[c] : 0;
      }
      batch->AddPayload(bytes + 8 * kinds_.size());
    }
    return !batch->empty();
  }

 private:
  ConnectionPool* pool_;
  Connection* conn_;
  MYSQL_RES* res_;
  std::vector<CellKind> kinds_;
  std::string table_;
  std::string scratch_;  // kept across cells (geometry)
};

class MysqlSource : public Source {
 public:
  Status Open(const mysql_internal::ConnectParams& params, size_t jobs);
  Result<Schema> ReadSchema() override { return read_.schema; }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override;
  std::string Describe() const override { return shown_; }
  size_t MaxParallelTables() const override { return pool_.size(); }
  // From information_schema.TABLES: TABLE_ROWS (exact for MyISAM, InnoDB's
  // sampled estimate) and DATA_LENGTH (bytes of the clustered index or data
  // file), both kept by the server, no scan.
  TableSize EstimateSize(const Table& table) override;

 private:
  ConnectionPool pool_;
  mysql_internal::SchemaRead read_;
  std::string shown_;
};

Status StartSnapshot(Connection& c) {
  // sql_mode '': SHOW CREATE output and values in the server's plain form
  // (no ANSI_QUOTES, no PAD_CHAR_TO_FULL_LENGTH). Long timeouts: the reader
  // may wait on a slow sink between fetches.
  DECANT_RETURN_IF_ERROR(
      c.Exec("SET SESSION sql_mode = '', SESSION net_write_timeout = 86400, SESSION net_read_timeout = 86400"));
  DECANT_RETURN_IF_ERROR(c.Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  return c.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

Status MysqlSource::Open(const mysql_internal::ConnectParams& params, size_t jobs) {
  shown_ = params.shown;
  if (params.database.empty()) {
    return Status::InvalidArgument(shown_ + ": no database in the URI (mysql://user@host:3306/DATABASE)");
  }
  DECANT_ASSIGN_OR_RETURN(auto first, Connection::Open(params));
  Connection& main = *first;
  pool_.Add(std::move(first));
  bool locked = false;
  if (jobs > 1) {
    Status st = main.Exec("FLUSH TABLES WITH READ LOCK");
    if (st.ok()) {
      locked = true;
    } else {
      spdlog::warn("{}: reading with one connection: FLUSH TABLES WITH READ LOCK failed ({})", shown_, st.message());
      jobs = 1;
    }
  }
  Status st = StartSnapshot(main);
  for (size_t i = 1; st.ok() && i < jobs; ++i) {
    auto extra = Connection::Open(params);
    if (!extra.ok()) {
      st = extra.status();
      break;
    }
    st = StartSnapshot(**extra);
    pool_.Add(std::move(extra).value());
  }
  if (locked) {
    Status unlock = main.Exec("UNLOCK TABLES");
    if (st.ok()) st = unlock;
  }
  DECANT_RETURN_IF_ERROR(st.ok() ? st : st.WithContext(shown_));
  auto read = mysql_internal::ReadDatabaseSchema(main);
  if (!read.ok()) return read.status().WithContext(shown_ + ": reading the schema");
  read_ = std::move(read).value();
  for (const std::string& what : read_.skipped) spdlog::warn("{}: {} is not carried", shown_, what);
  return Status::OK();
}

TableSize MysqlSource::EstimateSize(const Table& table) {
  TableSize size;
  auto conn = pool_.Take();
  if (!conn.ok()) return size;
  auto rows = (*conn)->Query(
      "SELECT TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
      (*conn)->Quote(table.name));
  pool_.GiveBack(*conn);
  if (!rows.ok() || rows->size() != 1 || rows->front().size() != 2) return size;
  auto number = [](const std::optional<std::string>& v) -> std::optional<uint64_t> {
    if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::strtoull(v->c_str(), nullptr, 10);
  };
  size.rows = number(rows->front()[0]);
  size.bytes = number(rows->front()[1]);
  return size;
}

Result<std::unique_ptr<TableReader>> MysqlSource::OpenTable(const Table& table) {
  auto it = read_.kinds.find(table.name);
  if (it == read_.kinds.end()) return Status::NotFound("table " + table.name + " is not in " + shown_);
  std::vector<size_t> data = DataColumns(table);
  std::vector<CellKind> kinds;
  kinds.reserve(data.size());
  std::string sql = "SELECT ";
  for (size_t i = 0; i < data.size(); ++i) {
    CellKind kind = it->second.at(data[i]);
    std::string col = QuoteIdent(table.columns[data[i]].name);
    if (i) sql += ", ";
    // The float32 widened to double is exact; FLOAT's own text form is not.
    sql += kind == CellKind::kFloat ? "CAST(" + col + " AS DOUBLE)" : col;
    kinds.push_back(kind);
  }
  if (data.empty()) sql += "1";  // never: a table has at least one stored column
  sql += " FROM " + QuoteIdent(table.name);
  DECANT_ASSIGN_OR_RETURN(Connection * conn, pool_.Take());
  MYSQL_RES* res = mysql_real_query(conn->get(), sql.data(), sql.size()) == 0 ? mysql_use_result(conn->get()) : nullptr;
  if (res == nullptr) {
    Status st = conn->Error("table " + table.name);
    pool_.GiveBack(conn);
    return st;
  }
  return std::unique_ptr<TableReader>(new MysqlTableReader(&pool_, conn, res, std::move(kinds), table.name));
}

}  // namespace

bool IsMysqlUri(const std::string& location) {
  return location.starts_with("mysql://") || location.starts_with("mariadb://");
}

Result<std::unique_ptr<Source>> OpenMysqlSource(const std::string& uri, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto params, mysql_internal::ParseUri(uri));
  auto source = std::make_unique<MysqlSource>();
  DECANT_RETURN_IF_ERROR(source->Open(params, std::max<size_t>(1, options.jobs)));
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace decant
