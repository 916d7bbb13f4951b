#include "core/pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace decant {
namespace {

using namespace std::chrono_literals;

struct Conn {
  int id;
};

TEST(Pool, HandsOutAddedObjectsThenOpensUpToMax) {
  Pool<Conn> pool(2);
  pool.Add(std::make_unique<Conn>(Conn{1}));
  int opened = 0;
  auto open = [&]() -> Result<std::unique_ptr<Conn>> { return std::make_unique<Conn>(Conn{10 + ++opened}); };
  auto a = pool.Take(open);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->id, 1);
  auto b = pool.Take(open);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->id, 11);
  EXPECT_EQ(pool.size(), 2u);
  auto none = pool.TryTake(open);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  pool.GiveBack(*a);
  auto again = pool.TryTake(open);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *a);  // reused, not opened
  EXPECT_EQ(opened, 1);
}

TEST(Pool, FailedOpenFreesItsPlace) {
  Pool<Conn> pool(1);
  auto fail = []() -> Result<std::unique_ptr<Conn>> { return Status::Unavailable("refused"); };
  auto r = pool.Take(fail);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(pool.size(), 0u);
  auto ok = pool.Take([]() -> Result<std::unique_ptr<Conn>> { return std::make_unique<Conn>(Conn{7}); });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->id, 7);
}

TEST(Pool, TakeWaitsForGiveBack) {
  Pool<Conn> pool;
  pool.Add(std::make_unique<Conn>(Conn{1}));
  Conn* first = pool.Take().value();
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto r = pool.Take();  // no opener: waits
    got = r.ok() && *r == first;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(got);
  pool.GiveBack(first);
  t.join();
  EXPECT_TRUE(got);
  pool.Clear();
  EXPECT_EQ(pool.size(), 0u);
}

TEST(Pool, ManyThreadsNeverShareAnObject) {
  Pool<Conn> pool(3);
  std::atomic<int> ids{0};
  auto open = [&]() -> Result<std::unique_ptr<Conn>> { return std::make_unique<Conn>(Conn{++ids}); };
  std::atomic<int> in_use[4] = {};
  std::atomic<bool> shared{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Conn* c = pool.Take(open).value();
        if (in_use[c->id]++ != 0) shared = true;
        in_use[c->id]--;
        pool.GiveBack(c);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(shared);
  EXPECT_LE(pool.size(), 3u);
}

}  // namespace
}  // namespace decant
