// One contract, every database sink: the load protocol of
// engines/common/load_protocol.h (refuse a non-empty target untouched,
// --clean, --append, --data-only) and what a failed load leaves behind.
// Parameterised over SQLite, PostgreSQL 15, 10 and 18 and MariaDB; a server
// whose environment is not set (scripts/servers/*.sh env) is skipped.
//
// The rows come from a small SQLite source through CopyDatabase, as the CLI
// runs it. Targets are set up and inspected directly (sqlite3, libpq,
// libmariadb), not through decant.
//
// What "rolled back" means today, per engine (asserted by the Failure* tests):
//   SQLite       one transaction (a new file: a .partial that is deleted), so a
//                failed load leaves the target byte-for-byte as it was;
//   PostgreSQL   -j1: one transaction, the target stays as it was.
//                -jN: tables are created and committed first and each table
//                loads in its own transaction; Abort drops the tables the load
//                created; a table that was already there (--append) keeps its
//                rows or gains all of the source's, never part of them;
//   MariaDB      DDL is not transactional; Abort drops what the load created;
//                rows appended to a table that was already there stay (all of
//                a table whose load finished; of a rejected row's table, the
//                rows the server took); with --data-only (no --append) Abort
//                empties the tables again, but never a table Begin refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engines/mysql/mysql_connection.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using testing_util::Env;
using testing_util::TempDir;
using Rows = std::vector<std::string>;

// ---- targets: one scratch database each, set up and read without decant ---------------

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string uri() const = 0;
  // Runs statements separated by ";" (no ";" inside one); fails the test on error.
  virtual void Exec(const std::string& sql) = 0;
  // Every row of `sql`, columns joined by "|", NULL as "NULL".
  virtual Rows Query(const std::string& sql) = 0;
  // The user tables, sorted.
  virtual Rows Tables() = 0;
  // Everything the target holds, comparable: SQLite the file's bytes, a
  // server its objects and the rows of every table.
  virtual std::string Snapshot() = 0;

 protected:
  static std::vector<std::string> Split(const std::string& sql) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < sql.size()) {
      size_t end = sql.find(';', start);
      if (end == std::string::npos) end = sql.size();
      std::string s = sql.substr(start, end - start);
      if (s.find_first_not_of(" \n") != std::string::npos) out.push_back(s);
      start = end + 1;
    }
    return out;
  }
};

class SqliteTarget : public Target {
 public:
  SqliteTarget() : path_(dir_.File("target.db")) {}
  std::string uri() const override { return "sqlite://" + path_; }
  void Exec(const std::string& sql) override { testing_util::SqliteExec(path_, sql); }
  Rows Query(const std::string& sql) override {
    Rows out;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK) << path_;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db) << " " << sql;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* v = sqlite3_column_text(st, c);
        row += (c ? "|" : "") + (v ? std::string(reinterpret_cast<const char*>(v)) : std::string("NULL"));
      }
      out.push_back(row);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }
  Rows Tables() override {
    if (!std::filesystem::exists(path_)) return {};
    return Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name");
  }
  std::string Snapshot() override {
    std::string out;
    for (const std::string& p : {path_, path_ + ".partial", path_ + "-journal"}) {
      out += p + (std::filesystem::exists(p) ? ":\n" + testing_util::ReadFile(p) + "\n" : " absent\n");
    }
    return out;
  }

 private:
  TempDir dir_;
  std::string path_;
};

