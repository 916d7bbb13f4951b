// The engine-neutral schema model.
//
// Every object keeps two descriptions: the neutral one (logical types,
// columns, keys) that a cross-engine target maps from, and `native_ddl`, the
// source engine's own definition, which a same-engine restore replays so that
// it is exact. `Schema::engine` says which dialect native_ddl is written in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace decant {

// Stable names: they are written into archives as strings (LogicalTypeName).
enum class LogicalType {
  kBool,
  kInt16,
  kInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64,
  kDecimal,  // exact; precision/scale may be unset (any precision)
  kText,
  kBytes,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kInterval,
  kUuid,
  kJson,
  kEnum,
  kArray,
  kBitString,
  kGeometry,  // WKB
  kNative,    // only its own engine understands it; carried as text
  kAny,       // no declared type (SQLite columns declared without a type)
};

const char* LogicalTypeName(LogicalType t);
// Returns false if `name` is not a known logical type name.
bool ParseLogicalType(const std::string& name, LogicalType* out);

struct DataType {
  LogicalType logical = LogicalType::kAny;
  int32_t length = -1;                      // char/varchar/bit length, -1 = unbounded
  int32_t precision = -1;                   // decimal precision or fractional-second digits, -1 = unset
  int32_t scale = -1;                       // decimal scale, -1 = unset
  LogicalType element = LogicalType::kAny;  // for kArray
  std::vector<std::string> enum_values;     // for kEnum
  bool operator==(const DataType&) const = default;
};

struct Column {
  std::string name;
  DataType type;
  std::string native_type;  // as declared in the source, e.g. "NVARCHAR(120)"; may be empty
  bool nullable = true;
  std::optional<std::string> default_expr;  // in the source dialect
  std::optional<std::string> collation;
  std::optional<std::string> generated_expr;  // generated column expression
  bool generated_stored = false;
  bool auto_increment = false;  // SQLite AUTOINCREMENT, MySQL AUTO_INCREMENT, identity/serial
  std::string identity;         // SQL identity column: "ALWAYS" or "BY DEFAULT"; empty if not one
  std::string comment;
  // MySQL's ON UPDATE clause, in the source dialect ("current_timestamp()",
  // "CURRENT_TIMESTAMP(3)"): an UPDATE that does not set the column sets it
  // to this. Empty: none.
  std::string on_update;
  bool operator==(const Column&) const = default;
};

struct KeyConstraint {  // PRIMARY KEY or UNIQUE
  std::string name;     // may be empty (unnamed)
  std::vector<std::string> columns;
  bool operator==(const KeyConstraint&) const = default;
};

struct CheckConstraint {
  std::string name;        // may be empty
  std::string expression;  // in the source dialect, without the CHECK keyword
  bool operator==(const CheckConstraint&) const = default;
};

enum class FkAction { kNoAction, kRestrict, kCascade, kSetNull, kSetDefault };
const char* FkActionName(FkAction a);  // "NO ACTION", "CASCADE", ...
bool ParseFkAction(const std::string& name, FkAction* out);

struct ForeignKey {
  std::string name;  // may be empty
  std::vector<std::string> columns;
  std::string ref_schema;  // may be empty: same schema
  std::string ref_table;
  std::vector<std::string> ref_columns;  // empty: the referenced table's primary key
  FkAction on_update = FkAction::kNoAction;
  FkAction on_delete = FkAction::kNoAction;
  std::string match;  // "", "SIMPLE", "FULL", "PARTIAL"
  bool deferrable = false;
  bool initially_deferred = false;
  bool operator==(const ForeignKey&) const = default;
};

struct Table {
  std::string schema;  // namespace; empty for SQLite's main database
  std::string name;
  std::vector<Column> columns;
  std::optional<KeyConstraint> primary_key;
  std::vector<KeyConstraint> uniques;
  std::vector<CheckConstraint> checks;
  std::vector<ForeignKey> foreign_keys;
  // Engine-specific options, e.g. {"without_rowid","1"}, {"strict","1"}, {"engine","InnoDB"}.
  std::map<std::string, std::string> options;
  std::string comment;
  std::string native_ddl;  // CREATE TABLE ... in Schema::engine's dialect
  bool operator==(const Table&) const = default;
};

