// SQLite as a Source and a Sink. The only header of engines/sqlite that other
// folders include; sqlite3 handles never leave this folder.
#pragma once

#include <memory>
#include <string>

#include "core/endpoint.h"
#include "io/file_system.h"

namespace decant {

struct EngineTraits;  // core/engine_traits.h

// SQLite's row in the engine registry (sqlite_traits.cc).
const EngineTraits& SqliteTraits();

// True for "sqlite:" locations: sqlite:///abs/path.db, sqlite:relative.db,
// sqlite://localhost/abs/path.db.
bool IsSqliteUri(const std::string& location);

// The file path named by a sqlite: URI; InvalidArgument if malformed. No
// message here or from OpenSqliteSource/OpenSqliteSink shows a password: a
// URI's "user:password@" is shown as "user:****@".
Result<std::string> SqliteUriPath(const std::string& uri);

// Opens an existing database read-only, on `jobs` read connections (at most
// 16) that read rowid ranges of one table or different tables at once. Each
// holds one read transaction from open to close, all begun on the same state
// of the file, so the export is a point-in-time copy; Unavailable if writers
// kept committing while the connections were opened (README.md). NotFound if
// the file does not exist; InvalidArgument if it is not a SQLite database.
Result<std::unique_ptr<Source>> OpenSqliteSource(const std::string& uri, size_t jobs = 1);

// A Sink writing to the database file named by `uri`. A file that does not
// exist yet is built beside it as "<path>.partial" and renamed into place by
// Commit(), so a half-built database never sits at the final name. An existing
// file is loaded in one transaction that Abort() rolls back. What decant does
// to files itself (existence and size checks, removing a stale or abandoned
// .partial, the rename and the directory sync that publish it) goes through
// `fs`, which must outlive the sink; SQLite writes the database's pages
// through its own VFS.
Result<std::unique_ptr<Sink>> OpenSqliteSink(const std::string& uri, FileSystem* fs = FileSystem::Default());

// The whole schema as a SQLite script: tables, indexes, views, triggers in
// creation order, each statement ending with ";\n". A schema read from SQLite
// (engine "sqlite") replays every object's native_ddl exactly; any other
// engine's schema is generated from the neutral model (types by logical type,
// keys, UNIQUE, CHECK, FOREIGN KEY, DEFAULT, COLLATE, NOT NULL; a single
// auto-increment integer key becomes INTEGER PRIMARY KEY AUTOINCREMENT).
// Foreign triggers cannot be translated and appear as "-- trigger ..." comments.
// `source` is the engine the schema was read from (its dialect reads the
// expressions); the one-argument form resolves it as SinkOptions::source does.
std::string SqliteSchemaDdl(const Schema& schema, const EngineTraits& source);
std::string SqliteSchemaDdl(const Schema& schema);
// What of `schema` an import into SQLite does not create (EngineTraits::not_created).
std::vector<std::string> SqliteNotCreated(const Schema& schema, const EngineTraits& source);

}  // namespace decant
