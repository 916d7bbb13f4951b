// RethinkDB dumps and exports in and out, end to end through the real `decant`
// binary (issue 12, point 7).
//
// Inputs are made by tests/rethinkdb/make_dump.py (the byte-level facts it
// reproduces are in its docstring): a PAX dump with its members shuffled, a
// GNU dump without `write_hook`, `rethinkdb export` directories (.json and
// .ndjson), an import_export.rb directory, and a dump read from stdin. Each is
// loaded into SQLite, PostgreSQL 15 and MariaDB and proved with `decant
// verify`; targets are inspected with sqlite3, psql and mariadb, not through
// decant. Then the way back (a database written as a dump and read again, and
// read by Python's tarfile + json the way `rethinkdb restore` reads it), the
// refusals of damaged inputs, and a large table. A server whose environment is
// not set (scripts/servers/*.sh env) is skipped.
//
// The fixture has a table whose name is 70 bytes
// (kinds.a_table_with_a_rather_long_name_that_needs_pax_or_gnu_longname_records):
// PostgreSQL cuts it to 63 bytes (plan names the cut, verify matches it), MySQL
// refuses names over 64 bytes, so every MariaDB run renames it, on import and
// on verify alike (--rename kinds.<long>=longname), and the way back from
// PostgreSQL is verified with the cut name as the rename.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::Chomp;
using testing_util::Env;
using testing_util::MariadbTestDb;
using testing_util::PgTestDb;
using testing_util::RunDecantBinary;
using testing_util::RunResult;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::ShellResult;
using testing_util::TempDir;
using testing_util::WriteFile;

// src/cli/exit_codes.h
constexpr int kExitOk = 0;
constexpr int kExitDifferent = 1;
constexpr int kExitUsage = 2;
constexpr int kExitCorrupt = 3;
constexpr int kExitNotCarried = 9;

const std::string kLong = "a_table_with_a_rather_long_name_that_needs_pax_or_gnu_longname_records";
const std::string kPgCut = kLong.substr(0, 63);
// The query text of what the fixture holds and no relational engine carries.
const std::string kMultiQuery = R"(indexCreate('tags', function(var1) { return var1("tags"); }, {multi: true}))";
const std::string kReqlQuery = R"(indexCreate('lower_name', function(var1) { return var1("name").downcase(); }))";
const std::string kGeoQuery = R"(indexCreate('where', function(var1) { return var1("point"); }, {geo: true}))";
const std::string kHookQuery = "setWriteHook(function(var1, var2, var3) { return var3; })";
// Every table of the fixture but the long one.
const std::vector<std::string> kShortTables = {"app.accounts", "app.compound", "app.users", "kinds.empty",
                                               "kinds.types"};

// Runs tests/rethinkdb/make_dump.py OUT OPTIONS; fails the test on error.
void MakeDump(const std::string& out, const std::string& options) {
  ShellResult r = RunShell("python3 " + ShellQuote(std::string(DECANT_SOURCE_DIR) + "/tests/rethinkdb/make_dump.py") +
                           " " + ShellQuote(out) + " " + options);
  ASSERT_EQ(r.exit_code, 0) << r.out;
}

// Runs a Python script (written to `dir`) with `args`; what it printed.
ShellResult RunPython(const TempDir& dir, const std::string& script, const std::string& args) {
  static int n = 0;
  std::string path = dir.File("script" + std::to_string(++n) + ".py");
  WriteFile(path, script);
  return RunShell("python3 " + ShellQuote(path) + " " + args);
}

// The line of `decant verify` output for table `table` ("" when absent).
std::string VerifyLine(const std::string& out, const std::string& table) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  " + table + " ", 0) == 0) return line;
  }
  return "";
}

// Reads a dump as `rethinkdb restore` does (rethinkdb-python _restore.py /
// _import.py): tar.gz members <top>/<db>/<table>.{info,json}, the primary key
// from .info, the .json as "[" / rows separated by ",\n" / "\n]\n", each row a
// JSON object holding its primary key, the whole file 7-bit ASCII (ensure_ascii).
// Prints "db.table<TAB>primary key as JSON<TAB>row count" per table, sorted.
constexpr char kRestoreReader[] = R"PY(
import json, sys, tarfile
tables = {}
with tarfile.open(sys.argv[1], "r:gz") as tar:
    tops = set()
    for m in tar.getmembers():
        assert m.isfile(), "not a regular file: " + m.name
        parts = m.name.split("/")
        assert len(parts) == 3 and all(parts), "bad member path: " + m.name
        tops.add(parts[0])
        base, ext = parts[2].rsplit(".", 1)
        data = tar.extractfile(m).read()
        text = data.decode("ascii")
        entry = tables.setdefault((parts[1], base), {})
        if ext == "info":
            info = json.loads(text)
            assert info["name"] == base and info["db"]["name"] == parts[1], text
            entry["pk"] = info["primary_key"]
        elif ext == "json":
            assert text.startswith("[") and text.endswith("\n]\n"), text[:40]
            lines = text.split("\n")
            assert lines[0] == "[" and lines[-2] == "]" and lines[-1] == ""
            rows = [json.loads(l[:-1] if l.endswith(",") else l) for l in lines[1:-2]]
            assert all(l.endswith(",") for l in lines[1:-3]), "rows not separated by ,\\n"
            assert rows == json.loads(text)
            entry["rows"] = rows
        else:
            raise AssertionError("unexpected member " + m.name)
    assert len(tops) == 1, tops
