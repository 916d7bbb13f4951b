#include "mapping/type_mapping.h"

#include <fmt/format.h>

#include <algorithm>

namespace decant {
namespace {

using L = LogicalType;

// Risks that come from the source engine, whatever the target's type.
void AddSourceRisks(const Column& c, const EngineTraits& source, const EngineTraits& target, ColumnMapping* m) {
  L t = c.type.logical;
  const ValuePolicy& s = source.values;
  const ValuePolicy& d = target.values;
  if (!s.enforces_types && d.enforces_types && t != L::kAny && t != L::kText && t != L::kBytes) {
    m->risks.push_back({Loss::kSomeValues,
                        fmt::format("{} does not enforce column types: a value of another storage class is converted "
                                    "when that is exact, else stored as NULL",
                                    source.display_name)});
  }
  if (!s.enforces_lengths && d.enforces_lengths && t == L::kText && c.type.length > 0) {
    m->risks.push_back(
        {Loss::kSomeValues, fmt::format("{} does not enforce lengths: longer values are cut", source.display_name)});
  }
  // A target that does not enforce types keeps every value as given.
  if (s.zero_dates && !d.zero_dates && d.enforces_types &&
      (t == L::kDate || t == L::kTimestamp || t == L::kTimestampTz)) {
    m->risks.push_back({Loss::kSomeValues, fmt::format("{} zero dates (0000-00-00) become NULL", source.display_name)});
  }
  if (s.times_beyond_24h && !d.times_beyond_24h && d.enforces_types && t == L::kTime) {
    m->risks.push_back({Loss::kSomeValues, "times outside 00:00:00 to 24:00:00 become NULL"});
  }
}

}  // namespace

bool IsKeyColumn(const Table& table, const std::string& column) {
  auto in = [&](const std::vector<std::string>& cols) {
    return std::find(cols.begin(), cols.end(), column) != cols.end();
  };
  if (table.primary_key && in(table.primary_key->columns)) return true;
  for (const auto& u : table.uniques) {
    if (in(u.columns)) return true;
  }
  for (const auto& fk : table.foreign_keys) {
    if (in(fk.columns)) return true;
  }
  return false;
}

ColumnMapping MapColumn(const Column& column, const EngineTraits& source, const EngineTraits& target, bool in_key) {
  ColumnMapping m;
  if (target.declare_column) {
    m = target.declare_column(column, source.values, in_key);
  } else {
    m.type_sql = column.native_type;
    m.target = column.type;
  }
  AddSourceRisks(column, source, target, &m);
  return m;
}

void AddTextRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m) {
  if (s.text_nul && !t.text_nul) {
    m->risks.push_back({Loss::kSomeValues, "NUL characters are removed and invalid UTF-8 replaced"});
  } else if (!s.requires_valid_utf8 && t.requires_valid_utf8) {
    m->risks.push_back({Loss::kSomeValues, "invalid UTF-8 is replaced"});
  }
}

void AddDecimalSpecialRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m) {
  if (s.decimal_nan && !t.decimal_nan) m->risks.push_back({Loss::kSomeValues, "NaN and infinities become NULL"});
}

void AddDecimalScaleRisk(const ValuePolicy& s, const ValuePolicy& t, int scale, ColumnMapping* m) {
  if (!s.enforces_lengths && t.enforces_lengths && scale >= 0) {
    m->risks.push_back({Loss::kSomeValues, fmt::format("values with more than {} decimal places are rounded", scale)});
  }
}

void AddDateRangeRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m) {
  bool years = t.max_year > 0 && (s.max_year == 0 || s.max_year > t.max_year);
  if ((s.bc_dates && !t.bc_dates) || years || (s.infinite_dates && !t.infinite_dates)) {
    m->risks.push_back({Loss::kSomeValues, fmt::format("BC dates, years above {} and infinities become NULL",
                                                       t.max_year > 0 ? t.max_year : 9999)});
  }
}

void AddSecondFractionRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m) {
  int kept = t.second_fraction_digits;
  if (kept >= 0 && (s.second_fraction_digits < 0 || s.second_fraction_digits > kept)) {
    m->risks.push_back({Loss::kSomeValues, fmt::format("fractions of a second beyond {} digits are cut", kept)});
  }
}

void AddTimeZoneRisk(const ValuePolicy& s, const ValuePolicy& t, ColumnMapping* m) {
  if (s.time_zones && !t.time_zones) m->risks.push_back({Loss::kAllValues, "the time zone is dropped: stored as UTC"});
}

}  // namespace decant
