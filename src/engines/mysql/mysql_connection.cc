#include "engines/mysql/mysql_connection.h"

#include <errmsg.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/ascii.h"
#include "core/hex.h"
#include "core/redact.h"

namespace decant::mysql_internal {
namespace {

// Percent-decoding; false on a malformed escape.
bool Decode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    int hi = i + 1 < in.size() ? HexDigitValue(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? HexDigitValue(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string Encode(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      AppendHexByte(c, &out, HexCase::kUpper);
    }
  }
  return out;
}

// libmariadb's library init is not thread-safe; run it once.
void InitLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

const char* kKnownParams[] = {"defaults-file", "socket",  "connect-timeout", "ssl-mode", "ssl-ca",     "ssl-capath",
                              "ssl-cert",      "ssl-key", "ssl-cipher",      "ssl-crl",  "tls-version"};

enum class SslMode { kDefault, kDisabled, kPreferred, kRequired, kVerifyCa, kVerifyIdentity, kInvalid };

SslMode ParseSslMode(const ConnectParams& p) {
  auto it = p.params.find("ssl-mode");
  if (it == p.params.end()) return SslMode::kDefault;
  std::string m = AsciiLower(it->second);
  return m == "disabled"          ? SslMode::kDisabled
         : m == "preferred"       ? SslMode::kPreferred
         : m == "required"        ? SslMode::kRequired
         : m == "verify_ca"       ? SslMode::kVerifyCa
         : m == "verify_identity" ? SslMode::kVerifyIdentity
                                  : SslMode::kInvalid;
}

// The seconds a connection attempt may take: ?connect-timeout=N, else 10.
unsigned ConnectTimeout(const ConnectParams& p) {
  auto t = p.params.find("connect-timeout");
  return t == p.params.end() ? 10 : static_cast<unsigned>(std::atoi(t->second.c_str()));
}

// A one-line explanation of a failed login or connection, naming the setting
// that is most likely wrong. `seconds`: how long the attempt took.
Status ConnectError(MYSQL* mysql, const ConnectParams& p, double seconds) {
  unsigned err = mysql_errno(mysql);
  std::string server_msg = OneLine(mysql_error(mysql));
  std::string who = p.user.empty() ? std::string("the configured user") : "user '" + p.user + "'";
  switch (err) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR: {
      bool no_password = server_msg.find("using password: NO") != std::string::npos;
      return Status::Unavailable(p.shown + ": access denied for " + who + ": " +
                                 (no_password ? "no password was given (put it in the URI, MYSQL_PWD or an option file)"
                                              : "wrong password (or no such user for this host)"));
    }
    case ER_DBACCESS_DENIED_ERROR:
      return Status::Unavailable(p.shown + ": " + who + " may not use database '" + p.database + "'");
    case ER_BAD_DB_ERROR:  // as PostgreSQL's: a connection that failed (exit 6, docs/cli.md)
      return Status::Unavailable(p.shown + ": database '" + p.database + "' does not exist on " + p.Where());
    case CR_UNKNOWN_HOST:
      return Status::Unavailable(p.shown + ": unknown host '" + p.host + "' (the name does not resolve)");
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR: {
      std::string port = p.port ? std::to_string(p.port) : std::string("3306 (default)");
      // libmariadb connects without blocking and reports the EINPROGRESS
      // (115) of its connect() even when the host then refused at once, so a
      // 115 well within the timeout is a refusal; no answer takes it all.
      bool in_progress = server_msg.find("(115)") != std::string::npos;
      if (server_msg.find("(111)") != std::string::npos ||
          (in_progress && seconds < 0.5 * std::max(ConnectTimeout(p), 1u))) {
        return Status::Unavailable(p.shown + ": connection refused by " + p.host + " on port " + port +
                                   ": no MySQL server listens on that port (wrong port?)");
      }
      if (server_msg.find("(110)") != std::string::npos || server_msg.find("(115)") != std::string::npos ||
          server_msg.find("timed out") != std::string::npos) {
        return Status::Unavailable(p.shown + ": host " + p.host + " did not answer on port " + port +
                                   " (wrong host, or a firewall?)");
      }
      return Status::Unavailable(p.shown + ": cannot connect to " + p.Where() + ": " + server_msg);
    }
    default: {
      StatusCode code = CodeForError(err);
      return Status(code == StatusCode::kInternal ? StatusCode::kUnavailable : code,
                    p.shown + ": cannot connect: " + server_msg);
    }
  }
}

Status ApplyOptions(MYSQL* mysql, const ConnectParams& p) {
  auto param = [&](const char* key) -> const std::string* {
    auto it = p.params.find(key);
    return it == p.params.end() ? nullptr : &it->second;
  };
  unsigned timeout = ConnectTimeout(p);
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (const std::string* f = param("defaults-file")) mysql_optionsv(mysql, MYSQL_READ_DEFAULT_FILE, f->c_str());
  mysql_optionsv(mysql, MYSQL_READ_DEFAULT_GROUP, "client");
  mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned local_infile = 1;
  mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  struct {
    const char* key;
    mysql_option option;
  } static const kTls[] = {{"ssl-ca", MYSQL_OPT_SSL_CA},
                           {"ssl-capath", MYSQL_OPT_SSL_CAPATH},
                           {"ssl-cert", MYSQL_OPT_SSL_CERT},
                           {"ssl-key", MYSQL_OPT_SSL_KEY},
                           {"ssl-cipher", MYSQL_OPT_SSL_CIPHER},
                           {"ssl-crl", MYSQL_OPT_SSL_CRL},
                           {"tls-version", MARIADB_OPT_TLS_VERSION}};
  for (const auto& t : kTls) {
    if (const std::string* v = param(t.key)) mysql_optionsv(mysql, t.option, v->c_str());
  }
  // ssl-mode as the mysql client enforces it (docs/security.md). The library
  // verifies the chain whenever it has a CA (ssl-ca or ssl-capath) and the
  // host name with MYSQL_OPT_SSL_VERIFY_SERVER_CERT; that a connection is
  // encrypted at all is checked after connecting (CheckTls).
  my_bool on = 1, off = 0;
  switch (ParseSslMode(p)) {
    case SslMode::kDefault: break;
    case SslMode::kDisabled: mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &off); break;
    case SslMode::kPreferred: mysql_ssl_set(mysql, nullptr, nullptr, nullptr, nullptr, nullptr); break;
    case SslMode::kRequired:  // with a CA, the chain is verified too (as the mysql client does)
      mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
      mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
      break;
    case SslMode::kVerifyCa:
    case SslMode::kVerifyIdentity: {
      if (!param("ssl-ca") && !param("ssl-capath")) {
        return Status::InvalidArgument(p.shown + ": ssl-mode=" + AsciiUpper(p.params.at("ssl-mode")) +
                                       " needs the CA to verify against: give ssl-ca=FILE or ssl-capath=DIR");
      }
      my_bool host = ParseSslMode(p) == SslMode::kVerifyIdentity ? on : off;
      mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
      mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &host);
      break;
    }
    case SslMode::kInvalid:
      return Status::InvalidArgument(p.shown +
                                     ": ssl-mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or "
                                     "VERIFY_IDENTITY, not '" +
                                     p.params.at("ssl-mode") + "'");
  }
  return Status::OK();
}

