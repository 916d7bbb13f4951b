#include "formats/rethinkdb/rdb_writer.h"

namespace decant::rethinkdb {

void AppendPythonJson(const nlohmann::ordered_json& value, std::string* out) { *out += value.dump(); }

Result<nlohmann::ordered_json> RowToDocument(const Table& /*table*/, const Value* /*row*/) {
  return Status::Internal("RethinkDB documents: not yet");
}

}  // namespace decant::rethinkdb
