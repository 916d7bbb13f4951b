#include "engines/common/ddl_statement.h"

#include <spdlog/spdlog.h>

#include <array>

namespace decant {

bool IsEssentialKind(std::string_view kind) {
  static constexpr std::array<std::string_view, 12> kAuxiliary = {
      "view",  "materialized view", "trigger", "rule",   "function", "procedure", "aggregate", "event",
      "check", "comment",           "index",   "routine"};
  for (std::string_view k : kAuxiliary) {
    if (kind == k) return false;
  }
  return true;
}

DdlStatement DdlStatement::Make(std::string kind, std::string name, std::string table, std::string sql) {
  DdlStatement s;
  s.essential = IsEssentialKind(kind);
  s.kind = std::move(kind);
  s.name = std::move(name);
  s.table = std::move(table);
  s.sql = std::move(sql);
  return s;
}

std::string DdlStatement::Label() const {
  std::string out = kind;
  if (!name.empty()) out += " " + name;
  if (!table.empty() && table != name) out += " on " + table;
  return out;
}

std::vector<std::string> NotCreatedLines(const std::vector<DdlStatement>& list) {
  std::vector<std::string> out;
  for (const DdlStatement& s : list) {
    if (s.sql.empty()) out.push_back(s.Label() + ": " + s.note);
  }
  return out;
}

std::string DdlScript(const std::vector<DdlStatement>& list) {
  std::string out;
  for (const DdlStatement& s : list) {
    if (!s.sql.empty()) out += s.sql + ";\n";
    if (!s.note.empty()) out += "-- " + s.Label() + ": " + s.note + "\n";
  }
  return out;
}

Status DdlRecorder::Outcome(const DdlStatement& s, const Status& st, bool strict, const std::string& target) {
  if (st.ok()) {
    Created({s.kind, s.name, s.table, "", s.count});
    return st;
  }
  switch (st.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
    case StatusCode::kNoSpace:
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
    case StatusCode::kRefused:
    case StatusCode::kNotCarried: return st;
    default: break;
  }
  if (s.essential) return Status::Refused(target + " refused " + s.Label() + ": " + st.message());
  if (strict) {
    return Status::NotCarried("--strict-objects: " + target + " refused " + s.Label() + ": " + st.message());
  }
  spdlog::warn("{} refused {}, skipped: {}", target, s.Label(), st.message());
  {
    std::lock_guard lock(mu_);
    report_.refused.push_back({s.kind, s.name, s.table, st.message(), s.count, true});
  }
  if (done_) done_(s.kind);
  return Status::OK();
}

void DdlRecorder::Observe(std::function<void(const std::string& kind)> done) { done_ = std::move(done); }

Status DdlRecorder::NotCreated(const DdlStatement& s, bool strict) {
  if (strict) return Status::NotCarried("--strict-objects: " + s.Label() + " is not created: " + s.note);
  spdlog::warn("{} not created: {}", s.Label(), s.note);
  std::lock_guard lock(mu_);
  report_.refused.push_back({s.kind, s.name, s.table, s.note, s.count});
  return Status::OK();
}

void DdlRecorder::Created(SinkObject o) {
  std::string kind = o.kind;
  {
    std::lock_guard lock(mu_);
    report_.created.push_back(std::move(o));
  }
  Ran(kind);
}

void DdlRecorder::Ran(const std::string& kind) {
  if (done_) done_(kind);
}

SinkReport DdlRecorder::Report() const {
  std::lock_guard lock(mu_);
  return report_;
}

}  // namespace decant
