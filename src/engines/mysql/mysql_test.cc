// MySQL/MariaDB engine tests against a real server (DECANT_TEST_MYSQL_URI,
// with DECANT_TEST_MYSQL_DEFAULTS_FILE holding the credentials). Each test
// makes its own uniquely named databases and drops them. Comparisons read
// the server directly (SHOW CREATE, HEX of every cell), not through decant.
#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "archive/archive.h"
#include "engines/mysql/mysql_connection.h"
#include "engines/mysql/mysql_ddl.h"
#include "engines/mysql/mysql_endpoint.h"
#include "engines/mysql/mysql_types.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "pipeline/server_dump.h"
#include "pipeline/verify.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using testing_util::TempDir;

using testing_util::Env;

// The test server's URI for `db` ("" for the server itself).
const auto& uri_for = testing_util::MysqlTestUri;

#define REQUIRE_SERVER()                    \
  if (Env("DECANT_TEST_MYSQL_URI").empty()) \
  GTEST_SKIP() << "DECANT_TEST_MYSQL_URI is unset (source /var/tmp/decant-servers/mariadb.env)"

// A raw libmariadb connection for setting up and checking, independent of
// the engine's own reading code.
class RawDb {
 public:
  explicit RawDb(const std::string& db = "") {
    auto p = mysql_internal::ParseUri(uri_for(db));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    mysql_ = mysql_init(nullptr);
    std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
    if (!defaults.empty()) mysql_optionsv(mysql_, MYSQL_READ_DEFAULT_FILE, defaults.c_str());
    mysql_optionsv(mysql_, MYSQL_READ_DEFAULT_GROUP, "client");
    mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char* pw = std::getenv("MYSQL_PWD");
    ok_ = mysql_real_connect(mysql_, p->host.c_str(), p->user.empty() ? nullptr : p->user.c_str(), pw,
                             db.empty() ? nullptr : db.c_str(), p->port, nullptr, 0) != nullptr;
    EXPECT_TRUE(ok_) << mysql_error(mysql_);
    if (ok_) Exec("SET time_zone = '+00:00'");
  }
  ~RawDb() { mysql_close(mysql_); }
  void Exec(const std::string& sql) {
    ASSERT_EQ(mysql_real_query(mysql_, sql.data(), sql.size()), 0) << mysql_error(mysql_) << "\n" << sql;
    if (MYSQL_RES* r = mysql_store_result(mysql_)) mysql_free_result(r);
  }
  std::string Quote(const std::string& text) {
    std::string out(text.size() * 2 + 1, '\0');
    out.resize(mysql_real_escape_string(mysql_, out.data(), text.data(), text.size()));
    return "'" + out + "'";
  }
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      ADD_FAILURE() << mysql_error(mysql_) << "\n" << sql;
      return out;
    }
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (!res) return out;
    unsigned n = mysql_num_fields(res);
    while (MYSQL_ROW r = mysql_fetch_row(res)) {
      unsigned long* len = mysql_fetch_lengths(res);
      std::vector<std::string> row;
      for (unsigned i = 0; i < n; ++i) row.push_back(r[i] ? std::string(r[i], len[i]) : "<NULL>");
      out.push_back(std::move(row));
    }
    mysql_free_result(res);
    return out;
  }

 private:
  MYSQL* mysql_;
  bool ok_ = false;
};

