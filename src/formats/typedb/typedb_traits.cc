#include <fmt/format.h>

#include "formats/typedb/typedb_format.h"
#include "mapping/type_mapping.h"

namespace decant::typedb {
namespace {

// What a column of the relational layout becomes in an export stream (the
// sink, typedb_sink.cc, reads each value by its attribute type's
// value_type; docs/formats/typedb.md, "Writing"). The column keeps its type:
// the stream's value is the column's, exactly, or the export is refused
// with one line (a value the generation written cannot hold), never
// rounded. Only the layout's column types are listed; a table of any other
// shape is refused when the export begins.
ColumnMapping DeclareColumn(const Column& column, const ValuePolicy& source, bool /*in_key*/) {
  using L = LogicalType;
  ColumnMapping m;
  m.target = column.type;
  switch (column.type.logical) {
    case L::kText:
      m.type_sql = "string";
      AddTextRisk(source, Traits()->values, &m);
      break;
    case L::kBool: m.type_sql = "boolean"; break;
    case L::kInt16:
    case L::kInt32:
    case L::kInt64: m.type_sql = "integer"; break;
    case L::kFloat64: m.type_sql = "double"; break;
    case L::kDecimal: m.type_sql = "decimal"; break;
    case L::kDate: m.type_sql = "date"; break;
    case L::kTimestamp: m.type_sql = column.type.precision == 3 ? "datetime (milliseconds)" : "datetime"; break;
    default:
      m.type_sql = "(none)";
      m.risks.push_back({Loss::kAllValues, fmt::format("the TypeDB relational layout has no {} column: the export is "
                                                       "refused (docs/formats/typedb.md)",
                                                       LogicalTypeName(column.type.logical))});
      break;
  }
  return m;
}

// What an export stream does not hold of a database's schema.
std::vector<std::string> NotWritten(const Schema& schema, const EngineTraits& /*source*/) {
  std::vector<std::string> out;
  for (const View& v : schema.views) {
    out.push_back(
        fmt::format("view {}: a TypeDB export holds only the graph's items", QualifiedName(v.schema, v.name)));
  }
  for (const Trigger& t : schema.triggers) {
    out.push_back(fmt::format("trigger {} on {}: a TypeDB export holds only the graph's items", t.name,
                              QualifiedName(t.schema, t.table)));
  }
  for (const Sequence& s : schema.sequences) {
    out.push_back(fmt::format("sequence {}: a TypeDB export holds only the graph's items (its ids are the file's own)",
                              QualifiedName(s.schema, s.name)));
  }
  return out;
}

}  // namespace

const EngineTraits* Traits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "typedb";
    t.display_name = "TypeDB";
    // Strings are protobuf strings: UTF-8 (TypeDB's Java and Rust readers
    // refuse anything else), NUL allowed. Doubles are written bit-exact.
    // Datetimes: the layout keeps microseconds in `value` and the
    // nanoseconds below them in `value_ns`; the zone of a datetime-tz is
    // text in `value_tz`, so its timestamp is the UTC instant.
    t.values.requires_valid_utf8 = true;
    t.values.text_nul = true;
    t.values.float_nan = true;
    t.values.float_infinity = true;
    t.values.infinite_dates = false;
    t.values.second_fraction_digits = 6;
    t.values.time_zones = false;
    // The layout's foreign keys and indexes are the stream's ids: an item
    // names what it owns and plays by id, so they need no objects of their own.
    t.declare_column = DeclareColumn;
    t.not_created = NotWritten;
    return t;
  }();
  return &kTraits;
}

}  // namespace decant::typedb
