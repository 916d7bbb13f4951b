#include "pipeline/selection.h"

#include <string>

#include "pipeline/selection_internal.h"

namespace decant {
namespace selection_internal {

// TEMP(traits): replaced by EngineTraits::dialect
SourceDialect DialectOf(const Schema& s) {
  SourceDialect d;
  Dialect& q = d.sql;
  if (s.engine == "postgresql") {
    q.escape_string_prefix = q.dollar_quoting = q.nested_block_comments = true;
    q.folding = NameFolding::kLower;
    q.case_sensitive_names = true;
    q.default_schema = "public";
    q.double_colon_casts = true;
    q.variable_prefixes = "$";
  } else if (s.engine == "mysql") {
    q.identifier_quote = '`';
    q.double_quote_names = false;
    q.backquote_names = true;
    q.backslash_escapes = q.hash_comments = true;
    q.variable_prefixes = "?@";
    d.database = s.database;
    d.sequences_named_after_tables = true;
  } else {  // SQLite, and what selection reads for any other engine
    q.backquote_names = q.bracket_names = true;
    q.default_schema = "main";
    q.variable_prefixes = "?:@$";
    d.sequences_named_after_tables = true;
  }
  return d;
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