std::string UniqueName(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "decant_conf_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

class PgTarget : public Target {
 public:
  explicit PgTarget(std::string server) : server_(std::move(server)), name_(UniqueName("pg")) {
    Run(server_, "DROP DATABASE IF EXISTS \"" + name_ + "\"");
    Run(server_, "CREATE DATABASE \"" + name_ + "\"");
  }
  ~PgTarget() override { Run(server_, "DROP DATABASE IF EXISTS \"" + name_ + "\""); }
  std::string uri() const override { return server_.substr(0, server_.rfind('/') + 1) + name_; }
  void Exec(const std::string& sql) override { Run(uri(), sql); }
  Rows Query(const std::string& sql) override {
    Rows out;
    PGconn* c = PQconnectdb(uri().c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r) << sql;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string row;
      for (int j = 0; j < PQnfields(r); ++j) {
        row += (j ? "|" : "") + std::string(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
      }
      out.push_back(row);
    }
    PQclear(r);
    PQfinish(c);
    return out;
  }
  Rows Tables() override {
    return Query(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') "
        "ORDER BY 1");
  }
  std::string Snapshot() override {
    std::string out;
    for (const std::string& o : Query("SELECT relkind::text || ' ' || relname FROM pg_class WHERE relnamespace = "
                                      "'public'::regnamespace ORDER BY 1")) {
      out += o + "\n";
    }
    for (const std::string& t : Tables()) {
      out += t + ":\n";
      for (const std::string& r : Query("SELECT x::text FROM public.\"" + t + "\" x ORDER BY 1")) out += r + "\n";
    }
    return out;
  }

 private:
  static void Run(const std::string& uri, const std::string& sql) {
    PGconn* c = PQconnectdb(uri.c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult* r = PQexec(c, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) << PQresultErrorMessage(r) << sql;
    PQclear(r);
    PQfinish(c);
  }

  std::string server_, name_;
};

class MariaDbTarget : public Target {
 public:
  MariaDbTarget() : name_(UniqueName("my")) {
    Connection server("");
    server.Run("DROP DATABASE IF EXISTS `" + name_ + "`");
    server.Run("CREATE DATABASE `" + name_ + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
  }
  ~MariaDbTarget() override { Connection("").Run("DROP DATABASE IF EXISTS `" + name_ + "`"); }
  std::string uri() const override { return testing_util::MysqlTestUri(name_); }
  void Exec(const std::string& sql) override {
    Connection c(name_);
    for (const std::string& s : Split(sql)) c.Run(s);
  }
  Rows Query(const std::string& sql) override { return Connection(name_).Select(sql); }
  Rows Tables() override {
    return Query(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
        "TABLE_TYPE = 'BASE TABLE' ORDER BY 1");
  }
  std::string Snapshot() override {
    std::string out;
    for (const char* q : {"SELECT TABLE_TYPE, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                          "DATABASE() ORDER BY 2",
                          "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
                          "ORDER BY 1",
                          "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
                          "ORDER BY 1"}) {
      for (const std::string& r : Query(q)) out += r + "\n";
    }
    for (const std::string& t : Tables()) {
      Rows rows = Query("SELECT * FROM `" + t + "`");
      std::sort(rows.begin(), rows.end());
      out += t + ":\n";
      for (const std::string& r : rows) out += r + "\n";
    }
    return out;
  }

 private:
  // A raw libmariadb connection to `db` ("" for the server).
  class Connection {
   public:
    explicit Connection(const std::string& db) {
      auto p = mysql_internal::ParseUri(testing_util::MysqlTestUri(db));
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      mysql_ = mysql_init(nullptr);
      std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
      if (!defaults.empty()) mysql_optionsv(mysql_, MYSQL_READ_DEFAULT_FILE, defaults.c_str());
      mysql_optionsv(mysql_, MYSQL_READ_DEFAULT_GROUP, "client");
      mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
      const char* pw = std::getenv("MYSQL_PWD");
      bool ok = p.ok() && mysql_real_connect(mysql_, p->host.c_str(), p->user.empty() ? nullptr : p->user.c_str(), pw,
                                             db.empty() ? nullptr : db.c_str(), p->port, nullptr, 0) != nullptr;
      EXPECT_TRUE(ok) << mysql_error(mysql_);
    }
    ~Connection() { mysql_close(mysql_); }
    void Run(const std::string& sql) {
      ASSERT_EQ(mysql_real_query(mysql_, sql.data(), sql.size()), 0) << mysql_error(mysql_) << "\n" << sql;
      if (MYSQL_RES* r = mysql_store_result(mysql_)) mysql_free_result(r);
    }
    Rows Select(const std::string& sql) {
      Rows out;
      if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
        ADD_FAILURE() << mysql_error(mysql_) << "\n" << sql;
        return out;
      }
      MYSQL_RES* res = mysql_store_result(mysql_);
      if (!res) return out;
      unsigned n = mysql_num_fields(res);
      while (MYSQL_ROW r = mysql_fetch_row(res)) {
        unsigned long* len = mysql_fetch_lengths(res);
        std::string row;
        for (unsigned i = 0; i < n; ++i) row += (i ? "|" : "") + (r[i] ? std::string(r[i], len[i]) : "NULL");
        out.push_back(row);
      }
      mysql_free_result(res);
      return out;
    }

   private:
    MYSQL* mysql_;
  };

  std::string name_;
};

// ---- the engines ---------------------------------------------------------------------------

struct EngineCase {
  const char* name;
  const char* env;  // the server's URI variable; nullptr for SQLite
};

const EngineCase kEngines[] = {
    {"sqlite", nullptr},
    {"pg15", "DECANT_TEST_PG15_URI"},
    {"pg10", "DECANT_TEST_PG_OLD_URI"},
    {"pg18", "DECANT_TEST_PG_NEW_URI"},
    {"mariadb", "DECANT_TEST_MYSQL_URI"},
};

void PrintTo(const EngineCase& e, std::ostream* os) { *os << e.name; }

// A writer that fails on its first batch of table `fail_` (a failure mid-load
// injected through the Sink API); everything else goes to the real sink.
class FailingSink : public Sink {
 public:
  FailingSink(std::unique_ptr<Sink> inner, std::string fail) : inner_(std::move(inner)), fail_(std::move(fail)) {}
  Status Begin(const Schema& schema, const SinkOptions& options) override { return inner_->Begin(schema, options); }
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override {
    DECANT_ASSIGN_OR_RETURN(auto writer, inner_->OpenTable(table));
    if (table.name != fail_) return writer;
    return std::unique_ptr<TableWriter>(new Failing(std::move(writer)));
  }
  Status Commit() override { return inner_->Commit(); }
  void Abort() override { inner_->Abort(); }
  std::string Describe() const override { return inner_->Describe(); }
  size_t MaxParallelTables() const override { return inner_->MaxParallelTables(); }
  const EngineTraits& Traits() const override { return inner_->Traits(); }

 private:
  class Failing : public TableWriter {
   public:
    explicit Failing(std::unique_ptr<TableWriter> inner) : inner_(std::move(inner)) {}
    Status Write(const RowBatch&) override { return Status::IOError("injected writer failure"); }
    Status Close() override { return inner_->Close(); }

   private:
    std::unique_ptr<TableWriter> inner_;
  };

  std::unique_ptr<Sink> inner_;
  std::string fail_;
};

class SinkConformance : public ::testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override {
    const EngineCase& e = GetParam();
    if (e.env != nullptr && Env(e.env).empty()) {
      GTEST_SKIP() << e.env << " is unset (source the env of scripts/servers/"
                   << (std::string(e.name) == "mariadb" ? "mariadb" : "postgresql") << ".sh)";
    }
    source_ = "sqlite://" + dir_.File("source.db");
    testing_util::SqliteExec(dir_.File("source.db"),
                             "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                             "CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), "
                             "note TEXT);"
                             "CREATE INDEX child_parent ON child(parent_id);"
                             "INSERT INTO parent VALUES (1, 'one'), (2, 'two');"
                             "INSERT INTO child VALUES (10, 1, 'a'), (11, 2, 'b'), (12, 2, 'c');");
  }

  static bool sqlite() { return std::string(GetParam().name) == "sqlite"; }
  static bool postgres() { return std::string(GetParam().name).starts_with("pg"); }

  static std::unique_ptr<Target> NewTarget() {
    const EngineCase& e = GetParam();
    if (sqlite()) return std::make_unique<SqliteTarget>();
    if (postgres()) return std::make_unique<PgTarget>(Env(e.env));
    return std::make_unique<MariaDbTarget>();
  }

  // Loads the source into `target` as `decant migrate` does; `fail_table`
  // names a table whose writer fails.
  Status Load(Target& target, const SinkOptions& options, size_t jobs = 1, const std::string& fail_table = "") {
    EndpointOptions eo{jobs};
    auto source = OpenSource(source_, eo);
    if (!source.ok()) return source.status();
    auto sink = OpenDatabaseSink(target.uri(), eo);
    if (!sink.ok()) return sink.status();
    std::unique_ptr<Sink> s = std::move(sink).value();
    if (!fail_table.empty()) s = std::make_unique<FailingSink>(std::move(s), fail_table);
    CopyOptions co;
    co.sink = options;
    co.jobs = jobs;
    Schema existing;
    if (options.data_only) {
      auto target_source = OpenSource(target.uri());
      if (!target_source.ok()) return target_source.status();
      auto schema = (*target_source)->ReadSchema();
      if (!schema.ok()) return schema.status();
      existing = std::move(schema).value();
      co.existing_target = &existing;
    }
    return CopyDatabase(**source, *s, co).status();
  }

  static std::string Describe(const Target& target) {
    auto sink = OpenDatabaseSink(target.uri());
    EXPECT_TRUE(sink.ok()) << sink.status().ToString();
    return sink.ok() ? (*sink)->Describe() : "";
  }

  // The tables an application made (for --data-only and --append), in each engine's SQL.
  static constexpr const char* kAppTables =
      "CREATE TABLE parent (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL);"
      "CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT, note VARCHAR(50))";

  // kAppTables with generated ids and a foreign key child -> parent, as an
  // application's migrations make them.
  static std::string AppTablesWithKeys() {
    std::string id = sqlite()     ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                     : postgres() ? "BIGSERIAL PRIMARY KEY"
                                  : "BIGINT AUTO_INCREMENT PRIMARY KEY";
    return "CREATE TABLE parent (id " + id + ", name VARCHAR(50) NOT NULL);" + "CREATE TABLE child (id " + id +
           ", parent_id BIGINT, note VARCHAR(50), FOREIGN KEY (parent_id) REFERENCES parent (id))";
  }
  // The id the application's next insert into `table` gets (inserted, then deleted).
  static std::string NextId(Target& target, const std::string& table, const std::string& values) {
    target.Exec("INSERT INTO " + table + " (name) VALUES (" + values + ")");
    Rows id = target.Query("SELECT max(id) FROM " + table);
    target.Exec("DELETE FROM " + table + " WHERE id = " + (id.empty() ? "0" : id[0]));
    return id.empty() ? "" : id[0];
  }
  // A table as SinkOptions::merged_tables names it (QualifiedName of the target's schema).
  static std::string Qualified(const std::string& table) { return postgres() ? "public." + table : table; }

  const Rows parents_ = {"1|one", "2|two"};
  const Rows children_ = {"10|1|a", "11|2|b", "12|2|c"};

  TempDir dir_;
  std::string source_;
};

