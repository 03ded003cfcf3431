#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "tests/support/engine_harness.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

void emitTo(EngineHarness& harness, const std::string& channel, int count) {
  for (int i = 0; i < count; ++i) {
    xadd(harness.redis(), harness.stream(),
         {{"type", "message_status"},
          {"channel_id", channel},
          {"payload", R"({"status":"delivered","n":)" + std::to_string(i) + "}"}});
  }
}

json circuitOf(EngineHarness& harness, const std::string& channel) {
  const auto reply = httpCall(harness.apiPort(), "GET", "/api/integrations/" + channel + "/webhook",
                              {{"X-API-Key", harness.apiKey()}});
  const json body = json::parse(reply.body, nullptr, false);
  return body.is_object() && body.contains("data") ? body["data"].value("circuit", json()) : json();
}

EngineHarness::Options breakerOptions(const ScriptedReplies& replies) {
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.retry.delays = std::vector<std::chrono::milliseconds>(10, 100ms);
  options.engine.retry.jitter = 0;
  options.engine.retry_poll = 20ms;
  options.engine.circuit =
      CircuitSettings{.failure_threshold = 3, .cooldown = 1s, .max_cooldown = 1s};
  return options;
}

// Three failures open the circuit; events that follow go to the retry schedule without a
// request; after the cooldown one probe succeeds, the circuit closes and every event is
// delivered exactly once.
TEST(CircuitBreakerFlowTest, ADeadEndpointCostsNoRequestsUntilAProbeSucceeds) {
  ScriptedReplies replies;
  replies.script("/down", {replyWith(503), replyWith(503), replyWith(503), replyWith(200)});
  EngineHarness harness(breakerOptions(replies));
  harness.createChannel("ch_down");
  harness.setWebhook("ch_down", harness.receiver().url("down"), EventMask::all());

  emitTo(harness, "ch_down", 3);
  ASSERT_TRUE(
      waitUntil([&] { return circuitOf(harness, "ch_down").value("state", "") == "open"; }, 5s))
      << harness.describe();
  EXPECT_EQ(circuitOf(harness, "ch_down").value("consecutive_failures", 0), 3);
  EXPECT_TRUE(circuitOf(harness, "ch_down").contains("next_probe_at"));

  emitTo(harness, "ch_down", 5);
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().circuit_deferred.load() >= 5; }, 5s))
      << harness.describe();
  EXPECT_EQ(harness.receiver().count(), 3u) << "no request while the circuit is open";

  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 8; }, 15s))
      << harness.describe();
  EXPECT_EQ(harness.receiver().count(), 3u + 8u);
  std::set<std::string> ids;
  for (const auto& request : harness.receiver().requests()) {
    ids.insert(request.header("webhook-id"));
  }
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_EQ(circuitOf(harness, "ch_down").value("state", ""), "closed");
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
}

TEST(CircuitBreakerFlowTest, AnOpenCircuitLeavesOtherEndpointsAlone) {
  ScriptedReplies replies;
  replies.script("/down", {replyWith(503)});
  EngineHarness harness(breakerOptions(replies));
  ReceiverServer healthy(ReceiverServer::Options{}, nullptr);
  healthy.start();
  harness.createChannel("ch_down");
  harness.createChannel("ch_up");
  harness.setWebhook("ch_down", harness.receiver().url("down"), EventMask::all());
  harness.setWebhook("ch_up", healthy.url("up"), EventMask::all());

  emitTo(harness, "ch_down", 3);
  ASSERT_TRUE(
      waitUntil([&] { return circuitOf(harness, "ch_down").value("state", "") == "open"; }, 5s));
  emitTo(harness, "ch_up", 4);
  ASSERT_TRUE(healthy.waitForCount(4, 5s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 4; }, 5s));
  EXPECT_EQ(circuitOf(harness, "ch_up").value("state", ""), "closed");
}

}  // namespace
}  // namespace hookline::testing
