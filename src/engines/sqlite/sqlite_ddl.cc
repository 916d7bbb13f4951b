#include "engines/sqlite/sqlite_ddl.h"

#include <cctype>

#include "core/ascii.h"
#include "engines/sqlite/sqlite_ddl_parse.h"
#include "engines/sqlite/sqlite_endpoint.h"
#include "engines/sqlite/sqlite_util.h"
#include "mapping/sql_translate.h"

namespace decant::sqlite_internal {
namespace {

// Another engine's expression in SQLite's dialect (casts dropped, the
// source's own schema qualifiers removed), or nullopt when it has no meaning
// here (a sequence call).
std::optional<std::string> TranslateExpr(const std::string& expr, const Schema& schema, const EngineTraits& source) {
  return TranslateSql(expr, source.dialect, SqliteTraits().dialect, DefaultQualifiers(source.dialect, schema.database));
}

bool IsSimpleLiteral(const std::string& e) {
  if (e.empty()) return false;
  std::vector<Token> toks = Tokenize(e);
  if (toks.size() == 1) {
    const Token& t = toks[0];
    if (t.kind == Token::Kind::kString || t.kind == Token::Kind::kNumber || t.kind == Token::Kind::kBlob) {
      return true;
    }
    for (std::string_view w : {"NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"}) {
      if (t.kind == Token::Kind::kWord && EqualsIgnoreCaseAscii(t.text, w)) return true;
    }
  }
  return toks.size() == 2 && (toks[0].text == "-" || toks[0].text == "+") && toks[1].kind == Token::Kind::kNumber;
}

std::string SqliteTypeName(const Column& col, bool native) {
  if (native) return col.native_type;
  return SqliteTraits().declare_column(col, SqliteTraits().values, false).type_sql;  // sqlite_traits.cc
}

std::optional<std::string> SqliteCollation(const std::string& collation, bool native) {
  if (native) return collation;
  for (std::string_view c : {"BINARY", "NOCASE", "RTRIM"}) {
    if (EqualsIgnoreCaseAscii(collation, c)) return std::string(c);
  }
  if (collation.size() > 3 && EqualsIgnoreCaseAscii(collation.substr(collation.size() - 3), "_ci")) {
    return std::string("NOCASE");
  }
  return std::nullopt;  // an ICU/locale collation SQLite does not have
}

std::string Expr(const std::string& e, const Schema& schema, const EngineTraits& source) {
  if (IsNativeSchema(schema)) return e;
  return TranslateExpr(e, schema, source).value_or(e);
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += QuoteIdent(names[i]);
  }
  return out + ")";
}

std::string ConstraintPrefix(const std::string& name) {
  return name.empty() ? "" : "CONSTRAINT " + QuoteIdent(name) + " ";
}

// A key's JSON path as SQLite's path text: $.a.b, a member that is not a
// plain word quoted ($."a b"). Nullopt when a member holds a '"' (SQLite's
// path syntax has no escape for it).
std::optional<std::string> JsonPathText(const std::vector<std::string>& path) {
  std::string out = "$";
  for (const std::string& member : path) {
    if (member.find('"') != std::string::npos) return std::nullopt;
    bool word = !member.empty();
    for (char ch : member) word = word && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    out += word ? "." + member : ".\"" + member + "\"";
  }
  return out;
}

}  // namespace

std::optional<std::string> IndexKeySql(const IndexKey& key) {
  if (key.json_path.empty()) return QuoteIdent(key.column);
  std::optional<std::string> path = JsonPathText(key.json_path);
  if (!path) return std::nullopt;
  return "json_extract(" + QuoteIdent(key.column) + ", " + QuoteLiteral(*path) + ")";
}

bool IsNativeSchema(const Schema& schema) { return schema.engine == SqliteTraits().name; }

bool IsAutoIncrementKey(const Table& table, const std::string& column) {
  if (!table.primary_key || table.primary_key->columns.size() != 1 || table.primary_key->columns[0] != column) {
    return false;
  }
  for (const Column& c : table.columns) {
    if (c.name != column) continue;
    bool integer = c.type.logical == LogicalType::kInt16 || c.type.logical == LogicalType::kInt32 ||
                   c.type.logical == LogicalType::kInt64 || c.type.logical == LogicalType::kUInt64;
    return c.auto_increment && integer;
  }
  return false;
}

