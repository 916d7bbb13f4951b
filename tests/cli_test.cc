// The decant command as a user runs it: exit codes and one-line messages for
// every refusal, piping through stdin/stdout, verify's verdicts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::ReadFile;
using testing_util::RunDecantBinary;
using testing_util::SqliteDump;
using testing_util::SqliteExec;
using testing_util::TempDir;
using testing_util::WriteFile;

// Exactly one line of error text on stderr.
bool OneLine(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = tmp_.File("src.db");
    SqliteExec(src_,
               "CREATE TABLE artist (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);"
               "CREATE TABLE album (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist(id), title TEXT);"
               "CREATE INDEX album_artist ON album(artist_id);"
               "CREATE VIEW v AS SELECT title FROM album;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3000)"
               "  INSERT INTO artist(name) SELECT 'artist ' || i FROM n;"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000)"
               "  INSERT INTO album(artist_id, title) SELECT 1 + i % 3000, hex(randomblob(16)) FROM n;");
    archive_ = tmp_.File("src.decant");
    auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", archive_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir tmp_;
  std::string src_;
  std::string archive_;
};

TEST_F(CliTest, ExportImportVerifyRoundTrip) {
  std::string dst = tmp_.File("dst.db");
  auto r = RunDecantBinary({"--progress", "log", "import", archive_, "sqlite://" + dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("imported 2 tables, 23000 rows"));
  EXPECT_THAT(r.err, HasSubstr("import album: 20000 rows"));  // timestamped progress log lines
  EXPECT_EQ(SqliteDump(src_), SqliteDump(dst));
  r = RunDecantBinary({"verify", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("equal: 2 tables, 23000 rows"));
  r = RunDecantBinary({"verify", "sqlite://" + src_, archive_});  // a database against an archive
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(CliTest, PipesThroughStdoutAndStdin) {
  std::string piped = tmp_.File("piped.decant");
  auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", "-"}, "", piped);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string dst = tmp_.File("from-stdin.db");
  r = RunDecantBinary({"-q", "import", "-", "sqlite://" + dst}, piped);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteDump(src_), SqliteDump(dst));
}

TEST_F(CliTest, VerifyNamesTheTablesThatDiffer) {
  std::string dst = tmp_.File("dst.db");
  ASSERT_EQ(RunDecantBinary({"-q", "import", archive_, "sqlite://" + dst}).exit_code, 0);
  SqliteExec(dst, "UPDATE album SET title = 'changed' WHERE id = 77;");
  auto r = RunDecantBinary({"verify", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("DIFFERENT: 1 of 2 tables differs: album"));
  EXPECT_THAT(r.out, Not(HasSubstr("DIFFERENT: 1 of 2 tables differs: artist")));
  EXPECT_THAT(r.out, HasSubstr("\nalbum: id=77: title '"));  // the differing row, by primary key
  EXPECT_THAT(r.out, HasSubstr("' vs 'changed'\n"));
  SqliteExec(dst, "DELETE FROM artist WHERE id = 5;");
  r = RunDecantBinary({"verify", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("rows 3000 vs 2999"));
  EXPECT_THAT(r.out, HasSubstr("\nartist: id=5 only in A\n"));
}

TEST_F(CliTest, RefusesNonEmptyTargetAndLeavesItAlone) {
  std::string dst = tmp_.File("busy.db");
  SqliteExec(dst, "CREATE TABLE precious (x); INSERT INTO precious VALUES (1); CREATE VIEW pv AS SELECT 1;");
  std::string before = ReadFile(dst);
  auto r = RunDecantBinary({"import", archive_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not empty"));
  EXPECT_THAT(r.err, HasSubstr("precious"));
  EXPECT_THAT(r.err, HasSubstr("--clean"));
  EXPECT_EQ(ReadFile(dst), before);

  r = RunDecantBinary({"-q", "import", "--append", archive_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  SqliteExec(dst, "DROP TABLE precious; DROP VIEW pv;");
  r = RunDecantBinary({"-q", "import", "--clean", archive_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 0) << r.out;  // --clean replaced the appended copy
}

// --data-only into tables that hold rows: refused in one line naming both
// ways on (exit 5, target untouched); --clean deletes the rows first.
TEST_F(CliTest, DataOnlyCleanEmptiesTheApplicationsTables) {
  std::string dst = tmp_.File("app.db");
  SqliteExec(dst,
             "CREATE TABLE artist (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);"
             "CREATE TABLE album (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist(id), title TEXT);"
             "INSERT INTO artist VALUES (5000, 'mine'); INSERT INTO album VALUES (7, 5000, 'old')");
  std::string before = SqliteDump(dst);
  auto r = RunDecantBinary({"-q", "migrate", "--data-only", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("already holds 1 row; use --append to add to them or --clean to empty them first"));
  EXPECT_EQ(SqliteDump(dst), before);
  r = RunDecantBinary({"-q", "migrate", "--data-only", "--clean", "sqlite://" + src_, "sqlite://" + dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", "sqlite://" + src_, "sqlite://" + dst, "--table", "artist", "--table", "album"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(CliTest, TruncatedArchiveIsRefusedAndTargetNotCreated) {
  std::string data = ReadFile(archive_);
  for (size_t cut : {size_t{0}, size_t{5}, data.size() / 3, data.size() / 2, data.size() - 1}) {
    SCOPED_TRACE(cut);
    std::string bad = tmp_.File("cut.decant");
    WriteFile(bad, data.substr(0, cut));
    std::string dst = tmp_.File("never.db");
    auto r = RunDecantBinary({"import", bad, "sqlite://" + dst});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dst));
    EXPECT_FALSE(std::filesystem::exists(dst + ".partial"));
    r = RunDecantBinary({"inspect", "--check", bad});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    // The same cut file read as a stream.
    r = RunDecantBinary({"import", "-", "sqlite://" + dst}, bad);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dst));
  }
}

TEST_F(CliTest, DamagedChunkIsNamed) {
  std::string data = ReadFile(archive_);
  data[data.size() / 2] ^= 0x10;  // inside album's data
  std::string bad = tmp_.File("flipped.decant");
  WriteFile(bad, data);
  auto r = RunDecantBinary({"inspect", "--check", bad});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("album"));
  std::string dst = tmp_.File("never.db");
  r = RunDecantBinary({"import", bad, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(dst));
}

TEST_F(CliTest, NotAnArchive) {
  std::string bad = tmp_.File("not-an-archive");
  WriteFile(bad, std::string("SQLite format 3\0 this is not ours", 33));
  auto r = RunDecantBinary({"inspect", bad});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("not a decant archive"));
  std::string empty = tmp_.File("empty");
  WriteFile(empty, "");
  r = RunDecantBinary({"inspect", empty});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

TEST_F(CliTest, NewerFormatVersionIsRefusedWithExitCode4) {
  std::string data = ReadFile(archive_);
  data[8] = 2;  // format major version, little-endian u16 at offset 8 (docs/archive-format.md)
  data[9] = 0;
  data[10] = 0;  // minor version, u16 at offset 10
  data[11] = 0;
  std::string newer = tmp_.File("newer.decant");
  WriteFile(newer, data);
  const std::string expected =
      "decant: error: archive format version 2.0 is newer than this decant reads (1.x); use a newer decant\n";
  auto r = RunDecantBinary({"inspect", newer});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, expected);
  std::string dst = tmp_.File("never.db");
  r = RunDecantBinary({"import", "-", "sqlite://" + dst}, newer);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, expected);
  EXPECT_FALSE(std::filesystem::exists(dst));
}

TEST_F(CliTest, InterruptAbortsAndLeavesNothingBehind) {
  setenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES", "2", 1);
  std::string out = tmp_.File("interrupted.decant");
  auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", out});
  std::string dir = tmp_.File("interrupted.dir");
  auto rd = RunDecantBinary({"-q", "export", "--directory", "sqlite://" + src_, "-o", dir});
  std::string dst = tmp_.File("interrupted.db");
  auto ri = RunDecantBinary({"-q", "import", archive_, "sqlite://" + dst});
  unsetenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES");
  for (const auto* run : {&r, &ri}) {
    EXPECT_EQ(run->exit_code, 130) << run->err;
    EXPECT_EQ(run->err, "decant: error: interrupted (SIGINT); nothing was left looking complete\n");
  }
  for (const std::string& p : {out, dst}) {
    EXPECT_FALSE(std::filesystem::exists(p)) << p;
    EXPECT_FALSE(std::filesystem::exists(p + ".partial")) << p;
  }
  // The directory form keeps the tables it completed for --resume
  // (docs/reliability.md), and says so.
  EXPECT_EQ(rd.exit_code, 130) << rd.err;
  EXPECT_EQ(rd.err, "decant: error: interrupted (SIGINT); nothing was left looking complete; archive " + dir +
                        " is partly written: the same command with --resume continues it; without --resume (a "
                        "database: with --clean) it starts over\n");
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE(std::filesystem::exists(dir + ".partial/journal.jsonl"));
}

TEST_F(CliTest, WarningsGoToStderrAndParseErrorsAreOneLine) {
  std::string vt = tmp_.File("vt.db");
  // A contentless FTS5 index cannot be carried: decant warns about it.
  SqliteExec(vt,
             "CREATE VIRTUAL TABLE docs USING fts5(body, content=''); CREATE TABLE plain(x);"
             "INSERT INTO plain VALUES (1);");
  std::string piped = tmp_.File("vt.decant");
  auto r = RunDecantBinary({"export", "sqlite://" + vt, "-o", "-"}, "", piped);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("decant: warning: "));
  EXPECT_THAT(r.err, HasSubstr("docs"));
  r = RunDecantBinary({"inspect", "-"}, piped);
  EXPECT_EQ(r.exit_code, 0) << r.err;  // stdout held nothing but the archive

  r = RunDecantBinary({"import", "--clean", "--append", archive_, "sqlite://" + tmp_.File("x.db")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("decant: error: "));
  r = RunDecantBinary({"verify", "-", "-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

TEST_F(CliTest, ArchiveNamesWithColonsAreFiles) {
  std::string odd = tmp_.File("backup-10:00.decant");
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", odd}).exit_code, 0);
  auto r = RunDecantBinary({"verify", odd, "sqlite://" + src_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"export", "sqlite://" + src_, "-o", src_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("its own source"));
}

TEST_F(CliTest, PipedArchiveCutBeforeItsEndIsNeverEqual) {
  std::string piped = tmp_.File("piped.decant");
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", "-"}, "", piped).exit_code, 0);
  std::string data = ReadFile(piped);
  std::string cut = tmp_.File("cut.decant");
  WriteFile(cut, data.substr(0, data.size() - 40));  // the end record is gone
  auto r = RunDecantBinary({"verify", "-", "sqlite://" + src_}, cut);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  r = RunDecantBinary({"schema", "-"}, cut);
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(CliTest, DirectoryWithoutManifestIsIncomplete) {
  std::string dir = tmp_.File("dirform");
  ASSERT_EQ(RunDecantBinary({"-q", "export", "--directory", "sqlite://" + src_, "-o", dir}).exit_code, 0);
  auto r = RunDecantBinary({"inspect", "--check", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::filesystem::remove(dir + "/manifest.json");
  r = RunDecantBinary({"inspect", dir});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("manifest"));
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

TEST_F(CliTest, BadLocationsAreUsageOrIoErrors) {
  auto r = RunDecantBinary({"export", "nosuchscheme://x/y", "-o", tmp_.File("x")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unsupported database URI scheme 'nosuchscheme'"));
  r = RunDecantBinary({"export", "sqlite://" + tmp_.File("missing.db"), "-o", tmp_.File("x")});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("x")));
  r = RunDecantBinary({"import", archive_, tmp_.File("plain-path.db")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a database URI"));
  r = RunDecantBinary({"export"});
  EXPECT_EQ(r.exit_code, 2);
}

// --compress none and --zstd-level: both round trip, through both forms and -j2
// (the SQLite source's read connections); a value out of range is a usage error.
TEST_F(CliTest, CompressionOptionsRoundTrip) {
  struct Case {
    std::vector<std::string> args;
    std::string out;
  };
  for (const Case& c : {Case{{"--compress", "none"}, "none.decant"}, Case{{"--zstd-level", "19"}, "z19.decant"},
                        Case{{"--compress", "none", "--directory", "-j", "2"}, "none.dcd"},
                        Case{{"--zstd-level", "1", "--directory", "-j", "2"}, "z1.dcd"}}) {
    std::vector<std::string> args = {"-q", "export", "sqlite://" + src_, "-o", tmp_.File(c.out)};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = RunDecantBinary(args);
    ASSERT_EQ(r.exit_code, 0) << c.out << ": " << r.err;
    r = RunDecantBinary({"inspect", "--check", tmp_.File(c.out)});
    EXPECT_EQ(r.exit_code, 0) << c.out << ": " << r.err;
    r = RunDecantBinary({"verify", "sqlite://" + src_, tmp_.File(c.out)});
    EXPECT_EQ(r.exit_code, 0) << c.out << ": " << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("equal: 2 tables, 23000 rows")) << c.out;
  }
  auto r = RunDecantBinary({"export", "sqlite://" + src_, "-o", tmp_.File("x"), "--compress", "lz4"});
  EXPECT_EQ(r.exit_code, 2);
  r = RunDecantBinary({"export", "sqlite://" + src_, "-o", tmp_.File("x"), "--zstd-level", "20"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(CliTest, InspectAndSchema) {
  auto r = RunDecantBinary({"inspect", "--check", archive_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("format version: 1.3"));
  EXPECT_THAT(r.out, HasSubstr("sqlite"));
  EXPECT_THAT(r.out, HasSubstr("20000"));
  EXPECT_THAT(r.out, HasSubstr("check: OK"));
  r = RunDecantBinary({"schema", archive_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CREATE TABLE artist"));
  EXPECT_THAT(r.out, HasSubstr("CREATE INDEX album_artist"));
  EXPECT_THAT(r.out, HasSubstr("CREATE VIEW v"));
  // The printed DDL is valid SQLite.
  std::string db = tmp_.File("from-ddl.db");
  SqliteExec(db, r.out);
}

// ---- the command line's own rules (issue 16: docs/cli.md, "Command line") ----

// Every list option takes one value per occurrence (or --opt=value), so the
// positional arguments after it stay the command's.
TEST_F(CliTest, ListOptionsTakeOneValuePerOccurrence) {
  std::string part = tmp_.File("c16_part.decant");
  auto r = RunDecantBinary({"-q", "export", "--table", "album", "sqlite://" + src_, "-o", part});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"inspect", part});
  EXPECT_THAT(r.out, HasSubstr("album"));
  EXPECT_THAT(r.out, Not(HasSubstr("artist")));
  std::string other = tmp_.File("c16_other.decant");
  r = RunDecantBinary({"-q", "export", "--table=artist", "--exclude-table", "album", "sqlite://" + src_, "-o", other});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"inspect", other});
  EXPECT_THAT(r.out, HasSubstr("artist"));
  EXPECT_THAT(r.out, Not(HasSubstr("album")));
  std::string dst = tmp_.File("c16_renamed.db");
  r = RunDecantBinary({"-q", "import", "--table", "album", "--rename", "album=record", "--rename=record.title=name",
                       archive_, "sqlite://" + dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"schema", "sqlite://" + dst});
  EXPECT_THAT(r.out, HasSubstr("CREATE TABLE record"));
  EXPECT_THAT(r.out, HasSubstr("name TEXT"));
  EXPECT_THAT(r.out, Not(HasSubstr("title")));
  r = RunDecantBinary({"verify", "--table=album", "--rename", "album=record", "--rename", "record.title=name",
                       "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("equal: 1 table, 20000 rows"));
  r = RunDecantBinary({"inspect", "--primary-keys", "db.t=id", archive_});  // any other list option
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// -q and --progress go before or after the command; an option that really is
// unknown is named, with the closest real one, and the source is not blamed.
TEST_F(CliTest, GlobalOptionsGoBeforeOrAfterTheCommand) {
  auto r = RunDecantBinary({"export", "sqlite://" + src_, "-o", tmp_.File("c16_quiet.decant"), "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::string dst = tmp_.File("c16_logged.db");
  r = RunDecantBinary({"import", archive_, "sqlite://" + dst, "--progress", "LOG"});  // any case
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("import album: 20000 rows"));
  r = RunDecantBinary({"export", "sqlite://" + src_, "-o", tmp_.File("c16_bogus.decant"), "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "decant: error: unknown option --bogus for export (see decant export --help)\n");
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("c16_bogus.decant")));
  r = RunDecantBinary({"export", "--tabel", "album", "sqlite://" + src_, "-o", tmp_.File("c16_typo.decant")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "decant: error: unknown option --tabel for export; did you mean --table? (see decant export --help)\n");
  r = RunDecantBinary({"-q", "--progres", "log", "verify", "sqlite://" + src_, archive_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option --progres for verify; did you mean --progress?"));
  r = RunDecantBinary({"inspect", archive_, "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "decant: error: unexpected argument 'extra' (see decant inspect --help)\n");
}

TEST_F(CliTest, UnknownCommandsGetDidYouMeanAndVersionPrints) {
  auto r = RunDecantBinary({"exprot", "sqlite://" + src_, "-o", tmp_.File("c16_x.decant")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "decant: error: unknown command 'exprot'; did you mean export? (see decant --help)\n");
  r = RunDecantBinary({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate' (commands: export, import, migrate,"));
  r = RunDecantBinary({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "decant: error: a command is required (see decant --help)\n");
  r = RunDecantBinary({"export"});
  EXPECT_EQ(r.err, "decant: error: source is required (see decant export --help)\n");
  for (const char* flag : {"-V", "--version"}) {
    r = RunDecantBinary({flag});
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_THAT(r.out, ::testing::StartsWith("decant ")) << flag;
    EXPECT_THAT(r.out, HasSubstr("(archive format ")) << flag;
  }
}

// Every command's --help ends with real examples and the pointer to docs/cli.md.
TEST_F(CliTest, HelpEndsWithExamplesAndDocs) {
  for (const char* command :
       {"", "export", "import", "migrate", "dump", "restore", "inspect", "schema", "plan", "verify"}) {
    std::vector<std::string> args;
    if (*command) args.push_back(command);
    args.push_back("--help");
    auto r = RunDecantBinary(args);
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
    size_t examples = r.out.find("\n\nExamples:\n");
    ASSERT_NE(examples, std::string::npos) << command << ": " << r.out;
    std::string shown = std::string("\n  decant ") + command;
    size_t n = 0;
    for (size_t at = r.out.find(shown, examples); at != std::string::npos; at = r.out.find(shown, at + 1)) ++n;
    EXPECT_GE(n, *command ? 2u : 3u) << command << ": " << r.out;
    EXPECT_THAT(r.out, ::testing::EndsWith("docs/cli.md\n")) << command;
  }
}

// Choices are listed in --help, matched ignoring case, and the canonical
// spelling is what the command then uses.
TEST_F(CliTest, ChoicesAreListedAndMatchedIgnoringCase) {
  auto r = RunDecantBinary({"schema", "--help"});
  EXPECT_THAT(r.out, HasSubstr("{sqlite,postgresql,mysql}"));
  r = RunDecantBinary({"export", "--help"});
  EXPECT_THAT(r.out, HasSubstr("{zstd,none}"));
  EXPECT_THAT(r.out, HasSubstr("{decant,"));
  r = RunDecantBinary({"--help"});
  EXPECT_THAT(r.out, HasSubstr("{auto,terminal,log,none}"));

  auto lower = RunDecantBinary({"schema", archive_, "--dialect", "postgresql"});
  ASSERT_EQ(lower.exit_code, 0) << lower.err;
  auto mixed = RunDecantBinary({"schema", archive_, "--dialect", "PostgreSQL"});
  ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_EQ(mixed.out, lower.out);
  r = RunDecantBinary({"schema", archive_, "--dialect", "postgres"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "decant: error: --dialect: unknown dialect 'postgres'; did you mean postgresql? (see decant schema "
            "--help)\n");
  r = RunDecantBinary({"schema", archive_, "--dialect", "oracle"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--dialect: unknown dialect 'oracle' (choose sqlite, postgresql, mysql)"));
  std::string none = tmp_.File("c16_none.decant");
  r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", none, "--compress", "NONE", "--format", "Decant"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", "sqlite://" + src_, none});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// Counts read "1 table", "2 tables"; a connection error says its reason once.
TEST_F(CliTest, MessagesSayEachThingOnceWithPlurals) {
  std::string one = tmp_.File("c16_one.db");
  SqliteExec(one,
             "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT); CREATE INDEX t_x ON t(x);"
             "CREATE VIEW tv AS SELECT x FROM t; INSERT INTO t VALUES (1, 'a');");
  auto r = RunDecantBinary({"export", "sqlite://" + one, "-o", tmp_.File("c16_one.decant")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("exported 1 table, 1 row ("));
  EXPECT_THAT(r.err, HasSubstr("), 1 index, 1 view, 0 triggers, 0 sequences from "));
  r = RunDecantBinary({"plan", "sqlite://" + one, "sqlite://" + tmp_.File("c16_plan.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\n2 columns exact, 0 lossy for some values, 0 lossy for every value; 0 objects not "
                               "carried\n"));

  auto refused = [](const std::string& err) {
    size_t n = 0;
    for (size_t at = err.find("refused"); at != std::string::npos; at = err.find("refused", at + 1)) ++n;
    return n;
  };
  r = RunDecantBinary({"export", "postgresql://c16@127.0.0.1:1/c16_db", "-o", tmp_.File("c16_pg.decant")});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_EQ(refused(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("Connection refused")));  // libpq's words, said again
  r = RunDecantBinary({"export", "mysql://c16@127.0.0.1:1/c16_db", "-o", tmp_.File("c16_my.decant")});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("connection refused by 127.0.0.1 on port 1"));
  EXPECT_THAT(r.err, Not(HasSubstr("did not answer")));
}

}  // namespace
}  // namespace decant

namespace decant {
namespace {

// The format registry as a user meets it: inputs recognised by their bytes
// (also through a pipe), a named output format, one line for anything else.
TEST_F(CliTest, FilesAreRecognisedByTheirBytesOnEveryCommand) {
  std::string renamed = tmp_.File("looks-like.sql");  // the name says nothing
  std::filesystem::copy_file(archive_, renamed);
  std::string dst = tmp_.File("from-stdin.db");
  auto r = RunDecantBinary({"-q", "import", "-", "sqlite://" + dst}, renamed);  // peeked, then read whole
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteDump(src_), SqliteDump(dst));
  r = RunDecantBinary({"verify", renamed, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  std::string via_migrate = tmp_.File("via-migrate.decant");
  r = RunDecantBinary({"-q", "migrate", "sqlite://" + src_, via_migrate, "--format", "decant"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"inspect", "--check", via_migrate});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", tmp_.File("x"), "--format", "csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown format 'csv'"));
  r = RunDecantBinary({"-q", "migrate", "sqlite://" + src_, tmp_.File("y.decant")});  // a file needs --format
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("y.decant")));

  for (const char* command : {"import", "inspect", "schema", "plan", "verify"}) {
    std::vector<std::string> args = {command, src_};  // a SQLite file given as a path
    if (std::string(command) != "inspect" && std::string(command) != "schema") args.push_back("sqlite://" + dst);
    r = RunDecantBinary(args);
    EXPECT_EQ(r.exit_code, 3) << command << ": " << r.err;
    EXPECT_TRUE(OneLine(r.err)) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("it is a SQLite database: read it as sqlite://")) << command;
  }
}

}  // namespace
}  // namespace decant

// Machine-readable output (issue 16, point 3; docs/events.md): --json-log and
// plan/verify/inspect --json, through the binary.
namespace decant {
namespace {

using Json = nlohmann::json;

// Each line of the event log at `path`, parsed; a line that is not JSON fails the test.
std::vector<Json> ReadEvents(const std::string& path) {
  std::vector<Json> events;
  std::string text = ReadFile(path);
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    EXPECT_NE(nl, std::string::npos) << "the last line has no newline";
    if (nl == std::string::npos) break;
    std::string line = text.substr(start, nl - start);
    Json event = Json::parse(line, nullptr, false);
    EXPECT_FALSE(event.is_discarded()) << "not JSON: " << line;
    EXPECT_EQ(event.value("v", 0), 1) << line;
    events.push_back(std::move(event));
    start = nl + 1;
  }
  return events;
}

std::vector<Json> Named(const std::vector<Json>& events, const std::string& name) {
  std::vector<Json> out;
  for (const Json& e : events) {
    if (e.value("event", "") == name) out.push_back(e);
  }
  return out;
}

// Runs tests/validate_json.py on `files` (DEF "-": event lines); skips the
// check, saying so, without python3-jsonschema.
void ExpectValid(const std::string& definition, const std::vector<std::string>& files) {
  std::string command = std::string("python3 ") + DECANT_SOURCE_DIR + "/tests/validate_json.py " + DECANT_SOURCE_DIR +
                        "/docs/events.schema.json " + definition;
  for (const std::string& f : files) command += " '" + f + "'";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  if (WEXITSTATUS(status) == 77) {
    std::fprintf(stderr, "python3-jsonschema missing: %s not checked against the schema\n", definition.c_str());
    return;
  }
  EXPECT_EQ(WEXITSTATUS(status), 0) << command;
}

// The run's table events: every table started and finished once, ok, with
// the rows the summary gives it.
void ExpectTables(const std::vector<Json>& events, const std::map<std::string, uint64_t>& rows) {
  std::map<std::string, int> started;
  for (const Json& e : Named(events, "table_started")) ++started[e["table"].get<std::string>()];
  std::map<std::string, uint64_t> finished;
  for (const Json& e : Named(events, "table_finished")) {
    EXPECT_TRUE(e["ok"].get<bool>()) << e;
    EXPECT_EQ(finished.count(e["table"].get<std::string>()), 0u) << e;
    finished[e["table"].get<std::string>()] = e["rows"].get<uint64_t>();
  }
  EXPECT_EQ(finished, rows);
  for (const auto& [table, n] : rows) EXPECT_EQ(started[table], 1) << table;
  EXPECT_EQ(started.size(), rows.size());
}

TEST_F(CliTest, e16_JsonLogFollowsMigrateExportAndImport) {
  const std::map<std::string, uint64_t> kRows = {{"artist", 3000}, {"album", 20000}};
  std::string log = tmp_.File("e16_migrate.jsonl");
  std::string dst = tmp_.File("e16_dst.db");
  auto r = RunDecantBinary({"--json-log", log, "migrate", "sqlite://" + src_, "sqlite://" + dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("migrated 2 tables, 23000 rows"));  // the human output is still there
  std::vector<Json> events = ReadEvents(log);
  ASSERT_GE(events.size(), 8u);
  EXPECT_EQ(events.front()["event"], "run_started");
  EXPECT_EQ(events.front()["command"], "migrate");
  EXPECT_EQ(events.back()["event"], "run_finished");
  const Json& done = events.back();
  EXPECT_EQ(done["exit_code"], 0);
  EXPECT_EQ(done["tables"], 2);
  EXPECT_EQ(done["rows"], 23000);
  EXPECT_EQ(done["indexes"], 1);
  EXPECT_EQ(done["views"], 1);
  uint64_t bytes = 0;
  for (const Json& t : done["per_table"]) bytes += t["bytes"].get<uint64_t>();
  EXPECT_EQ(done["bytes"], bytes);
  ExpectTables(events, kRows);
  std::vector<std::string> phases;
  for (const Json& e : Named(events, "phase_finished")) phases.push_back(e["phase"].get<std::string>());
  EXPECT_EQ(phases, (std::vector<std::string>{"schema", "data", "post_data"}));
  auto plan = Named(events, "plan");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0]["source"]["engine"], "sqlite");
  EXPECT_FALSE(plan[0]["source"]["version"].get<std::string>().empty());
  EXPECT_EQ(plan[0]["tables"].size(), 2u);

  // export and import, -j 2: the same tables, the same rows.
  std::string dir = tmp_.File("e16_export.dcd");
  std::string export_log = tmp_.File("e16_export.jsonl");
  r = RunDecantBinary(
      {"-q", "--json-log", export_log, "export", "--directory", "-j", "2", "sqlite://" + src_, "-o", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  events = ReadEvents(export_log);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front()["command"], "export");
  EXPECT_EQ(events.back()["event"], "run_finished");
  EXPECT_EQ(events.back()["rows"], 23000);
  ExpectTables(events, kRows);
  std::string import_log = tmp_.File("e16_import.jsonl");
  r = RunDecantBinary({"--json-log", import_log, "import", dir, "sqlite://" + tmp_.File("e16_imported.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  events = ReadEvents(import_log);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["event"], "run_finished");
  EXPECT_EQ(events.back()["rows"], 23000);
  ExpectTables(events, kRows);

  // '-': the events on stdout, when no data goes there.
  r = RunDecantBinary({"-q", "--json-log", "-", "migrate", "sqlite://" + src_, "sqlite://" + tmp_.File("e16_b.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string piped = tmp_.File("e16_stdout.jsonl");
  WriteFile(piped, r.out);
  events = ReadEvents(piped);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["rows"], 23000);
  ExpectValid("-", {log, export_log, import_log, piped});
}

TEST_F(CliTest, e16_JsonLogEndsWithTheError) {
  std::string dst = tmp_.File("e16_busy.db");
  SqliteExec(dst, "CREATE TABLE precious (x);");
  std::string log = tmp_.File("e16_error.jsonl");
  auto r = RunDecantBinary({"--json-log", log, "import", archive_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  std::vector<Json> events = ReadEvents(log);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front()["event"], "run_started");
  EXPECT_EQ(events.back()["event"], "error");
  EXPECT_EQ(events.back()["exit_code"], 5);
  EXPECT_EQ(events.back()["category"], "failed_precondition");
  EXPECT_EQ("decant: error: " + events.back()["message"].get<std::string>() + "\n", r.err);
  EXPECT_TRUE(Named(events, "run_finished").empty());

  // Interrupted: exit 130, the last event says so.
  setenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES", "2", 1);
  std::string interrupted = tmp_.File("e16_interrupted.jsonl");
  r = RunDecantBinary(
      {"-q", "--json-log", interrupted, "migrate", "sqlite://" + src_, "sqlite://" + tmp_.File("e16_never.db")});
  unsetenv("DECANT_TEST_INTERRUPT_AFTER_BATCHES");
  EXPECT_EQ(r.exit_code, 130);
  events = ReadEvents(interrupted);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["event"], "error");
  EXPECT_EQ(events.back()["exit_code"], 130);
  EXPECT_EQ(events.back()["category"], "cancelled");
  auto finished = Named(events, "table_finished");
  ASSERT_FALSE(finished.empty());
  EXPECT_FALSE(finished.back()["ok"].get<bool>());
  ExpectValid("-", {log, interrupted});

  // Where the log cannot go: stdout carrying the archive, a command that takes --json.
  r = RunDecantBinary({"--json-log", "-", "export", "sqlite://" + src_, "-o", "-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("stdout carries the data"));
  EXPECT_TRUE(r.out.empty());
  r = RunDecantBinary({"--json-log", tmp_.File("e16_verify.jsonl"), "verify", archive_, "sqlite://" + src_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("take --json"));
  r = RunDecantBinary(
      {"--json-log", tmp_.File("e16_no/such/dir.jsonl"), "import", archive_, "sqlite://" + tmp_.File("e16_x.db")});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("e16_x.db")));
}

// A usage error is logged once --json-log was read, wherever it stands; the
// target's version is in run_finished.
TEST_F(CliTest, e16_JsonLogUsageErrorsAndTargetVersion) {
  std::string missing = tmp_.File("e16_usage_missing.jsonl");
  auto r = RunDecantBinary({"--json-log", missing, "migrate", "sqlite://" + src_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::vector<Json> events = ReadEvents(missing);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "run_started");
  EXPECT_EQ(events[0]["command"], "migrate");
  EXPECT_EQ(events[1]["event"], "error");
  EXPECT_EQ(events[1]["exit_code"], 2);
  EXPECT_EQ(events[1]["category"], "invalid_argument");
  EXPECT_EQ("decant: error: " + events[1]["message"].get<std::string>() + "\n", r.err);

  std::string unknown = tmp_.File("e16_usage_unknown.jsonl");
  r = RunDecantBinary(
      {"export", "--tabel", "album", "sqlite://" + src_, "-o", tmp_.File("e16_u.decant"), "--json-log=" + unknown});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("did you mean --table?"));
  events = ReadEvents(unknown);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["command"], "export");
  EXPECT_EQ(events[1]["exit_code"], 2);
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("e16_u.decant")));

  // dump and restore take it now; plan still refuses it (it has --json).
  r = RunDecantBinary({"--json-log", tmp_.File("e16_plan.jsonl"), "plan", archive_, "sqlite://" + src_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--json-log goes with export, import, migrate, dump and restore"));

  std::string log = tmp_.File("e16_version.jsonl");
  r = RunDecantBinary({"-q", "--json-log", log, "migrate", "sqlite://" + src_, "sqlite://" + tmp_.File("e16_v.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  events = ReadEvents(log);
  ASSERT_FALSE(events.empty());
  auto plan = Named(events, "plan");
  ASSERT_EQ(plan.size(), 1u);
  // One SQLite library reads and writes here: the source's version is the target's.
  EXPECT_EQ(events.back()["to_version"], plan[0]["source"]["version"]);
  EXPECT_FALSE(events.back()["to_version"].get<std::string>().empty());
  std::string exported = tmp_.File("e16_version_export.jsonl");
  r = RunDecantBinary({"-q", "--json-log", exported, "export", "sqlite://" + src_, "-o", tmp_.File("e16_v.decant")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  events = ReadEvents(exported);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["to_version"], "");  // an archive is no server
  ExpectValid("-", {missing, unknown, log, exported});
}

// What decant warns about is a warning event, -q or not.
TEST_F(CliTest, e16_JsonLogCarriesWarnings) {
  std::string vt = tmp_.File("e16_vt.db");
  SqliteExec(vt, "CREATE VIRTUAL TABLE docs USING fts5(body, content=''); CREATE TABLE plain(x);");
  std::string log = tmp_.File("e16_warnings.jsonl");
  auto r = RunDecantBinary({"-q", "--json-log", log, "export", "sqlite://" + vt, "-o", tmp_.File("e16_vt.decant")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<Json> events = ReadEvents(log);
  auto warnings = Named(events, "warning");
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0]["message"].get<std::string>(), HasSubstr("docs"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["event"], "run_finished");
  ExpectValid("-", {log});
}

// A password given in a URI or a conninfo string is in no event: the
// arguments, the error, nothing (the whole file is searched).
TEST_F(CliTest, e16_JsonLogNeverHoldsAPassword) {
  const std::string kSecret = "e16Sup3rSecret";
  for (const std::string& target : {"postgresql://e16_user:" + kSecret + "@127.0.0.1:1/e16_db",
                                    "host=127.0.0.1 port=1 dbname=e16_db user=e16_user password=" + kSecret,
                                    "mysql://e16_user:" + kSecret + "@127.0.0.1:1/e16_db"}) {
    SCOPED_TRACE(target);
    std::string log = tmp_.File("e16_secret.jsonl");
    auto r = RunDecantBinary({"--json-log", log, "import", archive_, target});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    std::string text = ReadFile(log);
    EXPECT_THAT(text, Not(HasSubstr(kSecret)));
    EXPECT_THAT(r.err, Not(HasSubstr(kSecret)));
    std::vector<Json> events = ReadEvents(log);
    ASSERT_GE(events.size(), 2u);
    EXPECT_THAT(events.front()["arguments"].dump(), HasSubstr("****"));
    EXPECT_EQ(events.back()["event"], "error");
    EXPECT_EQ(events.back()["exit_code"], 6);
  }
}

TEST_F(CliTest, e16_PlanVerifyInspectPrintJson) {
  std::string dst = tmp_.File("e16_dst.db");
  auto r = RunDecantBinary({"plan", "--json", "sqlite://" + src_, "sqlite://" + dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string plan_file = tmp_.File("e16_plan.json");
  WriteFile(plan_file, r.out);
  Json plan = Json::parse(r.out);
  EXPECT_EQ(plan["document"], "plan");
  EXPECT_EQ(plan["v"], 1);
  ASSERT_EQ(plan["tables"].size(), 2u);
  EXPECT_EQ(plan["tables"][1]["table"], "album");
  EXPECT_EQ(plan["tables"][1]["columns"].size(), 3u);
  EXPECT_EQ(plan["target"]["engine"], "sqlite");
  r = RunDecantBinary({"plan", "--json", "--scan", "--ddl", "sqlite://" + src_, "sqlite://" + dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string scan_file = tmp_.File("e16_scan.json");
  WriteFile(scan_file, r.out);
  plan = Json::parse(r.out);
  EXPECT_THAT(plan["ddl"].get<std::string>(), HasSubstr("CREATE TABLE"));
  EXPECT_TRUE(plan["scan"]["conversions"].empty());

  ASSERT_EQ(RunDecantBinary({"-q", "import", archive_, "sqlite://" + dst}).exit_code, 0);
  r = RunDecantBinary({"-q", "verify", "--json", "sqlite://" + src_, "sqlite://" + dst});  // printed with -q too
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string equal_file = tmp_.File("e16_equal.json");
  WriteFile(equal_file, r.out);
  Json verify = Json::parse(r.out);
  EXPECT_EQ(verify["document"], "verify");
  EXPECT_TRUE(verify["equal"].get<bool>());
  EXPECT_EQ(verify["a"]["rows"], 23000);
  EXPECT_EQ(verify["b"]["rows"], 23000);
  EXPECT_EQ(verify["a"]["tables"][0]["hash"], verify["b"]["tables"][0]["hash"]);
  SqliteExec(dst, "UPDATE album SET title = 'changed' WHERE id = 77;");
  r = RunDecantBinary({"verify", "--json", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 1);
  std::string differ_file = tmp_.File("e16_differ.json");
  WriteFile(differ_file, r.out);
  verify = Json::parse(r.out);
  EXPECT_FALSE(verify["equal"].get<bool>());
  ASSERT_EQ(verify["differences"].size(), 1u);
  EXPECT_EQ(verify["differences"][0]["table"], "album");
  EXPECT_THAT(verify["differences"][0]["details"].dump(), HasSubstr("id=77"));

  r = RunDecantBinary({"inspect", "--json", "--check", archive_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string inspect_file = tmp_.File("e16_inspect.json");
  WriteFile(inspect_file, r.out);
  Json inspect = Json::parse(r.out);
  EXPECT_EQ(inspect["document"], "inspect");
  EXPECT_EQ(inspect["rows"], 23000);
  EXPECT_EQ(inspect["format_version"], "1.3");
  EXPECT_EQ(inspect["source"]["engine"], "sqlite");
  EXPECT_TRUE(inspect["checked"].get<bool>());
  ASSERT_EQ(inspect["tables"].size(), 2u);
  EXPECT_EQ(inspect["tables"][0]["rows"].get<uint64_t>() + inspect["tables"][1]["rows"].get<uint64_t>(), 23000u);
  // A file in another format: the tables it becomes.
  std::string fixture = tmp_.File("e16_fixture.json");
  WriteFile(fixture, R"([{"model": "shop.thing", "pk": 1, "fields": {"name": "x", "size": 3}},
                         {"model": "shop.thing", "pk": 2, "fields": {"name": "y", "size": 4}}])");
  r = RunDecantBinary({"inspect", "--json", "--check", fixture});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string foreign_file = tmp_.File("e16_inspect_foreign.json");
  WriteFile(foreign_file, r.out);
  inspect = Json::parse(r.out);
  EXPECT_EQ(inspect["format"], "django");
  EXPECT_EQ(inspect["rows"], 2);
  ASSERT_EQ(inspect["tables"].size(), 1u);
  EXPECT_EQ(inspect["tables"][0]["table"], "shop.thing");
  EXPECT_EQ(inspect["tables"][0]["columns"].size(), 3u);
  ExpectValid("plan_document", {plan_file, scan_file});
  ExpectValid("verify_document", {equal_file, differ_file});
  ExpectValid("inspect_document", {inspect_file, foreign_file});
}

// ---- progress (issue 16, point 2) ------------------------------------------

// A SQLite database of two tables, big (20000 rows) and small (1 row), and
// its archive.
std::string BigAndSmallArchive(TempDir& tmp, std::string* db = nullptr) {
  std::string src = tmp.File("p16_src.db");
  SqliteExec(src,
             "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);"
             "CREATE INDEX big_v ON big(v);"
             "CREATE TABLE small (id INTEGER PRIMARY KEY);"
             "INSERT INTO small VALUES (1);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000)"
             "  INSERT INTO big(v) SELECT hex(randomblob(8)) FROM n;");
  if (db) *db = src;
  std::string archive = tmp.File("p16_src.decant");
  auto r = RunDecantBinary({"-q", "export", "sqlite://" + src, "-o", archive});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return archive;
}

// Off a terminal, progress is timestamped lines: the totals from the
// manifest when the data starts, each table's start and end, each phase's
// duration; never an escape code, never "1 rows".
TEST_F(CliTest, p16_LogProgressOfAParallelImport) {
  REQUIRE_PG();
  std::string archive = BigAndSmallArchive(tmp_);
  testing_util::PgTestDb db("p16_log");
  auto r = RunDecantBinary({"--progress", "log", "import", "-j", "2", archive, db.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  for (size_t at = 0, end; (end = r.err.find('\n', at)) != std::string::npos; at = end + 1) {
    lines.push_back(r.err.substr(at, end - at));
  }
  const std::regex kStamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z import[: ].*)");
  ASSERT_GE(lines.size(), 9u) << r.err;
  for (size_t i = 0; i + 1 < lines.size(); ++i) EXPECT_TRUE(std::regex_match(lines[i], kStamped)) << lines[i];
  EXPECT_THAT(lines.back(), HasSubstr("imported 2 tables, 20001 rows"));  // the summary is not a log line
  EXPECT_THAT(r.err, HasSubstr(" import: schema: done in "));
  EXPECT_THAT(r.err, HasSubstr(" import: data: started, 2 tables, 20001 rows and "));  // from the manifest
  EXPECT_THAT(r.err, HasSubstr(" expected, 2 at a time\n"));
  EXPECT_THAT(r.err, HasSubstr(" import big: started (20000 rows expected)\n"));
  EXPECT_THAT(r.err, HasSubstr(" import small: started (1 row expected)\n"));
  EXPECT_THAT(r.err, HasSubstr(" import big: 20000 rows, "));
  EXPECT_THAT(r.err, HasSubstr(" import small: 1 row, "));
  EXPECT_THAT(r.err, HasSubstr(" import: data: done in "));
  EXPECT_THAT(r.err, HasSubstr(" import: post-data (indexes, constraints, views): done in "));
  EXPECT_THAT(r.err, HasSubstr(" s (indexes "));  // the time of each part
  EXPECT_FALSE(std::regex_search(r.err, std::regex("(^|[^0-9.k])1 rows"))) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("\033")));
  // --progress terminal into a file or a pipe is the same log: no escape codes.
  testing_util::PgTestDb db2("p16_log2");
  r = RunDecantBinary({"--progress", "terminal", "import", "-j", "2", archive, db2.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("\033")));
  EXPECT_THAT(r.err, HasSubstr(" import: data: started, 2 tables, 20001 rows and "));
}

// On a terminal (a pty made by script(1)): the block of running tables and
// the overall line, tables and rows done of their totals, redrawn in place.
TEST_F(CliTest, p16_TerminalProgressShowsTheOverallLine) {
  REQUIRE_PG();
  if (testing_util::RunShell("command -v script").exit_code != 0) GTEST_SKIP() << "script(1) is not installed";
  std::string archive = BigAndSmallArchive(tmp_);
  testing_util::PgTestDb db("p16_tty");
  std::string command = testing_util::ShellQuote(testing_util::DecantBinary()) + " import -j 2 " +
                        testing_util::ShellQuote(archive) + " " + testing_util::ShellQuote(db.uri());
  auto r = testing_util::RunShell("script -qec " + testing_util::ShellQuote(command) + " /dev/null < /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("import: 0/2 tables, 0/20.0k rows (0%)"));
  EXPECT_THAT(r.out, HasSubstr("import: 2/2 tables, 20.0k/20.0k rows (100%)"));
  EXPECT_THAT(r.out, HasSubstr("  big: "));          // its line while it runs
  EXPECT_THAT(r.out, HasSubstr("\r\033[2A\033[J"));  // the block redrawn in place
  EXPECT_THAT(r.out, HasSubstr("import small: 1 row, "));
  EXPECT_THAT(r.out, HasSubstr("import: data: done in "));
  EXPECT_THAT(r.out, HasSubstr("imported 2 tables, 20001 rows"));
}

// -j N that the source or the target cannot take is said in one line that
// names it; -q silences it.
TEST_F(CliTest, p16_JobsLimitIsNoted) {
  std::string src;
  BigAndSmallArchive(tmp_, &src);
  auto r = RunDecantBinary(
      {"--progress", "log", "export", "--directory", "-j", "20", "sqlite://" + src, "-o", tmp_.File("p16_dir.decant")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(" export: -j 20: the source sqlite://" + src + " reads at most 16 tables at a time\n"));
  r = RunDecantBinary(
      {"--progress", "log", "migrate", "-j", "4", "sqlite://" + src, "sqlite://" + tmp_.File("p16_m.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(" migrate: -j 4: the target sqlite://" + tmp_.File("p16_m.db") +
                               " writes one table at a time\n"));
  EXPECT_THAT(r.err, Not(HasSubstr("reads at most")));  // the source takes 4: only the target is named
  r = RunDecantBinary({"-q", "migrate", "-j", "4", "sqlite://" + src, "sqlite://" + tmp_.File("p16_q.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace decant
