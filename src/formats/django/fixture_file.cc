// The Django fixture file: opening (decompressing to a private temporary
// file where needed), the one-pass record scan, rereading records by span,
// parsing one record, and recognising a fixture by its first bytes.
//
// The scan does not parse: it tracks strings, escapes and depth byte by byte
// (a class table and a tight skip loop), so it runs at the speed of reading
// the file; each record is parsed later, by whoever reads it (ParseRecord).
#include "formats/django/fixture_file.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <utility>
#include <vector>

#include "formats/common/input_helpers.h"
#include "formats/django/django_format.h"
#include "formats/django/fixture_file_internal.h"

namespace decant::django {
namespace {

constexpr size_t kChunkBytes = size_t{4} << 20;  // one read of the scan
constexpr uint64_t kMaxNesting = 1000;           // objects and arrays in one another, the record included
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Decompressed bytes Recognise looks at, and compressed bytes it may read to
// get them (a bzip2 block is up to 900 kB before its first byte comes out).
constexpr size_t kRecogniseBytes = 4096;
constexpr uint64_t kRecogniseInputCap = uint64_t{4} << 20;

bool IsBlank(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A byte as a message shows it.
std::string Shown(unsigned char c) {
  if (c >= 0x21 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c);
}

// ---------------------------------------------------------------------------
// libarchive: the raw format under one filter for a compressed stream, the
// zip format for a zip (formats/common/input_helpers.h).

ArchivePtr NewDecompressor(Compression c) {
  ArchivePtr a(archive_read_new());
  if (c == Compression::kZip) {
    archive_read_support_format_zip(a.get());
    return a;
  }
  archive_read_support_format_raw(a.get());
  switch (c) {
    case Compression::kBzip2: archive_read_support_filter_bzip2(a.get()); break;
    case Compression::kXz: archive_read_support_filter_xz(a.get()); break;
    case Compression::kLzma: archive_read_support_filter_lzma(a.get()); break;
    case Compression::kNone:
    case Compression::kGzip:  // zlib (CopyGunzip)
    case Compression::kZip: break;
  }
  return a;
}

Status ArchiveFailure(const std::string& input, Compression c, struct archive* a, const ArchiveStream& ctx) {
  if (!ctx.status.ok()) return ctx.status;
  const char* msg = archive_error_string(a);
  return Status::Corruption(
      fmt::format("{}: truncated or corrupt {} data: {}", input, CompressionName(c), msg ? msg : "unreadable"));
}

// gzip through zlib, not libarchive: libarchive's gzip filter does not check
// a member's CRC-32 and length, so a flipped byte could pass unnoticed.
// Members one after another are read as one stream (as Python's gzip reads
// them); NUL padding after the last is ignored.
Status CopyGunzip(SequentialFile* in, const std::string& input, WritableFile* out) {
  auto failure = [&](const std::string& what) {
    return Status::Corruption(fmt::format("{}: truncated or corrupt gzip data: {}", input, what));
  };
  std::vector<char> inbuf(size_t{1} << 20), outbuf(size_t{1} << 20);
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::Internal("inflateInit2 failed");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  bool in_member = true, at_eof = false;
  size_t avail = 0;
  const char* next = inbuf.data();
  for (;;) {
    if (avail == 0 && !at_eof) {
      size_t got = 0;
      DECANT_RETURN_IF_ERROR(in->Read(inbuf.size(), inbuf.data(), &got));
      next = inbuf.data();
      avail = got;
      at_eof = got == 0;
    }
    if (!in_member) {
      while (avail > 0 && *next == '\0') {
        ++next;
        --avail;
      }
      if (avail == 0) {
        if (at_eof) return Status::OK();
        continue;
      }
      if (static_cast<unsigned char>(*next) != 0x1f) return failure("data after the end of the stream");
      if (inflateReset(&z) != Z_OK) return Status::Internal("inflateReset failed");
      in_member = true;
    }
    // With no input left zlib may still hold output; it says Z_BUF_ERROR
    // once it has none.
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(next));
    z.avail_in = static_cast<uInt>(avail);
    z.next_out = reinterpret_cast<Bytef*>(outbuf.data());
    z.avail_out = static_cast<uInt>(outbuf.size());
    int r = inflate(&z, Z_NO_FLUSH);
    size_t produced = outbuf.size() - z.avail_out;
    next += avail - z.avail_in;
    avail = z.avail_in;
    if (produced > 0) DECANT_RETURN_IF_ERROR(out->Append(std::string_view(outbuf.data(), produced)));
    if (r == Z_STREAM_END) {
      in_member = false;
    } else if (r == Z_BUF_ERROR && avail == 0) {
      if (at_eof) return failure("the stream ends early");
    } else if (r != Z_OK) {
      return failure(z.msg ? z.msg : "inflate failed");
    }
  }
}

// Copies `in`, decompressed as `c` says (kNone: as it is), to `out`.
Status CopyDecompressed(SequentialFile* in, Compression c, const std::string& input, WritableFile* out) {
  if (c == Compression::kNone) return CopyStream(in, out);
  if (c == Compression::kGzip) return CopyGunzip(in, input, out);
  ArchiveStream ctx;
  ctx.file = in;
  ctx.buf.resize(size_t{1} << 20);
  ArchivePtr a = NewDecompressor(c);
  std::vector<char> buf(size_t{1} << 20);
  if (archive_read_open(a.get(), &ctx, nullptr, ArchiveStreamRead, nullptr) != ARCHIVE_OK)
    return ArchiveFailure(input, c, a.get(), ctx);
  struct archive_entry* entry = nullptr;
  int r = archive_read_next_header(a.get(), &entry);
  if (r == ARCHIVE_EOF && c == Compression::kZip)
    return Status::Corruption(fmt::format("{}: the zip holds no file (a zipped fixture holds exactly one)", input));
  if (r < ARCHIVE_WARN || r == ARCHIVE_EOF) return ArchiveFailure(input, c, a.get(), ctx);
  if (c == Compression::kZip && archive_entry_filetype(entry) != AE_IFREG) {
    const char* name = archive_entry_pathname(entry);
    return Status::Corruption(fmt::format("{}: the zip's entry '{}' is not a file (a zipped fixture holds exactly one)",
                                          input, name ? name : ""));
  }
  for (;;) {
    la_ssize_t got = archive_read_data(a.get(), buf.data(), buf.size());
    if (got < 0) return ArchiveFailure(input, c, a.get(), ctx);
    if (got == 0) break;
    DECANT_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), static_cast<size_t>(got))));
  }
  if (c == Compression::kZip) {
    r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
      return Status::Corruption(
          fmt::format("{}: the zip holds more than one file (a zipped fixture holds exactly one)", input));
    if (r != ARCHIVE_EOF) return ArchiveFailure(input, c, a.get(), ctx);
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// The scan's byte classes: 1 for a byte that changes the state, 0 for one the
// skip loop passes over.

struct ByteClasses {
  std::array<unsigned char, 256> in_string{};  // '"', '\\'
  std::array<unsigned char, 256> in_record{};  // '"', '{', '}', '[', ']'
  constexpr ByteClasses() {
    in_string['"'] = in_string['\\'] = 1;
    in_record['"'] = in_record['{'] = in_record['}'] = in_record['['] = in_record[']'] = 1;
  }
};
constexpr ByteClasses kClasses;

// The first byte at or after `p` (before `end`) that the state in-string or
// in-record stops at, adding the newlines passed over to `*line`: sixteen
// bytes at a time where SSE2 is (every x86-64), then byte by byte.
inline uint64_t CountBits(unsigned m) {
  uint64_t n = 0;
  for (; m != 0; m &= m - 1) ++n;  // few: a newline or two in sixteen bytes
  return n;
}

template <bool kInString>
inline const unsigned char* Skip(const unsigned char* p, const unsigned char* end, uint64_t* line) {
  const auto& table = kInString ? kClasses.in_string : kClasses.in_record;
#if defined(__SSE2__)
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto newlines = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
    __m128i stops;
    if constexpr (kInString) {
      stops = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    } else {
      // '{' 0x7b and '[' 0x5b, '}' 0x7d and ']' 0x5d: equal but for bit 5.
      const __m128i folded = _mm_and_si128(v, _mm_set1_epi8(static_cast<char>(0xdf)));
      stops = _mm_or_si128(
          _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
          _mm_or_si128(_mm_cmpeq_epi8(folded, _mm_set1_epi8(0x5b)), _mm_cmpeq_epi8(folded, _mm_set1_epi8(0x5d))));
    }
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stops));
    if (mask != 0) {
      const int at = __builtin_ctz(mask);
      *line += CountBits(newlines & ((1u << at) - 1));
      return p + at;
    }
    *line += CountBits(newlines);
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '\n') {
      ++*line;
    } else if (table[*p]) {
      break;
    }
  }
  return p;
}

