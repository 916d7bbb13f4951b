#include "formats/typedb/labels.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace decant::typedb {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

LabelMap Map(const Pairs& renames) {
  Result<LabelMap> m = LabelMap::Make(renames);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : LabelMap();
}

std::string MakeError(const Pairs& renames) {
  Result<LabelMap> m = LabelMap::Make(renames);
  return m.ok() ? "ok" : m.status().message();
}

// A 2.x/3.x input: types and scoped roles.
const std::set<std::string> kTypes = {"person", "name", "marriage", "employment", "company", "match"};
const std::set<std::string> kRoles = {"marriage:spouse", "employment:employee", "employment:employer"};

std::string CheckError(const Pairs& renames, const std::set<std::string>& types = kTypes,
                       const std::set<std::string>& roles = kRoles) {
  Result<LabelMap> m = LabelMap::Make(renames);
  if (!m.ok()) return "make: " + m.status().message();
  Status s = m->Check(types, roles);
  return s.ok() ? "ok" : s.message();
}

TEST(LabelMap, Split) {
  std::pair<std::string, std::string> p;
  ASSERT_TRUE(LabelMap::Split("match=game", &p));
  EXPECT_EQ(p, std::make_pair(std::string("match"), std::string("game")));
  ASSERT_TRUE(LabelMap::Split("a=b=c", &p));
  EXPECT_EQ(p.second, "b=c");  // then refused by Make: not a label
  EXPECT_FALSE(LabelMap::Split("match", &p));
  EXPECT_FALSE(LabelMap::Split("=game", &p));
  EXPECT_FALSE(LabelMap::Split("match=", &p));
}

TEST(LabelMap, Empty) {
  LabelMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.Type("person"), "person");
  EXPECT_EQ(m.Role("marriage:spouse"), "marriage:spouse");
  EXPECT_EQ(m.Role("born-in_child"), "born-in_child");
  EXPECT_TRUE(m.Check(kTypes, kRoles).ok());
}

TEST(LabelMap, TypesAndScopes) {
  LabelMap m = Map({{"match", "game"}, {"employment", "job"}});
  EXPECT_FALSE(m.empty());
  EXPECT_EQ(m.Type("match"), "game");
  EXPECT_EQ(m.Type("person"), "person");
  EXPECT_EQ(m.Role("employment:employee"), "job:employee");  // the scope follows its relation type
  EXPECT_EQ(m.Role("marriage:spouse"), "marriage:spouse");
  EXPECT_TRUE(m.Check(kTypes, kRoles).ok());
}

TEST(LabelMap, ScopedRoles) {
  LabelMap m = Map({{"employment:employee", "employment:worker"}, {"employment", "job"}});
  EXPECT_EQ(m.Role("employment:employee"), "employment:worker");  // the exact rename wins
  EXPECT_EQ(m.Role("employment:employer"), "job:employer");
  EXPECT_TRUE(m.Check(kTypes, kRoles).ok());
  // The scope may change: a role declared by a supertype.
  m = Map({{"marriage:spouse", "partnership:partner"}});
  EXPECT_EQ(m.Role("marriage:spouse"), "partnership:partner");
  EXPECT_TRUE(m.Check(kTypes, kRoles).ok());
}

TEST(LabelMap, Grakn18Roles) {
  // Grakn 1.8: unscoped role labels, renamed like types or made scoped.
  const std::set<std::string> types = {"person", "born-in"};
  const std::set<std::string> roles = {"born-in_child", "born-in_place"};
  LabelMap m = Map({{"born-in_child", "born-in:child"}, {"born-in_place", "birthplace"}, {"born-in", "birth"}});
  EXPECT_TRUE(m.Check(types, roles).ok()) << m.Check(types, roles).ToString();
  EXPECT_EQ(m.Role("born-in_child"), "born-in:child");
  EXPECT_EQ(m.Role("born-in_place"), "birthplace");
  EXPECT_EQ(m.Type("born-in"), "birth");
  EXPECT_EQ(m.Type("born-in_child"), "born-in_child");
  EXPECT_EQ(CheckError({{"person", "born-in:person"}}, types, roles),
            "--rename person=born-in:person: person is a type label, and a type's new label cannot hold ':'");
  EXPECT_EQ(CheckError({{"born-in_place", "born-in_child"}}, types, roles),
            "--rename born-in_place=born-in_child would merge born-in_place into born-in_child, a label the input "
            "already holds");
}

TEST(LabelMap, MakeRefuses) {
  EXPECT_EQ(MakeError({{"match", "1game"}}),
            "--rename match=1game: '1game' is not a label ([A-Za-z_][A-Za-z0-9_-]*, or a role label rel:role)");
  EXPECT_EQ(MakeError({{"a:b:c", "x"}}),
            "--rename a:b:c=x: 'a:b:c' is not a label ([A-Za-z_][A-Za-z0-9_-]*, or a role label rel:role)");
  EXPECT_EQ(MakeError({{"a", "b=c"}}),
            "--rename a=b=c: 'b=c' is not a label ([A-Za-z_][A-Za-z0-9_-]*, or a role label rel:role)");
  EXPECT_EQ(MakeError({{"marriage:spouse", "spouse"}}),
            "--rename marriage:spouse=spouse: a scoped role label cannot become an unscoped one");
  EXPECT_EQ(MakeError({{"match", "game"}, {"match", "contest"}}), "--rename match=contest: match is renamed twice");
  EXPECT_EQ(MakeError({{"born-in_child", "born-in:child"}, {"born-in_child", "child"}}),
            "--rename born-in_child=child: born-in_child is renamed twice");
  EXPECT_EQ(MakeError({{"a", "b"}, {"b", "a"}}), "ok");  // a swap merges nothing
}

TEST(LabelMap, CheckRefuses) {
  EXPECT_EQ(CheckError({{"game", "match"}}), "--rename game=match: the input has no label game");
  EXPECT_EQ(CheckError({{"marriage:wife", "marriage:spouse2"}}),
            "--rename marriage:wife=marriage:spouse2: the input has no role label marriage:wife");
  EXPECT_EQ(CheckError({{"match", "person"}}),
            "--rename match=person would merge match into person, a label the input already holds");
  EXPECT_EQ(CheckError({{"match", "game"}, {"company", "game"}}),
            "--rename company=game and --rename match=game would merge company and match into game");
  EXPECT_EQ(CheckError({{"employment:employee", "employment:employer"}}),
            "--rename employment:employee=employment:employer would merge employment:employee into "
            "employment:employer, a label the input already holds");
  // A relation renamed onto another one's name merges the types (and roles).
  EXPECT_EQ(CheckError({{"marriage", "employment"}}),
            "--rename marriage=employment would merge marriage into employment, a label the input already holds");
  // Roles merged by a scope rename alone.
  EXPECT_EQ(CheckError({{"employment", "job"}}, kTypes, {"employment:x", "job:x"}),
            "--rename employment=job would merge employment:x into job:x, a label the input already holds");
  // The new label is renamed away: no merge.
  EXPECT_EQ(CheckError({{"match", "person"}, {"person", "human"}}), "ok");
  EXPECT_EQ(CheckError({{"match", "person"}, {"person", "match"}}), "ok");
}

}  // namespace
}  // namespace decant::typedb