std::string TableDdl(const Schema& schema, const Table& table, const EngineTraits& source) {
  bool native = IsNativeSchema(schema);
  if (native && !table.native_ddl.empty()) return table.native_ddl;
  std::vector<std::string> defs;
  bool pk_inline = false;
  for (const Column& col : table.columns) {
    std::string d = QuoteIdent(col.name);
    if (!native && IsAutoIncrementKey(table, col.name)) {
      d += " INTEGER PRIMARY KEY AUTOINCREMENT";
      pk_inline = true;
    } else {
      std::string type = SqliteTypeName(col, native);
      if (!type.empty()) d += " " + type;
    }
    if (!col.nullable) d += " NOT NULL";
    if (col.default_expr && !col.generated_expr) {
      std::optional<std::string> e =
          native ? col.default_expr
                 : TranslateDefault(*col.default_expr, col.type.logical, source.dialect, SqliteTraits().dialect);
      if (e && !e->empty()) d += " DEFAULT " + (IsSimpleLiteral(*e) ? *e : "(" + *e + ")");
    }
    if (col.collation) {
      if (auto c = SqliteCollation(*col.collation, native)) d += " COLLATE " + *c;
    }
    if (col.generated_expr) {
      d += " GENERATED ALWAYS AS (" + Expr(*col.generated_expr, schema, source) + ")";
      d += col.generated_stored ? " STORED" : " VIRTUAL";
    }
    defs.push_back(std::move(d));
  }
  if (table.primary_key && !pk_inline) {
    defs.push_back(ConstraintPrefix(table.primary_key->name) + "PRIMARY KEY " + NameList(table.primary_key->columns));
  }
  for (const KeyConstraint& u : table.uniques) {
    defs.push_back(ConstraintPrefix(u.name) + "UNIQUE " + NameList(u.columns));
  }
  for (const CheckConstraint& c : table.checks) {
    defs.push_back(ConstraintPrefix(c.name) + "CHECK (" + Expr(c.expression, schema, source) + ")");
  }
  for (const ForeignKey& fk : table.foreign_keys) {
    std::string d =
        ConstraintPrefix(fk.name) + "FOREIGN KEY " + NameList(fk.columns) + " REFERENCES " + QuoteIdent(fk.ref_table);
    if (!fk.ref_columns.empty()) d.append(" ").append(NameList(fk.ref_columns));
    if (fk.on_update != FkAction::kNoAction) d += std::string(" ON UPDATE ") + FkActionName(fk.on_update);
    if (fk.on_delete != FkAction::kNoAction) d += std::string(" ON DELETE ") + FkActionName(fk.on_delete);
    if (!fk.match.empty() && native) d += " MATCH " + fk.match;
    if (fk.deferrable) {
      d += fk.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE INITIALLY IMMEDIATE";
    }
    defs.push_back(std::move(d));
  }
  std::string sql = "CREATE TABLE " + QuoteIdent(table.name) + " (\n";
  for (size_t i = 0; i < defs.size(); ++i) {
    sql += "  " + defs[i] + (i + 1 < defs.size() ? ",\n" : "\n");
  }
  sql += ")";
  if (native) {
    std::vector<std::string> opts;
    if (auto it = table.options.find("without_rowid"); it != table.options.end() && it->second == "1") {
      opts.push_back("WITHOUT ROWID");
    }
    if (auto it = table.options.find("strict"); it != table.options.end() && it->second == "1") {
      opts.push_back("STRICT");
    }
    for (size_t i = 0; i < opts.size(); ++i) sql += (i ? ", " : " ") + opts[i];
  }
  return sql;
}

std::string IndexDdl(const Schema& schema, const Index& index, const EngineTraits& source) {
  bool native = IsNativeSchema(schema);
  if (native && !index.native_ddl.empty()) return index.native_ddl;
  std::string sql = index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  sql += QuoteIdent(index.name) + " ON " + QuoteIdent(index.table) + " (";
  for (size_t i = 0; i < index.keys.size(); ++i) {
    const IndexKey& k = index.keys[i];
    if (i) sql += ", ";
    if (k.column.empty()) {
      sql.append("(").append(Expr(k.expression, schema, source)).append(")");
    } else if (std::optional<std::string> key = IndexKeySql(k)) {
      sql += *key;
    } else {
      return "";  // SchemaStatements names it
    }
    if (k.collation) {
      if (auto c = SqliteCollation(*k.collation, native)) sql += " COLLATE " + *c;
    }
    if (k.descending) sql += " DESC";
  }
  sql += ")";
  if (index.where) sql += " WHERE " + Expr(*index.where, schema, source);
  return sql;
}

