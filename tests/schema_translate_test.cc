// Schema-level translations between engines, through the decant binary and
// the real servers (DECANT_TEST_PG15_URI, DECANT_TEST_MYSQL_URI): index and
// constraint names made unique per target namespace, constraint names kept,
// foreign-key actions the target refuses rewritten, MySQL's ON UPDATE
// CURRENT_TIMESTAMP emulated by triggers, index kinds mapped or named,
// PostgreSQL rules carried to PostgreSQL and named elsewhere. Each test
// asserts what plan says and how the target behaves.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "tests/test_util.h"

namespace decant {
namespace {

using testing_util::MysqlClientArgs;
using testing_util::ShellQuote;

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::Env;
using testing_util::RunDecantBinary;
using testing_util::RunResult;
using testing_util::TempDir;
using testing_util::WriteFile;

// Runs `cmd` in a shell; exit code and stdout+stderr.
std::pair<int, std::string> RunShell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, out};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string UniqueName(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "sx_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

std::string PgUri(const std::string& db) {
  std::string server = Env("DECANT_TEST_PG15_URI");
  return server.substr(0, server.rfind('/') + 1) + db;
}

// psql's unaligned, tuples-only output; `ok` false expects an error.
std::string Psql(const std::string& db, const std::string& sql, bool ok = true) {
  TempDir tmp;
  WriteFile(tmp.File("q.sql"), sql);
  auto [code, out] = RunShell("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + ShellQuote(PgUri(db)) + " -f " +
                              ShellQuote(tmp.File("q.sql")));
  if (ok) {
    EXPECT_EQ(code, 0) << "psql failed: " << out << "\n" << sql;
  } else {
    EXPECT_NE(code, 0) << "psql succeeded: " << sql;
  }
  return out;
}

class PgDb {
 public:
  explicit PgDb(const std::string& tag) : name_(UniqueName(tag)) {
    Psql("postgres", "DROP DATABASE IF EXISTS \"" + name_ + "\"; CREATE DATABASE \"" + name_ +
                         "\" ENCODING 'UTF8' TEMPLATE template0");
  }
  ~PgDb() { Psql("postgres", "DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)"); }
  std::string uri() const { return PgUri(name_); }
  std::string Sql(const std::string& sql, bool ok = true) const { return Psql(name_, sql, ok); }

 private:
  std::string name_;
};

std::string Mysql(const std::string& db, const std::string& sql, bool ok = true) {
  TempDir tmp;
  WriteFile(tmp.File("q.sql"), "SET time_zone = '+00:00';\n" + sql);
  auto [code, out] = RunShell("mariadb " + MysqlClientArgs() + " --default-character-set=utf8mb4 -N -B " +
                              (db.empty() ? "" : ShellQuote(db)) + " < " + ShellQuote(tmp.File("q.sql")));
  if (ok) {
    EXPECT_EQ(code, 0) << "mariadb failed: " << out << "\n" << sql;
  } else {
    EXPECT_NE(code, 0) << "mariadb succeeded: " << sql;
  }
  return out;
}

class MyDb {
 public:
  explicit MyDb(const std::string& tag) : name_(UniqueName(tag)) {
    Mysql("", "DROP DATABASE IF EXISTS `" + name_ + "`; CREATE DATABASE `" + name_ +
                  "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  }
  ~MyDb() { Mysql("", "DROP DATABASE IF EXISTS `" + name_ + "`"); }
  std::string uri() const { return testing_util::MysqlTestUri(name_); }
  std::string Sql(const std::string& sql, bool ok = true) const { return Mysql(name_, sql, ok); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// sqlite3's output of `sql` on the file at `path` (rows joined by '\n',
// columns by '|'); `ok` false expects an error.
std::string Sqlite(const std::string& path, const std::string& sql, bool ok = true) {
  auto [code, out] = RunShell("sqlite3 -batch " + ShellQuote(path) + " " + ShellQuote(sql));
  if (ok) {
    EXPECT_EQ(code, 0) << "sqlite3 failed: " << out << "\n" << sql;
  } else {
    EXPECT_NE(code, 0) << "sqlite3 succeeded: " << sql;
  }
  return out;
}

RunResult Decant(const std::vector<std::string>& args) { return RunDecantBinary(args); }

// The schema every MySQL test starts from: the two tables with the
// same index name, a named unique key on both, a foreign key with ON DELETE
// SET NULL on a NOT NULL column (refused by MySQL itself, so made through a
// nullable column here; see PgSetNullOnNotNullIntoMysql), an ON UPDATE
// column and a FULLTEXT index.
const char* kMysqlSchema =
    "CREATE TABLE a (id INT PRIMARY KEY, x INT, email VARCHAR(50), UNIQUE KEY u_email (email), KEY k_x (x));\n"
    "CREATE TABLE b (id INT PRIMARY KEY, x INT, email VARCHAR(50), UNIQUE KEY u_email (email), KEY k_x (x),\n"
    "  a_id INT NOT NULL, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE);\n"
    "CREATE TABLE doc (id INT PRIMARY KEY, title VARCHAR(100), body TEXT, n INT,\n"
    "  changed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
    "  FULLTEXT KEY ft_doc (title, body));\n"
    "INSERT INTO a VALUES (1, 1, 'a@x'), (2, 2, 'b@x');\n"
    "INSERT INTO b VALUES (1, 1, 'a@x', 1), (2, 2, 'b@x', 2);\n"
    "INSERT INTO doc VALUES (1, 'hello', 'big world', 0, '2001-02-03 04:05:06');\n";

TEST(SchemaTranslateTest, MysqlIntoPostgresql) {
  REQUIRE_PG();
  REQUIRE_MYSQL();
  MyDb src("my2pg");
  src.Sql(kMysqlSchema);
  PgDb dst("my2pg");
  RunResult plan = Decant({"plan", src.uri(), dst.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("index k_x on b: renamed b_k_x (index names are unique per schema on PostgreSQL"));
  EXPECT_THAT(plan.out, HasSubstr("unique key u_email on b: renamed b_u_email"));
  EXPECT_THAT(plan.out, HasSubstr("index ft_doc on doc: a FULLTEXT index becomes a GIN index on to_tsvector"));
  EXPECT_THAT(plan.out, HasSubstr("table doc: changed ON UPDATE current_timestamp() emulated by a trigger:"));
  EXPECT_THAT(plan.out, HasSubstr("CREATE TRIGGER \"doc_on_update\" BEFORE UPDATE"));

  RunResult run = Decant({"migrate", src.uri(), dst.uri()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Both indexes, under plan's names; the constraint names kept.
  EXPECT_EQ(dst.Sql("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename IN "
                    "('a', 'b') AND indexname NOT LIKE '%pkey'"),
            "b_k_x,b_u_email,fk_b_a,k_x,u_email");  // MySQL's index behind the foreign key too
  EXPECT_EQ(dst.Sql("SELECT conname FROM pg_constraint WHERE contype = 'f'"), "fk_b_a");
  EXPECT_EQ(dst.Sql("SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE relname = 'ft_doc'"),
            "gin");
  // The GIN index answers a text search; the foreign key enforces.
  EXPECT_EQ(dst.Sql("SET enable_seqscan = off; SELECT id FROM doc WHERE to_tsvector('simple'::regconfig, "
                    "coalesce(title::text, '') || ' ' || coalesce(body::text, '')) @@ 'world'::tsquery"),
            "1");
  dst.Sql("INSERT INTO b VALUES (3, 3, 'c@x', 99)", false);
  dst.Sql("DELETE FROM a WHERE id = 2");
  EXPECT_EQ(dst.Sql("SELECT count(*) FROM b"), "1");
  // ON UPDATE: an UPDATE of another column bumps it, one that sets it does not.
  dst.Sql("UPDATE doc SET n = 1");
  EXPECT_EQ(dst.Sql("SELECT changed > '2020-01-01' FROM doc"), "t");
  dst.Sql("UPDATE doc SET n = 2, changed = '1999-01-01 00:00:00+00'");
  EXPECT_EQ(dst.Sql("SELECT changed < '2000-01-01' FROM doc"), "t");
}

TEST(SchemaTranslateTest, MysqlIntoSqlite) {
  REQUIRE_MYSQL();
  MyDb src("my2lite");
  src.Sql(kMysqlSchema);
  TempDir tmp;
  std::string db = tmp.File("sx_target.db");
  RunResult plan = Decant({"plan", src.uri(), "sqlite://" + db});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("index k_x on b: renamed b_k_x (index names are unique per schema on SQLite)"));
  EXPECT_THAT(plan.out, HasSubstr("index ft_doc on doc: a FULLTEXT index; SQLite has no equivalent"));
  EXPECT_THAT(plan.out, HasSubstr("CREATE TRIGGER \"doc_changed_on_update\" AFTER UPDATE"));
  RunResult run = Decant({"migrate", src.uri(), "sqlite://" + db});
  ASSERT_EQ(run.exit_code, 9) << run.err;  // complete; plan named what is not carried
  EXPECT_EQ(Sqlite(db,
                   "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index' "
                   "AND name NOT LIKE 'sqlite_%' ORDER BY name)"),
            "b_k_x,fk_b_a,k_x");
  EXPECT_THAT(Sqlite(db, "SELECT sql FROM sqlite_master WHERE name = 'b'"), HasSubstr("CONSTRAINT \"fk_b_a\""));
  Sqlite(db, "PRAGMA foreign_keys = ON; INSERT INTO b VALUES (3, 3, 'c@x', 99)", false);
  Sqlite(db, "UPDATE doc SET n = 1");
  EXPECT_EQ(Sqlite(db, "SELECT changed > '2020-01-01' FROM doc"), "1");
  Sqlite(db, "UPDATE doc SET n = 2, changed = '1999-01-01 00:00:00'");
  EXPECT_EQ(Sqlite(db, "SELECT changed FROM doc"), "1999-01-01 00:00:00");
}

TEST(SchemaTranslateTest, MysqlOnUpdateThroughArchiveBackToMysql) {
  REQUIRE_MYSQL();
  MyDb src("my_arch");
  src.Sql(kMysqlSchema);
  TempDir tmp;
  RunResult exp = Decant({"export", src.uri(), "-o", tmp.File("sx.decant")});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  // The archive keeps the clause; the SQLite DDL printed from it emulates it.
  RunResult ddl = Decant({"schema", "--dialect", "sqlite", tmp.File("sx.decant")});
  ASSERT_EQ(ddl.exit_code, 0) << ddl.err;
  EXPECT_THAT(ddl.out, HasSubstr("doc_changed_on_update"));
  MyDb dst("my_arch_back");
  RunResult imp = Decant({"import", tmp.File("sx.decant"), dst.uri()});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(dst.Sql("SELECT EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                    "TABLE_NAME = 'doc' AND COLUMN_NAME = 'changed'"),
            "on update current_timestamp()");
}

TEST(SchemaTranslateTest, PostgresqlIntoMysql) {
  REQUIRE_PG();
  REQUIRE_MYSQL();
  PgDb src("pg2my");
  src.Sql(
      "CREATE TABLE p (id int PRIMARY KEY, tags text[]);\n"
      "CREATE TABLE c (id int PRIMARY KEY, p_id int NOT NULL, q_id int,\n"
      "  CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE SET NULL,\n"
      "  CONSTRAINT c_q FOREIGN KEY (q_id) REFERENCES p (id) MATCH FULL ON UPDATE SET DEFAULT DEFERRABLE);\n"
      "CREATE TABLE d (id int PRIMARY KEY, p_id int, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id));\n"
      "CREATE INDEX p_tags ON p USING gin (tags);\n"
      "INSERT INTO p VALUES (1, '{a}'), (2, '{b}'); INSERT INTO c VALUES (1, 1, 1); INSERT INTO d VALUES (1, 2);\n");
  MyDb dst("pg2my");
  RunResult plan = Decant({"plan", src.uri(), dst.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("foreign key c_p on public.c (p_id): ON DELETE SET NULL becomes NO ACTION"));
  EXPECT_THAT(plan.out, HasSubstr("foreign key c_q on public.c (q_id): ON UPDATE SET DEFAULT becomes NO ACTION"));
  EXPECT_THAT(plan.out, HasSubstr("c_q on public.c (q_id): MATCH FULL is dropped"));
  EXPECT_THAT(plan.out, HasSubstr("c_q on public.c (q_id): DEFERRABLE is dropped"));
  EXPECT_THAT(plan.out, HasSubstr("foreign key c_p on public.d: renamed d_c_p (foreign-key names are unique per "
                                  "database on MySQL"));
  EXPECT_THAT(plan.out, HasSubstr("index p_tags on public.p: a GIN index; MySQL has no equivalent"));
  RunResult run = Decant({"migrate", src.uri(), dst.uri()});
  ASSERT_EQ(run.exit_code, 9) << run.err;  // complete; plan named what is not carried
  EXPECT_EQ(dst.Sql("SELECT GROUP_CONCAT(CONSTRAINT_NAME ORDER BY CONSTRAINT_NAME) FROM "
                    "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"),
            "c_p,c_q,d_c_p");
  dst.Sql("DELETE FROM p WHERE id = 1", false);  // NO ACTION: still referenced
  dst.Sql("INSERT INTO c VALUES (2, 99, NULL)", false);
  EXPECT_EQ(dst.Sql("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                    "INDEX_NAME = 'p_tags'"),
            "0");
}

TEST(SchemaTranslateTest, SqliteForeignKeyReferencesIntoMysql) {
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string db = tmp.File("sx_fk.db");
  testing_util::SqliteExec(db,
                           "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
                           "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p, q INT REFERENCES nowhere);\n"
                           "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1, NULL);\n");
  MyDb dst("lite2my_fk");
  RunResult plan = Decant({"plan", "sqlite://" + db, dst.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("foreign key on c (q) references nowhere: table nowhere does not exist; MySQL "
                                  "refuses it"));
  RunResult run = Decant({"migrate", "sqlite://" + db, dst.uri()});
  ASSERT_EQ(run.exit_code, 9) << run.err;  // complete; plan named what is not carried
  EXPECT_EQ(dst.Sql("SELECT CONCAT(COLUMN_NAME, '->', REFERENCED_TABLE_NAME, '.', REFERENCED_COLUMN_NAME) FROM "
                    "information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME "
                    "IS NOT NULL"),
            "p_id->p.id");
  dst.Sql("INSERT INTO c VALUES (2, 99, NULL)", false);
}

TEST(SchemaTranslateTest, PostgresqlRules) {
  REQUIRE_PG();
  PgDb src("rules");
  src.Sql(
      "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE log (id int, v text);\n"
      "CREATE VIEW tv AS SELECT * FROM t;\n"
      "CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id, NEW.v);\n"
      "CREATE TABLE child (extra int) INHERITS (log);\n"
      "INSERT INTO t VALUES (1, 'one');\n");
  PgDb dst("rules_dst");
  RunResult run = Decant({"migrate", src.uri(), dst.uri()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(dst.Sql("SELECT rulename FROM pg_rules WHERE schemaname = 'public'"), "r");
  dst.Sql("INSERT INTO t VALUES (2, 'two')");
  EXPECT_EQ(dst.Sql("SELECT string_agg(v, ',' ORDER BY id) FROM log"), "one,two");

  TempDir tmp;
  RunResult plan = Decant({"plan", src.uri(), "sqlite://" + tmp.File("sx_rules.db")});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("rule r on public.t: only postgresql has it"));
  EXPECT_THAT(plan.out, Not(HasSubstr("rule _RETURN")));
  EXPECT_THAT(plan.out, HasSubstr("table public.child: inherits from public.log; on SQLite a plain table"));
}

TEST(SchemaTranslateTest, SqliteLongNamesIntoPostgresql) {
  REQUIRE_PG();
  TempDir tmp;
  std::string db = tmp.File("sx_src.db");
  std::string long_name(70, 'i');
  testing_util::SqliteExec(db,
                           "CREATE TABLE t (id INTEGER PRIMARY KEY, x INT);\n"
                           "CREATE TABLE x_t (id INTEGER PRIMARY KEY, y INT);\n"
                           "CREATE INDEX " +
                               long_name + "_a ON x_t (y);\nCREATE INDEX " + long_name + "_b ON x_t (id, y);\n");
  PgDb dst("lite2pg");
  RunResult plan = Decant({"plan", "sqlite://" + db, dst.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr(": renamed x_t_" + std::string(59, 'i') +
                                  " (index names are unique per schema on PostgreSQL; names are at most 63 bytes)"));
  RunResult run = Decant({"migrate", "sqlite://" + db, dst.uri()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(dst.Sql("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = "
                    "'public' AND indexname NOT LIKE '%pkey'"),
            std::string(63, 'i') + ",x_t_" + std::string(59, 'i'));
}

}  // namespace
}  // namespace decant