for (db, table), e in sorted(tables.items()):
    assert "pk" in e and "rows" in e, (db, table)
    pk = e["pk"]
    for row in e["rows"]:
        assert isinstance(row, dict) and pk in row, (db, table, row)
    print("%s.%s\t%s\t%d" % (db, table, json.dumps(pk), len(e["rows"])))
)PY";

enum class Engine { kSqlite, kPostgres, kMariadb };

std::string EngineName(Engine e) {
  switch (e) {
    case Engine::kSqlite: return "Sqlite";
    case Engine::kPostgres: return "Postgres";
    case Engine::kMariadb: return "Mariadb";
  }
  return "";
}

// Why the tests cannot use `e` here ("" when they can).
std::string Unavailable(Engine e) {
  if (e == Engine::kPostgres && Env("DECANT_TEST_PG15_URI").empty()) {
    return "DECANT_TEST_PG15_URI is unset (source \"$(bash scripts/servers/postgresql.sh env)\")";
  }
  if (e == Engine::kMariadb && Env("DECANT_TEST_MYSQL_URI").empty()) {
    return "DECANT_TEST_MYSQL_URI is unset (source \"$(bash scripts/servers/mariadb.sh env)\")";
  }
  return "";
}

#define SKIP_UNLESS_AVAILABLE(engine) \
  if (std::string why = Unavailable(engine); !why.empty()) GTEST_SKIP() << why

// One empty target: a SQLite file in a fresh directory, or a fresh database on
// a test server (dropped at the end).
class Target {
 public:
  explicit Target(Engine e) : engine_(e) {
    if (e == Engine::kPostgres) pg_ = std::make_unique<PgTestDb>("re2e");
    if (e == Engine::kMariadb) my_ = std::make_unique<MariadbTestDb>("re2e");
  }
  Engine engine() const { return engine_; }
  std::string file() const { return dir_.File("re2e_target.db"); }
  std::string uri() const {
    if (pg_) return pg_->uri();
    if (my_) return my_->uri();
    return "sqlite://" + file();
  }
  // Runs SQL on the target; the output as one line per row, fields joined by '|'.
  std::string Sql(const std::string& sql) const {
    if (pg_) return pg_->Sql(sql);
    if (my_) return my_->Sql(sql);
    ShellResult r = RunShell("sqlite3 -batch " + ShellQuote(file()) + " " + ShellQuote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << sql;
    return Chomp(r.out);
  }
  // Table `db`.`table` of the dump as the target names it in SQL: a schema on
  // PostgreSQL, the bare table name on SQLite and MariaDB.
  std::string Table(const std::string& db, const std::string& table) const {
    if (pg_) return "\"" + db + "\".\"" + table + "\"";
    if (my_) return "`" + table + "`";
    return "\"" + table + "\"";
  }
  // The primary key column(s) of a table, comma-separated.
  std::string PrimaryKey(const std::string& db, const std::string& table) const {
    if (pg_) {
      return Sql(
          "SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
          "a.attnum = ANY(i.indkey) WHERE i.indisprimary AND i.indrelid = '" +
          Table(db, table) + "'::regclass");
    }
    if (my_) {
      return Sql(
          "SELECT group_concat(column_name ORDER BY ordinal_position) FROM information_schema.key_column_usage "
          "WHERE table_schema = database() AND table_name = '" +
          table + "' AND constraint_name = 'PRIMARY'");
    }
    return Sql("SELECT group_concat(name) FROM pragma_table_info('" + table + "') WHERE pk > 0");
  }
  // Options every import, plan and verify with this target needs: MySQL
  // refuses the fixture's 70-byte table name, so it is renamed.
  std::vector<std::string> NameOptions() const {
    if (engine_ == Engine::kMariadb) return {"--rename", "kinds." + kLong + "=longname"};
    return {};
  }

 private:
  Engine engine_;
  TempDir dir_;
  std::unique_ptr<PgTestDb> pg_;
  std::unique_ptr<MariadbTestDb> my_;
};

// Expects `decant verify` of the whole fixture against `target` to prove every
// table equal.
void ExpectFixtureEqual(const Target& target, const RunResult& v) {
  EXPECT_EQ(v.exit_code, kExitOk) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("equal: 6 tables, 10 rows hold the same data"));
  // The long table is matched under its own name (PostgreSQL's cut or the rename).
  EXPECT_THAT(VerifyLine(v.out, "kinds." + kLong), EndsWith("  equal"));
  if (target.engine() == Engine::kMariadb) {
    EXPECT_EQ(target.Sql("SELECT count(*) FROM longname"), "1");
  }
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Builds the fixture's dumps and export directories once per test suite.
class RethinkE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteDir() = std::make_unique<TempDir>();
    MakeDump(Path("pax.tar.gz"), "--format pax --shuffle 7");
    MakeDump(Path("gnu.tar.gz"), "--format gnu --no-write-hook");
    MakeDump(Path("export_json"), "--export-dir --data-format json");
    MakeDump(Path("export_ndjson"), "--export-dir --data-format ndjson");
    MakeDump(Path("legacy"), "--legacy");
  }
  static void TearDownTestSuite() { SuiteDir().reset(); }
  static std::string Path(const std::string& name) { return SuiteDir()->File(name); }
  static const TempDir& Dir() { return *SuiteDir(); }

 private:
  static std::unique_ptr<TempDir>& SuiteDir() {
    static std::unique_ptr<TempDir> dir;
    return dir;
  }
};

