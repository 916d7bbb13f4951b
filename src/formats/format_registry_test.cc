#include "formats/format_registry.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using testing_util::TempDir;
using testing_util::WriteFile;

// A one-table archive written through the registry's own sink.
void WriteSampleArchive(const std::string& path, bool directory) {
  Schema schema;
  schema.engine = "sqlite";
  Table t;
  t.name = "t";
  Column c;
  c.name = "x";
  c.type.logical = LogicalType::kInt64;
  t.columns.push_back(c);
  schema.tables.push_back(t);
  FileWriteOptions options;
  options.directory = directory;
  auto sink = OpenFileSink(path, "decant", options);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE((*sink)->Begin(schema, SinkOptions{}).ok());
  auto w = (*sink)->OpenTable(schema.tables[0]);
  ASSERT_TRUE(w.ok());
  RowBatch batch(1);
  batch.AppendRow()[0] = Value::Int(42);
  ASSERT_TRUE((*w)->Write(batch).ok());
  ASSERT_TRUE((*w)->Close().ok());
  w->reset();
  ASSERT_TRUE((*sink)->Commit().ok());
}

int64_t ReadOnlyValue(Source* src) {
  auto schema = src->ReadSchema();
  EXPECT_TRUE(schema.ok());
  auto r = src->OpenTable(schema->tables.at(0));
  EXPECT_TRUE(r.ok());
  RowBatch batch;
  auto more = (*r)->Next(&batch);
  EXPECT_TRUE(more.ok() && *more);
  return batch.num_rows() == 1 ? batch.at(0, 0).as_int() : -1;
}

TEST(FormatRegistry, ArchiveFileAndDirectoryAreRecognisedByTheirBytes) {
  TempDir tmp;
  WriteSampleArchive(tmp.File("a.json"), false);  // the name says nothing
  WriteSampleArchive(tmp.File("d"), true);
  for (const std::string& p : {tmp.File("a.json"), tmp.File("d")}) {
    auto f = RecogniseFile(p);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ((*f)->name, "decant");
    auto src = OpenFileSource(p);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    EXPECT_EQ(ReadOnlyValue(src->get()), 42);
  }
}

TEST(FormatRegistry, AStreamIsPeekedWithoutLosingItsFirstBytes) {
  TempDir tmp;
  WriteSampleArchive(tmp.File("a.dca"), false);
  std::string bytes = testing_util::ReadFile(tmp.File("a.dca"));
  std::string fifo = tmp.File("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { WriteFile(fifo, bytes); });
  auto src = OpenFileSource(fifo);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ(ReadOnlyValue(src->get()), 42);
  EXPECT_TRUE((*src)->Finish().ok());
  writer.join();
}

TEST(FormatRegistry, UnrecognisedInputsSayWhatTheyLookLike) {
  TempDir tmp;
  struct Case {
    std::string name, bytes, expect;
  };
  std::vector<Case> cases = {
      {"empty", "", "it is empty"},
      {"app.db", std::string("SQLite format 3\0rest", 20), "read it as sqlite://"},
      {"x.dump", "PGDMP\x01\x0e", "pg_dump custom-format"},
      {"x.gz", std::string("\x1f\x8b\x08\x00", 4), "gzip"},
      {"x.zst", std::string("\x28\xb5\x2f\xfd\x00", 5), "zstd"},
      {"data.json", "  [{\"id\": 1, \"model\": \"auth.user\"}]", "JSON"},
      {"dump.sql", "-- MySQL dump 10.19\nCREATE TABLE t (x int);", "SQL script"},
      {"notes.txt", "hello", "text of no known format"},
      {"x.bin", std::string("\x01\x02\x03\x00", 4), "binary data"},
  };
  for (const Case& c : cases) {
    WriteFile(tmp.File(c.name), c.bytes);
    auto f = RecogniseFile(tmp.File(c.name));
    ASSERT_FALSE(f.ok()) << c.name;
    EXPECT_EQ(f.status().code(), StatusCode::kCorruption) << c.name;
    EXPECT_THAT(f.status().message(), HasSubstr("not a decant archive")) << c.name;
    EXPECT_THAT(f.status().message(), HasSubstr(c.expect)) << c.name;
    EXPECT_THAT(f.status().message(), HasSubstr("decant reads: decant archive")) << c.name;
    EXPECT_EQ(f.status().message().find('\n'), std::string::npos) << c.name;
  }
  ASSERT_EQ(::mkdir(tmp.File("dir").c_str(), 0700), 0);
  WriteFile(tmp.File("dir/dump.json"), "{}");
  auto f = RecogniseFile(tmp.File("dir"));
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("decant restore"));
}

