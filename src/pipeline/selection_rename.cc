#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "pipeline/selection_internal.h"

namespace decant::selection_internal {
namespace {

bool IsReserved(std::string_view w) {
  static const std::set<std::string> kWords = {
      "all",     "alter",      "and",     "as",     "asc",       "between", "by",     "case",  "check",    "collate",
      "column",  "constraint", "create",  "cross",  "current",   "default", "delete", "desc",  "distinct", "drop",
      "else",    "end",        "except",  "exists", "for",       "foreign", "from",   "full",  "group",    "having",
      "in",      "index",      "inner",   "insert", "intersect", "into",    "is",     "join",  "key",      "left",
      "like",    "limit",      "natural", "not",    "null",      "offset",  "on",     "or",    "order",    "outer",
      "primary", "references", "right",   "select", "set",       "table",   "then",   "to",    "trigger",  "union",
      "unique",  "update",     "user",    "using",  "values",    "view",    "when",   "where", "with"};
  return kWords.count(AsciiLower(w)) > 0;
}

// True if `name` can be written without quotes and still mean itself.
bool IsPlainName(const std::string& name, const SourceDialect& d) {
  if (name.empty() || !sql::IsWordStart(name[0])) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '_')) return false;
    if (d.sql.folding == NameFolding::kLower && std::isupper(c)) return false;  // would fold to lower case
  }
  return !IsReserved(name);
}

std::string Quote(const std::string& name, char open) {
  char close = open == '[' ? ']' : open;
  if (open == '[' && name.find(']') != std::string::npos) open = close = '"';
  std::string out(1, open);
  for (char c : name) {
    out.push_back(c);
    if (c == close && open != '[') out.push_back(c);
  }
  out.push_back(close);
  return out;
}

// `name` written the way token `t` was: same quotes, or bare if it can be.
std::string Spell(const Token& t, const std::string& name, const SourceDialect& d) {
  if (t.kind == Token::Kind::kQuoted) return Quote(name, t.quote);
  return IsPlainName(name, d) ? name : Quote(name, d.sql.identifier_quote);
}

// Calls fn(text, ctx) for every SQL text of `s` that may name a table or
// column: native DDL, view definitions, expressions.
template <typename Fn>
void ForEachText(Schema& s, const SourceDialect& d, Fn&& fn) {
  auto table_index = [&](const std::string& schema, const std::string& name) {
    for (size_t i = 0; i < s.tables.size(); ++i) {
      if (s.tables[i].schema == schema && SameName(s.tables[i].name, name, d)) return static_cast<int>(i);
    }
    return -1;
  };
  for (size_t i = 0; i < s.tables.size(); ++i) {
    Table& t = s.tables[i];
    std::string what = "table " + QualifiedName(t.schema, t.name);
    int own = static_cast<int>(i);
    fn(t.native_ddl, TextCtx{TextKind::kTableDdl, t.schema, own, false, what});
    for (CheckConstraint& c : t.checks) fn(c.expression, TextCtx{TextKind::kExpr, t.schema, own, false, what});
    for (Column& c : t.columns) {
      if (c.default_expr) fn(*c.default_expr, TextCtx{TextKind::kExpr, t.schema, own, false, what});
      if (c.generated_expr) fn(*c.generated_expr, TextCtx{TextKind::kExpr, t.schema, own, false, what});
    }
    // PostgreSQL partitioning and inheritance keep names in options.
    for (const char* key : {"partition_of", "partition_by", "partition_bound", "inherits"}) {
      auto it = t.options.find(key);
      if (it != t.options.end()) fn(it->second, TextCtx{TextKind::kFree, t.schema, own, false, what});
    }
  }
  for (Index& x : s.indexes) {
    int own = table_index(x.schema, x.table);
    std::string what = "index " + QualifiedName(x.schema, x.name);
    fn(x.native_ddl, TextCtx{TextKind::kIndexDdl, x.schema, own, false, what});
    for (IndexKey& k : x.keys) {
      if (!k.expression.empty()) fn(k.expression, TextCtx{TextKind::kExpr, x.schema, own, false, what});
    }
    if (x.where) fn(*x.where, TextCtx{TextKind::kExpr, x.schema, own, false, what});
  }
  for (View& v : s.views) {
    std::string what = (v.materialized ? "materialized view " : "view ") + QualifiedName(v.schema, v.name);
    fn(v.definition, TextCtx{TextKind::kFree, v.schema, -1, false, what});
    fn(v.native_ddl, TextCtx{TextKind::kFree, v.schema, -1, false, what});
  }
  for (Trigger& t : s.triggers) {
    fn(t.native_ddl, TextCtx{TextKind::kFree, t.schema, table_index(t.schema, t.table), false,
                             "trigger " + QualifiedName(t.schema, t.name)});
  }
  for (Sequence& q : s.sequences) {
    fn(q.native_ddl, TextCtx{TextKind::kFree, q.schema, table_index(q.schema, q.owner_table), false,
                             "sequence " + QualifiedName(q.schema, q.name)});
  }
  for (NativeObject& o : s.objects) {
    int own = o.table.empty() ? -1 : table_index(o.schema, o.table);
    fn(o.native_ddl,
       TextCtx{TextKind::kFree, o.schema, own, o.kind == "schema", o.kind + " " + QualifiedName(o.schema, o.name)});
  }
}

