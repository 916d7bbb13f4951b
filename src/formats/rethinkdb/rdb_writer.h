// Writing RethinkDB's files: documents as Python's json.dumps writes them, and
// rows of any table as documents.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/schema.h"
#include "core/status.h"
#include "core/value.h"

namespace decant::rethinkdb {

// `value` as Python's json.dumps(value) with default settings: separators
// ", " and ": ", ensure_ascii (\uXXXX escapes, surrogate pairs above U+FFFF),
// floats as Python's repr, keys in the object's order. Appends to `out`.
void AppendPythonJson(const nlohmann::ordered_json& value, std::string* out);

// A row of `table` as a document: columns become fields in column order;
// the document and leftovers columns (rdb_shape.h) are merged back, a time
// zone column goes back into its TIME; timestamps become TIME, bytes BINARY,
// geometry (WKB) GEOMETRY. InvalidArgument for a row without a primary key value.
Result<nlohmann::ordered_json> RowToDocument(const Table& table, const Value* row);

}  // namespace decant::rethinkdb
