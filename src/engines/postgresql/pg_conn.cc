#include "engines/postgresql/pg_conn.h"

#include <fmt/format.h>

#include "core/redact.h"

namespace decant::pg_internal {
namespace {

std::string FirstLine(std::string text) {
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

// libpq connection errors read 'connection to server at "h" (1.2.3.4), port
// 5432 failed: FATAL:  password authentication failed for user "u"'. Keep the
// reason after the last "failed: " and drop the severity.
std::string ConnectReason(const std::string& message) {
  std::string line = FirstLine(message);
  size_t failed = line.rfind("failed: ");
  if (failed != std::string::npos && line.find("connection to server") != std::string::npos) {
    line = line.substr(failed + 8);
  }
  for (const char* severity : {"FATAL:  ", "ERROR:  "}) {
    if (line.starts_with(severity)) line = line.substr(std::string_view(severity).size());
  }
  return line;
}

// libpq's parse error with each quoted token that is not a keyword of
// `location` (a word followed by '=') shown as "****": libpq quotes the word
// it stumbled on, which may be a piece of a password.
std::string QuotedKeysOnly(const std::string& why, const std::string& location) {
  std::string out;
  size_t pos = 0;
  while (pos < why.size()) {
    size_t open = why.find('"', pos);
    size_t close = open == std::string::npos ? open : why.find('"', open + 1);
    if (close == std::string::npos) {
      out += why.substr(pos);
      break;
    }
    std::string token = why.substr(open + 1, close - open - 1);
    bool key = false;
    for (size_t at = location.find(token); !token.empty() && at != std::string::npos && !key;
         at = location.find(token, at + 1)) {
      size_t after = at + token.size();
      while (after < location.size() && location[after] == ' ') ++after;
      bool starts = at == 0 || location[at - 1] == ' ' || location[at - 1] == '?' || location[at - 1] == '&';
      key = starts && after < location.size() && location[after] == '=';
    }
    out += why.substr(pos, open - pos) + "\"" + (key || token == "=" ? token : "****") + "\"";
    pos = close + 1;
  }
  return out;
}

std::string Param(PGconn* c, char* (*get)(const PGconn*)) {
  const char* v = get(c);
  return v ? v : "";
}

}  // namespace

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteQualified(std::string_view schema, std::string_view name) {
  return schema.empty() ? QuoteIdent(name) : QuoteIdent(schema) + "." + QuoteIdent(name);
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

Result<ConnParams> ParseLocation(const std::string& location) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(location.c_str(), &err);
  if (!opts) {
    std::string why = err ? FirstLine(err) : "out of memory";
    if (err) PQfreemem(err);
    // libpq's reason may quote a token of the string: a piece of a password
    // given with a mistake ("password=my secret" -> missing "=" after "secret").
    return Status::InvalidArgument(RedactSecretsOf(
        "bad PostgreSQL connection string '" + RedactUri(location) + "': " + QuotedKeysOnly(why, location), location));
  }
  ConnParams p;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (o->val && *o->val) {
      p.keys.push_back(o->keyword);
      p.values.push_back(o->val);
    }
  }
  PQconninfoFree(opts);
  return p;
}

std::string WithDatabase(const ConnParams& params, const std::string& database) {
  std::string out;
  auto add = [&](const std::string& k, const std::string& v) {
    std::string quoted = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += "'";
    out += (out.empty() ? "" : " ") + k + "=" + quoted;
  };
  for (size_t i = 0; i < params.keys.size(); ++i) {
    if (params.keys[i] != "dbname") add(params.keys[i], params.values[i]);
  }
  add("dbname", database);
  return out;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& location) {
  DECANT_ASSIGN_OR_RETURN(ConnParams params, ParseLocation(location));
  std::vector<const char*> keys, values;
  for (size_t i = 0; i < params.keys.size(); ++i) {
    if (params.keys[i] == "application_name" || params.keys[i] == "client_encoding") continue;
    keys.push_back(params.keys[i].c_str());
    values.push_back(params.values[i].c_str());
  }
  keys.push_back("application_name");
  values.push_back("decant");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), 0);
  if (!c) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string host = Param(c, PQhost), port = Param(c, PQport), db = Param(c, PQdb), user = Param(c, PQuser);
    std::string reason = ConnectReason(PQerrorMessage(c));
    PQfinish(c);
    // Each known reason in decant's words instead of libpq's, which would
    // say it again; what libpq does not say twice stays as it is.
    std::string which = reason;
    if (reason.find("password authentication failed") != std::string::npos ||
        reason.find("no password supplied") != std::string::npos) {
      which = "wrong or missing password for user \"" + user + "\"";
    } else if (reason.find("does not exist") != std::string::npos && reason.find("database") != std::string::npos) {
      which = "database \"" + db + "\" does not exist";
    } else if (reason.find("could not translate host name") != std::string::npos) {
      size_t why = reason.find("to address: ");  // the resolver's word: not known, or a temporary failure
      which = "unknown host \"" + host + "\"" + (why == std::string::npos ? "" : " (" + reason.substr(why + 12) + ")");
    } else if (reason.find("Connection refused") != std::string::npos) {
      which = "nothing accepts connections on port " + port + " (connection refused)";
    } else if (reason.find("role") != std::string::npos && reason.find("does not exist") != std::string::npos) {
      which = "user \"" + user + "\" does not exist";
    }
    std::string where = fmt::format("{}:{}/{}", host, port, db);
    // libpq ends a URI's userinfo at its first '@': the rest of a password
    // holding one reads as the host, which its message names.
    return Status::Unavailable(
        RedactSecretsOf(fmt::format("cannot connect to PostgreSQL at {}: {}", where, which), location));
  }
  auto conn = std::unique_ptr<Connection>(new Connection(c));
  return conn;
}

