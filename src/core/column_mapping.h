// How a column is declared on a target engine, and what that can lose.
//
// Plain data shared by the engines (each declares its own columns, see
// EngineTraits::declare_column), mapping/ (which adds the risks that come from
// comparing two engines' value policies) and pipeline/ (the migration plan).
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"

namespace decant {

enum class Loss {
  kExact = 0,       // every value arrives unchanged
  kSomeValues = 1,  // values outside the target's range or form are converted
  kAllValues = 2,   // every value loses something (e.g. its time zone)
};
const char* LossName(Loss loss);  // "exact", "lossy for some values", "lossy for every value"

struct Risk {
  Loss loss;
  std::string what;  // e.g. "NaN and infinities become NULL"
};

struct ColumnMapping {
  std::string type_sql;  // the target's declaration, e.g. "DATETIME(6)"
  DataType target;       // what the target column holds, as a logical type
  std::vector<Risk> risks;
  Loss worst() const;
};

}  // namespace decant
