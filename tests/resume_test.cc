// Resume after kill -9 (issue 17, points 1 and 2; docs/reliability.md,
// "Resume"), through the decant binary against the real servers: a load in
// parts killed at a deterministic batch (DECANT_TEST_KILL_AFTER_BATCHES,
// SIGKILL: nothing of decant runs after it) leaves its journal; a rerun
// without --resume refuses in one line naming --resume and --clean; --resume
// continues from the committed units and ends with exactly the source's rows
// (decant verify), its keys and indexes, and no journal; a source that cannot
// show it is unchanged needs --not-consistent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::MariadbTestDb;
using testing_util::PgTestDb;
using testing_util::RunDecantBinary;
using testing_util::RunResult;
using testing_util::SqliteExec;
using testing_util::TempDir;

constexpr int kKilled = 137;  // 128 + SIGKILL, as the shell reports it

bool OneLine(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

// A run killed with SIGKILL after the `batches`-th batch written.
RunResult Killed(const std::vector<std::string>& args, int batches) {
  setenv("DECANT_TEST_KILL_AFTER_BATCHES", std::to_string(batches).c_str(), 1);
  RunResult r = RunDecantBinary(args);
  unsetenv("DECANT_TEST_KILL_AFTER_BATCHES");
  return r;
}

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("DECANT_TEST_PG15_URI") == nullptr) GTEST_SKIP() << "no test servers (scripts/servers/)";
    src_ = tmp_.File("src.db");
    // Parents, children with a foreign key, and one table big enough for
    // many batches and, in an archive, several chunks (several units with -j).
    SqliteExec(src_,
               "CREATE TABLE parent(code TEXT PRIMARY KEY, name TEXT NOT NULL);"
               "CREATE TABLE child(cid INTEGER PRIMARY KEY, code TEXT REFERENCES parent(code), note TEXT);"
               "CREATE TABLE big(k TEXT PRIMARY KEY, v INTEGER NOT NULL, pad TEXT);"
               "CREATE INDEX big_v ON big(v);"
               "CREATE VIEW big_even AS SELECT k, v FROM big WHERE v % 2 = 0;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
               "INSERT INTO parent SELECT 'p' || i, 'parent ' || i FROM n;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
               "INSERT INTO child SELECT i, 'p' || (1 + i % 300), 'note ' || i FROM n;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000) "
               "INSERT INTO big SELECT printf('k%08d', i), i, hex(randomblob(24)) FROM n;");
    archive_ = tmp_.File("src.decant");
    RunResult r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", archive_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Kill, refuse without --resume, resume, verify: the whole story on one
  // target. `load` is the command's words before the target (import ARCHIVE
  // or migrate SRC), `extra` the options of every run.
  static void KillThenResume(const std::vector<std::string>& load, const std::string& target,
                             const std::vector<std::string>& extra, int batches, const std::string& verify_source) {
    std::vector<std::string> args = {"-q"};
    args.insert(args.end(), load.begin(), load.end());
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(target);
    RunResult r = Killed(args, batches);
    ASSERT_EQ(r.exit_code, kKilled) << r.err;

    r = RunDecantBinary(args);
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("holds an interrupted decant load"));
    EXPECT_THAT(r.err, HasSubstr("committed"));
    EXPECT_THAT(r.err, HasSubstr("--resume"));
    EXPECT_THAT(r.err, HasSubstr("--clean"));

    std::vector<std::string> resume = args;
    resume.insert(resume.end() - 1, "--resume");
    resume.erase(resume.begin());  // not -q: the summary says it resumed
    r = RunDecantBinary(resume);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out + r.err, HasSubstr("resumed: "));

    r = RunDecantBinary({"verify", verify_source, target});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  TempDir tmp_;
  std::string src_, archive_;
};

TEST_F(ResumeTest, PostgresImportWithJobsKilledThenResumed) {
  PgTestDb db("resume_pg");
  KillThenResume({"import", archive_}, db.uri(), {"-j", "2"}, 14, archive_);
  EXPECT_EQ(db.Sql("SELECT pg_catalog.to_regclass('public.decant_load_journal') IS NULL"), "t");
  EXPECT_EQ(db.Sql("SELECT count(*) FROM pg_catalog.pg_indexes WHERE indexname = 'big_v'"), "1");
  EXPECT_EQ(db.Sql("SELECT count(*) FROM pg_catalog.pg_constraint WHERE contype IN ('p', 'f') AND connamespace = "
                   "'public'::regnamespace"),
            "4");
  EXPECT_EQ(db.Sql("SELECT count(*) FROM big_even"), "75000");
}