class Renamer {
 public:
  Renamer(Schema* s, const SourceDialect& d, const Target& t, std::vector<std::string>* notes)
      : s_(*s), d_(d), t_(t), notes_(notes) {}

  void Run() {
    // Texts first: they are matched against the old names the model still holds.
    Schema& s = s_;
    std::vector<std::pair<std::string*, TextCtx>> texts;
    ForEachText(s, d_, [&](std::string& text, const TextCtx& ctx) {
      if (!text.empty()) texts.emplace_back(&text, ctx);
    });
    std::set<std::string> noted;
    for (auto& [text, ctx] : texts) *text = Rewrite(*text, ctx, &noted);
    switch (t_.kind) {
      case Target::kSchema: RenameSchema(); break;
      case Target::kTable: RenameTable(); break;
      case Target::kColumn: RenameColumn(); break;
    }
  }

 private:
  std::string Rewrite(const std::string& text, const TextCtx& ctx, std::set<std::string>* noted) {
    TextScan scan(s_, d_, text, ctx);
    const std::vector<Token>& toks = scan.toks();
    std::vector<Edit> edits;
    std::vector<int> refs;
    std::set<int> columns_of;  // tables whose columns an unqualified name may be
    if (t_.kind == Target::kColumn) {
      refs = scan.ReferencesLists();
      if (ctx.own >= 0) columns_of.insert(ctx.own);
      if (ctx.kind == TextKind::kFree) {
        scan.FindReferences();
        columns_of.insert(scan.referenced().begin(), scan.referenced().end());
      }
    }
    bool unqualified_column = false;
    for (size_t i = 0; i < toks.size(); ++i) {
      const Token& tok = toks[i];
      if (tok.kind == Token::Kind::kString) {
        RewriteRegclass(toks, i, ctx, &edits);
        continue;
      }
      if (!TokNames(tok, t_.name, d_)) continue;
      bool rewrite = false;
      switch (t_.kind) {
        case Target::kSchema: rewrite = IsSchemaAt(scan, i, ctx); break;
        case Target::kTable: rewrite = IsTableAt(scan, i, ctx); break;
        case Target::kColumn: {
          if (scan.NextDot(i)) break;  // a qualifier, not a column
          if (refs[i] != -2) {
            rewrite = refs[i] == t_.table;
            break;
          }
          int q = scan.Qualifier(i);
          if (q < 0) {
            rewrite = columns_of.count(t_.table) > 0;
            unqualified_column |= rewrite;
            break;
          }
          int qt = scan.TableAt(static_cast<size_t>(q));
          if (qt < 0) qt = scan.Alias(toks[q]);
          if (qt < 0 && (IsWord(toks[q], "NEW") || IsWord(toks[q], "OLD"))) qt = ctx.own;
          rewrite = qt >= 0 ? qt == t_.table : columns_of.count(t_.table) > 0;
          break;
        }
      }
      if (rewrite) edits.push_back({tok.begin, tok.end, Spell(tok, t_.new_name, d_)});
    }
    if (unqualified_column && ctx.kind == TextKind::kFree && !noted->count(ctx.what)) {
      for (int other : columns_of) {
        if (other == t_.table) continue;
        const Table& o = s_.tables[other];
        bool has = std::any_of(o.columns.begin(), o.columns.end(),
                               [&](const Column& c) { return SameName(c.name, t_.name, d_); });
        if (!has) continue;
        noted->insert(ctx.what);
        notes_->push_back(
            fmt::format("{}: reads {} and {}, which both have a column {}; every unqualified {} "
                        "was renamed to {}: check it",
                        ctx.what, QualifiedName(s_.tables[t_.table].schema, s_.tables[t_.table].name),
                        QualifiedName(o.schema, o.name), t_.name, t_.name, t_.new_name));
        break;
      }
    }
    return edits.empty() ? text : ApplyEdits(text, std::move(edits));
  }

