#include "formats/common/input_helpers.h"

#include <zlib.h>

#include <cerrno>

namespace decant {

la_ssize_t ArchiveStreamRead(struct archive* a, void* stream, const void** out) {
  auto* c = static_cast<ArchiveStream*>(stream);
  if (c->bytes >= c->cap) return 0;
  size_t got = 0;
  Status s = c->file->Read(c->buf.size(), c->buf.data(), &got);
  if (!s.ok()) {
    c->status = s;
    archive_set_error(a, EIO, "%s", s.message().c_str());
    return -1;
  }
  *out = c->buf.data();
  c->bytes += got;
  return static_cast<la_ssize_t>(got);
}

std::string InflateHead(std::string_view head, size_t n) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "";
  std::string out(n, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(head.data()));
  z.avail_in = static_cast<uInt>(head.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int r = inflate(&z, Z_SYNC_FLUSH);
  size_t got = out.size() - z.avail_out;
  inflateEnd(&z);
  if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) return "";
  out.resize(got);
  return out;
}

std::string JsonErrorText(const std::exception& e) {
  std::string_view what = e.what();
  if (!what.empty() && what.front() == '[') {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

}  // namespace decant
