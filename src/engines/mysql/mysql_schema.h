// Internal to engines/mysql: reading one database's schema.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/schema.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_types.h"

namespace decant::mysql_internal {

struct SchemaRead {
  Schema schema;
  // Per table (by name), how each column (Table::columns order) is read.
  std::map<std::string, std::vector<CellKind>> kinds;
  // Objects that are not carried, for a warning each.
  std::vector<std::string> skipped;
};

// The schema of the connection's current database: tables (with
// native_ddl = SHOW CREATE TABLE), keys, indexes, checks, foreign keys,
// AUTO_INCREMENT counters as Sequences, views, triggers, and routines and
// events as NativeObjects. Call it inside the snapshot transaction.
Result<SchemaRead> ReadDatabaseSchema(Connection& conn);

// The target database's columns by table name, read with one query when the
// sink's tables exist; the sink writes by what the target's columns are.
struct TargetColumn {
  std::string name;  // lower-cased
  ColumnFacts facts;
  bool auto_increment = false;
};
using TargetColumns = std::map<std::string, std::vector<TargetColumn>>;
Result<TargetColumns> ReadTargetColumns(Connection& conn);

// Cell kinds for `table`'s columns `names`, in that order. `auto_increment`
// gets the position of the AUTO_INCREMENT column among `names`, or -1.
Result<std::vector<CellKind>> TargetCellKinds(const TargetColumns& target, const std::string& table,
                                              const std::vector<std::string>& names, int* auto_increment);

}  // namespace decant::mysql_internal
