#include "pipeline/progress.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace decant {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

// Shared counting; subclasses decide how to show it.
class CountingProgress : public Progress {
 public:
  explicit CountingProgress(std::string verb) : verb_(std::move(verb)) {}
  void TableStarted(const std::string& table) override {
    table_ = table;
    rows_ = bytes_ = 0;
    ok_ = true;
    start_ = last_shown_ = Clock::now();
    Started();
  }
  void Advance(uint64_t rows, uint64_t bytes) override {
    rows_ += rows;
    bytes_ += bytes;
    auto now = Clock::now();
    if (now - last_shown_ >= Interval()) {
      last_shown_ = now;
      Show(false);
    }
  }
  void TableFinished(bool ok) override {
    ok_ = ok;
    Show(true);
  }

 protected:
  virtual void Started() {}
  virtual Clock::duration Interval() const = 0;
  virtual void Show(bool done) = 0;

  std::string Line() const {
    double secs = Seconds(Clock::now() - start_);
    double rate = secs > 0 ? static_cast<double>(bytes_) / secs : 0;
    return fmt::format("{} {}: {} rows, {} ({}/s)", verb_, table_, rows_, HumanBytes(bytes_),
                       HumanBytes(static_cast<uint64_t>(rate)));
  }
  std::string verb_;
  std::string table_;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
  Clock::time_point start_;
  Clock::time_point last_shown_;
  bool ok_ = true;
};

class TerminalProgress final : public CountingProgress {
 public:
  using CountingProgress::CountingProgress;
  void Note(const std::string& message) override { std::fprintf(stderr, "%s: %s\n", verb_.c_str(), message.c_str()); }

 private:
  void Started() override { Show(false); }
  Clock::duration Interval() const override { return std::chrono::milliseconds(100); }
  void Show(bool done) override {
    // \r + clear-to-end-of-line redraws the current table's line in place.
    std::fprintf(stderr, "\r\033[K%s%s", Line().c_str(), done ? (ok_ ? "\n" : " FAILED\n") : "");
    std::fflush(stderr);
  }
};

class LogProgress final : public CountingProgress {
 public:
  using CountingProgress::CountingProgress;
  void Note(const std::string& message) override {
    std::fprintf(stderr, "%s %s: %s\n", Timestamp().c_str(), verb_.c_str(), message.c_str());
  }

 private:
  Clock::duration Interval() const override { return std::chrono::seconds(10); }
  void Show(bool done) override {
    std::fprintf(stderr, "%s %s%s\n", Timestamp().c_str(), Line().c_str(), done ? (ok_ ? " done" : " FAILED") : "");
  }
};

class QuietProgress final : public Progress {
 public:
  void TableStarted(const std::string&) override {}
  void Advance(uint64_t, uint64_t) override {}
  void TableFinished(bool) override {}
  void Note(const std::string&) override {}
};

}  // namespace

std::unique_ptr<Progress> MakeProgress(const std::string& verb, ProgressStyle style) {
  if (style == ProgressStyle::kAuto) style = isatty(STDERR_FILENO) ? ProgressStyle::kTerminal : ProgressStyle::kLog;
  switch (style) {
    case ProgressStyle::kTerminal: return std::make_unique<TerminalProgress>(verb);
    case ProgressStyle::kLog: return std::make_unique<LogProgress>(verb);
    default: return std::make_unique<QuietProgress>();
  }
}

std::string HumanBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, kUnits[unit]);
}

}  // namespace decant
