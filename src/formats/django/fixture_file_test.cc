#include "formats/django/fixture_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "formats/django/django_format.h"
#include "formats/django/fixture_file_internal.h"
#include "formats/format_registry.h"
#include "tests/test_util.h"

namespace decant::django {
namespace {

using ::testing::HasSubstr;
using testing_util::ReadFile;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::WriteFile;

// Django 3.2's own output (django.core.serializers, auth.Group and auth.User
// made in an in-memory SQLite database, USE_TZ=True).
const char kIndented[] = R"([
{
  "model": "auth.group",
  "pk": 1,
  "fields": {
    "name": "Köche \"quoted\" \\ back",
    "permissions": []
  }
},
{
  "model": "auth.user",
  "pk": 1,
  "fields": {
    "password": "",
    "last_login": null,
    "is_superuser": false,
    "username": "zoë",
    "first_name": "Zoë",
    "last_name": "",
    "email": "z@example.com",
    "is_staff": false,
    "is_active": true,
    "date_joined": "2024-01-02T03:04:05.123Z",
    "groups": [
      1
    ],
    "user_permissions": [
      13
    ]
  }
}
]
)";

// indent=None: one line, ", " between records, no newline at the end.
const char kCompact[] =
    R"([{"model": "auth.group", "pk": 1, "fields": {"name": "Köche \"quoted\" \\ back", "permissions": []}}, )"
    R"({"model": "auth.user", "pk": 1, "fields": {"password": "", "last_login": null, "is_superuser": false, )"
    R"("username": "zoë", "first_name": "Zoë", "last_name": "", "email": "z@example.com", "is_staff": false, )"
    R"("is_active": true, "date_joined": "2024-01-02T03:04:05.123Z", "groups": [1], "user_permissions": [13]}}])";

// --format jsonl.
const char kJsonl[] =
    R"({"model": "auth.group","pk": 1,"fields": {"name": "Köche \"quoted\" \\ back","permissions": []}})"
    "\n"
    R"({"model": "auth.user","pk": 1,"fields": {"password": "","last_login": null,"is_superuser": false,)"
    R"("username": "zoë","first_name": "Zoë","last_name": "","email": "z@example.com","is_staff": false,)"
    R"("is_active": true,"date_joined": "2024-01-02T03:04:05.123Z","groups": [1],"user_permissions": [13]}})"
    "\n";

// InvenTree's export-records: json.dumps(data, indent=2), the metadata record
// first, non-ASCII \u-escaped, no newline at the end.
const char kInvenTree[] =
    "[\n  {\n    \"metadata\": true,\n    \"comment\": \"This file contains a dump of the InvenTree database\",\n"
    "    \"source_version\": \"0.17.0\",\n    \"installed_apps\": [\n      \"auth\",\n      \"part\"\n    ]\n  },\n"
    "  {\n    \"model\": \"part.part\",\n    \"pk\": 1,\n    \"fields\": {\n      \"name\": \"Widerstand "
    "10k\\u03a9\",\n      \"notes\": \"\\u00fc\\n\",\n      \"active\": true\n    }\n  }\n]";

struct Rec {
  uint64_t index;
  RecordSpan span;
  std::string text;
};

class FixtureFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/djr_fixture_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(::mkdir(TempDir().c_str(), 0700), 0);
    const char* old = std::getenv("TMPDIR");
    had_tmpdir_ = old != nullptr;
    if (old) old_tmpdir_ = old;
    ::setenv("TMPDIR", TempDir().c_str(), 1);
  }
  void TearDown() override {
    if (had_tmpdir_) {
      ::setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
    RunShell("rm -rf " + ShellQuote(dir_));
  }

  std::string File(const std::string& name) const { return dir_ + "/" + name; }
  std::string TempDir() const { return dir_ + "/tmp"; }
  std::string Write(const std::string& name, const std::string& bytes) {
    WriteFile(File(name), bytes);
    return File(name);
  }
  void Shell(const std::string& cmd) {
    auto r = RunShell(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.out;
  }
  std::vector<std::string> TempFiles() const {
    std::vector<std::string> out;
    DIR* d = ::opendir(TempDir().c_str());
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    return out;
  }

  static std::unique_ptr<FixtureFile> OpenOk(const std::string& path) {
    auto f = FixtureFile::Open(path, FileSystem::Default());
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }
  static std::vector<Rec> ScanOk(FixtureFile* f) {
    std::vector<Rec> out;
    Status s = f->Scan([&](uint64_t index, const RecordSpan& span, std::string_view text) {
      out.push_back(Rec{index, span, std::string(text)});
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  // The scan's error (Corruption, one line).
  static std::string ScanError(const std::string& path, uint64_t limit = kMaxRecordBytes) {
    auto f = internal::OpenWithLimit(path, FileSystem::Default(), limit);
    if (!f.ok()) return "open: " + f.status().ToString();
    Status s = (*f)->Scan([](uint64_t, const RecordSpan&, std::string_view) { return Status::OK(); });
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
    return s.message();
  }
  static std::string OpenError(const std::string& path) {
    auto f = FixtureFile::Open(path, FileSystem::Default());
    EXPECT_FALSE(f.ok());
    if (f.ok()) return "";
    EXPECT_EQ(f.status().message().find('\n'), std::string::npos) << f.status().message();
    return f.status().message();
  }
  // Every record reads back by its span and parses to an object.
  static void CheckRecords(FixtureFile* f, const std::vector<Rec>& recs) {
    for (const Rec& r : recs) {
      std::string again;
      ASSERT_TRUE(f->ReadRecord(r.span, &again).ok());
      EXPECT_EQ(again, r.text);
      auto j = ParseRecord(r.text, r.index, r.span.line);
      ASSERT_TRUE(j.ok()) << j.status().ToString();
    }
  }
  // The two records of the Django samples.
  static void CheckDjangoSample(FixtureFile* f, const std::vector<Rec>& recs) {
    ASSERT_EQ(recs.size(), 2u);
    CheckRecords(f, recs);
    auto g = ParseRecord(recs[0].text, 0, recs[0].span.line);
    auto u = ParseRecord(recs[1].text, 1, recs[1].span.line);
    ASSERT_TRUE(g.ok() && u.ok());
    EXPECT_EQ((*g)["model"], "auth.group");
    EXPECT_EQ((*g)["fields"]["name"], "Köche \"quoted\" \\ back");
    EXPECT_EQ((*u)["fields"]["username"], "zoë");
    EXPECT_EQ((*u)["fields"]["user_permissions"][0], 13);
    EXPECT_EQ(recs[0].index, 0u);
    EXPECT_EQ(recs[1].index, 1u);
  }

  std::string dir_, old_tmpdir_;
  bool had_tmpdir_ = false;
};

TEST_F(FixtureFileTest, IndentedDumpdataIsReadInPlace) {
  std::string path = Write("djr_a.json", kIndented);
  auto f = OpenOk(path);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->json_lines());
  EXPECT_EQ(f->compression(), Compression::kNone);
  EXPECT_EQ(f->Describe(), path);
  EXPECT_EQ(f->size(), std::string(kIndented).size());
  EXPECT_TRUE(TempFiles().empty());  // no copy
  auto recs = ScanOk(f.get());
  CheckDjangoSample(f.get(), recs);
  EXPECT_EQ(recs[0].span.line, 2u);
  EXPECT_EQ(recs[1].span.line, 10u);
  EXPECT_EQ(recs[0].span.offset, 2u);
  EXPECT_EQ(recs[0].text.front(), '{');
  EXPECT_EQ(recs[0].text.back(), '}');
  // A second scan gives the same.
  auto again = ScanOk(f.get());
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].text, recs[1].text);
}

TEST_F(FixtureFileTest, CompactDumpdataWithoutTrailingNewline) {
  auto f = OpenOk(Write("djr_b.json", kCompact));
  ASSERT_TRUE(f);
  auto recs = ScanOk(f.get());
  CheckDjangoSample(f.get(), recs);
  EXPECT_EQ(recs[1].span.line, 1u);
}

TEST_F(FixtureFileTest, JsonLinesWithBlankLinesAndCrLf) {
  std::string text = std::string("\n\n") + kJsonl + "\r\n   \n";
  auto f = OpenOk(Write("djr_c.jsonl", text));
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->json_lines());
  auto recs = ScanOk(f.get());
  CheckDjangoSample(f.get(), recs);
  EXPECT_EQ(recs[0].span.line, 3u);
  EXPECT_EQ(recs[1].span.line, 4u);

  std::string crlf =
      "{\"model\": \"a.b\", \"pk\": 1, \"fields\": {}}\r\n\r\n{\"model\": \"a.b\", \"pk\": 2, "
      "\"fields\": {}} \r\n";
  auto g = OpenOk(Write("djr_crlf.jsonl", crlf));
  ASSERT_TRUE(g);
  auto r2 = ScanOk(g.get());
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_EQ(r2[1].span.line, 3u);
}

