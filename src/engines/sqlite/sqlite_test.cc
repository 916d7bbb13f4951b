#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

#include "engines/sqlite/sqlite_ddl_parse.h"
#include "engines/sqlite/sqlite_endpoint.h"
#include "engines/sqlite/sqlite_util.h"
#include "tests/test_util.h"

namespace decant {
namespace {

namespace fs = std::filesystem;

// Runs `sql` on the database at `path` (created if missing).
const auto& exec = testing_util::SqliteExec;

std::string Hex(const void* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 15]);
  }
  return out;
}

// Every cell of a query as storage class + exact bytes, one line per row.
std::string Dump(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return std::string("error: ") + sqlite3_errmsg(db);
  }
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER: out += "i:" + std::to_string(sqlite3_column_int64(st, i)); break;
        case SQLITE_FLOAT: {
          double d = sqlite3_column_double(st, i);
          out += "f:" + Hex(&d, sizeof d);
          break;
        }
        case SQLITE_TEXT: {
          const unsigned char* p = sqlite3_column_text(st, i);
          out += "t:" + Hex(p, static_cast<size_t>(sqlite3_column_bytes(st, i)));
          break;
        }
        case SQLITE_BLOB: {
          const void* p = sqlite3_column_blob(st, i);
          out += "b:" + Hex(p, static_cast<size_t>(sqlite3_column_bytes(st, i)));
          break;
        }
        default: out += "n";
      }
      out += "|";
    }
    out += "\n";
  }
  sqlite3_finalize(st);
  return out;
}

std::string QuoteId(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// An independent picture of a database: schema text, every row of every
// table (with storage classes and bytes), sqlite_sequence and header values.
// Shadow tables of virtual tables are left out (their layout is the module's
// business); the virtual tables' own rows are in.
std::string Snapshot(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string out = Dump(db,
                         "SELECT type, name, tbl_name, sql FROM sqlite_schema "
                         "WHERE name <> 'sqlite_sequence' ORDER BY type, name");
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                     "'sqlite%' AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') "
                     "ORDER BY name",
                     -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out += "table " + name + ":\n" + Dump(db, "SELECT * FROM " + QuoteId(name));
  }
  sqlite3_finalize(st);
  out += "sequence:\n" + Dump(db, "SELECT name, seq FROM sqlite_sequence ORDER BY name");
  for (const char* p : {"user_version", "application_id", "encoding", "page_size", "auto_vacuum"}) {
    out += std::string(p) + "=" + Dump(db, std::string("PRAGMA ") + p);
  }
  sqlite3_close(db);
  return out;
}

const auto& file_bytes = testing_util::ReadFile;

std::string Uri(const std::string& path) { return "sqlite://" + path; }

// The pipeline's job in miniature: schema, then every table, then commit.
Status Copy(const std::string& from, const std::string& to, LoadMode mode = LoadMode::kRefuseNonEmpty,
            FileSystem* fs = FileSystem::Default()) {
  DECANT_ASSIGN_OR_RETURN(std::unique_ptr<Source> src, OpenSqliteSource(Uri(from)));
  DECANT_ASSIGN_OR_RETURN(Schema schema, src->ReadSchema());
  DECANT_ASSIGN_OR_RETURN(std::unique_ptr<Sink> sink, OpenSqliteSink(Uri(to), fs));
  SinkOptions options;
  options.mode = mode;
  DECANT_RETURN_IF_ERROR(sink->Begin(schema, options));
  RowBatch batch;
  for (const Table& t : schema.tables) {
    DECANT_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> reader, src->OpenTable(t));
    DECANT_ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> writer, sink->OpenTable(t));
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) break;
      DECANT_RETURN_IF_ERROR(writer->Write(batch));
    }
    DECANT_RETURN_IF_ERROR(writer->Close());
  }
  return sink->Commit();
}

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/decant_sqlite_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

constexpr const char* kRichSchema = R"sql(
PRAGMA page_size = 8192;
PRAGMA auto_vacuum = FULL;
PRAGMA user_version = 42;
PRAGMA application_id = 1234567;
CREATE TABLE parent(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  code TEXT COLLATE RTRIM DEFAULT 'x',
  CONSTRAINT name_len CHECK (length(name) > 0)
);
CREATE TABLE child(
  a INTEGER,
  b TEXT,
  parent_id INTEGER,
  note TEXT DEFAULT 'it''s (a) "quote" -- not a comment',
  PRIMARY KEY (a, b),
  CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent(id)
    ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
  CHECK (a >= 0 /* a comment ) with a paren */)
) WITHOUT ROWID;
CREATE TABLE strict_t(id INTEGER PRIMARY KEY, i INT, r REAL, t TEXT, b BLOB, x ANY) STRICT;
CREATE TABLE gen(
  id INTEGER PRIMARY KEY,
  w REAL,
  h REAL,
  area REAL GENERATED ALWAYS AS (w * h) VIRTUAL,
  perim REAL AS (2 * (w + h)) STORED
);
CREATE TABLE vals(k INTEGER, i INTEGER, t TEXT, r REAL, b BLOB, n NUMERIC, any_col, flag BOOLEAN,
                  d DATE, ts DATETIME, price DECIMAL(10,2), vc VARCHAR(20));
CREATE TABLE log(id INTEGER PRIMARY KEY, msg TEXT);
CREATE TABLE "weird ""name"""("col ""q""" TEXT, [sp ace] INT, c3 UNIQUE);
CREATE INDEX parent_code ON parent(code DESC);
CREATE INDEX child_partial ON child(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX parent_expr ON parent(lower(name), code COLLATE NOCASE);
CREATE UNIQUE INDEX vals_k ON vals(k);
CREATE VIEW v_parent AS SELECT id, name FROM parent WHERE id > 1;
CREATE TRIGGER parent_ins AFTER INSERT ON parent BEGIN
  INSERT INTO log(msg) VALUES ('inserted ' || new.name);
END;
INSERT INTO parent(name, code) VALUES ('one', 'a'), ('two', 'b  '), ('three', NULL), ('four', 'd'),
  ('five', 'e');
DELETE FROM parent WHERE id >= 4;
DELETE FROM log WHERE id = 2;
INSERT INTO child(a, b, parent_id) VALUES (1, 'x', 1);
INSERT INTO child VALUES (1, 'y', 2, 'n'), (2, 'x', NULL, NULL);
INSERT INTO strict_t VALUES (1, 7, 1.5, 'text', x'00ff', 'any'), (2, NULL, NULL, NULL, NULL, 3.25);
INSERT INTO gen(id, w, h) VALUES (1, 2.0, 3.0), (2, NULL, 1);
INSERT INTO "weird ""name""" VALUES ('q', 1, 1), ('r', 2, x'01');
)sql";

// Rows whose values need the C API (NUL bytes, invalid UTF-8, empty blobs).
void InsertTrickyValues(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "INSERT INTO vals(k, i, t, r, b, n, any_col) VALUES (?,?,?,?,?,?,?)", -1, &st, nullptr),
      SQLITE_OK);
  int k = 0;
  auto row = [&](const std::function<void()>& bind) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int(st, 1, ++k);
    bind();
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
  };
  const std::string nul_text("a\0b\xF0\x9F\x98\x80 \xE2\x82\xAC", 11);
  const std::string bad_utf8("\xff\xfe\xc3(", 4);
  row([&] {
    sqlite3_bind_int64(st, 2, std::numeric_limits<int64_t>::min());
    sqlite3_bind_text(st, 3, nul_text.data(), static_cast<int>(nul_text.size()), SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 4, -0.0);
    sqlite3_bind_zeroblob(st, 5, 0);
    sqlite3_bind_text(st, 6, "12.50", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, -0.0);
  });
  row([&] {
    sqlite3_bind_int64(st, 2, std::numeric_limits<int64_t>::max());
    sqlite3_bind_text(st, 3, bad_utf8.data(), static_cast<int>(bad_utf8.size()), SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 4, std::numeric_limits<double>::infinity());
    sqlite3_bind_null(st, 5);
    sqlite3_bind_text(st, 6, "abc", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, -std::numeric_limits<double>::infinity());
  });
  row([&] {
    sqlite3_bind_text(st, 2, "not a number", -1, SQLITE_STATIC);  // text in INTEGER
    sqlite3_bind_blob(st, 3, "\x00\x01", 2, SQLITE_STATIC);       // blob in TEXT
    sqlite3_bind_text(st, 4, "", 0, SQLITE_STATIC);               // empty text in REAL
    sqlite3_bind_blob(st, 5, "", 0, SQLITE_STATIC);               // empty blob
    sqlite3_bind_double(st, 6, 0.1);
    sqlite3_bind_text(st, 7, "", 0, SQLITE_STATIC);
  });
  row([&] {
    sqlite3_bind_double(st, 2, 1.5);  // real in INTEGER
    sqlite3_bind_null(st, 3);
    sqlite3_bind_double(st, 4, 5e-324);
    sqlite3_bind_blob(st, 5, "\xde\xad\xbe\xef", 4, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, -1);
    sqlite3_bind_blob(st, 7, "\x00", 1, SQLITE_STATIC);
  });
  sqlite3_finalize(st);
  sqlite3_close(db);
}

