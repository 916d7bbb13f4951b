// Fuzz target: a Django fixture or InvenTree export-records file through
// decant's Django reader (src/formats/django): the recogniser on the head,
// then the Source twice: loose (one table per model, typed from the JSON
// values, as inspect shows it) and fitted to that loose schema (as an
// import fits it to the target's tables), every row read each time.
// Plain JSON and JSONL reach the parser; the corpus also holds a gzipped
// fixture, so the decompressing copy is driven too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/django/django_format.h"
#include "formats/format_registry.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  decant::fuzz::UseFuzzTempDir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decant::fuzz::MemoryFileSystem fs;
  fs.AddFile("fixture.json", bytes);
  decant::FileProbe probe;
  probe.path = "fixture.json";
  probe.head = std::string(bytes.substr(0, decant::kProbeBytes));
  (void)decant::django::Recognise(probe, &fs);
  auto loose = decant::django::OpenSource("fixture.json", decant::EndpointOptions{}, &fs);
  if (!loose.ok()) return 0;
  decant::fuzz::DrainSource(loose->get());
  auto schema = (*loose)->ReadSchema();
  if (!schema.ok()) return 0;
  auto fitted = decant::django::OpenSource("fixture.json", decant::EndpointOptions{}, &fs);
  if (!fitted.ok() || !(*fitted)->FitTo(*schema, nullptr).ok()) return 0;
  decant::fuzz::DrainSource(fitted->get());
  return 0;
}
