#include "common/throttled_warning.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

namespace hookline {
namespace {

using namespace std::chrono_literals;
using Clock = ThrottledWarning::Clock;

// A clock the test moves by hand.
struct ManualClock {
  Clock::time_point now = Clock::time_point{} + 1h;
  ThrottledWarning::Now source() {
    return [this] { return now; };
  }
};

// Routes the default logger into a string while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(text_);
    sink->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }
  std::size_t lines() const {
    const std::string all = text();
    return static_cast<std::size_t>(std::count(all.begin(), all.end(), '\n'));
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(ThrottledWarningTest, LogsTheFirstFailureAtOnce) {
  ManualClock clock;
  LogCapture capture;
  ThrottledWarning warning("stream reader", 1s, clock.source());
  EXPECT_TRUE(warning.fail("stream read failed error=\"connection refused\""));
  EXPECT_EQ(capture.text(),
            "warning stream read failed error=\"connection refused\" component=\"stream reader\" "
            "failures=1 suppressed=0\n");
}

TEST(ThrottledWarningTest, LogsAtMostOneLinePerIntervalWithTheSuppressedCount) {
  ManualClock clock;
  LogCapture capture;
  ThrottledWarning warning("retry poll", 1s, clock.source());
  // Ten failures a second for three seconds: a retry loop with a 100 ms pause.
  std::size_t logged = 0;
  for (int i = 0; i < 30; ++i) {
    logged += warning.fail("retry store read failed") ? 1 : 0;
    clock.now += 100ms;
  }
  EXPECT_EQ(logged, 3u);
  EXPECT_EQ(capture.lines(), 3u);
  EXPECT_EQ(warning.failures(), 30u);
  // Lines at 0 s, 1 s and 2 s; the last one stood for the nine failures before it.
  EXPECT_NE(capture.text().find("failures=21 suppressed=9\n"), std::string::npos) << capture.text();
  EXPECT_EQ(warning.suppressed(), 9u);
}

TEST(ThrottledWarningTest, RecoveryLogsOnceAndTheNextFailureIsLoggedAtOnce) {
  ManualClock clock;
  LogCapture capture;
  ThrottledWarning warning("outcome writer", 1s, clock.source());
  EXPECT_FALSE(warning.recovered()) << "nothing failed, nothing to say";
  EXPECT_TRUE(warning.fail("outcome write failed"));
  EXPECT_FALSE(warning.fail("outcome write failed"));
  EXPECT_TRUE(warning.recovered());
  EXPECT_NE(capture.text().find("info working again component=\"outcome writer\" "
                                "after_failures=2"),
            std::string::npos)
      << capture.text();
  EXPECT_FALSE(warning.recovered());

  clock.now += 10ms;
  EXPECT_TRUE(warning.fail("outcome write failed")) << "a new outage is reported at once";
  EXPECT_EQ(warning.failures(), 1u);
}

TEST(ThrottledWarningTest, EachComponentKeepsItsOwnInterval) {
  ManualClock clock;
  LogCapture capture;
  ThrottledWarning reader("stream reader", 1s, clock.source());
  ThrottledWarning reclaimer("reclaimer", 1s, clock.source());
  EXPECT_TRUE(reader.fail("down"));
  EXPECT_TRUE(reclaimer.fail("down"));
  EXPECT_FALSE(reader.fail("down"));
  EXPECT_FALSE(reclaimer.fail("down"));
  EXPECT_EQ(capture.lines(), 2u);
}

}  // namespace
}  // namespace hookline
