#include "formats/django/django_format.h"

namespace decant::django {

// Stub: implemented next on main.
Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& /*options*/,
                                           FileSystem* /*fs*/) {
  return Status::Internal("reading Django fixtures is not done yet: " + path);
}

}  // namespace decant::django
