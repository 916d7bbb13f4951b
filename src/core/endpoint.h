// Source and Sink: the two interfaces every place data can live implements.
//
// export, import and migrate are one pipeline with different ends:
//   Source::ReadSchema -> Sink::Begin (create tables)
//   for each unit of work (table, slice): Source::OpenSlice -> batches -> Sink::OpenTable
//   Sink::Commit (indexes, sequences, views, triggers; make it durable)
// Engine handles never leave an engine's folder; only these types cross.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/row_batch.h"
#include "core/schema.h"
#include "core/status.h"

namespace decant {

struct EngineTraits;  // core/engine_traits.h

// Reads one table's rows in batches.
class TableReader {
 public:
  virtual ~TableReader() = default;
  // Clears `batch`, resets it to the table's width and fills it with up to a
  // full batch of rows. Returns false (with an empty batch) when the table is
  // exhausted. Columns follow Table::columns order, generated columns excluded
  // (see DataColumns()).
  virtual Result<bool> Next(RowBatch* batch) = 0;
};

// A table's size as its Source estimates it cheaply (from statistics or
// metadata, never by reading the rows), to schedule the largest work first.
// Either figure may be unknown; neither is exact.
struct TableSize {
  std::optional<uint64_t> rows;
  std::optional<uint64_t> bytes;  // of the row data as the source stores it
  // `rows` is the exact count (an archive's manifest), which a resumed load
  // checks the table's rows against.
  bool exact = false;

  // What units are ordered by: bytes when known, else rows, else 0 (unknown).
  uint64_t Weight() const { return bytes ? *bytes : rows ? *rows : 0; }
};

// A part of a table's rows, read by one reader: the slices SplitTable returns
// for a table cover each of its rows exactly once between them. A unit of
// work is (table, slice).
struct TableSlice {
  size_t index = 0;  // 0 .. count-1
  size_t count = 1;  // how many slices the table was split into
  // The Source's own description of the part (e.g. an encoded key range),
  // opaque to everyone else; empty for the whole table.
  std::string bounds;
  // What the slice covers, for messages; empty for the whole table.
  std::string label;
  // Of this slice; unknown unless the Source says.
  TableSize estimate;

  bool whole() const { return count == 1; }
};

class Source {
 public:
  virtual ~Source() = default;
  // The whole schema, read from the same consistent snapshot that OpenTable
  // reads rows from. Called once, before OpenTable.
  virtual Result<Schema> ReadSchema() = 0;
  // Rows of `table` (one of the schema's tables). Sources that can only be
  // read in order (a piped archive) require tables in schema order.
  virtual Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) = 0;
  // Called after the last table was read, before the sink commits: confirms
  // that the source was read whole and intact (a piped archive reads on to
  // its end record and checks its manifest). Default: nothing to check.
  virtual Status Finish() { return Status::OK(); }
  // Where the rows come from, for messages (never includes a password).
  virtual std::string Describe() const = 0;
  // What the source decided to fit its data into tables, one line each, for
  // the plan and the summary (a file of documents: "test.users: field tags:
  // mixed types (string, array): kept in _rest"). Complete once ReadSchema
  // returned. Default: none (a database's tables are what they are).
  virtual std::vector<std::string> Notes() const { return {}; }
  // For a file whose records load into tables an application already made
  // (FormatRow::into_existing_tables: Django fixtures). `target` is the
  // target's schema; `target_rows` a Source over the target as it is now,
  // from which the source reads the rows it must match (a natural key's
  // row, a content type the target already has). Both stay valid until
  // ReadSchema returns. Called at most once, before ReadSchema; the schema
  // ReadSchema then returns names the target's tables and columns that the
  // records fill, typed as the target declares them. Errors name what does
  // not fit (a model without a table, a field without a column).
  // Default: nothing to fit.
  virtual Status FitTo(const Schema& /*target*/, Source* /*target_rows*/) { return Status::OK(); }
  // After FitTo: the tables (QualifiedName of the schema's tables) that
  // already hold rows the source matched its records against, and to which
  // it adds only rows the target lacks (Django's content types and
  // permissions, which the application's migrate filled). A data-only load's
  // emptiness check and --clean leave them alone. Default: none.
  virtual std::vector<std::string> MergedTables() const { return {}; }
  // How many tables (or slices) may be open for reading at once, from
  // different threads (all still from the one snapshot). Default: one at a time.
  virtual size_t MaxParallelTables() const { return 1; }

