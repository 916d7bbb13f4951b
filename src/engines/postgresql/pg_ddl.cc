#include "engines/postgresql/pg_ddl.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/utf8.h"
#include "engines/postgresql/pg_catalog.h"
#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/postgresql_endpoint.h"
#include "mapping/sql_translate.h"

namespace decant::pg_internal {
namespace {

std::string OptionOr(const Table& t, const std::string& key, const std::string& fallback = "") {
  auto it = t.options.find(key);
  return it == t.options.end() ? fallback : it->second;
}

std::string ColumnList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + QuoteIdent(n);
  return out;
}

// An auto-increment column of another engine becomes an identity column
// (integer types only; MySQL's BIGINT UNSIGNED ids are declared bigint).
bool GetsIdentity(const Column& c) {
  if (!c.auto_increment) return false;
  switch (c.type.logical) {
    case LogicalType::kInt16:
    case LogicalType::kInt32:
    case LogicalType::kInt64:
    case LogicalType::kUInt64: return true;
    default: return false;
  }
}

std::string ConstraintName(const std::string& name) {
  return name.empty() ? "" : "CONSTRAINT " + QuoteIdent(name) + " ";
}

// A key's column, or with a json_path the text at that path of the column's
// documents: ("doc"->'address'->>'city'), for json and jsonb alike (a column
// not declared JSON is read as jsonb).
std::string KeySql(const Schema& schema, const Index& x, const IndexKey& k) {
  if (k.json_path.empty()) return QuoteIdent(k.column);
  bool json = false;
  for (const Table& t : schema.tables) {
    if (t.schema != x.schema || t.name != x.table) continue;
    for (const Column& c : t.columns) json = json || (c.name == k.column && c.type.logical == LogicalType::kJson);
  }
  std::string sql = "(" + QuoteIdent(k.column) + (json ? "" : "::jsonb");
  for (size_t i = 0; i < k.json_path.size(); ++i)
    sql += (i + 1 < k.json_path.size() ? "->" : "->>") + QuoteLiteral(k.json_path[i]);
  return sql + ")";
}

// A MySQL FULLTEXT key's columns as one text search document.
std::string FulltextKey(const Schema& schema, const Index& x) {
  std::string doc;
  for (const auto& k : x.keys) {
    doc += (doc.empty() ? "" : " || ' ' || ") + std::string("coalesce(") + KeySql(schema, x, k) + "::text, '')";
  }
  return "to_tsvector('simple'::regconfig, " + doc + ")";
}

}  // namespace

std::vector<std::string> OnUpdateTriggers(const Table& t, const Dialect& source) {
  std::string sets;
  for (const Column& c : t.columns) {
    if (c.on_update.empty()) continue;
    std::string value =
        TranslateDefault(c.on_update, c.type.logical, source, PostgresTraits().dialect).value_or("CURRENT_TIMESTAMP");
    std::string col = QuoteIdent(c.name);
    sets += fmt::format("    IF NEW.{0} IS NOT DISTINCT FROM OLD.{0} THEN NEW.{0} := {1}; END IF;\n", col, value);
  }
  if (sets.empty()) return {};
  std::string fn = t.name + "_on_update";
  fn = std::string(Utf8Cut(fn, 63));
  std::string qualified = QuoteQualified(TargetSchema(t.schema), fn);
  return {fmt::format("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $decant$\nBEGIN\n"
                      "  IF NEW::text IS DISTINCT FROM OLD::text THEN\n{}  END IF;\n  RETURN NEW;\nEND\n$decant$",
                      qualified, sets),
          fmt::format("CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW EXECUTE PROCEDURE {}()", QuoteIdent(fn),
                      QuoteQualified(TargetSchema(t.schema), t.name), qualified)};
}

Ddl MakeDdl(std::string kind, std::string name, std::string table, std::string what, std::string sql, bool must_succeed,
            bool may_need_tables) {
  Ddl d;
  static_cast<DdlStatement&>(d) =
      DdlStatement::Make(std::move(kind), std::move(name), std::move(table), std::move(sql));
  d.what = std::move(what);
  d.must_succeed = must_succeed;
  d.may_need_tables = may_need_tables;
  return d;
}

