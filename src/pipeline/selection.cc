#include "pipeline/selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>

#include "engines/registry.h"

namespace decant {
namespace {

// ---------------------------------------------------------------- names

char LowerChar(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerChar(a[i]) != LowerChar(b[i])) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerChar(c);
  return out;
}

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

// What the tokenizer and re-quoting need to know of the source's dialect.
struct Dialect {
  bool double_quote_ident = true;  // "x" names an identifier (MySQL: a string)
  bool backquote = true;           // `x`
  bool brackets = true;            // [x]; PostgreSQL and MySQL use [] otherwise
  bool backslash_escapes = false;  // MySQL strings: \' inside '...'
  bool hash_comments = false;      // MySQL: # to end of line
  bool postgres = false;           // $tag$ strings, E'..', unquoted names fold to lower case
  bool exact_names = false;        // PostgreSQL: "Foo" and "foo" are two names
  char quote = '"';                // how a name that needs quoting is quoted
  std::string database;            // MySQL qualifies names with the database's name
};

Dialect DialectOf(const Schema& s) {
  const decant::Dialect& e = EngineNamed(s.engine).dialect;
  Dialect d;
  d.double_quote_ident = e.double_quote_names;
  d.backquote = e.backquote_names;
  d.brackets = e.bracket_names;
  d.backslash_escapes = e.backslash_escapes;
  d.hash_comments = e.hash_comments;
  d.postgres = e.folding == NameFolding::kLower;
  d.exact_names = e.case_sensitive_names;
  d.quote = e.identifier_quote;
  if (e.default_schema.empty()) d.database = s.database;
  return d;
}

// What a name without a schema is qualified with: the engine's default schema
// ("main"), else the database's own name (MySQL).
std::string DefaultQualifier(const Schema& s) {
  std::string_view schema = EngineNamed(s.engine).dialect.default_schema;
  return schema.empty() ? s.database : std::string(schema);
}

// Two names of the model denote the same object (SQLite and MySQL names are
// case-insensitive; PostgreSQL's are not).
bool SameName(const std::string& a, const std::string& b, const Dialect& d) {
  return d.exact_names ? a == b : EqualsIgnoreCase(a, b);
}

// ---------------------------------------------------------------- tokens

struct Tok {
  enum Kind { kWord, kQuoted, kString, kNumber, kPunct };
  Kind kind = kPunct;
  size_t begin = 0, end = 0;  // byte range in the text, quotes included
  std::string text;           // identifiers and strings without their quotes
  char quote = 0;             // the opening quote of kQuoted and kString
};

// PostgreSQL's $tag$...$tag$ string starting at s[i]: appends it to `out`
// and returns true; false if s[i] starts no such string (a $1 parameter).
bool ReadDollarQuoted(std::string_view s, size_t i, std::vector<Tok>* out) {
  size_t n = s.size(), j = i + 1;
  while (j < n && s[j] != '$' && IsIdentChar(static_cast<unsigned char>(s[j]))) ++j;
  if (j >= n || s[j] != '$') return false;
  if (j > i + 1 && !IsIdentStart(static_cast<unsigned char>(s[i + 1]))) return false;
  std::string_view tag = s.substr(i, j - i + 1);
  size_t close = s.find(tag, j + 1);
  Tok t;
  t.kind = Tok::kString;
  t.begin = i;
  t.quote = '$';
  size_t body_end = close == std::string_view::npos ? n : close;
  t.text = std::string(s.substr(j + 1, body_end - j - 1));
  t.end = close == std::string_view::npos ? n : close + tag.size();
  out->push_back(std::move(t));
  return true;
}

// Splits `s` into tokens, skipping whitespace and comments. Never fails: an
// unterminated quote takes the rest of the text.
std::vector<Tok> Tokenize(std::string_view s, const Dialect& d) {
  std::vector<Tok> out;
  size_t i = 0, n = s.size();
  auto quoted = [&](size_t start, size_t open, char close, bool backslash, Tok::Kind kind) {
    Tok t;
    t.kind = kind;
    t.begin = start;
    t.quote = s[open];
    size_t j = open + 1;
    while (j < n) {
      char c = s[j];
      if (backslash && c == '\\' && j + 1 < n) {
        t.text.push_back(s[j + 1]);
        j += 2;
        continue;
      }
      if (c == close) {
        if (close != ']' && j + 1 < n && s[j + 1] == close) {
          t.text.push_back(close);
          j += 2;
          continue;
        }
        ++j;
        break;
      }
      t.text.push_back(c);
      ++j;
    }
    t.end = j;
    out.push_back(std::move(t));
    i = j;
  };
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
    } else if ((c == '-' && i + 1 < n && s[i + 1] == '-') || (c == '#' && d.hash_comments)) {
      size_t e = s.find('\n', i);
      i = e == std::string_view::npos ? n : e + 1;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 2;
    } else if (c == '\'') {
      quoted(i, i, '\'', d.backslash_escapes, Tok::kString);
    } else if (c == '"') {
      quoted(i, i, '"', d.backslash_escapes && !d.double_quote_ident,
             d.double_quote_ident ? Tok::kQuoted : Tok::kString);
    } else if (c == '`' && d.backquote) {
      quoted(i, i, '`', false, Tok::kQuoted);
    } else if (c == '[' && d.brackets) {
      quoted(i, i, ']', false, Tok::kQuoted);
    } else if (c == '$' && d.postgres && ReadDollarQuoted(s, i, &out)) {
      i = out.back().end;
    } else if (IsIdentStart(c)) {
      size_t j = i;
      while (j < n && IsIdentChar(static_cast<unsigned char>(s[j]))) ++j;
      if (d.postgres && j == i + 1 && (c == 'E' || c == 'e') && j < n && s[j] == '\'') {
        quoted(i, j, '\'', true, Tok::kString);  // E'...' takes backslash escapes
        continue;
      }
      Tok t;
      t.kind = Tok::kWord;
      t.begin = i;
      t.end = j;
      t.text = std::string(s.substr(i, j - i));
      out.push_back(std::move(t));
      i = j;
    } else if (std::isdigit(c)) {
      size_t j = i;
      while (j < n && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '_')) ++j;
      out.push_back({Tok::kNumber, i, j, std::string(s.substr(i, j - i)), 0});
      i = j;
    } else {
      out.push_back({Tok::kPunct, i, i + 1, std::string(1, static_cast<char>(c)), 0});
      ++i;
    }
  }
  return out;
}