TEST_F(FixtureFileTest, InvenTreeExportRecords) {
  auto f = OpenOk(Write("djr_data.json", kInvenTree));
  ASSERT_TRUE(f);
  auto recs = ScanOk(f.get());
  ASSERT_EQ(recs.size(), 2u);
  CheckRecords(f.get(), recs);
  auto meta = ParseRecord(recs[0].text, 0, recs[0].span.line);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ((*meta)["metadata"], true);
  EXPECT_EQ(recs[0].span.line, 2u);
  EXPECT_EQ(recs[1].span.line, 11u);
  auto part = ParseRecord(recs[1].text, 1, recs[1].span.line);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)["fields"]["name"], "Widerstand 10k\u03a9");
  EXPECT_EQ((*part)["fields"]["notes"], "\u00fc\n");
}

TEST_F(FixtureFileTest, EmptyFixturesHaveNoRecords) {
  for (const char* text : {"[]", "[\n]\n", "  [ ]  ", "", "\n\n  \n", "\xEF\xBB\xBF[]"}) {
    auto f = OpenOk(Write("djr_empty.json", text));
    ASSERT_TRUE(f) << text;
    EXPECT_TRUE(ScanOk(f.get()).empty()) << text;
  }
}

TEST_F(FixtureFileTest, ByteOrderMarkIsSkipped) {
  auto f = OpenOk(Write("djr_bom.json", std::string("\xEF\xBB\xBF") + kIndented));
  ASSERT_TRUE(f);
  auto recs = ScanOk(f.get());
  CheckDjangoSample(f.get(), recs);
  EXPECT_EQ(recs[0].span.offset, 5u);
  auto g = OpenOk(Write("djr_bom.jsonl", std::string("\xEF\xBB\xBF") + kJsonl));
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->json_lines());
  EXPECT_EQ(ScanOk(g.get()).size(), 2u);
}

TEST_F(FixtureFileTest, CompressedFixturesAreDecompressedToAPrivateTemporaryFile) {
  std::string plain = Write("djr_z.json", kIndented);
  Shell("gzip -k -c " + ShellQuote(plain) + " > " + ShellQuote(File("djr_z.json.gz")));
  Shell("bzip2 -k -c " + ShellQuote(plain) + " > " + ShellQuote(File("djr_z.json.bz2")));
  Shell("xz -k -c " + ShellQuote(plain) + " > " + ShellQuote(File("djr_z.json.xz")));
  Shell("xz --format=lzma -k -c " + ShellQuote(plain) + " > " + ShellQuote(File("djr_z.json.lzma")));
  Shell("cd " + ShellQuote(dir_) +
        " && /usr/bin/python3 -c 'import zipfile; z = zipfile.ZipFile(\"djr_z.json.zip\", "
        "\"w\", zipfile.ZIP_DEFLATED); z.write(\"djr_z.json\"); z.close()'");
  // Python's gzip writes several members when appended to; both are read.
  Shell("cd " + ShellQuote(dir_) +
        " && head -c 100 djr_z.json | gzip > djr_multi.json.gz && tail -c +101 djr_z.json | "
        "gzip >> djr_multi.json.gz");
  struct Case {
    std::string name;
    Compression c;
  };
  for (const Case& c : std::vector<Case>{{"djr_z.json.gz", Compression::kGzip},
                                         {"djr_z.json.bz2", Compression::kBzip2},
                                         {"djr_z.json.xz", Compression::kXz},
                                         {"djr_z.json.lzma", Compression::kLzma},
                                         {"djr_z.json.zip", Compression::kZip},
                                         {"djr_multi.json.gz", Compression::kGzip}}) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(DetectCompression(ReadFile(File(c.name))), c.c);
    {
      auto f = OpenOk(File(c.name));
      ASSERT_TRUE(f);
      EXPECT_EQ(f->compression(), c.c);
      EXPECT_EQ(f->Describe(), File(c.name) + " (" + CompressionName(c.c) + ")");
      EXPECT_EQ(f->size(), std::string(kIndented).size());
      auto temps = TempFiles();
      ASSERT_EQ(temps.size(), 1u);
      struct stat st;
      ASSERT_EQ(::stat((TempDir() + "/" + temps[0]).c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u);
      CheckDjangoSample(f.get(), ScanOk(f.get()));
    }
    EXPECT_TRUE(TempFiles().empty());  // removed with the FixtureFile
  }
}

