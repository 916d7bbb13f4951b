#include "formats/django/django_format.h"

namespace decant::django {

// Stub: implemented on the sink branch.
Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& /*options*/,
                                       FileSystem* /*fs*/) {
  return Status::Internal("writing Django fixtures is not done yet: " + path);
}

}  // namespace decant::django
