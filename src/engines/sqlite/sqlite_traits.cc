// SQLite's row in the engine registry: its dialect, what it holds, and how a
// column of another engine is declared here.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>

#include "core/engine_traits.h"
#include "engines/sqlite/sqlite_ddl.h"
#include "engines/sqlite/sqlite_endpoint.h"
#include "mapping/type_mapping.h"

namespace decant {
namespace {

using L = LogicalType;

ColumnMapping DeclareSqliteColumn(const Column& c, const ValuePolicy&, bool) {
  ColumnMapping mapping;
  ColumnMapping* m = &mapping;
  const DataType& t = c.type;
  DataType& out = m->target;
  out = t;
  switch (t.logical) {
    case L::kBool: m->type_sql = "BOOLEAN"; break;
    case L::kInt16:
    case L::kInt32:
    case L::kInt64: m->type_sql = "INTEGER"; break;
    case L::kUInt64:
      m->type_sql = "INTEGER";
      out.logical = L::kInt64;
      m->risks.push_back({Loss::kSomeValues, "values above 9223372036854775807 become REAL (rounded)"});
      break;
    case L::kFloat32:
    case L::kFloat64:
      m->type_sql = "REAL";
      m->risks.push_back({Loss::kSomeValues, "NaN becomes NULL"});
      break;
    case L::kDecimal:
      m->type_sql = t.precision > 0 ? fmt::format("NUMERIC({},{})", t.precision, std::max(0, t.scale)) : "NUMERIC";
      m->risks.push_back({Loss::kSomeValues, "more than 15 significant digits: SQLite rounds the value to a REAL"});
      break;
    case L::kText: m->type_sql = t.length > 0 ? fmt::format("VARCHAR({})", t.length) : "TEXT"; break;
    case L::kBytes:
    case L::kGeometry: m->type_sql = "BLOB"; break;
    case L::kDate: m->type_sql = "DATE"; break;
    case L::kTimestamp: m->type_sql = "DATETIME"; break;
    case L::kAny: m->type_sql = ""; break;
    default: m->type_sql = "TEXT"; break;  // times, uuid, json, enum, arrays, ... as their text
  }
  return mapping;
}

std::string SchemaDdl(const Schema& schema, const EngineTraits& source) { return SqliteSchemaDdl(schema, source); }

// The functions view and default translation knows by their SQLite names.
using F = SqlFunction;
constexpr FunctionSpelling kSqliteFunctions[] = {
    {F::kCount, "count"},
    {F::kSum, "sum"},
    {F::kAvg, "avg"},
    {F::kMin, "min"},
    {F::kMax, "max"},
    {F::kCoalesce, "coalesce"},
    {F::kNullIf, "nullif"},
    {F::kLower, "lower"},
    {F::kUpper, "upper"},
    {F::kReplace, "replace"},
    {F::kTrim, "trim"},
    {F::kLeftTrim, "ltrim"},
    {F::kRightTrim, "rtrim"},
    {F::kAbs, "abs"},
    {F::kRound, "round"},
    {F::kCharLength, "length"},
    {F::kSubstring, "substr"},
    {F::kSubstring, "substring"},
    {F::kRowNumber, "row_number"},
    {F::kRank, "rank"},
    {F::kDenseRank, "dense_rank"},
    {F::kDateOf, "date"},
    {F::kDateTimeOf, "datetime"},
    {F::kJsonValid, "json_valid"},
    {F::kGroupConcat, "group_concat"},
    {F::kIfNull, "ifnull"},
    {F::kIf, "iif"},
};

}  // namespace

const EngineTraits& SqliteTraits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "sqlite";
    t.display_name = "SQLite";
    Dialect& d = t.dialect;
    d.identifier_quote = '"';
    d.double_quote_names = d.backquote_names = d.bracket_names = true;
    d.folding = NameFolding::kNone;
    d.case_sensitive_names = false;
    d.default_schema = "main";
    d.variable_prefixes = "?:@$";  // ?1 :a @a $a
    d.datetime_now_function = true;
    d.functions = kSqliteFunctions;
    d.group_concat = GroupConcatForm::kSeparatorArgument;
    // ORDER BY inside an aggregate call: SQLite 3.44 and later (the library linked in).
    d.aggregate_order_by = sqlite3_libversion_number() >= 3044000;
    d.date_part = DatePartForm::kStrftime;
    d.cast_text = "TEXT";
    d.cast_integer = "INTEGER";
    d.cast_decimal = "";  // REAL would round; decimals stay as they are
    ValuePolicy& v = t.values;
    v.enforces_types = false;  // a column keeps any value as given
    v.enforces_lengths = false;
    v.float_nan = false;  // NaN is stored as NULL
    v.float_infinity = true;
    v.decimal_nan = false;
    v.exact_decimal_digits = 15;  // decimals are 8-byte REALs
    v.text_nul = true;
    v.requires_valid_utf8 = false;
    // Dates and times are text; as a source, values of the declared type are
    // those SQLite's date functions read (years 0000 to 9999).
    v.bc_dates = false;
    v.max_year = 9999;
    v.infinite_dates = false;
    v.zero_dates = false;
    v.times_beyond_24h = false;
    v.second_fraction_digits = -1;
    // '1962-02-18 00:00:00' from another engine, not MySQL's '...00.000000'
    v.shortest_time_text = true;
    v.time_zones = true;  // kept as written, offset included
    v.unsigned_integers = false;
    ObjectSupport& o = t.objects;
    o.views = o.triggers = o.checks = o.generated_columns = o.expression_indexes = o.partial_indexes = true;
    ObjectSupport& c = t.carries;  // recreated from another engine's schema
    c.views = c.checks = c.generated_columns = c.expression_indexes = c.partial_indexes = true;
    static const IndexMethod kIndexMethods[] = {{"", ""},
                                                {"btree", ""},
                                                {"hash", "a plain (B-tree) index"},
                                                {"brin", "a plain (B-tree) index"},
                                                {nullptr, nullptr}};
    DdlRules& r = t.ddl;
    r.index_names_per_schema = r.index_names_share_relations = true;
    r.fk_match_full = false;  // parsed, not enforced
    r.index_methods = kIndexMethods;
    r.on_update_triggers = sqlite_internal::OnUpdateTriggers;
    t.recognizes = IsSqliteUri;
    t.local_file = SqliteUriPath;
    t.open_source = [](const std::string& uri, const EndpointOptions& opts) {
      return OpenSqliteSource(uri, opts.jobs);
    };
    t.open_sink = [](const std::string& uri, const EndpointOptions&) { return OpenSqliteSink(uri); };
    t.schema_ddl = SchemaDdl;
    t.not_created = SqliteNotCreated;
    t.declare_column = DeclareSqliteColumn;
    return t;
  }();
  return kTraits;
}

}  // namespace decant
