// Index keys on fields of JSON documents (IndexKey::json_path, a RethinkDB
// secondary index on row('email')), end to end on every engine: the DDL each
// engine prints for `decant plan --ddl` and runs, and on a real target the
// index with its expression, a query on the field that uses it, and the
// document column as jsonb on PostgreSQL.
//
// The schema is built by hand as the RethinkDB source shapes a table (the
// primary key plus the whole document in `doc`), with engine "rethinkdb"
// (resolved by SystemNamed); rows go through each engine's Sink. Targets are
// inspected with sqlite3, psql and mariadb, not through decant. A server whose
// environment is not set (scripts/servers/*.sh env) is skipped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/engine_traits.h"
#include "engines/registry.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "pipeline/verify.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::Env;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::TempDir;
using testing_util::WriteFile;

IndexKey JsonKey(std::vector<std::string> path) {
  IndexKey k;
  k.column = "doc";
  k.json_path = std::move(path);
  return k;
}

Index JsonIndex(const std::string& name, std::vector<IndexKey> keys) {
  Index x;
  x.name = name;
  x.table = "ren_users";
  x.keys = std::move(keys);
  return x;
}

// A RethinkDB table as the default shape makes it: id text plus doc json,
// indexes on a top-level field, a nested one, a compound of two, and one whose
// members need quoting in every dialect.
Schema RethinkSchema() {
  Schema s;
  s.engine = "rethinkdb";
  s.database = "ren_app";
  Table t;
  t.name = "ren_users";
  t.columns.resize(2);
  t.columns[0].name = "id";
  t.columns[0].type.logical = LogicalType::kText;
  t.columns[0].nullable = false;
  t.columns[1].name = "doc";
  t.columns[1].type.logical = LogicalType::kJson;
  t.primary_key = KeyConstraint{"", {"id"}};
  s.tables = {t};
  s.indexes = {JsonIndex("by_email", {JsonKey({"email"})}), JsonIndex("by_city", {JsonKey({"address", "city"})}),
               JsonIndex("by_name_age", {JsonKey({"name"}), JsonKey({"age"})}),
               JsonIndex("by_odd", {JsonKey({"a b", "it's"})})};
  return s;
}

constexpr int kRows = 300;
const std::string kLongEmail = std::string(5000, 'x') + "@example.com";

// The documents: user<i>, plus one whose email is longer than any VARCHAR
// key, one without an email and one whose email is a number.
std::vector<std::pair<std::string, std::string>> Documents() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (int i = 0; i < kRows; ++i) {
    std::string n = std::to_string(i);
    rows.push_back({"u" + n, R"({"id": "u)" + n + R"(", "email": "user)" + n +
                                 R"(@example.com", "address": {"city": "city)" + std::to_string(i % 10) +
                                 R"("}, "name": "n)" + n + R"(", "age": )" + n + R"(, "a b": {"it's": "v)" + n +
                                 R"("}})"});
  }
  rows.push_back({"long", R"({"id": "long", "email": ")" + kLongEmail + R"("})"});
  rows.push_back({"none", R"({"id": "none", "name": "nobody"})"});
  rows.push_back({"number", R"({"id": "number", "email": 42})"});
  return rows;
}

