// View and default translation between the engines (issue 11), end to end on
// the real servers: a view made natively on one engine is migrated with the
// decant binary into the two others, created there, queried, and returns the
// same rows; a view whose query does not translate is named by plan and not
// created; a PostgreSQL date default gives a new row today's date elsewhere.
//
// Sources are made with each engine's own client (sqlite3, psql, mariadb).
// Databases are named tr_<tag>_<pid>_<n> and dropped after.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace decant {
namespace {

using testing_util::ShellQuote;

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::Env;
using testing_util::RunDecantBinary;
using testing_util::RunResult;
using testing_util::TempDir;
using testing_util::WriteFile;

#define REQUIRE_SERVERS()                                                               \
  if (Env("DECANT_TEST_PG15_URI").empty() || Env("DECANT_TEST_MYSQL_URI").empty())      \
  GTEST_SKIP() << "DECANT_TEST_PG15_URI or DECANT_TEST_MYSQL_URI is unset (source the " \
                  "env of scripts/servers/postgresql.sh and mariadb.sh)"

// Runs `cmd`; its stdout and stderr, and EXPECTs exit 0.
std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd.substr(0, 200) << "\n" << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string UniqueName(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "tr_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// Each engine's database, made and queried with its own client; rows come
// back as lines of '|'-separated fields.
class Db {
 public:
  virtual ~Db() = default;
  virtual std::string uri() const = 0;
  virtual std::string Sql(const std::string& sql) const = 0;
};

class PgDb : public Db {
 public:
  explicit PgDb(const std::string& tag) : name_(UniqueName(tag)) {
    Run("postgres",
        "DROP DATABASE IF EXISTS " + name_ + "; CREATE DATABASE " + name_ + " ENCODING 'UTF8' TEMPLATE template0");
  }
  ~PgDb() override { Run("postgres", "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  std::string uri() const override {
    std::string server = Env("DECANT_TEST_PG15_URI");
    return server.substr(0, server.rfind('/') + 1) + name_;
  }
  std::string Sql(const std::string& sql) const override { return Run(name_, sql); }

 private:
  static std::string Run(const std::string& db, const std::string& sql) {
    std::string server = Env("DECANT_TEST_PG15_URI");
    TempDir tmp;
    WriteFile(tmp.File("q.sql"), "SET TIME ZONE 'UTC';\n" + sql);
    return Shell("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + ShellQuote(server.substr(0, server.rfind('/') + 1) + db) +
                 " -f " + ShellQuote(tmp.File("q.sql")));
  }
  std::string name_;
};

class MyDb : public Db {
 public:
  explicit MyDb(const std::string& tag) : name_(UniqueName(tag)) {
    Run("", "DROP DATABASE IF EXISTS " + name_ + "; CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4");
  }
  ~MyDb() override { Run("", "DROP DATABASE IF EXISTS " + name_); }
  std::string uri() const override { return testing_util::MysqlTestUri(name_); }
  std::string Sql(const std::string& sql) const override {
    std::string out = Run(name_, sql);
    for (char& c : out) {
      if (c == '\t') c = '|';
    }
    return out;
  }

 private:
  static std::string Run(const std::string& db, const std::string& sql) {
    TempDir tmp;
    WriteFile(tmp.File("q.sql"), "SET time_zone = '+00:00';\n" + sql);
    std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
    std::string args = defaults.empty() ? "" : "--defaults-file=" + ShellQuote(defaults);
    return Shell("mariadb " + args + " --default-character-set=utf8mb4 -N -B " + db + " < " +
                 ShellQuote(tmp.File("q.sql")));
  }
  std::string name_;
};

class LiteDb : public Db {
 public:
  explicit LiteDb(const std::string& tag) : path_(tmp_.File(UniqueName(tag) + ".db")) {}
  std::string uri() const override { return "sqlite://" + path_; }
  std::string Sql(const std::string& sql) const override {
    TempDir tmp;
    WriteFile(tmp.File("q.sql"), sql);
    return Shell("sqlite3 -batch -noheader -bail " + ShellQuote(path_) + " < " + ShellQuote(tmp.File("q.sql")));
  }

 private:
  TempDir tmp_;
  std::string path_;
};

RunResult Migrate(const Db& from, const Db& to) {
  return RunDecantBinary({"--progress", "none", "migrate", from.uri(), to.uri()});
}
RunResult Plan(const Db& from, const Db& to) { return RunDecantBinary({"plan", from.uri(), to.uri()}); }

// The same query on the source and on the target return the same rows.
void ExpectSameRows(const Db& source, const Db& target, const std::string& query) {
  std::string want = source.Sql(query);
  EXPECT_FALSE(want.empty()) << query;
  EXPECT_EQ(target.Sql(query), want) << query;
}

bool SqliteOrdersAggregates() { return sqlite3_libversion_number() >= 3044000; }

const char* kPeople =
    "CREATE TABLE person (id INT PRIMARY KEY, first_name VARCHAR(20) NOT NULL, last_name VARCHAR(20) NOT NULL, "
    "nick VARCHAR(20), cat INT NOT NULL, born DATE NOT NULL);\n"
    "INSERT INTO person VALUES (1, 'Ada', 'Lovelace', NULL, 1, '1815-12-10'), (2, 'Alan', 'Turing', 'Prof', 2, "
    "'1912-06-23'), (3, 'Grace', 'Hopper', 'Amazing', 1, '1906-12-09'), (4, 'Edsger', 'Dijkstra', NULL, 2, "
    "'1930-05-11'), (5, 'Barbara', 'Liskov', NULL, 1, '1939-11-07');\n";

// MySQL views as SHOW CREATE VIEW prints them (concat(), _utf8mb4' ',
// group_concat(... order by ... separator ...), ifnull, if, year(), LIMIT a, b).
TEST(TranslateTest, MysqlViewsIntoSqliteAndPostgresql) {
  REQUIRE_SERVERS();
  MyDb my("myviews");
  my.Sql(std::string(kPeople) +
         "CREATE VIEW full_names AS SELECT id, CONCAT(first_name, _utf8mb4' ', last_name) AS full_name, "
         "IFNULL(nick, 'none') AS nick, IF(cat > 1, 'big', 'small') AS size, YEAR(born) AS born_year, "
         "MONTH(born) AS born_month FROM person;\n"
         "CREATE VIEW by_cat AS SELECT cat, GROUP_CONCAT(CONCAT(first_name, _utf8mb4' ', last_name) ORDER BY "
         "last_name SEPARATOR ', ') AS names, COUNT(*) AS n FROM person GROUP BY cat;\n"
         "CREATE VIEW page AS SELECT id, CAST(id AS CHAR CHARSET utf8mb4) AS id_text FROM person ORDER BY id LIMIT 1, "
         "2;\n"
         "CREATE VIEW sounds AS SELECT id, SOUNDEX(last_name) AS s FROM person;\n");
  const std::string rows = "SELECT * FROM full_names ORDER BY id;";
  const std::string groups = "SELECT * FROM by_cat ORDER BY cat;";
  const std::string page = "SELECT * FROM page ORDER BY id;";

  PgDb pg("from_my");
  RunResult plan = Plan(my, pg);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("sounds"));
  EXPECT_THAT(plan.out + plan.err, Not(HasSubstr("view by_cat")));
  RunResult r = Migrate(my, pg);
  ASSERT_EQ(r.exit_code, 9) << r.err;  // complete; the views plan named are not carried
  ExpectSameRows(my, pg, rows);
  ExpectSameRows(my, pg, groups);
  ExpectSameRows(my, pg, page);
  EXPECT_EQ(pg.Sql("SELECT count(*) FROM pg_views WHERE viewname = 'sounds'"), "0");

  LiteDb lite("from_my");
  plan = Plan(my, lite);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("sounds"));
  r = Migrate(my, lite);
  ASSERT_EQ(r.exit_code, 9) << r.err;  // complete; the views plan named are not carried
  ExpectSameRows(my, lite, rows);
  ExpectSameRows(my, lite, page);
  if (SqliteOrdersAggregates()) {
    ExpectSameRows(my, lite, groups);
  } else {
    // group_concat(... ORDER BY ...) needs SQLite 3.44: named, not created.
    EXPECT_THAT(plan.out + plan.err, HasSubstr("by_cat"));
    EXPECT_EQ(lite.Sql("SELECT count(*) FROM sqlite_schema WHERE name = 'by_cat'"), "0");
  }
  EXPECT_EQ(lite.Sql("SELECT count(*) FROM sqlite_schema WHERE name = 'sounds'"), "0");
}

// pg_get_viewdef's text: (a || ' '::text) || b, COALESCE(x, 'y'::character
// varying), CASE, EXTRACT, string_agg(... ORDER BY ...), OFFSET/LIMIT, ~~, = ANY (ARRAY[...]).
TEST(TranslateTest, PostgresqlViewsIntoMysqlAndSqlite) {
  REQUIRE_SERVERS();
  PgDb pg("pgviews");
  pg.Sql(std::string(kPeople) +
         "CREATE VIEW full_names AS SELECT id, first_name || ' ' || last_name AS full_name, "
         "COALESCE(nick, 'none') AS nick, CASE WHEN cat > 1 THEN 'big' ELSE 'small' END AS size, "
         "EXTRACT(YEAR FROM born)::int AS born_year, length(last_name) AS len FROM person "
         "WHERE first_name LIKE '%a%' AND cat IN (1, 2);\n"
         "CREATE VIEW by_cat AS SELECT cat, string_agg(first_name, '; ' ORDER BY first_name) AS names FROM person "
         "GROUP BY cat;\n"
         "CREATE VIEW page AS SELECT id FROM person ORDER BY id LIMIT 2 OFFSET 1;\n"
         "CREATE VIEW hashes AS SELECT id, md5(last_name) AS h FROM person;\n");
  const std::string rows = "SELECT id, full_name, nick, size, born_year, len FROM full_names ORDER BY id;";
  const std::string groups = "SELECT cat, names FROM by_cat ORDER BY cat;";
  const std::string page = "SELECT id FROM page ORDER BY id;";

  MyDb my("from_pg");
  RunResult plan = Plan(pg, my);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("hashes"));
  RunResult r = Migrate(pg, my);
  ASSERT_EQ(r.exit_code, 9) << r.err;  // complete; the views plan named are not carried
  ExpectSameRows(pg, my, rows);
  ExpectSameRows(pg, my, groups);
  ExpectSameRows(pg, my, page);
  EXPECT_EQ(my.Sql("SELECT count(*) FROM information_schema.views WHERE table_schema = database() AND table_name = "
                   "'hashes'"),
            "0");

