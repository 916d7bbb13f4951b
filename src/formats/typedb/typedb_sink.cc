// The TypeDB export writer: `decant export SOURCE --format typedb`
// (docs/formats/typedb.md, "Writing").
//
// The input is the relational layout. Rows arrive table by table, in any
// order:
//   - typedb:file and typedb:types are kept in memory (a few rows each);
//   - each type table's rows are spooled, as they arrive, to a private
//     temporary file as partial items (id, owned-column ids, value cells);
//   - the rows of <type>:has and <relation>:roles are kept in memory, their
//     strings in an arena, until Commit joins them to their owners.
// Commit checks the labels and walks the spool twice: once to convert and
// count everything (so what the target generation cannot hold is refused
// before a byte is written), once to write header, attributes, entities,
// relations and the checksums of what was written.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "core/plural.h"
#include "formats/common/input_helpers.h"
#include "formats/typedb/export_file.h"
#include "formats/typedb/labels.h"
#include "formats/typedb/layout.h"
#include "formats/typedb/typedb_format.h"
#include "formats/typedb/typedb_values.h"

namespace decant::typedb {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;
constexpr size_t kNone = static_cast<size_t>(-1);

// --- The spool: one record per row of a type table ----------------------
// varint record length, then: id (string), owned ids (varint count,
// strings), and for a table with a value column three values (value,
// value_tz, value_ns), each a kind byte and its payload.

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    auto b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) return true;
  }
  return false;
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

bool GetString(std::string_view* in, std::string_view* s) {
  uint64_t n = 0;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

void PutValue(const Value& v, std::string* out) {
  out->push_back(static_cast<char>(v.kind()));
  char bits[8];
  switch (v.kind()) {
    case Value::Kind::kNull: break;
    case Value::Kind::kBool: out->push_back(v.as_bool() ? 1 : 0); break;
    case Value::Kind::kInt: {
      int64_t i = v.as_int();
      std::memcpy(bits, &i, 8);
      out->append(bits, 8);
      break;
    }
    case Value::Kind::kUInt: {
      uint64_t u = v.as_uint();
      std::memcpy(bits, &u, 8);
      out->append(bits, 8);
      break;
    }
    case Value::Kind::kFloat: {
      double d = v.as_float();
      std::memcpy(bits, &d, 8);
      out->append(bits, 8);
      break;
    }
    case Value::Kind::kText:
    case Value::Kind::kBytes: PutString(v.as_string(), out); break;
  }
}

bool GetValue(std::string_view* in, Value* v) {
  if (in->empty()) return false;
  auto kind = static_cast<Value::Kind>(in->front());
  in->remove_prefix(1);
  auto fixed = [&](void* dst) {
    if (in->size() < 8) return false;
    std::memcpy(dst, in->data(), 8);
    in->remove_prefix(8);
    return true;
  };
  std::string_view s;
  switch (kind) {
    case Value::Kind::kNull: *v = Value::Null(); return true;
    case Value::Kind::kBool:
      if (in->empty()) return false;
      *v = Value::Bool(in->front() != 0);
      in->remove_prefix(1);
      return true;
    case Value::Kind::kInt: {
      int64_t i = 0;
      if (!fixed(&i)) return false;
      *v = Value::Int(i);
      return true;
    }
    case Value::Kind::kUInt: {
      uint64_t u = 0;
      if (!fixed(&u)) return false;
      *v = Value::UInt(u);
      return true;
    }
    case Value::Kind::kFloat: {
      double d = 0;
      if (!fixed(&d)) return false;
      *v = Value::Float(d);
      return true;
    }
    case Value::Kind::kText:
      if (!GetString(in, &s)) return false;
      *v = Value::Text(s);
      return true;
    case Value::Kind::kBytes:
      if (!GetString(in, &s)) return false;
      *v = Value::Bytes(s);
      return true;
  }
  return false;
}

// The text of an id or label cell; false for NULL.
bool CellText(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kText:
    case Value::Kind::kBytes: *out = v.as_string(); return true;
    case Value::Kind::kInt: *out = std::to_string(v.as_int()); return true;
    case Value::Kind::kUInt: *out = std::to_string(v.as_uint()); return true;
    case Value::Kind::kBool: *out = v.as_bool() ? "true" : "false"; return true;
    case Value::Kind::kFloat: *out = fmt::format("{}", v.as_float()); return true;
    case Value::Kind::kNull: break;
  }
  return false;
}

// Strings kept until Commit, in blocks that never move.
class Arena {
 public:
  std::string_view Add(std::string_view s) {
    if (blocks_.empty() || blocks_.back().capacity() - blocks_.back().size() < s.size()) {
      blocks_.emplace_back();
      blocks_.back().reserve(std::max(kBlock, s.size()));
    }
    std::string& b = blocks_.back();
    size_t at = b.size();
    b.append(s);
    return {b.data() + at, s.size()};
  }

 private:
  static constexpr size_t kBlock = size_t{1} << 20;
  std::deque<std::string> blocks_;
};

