#include "formats/rethinkdb/rdb_input.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "formats/format_registry.h"
#include "formats/rethinkdb/rethinkdb_format.h"
#include "tests/test_util.h"

namespace decant::rethinkdb {
namespace {

using testing_util::ReadFile;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::WriteFile;

const std::string kTop = "rethinkdb_dump_2024-03-05T10:11:12";

std::string Script() { return std::string(DECANT_SOURCE_DIR) + "/tests/rethinkdb/make_dump.py"; }

// Writes a .tar.gz (or plain .tar) of the given members with Python's tarfile.
// A member whose content is "<dir>" is a directory entry.
std::string TarScript() {
  return R"PY(
import io, sys, tarfile, json
out, gz, members = sys.argv[1], sys.argv[2] == "gz", json.loads(sys.argv[3])
with tarfile.open(out, "w:gz" if gz else "w", format=tarfile.PAX_FORMAT) as tar:
    for name, content in members:
        ti = tarfile.TarInfo(name)
        if content == "<dir>":
            ti.type = tarfile.DIRTYPE
            tar.addfile(ti)
        else:
            data = content.encode()
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))
)PY";
}

class RdbInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/rin_rdb_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    WriteFile(dir_ + "/tar.py", TarScript());
  }
  void TearDown() override { RunShell("rm -rf " + ShellQuote(dir_)); }

  std::string Make(const std::string& name, const std::string& args) {
    std::string out = dir_ + "/" + name;
    auto r = RunShell("python3 " + ShellQuote(Script()) + " " + ShellQuote(out) + " " + args);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return out;
  }
  // members: a JSON array of [name, content] pairs.
  std::string Tar(const std::string& name, const std::string& members, bool gz = true) {
    std::string out = dir_ + "/" + name;
    auto r = RunShell("python3 " + ShellQuote(dir_ + "/tar.py") + " " + ShellQuote(out) + " " + (gz ? "gz" : "plain") +
                      " " + ShellQuote(members));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return out;
  }
  // An export directory holding db/<file> = content for each pair.
  std::string ExportDir(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files) {
    std::string root = dir_ + "/" + name;
    for (const auto& [file, content] : files) {
      RunShell("mkdir -p " + ShellQuote(DirName(root + "/" + file)));
      WriteFile(root + "/" + file, content);
    }
    return root;
  }

  std::string dir_;
  FileSystem* fs_ = FileSystem::Default();
  DocumentOptions options_;
};

const std::string kInfo = R"({"primary_key": "id"})";

Result<std::vector<nlohmann::json>> ReadAll(const TableFiles& t) {
  DECANT_ASSIGN_OR_RETURN(auto reader, DocumentReader::Open(t));
  std::vector<nlohmann::json> docs;
  for (;;) {
    nlohmann::json doc;
    DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
    if (!more) return docs;
    docs.push_back(std::move(doc));
  }
}

std::vector<nlohmann::json> MustReadAll(const TableFiles& t) {
  auto docs = ReadAll(t);
  EXPECT_TRUE(docs.ok()) << docs.status().ToString();
  return docs.ok() ? docs.value() : std::vector<nlohmann::json>{};
}

const TableFiles* Find(const InputSet& set, const std::string& db, const std::string& table) {
  for (const TableFiles& t : set.tables())
    if (t.db == db && t.table == table) return &t;
  return nullptr;
}

std::vector<std::string> Names(const InputSet& set) {
  std::vector<std::string> out;
  for (const TableFiles& t : set.tables()) out.push_back(t.db + "." + t.table);
  return out;
}

const std::string kLongTable = "a_table_with_a_rather_long_name_that_needs_pax_or_gnu_longname_records";
const std::vector<std::string> kBuiltin = {"app.accounts",        "app.compound", "app.users",
                                           "kinds." + kLongTable, "kinds.empty",  "kinds.types"};