std::string TargetSchema(const std::string& schema) { return schema.empty() ? kDefaultSchema : schema; }

std::optional<std::string> ForeignViewSql(const Schema& schema, const View& view, const EngineTraits& source) {
  if (view.materialized) return std::nullopt;
  std::optional<std::string> query = TranslateView(schema, view, source.dialect, PostgresTraits().dialect);
  if (!query) return std::nullopt;
  // The query's names are unqualified and the load's search_path is empty:
  // they are read in the view's schema, for this statement's transaction.
  std::string in = TargetSchema(view.schema);
  return "SET LOCAL search_path = " + QuoteIdent(in) + "; CREATE VIEW " + QuoteQualified(in, view.name) + " AS " +
         *query + "; SET LOCAL search_path = ''";
}

std::string MappedType(const Column& c, const ValuePolicy* source) {
  return PostgresTraits().declare_column(c, source ? *source : PostgresTraits().values, false).type_sql;
}

std::string CreateTableSql(const Table& t, bool from_postgres, const Dialect* source, const ValuePolicy* values) {
  std::string name = QuoteQualified(TargetSchema(t.schema), t.name);
  std::string unlogged = OptionOr(t, kOptUnlogged) == "1" ? "UNLOGGED " : "";
  std::string parent = OptionOr(t, kOptPartitionOf);
  std::string partition_by = OptionOr(t, kOptPartitionBy);
  std::string sql;
  if (from_postgres && !parent.empty()) {
    // A partition takes its columns from its parent.
    sql = fmt::format("CREATE {}TABLE {} PARTITION OF {} {}", unlogged, name, parent, OptionOr(t, kOptPartitionBound));
  } else {
    sql = fmt::format("CREATE {}TABLE {} (", unlogged, name);
    bool first = true;
    for (const Column& c : t.columns) {
      if (from_postgres && t.options.count(kOptInheritedPrefix + c.name)) continue;
      // Another engine's generated column: its expression is not translated, so
      // the column is left out, as plan says (its values are not copied either).
      if (!from_postgres && c.generated_expr) continue;
      sql += first ? "\n  " : ",\n  ";
      first = false;
      sql +=
          QuoteIdent(c.name) + " " + (from_postgres && !c.native_type.empty() ? c.native_type : MappedType(c, values));
      if (from_postgres && c.collation) sql += " COLLATE " + *c.collation;
      if (from_postgres && c.generated_expr) {
        sql += " GENERATED ALWAYS AS (" + *c.generated_expr + ") STORED";
      } else if (from_postgres && c.default_expr) {
        sql += " DEFAULT " + *c.default_expr;
      } else if (c.default_expr && !c.auto_increment && source) {
        if (auto d = TranslateDefault(*c.default_expr, c.type.logical, *source, PostgresTraits().dialect))
          sql += " DEFAULT " + *d;
      }
      if (!c.identity.empty()) {
        sql += " GENERATED " + c.identity + " AS IDENTITY";
        std::string opts = OptionOr(t, kOptIdentityPrefix + c.name);
        if (from_postgres && !opts.empty()) sql += " (" + opts + ")";
      } else if (!from_postgres && GetsIdentity(c)) {
        sql += " GENERATED BY DEFAULT AS IDENTITY";
      }
      if (!c.nullable) sql += " NOT NULL";
    }
    sql += first ? ")" : "\n)";
    std::string inherits = OptionOr(t, kOptInherits);
    if (from_postgres && !inherits.empty()) sql += " INHERITS (" + inherits + ")";
  }
  if (from_postgres && !partition_by.empty()) sql += " PARTITION BY " + partition_by;
  std::string reloptions = OptionOr(t, kOptReloptions);
  if (from_postgres && !reloptions.empty()) sql += " WITH (" + reloptions + ")";
  return sql;
}