// Small labels (role labels, :has types) stored once.
class Interner {
 public:
  uint32_t Add(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    auto n = static_cast<uint32_t>(names_.size());
    names_.emplace_back(s);
    index_.emplace(std::string(s), n);
    return n;
  }
  const std::string& operator[](uint32_t i) const { return names_[i]; }
  const std::deque<std::string>& names() const { return names_; }

 private:
  std::deque<std::string> names_;
  std::map<std::string, uint32_t, std::less<>> index_;
};

// One row of <type>:has or <relation>:roles.
struct EdgeRow {
  std::string_view owner;  // the owner's / relation's id
  std::string_view other;  // the attribute's / player's id
  uint32_t label = 0;      // the attribute type / role label (interned)
};

struct Segment {
  uint64_t offset = 0, length = 0;
};

// One type table of the input and what Commit makes of it.
struct TypeOut {
  const Table* table = nullptr;
  std::string label;
  Kind kind = Kind::kEntity;
  ValueType value_type = ValueType::kNone;
  bool named = false;  // in typedb:types
  // Batch columns.
  size_t id = kNone, value = kNone, tz = kNone, ns = kNone;
  std::vector<std::pair<size_t, std::string>> owned;  // batch column, attribute label
  std::vector<Segment> segments;                      // of the spool
  uint64_t rows = 0;
  const Table* has_table = nullptr;
  const Table* roles_table = nullptr;
  std::vector<EdgeRow> has, roles;
  bool open = false;
};

enum class RouteKind { kIgnored, kFile, kTypes, kType, kHas, kRoles };

struct Route {
  RouteKind kind = RouteKind::kIgnored;
  size_t type = kNone;
  std::vector<size_t> cols;  // batch columns, in the order the route reads them
};

// What pass 1 found that the target generation cannot hold.
struct Losses {
  std::map<std::string, std::pair<uint64_t, std::string>> values;  // type -> (count, why)
  std::map<std::string, uint64_t> owning;                          // attribute type -> attributes owning
};

// The counts of what was written (the checksums item).
struct Counts {
  int64_t entity = 0, attribute = 0, relation = 0, role = 0, ownership = 0;
};

// Reads the spool's records of one segment.
class SpoolReader {
 public:
  SpoolReader(const RandomAccessFile* file, Segment seg)
      : file_(file), pos_(seg.offset), end_(seg.offset + seg.length) {}

  // The next record; false at the end of the segment.
  Result<bool> Next(std::string_view* record) {
    if (at_ == buf_.size() && pos_ == end_) return false;
    DECANT_RETURN_IF_ERROR(Ensure(10));
    std::string_view in(buf_.data() + at_, buf_.size() - at_);
    size_t before = in.size();
    uint64_t n = 0;
    if (!GetVarint(&in, &n)) return Status::Corruption("TypeDB writer: the spool file is damaged");
    at_ += before - in.size();
    DECANT_RETURN_IF_ERROR(Ensure(n));
    if (buf_.size() - at_ < n) return Status::Corruption("TypeDB writer: the spool file is damaged");
    *record = std::string_view(buf_.data() + at_, n);
    at_ += n;
    return true;
  }

 private:
  // At least `n` bytes buffered from at_, or all that is left.
  Status Ensure(uint64_t n) {
    if (buf_.size() - at_ >= n) return Status::OK();
    buf_.erase(0, at_);
    at_ = 0;
    uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n - buf_.size(), kFlushBytes), end_ - pos_);
    if (want == 0) return Status::OK();
    size_t had = buf_.size();
    buf_.resize(had + want);
    DECANT_RETURN_IF_ERROR(file_->ReadAt(pos_, want, buf_.data() + had));
    pos_ += want;
    return Status::OK();
  }

  const RandomAccessFile* file_;
  uint64_t pos_, end_;
  std::string buf_;
  size_t at_ = 0;
};

std::string ItemLabel(const v3::Item& item) {
  if (item.has_attribute()) return item.attribute().label();
  if (item.has_entity()) return item.entity().label();
  if (item.has_relation()) return item.relation().label();
  return "item";
}

std::string ItemId(const v3::Item& item) {
  if (item.has_attribute()) return item.attribute().id();
  if (item.has_entity()) return item.entity().id();
  if (item.has_relation()) return item.relation().id();
  return "";
}

class TypeDbSink;

class LayoutWriter final : public TableWriter {
 public:
  LayoutWriter(TypeDbSink* sink, const Route* route, std::string table, size_t width)
      : sink_(sink), route_(route), table_(std::move(table)), width_(width) {}
  ~LayoutWriter() override;
  Status Write(const RowBatch& batch) override;
  Status Close() override;

 private:
  TypeDbSink* sink_;
  const Route* route_;
  std::string table_;
  size_t width_;
  bool closed_ = false;
  Status failed_;
};

class TypeDbSink final : public Sink {
 public:
  TypeDbSink(std::string path, const FileWriteOptions& options, LabelMap labels, FileSystem* fs)
      : path_(std::move(path)),
        version_(options.typedb.version),
        labels_(std::move(labels)),
        replace_(options.replace),
        fs_(fs) {}
  ~TypeDbSink() override {
    if (state_ != State::kCommitted && state_ != State::kAborted) Abort();
  }
  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override { return "TypeDB export " + (path_ == "-" ? std::string("(stdout)") : path_); }
  const EngineTraits& Traits() const override { return *typedb::Traits(); }

