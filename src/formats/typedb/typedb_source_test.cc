// The TypeDB export reader: recognising, the relational layout read from
// streams built here with the generated classes, refusals, inspect, and
// (DECANT_TYPEDB_SAMPLES) the real export files.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "formats/format_registry.h"
#include "formats/typedb/export_file.h"
#include "formats/typedb/layout.h"
#include "formats/typedb/test_streams.h"
#include "formats/typedb/typedb_format.h"
#include "tests/test_util.h"

namespace decant::typedb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::WriteFile;
using namespace test;  // NOLINT(google-build-using-namespace)

// Rows of every table as text: table -> sorted "cell|cell|..." lines.
using Tables = std::map<std::string, std::vector<std::string>>;

std::string Cell(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "NULL";
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt: return std::to_string(v.as_int());
    case Value::Kind::kText: return v.as_string();
    default: return v.DebugString();
  }
}

class TypeDbSourceTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_.File(name);
    WriteFile(path, bytes);
    return path;
  }

  static Result<std::unique_ptr<Source>> Open(const std::string& path, const EndpointOptions& options = {}) {
    return OpenSource(path, options, FileSystem::Default());
  }

  // The schema and every table's rows, read in `slices` slices each.
  static Status ReadAll(Source* source, Schema* schema, Tables* tables, size_t slices = 1) {
    DECANT_ASSIGN_OR_RETURN(*schema, source->ReadSchema());
    for (const Table& t : schema->tables) {
      std::vector<std::string>& rows = (*tables)[t.name];
      DECANT_ASSIGN_OR_RETURN(auto parts, source->SplitTable(t, source->EstimateSize(t), slices));
      for (const TableSlice& slice : parts) {
        DECANT_ASSIGN_OR_RETURN(auto reader, source->OpenSlice(t, slice));
        RowBatch batch;
        for (;;) {
          DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
          if (!more) break;
          EXPECT_EQ(batch.num_columns(), t.columns.size());
          for (size_t r = 0; r < batch.num_rows(); ++r) {
            std::string line;
            for (size_t c = 0; c < batch.num_columns(); ++c) line += (c ? "|" : "") + Cell(batch.at(r, c));
            rows.push_back(line);
          }
        }
      }
      std::sort(rows.begin(), rows.end());
    }
    return source->Finish();
  }

  Tables ReadOk(const std::string& path, Schema* schema = nullptr, const EndpointOptions& options = {},
                size_t slices = 1) {
    Tables tables;
    Schema s;
    auto source = Open(path, options);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    if (!source.ok()) return tables;
    Status st = ReadAll(source->get(), &s, &tables, slices);
    EXPECT_TRUE(st.ok()) << st.ToString();
    notes_ = (*source)->Notes();
    if (schema) *schema = s;
    return tables;
  }

  // The Corruption ReadSchema gives.
  std::string Refusal(const std::string& name, const std::string& stream) {
    auto source = Open(Write(name, stream));
    if (!source.ok()) return source.status().message();
    auto schema = (*source)->ReadSchema();
    EXPECT_FALSE(schema.ok());
    if (schema.ok()) return "";
    EXPECT_EQ(schema.status().code(), StatusCode::kCorruption) << schema.status().ToString();
    EXPECT_EQ(schema.status().message().find('\n'), std::string::npos);
    return schema.status().message();
  }

  static std::vector<std::string> Columns(const Schema& s, const std::string& table) {
    std::vector<std::string> out;
    if (const Table* t = s.FindTable("", table)) {
      for (const Column& c : t->columns) out.push_back(c.name);
    }
    return out;
  }

  testing_util::TempDir dir_;
  std::vector<std::string> notes_;
};

// A small graph with every shape: an entity owning one name and several
// nicknames, an attribute owning an attribute (2.x), a relation with two
// players in one role, a relation playing a role in another.
std::vector<v3::Item> Graph() {
  return {
      Header("2.17.0", "social"),
      Attribute("n1", "name", String("Ann")),
      Attribute("n2", "name", String("Bob")),
      Attribute("k1", "nickname", String("A")),
      Attribute("k2", "nickname", String("Annie")),
      Attribute("s1", "source", String("census")),
      Attribute("g1", "age", Integer(42), {"s1"}),
      Entity("p1", "person", {"n1", "k1", "k2", "g1"}),
      Entity("p2", "person", {"n2"}),
      Relation("f1", "friendship", {{"friendship:friend", {"p1", "p2"}}}),
      Relation("w1", "witness", {{"witness:event", {"f1"}}, {"witness:who", {"p2"}}}, {"s1"}),
      Checksums(2, 6, 2, 4, 7),
  };
}

