// The load journal's SQL, written once for every database sink that loads
// in parts (docs/reliability.md, "Resume"; core/endpoint.h LoadJournal).
//
// The journal is one table in the target, kJournalTable:
//   unit_id      BIGINT PRIMARY KEY  the unit's index in the load's plan; -1: the load's own row
//   table_name   TEXT                QualifiedName of the table as read (-1: NULL)
//   target_table TEXT                QualifiedName of the table written (-1: NULL)
//   slice_index  BIGINT              TableSlice::index (-1: the journal's version, 1)
//   slice_count  BIGINT              TableSlice::count
//   bounds       TEXT                TableSlice::bounds (-1: Source::Identity())
//   label        TEXT                TableSlice::label (-1: Source::Describe())
//   done_rows    BIGINT              NULL until the unit's rows committed, in the same transaction
// The sink creates it (and inserts every unit, done_rows NULL) and commits
// before the first writer opens; each writer updates its unit's done_rows in
// its own transaction just before it commits; Commit drops the table in its
// last transaction. The statements are plain SQL every engine here takes;
// only identifier and literal quoting differ, which the engine supplies.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"
#include "core/status.h"

namespace decant {

inline constexpr std::string_view kJournalTable = "decant_load_journal";

class JournalSql {
 public:
  // `table`: the journal table's name, quoted (and qualified) as the engine
  // needs; `literal`: the engine's string literal quoting.
  JournalSql(std::string table, std::function<std::string(std::string_view)> literal)
      : table_(std::move(table)), literal_(std::move(literal)) {}

  std::string Create() const;
  // INSERTs of the load's row and every unit (several statements for many units).
  std::vector<std::string> Insert(const LoadJournal& journal) const;
  std::string MarkDone(size_t unit, uint64_t rows) const;
  // Selects the columns in the order above, ordered by unit_id.
  std::string Select() const;
  std::string Drop() const;
  // Records `journal` (Insert's statements) in one transaction, run by
  // `exec` on the sink's connection: START TRANSACTION, the INSERTs, COMMIT
  // (ROLLBACK and the error, naming the journal, when one fails).
  Status Record(const LoadJournal& journal, const std::function<Status(const std::string&)>& exec) const;

 private:
  std::string table_;
  std::function<std::string(std::string_view)> literal_;
};

// The journal from Select's rows (each cell as text, NULL as nullopt).
// DataLoss naming the journal table for rows that do not make one (a unit
// out of order, a version this build does not read).
Result<LoadJournal> ParseJournal(const std::vector<std::vector<std::optional<std::string>>>& rows);

// How many columns Select returns.
inline constexpr int kJournalColumns = 8;

}  // namespace decant
