// Table selection and renames: a pure transform of a Schema, applied between
// a Source's ReadSchema and a Sink's Begin (--table, --exclude-table, --rename).
//
// Row data is never touched: a renamed table keeps its columns in the same
// order, so the pipeline reads rows with the source Table and writes them with
// the renamed one. The semantics are specified in docs/cli.md, "Choosing and
// renaming tables".
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/schema.h"
#include "core/status.h"

namespace decant {

struct SelectOptions {
  std::vector<std::string> tables;                           // --table patterns; empty = every table
  std::vector<std::string> exclude_tables;                   // --exclude-table patterns, applied after --table
  std::vector<std::pair<std::string, std::string>> renames;  // --rename old=new, in the order given
};

struct Selection {
  Schema schema;                     // the selected, renamed schema: what the target gets
  std::vector<size_t> source_table;  // schema.tables[i] is read from source.tables[source_table[i]]
  std::vector<std::string> notes;    // what was dropped or left unrewritten because of the options, one line each
};

// True when the options select every table and rename nothing.
bool SelectOptionsEmpty(const SelectOptions& options);

// Keeps the tables `options` select, drops what depends on dropped tables
// (indexes, triggers, owned sequences, native objects of the table; foreign
// keys to them and views reading them, each with a note), then applies the
// renames in order, rewriting every structured reference and every SQL text
// (native_ddl, view definitions, expressions) that names a renamed object.
// InvalidArgument for a pattern that matches nothing, a rename of an unknown
// or ambiguous name, or a rename onto an existing name.
Result<Selection> SelectAndRename(const Schema& source, const SelectOptions& options);

// Parses a --rename argument "old=new". InvalidArgument naming `arg` when
// either side is empty or there is no '='.
Result<std::pair<std::string, std::string>> ParseRename(const std::string& arg);

}  // namespace decant
