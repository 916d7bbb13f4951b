// MysqlSource: every table from one consistent snapshot, streamed.
//
// Each connection runs START TRANSACTION WITH CONSISTENT SNAPSHOT (REPEATABLE
// READ, READ ONLY) and reads a table with mysql_use_result, so rows flow from
// the server batch by batch and a table is never held whole in memory. For
// several connections to share one point in time, they open their snapshots
// while the first holds FLUSH TABLES WITH READ LOCK, released right after.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>

#include "core/hex.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_endpoint.h"
#include "engines/mysql/mysql_schema.h"

namespace decant {
namespace {

using mysql_internal::CellKind;
using mysql_internal::Connection;
using mysql_internal::ConnectionPool;
using mysql_internal::QuoteIdent;

class MysqlTableReader : public TableReader {
 public:
  MysqlTableReader(ConnectionPool* pool, Connection* conn, MYSQL_RES* res, std::vector<CellKind> kinds,
                   std::string table)
      : pool_(pool), conn_(conn), res_(res), kinds_(std::move(kinds)), table_(std::move(table)) {}
  ~MysqlTableReader() override {
    // Freeing an unbuffered result reads and drops the rows not fetched yet.
    if (res_) mysql_free_result(res_);
    pool_->GiveBack(conn_);
  }

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(kinds_.size());
    if (res_ == nullptr) return false;
    while (!batch->full()) {
      MYSQL_ROW row = mysql_fetch_row(res_);
      if (row == nullptr) {
        if (mysql_errno(conn_->get()) != 0) return conn_->Error("table " + table_);
        mysql_free_result(res_);
        res_ = nullptr;
        break;
      }
      unsigned long* lengths = mysql_fetch_lengths(res_);
      Value* cells = batch->AppendRow();
      size_t bytes = 0;
      for (size_t c = 0; c < kinds_.size(); ++c) {
        Status st = mysql_internal::DecodeCell(kinds_[c], row[c], lengths[c], &scratch_, &cells[c]);
        if (!st.ok()) return st.WithContext("table " + table_);
        bytes += row[c] ? lengths[c] : 0;
      }
      batch->AddPayload(bytes + 8 * kinds_.size());
    }
    return !batch->empty();
  }

