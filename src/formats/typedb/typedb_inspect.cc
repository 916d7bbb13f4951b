// `decant inspect FILE.typedb [--check]`: the header, counts per label, the
// checksums; with --check the counts compared with the checksums item and
// every reference resolved (docs/formats/typedb.md, "inspect and verify").
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "formats/typedb/export_file.h"
#include "formats/typedb/export_index.h"
#include "formats/typedb/labels.h"
#include "formats/typedb/typedb_format.h"

namespace decant::typedb {
namespace {

std::string Bytes(uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < (uint64_t{1} << 20)) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  if (n < (uint64_t{1} << 30)) return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1 << 20));
  return fmt::format("{:.1f} GiB", static_cast<double>(n) / (1 << 30));
}

// "entities: the file says 3, counted 2; ..." for the counts that differ.
std::string Differences(const v3::Item::Checksums& says, const Counts& counted) {
  std::string out;
  auto compare = [&](const char* what, int64_t file, uint64_t n) {
    if (file >= 0 && static_cast<uint64_t>(file) == n) return;
    out += fmt::format("{}{}: the file says {}, counted {}", out.empty() ? "" : "; ", what, file, n);
  };
  compare("entities", says.entity_count(), counted.entities);
  compare("attributes", says.attribute_count(), counted.attributes);
  compare("relations", says.relation_count(), counted.relations);
  compare("role players", says.role_count(), counted.players);
  compare("ownerships", says.ownership_count(), counted.ownerships);
  return out;
}

}  // namespace

Result<std::string> Inspect(const std::string& path, const EndpointOptions& options, bool check, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(LabelMap renames, LabelMap::Make(options.typedb.renames));
  DECANT_ASSIGN_OR_RETURN(auto file, ExportFile::Open(path, fs));
  DECANT_ASSIGN_OR_RETURN(auto index, ExportIndex::Build(file.get()));
  std::set<std::string> type_labels;
  for (const LabelInfo& info : index->labels()) type_labels.insert(info.label);
  DECANT_RETURN_IF_ERROR(renames.Check(type_labels, index->role_labels()));
  const std::string& input = file->Describe();
  if (check) {
    DECANT_RETURN_IF_ERROR(index->CheckIds());
    DECANT_RETURN_IF_ERROR(index->Resolve());
    if (!index->checksums())
      return Status::Corruption(fmt::format("{}: no checksums item: the export did not finish", input));
    std::string differ = Differences(*index->checksums(), index->counted());
    if (!differ.empty())
      return Status::Corruption(fmt::format("{}: the checksums item differs from the items: {}", input, differ));
  }

  std::string out;
  out += fmt::format("file:              {} ({}, {} items)\n", input, Bytes(file->size()), index->items());
  out += fmt::format("generation:        {}\n", index->Generation());
  if (index->header()) {
    out += fmt::format("version:           {}\n", index->header()->typedb_version());
    out += fmt::format("original database: {}\n", index->header()->original_database());
  } else {
    out += "version:           (no header item)\n";
  }
  if (const auto& sums = index->checksums()) {
    out += fmt::format("checksums:         entities {}, attributes {}, relations {}, role players {}, ownerships {}\n",
                       sums->entity_count(), sums->attribute_count(), sums->relation_count(), sums->role_count(),
                       sums->ownership_count());
  } else {
    out += "checksums:         none (the export may not have finished)\n";
  }

  struct Row {
    std::string label;
    const LabelInfo* info;
  };
  std::vector<Row> rows;
  size_t width = 5;
  for (const LabelInfo& info : index->labels()) {
    rows.push_back({renames.Type(info.label), &info});
    width = std::max(width, rows.back().label.size());
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.info->kind != b.info->kind) return a.info->kind < b.info->kind;
    return a.label < b.label;
  });
  const std::string header = fmt::format("  {:<{}}  {:<9}  {:>10}  {:>10}  {:>12}  {}\n", "label", width, "kind",
                                         "instances", "ownerships", "role players", "value type");
  out += "\n" + header;
  uint64_t instances = 0;
  for (const Row& r : rows) {
    const LabelInfo& info = *r.info;
    instances += info.places.size();
    std::string line = fmt::format("  {:<{}}  {:<9}  {:>10}  {:>10}  {:>12}  {}", r.label, width, KindName(info.kind),
                                   info.places.size(), info.ownerships,
                                   info.kind == Kind::kRelation ? std::to_string(info.players) : std::string(),
                                   ValueTypeName(info.value_type));
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  const Counts& c = index->counted();
  out +=
      fmt::format("  {:<{}}  {:<9}  {:>10}  {:>10}  {:>12}\n", "total", width, "", instances, c.ownerships, c.players);
  out += fmt::format("  ({} entities, {} relations, {} attributes in {} types)\n", c.entities, c.relations,
                     c.attributes, rows.size());

  std::vector<std::string> notes = index->Notes();
  if (!check) {
    if (uint64_t dups = index->DuplicateIds()) {
      notes.push_back(fmt::format("{}: {} duplicate id{}{}", input, dups, dups == 1 ? "" : "s",
                                  index->Generation() == "grakn-2.0"
                                      ? " (Grakn 2.0 to 2.2 exported lossy ids; decant refuses to import the file)"
                                      : " (decant refuses to import the file)"));
    }
  }
  if (!notes.empty()) out += "\n";
  for (const std::string& note : notes) {
    std::string line = note;
    if (line.compare(0, input.size() + 2, input + ": ") == 0) line = line.substr(input.size() + 2);
    out += "note: " + line + "\n";
  }
  if (check)
    out +=
        fmt::format("\ncheck: OK, the five counts equal the checksums item, {} references resolved, every id unique\n",
                    index->references());
  return out;
}

}  // namespace decant::typedb