// Loads the schema and the documents into `uri` through its Sink, the source
// being RethinkDB; returns what the sink refused.
std::vector<SinkObject> Load(const std::string& uri) {
  Schema schema = RethinkSchema();
  auto sink = OpenDatabaseSink(uri);
  EXPECT_TRUE(sink.ok()) << sink.status().ToString();
  if (!sink.ok()) return {};
  SinkOptions options;
  options.source = &SystemNamed(schema.engine);
  Status st = (*sink)->Begin(schema, options);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return {};
  auto writer = (*sink)->OpenTable(schema.tables[0]);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  RowBatch batch(2);
  for (const auto& [id, doc] : Documents()) {
    Value* row = batch.AppendRow();
    row[0] = Value::Text(id);
    row[1] = Value::Text(doc);
  }
  EXPECT_TRUE((*writer)->Write(batch).ok());
  EXPECT_TRUE((*writer)->Close().ok());
  st = (*sink)->Commit();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return (*sink)->Report().refused;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string UniqueName(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "ren_jp_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// ---- the DDL plan --ddl prints (no server) ------------------------------------------

std::string PrintedDdl(const char* name) {
  const EngineTraits* engine = FindEngine(name);
  EXPECT_NE(engine, nullptr) << name;
  if (engine == nullptr) return "";
  Schema s = RethinkSchema();
  const EngineTraits& source = SystemNamed(s.engine);
  EXPECT_EQ(source.name, "rethinkdb");
  if (engine->not_created) {
    EXPECT_THAT(engine->not_created(s, source), ::testing::IsEmpty()) << name;
  }
  return engine->schema_ddl(s, source);
}

TEST(JsonPathIndexDdl, PostgresqlExpressionIndexesOnJsonb) {
  std::string ddl = PrintedDdl("postgresql");
  EXPECT_THAT(ddl, HasSubstr("\"doc\" jsonb"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_email\" ON \"public\".\"ren_users\" ((\"doc\"->>'email'));"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_city\" ON \"public\".\"ren_users\" ((\"doc\"->'address'->>'city'));"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_name_age\" ON \"public\".\"ren_users\" ((\"doc\"->>'name'), "
                             "(\"doc\"->>'age'));"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_odd\" ON \"public\".\"ren_users\" ((\"doc\"->'a b'->>'it''s'));"));
}

TEST(JsonPathIndexDdl, SqliteJsonExtractIndexes) {
  std::string ddl = PrintedDdl("sqlite");
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_email\" ON \"ren_users\" (json_extract(\"doc\", '$.email'));"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_city\" ON \"ren_users\" (json_extract(\"doc\", '$.address.city'));"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX \"by_name_age\" ON \"ren_users\" (json_extract(\"doc\", '$.name'), "
                             "json_extract(\"doc\", '$.age'));"));
  EXPECT_THAT(ddl,
              HasSubstr("CREATE INDEX \"by_odd\" ON \"ren_users\" (json_extract(\"doc\", '$.\"a b\".\"it''s\"'));"));
}

TEST(JsonPathIndexDdl, SqliteNamesAPathItCannotWrite) {
  Schema s = RethinkSchema();
  s.indexes = {JsonIndex("by_quote", {JsonKey({"say \"hi\""})})};
  const EngineTraits* engine = FindEngine("sqlite");
  ASSERT_NE(engine, nullptr);
  EXPECT_THAT(engine->not_created(s, SystemNamed(s.engine)),
              ::testing::ElementsAre(HasSubstr("index by_quote on ren_users")));
  EXPECT_THAT(engine->schema_ddl(s, SystemNamed(s.engine)), Not(HasSubstr("CREATE INDEX")));
}

TEST(JsonPathIndexDdl, MysqlGeneratedColumnsAndPrefixKeys) {
  std::string ddl = PrintedDdl("mysql");
  EXPECT_THAT(ddl, HasSubstr("`doc` JSON"));
  EXPECT_THAT(ddl, HasSubstr("ALTER TABLE `ren_users` ADD COLUMN `doc_email` LONGTEXT AS "
                             "(json_unquote(json_extract(`doc`, '$.email'))) VIRTUAL, ADD KEY `by_email` "
                             "(`doc_email`(768));"));
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `doc_address_city` LONGTEXT AS "
                             "(json_unquote(json_extract(`doc`, '$.address.city'))) VIRTUAL, ADD KEY `by_city` "
                             "(`doc_address_city`(768));"));
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `doc_name` LONGTEXT AS (json_unquote(json_extract(`doc`, '$.name'))) "
                             "VIRTUAL, ADD COLUMN `doc_age` LONGTEXT AS (json_unquote(json_extract(`doc`, '$.age'))) "
                             "VIRTUAL, ADD KEY `by_name_age` (`doc_name`(384),`doc_age`(384));"));
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `doc_a_b_it_s` LONGTEXT AS (json_unquote(json_extract(`doc`, "
                             "'$.\"a b\".\"it''s\"'))) VIRTUAL, ADD KEY `by_odd` (`doc_a_b_it_s`(768));"));
}

