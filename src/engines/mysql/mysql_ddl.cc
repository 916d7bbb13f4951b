#include "engines/mysql/mysql_ddl.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "core/ascii.h"
#include "core/utf8.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_endpoint.h"
#include "mapping/sql_translate.h"

namespace decant::mysql_internal {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A line of SHOW CREATE TABLE output that starts a new element. Anything
// else (an expression or comment that held a newline) continues the last one.
bool StartsElement(std::string_view line) {
  if (!StartsWith(line, "  ")) return false;
  std::string_view s = line.substr(2);
  for (std::string_view p : {"`", "PRIMARY KEY", "UNIQUE KEY", "KEY ", "FULLTEXT KEY", "SPATIAL KEY", "CONSTRAINT ",
                             "INDEX ", "UNIQUE INDEX", "PERIOD FOR", "FOREIGN KEY", "CHECK ("}) {
    if (StartsWith(s, p)) return true;
  }
  return false;
}

struct Parsed {
  std::string head;  // "CREATE TABLE `t` ("
  std::vector<std::string> elements;
  std::string tail;  // ") ENGINE=..."
};

Parsed Parse(const std::string& ddl) {
  Parsed p;
  size_t first_nl = ddl.find('\n');
  size_t tail_at = ddl.rfind("\n)");
  if (first_nl == std::string::npos || tail_at == std::string::npos || tail_at < first_nl) {
    p.head = ddl;  // not the shape SHOW CREATE TABLE prints; run it unchanged
    return p;
  }
  p.head = ddl.substr(0, first_nl);
  p.tail = ddl.substr(tail_at + 1);
  std::string_view body(ddl.data() + first_nl + 1, tail_at - first_nl - 1);
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view line = body.substr(pos, nl - pos);
    if (p.elements.empty() || StartsElement(line)) {
      p.elements.emplace_back(line);
    } else {
      p.elements.back() += "\n";
      p.elements.back() += line;
    }
    pos = nl + 1;
  }
  for (std::string& e : p.elements) {
    if (!e.empty() && e.back() == ',') e.pop_back();
    if (StartsWith(e, "  ")) e.erase(0, 2);
  }
  return p;
}

// "`a`,`b`".
std::string QuotedList(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s.append(s.empty() ? "" : ",").append(QuoteIdent(n));
  return s;
}

std::string Assemble(const Parsed& p, const std::vector<std::string>& elements) {
  std::string out = p.head + "\n";
  for (size_t i = 0; i < elements.size(); ++i) out += "  " + elements[i] + (i + 1 < elements.size() ? ",\n" : "\n");
  return out + p.tail;
}

std::string TypeFor(const Column& c, bool in_key) {
  return MysqlTraits().declare_column(c, MysqlTraits().values, in_key).type_sql;  // mysql_traits.cc
}

}  // namespace

std::vector<std::string> CreateTableClauses(const std::string& ddl) { return Parse(ddl).elements; }

std::string ClauseName(const std::string& clause) {
  size_t q = clause.find('`');
  if (q == std::string::npos) return "";
  std::string name;
  for (size_t i = q + 1; i < clause.size(); ++i) {
    if (clause[i] == '`') {
      if (i + 1 < clause.size() && clause[i + 1] == '`') {
        name.push_back('`');
        ++i;
        continue;
      }
      return name;
    }
    name.push_back(clause[i]);
  }
  return "";
}

SplitTable SplitCreateTable(const std::string& ddl, const std::string& auto_increment_column) {
  Parsed p = Parse(ddl);
  SplitTable out;
  if (p.elements.empty()) {
    out.create = ddl;
    return out;
  }
  std::vector<std::string> keep;
  bool ai_key_kept = auto_increment_column.empty();
  const std::string ai_first = std::string("(").append(QuoteIdent(auto_increment_column));
  for (const std::string& e : p.elements) {
    if (StartsWith(e, "PRIMARY KEY") && !ai_key_kept && StartsWith(e.substr(12), ai_first)) ai_key_kept = true;
  }
  for (const std::string& e : p.elements) {
    bool key = StartsWith(e, "UNIQUE KEY") || StartsWith(e, "KEY ") || StartsWith(e, "SPATIAL KEY");
    if (key && !ai_key_kept) {
      size_t paren = e.find(" (`");
      if (paren != std::string::npos && StartsWith(std::string_view(e).substr(paren + 1), ai_first)) {
        ai_key_kept = true;
        keep.push_back(e);
        continue;
      }
    }
    if (key) {
      out.keys.push_back(e);
    } else if (StartsWith(e, "FULLTEXT KEY")) {
      out.fulltext.push_back(e);
    } else if (StartsWith(e, "CONSTRAINT ") && e.find(" FOREIGN KEY (") != std::string::npos) {
      out.foreign_keys.push_back(e);
    } else {
      keep.push_back(e);
    }
  }
  out.create = Assemble(p, keep);
  return out;
}

