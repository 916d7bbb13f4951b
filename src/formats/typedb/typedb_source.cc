// The TypeDB export reader: recognising a stream by its first items, and the
// Source that reads it as the relational layout (docs/formats/typedb.md,
// "Reading"). ReadSchema runs the index's two passes (export_index.h);
// tables are then read from their label's item places, in batches of
// neighbouring items read at once.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "formats/typedb/export_file.h"
#include "formats/typedb/export_index.h"
#include "formats/typedb/labels.h"
#include "formats/typedb/layout.h"
#include "formats/typedb/typedb_format.h"
#include "formats/typedb/typedb_values.h"

namespace decant::typedb {
namespace {

// One read of a table reader: neighbouring items up to this many bytes.
constexpr uint64_t kReadBytes = uint64_t{1} << 20;
// Items per slice below which a table is not split.
constexpr size_t kSliceItems = 50000;

// ---------------------------------------------------------------------------
// Recognising.

// The items wholly inside `head`, parsed; false when the head is not a
// well-formed stream of items (an item with unknown fields is not one).
// `*cut`: the head ends inside an item (after at least one whole item); in
// a file shorter than the head, that is a truncated stream.
bool HeadItems(std::string_view head, std::vector<v3::Item>* items, bool* cut) {
  size_t off = 0;
  while (off < head.size()) {
    uint64_t length = 0;
    size_t prefix = 0;
    bool done = false;
    while (off + prefix < head.size() && prefix < 10) {
      const auto b = static_cast<unsigned char>(head[off + prefix]);
      length |= uint64_t{b & 0x7fu} << (7 * prefix);
      ++prefix;
      if ((b & 0x80u) == 0) {
        done = true;
        break;
      }
    }
    if (!done) {
      *cut = true;
      return prefix < 10 && !items->empty();
    }
    if (length > kMaxItemBytes) return false;
    if (length > head.size() - off - prefix) {
      *cut = true;
      return !items->empty();
    }
    v3::Item item;
    if (!item.ParseFromArray(head.data() + off + prefix, static_cast<int>(length))) return false;
    if (item.item_case() == v3::Item::ITEM_NOT_SET) return false;
    if (v3::Item::GetReflection()->GetUnknownFields(item).field_count() > 0) return false;
    items->push_back(std::move(item));
    off += prefix + length;
  }
  return !items->empty();
}

bool HasIdAndLabel(const v3::Item& item) {
  switch (item.item_case()) {
    case v3::Item::kEntity: return !item.entity().id().empty() && !item.entity().label().empty();
    case v3::Item::kAttribute:
      return !item.attribute().id().empty() && !item.attribute().label().empty() && item.attribute().has_value();
    case v3::Item::kRelation: return !item.relation().id().empty() && !item.relation().label().empty();
    case v3::Item::kChecksums: return true;
    default: return false;
  }
}

// ---------------------------------------------------------------------------
// The Source.

enum class What { kFile, kTypes, kType, kHas, kRoles };

struct TableSource {
  Table table;
  What what = What::kType;
  uint32_t label = 0;  // kType, kHas, kRoles: the label's index
};

// Per label of the file: its table's layout.
struct LabelTable {
  std::string name;                           // the label, renamed
  std::vector<int> column_of;                 // attribute label index -> owned column position, or -1
  size_t width = 0;                           // columns of its table
  size_t value_at = 0, tz_at = 0, ns_at = 0;  // positions (0: none; id is 0)
  uint64_t has_rows = 0;                      // rows of its :has table
};

class TypeDbSource;

class ItemReader : public TableReader {
 public:
  ItemReader(const TypeDbSource& source, const TableSource& table, size_t begin, size_t end)
      : source_(source), table_(table), next_(begin), end_(end) {}
  Result<bool> Next(RowBatch* batch) override;

 private:
  // Reads the next run of neighbouring items of the label into buf_.
  Status Fill();

