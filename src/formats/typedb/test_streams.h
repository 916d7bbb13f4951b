// Tests only: export streams built with the generated classes (each item
// serialised and given its varint length, as Java's writeDelimitedTo and
// prost's encode_length_delimited do).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "formats/typedb/proto/typedb_v3.pb.h"

namespace decant::typedb::test {

inline std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

inline std::string Frame(const std::string& bytes) { return Varint(bytes.size()) + bytes; }

inline std::string Frame(const v3::Item& item) { return Frame(item.SerializeAsString()); }

inline v3::Item Header(const std::string& version, const std::string& database) {
  v3::Item item;
  item.mutable_header()->set_typedb_version(version);
  item.mutable_header()->set_original_database(database);
  return item;
}

inline v3::Item Checksums(int64_t entities, int64_t attributes, int64_t relations, int64_t roles, int64_t ownerships) {
  v3::Item item;
  auto* c = item.mutable_checksums();
  c->set_entity_count(entities);
  c->set_attribute_count(attributes);
  c->set_relation_count(relations);
  c->set_role_count(roles);
  c->set_ownership_count(ownerships);
  return item;
}

inline v3::Item Entity(const std::string& id, const std::string& label, const std::vector<std::string>& owned = {}) {
  v3::Item item;
  auto* e = item.mutable_entity();
  e->set_id(id);
  e->set_label(label);
  for (const std::string& o : owned) e->add_attributes()->set_id(o);
  return item;
}

inline v3::Item Attribute(const std::string& id, const std::string& label, const v3::MigrationValue& value,
                          const std::vector<std::string>& owned = {}) {
  v3::Item item;
  auto* a = item.mutable_attribute();
  a->set_id(id);
  a->set_label(label);
  *a->mutable_value() = value;
  for (const std::string& o : owned) a->add_attributes()->set_id(o);
  return item;
}

inline v3::MigrationValue String(const std::string& s) {
  v3::MigrationValue v;
  v.set_string(s);
  return v;
}

inline v3::MigrationValue Integer(int64_t i) {
  v3::MigrationValue v;
  v.set_integer(i);
  return v;
}

// role label -> player ids
inline v3::Item Relation(const std::string& id, const std::string& label,
                         const std::vector<std::pair<std::string, std::vector<std::string>>>& roles,
                         const std::vector<std::string>& owned = {}) {
  v3::Item item;
  auto* r = item.mutable_relation();
  r->set_id(id);
  r->set_label(label);
  for (const auto& [role, players] : roles) {
    auto* x = r->add_roles();
    x->set_label(role);
    for (const std::string& p : players) x->add_players()->set_id(p);
  }
  for (const std::string& o : owned) r->add_attributes()->set_id(o);
  return item;
}

inline std::string Stream(const std::vector<v3::Item>& items) {
  std::string out;
  for (const v3::Item& item : items) out += Frame(item);
  return out;
}

}  // namespace decant::typedb::test
