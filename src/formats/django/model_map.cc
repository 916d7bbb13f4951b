#include "formats/django/model_map.h"

#include <algorithm>

#include "core/ascii.h"

namespace decant::django {
namespace {

// Django's own apps that name their tables themselves (Meta.db_table).
struct OwnTable {
  std::string_view label;
  std::string_view table;
};
constexpr OwnTable kOwnTables[] = {
    {"contenttypes.contenttype", "django_content_type"},
    {"sessions.session", "django_session"},
    {"admin.logentry", "django_admin_log"},
    {"sites.site", "django_site"},
};

// Tables an application has that hold no model.
bool NoModel(const Table& t) { return t.name == "django_migrations"; }

// The single column of a one-column foreign key on `column`, or nullptr.
const ForeignKey* ForeignKeyOn(const Table& t, const std::string& column) {
  for (const ForeignKey& fk : t.foreign_keys) {
    if (fk.columns.size() == 1 && fk.columns[0] == column) return &fk;
  }
  return nullptr;
}

const Table* Referenced(const Schema& schema, const Table& from, const ForeignKey& fk) {
  std::string ref_schema = fk.ref_schema.empty() ? from.schema : fk.ref_schema;
  if (const Table* t = schema.FindTable(ref_schema, fk.ref_table)) return t;
  for (const Table& t : schema.tables) {
    if (EqualsIgnoreCaseAscii(t.name, fk.ref_table)) return &t;
  }
  return nullptr;
}

// "app.Model" -> "app.model"; an "app.Model.field" keeps its field's case.
std::string NormalLabel(std::string_view label) { return AsciiLower(label); }

const Table* FindTableNamed(const Schema& schema, std::string_view name) {
  for (const Table& t : schema.tables) {
    if (t.name == name) return &t;
  }
  for (const Table& t : schema.tables) {
    if (EqualsIgnoreCaseAscii(t.name, name)) return &t;
  }
  return nullptr;
}

// The table `label` names: an override, Django's own table, the default name.
std::string TableFor(std::string_view label, const DjangoOptions& options) {
  for (const auto& [key, table] : options.model_tables) {
    if (EqualsIgnoreCaseAscii(key, label)) return table;
  }
  for (const OwnTable& own : kOwnTables) {
    if (own.label == label) return std::string(own.table);
  }
  return ModelMap::DefaultTable(label);
}

// The label a table's name suggests when nobody named it.
std::string GuessLabel(const Table& t, const DjangoOptions& options) {
  for (const auto& [key, table] : options.model_tables) {
    if (std::count(key.begin(), key.end(), '.') == 1 && EqualsIgnoreCaseAscii(table, t.name)) return NormalLabel(key);
  }
  for (const OwnTable& own : kOwnTables) {
    if (EqualsIgnoreCaseAscii(own.table, t.name)) return std::string(own.label);
  }
  size_t us = t.name.find('_');
  if (us == std::string::npos || us == 0 || us + 1 == t.name.size()) return "";
  return AsciiLower(t.name.substr(0, us)) + "." + AsciiLower(t.name.substr(us + 1));
}

struct ThroughGuess {
  const Table* owner = nullptr;
  std::string field, owner_column, related_column;
  const Table* related = nullptr;
};

// Whether `t` is an auto-created through table: an id column and two
// foreign-key columns, one of them to a table P with t.name == P.name + "_" + field.
bool GuessThrough(const Schema& schema, const Table& t, ThroughGuess* out) {
  if (t.columns.size() != 3 || !t.primary_key || t.primary_key->columns.size() != 1) return false;
  std::vector<std::pair<std::string, const Table*>> refs;
  for (const Column& c : t.columns) {
    if (c.name == t.primary_key->columns[0]) continue;
    const ForeignKey* fk = ForeignKeyOn(t, c.name);
    if (!fk) return false;
    const Table* ref = Referenced(schema, t, *fk);
    if (!ref) return false;
    refs.emplace_back(c.name, ref);
  }
  if (refs.size() != 2) return false;
  for (size_t i = 0; i < 2; ++i) {
    const Table* p = refs[i].second;
    if (t.name.size() <= p->name.size() + 1 || !StartsWithIgnoreCaseAscii(t.name, p->name) ||
        t.name[p->name.size()] != '_') {
      continue;
    }
    const auto& other = refs[1 - i];
    std::string owner_column = refs[i].first;
    std::string related_column = other.first;
    if (other.second == p) {  // a relation to itself: from_<model>_id owns it
      if (owner_column.starts_with("to_") && related_column.starts_with("from_"))
        std::swap(owner_column, related_column);
    }
    *out = {p, t.name.substr(p->name.size() + 1), owner_column, related_column, other.second};
    return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> BuiltinNaturalKey(std::string_view label) {
  if (label == "contenttypes.contenttype") return {"app_label", "model"};
  if (label == "auth.permission") return {"codename", "content_type"};
  if (label == "auth.user") return {"username"};
  if (label == "auth.group") return {"name"};
  if (label == "sites.site") return {"domain"};
  return {};
}

std::string ModelMap::DefaultTable(std::string_view label) {
  std::string out(label);
  std::replace(out.begin(), out.end(), '.', '_');
  return AsciiLower(out);
}

const FieldColumn* Model::Field(std::string_view name) const {
  for (const FieldColumn& f : fields) {
    if (f.field == name) return &f;
  }
  for (const FieldColumn& f : fields) {
    if (table->columns[f.column].name == name) return &f;
  }
  return nullptr;
}

const ManyToMany* Model::ManyToManyField(std::string_view name) const {
  for (const ManyToMany& m : many_to_many) {
    if (m.field == name) return &m;
  }
  return nullptr;
}

Result<ModelMap> ModelMap::Build(const Schema& schema, const DjangoOptions& options,
                                 const std::vector<std::string>& labels) {
  ModelMap map;
  map.schema_ = &schema;
  map.options_ = options;
  for (const auto& [key, table] : options.model_tables) {
    if (!FindTableNamed(schema, table)) {
      return Status::InvalidArgument("--model-table " + key + "=" + table + ": there is no table " + table);
    }
  }
  // Labels the caller knows, by the table they name.
  std::map<const Table*, std::string> known;
  for (const std::string& label : labels) {
    std::string l = NormalLabel(label);
    if (const Table* t = FindTableNamed(schema, TableFor(l, options))) known.emplace(t, l);
  }
  // Through tables: named by an override app.Model.field, else guessed.
  std::map<const Table*, ThroughGuess> throughs;
  for (const auto& [key, table] : options.model_tables) {
    if (std::count(key.begin(), key.end(), '.') != 2) continue;
    const Table* t = FindTableNamed(schema, table);
    std::string owner_label = NormalLabel(key.substr(0, key.rfind('.')));
    const Table* owner = FindTableNamed(schema, TableFor(owner_label, options));
    if (!owner) return Status::InvalidArgument("--model-table " + key + ": model " + owner_label + " has no table");
    ThroughGuess g;
    g.owner = owner;
    g.field = key.substr(key.rfind('.') + 1);
    for (const Column& c : t->columns) {
      const ForeignKey* fk = ForeignKeyOn(*t, c.name);
      if (!fk) continue;
      const Table* ref = Referenced(schema, *t, *fk);
      if (ref == owner && g.owner_column.empty()) {
        g.owner_column = c.name;
      } else if (g.related_column.empty()) {
        g.related_column = c.name;
        g.related = ref;
      }
    }
    if (g.owner_column.empty() || g.related_column.empty()) {
      return Status::InvalidArgument("--model-table " + key + "=" + table +
                                     ": the table has no foreign keys to the model and the related model");
    }
    throughs[t] = g;
  }
  for (const Table& t : schema.tables) {
    if (throughs.count(&t) || known.count(&t)) continue;
    ThroughGuess g;
    if (GuessThrough(schema, t, &g)) throughs[&t] = g;
  }
  // Models: every other table.
  for (const Table& t : schema.tables) {
    if (throughs.count(&t) || NoModel(t)) continue;
    auto k = known.find(&t);
    std::string label = k != known.end() ? k->second : GuessLabel(t, options);
    if (label.empty()) continue;
    Model m;
    m.label = label;
    m.table = &t;
    if (t.primary_key && t.primary_key->columns.size() == 1) m.pk_column = t.primary_key->columns[0];
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const Column& col = t.columns[c];
      if (col.name == m.pk_column || col.generated_expr) continue;
      FieldColumn f;
      f.field = col.name;
      f.column = c;
      if (const ForeignKey* fk = ForeignKeyOn(t, col.name)) {
        if (col.name.size() > 3 && col.name.ends_with("_id")) f.field = col.name.substr(0, col.name.size() - 3);
        f.related_table = Referenced(schema, t, *fk);
      }
      m.fields.push_back(std::move(f));
    }
    auto nk = options.natural_keys.find(label);
    m.natural_key = nk != options.natural_keys.end() ? nk->second : BuiltinNaturalKey(label);
    map.by_table_[&t] = map.models_.size();
    map.models_.push_back(std::move(m));
  }
  auto label_of = [&](const Table* t) -> std::string {
    auto it = map.by_table_.find(t);
    return it == map.by_table_.end() ? "" : map.models_[it->second].label;
  };
  for (Model& m : map.models_) {
    for (FieldColumn& f : m.fields) {
      if (f.related_table) f.related_label = label_of(f.related_table);
    }
  }
  for (const Table& t : schema.tables) {  // in schema order, so fields come out in a stable order
    auto g = throughs.find(&t);
    if (g == throughs.end()) continue;
    auto owner = map.by_table_.find(g->second.owner);
    if (owner == map.by_table_.end()) continue;
    Model& m = map.models_[owner->second];
    m.many_to_many.push_back(
        {g->second.field, &t, g->second.owner_column, g->second.related_column, label_of(g->second.related)});
    map.through_[&t] = {owner->second, m.many_to_many.size() - 1};
  }
  for (size_t i = 0; i < map.models_.size(); ++i) map.by_label_.emplace(map.models_[i].label, i);
  for (const auto& [t, label] : known) {
    auto it = map.by_table_.find(t);
    if (it != map.by_table_.end()) map.by_label_.emplace(label, it->second);
  }
  return map;
}

const Model* ModelMap::ForLabel(std::string_view label) const {
  auto it = by_label_.find(NormalLabel(label));
  if (it != by_label_.end()) return &models_[it->second];
  // A label nobody named at Build: the table Django's naming gives it.
  const Table* t = schema_ ? FindTableNamed(*schema_, TableFor(NormalLabel(label), options_)) : nullptr;
  return t ? ForTable(*t) : nullptr;
}

const Model* ModelMap::ForTable(const Table& table) const {
  auto it = by_table_.find(&table);
  return it == by_table_.end() ? nullptr : &models_[it->second];
}

const ManyToMany* ModelMap::ThroughFor(const Table& table) const {
  auto it = through_.find(&table);
  return it == through_.end() ? nullptr : &models_[it->second.first].many_to_many[it->second.second];
}

}  // namespace decant::django