  // The size of `table` (one of the schema's tables) as far as it can be told
  // cheaply: a catalog or metadata look-up, never a scan of the rows. Called
  // after ReadSchema, before the table's rows are read. Never fails: what
  // cannot be told is unknown. Default: unknown.
  virtual TableSize EstimateSize(const Table& table);
  // Splits `table` into at most `max_slices` (>= 1) slices, which may then be
  // read at once by OpenSlice from different threads (within
  // MaxParallelTables), each exactly once. `estimate` is what EstimateSize
  // said. Returns at least one slice. Default: the whole table as one slice.
  virtual Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& estimate, size_t max_slices);
  // Rows of one slice that SplitTable returned for `table`, as OpenTable
  // reads them (same batches, same columns). Default: a whole slice is read by
  // OpenTable; any other is InvalidArgument (the default SplitTable makes none).
  virtual Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice);
  // The ID of the snapshot this source reads, which other processes (on this
  // machine or others) pass as EndpointOptions::snapshot to read the very
  // same data (decant export --coordinate prints it; --shard workers import
  // it). Valid while this Source stays open. Default: InvalidArgument (a source
  // whose snapshot cannot be shared: files, or an engine without exported
  // snapshots).
  virtual Result<std::string> SnapshotId();
  // What the rows this source reads are, as far as it can tell, for a
  // resumed load (docs/reliability.md): two opens of a source that return
  // the same non-empty identity read the same rows (an archive: its
  // manifest's digest; a file: its bytes' size, time and header; a database
  // read from a snapshot ID passed in EndpointOptions::snapshot: that ID).
  // Empty: it cannot tell (a live database read from a snapshot of its own,
  // gone once this process ends). Called after ReadSchema. Default: empty.
  virtual std::string Identity() const { return ""; }
};

// A resumable load's journal (docs/reliability.md, "Resume"): a load that
// commits in parts (one transaction per unit of work, not one for the whole
// load) records its units in the target, and each unit's row count in the
// same transaction as its rows, so that an interrupted load can be continued
// from what committed (decant import|migrate|restore --resume).
struct JournalUnit {
  size_t table = 0;          // index into the load's planned tables
  std::string table_name;    // QualifiedName of the table as read, checked on resume
  std::string target_table;  // QualifiedName of the table written (the sink's schema)
  TableSlice slice;          // index, count, bounds and label (estimate not kept)
  // The rows the unit committed; nullopt until it did.
  std::optional<uint64_t> rows;
};
struct LoadJournal {
  std::string source;           // Source::Describe() of the interrupted load (no password)
  std::string source_identity;  // Source::Identity(), "" when it could not tell
  std::vector<JournalUnit> units;
  size_t Done() const;  // units whose rows committed
};

// What a failed load left in its target once Sink::Abort returned.
enum class LeftState {
  kUntouched,  // nothing was written (or everything written was rolled back)
  kDropped,    // what the load created was dropped again; anything it did not create is as it was
  kResumable,  // partly loaded: some units committed, recorded in its journal: --resume continues
  kPartial,    // partly loaded, and no journal says what: --clean starts over
};

// Writes one table's rows.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual Status Write(const RowBatch& batch) = 0;
  // Flushes; the table's rows are complete once this returns OK.
  virtual Status Close() = 0;
  // With SinkOptions::upsert, once Close returned OK: how many of the rows
  // written replaced a row of the table that had the same key (counted
  // whether or not a value changed); the others were inserted. 0 otherwise.
  virtual uint64_t Updated() const { return 0; }
};

// A sharded load (decant migrate --coordinate / --shard, docs/scale.md):
// several processes load one target, each a share of the rows.
enum class ShardRole {
  kNone,         // this process loads everything (every load but a sharded one)
  kCoordinator,  // creates the tables and, once the workers are done, the rest
  kWorker,       // loads rows into the tables a coordinator created
};

enum class LoadMode {
  kRefuseNonEmpty,  // default: a target that holds anything is refused untouched
  kClean,           // drop the objects decant is about to create, then load
  kAppend,          // keep what is there, create what is missing, add rows
};