TEST(JsonPathIndexDdl, MysqlGeneratedColumnNamesAreUniqueAndShort) {
  Schema s = RethinkSchema();
  s.tables[0].columns.push_back(s.tables[0].columns[1]);
  s.tables[0].columns.back().name = "DOC_EMAIL";  // taken, ignoring case
  std::string member(80, 'm');
  s.indexes = {JsonIndex("a", {JsonKey({"email"})}), JsonIndex("b", {JsonKey({"email"})}),
               JsonIndex("c", {JsonKey({member})}), JsonIndex("d", {JsonKey({member})})};
  const EngineTraits* engine = FindEngine("mysql");
  ASSERT_NE(engine, nullptr);
  std::string ddl = engine->schema_ddl(s, SystemNamed(s.engine));
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `doc_email_2` LONGTEXT"));
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `doc_email_3` LONGTEXT"));
  std::string cut = ("doc_" + member).substr(0, 61);
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `" + cut + "` LONGTEXT"));
  EXPECT_THAT(ddl, HasSubstr("ADD COLUMN `" + cut + "_2` LONGTEXT"));
}

// ---- loads into real targets ------------------------------------------------------------

TEST(JsonPathIndexLoad, Sqlite) {
  TempDir dir;
  std::string path = dir.File("ren_jp.db");
  EXPECT_THAT(Load("sqlite://" + path), ::testing::IsEmpty());
  auto sql = [&](const std::string& q) {
    auto r = RunShell("sqlite3 " + ShellQuote(path) + " " + ShellQuote(q));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return Trimmed(r.out);
  };
  EXPECT_EQ(sql("SELECT sql FROM sqlite_schema WHERE name = 'by_city'"),
            "CREATE INDEX \"by_city\" ON \"ren_users\" (json_extract(\"doc\", '$.address.city'))");
  EXPECT_EQ(sql("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'by_%'"), "4");
  EXPECT_THAT(sql("EXPLAIN QUERY PLAN SELECT id FROM ren_users WHERE json_extract(doc, '$.address.city') = 'city3'"),
              HasSubstr("USING INDEX by_city"));
  EXPECT_THAT(
      sql("EXPLAIN QUERY PLAN SELECT id FROM ren_users WHERE json_extract(doc, '$.email') = 'user7@example.com'"),
      HasSubstr("USING INDEX by_email"));
  EXPECT_THAT(sql("EXPLAIN QUERY PLAN SELECT id FROM ren_users WHERE json_extract(doc, '$.name') = 'n5' AND "
                  "json_extract(doc, '$.age') = 5"),
              HasSubstr("USING INDEX by_name_age"));
  EXPECT_THAT(sql("EXPLAIN QUERY PLAN SELECT id FROM ren_users WHERE json_extract(doc, '$.\"a b\".\"it''s\"') = 'v9'"),
              HasSubstr("USING INDEX by_odd"));
  EXPECT_EQ(sql("SELECT count(*) FROM ren_users WHERE json_extract(doc, '$.address.city') = 'city3'"), "30");
  EXPECT_EQ(sql("SELECT id FROM ren_users WHERE json_extract(doc, '$.\"a b\".\"it''s\"') = 'v9'"), "u9");
}

class JsonPathIndexPg : public ::testing::TestWithParam<const char*> {};

