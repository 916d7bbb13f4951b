// SqliteSource: read-only connections, each holding one read transaction
// from open to close, all begun on the same state of the file (see
// OpenSqliteSource), so the schema and every table come from one snapshot.
// Rowid tables are split into rowid ranges (SplitTable), read on several
// connections at once.
//
// Virtual tables (FTS, R-Tree, ...) become Tables with options["virtual"] =
// module and their CREATE VIRTUAL TABLE text as native_ddl; their visible
// columns are read like any table's. Their shadow tables are skipped: the
// module recreates them. External-content FTS tables carry no rows (the sink
// rebuilds their index, options["virtual_rebuild"]); contentless ones carry
// nothing and are reported with a warning.
// Rowids of tables without an INTEGER PRIMARY KEY are not carried (as with
// VACUUM); rows are read in rowid order within a slice, so relative order holds within it.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "core/ascii.h"
#include "core/hex.h"
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

// One of the source's read connections, with how many readers use it now.
struct ReadConnection {
  std::shared_ptr<Connection> conn;
  std::atomic<int> readers{0};
};

// A slice smaller than this many rowids is not worth a reader of its own: the
// pipeline's cost per unit (a writer, a COPY stream) would outweigh what a
// second reader gains. 100k rows read in about 0.1 s.
constexpr uint64_t kMinSliceRows = 100000;
// Read connections a source opens at most, whatever -j says.
constexpr size_t kMaxReadConnections = 16;
// How often opening them is retried when a write came between.
constexpr int kSnapshotAttempts = 5;

// A slice's bounds: "rowid:LO:HI", the half-open range LO <= rowid < HI of
// decimal int64 values, either empty for no bound (the first and last slice),
// so a slice opened from its bounds alone covers rows whatever their rowids.
std::string EncodeRowidBounds(std::optional<int64_t> lo, std::optional<int64_t> hi) {
  return fmt::format("rowid:{}:{}", lo ? std::to_string(*lo) : "", hi ? std::to_string(*hi) : "");
}

bool ParseInt64(std::string_view text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool DecodeRowidBounds(const std::string& bounds, std::optional<int64_t>* lo, std::optional<int64_t>* hi) {
  if (!bounds.starts_with("rowid:")) return false;
  std::string_view rest = std::string_view(bounds).substr(6);
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view a = rest.substr(0, colon), b = rest.substr(colon + 1);
  int64_t v = 0;
  if (!a.empty()) {
    if (!ParseInt64(a, &v)) return false;
    *lo = v;
  }
  if (!b.empty()) {
    if (!ParseInt64(b, &v)) return false;
    *hi = v;
  }
  return true;
}

class SqliteTableReader : public TableReader {
 public:
  SqliteTableReader(std::shared_ptr<ReadConnection> slot, Statement stmt, size_t num_columns)
      : slot_(std::move(slot)), conn_(slot_->conn), stmt_(std::move(stmt)), num_columns_(num_columns) {}
  ~SqliteTableReader() override {
    stmt_ = Statement();
    --slot_->readers;
  }

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
  std::shared_ptr<ReadConnection> slot_;
  std::shared_ptr<Connection> conn_;  // outlives stmt_ (declared first, destroyed last)
  Statement stmt_;
  size_t num_columns_;
  bool done_ = false;
};

class SqliteSource : public Source {
 public:
  SqliteSource(std::vector<std::shared_ptr<Connection>> conns, std::string path)
      : conn_(conns.front()), path_(std::move(path)) {
    for (auto& c : conns) {
      auto slot = std::make_shared<ReadConnection>();
      slot->conn = std::move(c);
      slots_.push_back(std::move(slot));
    }
  }

  Result<Schema> ReadSchema() override;
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override;
  // One reader per read connection at a time is what pays; more share them.
  size_t MaxParallelTables() const override { return slots_.size(); }
  // Rowid tables: equal rowid ranges between min(rowid) and max(rowid) (two
  // b-tree descents), at least kMinSliceRows rowids each; the first and last
  // range are open-ended. WITHOUT ROWID and virtual tables, and tables whose
  // columns shadow every rowid alias: one slice.
  Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& estimate, size_t max_slices) override;
  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override;
  std::string Describe() const override { return path_.starts_with("/") ? "sqlite://" + path_ : "sqlite:" + path_; }
  std::string Identity() const override;
  // Rows only: max(rowid), one descent of the table's b-tree (rowids count
  // up from 1, so this is exact unless rows were deleted or rowids chosen).
  // WITHOUT ROWID and virtual tables: unknown (counting them is a scan).
  TableSize EstimateSize(const Table& table) override;

 private:
  Status ReadTable(const std::string& name, const std::string& sql,
                   const std::map<std::string, std::pair<bool, bool>>& flags, Table* t);
  Status ReadIndex(const std::string& name, const std::string& table, const std::string& sql, Index* index);

  // The least used read connection, counted as used by one more reader.
  std::shared_ptr<ReadConnection> TakeConnection();
  Result<std::unique_ptr<TableReader>> Open(const Table& table, const std::string& where, std::optional<int64_t> lo,
                                            std::optional<int64_t> hi);

  std::shared_ptr<Connection> conn_;  // the first of slots_: schema and estimates
  std::vector<std::shared_ptr<ReadConnection>> slots_;
  std::mutex mu_;  // guards the choice in TakeConnection
  std::string path_;
  std::set<std::string> no_rows_;  // virtual tables whose rows are not read
};