 private:
  ConnectionPool* pool_;
  Connection* conn_;
  MYSQL_RES* res_;
  std::vector<CellKind> kinds_;
  std::string table_;
  std::string scratch_;  // kept across cells (geometry)
};

// ---- Slices -------------------------------------------------------------
//
// A table is split on the first column of its primary key, else of its first
// unique key (InnoDB keeps either in an index, so MIN/MAX and range reads are
// index look-ups), when that column is an integer or a string (text in its own
// charset and collation, or bytes). Slice i of n reads
//   first: col < b1 (OR col IS NULL, for a nullable unique key)
//   middle: b_i <= col < b_{i+1}
//   last: col >= b_{n-1}
// so every row is in exactly one slice whatever the boundaries are, as long
// as they are increasing in the column's own collation: they are values the
// server itself returned from the index in ORDER BY col, and every predicate
// compares in the column's collation (`_charset X'..' COLLATE c`), so 'a' and
// 'A' of a case-insensitive key, or 'x' and 'x ' of a PAD SPACE one, fall on
// the same side of every boundary.
//
// TableSlice::bounds, self-contained (another process may read the slice):
//   v1;t=<i|s|b>;c=<column, hex>;k=<index, hex>;cs=<charset>;co=<collation>;lo=<v>;hi=<v>;n=<0|1>
// t: i integer (lo/hi decimal digits), s string (lo/hi hex of the bytes in
// the column's charset), b bytes (hex); lo/hi empty: unbounded; n=1: NULLs too.

// Fewer slices than this much data each are not worth a connection.
constexpr uint64_t kMinSliceBytes = 32u << 20;
constexpr uint64_t kMinSliceRows = 200000;
// String boundaries step through the key's index with LIMIT 1 OFFSET k, which
// reads (n-1)/n of the index; above this many rows a string key is not split.
constexpr uint64_t kMaxSampledRows = 4000000;

struct SliceKey {
  size_t column = 0;  // into Table::columns
  std::string index;  // "PRIMARY", a unique key's name, or "" (no FORCE INDEX)
  char type = 'i';    // 'i', 's', 'b' as in the bounds
  std::string charset, collation;
};

struct SliceBounds {
  char type = 'i';
  std::string column, index, charset, collation;
  std::string lo, hi;  // "" for unbounded
  bool nulls = false;
};

bool PlainName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IntegerText(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool HexText(std::string_view s) {
  return s.size() % 2 == 0 && std::all_of(s.begin(), s.end(), [](char c) { return HexDigitValue(c) >= 0; });
}

std::string EncodeBounds(const SliceBounds& b) {
  return std::string("v1;t=") + b.type + ";c=" + ToHex(b.column) + ";k=" + ToHex(b.index) + ";cs=" + b.charset +
         ";co=" + b.collation + ";lo=" + b.lo + ";hi=" + b.hi + ";n=" + (b.nulls ? "1" : "0");
}

Result<SliceBounds> DecodeBounds(const std::string& text) {
  auto bad = [&] { return Status::InvalidArgument("not a MySQL slice: '" + text + "'"); };
  std::map<std::string, std::string> f;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = std::min(text.find(';', pos), text.size());
    std::string part = text.substr(pos, end - pos);
    size_t eq = part.find('=');
    if (eq == std::string::npos ? part != "v1" : !f.emplace(part.substr(0, eq), part.substr(eq + 1)).second) {
      return bad();
    }
    pos = end + 1;
  }
  SliceBounds b;
  std::string type = f["t"];
  if (!text.starts_with("v1;") || type.size() != 1 || std::string_view("isb").find(type[0]) == std::string::npos ||
      !AppendDecodedHex(f["c"], &b.column) || b.column.empty() || !AppendDecodedHex(f["k"], &b.index)) {
    return bad();
  }
  b.type = type[0];
  b.charset = f["cs"];
  b.collation = f["co"];
  b.lo = f["lo"];
  b.hi = f["hi"];
  b.nulls = f["n"] == "1";
  for (const std::string* v : {&b.lo, &b.hi}) {
    if (!v->empty() && !(b.type == 'i' ? IntegerText(*v) : HexText(*v))) return bad();
  }
  if (b.type == 's' && (!PlainName(b.charset) || !PlainName(b.collation))) return bad();
  return b;
}

// A boundary as an SQL value compared in the column's collation.
std::string Literal(const SliceBounds& b, const std::string& v) {
  if (b.type == 'i') return v;
  if (b.type == 'b') return "X'" + v + "'";
  return "_" + b.charset + " X'" + v + "' COLLATE " + b.collation;
}

// For messages: "id < 100", "'m' <= name < 'q'" (hex when not plain ASCII).
std::string Shown(const SliceBounds& b, const std::string& v) {
  if (b.type == 'i') return v;
  std::string bytes;
  AppendDecodedHex(v, &bytes);
  bool plain =
      std::all_of(bytes.begin(), bytes.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '\'' && c != '\\'; });
  return plain ? "'" + bytes + "'" : "X'" + v + "'";
}

std::string Label(const SliceBounds& b) {
  std::string out = b.lo.empty() ? "" : Shown(b, b.lo) + " <= ";
  out += b.column;
  if (!b.hi.empty()) out += " < " + Shown(b, b.hi);
  if (b.nulls) out += " or NULL";
  return out;
}

// The key a table is split on, if it has one that suits.
std::optional<SliceKey> ChooseSliceKey(const Table& table, const std::vector<CellKind>& kinds) {
  std::vector<const KeyConstraint*> keys;
  if (table.primary_key) keys.push_back(&*table.primary_key);
  for (const KeyConstraint& u : table.uniques) keys.push_back(&u);
  for (const KeyConstraint* k : keys) {
    if (k->columns.empty()) continue;
    auto it = std::find_if(table.columns.begin(), table.columns.end(),
                           [&](const Column& c) { return c.name == k->columns[0]; });
    if (it == table.columns.end()) continue;
    SliceKey key;
    key.column = static_cast<size_t>(it - table.columns.begin());
    key.index = table.primary_key && k == &*table.primary_key ? "PRIMARY" : k->name;
    CellKind kind = key.column < kinds.size() ? kinds[key.column] : CellKind::kGeometry;
    LogicalType l = it->type.logical;
    bool integer =
        l == LogicalType::kInt16 || l == LogicalType::kInt32 || l == LogicalType::kInt64 || l == LogicalType::kUInt64;
    if (integer && (kind == CellKind::kSigned || kind == CellKind::kUnsigned)) {
      key.type = 'i';
    } else if (l == LogicalType::kText && (kind == CellKind::kText || kind == CellKind::kTextConverted)) {
      key.type = 's';
    } else if (l == LogicalType::kBytes && kind == CellKind::kBinary) {
      key.type = 'b';
    } else {
      continue;
    }
    return key;
  }
  return std::nullopt;
}