// A database that exists for one test.
class TestDb {
 public:
  explicit TestDb(const std::string& tag, bool create = true, const std::string& prefix = "decant_t_") {
    static std::atomic<int> counter{0};
    name_ = prefix + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    RawDb server;
    server.Exec("DROP DATABASE IF EXISTS " + mysql_internal::QuoteIdent(name_));
    if (create) {
      server.Exec("CREATE DATABASE " + mysql_internal::QuoteIdent(name_) +
                  " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    }
  }
  ~TestDb() { RawDb().Exec("DROP DATABASE IF EXISTS " + mysql_internal::QuoteIdent(name_)); }
  const std::string& name() const { return name_; }
  std::string uri() const { return uri_for(name_); }

 private:
  std::string name_;
};

// Every object's definition and every cell's exact bytes, as one text.
std::string Snapshot(const std::string& db) {
  RawDb c(db);
  std::string out;
  for (const auto& t : c.Rows("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                              "DATABASE() ORDER BY BINARY TABLE_NAME")) {
    std::string q = mysql_internal::QuoteIdent(t[0]);
    if (t[1] == "VIEW") {
      auto v = c.Rows("SHOW CREATE VIEW " + q);
      out += "view: " + mysql_internal::StripDefiner(v[0][1]) + "\n";
      continue;
    }
    out += "table: " + c.Rows("SHOW CREATE TABLE " + q)[0][1] + "\n";
    std::string cols;
    for (const auto& col : c.Rows("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE "
                                  "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
                                  c.Quote(t[0]) + " ORDER BY ORDINAL_POSITION")) {
      std::string cq = mysql_internal::QuoteIdent(col[0]);
      std::string e = col[1] == "float" ? "CAST(" + cq + " AS DOUBLE)" : cq;
      cols += std::string(cols.empty() ? "" : ", ") + "IFNULL(HEX(CAST(" + e + " AS BINARY)), 'NULL')";
    }
    std::vector<std::string> rows;
    for (const auto& r : c.Rows("SELECT " + cols + " FROM " + q)) {
      std::string line;
      for (const auto& cell : r) line += cell + "|";
      rows.push_back(line);
    }
    std::sort(rows.begin(), rows.end());
    for (const auto& r : rows) out += "  " + r + "\n";
  }
  for (const auto& t : c.Rows("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = "
                              "DATABASE() ORDER BY TRIGGER_NAME")) {
    out += "trigger: " + c.Rows("SHOW CREATE TRIGGER " + mysql_internal::QuoteIdent(t[0]))[0][2] + "\n";
  }
  for (const auto& r : c.Rows("SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE "
                              "ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME")) {
    out += "routine: " + c.Rows("SHOW CREATE " + r[0] + " " + mysql_internal::QuoteIdent(r[1]))[0][2] + "\n";
  }
  return out;
}

Status Copy(const std::string& from, const std::string& to, LoadMode mode = LoadMode::kRefuseNonEmpty,
            size_t jobs = 1) {
  DECANT_ASSIGN_OR_RETURN(auto source, OpenSource(from, EndpointOptions{jobs}));
  DECANT_ASSIGN_OR_RETURN(auto sink, IsDatabaseLocation(to) ? OpenDatabaseSink(to, EndpointOptions{jobs})
                                                            : OpenArchiveSink(to, ArchiveWriteOptions{}));
  CopyOptions co;
  co.sink.mode = mode;
  co.jobs = jobs;
  return CopyDatabase(*source, *sink, co).status();
}

// Every type of point 2, its extremes, NULLs, and values only a non-strict
// table accepts.
void MakeEveryType(const std::string& db) {
  RawDb c(db);
  c.Exec("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES'");
  c.Exec(R"(CREATE TABLE every_type (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
    i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, bool_col BOOLEAN,
    d65 DECIMAL(65,30), d10 DECIMAL(10,0), dneg DECIMAL(5,2), f FLOAT, db DOUBLE,
    b1 BIT(1), b13 BIT(13), b64 BIT(64),
    e ENUM('a','b c','d''e','é'), s SET('x','y','z'), j JSON,
    dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP(3) NULL DEFAULT NULL, tm TIME, tm6 TIME(6), y YEAR,
    c_l CHAR(10) CHARACTER SET latin1, v_l VARCHAR(300) CHARACTER SET latin1, t_l TEXT CHARACTER SET latin1,
    v_3 VARCHAR(100) CHARACTER SET utf8mb3, t_3 MEDIUMTEXT CHARACTER SET utf8mb3,
    v_4 VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, t_4 LONGTEXT CHARACTER SET utf8mb4,
    bn BINARY(4), vb VARBINARY(300), bl BLOB, lb LONGBLOB,
    g GEOMETRY, p POINT, ls LINESTRING, poly POLYGON,
    gen_v BIGINT AS (i + 1) VIRTUAL, gen_s VARCHAR(120) AS (CONCAT(v_4, '!')) STORED
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='all the types')");
  std::string all_bytes = "X'";
  for (int b = 0; b < 256; ++b) {
    char h[3];
    std::snprintf(h, sizeof h, "%02X", b);
    all_bytes += h;
  }
  all_bytes += "'";
  c.Exec(R"(INSERT INTO every_type (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, bool_col, d65, d10, dneg, f, db,
    b1, b13, b64, e, s, j, dt, dtm, dtm6, ts, tm, tm6, y, c_l, v_l, t_l, v_3, t_3, v_4, t_4, bn, vb, bl, lb,
    g, p, ls, poly) VALUES
    (0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0,
     '-99999999999999999999999999999999999.999999999999999999999999999999', -9999999999, -999.99,
     -3.40282e38, -1.7976931348623157e308, b'0', b'0', b'0', 'a', '', '[]',
     '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00',
     '-838:59:59', '-838:59:59.000000', 0, '', '', '', '', '', '', '', X'00000000', '', '', '',
     ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(-180 -90)', 4326),
     ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)'), ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))')),
    (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
     18446744073709551615, 1,
     '99999999999999999999999999999999999.999999999999999999999999999999', 9999999999, 999.99,
     3.40282e38, 1.7976931348623157e308, b'1', b'1111111111111', b'1111111111111111111111111111111111111111111111111111111111111111',
     'd''e', 'x,y,z', '{"a": [1, 2.5, "x\\"y"], "b": null, "é": "😀"}',
     '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999',
     '838:59:59', '838:59:59.000000', 2155, 'Ünïcödé', )" +
         all_bytes + ", " + all_bytes + R"(, 'Grüße, €', 'Grüße € ☃',
     'utf8mb4 😀 𝄞 ñ', '€😀 tab	newline
 backslash\\ quote'' nul', X'FFFFFFFF', )" +
         all_bytes + ", " + all_bytes + ", " + all_bytes + R"(,
     ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))', 3857),
     ST_GeomFromText('POINT(1.5 -2.25)'), ST_GeomFromText('LINESTRING(1 1, 2 2)', 4326),
     ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))')),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, 5, 1, 1, 1, 1, 1, 1, 1, 1, 9223372036854775808, 2, '0.000000000000000000000000000001', 0, 0.01,
     3.14159274, 0.30000000000000004, b'1', b'1010101010101', b'1000000000000000000000000000000000000000000000000000000000000001',
     'é', 'y', '{}',
     '2023-02-31', '2024-00-15 10:00:00', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01.000',
     '-00:00:00.5', '100:00:00.123456', 1901, 'a', 'b', 'c', 'd', 'e', 'f', '', '', '', X'', X'',
     ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))'), ST_GeomFromText('POINT(1e300 -1e-300)'),
     NULL, NULL))");
  c.Exec("ALTER TABLE every_type AUTO_INCREMENT = 1000");
}

// Keys, constraints, indexes and the objects around tables.
void MakeObjects(const std::string& db) {
  RawDb c(db);
  c.Exec(R"(CREATE TABLE parent (id INT UNSIGNED NOT NULL AUTO_INCREMENT, code VARCHAR(20) NOT NULL,
    title VARCHAR(200), body TEXT, PRIMARY KEY (id), UNIQUE KEY uq_code (code),
    KEY ix_title_prefix (title(10)), FULLTEXT KEY ft_body (body), FULLTEXT KEY ft_title_body (title, body),
    CONSTRAINT chk_code CHECK (code <> ''))
    ENGINE=InnoDB AUTO_INCREMENT=77 DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci)");
  c.Exec(R"(CREATE TABLE child (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, parent_id INT UNSIGNED,
    parent_code VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_general_ci, qty INT NOT NULL DEFAULT 1 CHECK (qty >= 0), note VARCHAR(50) DEFAULT 'n/a',
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_multi (parent_id, qty DESC), UNIQUE KEY uq_pc (parent_code, qty),
    CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL,
    CONSTRAINT fk_code FOREIGN KEY (parent_code) REFERENCES parent (code)) ENGINE=InnoDB)");
  c.Exec("CREATE TABLE log_aria (id INT NOT NULL, msg VARCHAR(100), KEY (id)) ENGINE=Aria");
  c.Exec("CREATE TABLE places (id INT PRIMARY KEY, g GEOMETRY NOT NULL, SPATIAL KEY sp_g (g)) ENGINE=InnoDB");
  c.Exec(
      "INSERT INTO parent (code, title, body) VALUES ('a', 'Alpha title here', 'the body of alpha'), "
      "('b', 'Beta', 'beta body'), ('c', NULL, NULL)");
  c.Exec(
      "INSERT INTO child (parent_id, parent_code, qty, created) VALUES (77, 'a', 3, '2024-05-01 10:00:00'), "
      "(78, 'b', 0, '2024-05-02 11:00:00'), (NULL, NULL, 7, '2024-05-03 12:00:00')");
  c.Exec("INSERT INTO places VALUES (1, ST_GeomFromText('POINT(1 1)')), (2, ST_GeomFromText('POINT(2 3)'))");
  c.Exec("INSERT INTO log_aria VALUES (1, 'one'), (2, 'two')");
  c.Exec("CREATE VIEW v_child AS SELECT c.id, p.code FROM child c JOIN parent p ON p.id = c.parent_id");
  c.Exec("CREATE VIEW v_on_view AS SELECT code FROM v_child WHERE id > 1");
  c.Exec("CREATE TRIGGER trg_child_bi BEFORE INSERT ON child FOR EACH ROW SET NEW.note = CONCAT('[', NEW.note, ']')");
  c.Exec(
      "CREATE TRIGGER trg_child_bi2 BEFORE INSERT ON child FOR EACH ROW FOLLOWS trg_child_bi "
      "SET NEW.qty = NEW.qty + 0");
  c.Exec("CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2");
  c.Exec("CREATE PROCEDURE count_children(OUT n INT) BEGIN SELECT COUNT(*) INTO n FROM child; END");
}

