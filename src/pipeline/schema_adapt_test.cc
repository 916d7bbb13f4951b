#include "pipeline/schema_adapt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engines/registry.h"

namespace decant {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NameSpaceTest, FirstKeepsItsNameThenTablePrefixThenNumber) {
  NameSpace ns(0, false);
  ns.Reserve("a");
  EXPECT_EQ(ns.Claim("k_x", "a"), "k_x");
  EXPECT_EQ(ns.Claim("k_x", "b"), "b_k_x");
  EXPECT_EQ(ns.Claim("k_x", "b"), "b_k_x_1");
  EXPECT_EQ(ns.Claim("K_X", "b"), "b_K_X_2");    // case-insensitive target: taken; case kept
  EXPECT_EQ(ns.Claim("a", "t"), "t_a");          // a table's name
  EXPECT_EQ(ns.Claim("b_k_x", "b"), "b_k_x_3");  // already prefixed: not twice
}

TEST(NameSpaceTest, CaseSensitiveTargetKeepsBoth) {
  NameSpace ns(0, true);
  EXPECT_EQ(ns.Claim("k", "t"), "k");
  EXPECT_EQ(ns.Claim("K", "t"), "K");
}

TEST(NameSpaceTest, CutsToTheByteLimitAtCharacterBoundaries) {
  NameSpace ns(10, false);
  EXPECT_EQ(ns.Claim("abcdefghijkl", "t"), "abcdefghij");
  EXPECT_EQ(ns.Claim("abcdefghijXY", "t"), "t_abcdefgh");
  EXPECT_EQ(ns.Claim("abcdefghijZZ", "t"), "t_abcdef_1");
  EXPECT_EQ(ns.Claim("abcdefghi\xc3\xa9", "u"), "abcdefghi");  // é is not split
}

Schema TwoTables() {
  Schema s;
  s.engine = "mysql";
  for (const char* name : {"a", "b"}) {
    Table t;
    t.name = name;
    for (const char* column : {"id", "x"}) {
      Column c;
      c.name = column;
      c.nullable = false;
      t.columns.push_back(c);
    }
    t.primary_key = KeyConstraint{"", {"id"}};
    t.uniques.push_back({"u", {"x"}});
    s.tables.push_back(t);
    Index x;
    x.name = "k_x";
    x.table = name;
    x.keys.emplace_back();
    x.keys.back().column = "x";
    s.indexes.push_back(x);
  }
  ForeignKey fk;
  fk.name = "fk";
  fk.columns = {"x"};
  fk.ref_table = "a";
  fk.on_delete = FkAction::kSetNull;
  s.tables[1].foreign_keys.push_back(fk);
  return s;
}

TEST(AdaptSchemaTest, PostgresqlIndexAndKeyNamesShareOneNamespace) {
  Schema s = TwoTables();
  std::vector<std::string> changed, dropped;
  AdaptSchema(&s, EngineNamed("mysql"), EngineNamed("postgresql"), &changed, &dropped);
  EXPECT_EQ(s.tables[0].uniques[0].name, "u");
  EXPECT_EQ(s.tables[1].uniques[0].name, "b_u");
  EXPECT_EQ(s.indexes[0].name, "k_x");
  EXPECT_EQ(s.indexes[1].name, "b_k_x");
  EXPECT_EQ(s.tables[1].foreign_keys[0].on_delete, FkAction::kSetNull);  // PostgreSQL takes it
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(changed.size(), 2u);
}

TEST(AdaptSchemaTest, MysqlRewritesSetNullOnNotNullAndKeepsPerTableIndexNames) {
  Schema s = TwoTables();
  s.engine = "sqlite";
  std::vector<std::string> changed, dropped;
  AdaptSchema(&s, EngineNamed("sqlite"), EngineNamed("mysql"), &changed, &dropped);
  EXPECT_EQ(s.indexes[1].name, "k_x");
  EXPECT_EQ(s.tables[1].uniques[0].name, "u");
  EXPECT_EQ(s.tables[1].foreign_keys[0].on_delete, FkAction::kNoAction);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_THAT(changed[0], HasSubstr("ON DELETE SET NULL becomes NO ACTION"));
}

