#include "engines/common/load_journal.h"

#include <fmt/format.h>

#include <charconv>

namespace decant {
namespace {

constexpr int kJournalVersion = 1;
constexpr size_t kUnitsPerInsert = 200;

Result<int64_t> Integer(const std::optional<std::string>& cell) {
  int64_t v = 0;
  if (!cell) return Status::DataLoss(fmt::format("{}: a NULL where a number belongs", kJournalTable));
  auto [p, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), v);
  if (ec != std::errc() || p != cell->data() + cell->size()) {
    return Status::DataLoss(fmt::format("{}: '{}' is not a number", kJournalTable, *cell));
  }
  return v;
}

}  // namespace

std::string JournalSql::Create() const {
  return "CREATE TABLE " + table_ +
         " (unit_id BIGINT PRIMARY KEY, table_name TEXT, target_table TEXT, slice_index BIGINT NOT NULL, slice_count "
         "BIGINT NOT NULL, "
         "bounds TEXT, label TEXT, done_rows BIGINT)";
}

std::vector<std::string> JournalSql::Insert(const LoadJournal& journal) const {
  std::vector<std::string> out;
  std::string head = "INSERT INTO " + table_ +
                     " (unit_id, table_name, target_table, slice_index, slice_count, bounds, label, done_rows) VALUES ";
  std::string sql = head + fmt::format("(-1, NULL, NULL, {}, 0, {}, {}, NULL)", kJournalVersion,
                                       literal_(journal.source_identity), literal_(journal.source));
  size_t in_statement = 1;
  for (size_t i = 0; i < journal.units.size(); ++i) {
    const JournalUnit& u = journal.units[i];
    if (in_statement == kUnitsPerInsert) {
      out.push_back(std::move(sql));
      sql = head;
      in_statement = 0;
    }
    sql += fmt::format("{}({}, {}, {}, {}, {}, {}, {}, NULL)", in_statement ? ", " : "", i, literal_(u.table_name),
                       literal_(u.target_table), u.slice.index, u.slice.count, literal_(u.slice.bounds),
                       literal_(u.slice.label));
    ++in_statement;
  }
  out.push_back(std::move(sql));
  return out;
}

std::string JournalSql::MarkDone(size_t unit, uint64_t rows) const {
  return fmt::format("UPDATE {} SET done_rows = {} WHERE unit_id = {}", table_, rows, unit);
}

std::string JournalSql::Select() const {
  return "SELECT unit_id, table_name, target_table, slice_index, slice_count, bounds, label, done_rows FROM " + table_ +
         " ORDER BY unit_id";
}

std::string JournalSql::Drop() const { return "DROP TABLE IF EXISTS " + table_; }

Status JournalSql::Record(const LoadJournal& journal, const std::function<Status(const std::string&)>& exec) const {
  DECANT_RETURN_IF_ERROR(exec("START TRANSACTION"));
  for (const std::string& sql : Insert(journal)) {
    Status st = exec(sql);
    if (!st.ok()) {
      (void)exec("ROLLBACK");
      return st.WithContext(fmt::format("recording the load's units in {}", kJournalTable));
    }
  }
  return exec("COMMIT");
}

Result<LoadJournal> ParseJournal(const std::vector<std::vector<std::optional<std::string>>>& rows) {
  LoadJournal j;
  bool head = false;
  for (const auto& r : rows) {
    if (r.size() != kJournalColumns) {
      return Status::DataLoss(fmt::format("{}: a row of {} columns, not {}", kJournalTable, r.size(), kJournalColumns));
    }
    DECANT_ASSIGN_OR_RETURN(int64_t id, Integer(r[0]));
    if (id == -1) {
      DECANT_ASSIGN_OR_RETURN(int64_t version, Integer(r[3]));
      if (version != kJournalVersion) {
        return Status::FailedPrecondition(fmt::format(
            "{} was written by a decant whose journal version is {}; this one reads {}: resume it with that "
            "version, or start over with --clean",
            kJournalTable, version, kJournalVersion));
      }
      j.source_identity = r[5].value_or("");
      j.source = r[6].value_or("");
      head = true;
      continue;
    }
    if (id != static_cast<int64_t>(j.units.size())) {
      return Status::DataLoss(fmt::format("{}: unit {} where unit {} belongs", kJournalTable, id, j.units.size()));
    }
    JournalUnit u;
    u.table_name = r[1].value_or("");
    u.target_table = r[2].value_or("");
    DECANT_ASSIGN_OR_RETURN(int64_t index, Integer(r[3]));
    DECANT_ASSIGN_OR_RETURN(int64_t count, Integer(r[4]));
    if (index < 0 || count < 1 || index >= count) {
      return Status::DataLoss(fmt::format("{}: unit {} is slice {} of {}", kJournalTable, id, index, count));
    }
    u.slice.index = static_cast<size_t>(index);
    u.slice.count = static_cast<size_t>(count);
    u.slice.bounds = r[5].value_or("");
    u.slice.label = r[6].value_or("");
    if (r[7]) {
      DECANT_ASSIGN_OR_RETURN(int64_t done, Integer(r[7]));
      u.rows = static_cast<uint64_t>(done);
    }
    j.units.push_back(std::move(u));
  }
  if (!head && !j.units.empty())
    return Status::DataLoss(fmt::format("{}: the load's own row (unit_id -1) is missing", kJournalTable));
  return j;
}

}  // namespace decant
