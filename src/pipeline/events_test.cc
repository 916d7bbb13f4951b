// EventLog: one whole JSON line per event, from any thread; progress when
// due; a failed write stops the log; locations redacted.
#include "pipeline/events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace decant {
namespace {

using Json = nlohmann::json;

// Keeps each Append as one string; fails every Append from `fail_at` on.
class MemoryFile final : public WritableFile {
 public:
  MemoryFile(std::vector<std::string>* appends, size_t fail_at) : appends_(appends), fail_at_(fail_at) {}
  Status Append(std::string_view data) override {
    if (appends_->size() >= fail_at_) return Status::NoSpace("no space left on device");
    appends_->emplace_back(data);
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }

 private:
  std::vector<std::string>* appends_;
  size_t fail_at_;
};

std::vector<Json> Parse(const std::vector<std::string>& appends) {
  std::vector<Json> out;
  for (const std::string& a : appends) {
    EXPECT_EQ(a.find('\n'), a.size() - 1) << "one line per write: " << a;
    out.push_back(Json::parse(a));
    EXPECT_EQ(out.back()["v"], EventLog::kVersion);
  }
  return out;
}

TEST(EventLog, ProgressWhenRowsOrSecondsAreDue) {
  std::vector<std::string> appends;
  EventLog::Options options;
  options.progress_seconds = 1e9;
  options.progress_rows = 10;
  EventLog log(std::make_unique<MemoryFile>(&appends, SIZE_MAX), options);
  log.TableStarted("s.t");
  for (int i = 0; i < 6; ++i) log.TableAdvanced("s.t", 4, 100);  // reports at 12 and 24 rows
  log.TableFinished("s.t", true, 24, 600);
  std::vector<Json> events = Parse(appends);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["event"], "table_started");
  EXPECT_EQ(events[1]["event"], "table_progress");
  EXPECT_EQ(events[1]["rows"], 12);
  EXPECT_EQ(events[1]["bytes"], 300);
  EXPECT_EQ(events[2]["rows"], 24);
  EXPECT_EQ(events[3]["event"], "table_finished");
  EXPECT_EQ(events[3]["ok"], true);
  EXPECT_EQ(events[3]["rows"], 24);
  EXPECT_FALSE(log.ended());
  log.RunFinished(0);
  EXPECT_TRUE(log.ended());
}

TEST(EventLog, LinesFromManyThreadsStayWhole) {
  std::vector<std::string> appends;
  EventLog log(std::make_unique<MemoryFile>(&appends, SIZE_MAX), {});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 500; ++i) log.Warning("thread " + std::to_string(t) + " says \"hi\"\n");
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Parse(appends).size(), 2000u);
}

TEST(EventLog, AFailedWriteStopsTheLogAndIsKept) {
  std::vector<std::string> appends;
  EventLog log(std::make_unique<MemoryFile>(&appends, 1), {});
  log.Warning("one");
  log.Warning("two");
  log.Error(Status::Unavailable("gone"), 6);
  EXPECT_EQ(appends.size(), 1u);
  EXPECT_EQ(log.status().code(), StatusCode::kNoSpace);
  EXPECT_NE(log.status().message().find("--json-log"), std::string::npos);
}

TEST(EventLog, ArgumentsAreRedactedAndErrorsCategorised) {
  std::vector<std::string> appends;
  EventLog log(std::make_unique<MemoryFile>(&appends, SIZE_MAX), {});
  log.RunStarted("migrate", {"postgresql://u:hunter2@h/db", "host=h password=hunter2 dbname=d", "--clean"});
  log.Error(Status::DataLoss("a value"), 8);
  std::vector<Json> events = Parse(appends);
  ASSERT_EQ(events.size(), 2u);
  for (const std::string& a : appends) EXPECT_EQ(a.find("hunter2"), std::string::npos) << a;
  EXPECT_EQ(events[0]["arguments"][2], "--clean");
  EXPECT_EQ(events[1]["category"], "data_loss");
  EXPECT_EQ(events[1]["exit_code"], 8);
  EXPECT_TRUE(log.ended());
}

}  // namespace
}  // namespace decant
