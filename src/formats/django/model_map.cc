#include "formats/django/model_map.h"

namespace decant::django {

// Stub: implemented next on main.
Result<ModelMap> ModelMap::Build(const Schema& /*schema*/, const DjangoOptions& /*options*/) { return ModelMap(); }
const Model* ModelMap::ForLabel(std::string_view /*label*/) const { return nullptr; }
const Model* ModelMap::ForTable(const Table& /*table*/) const { return nullptr; }
const ManyToMany* ModelMap::ThroughFor(const Table& /*table*/) const { return nullptr; }
std::string ModelMap::DefaultTable(std::string_view label) { return std::string(label); }
const FieldColumn* Model::Field(std::string_view /*name*/) const { return nullptr; }
const ManyToMany* Model::ManyToManyField(std::string_view /*name*/) const { return nullptr; }
std::vector<std::string> BuiltinNaturalKey(std::string_view /*label*/) { return {}; }

}  // namespace decant::django
