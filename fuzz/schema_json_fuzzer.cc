// Fuzz target: the archive's schema document (SchemaFromJson,
// src/archive/metadata.cc). Whatever it accepts must survive a round trip:
// written again (SchemaToJson), the text reads back, and writing that gives
// the same text. A difference stops the run (a crash the fuzzer records).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archive/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  decant::Schema schema;
  if (!decant::SchemaFromJson(text, &schema).ok()) return 0;
  std::string once = decant::SchemaToJson(schema);
  decant::Schema again;
  decant::Status s = decant::SchemaFromJson(once, &again);
  if (!s.ok()) {
    std::fprintf(stderr, "schema written by SchemaToJson does not read back: %s\n", s.message().c_str());
    std::abort();
  }
  if (decant::SchemaToJson(again) != once) {
    std::fprintf(stderr, "schema changes on a second round trip\n");
    std::abort();
  }
  return 0;
}
