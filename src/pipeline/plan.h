// The migration plan: for each table and column, what the source holds, what
// the target will declare, and what that can lose; plus every object the
// target will not get. `decant plan` prints it; CopyDatabase runs by it
// (its value converters and, with --data-only, its column matching).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/engine_traits.h"
#include "core/schema.h"
#include "core/status.h"
#include "mapping/type_mapping.h"
#include "pipeline/selection.h"

namespace decant {

struct ColumnPlan {
  std::string name;         // in the source
  std::string target_name;  // in the target (differs with --data-only case folding)
  std::string source_type;  // as the source declares it
  std::string target_type;  // as the target will declare it (or declares it, with --data-only)
  DataType source, target;
  bool target_nullable = true;
  std::vector<Risk> risks;
};

struct TablePlan {
  const Table* read = nullptr;      // the source's table, rows are read with it
  Table write;                      // the table rows are written to (target names and columns)
  std::vector<ColumnPlan> columns;  // the data columns, in source order
};

struct MigrationPlan {
  std::string source_engine, target_engine;  // their names, as shown
  // The source's engine (Schema::engine resolved through the registry) and
  // the target's; static traits.
  const EngineTraits* source_traits = &UnknownEngineTraits();
  const EngineTraits* target_traits = &ArchiveTraits();
  bool data_only = false;
  bool converts = false;  // values pass through converters (cross-engine or data-only)
  std::vector<TablePlan> tables;
  std::vector<std::string> not_carried;  // one line per object the target will not get
  // What the source decided to fit its data into tables (Source::Notes(),
  // added by the caller), then what the table selection dropped or could
  // not rewrite.
  std::vector<std::string> notes;
  Schema target_schema;  // what the sink's Begin receives

  // One line per object the target gets differently (renamed, another index
  // kind, another foreign-key action, a trigger for ON UPDATE): see
  // pipeline/schema_adapt.h. target_schema already holds the change.
  std::vector<std::string> changed;
};

// The plan for copying the tables of `read` that `select` chooses (renamed as
// it says) into `target` (ArchiveTraits(): every value kept as read). `existing` is the target's own schema, used
// with --data-only (tables and columns matched by name). The plan's tables
// point into `read`, which must outlive it.
Result<MigrationPlan> PlanMigration(const Schema& read, const SelectOptions& select, const EngineTraits& target,
                                    const Schema* existing);

// A line to print under one column of the plan ("" for none): how
// `plan --scan` adds what it found in the data.
using ColumnNote = std::function<std::string(const TablePlan& table, const ColumnPlan& column)>;

// The plan as text, for `decant plan`; `note`, when given, adds a line under
// each column it returns one for.
std::string FormatPlan(const MigrationPlan& plan, const ColumnNote& note = {});

}  // namespace decant