TEST(MysqlUri, ParsesEveryPart) {
  auto p = mysql_internal::ParseUri("mariadb://us%40er:p%3Ass@db.example:3307/my%20db?ssl-mode=REQUIRED&ssl_ca=/x");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user, "us@er");
  EXPECT_EQ(*p->password, "p:ss");
  EXPECT_EQ(p->host, "db.example");
  EXPECT_EQ(p->port, 3307u);
  EXPECT_EQ(p->database, "my db");
  EXPECT_EQ(p->params.at("ssl-ca"), "/x");
  EXPECT_EQ(p->shown.find("p%3Ass"), std::string::npos);
  auto back = mysql_internal::ParseUri(mysql_internal::UriFor(*p, "other`db"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->database, "other`db");
  EXPECT_EQ(*back->password, "p:ss");
  EXPECT_EQ(mysql_internal::ParseUri("mysql://h:99999/db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mysql_internal::ParseUri("mysql://h/db?bogus=1").status().code(), StatusCode::kInvalidArgument);
  auto src = OpenMysqlSource("mysql://u:secret@h:0x/db", {});
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(src.status().message().find("secret"), std::string::npos);
  EXPECT_TRUE(IsMysqlUri("mysql://h/db"));
  EXPECT_TRUE(IsMysqlUri("mariadb://h/db"));
  EXPECT_FALSE(IsMysqlUri("postgresql://h/db"));
}

TEST(MysqlDdl, SplitsShowCreateTable) {
  std::string ddl =
      "CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `a` text DEFAULT NULL,\n"
      "  PRIMARY KEY (`id`),\n  UNIQUE KEY `u` (`a`(5)),\n  KEY `k` (`a`(3)),\n  FULLTEXT KEY `f` (`a`),\n"
      "  CONSTRAINT `fk` FOREIGN KEY (`id`) REFERENCES `p` (`id`),\n  CONSTRAINT `c` CHECK (`id` > 0)\n"
      ") ENGINE=InnoDB";
  auto s = mysql_internal::SplitCreateTable(ddl, "id");
  EXPECT_EQ(s.create,
            "CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `a` text DEFAULT NULL,\n"
            "  PRIMARY KEY (`id`),\n  CONSTRAINT `c` CHECK (`id` > 0)\n) ENGINE=InnoDB");
  EXPECT_EQ(s.keys, (std::vector<std::string>{"UNIQUE KEY `u` (`a`(5))", "KEY `k` (`a`(3))"}));
  EXPECT_EQ(s.fulltext, (std::vector<std::string>{"FULLTEXT KEY `f` (`a`)"}));
  EXPECT_EQ(s.foreign_keys, (std::vector<std::string>{"CONSTRAINT `fk` FOREIGN KEY (`id`) REFERENCES `p` (`id`)"}));
  EXPECT_EQ(mysql_internal::StripDefiner("CREATE ALGORITHM=UNDEFINED DEFINER=`a``b`@`%` SQL SECURITY DEFINER VIEW "
                                         "`v` AS select 1"),
            "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1");
}

TEST(MysqlTypes, GeometryKeepsItsSrid) {
  std::string stored("\xE6\x10\x00\x00\x01\x01\x00\x00\x00", 9);
  stored += std::string(16, '\x01');
  std::string wkb, back;
  ASSERT_TRUE(mysql_internal::GeometryToWkb(stored, &wkb).ok());
  EXPECT_EQ(wkb.size(), stored.size());  // the SRID moves into the EWKB header
  ASSERT_TRUE(mysql_internal::WkbToGeometry(wkb, &back).ok());
  EXPECT_EQ(back, stored);
}

TEST(Mysql, EveryTypeRoundTripsThroughAnArchiveAndMigrate) {
  REQUIRE_SERVER();
  TestDb src("types"), via_archive("types_a"), via_migrate("types_m"), via_insert("types_i");
  MakeEveryType(src.name());
  MakeObjects(src.name());
  std::string expected = Snapshot(src.name());
  ASSERT_NE(expected.find("AUTO_INCREMENT=1000"), std::string::npos);
  TempDir tmp;
  Status st = Copy(src.uri(), tmp.File("types.decant"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = Copy(tmp.File("types.decant"), via_archive.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(via_archive.name()), expected);
  st = Copy(src.uri(), via_migrate.uri(), LoadMode::kRefuseNonEmpty, 2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(via_migrate.name()), expected);
  setenv("DECANT_MYSQL_LOAD", "insert", 1);
  st = Copy(src.uri(), via_insert.uri());
  unsetenv("DECANT_MYSQL_LOAD");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(via_insert.name()), expected);

  auto a = OpenSource(src.uri());
  auto b = OpenSource(tmp.File("types.decant"));
  ASSERT_TRUE(a.ok() && b.ok());
  auto report = VerifySources(**a, **b);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->equal());
}

TEST(Mysql, SchemaModelDescribesTheTypes) {
  REQUIRE_SERVER();
  TestDb db("model");
  MakeEveryType(db.name());
  MakeObjects(db.name());
  auto source = OpenSource(db.uri());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->engine, "mysql");
  const Table* t = schema->FindTable("", "every_type");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->options.at("engine"), "InnoDB");
  EXPECT_EQ(t->options.at("charset"), "utf8mb4");
  EXPECT_EQ(t->options.at("collation"), "utf8mb4_unicode_ci");
  auto col = [&](const std::string& name) {
    for (const Column& c : t->columns) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << "no column " << name;
    return Column{};
  };
  EXPECT_EQ(col("biu").type.logical, LogicalType::kUInt64);
  EXPECT_EQ(col("iu").type.logical, LogicalType::kInt64);
  EXPECT_EQ(col("d65").type.precision, 65);
  EXPECT_EQ(col("d65").type.scale, 30);
  EXPECT_EQ(col("b13").type.logical, LogicalType::kBitString);
  EXPECT_EQ(col("b13").type.length, 13);
  EXPECT_EQ(col("e").type.enum_values, (std::vector<std::string>{"a", "b c", "d'e", "é"}));
  EXPECT_EQ(col("j").type.logical, LogicalType::kJson);
  EXPECT_EQ(col("dtm6").type.precision, 6);
  EXPECT_EQ(col("ts").type.logical, LogicalType::kTimestampTz);
  EXPECT_EQ(col("g").type.logical, LogicalType::kGeometry);
  EXPECT_EQ(col("c_l").collation.value_or(""), "latin1_swedish_ci");
  EXPECT_TRUE(col("gen_s").generated_stored);
  EXPECT_FALSE(col("gen_v").generated_stored);
  EXPECT_TRUE(col("id").auto_increment);
  const Table* parent = schema->FindTable("", "parent");
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->uniques.size(), 1u);
  EXPECT_EQ(parent->checks.size(), 1u);
  const Table* child = schema->FindTable("", "child");
  ASSERT_EQ(child->foreign_keys.size(), 2u);
  int fulltext = 0;
  for (const Index& i : schema->indexes) fulltext += i.method == "fulltext";
  EXPECT_EQ(fulltext, 2);
  bool prefix = false;
  for (const Index& i : schema->indexes) prefix |= i.native_ddl == "KEY `ix_title_prefix` (`title`(10))";
  EXPECT_TRUE(prefix);
  bool counter = false;
  for (const Sequence& s : schema->sequences) counter |= s.name == "every_type" && s.last_value == 999;
  EXPECT_TRUE(counter);
  EXPECT_EQ(schema->views.size(), 2u);
  EXPECT_EQ(schema->triggers.size(), 2u);
  EXPECT_EQ(schema->objects.size(), 2u);
}

