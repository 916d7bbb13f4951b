#include "pipeline/progress.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/plural.h"
#include "core/printable.h"

namespace decant {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string UtcTimestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

// "0.4 s", "12.0 s", "1:02:03".
std::string Duration(double seconds) { return seconds < 60 ? fmt::format("{:.1f} s", seconds) : ClockTime(seconds); }

std::string Rate(uint64_t bytes, double seconds) {
  return HumanBytes(seconds > 0 ? static_cast<uint64_t>(static_cast<double>(bytes) / seconds) : 0) + "/s";
}

// "12.3k/20.0k rows", "5 rows": a count against its total when known.
std::string OfTotal(uint64_t done, std::optional<uint64_t> total, const char* one, const char* many) {
  if (!total) return HumanCount(done) + " " + std::string(Noun(done, one, many));
  return HumanCount(done) + "/" + HumanCount(*total) + " " + std::string(Noun(*total, one, many));
}

// At most `columns` - 1 characters (UTF-8 sequences counted as one), so a
// line of the block never wraps (a wrapped line would throw the redraw off).
std::string Fit(const std::string& line, int columns) {
  size_t max = columns > 1 ? static_cast<size_t>(columns - 1) : 79;
  size_t chars = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (++chars > max) return line.substr(0, i);
  }
  return line;
}

class DisplayProgress;

// The terminal display drawn on stderr now, if any (WriteLineAbove).
std::mutex g_active_mu;
DisplayProgress* g_active = nullptr;

