#include "formats/rethinkdb/rdb_geo.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace decant::rethinkdb {
namespace {

// WKB geometry type codes (OGC 06-103r4 8.2.3) and the EWKB SRID flag.
constexpr uint32_t kWkbPoint = 1;
constexpr uint32_t kWkbLineString = 2;
constexpr uint32_t kWkbPolygon = 3;
constexpr uint32_t kEwkbSridFlag = 0x20000000;
constexpr uint32_t kWgs84 = 4326;

void PutU32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutDouble(double d, std::string* out) {
  uint64_t bits = std::bit_cast<uint64_t>(d);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

Status PutPosition(const nlohmann::json& pos, std::string* out) {
  if (!pos.is_array() || pos.size() != 2 || !pos[0].is_number() || !pos[1].is_number()) {
    return Status::InvalidArgument(fmt::format("GEOMETRY position {} is not [longitude, latitude]", pos.dump()));
  }
  PutDouble(pos[0].get<double>(), out);
  PutDouble(pos[1].get<double>(), out);
  return Status::OK();
}

Status PutPositions(const nlohmann::json& list, std::string* out) {
  if (!list.is_array()) return Status::InvalidArgument("GEOMETRY coordinates: expected an array of positions");
  PutU32(static_cast<uint32_t>(list.size()), out);
  for (const auto& pos : list) DECANT_RETURN_IF_ERROR(PutPosition(pos, out));
  return Status::OK();
}

// Reads WKB with bounds checks; every count is checked against the bytes
// left before anything is allocated.
class WkbReader {
 public:
  explicit WkbReader(std::string_view b) : b_(b) {}
  bool U8(uint8_t* v) {
    if (pos_ + 1 > b_.size()) return false;
    *v = static_cast<uint8_t>(b_[pos_++]);
    return true;
  }
  bool U32(bool little, uint32_t* v) {
    if (pos_ + 4 > b_.size()) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      uint32_t byte = static_cast<uint8_t>(b_[pos_ + static_cast<size_t>(little ? i : 3 - i)]);
      r |= byte << (8 * i);
    }
    pos_ += 4;
    *v = r;
    return true;
  }
  bool Double(bool little, double* v) {
    if (pos_ + 8 > b_.size()) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) {
      uint64_t byte = static_cast<uint8_t>(b_[pos_ + static_cast<size_t>(little ? i : 7 - i)]);
      r |= byte << (8 * i);
    }
    pos_ += 8;
    *v = std::bit_cast<double>(r);
    return true;
  }
  size_t left() const { return b_.size() - pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

// A coordinate as the server prints it: an integral value as an integer.
nlohmann::ordered_json Coordinate(double d) {
  if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 && !(d == 0 && std::signbit(d))) {
    return static_cast<int64_t>(d);
  }
  return d;
}

bool ReadPosition(WkbReader* r, bool little, nlohmann::ordered_json* out) {
  double x = 0, y = 0;
  if (!r->Double(little, &x) || !r->Double(little, &y)) return false;
  if (!std::isfinite(x) || !std::isfinite(y)) return false;  // NaN: an empty point, none in GeoJSON
  *out = nlohmann::ordered_json::array({Coordinate(x), Coordinate(y)});
  return true;
}

bool ReadPositions(WkbReader* r, bool little, nlohmann::ordered_json* out) {
  uint32_t n = 0;
  if (!r->U32(little, &n) || n > r->left() / 16) return false;
  *out = nlohmann::ordered_json::array();
  for (uint32_t i = 0; i < n; ++i) {
    nlohmann::ordered_json pos;
    if (!ReadPosition(r, little, &pos)) return false;
    out->push_back(std::move(pos));
  }
  return true;
}

}  // namespace

Result<std::string> GeoJsonToWkb(const nlohmann::json& geometry) {
  if (!geometry.is_object()) return Status::InvalidArgument("GEOMETRY: not an object");
  auto type = geometry.find("type");
  auto coords = geometry.find("coordinates");
  if (type == geometry.end() || !type->is_string() || coords == geometry.end()) {
    return Status::InvalidArgument("GEOMETRY: needs \"type\" and \"coordinates\"");
  }
  const std::string& t = type->get_ref<const std::string&>();
  std::string out;
  out.push_back(1);  // little-endian
  if (t == "Point") {
    PutU32(kWkbPoint, &out);
    DECANT_RETURN_IF_ERROR(PutPosition(*coords, &out));
  } else if (t == "LineString") {
    PutU32(kWkbLineString, &out);
    DECANT_RETURN_IF_ERROR(PutPositions(*coords, &out));
  } else if (t == "Polygon") {
    PutU32(kWkbPolygon, &out);
    if (!coords->is_array()) return Status::InvalidArgument("GEOMETRY Polygon: coordinates are not an array of rings");
    PutU32(static_cast<uint32_t>(coords->size()), &out);
    for (const auto& ring : *coords) DECANT_RETURN_IF_ERROR(PutPositions(ring, &out));
  } else {
    return Status::InvalidArgument(fmt::format("GEOMETRY type '{}' (RethinkDB has Point, LineString, Polygon)", t));
  }
  return out;
}

Result<nlohmann::ordered_json> WkbToGeoJson(std::string_view wkb) {
  WkbReader r(wkb);
  auto bad = [] { return Status::InvalidArgument("not a 2-D WKB Point, LineString or Polygon"); };
  uint8_t order = 0;
  uint32_t type = 0;
  if (!r.U8(&order) || order > 1 || !r.U32(order == 1, &type)) return bad();
  bool little = order == 1;
  if (type & kEwkbSridFlag) {  // EWKB with an SRID: only WGS 84, GeoJSON's one system
    uint32_t srid = 0;
    if (!r.U32(little, &srid) || srid != kWgs84) return bad();
    type &= ~kEwkbSridFlag;
  }
  nlohmann::ordered_json coords;
  const char* name = nullptr;
  if (type == kWkbPoint) {
    name = "Point";
    if (!ReadPosition(&r, little, &coords)) return bad();
  } else if (type == kWkbLineString) {
    name = "LineString";
    if (!ReadPositions(&r, little, &coords)) return bad();
  } else if (type == kWkbPolygon) {
    name = "Polygon";
    uint32_t rings = 0;
    if (!r.U32(little, &rings) || rings > r.left() / 4) return bad();
    coords = nlohmann::ordered_json::array();
    for (uint32_t i = 0; i < rings; ++i) {
      nlohmann::ordered_json ring;
      if (!ReadPositions(&r, little, &ring)) return bad();
      coords.push_back(std::move(ring));
    }
  } else {
    return bad();
  }
  if (r.left() != 0) return bad();
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["$reql_type$"] = "GEOMETRY";
  out["coordinates"] = std::move(coords);
  out["type"] = name;
  return out;
}

}  // namespace decant::rethinkdb
