// What the file formats' readers share: an input read at any offset (a
// private copy of standard input), libarchive reading from a decant
// SequentialFile, the head of a gzip stream, nlohmann's error text.
#pragma once

#include <archive.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "io/file_system.h"

namespace decant {

// An input read at any offset, from several threads at once: the file at
// `path` itself when it is a regular file, or else (standard input "-", a
// pipe, data the reader must transform first) a private temporary copy,
// mode 0600 under $TMPDIR ("decant-<tag>-XXXXXX"), removed when the
// RandomAccessInput is destroyed.
class RandomAccessInput {
 public:
  // Writes the copy from the input read front to back; errors name the input.
  using CopyFn = std::function<Status(SequentialFile* in, WritableFile* out)>;

  // Opens `path`, copying it when it is "-" or not a regular file, or when
  // `must_copy`. `copy` null: copied byte for byte. IOError when it cannot
  // be opened or the copy cannot be made.
  static Result<std::unique_ptr<RandomAccessInput>> Open(const std::string& path, FileSystem* fs, std::string_view tag,
                                                         bool must_copy = false, const CopyFn& copy = nullptr);
  ~RandomAccessInput();
  RandomAccessInput(const RandomAccessInput&) = delete;
  RandomAccessInput& operator=(const RandomAccessInput&) = delete;

  const RandomAccessFile* file() const { return file_.get(); }
  // True when file() is a temporary copy.
  bool copied() const { return !temp_path_.empty(); }

 private:
  explicit RandomAccessInput(FileSystem* fs) : fs_(fs) {}
  FileSystem* fs_;
  std::unique_ptr<RandomAccessFile> file_;
  std::string temp_path_;
};

// Copies `in` to `out` byte for byte, in reads of 1 MiB.
Status CopyStream(SequentialFile* in, WritableFile* out);

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

// The client data of ArchiveStreamRead: `file` read in reads of buf.size()
// bytes, at most `cap` bytes in all; a read error is kept in `status` (and
// libarchive told EIO), so the caller reports the file's own error.
struct ArchiveStream {
  SequentialFile* file = nullptr;
  std::vector<char> buf;
  Status status;
  uint64_t bytes = 0;
  uint64_t cap = UINT64_MAX;
};

// archive_read_open's read callback over an ArchiveStream.
la_ssize_t ArchiveStreamRead(struct archive* a, void* stream, const void** out);

// The first (at most `n`) bytes the gzip data `head` inflates to, as far as
// it goes: the head of a file whose stream is cut short still shows what is
// inside. "" when `head` is no gzip data.
std::string InflateHead(std::string_view head, size_t n);

// The text of a nlohmann::json exception without its "[json.exception...] " tag.
std::string JsonErrorText(const std::exception& e);

// The private working directory of a file sink that writes `path` and
// spools what it must gather before writing: for a file, "<partial>.d"
// beside it (emptied first), with `*partial` set to PartialPath(path); for
// "-" (stdout), a new directory (mode 0700) under $TMPDIR named
// decant-<tag>-XXXXXX, with `*partial` left empty. The sink removes it.
Result<std::string> MakeSinkWorkDir(const std::string& path, const std::string& tag, FileSystem* fs,
                                    std::string* partial);

}  // namespace decant