void MakeRichSource(const std::string& path) {
  exec(path, kRichSchema);
  InsertTrickyValues(path);
}

TEST_F(SqliteTest, RoundTripIsExact) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  MakeRichSource(src);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  EXPECT_FALSE(fs::exists(dst + ".partial"));

  // The trigger did not fire during the load: log holds exactly the source's rows (ids 1,3,4,5).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dst.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(Dump(db, "SELECT group_concat(id) FROM log"), "t:" + Hex("1,3,4,5", 7) + "|\n");
  EXPECT_EQ(Dump(db, "SELECT seq FROM sqlite_sequence WHERE name = 'parent'"), "i:5|\n");
  // -0.0: a REAL column holds +0.0 (SQLite stores integral reals as integers),
  // a column without affinity keeps the sign bit.
  double neg_zero = -0.0, pos_zero = 0.0;
  EXPECT_EQ(Dump(db, "SELECT r, any_col FROM vals WHERE k = 1"),
            "f:" + Hex(&pos_zero, 8) + "|f:" + Hex(&neg_zero, 8) + "|\n");
  // The trigger still works after the load, and the sequence continues from 5.
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO parent(name) VALUES ('six')", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(Dump(db, "SELECT max(id), (SELECT count(*) FROM log) FROM parent"), "i:6|i:5|\n");
  sqlite3_close(db);
}