 private:
  friend class LayoutWriter;
  enum class State { kNew, kWriting, kCommitted, kAborted, kFailed };

  Status WriteRows(const Route& route, const std::string& table, const RowBatch& batch);
  Status FlushSpool();
  void Closed(const Route& route);
  Status Resolve();
  int RecordedGeneration() const;
  std::string HeaderVersion() const;
  Status CheckLabels();
  Status Walk(const RandomAccessFile& spool, WritableFile* out, Losses* losses, Counts* counts);
  Status WriteItem(const v3::Item& item, WritableFile* out, Losses* losses);

  std::string path_;
  int version_;  // as asked (0: recorded)
  int generation_ = 3;
  LabelMap labels_;
  bool replace_;  // --force: an existing file is replaced on Commit
  FileSystem* fs_;
  State state_ = State::kNew;
  Schema schema_;
  std::vector<TypeOut> types_;
  std::map<std::string, Route> routes_;  // QualifiedName -> what its rows become
  std::map<std::string, std::string> file_;
  struct TypeRow {
    std::string label, kind, value_type;
  };
  std::vector<TypeRow> type_rows_;
  Arena arena_;
  Interner roles_, has_types_;
  std::string tmp_, partial_, spool_path_;
  std::unique_ptr<WritableFile> spool_;
  std::string spool_buf_;
  uint64_t spool_size_ = 0;
  std::string out_buf_;
};

LayoutWriter::~LayoutWriter() {
  if (!closed_) sink_->Closed(*route_);
}

Status LayoutWriter::Write(const RowBatch& batch) {
  if (closed_) return Status::FailedPrecondition("TypeDB export: Write after Close");
  if (!failed_.ok()) return failed_;
  if (batch.num_columns() != width_) {
    return failed_ = Status::InvalidArgument(
               fmt::format("table {}: batch has {} columns, expected {}", table_, batch.num_columns(), width_));
  }
  failed_ = sink_->WriteRows(*route_, table_, batch);
  return failed_;
}

Status LayoutWriter::Close() {
  if (closed_) return failed_;
  closed_ = true;
  if (failed_.ok()) failed_ = sink_->FlushSpool();
  sink_->Closed(*route_);
  return failed_;
}

// The batch column of the data column named `name`, or kNone.
size_t BatchColumn(const Table& t, std::string_view name) {
  std::vector<size_t> data = DataColumns(t);
  for (size_t i = 0; i < data.size(); ++i) {
    if (t.columns[data[i]].name == name) return i;
  }
  return kNone;
}

Status NeedColumns(const Table& t, std::initializer_list<std::string_view> names, Route* route) {
  for (std::string_view n : names) {
    size_t c = BatchColumn(t, n);
    if (c == kNone) {
      return Status::InvalidArgument(
          fmt::format("table {} has no column {}, which the TypeDB relational layout "
                      "gives it (docs/formats/typedb.md)",
                      t.name, n));
    }
    route->cols.push_back(c);
  }
  return Status::OK();
}