// The fixture set's documents, whatever the form they were read from.
void ExpectBuiltinJsonDocs(const InputSet& set) {
  auto users = MustReadAll(*Find(set, "app", "users"));
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0]["email"], "ada@example.com");
  EXPECT_EQ(users[1]["name"], "B\u00f6b \u00e9\u00e8");
  EXPECT_EQ(users[2]["name"], "\u4e2d\u6587 \U0001F600");
  auto accounts = MustReadAll(*Find(set, "app", "accounts"));
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_TRUE(accounts[1]["note"].is_null());
  auto compound = MustReadAll(*Find(set, "app", "compound"));
  ASSERT_EQ(compound.size(), 2u);
  EXPECT_EQ(compound[1]["id"], nlohmann::json::parse(R"([2, "b", 3.5])"));
  auto types = MustReadAll(*Find(set, "kinds", "types"));
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0]["esc"], "quote\" back\\ nl\n tab\t ctl\x01");
  EXPECT_EQ(types[0]["uni"], "caf\u00e9 \u2603 \U0001D11E");
  EXPECT_EQ(types[0]["big"], 9007199254740992.0);
  EXPECT_EQ(types[0]["obj"]["a"]["b"][1]["c"], "d");
  EXPECT_EQ(types[1]["when"]["$reql_type$"], "TIME");
  EXPECT_DOUBLE_EQ(types[1]["when"]["epoch_time"].get<double>(), 1700000000.123);
  EXPECT_EQ(types[1]["bytes"]["data"], "AAH+/w==");
  EXPECT_EQ(types[1]["poly"]["coordinates"][0].size(), 5u);
  EXPECT_TRUE(MustReadAll(*Find(set, "kinds", "empty")).empty());
  auto long_docs = MustReadAll(*Find(set, "kinds", kLongTable));
  ASSERT_EQ(long_docs.size(), 1u);
  EXPECT_EQ(long_docs[0]["id"], std::string(200, 'x'));
}

TEST_F(RdbInputTest, ShuffledPaxDump) {
  std::string dump = Make("d.tar.gz", "--format pax --shuffle 7");
  auto set = InputSet::Open(dump, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Names(*set.value()), kBuiltin);
  const TableFiles* accounts = Find(*set.value(), "app", "accounts");
  EXPECT_EQ(accounts->primary_key, "account_no");
  EXPECT_EQ(accounts->format, DataFormat::kJson);
  EXPECT_EQ(accounts->name, dump + ": " + kTop + "/app/accounts.json");
  const TableFiles* users = Find(*set.value(), "app", "users");
  EXPECT_EQ(users->info["indexes"].size(), 4u);
  EXPECT_EQ(users->info["write_hook"]["function"]["$reql_type$"], "BINARY");
  EXPECT_EQ(users->data_bytes, ReadFile(users->data_path).size());
  ExpectBuiltinJsonDocs(*set.value());
  // The unpacked members go with the InputSet.
  std::string tmp = DirName(DirName(users->data_path));
  EXPECT_NE(tmp.find("decant-rethinkdb-"), std::string::npos);
  EXPECT_TRUE(fs_->IsDirectory(tmp));
  set = Status::Internal("reset");
  EXPECT_FALSE(fs_->Exists(tmp));
}

TEST_F(RdbInputTest, ShuffledGnuDumpWithoutWriteHook) {
  std::string dump = Make("g.tar.gz", "--format gnu --shuffle 11 --no-write-hook");
  auto set = InputSet::Open(dump, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Names(*set.value()), kBuiltin);
  EXPECT_FALSE(Find(*set.value(), "app", "users")->info.contains("write_hook"));
  ExpectBuiltinJsonDocs(*set.value());
}

TEST_F(RdbInputTest, DumpSkipsDirectoriesNdjsonDotFilesAndTheSystemDb) {
  std::string dump = Tar("t.tar.gz", R"([["top/", "<dir>"], ["top/db/", "<dir>"],
      ["top/db/t.info", "{\"primary_key\": \"k\"}"], ["top/db/t.json", "[\n{\"k\": 1}\n]\n"],
      ["top/db/u.ndjson", "{\"k\": 1}"], ["top/db/._t.json", "junk"], ["top/README", "x"],
      ["top/rethinkdb/stats.json", "[]"], ["top/rethinkdb/stats.info", "{}"]])");
  auto set = InputSet::Open(dump, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Names(*set.value()), std::vector<std::string>{"db.t"});
  EXPECT_EQ(set.value()->tables()[0].primary_key, "k");
}

