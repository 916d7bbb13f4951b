// One engine's whole contribution, as data: its name, its SQL dialect, what
// values and objects it can hold, and how to open it and declare its columns.
//
// Each engine folder defines its own EngineTraits (engines/<name>/*_traits.cc)
// and src/engines/registry.h lists them; mapping/, pipeline/ and cli/ ask these
// questions instead of comparing engine names. The decant archive has traits
// too (ArchiveTraits(): every value kept as read), so no code needs a special
// name for "not a database".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/column_mapping.h"
#include "core/dialect.h"
#include "core/endpoint.h"
#include "core/schema.h"

namespace decant {

// What an engine's columns can hold. As a target: which values a converter
// must rewrite. As a source: which values another engine may be unable to
// take (the plan's risks). For an engine that does not enforce column types
// (SQLite) the source-side answers describe values of the declared type.
struct ValuePolicy {
  // Every value is stored exactly as the source read it; no converter runs
  // and no column is declared (the decant archive).
  bool keeps_values_as_read = false;
  // A column holds only values of its declared type (SQLite: any value as given).
  bool enforces_types = true;
  // Declared lengths and decimal scales are enforced (SQLite: not).
  bool enforces_lengths = true;
  // Floating-point columns hold NaN / +-infinity.
  bool float_nan = true;
  bool float_infinity = true;
  // Decimal columns hold NaN (PostgreSQL's numeric).
  bool decimal_nan = false;
  // Significant digits a decimal column keeps exactly; 0: as many as declared.
  // (SQLite stores a decimal as an 8-byte REAL: 15.)
  int exact_decimal_digits = 0;
  // Text may hold NUL characters.
  bool text_nul = true;
  // Text must be valid UTF-8 (invalid sequences are replaced on the way in).
  bool requires_valid_utf8 = false;
  // Dates: before the common era; the largest year (0: no limit decant checks);
  // +-infinity; the zero date 0000-00-00.
  bool bc_dates = true;
  int max_year = 0;
  bool infinite_dates = true;
  bool zero_dates = false;
  // Times outside 00:00:00 to 24:00:00 (MySQL's TIME is a duration).
  bool times_beyond_24h = false;
  // Digits of a fraction of a second kept; -1: any number (text).
  int second_fraction_digits = 6;
  // Dates and times are text written in their shortest exact form: a value
  // from another engine loses the trailing zeros of its fraction of a second
  // (all of them, and the '.', for a whole second; a non-zero fraction keeps
  // the digits its source column declared). SQLite.
  bool shortest_time_text = false;
  // A timestamp column can hold an instant with its time zone (MySQL's
  // DATETIME cannot: the zone is dropped, stored as UTC).
  bool time_zones = true;
  // Unsigned 64-bit integers.
  bool unsigned_integers = false;
  // BIT(n) values are written as unsigned numbers, not strings of 0 and 1.
  bool bits_as_unsigned = false;
  // A native interval type (values are rewritten into its input form).
  bool native_intervals = false;
  // JSON values keep no key order, whitespace or duplicate keys (RethinkDB's
  // documents): a target may store them normalised (PostgreSQL: jsonb).
  bool json_normalized = false;
};

// Objects an engine has. Used twice: what a schema read from the engine may
// hold (EngineTraits::objects), and what its sink recreates from another
// engine's schema (EngineTraits::carries).
struct ObjectSupport {
  bool views = false;
  bool materialized_views = false;
  bool triggers = false;
  bool checks = false;
  bool generated_columns = false;
  bool expression_indexes = false;
  bool partial_indexes = false;
  bool free_sequences = false;  // sequences no column owns
  bool rules = false;
  bool routines = false;
  bool schemas = false;  // several namespaces in one database
};

enum class FkReference { kAnything, kIndexed, kUniqueKey };

struct IndexMethod {
  const char* method;
  const char* becomes;
};

// What a target's DDL accepts of names, foreign keys and index kinds. The
// plan rewrites a schema from another engine to fit (pipeline/schema_adapt.h)
// and names every change; the sink then runs the rewritten schema.
struct DdlRules {
  // Longest name, in bytes (PostgreSQL 63, MySQL 64); 0: no limit.
  int max_name_bytes = 0;
  // A longer table or column name is cut to max_name_bytes by the server
  // (PostgreSQL, at a character boundary); else it is refused (MySQL).
  bool long_names_cut = false;
  // Index names are unique in the whole schema, not per table (PostgreSQL, SQLite).
  bool index_names_per_schema = false;
  // ... and share that namespace with tables, views and sequences (PostgreSQL, SQLite).
  bool index_names_share_relations = false;
  // A PRIMARY KEY or UNIQUE constraint's name is also an index's name in that
  // namespace (PostgreSQL).
  bool key_names_are_index_names = false;
  // Foreign-key names are unique in the whole database, not per table (InnoDB).
  bool fk_names_per_schema = false;
  // Foreign keys: SET NULL on a NOT NULL column (PostgreSQL and SQLite
  // accept the constraint; MySQL refuses it), SET DEFAULT (InnoDB refuses
  // it), MATCH FULL, DEFERRABLE.
  bool fk_set_null_on_not_null = true;
  bool fk_set_default = true;
  bool fk_match_full = true;
  bool fk_deferrable = true;
  // What a foreign key's referenced columns must be: anything, even a table
  // that does not exist (SQLite); the leading columns of an index (MySQL);
  // exactly a primary or unique key (PostgreSQL). A foreign key that does not
  // qualify is left out and named.
  FkReference fk_reference = FkReference::kAnything;
  // Index methods (Index::method, lower case; "" the engine's default) this
  // engine creates from another engine's schema, each with what it becomes
  // here: "" the same kind, else a description of the equivalent (for the
  // plan). An index of a method not listed is left out and named. The list
  // ends with {nullptr, nullptr}; null: only "".
  const IndexMethod* index_methods = nullptr;
  // MySQL's ON UPDATE clause: declared as is (MySQL).
  bool on_update_clause = false;
  // Else the statements that emulate the ON UPDATE clauses of `table`'s
  // columns in this engine (triggers); null: not emulated (named by the plan).
  // `source`: the engine the table was read from.
  std::vector<std::string> (*on_update_triggers)(const Table& table, const Dialect& source) = nullptr;
  // Table inheritance (PostgreSQL).
  bool inheritance = false;
};

// The description `rules.index_methods` gives `method`, or nullptr when the
// method is not listed (left out).
const char* IndexMethodBecomes(const DdlRules& rules, const std::string& method);

struct EngineTraits {
  // The stable id written into archives (Schema::engine) and shown in plans.
  std::string_view name;
  // For messages: "SQLite", "PostgreSQL", "MySQL".
  std::string_view display_name;
  Dialect dialect;
  ValuePolicy values;
  ObjectSupport objects;
  ObjectSupport carries;
  DdlRules ddl;