struct IndexKey {
  std::string column;      // set for a plain column key
  std::string expression;  // set for an expression key
  bool descending = false;
  std::optional<std::string> collation;
  // With `column` (a JSON column): the key is the value at this path of
  // object fields in the column's documents, as text (a document store's
  // index on a field, e.g. {"address","city"}). Each engine declares it its
  // own way (an expression, or a generated column plus an index).
  std::vector<std::string> json_path = {};  // "= {}": positional braces may leave it out
  bool operator==(const IndexKey&) const = default;
};

struct Index {
  std::string schema;
  std::string name;
  std::string table;
  bool unique = false;
  std::vector<IndexKey> keys;
  std::optional<std::string> where;  // partial index predicate
  std::string method;                // "btree", "gin", ... empty = engine default
  std::string native_ddl;
  bool operator==(const Index&) const = default;
};

struct View {
  std::string schema;
  std::string name;
  std::string definition;  // the SELECT, in the source dialect
  bool materialized = false;
  std::string native_ddl;
  // The session settings it was created under, set again around its CREATE
  // on the same engine (MySQL: sql_mode, character_set_client,
  // collation_connection). Empty: the loading session's.
  std::map<std::string, std::string> options = {};  // "= {}": positional braces may leave it out
  bool operator==(const View&) const = default;
};

struct Trigger {
  std::string schema;
  std::string name;
  std::string table;
  std::string native_ddl;  // triggers are carried natively only
  // The session settings it was created under, set again around its CREATE
  // on the same engine (MySQL: sql_mode, character_set_client,
  // collation_connection). Empty: the loading session's.
  std::map<std::string, std::string> options = {};  // "= {}": positional braces may leave it out
  bool operator==(const Trigger&) const = default;
};

// A counter that hands out ids: a PostgreSQL sequence, a MySQL
// AUTO_INCREMENT counter, or a row of SQLite's sqlite_sequence.
struct Sequence {
  std::string schema;
  std::string name;         // sequence name; for SQLite/MySQL the table name
  std::string owner_table;  // table whose column it feeds, if any
  std::string owner_column;
  int64_t last_value = 0;  // last value handed out
  bool is_called = true;   // false: next value is last_value itself (PostgreSQL)
  int64_t increment = 1;
  std::string native_ddl;
  bool operator==(const Sequence&) const = default;
};

// An object only its own engine can create, carried as that engine's DDL: a
// PostgreSQL extension, type, domain, function, exclusion constraint, comment.
// A same-engine target runs `native_ddl` in `phase` order; another engine
// lists it as not translatable (never drops it in silence).
struct NativeObject {
  std::string kind;  // "schema", "extension", "type", "function", "constraint", "comment", ...
  std::string schema;
  std::string name;
  std::string table;  // the table it belongs to, if any
  std::string phase;  // "pre-data": before tables; "post-data": after data, indexes and keys
  std::string native_ddl;
  // The session settings it was created under, set again around its CREATE
  // on the same engine (MySQL: sql_mode, character_set_client,
  // collation_connection). Empty: the loading session's.
  std::map<std::string, std::string> options = {};  // "= {}": positional braces may leave it out
  bool operator==(const NativeObject&) const = default;
};

// One database's schema plus where it came from.
struct Schema {
  std::string engine;          // "sqlite", "postgresql", "mysql"
  std::string server_version;  // e.g. "3.40.1"
  std::string database;        // source database name or file name
  std::vector<Table> tables;
  std::vector<Index> indexes;
  std::vector<View> views;
  std::vector<Trigger> triggers;
  std::vector<Sequence> sequences;
  std::vector<NativeObject> objects;  // in creation order within each phase
  // Database-level settings worth restoring, e.g. {"encoding","UTF-8"},
  // {"user_version","7"}, {"application_id","0"}.
  std::map<std::string, std::string> options;

  bool operator==(const Schema&) const = default;

  const Table* FindTable(const std::string& schema_name, const std::string& name) const;
};

// "schema.name", or "name" when schema is empty; for messages.
std::string QualifiedName(const std::string& schema, const std::string& name);

}  // namespace decant
