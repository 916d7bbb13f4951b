// Cross-engine migrations as a user runs them: the decant binary between
// SQLite, PostgreSQL (DECANT_TEST_PG15_URI) and MySQL/MariaDB
// (DECANT_TEST_MYSQL_URI + DECANT_TEST_MYSQL_DEFAULTS_FILE).
//
//  - Chinook through every engine and back, verify at every hop.
//  - One table per engine holding every logical type it has: for each of the
//    six directions, `plan` reports exactly the lossy columns type_mapping.cc
//    documents, `migrate` converts values only in those, and an ordinary row
//    arrives exact.
//  - --strict refuses a value that needs rounding and leaves the target empty.
//  - plan writes nothing.
//
// Source databases are made natively (sqlite3 library, psql, the mariadb
// client), not through decant. Each test makes its own scratch databases and
// drops them after. Passwords come from PGPASSFILE and the MySQL defaults file
// and are never printed.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "core/endpoint.h"
#include "core/schema.h"
#include "pipeline/endpoints.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using testing_util::ShellQuote;

using ::testing::HasSubstr;
using testing_util::RunDecantBinary;
using testing_util::RunResult;
using testing_util::SqliteExec;
using testing_util::TempDir;

using Shell = testing_util::ShellResult;
using testing_util::RunShell;

// ---- the servers: a fresh database each (tests/test_util.h) ---------------

class PgDb : public testing_util::PgTestDb {
 public:
  using PgTestDb::PgTestDb;
  // Tables, views and sequences in the user schemas.
  std::string Objects() const {
    return Sql(
        "SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY 1) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v','m','S','p') "
        "AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'");
  }
};

class MyDb : public testing_util::MariadbTestDb {
 public:
  using MariadbTestDb::MariadbTestDb;
  std::string Objects() const {
    return Sql(
        "SELECT COALESCE(GROUP_CONCAT(table_name ORDER BY table_name), '') FROM information_schema.tables "
        "WHERE table_schema = '" +
        name() + "'");
  }
};

// ---- reading back through the library ----------------------------------------

Schema ReadSchemaOf(const std::string& location) {
  auto source = OpenSource(location);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return {};
  auto schema = (*source)->ReadSchema();
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return schema.ok() ? *schema : Schema{};
}

struct TableRows {
  std::vector<std::string> columns;
  std::vector<DataType> types;
  std::vector<std::vector<Value>> rows;
};

// Every row of the table named `name` (any schema), in read order.
TableRows ReadTable(const std::string& location, const std::string& name) {
  TableRows out;
  auto source = OpenSource(location);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return out;
  auto schema = (*source)->ReadSchema();
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return out;
  const Table* table = nullptr;
  for (const Table& t : schema->tables) {
    if (t.name == name) table = &t;
  }
  EXPECT_NE(table, nullptr) << "no table " << name << " in " << location;
  if (!table) return out;
  for (size_t c : DataColumns(*table)) {
    out.columns.push_back(table->columns[c].name);
    out.types.push_back(table->columns[c].type);
  }
  auto reader = (*source)->OpenTable(*table);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out.rows.emplace_back(batch.row(r), batch.row(r) + batch.num_columns());
    }
  }
  Status finished = (*source)->Finish();
  EXPECT_TRUE(finished.ok()) << finished.ToString();
  return out;
}

// A value in a form that does not depend on the engine's representation, so
// that the *value* of an ordinary row can be compared across engines: numbers
// as normalized decimals, booleans as 0/1, timestamps without 'T' or a zero
// UTC offset, JSON without spaces, bytes as hex, a bit string as its digits.
std::string NormalizeNumber(const std::string& s) {
  // [-]digits[.digits][e[+-]digits] -> minimal decimal text; else "".
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  std::string digits;
  long point = -1;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])))
      digits.push_back(s[i]);
    else if (s[i] == '.' && point < 0)
      point = static_cast<long>(digits.size());
    else
      break;
  }
  if (digits.empty()) return "";
  long exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    try {
      size_t used = 0;
      exp = std::stol(s.substr(i + 1), &used);
      i += 1 + used;
    } catch (...) {
      return "";
    }
  }
  if (i != s.size()) return "";
  long int_len = (point < 0 ? static_cast<long>(digits.size()) : point) + exp;
  std::string integer, fraction;
  if (int_len <= 0) {
    fraction = std::string(static_cast<size_t>(-int_len), '0') + digits;
  } else if (static_cast<size_t>(int_len) >= digits.size()) {
    integer = digits + std::string(static_cast<size_t>(int_len) - digits.size(), '0');
  } else {
    integer = digits.substr(0, static_cast<size_t>(int_len));
    fraction = digits.substr(static_cast<size_t>(int_len));
  }
  integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size()));
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  std::string out = (integer.empty() ? "0" : integer) + (fraction.empty() ? "" : "." + fraction);
  return (neg && out != "0" ? "-" : "") + out;
}

std::string Normalized(const Value& v, const DataType& type) {
  std::string s;
  switch (v.kind()) {
    case Value::Kind::kNull: return "NULL";
    case Value::Kind::kBool: s = v.as_bool() ? "1" : "0"; break;
    case Value::Kind::kInt: s = std::to_string(v.as_int()); break;
    case Value::Kind::kUInt: s = std::to_string(v.as_uint()); break;
    case Value::Kind::kFloat: s = NormalizeNumber(fmt::format("{}", v.as_float())); break;
    case Value::Kind::kBytes: {
      for (unsigned char c : v.as_string()) s += fmt::format("{:02x}", c);
      return "x" + s;
    }
    case Value::Kind::kText: s = v.as_string(); break;
  }
  if (type.logical == LogicalType::kBitString && (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kUInt)) {
    uint64_t u = v.kind() == Value::Kind::kInt ? static_cast<uint64_t>(v.as_int()) : v.as_uint();
    int n = type.length > 0 ? type.length : 8;
    std::string bits;
    for (int i = n - 1; i >= 0; --i) bits.push_back((u >> i) & 1 ? '1' : '0');
    return bits;
  }
  if (v.kind() == Value::Kind::kText) {
    if (std::string n = NormalizeNumber(s); !n.empty()) return n;
    if (s == "t" || s == "true") return "1";
    if (s == "f" || s == "false") return "0";
    if (!s.empty() && (s[0] == '{' || s[0] == '[')) s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    if (s.size() >= 19 && s[4] == '-' && s[10] == 'T') s[10] = ' ';
    for (const char* utc : {"+00:00", "+00", "Z"}) {
      std::string z = utc;
      if (s.size() > 19 && s.size() >= z.size() && s.compare(s.size() - z.size(), z.size(), z) == 0) {
        s.resize(s.size() - z.size());
        break;
      }
    }
    // Fractional seconds without trailing zeros ("13:45:10.000000" -> "13:45:10").
    size_t colon = s.rfind(':'), point = s.rfind('.');
    if (colon != std::string::npos && point != std::string::npos && point > colon &&
        s.find_first_not_of("0123456789", point + 1) == std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
  }
  return s;
}

// ---- output parsing -----------------------------------------------------------

// "table.column" of every column `decant plan` reports as lossy, for tables
// whose unqualified name is `table`.
std::set<std::string> LossyInPlan(const std::string& plan_text, const std::string& table,
                                  bool every_value_only = false) {
  std::set<std::string> out;
  std::istringstream in(plan_text);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.rfind("table ", 0) == 0) {
      current = line.substr(6);
      current = current.substr(0, current.find(' '));
      if (size_t dot = current.rfind('.'); dot != std::string::npos) current = current.substr(dot + 1);
      continue;
    }
    if (line.rfind("  ", 0) != 0 || line.rfind("   ", 0) == 0 || current != table) continue;
    size_t colon = line.find(": ");
    size_t last = line.rfind(": ");
    if (colon == std::string::npos) continue;
    std::string column = line.substr(2, colon - 2);
    std::string loss = line.substr(last + 2);
    bool lossy = every_value_only ? loss == "lossy for every value"
                                  : (loss == "lossy for some values" || loss == "lossy for every value");
    if (lossy) out.insert(column);
  }
  return out;
}

