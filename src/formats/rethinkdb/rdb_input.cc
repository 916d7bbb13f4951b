#include "formats/rethinkdb/rdb_input.h"

#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {

bool Recognise(const FileProbe& /*probe*/, FileSystem* /*fs*/) { return false; }

Result<std::unique_ptr<InputSet>> InputSet::Open(const std::string& /*path*/, const DocumentOptions& /*options*/,
                                                 FileSystem* /*fs*/) {
  return Status::Internal("RethinkDB input: not yet");
}

Result<std::unique_ptr<DocumentReader>> DocumentReader::Open(const TableFiles& /*table*/) {
  return Status::Internal("RethinkDB documents: not yet");
}

}  // namespace decant::rethinkdb
