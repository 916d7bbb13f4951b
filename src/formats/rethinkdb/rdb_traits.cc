#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {

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
    return t;
  }();
  return &kTraits;
}

}  // namespace decant::rethinkdb
