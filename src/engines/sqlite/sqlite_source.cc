// SqliteSource: a read-only connection holding one read transaction from
// open to close, so the schema and every table come from one snapshot.
//
// Virtual tables (FTS, R-Tree, ...) become Tables with options["virtual"] =
// module and their CREATE VIRTUAL TABLE text as native_ddl; their visible
// columns are read like any table's. Their shadow tables are skipped: the
// module recreates them. External-content FTS tables carry no rows (the sink
// rebuilds their index, options["virtual_rebuild"]); contentless ones carry
// nothing and are reported with a warning.
// Rowids of tables without an INTEGER PRIMARY KEY are not carried (as with
// VACUUM); rows are read and written in rowid order, so relative order holds.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/ascii.h"
#include "engines/sqlite/sqlite_ddl_parse.h"
#include "engines/sqlite/sqlite_endpoint.h"
#include "engines/sqlite/sqlite_util.h"
#include "io/file_system.h"

namespace decant {
namespace {

using sqlite_internal::Connection;
using sqlite_internal::QuoteIdent;
using sqlite_internal::Statement;

// The numbers inside "NAME(a, b)", if any.
void TypeArgs(const std::string& upper, int32_t* a, int32_t* b) {
  size_t open = upper.find('(');
  if (open == std::string::npos) return;
  int32_t vals[2] = {-1, -1};
  int k = 0;
  int32_t cur = -1;
  for (size_t i = open + 1; i < upper.size() && k < 2; ++i) {
    char c = upper[i];
    if (c >= '0' && c <= '9') {
      cur = (cur < 0 ? 0 : cur) * 10 + (c - '0');
      if (cur > 1000000000) return;
    } else if (c == ',' || c == ')') {
      vals[k++] = cur;
      cur = -1;
      if (c == ')') break;
    }
  }
  *a = vals[0];
  *b = vals[1];
}

// SQLite's column affinity rules (datatype3.html section 3.1), refined for a
// few declared types other engines understand more precisely.
DataType LogicalFromDeclared(const std::string& declared) {
  DataType t;
  std::string up = AsciiUpper(declared);
  std::string base = up.substr(0, up.find('('));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  int32_t a = -1, b = -1;
  TypeArgs(up, &a, &b);
  if (up.find("INT") != std::string::npos) {
    t.logical = LogicalType::kInt64;
  } else if (up.find("CHAR") != std::string::npos || up.find("CLOB") != std::string::npos ||
             up.find("TEXT") != std::string::npos) {
    t.logical = LogicalType::kText;
    t.length = a;
  } else if (up.empty()) {
    t.logical = LogicalType::kAny;
  } else if (up.find("BLOB") != std::string::npos) {
    t.logical = LogicalType::kBytes;
  } else if (up.find("REAL") != std::string::npos || up.find("FLOA") != std::string::npos ||
             up.find("DOUB") != std::string::npos) {
    t.logical = LogicalType::kFloat64;
  } else if (base == "BOOLEAN" || base == "BOOL") {
    t.logical = LogicalType::kBool;
  } else if (base == "DATE") {
    t.logical = LogicalType::kDate;
  } else if (base == "DATETIME" || base == "TIMESTAMP") {
    t.logical = LogicalType::kTimestamp;
  } else if (base == "TIME") {
    t.logical = LogicalType::kTime;
  } else if (base == "UUID") {
    t.logical = LogicalType::kUuid;
  } else if (base == "JSON" || base == "JSONB") {
    t.logical = LogicalType::kJson;
  } else {
    t.logical = LogicalType::kDecimal;
    t.precision = a;
    t.scale = b;
  }
  return t;
}

bool SameNames(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!EqualsIgnoreCaseAscii(a[i], b[i])) return false;
  }
  return true;
}

