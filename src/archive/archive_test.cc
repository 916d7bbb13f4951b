#include "archive/archive.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "archive/codec.h"
#include "archive/format.h"
#include "archive/metadata.h"
#include "archive/signature.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using Rows = std::vector<std::vector<Value>>;

std::string MakeTempDir() {
  std::string tmpl = JoinPath(testing::TempDir(), "archive_test.XXXXXX");
  char* d = mkdtemp(tmpl.data());
  EXPECT_NE(d, nullptr);
  return tmpl;
}

const auto& read_file_bytes = testing_util::ReadFile;
const auto& write_file_bytes = testing_util::WriteFile;

Column Col(const std::string& name, LogicalType t) {
  Column c;
  c.name = name;
  c.type.logical = t;
  return c;
}

// A schema with every field of every struct set to a non-default value.
Schema FullSchema() {
  Schema s;
  s.engine = "postgresql";
  s.server_version = "16.2";
  s.database = "shop";
  Table t;
  t.schema = "public";
  t.name = "Album";
  Column c1 = Col("id", LogicalType::kInt64);
  c1.type.length = 10;
  c1.type.precision = 12;
  c1.type.scale = 3;
  c1.type.element = LogicalType::kText;
  c1.type.enum_values = {"a", "b\xff"};
  c1.native_type = "BIGINT";
  c1.nullable = false;
  c1.default_expr = "nextval('x')";
  c1.collation = "C";
  c1.auto_increment = true;
  c1.comment = "the key";
  Column c2 = Col("title\xc3", LogicalType::kText);  // invalid UTF-8 name
  c2.on_update = "current_timestamp()";
  Column c3 = Col("gen", LogicalType::kInt32);
  c3.generated_expr = "id * 2";
  c3.generated_stored = true;
  t.columns = {c1, c2, c3};
  t.primary_key = KeyConstraint{"album_pk", {"id"}};
  t.uniques = {KeyConstraint{"u1", {"title\xc3"}}};
  t.checks = {CheckConstraint{"ck", "id > 0"}};
  ForeignKey fk;
  fk.name = "fk1";
  fk.columns = {"id"};
  fk.ref_schema = "public";
  fk.ref_table = "Artist";
  fk.ref_columns = {"id"};
  fk.on_update = FkAction::kCascade;
  fk.on_delete = FkAction::kSetNull;
  fk.match = "FULL";
  fk.deferrable = true;
  fk.initially_deferred = true;
  t.foreign_keys = {fk};
  t.options = {{"strict", "1"}, {"k\xfe", "v\xfd"}};
  t.comment = "albums";
  t.native_ddl = "CREATE TABLE \"Album\" (...)";
  s.tables.push_back(t);
  Table t2;
  t2.name = "Empty";
  t2.columns = {Col("x", LogicalType::kAny)};
  s.tables.push_back(t2);
  Table t3;
  t3.name = "Artist";
  t3.columns = {Col("id", LogicalType::kInt64), Col("blob", LogicalType::kBytes)};
  s.tables.push_back(t3);
  Index ix;
  ix.schema = "public";
  ix.name = "ix1";
  ix.table = "Album";
  ix.unique = true;
  IndexKey k1;
  k1.column = "id";
  k1.descending = true;
  k1.collation = "C";
  IndexKey k2;
  k2.expression = "lower(title)";
  IndexKey k3;
  k3.column = "doc";
  k3.json_path = {"address", "city's \"name\""};
  ix.keys = {k1, k2, k3};
  ix.where = "id > 5";
  ix.method = "btree";
  ix.native_ddl = "CREATE INDEX ...";
  s.indexes = {ix};
  s.views = {View{"public", "v1", "SELECT 1", true, "CREATE VIEW v1 ..."}};
  s.triggers = {Trigger{"public", "tr1", "Album", "CREATE TRIGGER ..."}};
  s.sequences = {Sequence{"public", "album_id_seq", "Album", "id", 42, false, 7, "CREATE SEQUENCE ..."}};
  s.options = {{"encoding", "UTF-8"}, {"user_version", "7"}};
  return s;
}

double Bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

// Album rows (2 data columns: id, title) covering every kind's edges.
Rows EdgeRows() {
  Rows r;
  auto add = [&](Value a, Value b) { r.push_back({std::move(a), std::move(b)}); };
  add(Value::Int(std::numeric_limits<int64_t>::min()), Value::Text(""));
  add(Value::Int(std::numeric_limits<int64_t>::max()), Value::Null());
  add(Value::Int(0), Value::Text(std::string("a\0b", 3)));
  add(Value::Int(-1), Value::Text("bad \xff\xfe utf8"));
  add(Value::UInt(std::numeric_limits<uint64_t>::max()), Value::Bytes(""));
  add(Value::UInt(0), Value::Bytes(std::string("\0\x01\xff", 3)));
  add(Value::Float(-0.0), Value::Bool(true));
  add(Value::Float(std::nan("")), Value::Bool(false));
  add(Value::Float(Bits(0x7ff0000000000abcull)), Value::Float(Bits(0xfff8000000000001ull)));  // NaN payloads
  add(Value::Float(std::numeric_limits<double>::infinity()), Value::Float(-std::numeric_limits<double>::infinity()));
  add(Value::Float(std::numeric_limits<double>::denorm_min()), Value::Float(std::numeric_limits<double>::max()));
  add(Value::Null(), Value::Text(std::string(3 << 20, 'x')));  // large value
  add(Value::Text("text in an int column"), Value::Int(5));
  return r;
}

Rows ManyArtistRows(size_t n) {
  Rows r;
  for (size_t i = 0; i < n; ++i) {
    std::string blob(2000, '\0');
    for (size_t k = 0; k < blob.size(); ++k) blob[k] = static_cast<char>((i * 131 + k * 7) & 0xff);
    r.push_back({Value::Int(static_cast<int64_t>(i)), Value::Bytes(blob)});
  }
  return r;
}

struct Content {
  Schema schema;
  std::vector<Rows> tables;  // by schema table index
};

Content SampleContent() {
  Content c;
  c.schema = FullSchema();
  c.tables = {EdgeRows(), {}, ManyArtistRows(5000)};  // ~10 MB: several chunks
  return c;
}

Status WriteContent(const std::string& path, ArchiveForm form, const Content& c, FileSystem* fs = FileSystem::Default(),
                    const ArchiveWriteOptions& options = {}) {
  ArchiveWriteOptions opt = options;
  opt.form = form;
  DECANT_ASSIGN_OR_RETURN(auto sink, OpenArchiveSink(path, opt, fs));
  DECANT_RETURN_IF_ERROR(sink->Begin(c.schema, SinkOptions{}));
  for (size_t t = 0; t < c.schema.tables.size(); ++t) {
    if (c.tables[t].empty()) continue;  // empty tables need no writer
    DECANT_ASSIGN_OR_RETURN(auto w, sink->OpenTable(c.schema.tables[t]));
    size_t cols = DataColumns(c.schema.tables[t]).size();
    RowBatch batch(cols);
    for (const auto& row : c.tables[t]) {
      Value* cells = batch.AppendRow();
      for (size_t i = 0; i < cols; ++i) cells[i] = row[i];
      if (batch.num_rows() == 333) {  // odd batch size: batches and chunks do not line up
        DECANT_RETURN_IF_ERROR(w->Write(batch));
        batch.Clear();
      }
    }
    DECANT_RETURN_IF_ERROR(w->Write(batch));
    DECANT_RETURN_IF_ERROR(w->Close());
  }
  return sink->Commit();
}

Result<Content> ReadContent(Source* src) {
  Content c;
  DECANT_ASSIGN_OR_RETURN(c.schema, src->ReadSchema());
  RowBatch batch;
  for (const Table& t : c.schema.tables) {
    DECANT_ASSIGN_OR_RETURN(auto reader, src->OpenTable(t));
    Rows rows;
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) break;
      EXPECT_FALSE(batch.empty());
      for (size_t r = 0; r < batch.num_rows(); ++r) rows.emplace_back(batch.row(r), batch.row(r) + batch.num_columns());
    }
    c.tables.push_back(std::move(rows));
  }
  return c;
}

Status ReadEverything(const std::string& path, bool stream) {
  auto src = stream ? OpenArchiveStream(path) : OpenArchiveSource(path);
  if (!src.ok()) return src.status();
  auto c = ReadContent(src->get());
  return c.status();
}

void ExpectSameContent(const Content& a, const Content& b) {
  EXPECT_TRUE(a.schema == b.schema);
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (size_t t = 0; t < a.tables.size(); ++t) {
    ASSERT_EQ(a.tables[t].size(), b.tables[t].size()) << "table " << t;
    for (size_t r = 0; r < a.tables[t].size(); ++r) {
      ASSERT_EQ(a.tables[t][r].size(), b.tables[t][r].size());
      for (size_t i = 0; i < a.tables[t][r].size(); ++i) {
        ASSERT_TRUE(a.tables[t][r][i] == b.tables[t][r][i])
            << "table " << t << " row " << r << " col " << i << ": " << a.tables[t][r][i].DebugString().substr(0, 80)
            << " vs " << b.tables[t][r][i].DebugString().substr(0, 80);
      }
    }
  }
}

