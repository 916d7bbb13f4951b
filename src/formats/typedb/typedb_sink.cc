#include "formats/typedb/typedb_format.h"

namespace decant::typedb {

// STUB (the writer's helper replaces this file).
Result<std::unique_ptr<Sink>> OpenSink(const std::string&, const FileWriteOptions&, FileSystem*) {
  return Status::Internal("TypeDB writer: not yet");
}

}  // namespace decant::typedb
