// Reading a PostgreSQL database's schema from its catalogs, on any server
// from 10 to 18 (queries adapt to the server version).
#pragma once

#include "core/schema.h"
#include "core/status.h"
#include "engines/postgresql/pg_conn.h"

namespace decant::pg_internal {

// Everything decant carries for one database, read inside the caller's
// transaction (so from its snapshot). Objects that belong to extensions are
// left to CREATE EXTENSION; owners and privileges are not carried (as
// pg_dump --no-owner --no-privileges).
Result<Schema> ReadCatalog(Connection* conn);

// Table::options keys this engine uses.
inline constexpr const char* kOptUnlogged = "unlogged";               // "1"
inline constexpr const char* kOptPartitionBy = "partition_by";        // "RANGE (a)"
inline constexpr const char* kOptPartitionOf = "partition_of";        // quoted parent
inline constexpr const char* kOptPartitionBound = "partition_bound";  // "FOR VALUES ..."
inline constexpr const char* kOptInherits = "inherits";               // quoted parents, comma separated
inline constexpr const char* kOptReloptions = "reloptions";           // "fillfactor=70, ..."
inline constexpr const char* kOptIdentityPrefix = "identity:";        // + column: sequence options
inline constexpr const char* kOptInheritedPrefix = "inherited:";      // + column: "1", not declared locally

}  // namespace decant::pg_internal