struct RecordSpan {
  uint64_t offset;
  uint8_t type;
  uint64_t size;  // frame + payload
};

// Walks a single-file archive's records.
std::vector<RecordSpan> Records(const std::string& bytes) {
  std::vector<RecordSpan> out;
  size_t off = kFileHeaderSize;
  while (off + kRecordHeaderSize <= bytes.size()) {
    RecordHeader h = DecodeRecordHeader(bytes.data() + off);
    out.push_back({off, h.type, kRecordHeaderSize + h.length});
    off += kRecordHeaderSize + h.length;
  }
  return out;
}

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir(); }
  void TearDown() override { (void)FileSystem::Default()->Remove(dir_); }
  std::string P(const std::string& name) const { return JoinPath(dir_, name); }
  std::string dir_;
};

// ---- Round trips --------------------------------------------------------------

TEST_F(ArchiveTest, SchemaJsonRoundTripsEveryField) {
  Schema s = FullSchema();
  std::string json = SchemaToJson(s);
  Schema back;
  ASSERT_TRUE(SchemaFromJson(json, &back).ok());
  EXPECT_TRUE(back == s);
  // Missing keys take defaults.
  ASSERT_TRUE(SchemaFromJson(R"({"tables":[{"name":"t","columns":[{"name":"c"}]}]})", &back).ok());
  ASSERT_EQ(back.tables.size(), 1u);
  EXPECT_TRUE(back.tables[0].columns[0].nullable);
  EXPECT_EQ(back.tables[0].columns[0].type.length, -1);
  EXPECT_EQ(back.tables[0].columns[0].type.logical, LogicalType::kAny);
}

// IndexKey.json_path (1.1, optional): written only when not empty, so a key
// without one is written as before; read back exactly; absent reads as none.
TEST_F(ArchiveTest, IndexKeyJsonPathIsWrittenOnlyWhenSet) {
  Schema s;
  s.engine = "rethinkdb";
  Index x;
  x.name = "by_city";
  x.table = "users";
  x.keys = {IndexKey{"id", "", false, std::nullopt}, IndexKey{"doc", "", false, std::nullopt, {"address", "city"}}};
  s.indexes = {x};
  std::string json = SchemaToJson(s);
  size_t at = json.find("\"json_path\"");
  EXPECT_LT(json.find("\"address\"", at), json.find("\"city\"", at)) << json;
  EXPECT_EQ(json.find("\"json_path\""), json.rfind("\"json_path\"")) << json;  // once: the second key only
  Schema back;
  ASSERT_TRUE(SchemaFromJson(json, &back).ok());
  EXPECT_TRUE(back == s);
  ASSERT_TRUE(SchemaFromJson(R"({"indexes":[{"name":"i","keys":[{"column":"doc"}]}]})", &back).ok());
  ASSERT_EQ(back.indexes.size(), 1u);
  EXPECT_TRUE(back.indexes[0].keys[0].json_path.empty());
  // Key without a path: no "json_path" at all (byte-for-byte the earlier form).
  s.indexes[0].keys.pop_back();
  EXPECT_EQ(SchemaToJson(s).find("json_path"), std::string::npos);
}

TEST_F(ArchiveTest, FileRoundTrip) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  EXPECT_FALSE(FileSystem::Default()->Exists(P("a.dca.partial")));
  auto src = OpenArchiveSource(P("a.dca"));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  auto back = ReadContent(src->get());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameContent(c, *back);
}

TEST_F(ArchiveTest, StreamRoundTrip) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  auto src = OpenArchiveStream(P("a.dca"));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  auto back = ReadContent(src->get());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameContent(c, *back);
}

TEST_F(ArchiveTest, DirectoryRoundTrip) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("d"), ArchiveForm::kDirectory, c).ok());
  EXPECT_TRUE(FileSystem::Default()->IsDirectory(P("d")));
  EXPECT_FALSE(FileSystem::Default()->Exists(P("d.partial")));
  auto src = OpenArchiveSource(P("d"));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  auto back = ReadContent(src->get());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameContent(c, *back);
}

// A table read in two slices: two writers of it at once, on two threads. Each
// takes the table's next chunk number for every chunk it cuts, so the chunks
// interleave, and every row is read back once, each writer's in its order.
TEST_F(ArchiveTest, DirectoryTakesSeveralWritersOfOneTableAtOnce) {
  Content c = SampleContent();
  const Table& artist = c.schema.tables[2];
  const size_t kRows = 8000;  // ~16 MB: several 4 MiB chunks per writer
  Rows rows = ManyArtistRows(kRows);
  ArchiveWriteOptions opt;
  opt.form = ArchiveForm::kDirectory;
  auto sink = OpenArchiveSink(P("d"), opt);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(c.schema, {}).ok());
  auto first = (*sink)->OpenTable(artist);
  auto second = (*sink)->OpenTable(artist);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto write = [&](TableWriter* w, size_t from, size_t to, Status* out) {
    RowBatch batch(2);
    for (size_t i = from; i < to; ++i) {
      Value* cells = batch.AppendRow();
      cells[0] = rows[i][0];
      cells[1] = rows[i][1];
      if (batch.num_rows() == 100 || i + 1 == to) {
        Status st = w->Write(batch);
        if (!st.ok()) {
          *out = st;
          return;
        }
        batch.Clear();
      }
    }
    *out = w->Close();
  };
  Status st1, st2;
  std::thread t1(write, first->get(), 0, kRows / 2, &st1);
  std::thread t2(write, second->get(), kRows / 2, kRows, &st2);
  t1.join();
  t2.join();
  ASSERT_TRUE(st1.ok()) << st1.ToString();
  ASSERT_TRUE(st2.ok()) << st2.ToString();
  first->reset();
  second->reset();
  ASSERT_TRUE((*sink)->Commit().ok());

  auto info = InspectArchive(P("d"), true);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->tables[2].rows, kRows);
  ASSERT_GE(info->tables[2].chunks.size(), 4u);
  uint64_t listed = 0;
  for (size_t k = 0; k < info->tables[2].chunks.size(); ++k) {
    listed += info->tables[2].chunks[k].rows;
    EXPECT_TRUE(FileSystem::Default()->Exists(P("d/" + ChunkFileName(2, static_cast<uint32_t>(k))))) << k;
  }
  EXPECT_EQ(listed, kRows);

  auto src = OpenArchiveSource(P("d"));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  auto back = ReadContent(src->get());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->tables[2].size(), kRows);
  std::vector<bool> seen(kRows, false);
  int64_t last[2] = {-1, -1};  // each writer's rows keep their order
  for (const auto& row : back->tables[2]) {
    int64_t id = row[0].as_int();
    ASSERT_GE(id, 0);
    ASSERT_LT(static_cast<size_t>(id), kRows);
    EXPECT_FALSE(seen[id]) << "row " << id << " read twice";
    seen[id] = true;
    EXPECT_TRUE(row[1] == rows[id][1]) << "row " << id;
    int64_t& prev = last[static_cast<size_t>(id) < kRows / 2 ? 0 : 1];
    EXPECT_GT(id, prev);
    prev = id;
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), static_cast<std::ptrdiff_t>(kRows));
}

// The single-file form is a stream: a table has one writer, once.
TEST_F(ArchiveTest, SingleFileSinkTakesOneWriterPerTable) {
  Content c = SampleContent();
  auto sink = OpenArchiveSink(P("a.dca"), {});
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(c.schema, {}).ok());
  {
    auto w = (*sink)->OpenTable(c.schema.tables[2]);
    ASSERT_TRUE(w.ok());
    auto again = (*sink)->OpenTable(c.schema.tables[2]);
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(again.status().message(), "table Artist was already written");
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto later = (*sink)->OpenTable(c.schema.tables[2]);
  EXPECT_EQ(later.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*sink)->Commit().ok());
}

TEST_F(ArchiveTest, InspectReportsManifest) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  for (bool check : {false, true}) {
    auto info = InspectArchive(P("a.dca"), check);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->form, "file");
    EXPECT_EQ(info->format_version, "1.3");
    EXPECT_EQ(info->source_engine, "postgresql");
    EXPECT_EQ(info->server_version, "16.2");
    EXPECT_EQ(info->database, "shop");
    EXPECT_EQ(info->created_at.size(), 20u);
    ASSERT_EQ(info->tables.size(), 3u);
    EXPECT_EQ(info->tables[0].name, "Album");
    EXPECT_EQ(info->tables[0].rows, c.tables[0].size());
    EXPECT_EQ(info->tables[1].rows, 0u);
    EXPECT_TRUE(info->tables[1].chunks.empty());
    EXPECT_EQ(info->tables[2].rows, 5000u);
    EXPECT_GE(info->tables[2].chunks.size(), 2u);
    EXPECT_EQ(info->total_bytes, read_file_bytes(P("a.dca")).size());
  }
  ASSERT_TRUE(WriteContent(P("d"), ArchiveForm::kDirectory, c).ok());
  auto info = InspectArchive(P("d"), true);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->form, "directory");
  EXPECT_EQ(info->tables[2].rows, 5000u);
}