// (a) A non-empty target is refused with FailedPrecondition, one message
// shape, and left exactly as it was.
TEST_P(SinkConformance, RefusesNonEmptyTargetUntouched) {
  auto target = NewTarget();
  target->Exec("CREATE TABLE keep (k INT); INSERT INTO keep VALUES (9); CREATE VIEW keep_v AS SELECT k FROM keep");
  std::string before = target->Snapshot();
  Status st = Load(*target, {});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  std::string listing = postgres() ? "table public.keep, view public.keep_v" : "1 table (keep), 1 view (keep_v)";
  EXPECT_EQ(st.message(), "target " + Describe(*target) + " is not empty: " + listing +
                              "; use --clean to replace them or --append to add rows");
  EXPECT_EQ(target->Snapshot(), before);
}

// (b) --clean replaces what decant creates; an unrelated table keeps its rows.
TEST_P(SinkConformance, CleanReplacesOnlyWhatItCreates) {
  auto target = NewTarget();
  target->Exec(
      "CREATE TABLE keep (k INT); INSERT INTO keep VALUES (9);"
      "CREATE TABLE parent (other VARCHAR(10)); INSERT INTO parent VALUES ('old')");
  Status st = Load(*target, {LoadMode::kClean});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), parents_);
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
  EXPECT_EQ(target->Query("SELECT k FROM keep"), Rows{"9"});
  EXPECT_EQ(target->Tables(), (Rows{"child", "keep", "parent"}));
}

