// PostgreSQL (10 to 18) as a Source, a Sink and a Server. The only header of
// engines/postgresql that other folders include; libpq handles never leave
// this folder.
#pragma once

#include <memory>
#include <string>

#include "core/endpoint.h"

namespace decant {

struct EngineTraits;  // core/engine_traits.h

// PostgreSQL's row in the engine registry (postgresql_traits.cc).
const EngineTraits& PostgresTraits();

// True for "postgresql://" and "postgres://" URIs and for libpq conninfo
// strings ("host=db1 dbname=shop user=app").
bool IsPostgresLocation(const std::string& location);

// Connects and opens one REPEATABLE READ, READ ONLY transaction; the schema
// and every table are read from its snapshot, which it exports (SnapshotId).
// With options.jobs > 1 up to that many tables, or slices of one (ctid page
// ranges, PostgreSQL 14+, README.md), are read at once by extra connections
// that import the same snapshot, so the export stays a point-in-time copy.
// With options.snapshot every connection imports that snapshot instead (one
// another process exported and still holds; FailedPrecondition if it is gone).
// Connection settings not in the URI come from PG* variables and ~/.pgpass,
// as with psql.
Result<std::unique_ptr<Source>> OpenPostgresSource(const std::string& uri, const EndpointOptions& options);

// Loads with COPY, creating objects in dependency order: types and functions;
// tables; data; keys and indexes; foreign keys; sequence values; views,
// triggers, comments. With options.jobs > 1 tables load over that many
// connections; keys and indexes are then built once every table is loaded.
Result<std::unique_ptr<Sink>> OpenPostgresSink(const std::string& uri, const EndpointOptions& options);

// The schema as the PostgreSQL script an import would run: pre-data objects,
// tables, keys and indexes, foreign keys, sequence values, views, triggers and
// comments, each statement ending with ";\n".
// `source` is the engine the schema was read from (its dialect reads the
// defaults); the one-argument form resolves it as SinkOptions::source does.
std::string PostgresSchemaDdl(const Schema& schema, const EngineTraits& source);
std::string PostgresSchemaDdl(const Schema& schema);
// What of `schema` an import into PostgreSQL does not create (EngineTraits::not_created).
std::vector<std::string> PostgresNotCreated(const Schema& schema, const EngineTraits& source);

// The server `uri` points at (its database part, if any, is where decant
// connects to list and create databases; default "postgres").
Result<std::unique_ptr<Server>> OpenPostgresServer(const std::string& uri);

}  // namespace decant