TEST_F(FixtureFileTest, TruncatedOrCorruptCompressedDataIsNamed) {
  // Large enough that a cut loses whole blocks.
  std::string big = "[\n";
  for (int i = 0; i < 20000; ++i)
    big += (i ? ",\n" : "") + std::string("{\"model\": \"a.b\", \"pk\": ") + std::to_string(i * 7919 % 100003) +
           ", \"fields\": {\"x\": \"" + std::to_string(i * 31) + "\"}}";
  big += "\n]\n";
  std::string plain = Write("djr_t.json", big);
  for (const std::string& tool : {std::string("gzip"), std::string("bzip2"), std::string("xz")}) {
    SCOPED_TRACE(tool);
    std::string full = File("djr_t.json." + tool), cut = File("djr_cut.json." + tool);
    Shell(tool + " -c " + ShellQuote(plain) + " > " + ShellQuote(full));
    std::string bytes = ReadFile(full);
    WriteFile(cut, bytes.substr(0, bytes.size() / 2));
    std::string e = OpenError(cut);
    EXPECT_THAT(e, HasSubstr(cut));
    EXPECT_THAT(e, HasSubstr("truncated or corrupt"));
    std::string flipped = bytes;
    flipped[flipped.size() / 2] ^= 0x55;
    WriteFile(cut, flipped);
    auto f = FixtureFile::Open(cut, FileSystem::Default());
    // A flipped byte is caught by the data's checksum (gzip CRC32, bzip2
    // CRC, xz CRC64) at the latest.
    EXPECT_FALSE(f.ok());
    if (!f.ok()) {
      EXPECT_EQ(f.status().code(), StatusCode::kCorruption) << f.status().ToString();
    }
    EXPECT_TRUE(TempFiles().empty());
  }
}

TEST_F(FixtureFileTest, GzipMembersPaddingAndTrailingData) {
  // Exactly 2 MiB: the inflate buffer fills to its last byte.
  std::string text = "[{\"model\": \"a.b\", \"fields\": {\"s\": \"";
  text += std::string((size_t{2} << 20) - text.size() - 4, 'x') + "\"}}]";
  ASSERT_EQ(text.size(), size_t{2} << 20);
  std::string plain = Write("djr_2m.json", text);
  Shell("gzip -c " + ShellQuote(plain) + " > " + ShellQuote(File("djr_2m.json.gz")));
  std::string gz = ReadFile(File("djr_2m.json.gz"));
  {
    auto f = OpenOk(Write("djr_pad.json.gz", gz + std::string(7, '\0')));
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size(), text.size());
    auto recs = ScanOk(f.get());
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].text, text.substr(1, text.size() - 2));
  }
  std::string e = OpenError(Write("djr_junk.json.gz", gz + "junk"));
  EXPECT_THAT(e, HasSubstr("djr_junk.json.gz (gzip): truncated or corrupt gzip data: data after the end"));
  e = OpenError(Write("djr_short.json.gz", gz.substr(0, gz.size() - 4)));
  EXPECT_THAT(e, HasSubstr("djr_short.json.gz (gzip): truncated or corrupt gzip data: the stream ends early"));
  std::string bad = gz;
  bad[bad.size() - 6] ^= 1;  // the CRC-32
  e = OpenError(Write("djr_crc.json.gz", bad));
  EXPECT_THAT(e, HasSubstr("incorrect data check"));
  EXPECT_TRUE(TempFiles().empty());
}

TEST_F(FixtureFileTest, AZipMustHoldExactlyOneFile) {
  Write("djr_one.json", kIndented);
  Write("djr_two.json", kJsonl);
  Shell("cd " + ShellQuote(dir_) +
        " && /usr/bin/python3 -c 'import zipfile; z = zipfile.ZipFile(\"djr_two.zip\", "
        "\"w\"); z.write(\"djr_one.json\"); z.write(\"djr_two.json\"); z.close()'");
  std::string e = OpenError(File("djr_two.zip"));
  EXPECT_THAT(e, HasSubstr("djr_two.zip (zip)"));
  EXPECT_THAT(e, HasSubstr("more than one file"));
  Shell("cd " + ShellQuote(dir_) +
        " && /usr/bin/python3 -c 'import zipfile; z = zipfile.ZipFile(\"djr_dir.zip\", "
        "\"w\"); z.writestr(zipfile.ZipInfo(\"sub/\"), \"\"); z.close()'");
  EXPECT_THAT(OpenError(File("djr_dir.zip")), HasSubstr("is not a file"));
  EXPECT_TRUE(TempFiles().empty());
}