// (c) --append adds rows to the tables there and creates the missing ones.
TEST_P(SinkConformance, AppendAddsRowsAndCreatesMissingTables) {
  auto target = NewTarget();
  target->Exec(
      "CREATE TABLE parent (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL);"
      "INSERT INTO parent VALUES (100, 'hundred')");
  Status st = Load(*target, {LoadMode::kAppend});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), (Rows{"1|one", "2|two", "100|hundred"}));
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
}

// (d) --data-only loads into existing empty tables and creates nothing ...
TEST_P(SinkConformance, DataOnlyLoadsIntoEmptyTables) {
  auto target = NewTarget();
  target->Exec(kAppTables);
  Status st = Load(*target, {LoadMode::kRefuseNonEmpty, true});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), parents_);
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
  EXPECT_EQ(target->Tables(), (Rows{"child", "parent"}));
}

// ... and refuses a table that holds rows, untouched, unless --append.
TEST_P(SinkConformance, DataOnlyRefusesNonEmptyTableUnlessAppend) {
  auto target = NewTarget();
  target->Exec(kAppTables);
  target->Exec("INSERT INTO parent VALUES (100, 'hundred')");
  std::string before = target->Snapshot();
  Status st = Load(*target, {LoadMode::kRefuseNonEmpty, true});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  std::string table = postgres() ? "public.parent" : "parent";
  std::string holds = sqlite() ? "1 row" : "rows";
  EXPECT_EQ(st.message(), "--data-only: table " + table + " in " + Describe(*target) + " already holds " + holds +
                              "; use --append to add to them or --clean to empty them first");
  EXPECT_EQ(target->Snapshot(), before);

  st = Load(*target, {LoadMode::kAppend, true});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), (Rows{"1|one", "2|two", "100|hundred"}));
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
}

