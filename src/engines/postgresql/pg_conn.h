// Internal to engines/postgresql: a libpq connection with errors as Status,
// query helpers and quoting. Nothing outside this folder includes it.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace decant::pg_internal {

// "name" with embedded double quotes doubled (always quoted: exact for mixed
// case, spaces, Unicode and reserved words).
std::string QuoteIdent(std::string_view name);
// schema.name, both quoted.
std::string QuoteQualified(std::string_view schema, std::string_view name);
// 'text' as a standard-conforming string literal (E'' is never needed).
std::string QuoteLiteral(std::string_view text);

// The rows of a query, as text; IsNull tells NULL from ''.
class QueryResult {
 public:
  explicit QueryResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  int columns() const { return PQnfields(r_.get()); }
  std::string Get(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
  }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  long long GetInt(int row, int col) const { return std::stoll(Get(row, col)); }
  bool GetBool(int row, int col) const { return Get(row, col) == "t"; }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class Connection {
 public:
  // Connects to a postgresql:// URI or a conninfo string. PG* variables and
  // the password file apply as in psql. Errors are one line, name the host,
  // port, database or user at fault, and never contain a password.
  static Result<std::unique_ptr<Connection>> Open(const std::string& location);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* get() const { return conn_; }
  int server_major() const { return server_version_ / 10000; }
  int server_version_num() const { return server_version_; }
  std::string server_version() const;  // e.g. "15.4"
  std::string database() const { return PQdb(conn_); }
  // host:port/database, for messages.
  std::string Describe() const;

  // Runs statements that return no rows. On failure, *sqlstate (if given)
  // receives the server's SQLSTATE code.
  Status Exec(const std::string& sql, std::string* sqlstate = nullptr);
  // Runs a query returning rows.
  Result<QueryResult> Query(const std::string& sql);
  Result<std::string> QueryValue(const std::string& sql);

  // A Status for a failed result or connection: the server's message, first
  // line only, prefixed with `what`.
  Status Error(const std::string& what, PGresult* result = nullptr) const;

 private:
  explicit Connection(PGconn* c);
  PGconn* conn_;
  int server_version_ = 0;
};

// Fixes the settings that decide how values look as text, so an export is
// the same whatever the server's or user's defaults: UTF-8 (SQL_ASCII for a
// SQL_ASCII database, whose bytes have no encoding), ISO dates, UTC, exact
// floats, hex bytea, and an empty search_path so every name the server
// prints is schema-qualified.
Status PrepareSession(Connection* conn);

// The database name in `location` after libpq's defaults apply (URI, conninfo, PGDATABASE, user).
// Used to build sibling URIs for dump/restore.
struct ConnParams {
  std::vector<std::string> keys, values;
};
Result<ConnParams> ParseLocation(const std::string& location);
// A conninfo string: `location`'s parameters with dbname replaced.
std::string WithDatabase(const ConnParams& params, const std::string& database);

}  // namespace decant::pg_internal
