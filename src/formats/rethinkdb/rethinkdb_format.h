// RethinkDB's files, as one row of the format registry (formats/format_registry.cc).
//
// Read: `rethinkdb dump` archives (rethinkdb_dump_<DATE>.tar.gz, also from
// stdin), `rethinkdb export` directories (.json / .ndjson / .csv, each with
// its .info) and the legacy import_export.rb directories (<db>/<table> files of
// one JSON document per line). Written: a `rethinkdb dump` archive that
// `rethinkdb restore` reads. The layout, the mapping of documents to tables and
// back and what is named instead of carried: docs/formats/rethinkdb.md.
#pragma once

#include <memory>
#include <string>

#include "core/endpoint.h"
#include "core/engine_traits.h"
#include "formats/format_registry.h"
#include "io/file_system.h"

namespace decant::rethinkdb {

// True for a dump archive (gzip whose first tar member is <top>/<db>/<file>
// with a .json, .csv or .info name), an export directory (a sub-directory
// holding a .info) or a legacy directory (a sub-directory holding an
// extension-less file that starts with '{').
bool Recognise(const FileProbe& probe, FileSystem* fs);

// A Source over every table of the input: each RethinkDB database is a
// schema (Table::schema), each table a table keyed by its primary key
// (options.documents says the shape). Reads the input once to shape the
// tables before ReadSchema returns.
Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& options, FileSystem* fs);

// A Sink writing a `rethinkdb dump` archive at `path` ("-": stdout).
Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& options, FileSystem* fs);

// "rethinkdb_dump_<DATE>.tar.gz", DATE the local time now as
// %Y-%m-%dT%H:%M:%S: what `rethinkdb dump` writes when -f is left out.
std::string DefaultOutput();

// What RethinkDB documents hold (Schema::engine "rethinkdb"): JSON numbers
// (doubles: no NaN or infinities), UTF-8 strings, times to the millisecond
// with an offset, binary, GeoJSON geometry.
const EngineTraits* Traits();

}  // namespace decant::rethinkdb