std::optional<std::string> ViewDdl(const Schema& schema, const View& view, const EngineTraits& source) {
  bool native = IsNativeSchema(schema);
  if (native && !view.native_ddl.empty()) return view.native_ddl;
  std::optional<std::string> query =
      native ? view.definition : TranslateView(schema, view, source.dialect, SqliteTraits().dialect);
  if (!query) return std::nullopt;  // plan names it (TranslateView, same answer)
  return "CREATE VIEW " + QuoteIdent(view.name) + " AS " + *query;
}

std::optional<std::string> TriggerDdl(const Schema& schema, const Trigger& trigger) {
  if (!IsNativeSchema(schema) || trigger.native_ddl.empty()) return std::nullopt;
  return trigger.native_ddl;
}

std::vector<DdlStatement> OnUpdateTriggerStatements(const Table& table, const Dialect& source) {
  std::vector<DdlStatement> out;
  for (const Column& c : table.columns) {
    if (c.on_update.empty()) continue;
    std::string value = TranslateDefault(c.on_update, c.type.logical, source, SqliteTraits().dialect)
                            .value_or(std::string("CURRENT_TIMESTAMP"));
    std::string col = QuoteIdent(c.name);
    std::string others;
    for (const Column& o : table.columns) {
      if (o.name == c.name || o.generated_expr) continue;
      others += (others.empty() ? "" : " OR ") + std::string("NEW.") + QuoteIdent(o.name) + " IS NOT OLD." +
                QuoteIdent(o.name);
    }
    if (others.empty()) continue;  // nothing else an UPDATE could change
    std::string name = table.name + "_" + c.name + "_on_update";
    out.push_back(DdlStatement::Make("trigger", name, table.name,
                                     "CREATE TRIGGER " + QuoteIdent(name) + " AFTER UPDATE ON " +
                                         QuoteIdent(table.name) + " FOR EACH ROW WHEN NEW." + col + " IS OLD." + col +
                                         " AND NEW." + col + " IS NOT " + value + " AND (" + others +
                                         ") BEGIN UPDATE " + QuoteIdent(table.name) + " SET " + col + " = " + value +
                                         " WHERE rowid = NEW.rowid; END"));
  }
  return out;
}

std::vector<std::string> OnUpdateTriggers(const Table& table, const Dialect& source) {
  std::vector<std::string> out;
  for (DdlStatement& s : OnUpdateTriggerStatements(table, source)) out.push_back(std::move(s.sql));
  return out;
}

std::vector<DdlStatement> SchemaStatements(const Schema& schema, const EngineTraits& source) {
  std::vector<DdlStatement> out;
  bool native = IsNativeSchema(schema);
  for (const Table& t : schema.tables) {
    bool virt = native && !t.native_ddl.empty() && t.options.count("virtual");
    out.push_back(DdlStatement::Make(virt ? "virtual table" : "table", t.name, t.name, TableDdl(schema, t, source)));
  }
  for (const Index& i : schema.indexes) {
    DdlStatement s =
        DdlStatement::Make(i.unique ? "unique index" : "index", i.name, i.table, IndexDdl(schema, i, source));
    if (s.sql.empty()) s.note = "a JSON path member holds '\"', which SQLite's path syntax cannot name";
    out.push_back(std::move(s));
  }
  for (const View& v : schema.views) {
    std::optional<std::string> ddl = ViewDdl(schema, v, source);
    DdlStatement s = DdlStatement::Make("view", v.name, "", ddl.value_or(""));
    if (!ddl) s.note = "its query does not translate to SQLite";
    out.push_back(std::move(s));
  }
  if (!native) {
    for (const Table& t : schema.tables) {
      for (DdlStatement& s : OnUpdateTriggerStatements(t, source.dialect)) out.push_back(std::move(s));
    }
  }
  for (const Trigger& t : schema.triggers) {
    std::optional<std::string> ddl = TriggerDdl(schema, t);
    DdlStatement s = DdlStatement::Make("trigger", t.name, t.table, ddl.value_or(""));
    if (!ddl) s.note = "not translated from " + schema.engine;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace decant::sqlite_internal

namespace decant {

std::string SqliteSchemaDdl(const Schema& schema) {
  return SqliteSchemaDdl(schema, SourceTraits(nullptr, schema, SqliteTraits()));
}

std::string SqliteSchemaDdl(const Schema& schema, const EngineTraits& source) {
  return DdlScript(sqlite_internal::SchemaStatements(schema, source));
}

std::vector<std::string> SqliteNotCreated(const Schema& schema, const EngineTraits& source) {
  return NotCreatedLines(sqlite_internal::SchemaStatements(schema, source));
}

}  // namespace decant
