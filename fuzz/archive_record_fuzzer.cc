// Fuzz target: a single-file decant archive, read by both readers
// (src/archive/archive_source.cc): the seekable one (header, end record,
// manifest, schema, chunks by the manifest's offsets, slices) and the
// front-to-back one a pipe gets (records in order, manifest checked last).
//
// Every record carries an XXH3 checksum, which a mutation almost always
// breaks; so each input is also read with its frames' checksums (the file
// header's, each record's in turn) set right, to reach what lies behind
// them: the record lengths, the JSON documents, the chunk decoder, the
// manifest's cross-checks. (The manifest's own copies of the chunk
// checksums and of the schema's checksum are left as they are.)
#include <cstddef>
#include <cstdint>
#include <string>

#include "archive/archive.h"
#include "archive/codec.h"
#include "archive/format.h"
#include "core/row_batch.h"
#include "fuzz_util.h"

namespace {

using decant::fuzz::MemoryFileSystem;

// The input with the checksums of its frames recomputed, as far as the
// record lengths chain from the file header to the end.
std::string WithFrameChecksums(std::string bytes) {
  if (bytes.size() < decant::kFileHeaderSize) return bytes;
  decant::PutU64(bytes.data() + 32, decant::Xxh3({bytes.data(), 32}));
  size_t pos = decant::kFileHeaderSize;
  while (bytes.size() - pos >= decant::kRecordHeaderSize) {
    char* frame = bytes.data() + pos;
    uint32_t length = decant::GetU32(frame + 4);
    if (length > bytes.size() - pos - decant::kRecordHeaderSize) break;
    decant::PutU64(frame + 8, decant::RecordChecksum(frame, {frame + decant::kRecordHeaderSize, length}));
    pos += decant::kRecordHeaderSize + length;
  }
  return bytes;
}

void ReadSlices(decant::Source* source) {
  auto schema = source->ReadSchema();
  if (!schema.ok()) return;
  decant::RowBatch batch;
  for (const decant::Table& table : schema->tables) {
    auto slices = source->SplitTable(table, source->EstimateSize(table), 3);
    if (!slices.ok()) continue;
    for (const decant::TableSlice& slice : *slices) {
      auto reader = source->OpenSlice(table, slice);
      if (!reader.ok()) continue;
      for (int batches = 0; batches < 64; ++batches) {
        auto more = (*reader)->Next(&batch);
        if (!more.ok() || !*more) break;
      }
    }
  }
}

void ReadBothWays(const std::string& bytes) {
  for (bool seekable : {true, false}) {
    MemoryFileSystem fs(seekable);
    fs.AddFile("in.dca", bytes);
    auto source = decant::OpenArchiveSource("in.dca", &fs);
    if (!source.ok()) continue;
    decant::fuzz::DrainSource(source->get());
    if (seekable) ReadSlices(source->get());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string fixed = WithFrameChecksums(bytes);
  ReadBothWays(fixed);
  if (fixed != bytes) ReadBothWays(bytes);
  return 0;
}
