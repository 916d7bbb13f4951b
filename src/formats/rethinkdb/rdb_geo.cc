#include "formats/rethinkdb/rdb_geo.h"

namespace decant::rethinkdb {

Result<std::string> GeoJsonToWkb(const nlohmann::json& /*geometry*/) {
  return Status::Internal("RethinkDB geometry: not yet");
}

Result<nlohmann::ordered_json> WkbToGeoJson(std::string_view /*wkb*/) {
  return Status::Internal("RethinkDB geometry: not yet");
}

}  // namespace decant::rethinkdb
