// Fuzz target: a `rethinkdb dump` archive (tar, usually gzipped) through
// decant's RethinkDB reader (src/formats/rethinkdb): the recogniser on the
// file's head, then the Source: the members unpacked (into memory), each
// table's .info, its documents (JSON, or CSV) shaped into tables, every row
// read. The corpus holds plain tar files, so that mutations reach the
// members' text instead of breaking a gzip stream. The export and legacy
// directory forms are not driven here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/format_registry.h"
#include "formats/rethinkdb/rethinkdb_format.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  decant::fuzz::UseFuzzTempDir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decant::fuzz::MemoryFileSystem fs;
  fs.AddFile("dump.tar.gz", bytes);
  decant::FileProbe probe;
  probe.path = "dump.tar.gz";
  probe.head = std::string(bytes.substr(0, decant::kProbeBytes));
  (void)decant::rethinkdb::Recognise(probe, &fs);
  auto source = decant::rethinkdb::OpenSource("dump.tar.gz", decant::EndpointOptions{}, &fs);
  if (source.ok()) decant::fuzz::DrainSource(source->get());
  return 0;
}
