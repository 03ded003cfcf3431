#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "tests/support/engine_harness.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::vector<json> records(EngineHarness& harness, const std::string& channel) {
  std::vector<json> parsed;
  for (const auto& text : attemptRecords(harness.redis(), harness.prefix(), channel)) {
    parsed.push_back(json::parse(text));
  }
  return parsed;
}

void emit(EngineHarness& harness, const std::string& channel, std::size_t count) {
  EmitPlan plan;
  plan.channels = {channel};
  plan.count = count;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
}

EngineHarness::Options b10Options(ReceiverServer::Handler handler) {
  EngineHarness::Options options;
  options.receiver_handler = std::move(handler);
  options.receiver.threads = 2;
  options.engine.attempt.max_per_endpoint = 8;
  options.engine.retry.delays = {200ms, 200ms, 500ms, 1s};
  options.engine.retry.jitter = 0;
  return options;
}

// B10: the receiver closes keep-alive connections idle for 1 s without saying so (no
// Connection: close). 8 events at once open 8 pooled connections; 3 s later all 8 are closed
// by the receiver, and the second batch of 8 is delivered on the first attempt: no dead pooled
// connection costs a failure.
TEST(ConnectionReuseFieldCaseTest, B10_IdleConnectionsClosedByTheReceiverCostNoFailedAttempt) {
  auto options = b10Options([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 200ms;  // long enough that the 8 requests need 8 connections
    return reply;
  });
  options.receiver.idle_timeout = 1s;
  EngineHarness harness(options);
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b10"), EventMask::all());

  emit(harness, "ch_t1", 8);
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 8; }, 15s))
      << harness.describe();
  const std::size_t first_connections = harness.receiver().acceptedConnections();
  std::this_thread::sleep_for(3s);  // every pooled connection is closed by the receiver now
  emit(harness, "ch_t1", 8);
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 16; }, 15s))
      << harness.describe();

  EXPECT_EQ(harness.engine().stats().attempts_failed.load(), 0u) << harness.describe();
  EXPECT_GT(harness.receiver().acceptedConnections(), first_connections)
      << "the second batch needed new connections, so the old ones were really closed";
  ASSERT_TRUE(waitUntil([&] { return records(harness, "ch_t1").size() == 16; }, 5s));
  for (const auto& record : records(harness, "ch_t1")) {
    EXPECT_EQ(record["attempt"], 1) << record.dump();
    EXPECT_EQ(record["outcome"], "delivered") << record.dump();
  }
}

// B10 variant: the receiver half-closes every connection right after its answer while the
// answer itself says keep-alive. Whether libcurl notices before reuse or a reused connection
// fails, every event is delivered and none is dead-lettered; a failed attempt is a retry.
TEST(ConnectionReuseFieldCaseTest, B10_HalfClosedAfterEachAnswerEverythingIsDeliveredNoDeadLetter) {
  auto options = b10Options([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.half_close = true;
    return reply;
  });
  EngineHarness harness(options);
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b10"), EventMask::all());

  for (int round = 0; round < 4; ++round) {
    emit(harness, "ch_t1", 8);
    ASSERT_TRUE(waitUntil(
        [&] { return harness.engine().stats().delivered.load() == 8u * (round + 1); }, 20s))
        << harness.describe();
  }
  EXPECT_EQ(harness.engine().stats().dead_lettered.load(), 0u);
  EXPECT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  for (const auto& record : records(harness, "ch_t1")) {
    EXPECT_TRUE(record["outcome"] == "delivered" || record["outcome"] == "retry") << record.dump();
  }
}

// B10 variant over TLS, as the case states it: the receiver sends close_notify and half-closes
// right after each keep-alive answer. libcurl 7.88 takes such a pooled connection for alive (the
// close_notify is readable data), so without the fresh resend "Connection died" failed
// attempts. Every attempt must succeed the first time.
TEST(ConnectionReuseFieldCaseTest, B10_HalfClosedTlsConnectionsCostNoFailedAttempt) {
  auto options = b10Options([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.half_close = true;
    return reply;
  });
  options.https_receiver = true;
  EngineHarness harness(options);
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b10"), EventMask::all());

  for (int round = 0; round < 3; ++round) {
    emit(harness, "ch_t1", 8);
    ASSERT_TRUE(waitUntil(
        [&] { return harness.engine().stats().delivered.load() == 8u * (round + 1); }, 20s))
        << harness.describe();
    std::this_thread::sleep_for(1500ms);  // every pooled connection is half-closed by now
  }
  EXPECT_EQ(harness.engine().stats().attempts_failed.load(), 0u) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return records(harness, "ch_t1").size() == 24; }, 5s));
  for (const auto& record : records(harness, "ch_t1")) {
    EXPECT_EQ(record["attempt"], 1) << record.dump();
    EXPECT_EQ(record["outcome"], "delivered") << record.dump();
  }
}

// B10: a reused connection that fails before any response byte (the receiver reads the
// request and resets the connection, and does so again on the fresh connection libcurl may
// try at once) is a network error: the attempt is retried and later delivered, never
// dead-lettered.
TEST(ConnectionReuseFieldCaseTest, B10_AReusedConnectionFailingBeforeAnyResponseByteIsRetried) {
  ScriptedReplies replies;
  ReceiverReply reset;
  reset.reset_connection = true;
  replies.script("/b10c", {ReceiverReply{}, reset, reset, ReceiverReply{}});
  EngineHarness harness(b10Options(replies.handler()));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b10c"), EventMask::all());

  emit(harness, "ch_t1", 1);
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 1; }, 10s));
  emit(harness, "ch_t1", 1);  // goes out on the kept-alive connection of the first
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() == 2; }, 15s))
      << harness.describe();
  EXPECT_EQ(harness.engine().stats().dead_lettered.load(), 0u);
  EXPECT_GE(harness.engine().stats().retries_scheduled.load(), 1u) << harness.describe();
  EXPECT_GE(harness.receiver().count(), 4u);
  ASSERT_TRUE(waitUntil([&] { return records(harness, "ch_t1").size() >= 3; }, 5s));
  bool retried = false;
  for (const auto& record : records(harness, "ch_t1")) {
    EXPECT_NE(record["outcome"], "dead") << record.dump();
    retried = retried || record["outcome"] == "retry";
  }
  EXPECT_TRUE(retried);
}

}  // namespace
}  // namespace hookline::testing