TEST_F(TypeDbSourceTest, ReadsTheLayout) {
  Schema schema;
  Tables t = ReadOk(Write("g.typedb", Stream(Graph())), &schema);
  EXPECT_TRUE(notes_.empty()) << notes_.front();
  EXPECT_EQ(schema.engine, "typedb");
  EXPECT_EQ(schema.server_version, "2.17.0");
  EXPECT_EQ(schema.database, "social");
  EXPECT_THAT(t["typedb:file"],
              ElementsAre("checksum.attribute_count|6", "checksum.entity_count|2", "checksum.ownership_count|7",
                          "checksum.relation_count|2", "checksum.role_count|4", "generation|typedb-2",
                          "original_database|social", "version|2.17.0"));
  EXPECT_THAT(t["typedb:types"], ElementsAre("age|attribute|integer", "friendship|relation|NULL",
                                             "name|attribute|string", "nickname|attribute|string", "person|entity|NULL",
                                             "source|attribute|string", "witness|relation|NULL"));
  // name and age at most once: columns; nickname twice: person:has.
  EXPECT_THAT(Columns(schema, "person"), ElementsAre("id", "age", "name"));
  EXPECT_THAT(t["person"], ElementsAre("p1|g1|n1", "p2|NULL|n2"));
  EXPECT_THAT(t["person:has"], ElementsAre("p1|nickname|k1", "p1|nickname|k2"));
  EXPECT_THAT(Columns(schema, "age"), ElementsAre("id", "value", "source"));
  EXPECT_THAT(t["age"], ElementsAre("g1|42|s1"));
  EXPECT_THAT(t["name"], ElementsAre("n1|Ann", "n2|Bob"));
  EXPECT_THAT(t["friendship:roles"], ElementsAre("f1|friendship:friend|p1", "f1|friendship:friend|p2"));
  EXPECT_THAT(t["witness:roles"], ElementsAre("w1|witness:event|f1", "w1|witness:who|p2"));
  EXPECT_THAT(t["witness"], ElementsAre("w1|s1"));
  EXPECT_EQ(schema.FindTable("", "friendship:has"), nullptr);
}

TEST_F(TypeDbSourceTest, ShuffledOrderReadsTheSame) {
  Tables in_order = ReadOk(Write("a.typedb", Stream(Graph())));
  std::vector<v3::Item> items = Graph();
  std::mt19937 rng(14);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(items.begin(), items.end(), rng);
    Tables shuffled = ReadOk(Write("b.typedb", Stream(items)), nullptr, {}, 3);
    EXPECT_EQ(shuffled, in_order);
  }
}