TEST_F(FixtureFileTest, NotAFixture) {
  EXPECT_THAT(OpenError(Write("djr_x.json", "  hello")),
              HasSubstr("djr_x.json: not a Django fixture: it starts with 'h', not '[' (a JSON array) or '{' (JSON "
                        "lines)"));
  EXPECT_THAT(OpenError(Write("djr_y.json", std::string("\0\1", 2))), HasSubstr("byte 0x00"));
  auto missing = FixtureFile::Open(File("djr_nope.json"), FileSystem::Default());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(OpenError(dir_), HasSubstr("a directory"));
}

TEST_F(FixtureFileTest, ScanErrorsNameTheInputTheRecordAndTheLine) {
  const std::string r = R"({"model": "a.b", "pk": 1, "fields": {}})";
  struct Case {
    std::string text, expect;
  };
  std::vector<Case> cases = {
      {"[\n" + r + ",\n" + r + " x,\n" + r + "]", "after record 2 (line 3): 'x' where ',' or ']' belongs"},
      {"[\n" + r + ",\n" + r + "\n", "after record 2 (line 4): no closing ']' (the file ends inside the array)"},
      {"[" + r + ",", "after record 1 (line 1): no closing ']'"},
      {"[", "after record 0 (line 1): no closing ']'"},
      {"[" + r + ",,", "record 2 (line 1): not an object: starts with ','"},
      {"[" + r + ", ]", "after record 1 (line 1): ',' before the closing ']'"},
      {"[" + r + "" + r + "]", "after record 1 (line 1): '{' where ',' or ']' belongs"},
      {"[" + r + "]\n]", "after record 1 (line 2): ']' after the closing ']'"},
      {"[" + r + "]\n" + r, "after record 1 (line 2): '{' after the closing ']'"},
      {"[1, 2]", "record 1 (line 1): not an object: starts with '1'"},
      {"[\n\"model\"]", "record 1 (line 2): not an object: starts with '\"'"},
      {"[\n" + r + ",\n{\"model\": \"a\n", "record 2 (line 3): a string that does not end"},
      {"[\n" + r + ",\n{\"model\": {\"a\": [1, 2]\n", "record 2 (line 3): an object that does not end"},
      {r + "\n" + r + " " + r + "\n", "after record 2 (line 2): '{' after the record on its line"},
      {r + "\n[1]\n", "record 2 (line 2): not an object: starts with '['"},
      {r + "\n" + r + "]\n", "after record 2 (line 2): ']' after the record on its line"},
  };
  for (const Case& c : cases) {
    std::string path = Write("djr_err.json", c.text);
    std::string e = ScanError(path);
    EXPECT_THAT(e, HasSubstr(path + ": " + c.expect)) << c.text;
  }
}

TEST_F(FixtureFileTest, ScanStopsAtTheCallbacksError) {
  auto f = OpenOk(Write("djr_stop.json", kIndented));
  ASSERT_TRUE(f);
  int calls = 0;
  Status s = f->Scan([&](uint64_t, const RecordSpan&, std::string_view) {
    ++calls;
    return Status::Refused("stop");
  });
  EXPECT_EQ(s.code(), StatusCode::kRefused);
  EXPECT_EQ(calls, 1);
}

TEST_F(FixtureFileTest, DeepNestingIsRefusedWithoutACrash) {
  std::string deep =
      "[{\"model\": \"a.b\", \"fields\": {\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}}]";
  std::string e = ScanError(Write("djr_deep.json", deep));
  EXPECT_THAT(e, HasSubstr("record 1 (line 1): nested deeper than 1000 levels"));
  // 1000 levels, the record's own object included, are fine.
  std::string ok = "[{\"model\": \"a.b\", \"fields\": {\"x\": " + std::string(998, '[') + std::string(998, ']') + "}}]";
  auto f = OpenOk(Write("djr_deep_ok.json", ok));
  ASSERT_TRUE(f);
  auto recs = ScanOk(f.get());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_TRUE(ParseRecord(recs[0].text, 0, 1).ok());
  // The parser alone does not crash on deep text either.
  std::string rec = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto j = ParseRecord(rec, 0, 1);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
}