TEST_F(RdbInputTest, ExportDirectoriesInEveryDataFormat) {
  for (const char* format : {"json", "ndjson", "csv"}) {
    SCOPED_TRACE(format);
    std::string dir = Make(std::string("ex_") + format, std::string("--export-dir --data-format ") + format);
    auto set = InputSet::Open(dir, options_, fs_);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    EXPECT_EQ(Names(*set.value()), kBuiltin);
    EXPECT_EQ(Find(*set.value(), "app", "accounts")->primary_key, "account_no");
    EXPECT_EQ(Find(*set.value(), "app", "users")->name, dir + "/app/users." + format);
    if (std::string(format) != "csv") {
      ExpectBuiltinJsonDocs(*set.value());
      continue;
    }
    EXPECT_EQ(Find(*set.value(), "app", "users")->format, DataFormat::kCsv);
    auto users = MustReadAll(*Find(*set.value(), "app", "users"));
    ASSERT_EQ(users.size(), 3u);
    EXPECT_EQ(users[0], nlohmann::json::parse(R"({"id": "1", "email": "ada@example.com", "name": "Ada",
                                                  "tags": "[\"a\", \"b\"]"})"));
    EXPECT_EQ(users[2]["name"], "\u4e2d\u6587 \U0001F600");
    auto accounts = MustReadAll(*Find(*set.value(), "app", "accounts"));
    ASSERT_EQ(accounts.size(), 2u);
    EXPECT_FALSE(accounts[0].contains("note"));  // an empty cell is left out
    EXPECT_EQ(accounts[0]["active"], "True");
    EXPECT_EQ(accounts[1]["note"], "null");
    auto types = MustReadAll(*Find(*set.value(), "kinds", "types"));
    ASSERT_EQ(types.size(), 2u);
    EXPECT_EQ(types[0]["esc"], "quote\" back\\ nl\n tab\t ctl\x01");  // quoted, across a line end
    EXPECT_EQ(nlohmann::json::parse(types[1]["when"].get<std::string>())["timezone"], "+02:00");
  }
}

TEST_F(RdbInputTest, LegacyDirectoryWithPrimaryKeys) {
  std::string dir = Make("legacy", "--legacy");
  options_.primary_keys["app.accounts"] = "account_no";
  auto set = InputSet::Open(dir, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Names(*set.value()), kBuiltin);
  EXPECT_EQ(Find(*set.value(), "app", "accounts")->primary_key, "account_no");
  EXPECT_EQ(Find(*set.value(), "app", "users")->primary_key, "id");
  EXPECT_EQ(Find(*set.value(), "app", "users")->format, DataFormat::kLegacy);
  EXPECT_TRUE(Find(*set.value(), "app", "users")->info.is_null());
  ExpectBuiltinJsonDocs(*set.value());

  options_.primary_keys["app.nope"] = "x";
  auto bad = InputSet::Open(dir, options_, fs_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("app.nope"), std::string::npos) << bad.status().message();
}

TEST_F(RdbInputTest, PrimaryKeysOverrideTheInfo) {
  std::string dump = Make("d.tar.gz", "");
  options_.primary_keys["app.users"] = "email";
  auto set = InputSet::Open(dump, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Find(*set.value(), "app", "users")->primary_key, "email");
}

TEST_F(RdbInputTest, DumpFromAFifoAfterPeek) {
  std::string dump = Make("d.tar.gz", "--shuffle 3");
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  RunShell("(cat " + ShellQuote(dump) + " > " + ShellQuote(fifo) + " &) >/dev/null 2>&1 </dev/null");
  FileProbe probe;
  probe.path = fifo;
  auto head = fs_->Peek(fifo, kProbeBytes);
  ASSERT_TRUE(head.ok());
  probe.head = head.value();
  EXPECT_TRUE(Recognise(probe, fs_));
  auto set = InputSet::Open(fifo, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Names(*set.value()), kBuiltin);
  ExpectBuiltinJsonDocs(*set.value());
}

