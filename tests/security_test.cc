// Secrets (issue 17 point 5, docs/security.md), through the decant binary: no
// password in any message whatever the mistake in the string that held it,
// none in what `ps` shows of a running decant, and ssl-mode / sslmode
// refusing a server without TLS. VERIFY_CA and VERIFY_IDENTITY against a
// real TLS server: tests/security/tls_test.py; every output of the whole
// suite grepped for the test passwords: tests/security/password_grep.py.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::ReadFile;
using testing_util::RunDecantBinary;
using testing_util::SqliteExec;
using testing_util::TempDir;

// Fixed fake passwords (tests/security/password_grep.py looks for them in
// every output of the suite). The second holds an unencoded '@' and '/': no
// part of it may show.
constexpr const char* kPw = "S3cretPw-XyZ7";
const std::vector<std::string> kPwParts = {"S3cretPw", "XyZ7", "Q8wVv"};

bool OneLine(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = tmp_.File("src.db");
    SqliteExec(src_, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');");
    archive_ = tmp_.File("src.decant");
    auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", archive_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Fails the test when `text` holds any part of a test password.
  static void ExpectNoPassword(const std::string& text, const std::string& what) {
    for (const std::string& part : kPwParts) EXPECT_THAT(text, Not(HasSubstr(part))) << what;
  }

  TempDir tmp_;
  std::string src_;
  std::string archive_;
};

// Connection strings with a mistake (an unknown keyword, a misspelt key, an
// unbalanced quote, a password holding '@', '/' or a space), given to every command
// that takes one: the one-line error, the --json-log and the --report hold no
// part of the password.
TEST_F(SecretsTest, MalformedConnectionStringsAreNeverEchoed) {
  const std::vector<std::string> locations = {
      std::string("host=127.0.0.1 port=1 password=") + kPw + " bogus=1",
      std::string("host=127.0.0.1 port=1 passwrd=") + kPw + " dbname=sec_db",
      std::string("host=127.0.0.1 port=1 dbname=sec_db password='") + kPw,
      std::string("host='127.0.0.1 password=") + kPw,
      "mysql://app2:S3cretPw@x:y/z%Q8wVv@127.0.0.1:1/sec_db",
      "postgresql://app2:S3cretPw@XyZ7/Q8wVv@127.0.0.1:1/sec_db?bogus=1",
      "postgresql://app2:S3cretPw@XyZ7/Q8wVv@127.0.0.1:1/sec_db",               // libpq: host "XyZ7"
      "host=127.0.0.1 port=1 password=my S3cretPw dbname=sec_db",               // a space, unquoted
      std::string("host=127.0.0.1 port=1 password ") + kPw + " dbname=sec_db",  // '=' forgotten
      "postgresql://app2:S3cretPw%ZZXyZ7@127.0.0.1:1/sec_db",                   // libpq quotes the bad token
      "mysql://app2:S3cretPw@XyZ7@127.0.0.1:1/sec_db?unknown=1",
      std::string("nosuch://app2:") + kPw + "@127.0.0.1/sec_db",
  };
  int n = 0;
  for (size_t i = 0; i < locations.size(); ++i) {
    const std::string& loc = locations[i];
    const std::vector<std::vector<std::string>> commands = {
        {"migrate", "sqlite://" + src_, loc},
        {"migrate", loc, "sqlite://" + tmp_.File("dst.db")},
        {"import", archive_, loc},
        {"export", loc, "-o", tmp_.File("out.decant")},
        {"inspect", loc},
        {"plan", loc, "sqlite://" + tmp_.File("dst.db")},
        {"verify", archive_, loc},
        {"schema", loc},
        {"dump", loc, "-o", tmp_.File("dump.dcd")},
    };
    for (const auto& args : commands) {
      // Named without the location: a failure message must not hold the password either.
      std::string what = "decant " + args[0] + " with location #" + std::to_string(i);
      std::string log = tmp_.File("events" + std::to_string(n) + ".jsonl");
      std::string page = tmp_.File("report" + std::to_string(n++) + ".html");
      std::vector<std::string> full = args;
      bool logs = args[0] == "migrate" || args[0] == "import" || args[0] == "export";
      if (logs) full.insert(full.begin(), {"--json-log", log, "--report", page});
      auto r = RunDecantBinary(full);
      EXPECT_NE(r.exit_code, 0) << what;  // the string is no file either: nothing was written
      // One error line (a --report adds "report written to ...").
      EXPECT_TRUE(r.err.starts_with("decant: error: ") && r.err.find("decant: error:", 1) == std::string::npos &&
                  OneLine(r.err.substr(0, r.err.find("report written to "))))
          << what;
      ExpectNoPassword(r.out + r.err, what);
      if (logs) {
        ExpectNoPassword(ReadFile(log), what + ": --json-log");
        ExpectNoPassword(ReadFile(page), what + ": --report");
      }
    }
  }
}

// The string that is "not a database URI" is still shown, with its password
// hidden, so the user sees what was wrong with it.
TEST_F(SecretsTest, RefusedLocationIsShownRedacted) {
  auto r = RunDecantBinary({"migrate", "sqlite://" + src_, std::string("host=h password=") + kPw + " bogus=1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'host=h password=**** bogus=1' is not a database URI"));
  r = RunDecantBinary({"migrate", "sqlite://" + src_, "mysql://app2:S3cretPw@x:y/z%Q8wVv@127.0.0.1:1/sec_db?x=1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("mysql://app2:****@127.0.0.1:1/sec_db"));
}

// A file whose name reads like a conninfo string with a password (written by
// --format, where the target is a path): the summary, inspect, verify and
// the --report show it with the password hidden, like any location.
TEST_F(SecretsTest, FileNamedLikeAConninfoIsShownRedacted) {
  std::string odd = tmp_.File(std::string("host=h password=") + kPw + " x.decant");
  std::string page = tmp_.File("odd.html");
  auto r = RunDecantBinary({"--report", page, "migrate", "--format", "decant", "sqlite://" + src_, odd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoPassword(r.out + r.err, "migrate --format: " + r.err);
  ExpectNoPassword(ReadFile(page), "--report");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"inspect", odd}, {"inspect", "--json", odd}, {"verify", archive_, odd}, {"plan", odd, "sqlite:x.db"}}) {
    r = RunDecantBinary(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    if (args[0] != "plan") {
      EXPECT_THAT(r.out + r.err, HasSubstr("password=****")) << args[0];
    }
    ExpectNoPassword(r.out + r.err, args[0] + ": " + r.out + r.err);
  }
}

// What `ps` shows: /proc/PID/cmdline of a decant blocked opening a FIFO holds
// "****" where the URI's password was (as the mysql client masks -p).
TEST_F(SecretsTest, ProcessTitleHidesThePassword) {
  std::string fifo = tmp_.File("in.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& target : {std::string("postgresql://sec_user:") + kPw + "@127.0.0.1:1/sec_db",
                                    std::string("host=127.0.0.1 port=1 dbname=sec_db password=") + kPw,
                                    std::string("mysql://sec_user:S3cretPw@XyZ7/Q8wVv@127.0.0.1:1/sec_db")}) {
    std::string bin = testing_util::DecantBinary();
    std::vector<std::string> args = {bin, "migrate", fifo, target};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, tmp_.File("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    // Opening the FIFO for writing returns once decant has opened it for
    // reading: it has parsed its command line by then, and still runs.
    int fd = ::open(fifo.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    ::close(fd);  // decant reads an empty input and exits
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_THAT(cmdline, HasSubstr(fifo));
    EXPECT_THAT(cmdline, HasSubstr("127.0.0.1"));
    EXPECT_THAT(cmdline, HasSubstr("****"));
    ExpectNoPassword(cmdline, "cmdline: " + cmdline);
    ExpectNoPassword(ReadFile(tmp_.File("stderr")), "stderr");
  }
}

// ssl-mode=REQUIRED (and stricter) on a server that offers no TLS (the
// shared MariaDB test server): refused in one line, exit 6, as the mysql
// client refuses it; DISABLED and PREFERRED connect in plain text.
TEST(SecretsTls, MysqlSslModeRequiredRefusesAServerWithoutTls) {
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string db = testing_util::MysqlTestUri("mysql");
  for (const char* mode : {"REQUIRED", "required"}) {
    auto r = RunDecantBinary({"schema", db + "&ssl-mode=" + mode});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("did not encrypt the connection (the server offers no TLS)"));
  }
  for (const char* mode : {"VERIFY_CA", "VERIFY_IDENTITY"}) {
    auto r = RunDecantBinary({"schema", db + "&ssl-mode=" + mode});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr("needs the CA to verify against: give ssl-ca=FILE or ssl-capath=DIR"));
    r = RunDecantBinary({"schema", db + "&ssl-mode=" + mode + "&ssl-ca=" + tmp.File("none.pem")});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
  }
  for (const char* mode : {"DISABLED", "PREFERRED"}) {
    auto r = RunDecantBinary({"schema", db + "&ssl-mode=" + mode});
    EXPECT_EQ(r.exit_code, 0) << mode << ": " << r.err;
  }
}

// libpq's own sslmode, passed through untouched: require against the test
// server (no TLS) is refused in one line, exit 6; disable and prefer connect.
TEST(SecretsTls, PostgresSslmodeRequireRefusesAServerWithoutTls) {
  REQUIRE_PG();
  std::string uri = testing_util::PgTestUri("postgres");
  for (const std::string& location : {uri + "?sslmode=require", uri + "?sslmode=verify-full"}) {
    auto r = RunDecantBinary({"schema", location});
    EXPECT_EQ(r.exit_code, 6) << location << ": " << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot connect to PostgreSQL")) << r.err;
  }
  auto r = RunDecantBinary({"schema", uri + "?sslmode=require"});
  EXPECT_THAT(r.err, HasSubstr("SSL")) << r.err;
  for (const char* mode : {"disable", "prefer"}) {
    r = RunDecantBinary({"schema", uri + "?sslmode=" + mode});
    EXPECT_EQ(r.exit_code, 0) << mode << ": " << r.err;
  }
}

}  // namespace
}  // namespace decant
