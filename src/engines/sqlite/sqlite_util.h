// Internal to engines/sqlite: RAII wrappers over sqlite3 handles, quoting,
// and errors as Status. Nothing outside this folder includes it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"

namespace decant::sqlite_internal {

// "name" with embedded double quotes doubled.
std::string QuoteIdent(std::string_view name);
// 'text' with embedded single quotes doubled.
std::string QuoteLiteral(std::string_view text);

// Owns a sqlite3 connection; closes it on destruction.
class Connection {
 public:
  // Opens `path` with sqlite3_open_v2 `flags`. The caller checks existence
  // first; errors are IOError naming the path.
  static Result<std::shared_ptr<Connection>> Open(const std::string& path, int flags);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }
  // Runs one or more statements that return no rows of interest.
  Status Exec(const std::string& sql);
  // The single integer a query such as "PRAGMA user_version" returns.
  Result<int64_t> QueryInt(const std::string& sql);
  Result<std::string> QueryText(const std::string& sql);
  // Status for the connection's last error: `what` plus sqlite's message.
  Status Error(const std::string& what) const;
  // Closes now (idempotent); returns the close error if any.
  Status Close();

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// Owns a prepared statement.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Compiles the first statement of `sql`. With `tail`, stores the offset in
  // `sql` just past that statement (the text SQLite did not compile).
  static Result<Statement> Prepare(Connection* conn, const std::string& sql, size_t* tail = nullptr);

  sqlite3_stmt* get() const { return stmt_; }
  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> Step(Connection* conn);
  // Text of column i (empty for NULL), exact bytes.
  std::string ColumnText(int i) const;
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_ = nullptr;
};

// Maps a sqlite result code (primary or extended) to a Status category:
// CONSTRAINT (except CONSTRAINT_DATATYPE) and ERROR -> FailedPrecondition;
// CONSTRAINT_DATATYPE, MISMATCH, TOOBIG -> DataLoss; FULL -> NoSpace;
// IOERR, CANTOPEN, READONLY, PERM -> IOError; CORRUPT -> Corruption;
// NOTADB -> InvalidArgument; BUSY, LOCKED -> Unavailable; others -> Internal.
Status StatusFromCode(int code, const std::string& message);

// Lower-cased names of the shadow tables of the virtual tables in `conn`'s
// main schema: those SQLite reports as shadow, and "<vtab>_<suffix>" tables
// named after a known module's shadow tables (see IsShadowTableOf).
Result<std::set<std::string>> ShadowTables(Connection* conn);

}  // namespace decant::sqlite_internal
