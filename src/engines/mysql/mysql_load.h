// Internal to engines/mysql: the bulk-load TableWriter.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_types.h"

namespace decant::mysql_internal {

enum class LoadMethod {
  kLoadData,  // LOAD DATA LOCAL INFILE fed from memory (the default: measured faster)
  kInsert,    // multi-row INSERT statements
  // --upsert: multi-row INSERT ... ON DUPLICATE KEY UPDATE, setting every
  // column but the key's to the row's value (never REPLACE, which deletes the
  // old row: cascades would fire, ids would change).
  kUpsert,
};

// The method set by DECANT_MYSQL_LOAD=insert|load-data (for benchmarks), else kLoadData.
LoadMethod DefaultLoadMethod();

// A writer for `table` that loads through `conn` (which must have the sink's
// session settings). Rows are encoded on the calling thread and sent by a
// loader thread, one statement per ~8 MiB, so encoding overlaps the server's
// work. Any warning the server raises while loading (a value it had to change,
// a duplicate key it skipped) fails the load: DataLoss, or FailedPrecondition
// for duplicates and NULLs in NOT NULL columns. `auto_increment` is the
// index of the AUTO_INCREMENT column in `columns` (-1: none). `release` is called once the
// writer is done with `conn`. `reproduced` (lower-case names) are columns
// where the server's value changes reproduce what the source holds (a
// same-engine load: an ENUM's '' error value, a generated column computed
// from the same row, clamped the same way): their "Data truncated", "Out of
// range" and "Incorrect value" warnings pass, as a mysqldump restore lets them.
// kUpsert: `key` (some of `columns`, not empty) is the key rows match by; the
// writer's Updated() counts the rows that found their key, from each
// statement's affected rows (1 per row inserted, 2 per row changed, 0 per row
// that already held those values) and its info line ("Records: R
// Duplicates: D", D the rows changed): inserted = affected - 2 D, and the
// other R - inserted rows found their key, changed or not. The connection
// needs unique_checks on.
std::unique_ptr<TableWriter> NewTableWriter(Connection* conn, LoadMethod method, const std::string& table,
                                            const std::vector<std::string>& columns, std::vector<CellKind> kinds,
                                            int auto_increment, std::function<void()> release,
                                            std::vector<std::string> reproduced = {},
                                            const std::vector<std::string>& key = {});

}  // namespace decant::mysql_internal
