// Fuzz target: one chunk record's payload (chunk header, then a zstd frame or
// the rows as they are), through ChunkDecoder (src/archive/codec.cc): Load
// checks the header and decompresses, DecodeRow decodes each cell. The
// expectation (archive UUID, table, sequence number, column count) is taken
// from the payload's own header, as a reader whose manifest agrees would
// have it, so every input reaches the decompression and the rows.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "archive/codec.h"
#include "archive/format.h"
#include "core/value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  if (payload.size() < decant::kChunkHeaderSize) return 0;
  decant::ChunkHeader header = decant::DecodeChunkHeader(payload.data());
  // A reader's expectation comes from the schema, whose tables have a
  // bounded number of columns; the decoder itself never allocates by it.
  if (header.columns > 4096) return 0;
  decant::ChunkExpectation expect;
  expect.uuid = header.uuid;
  expect.table_index = header.table_index;
  expect.seq = header.seq;
  expect.columns = header.columns;
  expect.label = "table \"t\" chunk 0";
  decant::ChunkDecoder decoder;
  if (!decoder.Load(payload, expect).ok()) return 0;
  std::vector<decant::Value> row(header.columns);
  // A chunk of no columns may rightly hold up to 2^30 empty rows (no bytes
  // each); decoding them all proves nothing more than the first few.
  size_t left = header.columns == 0 ? 4096 : SIZE_MAX;
  while (decoder.rows_left() > 0 && left-- > 0) {
    size_t payload_bytes = 0;
    if (!decoder.DecodeRow(row.data(), &payload_bytes).ok()) break;
  }
  return 0;
}
