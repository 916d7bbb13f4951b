#include "engines/sqlite/sqlite_util.h"

#include <utility>

namespace decant::sqlite_internal {

std::string QuoteIdent(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

Status StatusFromCode(int code, const std::string& message) {
  switch (code & 0xff) {
    case SQLITE_OK: return Status::OK();
    case SQLITE_FULL: return Status::NoSpace(message);
    case SQLITE_NOTADB: return Status::InvalidArgument(message);
    case SQLITE_CORRUPT: return Status::Corruption(message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM: return Status::IOError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(message);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: return Status::DataLoss(message);
    case SQLITE_ERROR: return Status::FailedPrecondition(message);
    default: return Status::Internal(message);
  }
}

Result<std::shared_ptr<Connection>> Connection::Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return StatusFromCode(rc, "cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  // Another process briefly holding a lock should delay us, not fail us.
  sqlite3_busy_timeout(db, 10000);
  return std::shared_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() { (void)Close(); }

Status Connection::Close() {
  if (db_ == nullptr) return Status::OK();
  int rc = sqlite3_close_v2(db_);
  db_ = nullptr;
  if (rc != SQLITE_OK) return StatusFromCode(rc, "closing " + path_ + ": " + sqlite3_errstr(rc));
  return Status::OK();
}

Status Connection::Error(const std::string& what) const {
  int code = sqlite3_extended_errcode(db_);
  return StatusFromCode(code, what + ": " + sqlite3_errmsg(db_));
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return StatusFromCode(rc, msg);
  }
  return Status::OK();
}

Result<int64_t> Connection::QueryInt(const std::string& sql) {
  DECANT_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(this, sql));
  DECANT_ASSIGN_OR_RETURN(bool row, st.Step(this));
  if (!row) return Status::Internal("no result from " + sql);
  return st.ColumnInt(0);
}

Result<std::string> Connection::QueryText(const std::string& sql) {
  DECANT_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(this, sql));
  DECANT_ASSIGN_OR_RETURN(bool row, st.Step(this));
  if (!row) return Status::Internal("no result from " + sql);
  return st.ColumnText(0);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Result<Statement> Statement::Prepare(Connection* conn, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(conn->db(), sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return conn->Error("preparing " + sql.substr(0, 80));
  }
  return Statement(stmt);
}

Result<bool> Statement::Step(Connection* conn) {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  return conn->Error("running " + sql.substr(0, 80));
}

std::string Statement::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

}  // namespace decant::sqlite_internal