// (e) A writer failing mid-load into an empty target: nothing of the load stays
// (SQLite: no file; servers: no table), with one job and with two.
TEST_P(SinkConformance, FailureIntoEmptyTargetLeavesNothing) {
  for (size_t jobs : {1, 2}) {
    SCOPED_TRACE("jobs " + std::to_string(jobs));
    auto target = NewTarget();
    std::string before = target->Snapshot();
    Status st = Load(*target, {}, jobs, "child");
    EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
    EXPECT_THAT(st.message(), HasSubstr("injected writer failure"));
    EXPECT_EQ(target->Tables(), Rows{});
    if (sqlite()) {
      EXPECT_EQ(target->Snapshot(), before);  // no file, no .partial, no journal
    }
  }
}

// (e) A writer failing mid-load with --append: the tables the load created are
// gone; a table that was there keeps its rows (SQLite, PostgreSQL -j1: the
// target exactly as it was) or, where loads commit per table (PostgreSQL -jN,
// MariaDB), gains the source's rows whole, never part of them.
TEST_P(SinkConformance, FailureDuringAppendRollsBack) {
  for (size_t jobs : {1, 2}) {
    SCOPED_TRACE("jobs " + std::to_string(jobs));
    auto target = NewTarget();
    target->Exec(
        "CREATE TABLE parent (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL);"
        "INSERT INTO parent VALUES (100, 'hundred')");
    std::string before = target->Snapshot();
    Status st = Load(*target, {LoadMode::kAppend}, jobs, "child");
    EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
    EXPECT_EQ(target->Tables(), Rows{"parent"});
    Rows parent = target->Query("SELECT id, name FROM parent ORDER BY id");
    if (sqlite() || (postgres() && jobs == 1)) {
      EXPECT_EQ(target->Snapshot(), before);
    } else {
      EXPECT_THAT(parent, ::testing::AnyOf(Rows{"100|hundred"}, Rows{"1|one", "2|two", "100|hundred"}));
    }
  }
}

