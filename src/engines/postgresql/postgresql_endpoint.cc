#include "engines/postgresql/postgresql_endpoint.h"

namespace decant {

bool IsPostgresLocation(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<Source>> OpenPostgresSource(const std::string&, const EndpointOptions&) {
  return Status::InvalidArgument("PostgreSQL source: not built yet");
}
Result<std::unique_ptr<Sink>> OpenPostgresSink(const std::string&, const EndpointOptions&) {
  return Status::InvalidArgument("PostgreSQL sink: not built yet");
}
Result<std::unique_ptr<Server>> OpenPostgresServer(const std::string&) {
  return Status::InvalidArgument("PostgreSQL server: not built yet");
}

}  // namespace decant
