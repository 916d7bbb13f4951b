// Constants of the decant archive format (docs/archive-format.md). The format version
// is independent of the tool's release number (DECANT_VERSION).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace decant {

// The archive format version this decant writes, MAJOR.MINOR: the one source
// of truth for the file header (bytes 8..11), the manifest's "format_version"
// and the newest version readers accept. A reader refuses a newer major; a
// minor version only adds (keys with defaults, skippable record types).
// Releasing a new version: bump it here, add a line below and to the history in
// docs/archive-format.md, and add its golden archives (tests/data/compat/README.md).
//
// History (format: what it added; written by decant):
//   1.0  header, schema/chunk/manifest/end records, directory form (0.1.0)
//   1.1  Schema.objects: native objects with a phase ("pre-data" | "post-data");
//        Column.identity ("", "ALWAYS", "BY DEFAULT"); optional View/Trigger/
//        NativeObject options, Column.on_update, IndexKey.json_path (0.2.0)
//   1.2  chunk codec 0 (none: the rows stored as they are) (after 0.2.0)
//   1.3  directory form: manifest.json.xxh3, the checksum of manifest.json;
//        the signature (record type 5 / file "signature", Ed25519) (issue 17)
inline constexpr uint16_t kArchiveFormatMajor = 1;
inline constexpr uint16_t kArchiveFormatMinor = 3;
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

// A chunk's codec (chunk header bytes 36..39): how its row bytes are stored.
inline constexpr uint32_t kCodecNone = 0;  // as they are (format 1.2)
inline constexpr uint32_t kCodecZstd = 1;  // one zstd frame
// The zstd level chunks are compressed with unless told (docs/archive-format.md
// gives the measurement it was chosen by).
inline constexpr int kDefaultZstdLevel = 3;

enum class RecordType : uint8_t {
  kSchema = 1,
  kChunk = 2,
  kManifest = 3,
  kEnd = 4,
  kSignature = 5,  // 1.3: the signature document, just before the manifest record
};

// Directory form (1.3): the XXH3-64 of manifest.json's bytes, 16 lowercase hex
// digits and a newline, written before manifest.json.
inline constexpr char kManifestChecksumFile[] = "manifest.json.xxh3";
inline constexpr size_t kManifestChecksumFileSize = 17;
// Directory form (1.3): the signature record (frame and payload, as in the
// single-file form), written before manifest.json.xxh3 when the archive is signed.
inline constexpr char kSignatureFile[] = "signature";

using ArchiveUuid = std::array<uint8_t, 16>;

}  // namespace decant