TEST(FormatRegistry, DjangoFixturesAreRecognisedByTheirFirstKey) {
  TempDir tmp;
  WriteFile(tmp.File("djr_data.json"), "[\n{\n  \"model\": \"auth.user\",\n  \"pk\": 1,\n  \"fields\": {}\n}\n]\n");
  WriteFile(tmp.File("djr_data.jsonl"), "{\"model\": \"auth.user\",\"pk\": 1,\"fields\": {}}\n");
  WriteFile(tmp.File("djr_inventree"), "[\n  {\n    \"metadata\": true,\n    \"source_version\": \"0.17\"\n  }\n]");
  WriteFile(tmp.File("djr_empty.json"), "[]");
  for (const char* name : {"djr_data.json", "djr_data.jsonl", "djr_inventree", "djr_empty.json"}) {
    auto f = RecogniseFile(tmp.File(name));
    ASSERT_TRUE(f.ok()) << name << ": " << f.status().ToString();
    EXPECT_EQ((*f)->name, "django") << name;
  }
  ASSERT_EQ(std::system(("gzip -k " + tmp.File("djr_data.json")).c_str()), 0);
  auto gz = RecogniseFile(tmp.File("djr_data.json.gz"));
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  EXPECT_EQ((*gz)->name, "django");
  // A RethinkDB export's table file: an array of arbitrary documents.
  WriteFile(tmp.File("djr_table.json"), "[{\"id\": 1, \"model\": \"x\"}]");
  EXPECT_FALSE(RecogniseFile(tmp.File("djr_table.json")).ok());
}

TEST(FormatRegistry, MissingInputIsNotFoundAndUnknownFormatNamesTheChoices) {
  TempDir tmp;
  auto f = RecogniseFile(tmp.File("nope"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  auto src = OpenFileSource(tmp.File("nope"));
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kNotFound);
  auto sink = OpenFileSink(tmp.File("out"), "parquet", FileWriteOptions{});
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(sink.status().message(), HasSubstr("decant"));
  EXPECT_TRUE(FindFormat("DECANT").ok());
}

// Files written by the real pg_dump (the test server's own), in each of its
// formats: each is named for what it is. Skips without the test servers.
TEST(FormatRegistry, RealPgDumpFilesAreNamed) {
  std::string uri = testing_util::Env("DECANT_TEST_PG15_URI");
  std::string bindir = testing_util::Env("DECANT_TEST_PG_BINDIR_15");
  if (uri.empty() || bindir.empty()) GTEST_SKIP() << "no PostgreSQL test server (scripts/servers/postgresql.sh env)";
  TempDir tmp;
  struct Case {
    const char* format;
    const char* name;
    const char* expect;
  };
  for (const Case& c : {Case{"c", "x.dump", "pg_dump custom-format"}, Case{"d", "x.dir", "pg_dump directory-format"},
                        Case{"t", "x.tar", "pg_dump tar-format"}, Case{"p", "x.sql", "SQL script"}}) {
    std::string out = tmp.File(c.name);
    std::string cmd = "'" + bindir + "/pg_dump' -F" + c.format + " -f '" + out + "' '" + uri + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto f = RecogniseFile(out);
    ASSERT_FALSE(f.ok()) << c.name;
    EXPECT_THAT(f.status().message(), HasSubstr(c.expect)) << c.name;
  }
}

}  // namespace
}  // namespace decant
