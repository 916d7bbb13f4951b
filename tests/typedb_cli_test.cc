// TypeDB and Grakn export files through the decant command (issue 14): where
// --rename goes (the reader, else the writer), --typedb-version, inspect
// --check's exit codes, and verify between files whose items come in other
// orders and between a file and its SQLite tables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "formats/typedb/test_streams.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using testing_util::RunDecantBinary;
using testing_util::RunResult;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::TempDir;
using testing_util::WriteFile;
namespace t = typedb::test;

bool OneLine(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

// A TypeDB 3.x graph: two people with names (one with two nicknames), a
// marriage whose spouse role one person plays twice, an employment whose
// contract is the marriage (a relation playing a role).
std::vector<typedb::v3::Item> Graph(const std::string& version = "3.1.0") {
  return {t::Header(version, "tdc_graph"),
          t::Attribute("n1", "name", t::String("Ann")),
          t::Attribute("n2", "name", t::String("Bob")),
          t::Attribute("k1", "nick", t::String("A")),
          t::Attribute("k2", "nick", t::String("Annie")),
          t::Attribute("g1", "age", t::Integer(-1)),
          t::Entity("p1", "person", {"n1", "k1", "k2", "g1"}),
          t::Entity("p2", "person", {"n2"}),
          t::Relation("r1", "marriage", {{"marriage:spouse", {"p1", "p2", "p1"}}}),
          t::Relation("r2", "employment", {{"employment:employee", {"p2"}}, {"employment:contract", {"r1"}}}),
          t::Checksums(2, 5, 2, 5, 5)};
}

class TypeDbCliTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::vector<typedb::v3::Item>& items) {
    std::string path = tmp_.File(name);
    WriteFile(path, t::Stream(items));
    return path;
  }
  static std::string Query(const std::string& db, const std::string& sql) {
    return RunShell("sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql)).out;
  }

  TempDir tmp_;
};