// ---------------------------------------------------------------------------
// 1. Every input form into every target: import names what it does not carry,
// verify proves the rest.

enum class Form { kPaxShuffled, kGnuNoHook, kExportJson, kExportNdjson, kLegacy, kStdin };

struct FormSpec {
  std::string name;
  std::string input;                 // under the suite's directory
  bool from_stdin = false;           // `decant import - TARGET < input`
  bool has_info = true;              // .info files: indexes (and the write hook) to name
  bool has_hook = true;              // .info with a write_hook
  std::vector<std::string> options;  // for import and verify
};

FormSpec Spec(Form f) {
  switch (f) {
    case Form::kPaxShuffled: return {"PaxShuffled", "pax.tar.gz", false, true, true, {}};
    case Form::kGnuNoHook: return {"GnuNoWriteHook", "gnu.tar.gz", false, true, false, {}};
    case Form::kExportJson: return {"ExportJson", "export_json", false, true, true, {}};
    case Form::kExportNdjson: return {"ExportNdjson", "export_ndjson", false, true, true, {}};
    // import_export.rb directories have no .info: no indexes to name, and the
    // primary key of app.accounts (account_no) must be given.
    case Form::kLegacy:
      return {"LegacyDir", "legacy", false, false, false, {"--primary-keys", "app.accounts=account_no"}};
    case Form::kStdin: return {"StdinDump", "pax.tar.gz", true, true, true, {}};
  }
  return {};
}

class LoadTest : public RethinkE2e, public ::testing::WithParamInterface<std::tuple<Engine, Form>> {};

TEST_P(LoadTest, ImportNamesWhatIsNotCarriedAndVerifyIsEqual) {
  auto [engine, form] = GetParam();
  SKIP_UNLESS_AVAILABLE(engine);
  Target target(engine);
  FormSpec spec = Spec(form);
  std::string input = Path(spec.input);

  RunResult r = RunDecantBinary(
      Concat(Concat({"import", spec.from_stdin ? "-" : input, target.uri()}, spec.options), target.NameOptions()),
      spec.from_stdin ? input : "");
  if (spec.has_info) {
    EXPECT_EQ(r.exit_code, kExitNotCarried) << r.err;
    EXPECT_THAT(r.err, HasSubstr("app.users: index tags: a multi index"));
    EXPECT_THAT(r.err, HasSubstr(kMultiQuery));
    EXPECT_THAT(r.err, HasSubstr("app.users: index lower_name: its function is not a plain field"));
    EXPECT_THAT(r.err, HasSubstr(kReqlQuery));
    EXPECT_THAT(r.err, HasSubstr("kinds.types: index where: a geo index"));
    EXPECT_THAT(r.err, HasSubstr(kGeoQuery));
    EXPECT_THAT(r.err, HasSubstr("  index tags on app.users: only rethinkdb has it\n"));
    EXPECT_THAT(r.err, HasSubstr("  index lower_name on app.users: only rethinkdb has it\n"));
    EXPECT_THAT(r.err, HasSubstr("  index where on kinds.types: only rethinkdb has it\n"));
    if (spec.has_hook) {
      EXPECT_THAT(r.err, HasSubstr("not carried (4 objects):\n"));
      EXPECT_THAT(r.err, HasSubstr("app.users: write hook users: RethinkDB runs it on every write"));
      EXPECT_THAT(r.err, HasSubstr(kHookQuery));
      EXPECT_THAT(r.err, HasSubstr("  write hook users on app.users: only rethinkdb has it\n"));
    } else {
      EXPECT_THAT(r.err, HasSubstr("not carried (3 objects):\n"));
      EXPECT_THAT(r.err, Not(HasSubstr("write hook")));
    }
  } else {
    EXPECT_EQ(r.exit_code, kExitOk) << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr("not carried")));
  }
  EXPECT_THAT(r.err, HasSubstr("imported 6 tables, 10 rows"));

  // Keys from .info (or --primary-keys): any field name, arrays as JSON text.
  EXPECT_EQ(target.PrimaryKey("app", "accounts"), "account_no");
  EXPECT_EQ(target.PrimaryKey("app", "users"), "id");
  EXPECT_EQ(target.Sql("SELECT count(*) FROM " + target.Table("app", "compound") +
                       " WHERE id IN ('[1,\"a\"]', '[2,\"b\",3.5]')"),
            "2");

  ExpectFixtureEqual(
      target, RunDecantBinary(Concat(Concat({"verify", input, target.uri()}, spec.options), target.NameOptions())));
}

INSTANTIATE_TEST_SUITE_P(EveryFormEveryTarget, LoadTest,
                         ::testing::Combine(::testing::Values(Engine::kSqlite, Engine::kPostgres, Engine::kMariadb),
                                            ::testing::Values(Form::kPaxShuffled, Form::kGnuNoHook, Form::kExportJson,
                                                              Form::kExportNdjson, Form::kLegacy, Form::kStdin)),
                         [](const ::testing::TestParamInfo<std::tuple<Engine, Form>>& p) {
                           return EngineName(std::get<0>(p.param)) + "_" + Spec(std::get<1>(p.param)).name;
                         });

