// MySQL and MariaDB as a Source, a Sink and a Server. The only header of
// engines/mysql that other folders include; libmariadb handles never leave
// this folder. What is carried and how each type travels: README.md here.
#pragma once

#include <memory>
#include <string>

#include "core/endpoint.h"

namespace decant {

struct EngineTraits;  // core/engine_traits.h

// MySQL's row in the engine registry (mysql_traits.cc).
const EngineTraits& MysqlTraits();

// True for "mysql://" and "mariadb://" URIs:
//   mysql://[user[:password]@]host[:port]/[database][?param=value&...]
// user, password and database are percent-decoded. Parameters:
// defaults-file (an option file read before the usual ones), socket,
// connect-timeout (seconds), ssl-mode (DISABLED, PREFERRED, REQUIRED,
// VERIFY_CA, VERIFY_IDENTITY), ssl-ca, ssl-capath, ssl-cert, ssl-key,
// ssl-cipher, ssl-crl, tls-version. A password not in the URI comes from
// MYSQL_PWD, then from the [client] group of the option files.
bool IsMysqlUri(const std::string& location);

// Reads every table of the URI's database from one consistent snapshot
// (START TRANSACTION WITH CONSISTENT SNAPSHOT, REPEATABLE READ, READ ONLY),
// streaming rows with mysql_use_result. With options.jobs > 1 the extra
// connections open their snapshots while the first holds FLUSH TABLES WITH
// READ LOCK (as mydumper does), so all read the same point in time; without
// the RELOAD privilege it reads with one connection and says so. SplitTable
// cuts a table of at least 64 MiB into ranges of the first column of its
// primary (else unique) key, integer or string, read by OpenSlice from the
// same snapshot; the bounds are self-contained (README.md: Slices).
// InvalidArgument for a malformed URI, NotFound for a missing database,
// Unavailable when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Source>> OpenMysqlSource(const std::string& uri, const EndpointOptions& options);

// Loads into the URI's database (which must exist) with LOAD DATA LOCAL
// INFILE fed from memory, one statement per batch, foreign-key, unique and
// CHECK checks off during the load. Tables are created with their primary
// key only; secondary indexes, foreign keys, AUTO_INCREMENT counters, views,
// triggers and routines follow in Commit(); each foreign key is checked by
// an anti-join before it is added (a row without its parent fails the load
// with FailedPrecondition). With options.jobs > 1 up to that many tables (or
// writers of one table) load at once over their own connections.
Result<std::unique_ptr<Sink>> OpenMysqlSink(const std::string& uri, const EndpointOptions& options);

// The server `uri` points at; its database part, if any, is ignored.
// ListDatabases leaves out information_schema, performance_schema, mysql
// and sys.
Result<std::unique_ptr<Server>> OpenMysqlServer(const std::string& uri);

// The DDL an import into MySQL runs for `schema`, in order: tables, keys and
// indexes, foreign keys, AUTO_INCREMENT counters, then (for a MySQL schema)
// routines, views, triggers and events. What is not translated from another
// engine is named in comments.
// `source` is the engine the schema was read from (its dialect reads the
// defaults); the one-argument form resolves it as SinkOptions::source does.
std::string MysqlSchemaDdl(const Schema& schema, const EngineTraits& source);
std::string MysqlSchemaDdl(const Schema& schema);
// What of `schema` an import into MySQL does not create (EngineTraits::not_created).
std::vector<std::string> MysqlNotCreated(const Schema& schema, const EngineTraits& source);

}  // namespace decant