bool IsIdent(const Tok& t) { return t.kind == Tok::kWord || t.kind == Tok::kQuoted; }
bool IsWord(const Tok& t, std::string_view w) { return t.kind == Tok::kWord && EqualsIgnoreCase(t.text, w); }
bool IsPunct(const Tok& t, char c) { return t.kind == Tok::kPunct && t.text[0] == c; }

// A bare name matches whatever its case; a quoted one exactly where the
// engine's names are case-sensitive.
bool TokNames(const Tok& t, std::string_view name, const Dialect& d) {
  if (t.kind == Tok::kWord) return EqualsIgnoreCase(t.text, name);
  if (t.kind == Tok::kQuoted) return d.exact_names ? t.text == name : EqualsIgnoreCase(t.text, name);
  return false;
}

size_t MatchParen(const std::vector<Tok>& toks, size_t open) {
  int depth = 0;
  for (size_t i = open; i < toks.size(); ++i) {
    if (IsPunct(toks[i], '(')) ++depth;
    if (IsPunct(toks[i], ')') && --depth == 0) return i;
  }
  return toks.size();
}

bool IsReserved(std::string_view w) {
  static const std::set<std::string> kWords = {
      "all",     "alter",      "and",     "as",     "asc",       "between", "by",     "case",  "check",    "collate",
      "column",  "constraint", "create",  "cross",  "current",   "default", "delete", "desc",  "distinct", "drop",
      "else",    "end",        "except",  "exists", "for",       "foreign", "from",   "full",  "group",    "having",
      "in",      "index",      "inner",   "insert", "intersect", "into",    "is",     "join",  "key",      "left",
      "like",    "limit",      "natural", "not",    "null",      "offset",  "on",     "or",    "order",    "outer",
      "primary", "references", "right",   "select", "set",       "table",   "then",   "to",    "trigger",  "union",
      "unique",  "update",     "user",    "using",  "values",    "view",    "when",   "where", "with"};
  return kWords.count(Lower(w)) > 0;
}

