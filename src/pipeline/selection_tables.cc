#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "pipeline/selection_internal.h"

namespace decant::selection_internal {
namespace {

// Glob with * and ?; `fold` ignores case.
bool Glob(std::string_view p, std::string_view s, bool fold) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  auto eq = [&](char a, char b) { return fold ? AsciiLower(a) == AsciiLower(b) : a == b; };
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], s[si])))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// A pattern with a dot also matches "schema.name" (the main database of
// SQLite is "main", a MySQL one its own name).
bool PatternMatches(const std::string& pattern, const std::string& schema, const std::string& name, const Schema& s,
                    bool fold) {
  if (Glob(pattern, name, fold)) return true;
  if (pattern.find('.') == std::string::npos) return false;
  std::string qualifier = !schema.empty() ? schema : DefaultQualifier(s);
  return !qualifier.empty() && Glob(pattern, qualifier + "." + name, fold);
}

struct Matches {
  std::vector<size_t> tables, views;
  bool empty() const { return tables.empty() && views.empty(); }
};

// Exact matches if there are any, else case-insensitive ones.
Matches MatchPattern(const Schema& s, const std::string& pattern) {
  Matches m;
  for (bool fold : {false, true}) {
    for (size_t i = 0; i < s.tables.size(); ++i) {
      if (PatternMatches(pattern, s.tables[i].schema, s.tables[i].name, s, fold)) m.tables.push_back(i);
    }
    for (size_t i = 0; i < s.views.size(); ++i) {
      if (PatternMatches(pattern, s.views[i].schema, s.views[i].name, s, fold)) m.views.push_back(i);
    }
    if (!m.empty()) break;
  }
  return m;
}

// Removes the foreign keys of `ddl` (a CREATE TABLE) whose REFERENCES names a
// table for which drop(index) is true: table constraints with the comma before
// them, column constraints with their ON/MATCH/DEFERRABLE clauses.
template <typename Pred>
std::string StripForeignKeys(const Schema& s, const SourceDialect& d, const Table& table, Pred drop) {
  TextCtx ctx{TextKind::kTableDdl, table.schema, -1, false, ""};
  TextScan scan(s, d, table.native_ddl, ctx);
  const std::vector<Token>& toks = scan.toks();
  size_t open = 0;
  while (open < toks.size() && !IsPunct(toks[open], '(')) ++open;
  if (open == toks.size()) return table.native_ddl;
  size_t close = MatchParen(toks, open);
  std::vector<std::pair<size_t, size_t>> items = sql::SplitCommas(toks, open + 1, close);  // the table's elements
  std::vector<Edit> edits;
  for (size_t k = 0; k < items.size(); ++k) {
    auto [b, e] = items[k];
    if (b >= e) continue;
    int depth = 0;
    for (size_t r = b; r < e; ++r) {
      if (IsPunct(toks[r], '(')) ++depth;
      if (IsPunct(toks[r], ')')) --depth;
      if (depth != 0 || !IsWord(toks[r], "REFERENCES") || r + 1 >= e) continue;
      size_t name = r + 1;
      if (name + 2 < e && IsPunct(toks[name + 1], '.')) name += 2;
      int target = scan.TableAt(name);
      if (target < 0 || !drop(target)) continue;
      bool table_constraint =
          IsWord(toks[b], "FOREIGN") || (IsWord(toks[b], "CONSTRAINT") && b + 2 < e && IsWord(toks[b + 2], "FOREIGN"));
      if (table_constraint) {
        if (k > 0) {
          edits.push_back({toks[b - 1].begin, toks[e - 1].end, ""});  // with the comma before it
        } else if (k + 1 < items.size()) {
          edits.push_back({toks[b].begin, toks[e].end, ""});  // with the comma after it
        }
        break;
      }
      size_t from = r >= b + 2 && IsWord(toks[r - 2], "CONSTRAINT") ? r - 2 : r;
      size_t to = name + 1;
      if (to < e && IsPunct(toks[to], '(')) to = MatchParen(toks, to) + 1;
      while (to < e) {
        if (IsWord(toks[to], "ON") && to + 2 < e) {
          to += IsWord(toks[to + 2], "SET") || IsWord(toks[to + 2], "NO") ? 4 : 3;
        } else if (IsWord(toks[to], "MATCH")) {
          to += 2;
        } else if (IsWord(toks[to], "NOT") && to + 1 < e && IsWord(toks[to + 1], "DEFERRABLE")) {
          to += 2;
        } else if (IsWord(toks[to], "DEFERRABLE")) {
          to += 1;
        } else if (IsWord(toks[to], "INITIALLY")) {
          to += 2;
        } else {
          break;
        }
      }
      to = std::min(to, e);
      edits.push_back({toks[from].begin, toks[to - 1].end, ""});
      break;
    }
  }
  return edits.empty() ? table.native_ddl : ApplyEdits(table.native_ddl, std::move(edits));
}

}  // namespace

