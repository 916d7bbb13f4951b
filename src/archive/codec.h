// Binary pieces of the archive format: little-endian integers, record frames,
// the row encoding and chunk (de)compression. Internal to src/archive.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "archive/format.h"
#include "core/status.h"
#include "core/value.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace decant {

inline void PutU16(char* p, uint16_t v) {
  for (int i = 0; i < 2; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint16_t GetU16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8));
}
inline uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t Xxh3(std::string_view data);
std::string ChecksumHex(uint64_t checksum);
// The inverse of ChecksumHex: exactly 16 hex digits (either case), else nullopt.
std::optional<uint64_t> ParseChecksumHex(std::string_view hex);
std::string UuidToString(const ArchiveUuid& uuid);
bool ParseUuid(const std::string& text, ArchiveUuid* out);
ArchiveUuid NewRandomUuid();

// ---- File header -----------------------------------------------------------

void EncodeFileHeader(const ArchiveUuid& uuid, char out[kFileHeaderSize]);
// Checks magic, version (UnsupportedVersion for a newer major) and checksum.
// `size` is how many bytes were available (a short header is truncation).
Status DecodeFileHeader(const char* data, size_t size, const std::string& what, ArchiveUuid* uuid);
std::string NewerVersionMessage(uint32_t major, uint32_t minor);

// ---- Record frames ---------------------------------------------------------

struct RecordHeader {
  uint8_t type = 0;
  uint32_t length = 0;
  uint64_t checksum = 0;
};

void EncodeRecordHeader(RecordType type, std::string_view payload, char out[kRecordHeaderSize],
                        uint64_t* checksum = nullptr);
RecordHeader DecodeRecordHeader(const char* p);
// The checksum a frame must carry: XXH3-64 over frame bytes 0..7, then the payload.
uint64_t RecordChecksum(const char* header, std::string_view payload);
// Largest payload allowed for a record type (unknown types: kMaxMetadataBytes).
uint64_t MaxPayloadFor(uint8_t type);
const char* RecordTypeName(uint8_t type);

// ---- Rows ------------------------------------------------------------------

void AppendVarint(uint64_t v, std::string* out);
// Appends one cell: kind byte then payload.
void EncodeValue(const Value& v, std::string* out);

// ---- Chunks ----------------------------------------------------------------

struct ChunkHeader {
  ArchiveUuid uuid{};
  uint32_t table_index = 0;
  uint32_t seq = 0;
  uint64_t rows = 0;
  uint32_t columns = 0;
  uint32_t codec = kCodecZstd;
  uint64_t uncompressed_bytes = 0;
};

void EncodeChunkHeader(const ChunkHeader& h, char out[kChunkHeaderSize]);
ChunkHeader DecodeChunkHeader(const char* p);

// Compresses rows into a complete chunk record (frame + chunk header + zstd
// frame, or the rows as they are with kCodecNone). One per thread; reuses its
// context and output buffer.
class ChunkEncoder {
 public:
  explicit ChunkEncoder(int level, uint32_t codec = kCodecZstd);
  ~ChunkEncoder();
  ChunkEncoder(const ChunkEncoder&) = delete;
  ChunkEncoder& operator=(const ChunkEncoder&) = delete;

  // On success record() holds the record; checksum() its frame checksum.
  Status Encode(const ChunkHeader& header, std::string_view rows);
  std::string_view record() const { return {out_.data(), size_}; }
  uint64_t checksum() const { return checksum_; }
  uint64_t compressed_bytes() const { return size_ - kRecordHeaderSize - kChunkHeaderSize; }

 private:
  ZSTD_CCtx_s* cctx_;
  int level_;
  uint32_t codec_;
  std::string out_;
  size_t size_ = 0;
  uint64_t checksum_ = 0;
};

// What the reader already knows about the chunk it is about to decode.
struct ChunkExpectation {
  ArchiveUuid uuid{};
  uint32_t table_index = 0;
  uint32_t seq = 0;
  uint32_t columns = 0;
  std::string label;  // e.g. table "Album" chunk 3, for messages
};

// Verifies and decompresses one chunk, then hands out its rows. Holds one
// decoded chunk at a time.
class ChunkDecoder {
 public:
  ChunkDecoder();
  ~ChunkDecoder();
  ChunkDecoder(const ChunkDecoder&) = delete;
  ChunkDecoder& operator=(const ChunkDecoder&) = delete;

  // `payload` is the record payload whose frame checksum was already
  // verified. Checks the header against `expect`, decompresses and checks sizes.
  Status Load(std::string_view payload, const ChunkExpectation& expect);
  uint64_t rows_left() const { return rows_left_; }
  const ChunkHeader& header() const { return header_; }
  // Decodes the next row into `cells` (columns() of them); adds payload bytes.
  Status DecodeRow(Value* cells, size_t* payload_bytes);

 private:
  Status DecodeValue(Value* v, size_t* payload_bytes);
  Status Bad(const std::string& what) const;

  ZSTD_DCtx_s* dctx_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  size_t pos_ = 0;
  uint64_t rows_left_ = 0;
  ChunkHeader header_;
  std::string label_;
};

}  // namespace decant