// Where the scan stands between records.
enum class Between {
  kBeforeArray,  // array form, before its '['
  kFirst,        // after '[' (a record or ']')
  kAfterRecord,  // array form: ',' or ']'
  kAfterComma,   // array form: a record
  kDone,         // after ']': blanks only
  kLines,        // JSON lines, at a line's start or in blanks
  kLineEnd,      // JSON lines, after a record: blanks up to the newline
};

class FixtureFileImpl final : public FixtureFile {
 public:
  // FixtureFile::Open with a record limit.
  static Result<std::unique_ptr<FixtureFile>> Open(const std::string& path, FileSystem* fs, uint64_t max_record_bytes);

  FixtureFileImpl(std::string describe, Compression compression, uint64_t max_record_bytes)
      : describe_(std::move(describe)), compression_(compression), max_record_bytes_(max_record_bytes) {}

  Status Scan(const std::function<Status(uint64_t, const RecordSpan&, std::string_view)>& record) override;
  Status ReadRecord(const RecordSpan& span, std::string* text) const override;
  std::string Describe() const override { return describe_; }
  Compression compression() const override { return compression_; }
  bool json_lines() const override { return json_lines_; }
  uint64_t size() const override { return file_ ? file_->Size() : 0; }

 private:
  // Finds the layout from the first non-blank byte after `start_`.
  Status DetectLayout();

