#include "formats/typedb/labels.h"

#include <fmt/format.h>

namespace decant::typedb {
namespace {

// [A-Za-z_][A-Za-z0-9_-]*
bool IsLabel(std::string_view s) {
  if (s.empty()) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!letter(s[0])) return false;
  for (char c : s) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

bool IsScoped(std::string_view s) {
  size_t colon = s.find(':');
  return colon != std::string_view::npos && IsLabel(s.substr(0, colon)) && IsLabel(s.substr(colon + 1));
}

std::string Arg(const std::string& old_label, const std::string& new_label) {
  return fmt::format("--rename {}={}", old_label, new_label);
}

// Images of `labels` under `f`: the first two labels that end at one.
template <typename F>
bool Merge(const std::set<std::string>& labels, F f, std::string* a, std::string* b, std::string* to) {
  std::map<std::string, std::string> image;
  for (const std::string& label : labels) {
    std::string renamed = f(label);
    auto [it, inserted] = image.emplace(renamed, label);
    if (!inserted) {
      *a = it->second;
      *b = label;
      *to = renamed;
      return true;
    }
  }
  return false;
}

}  // namespace

bool LabelMap::Split(std::string_view arg, std::pair<std::string, std::string>* out) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == arg.size()) return false;
  *out = {std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
  return true;
}

Result<LabelMap> LabelMap::Make(const std::vector<std::pair<std::string, std::string>>& renames) {
  LabelMap map;
  for (const auto& [from, to] : renames) {
    std::string arg = Arg(from, to);
    for (const std::string& side : {from, to}) {
      if (!IsLabel(side) && !IsScoped(side))
        return Status::InvalidArgument(
            fmt::format("{}: '{}' is not a label ([A-Za-z_][A-Za-z0-9_-]*, or a role label rel:role)", arg, side));
    }
    if (map.types_.count(from) || map.roles_.count(from))
      return Status::InvalidArgument(fmt::format("{}: {} is renamed twice", arg, from));
    bool scoped_from = IsScoped(from), scoped_to = IsScoped(to);
    if (scoped_from && !scoped_to)
      return Status::InvalidArgument(fmt::format("{}: a scoped role label cannot become an unscoped one", arg));
    if (scoped_to) {
      map.roles_.emplace(from, to);
    } else {
      map.types_.emplace(from, to);
    }
  }
  return map;
}

Status LabelMap::Check(const std::set<std::string>& type_labels, const std::set<std::string>& role_labels) const {
  for (const auto& [from, to] : types_) {
    if (!type_labels.count(from) && !role_labels.count(from))
      return Status::InvalidArgument(fmt::format("{}: the input has no label {}", Arg(from, to), from));
  }
  for (const auto& [from, to] : roles_) {
    if (role_labels.count(from)) continue;
    if (!IsScoped(from) && type_labels.count(from))
      return Status::InvalidArgument(
          fmt::format("{}: {} is a type label, and a type's new label cannot hold ':'", Arg(from, to), from));
    return Status::InvalidArgument(fmt::format("{}: the input has no role label {}", Arg(from, to), from));
  }
  std::string a, b, to;
  bool roles = false;
  if (!Merge(
          type_labels, [this](const std::string& l) { return Type(l); }, &a, &b, &to)) {
    roles = Merge(
        role_labels, [this](const std::string& l) { return Role(l); }, &a, &b, &to);
    if (!roles) return Status::OK();
  }
  std::string why_a = Why(a, roles), why_b = Why(b, roles);
  if (!why_a.empty() && !why_b.empty())
    return Status::InvalidArgument(fmt::format("{} and {} would merge {} and {} into {}", why_a, why_b, a, b, to));
  return Status::InvalidArgument(fmt::format("{} would merge {} into {}, a label the input already holds",
                                             why_a.empty() ? why_b : why_a, why_a.empty() ? b : a, to));
}

std::string LabelMap::Why(std::string_view label, bool role) const {
  auto arg = [](const auto& it) { return Arg(it->first, it->second); };
  if (role) {
    if (auto it = roles_.find(label); it != roles_.end()) return arg(it);
    size_t colon = label.find(':');
    if (colon != std::string_view::npos) label = label.substr(0, colon);
  }
  auto it = types_.find(label);
  return it == types_.end() ? "" : arg(it);
}

std::string LabelMap::Type(std::string_view label) const {
  auto it = types_.find(label);
  return it == types_.end() ? std::string(label) : it->second;
}

std::string LabelMap::Role(std::string_view label) const {
  auto exact = roles_.find(label);
  if (exact != roles_.end()) return exact->second;
  size_t colon = label.find(':');
  if (colon == std::string_view::npos) return Type(label);
  return Type(label.substr(0, colon)) + std::string(label.substr(colon));
}

}  // namespace decant::typedb
