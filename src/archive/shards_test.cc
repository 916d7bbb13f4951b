#include "archive/shards.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "archive/archive.h"
#include "archive/format.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;

Column Col(const std::string& name, LogicalType t) {
  Column c;
  c.name = name;
  c.type.logical = t;
  return c;
}

Schema TwoTables() {
  Schema s;
  s.engine = "postgresql";
  s.server_version = "15.8";
  s.database = "shd";
  Table a;
  a.schema = "public";
  a.name = "a";
  a.columns = {Col("id", LogicalType::kInt64), Col("name", LogicalType::kText)};
  Table b = a;
  b.name = "b";
  s.tables = {a, b};
  return s;
}

// Plan: table a in two slices and b whole, for two shards: shard 0 does
// units 0 (a 0/2) and 2 (b), shard 1 unit 1 (a 1/2).
ShardPlan TwoShardPlan() {
  ShardPlan p;
  p.snapshot = "00000003-0000001B-1";
  p.shards = 2;
  p.units.push_back({0, "public.a", TableSlice{0, 2, "\x01\x02", "pages 0-9", {}}});
  p.units.push_back({0, "public.a", TableSlice{1, 2, std::string("\0\xff", 2), "pages 10-", {}}});
  p.units.push_back({1, "public.b", TableSlice{}});
  return p;
}

class ShardsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.File("out.d");
    plan_ = TwoShardPlan();
    ASSERT_TRUE(BeginShardedArchive(dir_, schema_, &plan_).ok());
  }

  // Writes `ids` of `table` in one writer per entry of `writers` (each a
  // chunk of its own) as shard `index`, and commits.
  Status WriteShard(size_t index, const std::vector<std::pair<size_t, std::vector<int64_t>>>& writers) {
    ArchiveWriteOptions wo;
    wo.form = ArchiveForm::kDirectory;
    wo.shard_index = index;
    wo.shard_count = 2;
    wo.shard_units = plan_.UnitsOf(index);
    DECANT_ASSIGN_OR_RETURN(auto sink, OpenArchiveSink(dir_, wo));
    DECANT_RETURN_IF_ERROR(sink->Begin(schema_, SinkOptions{}));
    for (const auto& [table, ids] : writers) {
      DECANT_ASSIGN_OR_RETURN(auto w, sink->OpenTable(schema_.tables[table]));
      RowBatch batch(2);
      for (int64_t id : ids) {
        Value* row = batch.AppendRow();
        row[0] = Value::Int(id);
        row[1] = Value::Text("row " + std::to_string(id));
      }
      DECANT_RETURN_IF_ERROR(w->Write(batch));
      DECANT_RETURN_IF_ERROR(w->Close());
    }
    return sink->Commit();
  }

  void WriteBoth() {
    ASSERT_TRUE(WriteShard(0, {{0, {1, 2, 3}}, {0, {4, 5}}, {1, {100}}}).ok());
    ASSERT_TRUE(WriteShard(1, {{0, {6, 7}}}).ok());
  }

  static std::vector<int64_t> ReadIds(const std::string& path, size_t table) {
    std::vector<int64_t> ids;
    auto src = OpenArchiveSource(path);
    EXPECT_TRUE(src.ok()) << src.status().message();
    if (!src.ok()) return ids;
    auto schema = (*src)->ReadSchema();
    EXPECT_TRUE(schema.ok());
    auto reader = (*src)->OpenTable(schema->tables[table]);
    EXPECT_TRUE(reader.ok()) << reader.status().message();
    RowBatch batch;
    for (;;) {
      auto more = (*reader)->Next(&batch);
      EXPECT_TRUE(more.ok()) << more.status().message();
      if (!more.ok() || !*more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) ids.push_back(batch.row(r)[0].as_int());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  testing_util::TempDir tmp_;
  std::string dir_;
  Schema schema_ = TwoTables();
  ShardPlan plan_;
};

TEST_F(ShardsTest, PlanRoundTripsWithOpaqueBounds) {
  auto read = ReadShardPlan(dir_);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->snapshot, plan_.snapshot);
  EXPECT_EQ(read->uuid, plan_.uuid);
  EXPECT_EQ(read->schema_checksum, plan_.schema_checksum);
  ASSERT_EQ(read->units.size(), 3u);
  EXPECT_EQ(read->units[1].slice.bounds, std::string("\0\xff", 2));
  EXPECT_EQ(read->units[1].slice.count, 2u);
  EXPECT_EQ(read->units[2].name, "public.b");
  EXPECT_EQ(read->UnitsOf(0), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(read->UnitsOf(1), (std::vector<size_t>{1}));
}

TEST_F(ShardsTest, JoinMakesAnOrdinaryDirectoryArchive) {
  WriteBoth();
  ASSERT_TRUE(JoinShards(dir_).ok());
  EXPECT_FALSE(FileSystem::Default()->Exists(PartialPath(dir_)));
  EXPECT_FALSE(FileSystem::Default()->Exists(JoinPath(dir_, "shards")));
  auto info = InspectArchive(dir_, /*check=*/true);
  ASSERT_TRUE(info.ok()) << info.status().message();
  ASSERT_EQ(info->tables.size(), 2u);
  // Shard 0's two chunks keep 0 and 1; shard 1's chunk 0 becomes chunk 2
  // (its header and checksum rewritten).
  EXPECT_EQ(info->tables[0].chunks.size(), 3u);
  EXPECT_EQ(info->tables[0].rows, 7u);
  EXPECT_EQ(info->tables[1].rows, 1u);
  EXPECT_EQ(ReadIds(dir_, 0), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(ReadIds(dir_, 1), (std::vector<int64_t>{100}));
}

TEST_F(ShardsTest, MissingPartIsRefusedAndLeavesThePartial) {
  ASSERT_TRUE(WriteShard(0, {{0, {1}}}).ok());
  Status st = JoinShards(dir_);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("shard 1/2 has not finished"));
  EXPECT_TRUE(FileSystem::Default()->Exists(ShardPlanPath(dir_)));
  EXPECT_FALSE(FileSystem::Default()->Exists(dir_));
}

TEST_F(ShardsTest, PartOfAnotherPlanIsRefused) {
  WriteBoth();
  std::string part = ShardPartPath(dir_, 1);
  std::string text = testing_util::ReadFile(part);
  size_t at = text.find(plan_.snapshot);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, plan_.snapshot.size(), "00000003-0000001C-1");
  testing_util::WriteFile(part, text);
  Status st = JoinShards(dir_);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("belongs to another plan"));
}

