#include "engine/time_format.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

TEST(TimeFormatTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseRfc3339Millis("2026-12-04T16:30:21Z"), 1796401821000);
  EXPECT_EQ(parseRfc3339Millis("2026-12-04T17:30:21+01:00"), 1796401821000);
  EXPECT_EQ(parseRfc3339Millis("2026-12-04T16:30:21.123456z"), 1796401821123);
  EXPECT_EQ(parseRfc3339Millis("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(TimeFormatTest, RejectsMalformedText) {
  for (auto bad : {"", "2026-12-04", "2026-12-04T16:30Z", "2023-02-29T00:00:00Z",
                   "2026-12-04T24:00:00Z", "2026-12-04T16:30:21.Z", "2026-12-04T16:30:21+1:00"}) {
    EXPECT_FALSE(parseRfc3339Millis(bad).has_value()) << bad;
  }
}

TEST(TimeFormatTest, FormatsAndRoundTrips) {
  EXPECT_EQ(formatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatRfc3339Millis(1796401821123), "2026-12-04T16:30:21.123Z");
  for (std::int64_t ms : {951782400000LL, 1709164800999LL, 4102444799999LL}) {
    EXPECT_EQ(parseRfc3339Millis(formatRfc3339Millis(ms)), ms);
  }
}

}  // namespace
}  // namespace hookline
