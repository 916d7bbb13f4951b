// PostgreSQL's COPY text format (one row per line, tab-separated, \N for
// NULL, backslash escapes), decoded into Values and encoded from them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "core/status.h"
#include "core/value.h"

namespace decant::pg_internal {

// How a column's text is turned into a Value: the types with a physical kind
// of their own get it; every other type travels as its text (exact, in the
// session's fixed DateStyle/IntervalStyle/TimeZone).
enum class Decode { kBool, kInt, kFloat, kBytes, kText };
Decode DecodeFor(const DataType& type);

// Decodes one COPY row (without its newline) into `row[0..kinds.size())`.
// Adds the payload bytes to *payload. Corruption if the field count differs.
// `scratch` is working space, kept by the caller across rows.
Status DecodeCopyRow(std::string_view line, const std::vector<Decode>& kinds, Value* row, size_t* payload,
                     std::string* scratch);

// Appends `v` as one COPY text field (no separator).
void EncodeCopyValue(const Value& v, std::string* out);

// COPY's binary format (FORMAT binary): a signature and header, then per row
// a 16-bit field count and per field a 32-bit length (-1: NULL) and the
// type's send/recv bytes, all big-endian; a trailer of -1. The server then
// runs each type's receive function instead of parsing text, and no
// escaping is needed on either side.
//
// How a column's values are written in binary, from its type on the target
// (a domain's base type). kNone: decant does not produce that type's binary
// form, so a table with such a column is loaded in text.
enum class Binary {
  kNone,
  kBool,
  kInt2,
  kInt4,
  kInt8,
  kFloat4,
  kFloat8,
  kNumeric,
  kBytea,
  kText,  // text, varchar, bpchar, json: the text the text format would carry
  kJsonb,
  kUuid,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
};
// The encoding of built-in type `oid` (its fixed OID); kNone for any other.
Binary BinaryFor(unsigned oid);

// The header and the trailer of a binary COPY stream.
void AppendBinaryHeader(std::string* out);
void AppendBinaryTrailer(std::string* out);

// Appends one row (`types.size()` fields of `row`) in binary. Each value is
// written only when its binary form makes exactly the row the text format
// would make (the same receive-side rounding, padding, typmod checks and
// errors): a date, time, timestamp, uuid or numeric given as text is parsed
// in the forms listed in README.md (anything else, such as BC dates or an
// exponent, is not); an integer must fit its column; a float4 must be a
// float. Returns false, leaving *out as it was, when any value of the row is
// not written exactly: the caller then loads the rest of its rows in text.
bool EncodeBinaryRow(const Value* row, const std::vector<Binary>& types, std::string* out);

}  // namespace decant::pg_internal
