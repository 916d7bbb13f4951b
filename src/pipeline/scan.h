// `decant plan --scan`: the plan's value conversions applied to the source's
// actual rows, nothing written, so "lossy for some values" becomes "3 values
// in this data, first at id=17, id=204, id=9001".
//
// Only tables with a column whose values can change are read (the rest cannot
// lose anything). Each table is read once, batch by batch (memory bounded by a
// batch per worker), by the same RowConverter the copy uses: scan and migrate
// count the same values.
#pragma once

#include <cstdint>
#include <vector>

#include "core/endpoint.h"
#include "core/status.h"
#include "pipeline/plan.h"
#include "pipeline/row_converter.h"

namespace decant {

struct ScanOptions {
  // Tables read at once, capped by Source::MaxParallelTables().
  size_t jobs = 1;
  // Keys kept per column, of the first values converted.
  size_t keys_kept = 3;
};

struct PlanScan {
  // One entry per column with at least one converted value, in plan order.
  std::vector<ColumnConversions> columns;
  uint64_t rows = 0;          // rows read
  size_t tables_read = 0;     // tables with a column that can change
  size_t tables_skipped = 0;  // tables whose every value arrives as it is
};

// Reads the rows of `plan`'s tables from `source` (the Source the plan's
// schema was read from, after ReadSchema). Honours interruption (SIGINT).
Result<PlanScan> ScanPlan(Source& source, const MigrationPlan& plan, const ScanOptions& options);

// The plan as text (FormatPlan) with the scan's counts beside each column
// that can lose values.
std::string FormatScannedPlan(const MigrationPlan& plan, const PlanScan& scan);

}  // namespace decant
