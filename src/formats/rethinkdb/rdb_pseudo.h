// RethinkDB's TIME and BINARY pseudo-types as the values decant carries
// (core/value.h): a TIME is the text of a timestamp with time zone, a BINARY
// its bytes. The rules are in docs/formats/rethinkdb.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace decant::rethinkdb {

// The bytes of standard base64 with padding (RFC 4648 section 4), strictly:
// only the 64 letters, a length that is a multiple of 4, one or two '=' at
// the end only, zero bits after the last byte (so EncodeBase64 gives `text`
// back). InvalidArgument otherwise (the caller names the field).
Result<std::string> DecodeBase64(std::string_view text);
// Standard base64 with padding, as Python's base64.b64encode.
std::string EncodeBase64(std::string_view bytes);

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
