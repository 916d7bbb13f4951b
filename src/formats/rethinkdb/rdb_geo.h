// RethinkDB's GEOMETRY pseudo-type (GeoJSON: Point, LineString, Polygon) and
// the WKB decant carries geometry as (core/value.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace decant::rethinkdb {

// The WKB (little-endian, 2-D) of a GEOMETRY pseudo-type object
// {"$reql_type$":"GEOMETRY","type":...,"coordinates":[...]}. InvalidArgument
// for another type or malformed coordinates.
Result<std::string> GeoJsonToWkb(const nlohmann::json& geometry);

// The GEOMETRY pseudo-type object of 2-D WKB (either byte order) holding a
// Point, LineString or Polygon, keys in the order "$reql_type$", "coordinates",
// "type". InvalidArgument for anything else (the caller names the value).
Result<nlohmann::ordered_json> WkbToGeoJson(std::string_view wkb);

}  // namespace decant::rethinkdb
