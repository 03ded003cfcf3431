#include "dispatcher/retry_policy.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

// 2026-12-04T16:30:21Z, so HTTP dates below are relative to a fixed time.
const Clock::time_point kNow = Clock::from_time_t(1796401821);

DeliveryResult status(int code, std::string retry_after = "") {
  DeliveryResult result;
  result.http_status = code;
  result.retry_after = std::move(retry_after);
  return result;
}

RetryPolicy withoutJitter() {
  RetrySchedule schedule;
  schedule.jitter = 0;
  return RetryPolicy(schedule);
}

TEST(RetryPolicyTest, FollowsTheDefaultScheduleThenGivesUp) {
  const RetryPolicy policy = withoutJitter();
  const std::vector<std::chrono::milliseconds> expected = {5s, 30s, 2min, 10min, 30min,
                                                           1h, 3h,  6h,   12h};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(policy.nextDelay(static_cast<int>(i) + 1, status(503), kNow), expected[i]) << i;
  }
  EXPECT_EQ(policy.nextDelay(10, status(503), kNow), std::nullopt);
  EXPECT_EQ(policy.maxAttempts(), 10u);
}

TEST(RetryPolicyTest, JitterStaysWithinTwentyPercent) {
  RetryPolicy low(RetrySchedule{}, [] { return 0.0; });
  RetryPolicy high(RetrySchedule{}, [] { return 0.999999; });
  EXPECT_EQ(low.nextDelay(1, status(500), kNow), 4000ms);
  const auto upper = high.nextDelay(1, status(500), kNow);
  ASSERT_TRUE(upper.has_value());
  EXPECT_GE(*upper, 5999ms);
  EXPECT_LE(*upper, 6000ms);
}

TEST(RetryPolicyTest, RetryAfterSecondsLengthensTheWaitOn429And503) {
  const RetryPolicy policy = withoutJitter();
  EXPECT_EQ(policy.nextDelay(1, status(429, "120"), kNow), 120s);
  EXPECT_EQ(policy.nextDelay(1, status(503, " 60 "), kNow), 60s);
  EXPECT_EQ(policy.nextDelay(3, status(503, "60"), kNow), 2min) << "the longer of the two";
}

TEST(RetryPolicyTest, RetryAfterIsIgnoredOnOtherStatuses) {
  EXPECT_EQ(withoutJitter().nextDelay(1, status(500, "600"), kNow), 5s);
}

TEST(RetryPolicyTest, RetryAfterHttpDateIsHonoured) {
  const RetryPolicy policy = withoutJitter();
  EXPECT_EQ(policy.nextDelay(1, status(503, "Fri, 04 Dec 2026 16:35:21 GMT"), kNow), 5min);
}

TEST(RetryPolicyTest, RetryAfterIsCapped) {
  const RetryPolicy policy = withoutJitter();
  EXPECT_EQ(policy.nextDelay(1, status(429, "999999"), kNow), 1h);
}

TEST(RetryPolicyTest, UnparsableRetryAfterIsIgnored) {
  const RetryPolicy policy = withoutJitter();
  for (auto bad : {"soon", "-5", "1.5", "Someday, 99 Foo 2026", ""}) {
    EXPECT_EQ(policy.nextDelay(1, status(429, bad), kNow), 5s) << bad;
  }
}

TEST(RetryPolicyTest, RetryAfterDateInThePastMeansNoExtraWait) {
  EXPECT_EQ(parseRetryAfter("Thu, 01 Jan 2015 00:00:00 GMT", kNow), 0ms);
}

TEST(RetryPolicyTest, ScheduleIsConfigurable) {
  RetrySchedule schedule;
  schedule.delays = {10ms, 20ms};
  schedule.jitter = 0;
  RetryPolicy policy(schedule);
  EXPECT_EQ(policy.nextDelay(1, status(500), kNow), 10ms);
  EXPECT_EQ(policy.nextDelay(2, status(500), kNow), 20ms);
  EXPECT_EQ(policy.nextDelay(3, status(500), kNow), std::nullopt);
}

}  // namespace
}  // namespace hookline