TEST_F(ResumeTest, PostgresResumedLoadKilledAgainThenResumed) {
  PgTestDb db("resume_pg2");
  std::vector<std::string> args = {"-q", "import", "-j", "2", archive_, db.uri()};
  ASSERT_EQ(Killed(args, 12).exit_code, kKilled);
  std::vector<std::string> resume = {"-q", "import", "--resume", "-j", "2", archive_, db.uri()};
  RunResult r = Killed(resume, 4);
  ASSERT_EQ(r.exit_code, kKilled) << r.err;
  r = RunDecantBinary(resume);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ResumeTest, MariadbMigrateFromSqliteKilledThenResumed) {
  MariadbTestDb db("resume_my");
  // MariaDB commits DDL at once: every load is in parts, one job included.
  KillThenResume({"migrate", "sqlite://" + src_}, db.uri(), {}, 10, "sqlite://" + src_);
  EXPECT_EQ(db.Sql("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                   "TABLE_NAME = 'decant_load_journal'"),
            "0");
  EXPECT_EQ(db.Sql("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                   "INDEX_NAME = 'big_v'"),
            "1");
}

TEST_F(ResumeTest, MariadbTableWithPartOfAUnitIsEmptiedAndLoadedAgain) {
  // MariaDB commits every 8 MiB statement: a unit killed half way has rows
  // in the target but no count in the journal. Enough rows that some
  // statements surely committed before the kill: the loader runs at most
  // three statements (about 450,000 of these rows) behind the reader.
  std::string wide = tmp_.File("wide.db");
  SqliteExec(wide,
             "CREATE TABLE wide(id INTEGER PRIMARY KEY, pad TEXT NOT NULL);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) "
             "INSERT INTO wide SELECT i, hex(randomblob(24)) FROM n;");
  MariadbTestDb db("resume_part");
  std::vector<std::string> args = {"-q", "migrate", "sqlite://" + wide, db.uri()};
  ASSERT_EQ(Killed(args, 115).exit_code, kKilled);
  EXPECT_NE(db.Sql("SELECT COUNT(*) FROM wide"), "0");
  EXPECT_EQ(db.Sql("SELECT COUNT(*) FROM decant_load_journal WHERE unit_id = 0 AND done_rows IS NULL"), "1");
  args.insert(args.end() - 1, "--resume");
  RunResult r = RunDecantBinary(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.Sql("SELECT COUNT(*) FROM wide"), "1000000");
  r = RunDecantBinary({"verify", "sqlite://" + wide, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ResumeTest, ChangedSqliteSourceNeedsNotConsistent) {
  PgTestDb db("resume_changed");
  std::vector<std::string> args = {"-q", "migrate", "-j", "2", "sqlite://" + src_, db.uri()};
  ASSERT_EQ(Killed(args, 12).exit_code, kKilled);
  SqliteExec(src_, "INSERT INTO parent VALUES ('late', 'added after the kill');");
  RunResult r = RunDecantBinary({"-q", "migrate", "--resume", "-j", "2", "sqlite://" + src_, db.uri()});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("changed since"));
  EXPECT_THAT(r.err, HasSubstr("--not-consistent"));
  EXPECT_THAT(r.err, HasSubstr("partly written"));
  r = RunDecantBinary({"-q", "migrate", "--resume", "--not-consistent", "-j", "2", "sqlite://" + src_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.Sql("SELECT count(*) FROM big"), "150000");
}

TEST_F(ResumeTest, LiveDatabaseSourceNeedsNotConsistent) {
  PgTestDb source("resume_live_src");
  RunResult r = RunDecantBinary({"-q", "import", archive_, source.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  MariadbTestDb db("resume_live");
  std::vector<std::string> args = {"-q", "migrate", source.uri(), db.uri()};
  ASSERT_EQ(Killed(args, 10).exit_code, kKilled);
  r = RunDecantBinary({"-q", "migrate", "--resume", source.uri(), db.uri()});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("snapshot that ended with it"));
  EXPECT_THAT(r.err, HasSubstr("--not-consistent"));
  r = RunDecantBinary({"-q", "migrate", "--resume", "--not-consistent", source.uri(), db.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", source.uri(), db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ResumeTest, ExportKilledThenResumedInItsPartialDirectory) {
  std::string out = tmp_.File("out.dir");
  std::vector<std::string> args = {"-q", "export", "--directory", "-j", "2", "sqlite://" + src_, "-o", out};
  ASSERT_EQ(Killed(args, 12).exit_code, kKilled);
  EXPECT_FALSE(std::filesystem::exists(out));
  ASSERT_TRUE(std::filesystem::exists(out + ".partial/journal.jsonl"));
  RunResult r = RunDecantBinary({"export", "--directory", "--resume", "-j", "2", "sqlite://" + src_, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out + r.err, HasSubstr("resumed: "));
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(out + "/journal.jsonl"));  // never part of the archive
  r = RunDecantBinary({"inspect", "--check", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", "sqlite://" + src_, out});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // Without --resume an interrupted export starts over, and says so.
  std::string again = tmp_.File("again.dir");
  ASSERT_EQ(Killed({"-q", "export", "--directory", "sqlite://" + src_, "-o", again}, 10).exit_code, kKilled);
  r = RunDecantBinary({"export", "--directory", "sqlite://" + src_, "-o", again});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("held an interrupted export; starting over"));
  // A single file cannot resume.
  r = RunDecantBinary({"-q", "export", "--resume", "sqlite://" + src_, "-o", tmp_.File("one.decant")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(ResumeTest, RestoreResumesTheDatabaseItStoppedInAndSkipsTheOnesItFinished) {
  // A dump of two databases, written by hand (docs/archive-format.md, "Dump
  // index"): a small one first, then the big archive.
  std::string small_db = tmp_.File("small.db");
  SqliteExec(small_db,
             "CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO note VALUES (1, 'a'), (2, 'b');");
  std::string dump = tmp_.File("nightly");
  std::filesystem::create_directories(dump);
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + small_db, "-o", dump + "/0001.decant"}).exit_code, 0);
  std::filesystem::copy_file(archive_, dump + "/0002.decant");
  PgTestDb first("resume_rs1"), second("resume_rs2");
  testing_util::WriteFile(
      dump + "/dump.json",
      "{\"format\": \"decant-server-dump\", \"format_version\": \"1.0\", \"databases\": [{\"name\": \"" + first.name() +
          "\", \"archive\": \"0001.decant\"}, {\"name\": \"" + second.name() + "\", \"archive\": \"0002.decant\"}]}\n");
  std::string server = first.uri().substr(0, first.uri().rfind('/'));
  ASSERT_EQ(Killed({"-q", "restore", "-j", "2", dump, server}, 12).exit_code, kKilled);
  EXPECT_EQ(first.Sql("SELECT count(*) FROM note"), "2");
  EXPECT_EQ(second.Sql("SELECT pg_catalog.to_regclass('public.decant_load_journal') IS NOT NULL"), "t");
  RunResult r = RunDecantBinary({"restore", "--resume", "-j", "2", dump, server});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out + r.err, HasSubstr("database " + first.name() + ": already restored (verified)"));
  r = RunDecantBinary({"verify", archive_, second.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunDecantBinary({"verify", dump + "/0001.decant", first.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ResumeTest, PostgresInterruptedLoadInPartsLeavesNothingOfItsOwn) {
  // A standalone sequence (a DEFAULT nextval, as Roundcube's schema has) is
  // committed with the tables of a load in parts: Ctrl-C must take it too,
  // or a rerun finds the target not empty.
  PgTestDb source("resume_seq_src");
  source.Sql(
      "CREATE SEQUENCE s_seq; CREATE TABLE t (id int DEFAULT nextval('s_seq') PRIMARY KEY, pad text);"
      "INSERT INTO t (pad) SELECT repeat('x', 50) FROM generate_series(1, 100000);");
  std::string archive = tmp_.File("seq.decant");
  ASSERT_EQ(RunDecantBinary({"-q", "export", source.uri(), "-o", archive}).exit_code, 0);
  PgTestDb db("resume_seq");
  setenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES", "3", 1);
  RunResult r = RunDecantBinary({"-q", "import", "-j", "2", archive, db.uri()});
  unsetenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES");
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_EQ(db.Sql("SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE n.nspname = 'public'"),
            "0");
  r = RunDecantBinary({"-q", "import", "-j", "2", archive, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ResumeTest, ResumeOnAnEmptyTargetLoadsFromTheStart) {
  PgTestDb db("resume_empty");
  RunResult r = RunDecantBinary({"import", "--resume", "-j", "2", archive_, db.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("resumed: ")));
  EXPECT_EQ(db.Sql("SELECT count(*) FROM big"), "150000");
  // Again: the load had finished (as when a kill comes after its end): nothing to resume.
  r = RunDecantBinary({"import", "--resume", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out + r.err, HasSubstr("nothing to resume: "));
  // A target that holds something else is refused as ever, and says there is nothing to resume.
  db.Sql("DELETE FROM child WHERE cid = 1");
  r = RunDecantBinary({"-q", "import", "--resume", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("holds no interrupted decant load to resume"));
}

TEST_F(ResumeTest, CleanStartsOverAndOptionsThatDoNotGoTogether) {
  PgTestDb db("resume_clean");
  std::vector<std::string> args = {"-q", "import", "-j", "2", archive_, db.uri()};
  ASSERT_EQ(Killed(args, 12).exit_code, kKilled);
  RunResult r = RunDecantBinary({"-q", "import", "--clean", "-j", "2", archive_, db.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.Sql("SELECT pg_catalog.to_regclass('public.decant_load_journal') IS NULL"), "t");
  r = RunDecantBinary({"verify", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"import", "--resume", "--data-only", archive_, db.uri()},
           {"import", "--resume", "--upsert", archive_, db.uri()},
           {"import", "--not-consistent", archive_, db.uri()},
       }) {
    r = RunDecantBinary(bad);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
  }
}

}  // namespace
}  // namespace decant
