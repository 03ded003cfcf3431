#include "engine/reclaimer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/engine.hpp"
#include "registry/webhook_cache.hpp"

namespace hookline {
namespace {

using namespace std::chrono_literals;

TEST(RecoveryOptionsTest, ReclaimIdleMustBeTwiceTheAttemptLimitPlusOneSecond) {
  EXPECT_EQ(minimumReclaimIdle(15s), 31s);
  RecoveryOptions options;
  options.reclaim_idle = 31s;
  EXPECT_TRUE(checkRecoveryOptions(options, 15s).ok());
  options.reclaim_idle = 30999ms;
  auto refused = checkRecoveryOptions(options, 15s);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("--reclaim-idle"), std::string::npos);
  EXPECT_NE(refused.error().message.find("--attempt-timeout-ms"), std::string::npos);
}

TEST(RecoveryOptionsTest, DefaultsAreAccepted) {
  EngineOptions defaults;
  EXPECT_TRUE(checkRecoveryOptions(defaults.recovery, defaults.attempt.total_timeout).ok());
}

TEST(RecoveryOptionsTest, MaxDeliveriesMustBePositive) {
  RecoveryOptions options;
  options.max_deliveries = 0;
  EXPECT_FALSE(checkRecoveryOptions(options, 1s).ok());
}

TEST(RecoveryOptionsTest, EngineRefusesToStartWithAReclaimIdleBelowTheAttemptLimit) {
  EngineOptions options;
  options.attempt.total_timeout = 15s;
  options.recovery.reclaim_idle = 20s;
  WebhookCache webhooks(options.redis, "t:unused:");
  EXPECT_THROW(Engine(options, webhooks), std::invalid_argument);
}

}  // namespace
}  // namespace hookline