TEST_F(FixtureFileTest, ARecordAboveTheLimitIsRefused) {
  std::string text = "[\n{\"model\": \"a.b\", \"fields\": {\"x\": \"" + std::string(200, 'y') + "\"}},\n" +
                     "{\"model\": \"a.b\", \"fields\": {\"x\": \"" + std::string(2000, 'y') + "\"}}\n]";
  std::string path = Write("djr_big.json", text);
  std::string e = ScanError(path, 1024);
  EXPECT_THAT(e, HasSubstr(path + ": record 2 (line 3): longer than"));
  // Also a record still open at the end of a 4 MiB chunk.
  std::string huge = "[{\"model\": \"a.b\", \"fields\": {\"x\": \"" + std::string(size_t{5} << 20, 'y') + "\"}}]";
  e = ScanError(Write("djr_huge.json", huge), size_t{1} << 20);
  EXPECT_THAT(e, HasSubstr("record 1 (line 1): longer than 1 MiB"));
}

// Records longer than a read, records across reads, an escape split by a
// read: the scan's 4 MiB chunks.
TEST_F(FixtureFileTest, RecordsAcrossChunkBoundaries) {
  constexpr size_t kChunk = size_t{4} << 20;
  std::string text = "[\n";
  // A '\' as the last byte of the first chunk, escaping a '"'.
  std::string head = "{\"model\": \"a.b\", \"pk\": 0, \"fields\": {\"s\": \"";
  text += head;
  text += std::string(kChunk - 1 - text.size(), 'a');
  text += "\\\"\\\\\"}}";
  ASSERT_EQ(text[kChunk - 1], '\\');
  // Many records, some with escapes and braces in strings, crossing the
  // second boundary; one longer than a chunk.
  int n = 1;
  while (text.size() < 3 * kChunk) {
    text += ",\n{\"model\": \"a.b\", \"pk\": " + std::to_string(n) + ", \"fields\": {\"s\": \"x\\\"}{][\\\\\", " +
            "\"j\": {\"k\": [1, {\"l\": \"}\"}]}, \"n\": \"" + std::string(static_cast<size_t>(n % 5000), 'z') + "\"}}";
    ++n;
  }
  text += ",\n{\"model\": \"a.b\", \"pk\": " + std::to_string(n++) + ", \"fields\": {\"s\": \"" +
          std::string(kChunk + 17, 'q') + "\"}}";
  text += "\n]\n";
  auto f = OpenOk(Write("djr_chunks.json", text));
  ASSERT_TRUE(f);
  auto recs = ScanOk(f.get());
  ASSERT_EQ(recs.size(), static_cast<size_t>(n));
  for (size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(recs[i].span.line, i + 2) << i;
    EXPECT_EQ(recs[i].text, text.substr(recs[i].span.offset, recs[i].span.length)) << i;
    auto j = ParseRecord(recs[i].text, i, recs[i].span.line);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    EXPECT_EQ((*j)["pk"], i);
  }
  auto j0 = ParseRecord(recs[0].text, 0, 2);
  ASSERT_TRUE(j0.ok());
  EXPECT_EQ((*j0)["fields"]["s"].get<std::string>().substr(kChunk - 1 - head.size() - 2), "\"\\");
  // Rereading from several threads at once.
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string buf;
      for (size_t i = static_cast<size_t>(t); i < recs.size(); i += 4) {
        if (!f->ReadRecord(recs[i].span, &buf).ok() || buf != recs[i].text) ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(FixtureFileTest, NonFiniteFloatsBecomeMarkers) {
  // Python's json (Django's serializer) writes float('nan'), float('inf')
  // and -inf as bare tokens.
  std::string text =
      R"({"model": "app.m", "pk": 1, "fields": {"f": NaN, "g": Infinity, "h": -Infinity, "l": [NaN,-Infinity],)"
      R"( "s": "NaN Infinity -Infinity \" NaN", "n": -1.5e3}})";
  auto j = ParseRecord(text, 4, 9);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const auto& fields = (*j)["fields"];
  EXPECT_EQ(fields["f"], std::string(kNonFiniteMarker) + "NaN");
  EXPECT_EQ(fields["g"], std::string(kNonFiniteMarker) + "Infinity");
  EXPECT_EQ(fields["h"], std::string(kNonFiniteMarker) + "-Infinity");
  EXPECT_EQ(fields["l"][0], std::string(kNonFiniteMarker) + "NaN");
  EXPECT_EQ(fields["l"][1], std::string(kNonFiniteMarker) + "-Infinity");
  EXPECT_EQ(fields["s"], "NaN Infinity -Infinity \" NaN");
  EXPECT_EQ(fields["n"], -1500.0);
  // Not a token: still refused by the parser.
  auto bad = ParseRecord(R"({"f": NaNa})", 0, 1);
  EXPECT_FALSE(bad.ok());
  auto bad2 = ParseRecord(R"({"f": nan})", 0, 1);
  EXPECT_FALSE(bad2.ok());
}

