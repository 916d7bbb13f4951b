// PostgreSQL's row in the engine registry: its dialect, what it holds, and
// how a column of another engine is declared here.
#include <fmt/format.h>

#include <algorithm>

#include "core/engine_traits.h"
#include "engines/postgresql/pg_ddl.h"
#include "engines/postgresql/postgresql_endpoint.h"
#include "mapping/type_mapping.h"

namespace decant {
namespace {

using L = LogicalType;

ColumnMapping DeclarePostgresColumn(const Column& c, const ValuePolicy& source, bool) {
  ColumnMapping mapping;
  ColumnMapping* m = &mapping;
  const ValuePolicy& self = PostgresTraits().values;
  const DataType& t = c.type;
  DataType& out = m->target;
  out = t;
  switch (t.logical) {
    case L::kBool: m->type_sql = "boolean"; break;
    case L::kInt16: m->type_sql = "smallint"; break;
    case L::kInt32: m->type_sql = "integer"; break;
    case L::kInt64: m->type_sql = "bigint"; break;
    case L::kUInt64:
      if (c.auto_increment) {  // an id: an identity column, which must be an integer type
        m->type_sql = "bigint";
        out = DataType{};
        out.logical = L::kInt64;
        m->risks.push_back({Loss::kSomeValues, "ids above 9223372036854775807 cannot be stored (a bigint identity)"});
        break;
      }
      m->type_sql = "numeric(20,0)";
      out = DataType{};
      out.logical = L::kDecimal;
      out.precision = 20;
      out.scale = 0;
      break;
    case L::kFloat32: m->type_sql = "real"; break;
    case L::kFloat64: m->type_sql = "double precision"; break;
    case L::kDecimal:
      m->type_sql = t.precision > 0 ? fmt::format("numeric({},{})", t.precision, std::max(0, t.scale)) : "numeric";
      AddDecimalScaleRisk(source, self, t.scale, m);
      break;
    case L::kText:
      m->type_sql = t.length > 0 ? fmt::format("varchar({})", t.length) : "text";
      AddTextRisk(source, self, m);
      break;
    case L::kBytes: m->type_sql = "bytea"; break;
    case L::kDate: m->type_sql = "date"; break;
    case L::kTime: m->type_sql = t.precision >= 0 ? fmt::format("time({})", std::min(6, t.precision)) : "time"; break;
    case L::kTimestamp:
      m->type_sql = t.precision >= 0 ? fmt::format("timestamp({})", std::min(6, t.precision)) : "timestamp";
      AddSecondFractionRisk(source, self, m);
      break;
    case L::kTimestampTz:
      m->type_sql = t.precision >= 0 ? fmt::format("timestamp({}) with time zone", std::min(6, t.precision))
                                     : "timestamp with time zone";
      break;
    case L::kInterval: m->type_sql = "interval"; break;
    case L::kUuid: m->type_sql = "uuid"; break;
    case L::kJson:
      // jsonb when the source's documents have no key order or whitespace to
      // keep: indexable and compared by value.
      m->type_sql = source.json_normalized ? "jsonb" : "json";
      if (source.json_normalized && source.text_nul) {
        m->risks.push_back(
            {Loss::kSomeValues, "NUL characters (\\u0000) in JSON strings are removed (jsonb cannot hold them)"});
      }
      break;
    case L::kBitString: m->type_sql = t.length > 0 ? fmt::format("bit varying({})", t.length) : "bit varying"; break;
    case L::kGeometry: m->type_sql = "bytea"; break;  // WKB; PostGIS is not assumed
    case L::kEnum:
    case L::kArray:
    case L::kNative:
      m->type_sql = "text";
      out = DataType{};
      out.logical = L::kText;
      AddTextRisk(source, self, m);
      break;
    case L::kAny:
      m->type_sql = "text";
      out = DataType{};
      out.logical = L::kText;
      m->risks.push_back({Loss::kSomeValues, "integers, reals and blobs are stored as their text (blobs as hex)"});
      break;
  }
  return mapping;
}

std::string SchemaDdl(const Schema& schema, const EngineTraits& source) { return PostgresSchemaDdl(schema, source); }

// The functions view and default translation knows by their PostgreSQL names.
using F = SqlFunction;
constexpr FunctionSpelling kPostgresFunctions[] = {
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
    {F::kCharLength, "char_length"},
    {F::kCharLength, "character_length"},
    {F::kOctetLength, "octet_length"},
    {F::kSubstring, "substr"},
    {F::kSubstring, "substring"},
    {F::kTrim, "btrim"},
    {F::kConcatWs, "concat_ws"},
    {F::kRowNumber, "row_number"},
    {F::kRank, "rank"},
    {F::kDenseRank, "dense_rank"},
    {F::kConcatSkipNulls, "concat"},
    {F::kGroupConcat, "string_agg"},
    {F::kNow, "now"},
    {F::kNow, "transaction_timestamp"},
    {F::kNow, "statement_timestamp"},
    {F::kNow, "clock_timestamp"},
    {F::kNow, "current_timestamp"},
    {F::kNow, "localtimestamp"},
    {F::kDatePart, "date_part"},
    {F::kSequence, "nextval"},
    {F::kSequence, "currval"},
    {F::kSequence, "setval"},
    {F::kSequence, "lastval"},
    {F::kSequence, "pg_get_serial_sequence"},
};

}  // namespace

const EngineTraits& PostgresTraits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "postgresql";
    t.display_name = "PostgreSQL";
    Dialect& d = t.dialect;
    d.identifier_quote = '"';
    d.double_quote_names = true;
    d.backquote_names = d.bracket_names = false;
    d.escape_string_prefix = d.dollar_quoting = d.nested_block_comments = true;
    d.folding = NameFolding::kLower;
    d.case_sensitive_names = true;
    d.default_schema = "public";
    d.variable_prefixes = "$";  // $1
    d.timestamp_precision_argument = true;
    d.double_colon_casts = true;
    d.boolean_words = true;
    d.functions = kPostgresFunctions;
    d.group_concat = GroupConcatForm::kStringAgg;
    d.offset_without_limit = true;
    d.tilde_like_operators = true;
    d.bit_string_literals = true;
    d.cast_text = "text";
    d.cast_integer = "bigint";
    d.cast_decimal = "numeric";
    d.cast_date = "date";
    d.cast_timestamp = "timestamp";
    d.bytes_literal_prefix = "'\\x";
    d.bytes_literal_suffix = "'::bytea";
    ValuePolicy& v = t.values;
    v.float_nan = v.float_infinity = true;
    v.decimal_nan = true;
    v.text_nul = false;
    v.requires_valid_utf8 = true;
    v.bc_dates = true;
    v.max_year = 0;  // PostgreSQL checks its own range
    v.infinite_dates = true;
    v.zero_dates = false;
    v.times_beyond_24h = false;
    v.second_fraction_digits = 6;
    v.time_zones = true;
    v.native_intervals = true;
    ObjectSupport& o = t.objects;
    o.views = o.materialized_views = o.triggers = o.checks = o.generated_columns = true;
    o.expression_indexes = o.partial_indexes = o.free_sequences = o.rules = o.routines = o.schemas = true;
    // t.carries: from another engine's schema views and CHECKs are recreated (those whose
    // query translates, mapping/sql_translate.h).
    t.carries.views = t.carries.checks = true;
    static const IndexMethod kIndexMethods[] = {
        {"", ""},
        {"btree", ""},
        {"hash", ""},
        {"gin", ""},
        {"gist", ""},
        {"brin", ""},
        {"spgist", ""},
        {"fulltext",
         "a GIN index on to_tsvector('simple', its columns joined by spaces); a query uses it through that "
         "expression and @@"},
        {nullptr, nullptr}};
    DdlRules& r = t.ddl;
    r.fk_reference = FkReference::kUniqueKey;
    r.max_name_bytes = 63;
    r.long_names_cut = true;
    r.index_names_per_schema = r.index_names_share_relations = r.key_names_are_index_names = true;
    r.index_methods = kIndexMethods;
    r.on_update_triggers = pg_internal::OnUpdateTriggers;
    r.inheritance = true;
    t.recognizes = IsPostgresLocation;
    t.open_source = OpenPostgresSource;
    t.open_sink = OpenPostgresSink;
    t.open_server = OpenPostgresServer;
    t.schema_ddl = SchemaDdl;
    t.not_created = PostgresNotCreated;
    t.declare_column = DeclarePostgresColumn;
    return t;
  }();
  return kTraits;
}

}  // namespace decant