  LiteDb lite("from_pg");
  r = Migrate(pg, lite);
  ASSERT_EQ(r.exit_code, 9) << r.err;  // complete; the views plan named are not carried
  ExpectSameRows(pg, lite, rows);
  ExpectSameRows(pg, lite, page);
  if (SqliteOrdersAggregates()) ExpectSameRows(pg, lite, groups);
}

TEST(TranslateTest, SqliteViewsIntoBothServers) {
  REQUIRE_SERVERS();
  LiteDb lite("liteviews");
  lite.Sql(std::string(kPeople) +
           "CREATE VIEW full_names AS SELECT id, first_name || ' ' || last_name AS full_name, "
           "ifnull(nick, 'none') AS nick, iif(cat > 1, 'big', 'small') AS size, upper(substr(last_name, 1, 3)) AS "
           "abbr FROM person;\n"
           "CREATE VIEW per_cat AS SELECT cat, count(*) AS n, max(born) AS youngest FROM person GROUP BY cat;\n"
           "CREATE VIEW page AS SELECT id FROM person ORDER BY id LIMIT 1, 2;\n");
  const std::string rows = "SELECT * FROM full_names ORDER BY id;";
  const std::string groups = "SELECT * FROM per_cat ORDER BY cat;";
  const std::string page = "SELECT * FROM page ORDER BY id;";
  for (int target = 0; target < 2; ++target) {
    std::unique_ptr<Db> to;
    if (target == 0) {
      to = std::make_unique<PgDb>("from_lite");
    } else {
      to = std::make_unique<MyDb>("from_lite");
    }
    RunResult r = Migrate(lite, *to);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ExpectSameRows(lite, *to, rows);
    ExpectSameRows(lite, *to, groups);
    ExpectSameRows(lite, *to, page);
  }
}

