#include "io/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

namespace decant {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::NoSpace(msg);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, bool owned) : path_(std::move(path)), fd_(fd), owned_(owned) {}
  ~PosixWritableFile() override {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        // Signals are caught without SA_RESTART (pipeline/interrupt.cc), so
        // that Ctrl-C ends a write blocked on a full pipe.
        if (errno == EINTR) return Status::Cancelled("interrupted while writing " + path_);
        if (errno == EPIPE) return Status::Cancelled("the reader of " + path_ + " went away");
        return ErrnoStatus("cannot write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }
  Status Sync() override {
    if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
      return ErrnoStatus("cannot fsync", path_, errno);
    }
    return Status::OK();
  }
  Status Close() override {
    if (!owned_ || fd_ < 0) return Status::OK();
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoStatus("cannot close", path_, errno);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
  bool owned_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd, bool owned) : path_(std::move(path)), fd_(fd), owned_(owned) {}
  ~PosixSequentialFile() override {
    if (owned_) ::close(fd_);
  }
  Status Read(size_t n, char* scratch, size_t* got) override {
    *got = 0;
    while (*got < n) {
      ssize_t r = ::read(fd_, scratch + *got, n - *got);
      if (r < 0) {
        // Ctrl-C while waiting on a pipe or a terminal (no SA_RESTART).
        if (errno == EINTR) return Status::Cancelled("interrupted while reading " + path_);
        return ErrnoStatus("cannot read", path_, errno);
      }
      if (r == 0) break;
      *got += static_cast<size_t>(r);
    }
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
  bool owned_;
};

// A stream that was peeked: the peeked bytes first, then the rest of the fd.
class ReplaySequentialFile final : public SequentialFile {
 public:
  ReplaySequentialFile(std::string replay, std::unique_ptr<SequentialFile> rest)
      : replay_(std::move(replay)), rest_(std::move(rest)) {}
  Status Read(size_t n, char* scratch, size_t* got) override {
    size_t from_replay = std::min(n, replay_.size() - pos_);
    std::memcpy(scratch, replay_.data() + pos_, from_replay);
    pos_ += from_replay;
    size_t more = 0;
    if (from_replay < n) DECANT_RETURN_IF_ERROR(rest_->Read(n - from_replay, scratch + from_replay, &more));
    *got = from_replay + more;
    return Status::OK();
  }

 private:
  std::string replay_;
  size_t pos_ = 0;
  std::unique_ptr<SequentialFile> rest_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Status ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    if (offset > size_ || n > size_ - offset) {
      return Status::Corruption("truncated file " + path_ + ": wanted " + std::to_string(n) + " bytes at offset " +
                                std::to_string(offset) + ", file has " + std::to_string(size_));
    }
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot read", path_, errno);
      }
      if (r == 0) return Status::Corruption("truncated file " + path_);
      done += static_cast<size_t>(r);
    }
    return Status::OK();
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

