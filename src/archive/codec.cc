#include "archive/codec.h"

#include <fmt/format.h>

#include <random>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>
#include <zstd.h>

#include "core/hex.h"
#include "core/plural.h"

namespace decant {

uint64_t Xxh3(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

std::string ChecksumHex(uint64_t checksum) { return fmt::format("{:016x}", checksum); }

std::optional<uint64_t> ParseChecksumHex(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : hex) {
    int d = HexDigitValue(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

std::string UuidToString(const ArchiveUuid& u) {
  std::string s;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    AppendHexByte(u[i], &s);
  }
  return s;
}

bool ParseUuid(const std::string& text, ArchiveUuid* out) {
  if (text.size() != 36) return false;
  size_t j = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = HexDigitValue(text[i]);
    int lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[j++] = static_cast<uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return j == 16;
}

ArchiveUuid NewRandomUuid() {
  // Seeded once per thread from the system's entropy: cheap enough for a
  // UUID per row (a RethinkDB dump of a table without a key).
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  ArchiveUuid u;
  for (size_t i = 0; i < u.size(); i += 8) {
    uint64_t r = gen();
    for (size_t k = 0; k < 8; ++k) u[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);  // version 4
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

// ---- File header -----------------------------------------------------------

void EncodeFileHeader(const ArchiveUuid& uuid, char out[kFileHeaderSize]) {
  std::memcpy(out, kArchiveMagic.data(), 8);
  PutU16(out + 8, kArchiveFormatMajor);
  PutU16(out + 10, kArchiveFormatMinor);
  PutU32(out + 12, 0);
  std::memcpy(out + 16, uuid.data(), 16);
  PutU64(out + 32, Xxh3({out, 32}));
}

std::string NewerVersionMessage(uint32_t major, uint32_t minor) {
  return fmt::format("archive format version {}.{} is newer than this decant reads ({}.x); use a newer decant", major,
                     minor, kArchiveFormatMajor);
}

Status DecodeFileHeader(const char* data, size_t size, const std::string& what, ArchiveUuid* uuid) {
  if (size == 0) return Status::Corruption(what + " is not a decant archive (it is empty)");
  size_t n = std::min<size_t>(size, 8);
  if (std::memcmp(data, kArchiveMagic.data(), n) != 0) {
    return Status::Corruption(what + " is not a decant archive (wrong magic bytes)");
  }
  if (size < kFileHeaderSize) {
    return Status::Corruption(fmt::format("{} is truncated: the archive header is cut short at {} bytes", what, size));
  }
  uint16_t major = GetU16(data + 8);
  uint16_t minor = GetU16(data + 10);
  if (major > kArchiveFormatMajor) return Status::UnsupportedVersion(NewerVersionMessage(major, minor));
  if (GetU64(data + 32) != Xxh3({data, 32})) {
    return Status::Corruption(what + ": checksum mismatch in the archive header");
  }
  if (major < 1) return Status::Corruption(fmt::format("{}: invalid format version {}.{}", what, major, minor));
  std::memcpy(uuid->data(), data + 16, 16);
  return Status::OK();
}

// ---- Record frames ---------------------------------------------------------

uint64_t RecordChecksum(const char* header, std::string_view payload) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, header, 8);
  XXH3_64bits_update(&state, payload.data(), payload.size());
  return XXH3_64bits_digest(&state);
}

void EncodeRecordHeader(RecordType type, std::string_view payload, char out[kRecordHeaderSize], uint64_t* checksum) {
  out[0] = static_cast<char>(type);
  out[1] = out[2] = out[3] = 0;
  PutU32(out + 4, static_cast<uint32_t>(payload.size()));
  uint64_t c = RecordChecksum(out, payload);
  PutU64(out + 8, c);
  if (checksum) *checksum = c;
}

RecordHeader DecodeRecordHeader(const char* p) {
  RecordHeader h;
  h.type = static_cast<uint8_t>(p[0]);
  h.length = GetU32(p + 4);
  h.checksum = GetU64(p + 8);
  return h;
}

uint64_t MaxPayloadFor(uint8_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kChunk: return kMaxChunkRecordBytes;
    case RecordType::kEnd: return kEndPayloadSize;
    default: return kMaxMetadataBytes;
  }
}

const char* RecordTypeName(uint8_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kSchema: return "schema";
    case RecordType::kChunk: return "chunk";
    case RecordType::kManifest: return "manifest";
    case RecordType::kEnd: return "end";
    case RecordType::kSignature: return "signature";
  }
  return "unknown";
}

// ---- Rows ------------------------------------------------------------------

void AppendVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

void EncodeValue(const Value& v, std::string* out) {
  out->push_back(static_cast<char>(v.kind()));
  switch (v.kind()) {
    case Value::Kind::kNull: break;
    case Value::Kind::kBool: out->push_back(v.as_bool() ? 1 : 0); break;
    case Value::Kind::kInt: {
      uint64_t u = static_cast<uint64_t>(v.as_int());
      AppendVarint((u << 1) ^ (v.as_int() < 0 ? ~uint64_t{0} : 0), out);
      break;
    }
    case Value::Kind::kUInt: AppendVarint(v.as_uint(), out); break;
    case Value::Kind::kFloat: {
      char buf[8];
      uint64_t bits;
      double d = v.as_float();
      std::memcpy(&bits, &d, 8);
      PutU64(buf, bits);
      out->append(buf, 8);
      break;
    }
    case Value::Kind::kText:
    case Value::Kind::kBytes:
      AppendVarint(v.as_string().size(), out);
      out->append(v.as_string());
      break;
  }
}

// ---- Chunks ----------------------------------------------------------------

void EncodeChunkHeader(const ChunkHeader& h, char out[kChunkHeaderSize]) {
  std::memcpy(out, h.uuid.data(), 16);
  PutU32(out + 16, h.table_index);
  PutU32(out + 20, h.seq);
  PutU64(out + 24, h.rows);
  PutU32(out + 32, h.columns);
  PutU32(out + 36, h.codec);
  PutU64(out + 40, h.uncompressed_bytes);
}

ChunkHeader DecodeChunkHeader(const char* p) {
  ChunkHeader h;
  std::memcpy(h.uuid.data(), p, 16);
  h.table_index = GetU32(p + 16);
  h.seq = GetU32(p + 20);
  h.rows = GetU64(p + 24);
  h.columns = GetU32(p + 32);
  h.codec = GetU32(p + 36);
  h.uncompressed_bytes = GetU64(p + 40);
  return h;
}

ChunkEncoder::ChunkEncoder(int level, uint32_t codec)
    : cctx_(codec == kCodecZstd ? ZSTD_createCCtx() : nullptr), level_(level), codec_(codec) {}
ChunkEncoder::~ChunkEncoder() { ZSTD_freeCCtx(cctx_); }

Status ChunkEncoder::Encode(const ChunkHeader& header, std::string_view rows) {
  if (codec_ != kCodecZstd && codec_ != kCodecNone) return Status::Internal("unknown chunk codec");
  if (codec_ == kCodecZstd && !cctx_) return Status::Internal("cannot create a zstd compression context");
  if (rows.size() > kMaxChunkBytes) return Status::Internal("chunk larger than the format allows");
  size_t bound = codec_ == kCodecZstd ? ZSTD_compressBound(rows.size()) : rows.size();
  size_t need = kRecordHeaderSize + kChunkHeaderSize + bound;
  if (out_.size() < need) out_.resize(need);
  char* body = out_.data() + kRecordHeaderSize + kChunkHeaderSize;
  size_t n = rows.size();
  if (codec_ == kCodecZstd) {
    ZSTD_CCtx_reset(cctx_, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level_);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_contentSizeFlag, 1);
    n = ZSTD_compress2(cctx_, body, bound, rows.data(), rows.size());
    if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  } else if (n > 0) {
    std::memcpy(body, rows.data(), n);
  }
  ChunkHeader h = header;
  h.uncompressed_bytes = rows.size();
  h.codec = codec_;
  EncodeChunkHeader(h, out_.data() + kRecordHeaderSize);
  size_ = kRecordHeaderSize + kChunkHeaderSize + n;
  EncodeRecordHeader(RecordType::kChunk, {out_.data() + kRecordHeaderSize, size_ - kRecordHeaderSize}, out_.data(),
                     &checksum_);
  return Status::OK();
}

