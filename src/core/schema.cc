#include "core/schema.h"

#include <array>
#include <utility>

namespace decant {
namespace {

constexpr std::array<std::pair<LogicalType, const char*>, 23> kLogicalTypeNames = {{
    {LogicalType::kBool, "bool"},
    {LogicalType::kInt16, "int16"},
    {LogicalType::kInt32, "int32"},
    {LogicalType::kInt64, "int64"},
    {LogicalType::kUInt64, "uint64"},
    {LogicalType::kFloat32, "float32"},
    {LogicalType::kFloat64, "float64"},
    {LogicalType::kDecimal, "decimal"},
    {LogicalType::kText, "text"},
    {LogicalType::kBytes, "bytes"},
    {LogicalType::kDate, "date"},
    {LogicalType::kTime, "time"},
    {LogicalType::kTimestamp, "timestamp"},
    {LogicalType::kTimestampTz, "timestamptz"},
    {LogicalType::kInterval, "interval"},
    {LogicalType::kUuid, "uuid"},
    {LogicalType::kJson, "json"},
    {LogicalType::kEnum, "enum"},
    {LogicalType::kArray, "array"},
    {LogicalType::kBitString, "bit"},
    {LogicalType::kGeometry, "geometry"},
    {LogicalType::kNative, "native"},
    {LogicalType::kAny, "any"},
}};

constexpr std::array<std::pair<FkAction, const char*>, 5> kFkActionNames = {{
    {FkAction::kNoAction, "NO ACTION"},
    {FkAction::kRestrict, "RESTRICT"},
    {FkAction::kCascade, "CASCADE"},
    {FkAction::kSetNull, "SET NULL"},
    {FkAction::kSetDefault, "SET DEFAULT"},
}};

}  // namespace

const char* LogicalTypeName(LogicalType t) {
  for (const auto& [type, name] : kLogicalTypeNames) {
    if (type == t) return name;
  }
  return "any";
}

bool ParseLogicalType(const std::string& name, LogicalType* out) {
  for (const auto& [type, n] : kLogicalTypeNames) {
    if (name == n) {
      *out = type;
      return true;
    }
  }
  return false;
}

const char* FkActionName(FkAction a) {
  for (const auto& [action, name] : kFkActionNames) {
    if (action == a) return name;
  }
  return "NO ACTION";
}

bool ParseFkAction(const std::string& name, FkAction* out) {
  for (const auto& [action, n] : kFkActionNames) {
    if (name == n) {
      *out = action;
      return true;
    }
  }
  return false;
}

const Table* Schema::FindTable(const std::string& schema_name, const std::string& name) const {
  for (const Table& t : tables) {
    if (t.schema == schema_name && t.name == name) return &t;
  }
  return nullptr;
}

std::string QualifiedName(const std::string& schema, const std::string& name) {
  return schema.empty() ? name : schema + "." + name;
}

}  // namespace decant