Connection::Connection(PGconn* c) : conn_(c), server_version_(PQserverVersion(c)) {}

Connection::~Connection() { PQfinish(conn_); }

std::string Connection::server_version() const {
  int v = server_version_;
  return fmt::format("{}.{}", v / 10000, v % 10000);
}

std::string Connection::Describe() const {
  return fmt::format("postgresql {}:{}/{}", Param(conn_, PQhost), Param(conn_, PQport), Param(conn_, PQdb));
}

Status Connection::Error(const std::string& what, PGresult* result) const {
  std::string msg = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  std::string line = ConnectReason(msg);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string text = what.empty() ? line : what + ": " + line;
  if (PQstatus(conn_) != CONNECTION_OK) return Status::Unavailable(text + " (connection lost)");
  // Class 23: integrity constraint violation; 22: data exception.
  if (sqlstate.starts_with("23")) return Status::FailedPrecondition(text);
  if (sqlstate.starts_with("22")) return Status::DataLoss(text);
  if (sqlstate == "53100") return Status::NoSpace(text);
  if (sqlstate == "57014") return Status::Cancelled(text);
  return Status::FailedPrecondition(text);
}

Status Connection::Exec(const std::string& sql, std::string* sqlstate) {
  PGresult* r = PQexec(conn_, sql.c_str());
  QueryResult holder(r);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    if (sqlstate) {
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      *sqlstate = state ? state : "";
    }
    return Error("", r);
  }
  return Status::OK();
}

Result<QueryResult> Connection::Query(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    Status st = Error("", r);
    PQclear(r);
    return st;
  }
  return QueryResult(r);
}

Result<std::string> Connection::QueryValue(const std::string& sql) {
  DECANT_ASSIGN_OR_RETURN(QueryResult r, Query(sql));
  if (r.rows() < 1 || r.columns() < 1) return Status::Internal("query returned no value: " + sql.substr(0, 60));
  return r.Get(0, 0);
}

Status PrepareSession(Connection* conn) {
  DECANT_ASSIGN_OR_RETURN(std::string encoding, conn->QueryValue("SHOW server_encoding"));
  return conn->Exec(
      fmt::format("SET client_encoding = '{}'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
                  "SET TimeZone = 'UTC'; SET extra_float_digits = 3; SET bytea_output = 'hex'; "
                  "SET standard_conforming_strings = on; SET statement_timeout = 0; SET lock_timeout = 0; "
                  "SET idle_in_transaction_session_timeout = 0; SET check_function_bodies = false; "
                  "SET client_min_messages = warning; SET xmloption = content; SET row_security = off; "
                  "SELECT pg_catalog.set_config('search_path', '', false)",
                  encoding == "SQL_ASCII" ? "SQL_ASCII" : "UTF8"));
}

}  // namespace decant::pg_internal
