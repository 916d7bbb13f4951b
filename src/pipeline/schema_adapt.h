// Rewriting a schema read from one engine into what another engine's DDL
// accepts: names unique in the target's namespaces and within its length
// limit, foreign-key actions the target takes, index kinds mapped to the
// target's equivalent, MySQL's ON UPDATE clause emulated. Every rule comes
// from the target's EngineTraits::ddl (core/engine_traits.h); the plan runs
// this on the schema the sink receives and prints every change.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/engine_traits.h"
#include "core/schema.h"

namespace decant {

// The names of one namespace of the target (a schema's relations, a table's
// indexes, a database's foreign keys), handed out deterministically.
class NameSpace {
 public:
  // `max_bytes`: the target's name limit (0: none). `case_sensitive`: "A"
  // and "a" are two names.
  NameSpace(int max_bytes, bool case_sensitive) : max_bytes_(max_bytes), case_sensitive_(case_sensitive) {}
  // Marks `name` as taken (an object that keeps its name: a table).
  void Reserve(const std::string& name);
  // The name an object called `name` on `table` gets, now taken: `name`
  // itself when free; else `<table>_<name>`; else `<table>_<name>_<n>` for
  // n = 1, 2, ... Each candidate is first cut to the byte limit (at a UTF-8
  // character boundary), a suffix kept whole.
  std::string Claim(const std::string& name, const std::string& table);

 private:
  std::string Key(const std::string& name) const;
  std::string Cut(const std::string& name, size_t room) const;
  bool Taken(const std::string& name) const { return taken_.count(Key(name)) > 0; }

  int max_bytes_;
  bool case_sensitive_;
  std::set<std::string> taken_;
};

// Rewrites `schema`, read from `source`, for `target` (a different engine
// whose sink declares it from the neutral model). Appends one line per
// object created differently to `changed` and one per object left out to
// `not_carried`. Deterministic: the same schema gives the same names.
void AdaptSchema(Schema* schema, const EngineTraits& source, const EngineTraits& target,
                 std::vector<std::string>* changed, std::vector<std::string>* not_carried);

}  // namespace decant