// ---------------------------------------------------------------------------
// 2. Per target: the default shape's indexes on the document, and
// --infer-columns (plan, import, verify, column types, indexes on columns).

class ShapeTest : public RethinkE2e, public ::testing::WithParamInterface<Engine> {};

TEST_P(ShapeTest, DefaultShapeIndexesAreExpressionsOnDoc) {
  SKIP_UNLESS_AVAILABLE(GetParam());
  Target target(GetParam());
  RunResult r = RunDecantBinary(Concat({"import", Path("pax.tar.gz"), target.uri()}, target.NameOptions()));
  ASSERT_EQ(r.exit_code, kExitNotCarried) << r.err;
  switch (GetParam()) {
    case Engine::kPostgres:
      EXPECT_EQ(target.Sql("SELECT data_type FROM information_schema.columns WHERE table_schema = 'app' AND "
                           "table_name = 'users' AND column_name = 'doc'"),
                "jsonb");
      EXPECT_EQ(target.Sql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'app' AND indexname = 'email'"),
                "CREATE INDEX email ON app.users USING btree (((doc ->> 'email'::text)))");
      EXPECT_EQ(target.Sql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'app' AND indexname = 'name_email'"),
                "CREATE INDEX name_email ON app.users USING btree (((doc ->> 'name'::text)), ((doc ->> "
                "'email'::text)))");
      break;
    case Engine::kSqlite:
      EXPECT_EQ(target.Sql("SELECT sql FROM sqlite_schema WHERE name = 'email'"),
                "CREATE INDEX \"email\" ON \"users\" (json_extract(\"doc\", '$.email'))");
      EXPECT_EQ(target.Sql("SELECT sql FROM sqlite_schema WHERE name = 'name_email'"),
                "CREATE INDEX \"name_email\" ON \"users\" (json_extract(\"doc\", '$.name'), json_extract(\"doc\", "
                "'$.email'))");
      break;
    case Engine::kMariadb: {
      std::string create = target.Sql("SHOW CREATE TABLE users");
      EXPECT_THAT(create, HasSubstr("`doc_email` longtext GENERATED ALWAYS AS "
                                    "(json_unquote(json_extract(`doc`,'$.email'))) VIRTUAL"));
      EXPECT_THAT(create, HasSubstr("KEY `email` (`doc_email`"));
      EXPECT_THAT(create, HasSubstr("KEY `name_email` (`doc_name`"));
      break;
    }
  }
  // The multi, geo and ReQL indexes are not created.
  std::string indexes =
      GetParam() == Engine::kPostgres ? target.Sql(
                                            "SELECT indexname FROM pg_indexes WHERE schemaname = 'app' OR "
                                            "schemaname = 'kinds'")
      : GetParam() == Engine::kSqlite
          ? target.Sql("SELECT name FROM sqlite_schema WHERE type = 'index'")
          : target.Sql("SELECT index_name FROM information_schema.statistics WHERE table_schema = database()");
  EXPECT_THAT(indexes, Not(HasSubstr("tags")));
  EXPECT_THAT(indexes, Not(HasSubstr("lower_name")));
  EXPECT_THAT(indexes, Not(HasSubstr("where")));
}