ChunkDecoder::ChunkDecoder() : dctx_(ZSTD_createDCtx()) {}
ChunkDecoder::~ChunkDecoder() { ZSTD_freeDCtx(dctx_); }

Status ChunkDecoder::Bad(const std::string& what) const {
  return Status::Corruption(fmt::format("corrupt chunk: {} in {}", what, label_));
}

Status ChunkDecoder::Load(std::string_view payload, const ChunkExpectation& expect) {
  label_ = expect.label;
  rows_left_ = 0;
  size_ = pos_ = 0;
  if (!dctx_) return Status::Internal("cannot create a zstd decompression context");
  if (payload.size() < kChunkHeaderSize) return Bad("record too short for a chunk header");
  header_ = DecodeChunkHeader(payload.data());
  if (header_.uuid != expect.uuid) return Bad("chunk belongs to another archive (UUID differs)");
  if (header_.table_index != expect.table_index || header_.seq != expect.seq) {
    return Bad(fmt::format("out of place: found table #{} chunk {}", header_.table_index, header_.seq));
  }
  if (header_.columns != expect.columns) {
    return Bad(fmt::format("{} where the schema has {}", Counted(header_.columns, "column"), expect.columns));
  }
  if (header_.codec != kCodecZstd && header_.codec != kCodecNone) {
    return Bad(fmt::format("unknown codec {}", header_.codec));
  }
  if (header_.uncompressed_bytes > kMaxChunkBytes) return Bad("declared size exceeds the 1 GiB chunk limit");
  if (header_.rows > kMaxChunkBytes || (header_.columns > 0 && header_.rows > header_.uncompressed_bytes)) {
    return Bad("row count does not fit the chunk's size");
  }
  // A row of no columns encodes to no bytes: any byte is one no row can
  // hold, found now rather than after decoding up to 2^30 empty rows.
  if (header_.columns == 0 && header_.uncompressed_bytes != 0) return Bad("bytes left after the last row");
  std::string_view z = payload.substr(kChunkHeaderSize);
  if (header_.codec == kCodecNone) {
    // The record's frame checksum, verified by the caller, covers these bytes.
    if (z.size() != header_.uncompressed_bytes) return Bad("chunk exceeds or falls short of its declared size");
    if (capacity_ < z.size() || !buf_) {
      buf_ = std::make_unique_for_overwrite<char[]>(z.empty() ? 1 : z.size());
      capacity_ = z.empty() ? 1 : z.size();
    }
    if (!z.empty()) std::memcpy(buf_.get(), z.data(), z.size());
    size_ = z.size();
    rows_left_ = header_.rows;
    if (rows_left_ == 0 && size_ != 0) return Bad("bytes left after the last row");
    return Status::OK();
  }
  unsigned long long content = ZSTD_getFrameContentSize(z.data(), z.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN) return Bad("not a zstd frame");
  if (content != header_.uncompressed_bytes) return Bad("chunk exceeds or falls short of its declared size");
  size_t frame = ZSTD_findFrameCompressedSize(z.data(), z.size());
  if (ZSTD_isError(frame) || frame != z.size()) return Bad("compressed data is not exactly one zstd frame");
  size_t want = static_cast<size_t>(header_.uncompressed_bytes);
  if (capacity_ < want || (want == 0 && !buf_)) {
    // Uninitialised on purpose: pages are only committed as zstd writes them.
    buf_ = std::make_unique_for_overwrite<char[]>(want ? want : 1);
    capacity_ = want ? want : 1;
  }
  size_t n = ZSTD_decompressDCtx(dctx_, buf_.get(), want, z.data(), z.size());
  if (ZSTD_isError(n)) return Bad(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != want) return Bad("chunk exceeds or falls short of its declared size");
  size_ = want;
  rows_left_ = header_.rows;
  if (rows_left_ == 0 && size_ != 0) return Bad("bytes left after the last row");
  return Status::OK();
}