// (e) A row the target rejects (a duplicate key) with --append and one job:
// SQLite and PostgreSQL keep the target exactly as it was. MariaDB drops the
// table it created; the rejected table keeps the rows the server took (LOAD
// DATA skips the duplicate with a warning, which decant turns into the error).
TEST_P(SinkConformance, RejectedRowRollsBack) {
  auto target = NewTarget();
  target->Exec(
      "CREATE TABLE parent (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL);"
      "INSERT INTO parent VALUES (2, 'mine')");
  std::string before = target->Snapshot();
  Status st = Load(*target, {LoadMode::kAppend});
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("parent"));
  EXPECT_EQ(target->Tables(), Rows{"parent"});
  if (sqlite() || postgres()) {
    EXPECT_EQ(target->Snapshot(), before);
  } else {
    EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), (Rows{"1|one", "2|mine"}));
  }
}

// (e) A writer failing mid-load with --data-only (one job): the tables stay,
// empty (SQLite and PostgreSQL roll back; MariaDB empties them again).
TEST_P(SinkConformance, FailureDuringDataOnlyLeavesTablesEmpty) {
  auto target = NewTarget();
  target->Exec(kAppTables);
  std::string before = target->Snapshot();
  Status st = Load(*target, {LoadMode::kRefuseNonEmpty, true}, 1, "child");
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_EQ(target->Tables(), (Rows{"child", "parent"}));
  EXPECT_EQ(target->Query("SELECT count(*) FROM parent"), Rows{"0"});
  EXPECT_EQ(target->Query("SELECT count(*) FROM child"), Rows{"0"});
  if (sqlite() || postgres()) {
    EXPECT_EQ(target->Snapshot(), before);
  }
}

// (f) --data-only --clean: the tables' rows are deleted first (children first:
// PostgreSQL checks the foreign key as it deletes), the tables, keys and
// counters stay. The next generated id: PostgreSQL's sequence is set to the
// highest loaded id; SQLite's AUTOINCREMENT and MariaDB's AUTO_INCREMENT
// counters never go back, so the next id stays past the deleted ones.
TEST_P(SinkConformance, DataOnlyCleanEmptiesTheTablesFirst) {
  auto target = NewTarget();
  target->Exec(AppTablesWithKeys());
  target->Exec(
      "INSERT INTO parent VALUES (5, 'five'), (6, 'six'); INSERT INTO child VALUES (20, 5, 'x'), (21, 6, 'y')");
  Status st = Load(*target, {LoadMode::kClean, true});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), parents_);
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
  EXPECT_EQ(target->Tables(), (Rows{"child", "parent"}));
  EXPECT_EQ(NextId(*target, "parent", "'new'"), postgres() ? "3" : "7");
}