TEST_F(ArchiveTest, StreamRequiresArchiveOrderButCanSkip) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  auto src = OpenArchiveStream(P("a.dca"));
  ASSERT_TRUE(src.ok());
  Schema s = (*src)->ReadSchema().value();
  // Skip Album and Empty entirely, read Artist.
  auto reader = (*src)->OpenTable(s.tables[2]);
  ASSERT_TRUE(reader.ok());
  RowBatch batch;
  size_t rows = 0;
  while (true) {
    auto more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    rows += batch.num_rows();
  }
  EXPECT_EQ(rows, 5000u);
  auto back = (*src)->OpenTable(s.tables[0]);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ArchiveTest, SingleFileSinkWantsSchemaOrder) {
  Content c = SampleContent();
  auto sink = OpenArchiveSink(P("a.dca"), {});
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(c.schema, {}).ok());
  {
    auto w = (*sink)->OpenTable(c.schema.tables[2]);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto w0 = (*sink)->OpenTable(c.schema.tables[0]);
  EXPECT_EQ(w0.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE((*sink)->Commit().ok());
}

// An existing output is refused unless `replace` (--force, issue 16): then a
// file, or an archive directory, is replaced; any other directory never is.
TEST_F(ArchiveTest, ReplacesAnExistingFileOrArchiveDirectoryOnlyWhenAsked) {
  Content c = SampleContent();
  c.tables[2].resize(3);
  write_file_bytes(P("a.dca"), "old");
  Status s = WriteContent(P("a.dca"), ArchiveForm::kFile, c);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(read_file_bytes(P("a.dca")), "old");
  ArchiveWriteOptions replace;
  replace.replace = true;
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c, FileSystem::Default(), replace).ok());
  EXPECT_TRUE(ReadEverything(P("a.dca"), false).ok());
  ASSERT_TRUE(FileSystem::Default()->CreateDir(P("d")).ok());
  s = WriteContent(P("d"), ArchiveForm::kDirectory, c);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  s = WriteContent(P("d"), ArchiveForm::kDirectory, c, FileSystem::Default(), replace);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);  // not an archive directory
  ASSERT_TRUE(WriteContent(P("e"), ArchiveForm::kDirectory, c).ok());
  ASSERT_TRUE(WriteContent(P("e"), ArchiveForm::kDirectory, c, FileSystem::Default(), replace).ok());
  EXPECT_TRUE(ReadEverything(P("e"), false).ok());
}

// ---- Refusals -----------------------------------------------------------------

// ---- Compression options and slices ---------------------------------------------

// The codec of every chunk record of a single-file archive.
std::vector<uint32_t> ChunkCodecs(const std::string& bytes) {
  std::vector<uint32_t> codecs;
  for (const RecordSpan& r : Records(bytes)) {
    if (r.type != static_cast<uint8_t>(RecordType::kChunk)) continue;
    codecs.push_back(DecodeChunkHeader(bytes.data() + r.offset + kRecordHeaderSize).codec);
  }
  return codecs;
}

TEST_F(ArchiveTest, CompressNoneRoundTripsInEveryForm) {
  Content c = SampleContent();
  ArchiveWriteOptions none;
  none.compression = ArchiveCompression::kNone;
  ASSERT_TRUE(WriteContent(P("n.dca"), ArchiveForm::kFile, c, FileSystem::Default(), none).ok());
  ASSERT_TRUE(WriteContent(P("n.dcd"), ArchiveForm::kDirectory, c, FileSystem::Default(), none).ok());
  std::vector<uint32_t> codecs = ChunkCodecs(read_file_bytes(P("n.dca")));
  ASSERT_GE(codecs.size(), 3u);
  for (uint32_t codec : codecs) EXPECT_EQ(codec, kCodecNone);
  for (const char* name : {"n.dca", "n.dcd"}) {
    SCOPED_TRACE(name);
    auto info = InspectArchive(P(name), true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->format_version, "1.3");
    for (const ArchiveTableInfo& t : info->tables) {
      for (const ArchiveChunkInfo& ch : t.chunks) EXPECT_EQ(ch.compressed_bytes, ch.uncompressed_bytes);
    }
    for (bool stream : {false, true}) {
      if (stream && std::string(name) == "n.dcd") continue;
      auto src = stream ? OpenArchiveStream(P(name)) : OpenArchiveSource(P(name));
      ASSERT_TRUE(src.ok()) << src.status().ToString();
      auto back = ReadContent(src->get());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameContent(c, *back);
    }
  }
  // The default is zstd, and compresses this content.
  ASSERT_TRUE(WriteContent(P("z.dca"), ArchiveForm::kFile, c).ok());
  for (uint32_t codec : ChunkCodecs(read_file_bytes(P("z.dca")))) EXPECT_EQ(codec, kCodecZstd);
  EXPECT_LT(read_file_bytes(P("z.dca")).size(), read_file_bytes(P("n.dca")).size() / 2);
}

TEST_F(ArchiveTest, ZstdLevelsRoundTrip) {
  Content c = SampleContent();
  for (int level : {1, 9, 19}) {
    SCOPED_TRACE(level);
    ArchiveWriteOptions o;
    o.zstd_level = level;
    o.compress_threads = level == 9 ? 1 : 3;
    std::string path = P("l" + std::to_string(level) + ".dca");
    ASSERT_TRUE(WriteContent(path, ArchiveForm::kFile, c, FileSystem::Default(), o).ok());
    auto src = OpenArchiveSource(path);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    auto back = ReadContent(src->get());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ExpectSameContent(c, *back);
  }
  EXPECT_LE(read_file_bytes(P("l19.dca")).size(), read_file_bytes(P("l1.dca")).size());
  for (int level : {0, 20}) {
    ArchiveWriteOptions o;
    o.zstd_level = level;
    auto sink = OpenArchiveSink(P("bad.dca"), o);
    ASSERT_TRUE(sink.ok());
    Status s = (*sink)->Begin(c.schema, SinkOptions{});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_EQ(s.message(), "zstd level " + std::to_string(level) + " is not in 1..19");
  }
}

// A damaged uncompressed chunk has no zstd frame checksum behind it: the
// record's XXH3 checksum catches it, in both readers and in inspect --check.
TEST_F(ArchiveTest, DamagedUncompressedChunkIsCaughtByItsChecksum) {
  Content c = SampleContent();
  ArchiveWriteOptions none;
  none.compression = ArchiveCompression::kNone;
  ASSERT_TRUE(WriteContent(P("n.dca"), ArchiveForm::kFile, c, FileSystem::Default(), none).ok());
  std::string bytes = read_file_bytes(P("n.dca"));
  std::vector<RecordSpan> chunks;
  for (const RecordSpan& r : Records(bytes)) {
    if (r.type == static_cast<uint8_t>(RecordType::kChunk)) chunks.push_back(r);
  }
  ASSERT_GE(chunks.size(), 3u);
  // Album has 1 chunk, Empty none: the 3rd chunk record is Artist's chunk 1.
  bytes[chunks[2].offset + kRecordHeaderSize + kChunkHeaderSize + 1000] ^= 0x04;
  write_file_bytes(P("bad.dca"), bytes);
  for (bool stream : {false, true}) {
    Status s = ReadEverything(P("bad.dca"), stream);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_EQ(s.message(), "checksum mismatch in table \"Artist\" chunk 1");
  }
  auto info = InspectArchive(P("bad.dca"), true);
  EXPECT_EQ(info.status().message(), "checksum mismatch in table \"Artist\" chunk 1");
}

