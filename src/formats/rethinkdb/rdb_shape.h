// How RethinkDB documents become rows, and rows become documents again.
//
// A table has one of two shapes (DocumentOptions::infer_columns):
//  - document (default): the primary key column plus the whole document in
//    the JSON column `doc`; lossless.
//  - inferred: the primary key plus one typed column per top-level field,
//    inferred from every document of the table, and the JSON column `_rest`
//    holding, per document, the fields that did not fit (a field of mixed
//    types, a rare field, an explicit null), so nothing is dropped.
// Pseudo-types: TIME -> timestamp with time zone (+ the offset), BINARY ->
// bytes, GEOMETRY -> geometry (WKB). The rules, byte for byte, are in
// docs/formats/rethinkdb.md.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/schema.h"
#include "core/status.h"
#include "core/value.h"
#include "formats/rethinkdb/rdb_input.h"

namespace decant::rethinkdb {

// The names (and column comments, which PostgreSQL and MySQL keep) that mark
// the columns a sink merges back into the document.
inline constexpr char kDocumentColumn[] = "doc";
inline constexpr char kLeftoversColumn[] = "_rest";
inline constexpr char kDocumentComment[] = "rethinkdb: the whole document";
inline constexpr char kLeftoversComment[] = "rethinkdb: fields not in a column of their own";
// A GEOMETRY field's column (WKB; bytes on a target without a geometry type).
inline constexpr char kGeometryComment[] = "rethinkdb: GEOMETRY (WKB)";
// A TIME field's offset column is named <field>_tz and commented
// kTimeZoneComment + <field>.
inline constexpr char kTimeZoneComment[] = "rethinkdb: time zone of ";
// The comment of a key column holding keys of several JSON types (or arrays,
// booleans, times), each as its compact JSON text (ColumnRole::key_as_json).
inline constexpr char kKeyJsonComment[] = "rethinkdb: the key as JSON text";

// What one column of a shaped table holds.
struct ColumnRole {
  enum class Kind {
    kKey,        // the primary key field (`field`)
    kDocument,   // the whole document (JSON)
    kField,      // the top-level field `field`
    kTimeZone,   // the "+HH:MM" offset of TIME field `field`
    kLeftovers,  // a JSON object of the fields with no column of their own
  };
  Kind kind = Kind::kField;
  std::string field;
  // kKey in a text column: every key is its compact JSON text (a string
  // "1" is "\"1\"", the number 1 is "1"), so keys of several types stay
  // distinct. With the inferred shape the key is then also kept in the
  // leftovers column, so the way back restores its JSON type.
  bool key_as_json = false;
};

struct TableShape {
  Table table;                    // schema = db, name = table, primary key = the key column
  std::vector<ColumnRole> roles;  // one per table.columns entry
  // Secondary indexes from the .info whose function is a plain field (or
  // several): on the column (inferred) or on a json_path of `doc`.
  std::vector<Index> indexes;
  // What is named instead of carried: indexes on anything else and the write
  // hook, kind "index" / "write hook", native_ddl = the .info's query text.
  std::vector<NativeObject> not_carried;
  // One line each, for the plan: what went to the leftovers column and why.
  std::vector<std::string> notes;
};

// Builds a table's shape from its documents (the first pass over them).
class TableShaper {
 public:
  TableShaper(const TableFiles& files, const DocumentOptions& options);
  ~TableShaper();
  TableShaper(const TableShaper&) = delete;
  TableShaper& operator=(const TableShaper&) = delete;
  // Every document of the table, in order. InvalidArgument for a document
  // without the primary key field (the caller adds file and line).
  Status Observe(const nlohmann::json& doc);
  // The shape, once every document was observed.
  Result<TableShape> Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Fills `row` (one Value per shape.table.columns entry) from `doc`. Values a
// column cannot hold never occur for a document the shaper observed; any
// other document gets InvalidArgument naming the field.
Status DocumentToRow(const TableShape& shape, const nlohmann::json& doc, Value* row);

}  // namespace decant::rethinkdb
