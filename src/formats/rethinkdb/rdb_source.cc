#include "formats/rethinkdb/rdb_input.h"
#include "formats/rethinkdb/rdb_shape.h"
#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {

Result<std::unique_ptr<Source>> OpenSource(const std::string& /*path*/, const EndpointOptions& /*options*/,
                                           FileSystem* /*fs*/) {
  return Status::Internal("reading RethinkDB files: not yet");
}

}  // namespace decant::rethinkdb