TEST(Mysql, ChinookMigratesWithVerifyPassing) {
  REQUIRE_SERVER();
  std::string shared = testing_util::SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared/samples is absent; Chinook test skipped";
  TestDb src("chinook", false), dst("chinook_copy"), via_archive("chinook_a");
  std::string script = testing_util::ReadFile(shared + "/samples/chinook/Chinook_MySql.sql");
  for (const char* stmt : {"DROP DATABASE IF EXISTS `Chinook`", "CREATE DATABASE `Chinook`", "USE `Chinook`"}) {
    std::string from(stmt);
    size_t at = script.find(from);
    ASSERT_NE(at, std::string::npos);
    script.replace(at, from.size(), std::string(stmt).replace(from.find("`Chinook`"), 9, "`" + src.name() + "`"));
  }
  TempDir tmp;
  testing_util::WriteFile(tmp.File("chinook.sql"), script);
  std::string client = "mariadb";
  std::string defaults = Env("DECANT_TEST_MYSQL_DEFAULTS_FILE");
  auto p = mysql_internal::ParseUri(uri_for(""));
  ASSERT_TRUE(p.ok());
  std::string cmd = client + (defaults.empty() ? "" : " --defaults-file=" + defaults) + " -h " + p->host +
                    (p->port ? " -P " + std::to_string(p->port) : "") + (p->user.empty() ? "" : " -u " + p->user) +
                    " < " + tmp.File("chinook.sql");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  Status st = Copy(src.uri(), dst.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(Copy(src.uri(), tmp.File("chinook.decant")).ok());
  st = Copy(tmp.File("chinook.decant"), via_archive.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const std::string& target : {dst.uri(), tmp.File("chinook.decant"), via_archive.uri()}) {
    auto a = OpenSource(src.uri());
    auto b = OpenSource(target);
    ASSERT_TRUE(a.ok() && b.ok());
    auto report = VerifySources(**a, **b);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->equal()) << target;
    EXPECT_EQ(report->a.size(), 11u);
  }
  std::string expected = Snapshot(src.name());
  EXPECT_EQ(Snapshot(dst.name()), expected);
  EXPECT_EQ(Snapshot(via_archive.name()), expected);
  auto source_a = OpenSource(src.uri());
  auto source_b = OpenSource(dst.uri());
  ASSERT_TRUE(source_a.ok() && source_b.ok());
  auto sa = (*source_a)->ReadSchema();
  auto sb = (*source_b)->ReadSchema();
  ASSERT_TRUE(sa.ok() && sb.ok());
  // The copy's database was created utf8mb4; the sample's has the server default.
  sb->database = sa->database;
  sb->options = sa->options;
  EXPECT_TRUE(sa->tables == sb->tables);
  EXPECT_TRUE(*sa == *sb);
}

TEST(Mysql, OddIdentifiersSurvive) {
  REQUIRE_SERVER();
  TestDb src("odd `db` 'x'"), dst("odd copy ü");
  RawDb c(src.name());
  c.Exec(
      "CREATE TABLE `we``ird \"table\" 'x'` (`select` INT PRIMARY KEY, `col with space` VARCHAR(10), "
      "`ünïcødé ☃ 表` TEXT, `back``tick` INT, `order` INT, KEY `idx ``q``` (`order`), "
      "UNIQUE KEY `group` (`col with space`))");
  c.Exec(
      "CREATE TABLE `table` (`key` INT PRIMARY KEY, `from` INT, CONSTRAINT `fk ``x``` FOREIGN KEY (`from`) "
      "REFERENCES `we``ird \"table\" 'x'` (`select`))");
  c.Exec("INSERT INTO `we``ird \"table\" 'x'` VALUES (1, 'a b', 'ü', 2, 3), (2, NULL, NULL, NULL, NULL)");
  c.Exec("INSERT INTO `table` VALUES (10, 1)");
  c.Exec("CREATE VIEW `view ``v```  AS SELECT `select`, `col with space` FROM `we``ird \"table\" 'x'`");
  c.Exec("CREATE TRIGGER `trig ``t``` BEFORE INSERT ON `table` FOR EACH ROW SET NEW.`from` = NEW.`from`");
  std::string expected = Snapshot(src.name());
  TempDir tmp;
  ASSERT_TRUE(Copy(src.uri(), tmp.File("odd.decant")).ok());
  Status st = Copy(tmp.File("odd.decant"), dst.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst.name()), expected);
}