// (f) A table the source merges into may hold rows in any mode; --clean
// leaves it as it is and empties the others; its counter still ends past the
// highest id.
TEST_P(SinkConformance, DataOnlyMergedTableKeepsItsRows) {
  auto target = NewTarget();
  target->Exec(AppTablesWithKeys());
  target->Exec("INSERT INTO parent VALUES (100, 'hundred')");
  SinkOptions options{LoadMode::kRefuseNonEmpty, true};
  options.merged_tables = {Qualified("parent")};
  Status st = Load(*target, options);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), (Rows{"1|one", "2|two", "100|hundred"}));
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
  EXPECT_EQ(NextId(*target, "parent", "'new'"), "101");

  // With --clean: child's rows are deleted, parent keeps its own (the test's
  // source is not a merging one and adds its rows again: start over).
  target->Exec(
      "DELETE FROM child; DELETE FROM parent; INSERT INTO parent VALUES (100, 'hundred');"
      "INSERT INTO child VALUES (30, 100, 'z')");
  options.mode = LoadMode::kClean;
  st = Load(*target, options);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), (Rows{"1|one", "2|two", "100|hundred"}));
  EXPECT_EQ(target->Query("SELECT id, parent_id, note FROM child ORDER BY id"), children_);
}

// (f) A writer failing mid-load under --data-only --clean (one job): SQLite
// and PostgreSQL delete in the load's transaction, so the rows are as they
// were; MariaDB cannot put them back: the tables are left empty.
TEST_P(SinkConformance, FailureDuringDataOnlyCleanKeepsTheRows) {
  auto target = NewTarget();
  target->Exec(AppTablesWithKeys());
  target->Exec("INSERT INTO parent VALUES (5, 'five'); INSERT INTO child VALUES (20, 5, 'x')");
  std::string before = target->Snapshot();
  Status st = Load(*target, {LoadMode::kClean, true}, 1, "child");
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_EQ(target->Tables(), (Rows{"child", "parent"}));
  if (sqlite() || postgres()) {
    EXPECT_EQ(target->Snapshot(), before);
  } else {
    EXPECT_EQ(target->Query("SELECT count(*) FROM parent"), Rows{"0"});
    EXPECT_EQ(target->Query("SELECT count(*) FROM child"), Rows{"0"});
  }
}

// (f) The same failure with a merged table: SQLite and PostgreSQL as they
// were; MariaDB empties the other tables again but never the merged one,
// which keeps its own rows (and those it gained).
TEST_P(SinkConformance, FailureWithMergedTableKeepsItsRows) {
  auto target = NewTarget();
  target->Exec(AppTablesWithKeys());
  target->Exec("INSERT INTO parent VALUES (100, 'hundred'); INSERT INTO child VALUES (30, 100, 'z')");
  std::string before = target->Snapshot();
  SinkOptions options{LoadMode::kClean, true};
  options.merged_tables = {Qualified("parent")};
  Status st = Load(*target, options, 1, "child");
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  if (sqlite() || postgres()) {
    EXPECT_EQ(target->Snapshot(), before);
  } else {
    EXPECT_EQ(target->Query("SELECT id, name FROM parent ORDER BY id"), (Rows{"1|one", "2|two", "100|hundred"}));
    EXPECT_EQ(target->Query("SELECT count(*) FROM child"), Rows{"0"});
  }
}

// (f) A table outside the load whose foreign key points at rows --clean would
// delete: PostgreSQL refuses the DELETE; MariaDB (loading with
// foreign_key_checks off) is checked before any row is deleted; SQLite
// (foreign keys off while loading) checks before COMMIT for rows the load did
// not bring back. Each: FailedPrecondition naming the table, the target as it
// was.
TEST_P(SinkConformance, DataOnlyCleanRefusesRowsReferredToFromOutside) {
  auto target = NewTarget();
  target->Exec(AppTablesWithKeys());
  target->Exec(
      "CREATE TABLE outside (id BIGINT PRIMARY KEY, parent_id BIGINT, FOREIGN KEY (parent_id) REFERENCES "
      "parent (id)); INSERT INTO parent VALUES (5, 'five'); INSERT INTO outside VALUES (1, 5)");
  std::string before = target->Snapshot();
  Status st = Load(*target, {LoadMode::kClean, true});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr("--clean"));
  EXPECT_THAT(st.message(), HasSubstr("outside"));
  EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
  EXPECT_EQ(target->Snapshot(), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, SinkConformance, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<EngineCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace decant