struct SinkOptions {
  LoadMode mode = LoadMode::kRefuseNonEmpty;
  // Load rows into tables that already exist (an application made them):
  // Begin creates nothing and checks that the schema's tables are there and
  // empty (kAppend: may hold rows; kClean: their rows are deleted first, see
  // merged_tables); Commit advances their sequences / AUTO_INCREMENT
  // counters past the loaded ids. The schema Begin receives is then the
  // target's own (its tables restricted to the columns being loaded).
  bool data_only = false;
  // With data_only: tables (QualifiedName of the schema's tables) that may
  // already hold rows, whatever `mode`: the source adds only rows they lack
  // (Source::MergedTables). kClean leaves them as they are; every other
  // table of the schema is emptied before the load (its rows deleted, in
  // children-first order, the table itself kept).
  std::vector<std::string> merged_tables = {};
  // The engine the schema Begin receives was read from (its dialect reads the
  // schema's defaults, views and index expressions), resolved by the caller
  // from Schema::engine. Null: the sink's own engine when the schema names it,
  // else UnknownEngineTraits().
  const EngineTraits* source = nullptr;
  // --strict-objects: an auxiliary object the target refuses (see Sink) fails
  // the load with NotCarried (and the sink is aborted) instead of being skipped.
  bool strict_objects = false;
  // Only for a sink whose AcceptsShards() is true (callers check).
  //   kCoordinator: Begin runs the load protocol as usual (mode applies) and
  //     commits the tables before it returns, so that other processes' connections
  //     can load them; Commit then creates the post-data objects (keys, indexes,
  //     sequence values, views) over every row they hold; Abort drops the tables
  //     this load created, whatever rows the workers put in them.
  //   kWorker: Begin creates, empties and checks nothing but that each of the
  //     schema's tables is there (NotFound naming the first that is not); the
  //     writers add rows; Commit makes them durable and creates nothing (the
  //     coordinator's Commit does); Abort rolls back what is not committed yet
  //     (rows a writer committed stay: the coordinator's Abort drops them).
  //   Neither goes with data_only.
  ShardRole shard = ShardRole::kNone;
  // --upsert: a row whose key (UpsertKey in engines/common/load_protocol.h:
  // the primary key, else the first unique key) the table already holds
  // replaces that row's other columns in place (never delete-and-insert: no
  // cascade fires, no id changes); other rows are inserted. Requires mode
  // kAppend (what is there stays, missing tables are created); goes with
  // data_only. Begin refuses a schema table without such a key with
  // InvalidArgument naming it, before anything is written. Writers count the
  // rows they replaced (TableWriter::Updated).
  bool upsert = false;
  // Called once a DDL statement of the sink ran (created, or refused and
  // skipped), with its kind (DdlStatement::kind: "index", "foreign key",
  // "view", ...), from the thread that ran it, during Begin and Commit; may
  // be empty. The copy times the post-data work by kind with it (progress).
  std::function<void(const std::string& kind)> statement_done = {};
  // --resume: a target holding the journal of an interrupted load (see
  // LoadJournal) is continued: Begin creates nothing, checks that the
  // journal's tables are there, and Resumed() returns the journal; the
  // post-data objects the interrupted load created are kept (as --append).
  // A target without a journal is loaded as `mode` says (an empty one from
  // the start). Not with data_only or shard.
  bool resume = false;
};

// The words of a --resume refused because the target holds no interrupted
// load (and something else): the CLI then checks whether it already holds
// everything the source does (a load that completed before it was stopped).
inline constexpr std::string_view kNoLoadToResume = "it holds no interrupted decant load to resume";

// One object a sink created, or one it did not create because the target
// refused it.
struct SinkObject {
  // "table", "primary key", "index", "view", "trigger", "sequence value" (a
  // sequence or AUTO_INCREMENT counter set past the loaded ids), ...
  std::string kind;
  std::string name;   // the object's name ("" for an unnamed key)
  std::string table;  // the table it belongs to ("" for none)
  // Refused: the target's own error message (by_target), or why decant did
  // not create it (another engine's trigger that is not translated, ...).
  std::string reason;
  size_t count = 1;        // objects of `kind` it stands for (one ALTER may add several keys)
  bool by_target = false;  // the target's server refused the statement
};