TEST_F(RdbInputTest, DumpFromStdin) {
  std::string dump = Make("d.tar.gz", "--format gnu");
  int saved = ::dup(0);
  int fd = ::open(dump.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  ::close(fd);
  auto set = InputSet::Open("-", options_, fs_);
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set.value()->Describe(), "stdin");
  EXPECT_EQ(Names(*set.value()), kBuiltin);
  EXPECT_EQ(Find(*set.value(), "app", "users")->name, "stdin: " + kTop + "/app/users.json");
}

// A refusal: Corruption (unless said), one line, holding `needle`.
void ExpectRefused(const Status& s, const std::string& needle, StatusCode code = StatusCode::kCorruption) {
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
}

TEST_F(RdbInputTest, RefusesBadMemberPaths) {
  struct Case {
    const char* members;
    const char* needle;
  } cases[] = {
      {R"([["top/db/t.info", "{}"], ["../x.json", "[]"]])", "member '../x.json' climbs out"},
      {R"([["top/db/../../x.json", "[]"]])", "climbs out"},
      {R"([["/top/db/t.json", "[]"]])", "absolute path"},
      {R"([["top/t.json", "[]"]])", "unexpected directory structure"},
      {R"([["top/db/sub/t.json", "[]"]])", "unexpected directory structure"},
      {R"([["top/db/t.info", "{\"primary_key\": \"id\"}"], ["other/db/t.json", "[]"]])", "two top directories"},
      {R"([["top/db/t.json", "[]"]])", "top/db/t.json: no t.info beside it"},
      {R"([["top/db/t.info", "{\"primary_key\": \"id\"}"]])", "top/db/t.info: no data file"},
      {R"([["top/db/t.info", "{\"name\": \"t\"}"], ["top/db/t.json", "[]"]])", "t.info: no \"primary_key\""},
      {R"([["top/db/t.info", "[1]"], ["top/db/t.json", "[]"]])", "t.info: not a JSON object"},
      {R"([["top/db/t.info", "{\"primary_key\": \"id\"}"], ["top/db/t.json", "[]"], ["top/db/t.csv", "a"]])",
       "two data files for table db.t"},
      {R"([["top/db/t.json", "[]"], ["top/db/t.json", "[]"]])", "appears twice"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.members);
    std::string tar = Tar("bad" + std::to_string(n++) + ".tar.gz", c.members);
    auto set = InputSet::Open(tar, options_, fs_);
    ExpectRefused(set.status(), c.needle);
    if (!set.ok()) {
      EXPECT_EQ(set.status().message().rfind(tar, 0), 0u) << set.status().message();
    }
  }
}

TEST_F(RdbInputTest, RefusesTruncatedAndCorruptArchives) {
  std::string dump = Make("d.tar.gz", "--docs 2000");
  std::string bytes = ReadFile(dump);
  WriteFile(dir_ + "/half.tar.gz", bytes.substr(0, bytes.size() / 2));
  auto set = InputSet::Open(dir_ + "/half.tar.gz", options_, fs_);
  ExpectRefused(set.status(), dir_ + "/half.tar.gz is truncated");
  WriteFile(dir_ + "/junk.bin", "this is no tar at all");
  ExpectRefused(InputSet::Open(dir_ + "/junk.bin", options_, fs_).status(), "junk.bin is truncated or corrupt");
  WriteFile(dir_ + "/empty.tar.gz", "");
  ExpectRefused(InputSet::Open(dir_ + "/empty.tar.gz", options_, fs_).status(), "empty.tar.gz is empty");
  ExpectRefused(InputSet::Open(dir_ + "/missing", options_, fs_).status(), "missing", StatusCode::kNotFound);
}