  const TypeDbSource& source_;
  const TableSource& table_;
  size_t next_, end_;
  std::string buf_;
  uint64_t buf_offset_ = 0;
  size_t filled_end_ = 0;  // places [next_, filled_end_) are in buf_
  v3::Item item_;
  SqlValue sql_;
  bool done_rows_ = false;  // kFile, kTypes: emitted
};

class TypeDbSource : public Source {
 public:
  TypeDbSource(std::unique_ptr<ExportFile> file, LabelMap labels, size_t jobs)
      : file_(std::move(file)), labels_(std::move(labels)), jobs_(std::max<size_t>(jobs, 1)) {}

  Result<Schema> ReadSchema() override {
    if (schema_) return *schema_;
    DECANT_ASSIGN_OR_RETURN(index_, ExportIndex::Build(file_.get()));
    std::set<std::string> type_labels;
    for (const LabelInfo& info : index_->labels()) type_labels.insert(info.label);
    DECANT_RETURN_IF_ERROR(labels_.Check(type_labels, index_->role_labels()));
    DECANT_RETURN_IF_ERROR(index_->CheckIds());
    DECANT_RETURN_IF_ERROR(index_->Resolve());
    Lay();
    return *schema_;
  }

  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override {
    DECANT_ASSIGN_OR_RETURN(const TableSource* ts, Find(table));
    size_t n = ts->what == What::kFile || ts->what == What::kTypes ? 0 : Places(*ts).size();
    return std::unique_ptr<TableReader>(new ItemReader(*this, *ts, 0, n));
  }

  Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& /*estimate*/,
                                             size_t max_slices) override {
    DECANT_ASSIGN_OR_RETURN(const TableSource* ts, Find(table));
    size_t n = ts->what == What::kFile || ts->what == What::kTypes ? 0 : Places(*ts).size();
    size_t count = std::clamp<size_t>(n / kSliceItems, 1, std::max<size_t>(max_slices, 1));
    std::vector<TableSlice> slices;
    for (size_t i = 0; i < count; ++i) {
      TableSlice s;
      s.index = i;
      s.count = count;
      size_t begin = n * i / count, end = n * (i + 1) / count;
      if (count > 1) {
        s.bounds = fmt::format("{}-{}", begin, end);
        s.label = fmt::format("items {}-{} of the type", begin + 1, end);
        s.estimate.rows = ts->what == What::kType ? std::optional<uint64_t>(end - begin) : std::nullopt;
      }
      slices.push_back(std::move(s));
    }
    return slices;
  }

  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override {
    if (slice.whole()) return OpenTable(table);
    DECANT_ASSIGN_OR_RETURN(const TableSource* ts, Find(table));
    size_t dash = slice.bounds.find('-');
    size_t begin = std::stoull(slice.bounds.substr(0, dash)), end = std::stoull(slice.bounds.substr(dash + 1));
    if (begin > end || end > Places(*ts).size())
      return Status::InvalidArgument(fmt::format("{}: no slice {} of {}", Describe(), slice.bounds, table.name));
    return std::unique_ptr<TableReader>(new ItemReader(*this, *ts, begin, end));
  }

  TableSize EstimateSize(const Table& table) override {
    TableSize size;
    auto found = Find(table);
    if (!found.ok()) return size;
    const TableSource& ts = **found;
    switch (ts.what) {
      case What::kFile: size.rows = layout_.file.size(); break;
      case What::kTypes: size.rows = index_->labels().size(); break;
      case What::kType:
        size.rows = index_->labels()[ts.label].places.size();
        size.bytes = index_->labels()[ts.label].bytes;
        break;
      case What::kHas: size.rows = tables_of_[ts.label].has_rows; break;
      case What::kRoles: size.rows = index_->labels()[ts.label].players; break;
    }
    return size;
  }

  std::string Describe() const override { return file_->Describe(); }
  std::vector<std::string> Notes() const override { return index_ ? index_->Notes() : std::vector<std::string>{}; }
  size_t MaxParallelTables() const override { return jobs_; }