TEST_F(TypeDbSourceTest, EveryValueCase) {
  std::vector<v3::Item> items = {Header("3.12.3", "values")};
  auto add = [&](const std::string& id, const std::string& label, const v3::MigrationValue& v) {
    items.push_back(Attribute(id, label, v));
  };
  v3::MigrationValue v;
  add("s", "t-string", String("text ünïcode"));
  v.Clear();
  v.set_boolean(true);
  add("b", "t-boolean", v);
  add("i", "t-integer", Integer(-9223372036854775807LL - 1));
  v.Clear();
  v.set_double_(-0.5);
  add("d", "t-double", v);
  v.Clear();
  v.set_datetime_millis(1700000000123);
  add("m", "t-millis", v);
  v.Clear();
  v.mutable_decimal()->set_integer(-2);
  v.mutable_decimal()->set_fractional(5000000000000000000ULL);
  add("c", "t-decimal", v);
  v.Clear();
  v.mutable_date()->set_num_days_since_ce(719163);
  add("y", "t-date", v);
  v.Clear();
  v.mutable_datetime()->set_seconds(1);
  v.mutable_datetime()->set_nanos(123456789);
  add("t", "t-datetime", v);
  v.Clear();
  v.mutable_datetime_tz()->mutable_datetime()->set_seconds(0);
  v.mutable_datetime_tz()->set_offset(19800);
  add("z", "t-datetime-tz", v);
  v.Clear();
  v.mutable_duration()->set_months(14);
  v.mutable_duration()->set_days(3);
  v.mutable_duration()->set_nanos(3723000000000ULL);
  add("u", "t-duration", v);
  v.Clear();
  v.mutable_struct_()->set_struct_type_name("point");
  add("r", "t-struct", v);
  items.push_back(Checksums(0, 11, 0, 0, 0));
  Schema schema;
  Tables t = ReadOk(Write("v.typedb", Stream(items)), &schema);
  EXPECT_THAT(
      t["typedb:types"],
      ElementsAre("t-boolean|attribute|boolean", "t-datetime-tz|attribute|datetime-tz", "t-datetime|attribute|datetime",
                  "t-date|attribute|date", "t-decimal|attribute|decimal", "t-double|attribute|double",
                  "t-duration|attribute|duration", "t-integer|attribute|integer", "t-millis|attribute|datetime-millis",
                  "t-string|attribute|string", "t-struct|attribute|struct"));
  EXPECT_THAT(t["t-string"], ElementsAre("s|text ünïcode"));
  EXPECT_THAT(t["t-boolean"], ElementsAre("b|true"));
  EXPECT_THAT(t["t-integer"], ElementsAre("i|-9223372036854775808"));
  EXPECT_EQ(t["t-double"].size(), 1u);
  EXPECT_EQ(t["t-millis"].size(), 1u);
  EXPECT_EQ(t["t-decimal"].size(), 1u);
  EXPECT_EQ(t["t-date"].size(), 1u);
  EXPECT_THAT(Columns(schema, "t-datetime"), ElementsAre("id", "value", "value_ns"));
  ASSERT_EQ(t["t-datetime"].size(), 1u);
  EXPECT_THAT(t["t-datetime"][0], HasSubstr("|789"));
  EXPECT_THAT(Columns(schema, "t-datetime-tz"), ElementsAre("id", "value", "value_tz"));
  ASSERT_EQ(t["t-datetime-tz"].size(), 1u);
  EXPECT_THAT(t["t-datetime-tz"][0], HasSubstr("|+05:30"));
  EXPECT_EQ(t["t-duration"].size(), 1u);
  EXPECT_THAT(t["t-struct"], ElementsAre("r|point"));
}

TEST_F(TypeDbSourceTest, Generations) {
  auto generation = [&](const std::vector<v3::Item>& items) {
    Tables t = ReadOk(Write("gen.typedb", Stream(items)));
    for (const std::string& row : t["typedb:file"]) {
      if (row.rfind("generation|", 0) == 0) return row.substr(11);
    }
    return std::string("?");
  };
  const v3::Item e = Entity("x", "thing");
  EXPECT_EQ(generation({Header("1.7.3", "grakn"), e}), "grakn-1.8");
  EXPECT_EQ(generation({Header("1.8.4", "grakn"), e}), "grakn-1.8");
  EXPECT_EQ(generation({Header("2.0.0-alpha", "grabl"), e}), "grakn-2.0");
  EXPECT_EQ(generation({Header("2.2.0", "d"), e}), "grakn-2.0");
  EXPECT_EQ(generation({Header("2.3.0", "d"), e}), "typedb-2");
  EXPECT_EQ(generation({Header("2.17.0", "d"), e}), "typedb-2");
  EXPECT_EQ(generation({Header("2.29.1", "d"), e}), "typedb-2");
  EXPECT_EQ(generation({Header("3.12.3", "d"), e}), "typedb-3");
  EXPECT_EQ(generation({e}), "unknown");
  v3::MigrationValue date;
  date.mutable_date()->set_num_days_since_ce(1);
  EXPECT_EQ(generation({e, Attribute("d", "day", date)}), "typedb-3");
}

TEST_F(TypeDbSourceTest, NotesWhatTheStreamLacks) {
  ReadOk(Write("n.typedb", Stream({Entity("x", "thing"), Header("3.0.0", "d"), Header("3.0.1", "d")})));
  ASSERT_EQ(notes_.size(), 3u);
  EXPECT_THAT(notes_[0], HasSubstr("1 item before the header"));
  EXPECT_THAT(notes_[1], HasSubstr("2 header items; the first is used"));
  EXPECT_THAT(notes_[2], HasSubstr("no checksums item: the export may not have finished"));
  ReadOk(Write("c.typedb", Stream({Header("3.0.0", "d"), Entity("x", "thing"), Checksums(2, 0, 0, 0, 0)})));
  ASSERT_EQ(notes_.size(), 1u);
  EXPECT_THAT(notes_[0], HasSubstr("the checksums differ from the file's items: entities 2 (file) / 1 (counted)"));
}

