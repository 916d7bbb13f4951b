#include "fuzz_util.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/row_batch.h"

namespace decant::fuzz {
namespace {

std::string& TempDir() {
  static std::string dir;
  return dir;
}

class MemoryWritableFile final : public WritableFile {
 public:
  explicit MemoryWritableFile(std::shared_ptr<std::string> bytes) : bytes_(std::move(bytes)) {}
  Status Append(std::string_view data) override {
    bytes_->append(data);
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }

 private:
  std::shared_ptr<std::string> bytes_;
};

class MemorySequentialFile final : public SequentialFile {
 public:
  explicit MemorySequentialFile(std::shared_ptr<std::string> bytes) : bytes_(std::move(bytes)) {}
  Status Read(size_t n, char* scratch, size_t* got) override {
    *got = std::min(n, bytes_->size() - pos_);
    if (*got > 0) std::memcpy(scratch, bytes_->data() + pos_, *got);
    pos_ += *got;
    return Status::OK();
  }

 private:
  std::shared_ptr<std::string> bytes_;
  size_t pos_ = 0;
};

class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemoryRandomAccessFile(std::shared_ptr<std::string> bytes) : bytes_(std::move(bytes)) {}
  Status ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    if (offset > bytes_->size() || n > bytes_->size() - offset) return Status::Corruption("truncated");
    if (n > 0) std::memcpy(scratch, bytes_->data() + offset, n);
    return Status::OK();
  }
  uint64_t Size() const override { return bytes_->size(); }

 private:
  std::shared_ptr<std::string> bytes_;
};

bool UnderTempDir(const std::string& path) {
  const std::string& dir = TempDir();
  return !dir.empty() && path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

std::string MemoryFileSystem::Normal(const std::string& path) {
  std::string p;
  for (char c : path) {
    if (c == '/' && !p.empty() && p.back() == '/') continue;
    p += c;
  }
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

void MemoryFileSystem::AddFile(const std::string& path, std::string_view bytes) {
  std::lock_guard lock(mu_);
  files_[Normal(path)] = std::make_shared<std::string>(bytes);
}

void MemoryFileSystem::AddDir(const std::string& path) {
  std::lock_guard lock(mu_);
  dirs_[Normal(path)] = true;
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewWritableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string p = Normal(path);
  if (dirs_.count(p)) return Status::IOError(path + " is a directory");
  auto bytes = std::make_shared<std::string>();
  files_[p] = bytes;
  return std::unique_ptr<WritableFile>(new MemoryWritableFile(bytes));
}

Result<std::unique_ptr<SequentialFile>> MemoryFileSystem::NewSequentialFile(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(path));
  if (it == files_.end()) return Status::NotFound("cannot open " + path + ": No such file or directory");
  return std::unique_ptr<SequentialFile>(new MemorySequentialFile(it->second));
}

Result<std::unique_ptr<RandomAccessFile>> MemoryFileSystem::NewRandomAccessFile(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(path));
  if (it == files_.end()) return Status::NotFound("cannot open " + path + ": No such file or directory");
  return std::unique_ptr<RandomAccessFile>(new MemoryRandomAccessFile(it->second));
}

bool MemoryFileSystem::Exists(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string p = Normal(path);
  return files_.count(p) || dirs_.count(p);
}

bool MemoryFileSystem::IsDirectory(const std::string& path) {
  std::lock_guard lock(mu_);
  return dirs_.count(Normal(path)) > 0;
}

bool MemoryFileSystem::IsRegularFile(const std::string& path) {
  std::lock_guard lock(mu_);
  return regular_files_ && files_.count(Normal(path)) > 0;
}

Result<uint64_t> MemoryFileSystem::FileSize(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(path));
  if (it == files_.end()) return Status::NotFound("cannot stat " + path + ": No such file or directory");
  return static_cast<uint64_t>(it->second->size());
}

Status MemoryFileSystem::CreateDir(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string p = Normal(path);
  if (files_.count(p)) return Status::IOError("cannot create directory " + path + ": File exists");
  dirs_[p] = true;
  return Status::OK();
}

Status MemoryFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(from));
  if (it == files_.end()) return Status::NotFound("cannot rename " + from + ": No such file or directory");
  auto bytes = it->second;
  files_.erase(it);
  files_[Normal(to)] = bytes;
  return Status::OK();
}

Status MemoryFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string p = Normal(path);
  std::string prefix = p + "/";
  std::erase_if(files_, [&](const auto& e) { return e.first == p || e.first.compare(0, prefix.size(), prefix) == 0; });
  std::erase_if(dirs_, [&](const auto& e) { return e.first == p || e.first.compare(0, prefix.size(), prefix) == 0; });
  if (UnderTempDir(p)) {
    std::error_code ec;
    std::filesystem::remove_all(p, ec);
  }
  return Status::OK();
}

Status MemoryFileSystem::SyncDir(const std::string& /*path*/) { return Status::OK(); }

Result<std::vector<std::string>> MemoryFileSystem::ListDir(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string p = Normal(path);
  if (!dirs_.count(p)) return Status::NotFound("cannot list " + path + ": No such directory");
  std::string prefix = p == "/" ? p : p + "/";
  std::vector<std::string> names;
  auto add = [&](const std::string& entry) {
    if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) return;
    std::string rest = entry.substr(prefix.size());
    if (rest.find('/') == std::string::npos) names.push_back(rest);
  };
  for (const auto& e : files_) add(e.first);
  for (const auto& e : dirs_) add(e.first);
  return names;
}

void UseFuzzTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/decant-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return;
  TempDir() = tmpl;
  ::setenv("TMPDIR", tmpl.c_str(), 1);
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(TempDir(), ec);
  });
}

void DrainSource(Source* source) {
  Result<Schema> schema = source->ReadSchema();
  if (!schema.ok()) return;
  (void)source->Notes();
  RowBatch batch;
  for (const Table& table : schema->tables) {
    (void)source->EstimateSize(table);
    auto reader = source->OpenTable(table);
    if (!reader.ok()) continue;
    // A table may rightly hold more rows than its bytes (a table of no
    // columns: 2^30 empty rows per archive chunk); a few batches are enough.
    for (int batches = 0; batches < 64; ++batches) {
      Result<bool> more = (*reader)->Next(&batch);
      if (!more.ok() || !*more) break;
    }
  }
  (void)source->Finish();
}

}  // namespace decant::fuzz
