// The JSON forms of decant's results: `plan --json`, `verify --json` and
// `inspect --json` print one document each, and the event log (events.h)
// reuses the plan's and the conversions' forms. Specified in docs/events.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/column_mapping.h"

namespace decant {

struct ArchiveInfo;
struct ColumnConversions;
struct MigrationPlan;
struct PlanScan;
struct Schema;
struct VerifyReport;

// The version of the documents below (docs/events.md, "Documents"); they
// carry it as "v" beside "document" (their name).
inline constexpr int kResultJsonVersion = 1;

// Serializes `doc` on one line (indent < 0) or indented; bytes that are not
// UTF-8 (a table name from a Latin-1 database) become U+FFFD instead of
// failing, since names in a report are for reading.
std::string DumpJson(const nlohmann::ordered_json& doc, int indent = -1);

// `doc` with every string value (and key) passed through RedactSecrets
// (core/redact.h): the last net before a document or an event leaves decant
// (docs/security.md).
nlohmann::ordered_json RedactStrings(const nlohmann::ordered_json& doc);

// "exact", "some_values", "all_values": a column's worst loss (core/column_mapping.h).
const char* LossKey(Loss loss);

// The plan: source (engine, version, database), target engine, data_only,
// per table its columns (source and target type, loss, risks) and the count
// of lossy ones, then not_carried, changed and notes. `source` is the schema
// the plan was made from.
nlohmann::ordered_json PlanJson(const MigrationPlan& plan, const Schema& source);

// One column's conversions (table, column, count, reason, keys, and
// null_in_not_null when any).
nlohmann::ordered_json ConversionJson(const ColumnConversions& conversions);

// What `plan --scan` read: rows, tables_read, tables_skipped, conversions.
nlohmann::ordered_json PlanScanJson(const PlanScan& scan);

// verify's report: both sides' tables (rows, hash), equal, differences.
nlohmann::ordered_json VerifyJson(const VerifyReport& report, const std::string& a, const std::string& b);

// inspect of a decant archive: its header and manifest, per table rows,
// chunks and bytes; `checked` says whether every chunk was read.
nlohmann::ordered_json ArchiveInfoJson(const ArchiveInfo& info, const std::string& path, bool checked);

}  // namespace decant
