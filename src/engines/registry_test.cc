#include "engines/registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "mapping/type_mapping.h"
#include "mapping/value_conversion.h"

namespace decant {
namespace {

// Every row of the registry is complete: a unique name, a dialect, both ends,
// a DDL printer, and a declared type for every logical type.
TEST(Registry, EveryEngineIsComplete) {
  ASSERT_FALSE(Engines().empty());
  std::set<std::string> names;
  for (const EngineTraits* e : Engines()) {
    SCOPED_TRACE(std::string(e->name));
    EXPECT_FALSE(e->name.empty());
    EXPECT_TRUE(names.insert(std::string(e->name)).second) << "duplicate name";
    EXPECT_FALSE(e->display_name.empty());
    EXPECT_EQ(FindEngine(e->name), e);
    EXPECT_EQ(&EngineNamed(e->name), e);
    // A dialect: names are quoted with a character its reader accepts.
    char q = e->dialect.identifier_quote;
    EXPECT_TRUE((q == '"' && e->dialect.double_quote_names) || (q == '`' && e->dialect.backquote_names)) << q;
    EXPECT_FALSE(e->values.keeps_values_as_read);
    EXPECT_NE(e->recognizes, nullptr);
    EXPECT_NE(e->open_source, nullptr);
    EXPECT_NE(e->open_sink, nullptr);
    EXPECT_NE(e->schema_ddl, nullptr);
    ASSERT_NE(e->declare_column, nullptr);
    for (int i = 0; i <= static_cast<int>(LogicalType::kAny); ++i) {
      Column c;
      c.name = "c";
      c.type.logical = static_cast<LogicalType>(i);
      ColumnMapping m = e->declare_column(c, e->values, false);
      // Only an engine that keeps any value as given may leave a column untyped.
      if (c.type.logical != LogicalType::kAny || e->values.enforces_types) {
        EXPECT_FALSE(m.type_sql.empty()) << LogicalTypeName(c.type.logical);
      }
    }
  }
  EXPECT_EQ(FindEngine(""), nullptr);
  EXPECT_EQ(FindEngine("archive"), nullptr);
}

TEST(Registry, LocationsFindTheirEngine) {
  EXPECT_EQ(EngineForLocation("sqlite:///tmp/x.db"), FindEngine("sqlite"));
  EXPECT_EQ(EngineForLocation("postgresql://u@h/db"), FindEngine("postgresql"));
  EXPECT_EQ(EngineForLocation("mysql://u@h/db"), FindEngine("mysql"));
  EXPECT_EQ(EngineForLocation("backup.decant"), nullptr);
}

// A name this build does not know gets neutral rules, never MySQL's (the
// engine that "not PostgreSQL" used to mean).
TEST(Registry, UnknownEngineDoesNotGetMysqlRules) {
  const EngineTraits& unknown = EngineNamed("oracle");
  const EngineTraits* mysql = FindEngine("mysql");
  ASSERT_NE(mysql, nullptr);
  EXPECT_EQ(&unknown, &UnknownEngineTraits());
  EXPECT_NE(&unknown, mysql);
  EXPECT_EQ(unknown.dialect.identifier_quote, '"');
  EXPECT_FALSE(unknown.dialect.backslash_escapes);
  EXPECT_FALSE(unknown.dialect.hash_comments);
  EXPECT_EQ(unknown.declare_column, nullptr);

  // From MySQL, a MySQL timestamp keeps its (absent) zone; from an unknown
  // engine the zone is reported as dropped.
  Column ts;
  ts.name = "at";
  ts.type.logical = LogicalType::kTimestampTz;
  auto has = [](const ColumnMapping& m, const std::string& what) {
    for (const Risk& r : m.risks) {
      if (r.what == what) return true;
    }
    return false;
  };
  EXPECT_FALSE(has(MapColumn(ts, *mysql, *mysql, false), "the time zone is dropped: stored as UTC"));
  EXPECT_TRUE(has(MapColumn(ts, unknown, *mysql, false), "the time zone is dropped: stored as UTC"));

  // Values converted from an unknown engine follow the target's policy alone:
  // a MySQL "\'" escape is not special and NUL in text is removed on PostgreSQL.
  const EngineTraits* pg = FindEngine("postgresql");
  ASSERT_NE(pg, nullptr);
  DataType text;
  text.logical = LogicalType::kText;
  ValueConverter conv(text, unknown, text, *pg);
  Value v = Value::Text(std::string("a\0b", 3));
  EXPECT_NE(conv.Convert(&v), nullptr);
  EXPECT_EQ(v.as_string(), "ab");
}

// The archive keeps every value as read and declares nothing.
TEST(Registry, ArchiveKeepsValuesAsRead) {
  EXPECT_TRUE(ArchiveTraits().values.keeps_values_as_read);
  EXPECT_EQ(ArchiveTraits().declare_column, nullptr);
  EXPECT_EQ(FindEngine(ArchiveTraits().name), nullptr);
}

}  // namespace
}  // namespace decant