// --upsert through the binary: ON CONFLICT (key) DO UPDATE by the primary
// key or a unique key; rows only the target has stay; the summary counts
// what was inserted and what found its key; with --data-only too; a table
// without a key is refused with one line (exit 2) and the file untouched.
TEST_F(SqliteTest, U16UpsertReplacesRowsByKey) {
  std::string src = Path("u16_src.db"), dst = Path("u16_dst.db");
  exec(src,
       "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, qty INT);"
       "CREATE TABLE uk (code TEXT NOT NULL UNIQUE, v INT);"
       "INSERT INTO parent VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3);"
       "INSERT INTO uk VALUES ('k1', 1), ('k2', 2);");
  auto r = testing_util::RunDecantBinary({"migrate", Uri(src), Uri(dst)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  exec(dst, "INSERT INTO parent VALUES (100, 'only in the target', 0)");
  exec(src,
       "UPDATE parent SET name = 'changed', qty = NULL WHERE id = 2; INSERT INTO parent VALUES (4, 'd', 4);"
       "UPDATE uk SET v = 20 WHERE code = 'k2'; INSERT INTO uk VALUES ('k3', 3), ('k4', 4);");
  std::string log = Path("u16.jsonl");
  r = testing_util::RunDecantBinary({"--json-log", log, "migrate", "--upsert", Uri(src), Uri(dst)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("migrated 2 tables, 8 rows (3 inserted, 5 updated; "), std::string::npos) << r.err;
  // The same counts in the run's last event (docs/events.md).
  std::string events = testing_util::ReadFile(log);
  EXPECT_NE(events.find("\"rows\":8,"), std::string::npos) << events;
  EXPECT_NE(events.find("\"inserted\":3,\"updated\":5"), std::string::npos) << events;
  sqlite3* a = nullptr;
  sqlite3* b = nullptr;
  ASSERT_EQ(sqlite3_open(src.c_str(), &a), SQLITE_OK);
  ASSERT_EQ(sqlite3_open(dst.c_str(), &b), SQLITE_OK);
  EXPECT_EQ(Dump(b, "SELECT * FROM parent WHERE id < 100 ORDER BY id"), Dump(a, "SELECT * FROM parent ORDER BY id"));
  EXPECT_EQ(Dump(b, "SELECT * FROM uk ORDER BY code"), Dump(a, "SELECT * FROM uk ORDER BY code"));
  EXPECT_EQ(Dump(b, "SELECT count(*) FROM parent"), "i:5|\n");
  sqlite3_close(b);

  // --data-only --upsert: the tables are there; nothing new, all found.
  r = testing_util::RunDecantBinary({"migrate", "--data-only", "--upsert", Uri(src), Uri(dst)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("8 rows (0 inserted, 8 updated; "), std::string::npos) << r.err;

  // import --upsert from an archive: the same.
  std::string archive = Path("u16.decant");
  r = testing_util::RunDecantBinary({"export", Uri(src), "-o", archive});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = testing_util::RunDecantBinary({"import", "--upsert", archive, Uri(dst)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("imported 2 tables, 8 rows (0 inserted, 8 updated; "), std::string::npos) << r.err;

  // A table without a key: refused before anything is written.
  exec(src, "CREATE TABLE loose (x INT); INSERT INTO loose VALUES (1); UPDATE parent SET qty = 9");
  std::string before = Snapshot(dst);
  r = testing_util::RunDecantBinary({"migrate", "--upsert", Uri(src), Uri(dst)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--upsert: table loose has no primary or unique key"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(Snapshot(dst), before);
  // Nonsense combinations are usage errors.
  r = testing_util::RunDecantBinary({"migrate", "--upsert", "--clean", Uri(src), Uri(dst)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = testing_util::RunDecantBinary({"migrate", "--upsert", "--format", "decant", Uri(src), Path("u16.decant")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--upsert loads a database"), std::string::npos) << r.err;
  sqlite3_close(a);
}

TEST_F(SqliteTest, EstimatesRowsFromTheLastRowid) {
  std::string db = Path("est.db");
  exec(db,
       "CREATE TABLE t (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
       "INSERT INTO t SELECT i FROM n; CREATE TABLE e (x); CREATE TABLE w (k PRIMARY KEY) WITHOUT ROWID;");
  auto source = OpenSqliteSource(Uri(db));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  std::map<std::string, TableSize> sizes;
  for (const Table& t : schema->tables) sizes[t.name] = (*source)->EstimateSize(t);
  EXPECT_EQ(sizes["t"].rows, 500u);
  EXPECT_EQ(sizes["e"].rows, 0u);
  EXPECT_FALSE(sizes["w"].rows.has_value());  // a scan to count: unknown
  EXPECT_FALSE(sizes["t"].bytes.has_value());
}

TEST_F(SqliteTest, ReadSchemaDescribesEveryObject) {
  std::string src = Path("src.db");
  MakeRichSource(src);
  auto source = OpenSqliteSource("sqlite:" + src);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema_or = (*source)->ReadSchema();
  ASSERT_TRUE(schema_or.ok()) << schema_or.status().ToString();
  const Schema& s = schema_or.value();
  EXPECT_EQ(s.engine, "sqlite");
  EXPECT_EQ(s.database, "src.db");
  EXPECT_EQ(s.server_version, sqlite3_libversion());
  EXPECT_EQ(s.options.at("user_version"), "42");
  EXPECT_EQ(s.options.at("application_id"), "1234567");
  EXPECT_EQ(s.options.at("page_size"), "8192");
  EXPECT_EQ(s.options.at("auto_vacuum"), "1");
  EXPECT_EQ(s.options.at("encoding"), "UTF-8");
  ASSERT_EQ(s.tables.size(), 7u);

  const Table* parent = s.FindTable("", "parent");
  ASSERT_NE(parent, nullptr);
  EXPECT_TRUE(parent->columns[0].auto_increment);
  EXPECT_EQ(parent->columns[0].type.logical, LogicalType::kInt64);
  EXPECT_EQ(parent->columns[1].collation, "NOCASE");
  EXPECT_FALSE(parent->columns[1].nullable);
  EXPECT_EQ(parent->columns[2].collation, "RTRIM");
  EXPECT_EQ(parent->columns[2].default_expr, "'x'");
  ASSERT_TRUE(parent->primary_key);
  EXPECT_EQ(parent->primary_key->columns, std::vector<std::string>{"id"});
  ASSERT_EQ(parent->uniques.size(), 1u);
  EXPECT_EQ(parent->uniques[0].columns, std::vector<std::string>{"name"});
  ASSERT_EQ(parent->checks.size(), 1u);
  EXPECT_EQ(parent->checks[0].name, "name_len");
  EXPECT_EQ(parent->checks[0].expression, "length(name) > 0");

  const Table* child = s.FindTable("", "child");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->options.at("without_rowid"), "1");
  EXPECT_EQ(child->primary_key->columns, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(child->checks.size(), 1u);
  // A comment after the last token is not part of the expression.
  EXPECT_EQ(child->checks[0].expression, "a >= 0");
  ASSERT_EQ(child->foreign_keys.size(), 1u);
  const ForeignKey& fk = child->foreign_keys[0];
  EXPECT_EQ(fk.name, "fk_parent");
  EXPECT_EQ(fk.ref_table, "parent");
  EXPECT_EQ(fk.ref_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(fk.on_delete, FkAction::kCascade);
  EXPECT_EQ(fk.on_update, FkAction::kSetNull);
  EXPECT_TRUE(fk.deferrable);
  EXPECT_TRUE(fk.initially_deferred);
  EXPECT_EQ(child->columns[3].default_expr, "'it''s (a) \"quote\" -- not a comment'");

  const Table* strict = s.FindTable("", "strict_t");
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(strict->options.at("strict"), "1");
  EXPECT_EQ(strict->columns[5].native_type, "ANY");

  const Table* gen = s.FindTable("", "gen");
  ASSERT_NE(gen, nullptr);
  EXPECT_EQ(gen->columns[3].generated_expr, "w * h");
  EXPECT_FALSE(gen->columns[3].generated_stored);
  EXPECT_EQ(gen->columns[4].generated_expr, "2 * (w + h)");
  EXPECT_TRUE(gen->columns[4].generated_stored);
  EXPECT_EQ(DataColumns(*gen).size(), 3u);

  const Table* vals = s.FindTable("", "vals");
  ASSERT_NE(vals, nullptr);
  std::vector<LogicalType> want = {LogicalType::kInt64,     LogicalType::kInt64,   LogicalType::kText,
                                   LogicalType::kFloat64,   LogicalType::kBytes,   LogicalType::kDecimal,
                                   LogicalType::kAny,       LogicalType::kBool,    LogicalType::kDate,
                                   LogicalType::kTimestamp, LogicalType::kDecimal, LogicalType::kText};
  ASSERT_EQ(vals->columns.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(vals->columns[i].type.logical, want[i]) << vals->columns[i].name;
  }
  EXPECT_EQ(vals->columns[10].type.precision, 10);
  EXPECT_EQ(vals->columns[10].type.scale, 2);
  EXPECT_EQ(vals->columns[11].type.length, 20);
  EXPECT_EQ(vals->columns[11].native_type, "VARCHAR(20)");

  ASSERT_EQ(s.indexes.size(), 4u);
  for (const Index& i : s.indexes) {
    if (i.name == "parent_code") {
      ASSERT_EQ(i.keys.size(), 1u);
      EXPECT_TRUE(i.keys[0].descending);
    } else if (i.name == "child_partial") {
      EXPECT_EQ(i.where, "parent_id IS NOT NULL");
      EXPECT_EQ(i.table, "child");
    } else if (i.name == "parent_expr") {
      ASSERT_EQ(i.keys.size(), 2u);
      EXPECT_EQ(i.keys[0].expression, "lower(name)");
      EXPECT_EQ(i.keys[1].column, "code");
      EXPECT_EQ(i.keys[1].collation, "NOCASE");
    } else {
      EXPECT_EQ(i.name, "vals_k");
      EXPECT_TRUE(i.unique);
    }
  }
  ASSERT_EQ(s.views.size(), 1u);
  EXPECT_EQ(s.views[0].definition, "SELECT id, name FROM parent WHERE id > 1");
  ASSERT_EQ(s.triggers.size(), 1u);
  EXPECT_EQ(s.triggers[0].table, "parent");
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_EQ(s.sequences[0].name, "parent");
  EXPECT_EQ(s.sequences[0].owner_column, "id");
  EXPECT_EQ(s.sequences[0].last_value, 5);
}

TEST_F(SqliteTest, ReaderYieldsExactValues) {
  std::string src = Path("src.db");
  MakeRichSource(src);
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  auto reader = (*source)->OpenTable(*schema->FindTable("", "vals"));
  ASSERT_TRUE(reader.ok());
  RowBatch batch;
  auto more = (*reader)->Next(&batch);
  ASSERT_TRUE(more.ok() && *more);
  ASSERT_EQ(batch.num_rows(), 4u);
  EXPECT_EQ(batch.at(0, 1), Value::Int(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(batch.at(0, 2), Value::Text(std::string("a\0b\xF0\x9F\x98\x80 \xE2\x82\xAC", 11)));
  EXPECT_EQ(batch.at(0, 4), Value::Bytes(""));
  EXPECT_EQ(batch.at(0, 6), Value::Float(-0.0));
  EXPECT_EQ(batch.at(1, 2), Value::Text(std::string("\xff\xfe\xc3(", 4)));
  EXPECT_EQ(batch.at(1, 4), Value::Null());
  EXPECT_EQ(batch.at(2, 1), Value::Text("not a number"));
  EXPECT_EQ(batch.at(2, 2), Value::Bytes(std::string("\x00\x01", 2)));
  EXPECT_EQ(batch.at(2, 3), Value::Text(""));
  EXPECT_EQ(batch.at(2, 4), Value::Bytes(""));
  EXPECT_EQ(batch.at(3, 1), Value::Float(1.5));
  more = (*reader)->Next(&batch);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_TRUE(batch.empty());
}

TEST_F(SqliteTest, ManyRowsSpanBatches) {
  std::string src = Path("big.db"), dst = Path("big_copy.db");
  exec(src,
       "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
       "INSERT INTO t SELECT i, printf('row %d', i) FROM n;");
  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
}

TEST_F(SqliteTest, NonEmptyTargetIsRefusedUntouched) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  MakeRichSource(src);
  exec(dst,
       "CREATE TABLE a(x); CREATE TABLE b(x); CREATE TABLE c(x); CREATE VIEW v AS SELECT 1;"
       "CREATE INDEX ia ON a(x); INSERT INTO a VALUES (1);");
  std::string before = file_bytes(dst);
  Status st = Copy(src, dst);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "target sqlite://" + dst +
                              " is not empty: 3 tables (a, b, c), 1 view (v), 1 index (ia); use "
                              "--clean to replace them or --append to add rows");
  EXPECT_EQ(file_bytes(dst), before);
  EXPECT_FALSE(fs::exists(dst + "-journal"));
}

TEST_F(SqliteTest, RefusalListsAtMostFiveNamesPerKind) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE TABLE s(x);");
  std::string sql;
  for (int i = 1; i <= 8; ++i) sql += "CREATE TABLE t" + std::to_string(i) + "(x);";
  exec(dst, sql);
  Status st = Copy(src, dst);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("8 tables (t1, t2, t3, t4, t5, …and 3 more)"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
}

TEST_F(SqliteTest, CleanReplacesOnlyWhatItCreates) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  MakeRichSource(src);
  exec(dst,
       "CREATE TABLE parent(other); INSERT INTO parent VALUES ('old');"
       "CREATE VIEW v_parent AS SELECT 2; CREATE TABLE keep(k); INSERT INTO keep VALUES (9);"
       "CREATE TABLE log(x, y, z);");
  Status st = Copy(src, dst, LoadMode::kClean);
  ASSERT_TRUE(st.ok()) << st.ToString();
  sqlite3* sdb = nullptr;
  sqlite3* ddb = nullptr;
  ASSERT_EQ(sqlite3_open(src.c_str(), &sdb), SQLITE_OK);
  ASSERT_EQ(sqlite3_open(dst.c_str(), &ddb), SQLITE_OK);
  for (const char* q : {"SELECT * FROM parent", "SELECT * FROM log", "SELECT * FROM v_parent", "SELECT * FROM vals",
                        "SELECT sql FROM sqlite_schema WHERE name = 'parent'", "SELECT * FROM sqlite_sequence"}) {
    EXPECT_EQ(Dump(ddb, q), Dump(sdb, q)) << q;
  }
  EXPECT_EQ(Dump(ddb, "SELECT * FROM keep"), "i:9|\n");
  sqlite3_close(sdb);
  sqlite3_close(ddb);
}

TEST_F(SqliteTest, AppendAddsRowsAndMissingObjects) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src,
       "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);"
       "CREATE TABLE u(x); CREATE INDEX ux ON u(x);"
       "INSERT INTO t(v) VALUES ('a'), ('b'); INSERT INTO u VALUES (1);"
       "UPDATE sqlite_sequence SET seq = 10;");
  exec(dst,
       "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);"
       "INSERT INTO t(id, v) VALUES (100, 'existing');");
  Status st = Copy(src, dst, LoadMode::kAppend);
  ASSERT_TRUE(st.ok()) << st.ToString();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dst.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(Dump(db, "SELECT count(*), max(id) FROM t"), "i:3|i:100|\n");
  EXPECT_EQ(Dump(db, "SELECT count(*) FROM u"), "i:1|\n");
  EXPECT_EQ(Dump(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'ux'"), "i:1|\n");
  // Appending never moves a counter backwards.
  EXPECT_EQ(Dump(db, "SELECT seq FROM sqlite_sequence WHERE name = 't'"), "i:100|\n");
  sqlite3_close(db);

  // Appending the same rows again runs into the primary key: an error naming the table.
  st = Copy(src, dst, LoadMode::kAppend);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("table t"), std::string::npos) << st.message();
}

TEST_F(SqliteTest, MissingSourceIsNotFound) {
  auto r = OpenSqliteSource(Uri(Path("nope.db")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteTest, NonSqliteFileIsInvalidArgument) {
  std::string p = Path("junk.db");
  std::ofstream(p) << "this is definitely not a SQLite database, just some text that is long "
                      "enough to fill a header................................................";
  auto r = OpenSqliteSource(Uri(p));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not a SQLite database"), std::string::npos);

  exec(Path("src.db"), "CREATE TABLE t(x);");
  std::string before = file_bytes(p);
  Status st = Copy(Path("src.db"), p);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_EQ(file_bytes(p), before);
}

TEST_F(SqliteTest, AbortOnNewFileLeavesNothing) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  MakeRichSource(src);
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  auto sink = OpenSqliteSink(Uri(dst));
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(*schema, {}).ok());
  EXPECT_TRUE(fs::exists(dst + ".partial"));
  EXPECT_FALSE(fs::exists(dst));
  (*sink)->Abort();
  EXPECT_FALSE(fs::exists(dst));
  EXPECT_FALSE(fs::exists(dst + ".partial"));
}

TEST_F(SqliteTest, StalePartialIsReplaced) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
  std::ofstream(dst + ".partial") << "leftover from a crash";
  ASSERT_TRUE(Copy(src, dst).ok());
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  EXPECT_FALSE(fs::exists(dst + ".partial"));
}

// Records the paths the sink asks about and fails its publishing rename.
class FailingRenameFileSystem final : public FileSystemWrapper {
 public:
  std::vector<std::string> asked;
  int renames = 0;
  bool Exists(const std::string& path) override {
    asked.push_back(path);
    return FileSystemWrapper::Exists(path);
  }
  Status Rename(const std::string&, const std::string&) override {
    ++renames;
    return Status::IOError("rename failed (injected)");
  }
};

TEST_F(SqliteTest, FailedPublishLeavesNoTargetAndNoPartial) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
  FailingRenameFileSystem faulty;
  Status st = Copy(src, dst, LoadMode::kRefuseNonEmpty, &faulty);  // the sink is gone (aborted) on return
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_NE(st.message().find("injected"), std::string::npos) << st.ToString();
  EXPECT_EQ(faulty.renames, 1);
  EXPECT_NE(std::find(faulty.asked.begin(), faulty.asked.end(), dst), faulty.asked.end());
  EXPECT_FALSE(fs::exists(dst));
  EXPECT_FALSE(fs::exists(dst + ".partial"));
  EXPECT_FALSE(fs::exists(dst + ".partial-journal"));
}

TEST_F(SqliteTest, AbortOnExistingFileRollsBack) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  MakeRichSource(src);
  exec(dst, "PRAGMA user_version = 3;");  // a database with no objects: allowed by default
  std::string before = file_bytes(dst);
  ASSERT_FALSE(before.empty());
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  {
    auto sink = OpenSqliteSink(Uri(dst));
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Begin(*schema, {}).ok());
    const Table& t = *schema->FindTable("", "log");
    auto reader = (*source)->OpenTable(t);
    auto writer = (*sink)->OpenTable(t);
    ASSERT_TRUE(reader.ok() && writer.ok());
    RowBatch batch;
    ASSERT_TRUE((*reader)->Next(&batch).ok());
    ASSERT_TRUE((*writer)->Write(batch).ok());
    (*sink)->Abort();
  }
  EXPECT_EQ(file_bytes(dst), before);
}

TEST_F(SqliteTest, UnsignedAboveInt64MaxIsDataLoss) {
  Schema schema;
  schema.engine = "postgresql";
  Table t;
  t.name = "nums";
  Column c;
  c.name = "u";
  c.type.logical = LogicalType::kUInt64;
  t.columns.push_back(c);
  schema.tables.push_back(t);
  auto sink = OpenSqliteSink(Uri(Path("u.db")));
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(schema, {}).ok());
  auto writer = (*sink)->OpenTable(t);
  ASSERT_TRUE(writer.ok());
  RowBatch batch(1);
  *batch.AppendRow() = Value::UInt(uint64_t{1} << 63);
  Status st = (*writer)->Write(batch);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("nums"), std::string::npos);
  EXPECT_NE(st.message().find("column u"), std::string::npos);

  batch.Reset(1);
  *batch.AppendRow() = Value::UInt(uint64_t{1} << 62);
  EXPECT_TRUE((*writer)->Write(batch).ok());
  batch.Reset(1);
  *batch.AppendRow() = Value::Float(std::nan(""));
  EXPECT_EQ((*writer)->Write(batch).code(), StatusCode::kDataLoss);
  (*sink)->Abort();
  EXPECT_FALSE(fs::exists(Path("u.db")));
}

Schema PostgresSchema() {
  Schema s;
  s.engine = "postgresql";
  s.server_version = "16.2";
  s.database = "shop";
  auto col = [](std::string name, LogicalType type, bool nullable = true) {
    Column c;
    c.name = std::move(name);
    c.type.logical = type;
    c.nullable = nullable;
    return c;
  };
  Table customers;
  customers.schema = "public";
  customers.name = "customers";
  Column id = col("id", LogicalType::kInt32, false);
  id.native_type = "integer";
  id.auto_increment = true;
  id.default_expr = "nextval('customers_id_seq'::regclass)";
  customers.columns.push_back(id);
  Column email = col("email", LogicalType::kText, false);
  email.collation = "en_US";
  customers.columns.push_back(email);
  Column name = col("name", LogicalType::kText);
  name.default_expr = "'anon'::character varying";
  name.collation = "utf8mb4_general_ci";
  customers.columns.push_back(name);
  Column created = col("created", LogicalType::kTimestampTz);
  created.default_expr = "now()";
  customers.columns.push_back(created);
  Column active = col("active", LogicalType::kBool);
  active.default_expr = "true";
  customers.columns.push_back(active);
  customers.columns.push_back(col("uid", LogicalType::kUuid));
  customers.columns.push_back(col("doc", LogicalType::kJson));
  customers.primary_key = KeyConstraint{"customers_pkey", {"id"}};
  customers.uniques.push_back({"customers_email_key", {"email"}});
  s.tables.push_back(customers);

  Table orders;
  orders.schema = "public";
  orders.name = "order items";
  orders.columns.push_back(col("order_id", LogicalType::kInt64, false));
  orders.columns.push_back(col("line", LogicalType::kInt16, false));
  orders.columns.push_back(col("customer_id", LogicalType::kInt32));
  Column price = col("price", LogicalType::kDecimal);
  price.default_expr = "0.00";
  orders.columns.push_back(price);
  orders.columns.push_back(col("qty", LogicalType::kFloat64));
  orders.columns.push_back(col("photo", LogicalType::kBytes));
  Column total = col("total", LogicalType::kDecimal);
  total.generated_expr = "(price * (qty)::numeric)";
  total.generated_stored = true;
  orders.columns.push_back(total);
  orders.primary_key = KeyConstraint{"", {"order_id", "line"}};
  orders.checks.push_back({"price_positive", "(price > (0)::numeric)"});
  ForeignKey fk;
  fk.name = "orders_customer_fk";
  fk.columns = {"customer_id"};
  fk.ref_table = "customers";
  fk.ref_columns = {"id"};
  fk.on_delete = FkAction::kCascade;
  fk.on_update = FkAction::kSetNull;
  fk.deferrable = true;
  fk.match = "FULL";
  orders.foreign_keys.push_back(fk);
  s.tables.push_back(orders);

  Index idx;
  idx.name = "customers_lower_email";
  idx.table = "customers";
  idx.unique = true;
  idx.keys.push_back({"", "lower(email)", false, std::nullopt});
  idx.keys.push_back({"created", "", true, std::nullopt});
  idx.where = "(active = true)";
  s.indexes.push_back(idx);
  View v;
  v.name = "active_customers";
  v.definition = "SELECT customers.id, customers.email FROM customers WHERE customers.active";
  s.views.push_back(v);
  Trigger tr;
  tr.name = "audit";
  tr.table = "customers";
  tr.native_ddl = "CREATE TRIGGER audit AFTER INSERT ON public.customers FOR EACH ROW EXECUTE FUNCTION audit()";
  s.triggers.push_back(tr);
  Sequence seq;
  seq.name = "customers_id_seq";
  seq.owner_table = "customers";
  seq.owner_column = "id";
  seq.last_value = 41;
  s.sequences.push_back(seq);
  return s;
}

TEST_F(SqliteTest, GeneratedDdlFromPostgresIsValidSqlite) {
  Schema s = PostgresSchema();
  std::string ddl = SqliteSchemaDdl(s);
  EXPECT_NE(ddl.find("\"id\" INTEGER PRIMARY KEY AUTOINCREMENT"), std::string::npos) << ddl;
  if (getenv("DECANT_PRINT_DDL")) printf("%s", ddl.c_str());
  EXPECT_EQ(ddl.find("nextval"), std::string::npos) << ddl;
  EXPECT_EQ(ddl.find("::"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("ON UPDATE SET NULL ON DELETE CASCADE"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("-- trigger audit"), std::string::npos) << ddl;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << "\n" << ddl;
  sqlite3_free(err);
  // Defaults and the generated column work.
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO customers(email) VALUES ('A@x');"
                         "INSERT INTO \"order items\"(order_id, line, customer_id, price, qty) "
                         "VALUES (1, 1, 1, 2.5, 4);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(Dump(db, "SELECT id, name, active, created IS NOT NULL FROM customers"),
            "i:1|t:" + Hex("anon", 4) + "|i:1|i:1|\n");
  EXPECT_EQ(Dump(db, "SELECT total FROM \"order items\""), "i:10|\n");
  EXPECT_EQ(Dump(db, "SELECT count(*) FROM active_customers"), "i:1|\n");
  sqlite3_close(db);
}

TEST_F(SqliteTest, SinkLoadsForeignSchemaAndSequence) {
  Schema s = PostgresSchema();
  std::string dst = Path("pg.db");
  auto sink = OpenSqliteSink(Uri(dst));
  ASSERT_TRUE(sink.ok());
  Status st = (*sink)->Begin(s, {});
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto writer = (*sink)->OpenTable(s.tables[0]);
  ASSERT_TRUE(writer.ok());
  RowBatch batch(DataColumns(s.tables[0]).size());
  Value* row = batch.AppendRow();
  row[0] = Value::Int(7);
  row[1] = Value::Text("a@b");
  row[2] = Value::Text("Ann");
  row[3] = Value::Text("2024-01-02 03:04:05+00");
  row[4] = Value::Bool(true);
  row[5] = Value::Text("0e8400e2-9b41-4d4a-a716-446655440000");
  row[6] = Value::Text("{\"k\": [1, 2]}");
  ASSERT_TRUE((*writer)->Write(batch).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  writer->reset();
  st = (*sink)->Commit();
  ASSERT_TRUE(st.ok()) << st.ToString();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dst.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(Dump(db, "SELECT name, seq FROM sqlite_sequence"), "t:" + Hex("customers", 9) + "|i:41|\n");
  EXPECT_EQ(Dump(db, "SELECT id, active FROM customers"), "i:7|i:1|\n");
  EXPECT_EQ(Dump(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "i:0|\n");
  sqlite3_close(db);
}

TEST_F(SqliteTest, NativeDdlScriptRecreatesSchema) {
  std::string src = Path("src.db"), dst = Path("script.db");
  MakeRichSource(src);
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  exec(dst, SqliteSchemaDdl(*schema));
  sqlite3* a = nullptr;
  sqlite3* b = nullptr;
  ASSERT_EQ(sqlite3_open(src.c_str(), &a), SQLITE_OK);
  ASSERT_EQ(sqlite3_open(dst.c_str(), &b), SQLITE_OK);
  const char* q = "SELECT type, name, sql FROM sqlite_schema WHERE name <> 'sqlite_sequence' ORDER BY 1, 2";
  EXPECT_EQ(Dump(b, q), Dump(a, q));
  sqlite3_close(a);
  sqlite3_close(b);

  // Regenerating from the neutral model alone also yields valid SQLite.
  Schema neutral = *schema;
  for (Table& t : neutral.tables) t.native_ddl.clear();
  for (Index& i : neutral.indexes) i.native_ddl.clear();
  for (View& v : neutral.views) v.native_ddl.clear();
  exec(Path("neutral.db"), SqliteSchemaDdl(neutral));
}

// The same query's rows in two databases.
std::string DumpIn(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string out = Dump(db, sql);
  sqlite3_close(db);
  return out;
}

TEST_F(SqliteTest, Fts5TableRoundTripsWithMatchResults) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src,
       "CREATE TABLE plain(x); INSERT INTO plain VALUES (1);"
       "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter');"
       "INSERT INTO docs VALUES ('greeting', 'hello world'), ('farewell', 'goodbye cruel world');");
  exec(src, "INSERT INTO docs VALUES ('runs', 'running dogs and a hello'), ('none', NULL);");
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->tables.size(), 2u);  // no shadow tables
  const Table* docs = schema->FindTable("", "docs");
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(docs->options.at("virtual"), "fts5");
  EXPECT_EQ(docs->options.count("virtual_rebuild"), 0u);
  EXPECT_TRUE(docs->native_ddl.starts_with("CREATE VIRTUAL TABLE docs USING fts5")) << docs->native_ddl;
  ASSERT_EQ(docs->columns.size(), 2u);
  EXPECT_EQ(docs->columns[0].name, "title");
  EXPECT_EQ(docs->columns[1].name, "body");

  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  for (const char* q :
       {"SELECT rowid, title, body FROM docs WHERE docs MATCH 'world' ORDER BY rank, rowid",
        "SELECT title FROM docs WHERE docs MATCH 'run' ORDER BY rowid",
        "SELECT title, highlight(docs, 1, '[', ']') FROM docs WHERE body MATCH 'hello' ORDER BY rowid"}) {
    std::string want = DumpIn(src, q);
    EXPECT_FALSE(want.empty()) << q;
    EXPECT_EQ(DumpIn(dst, q), want) << q;
  }
  EXPECT_EQ(DumpIn(dst, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'docs%'"),
            DumpIn(src, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'docs%'"));
  exec(dst, "INSERT INTO docs(docs) VALUES ('integrity-check');");
}

TEST_F(SqliteTest, ExternalContentFts5IsRebuiltInTheCopy) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src,
       "CREATE TABLE articles(id INTEGER PRIMARY KEY, body TEXT);"
       "CREATE VIRTUAL TABLE articles_fts USING fts5(body, content = 'articles', content_rowid = 'id');"
       "INSERT INTO articles VALUES (3, 'alpha beta'), (7, 'beta gamma'), (9, 'delta');"
       "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');");
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->tables.size(), 2u);
  const Table* fts = schema->FindTable("", "articles_fts");
  ASSERT_NE(fts, nullptr);
  EXPECT_EQ(fts->options.at("virtual"), "fts5");
  EXPECT_EQ(fts->options.at("virtual_rebuild"), "1");
  auto reader = (*source)->OpenTable(*fts);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  RowBatch batch;
  auto more = (*reader)->Next(&batch);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);  // rows live in the content table only

  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  const char* q = "SELECT rowid, body FROM articles_fts WHERE articles_fts MATCH 'beta' ORDER BY rowid";
  EXPECT_EQ(DumpIn(dst, q), "i:3|t:" + Hex("alpha beta", 10) + "|\ni:7|t:" + Hex("beta gamma", 10) + "|\n");
  EXPECT_EQ(DumpIn(dst, q), DumpIn(src, q));
  exec(dst, "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check');");
}

TEST_F(SqliteTest, ContentlessFts5IsCreatedEmpty) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src,
       "CREATE VIRTUAL TABLE cl USING fts5(body, content = '');"
       "INSERT INTO cl(rowid, body) VALUES (1, 'lost words');");
  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(DumpIn(dst, "SELECT count(*) FROM cl WHERE cl MATCH 'lost'"), "i:0|\n");
  EXPECT_EQ(DumpIn(dst, "SELECT sql FROM sqlite_schema WHERE name = 'cl'"),
            DumpIn(src, "SELECT sql FROM sqlite_schema WHERE name = 'cl'"));
}

TEST_F(SqliteTest, RtreeTableRoundTrips) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src,
       "CREATE VIRTUAL TABLE rt USING rtree(id, min_x, max_x, min_y, max_y, +label);"
       "INSERT INTO rt VALUES (5, 0, 1, 0, 1, 'a'), (10, 2.5, 3.5, -1, 4, 'b'), (42, -10, 10, -10, 10, NULL);");
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->tables.size(), 1u);
  EXPECT_EQ(schema->tables[0].options.at("virtual"), "rtree");
  EXPECT_EQ(schema->tables[0].columns.size(), 6u);

  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  for (const char* q :
       {"SELECT * FROM rt ORDER BY id", "SELECT id FROM rt WHERE min_x <= 3 AND max_x >= 3 ORDER BY id"}) {
    std::string want = DumpIn(src, q);
    EXPECT_FALSE(want.empty()) << q;
    EXPECT_EQ(DumpIn(dst, q), want) << q;
  }
  EXPECT_EQ(DumpIn(dst, "SELECT rtreecheck('rt')"), "t:" + Hex("ok", 2) + "|\n");
}

