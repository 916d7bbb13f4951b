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

// The renames of one run. A label is a TypeQL label
// ([A-Za-z_][A-Za-z0-9_-]*); a scoped role label is two joined by ':'
// ("rel:role", 2.0 and later, rel the relation type that declares the
// role); Grakn 1.8 role labels are unscoped ("born-in_child") and share
// the form of type labels, so an unscoped old label is told apart only by
// Check, from the input's labels.
class LabelMap {
 public:
  LabelMap() = default;
  // From the --rename pairs, in order:
  //   "old=new"         a type label, or an unscoped (1.8) role label;
  //   "old=rel:role"    an unscoped role label made scoped (1.8 to 3.x);
  //   "rel:old=rel:new" a scoped role label (the scope may change too).
  // InvalidArgument, one line, for a side that is not a label, a scoped
  // label renamed to an unscoped one, a label renamed twice.
  static Result<LabelMap> Make(const std::vector<std::pair<std::string, std::string>>& renames);
  // "OLD=NEW" split at its first '=' (the form of --rename); false when a
  // side is empty.
  static bool Split(std::string_view arg, std::pair<std::string, std::string>* out);

  bool empty() const { return types_.empty() && roles_.empty(); }

  // Once the input's labels are known (its type labels, and its role labels
  // as the input gives them: unscoped from Grakn 1.8, scoped otherwise):
  // InvalidArgument, one line, for a rename whose old label the input does
  // not hold, a type label renamed to a scoped one, and a rename that would
  // merge two labels (its new label is one the input holds and does not
  // rename away, two renames end at one label, or a relation renamed onto
  // the scope of a role label that exists).
  Status Check(const std::set<std::string>& type_labels, const std::set<std::string>& role_labels) const;

  // The label a type label becomes (itself when not renamed).
  std::string Type(std::string_view label) const;
  // The label a role label becomes: a rename of the whole label when one
  // names it; otherwise an unscoped label as Type() renames it, a scoped
  // one with its scope renamed as Type() renames the relation type.
  std::string Role(std::string_view label) const;

 private:
  // The rename that changes `label` (a role label when `role`: its own
  // rename, or its scope's), as "--rename old=new"; "" when none does.
  std::string Why(std::string_view label, bool role) const;

  // Unscoped old labels: types and 1.8 roles, to an unscoped label.
  std::map<std::string, std::string, std::less<>> types_;
  // Role labels (scoped, or unscoped made scoped) to a scoped label.
  std::map<std::string, std::string, std::less<>> roles_;
};

}  // namespace decant::typedb