// SplitTable over chunks: consecutive runs that cover every chunk once, read
// at once on several readers; a slice opens from its bounds alone.
TEST_F(ArchiveTest, ChunkSlicesCoverEveryChunkOnce) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  ASSERT_TRUE(WriteContent(P("d"), ArchiveForm::kDirectory, c).ok());
  for (const char* name : {"a.dca", "d"}) {
    SCOPED_TRACE(name);
    auto src = OpenArchiveSource(P(name));
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    EXPECT_GT((*src)->MaxParallelTables(), 1u);
    auto schema = (*src)->ReadSchema();
    ASSERT_TRUE(schema.ok());
    auto info = InspectArchive(P(name), false);
    ASSERT_TRUE(info.ok());
    for (size_t t = 0; t < schema->tables.size(); ++t) {
      const Table& table = schema->tables[t];
      size_t chunks = info->tables[t].chunks.size();
      for (size_t max : {1u, 2u, 3u, 100u}) {
        SCOPED_TRACE(table.name + " max " + std::to_string(max));
        auto slices = (*src)->SplitTable(table, (*src)->EstimateSize(table), max);
        ASSERT_TRUE(slices.ok()) << slices.status().ToString();
        size_t want = std::max<size_t>(1, std::min(max, chunks));
        ASSERT_EQ(slices->size(), want);
        // Open every slice first (readers at once), then read them in turn,
        // from a second source that knows the bounds only.
        auto other = OpenArchiveSource(P(name));
        ASSERT_TRUE(other.ok());
        std::vector<std::unique_ptr<TableReader>> readers;
        size_t next_chunk = 0;
        uint64_t estimated = 0;
        for (const TableSlice& s : *slices) {
          EXPECT_EQ(s.count, want);
          if (want > 1) {
            EXPECT_EQ(s.bounds.substr(0, s.bounds.rfind(':') + 1), "chunks:" + std::to_string(next_chunk) + ":");
            next_chunk = std::stoul(s.bounds.substr(s.bounds.rfind(':') + 1));
            estimated += s.estimate.rows.value_or(0);
          }
          TableSlice copy;
          copy.index = s.index;
          copy.count = s.count;
          copy.bounds = s.bounds;
          auto r = (*other)->OpenSlice(table, copy);
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          readers.push_back(std::move(r).value());
        }
        if (want > 1) {
          EXPECT_EQ(next_chunk, chunks);
          EXPECT_EQ(estimated, c.tables[t].size());
        }
        Rows rows;
        RowBatch batch;
        for (auto& r : readers) {
          while (true) {
            auto more = r->Next(&batch);
            ASSERT_TRUE(more.ok()) << more.status().ToString();
            if (!*more) break;
            for (size_t i = 0; i < batch.num_rows(); ++i) {
              rows.emplace_back(batch.row(i), batch.row(i) + batch.num_columns());
            }
          }
        }
        ASSERT_EQ(rows.size(), c.tables[t].size());
        for (size_t i = 0; i < rows.size(); ++i) ASSERT_TRUE(rows[i] == c.tables[t][i]) << "row " << i;
      }
    }
    TableSlice bad;
    bad.count = 2;
    for (const char* bounds : {"chunks:1:1", "chunks:0:99", "rowid:1:2", "chunks:0:1x"}) {
      bad.bounds = bounds;
      EXPECT_EQ((*src)->OpenSlice(schema->tables[2], bad).status().code(), StatusCode::kInvalidArgument) << bounds;
    }
  }
  // A stream cannot be split: one slice.
  auto stream = OpenArchiveStream(P("a.dca"));
  ASSERT_TRUE(stream.ok());
  auto schema = (*stream)->ReadSchema();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((*stream)->MaxParallelTables(), 1u);
  auto slices = (*stream)->SplitTable(schema->tables[2], {}, 4);
  ASSERT_TRUE(slices.ok());
  EXPECT_EQ(slices->size(), 1u);
}

class DamageTest : public ArchiveTest {
 protected:
  void SetUp() override {
    ArchiveTest::SetUp();
    content_ = SampleContent();
    ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, content_).ok());
    bytes_ = read_file_bytes(P("a.dca"));
    records_ = Records(bytes_);
  }
  // Status of reading `data` both ways; both must fail the same way.
  std::pair<Status, Status> Read(const std::string& data) {
    write_file_bytes(P("bad.dca"), data);
    return {ReadEverything(P("bad.dca"), false), ReadEverything(P("bad.dca"), true)};
  }
  Content content_;
  std::string bytes_;
  std::vector<RecordSpan> records_;
};

TEST_F(DamageTest, LayoutIsHeaderSchemaChunksManifestEnd) {
  ASSERT_GE(records_.size(), 5u);
  EXPECT_EQ(records_.front().type, static_cast<uint8_t>(RecordType::kSchema));
  EXPECT_EQ(records_[records_.size() - 2].type, static_cast<uint8_t>(RecordType::kManifest));
  EXPECT_EQ(records_.back().type, static_cast<uint8_t>(RecordType::kEnd));
  EXPECT_EQ(records_.back().offset + records_.back().size, bytes_.size());
}

TEST_F(DamageTest, NewerMajorVersionIsRefused) {
  std::string data = bytes_;
  PutU16(data.data() + 8, 2);
  PutU16(data.data() + 10, 0);
  auto [a, b] = Read(data);
  for (const Status& s : {a, b}) {
    EXPECT_EQ(s.code(), StatusCode::kUnsupportedVersion);
    EXPECT_EQ(s.message(), "archive format version 2.0 is newer than this decant reads (1.x); use a newer decant");
  }
}

TEST_F(DamageTest, BitFlipInChunkNamesTableAndChunk) {
  // The 3rd chunk record of the file belongs to Artist (Album has 1 chunk, Empty none).
  std::vector<RecordSpan> chunks;
  for (const auto& r : records_) {
    if (r.type == static_cast<uint8_t>(RecordType::kChunk)) chunks.push_back(r);
  }
  ASSERT_GE(chunks.size(), 3u);
  std::string data = bytes_;
  data[chunks[2].offset + chunks[2].size / 2] ^= 0x10;
  auto [a, b] = Read(data);
  for (const Status& s : {a, b}) {
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_EQ(s.message(), "checksum mismatch in table \"Artist\" chunk 1");
  }
  auto info = InspectArchive(P("bad.dca"), false);
  EXPECT_TRUE(info.ok());  // structure only
  info = InspectArchive(P("bad.dca"), true);
  EXPECT_EQ(info.status().message(), "checksum mismatch in table \"Artist\" chunk 1");
}

TEST_F(DamageTest, BitFlipsAnywhereAreDetected) {
  // Every 997th byte, each record's first bytes, and the header.
  std::vector<size_t> positions;
  for (size_t i = 0; i < bytes_.size(); i += 997) positions.push_back(i);
  for (const auto& r : records_) {
    for (size_t k = 0; k < 24 && r.offset + k < bytes_.size(); ++k) positions.push_back(r.offset + k);
  }
  for (size_t k = 0; k < kFileHeaderSize; ++k) positions.push_back(k);
  for (size_t pos : positions) {
    std::string data = bytes_;
    data[pos] ^= 0x04;
    auto [a, b] = Read(data);
    EXPECT_FALSE(a.ok()) << "flip at " << pos;
    EXPECT_FALSE(b.ok()) << "flip at " << pos;
  }
}

TEST_F(DamageTest, TruncationIsAlwaysAnError) {
  std::vector<size_t> cuts = {0, 1, 7, 8, 9, kFileHeaderSize - 1, kFileHeaderSize, kFileHeaderSize + 1};
  for (const auto& r : records_) {
    for (size_t d :
         {r.offset - 1, r.offset, r.offset + 1, r.offset + 15, r.offset + 16, r.offset + 17, r.offset + r.size - 1}) {
      cuts.push_back(d);
    }
  }
  for (size_t i = 1; i < 200; ++i) cuts.push_back(bytes_.size() * i / 200);
  cuts.push_back(bytes_.size() - 1);
  for (size_t cut : cuts) {
    if (cut >= bytes_.size()) continue;
    auto [a, b] = Read(bytes_.substr(0, cut));
    EXPECT_EQ(a.code(), StatusCode::kCorruption) << "cut at " << cut << ": " << a.ToString();
    EXPECT_EQ(b.code(), StatusCode::kCorruption) << "cut at " << cut << ": " << b.ToString();
    if (cut >= kFileHeaderSize) {
      EXPECT_THAT(a.message(), HasSubstr("truncated")) << cut;
      EXPECT_THAT(b.message(), HasSubstr("truncated")) << cut;
    }
  }
}

TEST_F(DamageTest, NotAnArchive) {
  auto [a, b] = Read("");
  EXPECT_EQ(a.code(), StatusCode::kCorruption);
  EXPECT_THAT(a.message(), HasSubstr("not a decant archive"));
  EXPECT_THAT(b.message(), HasSubstr("not a decant archive"));
  std::tie(a, b) =
      Read(std::string("PGDMP\x01\x0e\x00 some pg_dump custom file header and more bytes to pad it out", 69));
  EXPECT_THAT(a.message(), HasSubstr("not a decant archive"));
  EXPECT_THAT(b.message(), HasSubstr("not a decant archive"));
  std::string data = bytes_;
  data[1] = 'X';
  std::tie(a, b) = Read(data);
  EXPECT_THAT(a.message(), HasSubstr("not a decant archive"));
}

TEST_F(DamageTest, SwappedAndDuplicatedChunksAreDetected) {
  std::vector<RecordSpan> chunks;
  for (const auto& r : records_) {
    if (r.type == static_cast<uint8_t>(RecordType::kChunk)) chunks.push_back(r);
  }
  ASSERT_GE(chunks.size(), 3u);
  const RecordSpan& x = chunks[1];
  const RecordSpan& y = chunks[2];
  std::string swapped = bytes_.substr(0, x.offset) + bytes_.substr(y.offset, y.size) + bytes_.substr(x.offset, x.size) +
                        bytes_.substr(y.offset + y.size);
  auto [a, b] = Read(swapped);
  EXPECT_EQ(a.code(), StatusCode::kCorruption) << a.ToString();
  EXPECT_EQ(b.code(), StatusCode::kCorruption) << b.ToString();
  std::string duplicated = bytes_.substr(0, y.offset) + bytes_.substr(x.offset, x.size) + bytes_.substr(y.offset);
  std::tie(a, b) = Read(duplicated);
  EXPECT_EQ(a.code(), StatusCode::kCorruption) << a.ToString();
  EXPECT_EQ(b.code(), StatusCode::kCorruption) << b.ToString();
  EXPECT_THAT(b.message(), HasSubstr("expected"));
}