class SqliteTableReader : public TableReader {
 public:
  SqliteTableReader(std::shared_ptr<Connection> conn, Statement stmt, size_t num_columns)
      : conn_(std::move(conn)), stmt_(std::move(stmt)), num_columns_(num_columns) {}

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(num_columns_);
    sqlite3_stmt* st = stmt_.get();
    while (!done_ && !batch->full()) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW) return conn_->Error(std::string("reading ") + sqlite3_sql(st));
      Value* row = batch->AppendRow();
      size_t bytes = 0;
      for (size_t c = 0; c < num_columns_; ++c) {
        int i = static_cast<int>(c);
        Value& v = row[c];
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_INTEGER:
            v.SetInt(sqlite3_column_int64(st, i));
            bytes += 8;
            break;
          case SQLITE_FLOAT:
            v.SetFloat(sqlite3_column_double(st, i));
            bytes += 8;
            break;
          case SQLITE_TEXT: {
            const unsigned char* p = sqlite3_column_text(st, i);
            size_t n = static_cast<size_t>(sqlite3_column_bytes(st, i));
            v.SetText(std::string_view(p ? reinterpret_cast<const char*>(p) : "", p ? n : 0));
            bytes += n;
            break;
          }
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(st, i);
            size_t n = static_cast<size_t>(sqlite3_column_bytes(st, i));
            v.SetBytes(std::string_view(p ? static_cast<const char*>(p) : "", p ? n : 0));
            bytes += n;
            break;
          }
          default:
            v.SetNull();
            bytes += 1;
            break;
        }
      }
      batch->AddPayload(bytes);
    }
    return !batch->empty();
  }

 private:
  std::shared_ptr<Connection> conn_;  // outlives stmt_ (declared first, destroyed last)
  Statement stmt_;
  size_t num_columns_;
  bool done_ = false;
};

class SqliteSource : public Source {
 public:
  SqliteSource(std::shared_ptr<Connection> conn, std::string path) : conn_(std::move(conn)), path_(std::move(path)) {}

  Result<Schema> ReadSchema() override;
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override;
  std::string Describe() const override { return path_.starts_with("/") ? "sqlite://" + path_ : "sqlite:" + path_; }
  // Rows only: max(rowid), one descent of the table's b-tree (rowids count
  // up from 1, so this is exact unless rows were deleted or rowids chosen).
  // WITHOUT ROWID and virtual tables: unknown (counting them is a scan).
  TableSize EstimateSize(const Table& table) override;

 private:
  Status ReadTable(const std::string& name, const std::string& sql,
                   const std::map<std::string, std::pair<bool, bool>>& flags, Table* t);
  Status ReadIndex(const std::string& name, const std::string& table, const std::string& sql, Index* index);

  std::shared_ptr<Connection> conn_;
  std::string path_;
  std::set<std::string> no_rows_;  // virtual tables whose rows are not read
};