  std::string describe_;
  Compression compression_;
  std::unique_ptr<RandomAccessInput> input_;  // the file, or its decompressed copy
  const RandomAccessFile* file_ = nullptr;    // input_'s
  uint64_t start_ = 0;                        // past a UTF-8 BOM
  bool json_lines_ = false;
  uint64_t max_record_bytes_;

  Status Error(const char* where, uint64_t number, uint64_t line, const std::string& what) const {
    return Status::Corruption(fmt::format("{}: {} {} (line {}): {}", describe_, where, number, line, what));
  }
};

Status FixtureFileImpl::DetectLayout() {
  const uint64_t size = file_->Size();
  std::string buf;
  size_t bom = 0;
  if (size >= kBom.size()) {
    buf.resize(kBom.size());
    DECANT_RETURN_IF_ERROR(file_->ReadAt(0, buf.size(), buf.data()));
    if (buf == kBom) bom = kBom.size();
  }
  start_ = bom;
  for (uint64_t off = start_; off < size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(size - off, 65536));
    buf.resize(n);
    DECANT_RETURN_IF_ERROR(file_->ReadAt(off, n, buf.data()));
    for (char ch : buf) {
      auto c = static_cast<unsigned char>(ch);
      if (IsBlank(c)) continue;
      if (c == '[') return Status::OK();
      if (c == '{') {
        json_lines_ = true;
        return Status::OK();
      }
      return Status::Corruption(
          fmt::format("{}: not a Django fixture: it starts with {}, not '[' (a JSON array) or '{{' (JSON lines)",
                      describe_, Shown(c)));
    }
    off += n;
  }
  json_lines_ = true;  // empty, or blanks only: JSON lines without a record
  return Status::OK();
}

