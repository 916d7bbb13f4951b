// The delimited stream: opening (a private copy of standard input), the
// one-pass scan in large sequential blocks, rereading an item by its place,
// parsing one item.
#include "formats/typedb/export_file.h"

#include <fmt/format.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "formats/common/input_helpers.h"

namespace decant::typedb {
namespace {

constexpr size_t kBlockBytes = size_t{4} << 20;  // one read of the scan
constexpr size_t kMaxPrefixBytes = 10;           // a varint of 64 bits

class ExportFileImpl final : public ExportFile {
 public:
  ExportFileImpl(std::string describe, std::unique_ptr<RandomAccessInput> input)
      : describe_(std::move(describe)), input_(std::move(input)), file_(input_->file()) {}

  Status Scan(const std::function<Status(const ItemPlace& place, std::string_view bytes)>& item) override;
  Status ReadItem(const ItemPlace& place, std::string* bytes) const override;
  std::string Describe() const override { return describe_; }
  uint64_t size() const override { return file_->Size(); }

 private:
  Status Error(uint64_t number, uint64_t offset, const std::string& what) const {
    ItemPlace place;
    place.number = number;
    place.offset = offset;
    return Status::Corruption(fmt::format("{}: {}: {}", describe_, ItemWhere(place), what));
  }

  std::string describe_;
  std::unique_ptr<RandomAccessInput> input_;
  const RandomAccessFile* file_;
};

Status ExportFileImpl::Scan(const std::function<Status(const ItemPlace& place, std::string_view bytes)>& item) {
  const uint64_t size = file_->Size();
  // The window [window_off, window_off + buf.size()) of the file; an item
  // that does not fit moves to the front (and the window grows to hold it).
  std::vector<char> buf;
  buf.reserve(static_cast<size_t>(std::min<uint64_t>(size, kBlockBytes)));
  uint64_t window_off = 0;
  // Makes [off, off + n) (n <= what the file holds from off) lie in the window.
  auto ensure = [&](uint64_t off, size_t n) -> Status {
    if (off >= window_off && off + n <= window_off + buf.size()) return Status::OK();
    const size_t keep_from = static_cast<size_t>(std::min<uint64_t>(off - window_off, buf.size()));
    const size_t kept = buf.size() - keep_from;
    if (keep_from > 0 && kept > 0) std::memmove(buf.data(), buf.data() + keep_from, kept);
    window_off = off;
    const uint64_t read_off = off + kept;
    const size_t want = std::max(n, kBlockBytes);
    const size_t read = static_cast<size_t>(std::min<uint64_t>(want - kept, size - read_off));
    buf.resize(kept + read);
    return read > 0 ? file_->ReadAt(read_off, read, buf.data() + kept) : Status::OK();
  };

  uint64_t number = 0;
  for (uint64_t off = 0; off < size; ++number) {
    const size_t avail = static_cast<size_t>(std::min<uint64_t>(size - off, kMaxPrefixBytes));
    DECANT_RETURN_IF_ERROR(ensure(off, avail));
    const auto* p = reinterpret_cast<const unsigned char*>(buf.data() + (off - window_off));
    uint64_t length = 0;
    size_t prefix = 0;
    for (;;) {
      if (prefix == avail) {
        if (avail == kMaxPrefixBytes) return Error(number, off, "a length prefix longer than 10 bytes");
        return Error(number, off, fmt::format("the file ends inside the length prefix ({} of its bytes)", prefix));
      }
      const unsigned char b = p[prefix];
      if (prefix == kMaxPrefixBytes - 1 && b > 1 && (b & 0x80u) == 0)
        return Error(number, off, "a length prefix above 64 bits");
      length |= uint64_t{b & 0x7fu} << (7 * prefix);
      ++prefix;
      if ((b & 0x80u) == 0) break;
    }
    if (length > kMaxItemBytes)
      return Error(number, off,
                   fmt::format("a length of {} bytes, above the limit of {} MiB", length, kMaxItemBytes >> 20));
    const uint64_t body = off + prefix;
    if (length > size - body)
      return Error(
          number, off,
          fmt::format("a length of {} bytes runs past the end of the file ({} bytes left)", length, size - body));
    DECANT_RETURN_IF_ERROR(ensure(body, static_cast<size_t>(length)));
    ItemPlace place;
    place.number = number;
    place.offset = off;
    place.length = static_cast<uint32_t>(length);
    place.prefix = static_cast<uint8_t>(prefix);
    DECANT_RETURN_IF_ERROR(
        item(place, std::string_view(buf.data() + (body - window_off), static_cast<size_t>(length))));
    off = body + length;
  }
  return Status::OK();
}

Status ExportFileImpl::ReadItem(const ItemPlace& place, std::string* bytes) const {
  const uint64_t size = file_->Size();
  if (place.length > kMaxItemBytes || place.body() > size || place.length > size - place.body())
    return Status::InvalidArgument(
        fmt::format("{}: no item at byte offset {} ({} bytes)", describe_, place.offset, place.length));
  bytes->resize(place.length);
  return file_->ReadAt(place.body(), place.length, bytes->data());
}

}  // namespace

Result<std::unique_ptr<ExportFile>> ExportFile::Open(const std::string& path, FileSystem* fs) {
  const std::string input = path == "-" ? "stdin" : path;
  if (path != "-") {
    if (!fs->Exists(path)) return Status::NotFound(fmt::format("{}: no such file or directory", path));
    if (fs->IsDirectory(path))
      return Status::InvalidArgument(fmt::format("{}: a directory, not a TypeDB export file", path));
  }
  auto opened = RandomAccessInput::Open(path, fs, "typedb");
  if (!opened.ok()) {
    if (opened.status().message().find(input) != std::string::npos) return opened.status();
    return Status::IOError(fmt::format("{}: {}", input, opened.status().message()));
  }
  return std::unique_ptr<ExportFile>(new ExportFileImpl(input, std::move(*opened)));
}

Status ExportFile::Parse(std::string_view bytes, const ItemPlace& place, v3::Item* item) const {
  return ParseItem(bytes, place, item).WithContext(Describe());
}

std::string ItemWhere(const ItemPlace& place) {
  return fmt::format("item {} at byte offset {}", place.number + 1, place.offset);
}

Status ParseItem(std::string_view bytes, const ItemPlace& place, v3::Item* item) {
  if (!item->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::Corruption(fmt::format("{}: not a well-formed item ({} bytes)", ItemWhere(place), bytes.size()));
  if (item->item_case() == v3::Item::ITEM_NOT_SET) {
    const auto& unknown = v3::Item::GetReflection()->GetUnknownFields(*item);
    if (unknown.field_count() > 0)
      return Status::Corruption(
          fmt::format("{}: an item of unknown case {} (not an attribute, entity, relation, "
                      "header or checksums: a newer generation's item, or not an export)",
                      ItemWhere(place), unknown.field(0).number()));
    return Status::Corruption(fmt::format("{}: an empty item (no case set)", ItemWhere(place)));
  }
  return Status::OK();
}

}  // namespace decant::typedb