TEST_F(FixtureFileTest, ParseErrorsNameTheRecordAndLine) {
  auto e = ParseRecord(R"({"model": "a.b", "fields": {"x": 1,}})", 6, 40);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(e.status().message(), HasSubstr("record 7 (line 40): "));
  EXPECT_THAT(e.status().message(), HasSubstr("parse error"));
  EXPECT_EQ(e.status().message().find('\n'), std::string::npos);
  auto arr = ParseRecord("[1]", 0, 3);
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(arr.status().message(), "record 1 (line 3): not a JSON object (a array)");
  auto utf = ParseRecord("{\"a\": \"\xff\"}", 0, 1);
  EXPECT_FALSE(utf.ok());
}

TEST_F(FixtureFileTest, AStreamIsCopiedFirst) {
  // A FIFO (as a pipe or process substitution gives).
  std::string fifo = File("djr_fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { WriteFile(fifo, kJsonl); });
  {
    auto f = OpenOk(fifo);
    writer.join();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->compression(), Compression::kNone);
    EXPECT_EQ(TempFiles().size(), 1u);
    CheckDjangoSample(f.get(), ScanOk(f.get()));
  }
  EXPECT_TRUE(TempFiles().empty());
}

TEST_F(FixtureFileTest, StandardInputGzipped) {
  std::string plain = Write("djr_in.json", kCompact);
  Shell("gzip -c " + ShellQuote(plain) + " > " + ShellQuote(File("djr_in.json.gz")));
  int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  int fd = ::open(File("djr_in.json.gz").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  ::close(fd);
  auto f = FixtureFile::Open("-", FileSystem::Default());
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->Describe(), "stdin (gzip)");
  CheckDjangoSample(f->get(), ScanOk(f->get()));
}

// ---------------------------------------------------------------------------
// Recognise.

bool RecogniseBytes(const std::string& path, const std::string& bytes, bool stream = false) {
  WriteFile(path, bytes);
  FileProbe probe;
  probe.path = stream ? "-" : path;
  probe.head = bytes.substr(0, kProbeBytes);
  return Recognise(probe, FileSystem::Default());
}

TEST_F(FixtureFileTest, RecognisesFixturesByTheirFirstKey) {
  for (const std::string& yes : std::vector<std::string>{
           kIndented, kCompact, kJsonl, kInvenTree, "[]", "\n[\n]\n", "\xEF\xBB\xBF[{\"model\": 1}]",
           "[\n  {\n    \"pk\" : 1", "[{\"fields\": {}}]", "{\"metadata\": true}\n", "\t{ \"model\":\"a.b\"}"}) {
    EXPECT_TRUE(RecogniseBytes(File("djr_r.json"), yes)) << yes;
  }
  for (const std::string& no : std::vector<std::string>{
           "", "   ", "[", "[ ", "[1, 2]", "[{\"id\": 1, \"model\": \"x\"}]", "{\"id\": \"a\", \"pk\": 2}\n",
           "[{\"modelx\": 1}]", "[{\"model\"}]", "[{\"model", "{}", "[[]]", "hello", "PGDMP\x01",
           std::string("SQLite format 3\0", 16), "[{\"model\" 1}]"}) {
    EXPECT_FALSE(RecogniseBytes(File("djr_r.json"), no)) << no;
  }
  FileProbe dir;
  dir.path = dir_;
  dir.is_directory = true;
  EXPECT_FALSE(Recognise(dir, FileSystem::Default()));
}

