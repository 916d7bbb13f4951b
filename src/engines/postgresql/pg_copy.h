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

}  // namespace decant::pg_internal