namespace {

std::vector<Ddl> NativeObjectsOf(const Schema& schema, std::initializer_list<const char*> kinds) {
  std::vector<Ddl> out;
  for (const char* kind : kinds) {
    for (const NativeObject& o : schema.objects) {
      if (o.kind == kind) {
        std::string table = QualifiedName(o.schema, o.table);
        out.push_back(MakeDdl(o.kind, o.name, table, o.kind + " " + o.name + " on " + table, o.native_ddl, false));
      }
    }
  }
  return out;
}

std::vector<Step> NativePostData(const Schema& schema) {
  auto is_matview = [&](const Index& x) {
    for (const View& v : schema.views) {
      if (v.materialized && v.schema == x.schema && v.name == x.table) return true;
    }
    return false;
  };
  std::vector<Ddl> keys = NativeObjectsOf(schema, {"primary key", "unique", "exclusion"});
  std::vector<Ddl> view_indexes;
  for (const Index& x : schema.indexes) {
    Ddl d = MakeDdl(x.unique ? "unique index" : "index", x.name, QualifiedName(x.schema, x.table),
                    "index " + QualifiedName(x.schema, x.name), x.native_ddl, false);
    (is_matview(x) ? view_indexes : keys).push_back(std::move(d));
  }
  std::vector<Ddl> counters;
  for (const Sequence& q : schema.sequences) {
    counters.push_back(
        MakeDdl("sequence value", QualifiedName(q.schema, q.name), "", "sequence " + QualifiedName(q.schema, q.name),
                fmt::format("SELECT pg_catalog.setval({}, {}, {})", QuoteLiteral(QuoteQualified(q.schema, q.name)),
                            q.last_value, q.is_called ? "true" : "false"),
                false));
  }
  std::vector<Ddl> views;
  for (const View& v : schema.views) {
    std::string kind = v.materialized ? "materialized view" : "view";
    views.push_back(MakeDdl(kind, QualifiedName(v.schema, v.name), "", kind + " " + QualifiedName(v.schema, v.name),
                            v.native_ddl, false));
  }
  for (const NativeObject& o : schema.objects) {
    if (o.phase == "post-data" && o.kind == "function") {
      views.push_back(MakeDdl("function", QualifiedName(o.schema, o.name), "",
                              "function " + QualifiedName(o.schema, o.name), o.native_ddl, false));
    }
  }
  std::vector<Ddl> last;
  for (const Trigger& t : schema.triggers) {
    std::string table = QualifiedName(t.schema, t.table);
    last.push_back(MakeDdl("trigger", t.name, table, "trigger " + t.name + " on " + table, t.native_ddl, false));
  }
  for (const NativeObject& o : schema.objects) {
    if (o.kind == "rule") {
      std::string table = QualifiedName(o.schema, o.table);
      last.push_back(MakeDdl("rule", o.name, table, "rule " + o.name + " on " + table, o.native_ddl, true, false));
    }
  }
  for (const NativeObject& o : schema.objects) {
    if (o.kind == "comment")
      last.push_back(MakeDdl("comment", o.name, "", "comment on " + o.name, o.native_ddl, false));
  }
  return {{StepMode::kParallel, std::move(keys)},
          {StepMode::kInOrder, NativeObjectsOf(schema, {"foreign key", "check", "sequence owner"})},
          {StepMode::kInOrder, std::move(counters)},
          {StepMode::kUntilSettled, std::move(views)},
          {StepMode::kInOrder, std::move(view_indexes)},
          {StepMode::kInOrder, std::move(last)}};
}

// Keys, plain indexes, foreign keys, identity positions and the views whose
// query translates, of a schema from another engine (`source`); its triggers
// are in that engine's dialect.
std::vector<Step> ForeignPostData(const Schema& schema, const EngineTraits& source) {
  std::vector<Ddl> keys, fks, counters;
  for (const Table& t : schema.tables) {
    std::string name = QuoteQualified(TargetSchema(t.schema), t.name);
    if (t.primary_key) {
      keys.push_back(MakeDdl("primary key", t.primary_key->name, QualifiedName(t.schema, t.name),
                             "primary key on " + QualifiedName(t.schema, t.name),
                             fmt::format("ALTER TABLE {} ADD {}PRIMARY KEY ({})", name,
                                         ConstraintName(t.primary_key->name), ColumnList(t.primary_key->columns))));
    }
    for (const auto& u : t.uniques) {
      keys.push_back(MakeDdl(
          "unique key", u.name, QualifiedName(t.schema, t.name), "unique key on " + QualifiedName(t.schema, t.name),
          fmt::format("ALTER TABLE {} ADD {}UNIQUE ({})", name, ConstraintName(u.name), ColumnList(u.columns))));
    }
    for (const auto& fk : t.foreign_keys) {
      std::string ref = QuoteQualified(TargetSchema(fk.ref_schema.empty() ? t.schema : fk.ref_schema), fk.ref_table);
      std::string sql = fmt::format("ALTER TABLE {} ADD {}FOREIGN KEY ({}) REFERENCES {}", name,
                                    ConstraintName(fk.name), ColumnList(fk.columns), ref);
      if (!fk.ref_columns.empty()) sql += " (" + ColumnList(fk.ref_columns) + ")";
      if (fk.match == "FULL") sql += " MATCH FULL";
      if (fk.on_update != FkAction::kNoAction) sql += std::string(" ON UPDATE ") + FkActionName(fk.on_update);
      if (fk.on_delete != FkAction::kNoAction) sql += std::string(" ON DELETE ") + FkActionName(fk.on_delete);
      if (fk.deferrable) sql += fk.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
      fks.push_back(MakeDdl("foreign key", fk.name, QualifiedName(t.schema, t.name),
                            "foreign key on " + QualifiedName(t.schema, t.name), sql));
    }
    // CHECKs after the data (the rows are checked once); one whose expression
    // does not translate is named, not created.
    for (const CheckConstraint& c : t.checks) {
      std::string table = QualifiedName(t.schema, t.name);
      std::optional<std::string> expr = TranslateCheck(schema, c, source.dialect, PostgresTraits().dialect);
      Ddl d = MakeDdl("check", c.name, table, "check on " + table,
                      expr ? fmt::format("ALTER TABLE {} ADD {}CHECK ({})", name, ConstraintName(c.name), *expr) : "",
                      true, false);
      if (!expr) d.note = "(" + c.expression + ") does not translate from " + std::string(source.name);
      fks.push_back(std::move(d));
    }
    // An identity column continues after the highest id loaded and after the
    // source's own counter (SQLite's sqlite_sequence may be higher).
    for (const Column& c : t.columns) {
      if (!c.auto_increment) continue;
      // Only a column CreateTableSql made an identity has a sequence to set;
      // any other auto-increment column is named, not left silently without one.
      if (!GetsIdentity(c)) {
        Ddl d = MakeDdl("auto-increment", t.name + "." + c.name, QualifiedName(t.schema, t.name),
                        "auto-increment " + QualifiedName(t.schema, t.name) + "." + c.name, "");
        d.note = "a " + MappedType(c) + " column cannot be an identity column: new rows get no id from the server";
        counters.push_back(std::move(d));
        continue;
      }
      int64_t floor = 0;
      for (const Sequence& q : schema.sequences) {
        if (q.owner_table == t.name || q.name == t.name) floor = std::max(floor, q.last_value);
      }
      counters.push_back(
          MakeDdl("sequence value", t.name + "." + c.name, QualifiedName(t.schema, t.name),
                  "identity " + QualifiedName(t.schema, t.name) + "." + c.name,
                  fmt::format("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), "
                              "GREATEST(COALESCE(MAX({}), 0), {}, 1), COALESCE(MAX({}), 0) >= 1 OR {} >= 1) FROM {}",
                              QuoteLiteral(name), QuoteLiteral(c.name), QuoteIdent(c.name), floor, QuoteIdent(c.name),
                              floor, name)));
    }
  }
  for (const Index& x : schema.indexes) {
    bool plain = !x.where && !x.keys.empty();
    for (const auto& k : x.keys) plain = plain && !k.column.empty();
    if (!plain) continue;  // expressions and predicates are in the source's dialect
    std::string cols, method;
    if (x.method == "fulltext") {
      cols = FulltextKey(schema, x);
      method = "USING gin ";
    } else {
      for (const auto& k : x.keys)
        cols += (cols.empty() ? "" : ", ") + KeySql(schema, x, k) + (k.descending ? " DESC" : "");
      if (!x.method.empty() && x.method != "btree") method = "USING " + x.method + " ";
    }
    keys.push_back(MakeDdl(x.unique ? "unique index" : "index", x.name, QualifiedName(x.schema, x.table),
                           "index " + x.name,
                           fmt::format("CREATE {}INDEX {} ON {} {}({})", x.unique ? "UNIQUE " : "", QuoteIdent(x.name),
                                       QuoteQualified(TargetSchema(x.schema), x.table), method, cols)));
  }
  std::vector<Ddl> triggers;
  for (const Table& t : schema.tables) {
    std::vector<std::string> sql = OnUpdateTriggers(t, source.dialect);
    for (size_t i = 0; i < sql.size(); ++i) {
      std::string table = QualifiedName(t.schema, t.name);
      triggers.push_back(MakeDdl(i == 0 ? "function" : "trigger", t.name + "_on_update", table,
                                 "ON UPDATE trigger of " + table, std::move(sql[i]), true, false));
    }
  }
  // Comments of tables and columns (a MySQL COMMENT, a RethinkDB column's
  // role): auxiliary, after everything else.
  for (const Table& t : schema.tables) {
    std::string table = QualifiedName(t.schema, t.name);
    std::string name = QuoteQualified(TargetSchema(t.schema), t.name);
    if (!t.comment.empty()) {
      triggers.push_back(MakeDdl("comment", table, table, "comment on " + table,
                                 fmt::format("COMMENT ON TABLE {} IS {}", name, QuoteLiteral(t.comment)), false));
    }
    for (const Column& c : t.columns) {
      if (c.comment.empty()) continue;
      triggers.push_back(MakeDdl(
          "comment", table + "." + c.name, table, "comment on " + table + "." + c.name,
          fmt::format("COMMENT ON COLUMN {}.{} IS {}", name, QuoteIdent(c.name), QuoteLiteral(c.comment)), false));
    }
  }
  std::vector<Ddl> views;
  for (const View& v : schema.views) {
    if (auto ddl = ForeignViewSql(schema, v, source)) {
      std::string name = QualifiedName(v.schema, v.name);
      views.push_back(MakeDdl("view", name, "", "view " + name, *ddl, true, false));
    }
  }
  return {{StepMode::kParallel, std::move(keys)},
          {StepMode::kInOrder, std::move(fks)},
          {StepMode::kInOrder, std::move(counters)},
          {StepMode::kUntilSettled, std::move(views)},
          {StepMode::kInOrder, std::move(triggers)}};
}

}  // namespace

