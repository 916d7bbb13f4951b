#include "pipeline/events.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "archive/format.h"
#include "core/schema.h"
#include "core/version.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "pipeline/plan.h"
#include "pipeline/result_json.h"
#include "pipeline/server_dump.h"

namespace decant {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Milliseconds are enough to order the events of one run and to compute rates.
double Rounded(double seconds) { return static_cast<double>(std::llround(seconds * 1000)) / 1000; }

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

// The category of a status as the events name it (docs/events.md).
const char* CodeKey(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kUnsupportedVersion: return "unsupported_version";
    case StatusCode::kIOError: return "io_error";
    case StatusCode::kNoSpace: return "no_space";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kDataLoss: return "data_loss";
    case StatusCode::kNotCarried: return "not_carried";
    case StatusCode::kRefused: return "refused";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

// The figures of a copy's summary line, as run_finished and
// database_finished carry them.
Json CopyFigures(const CopySummary& s, uint64_t converted) {
  Json figures{{"tables", s.tables.size()},
               {"rows", s.rows},
               {"bytes", s.bytes},
               {"indexes", s.indexes},
               {"views", s.views},
               {"triggers", s.triggers},
               {"sequences", s.sequences},
               {"seconds", Rounded(s.seconds)},
               {"converted_values", converted},
               {"not_carried", s.not_carried.size()},
               {"to_version", s.target_version}};
  if (s.upsert) {  // --upsert: of `rows`, those added and those that replaced a row
    figures["inserted"] = s.inserted;
    figures["updated"] = s.updated;
  }
  return figures;
}

}  // namespace

EventLog::EventLog(std::unique_ptr<WritableFile> out, Options options)
    : options_(options), opened_(Clock::now()), out_(std::move(out)) {}

EventLog::~EventLog() {
  if (out_) static_cast<void>(out_->Close());  // each line was written whole; nothing is left to lose
}

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& path, Options options, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(auto out, fs->NewWritableFile(path));
  return std::make_unique<EventLog>(std::move(out), options);
}

void EventLog::SetListener(Listener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
  if (listener_ && first_) listener_(*first_);
}

void EventLog::EmitLocked(const char* event, const Json& fields) {
  Json line = {
      {"v", kVersion}, {"event", event}, {"time", UtcNow()}, {"elapsed", Rounded(Seconds(Clock::now() - opened_))}};
  for (const auto& [key, value] : fields.items()) line[key] = value;
  line = RedactStrings(line);  // the last net: no event holds a password (docs/security.md)
  if (!first_) first_ = std::make_unique<Json>(line);
  if (listener_) listener_(line);  // a failed file does not stop the report
  if (!out_ || !status_.ok()) return;
  Status st = out_->Append(DumpJson(line) + "\n");
  if (!st.ok()) status_ = st.WithContext("--json-log");
}

void EventLog::Emit(const char* event, const Json& fields) {
  std::lock_guard lock(mu_);
  EmitLocked(event, fields);
}

void EventLog::RunStarted(const std::string& command, const std::vector<std::string>& arguments) {
  Json args = Json::array();
  for (const std::string& a : arguments) args.push_back(RedactLocation(a));
  Emit("run_started", {{"command", command},
                       {"arguments", std::move(args)},
                       {"decant_version", DECANT_VERSION},
                       {"archive_format", fmt::format("{}.{}", kArchiveFormatMajor, kArchiveFormatMinor)}});
}

void EventLog::Plan(const MigrationPlan& plan, const Schema& source) { Emit("plan", PlanJson(plan, source)); }

void EventLog::TableStarted(const std::string& table) {
  std::lock_guard lock(mu_);
  TableState& t = tables_[table];
  t = TableState{};
  t.start = t.last = Clock::now();
  EmitLocked("table_started", {{"table", table}});
}

void EventLog::TableAdvanced(const std::string& table, uint64_t rows, uint64_t bytes) {
  std::lock_guard lock(mu_);
  TableState& t = tables_[table];
  t.rows += rows;
  t.bytes += bytes;
  auto now = Clock::now();
  if (Seconds(now - t.last) < options_.progress_seconds && t.rows - t.rows_at_last < options_.progress_rows) return;
  t.last = now;
  t.rows_at_last = t.rows;
  EmitLocked("table_progress",
             {{"table", table}, {"rows", t.rows}, {"bytes", t.bytes}, {"seconds", Rounded(Seconds(now - t.start))}});
}

