#include "archive/dump_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using testing_util::ReadFile;
using testing_util::TempDir;
using testing_util::WriteFile;

// dump.json exactly as decant 0.2.0 (dump index format 1.0) writes it.
constexpr char kIndexV10[] = R"({
  "format": "decant-server-dump",
  "format_version": "1.0",
  "decant_version": "0.2.0",
  "created_at": "2026-11-22T10:15:00Z",
  "databases": [
    {
      "name": "shop",
      "archive": "0001.decant"
    },
    {
      "name": "Ünïcode db",
      "archive": "0002.decant"
    }
  ]
}
)";

class DumpIndexTest : public ::testing::Test {
 protected:
  // Writes `text` as the dump.json of a fresh dump directory and reads it back.
  Result<DumpIndex> Read(const std::string& text) {
    WriteFile(tmp_.File("dump.json"), text);
    return ReadDumpIndex(FileSystem::Default(), tmp_.path());
  }
  Status ReadStatus(const std::string& text) { return Read(text).status(); }
  std::string IndexPath() const { return tmp_.File("dump.json"); }

  TempDir tmp_;
};

TEST_F(DumpIndexTest, ReadsAGoodIndex) {
  auto index = Read(kIndexV10);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->format_major, 1u);
  EXPECT_EQ(index->format_minor, 0u);
  EXPECT_EQ(index->decant_version, "0.2.0");
  EXPECT_EQ(index->created_at, "2026-11-22T10:15:00Z");
  ASSERT_EQ(index->databases.size(), 2u);
  EXPECT_EQ(index->databases[0], (DumpIndexEntry{"shop", "0001.decant"}));
  EXPECT_EQ(index->databases[1], (DumpIndexEntry{"Ünïcode db", "0002.decant"}));
}

TEST_F(DumpIndexTest, WritesTheDocumentedLayoutAndReadsItBack) {
  DumpIndex index;
  index.decant_version = "0.2.0";
  index.created_at = "2026-11-22T10:15:00Z";
  index.databases = {{"shop", "0001.decant"}, {"Ünïcode db", "0002.decant"}};
  EXPECT_EQ(DumpIndexToJson(index), kIndexV10);
  ASSERT_TRUE(WriteDumpIndex(FileSystem::Default(), tmp_.path(), index).ok());
  EXPECT_EQ(ReadFile(IndexPath()), kIndexV10);
  auto back = ReadDumpIndex(FileSystem::Default(), tmp_.path());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->databases, index.databases);
}

TEST_F(DumpIndexTest, ANameThatIsNotUtf8RoundTripsAsHex) {
  DumpIndex index;
  index.databases = {{"caf\xe9", "0001.decant"}};
  std::string json = DumpIndexToJson(index);
  EXPECT_THAT(json, HasSubstr(R"("name": {
        "hex": "636166e9"
      })"));
  DumpIndex back;
  ASSERT_TRUE(DumpIndexFromJson(json, "dump.json", &back).ok());
  EXPECT_EQ(back.databases, index.databases);
}

TEST_F(DumpIndexTest, ANewerMinorVersionReadsAndIgnoresWhatItAdds) {
  std::string text = R"({"format": "decant-server-dump", "format_version": "1.7", "added_later": [1, 2],
    "databases": [{"name": "a", "archive": "0001.decant", "size": 12}]})";
  auto index = Read(text);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->format_minor, 7u);
  EXPECT_EQ(index->decant_version, "");  // optional keys default to empty
  EXPECT_EQ(index->databases, (std::vector<DumpIndexEntry>{{"a", "0001.decant"}}));
}

TEST_F(DumpIndexTest, ANewerMajorVersionIsRefused) {
  // Refused before anything else in it is looked at.
  Status s = ReadStatus(R"({"format": "decant-server-dump", "format_version": "2.0", "databases": 7})");
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedVersion);
  EXPECT_EQ(s.message(), "dump format version 2.0 is newer than this decant reads (1.x); use a newer decant");
}

TEST_F(DumpIndexTest, CorruptJsonIsRefused) {
  for (const std::string& text :
       {std::string(kIndexV10).substr(0, 100), std::string("not json"), std::string(""), std::string("[1, 2]")}) {
    SCOPED_TRACE(text);
    Status s = ReadStatus(text);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_THAT(s.message(), HasSubstr("malformed " + IndexPath() + ": "));
  }
}

TEST_F(DumpIndexTest, AnotherFormatIsNotADumpIndex) {
  for (std::string text :
       {R"({"format": "decant-archive", "format_version": "1.0", "databases": []})", R"({"databases": []})"}) {
    Status s = ReadStatus(text);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_EQ(s.message(), IndexPath() + " is not a decant dump index");
  }
}

TEST_F(DumpIndexTest, MissingOrMistypedFieldsAreRefused) {
  struct Case {
    std::string json;
    std::string error;
  };
  const std::string head = R"({"format": "decant-server-dump", )";
  for (const Case& c : std::vector<Case>{
           {head + R"("databases": []})", "format_version: missing"},
           {head + R"("format_version": "one", "databases": []})", "format_version: expected MAJOR.MINOR, got \"one\""},
           {head + R"("format_version": "0.9", "databases": []})", "format_version: expected MAJOR.MINOR, got \"0.9\""},
           {head + R"("format_version": 1, "databases": []})", "format_version: expected a string"},
           {head + R"("format_version": "1.0"})", "databases: expected an array"},
           {head + R"("format_version": "1.0", "databases": {}})", "databases: expected an array"},
           {head + R"("format_version": "1.0", "databases": [3]})", "databases[0]: expected an object"},
           {head + R"("format_version": "1.0", "databases": [{"archive": "0001.decant"}]})",
            "databases[0].name: missing"},
           {head + R"("format_version": "1.0", "databases": [{"name": "a"}]})", "databases[0].archive: missing"},
           {head + R"("format_version": "1.0", "databases": [{"name": "a", "archive": 1}]})",
            "databases[0].archive: expected a string"},
           {head + R"("format_version": "1.0", "databases": [{"name": {"hex": "zz"}, "archive": "a"}]})",
            "databases[0].name: not hex digits"},
       }) {
    SCOPED_TRACE(c.json);
    Status s = ReadStatus(c.json);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_EQ(s.message(), "malformed " + IndexPath() + ": " + c.error);
  }
}

TEST_F(DumpIndexTest, AnArchiveOutsideTheDumpIsRefused) {
  for (std::string name : {"../x.decant", "/etc/passwd", "sub/0001.decant", ".hidden", ""}) {
    SCOPED_TRACE(name);
    Status s = ReadStatus(R"({"format": "decant-server-dump", "format_version": "1.0", "databases": [{"name": "a",
      "archive": ")" + name +
                          R"("}]})");
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_EQ(s.message(), IndexPath() + ": archive name '" + name + "' is not a file in the dump");
  }
}

TEST_F(DumpIndexTest, AMissingIndexOrDirectory) {
  auto missing = ReadDumpIndex(FileSystem::Default(), tmp_.path());
  EXPECT_EQ(missing.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(missing.status().message(),
            "dump " + tmp_.path() + " is incomplete: no dump.json (dumping did not finish?)");
  auto nodir = ReadDumpIndex(FileSystem::Default(), tmp_.File("nothing"));
  EXPECT_EQ(nodir.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace decant