Status TypeDbSink::Begin(const Schema& schema, const SinkOptions& /*options*/) {
  if (state_ != State::kNew) return Status::FailedPrecondition("TypeDB export: Begin called twice");
  state_ = State::kFailed;  // until Begin succeeds
  DECANT_RETURN_IF_ERROR(CheckOutputFile(fs_, path_, "TypeDB export", replace_));
  schema_ = schema;
  // Tables by name: a database's namespace (PostgreSQL's "public") does not matter.
  std::map<std::string, const Table*, std::less<>> by_name;
  for (const Table& t : schema_.tables) {
    auto [at, fresh] = by_name.emplace(t.name, &t);
    if (!fresh) {
      return Status::InvalidArgument(fmt::format("table {} is in two schemas ({} and {}): choose one with --table",
                                                 t.name, at->second->schema, t.schema));
    }
  }
  if (!by_name.count(kTypesTable)) {
    std::string what = schema_.database.empty() ? std::string("the input") : schema_.database;
    return Status::InvalidArgument(
        fmt::format("{} is not a TypeDB relational layout: no table {} (docs/formats/typedb.md)", what, kTypesTable));
  }
  // Type tables first, then the tables that hang from them.
  std::map<std::string, size_t, std::less<>> type_index;
  for (const Table& t : schema_.tables) {
    if (t.name.find(':') != std::string::npos) continue;
    TypeOut out;
    out.table = &t;
    out.label = t.name;
    Route route;
    route.kind = RouteKind::kType;
    route.type = types_.size();
    out.id = BatchColumn(t, "id");
    if (out.id == kNone) {
      return Status::InvalidArgument(fmt::format(
          "table {} is not part of a TypeDB relational layout: it has no id column (docs/formats/typedb.md)", t.name));
    }
    out.value = BatchColumn(t, "value");
    out.tz = BatchColumn(t, "value_tz");
    out.ns = BatchColumn(t, "value_ns");
    std::vector<size_t> data = DataColumns(t);
    for (size_t i = 0; i < data.size(); ++i) {
      std::string label = OwnedLabel(t.columns[data[i]].name);
      if (!label.empty()) out.owned.emplace_back(i, std::move(label));
    }
    type_index[t.name] = types_.size();
    routes_[QualifiedName(t.schema, t.name)] = std::move(route);
    types_.push_back(std::move(out));
  }
  for (const Table& t : schema_.tables) {
    if (t.name.find(':') == std::string::npos) continue;
    Route route;
    std::string_view name = t.name;
    if (name == kFileTable) {
      route.kind = RouteKind::kFile;
      DECANT_RETURN_IF_ERROR(NeedColumns(t, {"key", "value"}, &route));
    } else if (name == kTypesTable) {
      route.kind = RouteKind::kTypes;
      DECANT_RETURN_IF_ERROR(NeedColumns(t, {"label", "kind", "value_type"}, &route));
    } else {
      bool has = name.ends_with(":has"), roles = name.ends_with(":roles");
      std::string_view owner = name.substr(0, name.rfind(':'));
      auto it = type_index.find(owner);
      if ((!has && !roles) || it == type_index.end()) {
        return Status::InvalidArgument(
            fmt::format("table {} is not part of a TypeDB relational layout: {} (docs/formats/typedb.md)", t.name,
                        has || roles ? "no table " + std::string(owner) + " for it"
                                     : std::string("only typedb:file, typedb:types, <type>:has and "
                                                   "<relation>:roles have a ':' in their name")));
      }
      route.type = it->second;
      if (has) {
        route.kind = RouteKind::kHas;
        types_[it->second].has_table = &t;
        DECANT_RETURN_IF_ERROR(NeedColumns(t, {"owner", "type", "attribute"}, &route));
      } else {
        route.kind = RouteKind::kRoles;
        types_[it->second].roles_table = &t;
        DECANT_RETURN_IF_ERROR(NeedColumns(t, {"relation", "role", "player"}, &route));
      }
    }
    routes_[QualifiedName(t.schema, t.name)] = std::move(route);
  }
  DECANT_ASSIGN_OR_RETURN(tmp_, MakeSinkWorkDir(path_, "typedb", fs_, &partial_));
  spool_path_ = JoinPath(tmp_, "items.spool");
  DECANT_ASSIGN_OR_RETURN(spool_, fs_->NewWritableFile(spool_path_));
  state_ = State::kWriting;
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> TypeDbSink::OpenTable(const Table& table) {
  if (state_ != State::kWriting) return Status::FailedPrecondition("TypeDB export is not open for writing");
  auto it = routes_.find(QualifiedName(table.schema, table.name));
  if (it == routes_.end()) {
    return Status::NotFound("table " + QualifiedName(table.schema, table.name) + " is not in the export's schema");
  }
  const Route& route = it->second;
  if (route.kind == RouteKind::kType) {
    TypeOut& t = types_[route.type];
    if (t.open) return Status::FailedPrecondition("table " + table.name + " is already open");
    t.open = true;
    // A second writer of the same table (a retried or sliced read) adds a segment.
    t.segments.push_back({spool_size_ + spool_buf_.size(), 0});
  }
  return std::unique_ptr<TableWriter>(
      new LayoutWriter(this, &route, QualifiedName(table.schema, table.name), DataColumns(table).size()));
}

void TypeDbSink::Closed(const Route& route) {
  if (route.kind != RouteKind::kType) return;
  TypeOut& t = types_[route.type];
  if (!t.open) return;
  t.open = false;
  Segment& s = t.segments.back();
  s.length = spool_size_ + spool_buf_.size() - s.offset;
}

Status TypeDbSink::FlushSpool() {
  if (spool_buf_.empty()) return Status::OK();
  Status s = spool_->Append(spool_buf_);
  spool_size_ += spool_buf_.size();
  spool_buf_.clear();
  return s;
}

Status TypeDbSink::WriteRows(const Route& route, const std::string& table, const RowBatch& batch) {
  std::string a, b, c;
  auto need = [&](const Value& v, std::string* out, const char* what, size_t r) -> Status {
    if (CellText(v, out)) return Status::OK();
    return Status::InvalidArgument(fmt::format("table {}: row {} has no {}", table, r + 1, what));
  };
  switch (route.kind) {
    case RouteKind::kIgnored: return Status::OK();
    case RouteKind::kFile:
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        DECANT_RETURN_IF_ERROR(need(batch.at(r, route.cols[0]), &a, "key", r));
        if (!CellText(batch.at(r, route.cols[1]), &b)) b.clear();
        file_[a] = b;
      }
      return Status::OK();
    case RouteKind::kTypes:
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        TypeRow row;
        DECANT_RETURN_IF_ERROR(need(batch.at(r, route.cols[0]), &row.label, "label", r));
        DECANT_RETURN_IF_ERROR(need(batch.at(r, route.cols[1]), &row.kind, "kind", r));
        if (!CellText(batch.at(r, route.cols[2]), &row.value_type)) row.value_type.clear();
        type_rows_.push_back(std::move(row));
      }
      return Status::OK();
    case RouteKind::kHas:
    case RouteKind::kRoles: {
      bool has = route.kind == RouteKind::kHas;
      std::vector<EdgeRow>& rows = has ? types_[route.type].has : types_[route.type].roles;
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        DECANT_RETURN_IF_ERROR(need(batch.at(r, route.cols[0]), &a, has ? "owner" : "relation", r));
        DECANT_RETURN_IF_ERROR(need(batch.at(r, route.cols[1]), &b, has ? "type" : "role", r));
        DECANT_RETURN_IF_ERROR(need(batch.at(r, route.cols[2]), &c, has ? "attribute" : "player", r));
        EdgeRow e;
        e.owner = arena_.Add(a);
        e.other = arena_.Add(c);
        e.label = has ? has_types_.Add(b) : roles_.Add(b);
        rows.push_back(e);
      }
      return Status::OK();
    }
    case RouteKind::kType: break;
  }
  TypeOut& t = types_[route.type];
  std::string record;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    record.clear();
    DECANT_RETURN_IF_ERROR(need(batch.at(r, t.id), &a, "id", r));
    PutString(a, &record);
    size_t owned = 0;
    for (const auto& [col, label] : t.owned) owned += batch.at(r, col).is_null() ? 0 : 1;
    PutVarint(owned, &record);
    for (const auto& [col, label] : t.owned) {
      if (CellText(batch.at(r, col), &b)) PutString(b, &record);
    }
    if (t.value != kNone) {
      PutValue(batch.at(r, t.value), &record);
      PutValue(t.tz == kNone ? Value() : batch.at(r, t.tz), &record);
      PutValue(t.ns == kNone ? Value() : batch.at(r, t.ns), &record);
    }
    PutVarint(record.size(), &spool_buf_);
    spool_buf_ += record;
    ++t.rows;
    if (spool_buf_.size() >= kFlushBytes) DECANT_RETURN_IF_ERROR(FlushSpool());
  }
  return Status::OK();
}

