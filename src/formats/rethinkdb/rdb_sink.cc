#include "formats/rethinkdb/rdb_writer.h"
#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {

Result<std::unique_ptr<Sink>> OpenSink(const std::string& /*path*/, const FileWriteOptions& /*options*/,
                                       FileSystem* /*fs*/) {
  return Status::Internal("writing RethinkDB dumps: not yet");
}

}  // namespace decant::rethinkdb