TEST_P(ShapeTest, InferColumnsPlansImportsAndVerifies) {
  Engine engine = GetParam();
  SKIP_UNLESS_AVAILABLE(engine);
  Target target(engine);
  std::string text = engine == Engine::kPostgres ? "text" : engine == Engine::kSqlite ? "TEXT" : "LONGTEXT";
  std::string when = engine == Engine::kPostgres ? "timestamp(3) with time zone"
                     : engine == Engine::kSqlite ? "TEXT"
                                                 : "DATETIME(3)";

  RunResult plan =
      RunDecantBinary(Concat({"plan", "--infer-columns", Path("pax.tar.gz"), target.uri()}, target.NameOptions()));
  EXPECT_EQ(plan.exit_code, kExitOk) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("table app.users\n  id: number (integer) -> "));
  EXPECT_THAT(plan.out, HasSubstr("  email: string -> " + text + ": "));
  EXPECT_THAT(plan.out, HasSubstr("  when: TIME -> " + when + ": "));
  EXPECT_THAT(plan.out, HasSubstr("  when_tz: string (+HH:MM) -> " + text + ": "));
  EXPECT_THAT(plan.out, HasSubstr("  _rest: object -> "));
  EXPECT_THAT(plan.out, HasSubstr("  kinds.types: field when: 1 value with an offset other than +00:00: offsets in "
                                  "when_tz\n"));
  EXPECT_THAT(plan.out, HasSubstr("  app.accounts: field note: null in every document: kept in _rest\n"));
  EXPECT_THAT(plan.out, HasSubstr(kReqlQuery));
  if (engine == Engine::kPostgres) {
    EXPECT_THAT(plan.out, HasSubstr("table kinds." + kLong +
                                    ": its name is 70 bytes; PostgreSQL keeps the first "
                                    "63: " +
                                    kPgCut));
  }
  if (engine == Engine::kSqlite) {
    EXPECT_FALSE(std::filesystem::exists(target.file())) << "plan wrote the target";
  }

  RunResult r =
      RunDecantBinary(Concat({"import", "--infer-columns", Path("pax.tar.gz"), target.uri()}, target.NameOptions()));
  EXPECT_EQ(r.exit_code, kExitNotCarried) << r.err;
  ExpectFixtureEqual(target, RunDecantBinary(Concat({"verify", "--infer-columns", Path("pax.tar.gz"), target.uri()},
                                                    target.NameOptions())));

  switch (engine) {
    case Engine::kPostgres:
      EXPECT_EQ(target.Sql("SELECT table_name || '.' || column_name || ' ' || data_type FROM "
                           "information_schema.columns WHERE (table_name = 'users' AND column_name IN ('id', 'email', "
                           "'tags', '_rest')) OR (table_name = 'types' AND column_name IN ('when', 'when_tz', 'bytes', "
                           "'point', 'big', 'float', 't')) ORDER BY 1"),
                "types.big bigint\ntypes.bytes bytea\ntypes.float double precision\ntypes.point bytea\n"
                "types.t boolean\ntypes.when timestamp with time zone\ntypes.when_tz text\n"
                "users._rest jsonb\nusers.email text\nusers.id bigint\nusers.tags jsonb");
      EXPECT_EQ(target.Sql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'app' AND indexname = 'email'"),
                "CREATE INDEX email ON app.users USING btree (email)");
      EXPECT_EQ(target.Sql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'app' AND indexname = 'name_email'"),
                "CREATE INDEX name_email ON app.users USING btree (name, email)");
      break;
    case Engine::kSqlite:
      EXPECT_EQ(target.Sql("SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('users')"),
                "id INTEGER, email TEXT, name TEXT, tags TEXT, _rest TEXT");
      EXPECT_EQ(target.Sql("SELECT sql FROM sqlite_schema WHERE name = 'email'"),
                "CREATE INDEX \"email\" ON \"users\" (\"email\")");
      break;
    case Engine::kMariadb:
      EXPECT_EQ(target.Sql("SELECT group_concat(column_name, ' ', column_type ORDER BY ordinal_position) FROM "
                           "information_schema.columns WHERE table_schema = database() AND table_name = 'types' AND "
                           "column_name IN ('when', 'when_tz', 'bytes', 'point')"),
                "bytes longblob,point geometry,when datetime(3),when_tz longtext");
      EXPECT_THAT(target.Sql("SHOW CREATE TABLE users"), HasSubstr("KEY `email` (`email`"));
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, ShapeTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres, Engine::kMariadb),
                         [](const ::testing::TestParamInfo<Engine>& p) { return EngineName(p.param); });

// ---------------------------------------------------------------------------
// 3. Exact values on PostgreSQL, in both shapes.

TEST_F(RethinkE2e, PostgresValuesDefaultShape) {
  SKIP_UNLESS_AVAILABLE(Engine::kPostgres);
  Target target(Engine::kPostgres);
  ASSERT_EQ(RunDecantBinary({"import", Path("pax.tar.gz"), target.uri()}).exit_code, kExitNotCarried);
  EXPECT_EQ(target.Sql("SELECT doc ->> 'uni', doc -> 'big', doc ->> 'esc' = E'quote\" back\\\\ nl\\n tab\\t ctl\\x01', "
                       "doc -> 'null' = 'null'::jsonb, doc -> 'obj' FROM kinds.types WHERE id = 'all'"),
            "café ☃ 𝄞|9007199254740992|t|t|{\"a\": {\"b\": [1, {\"c\": \"d\"}]}}");
  // Pseudo-types stay inside the document as RethinkDB wrote them.
  EXPECT_EQ(target.Sql("SELECT doc -> 'when' = '{\"$reql_type$\": \"TIME\", \"epoch_time\": 1700000000.123, "
                       "\"timezone\": \"+02:00\"}'::jsonb, doc -> 'bytes' = '{\"$reql_type$\": \"BINARY\", \"data\": "
                       "\"AAH+/w==\"}'::jsonb, doc #>> '{point,type}' FROM kinds.types WHERE id = 'pseudo'"),
            "t|t|Point");
}

TEST_F(RethinkE2e, PostgresValuesInferredColumns) {
  SKIP_UNLESS_AVAILABLE(Engine::kPostgres);
  Target target(Engine::kPostgres);
  ASSERT_EQ(RunDecantBinary({"import", "--infer-columns", Path("pax.tar.gz"), target.uri()}).exit_code,
            kExitNotCarried);
  // epoch 1700000000.123 is 2023-11-14 22:13:20.123 UTC; the offset in when_tz.
  EXPECT_EQ(target.Sql("SELECT \"when\" = '2023-11-14 22:13:20.123+00', extract(epoch FROM \"when\") = "
                       "1700000000.123, when_tz, encode(bytes, 'hex'), encode(point, 'hex'), utc = 'epoch', "
                       "neg_tz = '1969-12-30 23:59:59.5+00', neg_tz_tz FROM kinds.types WHERE id = 'pseudo'"),
            // struct.pack('<BIdd', 1, 1, -122.4, 37.7): WKB of POINT(-122.4 37.7)
            "t|t|+02:00|0001feff|01010000009a99999999995ec09a99999999d94240|t|t|-07:00");
  EXPECT_EQ(target.Sql("SELECT uni, big, exp, \"float\", t, f, arr FROM kinds.types WHERE id = 'all'"),
            "café ☃ 𝄞|9007199254740992|1e+20|1.5|t|f|[1, \"two\", null, [3]]");
}