Status SqliteSource::ReadTable(const std::string& name, const std::string& sql,
                               const std::map<std::string, std::pair<bool, bool>>& flags, Table* t) {
  Connection* c = conn_.get();
  t->name = name;
  t->native_ddl = sql;
  if (auto it = flags.find(name); it != flags.end()) {
    if (it->second.first) t->options["without_rowid"] = "1";
    if (it->second.second) t->options["strict"] = "1";
  }
  std::optional<sqlite_internal::ParsedVirtualTable> vtab = sqlite_internal::ParseCreateVirtualTable(sql);
  if (vtab) {
    t->options["virtual"] = vtab->module;
    if (vtab->content && vtab->module.starts_with("fts")) {
      no_rows_.insert(name);
      if (vtab->content->empty()) {
        spdlog::warn("{}: contentless {} table {} has no stored text; its index cannot be carried (created empty)",
                     Describe(), vtab->module, name);
      } else {
        t->options["virtual_rebuild"] = "1";
      }
    }
  }
  sqlite_internal::ParsedTable parsed;
  if (!vtab) sqlite_internal::ParseCreateTable(sql, &parsed);

  DECANT_ASSIGN_OR_RETURN(Statement cols, Statement::Prepare(c,
                                                             "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                                                             "FROM pragma_table_xinfo(?1) ORDER BY cid"));
  sqlite3_bind_text(cols.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  std::vector<std::pair<int64_t, std::string>> pk;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, cols.Step(c));
    if (!row) break;
    int64_t hidden = cols.ColumnInt(5);
    if (hidden == 1) continue;  // hidden column of a virtual table
    Column col;
    col.name = cols.ColumnText(0);
    col.native_type = cols.ColumnText(1);
    col.type = LogicalFromDeclared(col.native_type);
    col.nullable = cols.ColumnInt(2) == 0;
    if (!cols.ColumnIsNull(3)) col.default_expr = cols.ColumnText(3);
    if (cols.ColumnInt(4) > 0) pk.emplace_back(cols.ColumnInt(4), col.name);
    if (hidden == 2 || hidden == 3) {
      col.generated_stored = hidden == 3;
      col.generated_expr = "";
      for (const auto& p : parsed.columns) {
        if (EqualsIgnoreCaseAscii(p.name, col.name) && p.generated_expr) col.generated_expr = p.generated_expr;
      }
    }
    const char* coll = nullptr;
    int notnull = 0, primary = 0, autoinc = 0;
    if (!vtab && sqlite3_table_column_metadata(c->db(), "main", name.c_str(), col.name.c_str(), nullptr, &coll,
                                               &notnull, &primary, &autoinc) == SQLITE_OK) {
      if (coll != nullptr && !EqualsIgnoreCaseAscii(coll, "BINARY")) col.collation = coll;
      col.auto_increment = autoinc != 0;
    }
    t->columns.push_back(std::move(col));
  }
  if (vtab) return Status::OK();
  // A lone INTEGER PRIMARY KEY of a rowid table is the rowid: SQLite hands out
  // max+1 when no id is given, so other engines get an identity/AUTO_INCREMENT.
  if (pk.size() == 1 && t->options.count("without_rowid") == 0) {
    for (Column& key : t->columns) {
      if (key.name == pk[0].second && EqualsIgnoreCaseAscii(key.native_type, "INTEGER")) key.auto_increment = true;
    }
  }
  if (!pk.empty()) {
    std::sort(pk.begin(), pk.end());
    KeyConstraint key;
    key.name = parsed.primary_key_name;
    for (auto& [order, col] : pk) key.columns.push_back(col);
    t->primary_key = std::move(key);
  }

  DECANT_ASSIGN_OR_RETURN(Statement uniq, Statement::Prepare(c,
                                                             "SELECT l.name, i.name FROM pragma_index_list(?1) l "
                                                             "JOIN pragma_index_info(l.name) i "
                                                             "WHERE l.origin = 'u' ORDER BY l.seq DESC, i.seqno"));
  sqlite3_bind_text(uniq.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  std::string current;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, uniq.Step(c));
    if (!row) break;
    std::string index = uniq.ColumnText(0);
    if (t->uniques.empty() || index != current) t->uniques.emplace_back();
    current = index;
    t->uniques.back().columns.push_back(uniq.ColumnText(1));
  }
  for (KeyConstraint& u : t->uniques) {
    for (const KeyConstraint& p : parsed.uniques) {
      if (SameNames(p.columns, u.columns)) u.name = p.name;
    }
  }
  t->checks = parsed.checks;

  DECANT_ASSIGN_OR_RETURN(Statement fks,
                          Statement::Prepare(c,
                                             "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete, match "
                                             "FROM pragma_foreign_key_list(?1) ORDER BY id DESC, seq"));
  sqlite3_bind_text(fks.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  int64_t current_id = -1;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, fks.Step(c));
    if (!row) break;
    if (t->foreign_keys.empty() || fks.ColumnInt(0) != current_id) {
      current_id = fks.ColumnInt(0);
      ForeignKey fk;
      fk.ref_table = fks.ColumnText(1);
      (void)ParseFkAction(fks.ColumnText(4), &fk.on_update);
      (void)ParseFkAction(fks.ColumnText(5), &fk.on_delete);
      std::string match = fks.ColumnText(6);
      if (!EqualsIgnoreCaseAscii(match, "NONE")) fk.match = AsciiUpper(match);
      t->foreign_keys.push_back(std::move(fk));
    }
    ForeignKey& fk = t->foreign_keys.back();
    fk.columns.push_back(fks.ColumnText(2));
    if (!fks.ColumnIsNull(3)) fk.ref_columns.push_back(fks.ColumnText(3));
  }
  for (ForeignKey& fk : t->foreign_keys) {
    for (const auto& p : parsed.foreign_keys) {
      if (SameNames(p.columns, fk.columns) && EqualsIgnoreCaseAscii(p.ref_table, fk.ref_table)) {
        fk.name = p.name;
        fk.deferrable = p.deferrable;
        fk.initially_deferred = p.initially_deferred;
      }
    }
  }
  return Status::OK();
}