// grakn-1.8, grakn-2.0, typedb-2: 2; typedb-3 or anything else: 3.
int TypeDbSink::RecordedGeneration() const {
  auto it = file_.find(std::string(kFileGeneration));
  if (it == file_.end()) return 3;
  const std::string& g = it->second;
  return g == "grakn-1.8" || g == "grakn-2.0" || g == "typedb-2" ? 2 : 3;
}

std::string TypeDbSink::HeaderVersion() const {
  auto it = file_.find(std::string(kFileVersion));
  std::string recorded = it == file_.end() ? std::string() : it->second;
  if (recorded.empty()) return fmt::format("{}.x (written by decant)", generation_);
  if (generation_ == RecordedGeneration()) return recorded;
  // A file decant converted before names the version it came from, once.
  for (std::string_view g : {"2", "3"}) {
    std::string prefix = fmt::format("{}.x (converted by decant from ", g);
    if (recorded.starts_with(prefix) && recorded.ends_with(")")) {
      recorded = recorded.substr(prefix.size(), recorded.size() - prefix.size() - 1);
    }
  }
  return fmt::format("{}.x (converted by decant from {})", generation_, recorded);
}

// typedb:types against the tables: every type table named, every owned
// column an attribute type.
Status TypeDbSink::Resolve() {
  std::map<std::string, std::pair<Kind, ValueType>, std::less<>> known;
  for (const TypeRow& row : type_rows_) {
    Kind kind;
    if (!ParseKind(row.kind, &kind)) {
      return Status::InvalidArgument(fmt::format("{}: type {} has kind '{}', not entity, relation or attribute",
                                                 kTypesTable, row.label, row.kind));
    }
    ValueType vt = ValueType::kNone;
    if (kind == Kind::kAttribute && !ParseValueType(row.value_type, &vt)) {
      return Status::InvalidArgument(
          fmt::format("{}: attribute type {} has value type '{}', which is not one of "
                      "docs/formats/typedb.md's",
                      kTypesTable, row.label, row.value_type));
    }
    if (!known.emplace(row.label, std::make_pair(kind, vt)).second) {
      return Status::InvalidArgument(fmt::format("{}: type {} is named twice", kTypesTable, row.label));
    }
  }
  for (TypeOut& t : types_) {
    auto it = known.find(t.label);
    if (it == known.end()) {
      return Status::InvalidArgument(
          fmt::format("table {} is neither the TypeDB relational layout's nor named by {} "
                      "(docs/formats/typedb.md): leave it out with --exclude-table",
                      QualifiedName(t.table->schema, t.table->name), kTypesTable));
    }
    t.named = true;
    t.kind = it->second.first;
    t.value_type = it->second.second;
    if (t.kind == Kind::kAttribute && t.value == kNone) {
      return Status::InvalidArgument(
          fmt::format("table {}: attribute type {} has no value column", t.table->name, t.label));
    }
    if (t.kind != Kind::kAttribute && t.value != kNone) {
      return Status::InvalidArgument(fmt::format("table {} has a value column, but {} gives {} the kind {}",
                                                 t.table->name, kTypesTable, t.label, KindName(t.kind)));
    }
    if (t.kind != Kind::kRelation && t.roles_table) {
      return Status::InvalidArgument(fmt::format("table {}: {} is of kind {}, not a relation type", RolesTable(t.label),
                                                 t.label, KindName(t.kind)));
    }
    for (const auto& [col, label] : t.owned) {
      auto a = known.find(label);
      if (a == known.end() || a->second.first != Kind::kAttribute) {
        return Status::InvalidArgument(fmt::format("table {}: owned column {}: attribute type {} is unknown ({})",
                                                   t.table->name, OwnedColumn(label), label, kTypesTable));
      }
    }
  }
  for (uint32_t i = 0; i < has_types_.names().size(); ++i) {
    auto a = known.find(has_types_[i]);
    if (a == known.end() || a->second.first != Kind::kAttribute) {
      for (const TypeOut& t : types_) {
        for (const EdgeRow& e : t.has) {
          if (e.label == i) {
            return Status::InvalidArgument(fmt::format("table {}: type {}: attribute type {} is unknown ({})",
                                                       HasTable(t.label), has_types_[i], has_types_[i], kTypesTable));
          }
        }
      }
    }
  }
  return Status::OK();
}