TEST_F(TypeDbSourceTest, Refusals) {
  const std::string head = Frame(Header("3.1.0", "d"));
  EXPECT_THAT(Refusal("dangling.typedb", head + Frame(Entity("p1", "person", {"n9"}))),
              HasSubstr("dangling.typedb: item 2 at byte offset " + std::to_string(head.size()) +
                        ": owns the attribute 'n9', an id the file does not hold"));
  EXPECT_THAT(Refusal("player.typedb", head + Frame(Relation("r1", "rel", {{"rel:x", {"p7"}}}))),
              HasSubstr("item 2 at byte offset " + std::to_string(head.size()) +
                        ": has the player 'p7' (role 'rel:x'), an id the file does not hold"));
  EXPECT_THAT(Refusal("notattr.typedb", head + Frame(Entity("p1", "person", {"p2"})) + Frame(Entity("p2", "person"))),
              HasSubstr("owns 'p2', which is the id of an entity of type 'person', not of an attribute"));
  const std::string one = head + Frame(Entity("p1", "person"));
  EXPECT_THAT(Refusal("dup.typedb", one + Frame(Entity("p1", "animal"))),
              HasSubstr("item 3 at byte offset " + std::to_string(one.size()) +
                        ": the id 'p1' is also the id of item 2 at byte offset " + std::to_string(head.size()) +
                        "; 1 duplicate id in the file"));
  EXPECT_THAT(Refusal("dup2.typedb",
                      Frame(Header("2.0.2", "g")) + Frame(Entity("p1", "person")) + Frame(Entity("p1", "person"))),
              HasSubstr("Grakn 2.0 to 2.2 exported lossy ids"));
  EXPECT_THAT(Refusal("kinds.typedb", one + Frame(Relation("r1", "person", {}))),
              HasSubstr("item 3 at byte offset " + std::to_string(one.size()) +
                        ": the label 'person' is of a relation here and of an entity at item 2"));
  v3::Item novalue = Attribute("a1", "name", String("x"));
  novalue.mutable_attribute()->clear_value();
  EXPECT_THAT(Refusal("novalue.typedb", head + Frame(novalue)),
              HasSubstr("item 2 at byte offset " + std::to_string(head.size()) +
                        ": the attribute 'a1' of type 'name' has "
                        "no value"));
  EXPECT_THAT(Refusal("types.typedb",
                      head + Frame(Attribute("a1", "name", String("x"))) + Frame(Attribute("a2", "name", Integer(1)))),
              HasSubstr("item 3 at byte offset"));
  EXPECT_THAT(Refusal("noid.typedb", head + Frame(Entity("", "person"))), HasSubstr("an entity without an id"));
  EXPECT_THAT(Refusal("nolabel.typedb", head + Frame(Entity("p", ""))), HasSubstr("an entity without a label"));
  EXPECT_THAT(Refusal("empty-item.typedb", head + Frame(std::string())),
              HasSubstr("item 2 at byte offset " + std::to_string(head.size()) + ": an empty item"));
  EXPECT_THAT(Refusal("unknown.typedb", head + Frame(std::string("\x3a\x01x", 3))),
              HasSubstr("item 2 at byte offset " + std::to_string(head.size()) + ": an item of unknown case 7"));
  EXPECT_THAT(Refusal("cut.typedb", head + "\x85"), HasSubstr("the file ends inside the length prefix"));
  EXPECT_THAT(Refusal("past.typedb", head + Varint(9) + "abc"), HasSubstr("runs past the end of the file"));
}

