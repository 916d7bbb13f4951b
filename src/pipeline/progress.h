// Progress reporting for long operations.
//
// On a terminal, one line per table is redrawn in place (rows, bytes, rate).
// Otherwise each table's start and end, and every ~10 s of a long table, is a
// timestamped log line on stderr, suitable for cron mail and CI logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace decant {

class Progress {
 public:
  virtual ~Progress() = default;
  virtual void TableStarted(const std::string& table) = 0;
  // Called after each batch with the rows and payload bytes it held.
  virtual void Advance(uint64_t rows, uint64_t bytes) = 0;
  // `ok` is false when the table's copy failed.
  virtual void TableFinished(bool ok) = 0;
  // A free-form message, e.g. "creating indexes".
  virtual void Note(const std::string& message) = 0;
};

enum class ProgressStyle { kAuto, kTerminal, kLog, kQuiet };

// `verb` starts each line, e.g. "export". kAuto picks kTerminal when stderr is a tty.
std::unique_ptr<Progress> MakeProgress(const std::string& verb, ProgressStyle style);

// "1.5 MiB", "312 B".
std::string HumanBytes(uint64_t bytes);

}  // namespace decant