Status FixtureFileImpl::Scan(const std::function<Status(uint64_t, const RecordSpan&, std::string_view)>& record) {
  const uint64_t size = file_->Size();
  std::vector<char> chunk(static_cast<size_t>(std::min<uint64_t>(kChunkBytes, size)));
  std::string carry;  // a record that began in an earlier chunk

  Between between = json_lines_ ? Between::kLines : Between::kBeforeArray;
  bool in_record = false, in_string = false, escape = false;
  uint64_t depth = 0, line = 1, index = 0;
  RecordSpan span;

  for (uint64_t chunk_off = start_; chunk_off < size;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size - chunk_off, chunk.size()));
    DECANT_RETURN_IF_ERROR(file_->ReadAt(chunk_off, n, chunk.data()));
    const auto* const base = reinterpret_cast<const unsigned char*>(chunk.data());
    const unsigned char* p = base;
    const unsigned char* const end = base + n;
    if (escape && p < end) {  // a '\' ended the last chunk
      if (*p == '\n') ++line;
      ++p;
      escape = false;
    }
    while (p < end) {
      if (in_record) {
        if (in_string) {
          p = Skip<true>(p, end, &line);
          if (p == end) break;
          unsigned char c = *p++;
          if (c == '"') {
            in_string = false;
          } else {  // '\\'
            if (p == end) {
              escape = true;
              break;
            }
            if (*p == '\n') ++line;
            ++p;
          }
          continue;
        }
        p = Skip<false>(p, end, &line);
        if (p == end) break;
        unsigned char c = *p++;
        switch (c) {
          case '"': in_string = true; break;
          case '{':
          case '[':
            if (++depth > kMaxNesting)
              return Error("record", index + 1, span.line,
                           fmt::format("nested deeper than {} levels (at line {})", kMaxNesting, line));
            break;
          default:  // '}' or ']'
            if (--depth > 0) break;
            in_record = false;
            const uint64_t stop = chunk_off + static_cast<uint64_t>(p - base);
            span.length = stop - span.offset;
            if (span.length > max_record_bytes_)
              return Error("record", index + 1, span.line,
                           fmt::format("longer than {} MiB ({} bytes)", max_record_bytes_ >> 20, span.length));
            std::string_view text;
            if (carry.empty()) {
              text = std::string_view(reinterpret_cast<const char*>(base) + (span.offset - chunk_off), span.length);
            } else {
              carry.append(reinterpret_cast<const char*>(base), static_cast<size_t>(p - base));
              text = carry;
            }
            DECANT_RETURN_IF_ERROR(record(index, span, text));
            ++index;
            if (!carry.empty()) {
              carry.clear();
              if (carry.capacity() > 4 * kChunkBytes) std::string().swap(carry);
            }
            between = json_lines_ ? Between::kLineEnd : Between::kAfterRecord;
            break;
        }
        continue;
      }
      // Between records: one byte at a time (blanks and separators are few).
      unsigned char c = *p;
      if (c == '\n') {
        ++line;
        if (between == Between::kLineEnd) between = Between::kLines;
        ++p;
        continue;
      }
      if (IsBlank(c)) {
        ++p;
        continue;
      }
      const bool starts_record =
          c == '{' && (between == Between::kFirst || between == Between::kAfterComma || between == Between::kLines);
      if (starts_record) {
        in_record = true;
        depth = 1;
        span.offset = chunk_off + static_cast<uint64_t>(p - base);
        span.line = line;
        ++p;
        continue;
      }
      switch (between) {
        case Between::kBeforeArray:
          if (c == '[') {
            between = Between::kFirst;
            ++p;
            continue;
          }
          break;
        case Between::kFirst:
          if (c == ']') {
            between = Between::kDone;
            ++p;
            continue;
          }
          return Error("record", index + 1, line, fmt::format("not an object: starts with {}", Shown(c)));
        case Between::kAfterRecord:
          if (c == ',') {
            between = Between::kAfterComma;
            ++p;
            continue;
          }
          if (c == ']') {
            between = Between::kDone;
            ++p;
            continue;
          }
          return Error("after record", index, line, fmt::format("{} where ',' or ']' belongs", Shown(c)));
        case Between::kAfterComma:
          if (c == ']') return Error("after record", index, line, "',' before the closing ']'");
          return Error("record", index + 1, line, fmt::format("not an object: starts with {}", Shown(c)));
        case Between::kDone:
          return Error("after record", index, line, fmt::format("{} after the closing ']'", Shown(c)));
        case Between::kLines:
          return Error("record", index + 1, line, fmt::format("not an object: starts with {}", Shown(c)));
        case Between::kLineEnd:
          return Error("after record", index, line, fmt::format("{} after the record on its line", Shown(c)));
      }
      return Error("record", index + 1, line, fmt::format("{} before the array's '['", Shown(c)));
    }
    if (in_record) {
      const uint64_t stop = chunk_off + n;
      if (stop - span.offset > max_record_bytes_)
        return Error("record", index + 1, span.line, fmt::format("longer than {} MiB", max_record_bytes_ >> 20));
      const uint64_t from = std::max(span.offset, chunk_off);
      carry.append(reinterpret_cast<const char*>(base) + (from - chunk_off), static_cast<size_t>(stop - from));
    }
    chunk_off += n;
  }
  if (in_record)
    return Error("record", index + 1, span.line,
                 in_string ? "a string that does not end (the file ends inside it)"
                           : "an object that does not end (the file ends inside it)");
  switch (between) {
    case Between::kBeforeArray:
    case Between::kFirst:
    case Between::kAfterRecord:
    case Between::kAfterComma:
      return Error("after record", index, line, "no closing ']' (the file ends inside the array)");
    default: return Status::OK();
  }
}

