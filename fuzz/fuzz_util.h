// What the fuzz targets share (docs/fuzzing.md): an in-memory FileSystem the
// readers are handed instead of the disk, and a drain of a whole Source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"
#include "io/file_system.h"

namespace decant::fuzz {

// Files and directories held in memory. The fuzzer's bytes are put at a path
// (AddFile) and a reader opens that path through this FileSystem, so nothing
// of the input touches the disk and every run starts from the same state.
// What a reader writes (a RethinkDB dump's members, unpacked; a copy of a
// compressed fixture) stays in memory too. A reader that makes a temporary
// file or directory on the real disk first (mkstemp, mkdtemp under $TMPDIR)
// and removes it through this FileSystem: Remove also removes the real one,
// when it lies under the directory FuzzTempDir() made.
class MemoryFileSystem final : public FileSystem {
 public:
  // `regular_files`: whether IsRegularFile says a file can be read at any
  // offset (false: the readers treat every file as a pipe, as for stdin).
  explicit MemoryFileSystem(bool regular_files = true) : regular_files_(regular_files) {}

  void AddFile(const std::string& path, std::string_view bytes);
  void AddDir(const std::string& path);

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  bool Exists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  bool IsRegularFile(const std::string& path) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;

 private:
  static std::string Normal(const std::string& path);
  std::mutex mu_;
  bool regular_files_;
  // Shared so that an open file keeps its bytes after a Remove.
  std::map<std::string, std::shared_ptr<std::string>> files_;
  std::map<std::string, bool> dirs_;
};

// A private directory for the temporary files readers make on the real disk
// ($TMPDIR is pointed at it), removed at exit. Call once, from
// LLVMFuzzerInitialize.
void UseFuzzTempDir();

// Reads everything `source` offers: the schema, every row of every table
// (each table in schema order), then Finish. Errors are the expected outcome
// of most inputs and are ignored; what the fuzzer looks for is a crash, a
// sanitizer report, a hang or a leak on the way.
void DrainSource(Source* source);

}  // namespace decant::fuzz
