// Writing RethinkDB's files: documents as Python's json.dumps writes them, and
// rows of any table as documents.
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine_traits.h"
#include "core/schema.h"
#include "core/status.h"
#include "core/value.h"

namespace decant::rethinkdb {

// `value` as Python's json.dumps(value) with default settings: separators
// ", " and ": ", ensure_ascii (\uXXXX escapes, surrogate pairs above U+FFFF),
// floats as Python's repr, keys in the object's order. Appends to `out`.
// Invalid UTF-8 in a string is written as U+FFFD (Python's strings cannot
// hold it).
void AppendPythonJson(const nlohmann::ordered_json& value, std::string* out);

// A row of `table` as a document: columns become fields in column order;
// the document and leftovers columns (rdb_shape.h) are merged back, a time
// zone column goes back into its TIME; timestamps become TIME, bytes BINARY,
// geometry (WKB) GEOMETRY. InvalidArgument for a row without a primary key value.
// `row` holds one Value per DataColumns(table) entry (as a TableWriter gets
// it). The rules: DocumentMaker below and docs/formats/rethinkdb.md.
Result<nlohmann::ordered_json> RowToDocument(const Table& table, const Value* row);

// How the rows of one table become documents, decided once per table.
//
// The primary key field: a one-column primary key is that column's field.
// A table with a composite primary key, or none, gets a new field (`id`, or
// `rethinkdb_id` when a column is named id, then rethinkdb_id_2, ...): the
// array of the key's values for a composite key (RethinkDB keys may be
// arrays, so uniqueness is kept), a random UUID v4 per document for a table
// without a key (as RethinkDB's insert makes them). `key_note` says so.
//
// Columns: a NULL is JSON null, except in an inferred table (one with a
// leftovers column), where a NULL column is an absent field (explicit nulls
// live in the leftovers). The document column's object is the whole
// document (the other columns only fill in its key when it lacks one); the
// leftovers' fields are added after the columns; a time zone column gives
// its TIME field's "timezone". Marked columns are recognised by their
// comment (rdb_shape.h), else by name and type: a kJson `doc` in a table of
// the key column(s) plus `doc`; a kJson `_rest`; a text `<f>_tz` beside a
// timestamp `<f>` in a table with `_rest`.
class DocumentMaker {
 public:
  explicit DocumentMaker(const Table& table);

  const std::string& primary_key() const { return primary_key_; }
  // Empty, or one line on a key that is not the table's own one-column key.
  const std::string& key_note() const { return key_note_; }

  // `row`: one Value per DataColumns(table) entry. InvalidArgument naming
  // the table, column and reason for a value no document can hold (NaN, an
  // infinite date, malformed JSON, a geometry RethinkDB has no type for).
  Result<nlohmann::ordered_json> Make(const Value* row) const;

 private:
  enum class Role { kField, kDocument, kLeftovers, kTimeZone, kSkip };
  struct Col {
    std::string name;
    DataType type;
    Role role = Role::kField;
    int tz_of = -1;  // kField: index (in cols_) of its time zone column
  };
  Result<nlohmann::ordered_json> FieldValue(const Col& col, const Value& v, const Value* tz) const;

  std::string label_;
  std::vector<Col> cols_;
  std::string primary_key_;
  std::string key_note_;
  int key_col_ = -1;            // one-column key: its index in cols_
  std::vector<int> compound_;   // composite key: its columns' indexes
  bool generated_key_ = false;  // no key: a UUID per document
  bool absent_nulls_ = false;   // inferred table: NULL = absent field
};

// What a dump of `schema` (rdb_sink.cc) names instead of carrying, one line
// each as `decant plan` lists it ("index i on t: r.db(...)...indexCreate(...)"):
// indexes (with the call that makes each), unique and foreign keys, views,
// triggers, sequences. EngineTraits::not_created of Traits().
std::vector<std::string> NotWritten(const Schema& schema, const EngineTraits& source);

// "rethinkdb_dump_<DATE>", DATE the local time `t` as %Y-%m-%dT%H:%M:%S, as
// `rethinkdb dump` names its archive (+ ".tar.gz") and its top directory.
std::string DumpName(std::time_t t);

// A name as RethinkDB allows it (database, table, index: [A-Za-z0-9_-]+):
// every other byte becomes '_', an empty name "_".
std::string RethinkName(std::string_view name);

}  // namespace decant::rethinkdb
