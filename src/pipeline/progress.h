// Progress reporting for export, import, migrate, dump and restore
// (docs/cli.md, "Progress").
//
// The copy tells a Progress what it is about to do (every table with its size
// as the source estimates it), each phase's start and end (schema, data,
// post-data), and each table's start, batches and end, from whichever worker
// thread copies it. The styles show it:
//   kTerminal  a block at the bottom of the terminal, redrawn in place at most
//              ten times a second: one line per table being copied (with -j,
//              one per worker, or one saying how many workers read the table
//              when it is read in slices) and an overall line (tables done/total, rows and
//              bytes done/total where the totals are known, rate, ETA);
//              finished tables, phases and notes scroll above it, one line each.
//   kLog       timestamped lines for cron mail and CI logs: the totals when the
//              data starts, each table's start and end, an overall line every
//              kLogInterval while rows are copied, each phase's end with its
//              duration (and no line when a phase starts, but the data's).
//              No escape codes.
//   kQuiet     nothing.
// kAuto is kTerminal when the output is a terminal, else kLog; kTerminal asked
// for on an output that is not a terminal is kLog too (escape codes are only
// ever written to a terminal).
//
// Names (tables, notes) are shown through Printable: a control character in a
// table name cannot break a line or drive the terminal. Counts use Counted
// ("1 row").
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"

namespace decant {

// A table the copy is about to read: its name (qualified) and its size as the
// source estimates it (exact from an archive's manifest; catalog statistics on
// a live database; unknown where the source cannot tell cheaply).
struct ExpectedTable {
  std::string name;
  TableSize estimate;
};

// Thread-safe: every method may be called from any thread, at once.
class Progress {
 public:
  virtual ~Progress() = default;
  // A phase ("schema", "data", "post_data": the names of docs/events.md)
  // starts; `what` says what it does, for people ("creating the tables").
  virtual void PhaseStarted(const std::string& phase, const std::string& what) = 0;
  // Within the phase that started last, a piece of its work that belongs to
  // `part` ("indexes", "constraints", "views", ...) ended now: the time since
  // the phase started, or since the previous piece ended, counts to `part`
  // (pieces that run at once thus share the wall time between them).
  virtual void PhaseStep(const std::string& part) = 0;
  // The phase that started last ends; its duration is shown, with the time
  // of each part PhaseStep named, in the order first named, and the rest.
  virtual void PhaseFinished(const std::string& phase) = 0;
  // Starts the data phase ("data"; PhaseFinished("data") ends it) with every
  // table the copy will read, in plan order, and starts a new count (dump and
  // restore copy several databases with one Progress). `jobs`: how many
  // units of work run at once.
  virtual void Expect(const std::vector<ExpectedTable>& tables, size_t jobs) = 0;
  // One of the expected tables is being read (its first unit started).
  virtual void TableStarted(const std::string& table) = 0;
  // A worker starts or ends one unit of work (a slice) of `table`, between
  // its TableStarted and TableFinished: with -j N several workers may read
  // one table at once, and its line says how many.
  virtual void UnitStarted(const std::string& table) = 0;
  virtual void UnitFinished(const std::string& table) = 0;
  // A batch of `table` (from any of its slices) was written.
  virtual void Advance(const std::string& table, uint64_t rows, uint64_t bytes) = 0;
  // The table is done (`ok`) or failed, with its final figures.
  virtual void TableFinished(const std::string& table, bool ok, uint64_t rows, uint64_t bytes) = 0;
  // A free-form line ("database shop", "-j 4: ...").
  virtual void Note(const std::string& message) = 0;
  // Shows that a phase is still running when nothing else did for a while
  // (a long index build, a source that sends no rows): on a terminal the
  // block is redrawn (rates, ETA, the phase's time so far); in the log, a
  // line every kLogInterval with no other overall line (the data's overall
  // line, or "post-data (...): 40.0 s so far (indexes 38.2 s)"). Nothing
  // between phases. MakeProgress's Progress calls it itself from a thread
  // of its own, unless ProgressOutput::now is injected (tests call it).
  virtual void Tick() {}
};

enum class ProgressStyle { kAuto, kTerminal, kLog, kQuiet };

// Where a Progress writes and how it tells time: the defaults are stderr and
// the clocks; tests inject both.
struct ProgressOutput {
  FILE* file = stderr;  // kAuto and kTerminal check whether it is a terminal
  // Replaces `file` when set (the text exactly as it would be written).
  std::function<void(const std::string&)> write;
  // Take the output for a terminal (kAuto / kTerminal) whatever it is; else
  // `file` is asked (isatty), and `write` is not one.
  bool terminal = false;
  // Terminal width in columns (lines are cut to it); 0: asked of `file`
  // (TIOCGWINSZ), 80 when it cannot tell.
  int columns = 0;
  // Default steady_clock::now; when set, no ticker thread runs (Tick).
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<std::string()> timestamp;  // default: UTC, ISO 8601 with milliseconds
};

// Between two overall lines of the log style.
inline constexpr std::chrono::seconds kLogInterval{10};
// Between two redraws of the terminal block.
inline constexpr std::chrono::milliseconds kTerminalInterval{100};

// `verb` starts each line, e.g. "export".
std::unique_ptr<Progress> MakeProgress(const std::string& verb, ProgressStyle style, ProgressOutput output = {});

// Writes `line` and a newline on stderr: while a terminal display is drawn
// there, above its block, which is then drawn again (a line written past the
// block would be overwritten by its next redraw). For the CLI's warnings.
void WriteLineAbove(const std::string& line);

// "1.5 MiB", "312 B".
std::string HumanBytes(uint64_t bytes);
// Counts for the live display: "987", "12.3k", "1.2M", "3.4G".
std::string HumanCount(uint64_t n);
// A duration as a clock: "0:25", "12:04", "1:02:03" (rounded to the second).
std::string ClockTime(double seconds);
// The seconds left when `done` of `total` took `elapsed` seconds, at the
// average rate so far; nullopt when it cannot be told (nothing done yet, no
// total, under a second elapsed). Past a total that was too low: 0.
std::optional<double> EtaSeconds(uint64_t done, std::optional<uint64_t> total, double elapsed);

}  // namespace decant