Status TypeDbSink::CheckLabels() {
  std::set<std::string> types, roles;
  for (const TypeRow& row : type_rows_) types.insert(row.label);
  for (const std::string& r : roles_.names()) roles.insert(r);
  DECANT_RETURN_IF_ERROR(labels_.Check(types, roles));
  if (generation_ != 3) return Status::OK();
  // Grakn 1.8's role labels have no scope; TypeDB 3.x resolves a role by its
  // scoped label.
  for (const TypeOut& t : types_) {
    uint64_t unscoped = 0;
    std::string first;
    for (const EdgeRow& e : t.roles) {
      std::string role = labels_.Role(roles_[e.label]);
      if (role.find(':') != std::string::npos) continue;
      if (unscoped++ == 0) first = role;
    }
    if (unscoped) {
      std::string relation = labels_.Type(t.label);
      return Status::DataLoss(fmt::format(
          "relation type {}: {} role players have unscoped role labels (Grakn 1.8), such as {}: TypeDB 3.x needs "
          "scoped role labels: --rename {}={}:{}",
          relation, unscoped, first, first, relation, first));
    }
  }
  return Status::OK();
}

// The delimited bytes of one item, in the generation written. Without `out`
// (pass 1): converts and counts what the generation cannot hold.
Status TypeDbSink::WriteItem(const v3::Item& item, WritableFile* out, Losses* losses) {
  std::string bytes;
  size_t size = 0;
  if (generation_ == 3) {
    size = item.ByteSizeLong();
    if (out) item.SerializeToString(&bytes);
  } else {
    v2::Item v;
    auto owned = [](const auto& from, auto* to) {
      for (const auto& a : from) to->Add()->set_id(a.id());
    };
    switch (item.item_case()) {
      case v3::Item::kAttribute: {
        const auto& a = item.attribute();
        auto* b = v.mutable_attribute();
        b->set_id(a.id());
        b->set_label(a.label());
        owned(a.attributes(), b->mutable_attribute());
        std::string why;
        if (!ToGeneration2(a.value(), b->mutable_value(), &why)) {
          auto& [count, reason] = losses->values[a.label()];
          if (count++ == 0) reason = why;
          return Status::OK();
        }
        break;
      }
      case v3::Item::kEntity: {
        const auto& e = item.entity();
        auto* b = v.mutable_entity();
        b->set_id(e.id());
        b->set_label(e.label());
        owned(e.attributes(), b->mutable_attribute());
        break;
      }
      case v3::Item::kRelation: {
        const auto& r = item.relation();
        auto* b = v.mutable_relation();
        b->set_id(r.id());
        b->set_label(r.label());
        owned(r.attributes(), b->mutable_attribute());
        for (const auto& role : r.roles()) {
          auto* br = b->add_role();
          br->set_label(role.label());
          for (const auto& p : role.players()) br->add_player()->set_id(p.id());
        }
        break;
      }
      case v3::Item::kHeader:
        v.mutable_header()->set_version(item.header().typedb_version());
        v.mutable_header()->set_original_database(item.header().original_database());
        break;
      case v3::Item::kChecksums: {
        const auto& c = item.checksums();
        auto* b = v.mutable_checksums();
        b->set_entity_count(c.entity_count());
        b->set_attribute_count(c.attribute_count());
        b->set_relation_count(c.relation_count());
        b->set_role_count(c.role_count());
        b->set_ownership_count(c.ownership_count());
        break;
      }
      default: return Status::Internal("TypeDB writer: an item without a case");
    }
    size = v.ByteSizeLong();
    if (out) v.SerializeToString(&bytes);
  }
  if (size > kMaxItemBytes) {
    return Status::InvalidArgument(fmt::format("{} {}: its item is {} bytes, more than decant's reader takes ({})",
                                               ItemLabel(item), ItemId(item), size, kMaxItemBytes));
  }
  if (!out) return Status::OK();
  PutVarint(bytes.size(), &out_buf_);
  out_buf_ += bytes;
  if (out_buf_.size() >= kFlushBytes) {
    Status s = out->Append(out_buf_);
    out_buf_.clear();
    return s;
  }
  return Status::OK();
}