  static bool IsSchemaAt(const TextScan& scan, size_t i, const TextCtx& ctx) {
    const std::vector<Token>& toks = scan.toks();
    if (ctx.schema_object) return true;
    if (scan.NextDot(i) && !scan.PrevDot(i)) return true;
    if (i > 0 && IsWord(toks[i - 1], "SCHEMA")) return true;  // COMMENT ON SCHEMA s, GRANT ... ON SCHEMA s
    return i >= 4 && IsWord(toks[i - 1], "EXISTS") && IsWord(toks[i - 3], "IF") && IsWord(toks[i - 4], "SCHEMA");
  }

  bool IsTableAt(const TextScan& scan, size_t i, const TextCtx& ctx) const {
    const std::vector<Token>& toks = scan.toks();
    int q = scan.Qualifier(i);
    if (q >= 0) return !scan.PrevDot(static_cast<size_t>(q)) && scan.QualifierIsSchema(toks[q], t_.schema);
    if (scan.PrevDot(i) || ctx.schema != t_.schema) return false;
    // Outside free text a bare name is a table only where the grammar puts
    // one, so a column that shares the table's name is left alone.
    bool qualifier = scan.NextDot(i);
    auto after = [&](const char* w) { return i > 0 && IsWord(toks[i - 1], w); };
    switch (ctx.kind) {
      case TextKind::kFree: return true;
      case TextKind::kTableDdl: return qualifier || after("TABLE") || after("EXISTS") || after("REFERENCES");
      case TextKind::kIndexDdl: return qualifier || after("ON");
      case TextKind::kExpr: return qualifier;
    }
    return false;
  }

  // PostgreSQL names relations inside strings in 'schema.name'::regclass
  // (sequence defaults); those strings are references, not data.
  void RewriteRegclass(const std::vector<Token>& toks, size_t i, const TextCtx& ctx, std::vector<Edit>* edits) const {
    if (t_.kind == Target::kColumn || toks[i].quote != '\'' || i + 2 >= toks.size()) return;
    if (toks[i + 1].kind != Token::Kind::kCast || !IsWord(toks[i + 2], "regclass")) return;
    std::vector<std::string> parts = SplitQualified(toks[i].text);
    bool hit = false;
    if (t_.kind == Target::kSchema) {
      hit = parts.size() == 2 && SameName(parts[0], t_.name, d_);
      if (hit) parts[0] = t_.new_name;
    } else {
      hit = SameName(parts.back(), t_.name, d_) &&
            (parts.size() == 2 ? SameName(parts[0], t_.schema, d_) : parts.size() == 1 && ctx.schema == t_.schema);
      if (hit) parts.back() = t_.new_name;
    }
    if (!hit) return;
    std::string name;
    for (size_t p = 0; p < parts.size(); ++p) {
      name += (p ? "." : "") + (IsPlainName(parts[p], d_) ? parts[p] : Quote(parts[p], '"'));
    }
    std::string literal = "'";
    for (char c : name) literal += c == '\'' ? std::string("''") : std::string(1, c);
    edits->push_back({toks[i].begin, toks[i].end, literal + "'"});
  }

