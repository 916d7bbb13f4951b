#include "pipeline/scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "core/plural.h"
#include "core/work_queue.h"
#include "pipeline/interrupt.h"

namespace decant {

Result<PlanScan> ScanPlan(Source& source, const MigrationPlan& plan, const ScanOptions& options) {
  PlanScan scan;
  std::vector<size_t> tables;  // indices into plan.tables, those that can change
  for (size_t t = 0; t < plan.tables.size(); ++t) {
    if (RowConverter(plan, plan.tables[t], RowConverter::Mode::kScan).active()) {
      tables.push_back(t);
    } else {
      ++scan.tables_skipped;
    }
  }
  scan.tables_read = tables.size();
  std::vector<std::vector<ColumnConversions>> found(tables.size());
  std::vector<uint64_t> rows(tables.size(), 0);
  size_t workers = std::max<size_t>(std::min({options.jobs, source.MaxParallelTables(), tables.size()}), 1);
  Status st = RunWorkQueue(tables.size(), workers, [&](size_t, size_t i) -> Status {
    const TablePlan& table = plan.tables[tables[i]];
    std::string name = QualifiedName(table.read->schema, table.read->name);
    RowConverter converter(plan, table, RowConverter::Mode::kScan, options.keys_kept);
    auto reader = source.OpenTable(*table.read);
    if (!reader.ok()) return reader.status().WithContext("table " + name);
    RowBatch batch(DataColumns(*table.read).size());
    while (true) {
      DECANT_RETURN_IF_ERROR(CheckInterrupted());
      auto more = (*reader)->Next(&batch);
      if (!more.ok()) return more.status().WithContext("table " + name);
      if (!*more) break;
      rows[i] += batch.num_rows();
      DECANT_RETURN_IF_ERROR(converter.Convert(&batch));
    }
    converter.Report(name, &found[i]);
    return Status::OK();
  });
  if (!st.ok()) return st;
  for (size_t i = 0; i < tables.size(); ++i) {
    scan.rows += rows[i];
    for (ColumnConversions& c : found[i]) scan.columns.push_back(std::move(c));
  }
  return scan;
}

std::string FormatScannedPlan(const MigrationPlan& plan, const PlanScan& scan) {
  auto note = [&](const TablePlan& table, const ColumnPlan& column) -> std::string {
    std::string name = QualifiedName(table.read->schema, table.read->name);
    auto it = std::find_if(scan.columns.begin(), scan.columns.end(),
                           [&](const ColumnConversions& c) { return c.table == name && c.column == column.name; });
    if (it == scan.columns.end()) {
      bool risky =
          std::any_of(column.risks.begin(), column.risks.end(), [](const Risk& r) { return r.loss != Loss::kExact; });
      return risky ? "scan: no value in this data is converted" : "";
    }
    std::string keys;
    for (const std::string& k : it->keys) keys += (keys.empty() ? "" : "; ") + k;
    std::string more = it->count > it->keys.size() ? ", ..." : "";
    std::string line =
        fmt::format("scan: {} in this data ({}), first at {}{}", Counted(it->count, "value"), it->reason, keys, more);
    if (it->null_in_not_null) {
      line += fmt::format("; {} of them would be NULL in this NOT NULL column: the load would stop at the first",
                          it->null_in_not_null);
    }
    return line;
  };
  uint64_t values = 0;
  for (const ColumnConversions& c : scan.columns) values += c.count;
  std::string footer = fmt::format("scan: {} read in {} ({} more cannot change); {} converted in {}\n",
                                   Counted(scan.rows, "row"), Counted(scan.tables_read, "table"), scan.tables_skipped,
                                   Counted(values, "value"), Counted(scan.columns.size(), "column"));
  return FormatPlan(plan, note) + footer;
}

}  // namespace decant
