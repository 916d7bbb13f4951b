// Internal to the TypeDB reader (typedb_source.cc, typedb_inspect.cc): what
// the passes over an export stream learn, in memory bounded by the number of
// items (about 45 bytes each: a place, a hashed id, its share of the ids'
// directory, a bit), never by their contents.
//
//   Pass 1 (Build): every item, in file order: per label its kind, value
//   type, places, counts; the header and checksums; every item's id as a
//   128-bit hash with its label, sorted once the pass ends.
//   CheckIds: duplicate ids (adjacent in the sorted ids).
//   Pass 2 (Resolve): the items that own attributes or have role players:
//   every owned id and player id resolved, and per (owner label, attribute
//   label) the most ownerships one instance has.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "formats/typedb/export_file.h"
#include "formats/typedb/layout.h"

namespace decant::typedb {

// An item's place, compact (16 bytes): its prefix length follows from its length.
struct Place {
  uint64_t offset = 0;
  uint32_t length = 0;
  uint32_t number = 0;
  ItemPlace Full() const;
};

// An item's id, hashed (XXH3 128 bits), with the index of its label.
struct IdKey {
  uint64_t lo = 0;
  uint64_t hi = 0;
  uint32_t label = 0;
  uint32_t number = 0;  // the item's
};

// How an owner label's instances own one attribute label (pass 2).
struct OwnedCount {
  uint32_t most = 0;   // the most one instance owns
  uint64_t total = 0;  // ownerships in all
};

// What the stream says about one label (as the file spells it).
struct LabelInfo {
  std::string label;
  Kind kind = Kind::kEntity;
  ValueType value_type = ValueType::kNone;
  std::vector<Place> places;             // its items, in file order
  uint64_t bytes = 0;                    // of its items
  uint64_t ownerships = 0;               // by its instances
  uint64_t players = 0;                  // of its relations
  bool refs = false;                     // some instance owns an attribute or has a player
  bool value_ns = false;                 // a datetime value with nanoseconds below the microsecond
  std::map<uint32_t, OwnedCount> owned;  // attribute label index -> counts (pass 2)
};

// The five counts of a checksums item.
struct Counts {
  uint64_t entities = 0;
  uint64_t attributes = 0;
  uint64_t relations = 0;
  uint64_t players = 0;
  uint64_t ownerships = 0;
};

class ExportIndex {
 public:
  // Pass 1 over `file` (which must outlive the index). Corruption, one line
  // naming the input, item and byte offset: what ExportFile::Scan and
  // ParseItem refuse, an item of an entity, attribute or relation without
  // an id or a label, an attribute without a value, a label of two kinds,
  // two value types under one label, more than 2^32 items.
  static Result<std::unique_ptr<ExportIndex>> Build(ExportFile* file);

  // Corruption naming both items of the first duplicate id (and how many
  // there are; for grakn-2.0, why).
  Status CheckIds() const;
  // How many ids occur more than once (0 when all are unique).
  uint64_t DuplicateIds() const;
  // Pass 2. Corruption naming the item, its byte offset and the id: an
  // owned id or a player id the file does not hold, an owned id that is not
  // an attribute's.
  Status Resolve();

  // The label index of `id`'s item; nullptr when the file holds no such id.
  const IdKey* Find(std::string_view id) const;
  // "grakn-1.8", "grakn-2.0", "typedb-2", "typedb-3" or "unknown".
  std::string Generation() const;
  // The typedb:file rows (generation, version, original database, checksums).
  std::map<std::string, std::string> FileRows() const;
  // Decisions worth saying: no checksums, checksums that differ, items
  // before the header, a second header or checksums item.
  std::vector<std::string> Notes() const;
  // The place of item `number` (of label `label`).
  Place PlaceOf(uint32_t label, uint32_t number) const;

  ExportFile* file() const { return file_; }
  const std::vector<LabelInfo>& labels() const { return labels_; }
  const std::set<std::string>& role_labels() const { return role_labels_; }
  const std::optional<v3::Item::Header>& header() const { return header_; }
  const std::optional<v3::Item::Checksums>& checksums() const { return checksums_; }
  const Counts& counted() const { return counted_; }
  uint64_t items() const { return items_; }
  // References (owned ids and player ids) Resolve checked.
  uint64_t references() const { return references_; }
  // The Corruption "<input>: item N at byte offset M: what".
  Status Error(const ItemPlace& place, const std::string& what) const;

 private:
  explicit ExportIndex(ExportFile* file) : file_(file) {}
  Status Add(const ItemPlace& place, std::string_view bytes, v3::Item* item);
  Result<uint32_t> LabelOf(const ItemPlace& place, const std::string& label, Kind kind);

  ExportFile* file_;
  std::vector<LabelInfo> labels_;
  std::unordered_map<std::string, uint32_t> by_label_;
  std::vector<IdKey> ids_;  // sorted by (hi, lo) after pass 1
  // Where the ids whose hash starts with each `dir_bits_`-bit prefix begin
  // in ids_ (about one id per prefix: a look-up touches one or two lines).
  std::vector<uint32_t> dir_;
  int dir_bits_ = 0;
  std::vector<bool> has_refs_;  // per item: owns attributes or has players
  std::set<std::string> role_labels_;
  std::optional<v3::Item::Header> header_;
  uint64_t header_number_ = 0;
  uint64_t headers_ = 0;
  std::optional<v3::Item::Checksums> checksums_;
  uint64_t checksums_items_ = 0;
  bool v3_values_ = false;  // a value case only 3.x has
  Counts counted_;
  uint64_t items_ = 0;
  uint64_t references_ = 0;
};

// `s` quoted for a message, with bytes that are not printable ASCII shown
// as \xNN, cut at 80 characters.
std::string Quoted(std::string_view s);

}  // namespace decant::typedb
