// Fuzz target: a TypeDB or Grakn export stream (protobuf delimited items)
// through decant's TypeDB reader (src/formats/typedb): the recogniser on
// the head, the Source (the stream scanned and indexed, the relational
// layout built, every row read) and `decant inspect --check` (counts
// recomputed against the checksums item, references resolved).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/format_registry.h"
#include "formats/typedb/typedb_format.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  decant::fuzz::UseFuzzTempDir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decant::fuzz::MemoryFileSystem fs;
  fs.AddFile("export.typedb", bytes);
  decant::FileProbe probe;
  probe.path = "export.typedb";
  probe.head = std::string(bytes.substr(0, decant::kProbeBytes));
  (void)decant::typedb::Recognise(probe, &fs);
  auto source = decant::typedb::OpenSource("export.typedb", decant::EndpointOptions{}, &fs);
  if (source.ok()) decant::fuzz::DrainSource(source->get());
  (void)decant::typedb::Inspect("export.typedb", decant::EndpointOptions{}, /*check=*/true, &fs);
  return 0;
}