// ---------------------------------------------------------------------------
// 4. The way back: a database written as a dump and read again.

const std::string kEmailIndexCreate =
    R"(index email on app.users: r.db("app").table("users").indexCreate("email", r.row("email")))";
const std::string kNameEmailIndexCreate =
    R"(index name_email on app.users: r.db("app").table("users").indexCreate("name_email", [r.row("name"), )"
    R"(r.row("email")]))";

// Exports `target` as a dump into `dir`; decant's stderr.
std::string ExportDump(const Target& target, const TempDir& dir) {
  RunResult e = RunDecantBinary({"export", target.uri(), "--format", "rethinkdb", "-o", dir.File("back.tar.gz")});
  EXPECT_EQ(e.exit_code, kExitNotCarried) << e.err;
  return e.err;
}

TEST_F(RethinkE2e, PostgresBackToDumpIsEqual) {
  SKIP_UNLESS_AVAILABLE(Engine::kPostgres);
  for (bool infer : {false, true}) {
    SCOPED_TRACE(infer ? "--infer-columns" : "default shape");
    Target target(Engine::kPostgres);
    std::vector<std::string> shape = infer ? std::vector<std::string>{"--infer-columns"} : std::vector<std::string>{};
    ASSERT_EQ(RunDecantBinary(Concat(Concat({"import"}, shape), {Path("pax.tar.gz"), target.uri()})).exit_code,
              kExitNotCarried);
    TempDir out;
    std::string back = out.File("back.tar.gz");
    std::string err = ExportDump(target, out);
    EXPECT_THAT(err, HasSubstr("exported 6 tables, 10 rows"));
    if (infer) {
      // Indexes on columns: named with the indexCreate call that makes them
      // again (the default shape's are in the skipped test below).
      EXPECT_THAT(err, HasSubstr(kEmailIndexCreate));
      EXPECT_THAT(err, HasSubstr(kNameEmailIndexCreate));
    }

    // PostgreSQL cut the long table's name to 63 bytes: the dump comes back
    // with the cut name, the same rows.
    RunResult v =
        RunDecantBinary({"verify", Path("pax.tar.gz"), back, "--rename", "kinds." + kLong + "=kinds." + kPgCut});
    EXPECT_EQ(v.exit_code, kExitOk) << v.out << v.err;
    EXPECT_THAT(v.out, HasSubstr("equal: 6 tables, 10 rows hold the same data"));
    // Without the rename, exactly that table differs.
    v = RunDecantBinary({"verify", Path("pax.tar.gz"), back});
    EXPECT_EQ(v.exit_code, kExitDifferent) << v.out << v.err;
    EXPECT_THAT(v.out, HasSubstr("DIFFERENT: 2 of 6 tables differ: kinds." + kLong + ", kinds." + kPgCut + "\n"));
    for (const std::string& t : kShortTables) EXPECT_THAT(VerifyLine(v.out, t), EndsWith("  equal")) << t;

    ShellResult py = RunPython(Dir(), kRestoreReader, ShellQuote(back));
    EXPECT_EQ(py.exit_code, 0) << py.out;
    EXPECT_EQ(py.out, "app.accounts\t\"account_no\"\t2\napp.compound\t\"id\"\t2\napp.users\t\"id\"\t3\nkinds." +
                          kPgCut + "\t\"id\"\t1\nkinds.empty\t\"id\"\t0\nkinds.types\t\"id\"\t2\n");
  }
}

// A default-shape table's indexes on document fields (PostgreSQL
// `(doc ->> 'email')`, made by `decant import`) are read back by the
// PostgreSQL catalog as JSON-path keys, so the way back names each with its
// indexCreate call (found by this test: they were opaque expressions).
TEST_F(RethinkE2e, PostgresDefaultShapeBackToDumpNamesIndexCreateCalls) {
  SKIP_UNLESS_AVAILABLE(Engine::kPostgres);
  Target target(Engine::kPostgres);
  ASSERT_EQ(RunDecantBinary({"import", Path("pax.tar.gz"), target.uri()}).exit_code, kExitNotCarried);
  TempDir out;
  std::string err = ExportDump(target, out);
  EXPECT_THAT(err, HasSubstr(kEmailIndexCreate));
  EXPECT_THAT(err, HasSubstr(kNameEmailIndexCreate));
}

// The summary of objects not carried names a PostgreSQL column comment with
// its schema once: comment app.accounts.doc (found by this test: it was
// app.app.accounts.doc).
TEST_F(RethinkE2e, ExportNamesPostgresCommentsWithTheirSchemaOnce) {
  SKIP_UNLESS_AVAILABLE(Engine::kPostgres);
  Target target(Engine::kPostgres);
  ASSERT_EQ(RunDecantBinary({"import", Path("pax.tar.gz"), target.uri()}).exit_code, kExitNotCarried);
  TempDir out;
  std::string err = ExportDump(target, out);
  EXPECT_THAT(err, Not(HasSubstr("comment app.app.")));
  EXPECT_THAT(err, Not(HasSubstr("comment kinds.kinds.")));
  EXPECT_THAT(err, HasSubstr("comment app.accounts.doc"));
}