class DisplayProgress final : public Progress {
 public:
  DisplayProgress(std::string verb, bool terminal, ProgressOutput out)
      : verb_(std::move(verb)), terminal_(terminal), out_(std::move(out)) {
    bool real_clock = !out_.now;
    if (!out_.now) out_.now = [] { return Clock::now(); };
    if (!out_.timestamp) out_.timestamp = UtcTimestamp;
    if (terminal_ && out_.columns <= 0) {
      struct winsize ws {};
      out_.columns = out_.file && ioctl(fileno(out_.file), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    }
    if (terminal_ && !out_.write && out_.file == stderr) {
      std::lock_guard lock(g_active_mu);
      g_active = this;
    }
    if (real_clock) ticker_ = std::thread([this] { RunTicker(); });
  }
  ~DisplayProgress() override {
    if (ticker_.joinable()) {
      {
        std::lock_guard lock(ticker_mu_);
        stop_ = true;
      }
      ticker_cv_.notify_one();
      ticker_.join();
    }
    std::lock_guard lock(g_active_mu);
    if (g_active == this) g_active = nullptr;
  }

  void Tick() override {
    std::lock_guard lock(mu_);
    if (phase_.empty()) return;
    auto now = out_.now();
    if (terminal_) {
      if (now - last_draw_ >= kTerminalInterval) Draw({});
      return;
    }
    if (now - last_log_ < kLogInterval) return;
    last_log_ = now;
    if (in_data_) return Emit({Prefix() + ": " + Overall(now)});
    std::string line = fmt::format("{}: {}: {} so far", Prefix(), phase_label_, Duration(Seconds(now - phase_start_)));
    if (!parts_.empty()) line += " (" + Parts(std::nullopt) + ")";
    Emit({line});
  }

  // A line of someone else's, above the block.
  void Above(const std::string& line) {
    std::lock_guard lock(mu_);
    Draw({line});
  }

  void PhaseStarted(const std::string& phase, const std::string& what) override {
    std::lock_guard lock(mu_);
    phase_ = phase;
    phase_label_ = what.empty() ? phase : what;
    phase_start_ = step_end_ = last_log_ = out_.now();
    parts_.clear();
    // The log has no line for it: the line before (the previous phase's end)
    // tells, and a refusal at the start of the schema stays the one line.
    if (terminal_) Draw({});
  }

  void PhaseStep(const std::string& part) override {
    std::lock_guard lock(mu_);
    auto now = out_.now();
    auto it = std::find_if(parts_.begin(), parts_.end(), [&](const auto& p) { return p.first == part; });
    if (it == parts_.end()) it = parts_.insert(parts_.end(), {part, 0.0});
    it->second += Seconds(now - step_end_);
    step_end_ = now;
    if (terminal_ && now - last_draw_ >= kTerminalInterval) Draw({});
  }

  void PhaseFinished(const std::string& phase) override {
    std::lock_guard lock(mu_);
    auto now = out_.now();
    std::string line;
    if (phase == "data" && in_data_) {
      double secs = Seconds(now - data_start_);
      line = fmt::format("{}: data: done in {} ({}, {}, {}, {})", Prefix(), Duration(secs), Counted(finished_, "table"),
                         Counted(rows_, "row"), HumanBytes(bytes_), Rate(bytes_, secs));
      in_data_ = false;
      running_.clear();
    } else {
      std::string label = phase == phase_ ? phase_label_ : phase;
      line = fmt::format("{}: {}: done in {}", Prefix(), label, Duration(Seconds(now - phase_start_)));
      if (!parts_.empty()) line += " (" + Parts(Seconds(now - step_end_)) + ")";
      parts_.clear();
    }
    phase_.clear();
    Emit({line});
  }

  void Expect(const std::vector<ExpectedTable>& tables, size_t jobs) override {
    std::lock_guard lock(mu_);
    tables_.clear();
    index_.clear();
    running_.clear();
    finished_ = 0;
    rows_ = bytes_ = 0;
    for (const ExpectedTable& t : tables) Add(t.name, t.estimate);
    in_data_ = true;
    phase_ = "data";
    phase_label_ = "data";
    data_start_ = last_log_ = phase_start_ = out_.now();
    if (terminal_) {
      Draw({});
      return;
    }
    auto rows = TotalRows();
    auto bytes = TotalBytes();
    std::string expected;
    if (rows && bytes) {
      expected = fmt::format(", {} and {} expected", Counted(*rows, "row"), HumanBytes(*bytes));
    } else if (rows) {
      expected = fmt::format(", {} expected", Counted(*rows, "row"));
    } else if (bytes) {
      expected = fmt::format(", {} expected", HumanBytes(*bytes));
    } else if (!tables.empty()) {
      expected = " (sizes unknown)";
    }
    Emit({fmt::format("{}: data: started, {}{}{}", Prefix(), Counted(tables.size(), "table"), expected,
                      jobs > 1 ? fmt::format(", {} at a time", jobs) : "")});
  }

  void TableStarted(const std::string& table) override {
    std::lock_guard lock(mu_);
    size_t i = Find(table);
    TableState& t = tables_[i];
    t.running = true;
    t.start = out_.now();
    running_.push_back(i);
    if (terminal_) {
      Draw({});
    } else {
      std::string expected = t.estimate.rows ? fmt::format(" ({} expected)", Counted(*t.estimate.rows, "row")) : "";
      Emit({fmt::format("{} {}: started{}", Prefix(), t.shown, expected)});
    }
  }

  void UnitStarted(const std::string& table) override {
    std::lock_guard lock(mu_);
    ++tables_[Find(table)].workers;
  }
  void UnitFinished(const std::string& table) override {
    std::lock_guard lock(mu_);
    TableState& t = tables_[Find(table)];
    if (t.workers > 0) --t.workers;
  }

  void Advance(const std::string& table, uint64_t rows, uint64_t bytes) override {
    std::lock_guard lock(mu_);
    TableState& t = tables_[Find(table)];
    t.rows += rows;
    t.bytes += bytes;
    rows_ += rows;
    bytes_ += bytes;
    auto now = out_.now();
    if (terminal_) {
      if (now - last_draw_ >= kTerminalInterval) Draw({});
    } else if (now - last_log_ >= kLogInterval) {
      last_log_ = now;
      Emit({Prefix() + ": " + Overall(now)});
    }
  }

  void TableFinished(const std::string& table, bool ok, uint64_t rows, uint64_t bytes) override {
    std::lock_guard lock(mu_);
    size_t i = Find(table);
    TableState& t = tables_[i];
    // The caller's figures are the table's; what the batches added may differ
    // (a failed slice's batches).
    rows_ = rows_ - t.rows + rows;
    bytes_ = bytes_ - t.bytes + bytes;
    t.rows = rows;
    t.bytes = bytes;
    t.running = false;
    t.finished = ok;
    if (ok) ++finished_;
    running_.erase(std::remove(running_.begin(), running_.end(), i), running_.end());
    double secs = Seconds(out_.now() - t.start);
    std::string line = ok ? fmt::format("{} {}: {}, {} in {} ({})", Prefix(), t.shown, Counted(rows, "row"),
                                        HumanBytes(bytes), Duration(secs), Rate(bytes, secs))
                          : fmt::format("{} {}: FAILED after {}", Prefix(), t.shown, Counted(rows, "row"));
    Emit({line});
  }

  void Note(const std::string& message) override {
    std::lock_guard lock(mu_);
    Emit({Prefix() + ": " + Printable(message)});
  }

 private:
  struct TableState {
    std::string shown;  // Printable(name)
    TableSize estimate;
    uint64_t rows = 0, bytes = 0;
    size_t workers = 0;  // units of it being copied now
    bool running = false, finished = false;
    Clock::time_point start;
  };

  // The index of `name` in tables_, added (size unknown) if Expect did not name it.
  size_t Find(const std::string& name) {
    auto it = index_.find(name);
    return it != index_.end() ? it->second : Add(name, {});
  }
  size_t Add(const std::string& name, const TableSize& estimate) {
    index_[name] = tables_.size();
    TableState t;
    t.shown = Printable(name);
    t.estimate = estimate;
    tables_.push_back(std::move(t));
    return tables_.size() - 1;
  }

  // The totals: a finished table counts what it held, any other what the
  // source estimated (at least what was copied of it so far); unknown when
  // one table's size is.
  std::optional<uint64_t> TotalRows() const { return Total(&TableState::rows, &TableSize::rows); }
  std::optional<uint64_t> TotalBytes() const { return Total(&TableState::bytes, &TableSize::bytes); }
  std::optional<uint64_t> Total(uint64_t TableState::*copied, std::optional<uint64_t> TableSize::*estimated) const {
    uint64_t total = 0;
    for (const TableState& t : tables_) {
      const std::optional<uint64_t>& estimate = t.estimate.*estimated;
      if (t.finished) {
        total += t.*copied;
      } else if (estimate) {
        total += std::max(*estimate, t.*copied);
      } else {
        return std::nullopt;
      }
    }
    return total;
  }

  // "3/40 tables, 1.2M/3.4M rows (35%), 350.0 MiB/1.1 GiB, 45.0 MiB/s, ETA 0:25".
  std::string Overall(Clock::time_point now) const {
    double secs = Seconds(now - data_start_);
    auto rows = TotalRows();
    auto bytes = TotalBytes();
    std::string line =
        OfTotal(finished_, tables_.size(), "table", "tables") + ", " + OfTotal(rows_, rows, "row", "rows");
    // Rows are what the manifest and the catalogs count best; bytes otherwise.
    uint64_t done = rows ? rows_ : bytes_;
    std::optional<uint64_t> total = rows ? rows : bytes;
    if (total && *total > 0) line += fmt::format(" ({}%)", std::min<uint64_t>(100, done * 100 / *total));
    line += ", " + HumanBytes(bytes_);
    if (bytes) line += "/" + HumanBytes(*bytes);
    line += ", " + Rate(bytes_, secs);
    if (!total) return line + ", total unknown";
    if (auto eta = EtaSeconds(done, total, secs)) line += ", ETA " + ClockTime(*eta);
    return line;
  }

  // The block's lines: one per running table and the overall line in the
  // data phase, the phase's label otherwise.
  std::vector<std::string> Block(Clock::time_point now) const {
    std::vector<std::string> lines;
    if (!in_data_) {
      if (phase_.empty()) return lines;
      lines.push_back(Prefix() + ": " + phase_label_ + " ... " + Duration(Seconds(now - phase_start_)) +
                      (parts_.empty() ? "" : " (" + Parts(std::nullopt) + ")"));
      return lines;
    }
    constexpr size_t kMaxTableLines = 16;
    for (size_t k = 0; k < running_.size() && k < kMaxTableLines; ++k) {
      const TableState& t = tables_[running_[k]];
      std::optional<uint64_t> est;
      if (t.estimate.rows) est = std::max(*t.estimate.rows, t.rows);
      std::string line = "  " + t.shown + (t.workers > 1 ? fmt::format(" ({} workers)", t.workers) : "") + ": " +
                         OfTotal(t.rows, est, "row", "rows");
      if (est && *est > 0) line += fmt::format(" ({}%)", std::min<uint64_t>(100, t.rows * 100 / *est));
      line += ", " + HumanBytes(t.bytes) + ", " + Rate(t.bytes, Seconds(now - t.start));
      lines.push_back(std::move(line));
    }
    if (running_.size() > kMaxTableLines) {
      lines.push_back(fmt::format("  and {} more", Counted(running_.size() - kMaxTableLines, "table")));
    }
    lines.push_back(Prefix() + ": " + Overall(now));
    return lines;
  }

  std::string Prefix() const { return verb_; }

  // "indexes 1.9 s, constraints 0.4 s, the rest 0.1 s" (no rest when nullopt).
  std::string Parts(std::optional<double> rest) const {
    std::string out;
    for (const auto& [part, secs] : parts_) out += (out.empty() ? "" : ", ") + part + " " + Duration(secs);
    if (rest) out += ", the rest " + Duration(*rest);
    return out;
  }

  // Writes `lines` as lines of their own: on a terminal above the block,
  // which is then redrawn; in the log, each with its timestamp.
  void Emit(const std::vector<std::string>& lines) {
    if (terminal_) return Draw(lines);
    std::string text;
    for (const std::string& l : lines) text += out_.timestamp() + " " + l + "\n";
    Write(text);
  }

  // Terminal: erases the block, prints `scroll`, draws the block again.
  void Draw(const std::vector<std::string>& scroll) {
    auto now = out_.now();
    std::string text;
    if (drawn_ > 0) text += fmt::format("\r\033[{}A\033[J", drawn_);
    for (const std::string& l : scroll) text += l + "\n";
    std::vector<std::string> block = Block(now);
    for (const std::string& l : block) text += Fit(l, out_.columns) + "\n";
    drawn_ = block.size();
    last_draw_ = now;
    Write(text);
  }

  // The ticker thread: Tick a few times a second until the destructor stops it.
  void RunTicker() {
    auto interval = terminal_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(1000);
    std::unique_lock lock(ticker_mu_);
    while (!ticker_cv_.wait_for(lock, interval, [this] { return stop_; })) {
      lock.unlock();
      Tick();
      lock.lock();
    }
  }

  void Write(const std::string& text) const {
    if (text.empty()) return;
    if (out_.write) {
      out_.write(text);
    } else if (out_.file) {
      std::fwrite(text.data(), 1, text.size(), out_.file);
      std::fflush(out_.file);
    }
  }

  const std::string verb_;
  const bool terminal_;
  ProgressOutput out_;
  std::mutex mu_;  // guards everything below and the output
  std::vector<TableState> tables_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<size_t> running_;  // indexes into tables_, in the order they started
  size_t finished_ = 0;
  uint64_t rows_ = 0, bytes_ = 0;  // copied so far, every table
  bool in_data_ = false;
  std::string phase_, phase_label_;
  std::vector<std::pair<std::string, double>> parts_;  // of the phase, PhaseStep's seconds
  Clock::time_point phase_start_, step_end_, data_start_, last_log_, last_draw_;
  size_t drawn_ = 0;  // lines of the block on the terminal now
  // The ticker (Tick from a thread of its own), when the clock is the real one.
  std::thread ticker_;
  std::mutex ticker_mu_;
  std::condition_variable ticker_cv_;
  bool stop_ = false;  // guarded by ticker_mu_
};

class QuietProgress final : public Progress {
 public:
  void PhaseStarted(const std::string&, const std::string&) override {}
  void PhaseStep(const std::string&) override {}
  void PhaseFinished(const std::string&) override {}
  void Expect(const std::vector<ExpectedTable>&, size_t) override {}
  void TableStarted(const std::string&) override {}
  void UnitStarted(const std::string&) override {}
  void UnitFinished(const std::string&) override {}
  void Advance(const std::string&, uint64_t, uint64_t) override {}
  void TableFinished(const std::string&, bool, uint64_t, uint64_t) override {}
  void Note(const std::string&) override {}
};

}  // namespace