Status SqliteSource::ReadIndex(const std::string& name, const std::string& table, const std::string& sql,
                               Index* index) {
  Connection* c = conn_.get();
  index->name = name;
  index->table = table;
  index->native_ddl = sql;
  sqlite_internal::ParsedIndex parsed;
  sqlite_internal::ParseCreateIndex(sql, &parsed);
  index->where = parsed.where;
  {
    DECANT_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(c,
                                                             "SELECT \"unique\" FROM pragma_index_list(?1) "
                                                             "WHERE name = ?2"));
    sqlite3_bind_text(st.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    DECANT_ASSIGN_OR_RETURN(bool row, st.Step(c));
    index->unique = row && st.ColumnInt(0) != 0;
  }
  DECANT_ASSIGN_OR_RETURN(Statement keys, Statement::Prepare(c,
                                                             "SELECT cid, name, \"desc\", coll "
                                                             "FROM pragma_index_xinfo(?1) WHERE key ORDER BY seqno"));
  sqlite3_bind_text(keys.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  size_t k = 0;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, keys.Step(c));
    if (!row) break;
    IndexKey key;
    int64_t cid = keys.ColumnInt(0);
    if (cid == -2) {
      if (k < parsed.items.size()) key.expression = parsed.items[k];
    } else if (cid == -1) {
      key.column = "rowid";
    } else {
      key.column = keys.ColumnText(1);
    }
    key.descending = keys.ColumnInt(2) != 0;
    std::string coll = keys.ColumnText(3);
    if (!coll.empty() && !EqualsIgnoreCaseAscii(coll, "BINARY")) key.collation = coll;
    index->keys.push_back(std::move(key));
    ++k;
  }
  return Status::OK();
}