std::string StripDefiner(const std::string& ddl) {
  size_t at = ddl.find("DEFINER=");
  // Only in the statement's head, before the body could mention the word.
  size_t head_end = ddl.find(" AS ");
  if (at == std::string::npos || (head_end != std::string::npos && at > head_end)) return ddl;
  size_t i = at + 8;
  // user@host, each part backquoted or plain, possibly "CURRENT_USER".
  auto skip_part = [&]() {
    if (i < ddl.size() && ddl[i] == '`') {
      for (++i; i < ddl.size(); ++i) {
        if (ddl[i] == '`') {
          if (i + 1 < ddl.size() && ddl[i + 1] == '`') {
            ++i;
            continue;
          }
          ++i;
          break;
        }
      }
    } else if (i < ddl.size() && ddl[i] == '\'') {
      for (++i; i < ddl.size() && ddl[i] != '\''; ++i) {
      }
      ++i;
    } else {
      while (i < ddl.size() && ddl[i] != '@' && ddl[i] != ' ') ++i;
    }
  };
  skip_part();
  if (i < ddl.size() && ddl[i] == '@') {
    ++i;
    skip_part();
  }
  size_t end = i < ddl.size() && ddl[i] == ' ' ? i + 1 : i;
  return ddl.substr(0, at) + ddl.substr(end);
}

std::string GenericCreateTable(const Table& t, const Dialect& source) {
  std::set<std::string> key_columns;
  if (t.primary_key) key_columns.insert(t.primary_key->columns.begin(), t.primary_key->columns.end());
  for (const auto& u : t.uniques) key_columns.insert(u.columns.begin(), u.columns.end());
  for (const auto& fk : t.foreign_keys) key_columns.insert(fk.columns.begin(), fk.columns.end());
  std::vector<std::string> elements;
  for (const Column& c : t.columns) {
    if (c.generated_expr) continue;  // another dialect's expression: not translated
    std::string e = QuoteIdent(c.name) + " " + TypeFor(c, key_columns.count(c.name) > 0);
    if (!c.nullable) e += " NOT NULL";
    if (c.default_expr && !c.auto_increment) {
      if (auto d = TranslateDefault(*c.default_expr, c.type.logical, source, MysqlTraits().dialect))
        e += " DEFAULT " + *d;
    }
    if (!c.on_update.empty()) {
      if (auto d = TranslateDefault(c.on_update, c.type.logical, source, MysqlTraits().dialect))
        e += " ON UPDATE " + *d;
    }
    if (c.auto_increment && t.primary_key && t.primary_key->columns.size() == 1 &&
        t.primary_key->columns[0] == c.name &&
        (c.type.logical == LogicalType::kInt16 || c.type.logical == LogicalType::kInt32 ||
         c.type.logical == LogicalType::kInt64 || c.type.logical == LogicalType::kUInt64)) {
      e += " AUTO_INCREMENT";
    }
    elements.push_back(std::move(e));
  }
  if (t.primary_key && !t.primary_key->columns.empty())
    elements.push_back("PRIMARY KEY (" + QuotedList(t.primary_key->columns) + ")");
  for (const auto& u : t.uniques) {
    elements.push_back("UNIQUE KEY " + (u.name.empty() ? "" : QuoteIdent(u.name) + " ") + "(" + QuotedList(u.columns) +
                       ")");
  }
  Parsed p;
  p.head = "CREATE TABLE " + QuoteIdent(t.name) + " (";
  p.tail = ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  return Assemble(p, elements);
}