TEST_F(ShardsTest, DamagedChunkIsCorruptionAndNothingMoves) {
  WriteBoth();
  auto parts = FileSystem::Default()->ListDir(ShardsDir(dir_));
  ASSERT_TRUE(parts.ok());
  std::string chunk;
  for (const std::string& name : *parts) {
    if (name.starts_with("run-1-") && !name.ends_with(".json")) {
      chunk = JoinPath(JoinPath(ShardsDir(dir_), name), "data/t000000-c00000000.chunk");
    }
  }
  ASSERT_FALSE(chunk.empty());
  std::string bytes = testing_util::ReadFile(chunk);
  bytes[bytes.size() - 3] ^= 0x40;
  testing_util::WriteFile(chunk, bytes);
  Status st = JoinShards(dir_);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_THAT(st.message(), HasSubstr("checksum mismatch"));
  auto data = FileSystem::Default()->ListDir(JoinPath(PartialPath(dir_), "data"));
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->empty());
}

TEST_F(ShardsTest, ADoneShardIsNotWrittenAgain) {
  WriteBoth();
  Status st = WriteShard(0, {{0, {1}}});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("done already"));
  ASSERT_TRUE(JoinShards(dir_).ok());
  EXPECT_EQ(ReadIds(dir_, 0), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(ShardsTest, AnotherSchemaIsRefused) {
  schema_.tables[1].name = "c";
  Status st = WriteShard(0, {{0, {1}}});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("table public.c read differs from table public.b"));
}

TEST_F(ShardsTest, AnotherColumnTypeIsRefusedOtherObjectsMayDiffer) {
  Sequence q;
  q.schema = "public";
  q.name = "a_id_seq";
  schema_.sequences.push_back(q);  // read outside the snapshot: may differ
  ASSERT_TRUE(WriteShard(1, {{0, {6}}}).ok());
  schema_.tables[0].columns[1].type.logical = LogicalType::kBytes;
  Status st = WriteShard(0, {{0, {1}}});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("table public.a read differs"));
}

TEST_F(ShardsTest, AbortRemovesOnlyTheRunsOwnDirectory) {
  ArchiveWriteOptions wo;
  wo.form = ArchiveForm::kDirectory;
  wo.shard_index = 1;
  wo.shard_count = 2;
  auto sink = OpenArchiveSink(dir_, wo);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Begin(schema_, SinkOptions{}).ok());
  (*sink)->Abort();
  sink->reset();
  EXPECT_TRUE(FileSystem::Default()->Exists(ShardPlanPath(dir_)));
  auto left = FileSystem::Default()->ListDir(ShardsDir(dir_));
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, std::vector<std::string>{"plan.json"});
}

TEST_F(ShardsTest, ASecondCoordinatorIsRefused) {
  ShardPlan again = TwoShardPlan();
  Status st = BeginShardedArchive(dir_, schema_, &again);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("exists"));
}

}  // namespace
}  // namespace decant
