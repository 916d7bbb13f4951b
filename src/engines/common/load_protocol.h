// The load protocol every database sink follows in Sink::Begin, written once.
//
// What a target may already hold decides what a load does (core/endpoint.h
// LoadMode, docs/cli.md):
//   default      a target holding any user object is refused, untouched, with
//                FailedPrecondition naming what is there;
//   --clean      the objects decant is about to create are dropped, then the
//                tables are created and loaded; anything else stays;
//   --append     what is there stays; missing tables are created; rows are added;
//   --data-only  nothing is created: each table must exist (NotFound) and be
//                empty unless --append (FailedPrecondition) or --clean (its
//                rows are deleted first, children first); tables the source
//                merges into (SinkOptions::merged_tables) may hold rows and
//                are never emptied; Commit advances the sequences.
//   --upsert     as --append (with or without --data-only), and rows replace
//                the rows with the same key (SinkOptions::upsert); every
//                table must have a key (UpsertKey), checked first.
// LoadProtocol makes that decision and words its messages; the engine
// supplies the primitives (LoadTarget) and keeps its own specifics:
// connections, transactions, COPY / LOAD DATA, post-data objects.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"
#include "core/schema.h"
#include "core/status.h"

namespace decant {

// One user object a target holds.
struct TargetObject {
  std::string kind;  // "table", "view", "index", "routine", "trigger", "sequence", ...
  std::string name;  // as messages show it (PostgreSQL: schema-qualified)
};

// How many rows a table holds, as far as the engine counted.
struct RowCount {
  uint64_t rows = 0;
  bool exact = true;  // false: `rows` is a lower bound (the engine stopped at the first row)
};

// The primitives an engine's sink supplies to LoadProtocol. Each is called
// at most once per Begin, in the order of LoadProtocol::Begin's contract; an
// error any of them returns ends Begin with that error.
class LoadTarget {
 public:
  // How the refusal lists the objects: grouped by kind ("2 tables (a, b),
  // 1 view (v)") or one by one ("table public.a, view public.v").
  enum class Listing { kByKind, kEach };