// The name of the rowid that no column of `table` shadows, or "" if every
// alias is a column's name.
std::string RowidAlias(const Table& table) {
  for (const char* alias : {"rowid", "_rowid_", "oid"}) {
    bool taken = false;
    for (const Column& c : table.columns) taken = taken || EqualsIgnoreCaseAscii(c.name, alias);
    if (!taken) return alias;
  }
  return "";
}

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

// The file as it is on disk: its size and its header's change counter and
// size in pages (bytes 24 to 31), and the write-ahead log's size and header
// (its salts change whenever it is reset), which every commit changes. Empty
// for an in-memory database or a file that cannot be read.
std::string SqliteSource::Identity() const {
  FileSystem* fs = FileSystem::Default();
  auto bytes = [&](const std::string& path, size_t n) -> std::string {
    auto file = fs->NewRandomAccessFile(path);
    if (!file.ok() || (*file)->Size() < n) return "";
    std::string out(n, '\0');
    if (!(*file)->ReadAt(0, n, out.data()).ok()) return "";
    return ToHex(out);
  };
  auto size = fs->FileSize(path_);
  std::string header = bytes(path_, 100);
  if (!size.ok() || header.empty()) return "";
  std::string wal = path_ + "-wal";
  auto wal_size = fs->FileSize(wal);
  return fmt::format("sqlite {} bytes {} wal {} {}", *size, header.substr(48, 16), wal_size.ok() ? *wal_size : 0,
                     wal_size.ok() ? bytes(wal, 32) : "");
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

std::shared_ptr<ReadConnection> SqliteSource::TakeConnection() {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<ReadConnection> best = slots_.front();
  for (const auto& slot : slots_) {
    if (slot->readers.load() < best->readers.load()) best = slot;
  }
  ++best->readers;
  return best;
}

Result<std::unique_ptr<TableReader>> SqliteSource::Open(const Table& table, const std::string& where,
                                                        std::optional<int64_t> lo, std::optional<int64_t> hi) {
  std::vector<size_t> data = DataColumns(table);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < data.size(); ++i) {
    if (i) sql += ", ";
    sql += QuoteIdent(table.columns[data[i]].name);
  }
  sql += " FROM main." + QuoteIdent(table.name);
  if (no_rows_.count(table.name)) {
    sql += " WHERE 0";
  } else if (!where.empty()) {
    sql += " WHERE " + where;
  }
  std::shared_ptr<ReadConnection> slot = TakeConnection();
  auto st = Statement::Prepare(slot->conn.get(), sql);
  if (!st.ok()) {
    --slot->readers;
    return st.status().WithContext("table " + table.name);
  }
  if (lo) sqlite3_bind_int64(st->get(), 1, *lo);
  if (hi) sqlite3_bind_int64(st->get(), 2, *hi);
  return std::unique_ptr<TableReader>(new SqliteTableReader(std::move(slot), std::move(st).value(), data.size()));
}

Result<std::unique_ptr<TableReader>> SqliteSource::OpenTable(const Table& table) {
  return Open(table, "", std::nullopt, std::nullopt);
}

