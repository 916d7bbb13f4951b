// Binary COPY against the real PostgreSQL 15 server: for every type the sink
// loads in binary, the values of a column, as the PostgreSQL source hands
// them over, are loaded once in binary (EncodeBinaryRow) and once in text
// (EncodeCopyValue), and both tables must read back as the original; the
// forms EncodeBinaryRow leaves to the text format are named and checked too.
// Then the sink itself: binary with a switch to text in the middle of a
// table, several writers of one table, and COPY FREEZE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engines/postgresql/pg_conn.h"
#include "engines/postgresql/pg_copy.h"
#include "engines/postgresql/postgresql_endpoint.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "pipeline/verify.h"

namespace decant::pg_internal {
namespace {

std::string DbUri(const std::string& server, const std::string& db) {
  return server.substr(0, server.rfind('/') + 1) + db;
}

class BinaryCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* v = std::getenv("DECANT_TEST_PG15_URI");
    if (!v) GTEST_SKIP() << "PostgreSQL test servers not running (scripts/servers/postgresql.sh)";
    server_ = v;
    db_ = "pgl_binary_" + std::to_string(getpid());
    Admin("DROP DATABASE IF EXISTS " + db_);
    Admin("CREATE DATABASE " + db_);
    auto conn = Connection::Open(DbUri(server_, db_));
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(PrepareSession(conn_.get()).ok());  // as the sink's sessions
    Exec("SET search_path = public; SET client_min_messages = warning");
  }
  void TearDown() override {
    conn_.reset();
    if (!db_.empty()) Admin("DROP DATABASE IF EXISTS " + db_);
  }
  void Admin(const std::string& sql) {
    auto c = Connection::Open(server_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE((*c)->Exec(sql).ok()) << sql;
  }
  void Exec(const std::string& sql) {
    Status st = conn_->Exec(sql);
    ASSERT_TRUE(st.ok()) << st.ToString() << " in " << sql;
  }
  std::vector<std::string> Rows(const std::string& sql) {
    std::vector<std::string> out;
    auto r = conn_->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(r->IsNull(i, 0) ? "NULL" : r->Get(i, 0));
    return out;
  }
  // Sends `data` as the whole input of `copy`.
  Status Copy(const std::string& copy, const std::string& data) {
    PGresult* started = PQexec(conn_->get(), copy.c_str());
    QueryResult start(started);
    if (PQresultStatus(started) != PGRES_COPY_IN) return conn_->Error(copy, started);
    if (PQputCopyData(conn_->get(), data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(conn_->get(), nullptr) != 1)
      return conn_->Error(copy);
    PGresult* ended = PQgetResult(conn_->get());
    QueryResult end(ended);
    while (PGresult* extra = PQgetResult(conn_->get())) PQclear(extra);
    if (PQresultStatus(ended) != PGRES_COMMAND_OK) return conn_->Error(copy, ended);
    return Status::OK();
  }

  std::string server_, db_;
  std::unique_ptr<Connection> conn_;
};

// One column type and its values: SQL literals (NULL included) whose every
// one must go in binary, and ones that must be left to text.
struct TypeCase {
  const char* type;
  unsigned oid;
  std::vector<const char*> binary;
  std::vector<const char*> text_only;
};

// The Value the PostgreSQL source makes of a column's text (pg_copy.h DecodeFor).
Value AsSourceValue(const std::string& type, const std::string& text, bool null) {
  if (null) return Value::Null();
  DataType t;
  t.logical = type == "boolean"                                             ? LogicalType::kBool
              : type == "smallint" || type == "integer" || type == "bigint" ? LogicalType::kInt64
              : type == "real" || type == "double precision"                ? LogicalType::kFloat64
              : type == "bytea"                                             ? LogicalType::kBytes
                                                                            : LogicalType::kText;
  std::vector<Decode> kinds{DecodeFor(t)};
  Value v;
  size_t payload = 0;
  std::string scratch, field;
  EncodeCopyValue(Value::Text(type == "boolean" ? (text == "true" ? "t" : "f") : text), &field);  // as COPY TO
  if (t.logical == LogicalType::kBytes) field = "\\\\x" + text.substr(2);
  EXPECT_TRUE(DecodeCopyRow(field, kinds, &v, &payload, &scratch).ok()) << type << " " << text;
  return v;
}

TEST_F(BinaryCopyTest, EveryBinaryTypeLoadsTheSameRowsAsText) {
  const std::vector<TypeCase> cases = {
      {"boolean", 16, {"true", "false", "NULL"}, {}},
      {"smallint", 21, {"-32768", "32767", "0"}, {}},
      {"integer", 23, {"-2147483648", "2147483647", "0"}, {}},
      {"bigint", 20, {"-9223372036854775808", "9223372036854775807"}, {}},
      {"real",
       700,
       {"'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "3.4028235e38", "1.1754944e-38", "0.1", "1e-10", "16777217",
        "0.3333333"},
       {"1.4e-45"}},  // subnormal
      {"double precision",
       701,
       {"'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "1.7976931348623157e308", "0.1", "2.2250738585072014e-308"},
       {"5e-324"}},
      {"numeric",
       1700,
       {"'NaN'", "0", "-0.000", "1", "-1.50", "10000", "0.0001", "123456789012345678901234567890.1234567890",
        "-0.00000000000000000001", "99999999", "1e20", "0.00010000"},
       {}},
      {"numeric(7,2)", 1700, {"12345.67", "-0.5", "0"}, {}},
      {"bytea", 17, {"'\\x'", "'\\x00ff7f80'", "NULL"}, {}},
      {"text", 25, {"''", "E'tab\\there\\nnl \\\\ back é 中 😀'", "'\\N'"}, {}},
      {"varchar(5)", 1043, {"'abc'", "''", "'abcde'"}, {}},
      {"char(5)", 1042, {"'ab'", "'abcde'", "''"}, {}},
      {"json", 114, {"'{\"a\": [1, 2.50], \"a\": 1}'", "'[]'", "'\"x\"'"}, {}},
      {"jsonb", 3802, {"'{\"b\": null, \"a\": 1e400}'", "'[]'", "'{\"k\": \"é\\\\n\"}'"}, {}},
      {"uuid", 2950, {"'00000000-0000-0000-0000-000000000000'", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"}, {}},
      {"date",
       1082,
       {"'2000-01-01'", "'1999-12-31'", "'0001-01-01'", "'9999-12-31'", "'2000-02-29'", "'1900-03-01'", "'infinity'",
        "'-infinity'", "'1970-01-01'"},
       {"'4713-01-01 BC'", "'5874897-12-31'", "'10000-01-01'"}},
      {"time", 1083, {"'00:00'", "'23:59:59.999999'", "'12:34:56.5'"}, {"'24:00:00'"}},
      {"timestamp",
       1114,
       {"'2000-01-01 00:00'", "'1999-12-31 23:59:59.999999'", "'0001-01-01 00:00'", "'9999-12-31 23:59:59.5'",
        "'infinity'", "'-infinity'", "'1970-01-01 00:00:00.000001'"},
       {"'294276-12-31 23:59:59.999999'", "'0044-03-15 12:00 BC'"}},
      {"timestamp(3)", 1114, {"'2000-02-29 12:00:00.001'", "'2020-01-01 00:00:00.123'"}, {}},
      {"timestamptz",
       1184,
       {"'2000-01-01 00:00+00'", "'1999-12-31 23:59:59.999999+14'", "'1970-01-01 00:00:00-03:30'", "'infinity'",
        "'-infinity'", "'0001-01-01 00:00+00'"},
       {"'0100-01-01 00:00+00 BC'"}},
  };
  for (const TypeCase& tc : cases) {
    SCOPED_TRACE(tc.type);
    Exec("DROP TABLE IF EXISTS pgl_src, pgl_bin, pgl_txt");
    Exec(std::string("CREATE TABLE pgl_src (n int, v ") + tc.type + ")");
    Exec(std::string("CREATE TABLE pgl_bin (n int, v ") + tc.type + ")");
    Exec(std::string("CREATE TABLE pgl_txt (n int, v ") + tc.type + ")");
    std::vector<const char*> all = tc.binary;
    all.insert(all.end(), tc.text_only.begin(), tc.text_only.end());
    for (size_t i = 0; i < all.size(); ++i) {
      Exec("INSERT INTO pgl_src VALUES (" + std::to_string(i) + ", " + all[i] + ")");
    }
    auto src = conn_->Query("SELECT n, v::text, v IS NULL FROM pgl_src ORDER BY n");
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    std::string bin, txt;
    AppendBinaryHeader(&bin);
    std::vector<Binary> types = {Binary::kInt4, BinaryFor(tc.oid)};
    ASSERT_NE(types[1], Binary::kNone);
    for (int i = 0; i < src->rows(); ++i) {
      Value row[2] = {Value::Int(i), AsSourceValue(tc.type, src->Get(i, 1), src->GetBool(i, 2))};
      bool expect_binary = static_cast<size_t>(i) < tc.binary.size();
      EXPECT_EQ(EncodeBinaryRow(row, types, &bin), expect_binary) << all[i];
      EncodeCopyValue(row[0], &txt);
      txt += '\t';
      EncodeCopyValue(row[1], &txt);
      txt += '\n';
    }
    AppendBinaryTrailer(&bin);
    Status st = Copy("COPY pgl_bin FROM STDIN WITH (FORMAT binary)", bin);
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = Copy("COPY pgl_txt FROM STDIN", txt);
    ASSERT_TRUE(st.ok()) << st.ToString();
    // Binary holds the values it accepted, text all of them: each as the source.
    std::vector<std::string> want = Rows("SELECT n || ':' || coalesce(v::text, 'NULL') FROM pgl_src ORDER BY n");
    EXPECT_EQ(Rows("SELECT n || ':' || coalesce(v::text, 'NULL') FROM pgl_txt ORDER BY n"), want);
    want.resize(tc.binary.size());
    EXPECT_EQ(Rows("SELECT n || ':' || coalesce(v::text, 'NULL') FROM pgl_bin ORDER BY n"), want);
    // Identical, not only equal in text: the same bytes on disk (NaN payloads, -0, scales).
    EXPECT_EQ(Rows("SELECT count(*) FROM pgl_bin b JOIN pgl_txt t USING (n) WHERE "
                   "pg_column_size(b.v) IS DISTINCT FROM pg_column_size(t.v) OR "
                   "b.v::text IS DISTINCT FROM t.v::text"),
              std::vector<std::string>{"0"});
  }
}

TEST_F(BinaryCopyTest, ValuesOfOtherKindsAreWrittenAsTheTextFormatWouldBeOrLeftToIt) {
  std::string out;
  auto one = [&](const Value& v, Binary b) { return EncodeBinaryRow(&v, {b}, &out); };
  EXPECT_FALSE(one(Value::Text("1"), Binary::kInt4));              // SQLite keeps text in an INTEGER column
  EXPECT_FALSE(one(Value::Int(int64_t{1} << 40), Binary::kInt4));  // out of range: the server says so
  EXPECT_FALSE(one(Value::UInt(1), Binary::kInt8));
  EXPECT_FALSE(one(Value::Text("\\x00"), Binary::kBytea));
  EXPECT_FALSE(one(Value::Float(3.4028235677973366e38), Binary::kFloat4));  // above FLT_MAX: the server's error
  EXPECT_FALSE(one(Value::Float(1e-46), Binary::kFloat4));
  EXPECT_FALSE(one(Value::Float(1.5), Binary::kNumeric));
  EXPECT_FALSE(one(Value::Text("1e5"), Binary::kNumeric));
  EXPECT_FALSE(one(Value::Text(" 1"), Binary::kNumeric));
  EXPECT_FALSE(one(Value::Text("Infinity"), Binary::kNumeric));
  EXPECT_FALSE(one(Value::Text("2000-01-01 10:00+05"), Binary::kTimestamp));  // timestamp input ignores it
  EXPECT_FALSE(one(Value::Text("2001-02-29"), Binary::kDate));                // the server's error, not ours
  EXPECT_FALSE(one(Value::Text("2000-1-1"), Binary::kDate));
  EXPECT_FALSE(one(Value::Text("a0eebc999c0b4ef8bb6d6bb9bd380a1"), Binary::kUuid));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(one(Value::Int(1), Binary::kBool));
  EXPECT_TRUE(one(Value::Int(7), Binary::kNumeric));
  EXPECT_TRUE(one(Value::Int(16777216), Binary::kFloat4));

  // Into the server: other kinds in text-like and float columns read as text COPY reads them.
  Exec("CREATE TABLE pgl_kinds_bin (t text, vc varchar(40), j json, f8 float8, b bool, n numeric)");
  Exec("CREATE TABLE pgl_kinds_txt (t text, vc varchar(40), j json, f8 float8, b bool, n numeric)");
  std::vector<std::vector<Value>> rows = {
      {Value::Int(-5), Value::Float(0.1), Value::Int(3), Value::Int(-(int64_t{1} << 53)), Value::Int(0),
       Value::Int(-12345678901234)},
      {Value::Bytes(std::string("\0\xff", 2)), Value::Bool(true), Value::Float(-0.0), Value::Int(7), Value::Bool(true),
       Value::UInt(18446744073709551615u)},
      {Value::Float(1e300), Value::UInt(18446744073709551615u), Value::Text("{\"x\": 1}"), Value::Float(-0.0),
       Value::Int(1), Value::Text("+000123.4500")},
  };
  std::vector<Binary> types = {Binary::kText,   Binary::kText, Binary::kText,
                               Binary::kFloat8, Binary::kBool, Binary::kNumeric};
  std::string bin, txt;
  AppendBinaryHeader(&bin);
  for (const auto& row : rows) {
    ASSERT_TRUE(EncodeBinaryRow(row.data(), types, &bin));
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) txt += '\t';
      EncodeCopyValue(row[c], &txt);
    }
    txt += '\n';
  }
  AppendBinaryTrailer(&bin);
  ASSERT_TRUE(Copy("COPY pgl_kinds_bin FROM STDIN WITH (FORMAT binary)", bin).ok());
  ASSERT_TRUE(Copy("COPY pgl_kinds_txt FROM STDIN", txt).ok());
  EXPECT_EQ(Rows("SELECT string_agg(t::text, ';' ORDER BY t::text) FROM pgl_kinds_bin t"),
            Rows("SELECT string_agg(t::text, ';' ORDER BY t::text) FROM pgl_kinds_txt t"));
}

// ---- the sink -------------------------------------------------------------------

Status MigrateDb(const std::string& from, const std::string& to, size_t jobs,
                 LoadMode mode = LoadMode::kRefuseNonEmpty) {
  EndpointOptions eo{jobs};
  auto source = OpenSource(from, eo);
  if (!source.ok()) return source.status();
  auto sink = OpenDatabaseSink(to, eo);
  if (!sink.ok()) return sink.status();
  CopyOptions co;
  co.jobs = jobs;
  co.sink.mode = mode;
  return CopyDatabase(**source, **sink, co).status();
}

TEST_F(BinaryCopyTest, SinkSwitchesToTextMidTableAndFreezesWhatItCreated) {
  // Rows in binary, then a BC date that only text carries, then more rows.
  Exec("CREATE TABLE mixed (id int PRIMARY KEY, d date, ts timestamptz, n numeric(12,3), u uuid, f real)");
  Exec(
      "INSERT INTO mixed SELECT g, DATE '2000-01-01' + g, TIMESTAMPTZ '2020-01-01 00:00+00' + g * INTERVAL '1 s', "
      "g / 7.0, md5(g::text)::uuid, g / 4.0 FROM generate_series(1, 30000) g");
  Exec("UPDATE mixed SET d = '0300-01-01 BC' WHERE id = 20000");
  Exec("CREATE TABLE plain (id bigint PRIMARY KEY, t text, b bytea)");
  Exec("INSERT INTO plain SELECT g, repeat('x', g % 50), decode(md5(g::text), 'hex') FROM generate_series(1, 5000) g");
  Exec("CREATE TABLE textual (id int, iv interval)");  // interval: no binary form here, text COPY
  Exec("INSERT INTO textual VALUES (1, '1 day'), (2, NULL)");
  std::string target = db_ + "_dst";
  Admin("DROP DATABASE IF EXISTS " + target);
  Admin("CREATE DATABASE " + target);
  for (size_t jobs : {1, 2}) {
    SCOPED_TRACE(jobs);
    Admin("DROP DATABASE IF EXISTS " + target);
    Admin("CREATE DATABASE " + target);
    Status st = MigrateDb(DbUri(server_, db_), DbUri(server_, target), jobs);
    ASSERT_TRUE(st.ok()) << st.ToString();
    {
      auto a = OpenSource(DbUri(server_, db_));
      auto b = OpenSource(DbUri(server_, target));
      ASSERT_TRUE(a.ok() && b.ok());
      auto report = VerifySources(**a, **b);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      EXPECT_TRUE(report->equal());
      for (const auto& d : report->differences) ADD_FAILURE() << d.table << ": " << d.reason;
    }
    auto dst = Connection::Open(DbUri(server_, target));
    ASSERT_TRUE(dst.ok());
    auto frozen = (*dst)->Query(
        "CREATE EXTENSION IF NOT EXISTS pg_visibility; "
        "SELECT bool_and(all_frozen) FROM (SELECT all_frozen FROM pg_visibility_map('public.plain') UNION ALL "
        "SELECT all_frozen FROM pg_visibility_map('public.mixed')) v");
    ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
    // One job: the tables were created in the load's transaction, so COPY FREEZE.
    EXPECT_EQ(frozen->Get(0, 0), jobs == 1 ? "t" : "f");
    (*dst).reset();
    Admin("DROP DATABASE IF EXISTS " + target);
  }
}

// Several writers of one table at once (a table read in slices gets one per
// slice): each on its own connection, each committing on its own.
TEST_F(BinaryCopyTest, SeveralWritersOfOneTableLoadTogether) {
  Exec("CREATE TABLE t (id int PRIMARY KEY, note text)");
  std::string target = db_ + "_two";
  Admin("DROP DATABASE IF EXISTS " + target);
  Admin("CREATE DATABASE " + target);
  {
    EndpointOptions eo{2};
    auto src = OpenSource(DbUri(server_, db_), eo);
    ASSERT_TRUE(src.ok());
    auto schema = (*src)->ReadSchema();
    ASSERT_TRUE(schema.ok());
    auto sink = OpenDatabaseSink(DbUri(server_, target), eo);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_EQ((*sink)->MaxParallelTables(), 2u);
    ASSERT_TRUE((*sink)->Begin(*schema, {}).ok());
    const Table& table = schema->tables[0];
    auto w1 = (*sink)->OpenTable(table);
    auto w2 = (*sink)->OpenTable(table);
    ASSERT_TRUE(w1.ok() && w2.ok()) << w1.status().ToString() << w2.status().ToString();
    for (int round = 0; round < 4; ++round) {
      for (int w = 0; w < 2; ++w) {
        RowBatch batch(2);
        for (int i = 0; i < 1000; ++i) {
          Value* row = batch.AppendRow();
          row[0] = Value::Int(round * 2000 + w * 1000 + i);
          row[1] = Value::Text("writer " + std::to_string(w));
        }
        ASSERT_TRUE((w == 0 ? *w1 : *w2)->Write(batch).ok());
      }
    }
    ASSERT_TRUE((*w2)->Close().ok());
    ASSERT_TRUE((*w1)->Close().ok());
    w1->reset();
    w2->reset();
    Status st = (*sink)->Commit();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  auto dst = Connection::Open(DbUri(server_, target));
  ASSERT_TRUE(dst.ok());
  auto r = (*dst)->Query(
      "SELECT count(*), count(DISTINCT id), min(id), max(id), count(*) FILTER (WHERE note = "
      "'writer 1') FROM t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get(0, 0) + " " + r->Get(0, 1) + " " + r->Get(0, 2) + " " + r->Get(0, 3) + " " + r->Get(0, 4),
            "8000 8000 0 7999 4000");
  dst->reset();
  Admin("DROP DATABASE IF EXISTS " + target);
}

// With several jobs foreign keys are added NOT VALID and then validated in
// parallel: they end valid, and a row without its parent still fails the
// load with the key named.
TEST_F(BinaryCopyTest, ForeignKeysEndValidatedAndAnOrphanFailsTheLoad) {
  Exec("CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY)");
  Exec(
      "CREATE TABLE child (id int, parent_id int CONSTRAINT child_parent_fk REFERENCES parent, "
      "other_id int CONSTRAINT child_other_fk REFERENCES other)");
  Exec("CREATE TABLE loose (id int)");
  Exec("INSERT INTO loose VALUES (1000)");  // allowed: its key is NOT VALID in the source
  Exec("ALTER TABLE loose ADD CONSTRAINT loose_fk FOREIGN KEY (id) REFERENCES parent NOT VALID");
  Exec("INSERT INTO parent SELECT generate_series(1, 100); INSERT INTO other SELECT generate_series(1, 10)");
  Exec("INSERT INTO child SELECT g, g, g % 10 + 1 FROM generate_series(1, 100) g");
  std::string target = db_ + "_fk";
  Admin("DROP DATABASE IF EXISTS " + target);
  Admin("CREATE DATABASE " + target);
  Status st = MigrateDb(DbUri(server_, db_), DbUri(server_, target), 2);
  ASSERT_TRUE(st.ok()) << st.ToString();
  {
    auto dst = Connection::Open(DbUri(server_, target));
    ASSERT_TRUE(dst.ok());
    auto r = (*dst)->Query(
        "SELECT string_agg(conname || '=' || convalidated, ',' ORDER BY conname) FROM pg_constraint "
        "WHERE contype = 'f'");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Get(0, 0), "child_other_fk=true,child_parent_fk=true,loose_fk=false");
  }
  Admin("DROP DATABASE IF EXISTS " + target);
  Admin("CREATE DATABASE " + target);
  // A row whose parent is missing, past the source's key (replica fires no triggers).
  Exec(
      "SET session_replication_role = replica; INSERT INTO child VALUES (101, 4242, 1); "
      "SET session_replication_role = origin");
  st = MigrateDb(DbUri(server_, db_), DbUri(server_, target), 2);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), ::testing::HasSubstr("child_parent_fk"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("violates foreign key constraint"));
  // --append into tables the load did not create: no key added NOT VALID stays behind.
  {
    auto dst = Connection::Open(DbUri(server_, target));
    ASSERT_TRUE(dst.ok());
    ASSERT_TRUE((*dst)
                    ->Exec("CREATE TABLE public.parent (id int PRIMARY KEY); CREATE TABLE public.other (id int "
                           "PRIMARY KEY); CREATE TABLE public.child (id int, parent_id int, other_id int)")
                    .ok());
  }
  st = MigrateDb(DbUri(server_, db_), DbUri(server_, target), 2, LoadMode::kAppend);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("child_parent_fk"));
  {
    auto dst = Connection::Open(DbUri(server_, target));
    ASSERT_TRUE(dst.ok());
    auto r =
        (*dst)->Query("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'public.child'::regclass");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->Get(0, 0), "0");
  }
  Admin("DROP DATABASE IF EXISTS " + target);
}

}  // namespace
}  // namespace decant::pg_internal
