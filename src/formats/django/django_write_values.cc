#include "formats/django/django_values.h"

namespace decant::django {

// Writing: column values into a fixture's JSON. Stubs: implemented on the sink branch.
void AppendFixtureValue(const Value& /*v*/, const ColumnForm& /*form*/, bool /*ascii*/, std::string* out) {
  *out += "null";
}

void AppendJsonString(std::string_view s, bool /*ascii*/, std::string* out) { *out += nlohmann::json(s).dump(); }

}  // namespace decant::django