// What a sink did to the target, once Commit returned OK.
struct SinkReport {
  std::vector<SinkObject> created;
  std::vector<SinkObject> refused;  // auxiliary objects not created (refused or not translated), skipped
  // How many objects of `kind` were created (the sum of their counts).
  size_t Created(const std::string& kind) const;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Checks the target (refusing a non-empty one with FailedPrecondition that
  // says what is there, unless options allow it) and creates the tables. No
  // secondary indexes, triggers or views yet: those come in Commit().
  //
  // Essential and auxiliary objects: tables, primary and unique keys, foreign
  // keys, sequences and what data depends on are all-or-nothing: when the
  // target refuses one's DDL the call fails with Refused (the server's
  // message in it) and the sink must be aborted. An auxiliary object (view,
  // trigger, rule, routine, check, comment, non-unique index) that the target
  // refuses is skipped and recorded in Report().refused with the server's
  // message, and the load goes on; with SinkOptions::strict_objects the call
  // fails with NotCarried instead.
  virtual Status Begin(const Schema& schema, const SinkOptions& options) = 0;
  // A writer for one of the schema's tables. At most one writer is open at a
  // time unless the sink documents otherwise. A sink whose MaxParallelTables()
  // is above 1 also accepts several writers of one table at once (a table
  // read in several slices gets one writer per slice); the table's rows are
  // then what all of them wrote, in no particular order.
  virtual Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) = 0;
  // Creates the post-data objects and makes the result durable and visible.
  // Until Commit returns OK nothing is presented as complete.
  virtual Status Commit() = 0;
  // Undoes what it can after a failure; leaves nothing that looks complete.
  virtual void Abort() = 0;
  virtual std::string Describe() const = 0;
  // What the sink created (every object, of every kind, by the DDL it ran)
  // and which auxiliary objects the target refused; complete once Commit
  // returned OK. Default: nothing (a sink that creates no objects).
  virtual SinkReport Report() const { return {}; }
  // How many table writers may be open at once, from different threads.
  virtual size_t MaxParallelTables() const { return 1; }
  // Whether the sink takes SinkOptions::shard: the target is a server that
  // several processes can load at once. Default: false (a file has one writer).
  virtual bool AcceptsShards() const { return false; }
  // The target server's version as the server reports it ("18.1",
  // "10.11.6-MariaDB-0+deb12u1"; for SQLite the library's, "3.40.1"), for
  // the summary's events and the report. Known once Begin returned OK (a sink
  // may connect only then); "" before, and for a target that is a file.
  virtual std::string ServerVersion() const { return ""; }
  // The engine written to. Default: ArchiveTraits(), a target that keeps
  // every value as it was read.
  virtual const EngineTraits& Traits() const;

  // ---- resumable loads (LoadJournal) ----
  // Whether this load commits unit by unit and keeps a journal in the target
  // (then StartJournal and OpenUnit are used); known once Begin returned OK.
  // Default: false (the load is one transaction, or a file published whole).
  virtual bool Journaled() const { return false; }
  // With SinkOptions::resume, once Begin returned OK: the journal of the
  // interrupted load it continues; nullopt when there was none. Default: none.
  virtual std::optional<LoadJournal> Resumed() const { return std::nullopt; }
  // When Journaled() and not Resumed(): records the load's units (every
  // rows field nullopt), durably, before the first writer opens.
  virtual Status StartJournal(const LoadJournal& /*journal*/) { return Status::OK(); }
  // A writer of unit `unit` (its index in the journal's units) whose Close
  // commits the rows together with the unit's row count in the journal.
  // Default: OpenTable.
  virtual Result<std::unique_ptr<TableWriter>> OpenUnit(const Table& table, size_t /*unit*/) {
    return OpenTable(table);
  }
  // After Abort: what the target holds now. Default: kDropped (Abort's
  // contract: nothing is left looking complete).
  virtual LeftState Left() const { return LeftState::kDropped; }
};

// How a file of documents (RethinkDB dumps and exports, and the other
// document formats) becomes tables. Formats with typed columns ignore it.
struct DocumentOptions {
  // false: each table is its primary key plus the whole document in one JSON
  // column (lossless). true: one pass infers a typed column per top-level
  // field; what does not fit (mixed types, rare fields) stays in a JSON
  // column of leftovers, so nothing is dropped.
  bool infer_columns = false;
  // With infer_columns: a field present in fewer than this share of a
  // table's documents (0..1) stays in the leftovers column.
  double rare_field_share = 0.01;
  // "db.table" -> primary key field, for inputs that do not record it (the
  // legacy RethinkDB import_export.rb directories); overrides a recorded one.
  std::map<std::string, std::string> primary_keys;
};