TEST(Mysql, RefusesANonEmptyTargetThenCleansOrAppends) {
  REQUIRE_SERVER();
  TestDb src("ne_src"), dst("ne_dst");
  RawDb(src.name()).Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
  RawDb(src.name()).Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  RawDb(dst.name()).Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
  RawDb(dst.name()).Exec("CREATE TABLE other (x INT)");
  RawDb(dst.name()).Exec("INSERT INTO t VALUES (1, 'a')");
  Status st = Copy(src.uri(), dst.uri());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("2 tables (other, t)"), std::string::npos) << st.message();
  EXPECT_EQ(RawDb(dst.name()).Rows("SELECT COUNT(*) FROM t")[0][0], "1");  // untouched
  // --append: the duplicate key is refused, as a constraint violation.
  st = Copy(src.uri(), dst.uri(), LoadMode::kAppend);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("Duplicate"), std::string::npos) << st.message();
  RawDb(dst.name()).Exec("DELETE FROM t");
  st = Copy(src.uri(), dst.uri(), LoadMode::kAppend);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(RawDb(dst.name()).Rows("SELECT COUNT(*) FROM t")[0][0], "2");
  st = Copy(src.uri(), dst.uri(), LoadMode::kClean);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(RawDb(dst.name()).Rows("SELECT COUNT(*) FROM t")[0][0], "2");
  EXPECT_EQ(RawDb(dst.name()).Rows("SELECT COUNT(*) FROM other")[0][0], "0");  // not ours: kept
}