TEST_F(TypeDbSourceTest, Recognise) {
  auto recognised = [&](const std::string& bytes) {
    FileProbe probe;
    probe.path = Write("r.bin", bytes);
    probe.head = bytes.substr(0, kProbeBytes);
    return Recognise(probe, FileSystem::Default());
  };
  EXPECT_TRUE(recognised(Stream(Graph())));
  EXPECT_TRUE(recognised(Stream({Entity("p1", "person"), Checksums(1, 0, 0, 0, 0)})));
  // A long stream: the head ends inside an item.
  std::vector<v3::Item> many = {Header("2.17.0", "d")};
  for (int i = 0; i < 300; ++i) many.push_back(Entity("p" + std::to_string(i), "person"));
  EXPECT_TRUE(recognised(Stream(many)));
  EXPECT_FALSE(recognised(""));
  EXPECT_FALSE(recognised("[{\"model\": \"auth.user\", \"pk\": 1}]"));
  EXPECT_FALSE(recognised("CREATE TABLE t (x int);\n"));
  EXPECT_FALSE(recognised(std::string("SQLite format 3\0", 16) + std::string(100, '\0')));
  EXPECT_FALSE(recognised(Stream({Header("v1", "d")})));     // a version not starting with a digit
  EXPECT_FALSE(recognised(Stream({Entity("", "person")})));  // no id
  // A short file cut inside an item: an export when it starts with a header
  // (so the reader names where it is cut), else nothing known.
  EXPECT_TRUE(recognised(Stream(Graph()).substr(0, Stream(Graph()).size() - 2)));
  const std::string headless = Stream({Entity("p1", "person"), Entity("p2", "person")});
  EXPECT_FALSE(recognised(headless.substr(0, headless.size() - 2)));
  EXPECT_FALSE(recognised(Frame(std::string("\x3a\x01x", 3))));  // unknown case
  // The registry finds it.
  auto row = RecogniseFile(Write("reg.typedb", Stream(Graph())));
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((*row)->name, "typedb");
}

TEST_F(TypeDbSourceTest, StandardInput) {
  std::string path = Write("in.typedb", Stream(Graph()));
  Tables want = ReadOk(path);
  int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  ::close(fd);
  auto source = Open("-");
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->Describe(), "stdin");
  Schema schema;
  Tables got;
  ASSERT_TRUE(ReadAll(source->get(), &schema, &got).ok());
  EXPECT_EQ(got, want);
}