TEST_P(JsonPathIndexPg, ExpressionIndexesOnJsonbUsedByQueries) {
  std::string server = Env(GetParam());
  if (server.empty()) GTEST_SKIP() << GetParam() << " is unset (source the env of scripts/servers/postgresql.sh)";
  std::string db = UniqueName("pg");
  std::string uri = server.substr(0, server.rfind('/') + 1) + db;
  auto psql = [&](const std::string& target, const std::string& q) {
    TempDir tmp;
    WriteFile(tmp.File("q.sql"), q);
    auto r = RunShell("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + ShellQuote(target) + " -f " +
                      ShellQuote(tmp.File("q.sql")));
    EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << q;
    return Trimmed(r.out);
  };
  psql(server,
       "DROP DATABASE IF EXISTS \"" + db + "\"; CREATE DATABASE \"" + db + "\" ENCODING 'UTF8' TEMPLATE template0");
  EXPECT_THAT(Load(uri), ::testing::IsEmpty());
  EXPECT_EQ(psql(uri,
                 "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                 "'public.ren_users'::regclass AND attname = 'doc'"),
            "jsonb");
  EXPECT_EQ(psql(uri, "SELECT indexdef FROM pg_indexes WHERE indexname = 'by_city'"),
            "CREATE INDEX by_city ON public.ren_users USING btree ((((doc -> 'address'::text) ->> 'city'::text)))");
  EXPECT_EQ(psql(uri, "SELECT indexdef FROM pg_indexes WHERE indexname = 'by_odd'"),
            "CREATE INDEX by_odd ON public.ren_users USING btree ((((doc -> 'a b'::text) ->> 'it''s'::text)))");
  EXPECT_EQ(psql(uri, "SELECT count(*) FROM pg_indexes WHERE tablename = 'ren_users' AND indexname LIKE 'by_%'"), "4");
  const std::string off = "SET enable_seqscan = off; SET enable_bitmapscan = off; ANALYZE ren_users; EXPLAIN ";
  EXPECT_THAT(psql(uri, off + "SELECT id FROM ren_users WHERE doc->>'email' = 'user7@example.com'"),
              HasSubstr("Index Scan using by_email"));
  EXPECT_THAT(psql(uri, off + "SELECT id FROM ren_users WHERE doc->'address'->>'city' = 'city3'"),
              HasSubstr("Index Scan using by_city"));
  EXPECT_THAT(psql(uri, off + "SELECT id FROM ren_users WHERE doc->>'name' = 'n5' AND doc->>'age' = '5'"),
              HasSubstr("Index Scan using by_name_age"));
  EXPECT_EQ(psql(uri, "SELECT count(*) FROM ren_users WHERE doc->'address'->>'city' = 'city3'"), "30");
  EXPECT_EQ(psql(uri, "SELECT length(doc->>'email') FROM ren_users WHERE id = 'long'"),
            std::to_string(kLongEmail.size()));
  // jsonb gives the document back normalised (key order, spacing): compared by value.
  EXPECT_EQ(psql(uri, "SELECT doc::text FROM ren_users WHERE id = 'u1'"),
            R"({"id": "u1", "a b": {"it's": "v1"}, "age": 1, "name": "n1", "email": "user1@example.com", )"
            R"("address": {"city": "city1"}})");
  psql(server, "DROP DATABASE IF EXISTS \"" + db + "\"");
}

INSTANTIATE_TEST_SUITE_P(Servers, JsonPathIndexPg,
                         ::testing::Values("DECANT_TEST_PG15_URI", "DECANT_TEST_PG_OLD_URI", "DECANT_TEST_PG_NEW_URI"));

TEST(JsonPathIndexLoad, Mariadb) {
  if (Env("DECANT_TEST_MYSQL_URI").empty()) GTEST_SKIP() << "source the env of scripts/servers/mariadb.sh";
  std::string db = UniqueName("my");
  auto mysql = [&](const std::string& target, const std::string& q) {
    TempDir tmp;
    WriteFile(tmp.File("q.sql"), q);
    auto r = RunShell("mariadb " + testing_util::MysqlClientArgs() + " --default-character-set=utf8mb4 -N -B " +
                      (target.empty() ? "" : ShellQuote(target)) + " < " + ShellQuote(tmp.File("q.sql")));
    EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << q;
    return Trimmed(r.out);
  };
  mysql("",
        "DROP DATABASE IF EXISTS `" + db + "`; CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  // The server's default strict mode: a VARCHAR(n) generated column would
  // refuse the long email (and the ALTER with it); LONGTEXT takes it.
  EXPECT_THAT(mysql(db, "SELECT @@sql_mode"), HasSubstr("STRICT_TRANS_TABLES"));
  EXPECT_THAT(Load(testing_util::MysqlTestUri(db)), ::testing::IsEmpty());
  EXPECT_EQ(mysql(db,
                  "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS "
                  "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ren_users' AND INDEX_NAME LIKE 'by_%' "
                  "ORDER BY 1, 2"),
            "by_city\t1\tdoc_address_city\t768\n"
            "by_email\t1\tdoc_email\t768\n"
            "by_name_age\t1\tdoc_name\t384\n"
            "by_name_age\t2\tdoc_age\t384\n"
            "by_odd\t1\tdoc_a_b_it_s\t768");
  EXPECT_EQ(mysql(db,
                  "SELECT GENERATION_EXPRESSION, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                  "DATABASE() AND TABLE_NAME = 'ren_users' AND COLUMN_NAME = 'doc_a_b_it_s'"),
            // MariaDB keeps the quote as \', which the client's batch output shows as \\'.
            "json_unquote(json_extract(`doc`,'$.\"a b\".\"it\\\\'s\"'))\tVIRTUAL GENERATED");
  EXPECT_THAT(mysql(db, "SHOW INDEX FROM ren_users WHERE Key_name = 'by_email'"), HasSubstr("doc_email"));
  EXPECT_THAT(mysql(db,
                    "ANALYZE TABLE ren_users; EXPLAIN SELECT id FROM ren_users WHERE doc_email = "
                    "'user7@example.com'"),
              HasSubstr("by_email"));
  EXPECT_THAT(mysql(db, "EXPLAIN SELECT id FROM ren_users WHERE doc_address_city = 'city3'"), HasSubstr("by_city"));
  EXPECT_EQ(mysql(db, "SELECT count(*) FROM ren_users WHERE doc_address_city = 'city3'"), "30");
  EXPECT_EQ(mysql(db, "SELECT id FROM ren_users WHERE doc_a_b_it_s = 'v9'"), "u9");
  EXPECT_EQ(mysql(db, "SELECT length(doc_email) FROM ren_users WHERE id = 'long'"), std::to_string(kLongEmail.size()));
  EXPECT_EQ(mysql(db, "SELECT id FROM ren_users WHERE doc_email = '" + kLongEmail + "'"), "long");
  EXPECT_EQ(mysql(db, "SELECT doc_email FROM ren_users WHERE id IN ('none', 'number') ORDER BY id"), "NULL\n42");
  // A longer document written after the load is taken too.
  mysql(db, "INSERT INTO ren_users (id, doc) VALUES ('later', '{\"email\": \"" + std::string(9000, 'y') + "\"}')");
  EXPECT_EQ(mysql(db, "SELECT length(doc_email) FROM ren_users WHERE id = 'later'"), "9000");
  mysql("", "DROP DATABASE IF EXISTS `" + db + "`");
}

// ---- the whole copy and verify: documents in, jsonb out, equal -------------------------

// A RethinkDB table in memory (what the RethinkDB source gives the pipeline).
class DocumentSource : public Source {
 public:
  explicit DocumentSource(std::vector<std::pair<std::string, std::string>> rows) : rows_(std::move(rows)) {}
  Result<Schema> ReadSchema() override { return RethinkSchema(); }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table&) override {
    return std::unique_ptr<TableReader>(new Reader(rows_));
  }
  std::string Describe() const override { return "documents"; }

 private:
  class Reader : public TableReader {
   public:
    explicit Reader(const std::vector<std::pair<std::string, std::string>>& rows) : rows_(rows) {}
    Result<bool> Next(RowBatch* batch) override {
      batch->Reset(2);
      if (done_) return false;
      for (const auto& [id, doc] : rows_) {
        Value* row = batch->AppendRow();
        row[0] = Value::Text(id);
        row[1] = Value::Text(doc);
      }
      done_ = true;
      return true;
    }

   private:
    const std::vector<std::pair<std::string, std::string>>& rows_;
    bool done_ = false;
  };
  std::vector<std::pair<std::string, std::string>> rows_;
};

// Documents as a RethinkDB export writes them (Python's json.dumps: ", " and
// ": ", keys in the server's order) and as hand-made files may: 1e2, 100.0,
// duplicate keys, unicode escapes.
std::vector<std::pair<std::string, std::string>> UnnormalisedDocuments() {
  std::vector<std::pair<std::string, std::string>> rows = Documents();
  rows.push_back({"spaced",
                  "{ \"email\" :\n \"s@example.com\" , \"z\": [1e2, 100.0, 1.50, -0, 1e16],\n"
                  " \"dup\": 1, \"dup\": 2, \"u\": \"caf\\u00e9 \\ud83d\\ude00\"}"});
  return rows;
}

TEST(JsonPathIndexCopy, DocumentsVerifyEqualAfterJsonbAndGeneratedColumns) {
  std::vector<std::string> targets;
  TempDir dir;
  targets.push_back("sqlite://" + dir.File("ren_copy.db"));
  std::string pg = Env("DECANT_TEST_PG15_URI"), my = Env("DECANT_TEST_MYSQL_URI");
  std::string db = UniqueName("copy");
  auto run = [](const std::string& cmd) { EXPECT_EQ(RunShell(cmd).exit_code, 0) << cmd; };
  if (!pg.empty()) {
    run("psql -X -q -d " + ShellQuote(pg) + " -c " + ShellQuote("CREATE DATABASE \"" + db + "\""));
    targets.push_back(pg.substr(0, pg.rfind('/') + 1) + db);
  }
  if (!my.empty()) {
    run("mariadb " + testing_util::MysqlClientArgs() + " -e " + ShellQuote("CREATE DATABASE `" + db + "`"));
    targets.push_back(testing_util::MysqlTestUri(db));
  }
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    DocumentSource source(UnnormalisedDocuments());
    auto sink = OpenDatabaseSink(target);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    auto copied = CopyDatabase(source, **sink, {});
    ASSERT_TRUE(copied.ok()) << copied.status().ToString();
    EXPECT_EQ(copied->indexes, 4u);
    EXPECT_THAT(copied->not_carried, ::testing::IsEmpty());
    EXPECT_THAT(copied->conversions, ::testing::IsEmpty());
    DocumentSource again(UnnormalisedDocuments());
    auto loaded = OpenSource(target);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    auto report = VerifySources(again, **loaded);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    for (const TableDifference& d : report->differences) {
      ADD_FAILURE() << d.table << ": " << d.reason << (d.details.empty() ? "" : " " + d.details[0]);
    }
  }
  if (!pg.empty()) run("psql -X -q -d " + ShellQuote(pg) + " -c " + ShellQuote("DROP DATABASE \"" + db + "\""));
  if (!my.empty()) {
    run("mariadb " + testing_util::MysqlClientArgs() + " -e " + ShellQuote("DROP DATABASE `" + db + "`"));
  }
}

// A NUL in a document's string: jsonb cannot hold it, so it is removed and
// counted (json, MySQL and SQLite keep it); the load goes on.
TEST(JsonPathIndexCopy, NulInADocumentIsRemovedForJsonb) {
  std::string pg = Env("DECANT_TEST_PG15_URI");
  if (pg.empty()) GTEST_SKIP() << "source the env of scripts/servers/postgresql.sh";
  std::string db = UniqueName("nul");
  std::string uri = pg.substr(0, pg.rfind('/') + 1) + db;
  auto psql = [&](const std::string& target, const std::string& q) {
    auto r = RunShell("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + ShellQuote(target) + " -c " + ShellQuote(q));
    EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << q;
    return Trimmed(r.out);
  };
  psql(pg, "CREATE DATABASE \"" + db + "\"");
  DocumentSource source({{"a", R"({"email": "a\u0000b@example.com"})"}, {"b", R"({"email": "b@example.com"})"}});
  auto sink = OpenDatabaseSink(uri);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  auto copied = CopyDatabase(source, **sink, {});
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  ASSERT_EQ(copied->conversions.size(), 1u);
  EXPECT_EQ(copied->conversions[0].column, "doc");
  EXPECT_EQ(copied->conversions[0].count, 1u);
  EXPECT_EQ(copied->conversions[0].reason, "NUL removed from a JSON string");
  EXPECT_EQ(psql(uri, "SELECT doc->>'email' FROM ren_users ORDER BY id"), "ab@example.com\nb@example.com");
  sink->reset();  // its connection, before the database is dropped
  psql(pg, "DROP DATABASE \"" + db + "\"");
}

}  // namespace
}  // namespace decant