// --upsert: INSERT ... ON DUPLICATE KEY UPDATE, never REPLACE: a parent row
// that is upserted is updated in place, so a child row that only the target
// has (ON DELETE CASCADE) stays; rows match by the primary key, or by a
// unique key; counts are exact, a row that already held the values (0
// affected rows) counting as updated.
TEST(Mysql, U16UpsertUpdatesInPlaceAndCountsExactly) {
  REQUIRE_SERVER();
  TestDb src("u16_up_src"), dst("u16_up_dst");
  RawDb s(src.name());
  s.Exec("CREATE TABLE parent (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20), qty INT) ENGINE=InnoDB");
  s.Exec(
      "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, note VARCHAR(20), FOREIGN KEY (parent_id) "
      "REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB");
  s.Exec("CREATE TABLE uk (code VARCHAR(10) NOT NULL, v INT, UNIQUE KEY (code)) ENGINE=InnoDB");
  s.Exec("INSERT INTO parent (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5)");
  s.Exec("INSERT INTO child VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 3, 'z')");
  s.Exec("INSERT INTO uk VALUES ('k1', 1), ('k2', 2)");
  ASSERT_TRUE(Copy(src.uri(), dst.uri()).ok());
  RawDb(dst.name()).Exec("INSERT INTO child VALUES (50, 1, 'only in the target')");
  // REPLACE would delete each parent row it replaces: the loading session has
  // foreign key checks off, so a trigger is what would see it.
  RawDb(dst.name()).Exec("CREATE TABLE deleted_log (id INT)");
  RawDb(dst.name())
      .Exec(
          "CREATE TRIGGER parent_deleted AFTER DELETE ON parent FOR EACH ROW INSERT INTO deleted_log VALUES (OLD.id)");
  s.Exec("UPDATE parent SET name = 'changed', qty = NULL WHERE id IN (2, 3)");
  s.Exec("INSERT INTO parent (name, qty) VALUES ('f', 6), ('g', 7)");
  s.Exec("UPDATE child SET note = 'changed' WHERE id = 1");
  s.Exec("INSERT INTO child VALUES (4, 7, 'w')");
  s.Exec("UPDATE uk SET v = 20 WHERE code = 'k2'");
  s.Exec("INSERT INTO uk VALUES ('k3', 3)");

  auto source = OpenSource(src.uri());
  auto sink = OpenDatabaseSink(dst.uri());
  ASSERT_TRUE(source.ok() && sink.ok());
  CopyOptions co;
  co.sink.mode = LoadMode::kAppend;
  co.sink.upsert = true;
  auto summary = CopyDatabase(**source, **sink, co);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  using Counts = std::pair<uint64_t, uint64_t>;
  std::map<std::string, Counts> counts;
  for (const TableCopyStats& t : summary->tables) counts[t.table] = {t.inserted, t.updated};
  EXPECT_EQ(counts["parent"], Counts(2, 5));
  EXPECT_EQ(counts["child"], Counts(1, 3));
  EXPECT_EQ(counts["uk"], Counts(1, 2));
  EXPECT_EQ(summary->inserted, 4u);
  EXPECT_EQ(summary->updated, 10u);
  RawDb d(dst.name());
  for (const char* q : {"SELECT * FROM parent ORDER BY id", "SELECT * FROM child WHERE id < 50 ORDER BY id",
                        "SELECT * FROM uk ORDER BY code"}) {
    EXPECT_EQ(d.Rows(q), s.Rows(q)) << q;
  }
  EXPECT_EQ(d.Rows("SELECT note FROM child WHERE id = 50"),
            std::vector<std::vector<std::string>>{{"only in the target"}});  // no delete, no cascade
  EXPECT_EQ(d.Rows("SELECT COUNT(*) FROM deleted_log")[0][0], "0");

  // Again through the binary, two jobs: every row found its key, none changed.
  auto r = testing_util::RunDecantBinary({"migrate", "--upsert", "-j", "2", src.uri(), dst.uri()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("migrated 3 tables, 14 rows (0 inserted, 14 updated; "), std::string::npos) << r.err;
  EXPECT_EQ(d.Rows("SELECT COUNT(*) FROM child")[0][0], "5");
  EXPECT_EQ(d.Rows("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                   "TABLE_NAME = 'parent'")[0][0],
            "8");

  // A table without a primary or unique key: one line naming it, exit 2, nothing written.
  s.Exec("CREATE TABLE loose (a INT)");
  RawDb(dst.name()).Exec("DELETE FROM uk");
  r = testing_util::RunDecantBinary({"migrate", "--upsert", src.uri(), dst.uri()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--upsert: table loose has no primary or unique key"), std::string::npos) << r.err;
  EXPECT_EQ(d.Rows("SELECT COUNT(*) FROM uk")[0][0], "0");
  EXPECT_EQ(d.Rows("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                   "TABLE_NAME = 'loose'")[0][0],
            "0");
}

TEST(Mysql, EstimatesSizesFromInformationSchema) {
  REQUIRE_SERVER();
  TestDb db("estimate");
  RawDb c(db.name());
  c.Exec("CREATE TABLE big (x int, pad varchar(200)) ENGINE=InnoDB");
  c.Exec("CREATE TABLE small (x int) ENGINE=InnoDB");
  c.Exec("INSERT INTO big VALUES (1, REPEAT('p', 150)), (2, REPEAT('p', 150)), (3, REPEAT('p', 150))");
  for (int i = 0; i < 10; ++i) c.Exec("INSERT INTO big SELECT x, pad FROM big");  // 3072 rows
  c.Exec("INSERT INTO small VALUES (1)");
  c.Exec("ANALYZE TABLE big, small");
  auto source = OpenMysqlSource(db.uri(), {});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  std::map<std::string, TableSize> sizes;
  for (const Table& t : schema->tables) sizes[t.name] = (*source)->EstimateSize(t);
  ASSERT_TRUE(sizes["big"].rows && sizes["big"].bytes && sizes["small"].bytes);
  EXPECT_GT(*sizes["big"].rows, 1000u);  // InnoDB samples: an estimate
  EXPECT_GT(*sizes["big"].bytes, *sizes["small"].bytes);
}

TEST(Mysql, ConnectionErrorsAreOneLineAndNameTheProblem) {
  REQUIRE_SERVER();
  auto p = mysql_internal::ParseUri(uri_for("x"));
  ASSERT_TRUE(p.ok());
  std::string user = p->user.empty() ? "decant" : p->user;
  std::string hostport = p->host + ":" + std::to_string(p->port ? p->port : 3306);
  auto check = [](const std::string& uri, StatusCode code, const std::string& words) {
    auto s = OpenMysqlSource(uri, {});
    ASSERT_FALSE(s.ok()) << uri;
    EXPECT_EQ(s.status().code(), code) << s.status().ToString();
    EXPECT_NE(s.status().message().find(words), std::string::npos) << s.status().message();
    EXPECT_EQ(s.status().message().find('\n'), std::string::npos);
    EXPECT_EQ(s.status().message().find("s3cret-pw"), std::string::npos);
  };
  // An explicit password in the URI wins over the option file.
  check("mysql://" + user + ":s3cret-pw@" + hostport + "/mysql", StatusCode::kUnavailable, "wrong password");
  check("mysql://" + user + ":s3cret-pw@no-such-host.invalid:3306/mysql?connect-timeout=3", StatusCode::kUnavailable,
        "unknown host 'no-such-host.invalid'");
  check("mysql://" + user + ":s3cret-pw@127.0.0.1:1/mysql?connect-timeout=3", StatusCode::kUnavailable, "on port 1");
  TestDb missing("missing", false);
  // A missing database is a failed connection, as on PostgreSQL (exit 6).
  check(missing.uri(), StatusCode::kUnavailable, "database '" + missing.name() + "' does not exist");
}

TEST(Mysql, PasswordFromMysqlPwd) {
  REQUIRE_SERVER();
  std::string file = Env("MYSQL_PWD_FILE");
  if (file.empty()) GTEST_SKIP() << "MYSQL_PWD_FILE is unset; MYSQL_PWD test skipped";
  std::string pw = testing_util::ReadFile(file);
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  TestDb db("pwd");
  // The base URI without the defaults file: only MYSQL_PWD supplies the password.
  std::string uri = Env("DECANT_TEST_MYSQL_URI");
  uri = uri.substr(0, uri.find('?'));
  if (uri.back() != '/') uri += "/";
  uri += db.name();
  setenv("MYSQL_PWD", pw.c_str(), 1);
  auto ok = OpenMysqlSource(uri, {});
  setenv("MYSQL_PWD", "not-the-password", 1);
  auto bad = OpenMysqlSource(uri, {});
  unsetenv("MYSQL_PWD");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("wrong password"), std::string::npos) << bad.status().message();
}

// The server restricted to a few databases, so the test ignores whatever
// else the shared test server holds.
class OnlyThese : public Server {
 public:
  OnlyThese(std::unique_ptr<Server> inner, std::vector<std::string> names)
      : inner_(std::move(inner)), names_(std::move(names)) {}
  Result<std::vector<std::string>> ListDatabases() override {
    DECANT_ASSIGN_OR_RETURN(auto all, inner_->ListDatabases());
    std::vector<std::string> out;
    for (const auto& n : all) {
      if (std::find(names_.begin(), names_.end(), n) != names_.end()) out.push_back(n);
    }
    return out;
  }
  std::string DatabaseUri(const std::string& d) const override { return inner_->DatabaseUri(d); }
  Result<bool> CreateDatabase(const std::string& d, const Schema& like) override {
    return inner_->CreateDatabase(d, like);
  }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::unique_ptr<Server> inner_;
  std::vector<std::string> names_;
};

TEST(Mysql, DumpAndRestoreSeveralDatabases) {
  REQUIRE_SERVER();
  TestDb a("dump_a"), b("dump_b"), c("dump_c");
  MakeObjects(a.name());
  MakeEveryType(b.name());
  RawDb(c.name()).Exec("CREATE TABLE t (x INT)");
  RawDb().Exec("ALTER DATABASE `" + c.name() + "` CHARACTER SET latin1 COLLATE latin1_german1_ci");
  std::map<std::string, std::string> expected;
  for (const TestDb* d : {&a, &b, &c}) expected[d->name()] = Snapshot(d->name());

  auto server = OpenServer(uri_for(""));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto all = (*server)->ListDatabases();
  ASSERT_TRUE(all.ok());
  for (const char* sys : {"mysql", "information_schema", "performance_schema", "sys"}) {
    EXPECT_EQ(std::count(all->begin(), all->end(), sys), 0) << sys;
  }
  OnlyThese only(std::move(*server), {a.name(), b.name(), c.name()});
  TempDir tmp;
  auto dumped = DumpServer(only, tmp.File("dump"), {});
  ASSERT_TRUE(dumped.ok()) << dumped.status().ToString();
  EXPECT_EQ(dumped->databases.size(), 3u);
  for (const TestDb* d : {&a, &b, &c}) RawDb().Exec("DROP DATABASE " + mysql_internal::QuoteIdent(d->name()));
  auto restored = RestoreServer(tmp.File("dump"), only, {});
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  for (const TestDb* d : {&a, &b, &c}) EXPECT_EQ(Snapshot(d->name()), expected[d->name()]) << d->name();
  auto collation = RawDb().Rows("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '" +
                                c.name() + "'");
  ASSERT_EQ(collation.size(), 1u);
  EXPECT_EQ(collation[0][0], "latin1_german1_ci");
}

TEST(Mysql, SqliteSchemasLoadIntoMysql) {
  REQUIRE_SERVER();
  TempDir tmp;
  std::string db = tmp.File("s.db");
  testing_util::SqliteExec(db,
                           "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC, data BLOB);"
                           "CREATE INDEX a_name ON a(name);"
                           "INSERT INTO a VALUES (1, 'x', 1.5, x'00ff'), (2, 'ü', NULL, NULL);");
  TestDb dst("from_sqlite");
  Status st = Copy("sqlite://" + db, dst.uri());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(RawDb(dst.name()).Rows("SELECT COUNT(*) FROM a")[0][0], "2");
}

// Every row of `reader`, one line each, sorted.
std::vector<std::string> AllRows(TableReader& reader) {
  std::vector<std::string> out;
  RowBatch batch;
  for (;;) {
    auto more = reader.Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::string line;
      for (size_t c = 0; c < batch.num_columns(); ++c) line += batch.row(r)[c].DebugString() + "|";
      out.push_back(line);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Tables whose keys split in every way SplitTable knows.
void MakeSliceTables(const std::string& db) {
  RawDb c(db);
  // Integers with gaps, negatives and both extremes.
  c.Exec("CREATE TABLE ints (id BIGINT PRIMARY KEY, v INT)");
  c.Exec("INSERT INTO ints SELECT CAST(seq AS SIGNED) * 7 - 3500, seq FROM seq_1_to_1000");
  c.Exec("INSERT INTO ints VALUES (-9223372036854775808, 0), (9223372036854775807, 0), (100000, 1)");
  c.Exec("CREATE TABLE uints (id BIGINT UNSIGNED PRIMARY KEY, v INT)");
  c.Exec("INSERT INTO uints SELECT seq * 13, seq FROM seq_1_to_500");
  c.Exec("INSERT INTO uints VALUES (0, 0), (18446744073709551615, 0), (9223372036854775808, 0)");
  // A case-insensitive string key whose first column holds 'a' and 'A',
  // 'b' and 'B ', 'x' and 'x ' (equal under PAD SPACE): composite, so the
  // equal values are different rows.
  c.Exec(
      "CREATE TABLE words (w VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, n INT NOT NULL, "
      "PRIMARY KEY (w, n))");
  c.Exec(
      "INSERT INTO words VALUES ('a', 1), ('A', 2), ('b', 3), ('B ', 4), ('B', 5), ('x', 6), ('x ', 7), "
      "('É', 8), ('e', 9), ('E', 10), ('z', 11), ('Z  ', 12), ('', 13), (' ', 14)");
  c.Exec("INSERT INTO words SELECT CONCAT(CHAR(65 + seq % 26), LPAD(seq, 4, '0')), seq FROM seq_1_to_300");
  c.Exec(
      "INSERT INTO words SELECT LOWER(CONCAT(CHAR(65 + seq % 26), LPAD(seq, 4, '0'))), seq + 1000 FROM seq_1_to_300");
  // A unique latin1 case-insensitive key, no primary key.
  c.Exec(
      "CREATE TABLE names (name VARCHAR(30) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL, v INT, "
      "UNIQUE KEY uq_name (name))");
  c.Exec("INSERT INTO names SELECT CONCAT(IF(seq % 2, 'n', 'N'), seq, IF(seq % 3, ' ', '')), seq FROM seq_1_to_400");
  c.Exec("INSERT INTO names VALUES ('Ärger', 1), ('öl', 2), ('zz', 3)");
  // Bytes.
  c.Exec("CREATE TABLE blobs (k VARBINARY(16) PRIMARY KEY, v INT)");
  c.Exec("INSERT INTO blobs SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_300");
  c.Exec("INSERT INTO blobs VALUES (X'', 0), (X'00', 0), (X'FF', 0)");
  // Composite integer key with many rows per first value.
  c.Exec("CREATE TABLE pairs (a INT, b INT, PRIMARY KEY (a, b))");
  c.Exec("INSERT INTO pairs SELECT seq % 5, seq FROM seq_1_to_500");
  // A nullable unique key with NULLs.
  c.Exec("CREATE TABLE nulls (u INT NULL, v INT, UNIQUE KEY uq_u (u))");
  c.Exec("INSERT INTO nulls SELECT IF(seq % 4 = 0, NULL, seq), seq FROM seq_1_to_400");
  c.Exec("CREATE TABLE empty_t (id INT PRIMARY KEY)");
  c.Exec("CREATE TABLE nokey (x INT)");
  c.Exec("INSERT INTO nokey SELECT seq FROM seq_1_to_10");
  c.Exec("ANALYZE TABLE ints, uints, words, names, blobs, pairs, nulls, empty_t, nokey");  // row estimates
}

TEST(MysqlSlices, CoverEveryRowExactlyOnce) {
  REQUIRE_SERVER();
  TestDb db("slices", true, "mys_");
  MakeSliceTables(db.name());
  auto source = OpenMysqlSource(db.uri(), EndpointOptions{3});
  auto other = OpenMysqlSource(db.uri(), {});  // another "process", reading slices from their bounds alone
  ASSERT_TRUE(source.ok() && other.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  std::map<std::string, size_t> split;
  for (const Table& t : schema->tables) {
    auto whole_reader = (*source)->OpenTable(t);
    ASSERT_TRUE(whole_reader.ok()) << whole_reader.status().ToString();
    std::vector<std::string> whole = AllRows(**whole_reader);
    whole_reader->reset();
    for (size_t max : {2, 3, 4}) {
      // A large estimate, so that even these small tables split.
      TableSize big{whole.size(), uint64_t{1} << 40};
      auto slices = (*source)->SplitTable(t, big, max);
      ASSERT_TRUE(slices.ok()) << t.name << ": " << slices.status().ToString();
      ASSERT_LE(slices->size(), max);
      split[t.name] = std::max(split[t.name], slices->size());
      for (Source* reading : {source->get(), other->get()}) {
        std::vector<std::string> joined;
        for (const TableSlice& s : *slices) {
          EXPECT_EQ(s.count, slices->size());
          auto reader = reading->OpenSlice(t, s);
          ASSERT_TRUE(reader.ok()) << t.name << " " << s.label << ": " << reader.status().ToString();
          auto rows = AllRows(**reader);
          joined.insert(joined.end(), rows.begin(), rows.end());
        }
        std::sort(joined.begin(), joined.end());
        EXPECT_EQ(joined, whole) << t.name << " in " << slices->size() << " slices";
      }
    }
  }
  for (const char* t : {"ints", "uints", "words", "names", "blobs", "pairs", "nulls"}) {
    EXPECT_EQ(split[t], 4u) << t;
  }
  EXPECT_EQ(split["empty_t"], 1u);
  EXPECT_EQ(split["nokey"], 1u);
  // Small tables are read whole; bounds that are not ours are refused.
  TableSlice bad;
  bad.count = 2;
  bad.bounds = "v1;t=i;c=6964;k=;cs=;co=;lo=1 OR 1=1;hi=;n=0";
  EXPECT_EQ((*source)->OpenSlice(schema->tables[0], bad).status().code(), StatusCode::kInvalidArgument);
  auto small = (*source)->SplitTable(schema->tables[0], TableSize{1000, 100000}, 4);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->size(), 1u);
}

// Big enough tables, split by the pipeline, out to an archive and into
// MySQL again (several writers of one table at once), then compared.
TEST(MysqlSlices, SlicedRoundTripVerifies) {
  REQUIRE_SERVER();
  TestDb src("sl_src", true, "mys_"), dst("sl_dst", true, "mys_"), direct("sl_direct", true, "mys_");
  MakeSliceTables(src.name());
  RawDb(src.name()).Exec("ALTER TABLE pairs ADD KEY ix_b (b)");
  setenv("DECANT_MYSQL_MIN_SLICE_ROWS", "50", 1);
  {
    // The pipeline splits these tables: what it asks for, with the server's estimates.
    auto source = OpenMysqlSource(src.uri(), EndpointOptions{2});
    ASSERT_TRUE(source.ok());
    auto schema = (*source)->ReadSchema();
    ASSERT_TRUE(schema.ok());
    for (const Table& t : schema->tables) {
      auto slices = (*source)->SplitTable(t, (*source)->EstimateSize(t), 2);
      ASSERT_TRUE(slices.ok());
      bool splits = t.name != "empty_t" && t.name != "nokey";
      EXPECT_EQ(slices->size(), splits ? 2u : 1u) << t.name;
    }
  }
  TempDir tmp;
  std::string archive = tmp.File("sliced");
  Status st;
  {
    auto source = OpenSource(src.uri(), EndpointOptions{2});
    auto sink = OpenArchiveSink(archive, ArchiveWriteOptions{ArchiveForm::kDirectory});
    ASSERT_TRUE(source.ok() && sink.ok());
    CopyOptions co;
    co.jobs = 2;
    auto summary = CopyDatabase(**source, **sink, co);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }
  st = Copy(archive, dst.uri(), LoadMode::kRefuseNonEmpty, 2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = Copy(src.uri(), direct.uri(), LoadMode::kRefuseNonEmpty, 2);
  unsetenv("DECANT_MYSQL_MIN_SLICE_ROWS");
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const std::string& other : {archive, dst.uri(), direct.uri()}) {
    auto a = OpenSource(src.uri());
    auto b = OpenSource(other);
    ASSERT_TRUE(a.ok() && b.ok());
    auto report = VerifySources(**a, **b);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->equal()) << other;
  }
  EXPECT_EQ(Snapshot(direct.name()), Snapshot(src.name()));
}

// Secondary keys and foreign keys come after the data; a row without its
// parent still fails the load, naming the key and the value.
TEST(MysqlSink, KeysAfterTheDataAndOrphansRefused) {
  REQUIRE_SERVER();
  TestDb src("fk_src", true, "mys_"), dst("fk_dst", true, "mys_"), bad("fk_bad", true, "mys_");
  RawDb c(src.name());
  c.Exec("CREATE TABLE parent (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, UNIQUE KEY uq_code (code))");
  c.Exec(
      "CREATE TABLE child (id INT PRIMARY KEY, pid INT, pcode VARCHAR(10), a INT, b INT, KEY ix_a (a), "
      "KEY ix_ab (a, b), UNIQUE KEY uq_b (b), CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES parent (id), "
      "CONSTRAINT fk_code FOREIGN KEY (pcode) REFERENCES parent (code))");
  c.Exec("INSERT INTO parent SELECT seq, CONCAT('c', seq) FROM seq_1_to_100");
  c.Exec(
      "INSERT INTO child SELECT seq, 1 + seq % 100, IF(seq % 3, CONCAT('c', 1 + seq % 50), NULL), seq, seq FROM "
      "seq_1_to_1000");
  c.Exec("INSERT INTO child VALUES (1001, NULL, NULL, 0, 0)");
  std::string expected = Snapshot(src.name());
  Status st = Copy(src.uri(), dst.uri(), LoadMode::kRefuseNonEmpty, 2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst.name()), expected);
  std::string create = RawDb(dst.name()).Rows("SHOW CREATE TABLE child")[0][1];
  for (const char* part : {"UNIQUE KEY `uq_b` (`b`)", "KEY `ix_a` (`a`)", "KEY `ix_ab` (`a`,`b`)",
                           "CONSTRAINT `fk_pid` FOREIGN KEY (`pid`)", "CONSTRAINT `fk_code` FOREIGN KEY (`pcode`)"}) {
    EXPECT_NE(create.find(part), std::string::npos) << part << "\n" << create;
  }
  // An orphan (the source's checks were off when it was written).
  c.Exec("SET SESSION foreign_key_checks = 0");
  c.Exec("INSERT INTO child VALUES (2000, 1, 'nope', 1, 5000)");
  st = Copy(src.uri(), bad.uri(), LoadMode::kRefuseNonEmpty, 2);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("fk_code"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("nope"), std::string::npos) << st.message();
  EXPECT_TRUE(RawDb(bad.name()).Rows("SHOW TABLES").empty());  // nothing left that looks complete
}

}  // namespace
}  // namespace decant
