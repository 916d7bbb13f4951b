#include "engines/common/load_protocol.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/ascii.h"
#include "core/plural.h"
#include "engines/common/load_journal.h"

namespace decant {
namespace {

constexpr size_t kMaxNames = 5;

// "2 tables (a, b), 1 view (v)": the kinds engines have in a fixed order, any
// other kind after them.
std::string ListByKind(const std::vector<TargetObject>& objects) {
  struct Kind {
    std::string type, one, many;
  };
  std::vector<Kind> kinds = {{"table", "table", "tables"},
                             {"view", "view", "views"},
                             {"index", "index", "indexes"},
                             {"routine", "routine", "routines"},
                             {"trigger", "trigger", "triggers"}};
  for (const TargetObject& o : objects) {
    if (std::none_of(kinds.begin(), kinds.end(), [&](const Kind& k) { return k.type == o.kind; })) {
      kinds.push_back({o.kind, o.kind, o.kind + "s"});
    }
  }
  std::string out;
  for (const Kind& k : kinds) {
    std::vector<const std::string*> names;
    for (const TargetObject& o : objects) {
      if (o.kind == k.type) names.push_back(&o.name);
    }
    if (names.empty()) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(names.size()) + " " + (names.size() == 1 ? k.one : k.many) + " (";
    for (size_t i = 0; i < names.size() && i < kMaxNames; ++i) out += (i ? ", " : "") + *names[i];
    if (names.size() > kMaxNames) out += ", …and " + std::to_string(names.size() - kMaxNames) + " more";
    out += ")";
  }
  return out;
}

// "table public.a, view public.v and 3 more".
std::string ListEach(const std::vector<TargetObject>& objects) {
  std::string out;
  for (size_t i = 0; i < objects.size() && i < kMaxNames; ++i) {
    out += (i ? ", " : "") + objects[i].kind + " " + objects[i].name;
  }
  if (objects.size() > kMaxNames) out += fmt::format(" and {} more", objects.size() - kMaxNames);
  return out;
}

// Whether `o` is the load journal's table (named alone or schema-qualified).
bool IsJournal(const TargetObject& o) {
  if (o.kind != "table") return false;
  std::string_view name = o.name;
  if (name.size() > kJournalTable.size() && name[name.size() - kJournalTable.size() - 1] == '.') {
    name.remove_prefix(name.size() - kJournalTable.size());
  }
  return EqualsIgnoreCaseAscii(name, kJournalTable);
}

// "3 of 7 units of the load of SOURCE committed (tables a, b complete)".
std::string JournalProgress(const LoadJournal& j) {
  std::vector<std::string> complete;
  for (size_t i = 0; i < j.units.size(); ++i) {
    const std::string& t = j.units[i].table_name;
    if (!complete.empty() && complete.back() == t) continue;
    bool all = true;
    for (const JournalUnit& u : j.units) all = all && (u.table_name != t || u.rows);
    if (all && std::find(complete.begin(), complete.end(), t) == complete.end()) complete.push_back(t);
  }
  std::string tables;
  for (size_t i = 0; i < complete.size() && i < kMaxNames; ++i) tables += (i ? ", " : "") + complete[i];
  if (complete.size() > kMaxNames) tables += fmt::format(" and {} more", complete.size() - kMaxNames);
  return fmt::format("{} of {} committed{}", j.Done(), Counted(j.units.size(), "unit"),
                     complete.empty() ? " (no table complete yet)" : fmt::format(" ({} complete)", tables));
}

}  // namespace

std::string DescribeTargetObjects(const std::vector<TargetObject>& objects, LoadTarget::Listing listing) {
  return listing == LoadTarget::Listing::kEach ? ListEach(objects) : ListByKind(objects);
}

std::optional<std::vector<std::string>> UpsertKey(const Schema& schema, const Table& table) {
  std::vector<size_t> data = DataColumns(table);
  auto loaded = [&](const std::vector<std::string>& columns) {
    return !columns.empty() && std::all_of(columns.begin(), columns.end(), [&](const std::string& name) {
      return std::any_of(data.begin(), data.end(), [&](size_t i) { return table.columns[i].name == name; });
    });
  };
  if (table.primary_key && loaded(table.primary_key->columns)) return table.primary_key->columns;
  for (const KeyConstraint& u : table.uniques) {
    if (loaded(u.columns)) return u.columns;
  }
  for (const Index& index : schema.indexes) {
    if (!index.unique || index.where || index.table != table.name || index.schema != table.schema) continue;
    std::vector<std::string> columns;
    for (const IndexKey& k : index.keys) {
      if (k.column.empty() || !k.expression.empty() || !k.json_path.empty()) {
        columns.clear();
        break;
      }
      columns.push_back(k.column);
    }
    if (loaded(columns)) return columns;
  }
  return std::nullopt;
}

Status LoadProtocol::Begin(LoadTarget& target, const Schema& schema, const SinkOptions& options) {
  mode_ = options.mode;
  present_.clear();
  if (options.upsert) {
    for (const Table& table : schema.tables) {
      if (UpsertKey(schema, table)) continue;
      return Status::InvalidArgument("--upsert: table " + target.TableLabel(table) +
                                     " has no primary or unique key to match rows by; leave it out with "
                                     "--exclude-table or load it without --upsert");
    }
    if (options.mode != LoadMode::kAppend) {
      return Status::InvalidArgument("--upsert keeps what the target holds: not with --clean");
    }
  }
  if (options.data_only) {
    // The application made the tables; they must be there and empty, or be
    // emptied (--clean), or take more rows (--append, merged tables).
    std::vector<size_t> holding;
    for (size_t i = 0; i < schema.tables.size(); ++i) {
      const Table& table = schema.tables[i];
      const std::string label = target.TableLabel(table);
      Result<RowCount> rows = target.CountRows(i);
      if (!rows.ok()) return Status::NotFound("--data-only: table " + label + " is not in " + target.Describe());
      const std::vector<std::string>& merged = options.merged_tables;
      if (rows->rows == 0 || options.mode == LoadMode::kAppend ||
          std::find(merged.begin(), merged.end(), QualifiedName(table.schema, table.name)) != merged.end()) {
        continue;
      }
      if (options.mode != LoadMode::kClean) {
        std::string holds = rows->exact ? Counted(rows->rows, "row") : "rows";
        return Status::FailedPrecondition("--data-only: table " + label + " in " + target.Describe() +
                                          " already holds " + holds +
                                          "; use --append to add to them or --clean to empty them first");
      }
      holding.push_back(i);
    }
    if (holding.empty()) return Status::OK();
    std::reverse(holding.begin(), holding.end());  // children first
    return target.EmptyTables(holding);
  }
  resumed_.reset();
  DECANT_ASSIGN_OR_RETURN(std::optional<LoadJournal> journal, target.ReadJournal());
  DECANT_ASSIGN_OR_RETURN(present_, target.ListObjects());
  present_.erase(std::remove_if(present_.begin(), present_.end(), IsJournal), present_.end());
  if (journal && options.resume) {
    mode_ = LoadMode::kAppend;  // what the interrupted load created stays (Kept)
    std::vector<size_t> missing;
    for (size_t i = 0; i < schema.tables.size(); ++i) {
      DECANT_ASSIGN_OR_RETURN(bool has, target.HasTable(i));
      if (has) continue;
      if (!target.CreatesMissingOnResume()) {
        return Status::FailedPrecondition(
            fmt::format("--resume: table {} of the interrupted load is not in {} any more; start over with --clean",
                        target.TableLabel(schema.tables[i]), target.Describe()));
      }
      missing.push_back(i);
    }
    resumed_ = std::move(journal);
    DECANT_RETURN_IF_ERROR(target.StartWriting());
    return missing.empty() ? Status::OK() : target.CreateTables(missing);
  }
  if (journal && options.mode != LoadMode::kClean) {
    return Status::FailedPrecondition(fmt::format(
        "target {} holds an interrupted decant load{}: {}; continue it with --resume, or start over with --clean",
        target.Describe(), journal->source.empty() ? "" : " of " + journal->source, JournalProgress(*journal)));
  }
  if (!present_.empty() && options.mode == LoadMode::kRefuseNonEmpty) {
    return Status::FailedPrecondition("target " + target.Describe() +
                                      " is not empty: " + DescribeTargetObjects(present_, target.ObjectListing()) +
                                      (options.resume ? "; " + std::string(kNoLoadToResume) : "") +
                                      "; use --clean to replace them or --append to add rows");
  }
  DECANT_RETURN_IF_ERROR(target.StartWriting());
  if (journal) DECANT_RETURN_IF_ERROR(target.DropJournal());
  if (options.mode == LoadMode::kClean) DECANT_RETURN_IF_ERROR(target.DropOurs(present_));
  DECANT_RETURN_IF_ERROR(target.CreateBeforeTables());
  std::vector<size_t> missing;
  for (size_t i = 0; i < schema.tables.size(); ++i) {
    if (options.mode == LoadMode::kAppend) {
      DECANT_ASSIGN_OR_RETURN(bool has, target.HasTable(i));
      if (has) continue;
    }
    missing.push_back(i);
  }
  return target.CreateTables(missing);
}

bool LoadProtocol::Kept(std::string_view name, std::initializer_list<std::string_view> kinds) const {
  if (mode_ != LoadMode::kAppend) return false;
  for (const TargetObject& o : present_) {
    if (!EqualsIgnoreCaseAscii(o.name, name)) continue;
    if (kinds.size() == 0 || std::find(kinds.begin(), kinds.end(), o.kind) != kinds.end()) return true;
  }
  return false;
}

}  // namespace decant