// How Django fixtures map onto an application's tables, and how they are
// written (docs/formats/django.md). Other formats ignore it.
struct DjangoOptions {
  // "app.Model" -> table, overriding Django's default naming
  // (<app_label>_<model name in lower case>); "app.Model.field" -> the
  // through table of a many-to-many field. Keys match without case.
  std::map<std::string, std::string> model_tables;
  // "app.model" (lower case) -> the fields of its natural key, for models
  // other than the ones Django itself defines (content types, permissions,
  // users, groups, sites), whose natural keys are known.
  std::map<std::string, std::vector<std::string>> natural_keys;
  // Reading: models ("app" or "app.Model", any case) whose records are left
  // out (counted in the notes), as loaddata --exclude.
  std::vector<std::string> exclude_models;
  // Reading: a field without a column, or a model without a table, is left
  // out (counted in the notes) instead of failing the load, as loaddata
  // --ignorenonexistent.
  bool ignore_nonexistent = false;
  // InvenTree's rules. Reading: records of settings whose key starts with
  // '_' are left out, and the permissions lists of groups and users are
  // emptied unless keep_permissions. Writing: the metadata record first and
  // non-ASCII escaped, as `invoke export-records` writes.
  bool inventree = false;
  bool keep_permissions = false;
  // Writing: foreign keys to models with a natural key as that key.
  bool natural_foreign = false;
  // Writing: datetimes without an offset (in UTC), as Django writes them
  // with USE_TZ = False; by default with "Z", as with USE_TZ = True.
  bool naive_datetimes = false;
  // Writing: "app.model.field" -> "duration", "uuid" or "json": what a
  // column holds when its type does not say (Django keeps a DurationField in
  // a bigint and a UUIDField in a char(32) outside PostgreSQL).
  std::map<std::string, std::string> field_types;
};

// How TypeDB and Grakn export files are read and written
// (docs/formats/typedb.md). Other formats ignore it.
struct TypeDbOptions {
  // --rename old=new, in the order given: entity, relation and attribute
  // type labels ("person=human"), and scoped role labels
  // ("marriage:spouse=marriage:partner"). Reading rewrites the labels of the
  // file; writing rewrites the labels of the relational form.
  std::vector<std::pair<std::string, std::string>> renames;
  // Writing: the generation of the stream, 2 (Grakn 1.8 to TypeDB 2.x) or 3
  // (TypeDB 3.x); 0: the generation the relational form records, else 3.
  int version = 0;
};

// Settings an engine's Source or Sink is opened with.
struct EndpointOptions {
  // Connections a Source may read tables with at once (from one snapshot),
  // or a Sink may load tables with at once.
  size_t jobs = 1;
  // A snapshot another process exported (Source::SnapshotId, --snapshot):
  // every connection of the Source reads it instead of taking its own. The
  // exporting process must keep it open meanwhile. Empty: take one. Engines
  // that cannot import one refuse a non-empty value with InvalidArgument.
  std::string snapshot = {};
  // For a file of documents read as a Source.
  DocumentOptions documents = {};  // "= {}": positional braces may leave it out
  // For a Django fixture read as a Source.
  DjangoOptions django = {};
  // For a TypeDB or Grakn export read as a Source.
  TypeDbOptions typedb = {};
};

// A server that holds several databases: what `dump` and `restore` work with.
class Server {
 public:
  virtual ~Server() = default;
  // The user databases, without the engine's system and template databases, sorted.
  virtual Result<std::vector<std::string>> ListDatabases() = 0;
  // The URI of one database on this server, with the same connection settings.
  virtual std::string DatabaseUri(const std::string& database) const = 0;
  // Creates `database` if it does not exist, using the dumped database's
  // options (encoding, collation) where the engine has them. Returns whether
  // it created it (false: it was already there).
  virtual Result<bool> CreateDatabase(const std::string& database, const Schema& like) = 0;
  virtual std::string Describe() const = 0;
};

// Indices into Table::columns of the columns that carry data (generated
// columns are recomputed by the target, not copied).
std::vector<size_t> DataColumns(const Table& table);

}  // namespace decant
