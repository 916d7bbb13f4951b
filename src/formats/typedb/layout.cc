#include "formats/typedb/layout.h"

#include <array>
#include <utility>

namespace decant::typedb {
namespace {

constexpr std::array<std::pair<Kind, const char*>, 3> kKinds = {
    {{Kind::kEntity, "entity"}, {Kind::kRelation, "relation"}, {Kind::kAttribute, "attribute"}}};

constexpr std::array<std::pair<ValueType, const char*>, 11> kValueTypes = {{
    {ValueType::kString, "string"},
    {ValueType::kBoolean, "boolean"},
    {ValueType::kInteger, "integer"},
    {ValueType::kDouble, "double"},
    {ValueType::kDatetimeMillis, "datetime-millis"},
    {ValueType::kDecimal, "decimal"},
    {ValueType::kDate, "date"},
    {ValueType::kDatetime, "datetime"},
    {ValueType::kDatetimeTz, "datetime-tz"},
    {ValueType::kDuration, "duration"},
    {ValueType::kStruct, "struct"},
}};

constexpr std::array<std::string_view, 4> kReserved = {"id", "value", "value_tz", "value_ns"};

bool Reserved(std::string_view name) {
  for (std::string_view r : kReserved) {
    if (r == name) return true;
  }
  return false;
}

Column TextColumn(std::string name, bool nullable) {
  Column c;
  c.name = std::move(name);
  c.type.logical = LogicalType::kText;
  c.nullable = nullable;
  return c;
}

ForeignKey Reference(std::string column, const std::string& table) {
  ForeignKey fk;
  fk.columns = {std::move(column)};
  fk.ref_table = table;
  fk.ref_columns = {"id"};
  return fk;
}

Index IndexOn(const std::string& table, const std::string& column) {
  Index x;
  x.name = table + ":" + column;
  x.table = table;
  IndexKey k;
  k.column = column;
  x.keys.push_back(std::move(k));
  return x;
}

// The table of one type: id, its value columns (attribute types), a column
// per attribute type owned at most once.
Table TypeTable(const TypeInfo& t, const std::map<std::string, const TypeInfo*>& by_label) {
  Table table;
  table.name = t.label;
  table.columns.push_back(TextColumn("id", false));
  table.primary_key = KeyConstraint{"", {"id"}};
  if (t.kind == Kind::kAttribute) {
    Column v;
    v.name = "value";
    v.type = ValueColumnType(t.value_type);
    v.nullable = false;
    table.columns.push_back(std::move(v));
    if (t.value_type == ValueType::kDatetimeTz) table.columns.push_back(TextColumn("value_tz", false));
    if (t.value_ns) {
      Column ns;
      ns.name = "value_ns";
      ns.type.logical = LogicalType::kInt16;
      ns.nullable = false;
      table.columns.push_back(std::move(ns));
    }
  }
  for (const std::string& owned : t.owned) {
    std::string column = OwnedColumn(owned);
    table.columns.push_back(TextColumn(column, true));
    if (by_label.count(owned)) table.foreign_keys.push_back(Reference(column, owned));
  }
  return table;
}

}  // namespace

const char* KindName(Kind k) {
  for (const auto& [kind, name] : kKinds) {
    if (kind == k) return name;
  }
  return "";
}

bool ParseKind(std::string_view name, Kind* out) {
  for (const auto& [kind, n] : kKinds) {
    if (name == n) {
      *out = kind;
      return true;
    }
  }
  return false;
}

const char* ValueTypeName(ValueType v) {
  for (const auto& [type, name] : kValueTypes) {
    if (type == v) return name;
  }
  return "";
}

bool ParseValueType(std::string_view name, ValueType* out) {
  for (const auto& [type, n] : kValueTypes) {
    if (name == n) {
      *out = type;
      return true;
    }
  }
  return false;
}

bool InGeneration2(ValueType v) {
  return v == ValueType::kString || v == ValueType::kBoolean || v == ValueType::kInteger || v == ValueType::kDouble ||
         v == ValueType::kDatetimeMillis;
}

std::string HasTable(std::string_view label) { return std::string(label) + ":has"; }
std::string RolesTable(std::string_view label) { return std::string(label) + ":roles"; }

std::string OwnedColumn(std::string_view attribute_label) {
  return Reserved(attribute_label) ? "has:" + std::string(attribute_label) : std::string(attribute_label);
}

std::string OwnedLabel(std::string_view column) {
  if (column.substr(0, 4) == "has:") return std::string(column.substr(4));
  return Reserved(column) ? std::string() : std::string(column);
}

DataType ValueColumnType(ValueType v) {
  DataType t;
  switch (v) {
    case ValueType::kBoolean: t.logical = LogicalType::kBool; break;
    case ValueType::kInteger: t.logical = LogicalType::kInt64; break;
    case ValueType::kDouble: t.logical = LogicalType::kFloat64; break;
    case ValueType::kDatetimeMillis:
      t.logical = LogicalType::kTimestamp;
      t.precision = 3;
      break;
    case ValueType::kDecimal:
      t.logical = LogicalType::kDecimal;
      t.precision = 39;
      t.scale = 19;
      break;
    case ValueType::kDate: t.logical = LogicalType::kDate; break;
    case ValueType::kDatetime:
    case ValueType::kDatetimeTz:
      t.logical = LogicalType::kTimestamp;
      t.precision = 6;
      break;
    default: t.logical = LogicalType::kText; break;  // string, duration (ISO 8601), struct (its type's name)
  }
  return t;
}

Schema BuildSchema(const Layout& layout) {
  Schema s;
  s.engine = "typedb";
  auto version = layout.file.find(std::string(kFileVersion));
  if (version != layout.file.end()) s.server_version = version->second;
  auto database = layout.file.find(std::string(kFileDatabase));
  if (database != layout.file.end()) s.database = database->second;

  Table file;
  file.name = std::string(kFileTable);
  file.columns = {TextColumn("key", false), TextColumn("value", true)};
  file.primary_key = KeyConstraint{"", {"key"}};
  s.tables.push_back(std::move(file));
  Table types;
  types.name = std::string(kTypesTable);
  types.columns = {TextColumn("label", false), TextColumn("kind", false), TextColumn("value_type", true)};
  types.primary_key = KeyConstraint{"", {"label"}};
  s.tables.push_back(std::move(types));

  std::map<std::string, const TypeInfo*> attributes;
  for (const TypeInfo& t : layout.types) {
    if (t.kind == Kind::kAttribute) attributes[t.label] = &t;
  }
  // Attribute tables first (owners reference them), then entities and
  // relations, then the side tables.
  for (Kind kind : {Kind::kAttribute, Kind::kEntity, Kind::kRelation}) {
    for (const TypeInfo& t : layout.types) {
      if (t.kind == kind) s.tables.push_back(TypeTable(t, attributes));
    }
  }
  for (const TypeInfo& t : layout.types) {
    if (t.has_table) {
      Table has;
      has.name = HasTable(t.label);
      has.columns = {TextColumn("owner", false), TextColumn("type", false), TextColumn("attribute", false)};
      has.foreign_keys.push_back(Reference("owner", t.label));
      s.indexes.push_back(IndexOn(has.name, "owner"));
      s.tables.push_back(std::move(has));
    }
    if (t.kind == Kind::kRelation) {
      Table roles;
      roles.name = RolesTable(t.label);
      roles.columns = {TextColumn("relation", false), TextColumn("role", false), TextColumn("player", false)};
      roles.foreign_keys.push_back(Reference("relation", t.label));
      s.indexes.push_back(IndexOn(roles.name, "relation"));
      s.indexes.push_back(IndexOn(roles.name, "player"));
      s.tables.push_back(std::move(roles));
    }
  }
  return s;
}

}  // namespace decant::typedb