// REQUIRED and stricter: a connection that is not encrypted is refused, as
// libpq's sslmode=require and the mysql client's --ssl-mode=REQUIRED refuse
// it (libmariadb falls back to plain text when the server offers no TLS).
Status CheckTls(MYSQL* mysql, const ConnectParams& p) {
  SslMode mode = ParseSslMode(p);
  if (mode != SslMode::kRequired && mode != SslMode::kVerifyCa && mode != SslMode::kVerifyIdentity) {
    return Status::OK();
  }
  if (mysql_get_ssl_cipher(mysql) != nullptr) return Status::OK();
  return Status::Unavailable(p.shown + ": ssl-mode=" + AsciiUpper(p.params.at("ssl-mode")) + " but " + p.Where() +
                             " did not encrypt the connection (the server offers no TLS)");
}

}  // namespace

std::string ConnectParams::Where() const {
  auto it = params.find("socket");
  if (it != params.end()) return "socket " + it->second;
  return host + ":" + (port ? std::to_string(port) : std::string("3306"));
}

Result<ConnectParams> ParseUri(const std::string& uri) {
  ConnectParams p;
  p.shown = RedactUri(uri);
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return Status::InvalidArgument(p.shown + ": not a mysql:// URI");
  p.scheme = uri.substr(0, scheme_end);
  if (p.scheme != "mysql" && p.scheme != "mariadb") {
    return Status::InvalidArgument(p.shown + ": not a mysql:// or mariadb:// URI");
  }
  std::string rest = uri.substr(scheme_end + 3);
  // The userinfo runs to the last '@' (as RedactUri reads it): a password may
  // hold '@', '/', '?' or '#' unencoded; an '@' in the path or query is %40.
  std::string userinfo;
  bool has_userinfo = false;
  if (size_t at = rest.rfind('@'); at != std::string::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    has_userinfo = true;
  }
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  std::string path;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    path = rest.substr(slash + 1);
    rest.resize(slash);
  }
  auto bad = [&](const std::string& why) { return Status::InvalidArgument(p.shown + ": " + why); };
  std::string hostport = rest;
  if (has_userinfo) {
    size_t colon = userinfo.find(':');
    if (!Decode(userinfo.substr(0, colon), &p.user)) return bad("malformed %-escape in the user name");
    if (colon != std::string::npos) {
      std::string pw;
      if (!Decode(userinfo.substr(colon + 1), &pw)) return bad("malformed %-escape in the password");
      p.password = std::move(pw);
    }
  }
  std::string port;
  if (!hostport.empty() && hostport[0] == '[') {  // [ipv6]:port
    size_t close = hostport.find(']');
    if (close == std::string::npos) return bad("unterminated [ in the host");
    p.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') return bad("unexpected text after ]");
      port = hostport.substr(close + 2);
    }
  } else if (size_t colon = hostport.rfind(':'); colon != std::string::npos) {
    p.host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  } else {
    p.host = hostport;
  }
  if (!port.empty()) {
    char* end = nullptr;
    long v = std::strtol(port.c_str(), &end, 10);
    if (*end != '\0' || v <= 0 || v > 65535) return bad("port '" + port + "' is not a number from 1 to 65535");
    p.port = static_cast<unsigned>(v);
  }
  if (p.host.empty()) p.host = "localhost";
  if (!Decode(path, &p.database)) return bad("malformed %-escape in the database name");
  if (p.database.find('/') != std::string::npos) return bad("the database name cannot hold '/'");
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string item = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key, value;
    if (!Decode(item.substr(0, eq), &key) || !Decode(eq == std::string::npos ? "" : item.substr(eq + 1), &value)) {
      return bad("malformed %-escape in the parameters");
    }
    for (char& c : key) {
      if (c == '_') c = '-';
    }
    bool known = false;
    for (const char* k : kKnownParams) known = known || key == k;
    if (!known) return bad("unknown parameter '" + key + "'");
    p.params[key] = value;
  }
  return p;
}

