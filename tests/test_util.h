// Helpers shared by the integration tests: temp dirs, raw SQLite access that
// does not go through decant (so comparisons are independent of the code
// under test), and running the decant binary.
#pragma once

#include <string>
#include <vector>

namespace decant::testing_util {

// A fresh directory under the test temp dir, removed by the destructor; under
// DECANT_TEST_KEEP_DIR and kept when that is set (scripts/test.sh sets it, so
// that tests/security/password_grep.py reads every output the suite left).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs a script on a SQLite file (created if missing); aborts the test on error.
void SqliteExec(const std::string& path, const std::string& sql);

// Every schema object (sqlite_schema rows, sorted) and every row of every
// table (storage class and exact bytes, sorted), plus sqlite_sequence and the
// user_version/application_id pragmas, as one comparable text.
std::string SqliteDump(const std::string& path);

// Only the sqlite_schema part of SqliteDump.
std::string SqliteSchemaDump(const std::string& path);

// ../shared, or "" when it is absent (tests then skip).
std::string SharedDir();

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the decant binary with `args` (each one shell-quoted), optionally with
// `stdin_path` as standard input and stdout sent to `stdout_path`.
RunResult RunDecantBinary(const std::vector<std::string>& args, const std::string& stdin_path = "",
                          const std::string& stdout_path = "");

// The decant binary RunDecantBinary runs (DECANT_BINARY, else the build's).
std::string DecantBinary();

// The value of an environment variable, "" when unset.
std::string Env(const char* name);

// The URI of database `db` ("" for the server itself) on the MySQL/MariaDB
// test server of DECANT_TEST_MYSQL_URI, with its defaults file (the password)
// when DECANT_TEST_MYSQL_DEFAULTS_FILE is set. `db` is percent-encoded.
std::string MysqlTestUri(const std::string& db);

// What a shell command printed (stdout and stderr together) and its exit code
// (-1 when it did not exit normally).
struct ShellResult {
  int exit_code = -1;
  std::string out;
};
// Runs `cmd` with /bin/sh.
ShellResult RunShell(const std::string& cmd);

// `s` quoted for a POSIX shell ('...', with ' written as '\'').
std::string ShellQuote(const std::string& s);

// The mariadb client's connection options for the test server: the defaults
// file when DECANT_TEST_MYSQL_DEFAULTS_FILE is set, else host, port and user
// from DECANT_TEST_MYSQL_URI (the password then comes from MYSQL_PWD).
std::string MysqlClientArgs();

// `out` without its last newline (a client's output of one line).
std::string Chomp(std::string out);

// A database name no other test (or test process) uses: decant_x_<tag>_<pid>_<n>.
std::string UniqueDbName(const std::string& tag);

// The URI of database `db` on the PostgreSQL 15 test server (DECANT_TEST_PG15_URI).
std::string PgTestUri(const std::string& db);
// Runs SQL with psql on `db` ("postgres" for the server); returns the
// unaligned, tuples-only output without its last newline. Fails the test on error.
std::string PsqlRun(const std::string& db, const std::string& sql);
// Runs SQL with the mariadb client on `db` ("" for the server), in UTC;
// output as PsqlRun's. Fails the test on error.
std::string MariadbRun(const std::string& db, const std::string& sql);

// A fresh, empty UTF-8 database on the PostgreSQL 15 test server, dropped by
// the destructor.
class PgTestDb {
 public:
  explicit PgTestDb(const std::string& tag);
  ~PgTestDb();
  PgTestDb(const PgTestDb&) = delete;
  PgTestDb& operator=(const PgTestDb&) = delete;
  const std::string& name() const { return name_; }
  std::string uri() const { return PgTestUri(name_); }
  std::string Sql(const std::string& sql) const { return PsqlRun(name_, sql); }

 private:
  std::string name_;
};

// A fresh, empty utf8mb4 (binary collation) database on the MariaDB test
// server, dropped by the destructor.
class MariadbTestDb {
 public:
  explicit MariadbTestDb(const std::string& tag);
  ~MariadbTestDb();
  MariadbTestDb(const MariadbTestDb&) = delete;
  MariadbTestDb& operator=(const MariadbTestDb&) = delete;
  const std::string& name() const { return name_; }
  std::string uri() const { return MysqlTestUri(name_); }
  std::string Sql(const std::string& sql) const { return MariadbRun(name_, sql); }

 private:
  std::string name_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

}  // namespace decant::testing_util

// In a test body: skips the test, with one line saying how to start the
// servers, when the PostgreSQL 15 (REQUIRE_PG) or MariaDB (REQUIRE_MYSQL)
// test server's environment is not set.
#define REQUIRE_PG()                                               \
  if (::decant::testing_util::Env("DECANT_TEST_PG15_URI").empty()) \
  GTEST_SKIP() << "DECANT_TEST_PG15_URI is unset (source \"$(bash scripts/servers/postgresql.sh env)\")"
#define REQUIRE_MYSQL()                                             \
  if (::decant::testing_util::Env("DECANT_TEST_MYSQL_URI").empty()) \
  GTEST_SKIP() << "DECANT_TEST_MYSQL_URI is unset (source \"$(bash scripts/servers/mariadb.sh env)\")"
