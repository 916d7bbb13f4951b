// --rename old=new: label remapping on reading and writing TypeDB exports
// (docs/formats/typedb.md, "Renaming labels"), Grakn's import remapping
// generalised.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace decant::typedb {

class LabelMap {
 public:
  LabelMap() = default;
  // From the --rename pairs, in order. A type label is renamed by
  // "old=new"; a role by its scoped label "rel:old=rel:new" (the scope
  // must stay the same). InvalidArgument, one line, for a side that is not a
  // valid label ([A-Za-z_][A-Za-z0-9_-]*, or two joined by ':'), a type
  // renamed to a role or back, a label renamed twice.
  static Result<LabelMap> Make(const std::vector<std::pair<std::string, std::string>>& renames);

  bool empty() const { return types_.empty() && roles_.empty(); }

  // Once the input's labels are known (type labels and scoped role
  // labels): InvalidArgument, one line, for a rename whose old label the
  // input does not hold, and for one that would merge two labels (its new
  // label is one the input holds and does not rename away, or two renames
  // end at one label).
  Status Check(const std::set<std::string>& type_labels, const std::set<std::string>& role_labels) const;

  // The label a type label becomes (itself when not renamed).
  std::string Type(std::string_view label) const;
  // The label a scoped role label becomes: the role renamed when a rename
  // names it, and its scope renamed when the relation type is renamed.
  std::string Role(std::string_view scoped) const;

 private:
  std::map<std::string, std::string, std::less<>> types_;
  std::map<std::string, std::string, std::less<>> roles_;
};

}  // namespace decant::typedb