// n-1 integers splitting [lo, hi] evenly (fewer when the range is narrow).
// Signed values map onto unsigned ones in the same order (flipping the top
// bit), so one computation serves INT and BIGINT UNSIGNED alike.
std::vector<std::string> IntegerBoundaries(const std::string& lo, const std::string& hi, size_t n) {
  bool is_signed = lo.starts_with("-") || hi.starts_with("-");
  auto parse = [&](const std::string& s, uint64_t* out) {
    if (is_signed || s.starts_with("-")) {
      int64_t v = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      *out = static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
      return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  uint64_t a = 0, b = 0;
  if (!parse(lo, &a) || !parse(hi, &b) || b <= a) return {};
  uint64_t step = (b - a) / n + ((b - a) % n != 0);
  std::vector<std::string> out;
  for (size_t i = 1; i < n && step > 0; ++i) {
    uint64_t v = a + step * i;
    if (v <= a || v > b) break;
    out.push_back(is_signed ? std::to_string(static_cast<int64_t>(v ^ (uint64_t{1} << 63))) : std::to_string(v));
  }
  return out;
}

// How many slices `estimate` is worth, up to max_slices.
// DECANT_MYSQL_MIN_SLICE_ROWS=N (tests, tuning): N rows per slice instead.
size_t SliceCount(const TableSize& estimate, size_t max_slices) {
  uint64_t by_size = estimate.bytes  ? *estimate.bytes / kMinSliceBytes
                     : estimate.rows ? *estimate.rows / kMinSliceRows
                                     : 0;
  if (const char* env = std::getenv("DECANT_MYSQL_MIN_SLICE_ROWS"); env && std::atoll(env) > 0) {
    by_size = estimate.rows.value_or(0) / static_cast<uint64_t>(std::atoll(env));
  }
  return static_cast<size_t>(std::min<uint64_t>(max_slices, by_size));
}

class MysqlSource : public Source {
 public:
  Status Open(const mysql_internal::ConnectParams& params, size_t jobs);
  Result<Schema> ReadSchema() override { return read_.schema; }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override;
  std::string Describe() const override { return shown_; }
  size_t MaxParallelTables() const override { return pool_.size(); }
  // From information_schema.TABLES: TABLE_ROWS (exact for MyISAM, InnoDB's
  // sampled estimate) and DATA_LENGTH (bytes of the clustered index or data
  // file), both kept by the server, no scan.
  TableSize EstimateSize(const Table& table) override;
  // Key ranges on the first column of the primary key (else of a unique
  // key) when it is an integer or a string: see SplitRule below and README.md.
  Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& estimate, size_t max_slices) override;
  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override;

 private:
  // Rows of `table` read with `filter` (" FORCE INDEX ... WHERE ..." or "").
  Result<std::unique_ptr<TableReader>> Read(const Table& table, const std::string& filter);
  // The boundaries of the slices (sorted, distinct, at most n-1) of `key`.
  static Result<std::vector<std::string>> Boundaries(Connection& conn, const Table& table, const SliceKey& key,
                                                     uint64_t rows, size_t n);

  ConnectionPool pool_;
  mysql_internal::SchemaRead read_;
  std::string shown_;
};

Status StartSnapshot(Connection& c) {
  // sql_mode '': SHOW CREATE output and values in the server's plain form
  // (no ANSI_QUOTES, no PAD_CHAR_TO_FULL_LENGTH). Long timeouts: the reader
  // may wait on a slow sink between fetches.
  DECANT_RETURN_IF_ERROR(
      c.Exec("SET SESSION sql_mode = '', SESSION net_write_timeout = 86400, SESSION net_read_timeout = 86400"));
  DECANT_RETURN_IF_ERROR(c.Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  return c.Exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

Status MysqlSource::Open(const mysql_internal::ConnectParams& params, size_t jobs) {
  shown_ = params.shown;
  if (params.database.empty()) {
    return Status::InvalidArgument(shown_ + ": no database in the URI (mysql://user@host:3306/DATABASE)");
  }
  DECANT_ASSIGN_OR_RETURN(auto first, Connection::Open(params));
  Connection& main = *first;
  pool_.Add(std::move(first));
  bool locked = false;
  if (jobs > 1) {
    Status st = main.Exec("FLUSH TABLES WITH READ LOCK");
    if (st.ok()) {
      locked = true;
    } else {
      spdlog::warn("{}: reading with one connection: FLUSH TABLES WITH READ LOCK failed ({})", shown_, st.message());
      jobs = 1;
    }
  }
  Status st = StartSnapshot(main);
  for (size_t i = 1; st.ok() && i < jobs; ++i) {
    auto extra = Connection::Open(params);
    if (!extra.ok()) {
      st = extra.status();
      break;
    }
    st = StartSnapshot(**extra);
    pool_.Add(std::move(extra).value());
  }
  if (locked) {
    Status unlock = main.Exec("UNLOCK TABLES");
    if (st.ok()) st = unlock;
  }
  DECANT_RETURN_IF_ERROR(st.ok() ? st : st.WithContext(shown_));
  auto read = mysql_internal::ReadDatabaseSchema(main);
  if (!read.ok()) return read.status().WithContext(shown_ + ": reading the schema");
  read_ = std::move(read).value();
  for (const std::string& what : read_.skipped) spdlog::warn("{}: {} is not carried", shown_, what);
  return Status::OK();
}

TableSize MysqlSource::EstimateSize(const Table& table) {
  TableSize size;
  auto conn = pool_.Take();
  if (!conn.ok()) return size;
  auto rows = (*conn)->Query(
      "SELECT TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
      (*conn)->Quote(table.name));
  pool_.GiveBack(*conn);
  if (!rows.ok() || rows->size() != 1 || rows->front().size() != 2) return size;
  auto number = [](const std::optional<std::string>& v) -> std::optional<uint64_t> {
    if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::strtoull(v->c_str(), nullptr, 10);
  };
  size.rows = number(rows->front()[0]);
  size.bytes = number(rows->front()[1]);
  return size;
}

Result<std::vector<std::string>> MysqlSource::Boundaries(Connection& conn, const Table& table, const SliceKey& key,
                                                         uint64_t rows, size_t n) {
  std::string col = QuoteIdent(table.columns[key.column].name);
  std::string from =
      " FROM " + QuoteIdent(table.name) + (key.index.empty() ? "" : " FORCE INDEX (" + QuoteIdent(key.index) + ")");
  if (key.type == 'i') {
    // Two index look-ups ("Select tables optimized away").
    DECANT_ASSIGN_OR_RETURN(auto r, conn.Query("SELECT MIN(" + col + "), MAX(" + col + ")" + from));
    if (r.size() != 1 || r[0].size() != 2 || !r[0][0] || !r[0][1]) return std::vector<std::string>{};
    return IntegerBoundaries(*r[0][0], *r[0][1], n);
  }
  // Strings: the values at every rows/n-th place of the index, each found
  // from the one before (so the index is walked once, in order).
  if (rows > kMaxSampledRows) return std::vector<std::string>{};
  uint64_t step = std::max<uint64_t>(rows / n, 1);
  SliceBounds lit;
  lit.type = key.type;
  lit.charset = key.charset;
  lit.collation = key.collation;
  std::vector<std::string> out;
  for (size_t i = 1; i < n; ++i) {
    std::string where = " WHERE " + col + " IS NOT NULL";
    if (!out.empty()) where += " AND " + col + " > " + Literal(lit, out.back());
    DECANT_ASSIGN_OR_RETURN(
        auto v, conn.QueryValue("SELECT HEX(" + col + ")" + from + where + " ORDER BY " + col + " LIMIT 1 OFFSET " +
                                std::to_string(out.empty() ? step : step - 1)));
    if (!v || v->empty()) break;
    out.push_back(*v);
  }
  return out;
}

Result<std::vector<TableSlice>> MysqlSource::SplitTable(const Table& table, const TableSize& estimate,
                                                        size_t max_slices) {
  std::vector<TableSlice> whole(1);
  whole[0].estimate = estimate;
  size_t n = SliceCount(estimate, max_slices);
  auto kinds = read_.kinds.find(table.name);
  if (n < 2 || kinds == read_.kinds.end()) return whole;
  std::optional<SliceKey> key = ChooseSliceKey(table, kinds->second);
  if (!key) return whole;
  DECANT_ASSIGN_OR_RETURN(Connection * conn, pool_.Take());
  Result<std::vector<std::string>> bounds = std::vector<std::string>{};
  if (key->type == 's') {
    auto cs = conn->Query(
        "SELECT CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = " +
        conn->Quote(table.name) + " AND COLUMN_NAME = " + conn->Quote(table.columns[key->column].name));
    if (!cs.ok()) {
      bounds = cs.status();
    } else if (cs->size() == 1 && (*cs)[0][0] && (*cs)[0][1] && PlainName(*(*cs)[0][0]) && PlainName(*(*cs)[0][1])) {
      key->charset = *(*cs)[0][0];
      key->collation = *(*cs)[0][1];
    } else {
      key.reset();  // no charset: not a string after all
    }
  }
  if (key && bounds.ok()) bounds = Boundaries(*conn, table, *key, estimate.rows.value_or(0), n);
  pool_.GiveBack(conn);
  if (!bounds.ok()) return bounds.status().WithContext("splitting table " + table.name);
  if (!key || bounds->empty()) return whole;
  SliceBounds b;
  b.type = key->type;
  b.column = table.columns[key->column].name;
  b.index = key->index;
  b.charset = key->charset;
  b.collation = key->collation;
  std::vector<TableSlice> out(bounds->size() + 1);
  for (size_t i = 0; i < out.size(); ++i) {
    b.lo = i == 0 ? "" : (*bounds)[i - 1];
    b.hi = i < bounds->size() ? (*bounds)[i] : "";
    b.nulls = i == 0 && table.columns[key->column].nullable;
    out[i].index = i;
    out[i].count = out.size();
    out[i].bounds = EncodeBounds(b);
    out[i].label = Label(b);
    if (estimate.rows) out[i].estimate.rows = *estimate.rows / out.size();
    if (estimate.bytes) out[i].estimate.bytes = *estimate.bytes / out.size();
  }
  return out;
}

Result<std::unique_ptr<TableReader>> MysqlSource::OpenSlice(const Table& table, const TableSlice& slice) {
  if (slice.whole() && slice.bounds.empty()) return OpenTable(table);
  auto b = DecodeBounds(slice.bounds);
  if (!b.ok()) return b.status().WithContext("table " + table.name);
  bool known =
      std::any_of(table.columns.begin(), table.columns.end(), [&](const Column& c) { return c.name == b->column; });
  if (!known) return Status::InvalidArgument("table " + table.name + " has no column " + b->column + " to slice on");
  std::string col = QuoteIdent(b->column);
  std::string where;
  if (!b->lo.empty()) where = col + " >= " + Literal(*b, b->lo);
  if (!b->hi.empty()) where += (where.empty() ? "" : " AND ") + col + " < " + Literal(*b, b->hi);
  if (b->nulls) where = where.empty() ? col + " IS NULL" : "(" + where + " OR " + col + " IS NULL)";
  std::string filter = b->index.empty() ? "" : " FORCE INDEX (" + QuoteIdent(b->index) + ")";
  if (!where.empty()) filter += " WHERE " + where;
  return Read(table, filter);
}

Result<std::unique_ptr<TableReader>> MysqlSource::OpenTable(const Table& table) { return Read(table, ""); }

Result<std::unique_ptr<TableReader>> MysqlSource::Read(const Table& table, const std::string& filter) {
  auto it = read_.kinds.find(table.name);
  if (it == read_.kinds.end()) return Status::NotFound("table " + table.name + " is not in " + shown_);
  std::vector<size_t> data = DataColumns(table);
  std::vector<CellKind> kinds;
  kinds.reserve(data.size());
  std::string sql = "SELECT ";
  for (size_t i = 0; i < data.size(); ++i) {
    CellKind kind = it->second.at(data[i]);
    std::string col = QuoteIdent(table.columns[data[i]].name);
    if (i) sql += ", ";
    // The float32 widened to double is exact; FLOAT's own text form is not.
    sql += kind == CellKind::kFloat ? "CAST(" + col + " AS DOUBLE)" : col;
    kinds.push_back(kind);
  }
  if (data.empty()) sql += "1";  // never: a table has at least one stored column
  sql += " FROM " + QuoteIdent(table.name) + filter;
  DECANT_ASSIGN_OR_RETURN(Connection * conn, pool_.Take());
  MYSQL_RES* res = mysql_real_query(conn->get(), sql.data(), sql.size()) == 0 ? mysql_use_result(conn->get()) : nullptr;
  if (res == nullptr) {
    Status st = conn->Error("table " + table.name);
    pool_.GiveBack(conn);
    return st;
  }
  return std::unique_ptr<TableReader>(new MysqlTableReader(&pool_, conn, res, std::move(kinds), table.name));
}

}  // namespace

bool IsMysqlUri(const std::string& location) {
  return location.starts_with("mysql://") || location.starts_with("mariadb://");
}

Result<std::unique_ptr<Source>> OpenMysqlSource(const std::string& uri, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto params, mysql_internal::ParseUri(uri));
  auto source = std::make_unique<MysqlSource>();
  DECANT_RETURN_IF_ERROR(source->Open(params, std::max<size_t>(1, options.jobs)));
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace decant