Status FixtureFileImpl::ReadRecord(const RecordSpan& span, std::string* text) const {
  if (span.length > max_record_bytes_ || span.offset > file_->Size() || span.length > file_->Size() - span.offset)
    return Status::InvalidArgument(
        fmt::format("{}: no record at offset {} ({} bytes)", describe_, span.offset, span.length));
  text->resize(static_cast<size_t>(span.length));
  return file_->ReadAt(span.offset, text->size(), text->data());
}

Result<std::unique_ptr<FixtureFile>> FixtureFileImpl::Open(const std::string& path, FileSystem* fs,
                                                           uint64_t max_record_bytes) {
  const std::string input = path == "-" ? "stdin" : path;
  if (path != "-") {
    if (!fs->Exists(path)) return Status::NotFound(fmt::format("{}: no such file or directory", path));
    if (fs->IsDirectory(path))
      return Status::InvalidArgument(fmt::format("{}: a directory, not a Django fixture file", path));
  }
  DECANT_ASSIGN_OR_RETURN(std::string head, fs->Peek(path, 8));
  const Compression compression = DetectCompression(head);
  std::string describe = input;
  if (compression != Compression::kNone) describe += fmt::format(" ({})", CompressionName(compression));
  auto file = std::make_unique<FixtureFileImpl>(describe, compression, max_record_bytes);
  auto decompress = [&](SequentialFile* in, WritableFile* out) {
    return CopyDecompressed(in, compression, describe, out);
  };
  DECANT_ASSIGN_OR_RETURN(file->input_,
                          RandomAccessInput::Open(path, fs, "django", compression != Compression::kNone, decompress));
  file->file_ = file->input_->file();
  DECANT_RETURN_IF_ERROR(file->DetectLayout());
  return std::unique_ptr<FixtureFile>(std::move(file));
}

// ---------------------------------------------------------------------------
// Non-finite floats.

// The token of a non-finite float at `s[i]` (outside strings), or empty.
std::string_view NonFiniteAt(std::string_view s, size_t i) {
  for (std::string_view token :
       {std::string_view("NaN"), std::string_view("Infinity"), std::string_view("-Infinity")}) {
    if (s.compare(i, token.size(), token) != 0) continue;
    size_t after = i + token.size();
    if (after < s.size()) {
      auto c = static_cast<unsigned char>(s[after]);
      if (std::isalnum(c) || c == '_') continue;
    }
    return token;
  }
  return {};
}

// `text` with each bare NaN / Infinity / -Infinity replaced by a marker
// string; false when there is none.
bool RewriteNonFinite(std::string_view text, std::string* out) {
  bool any = false, in_string = false;
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != 'N' && c != 'I' && c != '-') continue;
    std::string_view token = NonFiniteAt(text, i);
    if (token.empty()) continue;
    if (!any) out->reserve(text.size() + 32);
    any = true;
    out->append(text.substr(copied, i - copied));
    out->append("\"\\u0001decant:");
    out->append(token);
    out->push_back('"');
    i += token.size() - 1;
    copied = i + 1;
  }
  if (any) out->append(text.substr(copied));
  return any;
}

// ---------------------------------------------------------------------------
// Recognising.

// True when `s` (from `i`, at a '{') is an object whose first key is one a
// fixture record starts with.
bool FirstKeyIsFixtures(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && IsBlank(static_cast<unsigned char>(s[i]))) ++i;
  if (i >= s.size() || s[i] != '"') return false;
  size_t close = s.find('"', i + 1);
  if (close == std::string_view::npos) return false;
  std::string_view key = s.substr(i + 1, close - i - 1);
  if (key != "model" && key != "pk" && key != "fields" && key != "metadata") return false;
  i = close + 1;
  while (i < s.size() && IsBlank(static_cast<unsigned char>(s[i]))) ++i;
  return i < s.size() && s[i] == ':';
}