// Every type's items, attributes first, then entities, then relations.
Status TypeDbSink::Walk(const RandomAccessFile& spool, WritableFile* out, Losses* losses, Counts* counts) {
  *counts = Counts{};
  auto by_owner = [](const EdgeRow& x, std::string_view id) { return x.owner < id; };
  for (Kind kind : {Kind::kAttribute, Kind::kEntity, Kind::kRelation}) {
    std::vector<const TypeOut*> order;
    for (const TypeOut& t : types_) {
      if (t.kind == kind) order.push_back(&t);
    }
    std::sort(order.begin(), order.end(), [](const TypeOut* x, const TypeOut* y) { return x->label < y->label; });
    for (const TypeOut* tp : order) {
      const TypeOut& t = *tp;
      std::string label = labels_.Type(t.label);
      std::vector<bool> has_used(out ? 0 : t.has.size()), roles_used(out ? 0 : t.roles.size());
      uint64_t owning = 0;
      v3::Item item;
      std::string_view id, owned_id;
      for (const Segment& seg : t.segments) {
        SpoolReader reader(&spool, seg);
        std::string_view record;
        for (;;) {
          DECANT_ASSIGN_OR_RETURN(bool more, reader.Next(&record));
          if (!more) break;
          uint64_t n_owned = 0;
          if (!GetString(&record, &id) || !GetVarint(&record, &n_owned)) {
            return Status::Corruption("TypeDB writer: the spool file is damaged");
          }
          item.Clear();
          google::protobuf::RepeatedPtrField<v3::Item::OwnedAttribute>* owned;
          if (kind == Kind::kAttribute) {
            auto* a = item.mutable_attribute();
            a->set_id(std::string(id));
            a->set_label(label);
            owned = a->mutable_attributes();
          } else if (kind == Kind::kEntity) {
            auto* e = item.mutable_entity();
            e->set_id(std::string(id));
            e->set_label(label);
            owned = e->mutable_attributes();
          } else {
            auto* r = item.mutable_relation();
            r->set_id(std::string(id));
            r->set_label(label);
            owned = r->mutable_attributes();
          }
          for (uint64_t i = 0; i < n_owned; ++i) {
            if (!GetString(&record, &owned_id)) return Status::Corruption("TypeDB writer: the spool file is damaged");
            owned->Add()->set_id(std::string(owned_id));
          }
          auto has = std::lower_bound(t.has.begin(), t.has.end(), id, by_owner);
          for (auto h = has; h != t.has.end() && h->owner == id; ++h) {
            owned->Add()->set_id(std::string(h->other));
            if (!out) has_used[static_cast<size_t>(h - t.has.begin())] = true;
          }
          counts->ownership += owned->size();
          if (kind == Kind::kAttribute) {
            Value value, tz, ns;
            if (!GetValue(&record, &value) || !GetValue(&record, &tz) || !GetValue(&record, &ns)) {
              return Status::Corruption("TypeDB writer: the spool file is damaged");
            }
            v3::MigrationValue* mv = item.mutable_attribute()->mutable_value();
            Status s = FromSql(t.value_type, value, tz, ns, mv);
            if (!s.ok()) {
              return Status::InvalidArgument(fmt::format("table {}, id {}: {}", t.table->name, id, s.message()));
            }
            if (generation_ == 3 && mv->has_datetime_millis()) {
              int64_t millis = mv->datetime_millis();  // before mutable_datetime() clears it
              MillisToDatetime(millis, mv->mutable_datetime());
            }
            if (!owned->empty()) ++owning;
            ++counts->attribute;
          } else if (kind == Kind::kEntity) {
            ++counts->entity;
          } else {
            ++counts->relation;
            auto* rel = item.mutable_relation();
            auto role = std::lower_bound(t.roles.begin(), t.roles.end(), id, by_owner);
            // Players grouped by role label, roles in the order of their first row.
            std::vector<std::pair<uint32_t, int>> seen;
            for (auto p = role; p != t.roles.end() && p->owner == id; ++p) {
              int at = -1;
              for (const auto& [lab, index] : seen) {
                if (lab == p->label) at = index;
              }
              if (at < 0) {
                at = rel->roles_size();
                seen.emplace_back(p->label, at);
                rel->add_roles()->set_label(labels_.Role(roles_[p->label]));
              }
              rel->mutable_roles(at)->add_players()->set_id(std::string(p->other));
              ++counts->role;
              if (!out) roles_used[static_cast<size_t>(p - t.roles.begin())] = true;
            }
          }
          DECANT_RETURN_IF_ERROR(WriteItem(item, out, losses));
        }
      }
      if (out) continue;
      if (owning && generation_ == 3) losses->owning[label] += owning;
      auto unused = [](const std::vector<bool>& used) {
        return static_cast<uint64_t>(std::count(used.begin(), used.end(), false));
      };
      if (uint64_t n = unused(has_used)) {
        return Status::InvalidArgument(
            fmt::format("table {}: {} rows name an owner that table {} does not hold", HasTable(t.label), n, t.label));
      }
      if (uint64_t n = unused(roles_used)) {
        return Status::InvalidArgument(fmt::format("table {}: {} rows name a relation that table {} does not hold",
                                                   RolesTable(t.label), n, t.label));
      }
    }
  }
  return Status::OK();
}

