// Safe defaults, as gzip and pg_dump behave (issue 16, point 5; docs/cli.md,
// "Safe defaults"), through the decant binary: an existing output is refused
// unless --force, which replaces it only once the new output is complete; a
// binary archive is not written to a terminal; Ctrl-C ends a wait on stdin;
// SIGPIPE ends a run as one documented behaviour; --clean on PostgreSQL
// never drops what it does not create; a missing database is exit 6 on every
// server engine.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <thread>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing_util::ReadFile;
using testing_util::RunDecantBinary;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::SqliteDump;
using testing_util::SqliteExec;
using testing_util::TempDir;
using testing_util::WriteFile;

std::string Binary() {
  const char* bin = std::getenv("DECANT_BINARY");
  return bin ? bin : DECANT_SAFE_DEFAULTS_BINARY;
}

// Exactly one line of error text.
bool OneLine(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

struct PtyResult {
  int exit_code = -1;  // -1: did not exit within the time allowed (then killed)
  std::string out;     // what the terminal showed (stdout and stderr)
};

// Runs decant with `args` on a new pseudo-terminal (its stdin, stdout and
// stderr, and its controlling terminal), calls `interact` with the master
// side once it runs, then reads what it writes until it exits (at most 20 s).
PtyResult RunOnTerminal(const std::vector<std::string>& args, const std::function<void(int)>& interact = nullptr) {
  PtyResult r;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) {
    ADD_FAILURE() << "forkpty failed";
    return r;
  }
  if (pid == 0) {
    std::string bin = Binary();
    std::vector<char*> argv{bin.data()};
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  if (interact) interact(master);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  bool exited = false;
  char buf[4096];
  bool closed = false;  // the terminal's other side is gone: EIO
  while (std::chrono::steady_clock::now() < deadline && !(exited && closed)) {
    pollfd p{master, POLLIN, 0};
    if (!closed && poll(&p, 1, 50) > 0) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) r.out.append(buf, static_cast<size_t>(n));
      if (n <= 0) closed = true;
    } else if (closed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = true;
    if (exited && poll(&p, 1, 0) <= 0) closed = true;
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else {
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  close(master);
  return r;
}

class SafeDefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = tmp_.File("s16_src.db");
    SqliteExec(src_,
               "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
               "CREATE TABLE album (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist(id), title TEXT);"
               "CREATE VIEW album_titles AS SELECT title FROM album;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300)"
               "  INSERT INTO artist(name) SELECT 'artist ' || i FROM n;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 30000)"
               "  INSERT INTO album(artist_id, title) SELECT 1 + i % 300, hex(randomblob(24)) FROM n;");
    archive_ = tmp_.File("s16_src.decant");
    auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", archive_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir tmp_;
  std::string src_;
  std::string archive_;
};

// Today's trap: a SQLite database given as -o was silently replaced by the archive.
TEST_F(SafeDefaultsTest, ExportRefusesAnExistingFileUnlessForce) {
  std::string victim = tmp_.File("s16_victim.db");
  SqliteExec(victim, "CREATE TABLE precious (x); INSERT INTO precious VALUES ('keep me');");
  std::string before = SqliteDump(victim);
  auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", victim});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_EQ(r.err, "decant: error: " + victim +
                       " already exists; give --force to replace it once the new output is complete\n");
  EXPECT_EQ(SqliteDump(victim), before);

  // --force: replaced once the new archive is complete; a run that fails
  // first (here Ctrl-C after one batch) leaves the old file as it was.
  setenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES", "1", 1);
  r = RunDecantBinary({"-q", "export", "--force", "sqlite://" + src_, "-o", victim});
  unsetenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES");
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_EQ(SqliteDump(victim), before);
  EXPECT_FALSE(std::filesystem::exists(victim + ".partial"));

  r = RunDecantBinary({"-q", "export", "--force", "sqlite://" + src_, "-o", victim});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(victim + ".partial"));
  r = RunDecantBinary({"verify", "sqlite://" + src_, victim});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // migrate --format and other formats follow the same rule.
  std::string rdb = tmp_.File("s16_dump.tar.gz");
  WriteFile(rdb, "not mine");
  r = RunDecantBinary({"-q", "migrate", "sqlite://" + src_, rdb, "--format", "rethinkdb"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_EQ(ReadFile(rdb), "not mine");
  r = RunDecantBinary({"-q", "migrate", "--force", "sqlite://" + src_, rdb, "--format", "rethinkdb"});
  EXPECT_EQ(r.exit_code, 9) << r.err;  // complete; the view is not carried to RethinkDB
  EXPECT_NE(ReadFile(rdb), "not mine");
  r = RunDecantBinary({"-q", "migrate", "--force", "sqlite://" + src_, "sqlite://" + tmp_.File("s16_new.db")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--clean"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("s16_new.db")));

  // dump refuses before it connects to anything.
  std::string dir = tmp_.File("s16_dumpdir");
  std::filesystem::create_directory(dir);
  r = RunDecantBinary({"-q", "dump", "postgresql://nobody@127.0.0.1:1/x", "-o", dir});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--force"));
}

TEST_F(SafeDefaultsTest, ForceReplacesOnlyArchiveDirectories) {
  std::string dir = tmp_.File("s16_archive.d");
  auto r = RunDecantBinary({"-q", "export", "--directory", "sqlite://" + src_, "-o", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WriteFile(dir + "/stale-marker", "x");
  r = RunDecantBinary({"-q", "export", "--directory", "sqlite://" + src_, "-o", dir});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  r = RunDecantBinary({"-q", "export", "--directory", "--force", "sqlite://" + src_, "-o", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/stale-marker"));  // the new archive, not a merge
  EXPECT_FALSE(std::filesystem::exists(dir + ".partial"));
  r = RunDecantBinary({"inspect", "--check", dir});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // A directory that is not an archive is never replaced, --force or not.
  std::string home = tmp_.File("s16_home");
  std::filesystem::create_directory(home);
  WriteFile(home + "/notes.txt", "mine");
  for (const std::vector<std::string>& form : {std::vector<std::string>{"--directory"}, std::vector<std::string>{}}) {
    std::vector<std::string> args{"-q", "export", "--force", "sqlite://" + src_, "-o", home};
    args.insert(args.begin() + 2, form.begin(), form.end());
    r = RunDecantBinary(args);
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_EQ(ReadFile(home + "/notes.txt"), "mine");
    EXPECT_FALSE(std::filesystem::exists(home + ".partial"));
  }
}

TEST_F(SafeDefaultsTest, BinaryArchiveIsNotWrittenToATerminal) {
  PtyResult r = RunOnTerminal({"-q", "export", "sqlite://" + src_, "-o", "-"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, StartsWith("decant: error: not writing a binary decant file to a terminal"));
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;  // one line ("\r\n" on a terminal)
  r = RunOnTerminal({"-q", "migrate", "sqlite://" + src_, "-", "--format", "decant"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  // As gzip -f: --force writes it anyway.
  r = RunOnTerminal({"-q", "export", "--force", "sqlite://" + src_, "-o", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.out.size();
}

// decant import - waiting for an archive nobody writes: Ctrl-C ends it.
TEST_F(SafeDefaultsTest, CtrlCEndsAWaitOnStdin) {
  std::string dst = tmp_.File("s16_waiting.db");
  PtyResult r = RunOnTerminal({"import", "-", "sqlite://" + dst}, [](int master) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    char ctrl_c = '\x03';  // the terminal sends SIGINT to decant
    ASSERT_EQ(write(master, &ctrl_c, 1), 1);
  });
  EXPECT_EQ(r.exit_code, 130) << r.out;
  EXPECT_THAT(r.out, HasSubstr("decant: error: interrupted (SIGINT); nothing was left looking complete\r\n"));
  EXPECT_EQ(r.out.find("decant:"), r.out.rfind("decant:")) << r.out;  // one line
  EXPECT_FALSE(std::filesystem::exists(dst));

  // The same with a pipe on stdin that stays open (the writer is slow).
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string err = tmp_.File("s16_err");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[0], 0);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    std::string bin = Binary();
    execl(bin.c_str(), bin.c_str(), "import", "-", ("sqlite://" + dst).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(pid, SIGINT);
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) != pid; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (i == 199) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "decant still waited on stdin 10 s after SIGINT";
    }
  }
  close(fds[1]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
  EXPECT_EQ(ReadFile(err), "decant: error: interrupted (SIGINT); nothing was left looking complete\n");
}

// The reader of stdout goes away: exit 141, nothing printed, the sink aborted
// (here its temporary files removed; the reader holds a truncated stream).
TEST_F(SafeDefaultsTest, SigpipeIsExit141WithNothingLeftBehind) {
  std::string tmpdir = tmp_.File("s16_tmp");
  std::filesystem::create_directory(tmpdir);
  for (std::string format : {"decant", "rethinkdb"}) {
    std::string cmd = "TMPDIR=" + ShellQuote(tmpdir) + " " + ShellQuote(Binary()) + " -q export " +
                      ShellQuote("sqlite://" + src_) + " --format " + format + " -o - 2>" +
                      ShellQuote(tmp_.File("s16_pipe_err")) + " | head -c1 >/dev/null; echo \"exit ${PIPESTATUS[0]}\"";
    auto r = RunShell("bash -c " + ShellQuote(cmd));
    EXPECT_EQ(r.out, "exit 141\n") << format;
    EXPECT_EQ(ReadFile(tmp_.File("s16_pipe_err")), "") << format;
    EXPECT_TRUE(std::filesystem::is_empty(tmpdir)) << format << ": left in " << tmpdir;
  }
  // A report whose reader went away is not a success either.
  std::string cmd = ShellQuote(Binary()) + " schema " + ShellQuote(archive_) + " --dialect postgresql 2>" +
                    ShellQuote(tmp_.File("s16_pipe_err")) + " | (exec 0<&-; exit 0); echo \"exit ${PIPESTATUS[0]}\"";
  auto r = RunShell("bash -c " + ShellQuote(cmd));
  EXPECT_EQ(r.out, "exit 141\n");
  EXPECT_EQ(ReadFile(tmp_.File("s16_pipe_err")), "");
}

TEST_F(SafeDefaultsTest, MissingDatabaseIsExit6OnEveryServerEngine) {
  REQUIRE_PG();
  REQUIRE_MYSQL();
  for (const std::string& uri :
       {testing_util::PgTestUri("decant_x_s16_no_such_db"), testing_util::MysqlTestUri("decant_x_s16_no_such_db")}) {
    auto r = RunDecantBinary({"export", uri, "-o", tmp_.File("s16_x.decant")});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("does not exist"));
  }
}

// Today's trap: DROP ... CASCADE silently removed another schema's view.
TEST_F(SafeDefaultsTest, PostgresCleanNeverDropsWhatItDoesNotCreate) {
  REQUIRE_PG();
  testing_util::PgTestDb db("s16_clean");
  auto r = RunDecantBinary({"-q", "import", archive_, db.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  db.Sql(
      "CREATE SCHEMA s16_other; CREATE VIEW s16_other.long_titles AS SELECT title FROM public.album "
      "WHERE length(title) > 10; CREATE TABLE public.s16_review (album_id integer REFERENCES public.album(id));"
      "INSERT INTO public.s16_review VALUES (1)");
  r = RunDecantBinary({"-q", "import", "--clean", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  std::cout << r.err;  // what a user reads
  EXPECT_THAT(r.err, HasSubstr("view s16_other.long_titles (on table public.album)"));
  EXPECT_THAT(r.err, HasSubstr("on table public.s16_review (on table public.album)"));
  EXPECT_EQ(db.Sql("SELECT count(*) FROM s16_other.long_titles"), "30000");
  EXPECT_EQ(db.Sql("SELECT count(*) FROM public.s16_review"), "1");
  EXPECT_EQ(db.Sql("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.s16_review'::regclass"), "1");

  // Without them, --clean replaces the load's own objects (its view on its
  // table included: no CASCADE needed) and keeps the rest.
  db.Sql("DROP VIEW s16_other.long_titles; DROP TABLE public.s16_review; CREATE TABLE s16_other.keep (x int)");
  r = RunDecantBinary({"-q", "import", "--clean", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.Sql("SELECT count(*) FROM public.album_titles"), "30000");
  EXPECT_EQ(db.Sql("SELECT count(*) FROM s16_other.keep"), "0");
  db.Sql("DROP SCHEMA s16_other CASCADE");
  r = RunDecantBinary({"verify", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// MySQL's DROP never cascades: a view that reads a table --clean replaces is
// kept, and reads the new table once it is loaded.
TEST_F(SafeDefaultsTest, MysqlCleanKeepsViewsOnReplacedTables) {
  REQUIRE_MYSQL();
  testing_util::MariadbTestDb db("s16_clean");
  auto r = RunDecantBinary({"-q", "import", archive_, db.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  db.Sql("CREATE VIEW s16_long_titles AS SELECT title FROM album WHERE length(title) > 10");
  r = RunDecantBinary({"-q", "import", "--clean", archive_, db.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.Sql("SELECT count(*) FROM s16_long_titles"), "30000");
}

}  // namespace
}  // namespace decant
