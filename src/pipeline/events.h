// Machine-readable events: `--json-log FILE|-` (docs/events.md).
//
// An EventLog writes one JSON object per line, each line written whole with
// one write and so visible to a reader following the file as soon as it is
// written. Every event carries the schema version, its name, the UTC time and
// the seconds since the log was opened; what else it carries is specified in
// docs/events.md (and docs/events.schema.json). The copy reports the plan,
// each table and each phase to it; the CLI reports the run's start, its
// warnings, its summary and its end (run_finished or error, exactly one).
//
// Thread-safe: the copy's workers report tables at once. A write that fails
// (a full disk, a closed pipe) stops the log (later events are dropped) and
// is kept as status(); the run itself goes on.
//
// Events never hold a password: every location is shown through
// RedactLocation, and messages are the ones decant prints, which never hold one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/file_system.h"

namespace decant {

struct CopySummary;
struct MigrationPlan;
struct Schema;
struct ServerCopySummary;

struct EventLogOptions {
  // A table's progress is reported when this many seconds or this many rows
  // passed since its last report (or its start), whichever is first.
  double progress_seconds = 2.0;
  uint64_t progress_rows = 1000000;
};

class EventLog {
 public:
  // The version of the event schema (docs/events.md): bumped in its major
  // when a field changes meaning or goes; new events and fields only add.
  static constexpr int kVersion = 1;

  using Options = EventLogOptions;

  // Receives each event as it is written, as the object written (`--report`
  // collects them). Called with the log's lock held, in the events' order.
  using Listener = std::function<void(const nlohmann::ordered_json& event)>;

  // Writes to `out`, which it owns and closes; a null `out` writes nothing,
  // for a log that only feeds its listener.
  EventLog(std::unique_ptr<WritableFile> out, Options options);
  ~EventLog();

  // Creates or truncates `path` ("-": standard output) through `fs`.
  static Result<std::unique_ptr<EventLog>> Open(const std::string& path, Options options = {},
                                                FileSystem* fs = FileSystem::Default());

  // Every later event also goes to `listener` (may be empty: none), whether
  // or not the log writes a file. Set after events were written (a log opened
  // before --report was checked), it first receives the first of them, the
  // run's run_started, so that what it collects starts as the file does.
  void SetListener(Listener listener);

  // run_started: the command ("export", ...) and its arguments as given
  // (each shown through RedactLocation), the decant and archive format versions.
  void RunStarted(const std::string& command, const std::vector<std::string>& arguments);
  // plan: the source (engine, version, database), the target engine, and per
  // table its columns that may lose values, then what is not carried.
  void Plan(const MigrationPlan& plan, const Schema& source);
  // table_started / table_progress / table_finished. TableAdvanced adds a
  // batch (from any of the table's slices) and reports progress when due;
  // TableFinished reports the table's final figures, counted by the caller.
  void TableStarted(const std::string& table);
  void TableAdvanced(const std::string& table, uint64_t rows, uint64_t bytes);
  void TableFinished(const std::string& table, bool ok, uint64_t rows, uint64_t bytes);
  // phase_finished: "schema", "data" or "post_data", with its duration.
  void PhaseFinished(const std::string& phase, double seconds);
  void Warning(const std::string& message);
  // The last event of a failed run: the message decant printed and its exit code.
  void Error(const Status& status, int exit_code);
  // What the human summary says after a copy, as conversion and not_carried
  // events, then the last event: run_finished with every figure of the
  // summary line and the exit code. `from` and `to` are shown redacted.
  void CopyFinished(const CopySummary& summary, const std::string& from, const std::string& to, int exit_code);
  // run_finished for a run that copied nothing to sum up (a coordinator, a
  // shard already done).
  void RunFinished(int exit_code);
  // dump and restore copy the databases of a server one after the other:
  // database_started, then that database's copy (plan, phases, tables), then
  // DatabaseFinished: its conversion and not_carried events (each naming
  // the database) and database_finished with its figures.
  void DatabaseStarted(const std::string& database);
  void DatabaseFinished(const std::string& database, const CopySummary& summary);
  // The last event of a dump or restore that completed: run_finished with
  // the totals over its databases and each database's figures.
  void ServerCopyFinished(const ServerCopySummary& summary, const std::string& from, const std::string& to,
                          int exit_code);

  // Whether run_finished or error was written (a run ends with one of them).
  bool ended() const;
  // OK, or the first write that failed.
  Status status() const;

 private:
  struct TableState {
    std::chrono::steady_clock::time_point start, last;
    uint64_t rows = 0, bytes = 0, rows_at_last = 0;
  };
  // Writes {"v", "event", "time", "elapsed", then `fields`' members} as
  // one line; needs mu_.
  void EmitLocked(const char* event, const nlohmann::ordered_json& fields);
  void Emit(const char* event, const nlohmann::ordered_json& fields);
  // The conversion and not_carried events of a copy (`database` in each
  // unless empty); returns how many values were converted.
  uint64_t EmitOutcome(const CopySummary& summary, const std::string& database);

  Options options_;
  std::chrono::steady_clock::time_point opened_;
  mutable std::mutex mu_;
  std::unique_ptr<WritableFile> out_;
  Listener listener_;
  std::unique_ptr<nlohmann::ordered_json> first_;  // the first event written, for a later listener
  Status status_;
  bool ended_ = false;
  std::map<std::string, TableState> tables_;
};

}  // namespace decant
