// DdlStatement: one statement of the list an engine builds for a schema, the
// list its sink runs and its printer (`decant schema --dialect`, `decant plan
// --ddl`) prints, so that what is shown is what runs. DdlRecorder: what a sink
// created and what the target refused, for Sink::Report().
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"
#include "core/status.h"

namespace decant {

struct DdlStatement {
  // What it creates: "schema", "table", "primary key", "unique key",
  // "unique index", "index", "foreign key", "sequence", "sequence value"
  // (setting a counter), "view", "trigger",
  // "function", "procedure", "event", "rule", "check", "comment", ...
  std::string kind;
  std::string name;   // the object's name ("" for an unnamed key)
  std::string table;  // the table it belongs to ("" for none)
  // One statement, without a trailing ';'. Empty: the object is not created
  // (`note` says why; plan names it as not carried).
  std::string sql;
  // Essential (tables, keys, foreign keys, sequences, types: the data and its
  // integrity) or auxiliary (see IsEssentialKind). Set from `kind` by Make.
  bool essential = true;
  std::string note;
  size_t count = 1;  // objects of `kind` it creates (one ALTER may add several keys)
  // Session settings the object keeps from its creation (MySQL: a trigger's
  // or routine's sql_mode, a view's character_set_client), which the
  // engine's sink and printer set around `sql`; empty for most statements.
  std::map<std::string, std::string> settings;

  // A statement that creates `kind` `name` (on `table`), essential as its kind says.
  static DdlStatement Make(std::string kind, std::string name, std::string table, std::string sql);
  // "view v", "index k on t".
  std::string Label() const;
};

// False for the auxiliary kinds: view, materialized view, trigger, rule,
// function, procedure, aggregate, event, check, comment and (non-unique)
// index; a target that refuses one still holds all the data and its keys
// (a missing index costs speed, not rows). True for everything else.
bool IsEssentialKind(std::string_view kind);

// "<label>: <note>" for each statement of `list` without sql (EngineTraits::not_created).
std::vector<std::string> NotCreatedLines(const std::vector<DdlStatement>& list);

// The list as one script: each statement followed by ";\n", each note as
// "-- <label>: <note>\n".
std::string DdlScript(const std::vector<DdlStatement>& list);

// Records what a sink's statements did; safe to use from several threads.
class DdlRecorder {
 public:
  // Judges the result `st` of running `s`. OK: records `s` as created.
  // Unavailable, Cancelled, NoSpace, Corruption and Internal pass through
  // (the server or decant failed, not the statement). Any other failure of
  // an essential statement becomes Refused; of an auxiliary one it is
  // recorded as refused with the server's message and OK is returned, or
  // NotCarried when `strict`. `target` names the target in the message.
  Status Outcome(const DdlStatement& s, const Status& st, bool strict, const std::string& target);
  // A statement without sql (the object is not created, its note says why):
  // recorded as refused with the note as the reason and OK returned, or
  // NotCarried when `strict`.
  Status NotCreated(const DdlStatement& s, bool strict);
  // Records an object created without a statement of the list.
  void Created(SinkObject o);
  // Calls `done` (SinkOptions::statement_done) with the kind of each object
  // recorded as created (Outcome, Created), of each statement Outcome judges
  // skipped, and of each Ran; empty: nothing. Set before the statements run
  // (the sink's Begin).
  void Observe(std::function<void(const std::string& kind)> done);
  // Work for an object of `kind` ended that records nothing (validating a
  // foreign key added NOT VALID): only tells the observer.
  void Ran(const std::string& kind);
  SinkReport Report() const;

 private:
  mutable std::mutex mu_;
  SinkReport report_;
  std::function<void(const std::string& kind)> done_;
};

}  // namespace decant
