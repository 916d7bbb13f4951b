// `decant plan --scan` through the binary: per column, how many values of the
// source's data would be converted and the keys of the first ones, and the
// same figures as the migration itself then reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::Env;
using testing_util::MysqlTestUri;
using testing_util::RunDecantBinary;
using testing_util::SqliteExec;
using testing_util::TempDir;

class PlanScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = tmp_.File("scan.db");
    SqliteExec(src_,
               "CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE, n NUMERIC(5,2), x REAL, s VARCHAR(3) NOT NULL);"
               "INSERT INTO t VALUES (1, '2020-01-01', 1.5, 1.0, 'abc'),"
               " (17, 'not a date', 123.456, 'nan', 'abcdef'),"
               " (204, '2020-02-03', 1.25, 2.0, 'ab'),"
               " (9001, '2021-05-06', 1, 3, 'abcd');"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
               "  INSERT INTO t SELECT 10000 + i, '2020-01-01', 0.5, i, 'toolong' FROM n;"
               "CREATE TABLE clean (v BLOB);");
  }

  TempDir tmp_;
  std::string src_;
};

// Plan reads no target: any PostgreSQL URI names the target engine.
constexpr const char* kPgTarget = "postgresql://nobody@127.0.0.1:1/none";

TEST_F(PlanScanTest, CountsTheValuesOfTheDataWithTheirKeys) {
  auto r = RunDecantBinary({"plan", "--scan", "sqlite://" + src_, kPgTarget});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scan: 1 value in this data (not a value of the column's type: stored as NULL), "
                               "first at id=17\n"));
  EXPECT_THAT(r.out, HasSubstr("scan: 5002 values in this data (longer than the column: cut), first at id=17; "
                               "id=9001; id=10001, ...\n"));
  EXPECT_THAT(r.out, HasSubstr("scan: 1 value in this data (more decimal places than the column holds: rounded), "
                               "first at id=17\n"));
  // A column that can lose values but holds none that would be converted.
  EXPECT_THAT(r.out, HasSubstr("scan: no value in this data is converted"));
  EXPECT_THAT(r.out, HasSubstr("scan: 5004 rows read in 2 tables (0 more cannot change); 5004 values converted in 3 "
                               "columns\n"));
  // Several tables read at once give the same report.
  auto parallel = RunDecantBinary({"plan", "--scan", "-j", "2", "sqlite://" + src_, kPgTarget});
  ASSERT_EQ(parallel.exit_code, 0) << parallel.err;
  EXPECT_EQ(parallel.out, r.out);
  // Without --scan the plan reads no row.
  auto plain = RunDecantBinary({"plan", "sqlite://" + src_, kPgTarget});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("scan:")));
}

TEST_F(PlanScanTest, NamesValuesThatWouldStopTheLoad) {
  SqliteExec(src_,
             "CREATE TABLE due (id INTEGER PRIMARY KEY, d DATE NOT NULL);"
             "INSERT INTO due VALUES (41, '2020-01-01'), (42, 'soon');");  // not a date, in a NOT NULL column
  auto r = RunDecantBinary({"plan", "--scan", "sqlite://" + src_, kPgTarget});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scan: 1 value in this data (not a value of the column's type: stored as NULL), "
                               "first at id=42; 1 of them would be NULL in this NOT NULL column: the load would "
                               "stop at the first\n"));
}

// The scan and the migration count the same values (one RowConverter).
TEST_F(PlanScanTest, AgreesWithTheMigrationIntoMysql) {
  if (Env("DECANT_TEST_MYSQL_URI").empty()) GTEST_SKIP() << "DECANT_TEST_MYSQL_URI is not set";
  std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
  std::string client = "mariadb" + (defaults.empty() ? std::string() : " --defaults-file=" + defaults);
  ASSERT_EQ(std::system((client + " -e 'DROP DATABASE IF EXISTS scan_agree; CREATE DATABASE scan_agree'").c_str()), 0);
  std::string target = MysqlTestUri("scan_agree");
  auto plan = RunDecantBinary({"plan", "--scan", "sqlite://" + src_, target});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  auto run = RunDecantBinary({"migrate", "sqlite://" + src_, target});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // "t.s: 5002 values; first: ..." in the summary; "scan: 5002 values in this data (...)" in the plan.
  std::regex summary_line(R"(\n  t\.(\w+): (\d+) values?; first: ([^\n]*))");
  size_t compared = 0;
  for (std::sregex_iterator it(run.err.begin(), run.err.end(), summary_line), end; it != end; ++it) {
    std::string expected = "  " + (*it)[1].str() + ": ";
    size_t at = plan.out.find(expected);
    ASSERT_NE(at, std::string::npos) << (*it)[1];
    size_t scan_at = plan.out.find("scan: ", at);
    ASSERT_NE(scan_at, std::string::npos);
    std::string count = (*it)[2].str();
    EXPECT_EQ(plan.out.compare(scan_at + 6, count.size() + 1, count + " "), 0)
        << "column " << (*it)[1] << ": migrate counted " << count << ", plan says " << plan.out.substr(scan_at, 80);
    EXPECT_THAT(plan.out.substr(scan_at, 200), HasSubstr("(" + (*it)[3].str() + ")"));
    ++compared;
  }
  EXPECT_EQ(compared, 4u) << run.err;
  std::system((client + " -e 'DROP DATABASE IF EXISTS scan_agree'").c_str());
}

}  // namespace
}  // namespace decant
