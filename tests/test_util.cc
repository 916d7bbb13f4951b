#include "tests/test_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace decant::testing_util {
namespace {

std::string Hex(const void* data, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

sqlite3* OpenOrDie(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
  }
  return db;
}

// Rows of `sql` encoded as text lines: each cell is "<storage class>:<hex bytes>".
std::vector<std::string> QueryLines(sqlite3* db, const std::string& sql) {
  std::vector<std::string> lines;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "prepare failed: " << sql << ": " << sqlite3_errmsg(db);
    return lines;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string line;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      if (c) line += '|';
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_NULL: line += "null"; break;
        case SQLITE_INTEGER: line += fmt::format("int:{}", sqlite3_column_int64(st, c)); break;
        case SQLITE_FLOAT: {
          double d = sqlite3_column_double(st, c);
          line += "real:" + Hex(&d, sizeof d);
          break;
        }
        case SQLITE_TEXT: {
          const void* p = sqlite3_column_blob(st, c);  // raw bytes, no conversion
          line += "text:" + Hex(p, static_cast<size_t>(sqlite3_column_bytes(st, c)));
          break;
        }
        case SQLITE_BLOB: {
          const void* p = sqlite3_column_blob(st, c);
          line += "blob:" + Hex(p, static_cast<size_t>(sqlite3_column_bytes(st, c)));
          break;
        }
      }
    }
    lines.push_back(std::move(line));
  }
  sqlite3_finalize(st);
  return lines;
}

std::string Quote(const std::string& name) {
  std::string q = "\"";
  for (char c : name) {
    q += c;
    if (c == '"') q += '"';
  }
  return q + "\"";
}

}  // namespace

