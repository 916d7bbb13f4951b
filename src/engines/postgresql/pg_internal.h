// Internal to engines/postgresql: the constructors behind postgresql_endpoint.h.
#pragma once

#include <memory>
#include <string>

#include "core/endpoint.h"

namespace decant::pg_internal {

Result<std::unique_ptr<Source>> OpenSource(const std::string& location, const EndpointOptions& options);
Result<std::unique_ptr<Sink>> OpenSink(const std::string& location, const EndpointOptions& options);
Result<std::unique_ptr<Server>> OpenServer(const std::string& location);

}  // namespace decant::pg_internal