// issue 11: DEFAULT ('now'::text)::date became the text 'now' (SQLite) or
// aborted (MySQL). A new row now gets today's date.
TEST(TranslateTest, PostgresqlDateDefaultGivesTodayElsewhere) {
  REQUIRE_SERVERS();
  PgDb pg("pgdefault");
  pg.Sql(
      "CREATE TABLE t (id int PRIMARY KEY, d date DEFAULT ('now'::text)::date, ts timestamp DEFAULT now(), "
      "s varchar(10) DEFAULT 'it''s'::character varying, n numeric(5,1) DEFAULT '0'::numeric, b boolean DEFAULT "
      "false);");
  MyDb my("pgdefault");
  RunResult r = Migrate(pg, my);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  my.Sql("INSERT INTO t (id) VALUES (1);");
  EXPECT_EQ(my.Sql("SELECT d = CURDATE(), ts IS NOT NULL, s, n, b FROM t;"), "1|1|it's|0.0|0");

  LiteDb lite("pgdefault");
  r = Migrate(pg, lite);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lite.Sql("INSERT INTO t (id) VALUES (1);");
  EXPECT_EQ(lite.Sql("SELECT d = date('now'), typeof(d), ts IS NOT NULL, s, n, b FROM t;"), "1|text|1|it's|0|0");
}