// Columns named in the summary's "converted N values ..." block, for tables
// whose unqualified name is `table` (all tables when empty).
std::set<std::string> ConvertedInSummary(const std::string& err, const std::string& table) {
  std::set<std::string> out;
  std::istringstream in(err);
  std::string line;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (line.rfind("converted ", 0) == 0) {
      in_block = true;
      continue;
    }
    if (!in_block) continue;
    if (line.rfind("  ", 0) != 0) {
      in_block = false;
      continue;
    }
    std::string qualified = line.substr(2, line.find(": ") - 2);
    size_t dot = qualified.rfind('.');
    std::string t = dot == std::string::npos ? "" : qualified.substr(0, dot);
    if (size_t d = t.rfind('.'); d != std::string::npos) t = t.substr(d + 1);
    if (table.empty() || t == table) out.insert(qualified.substr(dot + 1));
  }
  return out;
}

// The verdict `decant verify` prints for one table ("equal" or "DIFFERENT: ...").
std::string VerifyVerdict(const std::string& out, const std::string& table) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    if (size_t dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
    if (name != table) continue;
    if (size_t d = line.find("DIFFERENT"); d != std::string::npos) return line.substr(d);
    if (line.find("equal") != std::string::npos) return "equal";
  }
  return "(not in the report)";
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return "{" + out + "}";
}

// =============================================================================
// 1. Chinook: SQLite -> PostgreSQL -> MySQL -> SQLite
// =============================================================================

struct KeyFacts {
  std::set<std::string> tables;
  std::map<std::string, std::string> primary_keys;       // table -> "a,b"
  std::map<std::string, std::set<std::string>> foreign;  // table -> {"cols->ref(refcols)"}
  std::set<std::string> index_names;
};

KeyFacts FactsOf(const Schema& s) {
  KeyFacts f;
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
    return out;
  };
  for (const Table& t : s.tables) {
    f.tables.insert(t.name);
    f.primary_keys[t.name] = t.primary_key ? join(t.primary_key->columns) : "(none)";
    for (const ForeignKey& fk : t.foreign_keys) {
      std::vector<std::string> ref = fk.ref_columns;
      if (ref.empty()) {
        for (const Table& r : s.tables) {
          if (r.name == fk.ref_table && r.primary_key) ref = r.primary_key->columns;
        }
      }
      f.foreign[t.name].insert(join(fk.columns) + "->" + fk.ref_table + "(" + join(ref) + ")");
    }
  }
  for (const Index& x : s.indexes) f.index_names.insert(x.name);
  return f;
}

RunResult Decant(const std::vector<std::string>& args) { return RunDecantBinary(args); }

void ExpectVerifyEqual(const std::string& a, const std::string& b, const std::string& hop) {
  RunResult r = Decant({"verify", a, b});
  EXPECT_EQ(r.exit_code, 0) << "verify " << hop << ":\n" << r.out << r.err;
}

TEST(CrossEngineTest, ChinookThroughEveryEngineAndBack) {
  std::string shared = testing_util::SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared/samples is absent";
  std::string original = shared + "/samples/chinook/Chinook_Sqlite.sqlite";
  if (!std::filesystem::exists(original)) GTEST_SKIP() << original << " is absent";
  REQUIRE_PG();
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string src = "sqlite://" + tmp.File("chinook.db");
  std::filesystem::copy_file(original, tmp.File("chinook.db"));
  std::string final_db = "sqlite://" + tmp.File("final.db");
  PgDb pg("chinook");
  MyDb my("chinook");

  RunResult r = Decant({"--progress", "none", "migrate", src, pg.uri()});
  ASSERT_EQ(r.exit_code, 0) << "sqlite -> postgresql: " << r.err;
  ExpectVerifyEqual(src, pg.uri(), "sqlite -> postgresql");

  r = Decant({"--progress", "none", "migrate", pg.uri(), my.uri()});
  ASSERT_EQ(r.exit_code, 0) << "postgresql -> mysql: " << r.err;
  ExpectVerifyEqual(pg.uri(), my.uri(), "postgresql -> mysql");

  r = Decant({"--progress", "none", "migrate", my.uri(), final_db});
  ASSERT_EQ(r.exit_code, 0) << "mysql -> sqlite: " << r.err;
  ExpectVerifyEqual(my.uri(), final_db, "mysql -> sqlite");
  ExpectVerifyEqual(src, final_db, "original sqlite -> final sqlite");

  KeyFacts before = FactsOf(ReadSchemaOf(src));
  KeyFacts after = FactsOf(ReadSchemaOf(final_db));
  EXPECT_EQ(before.tables.size(), 11u);
  EXPECT_EQ(after.tables, before.tables);
  EXPECT_EQ(after.primary_keys, before.primary_keys);
  EXPECT_EQ(after.foreign, before.foreign);
  EXPECT_EQ(after.index_names, before.index_names) << "index names after SQLite -> PostgreSQL -> MySQL -> SQLite";

  // Auto-increment carried: a row inserted without an id gets max + 1.
  // (Chinook's keys are INTEGER PRIMARY KEY: rowid aliases, which SQLite numbers max + 1.)
  std::string pg_max = pg.Sql("SELECT max(\"ArtistId\") FROM \"Artist\"");
  std::string pg_new = pg.Sql("INSERT INTO \"Artist\"(\"Name\") VALUES ('decant pg') RETURNING \"ArtistId\"");
  EXPECT_EQ(pg_new, std::to_string(std::atoll(pg_max.c_str()) + 1)) << "PostgreSQL Artist: max was " << pg_max;
  std::string pg_inv_max = pg.Sql("SELECT max(\"InvoiceId\") FROM \"Invoice\"");
  std::string pg_inv = pg.Sql(
      "INSERT INTO \"Invoice\"(\"CustomerId\", \"InvoiceDate\", \"Total\") VALUES (1, '2020-01-01', 1) "
      "RETURNING \"InvoiceId\"");
  EXPECT_EQ(pg_inv, std::to_string(std::atoll(pg_inv_max.c_str()) + 1)) << "PostgreSQL Invoice: max was " << pg_inv_max;

  std::string my_max = my.Sql("SELECT max(ArtistId) FROM Artist");
  std::string my_new = my.Sql("INSERT INTO Artist(Name) VALUES ('decant my'); SELECT LAST_INSERT_ID();");
  EXPECT_EQ(my_new, std::to_string(std::atoll(my_max.c_str()) + 1)) << "MySQL Artist: max was " << my_max;
  std::string my_inv_max = my.Sql("SELECT max(InvoiceId) FROM Invoice");
  std::string my_inv = my.Sql(
      "INSERT INTO Invoice(CustomerId, InvoiceDate, Total) VALUES (1, '2020-01-01', 1); SELECT LAST_INSERT_ID();");
  EXPECT_EQ(my_inv, std::to_string(std::atoll(my_inv_max.c_str()) + 1)) << "MySQL Invoice: max was " << my_inv_max;
}

