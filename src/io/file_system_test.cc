// Publish and CheckOutputFile: what may be replaced at an output's final name.
#include "io/file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace decant {
namespace {

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("s16_io_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  static void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
  FileSystem* fs_ = FileSystem::Default();
};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// What decant creates is owner-only whatever the umask (issue 17): files 0600,
// directories 0700, even under a umask that would take the owner's own bits;
// an existing directory, and a device named as the output, keep their mode.
TEST_F(PublishTest, CreatesOwnerOnlyWhateverTheUmask) {
  for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
    SCOPED_TRACE(mask);
    mode_t old = ::umask(mask);
    std::string d = P("d" + std::to_string(mask)), f = P("f" + std::to_string(mask));
    ASSERT_TRUE(fs_->CreateDir(d).ok());
    auto file = fs_->NewWritableFile(f);
    ::umask(old);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append("rows").ok());
    ASSERT_TRUE((*file)->Close().ok());
    EXPECT_EQ(ModeOf(d), 0700u);
    EXPECT_EQ(ModeOf(f), 0600u);
  }
  std::filesystem::create_directory(P("mine"));
  std::filesystem::permissions(P("mine"), std::filesystem::perms(0755));
  ASSERT_TRUE(fs_->CreateDir(P("mine")).ok());
  EXPECT_EQ(ModeOf(P("mine")), 0755u);
  mode_t null_mode = ModeOf("/dev/null");
  auto dev = fs_->NewWritableFile("/dev/null");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(ModeOf("/dev/null"), null_mode);
}

TEST_F(PublishTest, RefusesWhatAppearedUnlessReplace) {
  Write(P("out.partial"), "new");
  Write(P("out"), "old");
  Status st = Publish(fs_, P("out.partial"), P("out"));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(Read(P("out")), "old");
  ASSERT_TRUE(Publish(fs_, P("out.partial"), P("out"), /*replace=*/true).ok());
  EXPECT_EQ(Read(P("out")), "new");
  EXPECT_FALSE(fs_->Exists(P("out.partial")));
}

TEST_F(PublishTest, ReplacesADirectoryOnlyWhenAsked) {
  std::filesystem::create_directories(P("d.partial"));
  Write(P("d.partial/manifest.json"), "new");
  std::filesystem::create_directories(P("d"));
  Write(P("d/old-chunk"), "old");
  EXPECT_FALSE(Publish(fs_, P("d.partial"), P("d")).ok());
  EXPECT_EQ(Read(P("d/old-chunk")), "old");
  ASSERT_TRUE(Publish(fs_, P("d.partial"), P("d"), true).ok());
  EXPECT_EQ(Read(P("d/manifest.json")), "new");
  EXPECT_FALSE(fs_->Exists(P("d/old-chunk")));
  // A file replaced by a directory.
  std::filesystem::create_directories(P("f.partial"));
  Write(P("f"), "old");
  ASSERT_TRUE(Publish(fs_, P("f.partial"), P("f"), true).ok());
  EXPECT_TRUE(fs_->IsDirectory(P("f")));
}

TEST_F(PublishTest, CheckOutputFile) {
  EXPECT_TRUE(CheckOutputFile(fs_, "-", "archive file", false).ok());
  EXPECT_TRUE(CheckOutputFile(fs_, P("new"), "archive file", false).ok());
  Write(P("old"), "x");
  Status st = CheckOutputFile(fs_, P("old"), "archive file", false);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "cannot write archive file " + P("old") + ": it already exists");
  EXPECT_TRUE(CheckOutputFile(fs_, P("old"), "archive file", true).ok());
  st = CheckOutputFile(fs_, dir_.string(), "archive file", true);
  EXPECT_EQ(st.message(), "cannot write archive file " + dir_.string() + ": it is a directory");
}

}  // namespace
}  // namespace decant