// CHECKs of another engine are recreated when their expression translates,
// and enforced on the target; one that does not translate is named by plan and
// by the summary, and not created (the run completes with exit 9).
TEST(TranslateTest, SqliteChecksIntoBothServers) {
  REQUIRE_SERVERS();
  LiteDb lite("litechecks");
  lite.Sql(
      "CREATE TABLE item (id INTEGER PRIMARY KEY, qty INTEGER CONSTRAINT qty_positive CHECK (qty > 0), "
      "code TEXT CONSTRAINT code_upper CHECK (code = upper(code) AND code <> ''), "
      "kind TEXT CONSTRAINT kind_text CHECK (typeof(kind) = 'text'));\n"
      "INSERT INTO item VALUES (1, 5, 'ABC', 'a');\n");
  for (int target = 0; target < 2; ++target) {
    std::unique_ptr<Db> to;
    if (target == 0) {
      to = std::make_unique<PgDb>("checks");
    } else {
      to = std::make_unique<MyDb>("checks");
    }
    RunResult plan = Plan(lite, *to);
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_THAT(plan.out, HasSubstr("kind_text")) << plan.out;
    EXPECT_THAT(plan.out, Not(HasSubstr("qty_positive"))) << plan.out;
    RunResult r = Migrate(lite, *to);
    ASSERT_EQ(r.exit_code, 9) << r.err;  // complete; kind_text is not carried
    EXPECT_THAT(r.err, HasSubstr("kind_text"));
    if (target == 0) {
      EXPECT_EQ(to->Sql("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'c' "
                        "AND conrelid = 'item'::regclass;"),
                "code_upper,qty_positive");
      std::string out = to->Sql(
          "DO $$ BEGIN INSERT INTO item VALUES (2, 0, 'XYZ', 'b'); EXCEPTION WHEN check_violation "
          "THEN RAISE NOTICE 'refused'; END $$; SELECT count(*) FROM item;");
      EXPECT_THAT(out, HasSubstr("NOTICE:  refused\n1")) << "the CHECK is enforced";
    } else {
      EXPECT_EQ(to->Sql("SELECT GROUP_CONCAT(CONSTRAINT_NAME ORDER BY CONSTRAINT_NAME) FROM "
                        "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE();"),
                "code_upper,qty_positive");
      EXPECT_EQ(to->Sql("DELIMITER //\nBEGIN NOT ATOMIC DECLARE CONTINUE HANDLER FOR SQLSTATE '23000' SELECT "
                        "'refused'; INSERT INTO item VALUES (2, 0, 'XYZ', 'b'); END//\nDELIMITER ;\n"
                        "SELECT COUNT(*) FROM item;"),
                "refused\n1")
          << "the CHECK is enforced";
    }
  }
}

// A sequence an id column calls in its DEFAULT without owning it (roundcube's
// PostgreSQL schema): plan says which column it feeds and what the target's
// counter does instead.
TEST(TranslateTest, PlanNamesTheColumnAFreeSequenceFeeds) {
  REQUIRE_SERVERS();
  PgDb pg("freeseq");
  pg.Sql(
      "CREATE SEQUENCE user_ids; CREATE TABLE users (user_id int DEFAULT nextval('user_ids'::text) PRIMARY KEY);"
      "SELECT setval('user_ids', 40);");
  MyDb my("freeseq");
  RunResult plan = Plan(pg, my);
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("sequence public.user_ids: feeds public.users.user_id (a DEFAULT nextval, not "
                                  "OWNED BY); MySQL continues after the largest id loaded, not after the sequence's "
                                  "40"));
}

// A generated column whose expression is not carried is left out on the
// target, as plan says: no column of NULLs, and verify finds the data equal.
TEST(TranslateTest, GeneratedColumnLeftOutIsNotCreated) {
  REQUIRE_SERVERS();
  MyDb my("gencol");
  my.Sql(
      "CREATE TABLE o (id INT PRIMARY KEY, qty INT, price DECIMAL(8,2), total DECIMAL(10,2) AS (qty * price) "
      "STORED); INSERT INTO o (id, qty, price) VALUES (1, 3, 1.50), (2, 0, NULL);");
  PgDb pg("gencol");
  RunResult plan = Plan(my, pg);
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out,
              HasSubstr("generated column o.total: its expression is not translated; the column is left out"));
  RunResult r = Migrate(my, pg);
  ASSERT_EQ(r.exit_code, 9) << r.err;
  EXPECT_EQ(pg.Sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'o' AND column_name = 'total';"),
            "0");
  RunResult v = RunDecantBinary({"verify", my.uri(), pg.uri()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace decant
