#include "pipeline/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/ascii.h"
#include "core/endpoint.h"
#include "core/plural.h"
#include "core/printable.h"
#include "core/utf8.h"
#include "mapping/sql_translate.h"
#include "pipeline/endpoints.h"
#include "pipeline/schema_adapt.h"

namespace decant {
namespace {

std::string TypeShown(const Column& c) {
  return c.native_type.empty() ? LogicalTypeName(c.type.logical) : c.native_type;
}

// "" and an engine's default schema ("public", "main") both mean "the
// default schema" when engines differ.
bool SameSchema(const std::string& a, const Dialect& a_dialect, const std::string& b, const Dialect& b_dialect) {
  auto norm = [](const std::string& s, const Dialect& d) { return s == d.default_schema ? std::string() : s; };
  return norm(a, a_dialect) == norm(b, b_dialect);
}

// The target's table for `t`: by exact name, then ignoring case; among
// several, the one in the matching schema.
const Table* FindTarget(const Schema& existing, const Table& t, const Dialect& source) {
  const Dialect& target = SystemNamed(existing.engine).dialect;
  for (bool exact : {true, false}) {
    std::vector<const Table*> named;
    for (const Table& x : existing.tables) {
      if (exact ? x.name == t.name : EqualsIgnoreCaseAscii(x.name, t.name)) named.push_back(&x);
    }
    for (const Table* x : named) {
      if (SameSchema(x->schema, target, t.schema, source)) return x;
    }
    if (named.size() == 1) return named[0];
  }
  return nullptr;
}

const Column* FindColumn(const Table& t, const std::string& name) {
  for (const Column& c : t.columns) {
    if (c.name == name) return &c;
  }
  for (const Column& c : t.columns) {
    if (EqualsIgnoreCaseAscii(c.name, name)) return &c;
  }
  return nullptr;
}

std::string Q(const std::string& schema, const std::string& name) { return QualifiedName(schema, name); }

// True when `x` indexes a materialized view that `target` does not create
// (the index has nothing to be created on there).
bool OnMissingMaterializedView(const Index& x, const Schema& s, const EngineTraits& target) {
  if (target.carries.materialized_views) return false;
  return std::any_of(s.views.begin(), s.views.end(),
                     [&](const View& v) { return v.materialized && v.name == x.table && v.schema == x.schema; });
}

// "view s.v: why" and "view v on t: why" -> "view v": which object a
// not-carried line names.
std::string ObjectKey(const std::string& line) {
  std::string head = line.substr(0, line.find(": "));
  head = head.substr(0, head.find(" on "));
  size_t space = head.rfind(' ');
  if (space == std::string::npos) return head;
  std::string name = head.substr(space + 1);
  if (size_t dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
  return head.substr(0, space) + " " + name;
}

// Objects a schema from another engine holds that the target will not get.
std::vector<std::string> NotCarried(const Schema& s, const EngineTraits& source, const EngineTraits& target) {
  std::vector<std::string> out;
  const std::string& from = s.engine;
  const ObjectSupport& carries = target.carries;
  for (const Trigger& t : s.triggers) {
    out.push_back(
        fmt::format("trigger {} on {}: trigger bodies are not translated from {}", t.name, Q(t.schema, t.table), from));
  }
  static const std::set<std::string> kCarried = {"schema",   "primary key",    "unique", "foreign key",
                                                 "sequence", "sequence owner", "check"};
  for (const NativeObject& o : s.objects) {
    if (kCarried.count(o.kind)) continue;
    std::string where = o.table.empty() ? "" : " on " + Q(o.schema, o.table);
    out.push_back(
        fmt::format("{} {}{}: only {} has it", o.kind, o.table.empty() ? Q(o.schema, o.name) : o.name, where, from));
  }
  for (const Table& t : s.tables) {
    if (!carries.checks) {
      for (const CheckConstraint& c : t.checks) {
        out.push_back(fmt::format("check {}on {}: ({}) is not translated", c.name.empty() ? "" : c.name + " ",
                                  Q(t.schema, t.name), c.expression));
      }
    }
    for (const Column& c : t.columns) {
      if (c.generated_expr && !carries.generated_columns) {
        out.push_back(fmt::format("generated column {}.{}: its expression is not translated; the column is left out",
                                  Q(t.schema, t.name), c.name));
      }
      if (c.default_expr && !c.generated_expr && !c.auto_increment &&
          !TranslateDefault(*c.default_expr, c.type.logical, source.dialect, target.dialect)) {
        out.push_back(
            fmt::format("default of {}.{}: {} is not translated", Q(t.schema, t.name), c.name, *c.default_expr));
      }
    }
  }
  for (const Sequence& q : s.sequences) {
    if (q.owner_table.empty() && source.objects.free_sequences && !carries.free_sequences) {
      // An auto id column whose DEFAULT calls it (nextval('q')) without owning it
      // gets the target's own counter, which starts after the largest id loaded.
      std::string feeds;
      for (const Table& t : s.tables) {
        for (const Column& c : t.columns) {
          if (!c.auto_increment || !c.default_expr) continue;
          const std::string& d = *c.default_expr;
          if (d.find("'" + q.name + "'") != std::string::npos ||
              d.find("'" + q.schema + "." + q.name + "'") != std::string::npos) {
            feeds += (feeds.empty() ? "" : ", ") + Q(t.schema, t.name) + "." + c.name;
          }
        }
      }
      if (feeds.empty()) {
        out.push_back(
            fmt::format("sequence {}: a sequence no column owns exists only in {}", Q(q.schema, q.name), from));
      } else {
        out.push_back(
            fmt::format("sequence {}: feeds {} (a DEFAULT nextval, not OWNED BY); {} continues after the "
                        "largest id loaded, not after the sequence's {}",
                        Q(q.schema, q.name), feeds, target.display_name, q.last_value));
      }
    }
  }
  for (const Index& x : s.indexes) {
    if (OnMissingMaterializedView(x, s, target)) {
      out.push_back(fmt::format("index {} on {}: it indexes a materialized view, which {} does not have", x.name,
                                Q(x.schema, x.table), target.display_name));
      continue;
    }
    // A key on a JSON field (IndexKey::json_path) has its column: each engine
    // declares it (nothing of the source's dialect to translate).
    bool expression = x.keys.empty();
    for (const IndexKey& k : x.keys) expression = expression || k.column.empty();
    if ((expression && !carries.expression_indexes) || (x.where && !carries.partial_indexes)) {
      out.push_back(fmt::format("index {} on {}: expression or partial indexes are not translated", x.name,
                                Q(x.schema, x.table)));
    }
  }
  for (const View& v : s.views) {
    if (v.materialized && !carries.materialized_views) {
      out.push_back(fmt::format("materialized view {}: only {} has them", Q(v.schema, v.name), from));
    } else if (v.materialized) {
      // carried as it is
    } else if (!carries.views) {
      out.push_back(fmt::format("view {}: views from {} are not recreated on {}; create it again by hand",
                                Q(v.schema, v.name), from, target.display_name));
    } else if (!TranslateView(s, v, source.dialect, target.dialect)) {
      out.push_back(fmt::format("view {}: its query uses what {} does not have", Q(v.schema, v.name), target.name));
    }
  }
  return out;
}

// Orders tables so each comes after the tables its foreign keys reference;
// tables in a cycle keep their order.
void ParentsFirst(std::vector<TablePlan>* tables) {
  std::vector<TablePlan> ordered;
  std::vector<bool> placed(tables->size(), false);
  auto waits = [&](size_t i) {
    for (const ForeignKey& fk : (*tables)[i].write.foreign_keys) {
      for (size_t j = 0; j < tables->size(); ++j) {
        if (j != i && !placed[j] && (*tables)[j].write.name == fk.ref_table) return true;
      }
    }
    return false;
  };
  while (ordered.size() < tables->size()) {
    size_t before = ordered.size();
    for (size_t i = 0; i < tables->size(); ++i) {
      if (placed[i] || waits(i)) continue;
      placed[i] = true;
      ordered.push_back(std::move((*tables)[i]));
    }
    if (ordered.size() == before) {  // a cycle: the rest in their order
      for (size_t i = 0; i < tables->size(); ++i) {
        if (!placed[i]) {
          placed[i] = true;
          ordered.push_back(std::move((*tables)[i]));
        }
      }
    }
  }
  *tables = std::move(ordered);
}

// A target with one namespace (SQLite, a MySQL database) gets every table
// under its bare name: two tables of one name in different schemas (two
// RethinkDB databases, two PostgreSQL schemas) would meet. Names compare
// ignoring ASCII case, as SQLite and MySQL (on case-insensitive file
// systems) compare them.
Status CheckOneNamespace(const Schema& source, const EngineTraits& target) {
  if (target.objects.schemas || target.values.keeps_values_as_read) return Status::OK();
  std::map<std::string, const Table*> seen;
  for (const Table& t : source.tables) {
    auto [at, fresh] = seen.emplace(AsciiLower(t.name), &t);
    if (fresh) continue;
    const Table& other = *at->second;
    return Status::InvalidArgument(fmt::format(
        "tables {} and {} would both be table {} in one {} database: choose one schema with --table '{}.*', or "
        "rename one with --rename {}={}_{}",
        Q(other.schema, other.name), Q(t.schema, t.name), t.name, target.display_name, other.schema,
        Q(t.schema, t.name), t.schema, t.name));
  }
  return Status::OK();
}

// Table and column names longer than the target keeps: a target that cuts
// them (PostgreSQL) gets a line in `changed` with the name it will hold; one
// that refuses them (MySQL) refuses the plan, before anything is written.
Status CheckNameLengths(const Schema& source, const EngineTraits& target, std::vector<std::string>* changed) {
  const int limit = target.ddl.max_name_bytes;
  if (limit <= 0) return Status::OK();
  auto check = [&](const std::string& what, const std::string& name) -> Status {
    if (name.size() <= static_cast<size_t>(limit)) return Status::OK();
    if (target.ddl.long_names_cut) {
      changed->push_back(fmt::format("{}: its name is {} bytes; {} keeps the first {}: {}", what, name.size(),
                                     target.display_name, limit, Utf8Cut(name, static_cast<size_t>(limit))));
      return Status::OK();
    }
    return Status::InvalidArgument(
        fmt::format("{}: its name is {} bytes and {} allows {}: give it a shorter one with "
                    "--rename",
                    what, name.size(), target.display_name, limit));
  };
  for (const Table& t : source.tables) {
    DECANT_RETURN_IF_ERROR(check("table " + Q(t.schema, t.name), t.name));
    for (const Column& c : t.columns)
      DECANT_RETURN_IF_ERROR(check("column " + Q(t.schema, t.name) + "." + c.name, c.name));
  }
  return Status::OK();
}

}  // namespace

Result<MigrationPlan> PlanMigration(const Schema& read, const SelectOptions& select, const EngineTraits& target_engine,
                                    const Schema* existing) {
  DECANT_ASSIGN_OR_RETURN(Selection selection, SelectAndRename(read, select));
  const Schema& source = selection.schema;
  DECANT_RETURN_IF_ERROR(CheckOneNamespace(source, target_engine));
  MigrationPlan plan;
  if (!existing && !target_engine.values.keeps_values_as_read) {
    DECANT_RETURN_IF_ERROR(CheckNameLengths(source, target_engine, &plan.changed));
  }
  plan.notes = std::move(selection.notes);
  plan.source_engine = source.engine;
  plan.target_engine = std::string(target_engine.name);
  plan.source_traits = &SystemNamed(source.engine);
  plan.target_traits = &target_engine;
  plan.data_only = existing != nullptr;
  plan.converts = plan.data_only || (!target_engine.values.keeps_values_as_read && target_engine.name != source.engine);
  plan.target_schema = source;
  if (plan.data_only) {
    plan.target_schema = Schema{};
    plan.target_schema.engine = std::string(target_engine.name);
    plan.target_schema.server_version = existing->server_version;
    plan.target_schema.database = existing->database;
  }
  for (size_t i = 0; i < source.tables.size(); ++i) {
    const Table& t = source.tables[i];
    TablePlan tp;
    tp.read = &read.tables[selection.source_table[i]];
    tp.write = t;
    const Table* target = nullptr;
    if (plan.data_only) {
      target = FindTarget(*existing, t, plan.source_traits->dialect);
      if (!target) {
        return Status::NotFound(
            fmt::format("--data-only: table {} is not in the target; create it first, or leave it out "
                        "with --exclude-table",
                        Q(t.schema, t.name)));
      }
      tp.write = *target;
      tp.write.columns.clear();
    }
    for (size_t c : DataColumns(t)) {
      const Column& col = t.columns[c];
      ColumnPlan cp;
      cp.name = cp.target_name = col.name;
      cp.source_type = TypeShown(col);
      cp.source = col.type;
      if (plan.data_only) {
        const Column* tc = FindColumn(*target, col.name);
        if (!tc || tc->generated_expr) {
          return Status::NotFound(fmt::format("--data-only: column {}.{} has no {}column in the target table {}",
                                              Q(t.schema, t.name), col.name, tc ? "writable " : "",
                                              Q(target->schema, target->name)));
        }
        cp.target_name = tc->name;
        cp.target_type = TypeShown(*tc);
        cp.target = tc->type;
        cp.target_nullable = tc->nullable;
        ColumnMapping m = MapColumn(col, *plan.source_traits, target_engine, false);
        // The declared target type is the application's; the risks are those of
        // the logical type it holds, from this source.
        cp.risks = m.risks;
        bool as_decant_would = tc->type.logical == m.target.logical && tc->type.length == m.target.length &&
                               tc->type.scale == m.target.scale;
        if (!as_decant_would && !(tc->type == col.type)) {
          cp.risks.push_back({Loss::kSomeValues, fmt::format("{} values are converted to the target's {}",
                                                             LogicalTypeName(col.type.logical), cp.target_type)});
        }
        tp.write.columns.push_back(*tc);
      } else if (plan.converts) {
        ColumnMapping m = MapColumn(col, *plan.source_traits, target_engine, IsKeyColumn(t, col.name));
        cp.target_type = m.type_sql.empty() ? "(no type)" : m.type_sql;
        cp.target = m.target;
        cp.target_nullable = col.nullable;
        cp.risks = m.risks;
      } else {
        cp.target_type = cp.source_type;
        cp.target = col.type;
        cp.target_nullable = col.nullable;
      }
      tp.columns.push_back(std::move(cp));
    }
    plan.tables.push_back(std::move(tp));
  }
  if (plan.data_only) {
    ParentsFirst(&plan.tables);  // foreign keys in the application's schema are live
    for (const TablePlan& tp : plan.tables) plan.target_schema.tables.push_back(tp.write);
    for (const Sequence& q : existing->sequences) {
      for (const TablePlan& tp : plan.tables) {
        if (q.owner_table == tp.write.name || q.name == tp.write.name) plan.target_schema.sequences.push_back(q);
      }
    }
  } else if (plan.converts) {
    plan.not_carried = NotCarried(source, *plan.source_traits, target_engine);
    std::erase_if(plan.target_schema.indexes,
                  [&](const Index& x) { return OnMissingMaterializedView(x, source, target_engine); });
    AdaptSchema(&plan.target_schema, *plan.source_traits, target_engine, &plan.changed, &plan.not_carried);
    // And what the target's own statement list leaves out, each object once.
    if (target_engine.not_created) {
      std::set<std::string> named;
      for (const std::string& line : plan.not_carried) named.insert(ObjectKey(line));
      for (std::string& line : target_engine.not_created(plan.target_schema, *plan.source_traits)) {
        if (named.insert(ObjectKey(line)).second) plan.not_carried.push_back(std::move(line));
      }
    }
  }
  return plan;
}

// Every name and line from the data is escaped here (core/printable.h): a
// table called "a\nb" stays on its line of the plan.
std::string FormatPlan(const MigrationPlan& plan, const ColumnNote& note) {
  std::string out = fmt::format("plan: {} -> {}{}\n", plan.source_engine, plan.target_engine,
                                plan.data_only ? " (--data-only: into the tables already there)" : "");
  size_t exact = 0, some = 0, all = 0;
  for (const TablePlan& tp : plan.tables) {
    out += fmt::format("\ntable {}", Printable(Q(tp.read->schema, tp.read->name)));
    if (tp.write.name != tp.read->name || tp.write.schema != tp.read->schema)
      out += " -> " + Printable(Q(tp.write.schema, tp.write.name));
    out += "\n";
    for (const ColumnPlan& c : tp.columns) {
      std::string name = c.name == c.target_name ? c.name : c.name + " -> " + c.target_name;
      Loss worst = Loss::kExact;
      for (const Risk& r : c.risks) worst = std::max(worst, r.loss);
      (worst == Loss::kExact ? exact : worst == Loss::kSomeValues ? some : all)++;
      out += fmt::format("  {}: {} -> {}: {}\n", Printable(name), Printable(c.source_type), Printable(c.target_type),
                         LossName(worst));
      for (const Risk& r : c.risks) out += fmt::format("      {}: {}\n", LossName(r.loss), Printable(r.what));
      if (note) {
        std::string line = note(tp, c);
        if (!line.empty()) out += "      " + Printable(line) + "\n";
      }
    }
  }
  if (!plan.notes.empty()) {
    out += fmt::format("\nnotes ({}):\n", plan.notes.size());
    for (const std::string& line : plan.notes) out += "  " + Printable(line) + "\n";
  }
  if (!plan.changed.empty()) {
    out += fmt::format("\ncreated differently on {} ({}):\n", plan.target_engine, plan.changed.size());
    for (const std::string& line : plan.changed) out += "  " + Printable(line) + "\n";
  }
  if (!plan.not_carried.empty()) {
    out += fmt::format("\nnot carried to {} ({}):\n", plan.target_engine, plan.not_carried.size());
    for (const std::string& line : plan.not_carried) out += "  " + Printable(line) + "\n";
  }
  out += fmt::format("\n{} exact, {} lossy for some values, {} lossy for every value; {} not carried\n",
                     Counted(exact, "column"), some, all, Counted(plan.not_carried.size(), "object"));
  return out;
}

}  // namespace decant