  const ExportIndex& index() const { return *index_; }
  const LabelMap& label_map() const { return labels_; }
  const LabelTable& table_of(uint32_t label) const { return tables_of_[label]; }
  const Layout& layout() const { return layout_; }
  const std::vector<Place>& Places(const TableSource& ts) const { return index_->labels()[ts.label].places; }
  // The label's renamed name for each type label index.
  const std::string& Name(uint32_t label) const { return tables_of_[label].name; }

 private:
  // The layout, the schema and the table sources, from the index.
  void Lay();
  Result<const TableSource*> Find(const Table& table) const {
    auto it = std::find_if(tables_.begin(), tables_.end(),
                           [&](const TableSource& ts) { return ts.table.name == table.name; });
    if (it == tables_.end() || !table.schema.empty())
      return Status::NotFound(fmt::format("{}: no table {}", Describe(), table.name));
    return &*it;
  }

  std::unique_ptr<ExportFile> file_;
  LabelMap labels_;
  size_t jobs_;
  std::unique_ptr<ExportIndex> index_;
  Layout layout_;
  std::vector<LabelTable> tables_of_;
  std::vector<TableSource> tables_;
  std::optional<Schema> schema_;
};

void TypeDbSource::Lay() {
  const std::vector<LabelInfo>& infos = index_->labels();
  tables_of_.assign(infos.size(), LabelTable{});
  for (size_t i = 0; i < infos.size(); ++i) tables_of_[i].name = labels_.Type(infos[i].label);
  layout_.file = index_->FileRows();
  std::map<std::string, uint32_t> by_name;  // renamed label -> index
  for (size_t i = 0; i < infos.size(); ++i) {
    const LabelInfo& info = infos[i];
    TypeInfo t;
    t.label = tables_of_[i].name;
    t.kind = info.kind;
    t.value_type = info.value_type;
    t.value_ns = info.value_ns;
    std::set<std::string> owned;
    for (const auto& [attribute, count] : info.owned) {
      if (count.most <= 1) {
        owned.insert(tables_of_[attribute].name);
      } else {
        t.has_table = true;
        tables_of_[i].has_rows += count.total;
      }
    }
    t.owned.assign(owned.begin(), owned.end());
    by_name[t.label] = static_cast<uint32_t>(i);
    layout_.types.push_back(std::move(t));
  }
  std::sort(layout_.types.begin(), layout_.types.end(),
            [](const TypeInfo& a, const TypeInfo& b) { return a.label < b.label; });
  Schema schema = BuildSchema(layout_);
  // Each table's source, and each type table's column positions.
  for (const Table& table : schema.tables) {
    TableSource ts;
    ts.table = table;
    if (table.name == kFileTable) {
      ts.what = What::kFile;
    } else if (table.name == kTypesTable) {
      ts.what = What::kTypes;
    } else if (auto it = by_name.find(table.name); it != by_name.end()) {
      ts.what = What::kType;
      ts.label = it->second;
      LabelTable& lt = tables_of_[it->second];
      lt.column_of.assign(infos.size(), -1);
      lt.width = table.columns.size();
      std::map<std::string, uint32_t> attribute_index;
      for (const auto& [attribute, count] : infos[it->second].owned)
        attribute_index[tables_of_[attribute].name] = attribute;
      for (size_t c = 0; c < table.columns.size(); ++c) {
        const std::string& name = table.columns[c].name;
        if (name == "id") continue;
        if (name == "value" && infos[it->second].kind == Kind::kAttribute) {
          lt.value_at = c;
        } else if (name == "value_tz" && infos[it->second].kind == Kind::kAttribute) {
          lt.tz_at = c;
        } else if (name == "value_ns" && infos[it->second].kind == Kind::kAttribute) {
          lt.ns_at = c;
        } else if (auto a = attribute_index.find(OwnedLabel(name)); a != attribute_index.end()) {
          lt.column_of[a->second] = static_cast<int>(c);
        }
      }
    } else {
      const size_t colon = table.name.rfind(':');
      auto owner = by_name.find(table.name.substr(0, colon));
      if (colon == std::string::npos || owner == by_name.end()) continue;  // not one of ours (cannot happen)
      ts.what = table.name.substr(colon) == ":has" ? What::kHas : What::kRoles;
      ts.label = owner->second;
    }
    tables_.push_back(std::move(ts));
  }
  schema_ = std::move(schema);
}

// ---------------------------------------------------------------------------
// Reading rows.

Status ItemReader::Fill() {
  const std::vector<Place>& places = source_.Places(table_);
  const Place& first = places[next_];
  uint64_t useful = 0;
  size_t j = next_;
  uint64_t stop = first.offset;
  while (j < end_) {
    const ItemPlace p = places[j].Full();
    const uint64_t item_end = p.body() + p.length;
    if (j > next_ &&
        (item_end - first.offset > kReadBytes || item_end - first.offset > 4 * (useful + p.prefix + p.length) + 65536))
      break;
    useful += p.prefix + p.length;
    stop = item_end;
    ++j;
  }
  if (j == next_ + 1) {  // one item: its own bytes
    const ItemPlace p = first.Full();
    DECANT_RETURN_IF_ERROR(source_.index().file()->ReadItem(p, &buf_));
    buf_offset_ = p.body();
  } else {  // one read of the span: a "place" of no prefix that covers it (at most kReadBytes)
    ItemPlace span;
    span.number = first.number;
    span.offset = first.offset;
    span.length = static_cast<uint32_t>(stop - first.offset);
    span.prefix = 0;
    DECANT_RETURN_IF_ERROR(source_.index().file()->ReadItem(span, &buf_));
    buf_offset_ = first.offset;
  }
  filled_end_ = j;
  return Status::OK();
}

Result<bool> ItemReader::Next(RowBatch* batch) {
  batch->Reset(table_.table.columns.size());
  const ExportIndex& index = source_.index();
  if (table_.what == What::kFile || table_.what == What::kTypes) {
    if (done_rows_) return false;
    done_rows_ = true;
    if (table_.what == What::kFile) {
      for (const auto& [key, value] : source_.layout().file) {
        Value* row = batch->AppendRow();
        row[0].SetText(key);
        row[1].SetText(value);
        batch->AddPayload(key.size() + value.size());
      }
    } else {
      for (const TypeInfo& t : source_.layout().types) {
        Value* row = batch->AppendRow();
        row[0].SetText(t.label);
        row[1].SetText(KindName(t.kind));
        if (t.value_type == ValueType::kNone) {
          row[2].SetNull();
        } else {
          row[2].SetText(ValueTypeName(t.value_type));
        }
        batch->AddPayload(t.label.size() + 16);
      }
    }
    return !batch->empty();
  }
  const std::vector<Place>& places = source_.Places(table_);
  const LabelTable& lt = source_.table_of(table_.label);
  while (next_ < end_ && !batch->full()) {
    if (next_ >= filled_end_) DECANT_RETURN_IF_ERROR(Fill());
    const ItemPlace place = places[next_].Full();
    ++next_;
    std::string_view bytes(buf_.data() + (place.body() - buf_offset_), place.length);
    DECANT_RETURN_IF_ERROR(source_.index().file()->Parse(bytes, place, &item_));
    const std::string* id = nullptr;
    const google::protobuf::RepeatedPtrField<v3::Item::OwnedAttribute>* owned = nullptr;
    switch (item_.item_case()) {
      case v3::Item::kEntity:
        id = &item_.entity().id();
        owned = &item_.entity().attributes();
        break;
      case v3::Item::kAttribute:
        id = &item_.attribute().id();
        owned = &item_.attribute().attributes();
        break;
      case v3::Item::kRelation:
        id = &item_.relation().id();
        owned = &item_.relation().attributes();
        break;
      default: return index.Error(place, "the item changed since the first pass");
    }
    auto owned_label = [&](const std::string& owned_id) -> Result<uint32_t> {
      const IdKey* key = index.Find(owned_id);
      if (!key)
        return index.Error(place, fmt::format("owns the attribute {}, an id the file does not hold", Quoted(owned_id)));
      return key->label;
    };
    switch (table_.what) {
      case What::kType: {
        Value* row = batch->AppendRow();
        for (size_t c = 0; c < lt.width; ++c) row[c].SetNull();
        row[0].SetText(*id);
        size_t payload = id->size();
        if (item_.has_attribute()) {
          Status s = ToSql(item_.attribute().value(), &sql_);
          if (!s.ok()) return index.Error(place, s.message());
          row[lt.value_at] = sql_.value;
          payload += sql_.value.PayloadSize();
          if (lt.tz_at) row[lt.tz_at] = sql_.tz;
          if (lt.ns_at) {
            if (sql_.ns.is_null()) {
              row[lt.ns_at].SetInt(0);
            } else {
              row[lt.ns_at] = sql_.ns;
            }
          }
        }
        for (const auto& o : *owned) {
          DECANT_ASSIGN_OR_RETURN(uint32_t a, owned_label(o.id()));
          int c = lt.column_of.empty() ? -1 : lt.column_of[a];
          if (c < 0) continue;  // in :has
          row[c].SetText(o.id());
          payload += o.id().size();
        }
        batch->AddPayload(payload);
        break;
      }
      case What::kHas:
        for (const auto& o : *owned) {
          DECANT_ASSIGN_OR_RETURN(uint32_t a, owned_label(o.id()));
          if (!lt.column_of.empty() && lt.column_of[a] >= 0) continue;  // in its column
          Value* row = batch->AppendRow();
          row[0].SetText(*id);
          row[1].SetText(source_.Name(a));
          row[2].SetText(o.id());
          batch->AddPayload(id->size() + o.id().size() + source_.Name(a).size());
        }
        break;
      case What::kRoles:
        for (const auto& role : item_.relation().roles()) {
          const std::string label = source_.label_map().Role(role.label());
          for (const auto& player : role.players()) {
            Value* row = batch->AppendRow();
            row[0].SetText(*id);
            row[1].SetText(label);
            row[2].SetText(player.id());
            batch->AddPayload(id->size() + label.size() + player.id().size());
          }
        }
        break;
      default: break;
    }
    if (next_ >= end_) std::string().swap(buf_);
  }
  return !batch->empty();
}

}  // namespace

bool Recognise(const FileProbe& probe, FileSystem* /*fs*/) {
  if (probe.is_directory || probe.head.empty()) return false;
  std::vector<v3::Item> items;
  bool cut = false;
  const bool whole = probe.head.size() < kProbeBytes;
  if (!HeadItems(probe.head, &items, &cut)) return false;
  const v3::Item& first = items.front();
  // A whole file that ends inside an item is a truncated export when it
  // starts with a header: recognised, so the reader names the item and the
  // byte offset where it is cut.
  if (whole && cut && !first.has_header()) return false;
  if (first.has_header()) {
    const std::string& v = first.header().typedb_version();
    return !v.empty() && std::isdigit(static_cast<unsigned char>(v[0]));
  }
  bool any_thing = false;
  for (const v3::Item& item : items) {
    if (!HasIdAndLabel(item)) return false;
    if (!item.has_checksums()) any_thing = true;
  }
  return any_thing;
}

Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& options, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(LabelMap labels, LabelMap::Make(options.typedb.renames));
  DECANT_ASSIGN_OR_RETURN(auto file, ExportFile::Open(path, fs));
  return std::unique_ptr<Source>(new TypeDbSource(std::move(file), std::move(labels), options.jobs));
}

}  // namespace decant::typedb
