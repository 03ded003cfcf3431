#include "tools/duration_text.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

using namespace std::chrono_literals;

TEST(DurationTextTest, ParsesEveryUnit) {
  EXPECT_EQ(*parseDuration("250ms"), 250ms);
  EXPECT_EQ(*parseDuration("5s"), 5s);
  EXPECT_EQ(*parseDuration("7"), 7s);
  EXPECT_EQ(*parseDuration("2m"), 2min);
  EXPECT_EQ(*parseDuration("3h"), 3h);
  EXPECT_EQ(*parseDuration("1d"), 24h);
}

TEST(DurationTextTest, RejectsMalformedOrHugeValues) {
  for (auto bad : {"", "s", "-5s", "5x", "5 s", "31d", "99999999999999h"}) {
    EXPECT_FALSE(parseDuration(bad).ok()) << bad;
  }
}

TEST(DurationTextTest, ParsesTheDefaultRetrySchedule) {
  auto list = parseDurationList("5s,30s,2m,10m,30m,1h,3h,6h,12h");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 9u);
  EXPECT_EQ(list->back(), 12h);
  EXPECT_FALSE(parseDurationList("5s,,2m").ok());
}

}  // namespace
}  // namespace hookline
