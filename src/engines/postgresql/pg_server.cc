// PostgresServer: the databases of one server, for dump and restore.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/pg_internal.h"

namespace decant::pg_internal {
namespace {

class PostgresServer final : public Server {
 public:
  PostgresServer(std::unique_ptr<Connection> conn, ConnParams params)
      : conn_(std::move(conn)), params_(std::move(params)) {}

  Result<std::vector<std::string>> ListDatabases() override {
    DECANT_ASSIGN_OR_RETURN(QueryResult r, conn_->Query("SELECT datname FROM pg_catalog.pg_database WHERE "
                                                        "datallowconn AND NOT datistemplate ORDER BY datname"));
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.Get(i, 0));
    return out;
  }

  std::string DatabaseUri(const std::string& database) const override { return WithDatabase(params_, database); }

  Result<bool> CreateDatabase(const std::string& database, const Schema& like) override {
    DECANT_ASSIGN_OR_RETURN(
        std::string exists,
        conn_->QueryValue("SELECT count(*) FROM pg_catalog.pg_database WHERE datname = " + QuoteLiteral(database)));
    if (exists != "0") return false;
    std::string sql = "CREATE DATABASE " + QuoteIdent(database) + " TEMPLATE template0";
    auto opt = [&](const char* key) {
      auto it = like.options.find(key);
      return like.engine == "postgresql" && it != like.options.end() ? it->second : std::string();
    };
    std::string localized = sql;
    if (!opt("encoding").empty()) localized += " ENCODING " + QuoteLiteral(opt("encoding"));
    if (!opt("lc_collate").empty()) localized += " LC_COLLATE " + QuoteLiteral(opt("lc_collate"));
    if (!opt("lc_ctype").empty()) localized += " LC_CTYPE " + QuoteLiteral(opt("lc_ctype"));
    Status st = conn_->Exec(localized);
    if (!st.ok() && localized != sql) {
      // The source's locale may not exist on this machine: keep the server's default.
      spdlog::warn("database {}: {}; created with the server's default encoding and locale", database, st.message());
      st = conn_->Exec(sql);
    }
    if (!st.ok()) return st.WithContext("creating database " + database);
    return true;
  }

  std::string Describe() const override { return conn_->Describe(); }

 private:
  std::unique_ptr<Connection> conn_;
  ConnParams params_;
};

}  // namespace

Result<std::unique_ptr<Server>> OpenServer(const std::string& location) {
  DECANT_ASSIGN_OR_RETURN(ConnParams params, ParseLocation(location));
  bool has_db = false;
  for (const auto& k : params.keys) has_db = has_db || k == "dbname";
  std::string admin = has_db ? location : WithDatabase(params, "postgres");
  DECANT_ASSIGN_OR_RETURN(auto conn, Connection::Open(admin));
  return std::unique_ptr<Server>(new PostgresServer(std::move(conn), std::move(params)));
}

}  // namespace decant::pg_internal
