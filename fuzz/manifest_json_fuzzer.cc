// Fuzz target: the archive's manifest document (ManifestFromJson,
// src/archive/metadata.cc). Whatever it accepts must survive a round trip:
// written again (ManifestToJson), the text reads back, and writing that
// gives the same text. A difference stops the run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archive/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  decant::Manifest manifest;
  if (!decant::ManifestFromJson(text, &manifest).ok()) return 0;
  std::string once = decant::ManifestToJson(manifest);
  decant::Manifest again;
  decant::Status s = decant::ManifestFromJson(once, &again);
  if (!s.ok()) {
    std::fprintf(stderr, "manifest written by ManifestToJson does not read back: %s\n", s.message().c_str());
    std::abort();
  }
  if (decant::ManifestToJson(again) != once) {
    std::fprintf(stderr, "manifest changes on a second round trip\n");
    std::abort();
  }
  return 0;
}
