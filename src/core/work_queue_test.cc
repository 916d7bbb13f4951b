#include "core/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace decant {
namespace {

using namespace std::chrono_literals;

// Waits (up to 10 s, so a broken queue fails instead of hanging) until `pred`.
template <typename Pred>
bool WaitFor(std::mutex& mu, std::condition_variable& cv, Pred pred) {
  std::unique_lock lock(mu);
  return cv.wait_for(lock, 10s, pred);
}

TEST(LargestFirst, KnownSizesDescendingThenUnknownInListOrder) {
  EXPECT_EQ(LargestFirst({5, 0, 9, 5, 1, 0}), (std::vector<size_t>{2, 0, 3, 4, 1, 5}));
  EXPECT_EQ(LargestFirst({0, 0, 0}), (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(LargestFirst({}).empty());
}

TEST(WorkQueue, EveryUnitRunsOnceOnRealThreads) {
  constexpr size_t kUnits = 200, kWorkers = 4;
  std::vector<std::atomic<int>> runs(kUnits);
  std::mutex mu;
  std::condition_variable cv;
  size_t running = 0;
  bool all_met = false;
  std::vector<std::set<std::thread::id>> threads_of(kWorkers);
  Status st = RunWorkQueue(kUnits, kWorkers, [&](size_t worker, size_t unit) {
    ++runs[unit];
    std::unique_lock lock(mu);
    threads_of[worker].insert(std::this_thread::get_id());
    if (unit < kWorkers) {
      // The first units meet: all workers run at once, on threads of their own.
      ++running;
      cv.notify_all();
      if (!cv.wait_for(lock, 10s, [&] { return running == kWorkers; })) return Status::Internal("workers never met");
      all_met = true;
    }
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(all_met);
  for (size_t u = 0; u < kUnits; ++u) EXPECT_EQ(runs[u], 1) << "unit " << u;
  std::set<std::thread::id> all;
  for (size_t w = 0; w < kWorkers; ++w) {
    ASSERT_EQ(threads_of[w].size(), 1u) << "worker " << w << " ran on several threads";
    all.insert(*threads_of[w].begin());
  }
  EXPECT_EQ(all.size(), kWorkers);
  EXPECT_EQ(*threads_of[0].begin(), std::this_thread::get_id()) << "worker 0 is the calling thread";
}

TEST(WorkQueue, NothingToDoAndMoreWorkersThanUnits) {
  EXPECT_TRUE(RunWorkQueue(0, 4, [](size_t, size_t) { return Status::Internal("never"); }).ok());
  std::atomic<size_t> max_worker{0};
  std::atomic<int> calls{0};
  Status st = RunWorkQueue(2, 16, [&](size_t worker, size_t) {
    ++calls;
    size_t seen = max_worker.load();
    while (worker > seen && !max_worker.compare_exchange_weak(seen, worker)) {
    }
    return Status::OK();
  });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(calls, 2);
  EXPECT_LT(max_worker, 2u);  // workers capped at the number of units
  EXPECT_TRUE(RunWorkQueue(1, 0, [](size_t, size_t) { return Status::OK(); }).ok());  // 0 workers counts as 1
}

TEST(WorkQueue, HandsOutInIndexOrderOrLargestFirst) {
  std::vector<size_t> seen;
  auto record = [&](size_t, size_t unit) {
    seen.push_back(unit);  // one worker: no lock needed
    return Status::OK();
  };
  ASSERT_TRUE(RunWorkQueue(4, 1, record).ok());
  EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3}));
  seen.clear();
  ASSERT_TRUE(RunWorkQueue(5, 1, record, {10, 0, 300, 20, 20}).ok());
  EXPECT_EQ(seen, (std::vector<size_t>{2, 3, 4, 0, 1}));
  Status st = RunWorkQueue(3, 1, record, {1, 2});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST(WorkQueue, OneWorkerStopsAtTheFailingUnit) {
  std::vector<size_t> seen;
  Status st = RunWorkQueue(10, 1, [&](size_t, size_t unit) {
    seen.push_back(unit);
    return unit == 3 ? Status::IOError("unit 3 failed") : Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_EQ(st.message(), "unit 3 failed");
  EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3}));
}

// Three workers: unit 0 fails while units 1 and 2 are running. They finish
// (after the error was returned), and no further unit starts.
TEST(WorkQueue, NoUnitStartsAfterAnError) {
  std::mutex mu;
  std::condition_variable cv;
  std::set<size_t> started;
  bool failed = false;
  std::atomic<int> finished_after_error{0};
  Status st = RunWorkQueue(50, 3, [&](size_t, size_t unit) {
    std::unique_lock lock(mu);
    started.insert(unit);
    cv.notify_all();
    if (unit == 0) {
      if (!cv.wait_for(lock, 10s, [&] { return started.count(1) && started.count(2); })) {
        return Status::Internal("units 1 and 2 never started");
      }
      failed = true;
      cv.notify_all();
      return Status::Corruption("unit 0 failed");
    }
    if (!cv.wait_for(lock, 10s, [&] { return failed; })) return Status::Internal("unit 0 never failed");
    lock.unlock();
    std::this_thread::sleep_for(100ms);  // long after unit 0's error reached the queue
    ++finished_after_error;
    return Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_EQ(st.message(), "unit 0 failed");
  EXPECT_EQ(started, (std::set<size_t>{0, 1, 2}));
  EXPECT_EQ(finished_after_error, 2);  // running units finish
}

// The error returned is the first to happen, not the first in unit order.
TEST(WorkQueue, ReturnsTheFirstErrorInTime) {
  std::mutex mu;
  std::condition_variable cv;
  bool second_failed = false;
  Status st = RunWorkQueue(2, 2, [&](size_t, size_t unit) {
    if (unit == 1) {
      std::lock_guard lock(mu);
      second_failed = true;
      cv.notify_all();
      return Status::NotFound("unit 1 failed first");
    }
    if (!WaitFor(mu, cv, [&] { return second_failed; })) return Status::Internal("unit 1 never ran");
    std::this_thread::sleep_for(100ms);
    return Status::Corruption("unit 0 failed later");
  });
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "unit 1 failed first");
}

}  // namespace
}  // namespace decant
