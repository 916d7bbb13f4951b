// The progress display's lines, with an injected clock: no test waits.
#include "pipeline/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

TableSize Size(std::optional<uint64_t> rows, std::optional<uint64_t> bytes) {
  TableSize s;
  s.rows = rows;
  s.bytes = bytes;
  return s;
}

// A Progress writing into `text`, at the time `now` says.
struct Harness {
  explicit Harness(ProgressStyle style, bool terminal = false, int columns = 200) {
    ProgressOutput out;
    out.write = [this](const std::string& s) { text += s; };
    out.terminal = terminal;
    out.columns = columns;
    out.now = [this] { return now; };
    out.timestamp = [] { return std::string("TS"); };
    progress = MakeProgress("import", style, std::move(out));
  }
  void Wait(double seconds) {
    now += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }
  std::string Take() { return std::exchange(text, {}); }

  std::string text;
  Clock::time_point now{};
  std::unique_ptr<Progress> progress;
};

TEST(Progress, CountsClocksAndEta) {
  EXPECT_EQ(HumanCount(0), "0");
  EXPECT_EQ(HumanCount(9999), "9999");
  EXPECT_EQ(HumanCount(12345), "12.3k");
  EXPECT_EQ(HumanCount(999960), "1.0M");
  EXPECT_EQ(HumanCount(3400000), "3.4M");
  EXPECT_EQ(HumanCount(5000000000), "5.0G");
  EXPECT_EQ(ClockTime(0), "0:00");
  EXPECT_EQ(ClockTime(25.4), "0:25");
  EXPECT_EQ(ClockTime(724), "12:04");
  EXPECT_EQ(ClockTime(3723), "1:02:03");
  // A quarter done in 10 s: 30 s to go at that rate.
  EXPECT_EQ(EtaSeconds(250, 1000, 10.0), 30.0);
  EXPECT_EQ(EtaSeconds(1000, 1000, 10.0), 0.0);
  EXPECT_EQ(EtaSeconds(1200, 1000, 10.0), 0.0);  // the estimate was too low
  EXPECT_EQ(EtaSeconds(0, 1000, 10.0), std::nullopt);
  EXPECT_EQ(EtaSeconds(10, std::nullopt, 10.0), std::nullopt);
  EXPECT_EQ(EtaSeconds(10, 1000, 0.5), std::nullopt);  // too early to tell
}

TEST(Progress, LogLinesHaveTimestampsTotalsTablesAndPhases) {
  Harness h(ProgressStyle::kLog);
  h.progress->PhaseStarted("schema", "schema");
  h.Wait(0.25);
  h.progress->PhaseFinished("schema");
  h.progress->Expect({{"a", Size(100, 1000)}, {"b", Size(300, 3000)}}, 2);
  h.progress->TableStarted("a");
  h.progress->TableStarted("b");
  EXPECT_EQ(h.Take(),
            "TS import: schema: done in 0.2 s\n"
            "TS import: data: started, 2 tables, 400 rows and 3.9 KiB expected, 2 at a time\n"
            "TS import a: started (100 rows expected)\n"
            "TS import b: started (300 rows expected)\n");
  h.Wait(5);
  h.progress->Advance("a", 100, 1000);
  EXPECT_EQ(h.Take(), "");  // not yet: every kLogInterval
  h.Wait(5);
  h.progress->Advance("b", 50, 500);
  // 150 of 400 rows in 10 s: 250 left at 15 rows/s.
  EXPECT_EQ(h.Take(), "TS import: 0/2 tables, 150/400 rows (37%), 1.5 KiB/3.9 KiB, 150 B/s, ETA 0:17\n");
  h.progress->TableFinished("a", true, 100, 1000);
  h.Wait(2);
  h.progress->TableFinished("b", true, 1, 10);
  h.progress->PhaseFinished("data");
  h.progress->PhaseStarted("post_data", "post-data (indexes, constraints, views)");
  h.Wait(1.5);
  h.progress->PhaseFinished("post_data");
  EXPECT_EQ(h.Take(),
            "TS import a: 100 rows, 1000 B in 10.0 s (100 B/s)\n"
            "TS import b: 1 row, 10 B in 12.0 s (0 B/s)\n"
            "TS import: data: done in 12.0 s (2 tables, 101 rows, 1010 B, 84 B/s)\n"
            "TS import: post-data (indexes, constraints, views): done in 1.5 s\n");
}

