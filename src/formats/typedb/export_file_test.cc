#include "formats/typedb/export_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "formats/typedb/test_streams.h"
#include "tests/test_util.h"

namespace decant::typedb {
namespace {

using ::testing::HasSubstr;
using testing_util::WriteFile;
using namespace test;  // NOLINT(google-build-using-namespace)

class ExportFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("TMPDIR", dir_.path().c_str(), 1); }
  void TearDown() override { ::unsetenv("TMPDIR"); }
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_.File(name);
    WriteFile(path, bytes);
    return path;
  }
  // decant-typedb-* files in TMPDIR.
  std::vector<std::string> TempFiles() const {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir_.path().c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("decant-typedb-", 0) == 0) out.push_back(name);
    }
    ::closedir(d);
    return out;
  }
  static std::unique_ptr<ExportFile> Open(const std::string& path) {
    auto f = ExportFile::Open(path, FileSystem::Default());
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(*f) : nullptr;
  }
  // Scan's places and bytes, or its error.
  static Status ScanAll(ExportFile* f, std::vector<ItemPlace>* places, std::vector<std::string>* bytes) {
    return f->Scan([&](const ItemPlace& p, std::string_view b) {
      places->push_back(p);
      bytes->emplace_back(b);
      return Status::OK();
    });
  }
  std::string ScanError(const std::string& name, const std::string& stream) {
    auto f = Open(Write(name, stream));
    if (!f) return "cannot open";
    std::vector<ItemPlace> places;
    std::vector<std::string> bytes;
    Status s = ScanAll(f.get(), &places, &bytes);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    return s.message();
  }
  testing_util::TempDir dir_;
};

TEST_F(ExportFileTest, ScansItemsAndRereadsThem) {
  std::vector<v3::Item> items = {Header("3.12.3", "db"), Entity("e1", "person", {"a1"}),
                                 Attribute("a1", "name", String("Ann")), Checksums(1, 1, 0, 0, 1)};
  const std::string stream = Stream(items);
  auto f = Open(Write("s.typedb", stream));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), stream.size());
  std::vector<ItemPlace> places;
  std::vector<std::string> bytes;
  ASSERT_TRUE(ScanAll(f.get(), &places, &bytes).ok());
  ASSERT_EQ(places.size(), items.size());
  uint64_t off = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(places[i].number, i);
    EXPECT_EQ(places[i].offset, off);
    EXPECT_EQ(places[i].prefix, 1);
    EXPECT_EQ(bytes[i], items[i].SerializeAsString());
    off += places[i].prefix + places[i].length;
    std::string again;
    ASSERT_TRUE(f->ReadItem(places[i], &again).ok());
    EXPECT_EQ(again, bytes[i]);
    v3::Item parsed;
    ASSERT_TRUE(ParseItem(again, places[i], &parsed).ok());
    EXPECT_EQ(parsed.item_case(), items[i].item_case());
  }
  EXPECT_EQ(ItemWhere(places[2]), "item 3 at byte offset " + std::to_string(places[2].offset));
  ItemPlace beyond = places[3];
  beyond.length += 1;
  std::string out;
  EXPECT_FALSE(f->ReadItem(beyond, &out).ok());
}