// =============================================================================
// 2. Every logical type, six directions
// =============================================================================

// Each engine's table: an ordinary row (id 1) and edge rows. every_type_ordinary
// holds only the ordinary row, so `verify` can judge it alone.
const char* kSqliteColumns =
    "id INTEGER PRIMARY KEY, c_bool BOOLEAN, c_int64 INTEGER, c_float64 REAL, c_dec NUMERIC(10,2), "
    "c_numeric NUMERIC, c_text TEXT, c_varchar VARCHAR(20), c_bytes BLOB, c_date DATE, c_ts DATETIME, c_any";
const char* kSqliteOrdinary =
    "(1, 1, 42, 2.25, 12.34, 123.456, 'hello', 'short', x'00ff10', '2024-02-29', '2024-02-29 13:45:10', 'plain')";
const char* kSqliteEdges =
    "(2, 0, -9223372036854775808, 1e999, 99999999.99, 1e30, '', '', x'', '0001-01-01', "
    "  '9999-12-31 23:59:59.999999', 7),"
    "(3, 1, 9223372036854775807, -1e999, -0.01, '-0.5', '😀🎉', '😀', x'00', '2000-01-01', "
    "  '2000-01-01 00:00:00', 2.5),"
    "(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, x'cafe'),"
    "(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

const char* kPgSetup = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');";
const char* kPgColumns =
    "id integer PRIMARY KEY, c_bool boolean, c_int16 smallint, c_int32 integer, c_int64 bigint, c_float32 real, "
    "c_float64 double precision, c_dec numeric(10,2), c_numeric numeric, c_text text, c_varchar varchar(20), "
    "c_bytes bytea, c_date date, c_time time, c_ts timestamp, c_tstz timestamptz, c_interval interval, c_uuid uuid, "
    "c_json json, c_enum mood, c_array int[], c_bits bit(8)";
const char* kPgOrdinary =
    "(1, true, 12, 123456, 1234567890123, 1.5, 2.25, 12.34, 123.456, 'hello', 'short', '\\x00ff10', '2024-02-29', "
    "'13:45:10', '2024-02-29 13:45:10', '2024-02-29 13:45:10+00', '1 day 02:03:04', "
    "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', 'happy', '{1,2,3}', B'10100101')";
const char* kPgEdges =
    "(2, false, -32768, -2147483648, -9223372036854775808, 'NaN', 'Infinity', -99999999.99, 'NaN', '', '', "
    "  '\\x', '0044-03-15 BC', '24:00:00', 'infinity', '-infinity', '-1 years', "
    "  '00000000-0000-0000-0000-000000000000', '[]', 'sad', '{}', B'00000000'),"
    "(3, true, 32767, 2147483647, 9223372036854775807, '-Infinity', '-Infinity', 0.01, 1e30, '😀🎉', '😀', "
    "  '\\x00', 'infinity', '00:00:00.123456', '-infinity', 'infinity', '1 mon -2 days', "
    "  'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', 'ok', '{NULL,-1}', B'11111111'),"
    "(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "  NULL, NULL, NULL)";

const char* kMyColumns =
    "id INT PRIMARY KEY, c_bool BOOLEAN, c_int16 SMALLINT, c_int32 INT, c_int64 BIGINT, c_uint64 BIGINT UNSIGNED, "
    "c_float32 FLOAT, c_float64 DOUBLE, c_dec DECIMAL(10,2), c_text TEXT, c_varchar VARCHAR(20), c_bytes BLOB, "
    "c_date DATE, c_time TIME, c_ts DATETIME(6), c_tstz TIMESTAMP(6) NULL DEFAULT NULL, c_uuid UUID, c_json JSON, "
    "c_enum ENUM('sad','ok','happy'), c_bits BIT(8)";
const char* kMyOrdinary =
    "(1, 1, 12, 123456, 1234567890123, 1234567890123, 1.5, 2.25, 12.34, 'hello', 'short', x'00ff10', '2024-02-29', "
    "'13:45:10', '2024-02-29 13:45:10', '2024-02-29 13:45:10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
    "'{\"a\": [1, 2]}', 'happy', b'10100101')";
const char* kMyEdges =
    "(2, 0, -32768, -2147483648, -9223372036854775808, 18446744073709551615, -3.4e38, 1e308, -99999999.99, '', '', "
    "  x'', '1000-01-01', '838:59:59', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', "
    "  '00000000-0000-0000-0000-000000000000', '[]', 'sad', b'0'),"
    "(3, 1, 32767, 2147483647, 9223372036854775807, 0, 3.4e38, -1e308, 0.01, '😀🎉', '😀', x'00', '0000-00-00', "
    "  '-12:00:00', '0000-00-00 00:00:00', '2038-01-19 03:14:07.999999', 'ffffffff-ffff-ffff-ffff-ffffffffffff', "
    "  'null', 'ok', b'11111111'),"
    "(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "  NULL)";

