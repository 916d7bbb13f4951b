// FileSystem: the one door through which decant touches local files.
//
// Archive code never calls open()/write() itself, so tests can wrap the
// default implementation to inject a full disk, a failed fsync or a short
// write. The path "-" names standard input (for reading) and standard output
// (for writing).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace decant {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // A write interrupted by a signal (Ctrl-C while a pipe is full) or refused
  // because the reader of a pipe went away is Cancelled.
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;  // fsync; a no-op for pipes
  virtual Status Close() = 0;
};

// Reads a file (or stdin) front to back.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; *got == 0 means end of file. A read
  // interrupted by a signal (Ctrl-C while waiting on a pipe or a terminal)
  // is Cancelled.
  virtual Status Read(size_t n, char* scratch, size_t* got) = 0;
};

// Reads a regular file at any offset.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly n bytes at offset; Corruption("truncated") if the file ends first.
  virtual Status ReadAt(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The process-wide POSIX implementation.
  static FileSystem* Default();

  // Creates or truncates `path`; "-" is standard output. A regular file is
  // made owner-only (0600) whatever the umask: what decant writes holds rows.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // "-" is standard input.
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;

  virtual bool Exists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // True for a regular file (after symlinks): one that can be read at any
  // offset. A FIFO, a pipe such as /dev/fd/N, a socket or a device is not.
  // The default, for wrappers that do not say, assumes an existing
  // non-directory is one.
  virtual bool IsRegularFile(const std::string& path) { return Exists(path) && !IsDirectory(path); }
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Creates a directory owner-only (0700) whatever the umask; OK, and left as
  // it is, if it exists.
  virtual Status CreateDir(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;  // file, or directory recursively
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;

  // Up to `n` first bytes of the file at `path` ("-" = standard input), for
  // recognising what it holds (formats/). Fewer only at the end of the file.
  // Peeking consumes nothing: a stream (stdin, a FIFO, /dev/fd/N) is read
  // once, and the next NewSequentialFile(path) returns the peeked bytes
  // first, then the rest of the same stream; a stream whose read failed
  // (Cancelled by Ctrl-C) gives that failure again. The default reads a fresh
  // sequential file, which is right for regular files only.
  virtual Result<std::string> Peek(const std::string& path, size_t n);
};

// Forwards every call to another FileSystem, so a test overrides only the
// calls it injects faults into. Does not own `base`, which must outlive it.
class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(FileSystem* base = FileSystem::Default()) : base_(base) {}
  FileSystem* base() const { return base_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return base_->NewWritableFile(path);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    return base_->NewSequentialFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  bool IsRegularFile(const std::string& path) override { return base_->IsRegularFile(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  Status Rename(const std::string& from, const std::string& to) override { return base_->Rename(from, to); }
  Status Remove(const std::string& path) override { return base_->Remove(path); }
  Status SyncDir(const std::string& path) override { return base_->SyncDir(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override { return base_->ListDir(path); }
  Result<std::string> Peek(const std::string& path, size_t n) override { return base_->Peek(path, n); }

 private:
  FileSystem* base_;
};

// Where a file or directory is built before it is published under `path`:
// "<path>.partial", beside it, so the rename stays on one file system.
std::string PartialPath(const std::string& path);

// Directory part of a path ("." if none).
std::string DirName(const std::string& path);
// Last component of a path.
std::string BaseName(const std::string& path);
// Joins with exactly one '/'.
std::string JoinPath(const std::string& a, const std::string& b);

// Publishes a finished file or directory: fsync'd contents are renamed from
// `partial` to `final_path` and the parent directory is fsync'd, so a file at
// its final name is always complete. Something already at `final_path` (that
// appeared while the output was being written) is FailedPrecondition, left as
// it is, unless `replace` (the command line's --force): then a file is
// replaced by the rename at once, and a directory (or a file that a directory
// replaces) is removed just before the rename, once the new output is complete.
Status Publish(FileSystem* fs, const std::string& partial, const std::string& final_path, bool replace = false);

// Whether a Sink may write the file `what` (e.g. "archive file") at `path`,
// to Publish it there on Commit: FailedPrecondition, one line, when a
// directory is there, or a file and not `replace`. "-" (stdout) is always OK.
Status CheckOutputFile(FileSystem* fs, const std::string& path, const std::string& what, bool replace);

// Creates (or replaces) the file at `path` holding `data`, fsynced and closed.
// The caller fsyncs the directory when the file's name must be durable too.
Status WriteFileSynced(FileSystem* fs, const std::string& path, std::string_view data);

}  // namespace decant
