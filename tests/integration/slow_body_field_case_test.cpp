#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "tests/support/engine_harness.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// B08: the receiver answers 200 after a pause and then trickles a long body in small pieces.
// Glue that re-armed a socket wait only when curl's interest changed let such transfers crawl
// until they died at the attempt limit. Every delivery must succeed on its first attempt, none
// ending at the limit or with a low-speed error.
//
// Scaled down from the field case (2 s pause, 256 KiB in 1 KiB pieces every 20 ms, 100 + 100
// events) to keep CI short: 300 ms pause, 32 KiB in 1 KiB pieces every 10 ms (about 0.6 s per
// answer), 20 + 20 events through a per-endpoint cap of 8, so the cap queues most of them.
TEST(SlowBodyFieldCaseTest, B08_TrickledAnswersAllSucceedOnTheFirstAttemptNoneAtTheLimit) {
  EngineHarness::Options options;
  options.receiver.threads = 2;
  options.receiver_handler = [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 300ms;
    reply.body = std::string(32 * 1024, 'x');
    reply.trickle_chunk = 1024;
    reply.trickle_interval = 10ms;
    return reply;
  };
  options.engine.attempt.max_per_endpoint = 8;
  options.engine.attempt.total_timeout = 15s;
  options.engine.retry.delays = {30s};
  EngineHarness harness(options);
  for (const std::string channel : {"ch_t1", "ch_t2"}) {
    harness.createChannel(channel);
    harness.setWebhook(channel, harness.receiver().url("b08"), EventMask::all());
  }

  EmitPlan plan;
  plan.channels = {"ch_t1"};
  plan.count = 20;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  plan.channels = {"ch_t2"};
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());

  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 40; }, 60s))
      << harness.describe();
  EXPECT_EQ(harness.engine().stats().attempts_failed.load(), 0u) << harness.describe();
  for (const std::string channel : {"ch_t1", "ch_t2"}) {
    ASSERT_TRUE(waitUntil(
        [&] { return attemptRecords(harness.redis(), harness.prefix(), channel).size() == 20; },
        5s));
    for (const auto& text : attemptRecords(harness.redis(), harness.prefix(), channel)) {
      const json record = json::parse(text);
      EXPECT_EQ(record["outcome"], "delivered") << text;
      EXPECT_EQ(record["attempt"], 1) << text;
      EXPECT_FALSE(record.contains("error")) << text;
    }
  }
}

}  // namespace
}  // namespace hookline::testing