// The post-data phase's parts: each piece's time counts to its part, the
// time after the last piece is the rest.
TEST(Progress, PhaseEndListsThePartsTimes) {
  Harness h(ProgressStyle::kLog);
  h.progress->PhaseStarted("post_data", "post-data");
  h.Wait(1.0);
  h.progress->PhaseStep("indexes");
  h.Wait(0.5);
  h.progress->PhaseStep("constraints");
  h.Wait(2.0);
  h.progress->PhaseStep("indexes");
  h.Wait(0.25);
  h.progress->PhaseStep("views");
  h.Wait(0.125);
  h.progress->PhaseFinished("post_data");
  EXPECT_EQ(h.Take(),
            "TS import: post-data: done in 3.9 s (indexes 3.0 s, constraints 0.5 s, views 0.2 s, the rest 0.1 s)\n");
  // On a terminal the running tally shows on the phase's line.
  Harness t(ProgressStyle::kTerminal, /*terminal=*/true);
  t.progress->PhaseStarted("post_data", "post-data");
  t.Wait(1.0);
  t.progress->PhaseStep("indexes");
  EXPECT_THAT(t.Take(), HasSubstr("\r\033[1A\033[Jimport: post-data ... 1.0 s (indexes 1.0 s)\n"));
}

// A phase with nothing to report for a while (one long index build, a
// source that sends no rows) still shows it runs: Tick, which the ticker
// thread calls when the clock is the real one.
TEST(Progress, TickShowsALongPhaseStillRuns) {
  Harness h(ProgressStyle::kLog);
  h.progress->Tick();  // between phases: nothing
  h.progress->PhaseStarted("post_data", "post-data");
  h.Wait(4);
  h.progress->PhaseStep("constraints");
  h.Wait(5);
  h.progress->Tick();
  EXPECT_EQ(h.Take(), "");  // under kLogInterval since the phase started
  h.Wait(2);
  h.progress->Tick();
  EXPECT_EQ(h.Take(), "TS import: post-data: 11.0 s so far (constraints 4.0 s)\n");
  h.Wait(1);
  h.progress->Tick();
  EXPECT_EQ(h.Take(), "");  // the next one kLogInterval later
  h.Wait(10);
  h.progress->Tick();
  EXPECT_EQ(h.Take(), "TS import: post-data: 22.0 s so far (constraints 4.0 s)\n");
  h.progress->PhaseFinished("post_data");
  h.Take();
  h.Wait(60);
  h.progress->Tick();
  EXPECT_EQ(h.Take(), "");  // the phase is over

  // The data: the overall line, also when no batch arrives.
  h.progress->Expect({{"a", Size(100, 1000)}}, 1);
  h.progress->TableStarted("a");
  h.progress->Advance("a", 25, 250);
  h.Take();
  h.Wait(12);
  h.progress->Tick();
  EXPECT_THAT(h.Take(), HasSubstr("TS import: 0/1 table, 25/100 rows (25%)"));

  // On a terminal, the block is redrawn with the phase's time so far.
  Harness t(ProgressStyle::kTerminal, /*terminal=*/true);
  t.progress->PhaseStarted("post_data", "post-data");
  t.Take();
  t.Wait(42);
  t.progress->Tick();
  EXPECT_THAT(t.Take(), HasSubstr("import: post-data ... 42.0 s\n"));
}

TEST(Progress, UnknownSizesGiveNoTotalAndNoEta) {
  Harness h(ProgressStyle::kLog);
  h.progress->Expect({{"a", Size(100, std::nullopt)}, {"b", Size(std::nullopt, std::nullopt)}}, 1);
  EXPECT_EQ(h.Take(), "TS import: data: started, 2 tables (sizes unknown)\n");
  h.progress->TableStarted("b");
  h.Wait(11);
  h.progress->Advance("b", 20000, 2048);
  EXPECT_EQ(h.Take(),
            "TS import b: started\n"
            "TS import: 0/2 tables, 20.0k rows, 2.0 KiB, 186 B/s, total unknown\n");
}

TEST(Progress, TerminalDrawsOneLinePerRunningTableAndTheOverallLine) {
  Harness h(ProgressStyle::kAuto, /*terminal=*/true);
  h.progress->Expect({{"a", Size(1000, std::nullopt)}, {"b", Size(3000, std::nullopt)}, {"c", Size(10, 100)}}, 2);
  h.progress->TableStarted("a");
  h.progress->TableStarted("b");
  h.progress->UnitStarted("a");  // a is read in two slices at once
  h.progress->UnitStarted("a");
  h.progress->UnitStarted("b");
  h.Take();
  h.Wait(2);
  h.progress->Advance("a", 500, 4096);
  // The block is erased (cursor up over its 3 lines, clear) and drawn again.
  EXPECT_EQ(h.Take(),
            "\r\033[3A\033[J"
            "  a (2 workers): 500/1000 rows (50%), 4.0 KiB, 2.0 KiB/s\n"
            "  b: 0/3000 rows (0%), 0 B, 0 B/s\n"
            "import: 0/3 tables, 500/4010 rows (12%), 4.0 KiB, 2.0 KiB/s, ETA 0:14\n");
  h.Wait(0.05);
  h.progress->Advance("a", 10, 10);
  EXPECT_EQ(h.Take(), "");  // at most every kTerminalInterval
  h.Wait(0.05);
  h.progress->Advance("b", 1490, 10);
  std::string drawn = h.Take();
  EXPECT_THAT(drawn, HasSubstr("import: 0/3 tables, 2000/4010 rows (49%)"));
  // A finished table scrolls above the block, which loses its line; the
  // total now counts what it held (510 rows, not the 1000 estimated).
  h.progress->TableFinished("a", true, 510, 4106);
  EXPECT_EQ(h.Take(),
            "\r\033[3A\033[J"
            "import a: 510 rows, 4.0 KiB in 2.1 s (1.9 KiB/s)\n"
            "  b: 1490/3000 rows (49%), 10 B, 4 B/s\n"
            "import: 1/3 tables, 2000/3520 rows (56%), 4.0 KiB, 1.9 KiB/s, ETA 0:02\n");
  h.progress->TableFinished("b", true, 3000, 20);
  h.progress->TableStarted("c");
  h.Take();
  h.Wait(0.9);
  h.progress->Advance("c", 10, 100);
  EXPECT_THAT(h.Take(), HasSubstr("import: 2/3 tables, 3520/3520 rows (100%), 4.1 KiB/4.1 KiB, 1.4 KiB/s, ETA 0:00"));
}

