#include "pipeline/selection.h"

#include <string>

#include "pipeline/endpoints.h"
#include "pipeline/selection_internal.h"

namespace decant {
namespace selection_internal {

// The source engine's dialect, from the registry (an engine this build does
// not know reads as plain SQL: "..." names, nothing folded).
SourceDialect DialectOf(const Schema& s) {
  const EngineTraits& engine = SystemNamed(s.engine);
  SourceDialect d;
  d.sql = engine.dialect;
  if (engine.dialect.default_schema.empty()) d.database = s.database;
  // Without free sequences, a counter is named after the table it feeds.
  d.sequences_named_after_tables = !engine.objects.free_sequences;
  return d;
}

std::string DefaultQualifier(const Schema& s) {
  std::string_view schema = SystemNamed(s.engine).dialect.default_schema;
  return schema.empty() ? s.database : std::string(schema);
}

}  // namespace selection_internal

using selection_internal::DialectOf;
using selection_internal::Rename;
using selection_internal::Resolve;
using selection_internal::Select;
using selection_internal::SourceDialect;
using selection_internal::Target;

bool SelectOptionsEmpty(const SelectOptions& options) {
  return options.tables.empty() && options.exclude_tables.empty() && options.renames.empty();
}

Result<std::pair<std::string, std::string>> ParseRename(const std::string& arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    return Status::InvalidArgument("--rename \"" + arg + "\": expected OLD=NEW, e.g. Track.Name=title");
  }
  return std::make_pair(arg.substr(0, eq), arg.substr(eq + 1));
}

Result<Selection> SelectAndRename(const Schema& source, const SelectOptions& options) {
  Selection out;
  if (SelectOptionsEmpty(options)) {  // every table, as read: nothing to scan or rewrite
    out.schema = source;
    for (size_t i = 0; i < source.tables.size(); ++i) out.source_table.push_back(i);
    return out;
  }
  const SourceDialect d = DialectOf(source);
  DECANT_RETURN_IF_ERROR(Select(source, d, options, &out));
  for (const auto& [old_name, new_name] : options.renames) {
    Result<Target> target = Resolve(out.schema, d, old_name, new_name);
    if (!target.ok()) {
      // Say so when the name exists but was not selected.
      Result<Target> in_source = Resolve(source, d, old_name, old_name);
      if (in_source.ok() && out.schema.tables.size() != source.tables.size() &&
          target.status().message().find(": no ") != std::string::npos) {
        return Status::InvalidArgument(target.status().message() + " (it is not selected)");
      }
      return target.status();
    }
    if (target->new_name == target->name) continue;
    Rename(&out.schema, d, *target, &out.notes);
  }
  return out;
}

}  // namespace decant
