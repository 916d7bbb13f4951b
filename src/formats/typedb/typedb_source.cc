#include "formats/typedb/typedb_format.h"

namespace decant::typedb {

// STUB (the reader's helper replaces this file).
bool Recognise(const FileProbe&, FileSystem*) { return false; }
Result<std::unique_ptr<Source>> OpenSource(const std::string&, const EndpointOptions&, FileSystem*) {
  return Status::Internal("TypeDB reader: not yet");
}

}  // namespace decant::typedb