Result<std::vector<TableSlice>> SqliteSource::SplitTable(const Table& table, const TableSize& /*estimate*/,
                                                         size_t max_slices) {
  std::vector<TableSlice> whole(1);
  std::string alias = RowidAlias(table);
  if (max_slices <= 1 || alias.empty() || table.options.count("without_rowid") || table.options.count("virtual") ||
      no_rows_.count(table.name)) {
    return whole;
  }
  // min() and max() of the rowid each take one descent of the b-tree; both in
  // one SELECT would scan the table.
  std::string from = " FROM main." + QuoteIdent(table.name);
  auto lo = conn_->QueryInt("SELECT coalesce(min(" + alias + "), 0)" + from);
  if (!lo.ok()) return lo.status().WithContext("table " + table.name);
  auto hi = conn_->QueryInt("SELECT coalesce(max(" + alias + "), 0)" + from);
  if (!hi.ok()) return hi.status().WithContext("table " + table.name);
  // The span as unsigned: rowids may be negative, and max - min may not fit an int64.
  uint64_t span = static_cast<uint64_t>(*hi) - static_cast<uint64_t>(*lo);
  uint64_t count = std::min<uint64_t>(max_slices, span / kMinSliceRows);
  if (count <= 1) return whole;
  std::vector<TableSlice> slices;
  std::optional<int64_t> begin;
  for (uint64_t i = 0; i < count; ++i) {
    std::optional<int64_t> end;
    if (i + 1 < count) {
      // lo + span * (i + 1) / count, without overflow (count is small).
      uint64_t step = span / count * (i + 1) + span % count * (i + 1) / count;
      end = static_cast<int64_t>(static_cast<uint64_t>(*lo) + step + 1);
    }
    TableSlice s;
    s.index = i;
    s.count = count;
    s.bounds = EncodeRowidBounds(begin, end);
    s.label = fmt::format("rowid {}..{}", begin ? std::to_string(*begin) : "", end ? std::to_string(*end - 1) : "");
    s.estimate.rows = span / count;
    slices.push_back(std::move(s));
    begin = end;
  }
  return slices;
}

Result<std::unique_ptr<TableReader>> SqliteSource::OpenSlice(const Table& table, const TableSlice& slice) {
  if (slice.whole()) return OpenTable(table);
  std::optional<int64_t> lo, hi;
  std::string alias = RowidAlias(table);
  if (!DecodeRowidBounds(slice.bounds, &lo, &hi) || alias.empty()) {
    return Status::InvalidArgument("table " + table.name + ": not a slice of this SQLite table: " + slice.bounds);
  }
  std::string where;
  if (lo) where = alias + " >= ?1";
  if (hi) where += (where.empty() ? "" : " AND ") + alias + " < ?2";
  return Open(table, where, lo, hi);
}

}  // namespace

Result<std::unique_ptr<Source>> OpenSqliteSource(const std::string& uri, size_t jobs) {
  DECANT_ASSIGN_OR_RETURN(std::string path, SqliteUriPath(uri));
  FileSystem* fs = FileSystem::Default();
  if (!fs->Exists(path)) return Status::NotFound("no such SQLite database: " + path);
  if (fs->IsDirectory(path)) {
    return Status::InvalidArgument(path + ": not a SQLite database (a directory)");
  }
  auto open_reader = [&]() -> Result<std::shared_ptr<Connection>> {
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
    return conn;
  };
  size_t n = std::clamp<size_t>(jobs, 1, kMaxReadConnections);
  if (n == 1) {
    DECANT_ASSIGN_OR_RETURN(std::shared_ptr<Connection> conn, open_reader());
    return std::unique_ptr<Source>(new SqliteSource({std::move(conn)}, path));
  }
  // Several connections read one snapshot only if no write committed between
  // the first BEGIN and the last. In rollback-journal mode the first
  // connection's SHARED lock already keeps writers out; in WAL mode it does
  // not, so a probe connection's data_version, taken before the first BEGIN
  // and after the last, tells whether any commit came between (this SQLite
  // has no sqlite3_snapshot_open). Then every connection is opened again.
  DECANT_ASSIGN_OR_RETURN(std::shared_ptr<Connection> probe, Connection::Open(path, SQLITE_OPEN_READONLY));
  for (int attempt = 0; attempt < kSnapshotAttempts; ++attempt) {
    DECANT_ASSIGN_OR_RETURN(int64_t before, probe->QueryInt("PRAGMA data_version"));
    std::vector<std::shared_ptr<Connection>> conns;
    for (size_t i = 0; i < n; ++i) {
      DECANT_ASSIGN_OR_RETURN(std::shared_ptr<Connection> conn, open_reader());
      conns.push_back(std::move(conn));
    }
    DECANT_ASSIGN_OR_RETURN(int64_t after, probe->QueryInt("PRAGMA data_version"));
    if (before == after) return std::unique_ptr<Source>(new SqliteSource(std::move(conns), path));
  }
  return Status::Unavailable(fmt::format(
      "{}: the database was written to while decant opened its {} read connections ({} attempts); stop the writers "
      "or read it with -j1",
      path, n, kSnapshotAttempts));
}

}  // namespace decant