// Row counts per table of a SQLite file: "table count" lines, sorted.
std::string SqliteCounts(const std::string& file) {
  ShellResult names = RunShell("sqlite3 -batch " + ShellQuote(file) +
                               " \"SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                               "ORDER BY name\"");
  EXPECT_EQ(names.exit_code, 0) << names.out;
  std::string out;
  std::istringstream in(names.out);
  for (std::string t; std::getline(in, t);) {
    ShellResult n =
        RunShell("sqlite3 -batch " + ShellQuote(file) + " " + ShellQuote("SELECT count(*) FROM \"" + t + "\""));
    out += t + " " + Chomp(n.out) + "\n";
  }
  return out;
}

TEST_F(RethinkE2e, ChinookToDumpAndBack) {
  std::string chinook = testing_util::SharedDir() + "/samples/chinook/Chinook_Sqlite.sqlite";
  if (testing_util::SharedDir().empty() || !std::filesystem::exists(chinook)) {
    GTEST_SKIP() << chinook << " is absent";
  }
  TempDir out;
  std::string dump = out.File("out.tar.gz");
  RunResult m = RunDecantBinary({"migrate", "sqlite://" + chinook, "--format", "rethinkdb", dump});
  // RethinkDB has no foreign keys: named, not carried.
  EXPECT_EQ(m.exit_code, kExitNotCarried) << m.err;
  EXPECT_THAT(m.err, HasSubstr("foreign key (AlbumId) on Track: RethinkDB has no foreign keys"));
  std::string source_counts = SqliteCounts(chinook);
  ASSERT_THAT(source_counts, HasSubstr("Track 3503\n"));

  // Read as rethinkdb restore does: one table per source table, its rows.
  ShellResult py = RunPython(Dir(), kRestoreReader, ShellQuote(dump));
  ASSERT_EQ(py.exit_code, 0) << py.out;
  std::string py_counts;
  std::istringstream lines(py.out);
  for (std::string line; std::getline(lines, line);) {
    std::string name = line.substr(0, line.find('\t'));
    ASSERT_EQ(name.rfind("Chinook_Sqlite.", 0), 0u) << line;
    py_counts += name.substr(15) + " " + line.substr(line.rfind('\t') + 1) + "\n";
  }
  EXPECT_EQ(py_counts, source_counts);
  EXPECT_THAT(py.out, HasSubstr("Chinook_Sqlite.Track\t\"TrackId\"\t3503\n"));

  // Back into SQLite in both shapes: the same counts, verify equal.
  for (bool infer : {false, true}) {
    SCOPED_TRACE(infer ? "--infer-columns" : "default shape");
    std::string db = out.File(infer ? "re2e_inferred.db" : "re2e_doc.db");
    std::vector<std::string> shape = infer ? std::vector<std::string>{"--infer-columns"} : std::vector<std::string>{};
    RunResult r = RunDecantBinary(Concat(Concat({"import"}, shape), {dump, "sqlite://" + db}));
    EXPECT_EQ(r.exit_code, kExitOk) << r.err;
    EXPECT_EQ(SqliteCounts(db), source_counts);
    RunResult v = RunDecantBinary(Concat(Concat({"verify"}, shape), {dump, "sqlite://" + db}));
    EXPECT_EQ(v.exit_code, kExitOk) << v.out << v.err;
    EXPECT_THAT(v.out, HasSubstr("equal: 11 tables, 15607 rows hold the same data"));
  }
}

// ---------------------------------------------------------------------------
// 5. Refusals: one line on stderr, the documented exit code, no target written.

class RefusalTest : public RethinkE2e {
 protected:
  // Runs `decant import INPUT sqlite://<fresh file> OPTIONS`; expects `code`,
  // exactly one line on stderr holding each of `parts`, and no target file.
  static void ExpectRefused(const std::string& input, int code, const std::vector<std::string>& parts,
                            const std::vector<std::string>& options = {}) {
    TempDir dir;
    std::string file = dir.File("re2e_refused.db");
    RunResult r = RunDecantBinary(Concat({"import", input, "sqlite://" + file}, options));
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_THAT(r.err, EndsWith("\n"));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, ::testing::StartsWith("decant: error: "));
    for (const std::string& p : parts) EXPECT_THAT(r.err, HasSubstr(p));
    EXPECT_FALSE(std::filesystem::exists(file)) << "the target was written: " << r.err;
  }

  // Writes a tar.gz of (name, content) members with Python's tarfile.
  static std::string Tar(const std::string& name, const std::string& members_python) {
    std::string path = Path(name);
    ShellResult r = RunPython(Dir(),
                              "import io, sys, tarfile\n"
                              "with tarfile.open(sys.argv[1], 'w:gz') as t:\n"
                              "    for name, data in " +
                                  members_python +
                                  ":\n"
                                  "        ti = tarfile.TarInfo(name); ti.size = len(data)\n"
                                  "        t.addfile(ti, io.BytesIO(data))\n",
                              ShellQuote(path));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return path;
  }
};

