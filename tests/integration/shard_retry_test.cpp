// Shards share one retry store (one key prefix), so a worker may send a retry that came from
// another shard's stream; its outcome must still name that stream.

#include <gtest/gtest.h>

#include "engine/retry_store.hpp"
#include "engine/time_format.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

TEST(ShardRetryTest, ARetryFromAnotherShardIsDeadLetteredWithItsOwnSourceStream) {
  ScriptedReplies replies;
  replies.script("/reject", {replyWith(400)});
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.retry.delays = {50ms};
  options.engine.retry_poll = 20ms;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("reject"), EventMask::all());

  const std::string other_stream = harness.prefix() + "events:shard-2";
  const RetryItem item{.id = other_stream + "/1700000000000-0",
                       .stream = other_stream,
                       .event = Event{.entry_id = "1700000000000-0",
                                      .event_id = "evt_shard2",
                                      .kind = EventKind::MessageStatus,
                                      .channel_id = "ch_1",
                                      .payload = R"({"status":"read"})",
                                      .occurred_at_ms = 1700000000000},
                       .attempts = 1,
                       .last_result = "http 503"};
  for (const auto& command :
       RetryStore(harness.prefix()).scheduleCommands(item, nowEpochMillis())) {
    ASSERT_TRUE(harness.redis().commandOk(command).ok());
  }

  std::vector<StreamFields> dead;
  ASSERT_TRUE(waitUntil(
      [&] { return (dead = readStream(harness.redis(), harness.deadLetterStream())).size() == 1; },
      10s))
      << harness.describe();
  EXPECT_EQ(fieldOf(dead[0], "dead_source_stream"), other_stream);
  EXPECT_EQ(fieldOf(dead[0], "dead_source_id"), "1700000000000-0");
  EXPECT_EQ(fieldOf(dead[0], "event_id"), "evt_shard2");
}

}  // namespace
}  // namespace hookline::testing