TEST_F(DamageTest, ChunkSplicedFromAnotherArchiveIsDetected) {
  ASSERT_TRUE(WriteContent(P("other.dca"), ArchiveForm::kFile, content_).ok());
  std::string other = read_file_bytes(P("other.dca"));
  auto other_records = Records(other);
  // Same content, so the chunk records have the same sizes and differ only by UUID.
  size_t i = 2;
  ASSERT_EQ(records_[i].size, other_records[i].size);
  std::string data = bytes_;
  data.replace(records_[i].offset, records_[i].size, other.substr(other_records[i].offset, other_records[i].size));
  auto [a, b] = Read(data);
  EXPECT_EQ(a.code(), StatusCode::kCorruption) << a.ToString();
  EXPECT_EQ(b.code(), StatusCode::kCorruption) << b.ToString();
}

TEST_F(ArchiveTest, DirectoryRefusals) {
  Content c = SampleContent();
  c.tables[2].resize(100);
  ASSERT_TRUE(WriteContent(P("d"), ArchiveForm::kDirectory, c).ok());
  std::string manifest = read_file_bytes(P("d/manifest.json"));

  ASSERT_TRUE(FileSystem::Default()->Rename(P("d/manifest.json"), P("m.json")).ok());
  Status s = ReadEverything(P("d"), false);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("incomplete: no manifest.json (writing did not finish?)"));

  // What the parser refuses, behind a checksum that matches (as a writer of
  // damaged JSON, or a newer major version, would make it).
  auto write_manifest = [&](const std::string& text) {
    write_file_bytes(P("d/manifest.json"), text);
    write_file_bytes(P(std::string("d/") + kManifestChecksumFile), ManifestChecksumFileContent(text));
  };
  write_manifest("{\"format\": \"decant-archive\", \"tables\": [");
  s = ReadEverything(P("d"), false);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), ::testing::StartsWith("malformed manifest: "));

  std::string bad = manifest;
  bad.replace(bad.find("\"rows\": 100"), 11, "\"rows\": -5");
  write_manifest(bad);
  s = ReadEverything(P("d"), false);
  EXPECT_THAT(s.message(), ::testing::StartsWith("malformed manifest: "));

  bad = manifest;
  bad.replace(bad.find("\"1.3\""), 5, "\"2.0\"");
  write_manifest(bad);
  s = ReadEverything(P("d"), false);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedVersion);
  EXPECT_EQ(s.message(), "archive format version 2.0 is newer than this decant reads (1.x); use a newer decant");
  // A newer major version is refused before its checksum file is missed.
  ASSERT_TRUE(FileSystem::Default()->Remove(P(std::string("d/") + kManifestChecksumFile)).ok());
  EXPECT_EQ(ReadEverything(P("d"), false).code(), StatusCode::kUnsupportedVersion);

  // A bit flip in a chunk file names the table and chunk.
  write_manifest(manifest);
  ASSERT_TRUE(ReadEverything(P("d"), false).ok());
  std::string chunk_path = P("d/" + ChunkFileName(2, 0));
  std::string chunk = read_file_bytes(chunk_path);
  chunk[chunk.size() - 3] ^= 1;
  write_file_bytes(chunk_path, chunk);
  s = ReadEverything(P("d"), false);
  EXPECT_EQ(s.message(), "checksum mismatch in table \"Artist\" chunk 0");
  chunk[chunk.size() - 3] ^= 1;
  write_file_bytes(chunk_path, chunk);

  // Swapping chunk files between tables is detected.
  std::string album0 = read_file_bytes(P("d/" + ChunkFileName(0, 0)));
  write_file_bytes(P("d/" + ChunkFileName(0, 0)), chunk);
  write_file_bytes(chunk_path, album0);
  s = ReadEverything(P("d"), false);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
}

// ---- Partial writes ---------------------------------------------------------

TEST_F(ArchiveTest, NothingAtTheFinalNameWithoutCommit) {
  Content c = SampleContent();
  for (ArchiveForm form : {ArchiveForm::kFile, ArchiveForm::kDirectory}) {
    for (bool explicit_abort : {false, true}) {
      std::string path = P(form == ArchiveForm::kFile ? "p.dca" : "pdir");
      {
        ArchiveWriteOptions opt;
        opt.form = form;
        auto sink = OpenArchiveSink(path, opt);
        ASSERT_TRUE(sink.ok());
        ASSERT_TRUE((*sink)->Begin(c.schema, {}).ok());
        auto w = (*sink)->OpenTable(c.schema.tables[0]);
        ASSERT_TRUE(w.ok());
        RowBatch batch(2);
        Value* cells = batch.AppendRow();
        cells[0] = Value::Int(1);
        cells[1] = Value::Text("x");
        ASSERT_TRUE((*w)->Write(batch).ok());
        ASSERT_TRUE((*w)->Close().ok());
        EXPECT_TRUE(FileSystem::Default()->Exists(path + ".partial"));
        if (explicit_abort) (*sink)->Abort();
      }
      EXPECT_FALSE(FileSystem::Default()->Exists(path));
      EXPECT_FALSE(FileSystem::Default()->Exists(path + ".partial"));
    }
  }
}

TEST_F(ArchiveTest, UnclosedWriterFailsCommit) {
  Content c = SampleContent();
  auto sink = OpenArchiveSink(P("u.dca"), {});
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(c.schema, {}).ok());
  { auto w = (*sink)->OpenTable(c.schema.tables[0]); }
  EXPECT_EQ((*sink)->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(FileSystem::Default()->Exists(P("u.dca")));
}

TEST_F(DamageTest, ChunkInflatingBeyondItsDeclaredSizeIsRefused) {
  // Re-declare the first chunk's decoded size and re-checksum it, as an attacker could.
  const RecordSpan& r = records_[1];
  ASSERT_EQ(r.type, static_cast<uint8_t>(RecordType::kChunk));
  std::string data = bytes_;
  char* frame = data.data() + r.offset;
  char* payload = frame + kRecordHeaderSize;
  for (uint64_t declared : {uint64_t{10}, uint64_t{1} << 29, kMaxChunkBytes + 1}) {
    PutU64(payload + 40, declared);
    PutU64(frame + 8, RecordChecksum(frame, {payload, r.size - kRecordHeaderSize}));
    write_file_bytes(P("bad.dca"), data);
    Status s = ReadEverything(P("bad.dca"), true);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("table \"public.Album\" chunk 0"));
    EXPECT_FALSE(ReadEverything(P("bad.dca"), false).ok());
  }
}

// A FileSystem whose writes, syncs or renames fail on demand.
class FaultyFileSystem final : public FileSystemWrapper {
 public:
  int fail_append_at = -1;  // fail the Nth Append (0-based), -1 never
  bool fail_sync = false;
  bool fail_rename = false;
  int appends = 0;

  class File final : public WritableFile {
   public:
    File(FaultyFileSystem* fs, std::unique_ptr<WritableFile> base) : fs_(fs), base_(std::move(base)) {}
    Status Append(std::string_view d) override {
      if (fs_->appends++ == fs_->fail_append_at) return Status::NoSpace("no space left on device");
      return base_->Append(d);
    }
    Status Sync() override { return fs_->fail_sync ? Status::IOError("fsync failed") : base_->Sync(); }
    Status Close() override { return base_->Close(); }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<WritableFile> base_;
  };

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    DECANT_ASSIGN_OR_RETURN(auto f, base()->NewWritableFile(path));
    return std::unique_ptr<WritableFile>(new File(this, std::move(f)));
  }
  Status Rename(const std::string& a, const std::string& b) override {
    return fail_rename ? Status::IOError("rename failed") : base()->Rename(a, b);
  }
};

TEST_F(ArchiveTest, WriteFaultsLeaveNothingAtTheFinalName) {
  Content c = SampleContent();
  for (ArchiveForm form : {ArchiveForm::kFile, ArchiveForm::kDirectory}) {
    std::string path = P(form == ArchiveForm::kFile ? "f.dca" : "fdir");
    FaultyFileSystem counting;
    ASSERT_TRUE(WriteContent(path, form, c, &counting).ok());
    ASSERT_TRUE(FileSystem::Default()->Remove(path).ok());
    ASSERT_GE(counting.appends, 5);
    for (int n = 0; n < counting.appends; ++n) {
      FaultyFileSystem fs;
      fs.fail_append_at = n;
      Status s = WriteContent(path, form, c, &fs);
      EXPECT_EQ(s.code(), StatusCode::kNoSpace) << "append " << n << ": " << s.ToString();
      EXPECT_FALSE(FileSystem::Default()->Exists(path));
      EXPECT_FALSE(FileSystem::Default()->Exists(path + ".partial"));
    }
    for (int which = 0; which < 2; ++which) {
      FaultyFileSystem fs;
      (which == 0 ? fs.fail_sync : fs.fail_rename) = true;
      Status s = WriteContent(path, form, c, &fs);
      EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
      EXPECT_FALSE(FileSystem::Default()->Exists(path));
      EXPECT_FALSE(FileSystem::Default()->Exists(path + ".partial"));
    }
  }
}

// ---- Real pipes ---------------------------------------------------------------

// Runs `fn` with file descriptor `target` (0 or 1) replaced by one end of a pipe
// whose other end `peer` is served on a thread.
template <typename Peer, typename Fn>
void WithPipeOn(int target, Peer peer, Fn fn) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int mine = target == 0 ? fds[0] : fds[1];
  int theirs = target == 0 ? fds[1] : fds[0];
  fflush(stdout);
  int saved = dup(target);
  ASSERT_GE(saved, 0);
  ASSERT_GE(dup2(mine, target), 0);
  close(mine);
  std::thread t([&] {
    peer(theirs);
    close(theirs);
  });
  fn();
  dup2(saved, target);  // closes our end of the pipe so the peer sees EOF
  close(saved);
  t.join();
}