namespace {

// "`c`", "`c`(255) DESC": a key on a column of `t`.
std::string PlainKeyPart(const Table& t, const IndexKey& k) {
  const Column* col = nullptr;
  for (const Column& c : t.columns) {
    if (c.name == k.column) col = &c;
  }
  std::string part = QuoteIdent(k.column);
  // TEXT/BLOB columns can only be indexed by a prefix.
  if (col && TypeFor(*col, false).find("LONG") == 0) part += "(255)";
  return part + (k.descending ? " DESC" : "");
}

// '$.a."b c"': members that are not identifiers as JSON strings, the whole
// path as a MySQL string literal (quotes and backslashes escaped).
std::string JsonPathLiteral(const std::vector<std::string>& path) {
  std::string text = "$";
  for (const std::string& member : path) {
    bool ident = !member.empty() && !std::isdigit(static_cast<unsigned char>(member[0]));
    for (char ch : member) ident = ident && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$');
    text += "." + (ident ? member : nlohmann::json(member).dump());
  }
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'' || ch == '\\') out.push_back(ch);
    out.push_back(ch);
  }
  return out + "'";
}

// `<column>_<members>`: ASCII other than letters, digits and '_' becomes '_';
// cut to 61 bytes (on a UTF-8 boundary) to leave room for a "_<n>" suffix.
std::string GeneratedColumnName(const IndexKey& k, const std::vector<std::string>& taken) {
  std::string base = k.column;
  for (const std::string& member : k.json_path) base += "_" + member;
  for (char& ch : base) {
    auto u = static_cast<unsigned char>(ch);
    if (u < 0x80 && !std::isalnum(u) && ch != '_') ch = '_';
  }
  base = std::string(Utf8Cut(base, 61));
  auto used = [&](const std::string& name) {
    for (const std::string& t : taken) {
      if (EqualsIgnoreCaseAscii(t, name)) return true;
    }
    return false;
  };
  std::string name = base;
  for (int n = 2; used(name); ++n) name = base + "_" + std::to_string(n);
  return name;
}

}  // namespace

std::vector<std::string> JsonPathIndexClauses(const Table& t, const Index& index, std::vector<std::string>* taken) {
  std::vector<std::string> clauses;
  std::vector<std::string> names = *taken;  // *taken grows only when the index is written
  std::string keys;
  size_t prefix = 768 / std::max<size_t>(1, index.keys.size());
  for (const IndexKey& k : index.keys) {
    if (k.column.empty()) return {};  // an expression: another dialect's
    std::string part;
    if (k.json_path.empty()) {
      part = PlainKeyPart(t, k);
    } else {
      std::string column = GeneratedColumnName(k, names);
      names.push_back(column);
      clauses.push_back("COLUMN " + QuoteIdent(column) + " LONGTEXT AS (json_unquote(json_extract(" +
                        QuoteIdent(k.column) + ", " + JsonPathLiteral(k.json_path) + "))) VIRTUAL");
      part =
          QuoteIdent(column) + (index.unique ? "" : "(" + std::to_string(prefix) + ")") + (k.descending ? " DESC" : "");
    }
    keys += (keys.empty() ? "" : ",") + part;
  }
  clauses.push_back(std::string(index.unique ? "UNIQUE KEY " : "KEY ") + QuoteIdent(index.name) + " (" + keys + ")");
  *taken = std::move(names);
  return clauses;
}

std::string GenericIndexClause(const Table& t, const Index& index) {
  std::string keys;
  for (const IndexKey& k : index.keys) {
    // Expression keys are another dialect's; JSON field keys need generated
    // columns (JsonPathIndexClauses).
    if (k.column.empty() || !k.json_path.empty()) return "";
    keys += (keys.empty() ? "" : ",") + PlainKeyPart(t, k);
  }
  if (keys.empty()) return "";
  return std::string(index.unique ? "UNIQUE KEY " : "KEY ") + QuoteIdent(index.name) + " (" + keys + ")";
}