TEST(AdaptSchemaTest, IndexKindsMappedOrLeftOut) {
  Schema s = TwoTables();
  s.indexes[0].method = "fulltext";
  s.indexes[1].method = "spatial";
  std::vector<std::string> changed, dropped;
  AdaptSchema(&s, EngineNamed("mysql"), EngineNamed("sqlite"), &changed, &dropped);
  EXPECT_TRUE(s.indexes.empty());
  EXPECT_THAT(dropped, ElementsAre(HasSubstr("a FULLTEXT index; SQLite has no equivalent"),
                                   HasSubstr("a SPATIAL index; SQLite has no equivalent")));
}

// A partitioned PostgreSQL table on a target without partitions: named, with its partitions.
TEST(AdaptSchemaTest, PartitionedTableIsNamedWhereTheTargetHasNoPartitions) {
  Schema s;
  s.engine = "postgresql";
  Table parent;
  parent.schema = "public";
  parent.name = "p";
  parent.options["partition_by"] = "RANGE (d)";
  s.tables.push_back(parent);
  for (const char* name : {"p1", "p2"}) {
    Table part;
    part.schema = "public";
    part.name = name;
    part.options["partition_of"] = "public.p";
    s.tables.push_back(part);
  }
  std::vector<std::string> changed, dropped;
  Schema for_pg = s;
  AdaptSchema(&for_pg, EngineNamed("postgresql"), EngineNamed("postgresql"), &changed, &dropped);
  EXPECT_TRUE(dropped.empty());
  AdaptSchema(&s, EngineNamed("postgresql"), EngineNamed("sqlite"), &changed, &dropped);
  EXPECT_THAT(dropped, ElementsAre(HasSubstr("partitioning of public.p (PARTITION BY RANGE (d)): SQLite gets "
                                             "public.p as an empty plain table and its 2 partitions as plain tables "
                                             "holding the rows (public.p1, public.p2)")));
}

TEST(AdaptSchemaTest, ForeignKeyReferencesNamedOrLeftOut) {
  Schema s = TwoTables();
  s.engine = "sqlite";
  s.tables[1].foreign_keys.clear();
  ForeignKey to_pk;  // REFERENCES a: a's primary key
  to_pk.columns = {"x"};
  to_pk.ref_table = "A";
  ForeignKey dangling;
  dangling.columns = {"x"};
  dangling.ref_table = "nowhere";
  ForeignKey to_plain;  // a.x: unique key u and index k_x
  to_plain.columns = {"id"};
  to_plain.ref_table = "a";
  to_plain.ref_columns = {"x"};
  s.tables[1].foreign_keys = {to_pk, dangling, to_plain};
  Schema for_pg = s;
  std::vector<std::string> changed, dropped;
  AdaptSchema(&s, EngineNamed("sqlite"), EngineNamed("mysql"), &changed, &dropped);
  ASSERT_EQ(s.tables[1].foreign_keys.size(), 2u);
  EXPECT_EQ(s.tables[1].foreign_keys[0].ref_columns, std::vector<std::string>{"id"});
  EXPECT_THAT(dropped, ElementsAre(HasSubstr("references nowhere: table nowhere does not exist; MySQL refuses it")));
  // PostgreSQL: a.x is a unique key (u), so it is taken too.
  dropped.clear();
  AdaptSchema(&for_pg, EngineNamed("sqlite"), EngineNamed("postgresql"), &changed, &dropped);
  EXPECT_EQ(for_pg.tables[1].foreign_keys.size(), 2u);
  // SQLite takes anything.
  Schema for_sqlite = TwoTables();
  for_sqlite.tables[1].foreign_keys = {dangling};
  dropped.clear();
  AdaptSchema(&for_sqlite, EngineNamed("mysql"), EngineNamed("sqlite"), &changed, &dropped);
  EXPECT_EQ(for_sqlite.tables[1].foreign_keys.size(), 1u);
  EXPECT_TRUE(dropped.empty());
}

}  // namespace
}  // namespace decant