LoadPlan PlanLoad(const Schema& schema, const EngineTraits& source) {
  bool native = schema.engine == PostgresTraits().name;
  LoadPlan plan;
  if (native) {
    for (const NativeObject& o : schema.objects) {
      if (o.phase != "pre-data") continue;
      bool function = o.kind == "function" || o.kind == "aggregate";
      plan.pre_data.push_back(MakeDdl(o.kind, QualifiedName(o.schema, o.name), "",
                                      o.kind + " " + QualifiedName(o.schema, o.name), o.native_ddl, false, function));
    }
  } else {
    std::set<std::string> schemas;
    for (const Table& t : schema.tables) {
      if (!t.schema.empty() && schemas.insert(t.schema).second) {
        plan.pre_data.push_back(MakeDdl("schema", t.schema, "", "schema " + t.schema,
                                        "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(t.schema)));
      }
    }
  }
  for (const Table& t : schema.tables) {
    plan.tables.push_back(MakeDdl("table", QualifiedName(t.schema, t.name), QualifiedName(t.schema, t.name),
                                  "table " + QualifiedName(t.schema, t.name),
                                  CreateTableSql(t, native, schema.engine.empty() ? nullptr : &source.dialect,
                                                 schema.engine.empty() ? nullptr : &source.values)));
  }
  plan.post_data = native ? NativePostData(schema) : ForeignPostData(schema, source);
  return plan;
}

std::string PostgresSchemaScript(const Schema& schema, const EngineTraits& source) {
  LoadPlan plan = PlanLoad(schema, source);
  std::string out;
  auto add = [&](const std::vector<Ddl>& list) {
    for (const Ddl& d : list) out += d.sql.empty() ? "-- " + d.what + ": " + d.note + "\n" : d.sql + ";\n";
  };
  add(plan.pre_data);
  add(plan.tables);
  for (const Step& step : plan.post_data) add(step.ddl);
  return out;
}

}  // namespace decant::pg_internal