void WriteLineAbove(const std::string& line) {
  std::lock_guard lock(g_active_mu);
  if (g_active) return g_active->Above(line);
  std::string text = line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::unique_ptr<Progress> MakeProgress(const std::string& verb, ProgressStyle style, ProgressOutput output) {
  if (style == ProgressStyle::kQuiet) return std::make_unique<QuietProgress>();
  bool tty = output.terminal || (!output.write && output.file && isatty(fileno(output.file)));
  // kTerminal on a pipe or a file is the log: escape codes only go to a terminal.
  bool terminal = (style == ProgressStyle::kAuto || style == ProgressStyle::kTerminal) && tty;
  return std::make_unique<DisplayProgress>(verb, terminal, std::move(output));
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

std::string HumanCount(uint64_t n) {
  if (n < 10000) return std::to_string(n);
  static const char* kUnits[] = {"", "k", "M", "G", "T", "P"};
  double v = static_cast<double>(n);
  int unit = 0;
  while (v >= 999.95 && unit < 5) {
    v /= 1000;
    ++unit;
  }
  return fmt::format("{:.1f}{}", v, kUnits[unit]);
}

std::string ClockTime(double seconds) {
  uint64_t s = seconds > 0 ? static_cast<uint64_t>(std::llround(seconds)) : 0;
  if (s >= 3600) return fmt::format("{}:{:02d}:{:02d}", s / 3600, s % 3600 / 60, s % 60);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

std::optional<double> EtaSeconds(uint64_t done, std::optional<uint64_t> total, double elapsed) {
  if (!total || done == 0 || elapsed < 1) return std::nullopt;
  if (done >= *total) return 0.0;
  return elapsed * static_cast<double>(*total - done) / static_cast<double>(done);
}

}  // namespace decant