Status ChunkDecoder::DecodeRow(Value* cells, size_t* payload_bytes) {
  if (rows_left_ == 0) return Status::Internal("DecodeRow past the end of a chunk");
  for (uint32_t c = 0; c < header_.columns; ++c) DECANT_RETURN_IF_ERROR(DecodeValue(&cells[c], payload_bytes));
  if (--rows_left_ == 0 && pos_ != size_) return Bad("bytes left after the last row");
  return Status::OK();
}

Status ChunkDecoder::DecodeValue(Value* v, size_t* payload_bytes) {
  const char* p = buf_.get();
  auto varint = [&](uint64_t* out) -> bool {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= size_) return false;
      uint8_t b = static_cast<uint8_t>(p[pos_++]);
      if (shift == 63 && b > 1) return false;
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *out = r;
        return true;
      }
    }
    return false;
  };
  if (pos_ >= size_) return Bad("row runs past the end of the chunk");
  uint8_t kind = static_cast<uint8_t>(p[pos_++]);
  switch (static_cast<Value::Kind>(kind)) {
    case Value::Kind::kNull: v->SetNull(); return Status::OK();
    case Value::Kind::kBool: {
      if (pos_ >= size_) return Bad("row runs past the end of the chunk");
      uint8_t b = static_cast<uint8_t>(p[pos_++]);
      if (b > 1) return Bad("invalid bool byte");
      *v = Value::Bool(b != 0);
      *payload_bytes += 8;
      return Status::OK();
    }
    case Value::Kind::kInt: {
      uint64_t z;
      if (!varint(&z)) return Bad("invalid varint");
      v->SetInt(static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)));
      *payload_bytes += 8;
      return Status::OK();
    }
    case Value::Kind::kUInt: {
      uint64_t u;
      if (!varint(&u)) return Bad("invalid varint");
      *v = Value::UInt(u);
      *payload_bytes += 8;
      return Status::OK();
    }
    case Value::Kind::kFloat: {
      if (size_ - pos_ < 8) return Bad("row runs past the end of the chunk");
      uint64_t bits = GetU64(p + pos_);
      pos_ += 8;
      double d;
      std::memcpy(&d, &bits, 8);
      v->SetFloat(d);
      *payload_bytes += 8;
      return Status::OK();
    }
    case Value::Kind::kText:
    case Value::Kind::kBytes: {
      uint64_t len;
      if (!varint(&len)) return Bad("invalid varint");
      if (len > size_ - pos_) return Bad("value length runs past the end of the chunk");
      std::string_view s(p + pos_, static_cast<size_t>(len));
      pos_ += static_cast<size_t>(len);
      if (kind == static_cast<uint8_t>(Value::Kind::kText)) {
        v->SetText(s);
      } else {
        v->SetBytes(s);
      }
      *payload_bytes += s.size();
      return Status::OK();
    }
  }
  return Bad(fmt::format("unknown value kind {}", kind));
}

}  // namespace decant
