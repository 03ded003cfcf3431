#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/engine_harness.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Queued deliveries wait above curl, so their attempt clock starts only when they are sent:
// with 2 slots and 500 ms answers, 10 events take ~2.5 s in all, longer than the 1.5 s attempt
// limit, and none may time out.
TEST(EndpointLimitsTest, B09_QueuedDeliveriesDoNotSpendTheirAttemptTimeWaiting) {
  ScriptedReplies replies;
  ReceiverReply slow;
  slow.delay = 500ms;
  replies.script("/b09", {slow});
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.attempt.max_per_endpoint = 2;
  options.engine.attempt.total_timeout = 1500ms;
  options.engine.attempt.connect_timeout = 1000ms;
  options.engine.retry.delays = {10s};
  EngineHarness harness(options);
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b09"), EventMask::all());

  EmitPlan plan;
  plan.channels = {"ch_t1"};
  plan.count = 10;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());

  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 10; }, 15s))
      << harness.describe();
  EXPECT_EQ(harness.engine().stats().attempts_failed.load(), 0u);
  EXPECT_EQ(harness.receiver().count(), 10u);
  EXPECT_LE(harness.receiver().acceptedConnections(), 2u) << "at most 2 at once";
  ASSERT_TRUE(waitUntil(
      [&] { return attemptRecords(harness.redis(), harness.prefix(), "ch_t1").size() == 10; }, 5s));
  for (const auto& text : attemptRecords(harness.redis(), harness.prefix(), "ch_t1")) {
    const json record = json::parse(text);
    EXPECT_EQ(record["attempt"], 1);
    EXPECT_LT(record["duration_ms"].get<double>(), 1200.0) << "clock ran while queued";
    EXPECT_GE(record["duration_ms"].get<double>(), 450.0);
  }
}

TEST(EndpointLimitsTest, AHangingEndpointDoesNotDelayAnother) {
  ScriptedReplies replies;
  ReceiverReply hang;
  hang.hang = true;
  replies.script("/hang", {hang});
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.attempt.max_per_endpoint = 2;
  options.engine.attempt.total_timeout = 5s;
  options.engine.shutdown_deadline = 200ms;  // the hanging deliveries stay pending at stop
  options.registration_resolver = FakeResolver().map("localhost", {"127.0.0.1"}).resolver();
  EngineHarness harness(options);
  // Two endpoints on one receiver: "127.0.0.1" and "localhost" are different endpoints.
  harness.createChannel("ch_hang");
  harness.createChannel("ch_ok");
  harness.setWebhook("ch_hang", harness.receiver().url("hang"), EventMask::all());
  std::string ok_url = harness.receiver().url("ok");
  ok_url.replace(ok_url.find("127.0.0.1"), 9, "localhost");
  harness.setWebhook("ch_ok", ok_url, EventMask::all());

  EmitPlan plan;
  plan.channels = {"ch_hang"};
  plan.count = 20;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  plan.channels = {"ch_ok"};
  plan.count = 20;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());

  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 20; }, 3s))
      << harness.describe();
}

}  // namespace
}  // namespace hookline::testing