TEST_F(TypeDbCliTest, RenameIsAppliedByTheReaderOnImportAndVerify) {
  std::string file = Write("g.typedb", Graph());
  std::string db = tmp_.File("g.db");
  RunResult r = RunDecantBinary({"-q", "import", file, "sqlite://" + db, "--rename", "person=human", "--rename",
                                 "marriage:spouse=marriage:partner", "--rename", "employment=job"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM human"), "2\n");
  EXPECT_EQ(Query(db, "SELECT DISTINCT role FROM \"marriage:roles\""), "marriage:partner\n");
  EXPECT_EQ(Query(db, "SELECT role FROM \"job:roles\" ORDER BY role"), "job:contract\njob:employee\n");
  EXPECT_EQ(Query(db, "SELECT label FROM \"typedb:types\" WHERE kind = 'entity'"), "human\n");

  // verify renames A, the file, as the import did.
  r = RunDecantBinary({"verify", file, "sqlite://" + db, "--rename", "person=human", "--rename",
                       "marriage:spouse=marriage:partner", "--rename", "employment=job"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunDecantBinary({"-q", "verify", file, "sqlite://" + db});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = RunDecantBinary({"verify", "sqlite://" + db, file, "--rename", "person=human"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give the TypeDB file first"));
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

TEST_F(TypeDbCliTest, RenameIsAppliedOnceFromFileToFileAndByTheWriterFromADatabase) {
  std::string file = Write("g.typedb", Graph());
  std::string out = tmp_.File("renamed.typedb");
  RunResult r = RunDecantBinary({"-q", "export", file, "--format", "typedb", "-o", out, "--rename", "person=human"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"inspect", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("human"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("person")));

  // From a database holding the layout, the writer renames.
  std::string db = tmp_.File("g.db");
  ASSERT_EQ(RunDecantBinary({"-q", "import", file, "sqlite://" + db}).exit_code, 0);
  std::string back = tmp_.File("back.typedb");
  r = RunDecantBinary({"-q", "export", "sqlite://" + db, "--format", "typedb", "-o", back, "--rename", "person=human"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"verify", out, back});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // The tables keep their names: the labels, not the tables, were renamed.
  EXPECT_EQ(Query(db, "SELECT count(*) FROM person"), "2\n");
}

TEST_F(TypeDbCliTest, RefusalsAreUsageErrorsOfOneLine) {
  std::string file = Write("g.typedb", Graph());
  std::string db = tmp_.File("refused.db");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases = {
      {{"import", file, "sqlite://" + db, "--rename", "nobody=x"}, "the input has no label nobody"},
      {{"import", file, "sqlite://" + db, "--rename", "person=name"}, "would merge person into name"},
      {{"import", file, "sqlite://" + db, "--rename", "person=a", "--rename", "person=b"}, "person is renamed twice"},
      {{"import", file, "sqlite://" + db, "--rename", "person=1x"}, "'1x' is not a label"},
      {{"import", file, "sqlite://" + db, "--rename", "person"}, "--rename takes OLD=NEW"},
      {{"export", file, "--format", "typedb", "-o", tmp_.File("x.typedb"), "--typedb-version", "4"},
       "--typedb-version"},
  };
  // An archive, which is not a TypeDB file: inspect takes no --rename for it.
  std::string archive = tmp_.File("g.decant"), side = tmp_.File("side.db");
  ASSERT_EQ(RunDecantBinary({"-q", "import", file, "sqlite://" + side}).exit_code, 0);
  ASSERT_EQ(RunDecantBinary({"-q", "export", "sqlite://" + side, "-o", archive}).exit_code, 0);
  cases.push_back({{"inspect", archive, "--rename", "person=human"}, "inspect takes --rename for TypeDB files only"});
  cases.push_back({{"export", "sqlite://" + side, "-o", tmp_.File("x.decant"), "--typedb-version", "3"},
                   "--typedb-version needs --format typedb"});
  for (const Case& c : cases) {
    RunResult r = RunDecantBinary(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.says << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says));
    EXPECT_TRUE(OneLine(r.err)) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(db));
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("x.typedb")));
}

TEST_F(TypeDbCliTest, InspectCheckFailsWithTheChecksOwnExitCode) {
  std::vector<typedb::v3::Item> items = Graph();
  std::string good = Write("good.typedb", items);
  RunResult r = RunDecantBinary({"inspect", "--check", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("check: OK"));

  items.pop_back();  // no checksums: an export that did not finish
  std::string unfinished = Write("unfinished.typedb", items);
  r = RunDecantBinary({"inspect", unfinished});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunDecantBinary({"inspect", "--check", unfinished});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 2);
  EXPECT_TRUE(OneLine(r.err)) << r.err;

  items.push_back(t::Checksums(2, 5, 2, 6, 5));
  r = RunDecantBinary({"inspect", "--check", Write("wrong.typedb", items)});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("role players"));
  EXPECT_TRUE(OneLine(r.err)) << r.err;
}

TEST_F(TypeDbCliTest, VerifyIgnoresItemOrderAndNamesARealDifference) {
  std::vector<typedb::v3::Item> items = Graph();
  std::string a = Write("a.typedb", items);
  std::reverse(items.begin() + 1, items.end() - 1);  // the header stays first, the checksums last
  std::reverse(items.begin() + 1, items.begin() + 6);
  std::string b = Write("b.typedb", items);
  RunResult r = RunDecantBinary({"verify", a, b});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // The same number of role players, one of them another player.
  std::vector<typedb::v3::Item> changed = Graph();
  changed[8] = t::Relation("r1", "marriage", {{"marriage:spouse", {"p1", "p2", "p2"}}});
  r = RunDecantBinary({"verify", a, Write("c.typedb", changed)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("marriage:roles: a row 2 times in A, 1 in B: ('r1', 'marriage:spouse', 'p1')"));
}

TEST_F(TypeDbCliTest, Grakn18RolesAreScopedByRenameOnTheWayTo3) {
  std::vector<typedb::v3::Item> items = {
      t::Header("1.7.3", "grakn"), t::Entity("V1", "person"), t::Entity("V2", "city"),
      t::Relation("V3", "born-in", {{"born-in_child", {"V1"}}, {"born-in_place", {"V2"}}}),
      t::Checksums(2, 0, 1, 2, 0)};
  std::string file = Write("old.grakn", items);
  std::string out = tmp_.File("new.typedb");
  RunResult r = RunDecantBinary({"-q", "export", file, "--format", "typedb", "--typedb-version", "3", "-o", out});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("born-in_child"));
  r = RunDecantBinary({"-q", "export", file, "--format", "typedb", "--typedb-version", "3", "-o", out, "--rename",
                       "born-in_child=born-in:child", "--rename", "born-in_place=born-in:place"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string db = tmp_.File("new.db");
  ASSERT_EQ(RunDecantBinary({"-q", "import", out, "sqlite://" + db}).exit_code, 0);
  EXPECT_EQ(Query(db, "SELECT role FROM \"born-in:roles\" ORDER BY role"), "born-in:child\nborn-in:place\n");
}

}  // namespace
}  // namespace decant