constexpr char kUsersInfo[] =
    R"((b'{"type": "TABLE", "name": "users", "db": {"type": "DB", "name": "app"}, "primary_key": "id", "indexes": []}\n'))";

TEST_F(RefusalTest, PathTraversalInTarMember) {
  std::string tar =
      Tar("evil.tar.gz", std::string("[('rethinkdb_dump_2024-03-05T10:11:12/app/users.info', ") + kUsersInfo +
                             "), ('rethinkdb_dump_2024-03-05T10:11:12/app/users.json', b'[\\n]\\n'), "
                             "('../evil.json', b'[\\n]\\n')]");
  ExpectRefused(tar, kExitCorrupt, {"../evil.json", "climbs out of the archive"});
}

TEST_F(RefusalTest, JsonWithoutInfo) {
  std::string tar =
      Tar("noinfo.tar.gz", std::string("[('rethinkdb_dump_2024-03-05T10:11:12/app/users.info', ") + kUsersInfo +
                               "), ('rethinkdb_dump_2024-03-05T10:11:12/app/users.json', b'[\\n]\\n'), "
                               "('rethinkdb_dump_2024-03-05T10:11:12/app/orphan.json', b'[\\n]\\n')]");
  ExpectRefused(tar, kExitCorrupt, {"app/orphan.json", "no orphan.info beside it"});
}

TEST_F(RefusalTest, TruncatedGzip) {
  std::string whole = testing_util::ReadFile(Path("pax.tar.gz"));
  std::string half = Path("truncated.tar.gz");
  WriteFile(half, whole.substr(0, whole.size() / 2));
  ExpectRefused(half, kExitCorrupt, {"truncated.tar.gz", "truncated"});
}

TEST_F(RefusalTest, MalformedJsonAtNamedLine) {
  std::string tar =
      Tar("badjson.tar.gz", std::string("[('rethinkdb_dump_2024-03-05T10:11:12/app/users.info', ") + kUsersInfo +
                                "), ('rethinkdb_dump_2024-03-05T10:11:12/app/users.json', "
                                "b'[\\n{\"id\": 1},\\n{\"id\": 2},\\n{\"id\": 3,, \"x\": 1},\\n{\"id\": "
                                "4}\\n]\\n')]");
  ExpectRefused(tar, kExitCorrupt, {"rethinkdb_dump_2024-03-05T10:11:12/app/users.json: line 4: malformed JSON"});
}

TEST_F(RefusalTest, ExportDirWithTwoDataFilesForOneTable) {
  std::string dir = Path("two_data_files");
  MakeDump(dir, "--export-dir --data-format json");
  MakeDump(Path("two_ndjson"), "--export-dir --data-format ndjson");
  std::filesystem::copy_file(Path("two_ndjson") + "/app/users.ndjson", dir + "/app/users.ndjson");
  ExpectRefused(dir, kExitCorrupt, {"two data files for table app.users", "users.json and users.ndjson"});
}

TEST_F(RefusalTest, PrimaryKeysNamingNoTable) {
  ExpectRefused(Path("legacy"), kExitUsage, {"--primary-keys names app.nosuch, which is not a table of"},
                {"--primary-keys", "app.nosuch=account_no"});
  ExpectRefused(Path("legacy"), kExitUsage, {"--primary-keys takes DB.TABLE=FIELD, not 'nosuch=account_no'"},
                {"--primary-keys", "nosuch=account_no"});
}

// ---------------------------------------------------------------------------
// 6. A table of a million documents into every target (scripts/test.sh
// builds decant optimised, where each load takes seconds; speed itself is
// measured in bench/rethinkdb_to_postgresql.sh, never here).

TEST_F(RethinkE2e, MillionDocumentsIntoEveryTarget) {
  constexpr int kDocs = 1000000;
  std::string dump = Path("big.tar.gz");
  MakeDump(dump, "--docs " + std::to_string(kDocs) + " --shuffle 3");
  std::string total = std::to_string(kDocs + 10);
  for (Engine engine : {Engine::kSqlite, Engine::kPostgres, Engine::kMariadb}) {
    SCOPED_TRACE(EngineName(engine));
    if (!Unavailable(engine).empty()) continue;
    Target target(engine);
    std::vector<std::string> import = {"import", dump, target.uri()};
    std::vector<std::string> names = target.NameOptions();
    import.insert(import.end(), names.begin(), names.end());
    RunResult r = RunDecantBinary(import);
    EXPECT_EQ(r.exit_code, kExitNotCarried) << r.err;
    EXPECT_EQ(target.Sql("SELECT count(*), count(DISTINCT id) FROM " + target.Table("big", "docs")),
              std::to_string(kDocs) + (engine == Engine::kMariadb ? "\t" : "|") + std::to_string(kDocs));
    std::vector<std::string> verify = {"verify", dump, target.uri()};
    verify.insert(verify.end(), names.begin(), names.end());
    RunResult v = RunDecantBinary(verify);
    EXPECT_EQ(v.exit_code, kExitOk) << v.out << v.err;
    EXPECT_THAT(v.out, HasSubstr("equal: 7 tables, " + total + " rows hold the same data"));
  }
}

}  // namespace
}  // namespace decant
