// RowConverter: rewrites a table's rows for the target's column types, by the
// plan's per-column ValueConverters, counting per column what could not be
// stored exactly. Used by the copy (every batch before it is written) and by
// `plan --scan` (the same rules on the source's data, nothing written), so the
// two count the same values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/row_batch.h"
#include "core/status.h"
#include "mapping/value_conversion.h"
#include "pipeline/plan.h"

namespace decant {

// Values of one column that the target could not hold exactly and that were
// converted by the rules of docs/type-mapping.md.
struct ColumnConversions {
  std::string table, column;
  uint64_t count = 0;
  std::string reason;  // the first value's reason
  // The primary keys ("id=17", "a=1, b=2") of the first values converted, up
  // to RowConverter's `keys_kept`; empty when none were kept.
  std::vector<std::string> keys;
  // How many converted values became NULL in a NOT NULL column (kScan only:
  // a load would stop at the first of them).
  uint64_t null_in_not_null = 0;
};

class RowConverter {
 public:
  enum class Mode {
    kConvert,  // convert and count; a NULL made for a NOT NULL column is DataLoss
    kStrict,   // the first value that cannot be stored exactly is DataLoss, naming its key
    kScan,     // convert and count everything, never fail (plan --scan)
  };

  // For `table` of `plan`; does nothing when the plan does not convert (same
  // engine, or an archive target). Keeps the keys of the first `keys_kept`
  // converted values of each column. `plan` and `table` must outlive it.
  RowConverter(const MigrationPlan& plan, const TablePlan& table, Mode mode, size_t keys_kept = 0);

  // True when some column's values can change (some converter is not a passthrough).
  bool active() const { return active_; }

  // Rewrites the rows of `batch` in place.
  Status Convert(RowBatch* batch);

  // Appends one entry per column that had conversions, named `table`.
  void Report(const std::string& table, std::vector<ColumnConversions>* out) const;

 private:
  std::string Key(const Value* row) const;
  std::string Where(size_t c, const Value* row) const;

  const TablePlan& table_;
  Mode mode_;
  size_t keys_kept_;
  bool active_ = false;
  std::vector<ValueConverter> converters_;
  std::vector<uint64_t> counts_;
  std::vector<uint64_t> nulls_;  // kScan: converted to NULL in a NOT NULL column
  std::vector<const char*> reasons_;
  std::vector<std::vector<std::string>> keys_;
  std::vector<size_t> key_;  // data-column indices of the primary key
};

// A value as messages show it: text quoted and cut at 60 characters.
std::string ShownValue(const Value& v);

}  // namespace decant