std::string UriFor(const ConnectParams& p, const std::string& database) {
  std::string out = p.scheme + "://";
  if (!p.user.empty() || p.password) {
    out += Encode(p.user);
    if (p.password) out.append(":").append(Encode(*p.password));
    out += "@";
  }
  out += p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  if (p.port) out.append(":").append(std::to_string(p.port));
  out.append("/").append(Encode(database));
  char sep = '?';
  for (const auto& [k, v] : p.params) {
    out.append(1, sep).append(k).append("=").append(Encode(v));
    sep = '&';
  }
  return out;
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

StatusCode CodeForError(unsigned error) {
  switch (error) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SSL_CONNECTION_ERROR:  // no TLS where ssl-mode requires it, or a certificate that does not verify
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_CON_COUNT_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_OUTOFMEMORY:
    case ER_OUT_OF_RESOURCES:
    case ER_BAD_DB_ERROR:
      return StatusCode::kUnavailable;  // the database is gone, as PostgreSQL's
    // A table missing on the server (dropped meanwhile) is a state of the
    // target, as PostgreSQL's undefined_table, not a missing local file.
    case ER_NO_SUCH_TABLE: return StatusCode::kFailedPrecondition;
    case ER_DATA_TOO_LONG:
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_CANT_CREATE_GEOMETRY_OBJECT: return StatusCode::kDataLoss;
    case ER_RECORD_FILE_FULL:
    case ER_DISK_FULL: return StatusCode::kNoSpace;
    default:
      // Constraint violations (duplicate key, foreign key, NOT NULL, CHECK)
      // and schema conflicts: the target is not in a state to take the data.
      return error >= 1000 ? StatusCode::kFailedPrecondition : StatusCode::kInternal;
  }
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectParams& params) {
  InitLibrary();
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return Status::Unavailable("out of memory creating a MySQL connection");
  Status st = ApplyOptions(mysql, params);
  if (!st.ok()) {
    mysql_close(mysql);
    return st;
  }
  // The URI's password wins; then MYSQL_PWD; then the option files (which
  // libmariadb reads only for what is passed as null here).
  const char* password = nullptr;
  if (params.password) {
    password = params.password->c_str();
  } else if (const char* env = std::getenv("MYSQL_PWD")) {
    password = env;
  }
  auto socket = params.params.find("socket");
  auto started = std::chrono::steady_clock::now();
  if (!mysql_real_connect(mysql, params.host.c_str(), params.user.empty() ? nullptr : params.user.c_str(), password,
                          params.database.empty() ? nullptr : params.database.c_str(), params.port,
                          socket == params.params.end() ? nullptr : socket->second.c_str(), CLIENT_LOCAL_FILES)) {
    Status err =
        ConnectError(mysql, params, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    mysql_close(mysql);
    return err;
  }
  if (Status tls = CheckTls(mysql, params); !tls.ok()) {
    mysql_close(mysql);
    return tls;
  }
  std::unique_ptr<Connection> conn(new Connection(mysql, params));
  // time_zone +00:00: TIMESTAMP values are read and written in UTC, exactly.
  DECANT_RETURN_IF_ERROR(conn->Exec("SET NAMES utf8mb4, time_zone = '+00:00'"));
  return conn;
}

Connection::~Connection() { mysql_close(mysql_); }

Status Connection::Error(const std::string& context) const {
  unsigned err = mysql_errno(mysql_);
  std::string msg = OneLine(mysql_error(mysql_));
  if (err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST)
    msg = "lost the connection to " + params_.Where() + ": " + msg;
  return Status(CodeForError(err), (context.empty() ? "" : context + ": ") + msg);
}

Status Connection::Exec(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("");
  // Drain every result (a statement may return one; multi-statements are off).
  do {
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (res)
      mysql_free_result(res);
    else if (mysql_field_count(mysql_) != 0)
      return Error("");
  } while (mysql_next_result(mysql_) == 0);
  return Status::OK();
}

Result<std::vector<Row>> Connection::Query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("");
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) return Error("");
    return std::vector<Row>{};
  }
  std::vector<Row> rows;
  unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    Row row(n);
    for (unsigned i = 0; i < n; ++i) {
      if (r[i]) row[i] = std::string(r[i], lengths[i]);
    }
    rows.push_back(std::move(row));
  }
  mysql_free_result(res);
  return rows;
}

Result<std::optional<std::string>> Connection::QueryValue(std::string_view sql) {
  DECANT_ASSIGN_OR_RETURN(std::vector<Row> rows, Query(sql));
  if (rows.empty() || rows[0].empty()) return std::optional<std::string>();
  return rows[0][0];
}

std::string Connection::Quote(std::string_view text) const {
  std::string out;
  AppendQuoted(text, &out);
  return out;
}

void Connection::AppendQuoted(std::string_view text, std::string* out) const {
  size_t at = out->size();
  out->resize(at + text.size() * 2 + 2);
  (*out)[at] = '\'';
  unsigned long n = mysql_real_escape_string(mysql_, out->data() + at + 1, text.data(), text.size());
  out->resize(at + 1 + n);
  out->push_back('\'');
}

}  // namespace decant::mysql_internal