Status TypeDbSink::Commit() {
  if (state_ != State::kWriting) {
    return Status::FailedPrecondition("TypeDB export " + path_ + " cannot be committed: writing failed or finished");
  }
  for (const TypeOut& t : types_) {
    if (t.open) return Status::FailedPrecondition("TypeDB export: table " + t.label + " is still open");
  }
  auto fail = [&](Status s) {
    Abort();
    return s;
  };
  Status s = FlushSpool();
  Status c = spool_->Close();
  spool_.reset();
  if (s.ok()) s = c;
  if (!s.ok()) return fail(s);
  if (Status r = Resolve(); !r.ok()) return fail(r);
  generation_ = version_ == 2 || version_ == 3 ? version_ : RecordedGeneration();
  if (Status r = CheckLabels(); !r.ok()) return fail(r);
  for (TypeOut& t : types_) {
    auto by_owner = [](const EdgeRow& x, const EdgeRow& y) { return x.owner < y.owner; };
    std::stable_sort(t.has.begin(), t.has.end(), by_owner);
    std::stable_sort(t.roles.begin(), t.roles.end(), by_owner);
  }
  auto spool = fs_->NewRandomAccessFile(spool_path_);
  if (!spool.ok()) return fail(spool.status());

  // Pass 1: everything converted and counted, nothing written.
  Losses losses;
  Counts counts;
  if (Status r = Walk(**spool, nullptr, &losses, &counts); !r.ok()) return fail(r);
  std::vector<std::string> lost;
  for (const auto& [label, loss] : losses.values) {
    lost.push_back(fmt::format("{} of attribute type {} ({})", Counted(loss.first, "value"), label, loss.second));
  }
  for (const auto& [label, n] : losses.owning) {
    lost.push_back(fmt::format("{} of type {} owning attributes (TypeDB 3.x refuses attributes that own attributes)",
                               Counted(n, "attribute"), label));
  }
  if (!lost.empty()) {
    return fail(Status::DataLoss(
        fmt::format("TypeDB {}.x cannot hold {}: nothing written", generation_, fmt::join(lost, "; "))));
  }

  // Pass 2: header, items, checksums.
  auto file = fs_->NewWritableFile(path_ == "-" ? path_ : partial_);
  if (!file.ok()) return fail(file.status());
  WritableFile* out = file->get();
  out_buf_.clear();
  v3::Item header;
  header.mutable_header()->set_typedb_version(HeaderVersion());
  auto db = file_.find(std::string(kFileDatabase));
  if (db != file_.end()) header.mutable_header()->set_original_database(db->second);
  s = WriteItem(header, out, &losses);
  Counts written;
  if (s.ok()) s = Walk(**spool, out, &losses, &written);
  if (s.ok()) {
    v3::Item sums;
    auto* c3 = sums.mutable_checksums();
    c3->set_entity_count(written.entity);
    c3->set_attribute_count(written.attribute);
    c3->set_relation_count(written.relation);
    c3->set_role_count(written.role);
    c3->set_ownership_count(written.ownership);
    s = WriteItem(sums, out, &losses);
  }
  if (s.ok() && !out_buf_.empty()) s = out->Append(out_buf_);
  out_buf_.clear();
  if (s.ok()) s = out->Sync();
  c = out->Close();
  if (s.ok()) s = c;
  spool->reset();
  if (s.ok() && path_ != "-") s = Publish(fs_, partial_, path_, replace_);
  if (!s.ok()) return fail(s);
  (void)fs_->Remove(tmp_);
  state_ = State::kCommitted;
  return Status::OK();
}

void TypeDbSink::Abort() {
  if (state_ == State::kCommitted || state_ == State::kAborted) return;
  state_ = State::kAborted;
  if (spool_) {
    (void)spool_->Close();
    spool_.reset();
  }
  if (!tmp_.empty() && fs_->Exists(tmp_)) (void)fs_->Remove(tmp_);
  if (!partial_.empty() && fs_->Exists(partial_)) (void)fs_->Remove(partial_);
}

}  // namespace

Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& options, FileSystem* fs) {
  if (path.empty()) return Status::InvalidArgument("TypeDB export path is empty");
  if (options.directory) return Status::InvalidArgument("a TypeDB export is one file: drop --directory");
  if (options.typedb.version != 0 && options.typedb.version != 2 && options.typedb.version != 3) {
    return Status::InvalidArgument(
        fmt::format("--typedb-version {}: TypeDB exports are of generation 2 or 3", options.typedb.version));
  }
  DECANT_ASSIGN_OR_RETURN(LabelMap labels, LabelMap::Make(options.typedb.renames));
  return std::unique_ptr<Sink>(new TypeDbSink(path, options, std::move(labels), fs));
}

}  // namespace decant::typedb