TEST_F(ArchiveTest, StdoutToStdinThroughRealPipes) {
  Content c = SampleContent();
  std::string piped;
  WithPipeOn(
      1,
      [&](int fd) {
        char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) piped.append(buf, static_cast<size_t>(n));
      },
      [&] { ASSERT_TRUE(WriteContent("-", ArchiveForm::kFile, c).ok()); });
  ASSERT_GT(piped.size(), kFileHeaderSize);
  Result<Content> back = Status::Internal("not read");
  WithPipeOn(
      0,
      [&](int fd) {
        size_t off = 0;
        while (off < piped.size()) {
          ssize_t n = write(fd, piped.data() + off, piped.size() - off);
          if (n <= 0) break;
          off += static_cast<size_t>(n);
        }
      },
      [&] {
        auto src = OpenArchiveSource("-");
        ASSERT_TRUE(src.ok()) << src.status().ToString();
        back = ReadContent(src->get());
      });
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameContent(c, *back);
}

// Writes `data` to `path` (a FIFO) on a thread while `read` runs. If `read`
// never opened the FIFO, a non-blocking open releases the writer.
template <typename Fn>
void ServeFifo(const std::string& path, const std::string& data, Fn read) {
  signal(SIGPIPE, SIG_IGN);  // a reader that stops early must not kill the test
  std::thread writer([&] {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = write(fd, data.data() + off, data.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fd);
  });
  read();
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  writer.join();
  if (fd >= 0) close(fd);
}

TEST_F(ArchiveTest, FifoIsReadAsAStream) {
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  std::string bytes = read_file_bytes(P("a.dca"));
  std::string fifo = P("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ServeFifo(fifo, bytes, [&] {
    auto src = OpenArchiveSource(fifo);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    auto back = ReadContent(src->get());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ExpectSameContent(c, *back);
    Status fin = (*src)->Finish();
    EXPECT_TRUE(fin.ok()) << fin.ToString();
  });
  ServeFifo(fifo, bytes, [&] {
    auto info = InspectArchive(fifo, true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->tables[2].rows, 5000u);
    EXPECT_EQ(info->total_bytes, bytes.size());
  });
  // A damaged archive through a FIFO: the damage, not "it is empty".
  std::string damaged = bytes;
  damaged[8] ^= 0x01;
  ServeFifo(fifo, damaged, [&] {
    auto src = OpenArchiveSource(fifo);
    ASSERT_FALSE(src.ok());
    EXPECT_EQ(src.status().code(), StatusCode::kCorruption);
    EXPECT_THAT(src.status().message(), ::testing::Not(HasSubstr("empty")));
  });
}

TEST_F(ArchiveTest, ProcessSubstitutionPathIsReadAsAStream) {
  // What `decant import <(decant export ... -o -) ...` passes: /dev/fd/N, a pipe.
  Content c = SampleContent();
  ASSERT_TRUE(WriteContent(P("a.dca"), ArchiveForm::kFile, c).ok());
  std::string bytes = read_file_bytes(P("a.dca"));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = write(fds[1], bytes.data() + off, bytes.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fds[1]);
  });
  {
    auto src = OpenArchiveSource("/dev/fd/" + std::to_string(fds[0]));
    if (src.ok()) {
      auto back = ReadContent(src->get());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameContent(c, *back);
    } else {
      ADD_FAILURE() << src.status().ToString();
    }
  }
  close(fds[0]);  // unblocks the writer if the reader stopped early
  writer.join();
}

TEST_F(DamageTest, StreamBlamesTheDamagedTableNotTheOneBeforeIt) {
  // Chunks: Album 0, then Artist 0.. (Empty has none). Damage Artist chunk 0,
  // which the stream reader reaches while looking for the end of Album.
  std::vector<RecordSpan> chunks;
  for (const auto& r : records_) {
    if (r.type == static_cast<uint8_t>(RecordType::kChunk)) chunks.push_back(r);
  }
  ASSERT_GE(chunks.size(), 2u);
  std::string data = bytes_;
  data[chunks[1].offset + chunks[1].size - 3] ^= 0x20;
  write_file_bytes(P("bad.dca"), data);

  auto src = OpenArchiveStream(P("bad.dca"));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  Schema schema = (*src)->ReadSchema().value();
  RowBatch batch;
  auto read_all = [&](const Table& t, size_t* rows) -> Status {
    DECANT_ASSIGN_OR_RETURN(auto reader, (*src)->OpenTable(t));
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) return Status::OK();
      *rows += batch.num_rows();
    }
  };
  size_t rows = 0;
  Status s = read_all(schema.tables[0], &rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(rows, content_.tables[0].size());
  rows = 0;
  s = read_all(schema.tables[1], &rows);  // Empty: no chunks, nothing wrong with it
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(rows, 0u);
  rows = 0;
  s = read_all(schema.tables[2], &rows);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_EQ(s.message(), "checksum mismatch in table \"Artist\" chunk 0");
  EXPECT_EQ(rows, 0u);
  // And it stays an error to the end.
  s = (*src)->Finish();
  EXPECT_EQ(s.message(), "checksum mismatch in table \"Artist\" chunk 0");

  // A caller that never opens Artist still gets the error from Finish().
  auto skip = OpenArchiveStream(P("bad.dca"));
  ASSERT_TRUE(skip.ok());
  rows = 0;
  src = std::move(skip);
  EXPECT_TRUE(read_all(schema.tables[0], &rows).ok());
  EXPECT_EQ(rows, content_.tables[0].size());
  s = (*src)->Finish();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "checksum mismatch in table \"Artist\" chunk 0");

  // inspect --check on a stream names Artist too.
  auto info = InspectArchive(P("bad.dca"), true);
  EXPECT_EQ(info.status().message(), "checksum mismatch in table \"Artist\" chunk 0");
}

// ---- Golden archives (tests/data/compat/README.md) ------------------------------

// The folder holding the golden archives of format MAJOR.MINOR: "v1" for 1.0,
// "v1.1" for 1.1, "v2" for 2.0.
std::string GoldenDir(unsigned major, unsigned minor) {
  std::string name = "v" + std::to_string(major);
  if (minor != 0) name += "." + std::to_string(minor);
  return std::string(DECANT_SOURCE_DIR) + "/tests/data/compat/" + name;
}
std::string GoldenDir() { return GoldenDir(1, 0); }

// The exact content of tests/data/compat/v1/sample.dca and sample.dcd. Frozen:
// never change it, add a new golden archive instead.
Content GoldenContent() {
  Content c;
  c.schema.engine = "sqlite";
  c.schema.server_version = "3.40.1";
  c.schema.database = "golden.db";
  c.schema.options = {{"user_version", "7"}};
  Table t;
  t.name = "kinds";
  t.columns = {Col("id", LogicalType::kInt64), Col("v", LogicalType::kAny)};
  t.columns[0].nullable = false;
  t.primary_key = KeyConstraint{"", {"id"}};
  t.native_ddl = "CREATE TABLE kinds (id INTEGER PRIMARY KEY, v)";
  Table t2;
  t2.name = "empty";
  t2.columns = {Col("x", LogicalType::kText)};
  t2.native_ddl = "CREATE TABLE empty (x TEXT)";
  Table t3;
  t3.name = "names\xff";  // not valid UTF-8
  t3.columns = {Col("n", LogicalType::kText), Col("twice", LogicalType::kInt64)};
  t3.columns[1].generated_expr = "length(n) * 2";
  t3.native_ddl = "CREATE TABLE \"names\xff\" (n TEXT, twice AS (length(n) * 2))";
  c.schema.tables = {t, t2, t3};
  Index ix;
  ix.name = "kinds_v";
  ix.table = "kinds";
  ix.keys = {IndexKey{"v", "", true, std::nullopt}};
  ix.native_ddl = "CREATE INDEX kinds_v ON kinds (v DESC)";
  c.schema.indexes = {ix};
  Rows kinds;
  std::vector<Value> values = {Value::Null(),
                               Value::Bool(false),
                               Value::Bool(true),
                               Value::Int(std::numeric_limits<int64_t>::min()),
                               Value::Int(-1),
                               Value::Int(300),
                               Value::UInt(std::numeric_limits<uint64_t>::max()),
                               Value::Float(-0.0),
                               Value::Float(Bits(0x7ff8000000000001ull)),
                               Value::Float(-std::numeric_limits<double>::infinity()),
                               Value::Float(0.1),
                               Value::Text(""),
                               Value::Text("caf\xc3\xa9"),
                               Value::Text(std::string("nul\0inside", 10)),
                               Value::Text("\xc3\x28"),
                               Value::Bytes(""),
                               Value::Bytes(std::string("\x00\xff\x10", 3))};
  for (size_t i = 0; i < values.size(); ++i) kinds.push_back({Value::Int(static_cast<int64_t>(i)), values[i]});
  c.tables = {kinds, {}, {{Value::Text("a")}, {Value::Text("\xff\xfe")}}};
  return c;
}

