#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "common/crypto.hpp"
#include "dispatcher/signer.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

EngineHarness::Options withSchedule(const ScriptedReplies& replies,
                                    std::vector<std::chrono::milliseconds> delays) {
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.retry.delays = std::move(delays);
  options.engine.retry.jitter = 0;
  options.engine.retry_poll = 20ms;
  return options;
}

long long retriesWaiting(EngineHarness& harness) {
  auto reply = harness.redis().commandOk({"ZCARD", harness.prefix() + "retry:due"});
  return reply ? (*reply)->integer : -1;
}

void emitOne(EngineHarness& harness, const std::string& channel,
             const std::string& payload = R"({"status":"read"})") {
  xadd(harness.redis(), harness.stream(),
       {{"type", "message_status"}, {"channel_id", channel}, {"payload", payload}});
}

TEST(RetryFlowTest, RetriesAfter503ThenSucceeds) {
  ScriptedReplies replies;
  replies.script("/flaky", {replyWith(503), replyWith(503), replyWith(200)});
  EngineHarness harness(withSchedule(replies, {50ms, 50ms, 50ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("flaky"), EventMask::all());

  emitOne(harness, "ch_1");

  ASSERT_TRUE(harness.receiver().waitForCount(3, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 1; }, 5s));
  ASSERT_TRUE(waitUntil([&] { return retriesWaiting(harness) == 0; }, 5s));
  EXPECT_EQ(harness.pendingCount(), 0);
  const auto requests = harness.receiver().requests();
  for (const auto& request : requests) {
    EXPECT_EQ(request.header("webhook-id"), requests.front().header("webhook-id"));
    EXPECT_EQ(request.body, requests.front().body);
  }
  ASSERT_TRUE(waitUntil(
      [&] { return attemptRecords(harness.redis(), harness.prefix(), "ch_1").size() == 3; }, 5s));
  const auto records = attemptRecords(harness.redis(), harness.prefix(), "ch_1");
  EXPECT_EQ(json::parse(records[0])["outcome"], "delivered");
  EXPECT_EQ(json::parse(records[0])["attempt"], 3);
  EXPECT_EQ(json::parse(records[2])["status"], 503);
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
}

TEST(RetryFlowTest, ExhaustedRetriesAreDeadLetteredWithTheAttemptCount) {
  ScriptedReplies replies;
  replies.script("/down", {replyWith(500)});
  EngineHarness harness(withSchedule(replies, {20ms, 20ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("down"), EventMask::all());

  emitOne(harness, "ch_1");

  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
      << harness.describe();
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "retries exhausted");
  EXPECT_EQ(fieldOf(dead[0], "dead_attempts"), "3");
  EXPECT_EQ(fieldOf(dead[0], "dead_detail"), "http 500");
  EXPECT_EQ(harness.receiver().count(), 3u);
  EXPECT_EQ(retriesWaiting(harness), 0);
  EXPECT_EQ(harness.pendingCount(), 0);
}

TEST(RetryFlowTest, B02_ForbiddenIsDeadLetteredAtOnceAndNeverRetried) {
  ScriptedReplies replies;
  replies.script("/b02", {replyWith(403)});
  EngineHarness harness(withSchedule(replies, {20ms, 20ms, 20ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("b02"), EventMask::all());

  emitOne(harness, "ch_1");

  ASSERT_TRUE(
      waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s));
  std::this_thread::sleep_for(500ms);  // 25 retry periods: none may come
  EXPECT_EQ(harness.receiver().count(), 1u);
  EXPECT_EQ(harness.pendingCount(), 0);
  EXPECT_EQ(retriesWaiting(harness), 0);
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_detail"), "http 403");
  EXPECT_EQ(fieldOf(dead[0], "dead_attempts"), "1");
}

TEST(RetryFlowTest, B02_GoneDisablesTheWebhookAndLaterEventsAreNotSent) {
  ScriptedReplies replies;
  replies.script("/b02", {replyWith(410)});
  EngineHarness harness(withSchedule(replies, {20ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("b02"), EventMask::all());

  emitOne(harness, "ch_1");
  ASSERT_TRUE(
      waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s));
  ASSERT_TRUE(waitUntil(
      [&] {
        auto config = harness.webhooks().find("ch_1");
        return config && config->disabled;
      },
      2s));
  const auto filtered_before = harness.engine().stats().filtered.load();
  emitOne(harness, "ch_1");

  ASSERT_TRUE(waitUntil(
      [&] { return harness.engine().stats().filtered.load() == filtered_before + 1; }, 5s));
  EXPECT_EQ(harness.receiver().count(), 1u);
  // The counter moves when the ack is handed to the writer; the ack lands just after.
  EXPECT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "webhook gone (410)");

  // The next setWebhook lifts the disabled state.
  harness.setWebhook("ch_1", harness.receiver().url("b02ok"), EventMask::all());
  EXPECT_FALSE(harness.webhooks().find("ch_1")->disabled);
}

TEST(RetryFlowTest, B04_RefusedConnectionIsRetriedUntilTheListenerComesUp) {
  const int port = freeLoopbackPort();
  EngineHarness harness(withSchedule(ScriptedReplies{}, {300ms, 300ms, 300ms, 300ms, 300ms}));
  harness.createChannel("ch_1");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/b04";
  harness.setWebhook("ch_1", url, EventMask::all());

  emitOne(harness, "ch_1");
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().attempts_failed.load() >= 2; }, 10s));
  ReceiverServer::Options late_options;
  late_options.port = static_cast<unsigned short>(port);
  ReceiverServer late(late_options, nullptr);
  late.start();

  ASSERT_TRUE(late.waitForCount(1, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 1; }, 5s));
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
  // The delivered counter moves when the outcome is handed to the writer; its record lands
  // just after.
  ASSERT_TRUE(waitUntil(
      [&] { return attemptRecords(harness.redis(), harness.prefix(), "ch_1").size() >= 3; }, 5s));
  const auto records = attemptRecords(harness.redis(), harness.prefix(), "ch_1");
  EXPECT_NE(json::parse(records.back())["error"].get<std::string>().find("network"),
            std::string::npos);
  late.stop();
}

