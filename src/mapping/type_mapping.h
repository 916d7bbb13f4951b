// How a column of one engine is declared on another, and what that can lose.
//
// The one table behind `decant plan`, the DDL each sink writes for another
// engine's schema, and docs/type-mapping.md. Each engine declares its own
// columns (EngineTraits::declare_column, in its folder); the risks that come
// from comparing the source's value policy with the target's are computed
// here, by the helpers below. Value-level rules (what happens to one value
// that does not fit) are in value_conversion.h.
#pragma once

#include <string>
#include <vector>

#include "core/column_mapping.h"
#include "core/engine_traits.h"
#include "core/schema.h"

namespace decant {

// `column` of a table read from `source`, declared on `target` (its
// declare_column), plus the risks of the source's values the target does not
// enforce or cannot hold. `in_key`: the column is part of a key or index
// (MySQL cannot index LONGTEXT whole). A target without declare_column (the
// archive) keeps the column's type and adds no risk.
ColumnMapping MapColumn(const Column& column, const EngineTraits& source, const EngineTraits& target, bool in_key);

// True when `column` is in the table's primary key, a unique key or a foreign key.
bool IsKeyColumn(const Table& table, const std::string& column);

// Risks from comparing two value policies, for an engine's declare_column to
// add where its type lists them. Each adds its risk to `m` only when the
// source (`s`) can hold what the target (`t`) cannot.

// Text: NUL characters (removed) or invalid UTF-8 (replaced).
void AddTextRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m);
// Decimals: NaN and infinities.
void AddDecimalSpecialRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m);
// Decimals: more decimal places than `scale` (when the source does not enforce it).
void AddDecimalScaleRisk(const ValuePolicy& s, const ValuePolicy& t, int scale, ColumnMapping* m);
// Dates and timestamps: BC dates, years above the target's largest, infinities.
void AddDateRangeRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m);
// Times and timestamps: digits of a fraction of a second beyond the target's.
void AddSecondFractionRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m);
// Timestamps with time zone: the zone (every value is stored as UTC).
void AddTimeZoneRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m);

}  // namespace decant
