// PostgresSource: the schema and every table from one snapshot, rows via COPY.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "core/pool.h"
#include "engines/postgresql/pg_catalog.h"
#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/pg_copy.h"
#include "engines/postgresql/pg_internal.h"

namespace decant::pg_internal {
namespace {

constexpr const char* kSnapshotTransaction = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

// The smallest slice SplitTable makes, in bytes of the heap (main fork): a
// smaller table is read whole, and a table of N times this size at most N
// slices. The DECANT_PG_MIN_SLICE_BYTES environment variable overrides it (a
// testing knob, README.md).
constexpr uint64_t kMinSliceBytes = uint64_t{64} << 20;

// TID Range Scan, which reads only the pages of a ctid range, came in
// PostgreSQL 14; before it a ctid range is a filter over a full scan.
constexpr int kTidRangeScanVersion = 140000;

// A slice's pages [first, end); no end: to the end of the table, whatever
// its size when it is read.
struct PageRange {
  uint64_t first = 0;
  std::optional<uint64_t> end;
};

// TableSlice::bounds: "first:end", or "first:" for an open end.
std::string EncodePages(const PageRange& range) {
  return fmt::format("{}:{}", range.first, range.end ? std::to_string(*range.end) : "");
}

// A decimal number up to `max`, nothing else.
std::optional<uint64_t> ParseNumber(std::string_view text, uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

// A block number is 32 bits (BlockNumber).
std::optional<uint64_t> ParseBlock(std::string_view text) { return ParseNumber(text, 0xFFFFFFFFu); }

std::optional<PageRange> DecodePages(std::string_view bounds) {
  size_t colon = bounds.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  PageRange range;
  auto first = ParseBlock(bounds.substr(0, colon));
  if (!first) return std::nullopt;
  range.first = *first;
  if (colon + 1 < bounds.size()) {
    range.end = ParseBlock(bounds.substr(colon + 1));
    if (!range.end || *range.end <= range.first) return std::nullopt;
  }
  return range;
}

// total * part / whole without overflow (part <= whole < 2^32).
uint64_t ShareOf(uint64_t total, uint64_t part, uint64_t whole) {
  return total / whole * part + total % whole * part / whole;
}

// The WHERE clause that selects a page range: a TID Range Scan on 14+.
std::string PagesFilter(const PageRange& range) {
  std::string sql = fmt::format("ctid >= '({},0)'::pg_catalog.tid", range.first);
  if (range.end) sql += fmt::format(" AND ctid < '({},0)'::pg_catalog.tid", *range.end);
  return sql;
}

class PostgresSource;

// Reads one table, or the rows of one page range of it, with COPY ... TO
// STDOUT on a connection borrowed from the source's pool, returned when the
// reader is destroyed.
class CopyOutReader final : public TableReader {
 public:
  // `pages`: the slice to read; none: the whole table.
  CopyOutReader(PostgresSource* source, Connection* conn, const Table& table,
                const std::optional<PageRange>& pages = std::nullopt);
  ~CopyOutReader() override;
  Result<bool> Next(RowBatch* batch) override;

 private:
  Status Start();

  PostgresSource* source_;
  Connection* conn_;
  std::string label_;
  std::string copy_sql_;
  std::vector<Decode> kinds_;
  std::string scratch_;  // unescaping space, reused for every row
  bool started_ = false;
  bool done_ = false;
};

class PostgresSource final : public Source {
 public:
  // `snapshot`: one to import (EndpointOptions::snapshot); empty: take one.
  PostgresSource(std::unique_ptr<Connection> main, std::string location, size_t jobs, std::string snapshot,
                 uint64_t min_slice_bytes)
      : location_(std::move(location)),
        jobs_(std::max<size_t>(1, jobs)),
        imported_(!snapshot.empty()),
        snapshot_(std::move(snapshot)),
        min_slice_bytes_(std::max<uint64_t>(1, min_slice_bytes)),
        main_(main.get()),
        pool_(jobs_) {
    pool_.Add(std::move(main));
  }

  // Opens the main connection's transaction: on the imported snapshot, or on
  // its own, which it exports whatever the jobs (a few microseconds), so that
  // SnapshotId always has it.
  Status Start() {
    describe_ = main_->Describe();
    DECANT_RETURN_IF_ERROR(PrepareSession(main_));
    if (!snapshot_.empty()) return ImportSnapshot(main_);
    DECANT_RETURN_IF_ERROR(main_->Exec(kSnapshotTransaction));
    DECANT_ASSIGN_OR_RETURN(snapshot_, main_->QueryValue("SELECT pg_catalog.pg_export_snapshot()"));
    return Status::OK();
  }

  Result<Schema> ReadSchema() override { return ReadCatalog(main_); }

  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override {
    DECANT_ASSIGN_OR_RETURN(Connection * conn, Borrow());
    return std::unique_ptr<TableReader>(new CopyOutReader(this, conn, table));
  }

  std::string Describe() const override { return describe_; }
  size_t MaxParallelTables() const override { return jobs_; }
  Result<std::string> SnapshotId() override { return snapshot_; }
  // A snapshot given to import (a coordinator's, which outlives this
  // process) is the same rows in every process that reads it; one of its own
  // ends with this source.
  std::string Identity() const override { return imported_ ? describe_ + " snapshot " + snapshot_ : ""; }

  // Page ranges of the heap, from its size on disk now (pg_relation_size:
  // relpages is only as fresh as the last VACUUM or ANALYZE). The last range
  // is open-ended, so pages added since are read too (their rows are visible
  // only if the snapshot sees them). One whole slice where ranges would not
  // pay: before PostgreSQL 14 (no TID Range Scan), for a partitioned parent
  // (no rows of its own) or anything but a plain table, and for a table below
  // two minimum slices.
  Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& estimate,
                                             size_t max_slices) override {
    std::vector<TableSlice> whole = {TableSlice{}};
    whole[0].estimate = estimate;
    if (max_slices <= 1 || main_->server_version_num() < kTidRangeScanVersion || table.options.count(kOptPartitionBy) ||
        DataColumns(table).empty()) {
      return whole;
    }
    DECANT_ASSIGN_OR_RETURN(Connection * conn, Borrow());
    auto r = conn->Query(
        fmt::format("SELECT c.relkind, pg_catalog.pg_relation_size(c.oid), pg_catalog.current_setting('block_size') "
                    "FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass({})",
                    QuoteLiteral(QuoteQualified(table.schema, table.name))));
    GiveBack(conn);
    if (!r.ok()) return r.status().WithContext("sizing table " + QualifiedName(table.schema, table.name));
    if (r->rows() != 1 || r->Get(0, 0) != "r" || r->IsNull(0, 1)) return whole;
    uint64_t bytes = static_cast<uint64_t>(std::max<long long>(0, r->GetInt(0, 1)));
    uint64_t block = static_cast<uint64_t>(std::max<long long>(1, r->GetInt(0, 2)));
    uint64_t pages = bytes / block;
    uint64_t count = std::min<uint64_t>({max_slices, bytes / min_slice_bytes_, pages});
    if (count <= 1) return whole;

    std::vector<TableSlice> slices;
    for (uint64_t i = 0; i < count; ++i) {
      bool last = i + 1 == count;
      uint64_t first = pages * i / count;
      uint64_t end = last ? pages : pages * (i + 1) / count;  // the last slice is open-ended
      PageRange range{first, std::nullopt};
      if (!last) range.end = end;
      TableSlice s;
      s.index = i;
      s.count = count;
      s.label = last ? fmt::format("pages {}-", first) : fmt::format("pages {}-{}", first, end - 1);
      s.bounds = EncodePages(range);
      uint64_t share = end - first;
      if (estimate.rows) s.estimate.rows = ShareOf(*estimate.rows, share, pages);
      if (estimate.bytes) s.estimate.bytes = ShareOf(*estimate.bytes, share, pages);
      slices.push_back(std::move(s));
    }
    return slices;
  }

  // Decodes the bounds alone (nothing of SplitTable is kept), so a slice made
  // by another process on the same snapshot reads the same rows.
  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override {
    if (slice.whole()) return OpenTable(table);
    auto range = DecodePages(slice.bounds);
    if (!range) {
      return Status::InvalidArgument(fmt::format("table {}: slice {} of {} has bounds \"{}\", not a page range",
                                                 QualifiedName(table.schema, table.name), slice.index + 1, slice.count,
                                                 slice.bounds));
    }
    DECANT_ASSIGN_OR_RETURN(Connection * conn, Borrow());
    return std::unique_ptr<TableReader>(new CopyOutReader(this, conn, table, *range));
  }

  // From the catalog: reltuples (the planner's row estimate, as of the last
  // VACUUM or ANALYZE; -1 before either on PostgreSQL 14+, then unknown) and
  // pg_table_size (heap and TOAST on disk, a stat of the files, no scan).
  // to_regclass, not ::regclass: an error would abort the snapshot's
  // transaction, and with it every read after.
  TableSize EstimateSize(const Table& table) override {
    TableSize size;
    auto conn = Borrow();
    if (!conn.ok()) return size;
    auto r = (*conn)->Query(
        fmt::format("SELECT c.reltuples::bigint, pg_catalog.pg_table_size(c.oid) FROM pg_catalog.pg_class c "
                    "WHERE c.oid = pg_catalog.to_regclass({})",
                    QuoteLiteral(QuoteQualified(table.schema, table.name))));
    GiveBack(*conn);
    if (!r.ok() || r->rows() != 1) return size;
    if (!r->IsNull(0, 0) && r->GetInt(0, 0) >= 0) size.rows = static_cast<uint64_t>(r->GetInt(0, 0));
    if (!r->IsNull(0, 1) && r->GetInt(0, 1) >= 0) size.bytes = static_cast<uint64_t>(r->GetInt(0, 1));
    return size;
  }

  void GiveBack(Connection* conn) { pool_.GiveBack(conn); }

 private:
  // A connection reading the same snapshot: the main one, or a worker that
  // imported it with SET TRANSACTION SNAPSHOT.
  Result<Connection*> Borrow() {
    DECANT_ASSIGN_OR_RETURN(Connection * conn, pool_.TryTake([this]() -> Result<std::unique_ptr<Connection>> {
      DECANT_ASSIGN_OR_RETURN(auto worker, Connection::Open(location_));
      DECANT_RETURN_IF_ERROR(PrepareSession(worker.get()));
      DECANT_RETURN_IF_ERROR(ImportSnapshot(worker.get()));
      return worker;
    }));
    if (!conn) return Status::Internal("more tables open at once than --jobs allows");
    return conn;
  }

  // Opens `conn`'s transaction on snapshot_, exported by this source's main
  // connection or by another process. The exporter ending its transaction
  // is the usual reason for a refusal (22023, invalid snapshot identifier).
  Status ImportSnapshot(Connection* conn) {
    DECANT_RETURN_IF_ERROR(conn->Exec(kSnapshotTransaction));
    std::string sqlstate;
    Status st = conn->Exec("SET TRANSACTION SNAPSHOT " + QuoteLiteral(snapshot_), &sqlstate);
    if (st.ok() || st.code() == StatusCode::kUnavailable) return st;
    if (sqlstate == "22023") {
      return Status::FailedPrecondition(fmt::format(
          "snapshot {} is not available on {}: the process that exported it (decant export --coordinate) must "
          "still be running",
          snapshot_, describe_));
    }
    return Status::FailedPrecondition(
        fmt::format("snapshot {} cannot be read on {}: {}", snapshot_, describe_, st.message()));
  }

  std::string location_;
  size_t jobs_;
  bool imported_;         // snapshot_ was given (EndpointOptions::snapshot)
  std::string snapshot_;  // imported, or exported by main_
  uint64_t min_slice_bytes_;
  std::string describe_;
  Connection* main_;       // owned by pool_
  Pool<Connection> pool_;  // main_, then workers up to jobs_
};

CopyOutReader::CopyOutReader(PostgresSource* source, Connection* conn, const Table& table,
                             const std::optional<PageRange>& pages)
    : source_(source), conn_(conn), label_(QualifiedName(table.schema, table.name)) {
  std::string cols;
  for (size_t i : DataColumns(table)) {
    cols += (cols.empty() ? "" : ", ") + QuoteIdent(table.columns[i].name);
    kinds_.push_back(DecodeFor(table.columns[i].type));
  }
  // A partitioned table holds no rows itself: its partitions are tables of
  // their own. (Rows of a table without columns carry nothing either.)
  if (table.options.count(kOptPartitionBy) || kinds_.empty()) {
    done_ = true;
    return;
  }
  if (!pages) {
    copy_sql_ = fmt::format("COPY {} ({}) TO STDOUT", QuoteQualified(table.schema, table.name), cols);
    return;
  }
  // ONLY: like COPY of a table, without the rows of tables that inherit it.
  // The query's columns print exactly as COPY of the table prints them.
  label_ += fmt::format(" (pages {}-{})", pages->first, pages->end ? std::to_string(*pages->end - 1) : "");
  copy_sql_ = fmt::format("COPY (SELECT {} FROM ONLY {} WHERE {}) TO STDOUT", cols,
                          QuoteQualified(table.schema, table.name), PagesFilter(*pages));
}

CopyOutReader::~CopyOutReader() {
  if (started_ && !done_) {
    // Drain the COPY so the connection can be reused (an error path).
    char* buf = nullptr;
    while (PQgetCopyData(conn_->get(), &buf, 0) > 0) PQfreemem(buf);
    while (PGresult* r = PQgetResult(conn_->get())) PQclear(r);
  }
  source_->GiveBack(conn_);
}

Status CopyOutReader::Start() {
  started_ = true;
  PGresult* r = PQexec(conn_->get(), copy_sql_.c_str());
  QueryResult holder(r);
  if (PQresultStatus(r) != PGRES_COPY_OUT) {
    done_ = true;
    return conn_->Error("reading table " + label_, r);
  }
  return Status::OK();
}

Result<bool> CopyOutReader::Next(RowBatch* batch) {
  batch->Reset(kinds_.size());
  if (done_) return false;
  if (!started_) DECANT_RETURN_IF_ERROR(Start());
  while (!batch->full()) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_->get(), &buf, 0);
    if (n == -1) {  // end of COPY: collect its result
      done_ = true;
      PGresult* r = PQgetResult(conn_->get());
      QueryResult holder(r);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) return conn_->Error("reading table " + label_, r);
      while (PGresult* extra = PQgetResult(conn_->get())) PQclear(extra);
      break;
    }
    if (n < 0) {
      done_ = true;
      return conn_->Error("reading table " + label_);
    }
    std::string_view line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    size_t payload = 0;
    Status st = DecodeCopyRow(line, kinds_, batch->AppendRow(), &payload, &scratch_);
    PQfreemem(buf);
    if (!st.ok()) return st.WithContext("table " + label_);
    batch->AddPayload(payload);
  }
  return !batch->empty();
}

}  // namespace

Result<std::unique_ptr<Source>> OpenSource(const std::string& location, const EndpointOptions& options) {
  DECANT_ASSIGN_OR_RETURN(auto conn, Connection::Open(location));
  uint64_t min_slice = kMinSliceBytes;
  if (const char* knob = std::getenv("DECANT_PG_MIN_SLICE_BYTES")) {
    if (auto v = ParseNumber(knob, UINT64_MAX); v && *v > 0) min_slice = *v;
  }
  auto source = std::make_unique<PostgresSource>(std::move(conn), location, options.jobs, options.snapshot, min_slice);
  DECANT_RETURN_IF_ERROR(source->Start());
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace decant::pg_internal