TEST_F(RdbInputTest, RefusesBadExportDirectories) {
  ExpectRefused(InputSet::Open(ExportDir("e1", {{"db/t.json", "[]"}}), options_, fs_).status(),
                "/e1/db/t.json: no t.info beside it");
  ExpectRefused(InputSet::Open(ExportDir("e2", {{"db/t.info", kInfo}}), options_, fs_).status(),
                "/e2/db/t.info: no data file (t.json, t.ndjson, t.csv)");
  ExpectRefused(
      InputSet::Open(ExportDir("e3", {{"db/t.info", kInfo}, {"db/t.json", "[]"}, {"db/t.ndjson", ""}}), options_, fs_)
          .status(),
      "two data files for table db.t");
  ExpectRefused(InputSet::Open(ExportDir("e4", {{"db/notes.txt", "x.y"}}), options_, fs_).status(),
                "not a RethinkDB export or import_export.rb directory");
  // Dot-files, the system database and stray top-level files are skipped.
  auto set = InputSet::Open(ExportDir("e5", {{"db/t.info", kInfo},
                                             {"db/t.json", "[]"},
                                             {"db/.t.json", "junk"},
                                             {"rethinkdb/x.json", "[]"},
                                             {"README", "x"}}),
                            options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Names(*set.value()), std::vector<std::string>{"db.t"});
}

// Reads one data file of `format` holding `content`.
Result<std::vector<nlohmann::json>> ReadContent(const std::string& dir, const std::string& content,
                                                DataFormat format = DataFormat::kJson) {
  TableFiles t;
  t.data_path = dir + "/data";
  t.name = "t.json";
  t.format = format;
  WriteFile(t.data_path, content);
  return ReadAll(t);
}

TEST_F(RdbInputTest, JsonTolerance) {
  auto docs = ReadContent(dir_, " \n\t[ {\"a\": 1} , {\"b\": [1, {\"c\": \"}]\\\"\"}]} ]  \n");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs.value().size(), 2u);
  EXPECT_EQ(docs.value()[1]["b"][1]["c"], "}]\"");
  docs = ReadContent(dir_, "{\"a\": 1}{\"a\": 2}\n\n{\"a\": 3}");  // concatenated objects
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ(docs.value().size(), 3u);
  for (const char* empty : {"", "  \n", "[\n]\n", "[]"}) {
    docs = ReadContent(dir_, empty);
    ASSERT_TRUE(docs.ok()) << docs.status().ToString();
    EXPECT_TRUE(docs.value().empty());
  }
}

TEST_F(RdbInputTest, JsonRefusalsNameTheLine) {
  struct Case {
    const char* content;
    const char* needle;
  } cases[] = {
      {"[\n{\"id\": 1},\n{\"id\": 2,,}\n]\n", "t.json: line 3: malformed JSON: "},
      {"[\n{\"id\": 1}\n]\n,{}", "t.json: line 4: junk after the closing ']'"},
      {"[\n{\"id\": 1},\n2\n]\n", "t.json: line 3: a document is number, not a JSON object"},
      {"[\n{\"id\": 1},\n[1]\n]\n", "line 3: a document is array"},
      {"[\n{\"id\": 1},\n{\"id\": 2}\n", "line 4: the file ends before the closing ']'"},
      {"[\n{\"id\": 1},\n{\"id\": \"2", "line 3: the file ends inside a document"},
      {"[\n{\"id\": 1}\n{\"id\": 2}]", "line 3: expected ',' or ']'"},
      {"\n\nx", "line 3: expected '[' or '{'"},
      {"[{\"s\": \"\xff\"}]", "line 1: malformed JSON"},
      {"[\n{\"id\": 1},\n]", "line 3: expected a document"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.content);
    ExpectRefused(ReadContent(dir_, c.content).status(), c.needle);
  }
}

// A document nested deeper than 1000 levels is refused with its line (the
// parser recurses once per level: 100,000 levels crashed decant).
TEST_F(RdbInputTest, DeepNestingIsRefusedNotACrash) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ExpectRefused(ReadContent(dir_, "[\n{\"id\": 1},\n{\"id\": 2, \"x\": " + deep + "}\n]\n").status(),
                "t.json: line 3: a document nested deeper than 1000 levels");
  TableFiles t;
  t.data_path = dir_ + "/deep_lines";
  t.format = DataFormat::kNdjson;
  WriteFile(t.data_path, "{\"id\": 1, \"x\": " + deep + "}\n");
  ExpectRefused(ReadAll(t).status(), "deep_lines: line 1: a document nested deeper than 1000 levels");
  // 1000 levels (the document itself is one) are read; brackets in strings do not count.
  std::string ok = std::string(999, '[') + std::string(999, ']');
  auto docs = ReadContent(dir_, "[\n{\"x\": " + ok + ", \"s\": \"" + std::string(2000, '[') + "\"}\n]\n");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ(docs.value().size(), 1u);
}

