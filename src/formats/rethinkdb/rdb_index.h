// RethinkDB secondary indexes from a .info file: which ones index a plain
// field (or several), read from the `query` text the server puts in each
// indexStatus() entry (RethinkDB >= 2.2).
//
// The server writes the text in src/rdb_protocol/terms/sindex.cc
// (format_index_create_query): "indexCreate('<name>', " + the function as
// JavaScript (src/rdb_protocol/func.cc reql_func_t::print_js_function,
// src/pprint/js_pprint.cc) + ", {multi: true, geo: true}" when set + ")".
// A function prints as "function(var1) { return <body>; }"; an index made
// from a name alone is "function(_var19) { return _var19(\"<name>\"); }".
// A field is `v("f")` (BRACKET) or `v.getField("f")` (GET_FIELD), nested
// `v("a")("b")`; a compound index `r.expr([v("a"), v("b")])`. Strings are
// printed in double quotes without escapes; long bodies are broken over
// lines (pretty-printed at 80 columns).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace decant::rethinkdb {

struct IndexQuery {
  // One path per key of the index (several: a compound index); a path is
  // the field names from the top of the document down.
  std::vector<std::vector<std::string>> keys;
  bool multi = false;  // {multi: true}
  bool geo = false;    // {geo: true}
};

// The keys of `query` when its function returns plain fields of its one
// argument: the server's form above, and also the hand-written forms a user
// may put in a .info, r.row('f') / r.row("f") instead of a function and
// single quotes. Blanks and line breaks between tokens are ignored.
// std::nullopt for any other function (an expression, r.js, a non-printable
// function, a field name holding a quote or a backslash) and for text that
// is no indexCreate call.
std::optional<IndexQuery> ParseIndexQuery(std::string_view query);

}  // namespace decant::rethinkdb
