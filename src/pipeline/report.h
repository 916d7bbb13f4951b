// The run report: `--report FILE.html` (docs/report.md).
//
// One self-contained HTML page drawn from a run's events (the objects the
// EventLog writes, events.h and docs/events.md) and, for verify, its result
// document (VerifyJson): the command (as the events hold it, passwords
// masked) and versions, the summary, the plan with lossy and not-carried
// cells marked, per-table rows, bytes and throughput, rows over time as an
// inline SVG chart, phase timings, conversions with sample keys, verify's
// per-table result, warnings and the error. The page references nothing
// outside itself (no URL, no external script, style, font or image), needs
// no JavaScript to render, and shows every name and message as text (HTML
// escaped), whatever bytes it holds.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/file_system.h"

namespace decant {

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's destructor is not provably non-throwing
struct ReportInput {
  // The run's events in the order they were written; a field or an event the
  // renderer does not know is ignored, one that is missing is left out.
  std::vector<nlohmann::ordered_json> events;
  // verify's document (result_json.h VerifyJson), or null for a copy.
  nlohmann::ordered_json verify;
};

// The page, UTF-8 (bytes of a name that are not UTF-8 become U+FFFD).
std::string RenderReport(const ReportInput& input);

// The fill colour of the chart's area (and nothing else on the page), which
// the screenshot test looks for (tests/report/run_test.py).
inline constexpr const char* kReportChartColour = "#2a9d8f";

// Writes `html` at `path` as every decant output is written: built at
// PartialPath(path), fsynced, then published (Publish) over what is there
// only when `replace`; FailedPrecondition when something appeared there and
// not `replace`. `path` must not be "-".
Status WriteReport(const std::string& path, const std::string& html, bool replace,
                   FileSystem* fs = FileSystem::Default());

}  // namespace decant