// True if `name` can be written without quotes and still mean itself.
bool IsPlainName(const std::string& name, const Dialect& d) {
  if (name.empty() || !IsIdentStart(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '_')) return false;
    if (d.postgres && std::isupper(c)) return false;  // would fold to lower case
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
std::string Spell(const Tok& t, const std::string& name, const Dialect& d) {
  if (t.kind == Tok::kQuoted) return Quote(name, t.quote);
  return IsPlainName(name, d) ? name : Quote(name, d.quote);
}

struct Edit {
  size_t begin, end;
  std::string text;
};

std::string ApplyEdits(std::string text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  for (const Edit& e : edits) text.replace(e.begin, e.end - e.begin, e.text);
  return text;
}

// Splits "a.b", "\"a.b\".c" into parts; double quotes group.
std::vector<std::string> SplitQualified(const std::string& s) {
  std::vector<std::string> parts(1);
  bool in_quotes = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      if (in_quotes && i + 1 < s.size() && s[i + 1] == '"') {
        parts.back().push_back('"');
        ++i;
      } else {
        in_quotes = !in_quotes;
      }
    } else if (c == '.' && !in_quotes) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

// ---------------------------------------------------------------- text contexts

// What a piece of SQL text is, which decides where a name in it may refer to
// a table or a column.
enum class TextKind {
  kTableDdl,  // CREATE TABLE: names the table in its header and after REFERENCES
  kIndexDdl,  // CREATE INDEX: names the table after ON
  kExpr,      // a CHECK, default or index expression: tables only as qualifiers
  kFree,      // views, triggers, native objects: any name may be a table
};

struct TextCtx {
  TextKind kind = TextKind::kFree;
  std::string schema;          // the schema the object lives in
  int own = -1;                // the table it belongs to (index into tables), -1 if none
  bool schema_object = false;  // the text creates the schema being renamed
  std::string what;            // "view v", for notes
};

// Calls fn(text, ctx) for every SQL text of `s` that may name a table or
// column: native DDL, view definitions, expressions.
template <typename Fn>
void ForEachText(Schema& s, const Dialect& d, Fn&& fn) {
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

// Reads the names in one SQL text: which tables it refers to and where.
class TextScan {
 public:
  TextScan(const Schema& s, const Dialect& d, const std::string& text, const TextCtx& ctx)
      : s_(s), d_(d), ctx_(ctx), toks_(Tokenize(text, d)) {}

  const std::vector<Tok>& toks() const { return toks_; }
  bool PrevDot(size_t i) const { return i > 0 && IsPunct(toks_[i - 1], '.'); }
  bool NextDot(size_t i) const { return i + 1 < toks_.size() && IsPunct(toks_[i + 1], '.'); }
  // The token qualifying toks[i] ("q" in q.name), or -1.
  int Qualifier(size_t i) const { return PrevDot(i) && i >= 2 && IsIdent(toks_[i - 2]) ? static_cast<int>(i - 2) : -1; }

  // True if `q` qualifies a name in schema `schema` (SQLite's main database
  // and MySQL's database have no schema name in the model).
  bool QualifierIsSchema(const Tok& q, const std::string& schema) const {
    if (!schema.empty()) return TokNames(q, schema, d_);
    return TokNames(q, "main", d_) || (!d_.database.empty() && TokNames(q, d_.database, d_));
  }

  // The table named by toks[i] with its qualifier, if any; -1 if none.
  int TableAt(size_t i) const {
    if (!IsIdent(toks_[i])) return -1;
    int q = Qualifier(i);
    if (PrevDot(i) && q < 0) return -1;
    for (size_t t = 0; t < s_.tables.size(); ++t) {
      const Table& table = s_.tables[t];
      if (!TokNames(toks_[i], table.name, d_)) continue;
      if (q >= 0 ? QualifierIsSchema(toks_[q], table.schema) : table.schema == ctx_.schema) {
        return static_cast<int>(t);
      }
    }
    return -1;
  }

  // Tables a free text refers to, and the aliases it gives them.
  void FindReferences() {
    static const std::set<std::string> kNotAlias = {
        "where",   "join",   "on",     "left",    "right",         "inner",   "outer",     "cross",     "full",
        "natural", "group",  "order",  "limit",   "union",         "except",  "intersect", "using",     "having",
        "window",  "set",    "values", "select",  "from",          "offset",  "for",       "returning", "default",
        "begin",   "end",    "when",   "each",    "row",           "instead", "of",        "after",     "before",
        "insert",  "update", "delete", "lateral", "straight_join", "use",     "force",     "ignore",    "partition",
        "as",      "and",    "or",     "not",     "into",          "with",    "fetch"};
    for (size_t i = 0; i < toks_.size(); ++i) {
      int t = TableAt(i);
      if (t < 0) continue;
      referenced_.insert(t);
      if (NextDot(i)) continue;
      size_t j = i + 1;
      if (j < toks_.size() && IsWord(toks_[j], "AS")) ++j;
      if (j < toks_.size() && IsIdent(toks_[j]) && !NextDot(j) &&
          !(j + 1 < toks_.size() && IsPunct(toks_[j + 1], '(')) &&
          !(toks_[j].kind == Tok::kWord && kNotAlias.count(Lower(toks_[j].text)))) {
        aliases_[Lower(toks_[j].text)] = t;
      }
    }
  }
  const std::set<int>& referenced() const { return referenced_; }
  int Alias(const Tok& t) const {
    auto it = aliases_.find(Lower(t.text));
    return it == aliases_.end() ? -1 : it->second;
  }

  // For each token inside "REFERENCES name ( ... )": the table named, else -2.
  std::vector<int> ReferencesLists() const {
    std::vector<int> out(toks_.size(), -2);
    for (size_t i = 0; i < toks_.size(); ++i) {
      if (!IsWord(toks_[i], "REFERENCES")) continue;
      size_t j = i + 1;
      if (j + 2 < toks_.size() && IsPunct(toks_[j + 1], '.')) j += 2;
      if (j + 1 >= toks_.size() || !IsPunct(toks_[j + 1], '(')) continue;
      int t = TableAt(j);
      size_t close = MatchParen(toks_, j + 1);
      for (size_t k = j + 2; k < close; ++k) out[k] = t;
    }
    return out;
  }

 private:
  const Schema& s_;
  const Dialect& d_;
  const TextCtx& ctx_;
  std::vector<Tok> toks_;
  std::set<int> referenced_;
  std::map<std::string, int> aliases_;
};

// ---------------------------------------------------------------- renames

struct Target {
  enum Kind { kSchema, kTable, kColumn } kind = kTable;
  std::string schema;  // kSchema: the old schema name; otherwise the table's schema
  int table = -1;      // kTable, kColumn: index into Schema::tables
  std::string name;    // the old name of the schema, table or column
  std::string new_name;
};

class Renamer {
 public:
  Renamer(Schema* s, const Dialect& d, const Target& t, std::vector<std::string>* notes)
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
    const std::vector<Tok>& toks = scan.toks();
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
      const Tok& tok = toks[i];
      if (tok.kind == Tok::kString) {
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

  bool IsSchemaAt(const TextScan& scan, size_t i, const TextCtx& ctx) const {
    const std::vector<Tok>& toks = scan.toks();
    if (ctx.schema_object) return true;
    if (scan.NextDot(i) && !scan.PrevDot(i)) return true;
    if (i > 0 && IsWord(toks[i - 1], "SCHEMA")) return true;  // COMMENT ON SCHEMA s, GRANT ... ON SCHEMA s
    return i >= 4 && IsWord(toks[i - 1], "EXISTS") && IsWord(toks[i - 3], "IF") && IsWord(toks[i - 4], "SCHEMA");
  }

  bool IsTableAt(const TextScan& scan, size_t i, const TextCtx& ctx) const {
    const std::vector<Tok>& toks = scan.toks();
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
  void RewriteRegclass(const std::vector<Tok>& toks, size_t i, const TextCtx& ctx, std::vector<Edit>* edits) const {
    if (t_.kind == Target::kColumn || toks[i].quote != '\'' || i + 3 >= toks.size()) return;
    if (!IsPunct(toks[i + 1], ':') || !IsPunct(toks[i + 2], ':') || !IsWord(toks[i + 3], "regclass")) return;
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
      if (!d_.postgres) fix(q.schema, q.name);  // SQLite and MySQL counters are named after their table
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
  const Dialect& d_;
  const Target& t_;
  std::vector<std::string>* notes_;
};

// ---------------------------------------------------------------- selection

// Glob with * and ?; `fold` ignores case.
bool Glob(std::string_view p, std::string_view s, bool fold) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  auto eq = [&](char a, char b) { return fold ? LowerChar(a) == LowerChar(b) : a == b; };
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
std::string StripForeignKeys(const Schema& s, const Dialect& d, const Table& table, Pred drop) {
  TextCtx ctx{TextKind::kTableDdl, table.schema, -1, false, ""};
  TextScan scan(s, d, table.native_ddl, ctx);
  const std::vector<Tok>& toks = scan.toks();
  size_t open = 0;
  while (open < toks.size() && !IsPunct(toks[open], '(')) ++open;
  if (open == toks.size()) return table.native_ddl;
  size_t close = MatchParen(toks, open);
  std::vector<std::pair<size_t, size_t>> items;  // [begin, end) token ranges at depth 1
  int depth = 0;
  size_t start = open + 1;
  for (size_t i = open + 1; i < close; ++i) {
    if (IsPunct(toks[i], '(')) ++depth;
    if (IsPunct(toks[i], ')')) --depth;
    if (depth == 0 && IsPunct(toks[i], ',')) {
      items.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < close) items.emplace_back(start, close);
  std::vector<Edit> edits;
  for (size_t k = 0; k < items.size(); ++k) {
    auto [b, e] = items[k];
    if (b >= e) continue;
    depth = 0;
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

// Applies --table and --exclude-table to `source`, filling `out`.
Status Select(const Schema& source, const SelectOptions& options, Selection* out) {
  const Dialect d = DialectOf(source);
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
      const std::vector<Tok>& toks = scan.toks();
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
    bool drop = is_dropped(q.schema, q.owner_table.empty() && !d.postgres ? q.name : q.owner_table);
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

// ---------------------------------------------------------------- resolving --rename

std::set<std::string> SchemaNames(const Schema& s) {
  std::set<std::string> out;
  for (const Table& t : s.tables) out.insert(t.schema);
  for (const View& v : s.views) out.insert(v.schema);
  for (const Index& x : s.indexes) out.insert(x.schema);
  for (const Sequence& q : s.sequences) out.insert(q.schema);
  for (const NativeObject& o : s.objects) {
    out.insert(o.schema);
    if (o.kind == "schema") out.insert(o.name);
  }
  out.erase("");
  return out;
}

// Exact matches if there are any, else case-insensitive ones.
template <typename T, typename Eq>
std::vector<T> ExactElseFolded(const std::vector<T>& all, Eq eq) {
  std::vector<T> out;
  for (bool fold : {false, true}) {
    for (const T& x : all) {
      if (eq(x, fold)) out.push_back(x);
    }
    if (!out.empty()) break;
  }
  return out;
}

bool NameIs(const std::string& a, const std::string& b, bool fold) { return fold ? EqualsIgnoreCase(a, b) : a == b; }

Result<Target> Resolve(const Schema& s, const Dialect& d, const std::string& old_arg, const std::string& new_arg) {
  std::string arg = "--rename " + old_arg + "=" + new_arg;
  std::vector<std::string> parts = SplitQualified(old_arg);
  std::vector<std::string> new_parts = SplitQualified(new_arg);
  if (parts.size() > 3 || std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    return Status::InvalidArgument(arg + ": expected NAME, SCHEMA.TABLE, TABLE.COLUMN or SCHEMA.TABLE.COLUMN");
  }
  if (new_parts.size() > 1) {
    bool same_shape = new_parts.size() == parts.size();
    for (size_t i = 0; same_shape && i + 1 < parts.size(); ++i) same_shape = NameIs(parts[i], new_parts[i], true);
    if (!same_shape) return Status::InvalidArgument(arg + ": only the last part of the name can change");
  }
  Target t;
  t.new_name = new_parts.back();
  if (t.new_name.empty()) return Status::InvalidArgument(arg + ": the new name is empty");

  std::vector<int> all_tables(s.tables.size());
  for (size_t i = 0; i < all_tables.size(); ++i) all_tables[i] = static_cast<int>(i);
  auto schema_of = [&](int i, const std::string& want, bool fold) {
    const std::string& schema = s.tables[i].schema;
    if (!schema.empty()) return NameIs(schema, want, fold);
    return NameIs(want, DefaultQualifier(s), fold);
  };
  auto has_column = [&](int i, const std::string& c, bool fold) {
    const auto& cols = s.tables[i].columns;
    return std::any_of(cols.begin(), cols.end(), [&](const Column& col) { return NameIs(col.name, c, fold); });
  };
  auto column_name = [&](int i, const std::string& c) {
    for (bool fold : {false, true}) {
      for (const Column& col : s.tables[i].columns) {
        if (NameIs(col.name, c, fold)) return col.name;
      }
    }
    return c;
  };
  auto describe = [&](const std::vector<int>& tables) {
    std::vector<std::string> names;
    for (int i : tables) names.push_back(QualifiedName(s.tables[i].schema, s.tables[i].name));
    return fmt::format("{}", fmt::join(names, ", "));
  };

  if (parts.size() == 1) {
    auto tables =
        ExactElseFolded(all_tables, [&](int i, bool fold) { return NameIs(s.tables[i].name, parts[0], fold); });
    std::set<std::string> schema_set = SchemaNames(s);
    std::vector<std::string> all_schemas(schema_set.begin(), schema_set.end());
    auto schemas =
        ExactElseFolded(all_schemas, [&](const std::string& n, bool fold) { return NameIs(n, parts[0], fold); });
    if (!tables.empty() && !schemas.empty()) {
      return Status::InvalidArgument(arg + ": ambiguous: both a table and a schema are called " + parts[0]);
    }
    if (tables.size() > 1) {
      return Status::InvalidArgument(arg + ": ambiguous: tables " + describe(tables) + "; qualify it as SCHEMA.TABLE");
    }
    if (schemas.size() > 1) return Status::InvalidArgument(arg + ": ambiguous: schemas differ only in case");
    if (!tables.empty()) {
      t.kind = Target::kTable;
      t.table = tables[0];
      t.schema = s.tables[t.table].schema;
      t.name = s.tables[t.table].name;
    } else if (!schemas.empty()) {
      t.kind = Target::kSchema;
      t.name = schemas[0];
    } else {
      return Status::InvalidArgument(arg + ": no table or schema called " + parts[0]);
    }
  } else if (parts.size() == 2) {
    std::vector<int> tables, columns;
    for (bool fold : {false, true}) {
      for (int i : all_tables) {
        if (schema_of(i, parts[0], fold) && NameIs(s.tables[i].name, parts[1], fold)) tables.push_back(i);
        if (NameIs(s.tables[i].name, parts[0], fold) && has_column(i, parts[1], fold)) columns.push_back(i);
      }
      if (!tables.empty() || !columns.empty()) break;
    }
    if (!tables.empty() && !columns.empty()) {
      return Status::InvalidArgument(arg + ": ambiguous: both table " + describe(tables) + " and column " + parts[1] +
                                     " of table " + describe(columns));
    }
    if (tables.size() > 1 || columns.size() > 1) {
      return Status::InvalidArgument(arg + ": ambiguous: " + describe(tables.empty() ? columns : tables) +
                                     "; qualify it as SCHEMA.TABLE.COLUMN");
    }
    if (!tables.empty()) {
      t.kind = Target::kTable;
      t.table = tables[0];
      t.name = s.tables[t.table].name;
    } else if (!columns.empty()) {
      t.kind = Target::kColumn;
      t.table = columns[0];
      t.name = column_name(t.table, parts[1]);
    } else {
      return Status::InvalidArgument(arg + ": no table " + old_arg + " and no column " + parts[1] + " in a table " +
                                     parts[0]);
    }
    t.schema = s.tables[t.table].schema;
  } else {
    auto tables = ExactElseFolded(all_tables, [&](int i, bool fold) {
      return schema_of(i, parts[0], fold) && NameIs(s.tables[i].name, parts[1], fold) && has_column(i, parts[2], fold);
    });
    if (tables.empty()) return Status::InvalidArgument(arg + ": no column " + old_arg);
    if (tables.size() > 1) return Status::InvalidArgument(arg + ": ambiguous: " + describe(tables));
    t.kind = Target::kColumn;
    t.table = tables[0];
    t.schema = s.tables[t.table].schema;
    t.name = column_name(t.table, parts[2]);
  }

  // Onto an existing name: refuse rather than merge two objects.
  if (t.new_name == t.name) return t;
  bool self = SameName(t.new_name, t.name, d);  // a change of case only
  switch (t.kind) {
    case Target::kSchema:
      for (const std::string& n : SchemaNames(s)) {
        if (!self && SameName(n, t.new_name, d))
          return Status::InvalidArgument(arg + ": schema " + n + " already exists");
      }
      break;
    case Target::kTable:
      for (const Table& other : s.tables) {
        if (!self && other.schema == t.schema && SameName(other.name, t.new_name, d)) {
          return Status::InvalidArgument(arg + ": table " + QualifiedName(other.schema, other.name) +
                                         " already exists");
        }
      }
      for (const View& v : s.views) {
        if (v.schema == t.schema && SameName(v.name, t.new_name, d)) {
          return Status::InvalidArgument(arg + ": view " + QualifiedName(v.schema, v.name) + " already exists");
        }
      }
      break;
    case Target::kColumn:
      for (const Column& c : s.tables[t.table].columns) {
        if (!self && SameName(c.name, t.new_name, d)) {
          return Status::InvalidArgument(arg + ": table " + QualifiedName(t.schema, s.tables[t.table].name) +
                                         " already has a column " + c.name);
        }
      }
      break;
  }
  return t;
}

}  // namespace

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
  DECANT_RETURN_IF_ERROR(Select(source, options, &out));
  const auto d = DialectOf(source);
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
    Renamer(&out.schema, d, *target, &out.notes).Run();
  }
  return out;
}

}  // namespace decant