std::string ForeignKeyClause(const ForeignKey& fk) {
  std::string out = fk.name.empty() ? "" : "CONSTRAINT " + QuoteIdent(fk.name) + " ";
  out += "FOREIGN KEY (" + QuotedList(fk.columns) + ") REFERENCES ";
  if (!fk.ref_schema.empty()) out += QuoteIdent(fk.ref_schema) + ".";
  out += QuoteIdent(fk.ref_table);
  if (!fk.ref_columns.empty()) out += " (" + QuotedList(fk.ref_columns) + ")";
  if (fk.on_delete != FkAction::kNoAction) out += std::string(" ON DELETE ") + FkActionName(fk.on_delete);
  if (fk.on_update != FkAction::kNoAction) out += std::string(" ON UPDATE ") + FkActionName(fk.on_update);
  return out;
}

SplitTable TableStatements(const Schema& schema, const Table& t, const EngineTraits& source,
                           std::vector<std::string>* skipped) {
  if (schema.engine == MysqlTraits().name && !t.native_ddl.empty()) {
    std::string ai;
    for (const Column& c : t.columns) {
      if (c.auto_increment) ai = c.name;
    }
    return SplitCreateTable(t.native_ddl, ai);
  }
  SplitTable split;
  split.create = GenericCreateTable(t, source.dialect);
  std::vector<std::string> taken;
  for (const Column& c : t.columns) taken.push_back(c.name);
  for (const Index& i : schema.indexes) {
    if (i.table != t.name || i.schema != t.schema) continue;
    bool json = false;
    for (const IndexKey& k : i.keys) json = json || (!k.column.empty() && !k.json_path.empty());
    if (json) {
      std::vector<std::string> clauses = JsonPathIndexClauses(t, i, &taken);
      if (clauses.empty()) {
        skipped->push_back(i.name);
      } else {
        split.json_indexes.push_back({i.name, i.unique, std::move(clauses)});
      }
      continue;
    }
    std::string clause = GenericIndexClause(t, i);
    if (clause.empty()) {
      skipped->push_back(i.name);
    } else {
      split.keys.push_back(clause);
    }
  }
  for (ForeignKey fk : t.foreign_keys) {
    fk.ref_schema = TargetRefSchema(t, fk);
    split.foreign_keys.push_back(ForeignKeyClause(fk));
  }
  return split;
}

std::string TargetRefSchema(const Table& table, const ForeignKey& fk) {
  if (fk.ref_schema == table.schema || fk.ref_schema == "public" || fk.ref_schema == "main") return "";
  return fk.ref_schema;
}

std::optional<std::string> ViewDdl(const Schema& schema, const View& view, const EngineTraits& source) {
  if (schema.engine == MysqlTraits().name) return view.native_ddl;
  std::optional<std::string> query = TranslateView(schema, view, source.dialect, MysqlTraits().dialect);
  if (!query) return std::nullopt;
  return "CREATE VIEW " + QuoteIdent(view.name) + " AS " + *query;
}

std::string AlterAdd(const std::string& alter, const std::vector<std::string>& clauses) {
  std::string sql = alter;
  for (size_t i = 0; i < clauses.size(); ++i) sql += (i ? ", ADD " : " ADD ") + clauses[i];
  return sql;
}