bool RecognisePlainHead(std::string_view s) {
  size_t i = s.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  while (i < s.size() && IsBlank(static_cast<unsigned char>(s[i]))) ++i;
  if (i >= s.size()) return false;
  if (s[i] == '{') return FirstKeyIsFixtures(s, i);
  if (s[i] != '[') return false;
  ++i;
  while (i < s.size() && IsBlank(static_cast<unsigned char>(s[i]))) ++i;
  if (i >= s.size()) return false;
  return s[i] == ']' || (s[i] == '{' && FirstKeyIsFixtures(s, i));
}

// Up to kRecogniseBytes decompressed bytes from an opened decompressor; what
// came out before an error (a head cut short) is kept.
std::string ReadHead(struct archive* a) {
  std::string out;
  struct archive_entry* entry = nullptr;
  int r = archive_read_next_header(a, &entry);
  if (r < ARCHIVE_WARN || r == ARCHIVE_EOF) return out;
  char buf[kRecogniseBytes];
  while (out.size() < kRecogniseBytes) {
    la_ssize_t got = archive_read_data(a, buf, kRecogniseBytes - out.size());
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

std::string DecompressedHead(const FileProbe& probe, Compression c, FileSystem* fs) {
  const bool regular = probe.path != "-" && fs->IsRegularFile(probe.path);
  if (c == Compression::kGzip) {
    if (!regular) return InflateHead(probe.head, kRecogniseBytes);
    auto head = fs->Peek(probe.path, size_t{256} << 10);
    return head.ok() ? InflateHead(head.value(), kRecogniseBytes) : "";
  }
  ArchivePtr a = NewDecompressor(c);
  if (regular) {
    auto in = fs->NewSequentialFile(probe.path);
    if (!in.ok()) return "";
    ArchiveStream ctx;
    ctx.file = in.value().get();
    ctx.buf.resize(65536);
    ctx.cap = kRecogniseInputCap;
    if (archive_read_open(a.get(), &ctx, nullptr, ArchiveStreamRead, nullptr) != ARCHIVE_OK) return "";
    return ReadHead(a.get());
  }
  // A stream: only the bytes already peeked.
  if (archive_read_open_memory(a.get(), probe.head.data(), probe.head.size()) != ARCHIVE_OK) return "";
  return ReadHead(a.get());
}

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kBzip2: return "bzip2";
    case Compression::kXz: return "xz";
    case Compression::kLzma: return "lzma";
    case Compression::kZip: return "zip";
  }
  return "?";
}

Compression DetectCompression(std::string_view head) {
  if (head.substr(0, 2) == "\x1f\x8b") return Compression::kGzip;
  if (head.substr(0, 3) == "BZh") return Compression::kBzip2;
  if (head.substr(0, 6) == std::string_view("\xfd"
                                            "7zXZ\0",
                                            6))
    return Compression::kXz;
  if (head.substr(0, 3) == std::string_view("\x5d\0\0", 3)) return Compression::kLzma;
  if (head.substr(0, 4) == "PK\x03\x04") return Compression::kZip;
  return Compression::kNone;
}

bool Recognise(const FileProbe& probe, FileSystem* fs) {
  if (probe.is_directory) return false;
  Compression c = DetectCompression(probe.head);
  if (c == Compression::kNone) return RecognisePlainHead(probe.head);
  return RecognisePlainHead(DecompressedHead(probe, c, fs));
}

Result<std::unique_ptr<FixtureFile>> FixtureFile::Open(const std::string& path, FileSystem* fs) {
  return FixtureFileImpl::Open(path, fs, kMaxRecordBytes);
}

namespace internal {
Result<std::unique_ptr<FixtureFile>> OpenWithLimit(const std::string& path, FileSystem* fs, uint64_t max_record_bytes) {
  return FixtureFileImpl::Open(path, fs, max_record_bytes);
}
}  // namespace internal

Result<nlohmann::json> ParseRecord(std::string_view text, uint64_t index, uint64_t line) {
  std::string rewritten;
  if (text.find("NaN") != std::string_view::npos || text.find("Infinity") != std::string_view::npos) {
    if (RewriteNonFinite(text, &rewritten)) text = rewritten;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(fmt::format("record {} (line {}): {}", index + 1, line, JsonErrorText(e)));
  }
  if (!j.is_object())
    return Status::Corruption(
        fmt::format("record {} (line {}): not a JSON object (a {})", index + 1, line, j.type_name()));
  return j;
}

}  // namespace decant::django