// The exact content of tests/data/compat/v1.1/sample.dca and sample.dcd: what
// format 1.1 added, native objects in both phases (Schema.objects) and identity
// columns of both kinds (Column.identity). Frozen: never change it, add a new
// golden archive instead.
Content GoldenContentV11() {
  Content c;
  c.schema.engine = "postgresql";
  c.schema.server_version = "15.4";
  c.schema.database = "golden";
  c.schema.options = {{"encoding", "UTF8"}};
  Table orders;
  orders.schema = "public";
  orders.name = "orders";
  orders.columns = {Col("id", LogicalType::kInt64), Col("mood", LogicalType::kNative),
                    Col("twice", LogicalType::kInt32)};
  orders.columns[0].nullable = false;
  orders.columns[0].native_type = "bigint";
  orders.columns[0].auto_increment = true;
  orders.columns[0].identity = "ALWAYS";
  orders.columns[1].native_type = "public.mood";
  orders.columns[2].native_type = "integer";
  orders.primary_key = KeyConstraint{"orders_pkey", {"id"}};
  Table items;
  items.schema = "public";
  items.name = "items";
  items.columns = {Col("id", LogicalType::kInt32), Col("order_id", LogicalType::kInt64),
                   Col("qty", LogicalType::kInt32)};
  items.columns[0].nullable = false;
  items.columns[0].native_type = "integer";
  items.columns[0].auto_increment = true;
  items.columns[0].identity = "BY DEFAULT";
  items.columns[1].native_type = "bigint";
  items.columns[2].native_type = "integer";
  items.primary_key = KeyConstraint{"items_pkey", {"id"}};
  ForeignKey fk;
  fk.name = "items_order_id_fkey";
  fk.columns = {"order_id"};
  fk.ref_schema = "public";
  fk.ref_table = "orders";
  fk.ref_columns = {"id"};
  items.foreign_keys = {fk};
  c.schema.tables = {orders, items};
  c.schema.objects = {
      NativeObject{"type", "public", "mood", "", "pre-data", "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy')"},
      NativeObject{
          "function", "public", "double_it(integer)", "", "pre-data",
          "CREATE FUNCTION public.double_it(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT x * 2$$"},
      NativeObject{"constraint", "public", "items_qty_positive", "items", "post-data",
                   "ALTER TABLE public.items ADD CONSTRAINT items_qty_positive CHECK (qty > 0) NOT VALID"},
      NativeObject{"comment", "public", "orders", "orders", "post-data", "COMMENT ON TABLE public.orders IS 'golden'"},
  };
  c.tables = {{{Value::Int(1), Value::Text("happy"), Value::Int(2)},
               {Value::Int(2), Value::Null(), Value::Int(4)},
               {Value::Int(3), Value::Text("sad"), Value::Null()}},
              {{Value::Int(1), Value::Int(1), Value::Int(5)}, {Value::Int(2), Value::Int(3), Value::Int(1)}}};
  return c;
}

// The exact content of tests/data/compat/v1.2/sample.dca and sample.dcd: what
// format 1.2 added, chunks of codec 0 (none). GoldenWriteOptions writes them
// uncompressed. Frozen: never change it, add a new golden archive instead.
Content GoldenContentV12() {
  Content c;
  c.schema.engine = "sqlite";
  c.schema.server_version = "3.40.1";
  c.schema.database = "golden12.db";
  Table t;
  t.name = "plain";
  t.columns = {Col("id", LogicalType::kInt64), Col("note", LogicalType::kText), Col("data", LogicalType::kBytes)};
  t.columns[0].native_type = "INTEGER";
  t.columns[1].native_type = "TEXT";
  t.columns[2].native_type = "BLOB";
  t.primary_key = KeyConstraint{"", {"id"}};
  c.schema.tables = {t};
  c.tables = {{{Value::Int(1), Value::Text("stored as it is"), Value::Bytes(std::string("\0\x01\xff", 3))},
               {Value::Int(-7), Value::Null(), Value::Bytes("")},
               {Value::Int(3), Value::Text("caf\xc3\xa9 \xe2\x82\xac"), Value::Null()}}};
  return c;
}

// The exact content of tests/data/compat/v1.3/sample.dca and sample.dcd: what
// format 1.3 added is around the content (the directory form's
// manifest.json.xxh3; both signed with the key whose public half is
// tests/data/compat/golden-ed25519.pub.pem), so the content is small.
// Frozen: never change it, add a new golden archive instead.
Content GoldenContentV13() {
  Content c;
  c.schema.engine = "sqlite";
  c.schema.server_version = "3.40.1";
  c.schema.database = "golden13.db";
  Table t;
  t.name = "signed";
  t.columns = {Col("id", LogicalType::kInt64), Col("note", LogicalType::kText)};
  t.columns[0].native_type = "INTEGER";
  t.columns[1].native_type = "TEXT";
  t.primary_key = KeyConstraint{"", {"id"}};
  c.schema.tables = {t};
  c.tables = {{{Value::Int(1), Value::Text("kept as a backup")}, {Value::Int(2), Value::Null()}}};
  return c;
}

std::string GoldenPublicKey() { return std::string(DECANT_SOURCE_DIR) + "/tests/data/compat/golden-ed25519.pub.pem"; }

// The golden content of format MAJOR.MINOR, or nullptr for a version that has
// none (a new version must add its content here when it is released).
using GoldenContentFn = Content (*)();
GoldenContentFn GoldenContentOf(unsigned major, unsigned minor) {
  if (major == 1 && minor == 0) return GoldenContent;
  if (major == 1 && minor == 1) return GoldenContentV11;
  if (major == 1 && minor == 2) return GoldenContentV12;
  if (major == 1 && minor == 3) return GoldenContentV13;
  return nullptr;
}

// How the golden archives of MAJOR.MINOR are written: 1.2's in codec 0 (none);
// 1.3's signed with the private key DECANT_GOLDEN_SIGNING_KEY names (kept out
// of the repository; its public key is tests/data/compat/golden-ed25519.pub.pem).
Result<ArchiveWriteOptions> GoldenWriteOptions(unsigned major, unsigned minor) {
  ArchiveWriteOptions o;
  if (major == 1 && minor == 2) o.compression = ArchiveCompression::kNone;
  if (major == 1 && minor == 3) {
    const char* key = getenv("DECANT_GOLDEN_SIGNING_KEY");
    if (key == nullptr) return Status::InvalidArgument("set DECANT_GOLDEN_SIGNING_KEY to the golden private key");
    DECANT_ASSIGN_OR_RETURN(o.sign, ArchiveKey::Load(key, true));
  }
  return o;
}

// Writes the golden archives of the CURRENT format version (format.h) into its
// own folder; run by hand when a format version is released:
//   DECANT_WRITE_GOLDEN=1 archive_test --gtest_filter='GoldenTest.WriteGolden'
// It never touches another version's folder, and refuses to rewrite a folder
// whose archives were written by an older version.
TEST(GoldenTest, WriteGolden) {
  if (getenv("DECANT_WRITE_GOLDEN") == nullptr) GTEST_SKIP() << "set DECANT_WRITE_GOLDEN=1 to rewrite";
  GoldenContentFn content = GoldenContentOf(kArchiveFormatMajor, kArchiveFormatMinor);
  ASSERT_NE(content, nullptr) << "add the golden content of format " << kArchiveFormatMajor << "."
                              << kArchiveFormatMinor << " to GoldenContentOf()";
  const std::string dir = GoldenDir(kArchiveFormatMajor, kArchiveFormatMinor);
  const std::string current = std::to_string(kArchiveFormatMajor) + "." + std::to_string(kArchiveFormatMinor);
  FileSystem* fs = FileSystem::Default();
  if (fs->Exists(dir)) {
    auto names = fs->ListDir(dir);
    ASSERT_TRUE(names.ok()) << names.status().ToString();
    for (const std::string& name : *names) {
      auto info = InspectArchive(JoinPath(dir, name), false);
      ASSERT_TRUE(info.ok()) << dir << "/" << name
                             << " is not a golden archive this writer may replace: " << info.status().ToString();
      ASSERT_EQ(info->format_version, current)
          << dir << "/" << name << " holds format " << info->format_version << ", not " << current
          << ": golden archives of a released version are never rewritten";
    }
  }
  ASSERT_TRUE(fs->CreateDir(dir).ok());
  (void)fs->Remove(dir + "/sample.dcd");
  auto o = GoldenWriteOptions(kArchiveFormatMajor, kArchiveFormatMinor);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_TRUE(WriteContent(dir + "/sample.dca", ArchiveForm::kFile, content(), fs, *o).ok());
  ASSERT_TRUE(WriteContent(dir + "/sample.dcd", ArchiveForm::kDirectory, content(), fs, *o).ok());
}

