// Private to the fixture writer (django_sink.cc, django_write_values.cc): JSON
// laid out as Python's json.dump writes it, for the three layouts Django's
// serializers and InvenTree use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/python_json.h"
#include "core/value.h"
#include "formats/django/django_values.h"

namespace decant::django {

// How json.dump separates items and keys, and indents.
struct JsonLayout {
  std::string_view item = ", ";  // between items when not indenting
  std::string_view key = ": ";
  int indent = 0;  // spaces per level; 0: all on one line
};
// dumpdata's json format (no --indent), Python's json.dumps defaults.
inline constexpr JsonLayout kPythonLayout{", ", ": ", 0};
// dumpdata's jsonl format.
inline constexpr JsonLayout kJsonLinesLayout{",", ": ", 0};
// json.dumps(indent=2): InvenTree's export-records file.
inline constexpr JsonLayout kIndent2Layout{",", ": ", 2};

// Floats: AppendPythonFloat (core/python_json.h).

// `json` (any valid JSON text) as Python's json.dumps(json.loads(json)) lays
// it out with `layout`, `depth` levels deep (indenting): key order kept,
// integers kept digit for digit, other numbers as Python floats, strings
// escaped as AppendPythonString does. False (nothing appended) for text that
// is not one JSON value.
bool AppendPythonJsonText(std::string_view json, bool ascii, const JsonLayout& layout, int depth, std::string* out);

// AppendFixtureValue with JSON fields laid out by `layout` at `depth`.
void AppendFixtureValueLaidOut(const Value& v, const ColumnForm& form, bool ascii, const JsonLayout& layout, int depth,
                               std::string* out);

// The microseconds of a duration as PostgreSQL (IntervalStyle postgres:
// "1 year 2 mons -3 days +04:05:06.5"; a year is 365 days and a month 30,
// as psycopg2 counts them), Django ("[-]D HH:MM:SS[.ffffff]") or ISO 8601
// ("P1DT2H3M4.5S") write it; nullopt for anything else or out of range.
std::optional<int64_t> ParseDurationMicros(std::string_view text);

// Django's duration_string of `micros` microseconds: "[D ]HH:MM:SS[.ffffff]",
// the days negative for a negative duration ("-1 23:59:59.999999").
std::string DurationString(int64_t micros);

}  // namespace decant::django
