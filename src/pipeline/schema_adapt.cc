#include "pipeline/schema_adapt.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/ascii.h"
#include "core/schema.h"
#include "core/utf8.h"

namespace decant {

void NameSpace::Reserve(const std::string& name) { taken_.insert(Key(name)); }

std::string NameSpace::Key(const std::string& name) const { return case_sensitive_ ? name : AsciiLower(name); }

std::string NameSpace::Cut(const std::string& name, size_t room) const {
  if (max_bytes_ <= 0) return name;
  return std::string(Utf8Cut(name, room));
}

std::string NameSpace::Claim(const std::string& name, const std::string& table) {
  size_t limit = max_bytes_ > 0 ? static_cast<size_t>(max_bytes_) : std::string::npos;
  std::string base = table.empty() || name.rfind(table + "_", 0) == 0 ? name : table + "_" + name;
  std::string chosen;
  for (const std::string& candidate : {Cut(name, limit), Cut(base, limit)}) {
    if (!Taken(candidate)) {
      chosen = candidate;
      break;
    }
  }
  for (int n = 1; chosen.empty(); ++n) {
    std::string suffix = "_" + std::to_string(n);
    std::string candidate = Cut(base, limit == std::string::npos ? limit : limit - suffix.size()) + suffix;
    if (!Taken(candidate)) chosen = candidate;
  }
  Reserve(chosen);
  return chosen;
}

namespace {

std::string Q(const std::string& schema, const std::string& name) { return QualifiedName(schema, name); }

std::string MethodShown(const std::string& method) { return method.empty() ? "plain" : AsciiUpper(method); }

void AdaptIndexKinds(Schema* s, const EngineTraits& target, std::vector<std::string>* changed,
                     std::vector<std::string>* not_carried) {
  std::erase_if(s->indexes, [&](const Index& x) {
    const char* becomes = IndexMethodBecomes(target.ddl, x.method);
    if (becomes == nullptr) {
      not_carried->push_back(fmt::format("index {} on {}: a {} index; {} has no equivalent", x.name,
                                         Q(x.schema, x.table), MethodShown(x.method), target.display_name));
      return true;
    }
    if (*becomes != '\0') {
      changed->push_back(fmt::format("index {} on {}: a {} index becomes {}", x.name, Q(x.schema, x.table),
                                     MethodShown(x.method), becomes));
    }
    return false;
  });
}

bool AnyNotNull(const Table& t, const std::vector<std::string>& columns) {
  for (const Column& c : t.columns) {
    if (!c.nullable && std::find(columns.begin(), columns.end(), c.name) != columns.end()) return true;
  }
  return false;
}

const Table* FindTableLoosely(const Schema& s, const std::string& schema, const std::string& name) {
  if (const Table* t = s.FindTable(schema, name)) return t;
  for (const Table& t : s.tables) {
    if (t.schema == schema && EqualsIgnoreCaseAscii(t.name, name)) return &t;
  }
  return nullptr;
}

// Why `target` refuses a foreign key referencing `columns` of `parent`; "" when it takes it.
std::string ReferenceRefused(const Schema& s, const Table& parent, const std::vector<std::string>& columns,
                             FkReference need) {
  auto same_set = [&](const std::vector<std::string>& key) {
    return key.size() == columns.size() && std::is_permutation(key.begin(), key.end(), columns.begin());
  };
  auto leads = [&](const std::vector<std::string>& key) {
    return key.size() >= columns.size() && std::equal(columns.begin(), columns.end(), key.begin());
  };
  std::vector<std::vector<std::string>> keys;
  if (parent.primary_key) keys.push_back(parent.primary_key->columns);
  for (const KeyConstraint& u : parent.uniques) keys.push_back(u.columns);
  for (const auto& key : keys) {
    if (same_set(key) || (need == FkReference::kIndexed && leads(key))) return "";
  }
  for (const Index& x : s.indexes) {
    if (x.table != parent.name || x.schema != parent.schema || x.where) continue;
    std::vector<std::string> key;
    // A key on a JSON field (json_path) or an expression indexes no column.
    for (const IndexKey& k : x.keys) key.push_back(k.json_path.empty() ? k.column : "");
    if (need == FkReference::kIndexed ? leads(key) : x.unique && same_set(key)) return "";
  }
  return need == FkReference::kIndexed ? "the referenced columns have no index"
                                       : "the referenced columns are not a primary or unique key";
}

void AdaptForeignKeys(Schema* s, const EngineTraits& target, std::vector<std::string>* changed,
                      std::vector<std::string>* not_carried) {
  const DdlRules& rules = target.ddl;
  for (Table& t : s->tables) {
    // "REFERENCES parent" means the parent's primary key; a target that needs
    // the columns named gets them, one that cannot take the reference loses it.
    std::erase_if(t.foreign_keys, [&](ForeignKey& fk) {
      if (rules.fk_reference == FkReference::kAnything) return false;
      const Table* parent = FindTableLoosely(*s, fk.ref_schema.empty() ? t.schema : fk.ref_schema, fk.ref_table);
      if (parent == nullptr && !fk.ref_schema.empty() && fk.ref_schema != t.schema) return false;  // elsewhere
      std::string why;
      if (parent == nullptr) {
        why = "table " + fk.ref_table + " does not exist";
      } else if (fk.ref_columns.empty() && !parent->primary_key) {
        why = "it references the primary key of " + parent->name + ", which has none";
      } else {
        if (fk.ref_columns.empty()) fk.ref_columns = parent->primary_key->columns;
        why = ReferenceRefused(*s, *parent, fk.ref_columns, rules.fk_reference);
      }
      if (why.empty()) return false;
      not_carried->push_back(fmt::format("foreign key {}on {} ({}) references {}: {}; {} refuses it",
                                         fk.name.empty() ? "" : fk.name + " ", Q(t.schema, t.name),
                                         fmt::join(fk.columns, ", "), fk.ref_table, why, target.display_name));
      return true;
    });
    for (ForeignKey& fk : t.foreign_keys) {
      std::string what = fmt::format("foreign key {}on {} ({})", fk.name.empty() ? "" : fk.name + " ",
                                     Q(t.schema, t.name), fmt::join(fk.columns, ", "));
      for (auto [action, clause] : {std::pair{&fk.on_delete, "ON DELETE"}, std::pair{&fk.on_update, "ON UPDATE"}}) {
        if (*action == FkAction::kSetNull && !rules.fk_set_null_on_not_null && AnyNotNull(t, fk.columns)) {
          changed->push_back(
              fmt::format("{}: {} SET NULL becomes NO ACTION ({} refuses SET NULL on a NOT NULL "
                          "column; the source could not set it either)",
                          what, clause, target.display_name));
          *action = FkAction::kNoAction;
        } else if (*action == FkAction::kSetDefault && !rules.fk_set_default) {
          changed->push_back(fmt::format("{}: {} SET DEFAULT becomes NO ACTION ({} refuses SET DEFAULT)", what, clause,
                                         target.display_name));
          *action = FkAction::kNoAction;
        }
      }
      if (fk.match == "FULL" && !rules.fk_match_full) {
        changed->push_back(
            fmt::format("{}: MATCH FULL is dropped ({} has no MATCH FULL: a row with only some key "
                        "columns NULL is no longer refused)",
                        what, target.display_name));
        fk.match.clear();
      }
      if (fk.deferrable && !rules.fk_deferrable) {
        changed->push_back(fmt::format("{}: DEFERRABLE is dropped ({} checks foreign keys at each statement)", what,
                                       target.display_name));
        fk.deferrable = fk.initially_deferred = false;
      }
    }
  }
}

void AdaptOnUpdate(Schema* s, const EngineTraits& source, const EngineTraits& target, std::vector<std::string>* changed,
                   std::vector<std::string>* not_carried) {
  const DdlRules& rules = target.ddl;
  for (Table& t : s->tables) {
    std::vector<std::string> columns;
    for (const Column& c : t.columns) {
      if (!c.on_update.empty()) columns.push_back(c.name + " ON UPDATE " + c.on_update);
    }
    if (columns.empty() || rules.on_update_clause) continue;
    if (rules.on_update_triggers) {
      std::string lines;
      for (std::string sql : rules.on_update_triggers(t, source.dialect)) {
        for (size_t at = sql.find('\n'); at != std::string::npos; at = sql.find('\n', at + 7))
          sql.insert(at + 1, "      ");
        lines += "\n      " + sql;
      }
      changed->push_back(
          fmt::format("table {}: {} emulated by a trigger:{}", Q(t.schema, t.name), fmt::join(columns, ", "), lines));
    } else {
      not_carried->push_back(fmt::format("table {}: {}: {} has no equivalent", Q(t.schema, t.name),
                                         fmt::join(columns, ", "), target.display_name));
      for (Column& c : t.columns) c.on_update.clear();
    }
  }
}

void AdaptInheritance(const Schema& s, const EngineTraits& target, std::vector<std::string>* changed,
                      std::vector<std::string>* not_carried) {
  if (target.ddl.inheritance) return;
  for (const Table& t : s.tables) {
    auto it = t.options.find("inherits");
    if (it == t.options.end() || it->second.empty()) continue;
    changed->push_back(
        fmt::format("table {}: inherits from {}; on {} a plain table with all its columns (its rows "
                    "are no longer seen through {})",
                    Q(t.schema, t.name), it->second, target.display_name, it->second));
  }
  // A partitioned table's rows live in its partitions; without partitions on
  // the target the parent is created empty and a query through it sees none.
  auto unquoted = [](std::string v) {
    std::erase(v, '"');
    return v;
  };
  for (const Table& t : s.tables) {
    auto by = t.options.find("partition_by");
    if (by == t.options.end() || by->second.empty()) continue;
    std::vector<std::string> parts;
    for (const Table& p : s.tables) {
      auto of = p.options.find("partition_of");
      if (of == p.options.end()) continue;
      std::string parent = unquoted(of->second);
      if (parent == t.name || parent == t.schema + "." + t.name) parts.push_back(Q(p.schema, p.name));
    }
    not_carried->push_back(fmt::format(
        "partitioning of {} (PARTITION BY {}): {} gets {} as an empty plain table and its {} partitions as plain "
        "tables holding the rows ({}); a query through {} sees none of them",
        Q(t.schema, t.name), by->second, target.display_name, Q(t.schema, t.name), parts.size(),
        parts.size() > 4 ? fmt::format("{}, ...", fmt::join(parts.begin(), parts.begin() + 4, ", "))
                         : fmt::format("{}", fmt::join(parts, ", ")),
        Q(t.schema, t.name)));
  }
}

// Renames `*name` through `ns`, noting a change.
// `what` is "<kind>\t<where>": "index\t on t".
void ClaimName(NameSpace* ns, std::string* name, const std::string& table, const std::string& what,
               const std::string& why, std::vector<std::string>* changed) {
  if (name->empty()) return;
  std::string got = ns->Claim(*name, table);
  if (got == *name) return;
  size_t tab = what.find('\t');
  // `why` ends with "; names are at most N bytes": said only when a name was cut.
  std::string reason = why;
  size_t cut_note = reason.find("; names are at most");
  bool cut =
      got.size() < name->size() || (got.rfind(table + "_", 0) == 0 && got.size() < table.size() + 1 + name->size());
  if (cut_note != std::string::npos && !cut) reason.erase(cut_note);
  changed->push_back(
      fmt::format("{} {}{}: renamed {} ({})", what.substr(0, tab), *name, what.substr(tab + 1), got, reason));
  *name = got;
}

void AdaptNames(Schema* s, const EngineTraits& target, std::vector<std::string>* changed) {
  const DdlRules& rules = target.ddl;
  const int limit = rules.max_name_bytes;
  const bool cs = target.dialect.case_sensitive_names;
  std::string shown(target.display_name);
  std::string long_why = limit > 0 ? fmt::format("; names are at most {} bytes", limit) : "";
  // One namespace per target schema for relations (and indexes, when they
  // are per schema) and for foreign keys (when those are).
  std::map<std::string, NameSpace> relations, fk_names;
  auto space = [&](std::map<std::string, NameSpace>& m, const std::string& schema) -> NameSpace& {
    return m.try_emplace(schema, limit, cs).first->second;
  };
  if (rules.index_names_share_relations) {
    for (const Table& t : s->tables) space(relations, t.schema).Reserve(t.name);
    for (const View& v : s->views) space(relations, v.schema).Reserve(v.name);
  }
  std::map<std::pair<std::string, std::string>, NameSpace> table_indexes;  // per table, when indexes are
  auto table_space = [&](const std::string& schema, const std::string& table) -> NameSpace& {
    return table_indexes.try_emplace({schema, table}, limit, cs).first->second;
  };
  std::string index_why = rules.index_names_per_schema
                              ? fmt::format("index names are unique per schema on {}{}", shown, long_why)
                              : fmt::format("index names are unique per table on {}{}", shown, long_why);
  for (Table& t : s->tables) {
    std::string on = "\t on " + Q(t.schema, t.name);
    // Constraint names are unique per table everywhere.
    NameSpace constraints(limit, cs);
    if (rules.key_names_are_index_names) {
      NameSpace& rel = space(relations, t.schema);
      if (t.primary_key) ClaimName(&rel, &t.primary_key->name, t.name, "primary key" + on, index_why, changed);
      for (KeyConstraint& u : t.uniques) ClaimName(&rel, &u.name, t.name, "unique key" + on, index_why, changed);
    } else if (!rules.index_names_per_schema) {
      NameSpace& own = table_space(t.schema, t.name);
      own.Reserve("PRIMARY");
      for (KeyConstraint& u : t.uniques) ClaimName(&own, &u.name, t.name, "unique key" + on, index_why, changed);
    }
    std::string constraint_why = fmt::format("constraint names are unique per table on {}{}", shown, long_why);
    if (t.primary_key)
      ClaimName(&constraints, &t.primary_key->name, t.name, "primary key" + on, constraint_why, changed);
    for (KeyConstraint& u : t.uniques)
      ClaimName(&constraints, &u.name, t.name, "unique key" + on, constraint_why, changed);
    for (CheckConstraint& c : t.checks) ClaimName(&constraints, &c.name, t.name, "check" + on, constraint_why, changed);
    for (ForeignKey& fk : t.foreign_keys) {
      if (rules.fk_names_per_schema) {
        ClaimName(&space(fk_names, t.schema), &fk.name, t.name, "foreign key" + on,
                  fmt::format("foreign-key names are unique per database on {}{}", shown, long_why), changed);
        constraints.Reserve(fk.name);
      } else {
        ClaimName(&constraints, &fk.name, t.name, "foreign key" + on, constraint_why, changed);
      }
    }
  }
  for (Index& x : s->indexes) {
    NameSpace& ns = rules.index_names_per_schema ? space(relations, x.schema) : table_space(x.schema, x.table);
    ClaimName(&ns, &x.name, x.table, "index\t on " + Q(x.schema, x.table), index_why, changed);
  }
}

}  // namespace

void AdaptSchema(Schema* schema, const EngineTraits& source, const EngineTraits& target,
                 std::vector<std::string>* changed, std::vector<std::string>* not_carried) {
  AdaptInheritance(*schema, target, changed, not_carried);
  AdaptIndexKinds(schema, target, changed, not_carried);
  AdaptForeignKeys(schema, target, changed, not_carried);
  AdaptOnUpdate(schema, source, target, changed, not_carried);
  AdaptNames(schema, target, changed);
}

}  // namespace decant
