#include "core/engine_traits.h"

#include <algorithm>

namespace decant {

const char* LossName(Loss loss) {
  switch (loss) {
    case Loss::kExact: return "exact";
    case Loss::kSomeValues: return "lossy for some values";
    case Loss::kAllValues: return "lossy for every value";
  }
  return "?";
}

Loss ColumnMapping::worst() const {
  Loss w = Loss::kExact;
  for (const Risk& r : risks) w = std::max(w, r.loss);
  return w;
}

const char* IndexMethodBecomes(const DdlRules& rules, const std::string& method) {
  if (rules.index_methods == nullptr) return method.empty() ? "" : nullptr;
  for (const IndexMethod* m = rules.index_methods; m->method != nullptr; ++m) {
    if (method == m->method) return m->becomes;
  }
  return nullptr;
}

const EngineTraits& ArchiveTraits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "archive";
    t.display_name = "decant archive";
    t.values.keeps_values_as_read = true;
    t.values.second_fraction_digits = -1;
    return t;
  }();
  return kTraits;
}

namespace {

// Functions by their SQL-standard names (and now()), the only ones read in a
// schema whose engine is unknown.
using F = SqlFunction;
constexpr FunctionSpelling kStandardFunctions[] = {
    {F::kCount, "count"},
    {F::kSum, "sum"},
    {F::kAvg, "avg"},
    {F::kMin, "min"},
    {F::kMax, "max"},
    {F::kCoalesce, "coalesce"},
    {F::kNullIf, "nullif"},
    {F::kLower, "lower"},
    {F::kUpper, "upper"},
    {F::kCharLength, "char_length"},
    {F::kCharLength, "character_length"},
    {F::kOctetLength, "octet_length"},
    {F::kSubstring, "substring"},
    {F::kTrim, "trim"},
    {F::kAbs, "abs"},
    {F::kRowNumber, "row_number"},
    {F::kRank, "rank"},
    {F::kDenseRank, "dense_rank"},
    {F::kNow, "now"},
    {F::kNow, "current_timestamp"},
    {F::kNow, "localtimestamp"},
    {F::kSequence, "nextval"},
};

}  // namespace

const EngineTraits& UnknownEngineTraits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "";
    t.display_name = "an unknown engine";
    // Read permissively, as the readers of the known engines accept it:
    // "...", `...` and [...] names, and PostgreSQL's expr::type casts (a sink
    // given a schema with no resolved source engine drops them, not keeps them).
    t.dialect.backquote_names = true;
    t.dialect.bracket_names = true;
    t.dialect.double_colon_casts = true;
    t.dialect.functions = kStandardFunctions;
    ValuePolicy& v = t.values;
    v.float_nan = v.float_infinity = v.decimal_nan = true;
    v.text_nul = true;
    v.requires_valid_utf8 = false;
    v.bc_dates = v.infinite_dates = v.zero_dates = v.times_beyond_24h = true;
    v.max_year = 0;
    v.second_fraction_digits = -1;
    v.time_zones = true;
    return t;
  }();
  return kTraits;
}

const EngineTraits& SourceTraits(const EngineTraits* given, const Schema& schema, const EngineTraits& own) {
  if (given) return *given;
  return schema.engine == own.name ? own : UnknownEngineTraits();
}

}  // namespace decant