// A database of one engine, made for one test: a SQLite file, or a scratch
// PostgreSQL / MySQL database.
class Endpoint {
 public:
  Endpoint(const std::string& engine, const std::string& tag, const TempDir& tmp) : engine_(engine) {
    if (engine == "sqlite") {
      path_ = tmp.File(tag + ".db");
    } else if (engine == "postgresql") {
      pg_ = std::make_unique<PgDb>(tag);
    } else {
      my_ = std::make_unique<MyDb>(tag);
    }
  }
  std::string uri() const {
    return engine_ == "sqlite" ? "sqlite://" + path_ : engine_ == "postgresql" ? pg_->uri() : my_->uri();
  }
  // What the target holds: tables (and for servers views and sequences); "" when empty.
  std::string Objects() const {
    if (engine_ == "postgresql") return pg_->Objects();
    if (engine_ == "mysql") return my_->Objects();
    if (!std::filesystem::exists(path_)) return "";
    return testing_util::SqliteSchemaDump(path_);
  }
  void Fill() {
    if (engine_ == "sqlite") {
      SqliteExec(path_,
                 fmt::format("CREATE TABLE every_type ({0}); CREATE TABLE every_type_ordinary ({0});"
                             "INSERT INTO every_type VALUES {1}, {2}; INSERT INTO every_type_ordinary VALUES {1};",
                             kSqliteColumns, kSqliteOrdinary, kSqliteEdges));
    } else if (engine_ == "postgresql") {
      pg_->Sql(
          fmt::format("{0} CREATE TABLE every_type ({1}); CREATE TABLE every_type_ordinary ({1});"
                      "INSERT INTO every_type VALUES {2}, {3}; INSERT INTO every_type_ordinary VALUES {2};",
                      kPgSetup, kPgColumns, kPgOrdinary, kPgEdges));
    } else {
      my_->Sql(
          fmt::format("SET sql_mode = 'STRICT_TRANS_TABLES'; "
                      "CREATE TABLE every_type ({0}) CHARACTER SET utf8mb4; "
                      "CREATE TABLE every_type_ordinary ({0}) CHARACTER SET utf8mb4; "
                      "INSERT INTO every_type VALUES {1}, {2}; INSERT INTO every_type_ordinary VALUES {1};",
                      kMyColumns, kMyOrdinary, kMyEdges));
    }
  }

 private:
  std::string engine_;
  std::string path_;
  std::unique_ptr<PgDb> pg_;
  std::unique_ptr<MyDb> my_;
};

struct Direction {
  std::string source, target;
  // Columns `plan` must call lossy, each with the rule in type_mapping.cc that makes it so.
  std::set<std::string> lossy;
  std::set<std::string> lossy_every_value;
};

// The expected plans, derived from src/mapping/type_mapping.cc:
//
// SQLite source (AddSourceRisks): SQLite does not enforce column types, so
// every typed column that is not TEXT/BLOB/untyped is "lossy for some values"
// on PostgreSQL and MySQL -- the INTEGER PRIMARY KEY included.
//
// sqlite -> postgresql: id, c_bool, c_int64, c_float64, c_date (types not enforced);
//   c_dec (not enforced + "values with more than 2 decimal places are rounded");
//   c_numeric (not enforced); c_ts (not enforced + fractions beyond 6 digits cut);
//   c_text, c_varchar ("NUL characters are removed and invalid UTF-8 replaced";
//   c_varchar also "SQLite does not enforce lengths"); c_any ("integers, reals
//   and blobs are stored as their text"). c_bytes -> bytea is exact.
// sqlite -> mysql: the same typed columns (types not enforced); c_float64 also
//   "NaN and infinities become NULL"; c_numeric also DECIMAL(65,30) digits;
//   c_text, c_varchar "invalid UTF-8 is replaced" (+ lengths); c_ts fractions;
//   c_any stored as text. c_bytes -> LONGBLOB is exact.
// postgresql -> sqlite: c_float32, c_float64 ("NaN becomes NULL"); c_dec,
//   c_numeric ("more than 15 significant digits: SQLite rounds the value to a
//   REAL"). Everything else is INTEGER/TEXT/BLOB/DATE/DATETIME or its text: exact.
// postgresql -> mysql: c_float32, c_float64 ("NaN and infinities become NULL");
//   c_dec ("NaN and infinities become NULL"); c_numeric (DECIMAL(65,30) + NaN);
//   c_date, c_ts ("BC dates, years above 9999 and infinities become NULL");
//   c_tstz ("the time zone is dropped: stored as UTC", lossy for every value, + BC).
//   interval, array -> LONGTEXT, uuid -> CHAR(36), enum -> ENUM, bit(8) -> BIT(8): exact.
// mysql -> sqlite: c_uint64 ("values above 9223372036854775807 become REAL");
//   c_float32, c_float64 ("NaN becomes NULL"); c_dec (15 significant digits).
//   BOOLEAN is TINYINT(1), an int16: exact.
// mysql -> postgresql: c_text, c_varchar, c_enum (enum -> text: "NUL characters
//   are removed and invalid UTF-8 replaced"); c_date, c_ts, c_tstz ("MySQL zero
//   dates (0000-00-00) become NULL"); c_time ("times outside 00:00:00 to 24:00:00
//   become NULL"). BIGINT UNSIGNED -> numeric(20,0), BIT(8) -> bit varying(8),
//   UUID -> uuid, JSON -> json: exact.
const std::vector<Direction>& Directions() {
  static const std::vector<Direction> kDirections = {
      {"sqlite",
       "postgresql",
       {"id", "c_bool", "c_int64", "c_float64", "c_dec", "c_numeric", "c_text", "c_varchar", "c_date", "c_ts", "c_any"},
       {}},
      {"sqlite",
       "mysql",
       {"id", "c_bool", "c_int64", "c_float64", "c_dec", "c_numeric", "c_text", "c_varchar", "c_date", "c_ts", "c_any"},
       {}},
      {"postgresql", "sqlite", {"c_float32", "c_float64", "c_dec", "c_numeric"}, {}},
      {"postgresql", "mysql", {"c_float32", "c_float64", "c_dec", "c_numeric", "c_date", "c_ts", "c_tstz"}, {"c_tstz"}},
      {"mysql", "sqlite", {"c_uint64", "c_float32", "c_float64", "c_dec"}, {}},
      {"mysql", "postgresql", {"c_text", "c_varchar", "c_enum", "c_date", "c_time", "c_ts", "c_tstz"}, {}},
  };
  return kDirections;
}