TEST_F(SqliteTest, VirtualTableCountsAsOneObjectForNonEmptyAndClean) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('new text');");
  exec(dst, "CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('old text');");
  Status st = Copy(src, dst);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("is not empty: 1 table (docs);"), std::string::npos) << st.message();
  st = Copy(src, dst, LoadMode::kClean);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  EXPECT_EQ(DumpIn(dst, "SELECT count(*) FROM docs WHERE docs MATCH 'old'"), "i:0|\n");
  EXPECT_EQ(DumpIn(dst, "SELECT count(*) FROM docs WHERE docs MATCH 'new'"), "i:1|\n");
}

TEST_F(SqliteTest, Utf16DatabaseRoundTrips) {
  std::string src = Path("src16.db"), dst = Path("dst16.db");
  exec(src,
       "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t(a TEXT, b);"
       "INSERT INTO t VALUES ('h\u00e9llo', '\u20ac'), ('x', x'00');");
  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
  EXPECT_NE(Snapshot(dst).find("encoding=t:" + Hex("UTF-16le", 8)), std::string::npos);
}

TEST_F(SqliteTest, ChinookSampleRoundTrips) {
  const char* shared = getenv("DECANT_SHARED_DIR");
  if (!shared) shared = DECANT_DEFAULT_SHARED_DIR;
  std::string sample = std::string(shared) + "/samples/chinook/Chinook_Sqlite.sqlite";
  if (!fs::exists(sample)) GTEST_SKIP() << "no Chinook sample at " << sample << " (../shared absent)";
  std::string src = Path("chinook.db"), dst = Path("chinook_copy.db");
  fs::copy_file(sample, src);  // the source is opened read-only, but never risk the shared sample
  Status st = Copy(src, dst);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Snapshot(dst), Snapshot(src));
}

