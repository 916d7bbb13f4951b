// Field values between Django's serialized forms and a column's values.
//
// Reading a fixture (FixtureValue): a JSON value as Django's serializers
// write it (docs/formats/django.md, "Values") becomes the Value a target
// column holds, in the canonical text form of docs/type-mapping.md for the
// types that travel as text, following what Django itself stores on each
// backend: a UUID into a 32-character text column is its 32 hex digits, a
// duration into an integer column is microseconds, a datetime with an offset
// into a column without a time zone is UTC without an offset, a JSON field
// into a text column is JSON text, binary is base64.
//
// Writing a fixture (AppendFixtureValue): a column's value becomes the JSON
// Django's serializers write for the field (decimals as strings, datetimes
// ISO 8601 cut to milliseconds with "Z" for UTC, durations as
// "[D ]HH:MM:SS[.ffffff]", binary as base64, JSON fields as JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/schema.h"
#include "core/status.h"
#include "core/value.h"

namespace decant::django {

// What a column holds, as far as the schema (and, writing, the user) tells.
struct ColumnForm {
  DataType type;
  // A text column holding JSON: a JSONField outside PostgreSQL (SQLite's
  // text, MariaDB's longtext, each with a CHECK calling JSON_VALID on it).
  bool json_text = false;
  // Writing only: what DjangoOptions::field_types says the column holds:
  // "", "duration", "uuid" or "json".
  std::string hint;
  // Writing only: datetimes without an offset, as Django writes them with
  // USE_TZ = False (a value with an offset is first moved to UTC).
  bool naive = false;
};

// The form of column `column` of `table`: its type, and json_text when a
// CHECK of the table calls json_valid on it (any case, quoted or not).
ColumnForm FormOf(const Table& table, size_t column);

// Sets `*out` to the value column `form` stores for the fixture's JSON value
// `v`. Returns "" when it was read, else a short reason the value cannot be
// read into that column ("not a number", "not a date", "bad base64") for the
// caller's one-line error. JSON null is NULL. By the column's logical type:
//   bool: true/false (and 0/1) -> Bool.
//   integers: a JSON integer -> Int (UInt above INT64_MAX); a string of a
//     duration ("[-]D HH:MM:SS[.ffffff]", "HH:MM:SS", ISO "P...") -> its
//     microseconds; true/false -> 1/0; a whole float -> Int.
//   floats: a number -> Float; a kNonFiniteMarker string -> NaN/inf.
//   decimal: a string or number -> its text ("12.50"; "1E+2" kept as the
//     text of the number, "NaN" and "Infinity" kept); (SQLite reads TIME
//     columns as decimal: a time string is kept as text.)
//   text: a string -> Text, hyphenated UUID into a column of length 32 -> its
//     hex digits; with json_text: the value as compact JSON text; a number ->
//     its JSON text.
//   bytes: a base64 string -> Bytes.
//   date, time, timestamp: the ISO text with 'T' -> ' '; an offset on a
//     timestamp is applied (UTC, without offset); "Z" on a time dropped.
//   timestamptz: the ISO text with 'T' -> ' ', "Z" -> "+00:00"; a value
//     without an offset is taken as UTC.
//   interval: a duration string -> "D days HH:MM:SS.ffffff" (PostgreSQL's
//     form, signs explicit).
//   uuid: a string -> lower-case hyphenated form.
//   json: the value as compact JSON text (a JSON string is JSON text too).
//   enum, array, native, any: a string as it is, anything else as compact JSON.
std::string FixtureValue(const nlohmann::json& v, const ColumnForm& form, Value* out);

// Appends to `out` the JSON Django writes for `v`, a value of a column of
// `form`: NULL -> null; bool -> true/false (an integer in a bool column
// too); integers -> numbers (with hint "duration": the duration string of
// that many microseconds); float -> number, NaN/Infinity as bare tokens as
// Python writes them; decimal -> a string of its text, at the column's scale
// when it has one ("12.50" from SQLite's REAL 12.5); text -> string (hint
// "uuid": 32 hex digits hyphenated; hint "json" or json_text: the JSON
// embedded as it is); bytes -> base64 string; date -> "YYYY-MM-DD"; time ->
// "HH:MM:SS[.mmm]"; timestamp (naive, taken as UTC) and timestamptz ->
// "YYYY-MM-DDTHH:MM:SS[.mmm]Z" (microseconds cut to milliseconds, as
// DjangoJSONEncoder does; without the "Z" when form.naive); interval -> "[D ]HH:MM:SS[.ffffff]"; uuid ->
// hyphenated lower case; json -> the JSON embedded. Strings are escaped as
// Python's json does: with `ascii`, every non-ASCII character as \uXXXX
// (surrogate pairs above U+FFFF), else as UTF-8.
void AppendFixtureValue(const Value& v, const ColumnForm& form, bool ascii, std::string* out);

// Strings: AppendPythonString (core/python_json.h).

}  // namespace decant::django
