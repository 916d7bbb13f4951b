#include "formats/django/django_values.h"

namespace decant::django {

// Reading: a fixture's JSON values into column values. Stubs: implemented on the values branch.
ColumnForm FormOf(const Table& table, size_t column) { return ColumnForm{table.columns[column].type, false, ""}; }

std::string FixtureValue(const nlohmann::json& /*v*/, const ColumnForm& /*form*/, Value* out) {
  out->SetNull();
  return "not implemented";
}

}  // namespace decant::django