TEST_F(FixtureFileTest, RecognisesCompressedFixtures) {
  // Large enough that the compressed head is cut (a stream gives only the
  // probe's 4096 bytes).
  std::string big = "[\n";
  for (int i = 0; i < 30000; ++i)
    big += (i ? ",\n" : "") + std::string("{\"model\": \"a.b\", \"pk\": ") + std::to_string(i * 7919 % 100003) + "}";
  big += "\n]\n";
  std::string rethink = "[\n";
  for (int i = 0; i < 30000; ++i)
    rethink += (i ? ",\n" : "") + std::string("{\"id\": ") + std::to_string(i * 7919 % 100003) + "}";
  rethink += "\n]\n";
  Write("djr_big.json", big);
  Write("djr_rethink.json", rethink);
  Write("djr_small.json", kIndented);
  for (const std::string& tool : {std::string("gzip"), std::string("bzip2"), std::string("xz"),
                                  std::string("xz --format=lzma"), std::string("zip")}) {
    SCOPED_TRACE(tool);
    for (const std::string& name :
         {std::string("djr_big.json"), std::string("djr_rethink.json"), std::string("djr_small.json")}) {
      SCOPED_TRACE(name);
      std::string out = File(name + ".z");
      ::unlink(out.c_str());
      if (tool == "zip") {
        Shell("cd " + ShellQuote(dir_) + " && /usr/bin/python3 -c 'import zipfile; z = zipfile.ZipFile(\"" + name +
              ".z\", \"w\", zipfile.ZIP_DEFLATED); z.write(\"" + name + "\"); z.close()'");
      } else {
        Shell(tool + " -c " + ShellQuote(File(name)) + " > " + ShellQuote(out));
      }
      std::string bytes = ReadFile(out);
      bool fixture = name != "djr_rethink.json";
      EXPECT_EQ(RecogniseBytes(out, bytes), fixture);
      // A stream: only the peeked head. bzip2 gives nothing before its
      // first block (900 kB) ends, so only a small file is recognised.
      bool from_head = fixture && (tool != "bzip2" || bytes.size() <= kProbeBytes);
      EXPECT_EQ(RecogniseBytes(out, bytes, /*stream=*/true), from_head);
    }
  }
  // A gzipped tar (a RethinkDB dump) and cut or corrupt heads are not claimed.
  Shell("cd " + ShellQuote(dir_) + " && tar czf djr_dump.tar.gz djr_small.json");
  EXPECT_FALSE(RecogniseBytes(File("djr_dump.tar.gz"), ReadFile(File("djr_dump.tar.gz"))));
  EXPECT_FALSE(RecogniseBytes(File("djr_cut.gz"), std::string("\x1f\x8b\x08\x00", 4)));
  EXPECT_FALSE(RecogniseBytes(File("djr_cut.xz"), std::string("\xfd"
                                                              "7zXZ\0garbage",
                                                              13)));
}

// The scan's speed on a generated ~500 MB fixture: run with
// --gtest_also_run_disabled_tests --gtest_filter='*ScanSpeed*'. Prints MB/s.
TEST_F(FixtureFileTest, DISABLED_ScanSpeed) {
  const char* env = std::getenv("DJR_BENCH_FILE");
  std::string path = env && *env ? env : File("djr_bench.json");
  if (!env || !*env) {
    std::string rec = R"({
  "model": "part.part",
  "pk": 123456,
  "fields": {
    "name": "Widerstand 10k \"metal film\" \\ 0.25W",
    "description": "A resistor with a longer description text, as parts have",
    "category": 17,
    "active": true,
    "created": "2024-01-02T03:04:05.123Z",
    "price": "12.50",
    "tags": [
      1,
      2,
      3
    ]
  }
})";
    auto out = FileSystem::Default()->NewWritableFile(path);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Append("[\n").ok());
    std::string block;
    for (int i = 0; i < 1000; ++i) block += rec + ",\n";
    for (int i = 0; i < 1300; ++i) ASSERT_TRUE((*out)->Append(block).ok());
    ASSERT_TRUE((*out)->Append(rec + "\n]\n").ok());
    ASSERT_TRUE((*out)->Close().ok());
  }
  auto f = OpenOk(path);
  ASSERT_TRUE(f);
  uint64_t count = 0, bytes = 0;
  auto t0 = std::chrono::steady_clock::now();
  Status s = f->Scan([&](uint64_t, const RecordSpan& span, std::string_view) {
    ++count;
    bytes += span.length;
    return Status::OK();
  });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::printf("scan: %llu records, %.1f MB in %.3f s: %.0f MB/s\n", static_cast<unsigned long long>(count),
              static_cast<double>(f->size()) / 1e6, secs, static_cast<double>(f->size()) / 1e6 / secs);
}

}  // namespace
}  // namespace decant::django