TEST(GoldenTest, ReadsFormat1_0) {
  for (const char* name : {"sample.dca", "sample.dcd"}) {
    std::string path = GoldenDir() + "/" + name;
    SCOPED_TRACE(path);
    auto info = InspectArchive(path, true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->format_version, "1.0");
    EXPECT_EQ(info->decant_version, "0.1.0");
    EXPECT_EQ(info->source_engine, "sqlite");
    EXPECT_EQ(info->server_version, "3.40.1");
    EXPECT_EQ(info->database, "golden.db");
    ASSERT_EQ(info->tables.size(), 3u);
    EXPECT_EQ(info->tables[0].rows, 17u);
    EXPECT_EQ(info->tables[1].rows, 0u);
    EXPECT_EQ(info->tables[2].name, "names\xff");
    EXPECT_EQ(info->tables[2].rows, 2u);
    for (bool stream : {false, true}) {
      if (stream && std::string(name) == "sample.dcd") continue;
      auto src = stream ? OpenArchiveStream(path) : OpenArchiveSource(path);
      ASSERT_TRUE(src.ok()) << src.status().ToString();
      auto back = ReadContent(src->get());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameContent(GoldenContent(), *back);
    }
  }
}

TEST(GoldenTest, ReadsFormat1_1) {
  for (const char* name : {"sample.dca", "sample.dcd"}) {
    std::string path = GoldenDir(1, 1) + "/" + name;
    SCOPED_TRACE(path);
    auto info = InspectArchive(path, true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->format_version, "1.1");
    EXPECT_EQ(info->decant_version, "0.2.0");
    EXPECT_EQ(info->source_engine, "postgresql");
    EXPECT_EQ(info->database, "golden");
    ASSERT_EQ(info->tables.size(), 2u);
    EXPECT_EQ(info->tables[0].rows, 3u);
    EXPECT_EQ(info->tables[1].rows, 2u);
    for (bool stream : {false, true}) {
      if (stream && std::string(name) == "sample.dcd") continue;
      auto src = stream ? OpenArchiveStream(path) : OpenArchiveSource(path);
      ASSERT_TRUE(src.ok()) << src.status().ToString();
      auto back = ReadContent(src->get());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameContent(GoldenContentV11(), *back);
      // What 1.1 added, spelled out.
      const Schema& schema = back->schema;
      ASSERT_EQ(schema.tables.size(), 2u);
      EXPECT_EQ(schema.tables[0].columns[0].identity, "ALWAYS");
      EXPECT_EQ(schema.tables[0].columns[1].identity, "");
      EXPECT_EQ(schema.tables[1].columns[0].identity, "BY DEFAULT");
      ASSERT_EQ(schema.objects.size(), 4u);
      EXPECT_EQ(schema.objects[0].kind, "type");
      EXPECT_EQ(schema.objects[0].phase, "pre-data");
      EXPECT_EQ(schema.objects[1].phase, "pre-data");
      EXPECT_EQ(schema.objects[2].kind, "constraint");
      EXPECT_EQ(schema.objects[2].table, "items");
      EXPECT_EQ(schema.objects[2].phase, "post-data");
      EXPECT_EQ(schema.objects[3].phase, "post-data");
    }
  }
  // The single-file header carries the version too (bytes 8..11, little-endian).
  std::string bytes = read_file_bytes(GoldenDir(1, 1) + "/sample.dca");
  ASSERT_GE(bytes.size(), kFileHeaderSize);
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x01\x00\x01\x00", 4));
  EXPECT_EQ(read_file_bytes(GoldenDir(1, 0) + "/sample.dca").substr(8, 4), std::string("\x01\x00\x00\x00", 4));
}

TEST(GoldenTest, ReadsFormat1_2) {
  for (const char* name : {"sample.dca", "sample.dcd"}) {
    std::string path = GoldenDir(1, 2) + "/" + name;
    SCOPED_TRACE(path);
    auto info = InspectArchive(path, true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->format_version, "1.2");
    EXPECT_EQ(info->source_engine, "sqlite");
    EXPECT_EQ(info->database, "golden12.db");
    ASSERT_EQ(info->tables.size(), 1u);
    EXPECT_EQ(info->tables[0].rows, 3u);
    ASSERT_EQ(info->tables[0].chunks.size(), 1u);
    // What 1.2 added: an uncompressed chunk (codec 0).
    EXPECT_EQ(info->tables[0].chunks[0].compressed_bytes, info->tables[0].chunks[0].uncompressed_bytes);
    for (bool stream : {false, true}) {
      if (stream && std::string(name) == "sample.dcd") continue;
      auto src = stream ? OpenArchiveStream(path) : OpenArchiveSource(path);
      ASSERT_TRUE(src.ok()) << src.status().ToString();
      auto back = ReadContent(src->get());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameContent(GoldenContentV12(), *back);
    }
  }
  std::string bytes = read_file_bytes(GoldenDir(1, 2) + "/sample.dca");
  ASSERT_GE(bytes.size(), kFileHeaderSize);
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x01\x00\x02\x00", 4));
  std::vector<uint32_t> codecs = ChunkCodecs(bytes);
  EXPECT_EQ(codecs, std::vector<uint32_t>{kCodecNone});
}

TEST(GoldenTest, ReadsFormat1_3) {
  auto key = ArchiveKey::Load(GoldenPublicKey(), false);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  for (const char* name : {"sample.dca", "sample.dcd"}) {
    std::string path = GoldenDir(1, 3) + "/" + name;
    SCOPED_TRACE(path);
    auto info = InspectArchive(path, true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->format_version, "1.3");
    EXPECT_EQ(info->database, "golden13.db");
    ASSERT_EQ(info->tables.size(), 1u);
    EXPECT_EQ(info->tables[0].rows, 2u);
    // What 1.3 added: the signature, and the directory form's manifest checksum.
    EXPECT_EQ(info->signed_by, (*key)->key_id());
    Status verified = VerifyArchiveSignature(path, **key);
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    for (bool stream : {false, true}) {
      if (stream && std::string(name) == "sample.dcd") continue;
      auto src = stream ? OpenArchiveStream(path) : OpenArchiveSource(path);
      ASSERT_TRUE(src.ok()) << src.status().ToString();
      auto back = ReadContent(src->get());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameContent(GoldenContentV13(), *back);
    }
  }
  std::string manifest = read_file_bytes(GoldenDir(1, 3) + "/sample.dcd/manifest.json");
  EXPECT_EQ(read_file_bytes(GoldenDir(1, 3) + "/sample.dcd/manifest.json.xxh3"), ChecksumHex(Xxh3(manifest)) + "\n");
  EXPECT_EQ(read_file_bytes(GoldenDir(1, 3) + "/sample.dca").substr(8, 4), std::string("\x01\x00\x03\x00", 4));
  // Older directory archives had no manifest.json.xxh3, and still read (above).
  EXPECT_FALSE(FileSystem::Default()->Exists(GoldenDir(1, 2) + "/sample.dcd/manifest.json.xxh3"));
}

// Every released format version has its golden archives, and the current one is among them.
TEST(GoldenTest, EveryVersionUpToTheCurrentHasGoldenArchives) {
  for (unsigned minor = 0; minor <= kArchiveFormatMinor; ++minor) {
    SCOPED_TRACE(minor);
    EXPECT_NE(GoldenContentOf(kArchiveFormatMajor, minor), nullptr);
    EXPECT_TRUE(FileSystem::Default()->IsRegularFile(GoldenDir(kArchiveFormatMajor, minor) + "/sample.dca"));
    EXPECT_TRUE(FileSystem::Default()->IsDirectory(GoldenDir(kArchiveFormatMajor, minor) + "/sample.dcd"));
  }
}

// ---- The chunk decoder ----------------------------------------------------------

// A chunk payload with codec 0 (the rows as they are) and the given header fields.
std::string RawChunk(uint64_t rows, uint32_t columns, std::string_view body) {
  ChunkHeader h;
  h.rows = rows;
  h.columns = columns;
  h.codec = kCodecNone;
  h.uncompressed_bytes = body.size();
  std::string payload(kChunkHeaderSize, '\0');
  EncodeChunkHeader(h, payload.data());
  payload.append(body);
  return payload;
}

// Found by fuzz/chunk_fuzzer (fuzz/regressions/chunk/zero-columns-billion-rows):
// a chunk of no columns that declared a billion rows and held a few bytes was
// decoded row by empty row, a billion of them, before its leftover bytes were
// noticed. A row of no columns is no bytes, so such a chunk is refused at once.
TEST(ChunkDecoderTest, ZeroColumnChunkHoldingBytesIsRefusedBeforeAnyRow) {
  ChunkExpectation expect;
  expect.label = "table \"t\" chunk 0";
  ChunkDecoder decoder;
  Status s = decoder.Load(RawChunk(1040187395, 0, "abc"), expect);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "corrupt chunk: bytes left after the last row in table \"t\" chunk 0");
  EXPECT_EQ(decoder.rows_left(), 0u);
}

TEST(ChunkDecoderTest, ZeroColumnChunkOfManyRowsDecodes) {
  ChunkExpectation expect;
  ChunkDecoder decoder;
  ASSERT_TRUE(decoder.Load(RawChunk(1000, 0, ""), expect).ok());
  size_t rows = 0, payload = 0;
  while (decoder.rows_left() > 0) {
    ASSERT_TRUE(decoder.DecodeRow(nullptr, &payload).ok());
    ++rows;
  }
  EXPECT_EQ(rows, 1000u);
}

}  // namespace
}  // namespace decant