Result<Schema> SqliteSource::ReadSchema() {
  Connection* c = conn_.get();
  Schema schema;
  schema.engine = "sqlite";
  schema.server_version = sqlite3_libversion();
  schema.database = BaseName(path_);

  // Table flags and the shadow tables to leave out (their module recreates them).
  std::map<std::string, std::pair<bool, bool>> flags;
  std::set<std::string> skipped;
  {
    DECANT_ASSIGN_OR_RETURN(std::set<std::string> shadows, sqlite_internal::ShadowTables(c));
    for (const std::string& name : shadows) skipped.insert(name);
  }
  {
    DECANT_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(c,
                                                             "SELECT name, type, wr, strict FROM pragma_table_list "
                                                             "WHERE schema = 'main'"));
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool row, st.Step(c));
      if (!row) break;
      std::string name = st.ColumnText(0);
      std::string type = st.ColumnText(1);
      flags[name] = {st.ColumnInt(2) != 0, st.ColumnInt(3) != 0};
    }
  }

  DECANT_ASSIGN_OR_RETURN(Statement objs,
                          Statement::Prepare(c, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid"));
  bool has_sequence = false;
  while (true) {
    DECANT_ASSIGN_OR_RETURN(bool row, objs.Step(c));
    if (!row) break;
    std::string type = objs.ColumnText(0);
    std::string name = objs.ColumnText(1);
    std::string table = objs.ColumnText(2);
    std::string sql = objs.ColumnText(3);
    if (name == "sqlite_sequence") has_sequence = true;
    if (StartsWithIgnoreCaseAscii(table, "sqlite_") || skipped.count(AsciiLower(table))) continue;
    if (type == "table") {
      Table t;
      DECANT_RETURN_IF_ERROR(ReadTable(name, sql, flags, &t).WithContext("table " + name));
      schema.tables.push_back(std::move(t));
    } else if (type == "index") {
      if (objs.ColumnIsNull(3)) continue;  // recreated by its table's DDL
      Index index;
      DECANT_RETURN_IF_ERROR(ReadIndex(name, table, sql, &index).WithContext("index " + name));
      schema.indexes.push_back(std::move(index));
    } else if (type == "view") {
      View v;
      v.name = name;
      v.definition = sqlite_internal::ParseViewDefinition(sql);
      v.native_ddl = sql;
      schema.views.push_back(std::move(v));
    } else if (type == "trigger") {
      Trigger tr;
      tr.name = name;
      tr.table = table;
      tr.native_ddl = sql;
      schema.triggers.push_back(std::move(tr));
    }
  }

  if (has_sequence) {
    DECANT_ASSIGN_OR_RETURN(Statement seq,
                            Statement::Prepare(c, "SELECT name, seq FROM sqlite_sequence ORDER BY rowid"));
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool row, seq.Step(c));
      if (!row) break;
      Sequence s;
      s.name = seq.ColumnText(0);
      s.owner_table = s.name;
      s.last_value = seq.ColumnInt(1);
      if (const Table* t = schema.FindTable("", s.name)) {
        for (const Column& col : t->columns) {
          if (col.auto_increment) s.owner_column = col.name;
        }
      }
      schema.sequences.push_back(std::move(s));
    }
  }

  DECANT_ASSIGN_OR_RETURN(schema.options["encoding"], c->QueryText("PRAGMA encoding"));
  for (const char* pragma : {"user_version", "application_id", "page_size", "auto_vacuum"}) {
    DECANT_ASSIGN_OR_RETURN(int64_t v, c->QueryInt(std::string("PRAGMA ") + pragma));
    schema.options[pragma] = std::to_string(v);
  }
  return schema;
}

TableSize SqliteSource::EstimateSize(const Table& table) {
  TableSize size;
  if (table.options.count("without_rowid") || table.options.count("virtual")) return size;
  auto max = conn_->QueryInt("SELECT coalesce(max(rowid), 0) FROM main." + QuoteIdent(table.name));
  if (max.ok() && *max >= 0) size.rows = static_cast<uint64_t>(*max);
  return size;
}

Result<std::unique_ptr<TableReader>> SqliteSource::OpenTable(const Table& table) {
  std::vector<size_t> data = DataColumns(table);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < data.size(); ++i) {
    if (i) sql += ", ";
    sql += QuoteIdent(table.columns[data[i]].name);
  }
  sql += " FROM main." + QuoteIdent(table.name);
  if (no_rows_.count(table.name)) sql += " WHERE 0";
  auto st = Statement::Prepare(conn_.get(), sql);
  if (!st.ok()) return st.status().WithContext("table " + table.name);
  return std::unique_ptr<TableReader>(new SqliteTableReader(conn_, std::move(st).value(), data.size()));
}

}  // namespace

Result<std::unique_ptr<Source>> OpenSqliteSource(const std::string& uri) {
  DECANT_ASSIGN_OR_RETURN(std::string path, SqliteUriPath(uri));
  FileSystem* fs = FileSystem::Default();
  if (!fs->Exists(path)) return Status::NotFound("no such SQLite database: " + path);
  if (fs->IsDirectory(path)) {
    return Status::InvalidArgument(path + ": not a SQLite database (a directory)");
  }
  DECANT_ASSIGN_OR_RETURN(std::shared_ptr<Connection> conn,
                          Connection::Open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX));
  // The first read both validates the header and starts the snapshot.
  Status st = conn->Exec("BEGIN; SELECT count(*) FROM sqlite_schema;");
  if (!st.ok()) {
    if ((sqlite3_errcode(conn->db()) & 0xff) == SQLITE_NOTADB) {
      return Status::InvalidArgument(path + ": not a SQLite database");
    }
    return st.WithContext(path);
  }
  return std::unique_ptr<Source>(new SqliteSource(std::move(conn), path));
}

}  // namespace decant
