#include "formats/common/input_helpers.h"

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace decant {
namespace {

Result<std::string> MakeTempFile(std::string_view tag) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = fmt::format("{}/decant-{}-XXXXXX", base && *base ? base : "/tmp", tag);
  int fd = ::mkstemp(tmpl.data());  // mode 0600
  if (fd < 0) return Status::IOError(fmt::format("cannot create a temporary file {}: {}", tmpl, std::strerror(errno)));
  ::close(fd);
  return tmpl;
}

}  // namespace

Status CopyStream(SequentialFile* in, WritableFile* out) {
  std::vector<char> buf(size_t{1} << 20);
  for (;;) {
    size_t got = 0;
    DECANT_RETURN_IF_ERROR(in->Read(buf.size(), buf.data(), &got));
    if (got == 0) return Status::OK();
    DECANT_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), got)));
  }
}

Result<std::unique_ptr<RandomAccessInput>> RandomAccessInput::Open(const std::string& path, FileSystem* fs,
                                                                   std::string_view tag, bool must_copy,
                                                                   const CopyFn& copy) {
  std::unique_ptr<RandomAccessInput> input(new RandomAccessInput(fs));
  if (!must_copy && path != "-" && fs->IsRegularFile(path)) {
    DECANT_ASSIGN_OR_RETURN(input->file_, fs->NewRandomAccessFile(path));
    return input;
  }
  DECANT_ASSIGN_OR_RETURN(input->temp_path_, MakeTempFile(tag));
  DECANT_ASSIGN_OR_RETURN(auto in, fs->NewSequentialFile(path));
  DECANT_ASSIGN_OR_RETURN(auto out, fs->NewWritableFile(input->temp_path_));
  DECANT_RETURN_IF_ERROR(copy ? copy(in.get(), out.get()) : CopyStream(in.get(), out.get()));
  DECANT_RETURN_IF_ERROR(out->Close());
  DECANT_ASSIGN_OR_RETURN(input->file_, fs->NewRandomAccessFile(input->temp_path_));
  return input;
}

RandomAccessInput::~RandomAccessInput() {
  file_.reset();
  if (!temp_path_.empty()) (void)fs_->Remove(temp_path_);
}

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

Result<std::string> MakeSinkWorkDir(const std::string& path, const std::string& tag, FileSystem* fs,
                                    std::string* partial) {
  if (path == "-") {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string templ = (dir / ("decant-" + tag + "-XXXXXX")).string();
    if (!::mkdtemp(templ.data())) return Status::IOError("cannot make a temporary directory in " + dir.string());
    return templ;
  }
  *partial = PartialPath(path);
  std::string dir = *partial + ".d";
  if (fs->Exists(dir)) DECANT_RETURN_IF_ERROR(fs->Remove(dir));
  DECANT_RETURN_IF_ERROR(fs->CreateDir(dir));
  return dir;
}

}  // namespace decant
