// RethinkDB's TIME and BINARY pseudo-types as the values decant carries
// (core/value.h): a TIME is the text of a timestamp with time zone, a BINARY
// its bytes. The rules are in docs/formats/rethinkdb.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/base64.h"
#include "core/status.h"

namespace decant::rethinkdb {

// The bytes of a BINARY pseudo-type's base64 data: core/base64.h's strict
// DecodeBase64 (EncodeBase64, its inverse, is core's), its message prefixed
// with "BINARY data is " (the caller names the field).
Result<std::string> DecodeBase64(std::string_view text);

// A TIME pseudo-type's parts.
struct TimeValue {
  // The timestamp in UTC, as decant carries timestamptz:
  // "YYYY-MM-DD HH:MM:SS[.fff]+00", the fraction of a second without
  // trailing zeros (none for a whole second).
  std::string utc_text;
  // The offset, "+HH:MM" or "-HH:MM".
  std::string timezone;
};

// Parses {"$reql_type$":"TIME","epoch_time":N,"timezone":"+HH:MM"}: the
// milliseconds are epoch_time * 1000 rounded half away from zero (the
// server's own rounding, src/rdb_protocol/pseudo_time.cc sanitize_epoch_sec);
// the timezone may also be "Z", "+HH" or "+HHMM" (written "+HH:MM"). Any
// other key, a missing key, a year before 1 or a time beyond +-2^53 ms is
// InvalidArgument.
Result<TimeValue> ParseTime(const nlohmann::json& time);

// The UTC timestamp text of `ms` milliseconds since 1970-01-01 00:00:00 UTC
// (the form of TimeValue::utc_text). Requires a year >= 1.
std::string TimestampText(int64_t ms);

}  // namespace decant::rethinkdb