Status Select(const Schema& source, const SourceDialect& d, const SelectOptions& options, Selection* out) {
  std::vector<bool> keep(source.tables.size(), options.tables.empty());
  std::vector<bool> view_excluded(source.views.size(), false);
  for (const std::string& p : options.tables) {
    Matches m = MatchPattern(source, p);
    if (m.empty()) return Status::InvalidArgument(fmt::format("--table \"{}\" matches no table", p));
    for (size_t i : m.tables) keep[i] = true;
  }
  for (const std::string& p : options.exclude_tables) {
    Matches m = MatchPattern(source, p);
    if (m.empty()) return Status::InvalidArgument(fmt::format("--exclude-table \"{}\" matches no table", p));
    for (size_t i : m.tables) keep[i] = false;
    for (size_t i : m.views) view_excluded[i] = true;
  }

  Schema& s = out->schema;
  s = source;  // names of dropped tables are still needed to find what refers to them
  std::vector<bool> dropped(source.tables.size());
  for (size_t i = 0; i < keep.size(); ++i) dropped[i] = !keep[i];
  auto is_dropped = [&](const std::string& schema, const std::string& name) {
    const Table* t = source.FindTable(schema, name);
    return t != nullptr && dropped[static_cast<size_t>(t - source.tables.data())];
  };
  // The tables (and, in `dropped_views`, views) a free text reads that are dropped.
  std::vector<bool> dropped_views = view_excluded;
  auto reads_dropped = [&](const std::string& text, const std::string& schema) -> std::string {
    TextCtx ctx{TextKind::kFree, schema, -1, false, ""};
    TextScan scan(source, d, text, ctx);
    scan.FindReferences();
    for (int t : scan.referenced()) {
      if (dropped[t]) return "table " + QualifiedName(source.tables[t].schema, source.tables[t].name);
    }
    for (size_t v = 0; v < source.views.size(); ++v) {
      if (!dropped_views[v]) continue;
      const View& view = source.views[v];
      const std::vector<Token>& toks = scan.toks();
      for (size_t i = 0; i < toks.size(); ++i) {
        if (!TokNames(toks[i], view.name, d)) continue;
        int q = scan.Qualifier(i);
        if (q >= 0 ? scan.QualifierIsSchema(toks[q], view.schema) : !scan.PrevDot(i) && view.schema == schema) {
          return "view " + QualifiedName(view.schema, view.name);
        }
      }
    }
    return "";
  };

  // Foreign keys of kept tables to dropped ones.
  for (size_t i = 0; i < s.tables.size(); ++i) {
    if (dropped[i]) continue;
    Table& t = s.tables[i];
    auto& fks = t.foreign_keys;
    bool any = false;
    for (auto it = fks.begin(); it != fks.end();) {
      const std::string& ref_schema = it->ref_schema.empty() ? t.schema : it->ref_schema;
      if (!is_dropped(ref_schema, it->ref_table)) {
        ++it;
        continue;
      }
      out->notes.push_back(fmt::format("table {}: foreign key{} ({}) to {} removed: that table is not selected",
                                       QualifiedName(t.schema, t.name), it->name.empty() ? "" : " " + it->name,
                                       fmt::join(it->columns, ", "), QualifiedName(ref_schema, it->ref_table)));
      it = fks.erase(it);
      any = true;
    }
    if (any && !t.native_ddl.empty()) {
      t.native_ddl = StripForeignKeys(source, d, source.tables[i], [&](int target) { return dropped[target]; });
    }
  }
  // Views that read a dropped table or view; a dropped view may drop others.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t v = 0; v < source.views.size(); ++v) {
      if (dropped_views[v]) continue;
      std::string why =
          reads_dropped(source.views[v].definition + "\n" + source.views[v].native_ddl, source.views[v].schema);
      if (why.empty()) continue;
      dropped_views[v] = changed = true;
      out->notes.push_back(fmt::format("view {} dropped: it reads {}, which is not selected",
                                       QualifiedName(source.views[v].schema, source.views[v].name), why));
    }
  }

  std::vector<View> views;
  for (size_t v = 0; v < s.views.size(); ++v) {
    if (!dropped_views[v]) views.push_back(std::move(s.views[v]));
  }
  s.views = std::move(views);
  std::erase_if(s.indexes, [&](const Index& x) { return is_dropped(x.schema, x.table); });
  std::erase_if(s.triggers, [&](const Trigger& t) {
    if (is_dropped(t.schema, t.table)) return true;
    std::string why = reads_dropped(t.native_ddl, t.schema);
    if (why.empty()) return false;
    out->notes.push_back(fmt::format("trigger {} on {} dropped: it uses {}, which is not selected",
                                     QualifiedName(t.schema, t.name), QualifiedName(t.schema, t.table), why));
    return true;
  });
  std::set<std::pair<std::string, std::string>> dropped_sequences;
  std::erase_if(s.sequences, [&](const Sequence& q) {
    bool drop = is_dropped(q.schema, q.owner_table.empty() && d.sequences_named_after_tables ? q.name : q.owner_table);
    if (drop) dropped_sequences.emplace(q.schema, q.name);
    return drop;
  });
  // PostgreSQL also carries each sequence's CREATE SEQUENCE as a native object.
  std::erase_if(s.objects, [&](const NativeObject& o) {
    return (!o.table.empty() && is_dropped(o.schema, o.table)) ||
           (o.kind == "sequence" && dropped_sequences.count({o.schema, o.name}));
  });
  std::vector<Table> tables;
  for (size_t i = 0; i < s.tables.size(); ++i) {
    if (dropped[i]) continue;
    tables.push_back(std::move(s.tables[i]));
    out->source_table.push_back(i);
  }
  s.tables = std::move(tables);
  return Status::OK();
}

}  // namespace decant::selection_internal
