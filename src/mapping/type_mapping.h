// How a column of one engine is declared on another, and what that can lose.
//
// The one table behind `decant plan`, the DDL each sink writes for another
// engine's schema, and docs/type-mapping.md. Value-level rules (what happens
// to one value that does not fit) are in value_conversion.h.
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

// `column` of a table read from `source_engine`, declared on `target_engine`
// ("sqlite", "postgresql", "mysql"). `in_key`: the column is part of a key or
// index (MySQL cannot index LONGTEXT whole).
ColumnMapping MapColumn(const Column& column, const std::string& source_engine, const std::string& target_engine,
                        bool in_key);

// True when `column` is in the table's primary key, a unique key or a foreign key.
bool IsKeyColumn(const Table& table, const std::string& column);

}  // namespace decant
