// Internal to engines/mysql: how each MySQL column type maps to a logical
// type, and how its cells travel as Values (README.md, "Types and values").
#pragma once

#include <string>
#include <string_view>

#include "core/schema.h"
#include "core/status.h"
#include "core/value.h"

namespace decant::mysql_internal {

// How a column's cells are read from the text protocol and written back.
enum class CellKind {
  kSigned,         // Int
  kUnsigned,       // Int, or UInt above INT64_MAX
  kFloat,          // FLOAT: read as CAST(col AS DOUBLE) so the float32 is exact; Float
  kDouble,         // Float (the server prints the shortest exact form)
  kBit,            // UInt of the bits
  kYear,           // Int (0 for the zero year); written back as four digits
  kText,           // Text: DECIMAL digits, temporal values in MySQL's own format, strings in UTF-8
  kTextConverted,  // Text in a column whose charset is not UTF-8 (written via CONVERT ... USING utf8mb4)
  kBinary,         // Bytes
  kGeometry,       // Bytes: WKB, or EWKB (SRID flag 0x20000000) when the SRID is not 0
};

// What the information_schema says about one column.
struct ColumnFacts {
  std::string data_type;    // DATA_TYPE, lower case ("int", "varchar", ...)
  std::string column_type;  // COLUMN_TYPE ("int(10) unsigned", "enum('a','b')")
  std::string charset;      // CHARACTER_SET_NAME, "" for non-text
  long long char_length = -1, precision = -1, scale = -1, datetime_precision = -1;
};

CellKind CellKindOf(const ColumnFacts& facts);
// The logical type (with length, precision, scale, enum values).
DataType LogicalTypeOf(const ColumnFacts& facts);
// True for character sets whose bytes are already UTF-8.
bool IsUtf8Charset(std::string_view charset);

// One cell as the text protocol returned it -> Value. `data` is null for NULL.
// `scratch` is a buffer the caller keeps across cells (geometry needs one).
Status DecodeCell(CellKind kind, const char* data, unsigned long length, std::string* scratch, Value* out);

// MySQL's stored geometry (4-byte little-endian SRID, then WKB) <-> WKB/EWKB.
Status GeometryToWkb(std::string_view stored, std::string* out);
Status WkbToGeometry(std::string_view wkb, std::string* out);

}  // namespace decant::mysql_internal
