#include "tools/loadtest_retries.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "engine/retry_store.hpp"
#include "tests/support/test_redis.hpp"

namespace hookline::testing {
namespace {

TEST(LoadtestRetriesTest, FillsTheStoreWithRetriesDueAtTheGivenTimeThatTheEngineCanRead) {
  RedisLink link = connectShared();
  const std::string prefix = uniquePrefix();
  const std::int64_t due_ms = 4'000'000'000'000;
  ASSERT_TRUE(fillWaitingRetries(link, prefix, "ch_wait", 2500, due_ms).ok());

  const RetryStore store(prefix);
  EXPECT_EQ(*store.waitingCount(link), 2500);
  EXPECT_EQ(*store.earliestDue(link), std::optional<std::int64_t>(due_ms));
  EXPECT_TRUE(store.claimDue(link, 10, due_ms - 1, std::chrono::seconds(1))->empty())
      << "nothing is due before its time";

  auto claimed = store.claimDue(link, 3000, due_ms, std::chrono::seconds(1));
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2500u) << "every item decodes";
  EXPECT_EQ(claimed->front().event.channel_id, "ch_wait");
  EXPECT_EQ(claimed->front().attempts, 3);
}

}  // namespace
}  // namespace hookline::testing
