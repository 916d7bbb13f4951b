// Constants of archive format v1 (docs/archive-format.md). The format version
// is independent of the tool's release number (DECANT_VERSION).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace decant {

inline constexpr uint16_t kArchiveFormatMajor = 1;
inline constexpr uint16_t kArchiveFormatMinor = 1;
inline constexpr char kArchiveFormatVersion[] = "1.0";
// Value of the manifest's "format" key.
inline constexpr char kArchiveFormatName[] = "decant-archive";

// 0x89 catches 7-bit transports, the trailing newline catches text-mode mangling.
inline constexpr std::array<char, 8> kArchiveMagic = {'\x89', 'D', 'E', 'C', 'A', 'N', 'T', '\n'};

inline constexpr size_t kFileHeaderSize = 40;
inline constexpr size_t kRecordHeaderSize = 16;
inline constexpr size_t kChunkHeaderSize = 48;
inline constexpr size_t kEndPayloadSize = 32;
inline constexpr size_t kEndRecordSize = kRecordHeaderSize + kEndPayloadSize;

// Rows are cut into a new chunk once a chunk holds this many encoded bytes.
inline constexpr size_t kChunkTargetBytes = 4u << 20;
// Largest decoded chunk (and so the largest row) a reader accepts or a writer produces.
inline constexpr uint64_t kMaxChunkBytes = 1ull << 30;
// Largest record payload: a chunk header plus zstd's worst case for kMaxChunkBytes.
inline constexpr uint64_t kMaxChunkRecordBytes = kChunkHeaderSize + kMaxChunkBytes + (8u << 20);
// Largest schema or manifest document.
inline constexpr uint64_t kMaxMetadataBytes = 256u << 20;

inline constexpr uint32_t kCodecZstd = 1;

enum class RecordType : uint8_t {
  kSchema = 1,
  kChunk = 2,
  kManifest = 3,
  kEnd = 4,
};

using ArchiveUuid = std::array<uint8_t, 16>;

}  // namespace decant