  // True when `location` is one of this engine's URIs (null: none).
  bool (*recognizes)(const std::string& location) = nullptr;
  // The local file a location names, for an engine whose database is one
  // file (so export can refuse to write over it); null: a server engine.
  Result<std::string> (*local_file)(const std::string& location) = nullptr;
  // Opens the database at `uri`; null: this engine cannot be read / written.
  Result<std::unique_ptr<Source>> (*open_source)(const std::string& uri, const EndpointOptions& options) = nullptr;
  Result<std::unique_ptr<Sink>> (*open_sink)(const std::string& uri, const EndpointOptions& options) = nullptr;
  // The server `uri` points at, for dump and restore; null: no server of
  // several databases (SQLite).
  Result<std::unique_ptr<Server>> (*open_server)(const std::string& uri) = nullptr;
  // The whole schema as this engine's DDL script (`decant schema --dialect`).
  // `source` is the engine the schema was read from (its dialect reads the
  // schema's expressions). Null: no DDL printer.
  std::string (*schema_ddl)(const Schema& schema, const EngineTraits& source) = nullptr;
  // What of `schema` the sink's statements do not create, one line each
  // ("trigger t on x: not translated from sqlite"), for `decant plan` to name
  // (and --strict-objects to refuse) before anything is written. Null: none.
  std::vector<std::string> (*not_created)(const Schema& schema, const EngineTraits& source) = nullptr;
  // How a column of another engine (`source`) is declared here: the type,
  // the logical type it then holds, and what this engine's type can lose
  // (risks that come from comparing the two value policies are added with
  // mapping/type_mapping.h's helpers, in the order this engine lists them).
  // `in_key`: the column is part of a key or index. Null: no columns (archive).
  ColumnMapping (*declare_column)(const Column& column, const ValuePolicy& source, bool in_key) = nullptr;
};

// The decant archive: keeps every value as read, declares nothing. Also what
// a Sink that names no engine reports (Sink::Traits()'s default).
const EngineTraits& ArchiveTraits();

// What a name this build does not know resolves to (an archive written by a
// newer decant, a hand-made schema). It assumes nothing in the source's
// favour: typed columns that may hold every special value (NaN, infinities,
// NUL, invalid UTF-8, BC, infinite and zero dates, long times, time zones), so
// a target reports every risk; SQL read permissively ("...", `...` and [...]
// names, '...' strings, :: casts); no objects carried. Never another
// engine's rules.
const EngineTraits& UnknownEngineTraits();

// The engine a sink reads `schema`'s expressions with: `given` (the caller
// resolved Schema::engine through the registry), else `own` when the schema
// names it, else UnknownEngineTraits(). For sinks, which cannot see the registry.
const EngineTraits& SourceTraits(const EngineTraits* given, const Schema& schema, const EngineTraits& own);

}  // namespace decant
