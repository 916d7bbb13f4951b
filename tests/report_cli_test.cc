// --report FILE.html through the decant binary, on SQLite alone (issue 16
// point 4, docs/report.md): the page of a migrate, an export, an import and a
// verify; names as text; no password whatever form it was given in, also
// when the run fails; the output rules (an existing file refused unless
// --force, nothing connected first); other commands refuse it. The page in a
// browser: tests/report/run_test.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::ReadFile;
using testing_util::RunDecantBinary;
using testing_util::SqliteExec;
using testing_util::TempDir;
using testing_util::WriteFile;

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = tmp_.File("src.db");
    SqliteExec(src_,
               "CREATE TABLE items (id INTEGER PRIMARY KEY, price NUMERIC(5,1));"
               "CREATE TABLE \"<script>alert(1)</script>\" (id INTEGER PRIMARY KEY, \"</title>\" TEXT);"
               "INSERT INTO items VALUES (1, 1.5), (2, 2.5), (3, 3.5);"
               "INSERT INTO \"<script>alert(1)</script>\" VALUES (1, 'x');");
  }
  TempDir tmp_;
  std::string src_;
};

TEST_F(ReportCliTest, MigrateWritesThePage) {
  std::string page = tmp_.File("m.html");
  auto r = RunDecantBinary({"migrate", "sqlite:" + src_, "sqlite:" + tmp_.File("dst.db"), "--report", page});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("report written to " + page));
  std::string html = ReadFile(page);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<section id=\"summary\""));
  EXPECT_THAT(html, HasSubstr("<svg id=\"chart\""));
  EXPECT_THAT(html, HasSubstr("<td>items</td><td class=\"n\">3</td>"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("decant migrate sqlite:" + src_));
  EXPECT_FALSE(std::filesystem::exists(page + ".partial"));
}

TEST_F(ReportCliTest, ExportAndImportWithTheEventLog) {
  std::string archive = tmp_.File("a.decant"), log = tmp_.File("run.jsonl");
  auto r =
      RunDecantBinary({"--json-log", log, "export", "sqlite:" + src_, "-o", archive, "--report", tmp_.File("e.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(log), HasSubstr("\"event\":\"run_finished\""));
  EXPECT_THAT(ReadFile(tmp_.File("e.html")), HasSubstr("decant export"));
  r = RunDecantBinary({"import", archive, "sqlite:" + tmp_.File("i.db"), "--report", tmp_.File("i.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(tmp_.File("i.html")), HasSubstr("<td>items</td><td class=\"n\">3</td>"));
}

TEST_F(ReportCliTest, VerifyShowsItsResult) {
  std::string page = tmp_.File("v.html");
  auto r = RunDecantBinary({"--report", page, "verify", "sqlite:" + src_, "sqlite:" + src_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string html = ReadFile(page);
  EXPECT_THAT(html, HasSubstr("<section id=\"verify\""));
  EXPECT_THAT(html, HasSubstr("<span class=\"mark ok\">equal</span>"));
  EXPECT_THAT(html, HasSubstr("<td>items</td><td class=\"n\">3</td><td class=\"n\">3</td>"));
}

// A run that fails still gets its page, with the error, and no password:
// neither from a URI nor from a conninfo string.
TEST_F(ReportCliTest, AFailedRunShowsItsErrorAndNoPassword) {
  for (const std::string& target : {std::string("postgresql://app:sekrit-pw@127.0.0.1:1/shop"),
                                    std::string("host=127.0.0.1 port=1 dbname=shop user=app password=sekrit-pw")}) {
    std::string page = tmp_.File("f.html");
    std::filesystem::remove(page);
    auto r = RunDecantBinary({"migrate", "sqlite:" + src_, target, "--report", page});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    std::string html = ReadFile(page);
    EXPECT_THAT(html, HasSubstr("<section id=\"error\""));
    EXPECT_THAT(html, HasSubstr("failed, exit 6"));
    EXPECT_THAT(html, Not(HasSubstr("sekrit")));
    EXPECT_THAT(html, HasSubstr("****"));
  }
}

TEST_F(ReportCliTest, AnExistingReportIsRefusedUnlessForce) {
  std::string page = tmp_.File("r.html"), archive = tmp_.File("x.decant");
  WriteFile(page, "mine");
  auto r = RunDecantBinary({"export", "sqlite:" + src_, "-o", archive, "--report", page});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_THAT(r.err, HasSubstr("already exists; give --force"));
  EXPECT_EQ(ReadFile(page), "mine");
  EXPECT_FALSE(std::filesystem::exists(archive)) << "refused before anything was written";
  r = RunDecantBinary({"verify", "sqlite:" + src_, "sqlite:" + src_, "--report", page});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_THAT(r.err, HasSubstr("remove it or name another report file"));
  EXPECT_EQ(ReadFile(page), "mine");
  r = RunDecantBinary({"export", "sqlite:" + src_, "-o", archive, "--report", page, "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(page), HasSubstr("<!DOCTYPE html>"));
}

// A report that cannot be written is found before the run, not after it.
TEST_F(ReportCliTest, AnUnwritableReportIsRefusedFirst) {
  std::string archive = tmp_.File("y.decant");
  std::string page = tmp_.File("no/such/dir/r.html");
  auto r = RunDecantBinary({"export", "sqlite:" + src_, "-o", archive, "--report", page});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--report " + page + ": "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(archive)) << "refused before anything was written";
  // The check leaves nothing behind where it can write.
  std::string ok = tmp_.File("ok.html");
  r = RunDecantBinary({"export", "sqlite:" + src_, "-o", archive, "--report", ok});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(ok + ".partial"));
  EXPECT_THAT(ReadFile(ok), HasSubstr("<!DOCTYPE html>"));
}

TEST_F(ReportCliTest, OtherCommandsRefuseIt) {
  for (std::vector<std::string> args : {std::vector<std::string>{"schema", "sqlite:" + src_},
                                        std::vector<std::string>{"plan", "sqlite:" + src_, "sqlite:x.db"}}) {
    args.insert(args.begin(), {"--report", tmp_.File("no.html")});
    auto r = RunDecantBinary(args);
    EXPECT_EQ(r.exit_code, 2) << args[2];
    EXPECT_THAT(r.err, HasSubstr("--report goes with export, import, migrate and verify"));
  }
  auto r = RunDecantBinary({"verify", "sqlite:" + src_, "sqlite:" + src_, "--report", "-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("no.html")));
}

}  // namespace
}  // namespace decant