TEST_F(SqliteTest, SourceReadsOneSnapshot) {
  std::string src = Path("wal.db");
  exec(src, "PRAGMA journal_mode = WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
  auto source = OpenSqliteSource(Uri(src));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  exec(src, "INSERT INTO t VALUES (3); CREATE TABLE later(y);");  // a concurrent writer
  auto reader = (*source)->OpenTable(schema->tables[0]);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  RowBatch batch;
  ASSERT_TRUE((*reader)->Next(&batch).ok());
  EXPECT_EQ(batch.num_rows(), 2u);
  auto again = (*source)->ReadSchema();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tables.size(), 1u);
}

TEST(SqliteDdlParseTest, ColumnConstraints) {
  sqlite_internal::ParsedTable t;
  ASSERT_TRUE(sqlite_internal::ParseCreateTable(
      "CREATE TABLE IF NOT EXISTS main.\"t(\" (\n"
      "  -- a comment with CHECK (x) in it\n"
      "  [a,b] INTEGER CONSTRAINT pos CHECK (\"a,b\" > ')') CONSTRAINT nn NOT NULL,\n"
      "  p INT CONSTRAINT fk_p REFERENCES parent(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
      "  q INT REFERENCES other NOT DEFERRABLE UNIQUE,\n"
      "  g TEXT GENERATED ALWAYS AS (substr('a,)', (1), 2)) STORED,\n"
      "  d NUMERIC(10, 2) DEFAULT (1 + (2)) CHECK (d <> 0),\n"
      "  CONSTRAINT u2 UNIQUE (p, q),\n"
      "  FOREIGN KEY (q) REFERENCES \"other\" (k)\n"
      ")",
      &t));
  ASSERT_EQ(t.columns.size(), 5u);
  EXPECT_EQ(t.columns[0].name, "a,b");
  EXPECT_EQ(t.columns[3].generated_expr, "substr('a,)', (1), 2)");
  EXPECT_TRUE(t.columns[3].generated_stored);
  EXPECT_FALSE(t.columns[4].generated_expr);
  ASSERT_EQ(t.checks.size(), 2u);
  EXPECT_EQ(t.checks[0].name, "pos");
  EXPECT_EQ(t.checks[0].expression, "\"a,b\" > ')'");
  EXPECT_EQ(t.checks[1].name, "");
  EXPECT_EQ(t.checks[1].expression, "d <> 0");
  ASSERT_EQ(t.foreign_keys.size(), 3u);
  EXPECT_EQ(t.foreign_keys[0].name, "fk_p");
  EXPECT_TRUE(t.foreign_keys[0].deferrable);
  EXPECT_TRUE(t.foreign_keys[0].initially_deferred);
  EXPECT_FALSE(t.foreign_keys[1].deferrable);
  EXPECT_EQ(t.foreign_keys[2].ref_table, "other");
  EXPECT_EQ(t.foreign_keys[2].columns, std::vector<std::string>{"q"});
  ASSERT_EQ(t.uniques.size(), 2u);
  EXPECT_EQ(t.uniques[1].name, "u2");
  EXPECT_EQ(t.uniques[1].columns, (std::vector<std::string>{"p", "q"}));
}

