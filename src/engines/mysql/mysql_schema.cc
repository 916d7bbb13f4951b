#include "engines/mysql/mysql_schema.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "core/ascii.h"
#include "engines/mysql/mysql_ddl.h"

namespace decant::mysql_internal {
namespace {

std::string Str(const std::optional<std::string>& v) { return v.value_or(""); }
long long Num(const std::optional<std::string>& v) { return v ? std::atoll(v->c_str()) : -1; }

// "utf8mb4_unicode_ci" -> "utf8mb4" (charset names hold no '_').
std::string CharsetOfCollation(const std::string& collation) { return collation.substr(0, collation.find('_')); }

FkAction ActionOf(const std::string& rule) {
  FkAction a = FkAction::kNoAction;
  ParseFkAction(rule, &a);
  return a;
}

// The schema's tables by name, for the queries that return a row per
// column, key part or constraint of every table.
class TableIndex {
 public:
  explicit TableIndex(Schema& s) {
    for (Table& t : s.tables) by_name_.emplace(t.name, &t);
  }
  Table* Find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string, Table*> by_name_;
};

Status ReadTables(Connection& conn, SchemaRead* out) {
  DECANT_ASSIGN_OR_RETURN(
      auto rows, conn.Query("SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, AUTO_INCREMENT, TABLE_COMMENT "
                            "FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                            "ORDER BY TABLE_NAME"));
  for (const Row& r : rows) {
    std::string name = Str(r[0]), type = Str(r[1]);
    if (type == "VIEW") continue;  // read with the views
    if (type != "BASE TABLE" && type != "SYSTEM VERSIONED") {
      out->skipped.push_back(AsciiLower(type) + " " + name);
      continue;
    }
    Table t;
    t.name = name;
    if (r[2]) t.options["engine"] = *r[2];
    if (r[3]) {
      t.options["collation"] = *r[3];
      t.options["charset"] = CharsetOfCollation(*r[3]);
    }
    if (type == "SYSTEM VERSIONED") t.options["system_versioned"] = "1";
    t.comment = Str(r[5]);
    DECANT_ASSIGN_OR_RETURN(auto ddl, conn.Query("SHOW CREATE TABLE " + QuoteIdent(name)));
    if (ddl.empty() || ddl[0].size() < 2) return Status::Internal("SHOW CREATE TABLE " + name + " returned nothing");
    t.native_ddl = Str(ddl[0][1]);
    if (r[4]) {
      Sequence s;
      s.name = name;
      s.owner_table = name;
      s.last_value = Num(r[4]) - 1;  // AUTO_INCREMENT is the next value
      s.native_ddl = "ALTER TABLE " + QuoteIdent(name) + " AUTO_INCREMENT = " + *r[4];
      out->schema.sequences.push_back(std::move(s));
    }
    out->schema.tables.push_back(std::move(t));
  }
  return Status::OK();
}

Status ReadColumns(Connection& conn, const TableIndex& tables, SchemaRead* out) {
  DECANT_ASSIGN_OR_RETURN(
      auto rows, conn.Query("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE, "
                            "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, "
                            "CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, GENERATION_EXPRESSION, COLUMN_COMMENT "
                            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                            "ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (const Row& r : rows) {
    Table* t = tables.Find(Str(r[0]));
    if (t == nullptr) continue;  // a view's columns
    ColumnFacts f;
    f.data_type = AsciiLower(Str(r[4]));
    f.column_type = Str(r[5]);
    f.char_length = Num(r[6]);
    f.precision = Num(r[7]);
    f.scale = Num(r[8]);
    f.datetime_precision = Num(r[9]);
    f.charset = Str(r[10]);
    Column c;
    c.name = Str(r[1]);
    c.type = LogicalTypeOf(f);
    c.native_type = f.column_type;
    c.nullable = Str(r[3]) == "YES";
    c.default_expr = r[2];
    c.collation = r[11];
    std::string extra = AsciiLower(Str(r[12]));
    c.auto_increment = extra.find("auto_increment") != std::string::npos;
    // "on update current_timestamp()" (MariaDB), "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)" (MySQL 8).
    if (size_t on = extra.find("on update "); on != std::string::npos) {
      std::string clause = Str(r[12]).substr(on + 10);
      c.on_update = clause.substr(0, clause.find(' '));
    }
    if (extra.find("generated") != std::string::npos && r[13]) {
      c.generated_expr = *r[13];
      c.generated_stored = extra.find("stored") != std::string::npos || extra.find("persistent") != std::string::npos;
    }
    c.comment = Str(r[14]);
    if (c.auto_increment) {
      for (Sequence& s : out->schema.sequences) {
        if (s.owner_table == t->name) s.owner_column = c.name;
      }
    }
    out->kinds[t->name].push_back(CellKindOf(f));
    t->columns.push_back(std::move(c));
  }
  // A counter with no AUTO_INCREMENT column is not a counter.
  std::erase_if(out->schema.sequences, [](const Sequence& s) { return s.owner_column.empty(); });
  return Status::OK();
}

Status ReadChecks(Connection& conn, const TableIndex& tables) {
  auto rows = conn.Query(
      "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS "
      "WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME");
  if (!rows.ok()) {
    // MySQL 8 names the table only in TABLE_CONSTRAINTS.
    rows = conn.Query(
        "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, 'Table' FROM "
        "information_schema.CHECK_CONSTRAINTS cc JOIN information_schema.TABLE_CONSTRAINTS tc ON "
        "tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND "
        "tc.CONSTRAINT_TYPE = 'CHECK' WHERE cc.CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2");
    if (!rows.ok()) return rows.status();
  }
  for (const Row& r : *rows) {
    Table* t = tables.Find(Str(r[0]));
    if (t == nullptr) continue;
    std::string name = Str(r[1]), clause = Str(r[2]);
    // MariaDB's JSON is LONGTEXT with CHECK (json_valid(`col`)).
    if (Str(r[3]) == "Column" && clause == "json_valid(" + QuoteIdent(name) + ")") {
      for (Column& c : t->columns) {
        if (c.name == name && c.type.logical == LogicalType::kText) {
          c.type.logical = LogicalType::kJson;
          c.native_type = "json";
        }
      }
      continue;
    }
    // A column-level check is named after its column; it has no name of its own.
    t->checks.push_back({Str(r[3]) == "Column" ? "" : name, clause});
  }
  return Status::OK();
}

Status ReadKeys(Connection& conn, const TableIndex& tables, SchemaRead* out) {
  DECANT_ASSIGN_OR_RETURN(
      auto rows, conn.Query("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION "
                            "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
                            "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"));
  struct Key {
    std::string table, name, type;
    bool unique = false, prefix = false;
    std::vector<IndexKey> parts;
  };
  std::vector<Key> keys;
  for (const Row& r : rows) {
    if (keys.empty() || keys.back().table != Str(r[0]) || keys.back().name != Str(r[1])) {
      keys.push_back({Str(r[0]), Str(r[1]), AsciiLower(Str(r[5])), Str(r[2]) == "0", false, {}});
    }
    IndexKey k;
    k.column = Str(r[3]);
    k.descending = Str(r[6]) == "D";
    keys.back().prefix |= r[4].has_value();
    keys.back().parts.push_back(std::move(k));
  }
  std::unordered_map<const Table*, std::vector<std::string>> clauses_of;  // each DDL cut up once
  for (Key& k : keys) {
    Table* t = tables.Find(k.table);
    if (t == nullptr) continue;
    std::vector<std::string> columns;
    for (const IndexKey& p : k.parts) columns.push_back(p.column);
    if (k.name == "PRIMARY") {
      t->primary_key = KeyConstraint{"", columns};
      continue;
    }
    if (k.unique && !k.prefix && k.type == "btree") {
      t->uniques.push_back({k.name, columns});
      continue;
    }
    // Plain, prefix, FULLTEXT and SPATIAL keys. A prefix length lives only in
    // native_ddl: the neutral key is the whole column (equal or stricter).
    Index idx;
    idx.name = k.name;
    idx.table = k.table;
    idx.unique = k.unique;
    idx.keys = std::move(k.parts);
    idx.method = k.type == "btree" ? "" : k.type;
    auto [clauses, fresh] = clauses_of.try_emplace(t);
    if (fresh) clauses->second = CreateTableClauses(t->native_ddl);
    for (const std::string& clause : clauses->second) {
      if (clause.find("KEY ") != std::string::npos && clause.find("CONSTRAINT ") != 0 && ClauseName(clause) == k.name) {
        idx.native_ddl = clause;
      }
    }
    out->schema.indexes.push_back(std::move(idx));
  }
  return Status::OK();
}

Status ReadForeignKeys(Connection& conn, const TableIndex& tables, SchemaRead* out) {
  DECANT_ASSIGN_OR_RETURN(
      auto rows,
      conn.Query("SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, "
                 "k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE "
                 "FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
                 "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME "
                 "AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
                 "WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL "
                 "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"));
  const std::string& db = out->schema.database;
  for (const Row& r : rows) {
    Table* t = tables.Find(Str(r[0]));
    if (t == nullptr) continue;
    if (t->foreign_keys.empty() || t->foreign_keys.back().name != Str(r[1])) {
      ForeignKey fk;
      fk.name = Str(r[1]);
      fk.ref_schema = Str(r[3]) == db ? "" : Str(r[3]);
      fk.ref_table = Str(r[4]);
      fk.on_update = ActionOf(Str(r[6]));
      fk.on_delete = ActionOf(Str(r[7]));
      t->foreign_keys.push_back(std::move(fk));
    }
    t->foreign_keys.back().columns.push_back(Str(r[2]));
    t->foreign_keys.back().ref_columns.push_back(Str(r[5]));
  }
  return Status::OK();
}

// The SELECT of "CREATE ... VIEW `v` AS select ...".
std::string ViewSelect(const std::string& ddl, const std::string& name) {
  std::string head = "VIEW " + QuoteIdent(name) + " AS ";
  size_t at = ddl.find(head);
  if (at == std::string::npos) return "";
  return ddl.substr(at + head.size());
}

// The session settings an object was created under (information_schema's
// SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION columns), from
// `first` on in `r`: sql_mode only when `with_sql_mode`.
std::map<std::string, std::string> CreationSettings(const Row& r, size_t first, bool with_sql_mode) {
  std::map<std::string, std::string> out;
  size_t i = first;
  if (with_sql_mode && r.size() > i && r[i]) out["sql_mode"] = *r[i];
  if (with_sql_mode) ++i;
  if (r.size() > i && r[i] && !r[i]->empty()) out["character_set_client"] = *r[i];
  if (r.size() > i + 1 && r[i + 1] && !r[i + 1]->empty()) out["collation_connection"] = *r[i + 1];
  return out;
}

Status ReadViewsAndTriggers(Connection& conn, SchemaRead* out) {
  DECANT_ASSIGN_OR_RETURN(
      auto views, conn.Query("SELECT TABLE_NAME, CHARACTER_SET_CLIENT, COLLATION_CONNECTION "
                             "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"));
  for (const Row& r : views) {
    View v;
    v.name = Str(r[0]);
    v.options = CreationSettings(r, 1, false);
    DECANT_ASSIGN_OR_RETURN(auto ddl, conn.Query("SHOW CREATE VIEW " + QuoteIdent(v.name)));
    if (ddl.empty() || ddl[0].size() < 2) continue;
    v.native_ddl = StripDefiner(Str(ddl[0][1]));
    v.definition = ViewSelect(v.native_ddl, v.name);
    out->schema.views.push_back(std::move(v));
  }
  DECANT_ASSIGN_OR_RETURN(auto triggers,
                          conn.Query("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, SQL_MODE, CHARACTER_SET_CLIENT, "
                                     "COLLATION_CONNECTION FROM information_schema.TRIGGERS "
                                     "WHERE TRIGGER_SCHEMA = DATABASE() "
                                     "ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER"));
  for (const Row& r : triggers) {
    Trigger t;
    t.name = Str(r[0]);
    t.table = Str(r[1]);
    t.options = CreationSettings(r, 2, true);
    DECANT_ASSIGN_OR_RETURN(auto ddl, conn.Query("SHOW CREATE TRIGGER " + QuoteIdent(t.name)));
    if (ddl.empty() || ddl[0].size() < 3) continue;
    t.native_ddl = StripDefiner(Str(ddl[0][2]));
    out->schema.triggers.push_back(std::move(t));
  }
  return Status::OK();
}

// Stored procedures, functions and events: carried natively, created after
// the data (before views and triggers, which may call them).
Status ReadRoutines(Connection& conn, SchemaRead* out) {
  DECANT_ASSIGN_OR_RETURN(auto routines,
                          conn.Query("SELECT ROUTINE_NAME, ROUTINE_TYPE, SQL_MODE, CHARACTER_SET_CLIENT, "
                                     "COLLATION_CONNECTION FROM information_schema.ROUTINES "
                                     "WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_TYPE, ROUTINE_NAME"));
  for (const Row& r : routines) {
    std::string type = Str(r[1]);
    if (type != "PROCEDURE" && type != "FUNCTION") {
      out->skipped.push_back(AsciiLower(type) + " " + Str(r[0]));
      continue;
    }
    DECANT_ASSIGN_OR_RETURN(auto ddl, conn.Query("SHOW CREATE " + type + " " + QuoteIdent(Str(r[0]))));
    if (ddl.empty() || ddl[0].size() < 3 || !ddl[0][2]) {
      out->skipped.push_back(AsciiLower(type) + " " + Str(r[0]) + " (no privilege to read its definition)");
      continue;
    }
    out->schema.objects.push_back(
        {AsciiLower(type), "", Str(r[0]), "", "post-data", StripDefiner(*ddl[0][2]), CreationSettings(r, 2, true)});
  }
  auto events = conn.Query(
      "SELECT EVENT_NAME, SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION FROM information_schema.EVENTS "
      "WHERE EVENT_SCHEMA = DATABASE() "
      "ORDER BY EVENT_NAME");
  if (!events.ok()) return Status::OK();  // no EVENT privilege: nothing to read
  for (const Row& r : *events) {
    auto ddl = conn.Query("SHOW CREATE EVENT " + QuoteIdent(Str(r[0])));
    if (!ddl.ok() || ddl->empty() || (*ddl)[0].size() < 4) continue;
    out->schema.objects.push_back(
        {"event", "", Str(r[0]), "", "post-data", StripDefiner(Str((*ddl)[0][3])), CreationSettings(r, 1, true)});
  }
  return Status::OK();
}

}  // namespace

Result<SchemaRead> ReadDatabaseSchema(Connection& conn) {
  SchemaRead out;
  out.schema.engine = "mysql";
  DECANT_ASSIGN_OR_RETURN(auto version, conn.QueryValue("SELECT VERSION()"));
  out.schema.server_version = Str(version);
  DECANT_ASSIGN_OR_RETURN(auto db, conn.Query("SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, "
                                              "DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                                              "WHERE SCHEMA_NAME = DATABASE()"));
  if (!db.empty()) {
    out.schema.database = Str(db[0][0]);
    out.schema.options["charset"] = Str(db[0][1]);
    out.schema.options["collation"] = Str(db[0][2]);
  }
  if (Str(version).find("MariaDB") != std::string::npos) out.schema.options["flavor"] = "mariadb";
  DECANT_RETURN_IF_ERROR(ReadTables(conn, &out));
  TableIndex tables(out.schema);
  DECANT_RETURN_IF_ERROR(ReadColumns(conn, tables, &out));
  DECANT_RETURN_IF_ERROR(ReadChecks(conn, tables));
  DECANT_RETURN_IF_ERROR(ReadKeys(conn, tables, &out));
  DECANT_RETURN_IF_ERROR(ReadForeignKeys(conn, tables, &out));
  DECANT_RETURN_IF_ERROR(ReadViewsAndTriggers(conn, &out));
  DECANT_RETURN_IF_ERROR(ReadRoutines(conn, &out));
  return out;
}

Result<TargetColumns> ReadTargetColumns(Connection& conn) {
  DECANT_ASSIGN_OR_RETURN(
      auto rows, conn.Query("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, EXTRA "
                            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"));
  TargetColumns out;
  for (const Row& r : rows) {
    TargetColumn c;
    c.name = AsciiLower(Str(r[1]));
    c.facts.data_type = AsciiLower(Str(r[2]));
    c.facts.column_type = Str(r[3]);
    c.facts.charset = Str(r[4]);
    c.auto_increment = AsciiLower(Str(r[5])).find("auto_increment") != std::string::npos;
    out[Str(r[0])].push_back(std::move(c));
  }
  return out;
}

Result<std::vector<CellKind>> TargetCellKinds(const TargetColumns& target, const std::string& table,
                                              const std::vector<std::string>& names, int* auto_increment) {
  *auto_increment = -1;
  auto it = target.find(table);
  if (it == target.end()) {
    // Table names compare without regard to case where the server stores them lower-cased.
    std::string lower = AsciiLower(table);
    it = std::find_if(target.begin(), target.end(), [&](const auto& t) { return AsciiLower(t.first) == lower; });
  }
  std::vector<CellKind> kinds;
  for (const std::string& name : names) {
    const TargetColumn* found = nullptr;
    if (it != target.end()) {
      // Column names compare without regard to case in MySQL.
      std::string lower = AsciiLower(name);
      for (const TargetColumn& c : it->second) {
        if (c.name == lower) found = &c;
      }
    }
    if (found == nullptr) {
      return Status::FailedPrecondition("table " + table + ": the target has no column " + name);
    }
    if (found->auto_increment) *auto_increment = static_cast<int>(kinds.size());
    kinds.push_back(CellKindOf(found->facts));
  }
  return kinds;
}

}  // namespace decant::mysql_internal
