// MysqlServer: the databases of one server, for dump and restore.
#include <algorithm>

#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_endpoint.h"

namespace decant {
namespace {

using mysql_internal::Connection;
using mysql_internal::QuoteIdent;

bool IsSystemDatabase(const std::string& name) {
  return name == "information_schema" || name == "performance_schema" || name == "mysql" || name == "sys";
}

// Charset and collation names go into DDL unquoted: letters, digits and '_' only.
bool IsPlainName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

class MysqlServer : public Server {
 public:
  explicit MysqlServer(mysql_internal::ConnectParams params) : params_(std::move(params)) {}

  Result<std::vector<std::string>> ListDatabases() override {
    DECANT_ASSIGN_OR_RETURN(auto conn, Connect());
    DECANT_ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"));
    std::vector<std::string> out;
    for (const auto& r : rows) {
      if (r[0] && !IsSystemDatabase(*r[0])) out.push_back(*r[0]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string DatabaseUri(const std::string& database) const override {
    return mysql_internal::UriFor(params_, database);
  }

  Result<bool> CreateDatabase(const std::string& database, const Schema& like) override {
    DECANT_ASSIGN_OR_RETURN(auto conn, Connect());
    DECANT_ASSIGN_OR_RETURN(auto found, conn->QueryValue("SELECT COUNT(*) FROM information_schema.SCHEMATA "
                                                         "WHERE SCHEMA_NAME = " +
                                                         conn->Quote(database)));
    if (found && *found != "0") return false;
    std::string sql = "CREATE DATABASE " + QuoteIdent(database);
    if (like.engine == "mysql") {
      auto cs = like.options.find("charset");
      auto co = like.options.find("collation");
      if (cs != like.options.end() && IsPlainName(cs->second)) sql += " CHARACTER SET " + cs->second;
      if (co != like.options.end() && IsPlainName(co->second)) sql += " COLLATE " + co->second;
    } else {
      sql += " CHARACTER SET utf8mb4";
    }
    DECANT_RETURN_IF_ERROR(conn->Exec(sql).WithContext("creating database " + database));
    return true;
  }

  std::string Describe() const override { return params_.shown; }

 private:
  Result<std::unique_ptr<Connection>> Connect() const {
    mysql_internal::ConnectParams p = params_;
    p.database.clear();
    return Connection::Open(p);
  }

  mysql_internal::ConnectParams params_;
};

}  // namespace

Result<std::unique_ptr<Server>> OpenMysqlServer(const std::string& uri) {
  DECANT_ASSIGN_OR_RETURN(auto params, mysql_internal::ParseUri(uri));
  return std::unique_ptr<Server>(new MysqlServer(std::move(params)));
}

}  // namespace decant