TEST(RetryFlowTest, B07_RedirectsAreNeverFollowedAndDeadLetterAtOnce) {
  for (int status : {301, 302, 303, 307, 308}) {
    ScriptedReplies replies;
    EngineHarness harness(withSchedule(replies, {20ms}));
    ReceiverReply redirect = replyWith(status);
    redirect.headers = {{"Location", harness.receiver().url("b07final")}};
    replies.script("/b07", {redirect});
    harness.createChannel("ch_1");
    harness.setWebhook("ch_1", harness.receiver().url("b07"), EventMask::all());

    emitOne(harness, "ch_1");

    ASSERT_TRUE(
        waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
        << status;
    std::this_thread::sleep_for(200ms);
    for (const auto& request : harness.receiver().requests()) {
      EXPECT_NE(request.target, "/b07final") << status;
    }
    EXPECT_EQ(harness.receiver().count(), 1u) << status;
    const auto dead = readStream(harness.redis(), harness.deadLetterStream());
    EXPECT_EQ(fieldOf(dead[0], "dead_detail"), "http " + std::to_string(status));
    EXPECT_EQ(harness.engine().stats().delivered.load(), 0u);
  }
}

TEST(RetryFlowTest, B25_EveryAttemptIsSignedOverTheExactBytesSent) {
  ScriptedReplies replies;
  replies.script("/b25", {replyWith(503), replyWith(503), replyWith(200)});
  EngineHarness harness(withSchedule(replies, {30ms, 30ms}));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b25"), EventMask::all());
  const std::string payload = R"({"b":1,"a":"é","n":1.0,"s":"</x>","u":"\u00e9"})";

  emitOne(harness, "ch_t1", payload);

  ASSERT_TRUE(harness.receiver().waitForCount(3, 10s)) << harness.describe();
  const std::string secret = harness.webhooks().find("ch_t1")->secret;
  ASSERT_EQ(secret.substr(0, 6), "whsec_");
  const std::string key = *crypto::base64Decode(secret.substr(6));
  const auto requests = harness.receiver().requests();
  for (const auto& request : requests) {
    EXPECT_EQ(request.body, requests.front().body);
    EXPECT_NE(request.body.find(payload), std::string::npos) << "payload bytes unchanged";
    const std::string signed_text = request.header("webhook-id") + "." +
                                    request.header("webhook-timestamp") + "." + request.body;
    EXPECT_EQ(request.header("webhook-signature"),
              "v1," + crypto::base64Encode(crypto::hmacSha256(key, signed_text)));
  }
}

TEST(RetryFlowTest, B26_EachAttemptCarriesItsOwnTimestampAndSignature) {
  ScriptedReplies replies;
  replies.script("/b26", {replyWith(503), replyWith(503), replyWith(503), replyWith(200)});
  EngineHarness harness(withSchedule(replies, {1100ms, 1100ms, 1100ms}));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b26"), EventMask::all());

  emitOne(harness, "ch_t1");

  ASSERT_TRUE(harness.receiver().waitForCount(4, 15s)) << harness.describe();
  const auto requests = harness.receiver().requests();
  std::set<std::string> timestamps;
  std::set<std::string> signatures;
  for (const auto& request : requests) {
    EXPECT_EQ(request.header("webhook-id"), requests.front().header("webhook-id"));
    const long long stamp = std::stoll(request.header("webhook-timestamp"));
    const long long received =
        std::chrono::duration_cast<std::chrono::seconds>(request.received_at.time_since_epoch())
            .count();
    EXPECT_LE(std::llabs(received - stamp), 2);
    timestamps.insert(request.header("webhook-timestamp"));
    signatures.insert(request.header("webhook-signature"));
  }
  EXPECT_EQ(timestamps.size(), 4u);
  EXPECT_EQ(signatures.size(), 4u);
}

TEST(RetryFlowTest, B03_OverdueRetryFiresSoonAfterAWorkerStarts) {
  ScriptedReplies replies;
  replies.script("/b03", {replyWith(503), replyWith(200)});
  EngineHarness harness(withSchedule(replies, {300ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("b03"), EventMask::all());

  emitOne(harness, "ch_1");
  ASSERT_TRUE(waitUntil([&] { return retriesWaiting(harness) == 1; }, 10s));
  harness.stopEngine();  // stopped before the retry falls due
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(harness.receiver().count(), 1u);

  harness.startEngine();

  ASSERT_TRUE(harness.receiver().waitForCount(2, 3s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return retriesWaiting(harness) == 0; }, 5s));
  EXPECT_EQ(harness.pendingCount(), 0);
  ASSERT_TRUE(waitUntil(
      [&] { return attemptRecords(harness.redis(), harness.prefix(), "ch_1").size() == 2; }, 5s));
}

TEST(RetryFlowTest, RetryFollowsTheChannelsCurrentConfiguration) {
  ScriptedReplies replies;
  replies.script("/old", {replyWith(503)});
  EngineHarness harness(withSchedule(replies, {400ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("old"), EventMask::all());

  emitOne(harness, "ch_1");
  ASSERT_TRUE(harness.receiver().waitForCount(1, 10s));
  harness.setWebhook("ch_1", harness.receiver().url("new"), EventMask::all());

  ASSERT_TRUE(harness.receiver().waitForCount(2, 5s)) << harness.describe();
  EXPECT_EQ(harness.receiver().requests()[1].target, "/new");
}

TEST(RetryFlowTest, RetryEndsUnsubscribedWhenTheKindIsNoLongerWanted) {
  ScriptedReplies replies;
  replies.script("/hook", {replyWith(503)});
  EngineHarness harness(withSchedule(replies, {400ms}));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());

  emitOne(harness, "ch_1");
  ASSERT_TRUE(harness.receiver().waitForCount(1, 10s));
  EventMask no_status = EventMask::all();
  no_status.set(EventKind::MessageStatus, false);
  harness.setWebhook("ch_1", harness.receiver().url("hook"), no_status);

  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().unsubscribed.load() == 1; }, 5s))
      << harness.describe();
  EXPECT_EQ(harness.receiver().count(), 1u);
  // The counter moves when the outcome is handed to the writer; its writes land just after.
  EXPECT_TRUE(waitUntil([&] { return retriesWaiting(harness) == 0; }, 5s));
  ASSERT_TRUE(waitUntil(
      [&] { return attemptRecords(harness.redis(), harness.prefix(), "ch_1").size() == 2; }, 5s));
  const auto records = attemptRecords(harness.redis(), harness.prefix(), "ch_1");
  EXPECT_EQ(json::parse(records.front())["outcome"], "unsubscribed");
}

}  // namespace
}  // namespace hookline::testing
