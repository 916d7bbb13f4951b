#include "formats/rethinkdb/rdb_shape.h"

namespace decant::rethinkdb {

struct TableShaper::State {};

TableShaper::TableShaper(const TableFiles& /*files*/, const DocumentOptions& /*options*/)
    : state_(std::make_unique<State>()) {}
TableShaper::~TableShaper() = default;

Status TableShaper::Observe(const nlohmann::json& /*doc*/) { return Status::OK(); }

Result<TableShape> TableShaper::Finish() { return Status::Internal("RethinkDB shapes: not yet"); }

Status DocumentToRow(const TableShape& /*shape*/, const nlohmann::json& /*doc*/, Value* /*row*/) {
  return Status::Internal("RethinkDB shapes: not yet");
}

}  // namespace decant::rethinkdb
