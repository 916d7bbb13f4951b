// What the file formats' readers share: libarchive reading from a decant
// SequentialFile, the head of a gzip stream, nlohmann's error text.
#pragma once

#include <archive.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "io/file_system.h"

namespace decant {

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

}  // namespace decant