TEST_F(TypeDbSourceTest, Renames) {
  EndpointOptions options;
  options.typedb.renames = {{"person", "human"}, {"friendship:friend", "friendship:pal"}, {"nickname", "alias"}};
  Schema schema;
  Tables t = ReadOk(Write("ren.typedb", Stream(Graph())), &schema, options);
  EXPECT_NE(schema.FindTable("", "human"), nullptr);
  EXPECT_EQ(schema.FindTable("", "person"), nullptr);
  EXPECT_THAT(t["human:has"], ElementsAre("p1|alias|k1", "p1|alias|k2"));
  EXPECT_THAT(t["friendship:roles"], ElementsAre("f1|friendship:pal|p1", "f1|friendship:pal|p2"));
  // A rename of a label the file does not hold, and one merging two labels.
  options.typedb.renames = {{"robot", "android"}};
  auto source = Open(Write("ren2.typedb", Stream(Graph())), options);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->ReadSchema().status().code(), StatusCode::kInvalidArgument);
  options.typedb.renames = {{"name", "nickname"}};
  source = Open(Write("ren3.typedb", Stream(Graph())), options);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->ReadSchema().status().code(), StatusCode::kInvalidArgument);
  options.typedb.renames = {{"not a label", "x"}};
  EXPECT_EQ(Open(Write("ren4.typedb", Stream(Graph())), options).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Inspect.

TEST_F(TypeDbSourceTest, Inspect) {
  const std::string path = Write("i.typedb", Stream(Graph()));
  auto out = Inspect(path, {}, false, FileSystem::Default());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(*out, HasSubstr("generation:        typedb-2\n"));
  EXPECT_THAT(*out, HasSubstr("version:           2.17.0\n"));
  EXPECT_THAT(*out, HasSubstr("original database: social\n"));
  EXPECT_THAT(*out, HasSubstr("12 items"));
  EXPECT_THAT(*out, HasSubstr("\n  person      entity              2           5\n"));
  EXPECT_THAT(*out, HasSubstr("\n  friendship  relation            1           0             2\n"));
  EXPECT_THAT(*out, HasSubstr("\n  age         attribute           1           1                integer\n"));
  EXPECT_THAT(*out, HasSubstr("  total                          10           7             4\n"));
  EXPECT_EQ(out->find("check:"), std::string::npos);
  out = Inspect(path, {}, true, FileSystem::Default());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(*out, HasSubstr("check: OK, the five counts equal the checksums item, 11 references resolved"));
}

TEST_F(TypeDbSourceTest, InspectCheckFailures) {
  std::vector<v3::Item> items = Graph();
  items.pop_back();
  const std::string none = Write("none.typedb", Stream(items));
  auto out = Inspect(none, {}, false, FileSystem::Default());
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(*out, HasSubstr("checksums:         none (the export may not have finished)"));
  out = Inspect(none, {}, true, FileSystem::Default());
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(out.status().message(), HasSubstr("none.typedb: no checksums item: the export did not finish"));

  items.push_back(Checksums(2, 6, 2, 5, 6));
  out = Inspect(Write("bad.typedb", Stream(items)), {}, true, FileSystem::Default());
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(out.status().message(),
              HasSubstr("the checksums item differs from the items: role players: the file says 5, counted 4; "
                        "ownerships: the file says 6, counted 7"));
  EXPECT_EQ(out.status().message().find('\n'), std::string::npos);

  items = Graph();
  items.push_back(Entity("p9", "person", {"zz"}));
  const std::string dangling = Write("dangling.typedb", Stream(items));
  EXPECT_TRUE(Inspect(dangling, {}, false, FileSystem::Default()).ok());
  out = Inspect(dangling, {}, true, FileSystem::Default());
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(out.status().message(), HasSubstr("owns the attribute 'zz', an id the file does not hold"));
}

// ---------------------------------------------------------------------------
// The real export files (docs/formats/typedb.md, "What the tests pin down").

std::string Samples() {
  const char* dir = std::getenv("DECANT_TYPEDB_SAMPLES");
  return dir && *dir ? dir : "";
}

uint64_t Rows(const Tables& t, const std::string& kind) {
  uint64_t n = 0;
  for (const std::string& row : t.at("typedb:types")) {
    size_t bar = row.find('|');
    if (row.compare(bar + 1, kind.size() + 1, kind + "|") == 0) n += t.at(row.substr(0, bar)).size();
  }
  return n;
}

TEST_F(TypeDbSourceTest, RealSamples) {
  if (Samples().empty()) GTEST_SKIP() << "DECANT_TYPEDB_SAMPLES is not set: the real export files are not read";
  for (const char* name : {"simulation-1.7.3.grakn", "iam-2.17.typedb", "data-2.0.grakn"}) {
    auto row = RecogniseFile(Samples() + "/" + name);
    ASSERT_TRUE(row.ok()) << row.status().ToString();
    EXPECT_EQ((*row)->name, "typedb") << name;
  }
  {
    Tables t = ReadOk(Samples() + "/simulation-1.7.3.grakn");
    EXPECT_THAT(t["typedb:file"], testing::Contains("generation|grakn-1.8"));
    EXPECT_THAT(t["typedb:file"], testing::Contains("version|1.7.3"));
    EXPECT_EQ(Rows(t, "attribute"), 15517u);
    EXPECT_EQ(Rows(t, "entity"), 6720u);
    EXPECT_EQ(Rows(t, "relation"), 8319u);
    auto out = Inspect(Samples() + "/simulation-1.7.3.grakn", {}, true, FileSystem::Default());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_THAT(*out, HasSubstr("30558 items"));
  }
  {
    Tables t = ReadOk(Samples() + "/iam-2.17.typedb");
    EXPECT_THAT(t["typedb:file"], testing::Contains("generation|typedb-2"));
    EXPECT_THAT(t["typedb:file"], testing::Contains("original_database|iam-mini-demo"));
    EXPECT_EQ(Rows(t, "attribute"), 107u);
    EXPECT_EQ(Rows(t, "entity"), 93u);
    EXPECT_EQ(Rows(t, "relation"), 857u);
    // Inherited roles keep the declaring type's scope.
    EXPECT_THAT(t["set-membership:roles"], testing::Contains(HasSubstr("|membership:member|")));
    auto out = Inspect(Samples() + "/iam-2.17.typedb", {}, true, FileSystem::Default());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_THAT(*out, HasSubstr("1059 items"));
  }
  {
    auto source = Open(Samples() + "/data-2.0.grakn");
    ASSERT_TRUE(source.ok());
    auto schema = (*source)->ReadSchema();
    EXPECT_EQ(schema.status().code(), StatusCode::kCorruption);
    EXPECT_THAT(schema.status().message(),
                HasSubstr("327 duplicate ids in the file (Grakn 2.0 to 2.2 exported lossy ids"));
    auto out = Inspect(Samples() + "/data-2.0.grakn", {}, false, FileSystem::Default());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_THAT(*out, HasSubstr("1905 items"));
    EXPECT_THAT(*out, HasSubstr("327 duplicate ids"));
  }
}

}  // namespace
}  // namespace decant::typedb