TEST_F(ExportFileTest, ItemsSpanningBlocks) {
  // Items of 0.7 to 1.7 MiB and small ones between: many cross the 4 MiB
  // blocks of the scan, some are larger than what is left of a block.
  std::vector<v3::Item> items;
  for (int i = 0; i < 24; ++i) {
    items.push_back(Attribute("a" + std::to_string(i), "blob",
                              String(std::string(700000 + 43000 * i, static_cast<char>('a' + i)))));
    items.push_back(Entity("e" + std::to_string(i), "thing", {"a" + std::to_string(i)}));
  }
  auto f = Open(Write("big.typedb", Stream(items)));
  ASSERT_TRUE(f);
  std::vector<ItemPlace> places;
  std::vector<std::string> bytes;
  ASSERT_TRUE(ScanAll(f.get(), &places, &bytes).ok());
  ASSERT_EQ(places.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(bytes[i], items[i].SerializeAsString()) << i;
  EXPECT_EQ(places[2].prefix, 3);
}

TEST_F(ExportFileTest, EmptyFileHasNoItems) {
  auto f = Open(Write("empty.typedb", ""));
  ASSERT_TRUE(f);
  std::vector<ItemPlace> places;
  std::vector<std::string> bytes;
  EXPECT_TRUE(ScanAll(f.get(), &places, &bytes).ok());
  EXPECT_TRUE(places.empty());
}

TEST_F(ExportFileTest, RefusesBrokenFraming) {
  const std::string good = Stream({Header("2.17.0", "db"), Entity("e1", "person")});
  const std::string at = "item 3 at byte offset " + std::to_string(good.size()) + ": ";
  // A prefix cut short by the end of the file.
  std::string msg = ScanError("cut.typedb", good + "\x85");
  EXPECT_THAT(msg, HasSubstr("cut.typedb: " + at + "the file ends inside the length prefix (1 of its bytes)"));
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  // A length running past the end.
  msg = ScanError("past.typedb", good + Varint(50) + std::string(20, 'x'));
  EXPECT_THAT(msg, HasSubstr(at + "a length of 50 bytes runs past the end of the file (20 bytes left)"));
  // A prefix of eleven bytes.
  msg = ScanError("long.typedb", good + std::string(11, '\x80') + "\x01");
  EXPECT_THAT(msg, HasSubstr(at + "a length prefix longer than 10 bytes"));
  // Above the limit.
  msg = ScanError("huge.typedb", good + Varint(kMaxItemBytes + 1) + "x");
  EXPECT_THAT(msg, HasSubstr(at + "a length of 67108865 bytes, above the limit of 64 MiB"));
  // The last item cut short (the export stopped mid-write).
  std::string cut = Stream({Header("2.17.0", "db"), Entity("e1", "person", {"a1", "a2"})});
  msg = ScanError("short.typedb", cut.substr(0, cut.size() - 3));
  EXPECT_THAT(msg, HasSubstr("item 2 at byte offset"));
  EXPECT_THAT(msg, HasSubstr("runs past the end of the file"));
}

TEST_F(ExportFileTest, ParseItemRefusesUnknownAndEmpty) {
  ItemPlace place;
  place.number = 6;
  place.offset = 123;
  v3::Item item;
  // Field 7, a string: no case decant knows.
  std::string unknown = std::string("\x3a\x03") + "abc";
  Status s = ParseItem(unknown, place, &item);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("item 7 at byte offset 123: an item of unknown case 7"));
  s = ParseItem("", place, &item);
  EXPECT_THAT(s.message(), HasSubstr("item 7 at byte offset 123: an empty item (no case set)"));
  s = ParseItem("\xff\xff\xff", place, &item);
  EXPECT_THAT(s.message(), HasSubstr("item 7 at byte offset 123: not a well-formed item (3 bytes)"));
}

TEST_F(ExportFileTest, OpenErrors) {
  auto f = ExportFile::Open(dir_.File("missing.typedb"), FileSystem::Default());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(f.status().message(), HasSubstr("missing.typedb"));
  f = ExportFile::Open(dir_.path(), FileSystem::Default());
  EXPECT_FALSE(f.ok());
}

TEST_F(ExportFileTest, StandardInputIsCopiedAndRemoved) {
  const std::string stream = Stream({Header("1.7.3", "grakn"), Entity("V1", "person"), Checksums(1, 0, 0, 0, 0)});
  std::string path = Write("in.typedb", stream);
  int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  ::close(fd);
  auto f = ExportFile::Open("-", FileSystem::Default());
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->Describe(), "stdin");
  EXPECT_EQ((*f)->size(), stream.size());
  EXPECT_EQ(TempFiles().size(), 1u);
  std::vector<ItemPlace> places;
  std::vector<std::string> bytes;
  ASSERT_TRUE(ScanAll(f->get(), &places, &bytes).ok());
  EXPECT_EQ(places.size(), 3u);
  f->reset();
  EXPECT_TRUE(TempFiles().empty());
}

}  // namespace
}  // namespace decant::typedb
