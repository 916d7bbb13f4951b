// TypeDB and Grakn export files, as one row of the format registry
// (formats/format_registry.cc).
//
// `grakn server export` (Grakn 1.8, 2.0), `typedb server export` (TypeDB 2.x)
// and TypeDB 3.x's export write a protobuf delimited stream of items:
// attributes, entities and relations with their ownerships and role players,
// a header and a checksums item, in any order. decant reads all four
// generations into a documented relational layout (a table per type, a
// role-player table per relation type, ...; docs/formats/typedb.md) and
// writes that layout back as a stream of either generation.
#pragma once

#include <memory>
#include <string>

#include "core/endpoint.h"
#include "core/engine_traits.h"
#include "formats/format_registry.h"
#include "io/file_system.h"

namespace decant::typedb {

// True when the probed head is a well-formed delimited stream whose first
// item is a header (a version string of digits and dots) or, without one,
// whose first items (all that the head holds whole, at least one) are
// attributes, entities, relations or checksums with ids and labels.
bool Recognise(const FileProbe& probe, FileSystem* fs);

// A Source over the export at `path` ("-": standard input, copied to a
// private temporary file first): the relational layout of its graph.
// ReadSchema reads the whole stream once (bounded memory: an index of the
// items' offsets and ids, not their contents) and refuses, with one line
// naming the item number and byte offset, a truncated or corrupt stream, an
// item of an unknown case, a label used by two kinds of type, a reference to
// an id the file does not hold. options.typedb.renames rewrite labels.
Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& options, FileSystem* fs);

// A Sink writing the relational layout (from a TypeDB file, or a database
// or archive holding the layout) as an export stream at `path` ("-":
// stdout), of generation options.typedb.version. What the generation cannot
// hold (3.x decimals, dates, datetimes with a zone, durations going to 2.x)
// is refused with one line naming the attribute type and how many values.
Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& options, FileSystem* fs);

// The system an export's schemas name (Schema::engine "typedb").
const EngineTraits* Traits();

// `decant inspect FILE`: the generation and version, the original
// database, counts per label (instances, ownerships, role players), value
// types; with `check`, the counts recomputed against the checksums item
// and every reference resolved (an error names the first that fails; a
// file without checksums is an error: an export that did not finish).
Result<std::string> Inspect(const std::string& path, const EndpointOptions& options, bool check, FileSystem* fs);

}  // namespace decant::typedb