std::vector<DdlStatement> SchemaStatements(const Schema& schema, const EngineTraits& source) {
  std::vector<DdlStatement> tables, keys, fks, checks, counters, last;
  bool native = schema.engine == MysqlTraits().name;
  auto names = [](const std::vector<std::string>& clauses) {
    std::string out;
    for (const std::string& c : clauses) out += (out.empty() ? "" : ", ") + ClauseName(c);
    return out;
  };
  for (const Table& t : schema.tables) {
    std::vector<std::string> skipped;
    SplitTable split = TableStatements(schema, t, source, &skipped);
    tables.push_back(DdlStatement::Make("table", t.name, t.name, split.create));
    for (const std::string& index : skipped) {
      DdlStatement s = DdlStatement::Make("index", index, t.name, "");
      s.note = "expression keys are not translated";
      tables.push_back(std::move(s));
    }
    std::string alter = "ALTER TABLE " + QuoteIdent(t.name);
    std::vector<std::string> unique, plain;
    for (const std::string& k : split.keys) (StartsWith(k, "UNIQUE ") ? unique : plain).push_back(k);
    if (!unique.empty()) {
      keys.push_back(DdlStatement::Make("unique index", names(unique), t.name, AlterAdd(alter, unique)));
      keys.back().count = unique.size();
    }
    if (!plain.empty()) {
      keys.push_back(DdlStatement::Make("index", names(plain), t.name, AlterAdd(alter, plain)));
      keys.back().count = plain.size();
    }
    // InnoDB builds one FULLTEXT index per ALTER.
    for (const std::string& f : split.fulltext)
      keys.push_back(DdlStatement::Make("index", ClauseName(f), t.name, AlterAdd(alter, {f})));
    // An index on JSON fields with its generated columns: refused together.
    for (const SplitTable::JsonIndex& j : split.json_indexes) {
      keys.push_back(
          DdlStatement::Make(j.unique ? "unique index" : "index", j.name, t.name, AlterAdd(alter, j.clauses)));
    }
    // CHECKs of another engine's table, after the data (the load session does
    // not check them); one whose expression does not translate is named.
    if (!native) {
      for (const CheckConstraint& c : t.checks) {
        std::optional<std::string> expr = TranslateCheck(schema, c, source.dialect, MysqlTraits().dialect);
        std::string add = c.name.empty() ? "ADD CHECK (" : "ADD CONSTRAINT " + QuoteIdent(c.name) + " CHECK (";
        DdlStatement s = DdlStatement::Make("check", c.name, t.name, expr ? alter + " " + add + *expr + ")" : "");
        if (!expr) s.note = "(" + c.expression + ") does not translate from " + std::string(source.name);
        checks.push_back(std::move(s));
      }
    }
    if (!split.foreign_keys.empty()) {
      fks.push_back(
          DdlStatement::Make("foreign key", names(split.foreign_keys), t.name, AlterAdd(alter, split.foreign_keys)));
      fks.back().count = split.foreign_keys.size();
    }
  }
  for (const Sequence& q : schema.sequences) {
    const std::string& table = q.owner_table.empty() ? q.name : q.owner_table;
    const Table* t = nullptr;
    for (const Table& c : schema.tables) {
      if (c.name == table) t = &c;
    }
    bool has_ai = false;
    if (t != nullptr) {
      for (const Column& c : t->columns) has_ai |= c.auto_increment;
    }
    int64_t next = q.is_called ? q.last_value + 1 : q.last_value;
    if (!has_ai || next < 1) continue;
    counters.push_back(
        DdlStatement::Make("sequence value", table, table,
                           "ALTER TABLE " + QuoteIdent(table) + " AUTO_INCREMENT = " + std::to_string(next)));
  }
  if (native) {
    // Each keeps the session settings it was created with (mysql_schema.cc reads them into `options`).
    auto keeping = [](DdlStatement s, const std::map<std::string, std::string>& settings) {
      s.settings = settings;
      return s;
    };
    for (const NativeObject& o : schema.objects) {
      if (o.phase == "post-data" && o.kind != "event")
        last.push_back(keeping(DdlStatement::Make(o.kind, o.name, o.table, o.native_ddl), o.options));
    }
    for (const View& v : schema.views)
      last.push_back(keeping(DdlStatement::Make("view", v.name, "", v.native_ddl), v.options));
    for (const Trigger& t : schema.triggers)
      last.push_back(keeping(DdlStatement::Make("trigger", t.name, t.table, t.native_ddl), t.options));
    for (const NativeObject& o : schema.objects) {
      if (o.kind == "event") last.push_back(keeping(DdlStatement::Make("event", o.name, "", o.native_ddl), o.options));
    }
  } else {
    for (const View& v : schema.views) {
      std::optional<std::string> ddl = ViewDdl(schema, v, source);
      DdlStatement s = DdlStatement::Make("view", v.name, "", ddl.value_or(""));
      if (!ddl) s.note = "its query does not translate from " + schema.engine;
      last.push_back(std::move(s));
    }
    for (const Trigger& t : schema.triggers) {
      DdlStatement s = DdlStatement::Make("trigger", t.name, t.table, "");
      s.note = "not translated from " + schema.engine;
      last.push_back(std::move(s));
    }
  }
  std::vector<DdlStatement> out = std::move(tables);
  for (auto* part : {&keys, &fks, &checks, &counters, &last}) {
    for (DdlStatement& s : *part) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace decant::mysql_internal
