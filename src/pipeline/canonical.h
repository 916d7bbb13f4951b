// Canonical values: the engine-neutral form `verify` compares.
//
// The same datum reaches decant in different physical forms depending on the
// engine: a PostgreSQL boolean is Value::Bool, a MySQL TINYINT(1) is an Int; a
// PostgreSQL numeric is text '1.50', SQLite keeps NUMERIC(10,2) as REAL 1.5; a
// timestamptz is '2020-01-01 00:00:00+00' where MySQL says '2020-01-01
// 00:00:00'. The canonical form of a value, read through its column's type,
// is one string that is equal for all of these. The rules are specified in
// docs/type-mapping.md, "Canonical values (what verify compares)".
#pragma once

#include <string>
#include <string_view>

#include "core/schema.h"
#include "core/value.h"

namespace decant {

// The first byte of a canonical form says what follows; the rest is text
// (or raw bytes for kCanonicalBytes).
inline constexpr char kCanonicalNull = 'N';
inline constexpr char kCanonicalExact = '#';   // integer or decimal digits
inline constexpr char kCanonicalApprox = '~';  // a floating-point number
inline constexpr char kCanonicalText = 'T';    // text, dates, uuid, json, ...
inline constexpr char kCanonicalBytes = 'B';   // arbitrary bytes

// Appends the canonical form of `v`, held in a column of type `type`, to `out`.
// Two values are equal for verify iff their canonical forms are equal.
void AppendCanonical(const Value& v, const DataType& type, std::string* out);

// The canonical form as a new string.
std::string Canonical(const Value& v, const DataType& type);

// The type both sides' values are read through when A declares `a` and B
// declares `b` for the same column: the more specific of the two (kAny and
// text yield to anything; integer < float < decimal; timestamp < timestamptz).
DataType CompareType(const DataType& a, const DataType& b);

// A canonical form for people: NULL, 42, 1.5, 'text' (quotes doubled),
// x'00ff'; cut to about `max_chars` with "..." when longer. `skip` leaves
// out that many leading bytes of a text or bytes value, shown as "...", to
// show where two long values differ.
std::string DisplayCanonical(std::string_view canonical, size_t max_chars = 60, size_t skip = 0);

// Orders canonical forms for listing rows "by primary key": exact numbers by
// value (when both are plain integers), everything else bytewise.
bool CanonicalLess(std::string_view a, std::string_view b);

}  // namespace decant