TEST_F(RdbInputTest, LinesAndLineNumbers) {
  TableFiles t;
  t.data_path = dir_ + "/lines";
  t.format = DataFormat::kNdjson;
  WriteFile(t.data_path, "{\"a\": 1}\n\n  {\"a\": 2}  \r\n{\"a\": 3}");
  auto reader = DocumentReader::Open(t);
  ASSERT_TRUE(reader.ok());
  nlohmann::json doc;
  std::vector<uint64_t> lines;
  while (reader.value()->Next(&doc).value()) lines.push_back(reader.value()->line());
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 3, 4}));
  WriteFile(t.data_path, "{\"a\": 1}\n{\"a\": \n");
  ExpectRefused(ReadAll(t).status(), "/lines: line 2: malformed JSON");
  WriteFile(t.data_path, "{\"a\": 1}\n\"text\"\n");
  ExpectRefused(ReadAll(t).status(), "line 2: a document is string");
  // JSON arrays: line() is where the document started.
  t.format = DataFormat::kJson;
  WriteFile(t.data_path, "[\n{\"a\": 1},\n{\"a\":\n 2}, {\"a\": 3}\n]\n");
  reader = DocumentReader::Open(t);
  ASSERT_TRUE(reader.ok());
  lines.clear();
  while (reader.value()->Next(&doc).value()) lines.push_back(reader.value()->line());
  EXPECT_EQ(lines, (std::vector<uint64_t>{2, 3, 4}));
}

TEST_F(RdbInputTest, Csv) {
  auto docs = ReadContent(dir_, "a,b,c\r\n1,,\"x,\"\"y\"\"\r\nz\"\r\n\r\n\"\",2,3\n4,5,6", DataFormat::kCsv);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs.value().size(), 3u);
  EXPECT_EQ(docs.value()[0], nlohmann::json::parse(R"({"a": "1", "c": "x,\"y\"\r\nz"})"));
  EXPECT_EQ(docs.value()[1], nlohmann::json::parse(R"({"b": "2", "c": "3"})"));
  EXPECT_EQ(docs.value()[2], nlohmann::json::parse(R"({"a": "4", "b": "5", "c": "6"})"));
  ExpectRefused(ReadContent(dir_, "a,b\r\n1,2\r\n\"x\ny\",2,3\r\n", DataFormat::kCsv).status(),
                "t.json: line 3: 3 fields, the header has 2");
  ExpectRefused(ReadContent(dir_, "a,b\r\n1,\"2\r\n", DataFormat::kCsv).status(),
                "line 2: the file ends inside a quoted");
  ExpectRefused(ReadContent(dir_, "a,b\r\n1,\xff\r\n", DataFormat::kCsv).status(), "line 2: field 'b' is not UTF-8");
  docs = ReadContent(dir_, "", DataFormat::kCsv);
  ASSERT_TRUE(docs.ok());
  EXPECT_TRUE(docs.value().empty());
}

// Documents across the reader's 1 MiB chunks: long strings with escapes.
TEST_F(RdbInputTest, DocumentsAcrossChunks) {
  std::string content = "[";
  std::vector<std::string> values;
  for (int i = 0; i < 40; ++i) {
    std::string v(static_cast<size_t>(50000 + i * 7919), 'x');
    for (size_t k = 0; k < v.size(); k += 997) v[k] = (k / 997) % 2 ? '"' : '\\';
    values.push_back(v);
    content += (i ? ",\n" : "\n") + nlohmann::json{{"id", i}, {"v", v}}.dump();
  }
  content += "\n]\n";
  auto docs = ReadContent(dir_, content);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs.value().size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(docs.value()[i]["v"], values[i]) << i;
}