void EventLog::TableFinished(const std::string& table, bool ok, uint64_t rows, uint64_t bytes) {
  std::lock_guard lock(mu_);
  auto it = tables_.find(table);
  double seconds = it == tables_.end() ? 0 : Seconds(Clock::now() - it->second.start);
  if (it != tables_.end()) tables_.erase(it);
  EmitLocked("table_finished",
             {{"table", table}, {"ok", ok}, {"rows", rows}, {"bytes", bytes}, {"seconds", Rounded(seconds)}});
}

void EventLog::PhaseFinished(const std::string& phase, double seconds) {
  Emit("phase_finished", {{"phase", phase}, {"seconds", Rounded(seconds)}});
}

void EventLog::Warning(const std::string& message) { Emit("warning", {{"message", message}}); }

void EventLog::Error(const Status& status, int exit_code) {
  std::lock_guard lock(mu_);
  EmitLocked("error", {{"message", status.message()}, {"category", CodeKey(status.code())}, {"exit_code", exit_code}});
  ended_ = true;
}

uint64_t EventLog::EmitOutcome(const CopySummary& s, const std::string& database) {
  uint64_t converted = 0;
  for (const ColumnConversions& c : s.conversions) {
    converted += c.count;
    Json event = database.empty() ? Json::object() : Json{{"database", database}};
    Json conversion = ConversionJson(c);  // a named value: .items() of a temporary would dangle
    for (const auto& [key, value] : conversion.items()) event[key] = value;
    Emit("conversion", event);
  }
  for (const std::string& line : s.not_carried) {
    Emit("not_carried", database.empty() ? Json{{"object", line}} : Json{{"database", database}, {"object", line}});
  }
  return converted;
}

void EventLog::CopyFinished(const CopySummary& s, const std::string& from, const std::string& to, int exit_code) {
  uint64_t converted = EmitOutcome(s, "");
  Json tables = Json::array();
  for (const TableCopyStats& t : s.tables) tables.push_back({{"table", t.table}, {"rows", t.rows}, {"bytes", t.bytes}});
  Json fields = {{"exit_code", exit_code}, {"from", RedactLocation(from)}, {"to", RedactLocation(to)}};
  Json figures = CopyFigures(s, converted);
  for (const auto& [key, value] : figures.items()) fields[key] = value;
  fields["per_table"] = std::move(tables);
  std::lock_guard lock(mu_);
  EmitLocked("run_finished", fields);
  ended_ = true;
}

void EventLog::DatabaseStarted(const std::string& database) { Emit("database_started", {{"database", database}}); }

void EventLog::DatabaseFinished(const std::string& database, const CopySummary& s) {
  uint64_t converted = EmitOutcome(s, database);
  Json fields = {{"database", database}};
  Json figures = CopyFigures(s, converted);
  for (const auto& [key, value] : figures.items()) fields[key] = value;
  Emit("database_finished", fields);
}

void EventLog::ServerCopyFinished(const ServerCopySummary& summary, const std::string& from, const std::string& to,
                                  int exit_code) {
  uint64_t tables = 0, rows = 0, bytes = 0, not_carried = 0;
  Json databases = Json::array();
  for (const auto& [name, s] : summary.databases) {
    tables += s.tables.size();
    rows += s.rows;
    bytes += s.bytes;
    not_carried += s.not_carried.size();
    databases.push_back({{"database", name}, {"tables", s.tables.size()}, {"rows", s.rows}, {"bytes", s.bytes}});
  }
  std::lock_guard lock(mu_);
  EmitLocked("run_finished", {{"exit_code", exit_code},
                              {"from", RedactLocation(from)},
                              {"to", RedactLocation(to)},
                              {"databases", summary.databases.size()},
                              {"tables", tables},
                              {"rows", rows},
                              {"bytes", bytes},
                              {"seconds", Rounded(summary.seconds)},
                              {"not_carried", not_carried},
                              {"per_database", std::move(databases)}});
  ended_ = true;
}

void EventLog::RunFinished(int exit_code) {
  std::lock_guard lock(mu_);
  EmitLocked("run_finished", {{"exit_code", exit_code}});
  ended_ = true;
}

bool EventLog::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

Status EventLog::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

}  // namespace decant
