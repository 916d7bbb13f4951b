#include "formats/typedb/typedb_format.h"

namespace decant::typedb {

// STUB (the reader's helper replaces this file).
Result<std::string> Inspect(const std::string&, const EndpointOptions&, bool, FileSystem*) {
  return Status::Internal("TypeDB inspect: not yet");
}

}  // namespace decant::typedb
