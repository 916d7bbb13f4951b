#include "engines/sqlite/sqlite_util.h"

#include <cctype>
#include <limits>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "engines/sqlite/sqlite_ddl_parse.h"

namespace decant::sqlite_internal {

namespace {

// Wraps text in `quote`, doubling any quote inside (SQL's escaping rule).
std::string QuoteWith(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(quote);
  for (char c : text) {
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

}  // namespace

std::string QuoteIdent(std::string_view name) { return QuoteWith(name, '"'); }

std::string QuoteLiteral(std::string_view text) { return QuoteWith(text, '\''); }

Status StatusFromCode(int code, const std::string& message) {
  // A STRICT column refusing a value's type: the target cannot hold the value.
  if (code == SQLITE_CONSTRAINT_DATATYPE) return Status::DataLoss(message);
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
    // A value SQLite cannot hold as given.
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: return Status::DataLoss(message);
    // UNIQUE/PRIMARY KEY/NOT NULL/CHECK/FOREIGN KEY against what the target
    // already holds (e.g. --append of rows it has), or a schema conflict.
    case SQLITE_CONSTRAINT:
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

Result<Statement> Statement::Prepare(Connection* conn, const std::string& sql, size_t* tail) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("statement of " + std::to_string(sql.size()) + " bytes is too long for SQLite");
  }
  sqlite3_stmt* stmt = nullptr;
  const char* end = nullptr;
  int rc = sqlite3_prepare_v2(conn->db(), sql.c_str(), static_cast<int>(sql.size()), &stmt, &end);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return conn->Error("preparing " + sql.substr(0, 80));
  }
  if (tail != nullptr) *tail = end != nullptr ? static_cast<size_t>(end - sql.c_str()) : sql.size();
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

Result<std::set<std::string>> ShadowTables(Connection* conn) {
  std::set<std::string> out;
  std::vector<std::pair<std::string, std::string>> vtabs;  // name, module
  std::vector<std::string> tables;
  {
    DECANT_ASSIGN_OR_RETURN(Statement st,
                            Statement::Prepare(conn, "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table'"));
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool row, st.Step(conn));
      if (!row) break;
      std::string name = st.ColumnText(0);
      if (auto v = ParseCreateVirtualTable(st.ColumnText(1))) vtabs.emplace_back(name, v->module);
      tables.push_back(std::move(name));
    }
  }
  if (vtabs.empty()) return out;
  for (const std::string& t : tables) {
    for (const auto& [vtab, module] : vtabs) {
      if (IsShadowTableOf(module, vtab, t)) out.insert(AsciiLower(t));
    }
  }
  // SQLite's own view, where the module is loaded and names its shadow tables.
  auto st = Statement::Prepare(conn, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'");
  if (st.ok()) {
    while (true) {
      Result<bool> row = st->Step(conn);
      if (!row.ok() || !*row) break;
      out.insert(AsciiLower(st->ColumnText(0)));
    }
  }
  return out;
}

}  // namespace decant::sqlite_internal
