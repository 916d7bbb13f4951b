// Django models and the tables an application's migrations made for them.
//
// A fixture names models ("app_label.modelname") and fields; a database has
// tables and columns. ModelMap ties the two, both ways, from a schema (the
// target's, when a fixture is loaded; the source's, when one is written):
//   - model -> table: --model-table first, then the tables Django's own apps
//     name themselves (contenttypes.contenttype -> django_content_type,
//     sessions.session -> django_session, admin.logentry -> django_admin_log,
//     sites.site -> django_site), then Django's default
//     <app_label>_<modelname>; table names match exactly, then ignoring case.
//   - table -> model: the same rules backwards; a table no rule names is
//     <app>_<rest> split at its first '_' (app labels with '_' need
//     --model-table).
//   - field -> column: a column of the field's name; else, for a foreign key,
//     `<field>_id` (a column with a foreign key, or any column of that name).
//   - a many-to-many field `f` of a model with table T: the through table
//     --model-table app.Model.f names, else T_f, whose two foreign keys point
//     at T (the owner column) and at the related model's table (the other
//     column); for a relation to itself the owner column is from_<model>_id.
//     A table is recognised as an auto-created through table when it has
//     exactly an id column plus two foreign-key columns, one of them pointing
//     at a table T of the schema, and its name is T_<field>.
//   - natural keys: contenttypes.contenttype (app_label, model),
//     auth.permission (codename, then the content type's natural key),
//     auth.user (username), auth.group (name), sites.site (domain), and what
//     DjangoOptions::natural_keys adds.
// Names in a ModelMap point into the schema it was built from, which must
// outlive it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/schema.h"
#include "core/status.h"

namespace decant::django {

// A many-to-many field stored in a through table.
struct ManyToMany {
  std::string field;  // its name in the fixture
  const Table* through = nullptr;
  std::string owner_column;    // the through table's column pointing at the model's table
  std::string related_column;  // the one pointing at the related model's table
  std::string related_label;   // the related model, "app.model"
};

// One field of a model that a column holds.
struct FieldColumn {
  std::string field;  // the fixture's name ("owner")
  size_t column = 0;  // index into Table::columns ("owner_id")
  // For a foreign key (a column with a single-column FOREIGN KEY in the
  // schema): the referenced model ("" when its table maps to no model) and
  // table.
  std::string related_label;
  const Table* related_table = nullptr;
};

struct Model {
  std::string label;  // "app.model", lower case
  const Table* table = nullptr;
  std::string pk_column;            // the table's single-column primary key; "" when it has none or several
  std::vector<FieldColumn> fields;  // every column except the primary key, in table order
  std::vector<ManyToMany> many_to_many;
  // The fields of its natural key, in order (a field that is a foreign key
  // stands for the related model's natural key, flattened); empty for none.
  std::vector<std::string> natural_key;

  const FieldColumn* Field(std::string_view name) const;  // by field name, then column name
  const ManyToMany* ManyToManyField(std::string_view name) const;
};

class ModelMap {
 public:
  // Maps every table of `schema` to a model (through tables to their
  // many-to-many field instead). `labels`: models the caller knows by name
  // (a fixture's); the tables Django's naming gives them get those labels,
  // which fixes the guess for app labels holding '_'. InvalidArgument for an
  // override naming no table of the schema.
  static Result<ModelMap> Build(const Schema& schema, const DjangoOptions& options,
                                const std::vector<std::string>& labels = {});

  // The model stored in the table `label` names ("app.model", any case);
  // nullptr when the schema has no such table.
  const Model* ForLabel(std::string_view label) const;
  // The model stored in `table`; nullptr for a through table.
  const Model* ForTable(const Table& table) const;
  // Whether `table` is the auto-created through table of a many-to-many field.
  const ManyToMany* ThroughFor(const Table& table) const;
  // Every model, in the schema's table order.
  const std::vector<Model>& models() const { return models_; }
  // The table Django's default naming gives `label` (for messages).
  static std::string DefaultTable(std::string_view label);

 private:
  std::vector<Model> models_;
  const Schema* schema_ = nullptr;
  DjangoOptions options_;
  std::map<std::string, size_t> by_label_;  // every label that names a model: its own, and how it was asked for
  std::map<const Table*, size_t> by_table_;
  std::map<const Table*, std::pair<size_t, size_t>> through_;  // -> (model, many_to_many index)
};

// The natural key Django itself defines for `label` (empty for none).
std::vector<std::string> BuiltinNaturalKey(std::string_view label);

}  // namespace decant::django
