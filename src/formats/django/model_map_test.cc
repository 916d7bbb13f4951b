#include "formats/django/model_map.h"

#include <gtest/gtest.h>

namespace decant::django {
namespace {

Column Col(const std::string& name, LogicalType t = LogicalType::kInt64) {
  Column c;
  c.name = name;
  c.type.logical = t;
  return c;
}

ForeignKey Fk(const std::string& column, const std::string& table) {
  ForeignKey fk;
  fk.columns = {column};
  fk.ref_table = table;
  fk.ref_columns = {"id"};
  return fk;
}

Table T(const std::string& name, std::vector<Column> columns, std::vector<ForeignKey> fks = {}) {
  Table t;
  t.name = name;
  t.columns = std::move(columns);
  t.primary_key = KeyConstraint{"", {t.columns.front().name}};
  t.foreign_keys = std::move(fks);
  return t;
}

// The tables Django 3.2's migrate makes for contenttypes, auth and a small app.
Schema DjangoSchema() {
  Schema s;
  s.engine = "postgresql";
  s.tables.push_back(T("django_migrations", {Col("id"), Col("app", LogicalType::kText)}));
  s.tables.push_back(
      T("django_content_type", {Col("id"), Col("app_label", LogicalType::kText), Col("model", LogicalType::kText)}));
  s.tables.push_back(
      T("auth_permission",
        {Col("id"), Col("name", LogicalType::kText), Col("content_type_id"), Col("codename", LogicalType::kText)},
        {Fk("content_type_id", "django_content_type")}));
  s.tables.push_back(T("auth_group", {Col("id"), Col("name", LogicalType::kText)}));
  s.tables.push_back(T("auth_group_permissions", {Col("id"), Col("group_id"), Col("permission_id")},
                       {Fk("group_id", "auth_group"), Fk("permission_id", "auth_permission")}));
  s.tables.push_back(T("shop_category", {Col("id"), Col("name", LogicalType::kText), Col("parent_id")},
                       {Fk("parent_id", "shop_category")}));
  s.tables.push_back(T("shop_tag", {Col("id"), Col("label", LogicalType::kText)}));
  s.tables.push_back(T("shop_product", {Col("id"), Col("category_id"), Col("price", LogicalType::kDecimal)},
                       {Fk("category_id", "shop_category")}));
  s.tables.push_back(T("shop_product_tags", {Col("id"), Col("product_id"), Col("tag_id")},
                       {Fk("product_id", "shop_product"), Fk("tag_id", "shop_tag")}));
  s.tables.push_back(T("shop_person_friends", {Col("id"), Col("from_person_id"), Col("to_person_id")},
                       {Fk("from_person_id", "shop_person"), Fk("to_person_id", "shop_person")}));
  s.tables.push_back(T("shop_person", {Col("id"), Col("name", LogicalType::kText)}));
  s.tables.push_back(T("django_q_task", {Col("id"), Col("name", LogicalType::kText)}));
  // A custom through model: a model of its own, with a column more.
  s.tables.push_back(T("shop_membership", {Col("id"), Col("person_id"), Col("tag_id"), Col("since")},
                       {Fk("person_id", "shop_person"), Fk("tag_id", "shop_tag")}));
  return s;
}

TEST(ModelMap, DefaultAndOwnTableNames) {
  Schema s = DjangoSchema();
  auto map = ModelMap::Build(s, {});
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  const Model* ct = map->ForLabel("contenttypes.ContentType");
  ASSERT_NE(ct, nullptr);
  EXPECT_EQ(ct->table->name, "django_content_type");
  EXPECT_EQ(ct->natural_key, (std::vector<std::string>{"app_label", "model"}));
  const Model* p = map->ForLabel("shop.product");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->table->name, "shop_product");
  EXPECT_EQ(p->pk_column, "id");
  ASSERT_NE(p->Field("category"), nullptr);
  EXPECT_EQ(s.tables[7].columns[p->Field("category")->column].name, "category_id");
  EXPECT_EQ(p->Field("category")->related_label, "shop.category");
  EXPECT_EQ(p->Field("category_id"), p->Field("category"));  // by column name too
  EXPECT_EQ(map->ForLabel("shop.nothing"), nullptr);
  EXPECT_EQ(map->ForTable(s.tables[0]), nullptr);  // django_migrations holds no model
  const Model* perm = map->ForLabel("auth.permission");
  ASSERT_NE(perm, nullptr);
  EXPECT_EQ(perm->Field("content_type")->related_label, "contenttypes.contenttype");
}

TEST(ModelMap, ManyToManyThroughTables) {
  Schema s = DjangoSchema();
  auto map = ModelMap::Build(s, {});
  ASSERT_TRUE(map.ok());
  const Model* p = map->ForLabel("shop.product");
  ASSERT_EQ(p->many_to_many.size(), 1u);
  EXPECT_EQ(p->many_to_many[0].field, "tags");
  EXPECT_EQ(p->many_to_many[0].owner_column, "product_id");
  EXPECT_EQ(p->many_to_many[0].related_column, "tag_id");
  EXPECT_EQ(p->many_to_many[0].related_label, "shop.tag");
  EXPECT_EQ(map->ForTable(s.tables[8]), nullptr);
  ASSERT_NE(map->ThroughFor(s.tables[8]), nullptr);
  EXPECT_EQ(map->ThroughFor(s.tables[8])->field, "tags");
  // To itself: from_ owns it, whatever the column order.
  const Model* person = map->ForLabel("shop.person");
  ASSERT_EQ(person->many_to_many.size(), 1u);
  EXPECT_EQ(person->many_to_many[0].field, "friends");
  EXPECT_EQ(person->many_to_many[0].owner_column, "from_person_id");
  EXPECT_EQ(person->many_to_many[0].related_column, "to_person_id");
  // auth.group.permissions
  const Model* group = map->ForLabel("auth.group");
  ASSERT_EQ(group->many_to_many.size(), 1u);
  EXPECT_EQ(group->many_to_many[0].field, "permissions");
  EXPECT_EQ(group->many_to_many[0].related_label, "auth.permission");
  // A custom through model stays a model.
  ASSERT_NE(map->ForLabel("shop.membership"), nullptr);
  EXPECT_EQ(map->ForLabel("shop.membership")->Field("person")->related_label, "shop.person");
}

TEST(ModelMap, AppLabelsWithUnderscores) {
  Schema s = DjangoSchema();
  // Unnamed, the first '_' splits the guess, but asking by label finds the table.
  auto guessed = ModelMap::Build(s, {});
  ASSERT_TRUE(guessed.ok());
  EXPECT_EQ(guessed->ForTable(s.tables[11])->label, "django.q_task");
  ASSERT_NE(guessed->ForLabel("django_q.task"), nullptr);
  // Named by the caller, the table gets the right label.
  auto known = ModelMap::Build(s, {}, {"django_q.Task"});
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known->ForTable(s.tables[11])->label, "django_q.task");
}