void RunDirection(const std::string& source_engine, const std::string& target_engine) {
  const Direction* d = nullptr;
  for (const Direction& x : Directions()) {
    if (x.source == source_engine && x.target == target_engine) d = &x;
  }
  ASSERT_NE(d, nullptr);
  TempDir tmp;
  Endpoint source(source_engine, "src", tmp);
  source.Fill();
  if (::testing::Test::HasFailure()) return;
  Endpoint target(target_engine, "dst", tmp);
  ASSERT_EQ(target.Objects(), "") << "a fresh target should be empty";

  // plan: the lossy columns are exactly the documented ones, and nothing is written.
  RunResult plan = Decant({"plan", source.uri(), target.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(Join(LossyInPlan(plan.out, "every_type")), Join(d->lossy)) << plan.out;
  EXPECT_EQ(Join(LossyInPlan(plan.out, "every_type_ordinary")), Join(d->lossy)) << plan.out;
  EXPECT_EQ(Join(LossyInPlan(plan.out, "every_type", true)), Join(d->lossy_every_value)) << plan.out;
  EXPECT_EQ(target.Objects(), "") << "decant plan wrote into the target";

  // migrate: values are converted only in columns the plan called lossy.
  RunResult mig = Decant({"--progress", "none", "migrate", source.uri(), target.uri()});
  // Exit 9 (complete, with objects not carried) exactly when plan named some (a PostgreSQL enum type).
  bool plan_names_some = plan.out.find("; 0 objects not carried") == std::string::npos;
  ASSERT_EQ(mig.exit_code, plan_names_some ? 9 : 0) << mig.err;
  std::set<std::string> converted = ConvertedInSummary(mig.err, "");
  std::set<std::string> unplanned;
  for (const std::string& c : converted) {
    if (!d->lossy.count(c)) unplanned.insert(c);
  }
  EXPECT_TRUE(unplanned.empty()) << "converted but not reported lossy by plan: " << Join(unplanned) << "\n" << mig.err;
  // The ordinary row is converted only where every value is (e.g. a time zone dropped).
  std::set<std::string> ordinary_converted;
  for (const std::string& c : ConvertedInSummary(mig.err, "every_type_ordinary")) {
    if (!d->lossy_every_value.count(c)) ordinary_converted.insert(c);
  }
  EXPECT_TRUE(ordinary_converted.empty())
      << "the ordinary row needed conversions in " << Join(ordinary_converted) << ":\n"
      << mig.err;

  // The ordinary row arrives exact: verify on the ordinary-only table...
  RunResult ver = Decant({"verify", source.uri(), target.uri()});
  EXPECT_EQ(VerifyVerdict(ver.out, "every_type_ordinary"), "equal")
      << "verify " << source_engine << " -> " << target_engine << " on the ordinary row:\n"
      << ver.out << ver.err;

  // ...and value by value, in an engine-independent form.
  TableRows a = ReadTable(source.uri(), "every_type_ordinary");
  TableRows b = ReadTable(target.uri(), "every_type_ordinary");
  ASSERT_EQ(a.rows.size(), 1u);
  ASSERT_EQ(b.rows.size(), 1u);
  ASSERT_EQ(a.columns, b.columns);
  for (size_t c = 0; c < a.columns.size(); ++c) {
    EXPECT_EQ(Normalized(b.rows[0][c], b.types[c]), Normalized(a.rows[0][c], a.types[c]))
        << source_engine << " -> " << target_engine << " column " << a.columns[c] << ": source "
        << a.rows[0][c].DebugString() << ", target " << b.rows[0][c].DebugString();
  }
  // Every row arrived (edge values may be NULL now, but no row is lost).
  TableRows all = ReadTable(target.uri(), "every_type");
  EXPECT_EQ(all.rows.size(), ReadTable(source.uri(), "every_type").rows.size());
}

class EveryTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_PG();
    REQUIRE_MYSQL();
  }
};

TEST_F(EveryTypeTest, SqliteToPostgresql) { RunDirection("sqlite", "postgresql"); }
TEST_F(EveryTypeTest, SqliteToMysql) { RunDirection("sqlite", "mysql"); }
TEST_F(EveryTypeTest, PostgresqlToSqlite) { RunDirection("postgresql", "sqlite"); }
TEST_F(EveryTypeTest, PostgresqlToMysql) { RunDirection("postgresql", "mysql"); }
TEST_F(EveryTypeTest, MysqlToSqlite) { RunDirection("mysql", "sqlite"); }
TEST_F(EveryTypeTest, MysqlToPostgresql) { RunDirection("mysql", "postgresql"); }

// =============================================================================
// 3. --strict
// =============================================================================