TEST_F(RdbInputTest, BigTable) {
  const int n = 100000;
  std::string dir = Make("big", "--export-dir --docs " + std::to_string(n));
  auto set = InputSet::Open(dir, options_, fs_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  auto start = std::chrono::steady_clock::now();
  auto reader = DocumentReader::Open(*Find(*set.value(), "big", "docs"));
  ASSERT_TRUE(reader.ok());
  nlohmann::json doc;
  int count = 0;
  for (;;) {
    auto more = reader.value()->Next(&doc);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!more.value()) break;
    ASSERT_EQ(doc["id"], count);
    ++count;
  }
  EXPECT_EQ(count, n);
  EXPECT_EQ(reader.value()->line(), static_cast<uint64_t>(n) + 1);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("read %d documents in %.2f s\n", n, secs);
}

FileProbe ProbeFile(const std::string& path) {
  FileProbe p;
  p.path = path;
  std::string bytes = ReadFile(path);
  p.head = bytes.substr(0, kProbeBytes);
  return p;
}

FileProbe ProbeDir(const std::string& path) {
  FileProbe p;
  p.path = path;
  p.is_directory = true;
  return p;
}

TEST_F(RdbInputTest, Recognise) {
  EXPECT_TRUE(Recognise(ProbeFile(Make("p.tar.gz", "--format pax --shuffle 1")), fs_));
  EXPECT_TRUE(Recognise(ProbeFile(Make("g.tar.gz", "--format gnu --docs 5000")), fs_));
  // The first member's path in a PAX "x" record / a GNU "L" entry (seed 4 puts
  // the long-named table first).
  EXPECT_TRUE(Recognise(ProbeFile(Make("px.tar.gz", "--format pax --shuffle 4 --docs 5000")), fs_));
  EXPECT_TRUE(Recognise(ProbeFile(Make("gl.tar.gz", "--format gnu --shuffle 4 --docs 5000")), fs_));
  EXPECT_TRUE(Recognise(ProbeDir(Make("ex", "--export-dir --data-format ndjson")), fs_));
  EXPECT_TRUE(Recognise(ProbeDir(Make("lg", "--legacy")), fs_));
  // A hand-made tar (directory entries first), and a plain tar.
  EXPECT_TRUE(Recognise(ProbeFile(Tar("h.tar.gz", R"([["top/", "<dir>"], ["top/db/", "<dir>"],
      ["top/db/t.info", "{}"]])")),
                        fs_));
  EXPECT_TRUE(Recognise(ProbeFile(Tar("plain.tar", R"([["top/db/t.json", "[]"]])", false)), fs_));

  // Not RethinkDB: a decant archive, other tarballs, a pg_dump directory, SQLite.
  EXPECT_FALSE(Recognise(ProbeFile(std::string(DECANT_SOURCE_DIR) + "/tests/data/compat/v1/sample.dca"), fs_));
  EXPECT_FALSE(Recognise(ProbeDir(std::string(DECANT_SOURCE_DIR) + "/tests/data/compat/v1/sample.dcd"), fs_));
  EXPECT_FALSE(Recognise(ProbeFile(Tar("r.tar.gz", R"([["src/main.c", "int main;"]])")), fs_));
  EXPECT_FALSE(Recognise(ProbeFile(Tar("r2.tar.gz", R"([["a/b/c.txt", "x"]])")), fs_));
  EXPECT_FALSE(Recognise(ProbeFile(Tar("r3.tar.gz", R"([["a/b/c/d.json", "x"]])")), fs_));
  std::string pg = ExportDir("pgdump", {{"toc.dat", "PGDMP"}, {"3001.dat.gz", "x"}});
  EXPECT_FALSE(Recognise(ProbeDir(pg), fs_));
  std::string other = ExportDir("other", {{"sub/notes", "plain text"}, {"sub/x.txt", "{}"}});
  EXPECT_FALSE(Recognise(ProbeDir(other), fs_));
  testing_util::SqliteExec(dir_ + "/s.db", "CREATE TABLE t(a)");
  EXPECT_FALSE(Recognise(ProbeFile(dir_ + "/s.db"), fs_));
  WriteFile(dir_ + "/j.json", "[{\"id\": 1}]");
  EXPECT_FALSE(Recognise(ProbeFile(dir_ + "/j.json"), fs_));
  FileProbe empty;
  EXPECT_FALSE(Recognise(empty, fs_));
}

}  // namespace
}  // namespace decant::rethinkdb