  void RenameSchema() {
    auto fix = [&](std::string& schema) {
      if (schema == t_.name) schema = t_.new_name;
    };
    for (Table& t : s_.tables) {
      fix(t.schema);
      for (ForeignKey& fk : t.foreign_keys) fix(fk.ref_schema);
    }
    for (Index& x : s_.indexes) fix(x.schema);
    for (View& v : s_.views) fix(v.schema);
    for (Trigger& t : s_.triggers) fix(t.schema);
    for (Sequence& q : s_.sequences) fix(q.schema);
    for (NativeObject& o : s_.objects) {
      fix(o.schema);
      if (o.kind == "schema") fix(o.name);
    }
  }

  void RenameTable() {
    Table& table = s_.tables[t_.table];
    const std::string schema = table.schema, old = table.name;
    auto fix = [&](const std::string& in_schema, std::string& name) {
      if (in_schema == schema && name == old) name = t_.new_name;
    };
    for (Table& t : s_.tables) {
      for (ForeignKey& fk : t.foreign_keys) fix(fk.ref_schema.empty() ? t.schema : fk.ref_schema, fk.ref_table);
    }
    for (Index& x : s_.indexes) fix(x.schema, x.table);
    for (Trigger& t : s_.triggers) fix(t.schema, t.table);
    for (Sequence& q : s_.sequences) {
      fix(q.schema, q.owner_table);
      if (d_.sequences_named_after_tables) fix(q.schema, q.name);
    }
    for (NativeObject& o : s_.objects) fix(o.schema, o.table);
    table.name = t_.new_name;
  }

  void RenameColumn() {
    Table& table = s_.tables[t_.table];
    const std::string& old = t_.name;
    auto fix = [&](std::string& name) {
      if (name == old) name = t_.new_name;
    };
    for (Column& c : table.columns) fix(c.name);
    if (table.primary_key) std::for_each(table.primary_key->columns.begin(), table.primary_key->columns.end(), fix);
    for (KeyConstraint& k : table.uniques) std::for_each(k.columns.begin(), k.columns.end(), fix);
    for (ForeignKey& fk : table.foreign_keys) std::for_each(fk.columns.begin(), fk.columns.end(), fix);
    for (Table& t : s_.tables) {
      for (ForeignKey& fk : t.foreign_keys) {
        if ((fk.ref_schema.empty() ? t.schema : fk.ref_schema) == table.schema && fk.ref_table == table.name) {
          std::for_each(fk.ref_columns.begin(), fk.ref_columns.end(), fix);
        }
      }
    }
    // Options keyed by column ("identity:<column>").
    std::map<std::string, std::string> options;
    for (auto& [key, value] : table.options) {
      size_t colon = key.find(':');
      bool keyed = colon != std::string::npos && key.compare(colon + 1, std::string::npos, old) == 0;
      options[keyed ? key.substr(0, colon + 1) + t_.new_name : key] = value;
    }
    table.options = std::move(options);
    for (Index& x : s_.indexes) {
      if (x.schema != table.schema || x.table != table.name) continue;
      for (IndexKey& k : x.keys) fix(k.column);
    }
    for (Sequence& q : s_.sequences) {
      if (q.schema == table.schema && q.owner_table == table.name) fix(q.owner_column);
    }
  }

  Schema& s_;
  const SourceDialect& d_;
  const Target& t_;
  std::vector<std::string>* notes_;
};

}  // namespace

void Rename(Schema* s, const SourceDialect& d, const Target& t, std::vector<std::string>* notes) {
  Renamer(s, d, t, notes).Run();
}

}  // namespace decant::selection_internal
