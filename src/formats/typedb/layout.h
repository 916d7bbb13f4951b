// The relational layout of a TypeDB graph (docs/formats/typedb.md, the
// contract): what the Source builds from an export file and what the Sink
// reads back into one. Table and column names use ':' where a name is
// decant's own, because a TypeQL label never holds one
// ([A-Za-z_][A-Za-z0-9_-]*), so no label can collide with them.
//
//   typedb:file          key text PK, value text: the header, the generation,
//                        the checksums as the file gave them
//   typedb:types         label text PK, kind text, value_type text
//   <attribute label>    id PK, value, [value_tz], [value_ns], owned columns
//   <entity label>       id PK, owned columns
//   <relation label>     id PK, owned columns
//   <label>:has          owner, type, attribute: ownerships of an attribute
//                        type some instance owns more than once
//   <relation>:roles     relation, role, player: one row per role player
//
// An owned column is named after the attribute type it holds (the owned
// attribute's id), "has:<label>" when that label is a reserved column name
// (id, value, value_tz, value_ns).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "core/status.h"

namespace decant::typedb {

enum class Kind { kEntity, kRelation, kAttribute };

// An attribute type's value type, as typedb:types.value_type names it.
enum class ValueType {
  kNone,            // not an attribute type
  kString,          // "string"
  kBoolean,         // "boolean"
  kInteger,         // "integer" (2.x long)
  kDouble,          // "double"
  kDatetimeMillis,  // "datetime-millis": 2.x datetime, milliseconds since the epoch
  kDecimal,         // "decimal" (3.x)
  kDate,            // "date" (3.x)
  kDatetime,        // "datetime" (3.x, nanoseconds)
  kDatetimeTz,      // "datetime-tz" (3.x)
  kDuration,        // "duration" (3.x)
  kStruct,          // "struct" (3.x; only the struct type's name is exported)
};

const char* KindName(Kind k);  // "entity", "relation", "attribute"
bool ParseKind(std::string_view name, Kind* out);
const char* ValueTypeName(ValueType v);  // as above; "" for kNone
bool ParseValueType(std::string_view name, ValueType* out);
// True for the value types a 2.x stream holds (string, boolean, integer,
// double, datetime-millis).
bool InGeneration2(ValueType v);

// Names of decant's own tables and columns.
inline constexpr std::string_view kFileTable = "typedb:file";
inline constexpr std::string_view kTypesTable = "typedb:types";
std::string HasTable(std::string_view label);    // "<label>:has"
std::string RolesTable(std::string_view label);  // "<label>:roles"
// The column of `attribute_label` in an owner's table.
std::string OwnedColumn(std::string_view attribute_label);
// The attribute label of an owner table's column; "" for a reserved column
// (id, value, value_tz, value_ns).
std::string OwnedLabel(std::string_view column);

// typedb:file keys.
inline constexpr std::string_view kFileGeneration =
    "generation";  // "grakn-1.8", "grakn-2.0", "typedb-2", "typedb-3", "unknown"
inline constexpr std::string_view kFileVersion = "version";  // the header's version string
inline constexpr std::string_view kFileDatabase = "original_database";
// "checksum.entity_count", ... as the file gave them (absent: no checksums item).
inline constexpr std::string_view kFileChecksumPrefix = "checksum.";

// One type of the graph.
struct TypeInfo {
  std::string label;
  Kind kind = Kind::kEntity;
  ValueType value_type = ValueType::kNone;  // attribute types only
  // Attribute labels every instance owns at most once: a column each, in
  // this order.
  std::vector<std::string> owned;
  // Some instance owns an attribute type more than once: a <label>:has table.
  bool has_table = false;
  // datetime and datetime-tz: some value has a non-zero digit below the
  // microsecond, so a value_ns column holds nanoseconds % 1000.
  bool value_ns = false;
};

// A whole graph's layout.
struct Layout {
  std::vector<TypeInfo> types;  // sorted by label
  // typedb:file rows.
  std::map<std::string, std::string> file;
};

// The tables (and indexes) of `layout`, as a Schema whose engine is
// "typedb": typedb:file and typedb:types, the attribute tables, the entity
// and relation tables, then the :has and :roles tables, with primary keys
// and foreign keys as docs/formats/typedb.md says.
Schema BuildSchema(const Layout& layout);

// The column type of an attribute type's `value`.
DataType ValueColumnType(ValueType v);

}  // namespace decant::typedb