TempDir::TempDir() {
  std::string keep = Env("DECANT_TEST_KEEP_DIR");
  std::error_code ec;
  if (!keep.empty()) std::filesystem::create_directories(keep, ec);
  std::string root = keep.empty() ? std::filesystem::temp_directory_path().string() : keep;
  std::string tmpl = root + "/decant-test-XXXXXX";
  char* made = mkdtemp(tmpl.data());
  if (!made) ADD_FAILURE() << "mkdtemp failed in " << root;
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (!Env("DECANT_TEST_KEEP_DIR").empty()) return;  // kept for tests/security/password_grep.py
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void SqliteExec(const std::string& path, const std::string& sql) {
  sqlite3* db = OpenOrDie(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    ADD_FAILURE() << "sqlite error on " << path << ": " << (err ? err : "?");
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

std::string SqliteSchemaDump(const std::string& path) {
  sqlite3* db = OpenOrDie(path, SQLITE_OPEN_READONLY);
  auto lines = QueryLines(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name");
  sqlite3_close(db);
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

std::string SqliteDump(const std::string& path) {
  std::string out = SqliteSchemaDump(path);
  sqlite3* db = OpenOrDie(path, SQLITE_OPEN_READONLY);
  for (const char* pragma : {"user_version", "application_id", "encoding"}) {
    for (auto& l : QueryLines(db, std::string("PRAGMA ") + pragma)) out += fmt::format("{}={}\n", pragma, l);
  }
  std::vector<std::string> tables;
  for (auto& l : QueryLines(db, "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name")) {
    // l is "text:<hex>"; decode the hex back to the name.
    std::string hex = l.substr(5), name;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) name += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    tables.push_back(name);
  }
  for (const auto& t : tables) {
    if (t.rfind("sqlite_stat", 0) == 0) continue;
    auto rows = QueryLines(db, "SELECT * FROM " + Quote(t));
    std::sort(rows.begin(), rows.end());
    out += fmt::format("table {} ({} rows)\n", t, rows.size());
    for (auto& r : rows) out += "  " + r + "\n";
  }
  sqlite3_close(db);
  return out;
}

std::string SharedDir() {
  const char* env = std::getenv("DECANT_SHARED_DIR");
  std::string dir = env ? env : DECANT_DEFAULT_SHARED_DIR;
  if (dir.empty() || !std::filesystem::exists(dir + "/samples")) return "";
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

RunResult RunDecantBinary(const std::vector<std::string>& args, const std::string& stdin_path,
                          const std::string& stdout_path) {
  const char* bin = std::getenv("DECANT_BINARY");
  if (!bin) bin = DECANT_DEFAULT_BINARY;
  RunResult r;
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  TempDir tmp;
  std::string out_file = stdout_path.empty() ? tmp.File("stdout") : stdout_path;
  std::string cmd = quote(bin);
  for (const auto& a : args) cmd.append(" ").append(quote(a));
  cmd.append(" < ").append(stdin_path.empty() ? std::string("/dev/null") : quote(stdin_path));
  cmd.append(" > ").append(quote(out_file)).append(" 2> ").append(quote(tmp.File("stderr")));
  int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (stdout_path.empty()) r.out = ReadFile(out_file);
  r.err = ReadFile(tmp.File("stderr"));
  return r;
}

std::string DecantBinary() {
  const char* bin = std::getenv("DECANT_BINARY");
  return bin ? bin : DECANT_DEFAULT_BINARY;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

ShellResult RunShell(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string MysqlClientArgs() {
  std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
  if (!defaults.empty()) return "--defaults-file=" + ShellQuote(defaults);
  std::string uri = Env("DECANT_TEST_MYSQL_URI");
  std::string rest = uri.substr(uri.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  std::string user, hostport = rest;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    user = rest.substr(0, at);
    user = user.substr(0, user.find(':'));
    hostport = rest.substr(at + 1);
  }
  std::string host = hostport.substr(0, hostport.find(':'));
  std::string port = hostport.find(':') == std::string::npos ? "3306" : hostport.substr(hostport.find(':') + 1);
  return "-h " + ShellQuote(host) + " -P " + ShellQuote(port) + (user.empty() ? "" : " -u " + ShellQuote(user));
}

std::string MysqlTestUri(const std::string& db) {
  std::string base = Env("DECANT_TEST_MYSQL_URI");
  std::string query;
  if (size_t q = base.find('?'); q != std::string::npos) {
    query = base.substr(q + 1);
    base.resize(q);
  }
  size_t slash = base.find('/', base.find("://") + 3);
  if (slash != std::string::npos) base.resize(slash);
  std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
  if (!defaults.empty()) query.append(query.empty() ? "" : "&").append("defaults-file=").append(defaults);
  std::string encoded;
  for (unsigned char c : db) {
    if (std::isalnum(c) || c == '_' || c == '-') {
      encoded.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  return base + "/" + encoded + (query.empty() ? "" : "?" + query);
}

std::string UniqueDbName(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "decant_x_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

std::string PgTestUri(const std::string& db) {
  std::string server = Env("DECANT_TEST_PG15_URI");
  return server.substr(0, server.rfind('/') + 1) + db;
}

std::string Chomp(std::string out) {
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string PsqlRun(const std::string& db, const std::string& sql) {
  TempDir tmp;
  WriteFile(tmp.File("q.sql"), sql);
  ShellResult r = RunShell("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + ShellQuote(PgTestUri(db)) + " -f " +
                           ShellQuote(tmp.File("q.sql")));
  EXPECT_EQ(r.exit_code, 0) << "psql failed: " << r.out << "\n" << sql.substr(0, 300);
  return Chomp(r.out);
}

std::string MariadbRun(const std::string& db, const std::string& sql) {
  TempDir tmp;
  WriteFile(tmp.File("q.sql"), "SET time_zone = '+00:00';\n" + sql);
  ShellResult r = RunShell("mariadb " + MysqlClientArgs() + " --default-character-set=utf8mb4 -N -B " +
                           (db.empty() ? "" : ShellQuote(db)) + " < " + ShellQuote(tmp.File("q.sql")));
  EXPECT_EQ(r.exit_code, 0) << "mariadb failed: " << r.out << "\n" << sql.substr(0, 300);
  return Chomp(r.out);
}

PgTestDb::PgTestDb(const std::string& tag) : name_(UniqueDbName(tag)) {
  PsqlRun("postgres", "DROP DATABASE IF EXISTS \"" + name_ + "\"; CREATE DATABASE \"" + name_ +
                          "\" ENCODING 'UTF8' TEMPLATE template0");
}

PgTestDb::~PgTestDb() { PsqlRun("postgres", "DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)"); }

MariadbTestDb::MariadbTestDb(const std::string& tag) : name_(UniqueDbName(tag)) {
  MariadbRun("", "DROP DATABASE IF EXISTS `" + name_ + "`; CREATE DATABASE `" + name_ +
                     "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
}

MariadbTestDb::~MariadbTestDb() { MariadbRun("", "DROP DATABASE IF EXISTS `" + name_ + "`"); }

}  // namespace decant::testing_util