TEST(ModelMap, Overrides) {
  Schema s = DjangoSchema();
  DjangoOptions o;
  o.model_tables["legacy.Thing"] = "shop_tag";
  o.natural_keys["legacy.thing"] = {"label"};
  auto map = ModelMap::Build(s, o);
  ASSERT_TRUE(map.ok());
  const Model* thing = map->ForLabel("legacy.thing");
  ASSERT_NE(thing, nullptr);
  EXPECT_EQ(thing->table->name, "shop_tag");
  EXPECT_EQ(thing->label, "legacy.thing");
  EXPECT_EQ(thing->natural_key, (std::vector<std::string>{"label"}));
  EXPECT_EQ(map->ForLabel("shop.product")->many_to_many[0].related_label, "legacy.thing");

  DjangoOptions bad;
  bad.model_tables["shop.Widget"] = "no_such_table";
  auto refused = ModelMap::Build(s, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("no_such_table"), std::string::npos);

  DjangoOptions through;
  through.model_tables["shop.Person.clubs"] = "shop_membership";
  auto m = ModelMap::Build(s, through);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const ManyToMany* clubs = m->ForLabel("shop.person")->ManyToManyField("clubs");
  ASSERT_NE(clubs, nullptr);
  EXPECT_EQ(clubs->owner_column, "person_id");
  EXPECT_EQ(clubs->related_column, "tag_id");
}

}  // namespace
}  // namespace decant::django