  virtual ~LoadTarget() = default;
  // The target, for messages (never includes a password).
  virtual std::string Describe() const = 0;
  virtual Listing ObjectListing() const { return Listing::kByKind; }
  // Every user object the target holds (no system or extension objects), in
  // the order the refusal lists them within a kind.
  virtual Result<std::vector<TargetObject>> ListObjects() = 0;
  // The target passed the check: anything written from here on is the load's
  // (e.g. open the transaction the DDL runs in). Default: nothing.
  virtual Status StartWriting() { return Status::OK(); }
  // --clean: drops the schema's objects decant is about to create. `present`
  // is what ListObjects returned (possibly empty); what is not the schema's stays.
  virtual Status DropOurs(const std::vector<TargetObject>& present) = 0;
  // Objects the tables need that come before them (types, functions).
  // Default: nothing.
  virtual Status CreateBeforeTables() { return Status::OK(); }
  // --append: whether the target already has table `index` of the schema.
  virtual Result<bool> HasTable(size_t index) = 0;
  // Creates the schema's tables at `indexes` (ascending indices into
  // Schema::tables), without secondary indexes.
  virtual Status CreateTables(const std::vector<size_t>& indexes) = 0;
  // --data-only: the rows table `index` holds; any error means the table is
  // not there.
  virtual Result<RowCount> CountRows(size_t index) = 0;
  // --data-only --clean: deletes every row of the tables at `indexes`, in
  // that order (children first: the reverse of the schema's parents-first
  // order), keeping the tables, their sequences, indexes and constraints.
  // Where the engine loads in one transaction, the rows are deleted in it, so
  // a failed load leaves them as they were. A row outside these tables that
  // still refers to a deleted one makes the target refuse: FailedPrecondition
  // naming the table, with the target's own message.
  virtual Status EmptyTables(const std::vector<size_t>& indexes) = 0;
  // A table as --data-only messages name it. Default: its name.
  virtual std::string TableLabel(const Table& table) const { return table.name; }
  // The journal of an interrupted load (core/endpoint.h LoadJournal,
  // engines/common/load_journal.h) the target holds; nullopt when none.
  // Default: none (a target loaded in one transaction keeps no journal).
  virtual Result<std::optional<LoadJournal>> ReadJournal() { return std::optional<LoadJournal>(); }
  // --clean over an interrupted load: drops its journal. Default: nothing.
  virtual Status DropJournal() { return Status::OK(); }
  // --resume: whether a table the journal's load has not created yet is
  // created now (CreateTables, with resumed() set): an engine whose DDL
  // commits statement by statement can be stopped while it creates the
  // tables, after the journal. Default: false (the tables and the journal
  // commit together, so a table missing was dropped since: refused).
  virtual bool CreatesMissingOnResume() const { return false; }
};

// The columns an upsert matches rows of `table` (one of `schema`'s tables)
// by: its primary key, else its first unique constraint, else its first
// unique index of plain columns without a WHERE; every column of it a data
// column (DataColumns). nullopt: the table has none.
std::optional<std::vector<std::string>> UpsertKey(const Schema& schema, const Table& table);

// Runs the protocol for one Begin and remembers what the target held.
class LoadProtocol {
 public:
  // With options.upsert, first of all (before anything is read or written):
  // InvalidArgument "--upsert: table T has no primary or unique key ..." for
  // the first table without an UpsertKey, and InvalidArgument unless
  // options.mode is kAppend. The rest goes as under kAppend.
  // With options.data_only: CountRows for every table of `schema` (NotFound
  // "--data-only: table T is not in TARGET"; FailedPrecondition "... already
  // holds N rows; use --append to add to them or --clean to empty them first"
  // under kRefuseNonEmpty), then under kClean EmptyTables for the tables that
  // hold rows, in reverse schema order; a table named in
  // options.merged_tables (QualifiedName(schema, name)) may hold rows in any
  // mode and is never emptied. Creates nothing.
  // Otherwise: ListObjects; a non-empty target under kRefuseNonEmpty is
  // FailedPrecondition "target TARGET is not empty: LISTING; use --clean to
  // replace them or --append to add rows" before anything is written. Then
  // StartWriting, DropOurs (kClean), CreateBeforeTables, HasTable for each
  // table (kAppend), and CreateTables for the tables to create.
  // `schema` is the one the sink's Begin received; `target` is used only
  // during the call.
  //
  // The journal of an interrupted load (ReadJournal; its table is never one
  // of the target's listed objects): with options.resume, Begin reads it
  // first and, when there is one, checks that each of the schema's tables is
  // there (FailedPrecondition naming the first that is not), creates nothing
  // and keeps every object as --append does (Kept); resumed() returns it.
  // Without options.resume a target holding one is refused with
  // FailedPrecondition saying how much of which load committed and naming
  // --resume and --clean; --clean drops it with the load's objects.
  Status Begin(LoadTarget& target, const Schema& schema, const SinkOptions& options);
  // The journal Begin resumes from (options.resume), nullopt if none.
  const std::optional<LoadJournal>& resumed() const { return resumed_; }

  // What the target held when Begin looked (empty with --data-only).
  const std::vector<TargetObject>& present() const { return present_; }
  // Whether the target held an object named `name` (ASCII case-insensitive)
  // whose kind is one of `kinds` (any kind when empty) before this load, and
  // kept it: only under kAppend (kClean dropped the schema's objects; a
  // refused target is not loaded).
  bool Kept(std::string_view name, std::initializer_list<std::string_view> kinds = {}) const;

 private:
  LoadMode mode_ = LoadMode::kRefuseNonEmpty;
  std::vector<TargetObject> present_;
  std::optional<LoadJournal> resumed_;
};

// The refusal's listing of `objects` (at most five names per group).
std::string DescribeTargetObjects(const std::vector<TargetObject>& objects, LoadTarget::Listing listing);

}  // namespace decant
