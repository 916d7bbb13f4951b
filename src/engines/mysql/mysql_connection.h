// Internal to engines/mysql: the URI, one connection (MYSQL*), quoting and
// errors as Status. Nothing outside this folder includes it.
#pragma once

#include <mysql.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/pool.h"
#include "core/status.h"

namespace decant::mysql_internal {

// What a mysql:// or mariadb:// URI says. Empty strings mean "not given":
// libmariadb then takes the value from the option files or its default.
struct ConnectParams {
  std::string scheme;  // "mysql" or "mariadb"
  std::string host;
  unsigned port = 0;
  std::string user;
  std::optional<std::string> password;  // from the URI only
  std::string database;
  std::map<std::string, std::string> params;  // ?key=value, decoded
  std::string shown;                          // the URI without its password, for messages

  // "host:port" (or the socket) for messages.
  std::string Where() const;
};

// InvalidArgument (naming the problem, never the password) when malformed.
Result<ConnectParams> ParseUri(const std::string& uri);
// `params` pointing at `database` instead, as a URI (password kept, encoded).
std::string UriFor(const ConnectParams& params, const std::string& database);

// `name` in backticks, embedded backticks doubled.
std::string QuoteIdent(std::string_view name);
// `s` with line breaks turned into spaces, for one-line messages.
std::string OneLine(std::string s);

// A result row of a small metadata query: NULL is nullopt.
using Row = std::vector<std::optional<std::string>>;

// Owns one MYSQL connection, with the session decant reads and writes in:
// utf8mb4, time_zone +00:00 (TIMESTAMP values travel in UTC).
class Connection {
 public:
  // Connects to params.database (none if empty). Errors are one line and
  // say what is wrong: the host, the port, the password, the database.
  static Result<std::unique_ptr<Connection>> Open(const ConnectParams& params);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  MYSQL* get() const { return mysql_; }
  const ConnectParams& params() const { return params_; }
  // Runs a statement and discards any result.
  Status Exec(std::string_view sql);
  // Runs a metadata query and returns all of its rows (small results only;
  // table data streams through mysql_use_result in the source).
  Result<std::vector<Row>> Query(std::string_view sql);
  // The first column of the first row, nullopt for no row or NULL.
  Result<std::optional<std::string>> QueryValue(std::string_view sql);
  // 'text' escaped for this connection's character set.
  std::string Quote(std::string_view text) const;
  // Appends Quote(text) to `out` without a temporary (the load's hot path).
  void AppendQuoted(std::string_view text, std::string* out) const;
  // A Status for the connection's last error, prefixed with `context`.
  Status Error(const std::string& context) const;

 private:
  Connection(MYSQL* mysql, ConnectParams params) : mysql_(mysql), params_(std::move(params)) {}
  MYSQL* mysql_;
  ConnectParams params_;
};

// Connections handed out one at a time (a table reader or writer each).
using ConnectionPool = Pool<Connection>;

// Maps a MySQL client or server error number to a Status category.
StatusCode CodeForError(unsigned error);

}  // namespace decant::mysql_internal
