// SelectAndRename on hand-built schemas (SQLite, PostgreSQL and MySQL
// dialects), on a schema read from a real SQLite file, and end to end: a
// SQLite database copied into a new file with tables dropped and renamed.
#include "pipeline/selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "engines/sqlite/sqlite_endpoint.h"
#include "tests/test_util.h"

namespace decant {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Column Col(const std::string& name) {
  Column c;
  c.name = name;
  return c;
}

// A SQLite schema shaped like Chinook's Artist/Album/Track, with every kind of
// object that names a table or a column, in several quoting styles.
Schema Music() {
  Schema s;
  s.engine = "sqlite";
  Table artist;
  artist.name = "Artist";
  artist.columns = {Col("ArtistId"), Col("Name")};
  artist.primary_key = KeyConstraint{"PK_Artist", {"ArtistId"}};
  artist.native_ddl =
      "CREATE TABLE \"Artist\" ( [ArtistId] INTEGER NOT NULL, [Name] NVARCHAR(120), "
      "CONSTRAINT [PK_Artist] PRIMARY KEY ([ArtistId]))";
  Table album;
  album.name = "Album";
  album.columns = {Col("AlbumId"), Col("Title"), Col("ArtistId")};
  album.primary_key = KeyConstraint{"", {"AlbumId"}};
  album.checks = {{"", "Title <> 'Name'"}};
  ForeignKey to_artist;
  to_artist.columns = {"ArtistId"};
  to_artist.ref_table = "Artist";
  to_artist.ref_columns = {"ArtistId"};
  album.foreign_keys = {to_artist};
  album.native_ddl =
      "CREATE TABLE Album (AlbumId INTEGER PRIMARY KEY, Title TEXT CHECK (Title <> 'Name'), "
      "ArtistId INTEGER REFERENCES Artist (ArtistId) ON DELETE CASCADE)";
  Table track;
  track.name = "Track";
  track.columns = {Col("TrackId"), Col("Name"), Col("AlbumId")};
  track.primary_key = KeyConstraint{"", {"TrackId"}};
  ForeignKey to_album;
  to_album.name = "fk_album";
  to_album.columns = {"AlbumId"};
  to_album.ref_table = "Album";
  to_album.ref_columns = {"AlbumId"};
  track.foreign_keys = {to_album};
  track.native_ddl =
      "CREATE TABLE Track (TrackId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL, -- Name of the Track\n"
      "AlbumId INTEGER, CONSTRAINT fk_album FOREIGN KEY (AlbumId) REFERENCES Album (AlbumId))";
  s.tables = {artist, album, track};

  Index ix;
  ix.name = "ix_track_name";
  ix.table = "Track";
  ix.keys = {IndexKey{"Name", "", false, "NOCASE"}};
  ix.where = "Name <> 'Name'";
  ix.native_ddl = "CREATE INDEX ix_track_name ON Track (Name COLLATE NOCASE) WHERE Name <> 'Name'";
  s.indexes = {ix};

  View v;
  v.name = "v_tracks";
  v.definition =
      "SELECT t.Name, a.Title FROM Track t JOIN Album AS a ON a.AlbumId = t.AlbumId WHERE t.Name <> 'Track' "
      "/* Track */";
  v.native_ddl = "CREATE VIEW v_tracks AS " + v.definition;
  s.views = {v};

  Trigger trg;
  trg.name = "trg";
  trg.table = "Track";
  trg.native_ddl =
      "CREATE TRIGGER trg AFTER INSERT ON Track BEGIN UPDATE Album SET Title = NEW.Name WHERE AlbumId = "
      "NEW.AlbumId; END";
  s.triggers = {trg};

  Sequence seq;
  seq.name = "Track";
  seq.owner_table = "Track";
  seq.owner_column = "TrackId";
  s.sequences = {seq};
  return s;
}

Selection Apply(const Schema& s, const SelectOptions& options) {
  Result<Selection> r = SelectAndRename(s, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Selection{};
}

Selection Rename(const Schema& s, std::vector<std::pair<std::string, std::string>> renames) {
  SelectOptions o;
  o.renames = std::move(renames);
  return Apply(s, o);
}

std::string Error(const Schema& s, const SelectOptions& o) {
  Result<Selection> r = SelectAndRename(s, o);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(SelectionTest, EmptyOptionsKeepEverything) {
  Schema s = Music();
  EXPECT_TRUE(SelectOptionsEmpty({}));
  Selection sel = Apply(s, {});
  EXPECT_EQ(sel.schema, s);
  EXPECT_THAT(sel.source_table, ElementsAre(0, 1, 2));
  EXPECT_TRUE(sel.notes.empty());
}

TEST(SelectionTest, ParseRename) {
  auto r = ParseRename("Track.Name=title");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, "Track.Name");
  EXPECT_EQ(r->second, "title");
  for (const char* bad : {"Track", "=x", "x=", ""}) {
    auto e = ParseRename(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_THAT(e.status().message(), HasSubstr(std::string("\"") + bad + "\""));
  }
}

TEST(SelectionTest, RenameTableRewritesEveryReference) {
  Selection sel = Rename(Music(), {{"Track", "song"}});
  const Schema& s = sel.schema;
  EXPECT_EQ(s.tables[2].name, "song");
  EXPECT_EQ(s.tables[2].native_ddl,
            "CREATE TABLE song (TrackId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL, -- Name of the Track\n"
            "AlbumId INTEGER, CONSTRAINT fk_album FOREIGN KEY (AlbumId) REFERENCES Album (AlbumId))");
  EXPECT_EQ(s.indexes[0].table, "song");
  EXPECT_EQ(s.indexes[0].native_ddl, "CREATE INDEX ix_track_name ON song (Name COLLATE NOCASE) WHERE Name <> 'Name'");
  // The alias t, the string 'Track' and the comment stay.
  EXPECT_EQ(s.views[0].definition,
            "SELECT t.Name, a.Title FROM song t JOIN Album AS a ON a.AlbumId = t.AlbumId WHERE t.Name <> 'Track' "
            "/* Track */");
  EXPECT_EQ(s.views[0].native_ddl, "CREATE VIEW v_tracks AS " + s.views[0].definition);
  EXPECT_EQ(s.triggers[0].table, "song");
  EXPECT_THAT(s.triggers[0].native_ddl, HasSubstr("AFTER INSERT ON song BEGIN"));
  EXPECT_EQ(s.sequences[0].name, "song");
  EXPECT_EQ(s.sequences[0].owner_table, "song");
  // Nothing else moved.
  EXPECT_EQ(s.tables[0], Music().tables[0]);
  EXPECT_EQ(s.tables[1], Music().tables[1]);
  EXPECT_TRUE(sel.notes.empty());
}

TEST(SelectionTest, RenameReferencedTableRewritesForeignKeysElsewhere) {
  Selection sel = Rename(Music(), {{"Album", "record"}});
  const Schema& s = sel.schema;
  EXPECT_EQ(s.tables[2].foreign_keys[0].ref_table, "record");
  EXPECT_THAT(s.tables[2].native_ddl, HasSubstr("FOREIGN KEY (AlbumId) REFERENCES record (AlbumId))"));
  EXPECT_THAT(s.views[0].definition, HasSubstr("JOIN record AS a ON a.AlbumId"));
  EXPECT_THAT(s.triggers[0].native_ddl, HasSubstr("UPDATE record SET Title"));
  EXPECT_EQ(s.tables[1].native_ddl,
            "CREATE TABLE record (AlbumId INTEGER PRIMARY KEY, Title TEXT CHECK (Title <> 'Name'), "
            "ArtistId INTEGER REFERENCES Artist (ArtistId) ON DELETE CASCADE)");
}

TEST(SelectionTest, QuotingStyleIsKeptAndAddedWhenNeeded) {
  SelectOptions o;
  o.renames = {{"Artist.Name", "full name"}, {"Artist", "Music Artist"}};
  Selection ok = Apply(Music(), o);
  const Schema& s = ok.schema;
  EXPECT_EQ(s.tables[0].native_ddl,
            "CREATE TABLE \"Music Artist\" ( [ArtistId] INTEGER NOT NULL, [full name] NVARCHAR(120), "
            "CONSTRAINT [PK_Artist] PRIMARY KEY ([ArtistId]))");
  EXPECT_EQ(s.tables[0].columns[1].name, "full name");
  // A bare name that now needs quotes gets the dialect's quotes.
  EXPECT_THAT(s.tables[1].native_ddl, HasSubstr("REFERENCES \"Music Artist\" (ArtistId) ON DELETE CASCADE"));
  EXPECT_EQ(s.tables[1].foreign_keys[0].ref_table, "Music Artist");
}

TEST(SelectionTest, RenamesApplyInOrder) {
  SelectOptions o;
  o.renames = {{"Artist", "band"}, {"Artist.Name", "x"}};
  EXPECT_THAT(Error(Music(), o), HasSubstr("--rename Artist.Name=x: no table Artist.Name"));
  o.renames = {{"Artist", "band"}, {"band.Name", "label"}};
  Selection sel = Apply(Music(), o);
  EXPECT_EQ(sel.schema.tables[0].name, "band");
  EXPECT_EQ(sel.schema.tables[0].columns[1].name, "label");
}

TEST(SelectionTest, RenameColumnRewritesKeysIndexesViewsTriggers) {
  Selection sel = Rename(Music(), {{"Track.Name", "title"}});
  const Schema& s = sel.schema;
  EXPECT_EQ(s.tables[2].columns[1].name, "title");
  EXPECT_EQ(s.tables[2].native_ddl,
            "CREATE TABLE Track (TrackId INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, -- Name of the Track\n"
            "AlbumId INTEGER, CONSTRAINT fk_album FOREIGN KEY (AlbumId) REFERENCES Album (AlbumId))");
  EXPECT_EQ(s.indexes[0].keys[0].column, "title");
  EXPECT_EQ(s.indexes[0].where, "title <> 'Name'");
  EXPECT_EQ(s.indexes[0].native_ddl,
            "CREATE INDEX ix_track_name ON Track (title COLLATE NOCASE) WHERE title <> 'Name'");
  // t is Track's alias, a is Album's: only t.Name changes.
  EXPECT_EQ(s.views[0].definition,
            "SELECT t.title, a.Title FROM Track t JOIN Album AS a ON a.AlbumId = t.AlbumId WHERE t.title <> 'Track' "
            "/* Track */");
  EXPECT_THAT(s.triggers[0].native_ddl, HasSubstr("SET Title = NEW.title WHERE"));
  // Other tables' columns called Name are untouched.
  EXPECT_EQ(s.tables[0], Music().tables[0]);
  EXPECT_EQ(s.tables[1], Music().tables[1]);
  EXPECT_TRUE(sel.notes.empty()) << sel.notes[0];
}

// A key on a JSON field (IndexKey::json_path): its column follows a rename,
// its path (members of the documents, not columns) stays as it was.
TEST(SelectionTest, RenameKeepsJsonPathKeys) {
  Schema in;
  in.engine = "rethinkdb";
  Table t;
  t.schema = "app";
  t.name = "users";
  t.columns.resize(2);
  t.columns[0].name = "id";
  t.columns[0].type.logical = LogicalType::kText;
  t.columns[1].name = "doc";
  t.columns[1].type.logical = LogicalType::kJson;
  t.primary_key = KeyConstraint{"", {"id"}};
  in.tables = {t};
  Index x;
  x.schema = "app";
  x.name = "by_city";
  x.table = "users";
  x.keys = {IndexKey{"doc", "", false, std::nullopt, {"doc", "city"}}};
  in.indexes = {x};
  Selection sel = Rename(in, {{"app.users.doc", "body"}, {"app.users", "people"}});
  ASSERT_EQ(sel.schema.indexes.size(), 1u);
  const Index& out = sel.schema.indexes[0];
  EXPECT_EQ(out.table, "people");
  ASSERT_EQ(out.keys.size(), 1u);
  EXPECT_EQ(out.keys[0].column, "body");
  EXPECT_EQ(out.keys[0].json_path, (std::vector<std::string>{"doc", "city"}));
  EXPECT_TRUE(out.keys[0].expression.empty());
}

TEST(SelectionTest, RenameReferencedColumnRewritesForeignKeysAndNotesAmbiguity) {
  Selection sel = Rename(Music(), {{"Album.AlbumId", "album_id"}});
  const Schema& s = sel.schema;
  EXPECT_EQ(s.tables[1].primary_key->columns, std::vector<std::string>{"album_id"});
  EXPECT_EQ(s.tables[2].foreign_keys[0].columns, std::vector<std::string>{"AlbumId"});
  EXPECT_EQ(s.tables[2].foreign_keys[0].ref_columns, std::vector<std::string>{"album_id"});
  EXPECT_THAT(s.tables[2].native_ddl, HasSubstr("FOREIGN KEY (AlbumId) REFERENCES Album (album_id))"));
  EXPECT_THAT(s.tables[1].native_ddl, HasSubstr("(album_id INTEGER PRIMARY KEY"));
  EXPECT_THAT(s.views[0].definition, HasSubstr("ON a.album_id = t.AlbumId"));
  // The trigger on Track updates Album: its bare AlbumId is Album's, NEW.AlbumId is Track's.
  EXPECT_THAT(s.triggers[0].native_ddl, HasSubstr("WHERE album_id = NEW.AlbumId; END"));
  ASSERT_EQ(sel.notes.size(), 1u);
  EXPECT_THAT(sel.notes[0], HasSubstr("trigger trg: reads Album and Track, which both have a column AlbumId"));
}

TEST(SelectionTest, NamesResolveExactlyThenIgnoringCase) {
  Selection sel = Rename(Music(), {{"track.name", "title"}});
  EXPECT_EQ(sel.schema.tables[2].columns[1].name, "title");
  sel = Rename(Music(), {{"main.Track", "main.song"}});
  EXPECT_EQ(sel.schema.tables[2].name, "song");
  sel = Rename(Music(), {{"Track.Name", "Track.title"}});
  EXPECT_EQ(sel.schema.tables[2].columns[1].name, "title");
}

TEST(SelectionTest, RenameErrors) {
  SelectOptions o;
  o.renames = {{"Nope", "x"}};
  EXPECT_EQ(Error(Music(), o), "--rename Nope=x: no table or schema called Nope");
  o.renames = {{"Track.Nope", "x"}};
  EXPECT_THAT(Error(Music(), o), HasSubstr("no column Nope in a table Track"));
  o.renames = {{"Track", "Album"}};
  EXPECT_EQ(Error(Music(), o), "--rename Track=Album: table Album already exists");
  o.renames = {{"Track", "v_tracks"}};
  EXPECT_EQ(Error(Music(), o), "--rename Track=v_tracks: view v_tracks already exists");
  o.renames = {{"Track.Name", "albumid"}};
  EXPECT_EQ(Error(Music(), o), "--rename Track.Name=albumid: table Track already has a column AlbumId");
  o.renames = {{"Track.Name", "Album.title"}};
  EXPECT_THAT(Error(Music(), o), HasSubstr("only the last part of the name can change"));
  o.renames = {{"a.b.c.d", "x"}};
  EXPECT_THAT(Error(Music(), o), HasSubstr("expected NAME, SCHEMA.TABLE"));
}

// A PostgreSQL schema: everything qualified (decant reads with an empty
// search_path), sequences in regclass strings, a schema object and a comment.
Schema Shop() {
  Schema s;
  s.engine = "postgresql";
  Table customer;
  customer.schema = "public";
  customer.name = "customer";
  customer.columns = {Col("id"), Col("name")};
  customer.primary_key = KeyConstraint{"customer_pkey", {"id"}};
  customer.native_ddl = "CREATE TABLE public.customer (\n  id integer NOT NULL,\n  name text\n)";
  Table orders;
  orders.schema = "public";
  orders.name = "orders";
  orders.columns = {Col("id"), Col("customer_id")};
  orders.columns[0].default_expr = "nextval('public.orders_id_seq'::regclass)";
  orders.options["identity:customer_id"] = "x";
  ForeignKey fk;
  fk.name = "orders_customer_fkey";
  fk.columns = {"customer_id"};
  fk.ref_schema = "public";
  fk.ref_table = "customer";
  fk.ref_columns = {"id"};
  orders.foreign_keys = {fk};
  orders.native_ddl =
      "CREATE TABLE public.orders (\n  id integer DEFAULT nextval('public.orders_id_seq'::regclass) NOT NULL,\n"
      "  customer_id integer\n)";
  s.tables = {customer, orders};
  Index ix;
  ix.schema = "public";
  ix.name = "orders_customer";
  ix.table = "orders";
  ix.keys = {IndexKey{"customer_id", "", false, std::nullopt}};
  ix.native_ddl = "CREATE INDEX orders_customer ON public.orders USING btree (customer_id)";
  s.indexes = {ix};
  View v;
  v.schema = "public";
  v.name = "big_orders";
  v.definition =
      " SELECT o.id,\n    c.name\n   FROM (public.orders o\n     JOIN public.customer c ON ((c.id = o.customer_id)))\n"
      "  WHERE (c.name <> 'public.customer'::text);";
  v.native_ddl = "CREATE VIEW public.big_orders AS\n" + v.definition;
  s.views = {v};
  Sequence q;
  q.schema = "public";
  q.name = "orders_id_seq";
  q.owner_table = "orders";
  q.owner_column = "id";
  q.native_ddl = "CREATE SEQUENCE public.orders_id_seq AS integer";
  s.sequences = {q};
  s.objects = {{"schema", "", "public", "", "pre-data", "CREATE SCHEMA public"},
               {"comment", "", "SCHEMA public", "", "post-data", "COMMENT ON SCHEMA public IS 'public schema'"},
               {"function", "public", "f", "", "pre-data",
                "CREATE FUNCTION public.f() RETURNS integer AS $$ SELECT count(*) FROM public.orders $$ LANGUAGE sql"}};
  return s;
}

TEST(SelectionTest, RenameSchemaRewritesQualifiersEverywhere) {
  Selection sel = Rename(Shop(), {{"public", "shop"}});
  const Schema& s = sel.schema;
  EXPECT_EQ(s.tables[0].schema, "shop");
  EXPECT_EQ(s.tables[1].foreign_keys[0].ref_schema, "shop");
  EXPECT_EQ(s.tables[0].native_ddl, "CREATE TABLE shop.customer (\n  id integer NOT NULL,\n  name text\n)");
  EXPECT_EQ(*s.tables[1].columns[0].default_expr, "nextval('shop.orders_id_seq'::regclass)");
  EXPECT_THAT(s.tables[1].native_ddl, HasSubstr("DEFAULT nextval('shop.orders_id_seq'::regclass) NOT NULL"));
  EXPECT_EQ(s.indexes[0].schema, "shop");
  EXPECT_EQ(s.indexes[0].native_ddl, "CREATE INDEX orders_customer ON shop.orders USING btree (customer_id)");
  EXPECT_EQ(s.views[0].schema, "shop");
  EXPECT_EQ(
      s.views[0].definition,
      " SELECT o.id,\n    c.name\n   FROM (shop.orders o\n     JOIN shop.customer c ON ((c.id = o.customer_id)))\n"
      "  WHERE (c.name <> 'public.customer'::text);");
  EXPECT_EQ(s.views[0].native_ddl, "CREATE VIEW shop.big_orders AS\n" + s.views[0].definition);
  EXPECT_EQ(s.sequences[0].schema, "shop");
  EXPECT_EQ(s.sequences[0].native_ddl, "CREATE SEQUENCE shop.orders_id_seq AS integer");
  EXPECT_EQ(s.objects[0].name, "shop");
  EXPECT_EQ(s.objects[0].native_ddl, "CREATE SCHEMA shop");
  EXPECT_EQ(s.objects[1].native_ddl, "COMMENT ON SCHEMA shop IS 'public schema'");
  // A function body is a string: documented as not rewritten.
  EXPECT_EQ(s.objects[2].schema, "shop");
  EXPECT_EQ(s.objects[2].native_ddl,
            "CREATE FUNCTION shop.f() RETURNS integer AS $$ SELECT count(*) FROM public.orders $$ LANGUAGE sql");
}

TEST(SelectionTest, PostgresNamesThatFoldGetQuoted) {
  Selection sel = Rename(Shop(), {{"public.customer", "Client"}, {"public.orders.customer_id", "client_id"}});
  const Schema& s = sel.schema;
  EXPECT_EQ(s.tables[0].name, "Client");
  EXPECT_EQ(s.tables[0].native_ddl, "CREATE TABLE public.\"Client\" (\n  id integer NOT NULL,\n  name text\n)");
  EXPECT_EQ(s.tables[1].foreign_keys[0].ref_table, "Client");
  EXPECT_EQ(s.tables[1].foreign_keys[0].columns, std::vector<std::string>{"client_id"});
  EXPECT_EQ(s.tables[1].options.count("identity:client_id"), 1u);
  EXPECT_EQ(s.indexes[0].keys[0].column, "client_id");
  EXPECT_EQ(s.indexes[0].native_ddl, "CREATE INDEX orders_customer ON public.orders USING btree (client_id)");
  EXPECT_THAT(s.views[0].definition, HasSubstr("JOIN public.\"Client\" c ON ((c.id = o.client_id))"));
  EXPECT_THAT(s.views[0].definition, HasSubstr("'public.customer'::text"));
}

TEST(SelectionTest, ExcludedPostgresTableTakesItsSequence) {
  Schema shop = Shop();
  shop.objects.push_back({"sequence", "public", "orders_id_seq", "", "pre-data", shop.sequences[0].native_ddl});
  SelectOptions o;
  o.exclude_tables = {"public.ord*"};
  Selection sel = Apply(shop, o);
  EXPECT_THAT(sel.source_table, ElementsAre(0));
  EXPECT_TRUE(sel.schema.sequences.empty());
  EXPECT_TRUE(sel.schema.indexes.empty());
  EXPECT_EQ(sel.schema.objects.size(), 3u);  // schema, comment, function: no sequence
  EXPECT_THAT(sel.notes, ElementsAre("view public.big_orders dropped: it reads table public.orders, which is not "
                                     "selected"));
}

TEST(SelectionTest, AmbiguousNames) {
  Schema s = Shop();
  Table t;
  t.schema = "public";
  t.name = "public";
  t.columns = {Col("customer")};
  s.tables.push_back(t);
  SelectOptions o;
  o.renames = {{"public", "x"}};
  EXPECT_THAT(Error(s, o), HasSubstr("ambiguous: both a table and a schema are called public"));
  o.renames = {{"public.customer", "x"}};  // table customer in public, or column customer of table public
  EXPECT_THAT(Error(s, o), HasSubstr("ambiguous"));
  o.renames = {{"public.public.customer", "x"}};
  EXPECT_TRUE(SelectAndRename(s, o).ok());
  Table other = Shop().tables[0];
  other.schema = "sales";
  s = Shop();
  s.tables.push_back(other);
  o.renames = {{"customer", "x"}};
  EXPECT_THAT(Error(s, o), HasSubstr("ambiguous: tables public.customer, sales.customer; qualify it"));
  o.renames = {{"public", "sales"}};
  EXPECT_EQ(Error(s, o), "--rename public=sales: schema sales already exists");
}

TEST(SelectionTest, TablePatterns) {
  SelectOptions o;
  o.tables = {"Al*"};
  Selection sel = Apply(Music(), o);
  ASSERT_EQ(sel.schema.tables.size(), 1u);
  EXPECT_EQ(sel.schema.tables[0].name, "Album");
  EXPECT_THAT(sel.source_table, ElementsAre(1));
  EXPECT_TRUE(sel.schema.indexes.empty());
  EXPECT_TRUE(sel.schema.triggers.empty());
  EXPECT_TRUE(sel.schema.sequences.empty());
  EXPECT_TRUE(sel.schema.views.empty());
  // Album's FK to Artist goes, and the view reading Track.
  EXPECT_TRUE(sel.schema.tables[0].foreign_keys.empty());
  EXPECT_EQ(sel.schema.tables[0].native_ddl,
            "CREATE TABLE Album (AlbumId INTEGER PRIMARY KEY, Title TEXT CHECK (Title <> 'Name'), ArtistId INTEGER )");
  EXPECT_THAT(sel.notes, ElementsAre(HasSubstr("table Album: foreign key (ArtistId) to Artist removed"),
                                     HasSubstr("view v_tracks dropped: it reads table Track")));

  o.tables = {"track", "main.A?tist"};  // case-insensitive when nothing matches exactly; schema.table
  sel = Apply(Music(), o);
  EXPECT_THAT(sel.source_table, ElementsAre(0, 2));
  o.tables = {"Foo"};
  EXPECT_EQ(Error(Music(), o), "--table \"Foo\" matches no table");
  o.tables = {};
  o.exclude_tables = {"F*"};
  EXPECT_EQ(Error(Music(), o), "--exclude-table \"F*\" matches no table");
}

TEST(SelectionTest, ExcludeDropsDependentsWithNotes) {
  SelectOptions o;
  o.exclude_tables = {"Album"};
  Selection sel = Apply(Music(), o);
  const Schema& s = sel.schema;
  EXPECT_THAT(sel.source_table, ElementsAre(0, 2));
  EXPECT_TRUE(s.tables[1].foreign_keys.empty());
  EXPECT_EQ(s.tables[1].native_ddl,
            "CREATE TABLE Track (TrackId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL, -- Name of the Track\n"
            "AlbumId INTEGER)");
  EXPECT_EQ(s.indexes.size(), 1u);    // on Track: kept
  EXPECT_EQ(s.sequences.size(), 1u);  // Track's: kept
  EXPECT_TRUE(s.views.empty());
  EXPECT_TRUE(s.triggers.empty());  // on Track, but it updates Album
  EXPECT_THAT(sel.notes, ElementsAre(HasSubstr("table Track: foreign key fk_album (AlbumId) to Album removed"),
                                     "view v_tracks dropped: it reads table Album, which is not selected",
                                     HasSubstr("trigger trg on Track dropped: it uses table Album")));

  // --exclude-table applies after --table, and to views; a renamed excluded table is unknown.
  o.tables = {"*"};
  o.exclude_tables = {"Artist", "v_tracks"};
  o.renames = {{"Artist", "x"}};
  EXPECT_EQ(Error(Music(), o), "--rename Artist=x: no table or schema called Artist (it is not selected)");
  o.renames = {};
  sel = Apply(Music(), o);
  EXPECT_THAT(sel.source_table, ElementsAre(1, 2));
  EXPECT_TRUE(sel.schema.views.empty());
}

TEST(SelectionTest, MySqlBackquotesAndDatabaseQualifiers) {
  Schema s;
  s.engine = "mysql";
  s.database = "shop";
  Table t;
  t.name = "item";
  t.columns = {Col("id"), Col("label")};
  t.native_ddl =
      "CREATE TABLE `item` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `label` varchar(20) DEFAULT \"item\",\n"
      "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB # item\n";
  s.tables = {t};
  View v;
  v.name = "labels";
  v.definition =
      "select `shop`.`item`.`label` AS `label` from `shop`.`item` where `shop`.`item`.`label` <> 'it\\'s item'";
  v.native_ddl = "CREATE ALGORITHM=UNDEFINED VIEW `labels` AS " + v.definition;
  s.views = {v};
  Sequence q;
  q.name = "item";
  q.owner_table = "item";
  q.native_ddl = "ALTER TABLE `item` AUTO_INCREMENT = 5";
  s.sequences = {q};
  Selection sel = Rename(s, {{"item", "product"}, {"product.label", "title"}});
  EXPECT_EQ(sel.schema.tables[0].native_ddl,
            "CREATE TABLE `product` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `title` varchar(20) DEFAULT \"item\",\n"
            "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB # item\n");
  EXPECT_EQ(sel.schema.views[0].definition,
            "select `shop`.`product`.`title` AS `title` from `shop`.`product` where `shop`.`product`.`title` <> "
            "'it\\'s item'");
  EXPECT_EQ(sel.schema.sequences[0].name, "product");
  EXPECT_EQ(sel.schema.sequences[0].native_ddl, "ALTER TABLE `product` AUTO_INCREMENT = 5");
}

// ---------------------------------------------------------------- real SQLite files

const auto& exec = testing_util::SqliteExec;

// Every row of `sql`, cells joined by '|'; "error: ..." if it fails.
std::vector<std::string> Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    rows.push_back(std::string("error: ") + sqlite3_errmsg(db));
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* text = sqlite3_column_text(st, i);
        row.append(i ? "|" : "").append(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      rows.push_back(row);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

class SelectionSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "decant-selection-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    src_ = dir_ + "/src.db";
    exec(src_,
         "PRAGMA foreign_keys = ON;"
         "CREATE TABLE [Artist] ([ArtistId] INTEGER PRIMARY KEY, [Name] TEXT);"
         "CREATE TABLE \"Album\" (\"AlbumId\" INTEGER PRIMARY KEY AUTOINCREMENT, \"Title\" TEXT NOT NULL, "
         "  \"ArtistId\" INTEGER NOT NULL REFERENCES \"Artist\" (\"ArtistId\"));"
         "CREATE TABLE Track (TrackId INTEGER PRIMARY KEY, Name TEXT CHECK (Name <> 'Track'), "
         "  AlbumId INTEGER, Bytes INTEGER, FOREIGN KEY (AlbumId) REFERENCES Album (AlbumId));"
         "CREATE TABLE Log (id INTEGER PRIMARY KEY, msg TEXT);"
         "CREATE INDEX ix_album_artist ON Album (ArtistId);"
         "CREATE UNIQUE INDEX ix_track ON Track (AlbumId, lower(Name)) WHERE Bytes > 0;"
         "CREATE VIEW album_names AS SELECT al.Title AS title, ar.Name AS artist FROM Album al "
         "  JOIN Artist ar ON ar.ArtistId = al.ArtistId;"
         "CREATE VIEW logged AS SELECT msg FROM Log;"
         "CREATE TRIGGER album_log AFTER INSERT ON Album BEGIN INSERT INTO Log (msg) VALUES ('Album ' || NEW.Title); "
         "END;"
         "INSERT INTO Artist VALUES (1, 'AC/DC'), (2, 'Accept');"
         "INSERT INTO Album (Title, ArtistId) VALUES ('For Those About To Rock', 1), ('Balls to the Wall', 2);"
         "INSERT INTO Track VALUES (1, 'Fast As a Shark', 2, 100), (2, 'Restless', 2, 200);");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Reads src_, selects and renames, and writes the result to `out` the way
  // CopyDatabase does: rows read with the source table, written with the renamed one.
  void Copy(const SelectOptions& options, const std::string& out, Selection* sel) {
    auto source = OpenSqliteSource("sqlite://" + src_);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    auto schema = (*source)->ReadSchema();
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    auto selected = SelectAndRename(*schema, options);
    ASSERT_TRUE(selected.ok()) << selected.status().ToString();
    *sel = *selected;
    auto sink = OpenSqliteSink("sqlite://" + out);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE((*sink)->Begin(sel->schema, SinkOptions{}).ok());
    for (size_t i = 0; i < sel->schema.tables.size(); ++i) {
      auto reader = (*source)->OpenTable(schema->tables[sel->source_table[i]]);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      auto writer = (*sink)->OpenTable(sel->schema.tables[i]);
      ASSERT_TRUE(writer.ok()) << writer.status().ToString();
      RowBatch batch;
      for (;;) {
        auto more = (*reader)->Next(&batch);
        ASSERT_TRUE(more.ok()) << more.status().ToString();
        if (!*more) break;
        ASSERT_TRUE((*writer)->Write(batch).ok());
      }
      ASSERT_TRUE((*writer)->Close().ok());
    }
    ASSERT_TRUE((*source)->Finish().ok());
    Status st = (*sink)->Commit();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::string dir_, src_;
};

TEST_F(SelectionSqliteTest, RealNativeDdlIsRewritten) {
  auto source = OpenSqliteSource("sqlite://" + src_);
  ASSERT_TRUE(source.ok());
  auto schema = (*source)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  SelectOptions o;
  o.renames = {{"Album", "record"}, {"Artist.Name", "artist name"}};
  Selection sel = Apply(*schema, o);
  const Schema& s = sel.schema;
  const Table* record = s.FindTable("", "record");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->native_ddl,
            "CREATE TABLE \"record\" (\"AlbumId\" INTEGER PRIMARY KEY AUTOINCREMENT, \"Title\" TEXT NOT NULL, "
            "  \"ArtistId\" INTEGER NOT NULL REFERENCES \"Artist\" (\"ArtistId\"))");
  EXPECT_EQ(s.FindTable("", "Artist")->native_ddl,
            "CREATE TABLE [Artist] ([ArtistId] INTEGER PRIMARY KEY, [artist name] TEXT)");
  EXPECT_THAT(s.FindTable("", "Track")->native_ddl, HasSubstr("REFERENCES record (AlbumId))"));
  for (const View& v : s.views) {
    if (v.name == "album_names") {
      EXPECT_EQ(v.native_ddl,
                "CREATE VIEW album_names AS SELECT al.Title AS title, ar.\"artist name\" AS artist FROM record al "
                "  JOIN Artist ar ON ar.ArtistId = al.ArtistId");
    }
  }
  for (const Trigger& t : s.triggers) {
    EXPECT_EQ(t.table, "record");
    EXPECT_THAT(t.native_ddl, HasSubstr("AFTER INSERT ON record BEGIN INSERT INTO Log (msg) VALUES ('Album ' || "));
  }
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_EQ(s.sequences[0].name, "record");
}

TEST_F(SelectionSqliteTest, CopyWithSelectionAndRenames) {
  SelectOptions o;
  o.exclude_tables = {"Log"};
  o.renames = {{"Album", "record"}, {"Track.Name", "title"}, {"Artist.Name", "artist name"}};
  Selection sel;
  std::string out = dir_ + "/out.db";
  ASSERT_NO_FATAL_FAILURE(Copy(o, out, &sel));
  EXPECT_THAT(sel.notes, ElementsAre("view logged dropped: it reads table Log, which is not selected",
                                     HasSubstr("trigger album_log on Album dropped: it uses table Log")));
  EXPECT_THAT(Query(out,
                    "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                    "ORDER BY type, name"),
              ElementsAre("index|ix_album_artist|record", "index|ix_track|Track", "table|Artist|Artist",
                          "table|Track|Track", "table|record|record", "view|album_names|album_names"));
  EXPECT_THAT(Query(out, "SELECT * FROM album_names ORDER BY title"),
              ElementsAre("Balls to the Wall|Accept", "For Those About To Rock|AC/DC"));
  EXPECT_THAT(Query(out, "SELECT title FROM Track ORDER BY TrackId"), ElementsAre("Fast As a Shark", "Restless"));
  EXPECT_THAT(Query(out, "SELECT name, seq FROM sqlite_sequence"), ElementsAre("record|2"));
  EXPECT_THAT(Query(out, "PRAGMA foreign_key_check"), ElementsAre());
  EXPECT_THAT(Query(out, "PRAGMA integrity_check"), ElementsAre("ok"));
  EXPECT_THAT(Query(out, "SELECT sql FROM sqlite_master WHERE name = 'ix_track'"),
              ElementsAre("CREATE UNIQUE INDEX ix_track ON Track (AlbumId, lower(title)) WHERE Bytes > 0"));
  // The constraint still holds under its new column name.
  exec(out, "INSERT INTO Track VALUES (3, 'Other', 1, 1)");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(out.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "INSERT INTO Track VALUES (4, 'Track', 1, 1)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace
}  // namespace decant
