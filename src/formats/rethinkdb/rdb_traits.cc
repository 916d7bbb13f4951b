#include "formats/rethinkdb/rdb_writer.h"
#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {
namespace {

// How a column of another engine travels in a RethinkDB document (the dump
// sink, rdb_sink.cc): the type shown is the document's JSON type. 64-bit
// integers become RethinkDB numbers, which are doubles, so the value
// converter rounds (and counts) those beyond 2^53.
ColumnMapping DeclareField(const Column& column, const ValuePolicy& /*source*/, bool /*in_key*/) {
  using L = LogicalType;
  ColumnMapping m;
  m.target = column.type;
  switch (column.type.logical) {
    case L::kBool: m.type_sql = "boolean"; break;
    case L::kInt16:
    case L::kInt32: m.type_sql = "number"; break;
    case L::kInt64:
    case L::kUInt64:
      m.type_sql = "number";
      m.target = DataType{};
      m.target.logical = L::kFloat64;
      m.risks.push_back({Loss::kSomeValues, "integers beyond 2^53 are rounded: RethinkDB numbers are doubles"});
      break;
    case L::kFloat32:
    case L::kFloat64: m.type_sql = "number"; break;
    case L::kDecimal:
      m.type_sql = "number";
      m.risks.push_back(
          {Loss::kSomeValues, "a decimal a double does not hold exactly is written as a string of its digits"});
      break;
    case L::kBytes: m.type_sql = "BINARY"; break;
    case L::kDate:
    case L::kTimestamp:
    case L::kTimestampTz: m.type_sql = "TIME"; break;
    case L::kJson: m.type_sql = "object/array"; break;
    case L::kGeometry: m.type_sql = "GEOMETRY"; break;
    case L::kAny: m.type_sql = "any"; break;
    default: m.type_sql = "string"; break;
  }
  return m;
}

}  // namespace

const EngineTraits* Traits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "rethinkdb";
    t.display_name = "RethinkDB";
    t.dialect.default_schema = "test";  // RethinkDB's default database
    // Numbers are JSON numbers (doubles): no NaN or infinities. Strings are
    // UTF-8 and may hold NUL. Times: milliseconds, with an offset, years 1400
    // to 9999 (r.time's range); no BC, infinite or zero dates.
    t.values.float_nan = false;
    t.values.float_infinity = false;
    t.values.text_nul = true;
    t.values.requires_valid_utf8 = true;
    t.values.bc_dates = false;
    t.values.max_year = 9999;
    t.values.infinite_dates = false;
    t.values.zero_dates = false;
    t.values.second_fraction_digits = 3;
    t.values.time_zones = true;
    // A document is a JSON object the server keeps parsed: no key order,
    // whitespace or duplicate keys to keep.
    t.values.json_normalized = true;
    // Every shaped table has a primary key and may have plain-field indexes.
    t.objects.schemas = true;
    t.objects.expression_indexes = true;
    // Every index the dump names (it writes none, see NotWritten) is a plain
    // secondary index in RethinkDB, whatever its kind elsewhere.
    static const IndexMethod kIndexMethods[] = {{"", ""},
                                                {"btree", ""},
                                                {"hash", "a secondary index (RethinkDB has one kind)"},
                                                {"brin", "a secondary index (RethinkDB has one kind)"},
                                                {"gist", "a secondary index (a geo index on a geometry)"},
                                                {"spgist", "a secondary index (a geo index on a geometry)"},
                                                {nullptr, nullptr}};
    t.ddl.index_methods = kIndexMethods;
    t.declare_column = DeclareField;
    t.not_created = NotWritten;
    return t;
  }();
  return &kTraits;
}

}  // namespace decant::rethinkdb
