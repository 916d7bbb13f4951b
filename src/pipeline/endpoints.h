// Turns a location string from the command line into a Source or a Sink.
//
// Database locations are URIs (sqlite:///path.db), recognised by the engines
// listed in engines/registry.cc. Anything else is a file, a directory, or "-"
// for stdin/stdout, in one of the formats of formats/format_registry.h
// (recognised by its bytes). Adding an engine touches no file here: see
// engines/registry.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "archive/archive.h"
#include "core/endpoint.h"
#include "core/engine_traits.h"

namespace decant {

// True if `location` names a database (has a URI scheme), false for an archive path.
bool IsDatabaseLocation(const std::string& location);

// A Source for a database URI, or for a file in any registered format.
Result<std::unique_ptr<Source>> OpenSource(const std::string& location, const EndpointOptions& options = {});

// A Sink for a database URI; InvalidArgument for an archive path or an unknown scheme.
Result<std::unique_ptr<Sink>> OpenDatabaseSink(const std::string& uri, const EndpointOptions& options = {});

// The server a URI points at, for dump and restore; InvalidArgument for an
// engine without several databases per server (SQLite).
Result<std::unique_ptr<Server>> OpenServer(const std::string& uri);

// The engine a location is for: a registry row for a database URI,
// ArchiveTraits() for an archive path; InvalidArgument for an unknown scheme.
// The traits are static and live for the whole program.
Result<const EngineTraits*> EngineOfLocation(const std::string& location);

// The traits of the system a schema names (Schema::engine): an engine of the
// registry, else the system of a file format (RethinkDB), else
// UnknownEngineTraits(). Everything above the engines and formats resolves a
// schema's source system through this one function.
const EngineTraits& SystemNamed(std::string_view name);

// Whether `location` is a file whose records load into tables an application
// already made (FormatRow::into_existing_tables: a Django fixture). False for
// a database URI and for what no format recognises.
bool LoadsIntoExistingTables(const std::string& location);

// The target a source is fitted to (Source::FitTo): its schema, and a Source
// over its rows that the fitted source reads from until its ReadSchema returns.
struct FittedTarget {
  Schema schema;
  std::unique_ptr<Source> rows;
};

// Opens the database `target`, reads its schema and fits `source` to it.
// The result must outlive source.ReadSchema().
Result<std::unique_ptr<FittedTarget>> FitToTarget(Source& source, const std::string& target);

// Shows a location in messages with any password replaced by "****".
std::string RedactLocation(const std::string& location);

}  // namespace decant