TEST(SqliteDdlParseTest, IndexAndView) {
  sqlite_internal::ParsedIndex i;
  ASSERT_TRUE(sqlite_internal::ParseCreateIndex(
      "CREATE UNIQUE INDEX \"i\" ON t (a COLLATE NOCASE DESC, (b || 'x') ASC, c) WHERE a > 0 AND b IS NOT NULL", &i));
  EXPECT_EQ(i.items, (std::vector<std::string>{"a", "(b || 'x')", "c"}));
  EXPECT_EQ(i.where, "a > 0 AND b IS NOT NULL");
  EXPECT_EQ(sqlite_internal::ParseViewDefinition("CREATE VIEW v(a, \"as\") AS SELECT 1 AS a, 2"), "SELECT 1 AS a, 2");
}

TEST(SqliteUriTest, Paths) {
  EXPECT_TRUE(IsSqliteUri("sqlite:///a/b.db"));
  EXPECT_FALSE(IsSqliteUri("postgresql://h/db"));
  EXPECT_EQ(SqliteUriPath("sqlite:///abs/path.db").value(), "/abs/path.db");
  EXPECT_EQ(SqliteUriPath("sqlite:relative.db").value(), "relative.db");
  EXPECT_EQ(SqliteUriPath("sqlite://localhost/abs/path.db").value(), "/abs/path.db");
  EXPECT_EQ(SqliteUriPath("sqlite:///with%20space.db").value(), "/with space.db");
  EXPECT_EQ(SqliteUriPath("sqlite://otherhost/x.db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteUriPath("sqlite:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteUriPath("mysql://x/y").status().code(), StatusCode::kInvalidArgument);
}

// ---- Stored DDL runs as exactly one statement of the expected kind -----------

// A native (engine "sqlite") schema with one table whose DDL is `table_ddl`.
Schema NativeSchemaWith(const std::string& table_name, const std::string& table_ddl) {
  Schema schema;
  schema.engine = "sqlite";
  Table t;
  t.name = table_name;
  Column c;
  c.name = "x";
  t.columns.push_back(c);
  t.native_ddl = table_ddl;
  schema.tables.push_back(t);
  return schema;
}

// Begin + Commit on a fresh sink; the status of whichever fails first.
Status LoadSchemaOnly(const std::string& uri, const Schema& schema) {
  DECANT_ASSIGN_OR_RETURN(std::unique_ptr<Sink> sink, OpenSqliteSink(uri));
  Status st = sink->Begin(schema, {});
  if (st.ok()) st = sink->Commit();
  if (!st.ok()) sink->Abort();
  return st;
}

TEST_F(SqliteTest, ArchivedTableDdlWithSecondStatementIsRefused) {
  std::string pwned = Path("pwned.db"), dst = Path("dst.db");
  Schema schema = NativeSchemaWith("t", "CREATE TABLE t(x); ATTACH '" + pwned + "' AS p; CREATE TABLE p.owned(y)");
  Status st = LoadSchemaOnly(Uri(dst), schema);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_EQ(st.message(), "archive DDL for table \"t\" holds more than one statement; refusing to run it");
  EXPECT_FALSE(fs::exists(pwned));
  EXPECT_FALSE(fs::exists(dst));
  EXPECT_FALSE(fs::exists(dst + ".partial"));
}

// A table's archived DDL and the refusal it must meet ("" = loads).
struct DdlCase {
  std::string name, ddl, expect;
};

// Loads each case's table (a virtual table of `module` if one is given) into
// a new file `dst`: accepted DDL loads; refused DDL is Corruption naming why,
// and no file is left.
void ExpectTableDdlChecked(const std::vector<DdlCase>& cases, const std::string& dst, const std::string& module) {
  for (const DdlCase& c : cases) {
    fs::remove(dst);
    Schema schema = NativeSchemaWith(c.name, c.ddl);
    if (!module.empty()) schema.tables[0].options["virtual"] = module;
    Status st = LoadSchemaOnly(Uri(dst), schema);
    if (c.expect.empty()) {
      EXPECT_TRUE(st.ok()) << c.ddl << ": " << st.ToString();
      continue;
    }
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << c.ddl << ": " << st.ToString();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << c.ddl << ": " << st.message();
    EXPECT_FALSE(fs::exists(dst)) << c.ddl;
  }
}

TEST_F(SqliteTest, ArchivedDdlOfWrongKindOrPlaceIsRefused) {
  std::string pwned = Path("pwned.db"), dst = Path("dst.db");
  const std::vector<DdlCase> cases = {
      {"t", "ATTACH '" + pwned + "' AS p", "is not a CREATE TABLE statement"},
      {"t", "/* c */ ; ATTACH '" + pwned + "' AS p", "is not a CREATE TABLE statement"},
      {"t", "CREATE TEMP TABLE t(x)", "creates a TEMP object"},
      {"t", "create temporary table t(x)", "creates a TEMP object"},
      {"owned", "CREATE TABLE temp.owned(x)", "in another schema"},
      {"owned", "CREATE TABLE p.owned(x)", "in another schema"},
      {"t", "CREATE TABLE u(x)", "creates \"u\", not \"t\""},
      {"t", "CREATE VIRTUAL TABLE t USING fts5(x)", "is not a CREATE TABLE statement"},
      {"t", "-- only a comment", "is not a CREATE TABLE statement"},
      {"t", "", ""},  // no stored DDL: generated from the model
      {"t", "CREATE TABLE t(x);\n-- done\n; /* really */", ""},
      {"t", "  /* lead */ CREATE TABLE IF NOT EXISTS main.\"T\"(x)", ""},
  };
  ExpectTableDdlChecked(cases, dst, "");
  EXPECT_FALSE(fs::exists(pwned));
}

TEST_F(SqliteTest, ArchivedIndexViewTriggerDdlIsOneStatementEach) {
  std::string pwned = Path("pwned.db");
  Schema base = NativeSchemaWith("t", "CREATE TABLE t(x)");
  std::string attach = "; ATTACH '" + pwned + "' AS p; CREATE TABLE p.owned(y)";
  int n = 0;
  auto expect_refused = [&](const Schema& schema, const std::string& what) {
    std::string dst = Path("dst" + std::to_string(++n) + ".db");
    Status st = LoadSchemaOnly(Uri(dst), schema);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    EXPECT_NE(st.message().find(what), std::string::npos) << st.message();
    EXPECT_FALSE(fs::exists(dst));
  };
  {
    Schema s = base;
    Index i;
    i.name = "ix";
    i.table = "t";
    i.native_ddl = "CREATE INDEX ix ON t(x)" + attach;
    s.indexes.push_back(i);
    expect_refused(s, "archive DDL for index \"ix\" holds more than one statement");
    s.indexes[0].native_ddl = "CREATE VIEW ix AS SELECT 1";
    expect_refused(s, "archive DDL for index \"ix\" is not a CREATE INDEX statement");
  }
  {
    Schema s = base;
    View v;
    v.name = "v";
    v.native_ddl = "CREATE VIEW v AS SELECT x FROM t" + attach;
    s.views.push_back(v);
    expect_refused(s, "archive DDL for view \"v\" holds more than one statement");
    s.views[0].native_ddl = "CREATE TEMP VIEW v AS SELECT 1";
    expect_refused(s, "creates a TEMP object");
  }
  {
    Schema s = base;
    Trigger tr;
    tr.name = "tr";
    tr.table = "t";
    tr.native_ddl = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END" + attach;
    s.triggers.push_back(tr);
    expect_refused(s, "archive DDL for trigger \"tr\" holds more than one statement");
    // A trigger body holds several statements, but the trigger is one.
    s.triggers[0].native_ddl = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END";
    std::string dst = Path("ok.db");
    Status st = LoadSchemaOnly(Uri(dst), s);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(fs::exists(dst));
  }
  {
    // A foreign schema's view definition is spliced into generated DDL: checked too.
    Schema s = base;
    s.engine = "postgresql";
    s.tables[0].native_ddl.clear();
    View v;
    v.name = "v";
    v.definition = "SELECT 1" + attach;
    s.views.push_back(v);
    expect_refused(s, "DDL for view \"v\" holds more than one statement");
  }
  EXPECT_FALSE(fs::exists(pwned));
}

// ---- No password in any message ----------------------------------------------

TEST(SqliteUriTest, MessagesNeverShowPasswords) {
  for (const std::string uri :
       {"sqlite://admin:s3cret@dbhost/x.db", "sqlite://admin:s3cret@localhost/x.db", "SQLITE://admin:s3cret@dbhost",
        "postgresql://admin:s3cret@dbhost/x", "sqlite://admin:s3cret@/x.db", "sqlite://:s3cret@dbhost/x.db"}) {
    for (const Status& st :
         {SqliteUriPath(uri).status(), OpenSqliteSource(uri).status(), OpenSqliteSink(uri).status()}) {
      ASSERT_FALSE(st.ok()) << uri;
      EXPECT_EQ(st.message().find("s3cret"), std::string::npos) << st.message();
    }
  }
  Status st = SqliteUriPath("sqlite://admin:s3cret@dbhost/x.db").status();
  EXPECT_EQ(st.message(), "sqlite URI names a remote host (admin:****@dbhost): sqlite://admin:****@dbhost/x.db");
  // A user name alone is not secret.
  st = SqliteUriPath("sqlite://admin@dbhost/x.db").status();
  EXPECT_EQ(st.message(), "sqlite URI names a remote host (admin@dbhost): sqlite://admin@dbhost/x.db");
}

// ---- SQLite result codes -> Status categories ----------------------------------

TEST(SqliteStatusTest, CodesMapToCategories) {
  using sqlite_internal::StatusFromCode;
  EXPECT_EQ(StatusFromCode(SQLITE_CONSTRAINT_PRIMARYKEY, "m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromCode(SQLITE_CONSTRAINT_UNIQUE, "m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromCode(SQLITE_CONSTRAINT_NOTNULL, "m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromCode(SQLITE_CONSTRAINT_CHECK, "m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromCode(SQLITE_CONSTRAINT, "m").code(), StatusCode::kFailedPrecondition);
  // A STRICT column refusing a value's type: the target cannot hold the value.
  EXPECT_EQ(StatusFromCode(SQLITE_CONSTRAINT_DATATYPE, "m").code(), StatusCode::kDataLoss);
  EXPECT_EQ(StatusFromCode(SQLITE_MISMATCH, "m").code(), StatusCode::kDataLoss);
  EXPECT_EQ(StatusFromCode(SQLITE_TOOBIG, "m").code(), StatusCode::kDataLoss);
  EXPECT_EQ(StatusFromCode(SQLITE_ERROR, "m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromCode(SQLITE_FULL, "m").code(), StatusCode::kNoSpace);
  EXPECT_EQ(StatusFromCode(SQLITE_IOERR_WRITE, "m").code(), StatusCode::kIOError);
  EXPECT_EQ(StatusFromCode(SQLITE_IOERR, "m").code(), StatusCode::kIOError);
  EXPECT_EQ(StatusFromCode(SQLITE_CORRUPT, "m").code(), StatusCode::kCorruption);
  EXPECT_EQ(StatusFromCode(SQLITE_NOTADB, "m").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusFromCode(SQLITE_OK, "m").code(), StatusCode::kOk);
}

TEST_F(SqliteTest, AppendingDuplicateKeysIsFailedPrecondition) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
  ASSERT_TRUE(Copy(src, dst).ok());
  std::string before = file_bytes(dst);
  Status st = Copy(src, dst, LoadMode::kAppend);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_TRUE(st.message().starts_with("table t: ")) << st.message();
  EXPECT_NE(st.message().find("UNIQUE constraint failed"), std::string::npos) << st.message();
  EXPECT_EQ(file_bytes(dst), before);
}

TEST_F(SqliteTest, AppendingIntoStrictColumnOfOtherTypeIsDataLoss) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'not a number');");
  exec(dst, "CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER) STRICT;");
  Status st = Copy(src, dst, LoadMode::kAppend);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  EXPECT_TRUE(st.message().starts_with("table t: ")) << st.message();
}

TEST_F(SqliteTest, AppendingIntoTableLackingAColumnIsFailedPrecondition) {
  std::string src = Path("src.db"), dst = Path("dst.db");
  exec(src, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');");
  exec(dst, "CREATE TABLE t(id INTEGER PRIMARY KEY);");
  Status st = Copy(src, dst, LoadMode::kAppend);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_TRUE(st.message().starts_with("table t: ")) << st.message();
}

TEST_F(SqliteTest, ArchivedVirtualTableDdlIsChecked) {
  std::string pwned = Path("pwned.db"), dst = Path("dst.db");
  const std::vector<DdlCase> cases = {
      {"t", "CREATE VIRTUAL TABLE t USING fts5(x)", ""},
      {"t", "CREATE VIRTUAL TABLE IF NOT EXISTS main.t USING fts5(x);", ""},
      {"t", "CREATE VIRTUAL TABLE u USING fts5(x)", "creates \"u\", not \"t\""},
      {"t", "CREATE VIRTUAL TABLE temp.t USING fts5(x)", "in another schema"},
      {"t", "CREATE TABLE t(x)", "is not a CREATE VIRTUAL TABLE statement"},
      {"t", "CREATE VIRTUAL TABLE t USING fts5(x); ATTACH '" + pwned + "' AS p", "holds more than one statement"},
  };
  ExpectTableDdlChecked(cases, dst, "fts5");
  EXPECT_FALSE(fs::exists(pwned));
}

TEST_F(SqliteTest, UnavailableVirtualTableModuleIsAClearError) {
  std::string dst = Path("dst.db");
  Schema schema = NativeSchemaWith("geo", "CREATE VIRTUAL TABLE geo USING no_such_module(x)");
  schema.tables[0].options["virtual"] = "no_such_module";
  Status st = LoadSchemaOnly(Uri(dst), schema);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("table geo: SQLite module no_such_module is not available"), std::string::npos)
      << st.message();
  EXPECT_FALSE(fs::exists(dst));
}

// Every slice SplitTable makes of `table` (at most `max_slices`), each read
// on its own reader, all readers open at once; returns the first column of
// every row read, sorted, and the number of slices in `*count`.
std::vector<int64_t> ReadAllSlices(Source* src, const Table& table, size_t max_slices, size_t* count) {
  std::vector<int64_t> keys;
  auto slices = src->SplitTable(table, src->EstimateSize(table), max_slices);
  EXPECT_TRUE(slices.ok()) << slices.status().ToString();
  if (!slices.ok()) return keys;
  *count = slices->size();
  std::vector<std::unique_ptr<TableReader>> readers;
  for (const TableSlice& s : *slices) {
    EXPECT_EQ(s.count, slices->size());
    auto reader = src->OpenSlice(table, s);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return keys;
    readers.push_back(std::move(reader).value());
  }
  RowBatch batch;
  bool any = true;
  while (any) {  // interleaved, as concurrent readers would be
    any = false;
    for (auto& r : readers) {
      auto more = r->Next(&batch);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) continue;
      any = true;
      for (size_t i = 0; i < batch.num_rows(); ++i) keys.push_back(batch.row(i)[0].as_int());
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST_F(SqliteTest, SlicesCoverEveryRowExactlyOnce) {
  std::string db = Path("sqa_slices.db");
  // gaps: rowids -300000..-100001 and 1..400000 step 3, plus the extremes of int64;
  // a WITHOUT ROWID table, an empty table, a table whose columns shadow every rowid alias.
  exec(db,
       "CREATE TABLE g (id INTEGER PRIMARY KEY, v);"
       "WITH RECURSIVE n(i) AS (SELECT -300000 UNION ALL SELECT i + 1 FROM n WHERE i < -100001) "
       "INSERT INTO g SELECT i, i FROM n;"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 3 FROM n WHERE i < 400000) "
       "INSERT INTO g SELECT i, i FROM n;"
       "INSERT INTO g VALUES (-9223372036854775808, 0), (9223372036854775807, 0);"
       "CREATE TABLE plain (v);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250000) "
       "INSERT INTO plain SELECT i FROM n; DELETE FROM plain WHERE v % 7 = 0;"
       "CREATE TABLE w (k INTEGER PRIMARY KEY, v) WITHOUT ROWID;"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
       "INSERT INTO w SELECT i, i FROM n;"
       "CREATE TABLE e (id INTEGER PRIMARY KEY);"
       "CREATE TABLE shadowed (rowid INT, _rowid_ INT, oid INT);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250000) "
       "INSERT INTO shadowed SELECT i, 0, 0 FROM n;");
  auto source = OpenSqliteSource(Uri(db), 4);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->MaxParallelTables(), 4u);
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  for (const Table& t : schema->tables) {
    std::string first = t.name == "shadowed" ? "\"rowid\"" : t.name == "plain" ? "v" : t.columns[0].name;
    std::vector<int64_t> want;
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(conn, ("SELECT " + first + " FROM " + t.name + " ORDER BY 1").c_str(), -1, &st, nullptr),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) want.push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    size_t count = 0;
    EXPECT_EQ(ReadAllSlices(source->get(), t, 4, &count), want) << t.name;
    if (t.name == "g" || t.name == "plain") {
      EXPECT_EQ(count, t.name == "g" ? 4u : 2u) << t.name;
    } else {
      EXPECT_EQ(count, 1u) << t.name;  // WITHOUT ROWID, empty, every alias shadowed
    }
    ReadAllSlices(source->get(), t, 1, &count);
    EXPECT_EQ(count, 1u) << t.name;
  }
  sqlite3_close(conn);

  // A slice opens from its bounds alone, in another Source (another process).
  const Table& g = schema->tables[0];
  auto slices = (*source)->SplitTable(g, {}, 3);
  ASSERT_TRUE(slices.ok());
  ASSERT_EQ(slices->size(), 3u);
  auto other = OpenSqliteSource(Uri(db));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->ReadSchema().ok());
  size_t total = 0;
  for (const TableSlice& s : *slices) {
    TableSlice copy;
    copy.index = s.index;
    copy.count = s.count;
    copy.bounds = s.bounds;
    auto reader = (*other)->OpenSlice(g, copy);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    RowBatch batch;
    while (true) {
      auto more = (*reader)->Next(&batch);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      total += batch.num_rows();
    }
  }
  EXPECT_EQ(total, 200000u + 133334u + 2u);
  TableSlice bad;
  bad.count = 2;
  bad.bounds = "rowid:x:";
  EXPECT_EQ((*other)->OpenSlice(g, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteTest, SeveralReadConnectionsShareOneSnapshot) {
  std::string src = Path("sqa_wal.db");
  exec(src,
       "PRAGMA journal_mode = WAL; CREATE TABLE t(x INTEGER PRIMARY KEY);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 350000) "
       "INSERT INTO t SELECT i FROM n;");
  auto source = OpenSqliteSource(Uri(src), 3);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  exec(src, "INSERT INTO t VALUES (350001), (-5); DELETE FROM t WHERE x = 7;");  // a concurrent writer
  size_t count = 0;
  std::vector<int64_t> keys = ReadAllSlices(source->get(), schema->tables[0], 3, &count);
  EXPECT_EQ(count, 3u);
  ASSERT_EQ(keys.size(), 350000u);
  EXPECT_EQ(keys.front(), 1);
  EXPECT_EQ(keys.back(), 350000);
}

// Slices read at once on threads of their own, as the pipeline reads them.
TEST_F(SqliteTest, SlicesReadOnThreadsCoverEveryRowOnce) {
  std::string db = Path("sqa_threads.db");
  exec(db,
       "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
       "INSERT INTO t SELECT i * 2 - 300000, 'v' || i FROM n;");
  auto source = OpenSqliteSource(Uri(db), 2);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  const Table& t = schema->tables[0];
  auto slices = (*source)->SplitTable(t, (*source)->EstimateSize(t), 4);
  ASSERT_TRUE(slices.ok());
  ASSERT_EQ(slices->size(), 4u);
  std::vector<std::vector<int64_t>> keys(slices->size());
  std::vector<Status> errors(slices->size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < slices->size(); ++i) {
    threads.emplace_back([&, i] {
      auto reader = (*source)->OpenSlice(t, (*slices)[i]);
      if (!reader.ok()) {
        errors[i] = reader.status();
        return;
      }
      RowBatch batch;
      while (true) {
        auto more = (*reader)->Next(&batch);
        if (!more.ok()) {
          errors[i] = more.status();
          return;
        }
        if (!*more) break;
        for (size_t r = 0; r < batch.num_rows(); ++r) keys[i].push_back(batch.row(r)[0].as_int());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::vector<int64_t> all;
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_TRUE(errors[i].ok()) << errors[i].ToString();
    EXPECT_FALSE(keys[i].empty()) << "slice " << i;
    EXPECT_TRUE(std::is_sorted(keys[i].begin(), keys[i].end())) << "slice " << i;
    all.insert(all.end(), keys[i].begin(), keys[i].end());
  }
  ASSERT_EQ(all.size(), 400000u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));  // slices are consecutive ranges, in order
  EXPECT_EQ(all.front(), -299998);
  EXPECT_EQ(all.back(), 500000);
}

}  // namespace
}  // namespace decant
