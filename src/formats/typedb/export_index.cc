#include "formats/typedb/export_index.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "formats/typedb/typedb_values.h"

namespace decant::typedb {
namespace {

IdKey HashId(std::string_view id) {
  XXH128_hash_t h = XXH3_128bits(id.data(), id.size());
  IdKey k;
  k.lo = h.low64;
  k.hi = h.high64;
  return k;
}

bool KeyLess(const IdKey& a, const IdKey& b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }
bool KeyEqual(const IdKey& a, const IdKey& b) { return a.hi == b.hi && a.lo == b.lo; }

uint8_t VarintSize(uint64_t v) {
  uint8_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

bool OnlyIn3(v3::MigrationValue::ValueCase c) {
  switch (c) {
    case v3::MigrationValue::kDecimal:
    case v3::MigrationValue::kDate:
    case v3::MigrationValue::kDatetime:
    case v3::MigrationValue::kDatetimeTz:
    case v3::MigrationValue::kDuration:
    case v3::MigrationValue::kStruct: return true;
    default: return false;
  }
}

bool SubMicro(const v3::MigrationValue& v) {
  if (v.has_datetime()) return v.datetime().nanos() % 1000 != 0;
  if (v.has_datetime_tz()) return v.datetime_tz().datetime().nanos() % 1000 != 0;
  return false;
}

// "an entity", "a relation", "an attribute".
std::string WithArticle(Kind k) { return std::string(k == Kind::kRelation ? "a " : "an ") + KindName(k); }

}  // namespace

std::string Quoted(std::string_view s) {
  std::string out = "'";
  size_t shown = 0;
  for (char ch : s) {
    if (++shown > 80) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out.push_back(ch);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "'";
}

ItemPlace Place::Full() const {
  ItemPlace p;
  p.number = number;
  p.offset = offset;
  p.length = length;
  p.prefix = VarintSize(length);
  return p;
}

Status ExportIndex::Error(const ItemPlace& place, const std::string& what) const {
  return Status::Corruption(fmt::format("{}: {}: {}", file_->Describe(), ItemWhere(place), what));
}

Result<uint32_t> ExportIndex::LabelOf(const ItemPlace& place, const std::string& label, Kind kind) {
  auto it = by_label_.find(label);
  if (it == by_label_.end()) {
    auto index = static_cast<uint32_t>(labels_.size());
    by_label_.emplace(label, index);
    LabelInfo info;
    info.label = label;
    info.kind = kind;
    labels_.push_back(std::move(info));
    return index;
  }
  const LabelInfo& info = labels_[it->second];
  if (info.kind != kind) {
    const ItemPlace first = info.places.front().Full();
    return Error(place, fmt::format("the label {} is of {} here and of {} at {}", Quoted(label), WithArticle(kind),
                                    WithArticle(info.kind), ItemWhere(first)));
  }
  return it->second;
}

Status ExportIndex::Add(const ItemPlace& place, std::string_view bytes, v3::Item* item) {
  DECANT_RETURN_IF_ERROR(file_->Parse(bytes, place, item));
  if (place.number > std::numeric_limits<uint32_t>::max())
    return Error(place, "more than 2^32 items (decant reads at most that many)");
  const std::string* id = nullptr;
  const std::string* label = nullptr;
  Kind kind = Kind::kEntity;
  const google::protobuf::RepeatedPtrField<v3::Item::OwnedAttribute>* owned = nullptr;
  uint64_t players = 0;
  switch (item->item_case()) {
    case v3::Item::kHeader:
      if (headers_++ == 0) {
        header_ = item->header();
        header_number_ = place.number;
      }
      return Status::OK();
    case v3::Item::kChecksums:
      if (checksums_items_++ == 0) checksums_ = item->checksums();
      return Status::OK();
    case v3::Item::kEntity:
      id = &item->entity().id();
      label = &item->entity().label();
      owned = &item->entity().attributes();
      ++counted_.entities;
      break;
    case v3::Item::kAttribute:
      kind = Kind::kAttribute;
      id = &item->attribute().id();
      label = &item->attribute().label();
      owned = &item->attribute().attributes();
      ++counted_.attributes;
      break;
    case v3::Item::kRelation:
      kind = Kind::kRelation;
      id = &item->relation().id();
      label = &item->relation().label();
      owned = &item->relation().attributes();
      ++counted_.relations;
      for (const auto& role : item->relation().roles()) {
        if (role.label().empty()) return Error(place, "a role without a label");
        role_labels_.insert(role.label());
        players += static_cast<uint64_t>(role.players_size());
      }
      break;
    default: return Status::OK();  // ParseItem refused the rest
  }
  if (id->empty()) return Error(place, fmt::format("{} without an id", WithArticle(kind)));
  if (label->empty()) return Error(place, fmt::format("{} without a label (id {})", WithArticle(kind), Quoted(*id)));
  DECANT_ASSIGN_OR_RETURN(uint32_t index, LabelOf(place, *label, kind));
  LabelInfo& info = labels_[index];
  if (kind == Kind::kAttribute) {
    const v3::MigrationValue& value = item->attribute().value();
    ValueType type = TypeOf(value);
    if (!item->attribute().has_value() || type == ValueType::kNone)
      return Error(place, fmt::format("the attribute {} of type {} has no value", Quoted(*id), Quoted(*label)));
    if (info.value_type == ValueType::kNone) {
      info.value_type = type;
    } else if (info.value_type != type) {
      return Error(place,
                   fmt::format("a {} value under the attribute type {}, whose values are {} at {}", ValueTypeName(type),
                               Quoted(*label), ValueTypeName(info.value_type), ItemWhere(info.places.front().Full())));
    }
    if (OnlyIn3(value.value_case())) v3_values_ = true;
    if (SubMicro(value)) info.value_ns = true;
  }
  Place p;
  p.offset = place.offset;
  p.length = place.length;
  p.number = static_cast<uint32_t>(place.number);
  info.places.push_back(p);
  info.bytes += place.prefix + place.length;
  const auto ownerships = static_cast<uint64_t>(owned->size());
  info.ownerships += ownerships;
  info.players += players;
  counted_.ownerships += ownerships;
  counted_.players += players;
  const bool refs = ownerships > 0 || players > 0;
  if (refs) info.refs = true;
  if (has_refs_.size() <= place.number) has_refs_.resize(place.number + 1);
  has_refs_[place.number] = refs;
  IdKey key = HashId(*id);
  key.label = index;
  key.number = p.number;
  ids_.push_back(key);
  return Status::OK();
}

Result<std::unique_ptr<ExportIndex>> ExportIndex::Build(ExportFile* file) {
  std::unique_ptr<ExportIndex> index(new ExportIndex(file));
  v3::Item item;
  DECANT_RETURN_IF_ERROR(file->Scan([&](const ItemPlace& place, std::string_view bytes) {
    ++index->items_;
    return index->Add(place, bytes, &item);
  }));
  std::vector<IdKey>& ids = index->ids_;
  std::sort(ids.begin(), ids.end(), KeyLess);
  ids.shrink_to_fit();
  int bits = 8;
  while (bits < 24 && (size_t{1} << bits) < ids.size()) ++bits;
  index->dir_bits_ = bits;
  index->dir_.assign((size_t{1} << bits) + 1, static_cast<uint32_t>(ids.size()));
  for (size_t i = ids.size(); i-- > 0;) index->dir_[ids[i].hi >> (64 - bits)] = static_cast<uint32_t>(i);
  for (size_t b = index->dir_.size() - 1; b-- > 0;) index->dir_[b] = std::min(index->dir_[b], index->dir_[b + 1]);
  for (LabelInfo& info : index->labels_) info.places.shrink_to_fit();
  return index;
}

Place ExportIndex::PlaceOf(uint32_t label, uint32_t number) const {
  const std::vector<Place>& places = labels_[label].places;
  auto it =
      std::lower_bound(places.begin(), places.end(), number, [](const Place& p, uint32_t n) { return p.number < n; });
  return it != places.end() ? *it : Place{};
}

uint64_t ExportIndex::DuplicateIds() const {
  uint64_t n = 0;
  for (size_t i = 1; i < ids_.size(); ++i) {
    if (KeyEqual(ids_[i - 1], ids_[i])) ++n;
  }
  return n;
}

Status ExportIndex::CheckIds() const {
  // The duplicate that comes first in the file: the pair whose later item
  // is earliest.
  const IdKey* first = nullptr;
  const IdKey* second = nullptr;
  uint64_t count = 0;
  for (size_t start = 0, end = 0; start < ids_.size(); start = end) {
    end = start + 1;
    while (end < ids_.size() && KeyEqual(ids_[start], ids_[end])) ++end;
    if (end - start < 2) continue;
    count += end - start - 1;
    // The two earliest items of the run.
    const IdKey* a = nullptr;
    const IdKey* b = nullptr;
    for (size_t j = start; j < end; ++j) {
      const IdKey* k = &ids_[j];
      if (!a || k->number < a->number) {
        b = a;
        a = k;
      } else if (!b || k->number < b->number) {
        b = k;
      }
    }
    if (!second || b->number < second->number) {
      first = a;
      second = b;
    }
  }
  if (!second) return Status::OK();
  const ItemPlace place = PlaceOf(second->label, second->number).Full();
  std::string id;
  std::string bytes;
  v3::Item item;
  if (file_->ReadItem(place, &bytes).ok() && item.ParseFromString(bytes)) {
    if (item.has_entity()) id = item.entity().id();
    if (item.has_attribute()) id = item.attribute().id();
    if (item.has_relation()) id = item.relation().id();
  }
  std::string why;
  if (Generation() == "grakn-2.0")
    why = " (Grakn 2.0 to 2.2 exported lossy ids: raw bytes decoded as text, so distinct things can share one)";
  return Error(place,
               fmt::format("the id {} is also the id of {}; {} duplicate id{} in the file{}", Quoted(id),
                           ItemWhere(PlaceOf(first->label, first->number).Full()), count, count == 1 ? "" : "s", why));
}

const IdKey* ExportIndex::Find(std::string_view id) const {
  IdKey key = HashId(id);
  const size_t prefix = key.hi >> (64 - dir_bits_);
  const auto end = ids_.begin() + dir_[prefix + 1];
  auto it = std::lower_bound(ids_.begin() + dir_[prefix], end, key, KeyLess);
  if (it == end || !KeyEqual(*it, key)) return nullptr;
  return &*it;
}

Status ExportIndex::Resolve() {
  references_ = 0;
  for (LabelInfo& info : labels_) info.owned.clear();
  v3::Item item;
  std::vector<std::pair<uint32_t, uint32_t>> counts;  // attribute label -> ownerships by this item
  return file_->Scan([&](const ItemPlace& place, std::string_view bytes) -> Status {
    if (place.number >= has_refs_.size() || !has_refs_[place.number]) return Status::OK();
    DECANT_RETURN_IF_ERROR(file_->Parse(bytes, place, &item));
    const google::protobuf::RepeatedPtrField<v3::Item::OwnedAttribute>* owned = nullptr;
    const std::string* label = nullptr;
    switch (item.item_case()) {
      case v3::Item::kEntity:
        owned = &item.entity().attributes();
        label = &item.entity().label();
        break;
      case v3::Item::kAttribute:
        owned = &item.attribute().attributes();
        label = &item.attribute().label();
        break;
      case v3::Item::kRelation:
        owned = &item.relation().attributes();
        label = &item.relation().label();
        break;
      default: return Error(place, "the item changed since the first pass");
    }
    auto owner = by_label_.find(*label);
    if (owner == by_label_.end()) return Error(place, "the item changed since the first pass");
    counts.clear();
    for (const auto& o : *owned) {
      const IdKey* key = Find(o.id());
      if (!key) return Error(place, fmt::format("owns the attribute {}, an id the file does not hold", Quoted(o.id())));
      const LabelInfo& target = labels_[key->label];
      if (target.kind != Kind::kAttribute)
        return Error(place, fmt::format("owns {}, which is the id of {} of type {}, not of an attribute",
                                        Quoted(o.id()), WithArticle(target.kind), Quoted(target.label)));
      ++references_;
      auto c = std::find_if(counts.begin(), counts.end(), [&](const auto& e) { return e.first == key->label; });
      if (c == counts.end()) {
        counts.emplace_back(key->label, 1);
      } else {
        ++c->second;
      }
    }
    LabelInfo& info = labels_[owner->second];
    for (const auto& [attribute, n] : counts) {
      OwnedCount& oc = info.owned[attribute];
      oc.most = std::max(oc.most, n);
      oc.total += n;
    }
    if (item.has_relation()) {
      for (const auto& role : item.relation().roles()) {
        for (const auto& player : role.players()) {
          if (!Find(player.id()))
            return Error(place, fmt::format("has the player {} (role {}), an id the file does not hold",
                                            Quoted(player.id()), Quoted(role.label())));
          ++references_;
        }
      }
    }
    return Status::OK();
  });
}

std::string ExportIndex::Generation() const {
  if (!header_) return v3_values_ ? "typedb-3" : "unknown";
  const std::string& v = header_->typedb_version();
  auto starts = [&](std::string_view p) { return v.compare(0, p.size(), p) == 0; };
  if (starts("1.")) return "grakn-1.8";
  if (starts("2.0") || starts("2.1") || starts("2.2")) {
    // "2.1x" and "2.2x" are TypeDB 2.10 to 2.29.
    if (v.size() == 3 || v[3] == '.' || v[3] == '-') return "grakn-2.0";
    return "typedb-2";
  }
  if (starts("2.")) return "typedb-2";
  if (starts("3.")) return "typedb-3";
  return "unknown";
}

std::map<std::string, std::string> ExportIndex::FileRows() const {
  std::map<std::string, std::string> rows;
  rows[std::string(kFileGeneration)] = Generation();
  if (header_) {
    rows[std::string(kFileVersion)] = header_->typedb_version();
    rows[std::string(kFileDatabase)] = header_->original_database();
  }
  if (checksums_) {
    const std::string p(kFileChecksumPrefix);
    rows[p + "entity_count"] = std::to_string(checksums_->entity_count());
    rows[p + "attribute_count"] = std::to_string(checksums_->attribute_count());
    rows[p + "relation_count"] = std::to_string(checksums_->relation_count());
    rows[p + "role_count"] = std::to_string(checksums_->role_count());
    rows[p + "ownership_count"] = std::to_string(checksums_->ownership_count());
    if (checksums_->key_ownership_count() != 0)
      rows[p + "key_ownership_count"] = std::to_string(checksums_->key_ownership_count());
  }
  return rows;
}

std::vector<std::string> ExportIndex::Notes() const {
  std::vector<std::string> notes;
  const std::string& input = file_->Describe();
  if (!header_) {
    notes.push_back(fmt::format("{}: no header item (TypeDB 2.3 and later refuse such a file)", input));
  } else if (header_number_ > 0) {
    notes.push_back(fmt::format("{}: {} item{} before the header (TypeDB 2.3 and later refuse such a file)", input,
                                header_number_, header_number_ == 1 ? "" : "s"));
  }
  if (headers_ > 1) notes.push_back(fmt::format("{}: {} header items; the first is used", input, headers_));
  if (!checksums_) {
    notes.push_back(fmt::format("{}: no checksums item: the export may not have finished", input));
  } else {
    if (checksums_items_ > 1)
      notes.push_back(fmt::format("{}: {} checksums items; the first is used", input, checksums_items_));
    std::string differ;
    auto compare = [&](const char* what, int64_t says, uint64_t counted) {
      if (says >= 0 && static_cast<uint64_t>(says) == counted) return;
      differ += fmt::format("{}{} {} (file) / {} (counted)", differ.empty() ? "" : ", ", what, says, counted);
    };
    compare("entities", checksums_->entity_count(), counted_.entities);
    compare("attributes", checksums_->attribute_count(), counted_.attributes);
    compare("relations", checksums_->relation_count(), counted_.relations);
    compare("role players", checksums_->role_count(), counted_.players);
    compare("ownerships", checksums_->ownership_count(), counted_.ownerships);
    if (!differ.empty())
      notes.push_back(fmt::format("{}: the checksums differ from the file's items: {}", input, differ));
  }
  return notes;
}

}  // namespace decant::typedb
