#include "engine/api/api_work_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include <gtest/gtest.h>

#include "tests/support/wait.hpp"

namespace hookline {
namespace {

using namespace std::chrono_literals;
using Clock = ApiWorkPool::Clock;

// Holds the jobs that wait on it until opened (or 20 s, so a failing test still ends).
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    waiting_ += 1;
    changed_.notify_all();
    changed_.wait_for(lock, 20s, [this] { return open_; });
  }
  bool waitForWaiters(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return waiting_ >= count; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

// The pools' Redis links connect only when used; these jobs never use them.
class ApiWorkPoolTest : public ::testing::Test {
 protected:
  ApiWorkPool::Job blocked(Clock::time_point deadline = Clock::time_point::max()) {
    return {.run =
                [this](ApiWorkerContext&) {
                  gate_.wait();
                  ran_ += 1;
                },
            .deadline = deadline};
  }

  Gate gate_;
  std::atomic<int> ran_{0};
};

TEST_F(ApiWorkPoolTest, RefusesWorkBeyondItsThreadsAndQueue) {
  auto pool = std::make_unique<ApiWorkPool>("test", 2, 1, RedisOptions{}, "t:");
  ASSERT_TRUE(pool->submit(blocked()));
  ASSERT_TRUE(gate_.waitForWaiters(1));
  ASSERT_TRUE(pool->submit(blocked()));
  ASSERT_TRUE(gate_.waitForWaiters(2));
  EXPECT_TRUE(pool->submit(blocked()));   // queued
  EXPECT_FALSE(pool->submit(blocked()));  // no room
  EXPECT_EQ(pool->refused(), 1u);

  gate_.open();
  EXPECT_TRUE(testing::waitUntil([&] { return ran_ == 3; }, 10s));
  pool->join();
}

TEST_F(ApiWorkPoolTest, DropsQueuedWorkWhoseDeadlinePassed) {
  auto pool = std::make_unique<ApiWorkPool>("test", 1, 4, RedisOptions{}, "t:");
  ASSERT_TRUE(pool->submit(blocked()));
  ASSERT_TRUE(gate_.waitForWaiters(1));
  ASSERT_TRUE(pool->submit(blocked(Clock::now())));

  gate_.open();
  EXPECT_TRUE(testing::waitUntil([&] { return pool->expired() == 1; }, 10s));
  pool->join();
  EXPECT_EQ(ran_, 1);
}

TEST_F(ApiWorkPoolTest, StopDropsQueuedWorkAndRefusesMore) {
  auto pool = std::make_unique<ApiWorkPool>("test", 1, 4, RedisOptions{}, "t:");
  auto dropped = std::make_shared<int>(0);
  ASSERT_TRUE(pool->submit(blocked()));
  ASSERT_TRUE(gate_.waitForWaiters(1));
  ASSERT_TRUE(pool->submit({.run = [dropped](ApiWorkerContext&) { *dropped += 1; }}));
  EXPECT_EQ(dropped.use_count(), 2);

  pool->stop();
  EXPECT_EQ(dropped.use_count(), 1) << "the queued job was destroyed unrun";
  EXPECT_FALSE(pool->submit(blocked()));
  gate_.open();
  pool->join();
  EXPECT_EQ(ran_, 1);
  EXPECT_EQ(*dropped, 0);
}

}  // namespace
}  // namespace hookline
