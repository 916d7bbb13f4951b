#include "core/endpoint.h"

#include <algorithm>

#include "core/engine_traits.h"

namespace decant {

TableSize Source::EstimateSize(const Table& /*table*/) { return {}; }

size_t LoadJournal::Done() const {
  return static_cast<size_t>(std::count_if(units.begin(), units.end(), [](const JournalUnit& u) { return u.rows; }));
}

Result<std::vector<TableSlice>> Source::SplitTable(const Table& /*table*/, const TableSize& estimate,
                                                   size_t /*max_slices*/) {
  TableSlice whole;
  whole.estimate = estimate;
  return std::vector<TableSlice>{whole};
}

Result<std::unique_ptr<TableReader>> Source::OpenSlice(const Table& table, const TableSlice& slice) {
  if (!slice.whole()) {
    return Status::InvalidArgument("table " + QualifiedName(table.schema, table.name) + ": " + Describe() +
                                   " reads whole tables only, not slice " + std::to_string(slice.index + 1) + " of " +
                                   std::to_string(slice.count));
  }
  return OpenTable(table);
}

Result<std::string> Source::SnapshotId() {
  return Status::InvalidArgument(Describe() + " cannot share its snapshot with other processes");
}

std::vector<size_t> DataColumns(const Table& table) {
  std::vector<size_t> out;
  out.reserve(table.columns.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (!table.columns[i].generated_expr) out.push_back(i);
  }
  return out;
}

const EngineTraits& Sink::Traits() const { return ArchiveTraits(); }

size_t SinkReport::Created(const std::string& kind) const {
  size_t n = 0;
  for (const SinkObject& o : created) n += o.kind == kind ? o.count : 0;
  return n;
}

}  // namespace decant