// The modes of what decant creates (docs/cli.md, "Files decant writes").
constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    if (path == "-") return std::unique_ptr<WritableFile>(new PosixWritableFile("<stdout>", 1, false));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode);
    if (fd < 0) return ErrnoStatus("cannot create", path, errno);
    // Owner-only whatever the umask, as pg_dump makes its files: what decant
    // writes holds a database's rows. Only a regular file: a FIFO or a device
    // named as the output keeps its own mode.
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) != kFileMode &&
        ::fchmod(fd, kFileMode) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot make owner-only", path, err);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, true));
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = peeked_.find(path);
      if (it != peeked_.end()) {
        DECANT_RETURN_IF_ERROR(it->second.failed);
        Peeked p = std::move(it->second);
        peeked_.erase(it);
        return std::unique_ptr<SequentialFile>(new ReplaySequentialFile(std::move(p.bytes), std::move(p.rest)));
      }
    }
    return OpenSequential(path);
  }
  Result<std::string> Peek(const std::string& path, size_t n) override {
    bool stream = path == "-" || (Exists(path) && !IsRegularFile(path) && !IsDirectory(path));
    if (!stream) return FileSystem::Peek(path, n);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = peeked_.find(path);
    if (it == peeked_.end()) {
      DECANT_ASSIGN_OR_RETURN(auto file, OpenSequential(path));
      it = peeked_.emplace(path, Peeked{std::string(), std::move(file), Status::OK()}).first;
    }
    Peeked& p = it->second;
    DECANT_RETURN_IF_ERROR(p.failed);  // an interrupted wait is not waited for again
    if (p.bytes.size() < n) {
      size_t have = p.bytes.size(), got = 0;
      p.bytes.resize(n);
      Status s = p.rest->Read(n - have, p.bytes.data() + have, &got);
      p.bytes.resize(have + got);
      p.failed = s;
      DECANT_RETURN_IF_ERROR(s);
    }
    return p.bytes.substr(0, std::min(n, p.bytes.size()));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot stat", path, err);
    }
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }
  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }
  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  bool IsRegularFile(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), kDirMode) != 0) {
      if (errno == EEXIST) return Status::OK();  // not ours: its mode stays
      return ErrnoStatus("cannot create directory", path, errno);
    }
    // mkdir's mode passes through the umask; a directory decant made is owner-only whatever it is.
    if (::chmod(path.c_str(), kDirMode) != 0) return ErrnoStatus("cannot make owner-only", path, errno);
    return Status::OK();
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("cannot rename to " + to + ":", from, errno);
    return Status::OK();
  }
  Status Remove(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return Status::IOError("cannot remove " + path + ": " + ec.message());
    return Status::OK();
  }
  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open directory", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL) return ErrnoStatus("cannot fsync directory", path, err);
    return Status::OK();
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (!d) return ErrnoStatus("cannot list", path, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    return names;
  }

 private:
  struct Peeked {
    std::string bytes;
    std::unique_ptr<SequentialFile> rest;
    Status failed;  // the stream's read failed: every later Peek gives this
  };
  static Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) {
    if (path == "-") return std::unique_ptr<SequentialFile>(new PosixSequentialFile("<stdin>", 0, false));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open", path, errno);
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd, true));
  }
  std::mutex mu_;
  std::map<std::string, Peeked> peeked_;  // streams peeked and not yet reopened
};

}  // namespace

Result<std::string> FileSystem::Peek(const std::string& path, size_t n) {
  DECANT_ASSIGN_OR_RETURN(auto file, NewSequentialFile(path));
  std::string bytes(n, '\0');
  size_t got = 0;
  DECANT_RETURN_IF_ERROR(file->Read(n, bytes.data(), &got));
  bytes.resize(got);
  return bytes;
}

FileSystem* FileSystem::Default() {
  static PosixFileSystem fs;
  return &fs;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

std::string PartialPath(const std::string& path) { return path + ".partial"; }

Status Publish(FileSystem* fs, const std::string& partial, const std::string& final_path, bool replace) {
  if (fs->Exists(final_path)) {
    if (!replace) {
      return Status::FailedPrecondition("cannot write " + final_path +
                                        ": it appeared while decant was writing it, and is left as it is");
    }
    // rename() replaces a file at once, never a directory that holds anything.
    if (fs->IsDirectory(final_path) || fs->IsDirectory(partial)) DECANT_RETURN_IF_ERROR(fs->Remove(final_path));
  }
  DECANT_RETURN_IF_ERROR(fs->Rename(partial, final_path));
  return fs->SyncDir(DirName(final_path));
}

Status CheckOutputFile(FileSystem* fs, const std::string& path, const std::string& what, bool replace) {
  if (path == "-") return Status::OK();
  if (fs->IsDirectory(path))
    return Status::FailedPrecondition("cannot write " + what + " " + path + ": it is a directory");
  if (!replace && fs->Exists(path)) {
    return Status::FailedPrecondition("cannot write " + what + " " + path + ": it already exists");
  }
  return Status::OK();
}

Status WriteFileSynced(FileSystem* fs, const std::string& path, std::string_view data) {
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewWritableFile(path));
  DECANT_RETURN_IF_ERROR(f->Append(data));
  DECANT_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

}  // namespace decant
