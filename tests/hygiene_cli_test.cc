// Issue 17 points 6 and 7 through the decant binary: tamper evidence and
// signatures (inspect --check, --sign, --verify-signature on export, import,
// dump and restore), names escaped in every line decant prints, and
// owner-only files and directories whatever the umask.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "archive/archive.h"
#include "archive/metadata.h"
#include "archive/signature.h"
#include "core/endpoint.h"
#include "pipeline/endpoints.h"
#include "pipeline/server_dump.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing_util::ReadFile;
using testing_util::RunDecantBinary;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::SqliteExec;
using testing_util::TempDir;
using testing_util::WriteFile;

// Exactly one line on stderr.
bool OneLine(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

mode_t Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Names that try to break a line: a newline, an escape sequence, a forged log line.
const char kNewline[] = "two\nlines";
const char kEscape[] = "\x1b[31mred";
const char kForged[] = "x\ndecant: error: forged";
const char kHtml[] = "<b>bold</b>";

// What a terminal or a log reader must never see: a raw escape byte, or a line
// that a name made up.
// DDL (plan --ddl) is exact SQL: a line break inside a quoted name is the
// name's, so only its control characters are checked.
void ExpectClean(const std::string& all, const std::string& what) {
  EXPECT_EQ(all.find('\x1b'), std::string::npos) << what << ":\n" << all;
  std::string text = all.substr(0, all.find("\nDDL the "));
  EXPECT_EQ(text.find("\ndecant: error: forged"), std::string::npos) << what << ":\n" << text;
  EXPECT_NE(text.rfind("decant: error: forged", 0), 0u) << what;
  EXPECT_EQ(text.find("\nlines"), std::string::npos) << what << ":\n" << text;
}

class HygieneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_umask_ = umask(022);
    // A database file whose name has an escape sequence too.
    src_ = tmp_.File("shop\x1b[31m.db");
    std::string sql;
    for (const char* name : {kNewline, kEscape, kForged, kHtml}) {
      std::string q = "\"" + std::string(name) + "\"";
      sql += "CREATE TABLE " + q + " (id INTEGER PRIMARY KEY, \"col\x1b[2J\n\" TEXT);";
      sql += "INSERT INTO " + q + " VALUES (1, 'a'), (2, 'b');";
    }
    SqliteExec(src_, sql);
  }
  void TearDown() override { umask(old_umask_); }

  void MakeKey(const std::string& name) {
    auto r = RunShell("openssl genpkey -algorithm ed25519 -out " + ShellQuote(tmp_.File(name + ".pem")) +
                      " && openssl pkey -in " + ShellQuote(tmp_.File(name + ".pem")) + " -pubout -out " +
                      ShellQuote(tmp_.File(name + ".pub.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }

  TempDir tmp_;
  std::string src_;
  mode_t old_umask_ = 0;
};

// ---- Point 7: escaping ----------------------------------------------------------

TEST_F(HygieneTest, EveryPrintedNameIsEscaped) {
  std::string file = tmp_.File("a.decant"), dir = tmp_.File("a.dcd"), report = tmp_.File("r.html");
  std::string log = tmp_.File("events.jsonl");
  auto r = RunDecantBinary(
      {"--progress", "log", "--json-log", log, "export", "sqlite://" + src_, "-o", file, "--report", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectClean(r.out + r.err, "export");
  EXPECT_THAT(r.err, HasSubstr("two\\nlines"));
  EXPECT_THAT(r.err, HasSubstr("\\x1b[31mred"));
  // The report escapes as HTML; the --json-log as JSON (one event per line).
  std::string html = ReadFile(report);
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;bold&lt;/b&gt;"));
  EXPECT_EQ(html.find(kHtml), std::string::npos);
  ExpectClean(ReadFile(log), "--json-log");

  r = RunDecantBinary({"--progress", "log", "export", "sqlite://" + src_, "--directory", "-o", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectClean(r.out + r.err, "export --directory");

  for (const std::string& archive : {file, dir}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"inspect", archive}, std::vector<std::string>{"inspect", "--check", archive}}) {
      r = RunDecantBinary(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ExpectClean(r.out + r.err, "inspect");
      EXPECT_THAT(r.out, HasSubstr("shop\\x1b[31m.db"));  // the database, from the manifest
    }
  }
  std::string dst = tmp_.File("dst\x1b[32m.db");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"plan", "sqlite://" + src_, "sqlite://" + dst},
        std::vector<std::string>{"plan", "--ddl", "--scan", "sqlite://" + src_, "postgresql://x@127.0.0.1:1/y"},
        std::vector<std::string>{"--progress", "log", "import", file, "sqlite://" + dst},
        std::vector<std::string>{"verify", "sqlite://" + src_, file},
        std::vector<std::string>{"verify", "sqlite://" + src_, dir, "--exclude-table", kEscape}}) {
    r = RunDecantBinary(args);
    SCOPED_TRACE(args[0] + " " + args[1]);
    ExpectClean(r.out + r.err, args[0]);
  }
  // A difference names the table: verify's DIFFERENT lines.
  SqliteExec(dst, "DELETE FROM \"" + std::string(kForged) + "\" WHERE id = 1;");
  r = RunDecantBinary({"verify", "sqlite://" + src_, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("x\\ndecant: error: forged"));
  ExpectClean(r.out + r.err, "verify (different)");
  // A warning names the table: importing into a target that has it.
  r = RunDecantBinary({"import", file, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  ExpectClean(r.err, "import refused");
}

// A warning (spdlog, whoever logs it) names the table escaped: a contentless
// FTS5 table, whose index SQLite cannot give back.
TEST_F(HygieneTest, WarningsAreEscaped) {
  std::string db = tmp_.File("fts.db");
  SqliteExec(db, "CREATE VIRTUAL TABLE \"" + std::string(kForged) + "\x1b[31m\" USING fts5(a, content='');");
  auto r = RunDecantBinary({"--progress", "none", "export", "sqlite://" + db, "-o", tmp_.File("fts.decant")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("decant: warning: "));
  EXPECT_THAT(r.err, HasSubstr("contentless fts5 table x\\ndecant: error: forged\\x1b[31m has no stored text"));
  ExpectClean(r.err, "warning");
}

// ---- Point 7: owner-only files and directories -----------------------------------

TEST_F(HygieneTest, OutputsAreOwnerOnlyWhateverTheUmask) {
  std::string file = tmp_.File("a.decant"), dir = tmp_.File("a.dcd"), report = tmp_.File("r.html");
  std::string log = tmp_.File("events.jsonl");
  ASSERT_EQ(umask(022), 022u);
  auto r = RunDecantBinary({"-q", "--json-log", log, "export", "sqlite://" + src_, "-o", file, "--report", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Mode(file), 0600u);
  EXPECT_EQ(Mode(report), 0600u);
  EXPECT_EQ(Mode(log), 0600u);
  r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "--directory", "-j", "2", "-o", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Mode(dir), 0700u);
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    EXPECT_EQ(Mode(e.path().string()), e.is_directory() ? 0700u : 0600u) << e.path();
  }
  // A file decant replaces with --force is owner-only too, whatever it was.
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", file, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Mode(file), 0600u);
}

// dump: the dump directory, its index and archives (in-process, restricted to
// one database of the shared PostgreSQL 15 server).
class OnlyThese : public Server {
 public:
  OnlyThese(std::unique_ptr<Server> inner, std::vector<std::string> names)
      : inner_(std::move(inner)), names_(std::move(names)) {}
  Result<std::vector<std::string>> ListDatabases() override {
    DECANT_ASSIGN_OR_RETURN(auto all, inner_->ListDatabases());
    std::vector<std::string> out;
    for (const auto& n : all) {
      if (std::find(names_.begin(), names_.end(), n) != names_.end()) out.push_back(n);
    }
    return out;
  }
  std::string DatabaseUri(const std::string& d) const override { return inner_->DatabaseUri(d); }
  Result<bool> CreateDatabase(const std::string& d, const Schema& like) override {
    return inner_->CreateDatabase(d, like);
  }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::unique_ptr<Server> inner_;
  std::vector<std::string> names_;
};

std::string ServerUri() {
  std::string uri = testing_util::PgTestUri("postgres");
  return uri.substr(0, uri.rfind('/'));
}

TEST_F(HygieneTest, SignedDumpsRestoreOnlyWithTheirKey) {
  REQUIRE_PG();
  MakeKey("k");
  MakeKey("other");
  testing_util::PgTestDb db("tam17_dump");
  db.Sql("CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items VALUES (1, 'a'), (2, 'b');");
  auto server = OpenServer(ServerUri());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  OnlyThese only(std::move(*server), {db.name()});
  auto key = ArchiveKey::Load(tmp_.File("k.pem"), true);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  DumpOptions dump;
  dump.sign = *key;
  std::string dir = tmp_.File("nightly");
  auto dumped = DumpServer(only, dir, dump);
  ASSERT_TRUE(dumped.ok()) << dumped.status().ToString();
  EXPECT_EQ(Mode(dir), 0700u);
  EXPECT_EQ(Mode(dir + "/dump.json"), 0600u);
  EXPECT_EQ(Mode(dir + "/0001.decant"), 0600u);

  // Another key, an unsigned archive, an edited index: refused before any database is created.
  db.Sql("DROP TABLE items;");
  auto other = ArchiveKey::Load(tmp_.File("other.pub.pem"), false);
  ASSERT_TRUE(other.ok());
  RestoreOptions restore;
  restore.verify = *other;
  auto refused = RestoreServer(dir, only, restore);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(refused.status().message(), HasSubstr("signed by key"));
  EXPECT_EQ(db.Sql("SELECT count(*) FROM pg_tables WHERE tablename = 'items'"), "0");

  auto pub = ArchiveKey::Load(tmp_.File("k.pub.pem"), false);
  ASSERT_TRUE(pub.ok());
  restore.verify = *pub;
  std::string index = ReadFile(dir + "/dump.json");
  std::string renamed = index;
  renamed.replace(renamed.find(db.name()), db.name().size(), "postgres");
  WriteFile(dir + "/dump.json", renamed);
  refused = RestoreServer(dir, only, restore);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("dump.json names it database \"postgres\""));
  WriteFile(dir + "/dump.json", index);

  auto restored = RestoreServer(dir, only, restore);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(db.Sql("SELECT string_agg(note, ',' ORDER BY id) FROM items"), "a,b");

  // The same through the binary: restore --verify-signature with the other key, exit 3, one line.
  auto r = RunDecantBinary({"-q", "restore", "--verify-signature", tmp_.File("other.pub.pem"), dir, ServerUri()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

// ---- Point 6 through the binary ------------------------------------------------

TEST_F(HygieneTest, InspectCheckRefusesEditedManifestsWithOneLine) {
  std::string file = tmp_.File("a.decant"), dir = tmp_.File("a.dcd");
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", file}).exit_code, 0);
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + src_, "--directory", "-o", dir}).exit_code, 0);
  std::string manifest = ReadFile(dir + "/manifest.json");
  for (const char* field : {"database", "source_engine", "created_at", "decant_version", "server_version"}) {
    SCOPED_TRACE(field);
    std::string tag = "\"" + std::string(field) + "\": \"";
    std::string edited = manifest;
    size_t at = edited.find(tag);
    ASSERT_NE(at, std::string::npos);
    edited.insert(at + tag.size(), "X");
    WriteFile(dir + "/manifest.json", edited);
    auto r = RunDecantBinary({"inspect", "--check", dir});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("manifest.json does not match its checksum in manifest.json.xxh3"));
  }
  WriteFile(dir + "/manifest.json", manifest);
  EXPECT_EQ(RunDecantBinary({"inspect", "--check", dir}).exit_code, 0);
  // The single file: one byte of the manifest record.
  std::string bytes = ReadFile(file);
  size_t at = bytes.rfind("\"created_at\": \"");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 16] = bytes[at + 16] == '1' ? '2' : '1';
  WriteFile(file, bytes);
  auto r = RunDecantBinary({"inspect", "--check", file});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "decant: error: checksum mismatch in the manifest record of " + file + "\n");
}

TEST_F(HygieneTest, SignAndVerifyThroughTheBinary) {
  MakeKey("k");
  MakeKey("other");
  std::string signed_file = tmp_.File("s.decant"), signed_dir = tmp_.File("s.dcd"), plain = tmp_.File("p.decant");
  auto r = RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", signed_file, "--sign", tmp_.File("k.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary(
      {"-q", "export", "sqlite://" + src_, "--directory", "-o", signed_dir, "--sign", tmp_.File("k.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + src_, "-o", plain}).exit_code, 0);
  std::string pem = ReadFile(tmp_.File("k.pem"));

  for (const std::string& archive : {signed_file, signed_dir}) {
    r = RunDecantBinary({"inspect", "--check", "--verify-signature", tmp_.File("k.pub.pem"), archive});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("signature:      verified, Ed25519 key "));
    r = RunDecantBinary({"inspect", archive});
    EXPECT_THAT(r.out, HasSubstr("not verified (--verify-signature KEY checks it)"));
    r = RunDecantBinary({"inspect", "--check", "--verify-signature", tmp_.File("other.pub.pem"), archive});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_THAT(r.err, HasSubstr("signed by key"));
    // import: refused before anything is written (the SQLite target is never created).
    std::string dst = tmp_.File("never.db");
    r = RunDecantBinary({"import", "--verify-signature", tmp_.File("other.pub.pem"), archive, "sqlite://" + dst});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(OneLine(r.err)) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dst));
    EXPECT_FALSE(std::filesystem::exists(dst + ".partial"));
    r = RunDecantBinary({"-q", "import", "--verify-signature", tmp_.File("k.pub.pem"), archive, "sqlite://" + dst});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::filesystem::remove(dst);
    for (const std::string& out : {r.out, r.err}) EXPECT_EQ(out.find("PRIVATE"), std::string::npos);
  }
  // inspect --json says so, as docs/events.schema.json specifies.
  r = RunDecantBinary({"inspect", "--json", "--verify-signature", tmp_.File("k.pub.pem"), signed_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"signature\": {"));
  EXPECT_THAT(r.out, HasSubstr("\"verified\": true"));
  WriteFile(tmp_.File("inspect.json"), r.out);
  auto valid = RunShell(std::string("python3 ") + DECANT_SOURCE_DIR + "/tests/validate_json.py " + DECANT_SOURCE_DIR +
                        "/docs/events.schema.json inspect_document " + tmp_.File("inspect.json"));
  EXPECT_TRUE(valid.exit_code == 0 || valid.exit_code == 77) << valid.out;
  // Unsigned: refused, one line, nothing written.
  std::string dst = tmp_.File("never.db");
  r = RunDecantBinary({"import", "--verify-signature", tmp_.File("k.pub.pem"), plain, "sqlite://" + dst});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "decant: error: archive " + plain + " is not signed (it has no signature to verify)\n");
  EXPECT_FALSE(std::filesystem::exists(dst));
  // Changed after signing, checksums rewritten: inspect --check passes, the signature does not.
  std::string manifest = ReadFile(signed_dir + "/manifest.json");
  size_t at = manifest.find("\"database\": \"");
  manifest.insert(at + 13, "elsewhere-");
  WriteFile(signed_dir + "/manifest.json", manifest);
  WriteFile(signed_dir + "/manifest.json.xxh3", ManifestChecksumFileContent(manifest));
  EXPECT_EQ(RunDecantBinary({"inspect", "--check", signed_dir}).exit_code, 0);
  r = RunDecantBinary({"inspect", "--check", "--verify-signature", tmp_.File("k.pub.pem"), signed_dir});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "decant: error: archive " + signed_dir +
                       ": the signature does not verify (the archive was changed after it was signed)\n");
  // A stream cannot be verified first; a bad key file; --sign where it does not apply.
  r = RunDecantBinary({"import", "--verify-signature", tmp_.File("k.pub.pem"), "-", "sqlite://" + dst}, signed_file);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  r = RunDecantBinary({"export", "sqlite://" + src_, "-o", tmp_.File("x.decant"), "--sign", tmp_.File("k.pub.pem")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is not an Ed25519 private key in PEM"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("x.decant")));
  WriteFile(tmp_.File("garbage.pem"), pem.substr(0, 40) + "!!!" + pem.substr(43));
  r = RunDecantBinary({"inspect", "--verify-signature", tmp_.File("garbage.pem"), signed_file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_EQ(r.err.find(pem.substr(28, 30)), std::string::npos);  // no key material
  r = RunDecantBinary(
      {"export", "sqlite://" + src_, "-o", tmp_.File("x.json"), "--format", "django", "--sign", tmp_.File("k.pem")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

}  // namespace
}  // namespace decant