void RunStrict(const std::string& target_engine) {
  TempDir tmp;
  std::string rounding = tmp.File("rounding.db");
  SqliteExec(rounding,
             "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount NUMERIC(10,2));"
             "INSERT INTO prices VALUES (1, 1.5), (2, 1.005), (3, 2.25);");
  Endpoint target(target_engine, "strict", tmp);
  RunResult r = Decant({"--progress", "none", "migrate", "--strict", "sqlite://" + rounding, target.uri()});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_THAT(r.err, HasSubstr("decant: error:"));
  EXPECT_THAT(r.err, HasSubstr("prices"));
  EXPECT_THAT(r.err, HasSubstr("amount"));
  EXPECT_THAT(r.err, HasSubstr("id=2"));
  EXPECT_EQ(target.Objects(), "") << "--strict left objects in the " << target_engine << " target after failing";

  std::string exact = tmp.File("exact.db");
  SqliteExec(exact,
             "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount NUMERIC(10,2));"
             "INSERT INTO prices VALUES (1, 1.5), (2, 2.25);");
  Endpoint target2(target_engine, "strict_ok", tmp);
  r = Decant({"--progress", "none", "migrate", "--strict", "sqlite://" + exact, target2.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  TableRows rows = ReadTable(target2.uri(), "prices");
  ASSERT_EQ(rows.rows.size(), 2u);
  std::set<std::string> amounts;
  for (const auto& row : rows.rows) amounts.insert(Normalized(row[1], rows.types[1]));
  EXPECT_EQ(Join(amounts), "{1.5, 2.25}");
}

TEST(CrossEngineStrictTest, RoundingRefusedIntoPostgresql) {
  REQUIRE_PG();
  RunStrict("postgresql");
}

TEST(CrossEngineStrictTest, RoundingRefusedIntoMysql) {
  REQUIRE_MYSQL();
  RunStrict("mysql");
}

// =============================================================================
// 4. plan writes nothing (also checked in every direction above)
// =============================================================================

TEST(CrossEnginePlanTest, PlanLeavesTargetsEmpty) {
  REQUIRE_PG();
  REQUIRE_MYSQL();
  TempDir tmp;
  Endpoint source("sqlite", "plansrc", tmp);
  source.Fill();
  for (const char* engine : {"sqlite", "postgresql", "mysql"}) {
    SCOPED_TRACE(engine);
    Endpoint target(engine, "plan_target", tmp);
    RunResult r = Decant({"plan", source.uri(), target.uri()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("table every_type"));
    EXPECT_EQ(target.Objects(), "") << "decant plan wrote into the " << engine << " target";
    if (std::string(engine) == "sqlite") {
      EXPECT_FALSE(std::filesystem::exists(tmp.File("plan_target.db"))) << "decant plan created the SQLite file";
    }
  }
}

}  // namespace
}  // namespace decant

namespace decant {
namespace {

// `schema --dialect mysql` prints what an import into MySQL would run: the
// script of another engine's schema and of a MySQL schema both replay into
// an empty database and give the same tables, keys and foreign keys.
TEST(CrossEngineSchemaTest, MysqlDialectScriptReplays) {
  std::string shared = testing_util::SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared/samples is absent";
  std::string original = shared + "/samples/chinook/Chinook_Sqlite.sqlite";
  if (!std::filesystem::exists(original)) GTEST_SKIP() << original << " is absent";
  REQUIRE_MYSQL();
  std::string src = "sqlite://" + original;
  RunResult script = Decant({"schema", "--dialect", "mysql", src});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  MyDb from_script("script");
  from_script.Sql(script.out);
  MyDb migrated("migrated");
  RunResult r = Decant({"--progress", "none", "migrate", src, migrated.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  KeyFacts want = FactsOf(ReadSchemaOf(migrated.uri()));
  EXPECT_EQ(want.tables.size(), 11u);
  KeyFacts got = FactsOf(ReadSchemaOf(from_script.uri()));
  EXPECT_EQ(got.tables, want.tables);
  EXPECT_EQ(got.primary_keys, want.primary_keys);
  EXPECT_EQ(got.foreign, want.foreign);
  EXPECT_EQ(got.index_names, want.index_names);

  // The script of a MySQL schema (its own DDL) replays too.
  RunResult native = Decant({"schema", "--dialect", "mysql", migrated.uri()});
  ASSERT_EQ(native.exit_code, 0) << native.err;
  MyDb from_native("native");
  from_native.Sql(native.out);
  got = FactsOf(ReadSchemaOf(from_native.uri()));
  EXPECT_EQ(got.tables, want.tables);
  EXPECT_EQ(got.foreign, want.foreign);
  EXPECT_EQ(got.index_names, want.index_names);
}

// =============================================================================
// 5. values: migrate and verify read loose text by one rule; text forms
//    survive a round trip; MySQL to MySQL keeps what a lenient source holds
// =============================================================================

std::string SqliteValue(const std::string& path, const std::string& sql) {
  Shell r = RunShell("sqlite3 " + ShellQuote(path) + " " + ShellQuote(sql));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

TEST(CrossEngineValuesTest, DateOnlyTextInATimestampColumnMigratesAndVerifiesEqual) {
  REQUIRE_PG();
  TempDir tmp;
  std::string db = tmp.File("val_dates.db");
  SqliteExec(db,
             "CREATE TABLE rental (id INTEGER PRIMARY KEY, at DATETIME, day DATE, n INTEGER);"
             "INSERT INTO rental VALUES (1, '2006-02-14', '2006-02-14', 1), (2, '2006-02-14T10:20:30.500', "
             "'2006-02-15 00:00:00', ' 7 '), (3, '2006-02-14 10:20:30.000000', '2006-02-16', '8.0'),"
             "(4, '2006-02-14 10:20+00:00', '2006-02-17', 9);");
  PgDb pg("val_dates");
  RunResult r = Decant({"--progress", "none", "migrate", "--strict", "sqlite://" + db, pg.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(pg.Sql("SELECT id, at, day, n FROM rental ORDER BY id"),
            "1|2006-02-14 00:00:00|2006-02-14|1\n"
            "2|2006-02-14 10:20:30.5|2006-02-15|7\n"
            "3|2006-02-14 10:20:30|2006-02-16|8\n"
            "4|2006-02-14 10:20:00|2006-02-17|9");
  r = Decant({"verify", "sqlite://" + db, pg.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // A time of day in a DATE column is a conversion: counted, refused by
  // --strict, and named by verify.
  SqliteExec(db, "INSERT INTO rental VALUES (5, '2006-02-18', '2006-02-18 10:00:00', 10);");
  PgDb strict("val_dates_strict");
  r = Decant({"--progress", "none", "migrate", "--strict", "sqlite://" + db, strict.uri()});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the time of day dropped"));
  PgDb loose("val_dates_loose");
  r = Decant({"--progress", "none", "migrate", "sqlite://" + db, loose.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Decant({"verify", "sqlite://" + db, loose.uri()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("id=5: day '2006-02-18 10:00:00' vs '2006-02-18'"));
}

TEST(CrossEngineValuesTest, WholeSecondsComeBackToSqliteAsTheyLeft) {
  REQUIRE_PG();
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string db = tmp.File("val_trip.db"), back = tmp.File("val_trip_back.db");
  SqliteExec(db,
             "CREATE TABLE person (id INTEGER PRIMARY KEY, born DATETIME, seen DATETIME, t TIME);"
             "INSERT INTO person VALUES (1, '1962-02-18 00:00:00', '2020-01-01 10:00:00.25', '10:20:30'),"
             "(2, '1962-02-18 10:20:30', NULL, '10:20:30.5');");
  PgDb pg("val_trip");
  MyDb my("val_trip");
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"sqlite://" + db, pg.uri()}, {pg.uri(), my.uri()}, {my.uri(), "sqlite://" + back}}) {
    RunResult r = Decant({"--progress", "none", "migrate", "--strict", from, to});
    ASSERT_EQ(r.exit_code, 0) << from << " -> " << to << ": " << r.err;
  }
  // MySQL holds DATETIME(6) and prints '1962-02-18 00:00:00.000000'.
  EXPECT_EQ(my.Sql("SELECT born FROM person WHERE id = 1"), "1962-02-18 00:00:00.000000");
  EXPECT_EQ(SqliteValue(back, "SELECT born || '|' || ifnull(seen, '') || '|' || t FROM person ORDER BY id"),
            "1962-02-18 00:00:00|2020-01-01 10:00:00.250000|10:20:30\n1962-02-18 10:20:30||10:20:30.500000");
  RunResult r = Decant({"verify", "sqlite://" + db, "sqlite://" + back});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(CrossEngineValuesTest, MysqlToMysqlKeepsWhatALenientSourceHolds) {
  REQUIRE_MYSQL();
  MyDb source("val_lenient"), target("val_lenient_to"), imported("val_lenient_imp");
  source.Sql(
      "SET SESSION sql_mode = '';"
      "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b') NOT NULL, x INT, g TINYINT AS (x * 1000) STORED);"
      "INSERT INTO t (id, e, x) VALUES (1, 'zzz', 1000), (2, 'a', 1);"
      "CREATE TABLE log (n INT);"
      "SET SESSION sql_mode = 'PIPES_AS_CONCAT';"
      "CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO log VALUES (NEW.id);"
      "SET SESSION sql_mode = 'ANSI_QUOTES';"
      "CREATE FUNCTION twice(v INT) RETURNS INT DETERMINISTIC RETURN v * 2;"
      "SET NAMES latin1;"
      "CREATE VIEW v AS SELECT id, e FROM t;");
  EXPECT_EQ(source.Sql("SELECT id, e, e + 0, g FROM t ORDER BY id"), "1\t\t0\t127\n2\ta\t1\t127");
  RunResult r = Decant({"--progress", "none", "migrate", source.uri(), target.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  TempDir tmp;
  r = Decant({"--progress", "none", "export", source.uri(), "-o", tmp.File("val_lenient.decant")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Decant({"--progress", "none", "import", tmp.File("val_lenient.decant"), imported.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const MyDb* db : {&target, &imported}) {
    EXPECT_EQ(db->Sql("SELECT id, e, e + 0, g FROM t ORDER BY id"), "1\t\t0\t127\n2\ta\t1\t127");
    EXPECT_EQ(db->Sql("SELECT SQL_MODE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"),
              "PIPES_AS_CONCAT");
    EXPECT_EQ(db->Sql("SELECT SQL_MODE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"),
              "ANSI_QUOTES");
    EXPECT_EQ(db->Sql("SELECT CHARACTER_SET_CLIENT, COLLATION_CONNECTION FROM information_schema.VIEWS "
                      "WHERE TABLE_SCHEMA = DATABASE()"),
              "latin1\tlatin1_swedish_ci");
    RunResult v = Decant({"verify", source.uri(), db->uri()});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
}

}  // namespace
}  // namespace decant

// =============================================================================
// 5. Plan is the contract: what the target refuses, --strict-objects, exit
//    codes, plan --ddl is what the sink runs, the summary counts only what
//    was created (docs/cli.md, "Objects the target refuses").
// =============================================================================

namespace decant {
namespace {

using ::testing::Not;

// The part of `plan --ddl` output after its "DDL the ... sink will run:" line.
std::string PlanDdl(const std::string& plan_out) {
  size_t at = plan_out.find("sink will run:\n");
  EXPECT_NE(at, std::string::npos) << plan_out;
  return at == std::string::npos ? "" : plan_out.substr(at + std::string("sink will run:\n").size());
}

// How many objects `decant plan` and a migration's summary say were not
// carried ("; N objects not carried" / "not carried (N objects):", "1 object"); 0 when none.
int PlannedNotCarried(const std::string& plan_out) {
  size_t at = plan_out.rfind(" not carried\n");  // the totals, the last line
  if (at == std::string::npos) return -1;
  size_t noun = plan_out.rfind(' ', at - 1);  // before "object" or "objects"
  return std::stoi(plan_out.substr(plan_out.rfind(' ', noun - 1) + 1));
}
int SummaryNotCarried(const std::string& err) {
  size_t at = err.find("not carried (");
  return at == std::string::npos ? 0 : std::stoi(err.substr(at + 13));
}

constexpr const char* kCtrPgSource =
    "COMMENT ON SCHEMA public IS NULL;"  // plan names nothing else: the view below is the only loss
    "CREATE TABLE ctr_t (id int PRIMARY KEY, name text NOT NULL);"
    "INSERT INTO ctr_t SELECT i, 'n' || i FROM generate_series(1, 50) i;"
    "CREATE VIEW ctr_plain AS SELECT id, name FROM ctr_t WHERE id > 10;"
    // Passes decant's translation, but SQLite has no ~ operator: refused at CREATE.
    "CREATE VIEW ctr_regex AS SELECT id FROM ctr_t WHERE name ~ '^n1';";

TEST(ContractTest, ViewTheTargetRefusesIsSkippedNamedAndCounted) {
  REQUIRE_PG();
  TempDir tmp;
  PgDb src("ctr_view_src");
  src.Sql(kCtrPgSource);
  std::string db = tmp.File("ctr_view.db");
  RunResult r = Decant({"--progress", "none", "migrate", src.uri(), "sqlite://" + db});
  EXPECT_EQ(r.exit_code, 9) << r.err;  // complete, with objects not carried
  EXPECT_THAT(r.err, HasSubstr("refused view ctr_regex, skipped"));
  EXPECT_THAT(r.err, HasSubstr("not carried (1 object):"));
  EXPECT_THAT(r.err, HasSubstr("view ctr_regex: SQLite refused it: "));
  EXPECT_THAT(r.err, HasSubstr("syntax error"));  // the server's own reason
  EXPECT_THAT(r.err, HasSubstr("migrated 1 table, 50 rows"));
  EXPECT_THAT(r.err, HasSubstr(", 1 view,"));  // only what was created
  auto hex = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) out += fmt::format("{:02x}", c);
    return out;
  };
  EXPECT_THAT(testing_util::SqliteSchemaDump(db), HasSubstr(hex("ctr_plain")));
  EXPECT_THAT(testing_util::SqliteSchemaDump(db), Not(HasSubstr(hex("ctr_regex"))));
  ExpectVerifyEqual(src.uri(), "sqlite://" + db, "postgresql -> sqlite");

  // --strict-objects: the same refusal fails the run and leaves no file.
  std::string strict = tmp.File("ctr_view_strict.db");
  r = Decant({"--progress", "none", "migrate", "--strict-objects", src.uri(), "sqlite://" + strict});
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--strict-objects: sqlite://" + strict + " refused view ctr_regex: "));
  EXPECT_FALSE(std::filesystem::exists(strict));
  EXPECT_FALSE(std::filesystem::exists(strict + ".partial"));
}

// An object plan says will not be carried fails --strict-objects before
// anything is written; without it the run completes with exit 9 and the
// summary counts none of what was not created.
void RunStrictObjects(const std::string& target_engine) {
  TempDir tmp;
  std::string src = tmp.File("ctr_strict_src.db");
  SqliteExec(src,
             "CREATE TABLE ctr_a (id INTEGER PRIMARY KEY, n INTEGER);"
             "CREATE TABLE ctr_log (a_id INTEGER);"
             "CREATE TRIGGER ctr_tr AFTER INSERT ON ctr_a BEGIN INSERT INTO ctr_log VALUES (new.id); END;"
             "INSERT INTO ctr_a VALUES (1, 10), (2, 20);");
  Endpoint target(target_engine, "ctr_strict", tmp);
  RunResult r = Decant({"--progress", "none", "migrate", "--strict-objects", "sqlite://" + src, target.uri()});
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_THAT(r.err, HasSubstr("nothing was written"));
  EXPECT_THAT(r.err, HasSubstr("trigger ctr_tr"));
  EXPECT_EQ(target.Objects(), "") << "--strict-objects wrote into the " << target_engine << " target";

  r = Decant({"--progress", "none", "migrate", "sqlite://" + src, target.uri()});
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_THAT(r.err, HasSubstr("migrated 2 tables, 4 rows"));
  EXPECT_THAT(r.err, HasSubstr(", 0 triggers,"));
  EXPECT_THAT(r.err, HasSubstr("not carried (1 object):\n  trigger ctr_tr on ctr_a:"));
  EXPECT_EQ(ReadTable(target.uri(), "ctr_a").rows.size(), 2u);
}

TEST(ContractTest, StrictObjectsFailsBeforeWritingIntoPostgresql) {
  REQUIRE_PG();
  RunStrictObjects("postgresql");
}

TEST(ContractTest, StrictObjectsFailsBeforeWritingIntoMysql) {
  REQUIRE_MYSQL();
  RunStrictObjects("mysql");
}

// A table the target refuses fails the run with exit 11 (not 5, "target not
// empty"), and nothing is left behind. (A row of five VARCHAR(16000) columns
// is over InnoDB's 65535-byte row limit in utf8mb4: the server refuses it.)
TEST(ContractTest, RefusedTableExits11) {
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string src = tmp.File("ctr_wide.db");
  std::string columns;
  for (int i = 0; i < 5; ++i) columns += ", c" + std::to_string(i) + " VARCHAR(16000)";
  SqliteExec(src, "CREATE TABLE ok (id INTEGER PRIMARY KEY); CREATE TABLE ctr_wide (id INTEGER PRIMARY KEY" + columns +
                      "); INSERT INTO ok VALUES (1);");
  MyDb target("ctr_wide");
  RunResult r = Decant({"--progress", "none", "migrate", "sqlite://" + src, target.uri()});
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_THAT(r.err, HasSubstr("refused table ctr_wide"));
  EXPECT_THAT(r.err, HasSubstr("Row size too large"));  // the server's own message
  EXPECT_EQ(target.Objects(), "");
}

// A table name longer than MySQL's 64 bytes is refused by the plan, before
// anything is written, with the way out (PostgreSQL would cut it, and say so).
TEST(ContractTest, NameTooLongForMysqlIsRefusedBeforeWriting) {
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string src = tmp.File("ctr_long.db");
  std::string long_name = "ctr_" + std::string(70, 'x');
  SqliteExec(src, "CREATE TABLE ok (id INTEGER PRIMARY KEY); CREATE TABLE " + long_name +
                      " (id INTEGER PRIMARY KEY); INSERT INTO ok VALUES (1);");
  MyDb target("ctr_long");
  RunResult r = Decant({"--progress", "none", "migrate", "sqlite://" + src, target.uri()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("table " + long_name + ": its name is 74 bytes and MySQL allows 64"));
  EXPECT_THAT(r.err, HasSubstr("--rename"));
  EXPECT_EQ(target.Objects(), "");
}

// `plan --ddl` prints exactly what the sink runs: replayed into an empty
// target it gives the same catalog as the migration.
TEST(ContractTest, PlanDdlIsWhatTheSinkRuns) {
  REQUIRE_PG();
  REQUIRE_MYSQL();
  TempDir tmp;
  std::string src = tmp.File("ctr_ddl_src.db");
  SqliteExec(src,
             "CREATE TABLE ctr_p (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, n INTEGER "
             "DEFAULT 7);"
             "CREATE TABLE ctr_c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES ctr_p(id), note TEXT);"
             "CREATE INDEX ctr_c_p ON ctr_c(p_id);"
             "CREATE VIEW ctr_v AS SELECT p.name, c.note FROM ctr_p p JOIN ctr_c c ON c.p_id = p.id;"
             "INSERT INTO ctr_p (name) VALUES ('a'), ('b'); INSERT INTO ctr_c VALUES (1, 1, 'x'), (2, 2, 'y');");
  std::string uri = "sqlite://" + src;

  // SQLite keeps each CREATE statement's text: the two catalogs are equal.
  RunResult plan = Decant({"plan", "--ddl", uri, "sqlite://" + tmp.File("unused.db")});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  std::string replayed = tmp.File("ctr_replayed.db");
  SqliteExec(replayed, PlanDdl(plan.out));
  std::string migrated = tmp.File("ctr_migrated.db");
  // A SQLite -> SQLite copy carries the AUTOINCREMENT table's sqlite_sequence.
  RunResult r = Decant({"--progress", "none", "migrate", uri, "sqlite://" + migrated});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing_util::SqliteSchemaDump(replayed), testing_util::SqliteSchemaDump(migrated));

  // PostgreSQL: same relations, indexes and constraints.
  PgDb pg_target("ctr_ddl_pg");
  plan = Decant({"plan", "--ddl", uri, pg_target.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  PgDb pg_replayed("ctr_ddl_pg_replay");
  pg_replayed.Sql(PlanDdl(plan.out));
  r = Decant({"--progress", "none", "migrate", uri, pg_target.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the view's query translates: everything is carried
  EXPECT_EQ(SummaryNotCarried(r.err), PlannedNotCarried(plan.out)) << plan.out << r.err;
  auto pg_catalog = [](const PgDb& db) {
    return db.Objects() + "\n" +
           db.Sql("SELECT string_agg(indexdef, ';' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public'") +
           "\n" +
           db.Sql(
               "SELECT string_agg(conname || ':' || pg_get_constraintdef(oid), ';' ORDER BY conname) "
               "FROM pg_constraint WHERE connamespace = 'public'::regnamespace");
  };
  EXPECT_EQ(pg_catalog(pg_replayed), pg_catalog(pg_target));

  // MySQL: same tables, indexes and foreign keys.
  MyDb my_target("ctr_ddl_my");
  plan = Decant({"plan", "--ddl", uri, my_target.uri()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  MyDb my_replayed("ctr_ddl_my_replay");
  my_replayed.Sql(PlanDdl(plan.out));
  r = Decant({"--progress", "none", "migrate", uri, my_target.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the view's query translates: everything is carried
  // Plan named everything the sink left out, each once.
  EXPECT_EQ(SummaryNotCarried(r.err), PlannedNotCarried(plan.out)) << plan.out << r.err;
  EXPECT_THAT(plan.out, HasSubstr("CREATE VIEW `ctr_v`"));
  auto my_catalog = [](const MyDb& db) {
    return db.Objects() + "\n" +
           db.Sql(
               "SELECT GROUP_CONCAT(CONCAT(table_name, '.', index_name, '.', column_name, '.', non_unique) "
               "ORDER BY table_name, index_name, seq_in_index) FROM information_schema.statistics "
               "WHERE table_schema = DATABASE()") +
           "\n" +
           db.Sql(
               "SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name, '>', referenced_table_name) "
               "ORDER BY table_name, column_name) FROM information_schema.key_column_usage "
               "WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL");
  };
  EXPECT_EQ(my_catalog(my_replayed), my_catalog(my_target));
}

}  // namespace
}  // namespace decant