TEST(Progress, TerminalLinesFitTheWidthAndNamesAreEscaped) {
  Harness h(ProgressStyle::kTerminal, /*terminal=*/true, /*columns=*/30);
  h.progress->Expect({{"evil\n\033[2Jname_that_is_rather_long", Size(10, 10)}}, 1);
  h.progress->TableStarted("evil\n\033[2Jname_that_is_rather_long");
  std::string drawn = h.Take();
  EXPECT_THAT(drawn, HasSubstr("  evil\\n\\x1b[2Jname_that_is_r\n"));  // 29 characters
  EXPECT_THAT(drawn, Not(HasSubstr("\033[2J")));
  h.progress->TableFinished("evil\n\033[2Jname_that_is_rather_long", false, 1, 5);
  EXPECT_THAT(h.Take(), HasSubstr("import evil\\n\\x1b[2Jname_that_is_rather_long: FAILED after 1 row\n"));
}

// --progress terminal on a pipe or a file: log lines, never an escape code.
TEST(Progress, TerminalStyleOffATerminalIsTheLog) {
  Harness h(ProgressStyle::kTerminal, /*terminal=*/false);
  h.progress->Expect({{"a", Size(1, 1)}}, 1);
  h.progress->TableStarted("a");
  h.Wait(20);
  h.progress->Advance("a", 1, 1);
  h.progress->TableFinished("a", true, 1, 1);
  h.progress->Note("-j 4: the target x writes one table at a time");
  std::string text = h.Take();
  EXPECT_THAT(text, Not(HasSubstr("\033")));
  EXPECT_THAT(text, HasSubstr("TS import a: 1 row, 1 B in 20.0 s (0 B/s)\n"));
  EXPECT_THAT(text, HasSubstr("TS import: -j 4: the target x writes one table at a time\n"));
  EXPECT_THAT(text, Not(HasSubstr("1 rows")));
}

// A warning written while the block is drawn on stderr goes above it, and
// the block is drawn again below it (not over it).
TEST(Progress, LinesOfOthersGoAboveTheBlock) {
  std::fflush(stderr);
  FILE* capture = std::tmpfile();
  ASSERT_NE(capture, nullptr);
  int saved = dup(STDERR_FILENO);
  dup2(fileno(capture), STDERR_FILENO);
  {
    ProgressOutput out;
    out.terminal = true;
    out.columns = 80;
    auto progress = MakeProgress("import", ProgressStyle::kTerminal, out);
    progress->Expect({{"a", Size(10, 10)}}, 1);
    WriteLineAbove("decant: warning: something");
  }
  WriteLineAbove("decant: warning: no display");  // none drawn now: a plain line
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string text(static_cast<size_t>(std::ftell(capture)), '\0');
  std::rewind(capture);
  ASSERT_EQ(std::fread(text.data(), 1, text.size(), capture), text.size());
  std::fclose(capture);
  EXPECT_EQ(text,
            "import: 0/1 table, 0/10 rows (0%), 0 B/10 B, 0 B/s\n"
            "\r\033[1A\033[Jdecant: warning: something\n"
            "import: 0/1 table, 0/10 rows (0%), 0 B/10 B, 0 B/s\n"
            "decant: warning: no display\n");
}

TEST(Progress, QuietSaysNothing) {
  Harness h(ProgressStyle::kQuiet, /*terminal=*/true);
  h.progress->Expect({{"a", Size(1, 1)}}, 1);
  h.progress->TableStarted("a");
  h.progress->Note("x");
  EXPECT_EQ(h.text, "");
}

}  // namespace
}  // namespace decant
