#include "core/endpoint.h"

#include "core/engine_traits.h"

namespace decant {

std::vector<size_t> DataColumns(const Table& table) {
  std::vector<size_t> out;
  out.reserve(table.columns.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (!table.columns[i].generated_expr) out.push_back(i);
  }
  return out;
}

const EngineTraits& Sink::Traits() const { return ArchiveTraits(); }

}  // namespace decant
