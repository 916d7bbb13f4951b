// The text forms of dates, times and timestamps, read and written by one set
// of rules: what the value converter rewrites (value_conversion.h) and what
// verify compares (pipeline/canonical.h) both come from here, so a value that
// migrate passes as exact is one that verify finds equal. The rules are
// specified in docs/type-mapping.md ("Dates and times as text").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/schema.h"

namespace decant {

// One date/time value as written.
struct Moment {
  int infinity = 0;  // +1 / -1 for PostgreSQL's infinity / -infinity
  bool has_date = false, has_time = false, has_offset = false, bc = false;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  long hour = 0;  // MySQL TIME may exceed 24 or be negative
  bool negative_time = false;
  unsigned minute = 0, second = 0;
  std::string fraction;  // digits after the point, as written
  int offset_seconds = 0;
};

// Parses the text forms of PostgreSQL, MySQL and SQLite (loose SQLite text
// included): "YYYY-MM-DD", "[-]H[HH]:MM[:SS[.f]][offset]" (time_only),
// "YYYY-MM-DD[( |T)HH:MM[:SS[.f]][offset]][ BC]", "infinity", "-infinity";
// offset is Z or (+|-)HH[[:]MM[[:]SS]]. Surrounding blanks are ignored.
// MySQL's zero date 0000-00-00 is accepted. False for anything else.
bool ParseMoment(std::string_view s, bool time_only, Moment* m);

// "YYYY-MM-DD", "HH:MM:SS[.f]" or both joined by a space; `offset` appends
// "+00" (for a moment already in UTC), `bc_suffix` " BC" for a BC date.
std::string FormatMoment(const Moment& m, bool date, bool time, bool offset, bool bc_suffix);

// Moves a moment with an offset to UTC (the offset is then 0).
void ToUtc(Moment* m);

// The one normal text of a date/time value held in a column of `type`
// (kDate, kTime, kTimestamp, kTimestampTz); two texts with the same normal
// form are the same value:
//   - 'T' becomes ' ', HH:MM becomes HH:MM:00, trailing zeros of a fraction
//     of a second (and a bare '.') are dropped;
//   - a date alone in a timestamp column is that day at 00:00:00, and a
//     timestamp at 00:00:00 in a date column is that date;
//   - timestamptz: moved to UTC by its offset, written without one;
//     timestamp and time: a zero offset (Z, +00, +00:00) is dropped, any
//     other is kept as +HH:MM[:SS];
//   - infinity / -infinity in lower case.
// False (and nothing appended) when `s` is not one of ParseMoment's forms.
bool AppendNormalTemporal(std::string_view s, LogicalType type, std::string* out);

// Text for a date/time column of an engine that keeps dates as text
// (ValuePolicy::shortest_time_text): `s` with the trailing zeros of its
// fraction of a second dropped (the '.' too when all are zeros), everything
// else as written. A non-zero fraction keeps its digits when the source
// column declared a fractional precision (`declared_digits` > 0). Returns
// `s` unchanged when it has no fraction or is not ParseMoment's form.
std::string ShortestTemporalText(std::string_view s, LogicalType type, int declared_digits);

}  // namespace decant
