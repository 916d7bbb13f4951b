// Attribute values between an export stream's value messages and the
// relational layout's value columns (docs/formats/typedb.md, "Values").
// Every conversion is exact both ways; what does not fit is an error.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "core/value.h"
#include "formats/typedb/layout.h"
#include "formats/typedb/proto/typedb_v2.pb.h"
#include "formats/typedb/proto/typedb_v3.pb.h"

namespace decant::typedb {

// An attribute's value as the layout's columns hold it.
struct SqlValue {
  Value value;  // the `value` column, in decant's canonical forms (core/value.h)
  Value tz;     // value_tz (datetime-tz): an IANA name, or "+HH:MM[:SS]"/"-HH:MM[:SS]"
  Value ns;     // value_ns (datetime, datetime-tz): nanoseconds below the microsecond, 0..999
};

// The value type of a value message; kNone when no case is set.
ValueType TypeOf(const v3::MigrationValue& v);

// `v` as the columns hold it, in the text forms of docs/formats/typedb.md
// ("Values"): decimals exact ("-1.5"), dates "YYYY-MM-DD" (" BC" before year
// 1, as PostgreSQL writes them; every 32-bit day count fits), datetimes
// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC with ns = nanos % 1000 (an Int),
// datetime-millis with 3 digits. Corruption (one line, without a place: the
// caller adds it) for what TypeDB does not write either: no value, a decimal
// fraction not below 10^19, nanos not below 10^9, a datetime-tz without a
// valid zone, and a datetime beyond a 64-bit count of microseconds from the
// epoch (about 292,000 years, more than any engine's timestamp holds).
Status ToSql(const v3::MigrationValue& v, SqlValue* out);

// The value message of generation 3 from the columns of an attribute of
// type `type`. Reads what ToSql writes and what engines give back: any
// timestamp text of mapping/temporal_text.h (fewer or more fraction digits,
// 'T', an offset), decimals with trailing zeros, as an Int or a Float
// (SQLite), booleans as Bool, 0/1 or t/f text, doubles as Float or text; a
// NULL `ns` (no value_ns column) is 0. InvalidArgument, one line naming the
// value, when the columns do not hold a value of the type exactly (a
// database edited by hand).
Status FromSql(ValueType type, const Value& value, const Value& tz, const Value& ns, v3::MigrationValue* out);

// `v` (generation 3) as generation 2 holds it: string, boolean, long,
// double, datetime (milliseconds). A 3.x datetime converts when it is a
// whole number of milliseconds. false (and `why`, e.g. "2.x has no decimal
// values") for what 2.x cannot hold.
bool ToGeneration2(const v3::MigrationValue& v, v2::ValueObject* out, std::string* why);

// A 2.x datetime (milliseconds since the epoch) as a 3.x datetime, exactly.
void MillisToDatetime(int64_t millis, v3::Datetime* out);

}  // namespace decant::typedb
