#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "tests/support/engine_harness.hpp"
#include "tests/support/group_inspect.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/worker_process.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

// Short limits that keep the rule reclaim idle >= 2 x attempt limit + 1 s.
EngineHarness::Options shortRecovery(ReceiverServer::Handler handler = nullptr) {
  EngineHarness::Options options;
  options.receiver_handler = std::move(handler);
  options.start_engine = false;
  options.engine.attempt.total_timeout = 500ms;
  options.engine.attempt.connect_timeout = 500ms;
  options.engine.recovery.reclaim_idle = 2s;
  options.engine.recovery.max_deliveries = 5;
  return options;
}

std::string emitOne(EngineHarness& harness, const std::string& channel, int seq = 0) {
  return xadd(harness.redis(), harness.stream(),
              {{"type", "message_status"},
               {"channel_id", channel},
               {"payload", R"({"seq":)" + std::to_string(seq) + "}"}});
}

void createGroup(EngineHarness& harness) {
  mustRun(harness.redis(),
          {"XGROUP", "CREATE", harness.stream(), harness.group(), "0", "MKSTREAM"});
}

TEST(ReclaimTest, TakesOverTheEntriesOfAConsumerThatStoppedOnlyAfterTheIdleTime) {
  EngineHarness harness(shortRecovery());
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  for (int i = 0; i < 3; ++i) {
    emitOne(harness, "ch_1", i);
  }
  createGroup(harness);
  ASSERT_EQ(readAs(harness.redis(), harness.stream(), harness.group(), "ghost", 3).size(), 3u);
  const auto left_at = std::chrono::system_clock::now();

  harness.startEngine();

  ASSERT_TRUE(harness.receiver().waitForCount(3, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s)) << harness.describe();
  for (const auto& request : harness.receiver().requests()) {
    // Taken over no sooner than the reclaim idle time after the ghost read them.
    EXPECT_GE(request.received_at - left_at, 2s - 50ms);
  }
  EXPECT_EQ(harness.engine().stats().reclaimed.load(), 3u);
  for (const auto& [id, posts] : postsById(harness.receiver())) {
    EXPECT_EQ(posts, 1) << id;
  }
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
}

// Worker A holds 16 entries behind one slow endpoint (one delivery at a time, 300 ms each), so
// its last entries stay pending far longer than the 3 s reclaim idle time; worker B, running on
// the same group, must not take them over while A lives.
// Seven live and three deleted entries left by a dead worker, claimed two at a time: the reclaim
// cursor carries over between calls and passes until every one is settled exactly once.
TEST(ReclaimTest, FollowsTheClaimCursorUntilEveryIdleEntryIsSettledOnce) {
  auto options = shortRecovery();
  options.engine.recovery.reclaim_batch = 2;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  createGroup(harness);
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(emitOne(harness, "ch_1", i));
  }
  ASSERT_EQ(readAs(harness.redis(), harness.stream(), harness.group(), "ghost", 10).size(), 10u);
  std::vector<std::string> idle = {"XCLAIM", harness.stream(), harness.group(), "ghost", "0"};
  idle.insert(idle.end(), ids.begin(), ids.end());
  idle.insert(idle.end(), {"IDLE", "600000", "JUSTID"});
  mustRun(harness.redis(), idle);
  // After the XCLAIM above, which would drop deleted entries from the pending list itself.
  for (int i : {1, 4, 8}) {
    mustRun(harness.redis(), {"XDEL", harness.stream(), ids[i]});
  }

  harness.startEngine();

  ASSERT_TRUE(harness.receiver().waitForCount(7, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 3; }, 10s))
      << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  std::this_thread::sleep_for(1200ms);  // more passes: nothing may come back
  EXPECT_EQ(harness.receiver().count(), 7u);
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 3);
  for (const auto& [id, posts] : postsById(harness.receiver())) {
    EXPECT_EQ(posts, 1) << id;
  }
  std::set<std::string> dead_ids;
  for (const auto& dead : readStream(harness.redis(), harness.deadLetterStream())) {
    EXPECT_EQ(fieldOf(dead, "dead_reason"), "deleted before delivery");
    dead_ids.insert(fieldOf(dead, "dead_source_id"));
  }
  EXPECT_EQ(dead_ids, (std::set<std::string>{ids[1], ids[4], ids[8]}));
  EXPECT_EQ(harness.engine().stats().reclaimed.load(), 7u);
}

TEST(ReclaimTest, WorkerProcessRefusesAReclaimIdleBelowTheAttemptLimit) {
  EngineHarness harness(shortRecovery());
  WorkerProcess worker(
      workerArgs(harness, "w1", {"--attempt-timeout-ms", "15000", "--reclaim-idle", "20s"}));
  EXPECT_NE(worker.waitForExit(), 0) << worker.logTail();
  const std::string log = worker.logTail();
  EXPECT_NE(log.find("--reclaim-idle"), std::string::npos) << log;
  EXPECT_NE(log.find("--attempt-timeout-ms"), std::string::npos) << log;
}

TEST(ReclaimTest, LiveWorkersSlowDeliveriesAreNotReclaimedByAnother) {
  constexpr int kEvents = 16;
  auto options = shortRecovery([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 300ms;
    return reply;
  });
  options.engine.attempt.total_timeout = 1s;  // well above the receiver's 300 ms
  options.engine.recovery.reclaim_idle = 3s;
  options.engine.attempt.max_per_endpoint = 1;
  options.engine.consumer = "worker-a";
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("slow"), EventMask::all());
  harness.startEngine();
  for (int i = 0; i < kEvents; ++i) {
    emitOne(harness, "ch_1", i);
  }
  ASSERT_TRUE(
      waitUntil([&] { return harness.engine().stats().entries_read.load() == kEvents; }, 5s));

  EngineOptions b_options = harness.engineOptions();
  b_options.consumer = "worker-b";
  Engine worker_b(b_options, harness.webhooks());
  std::thread b_thread([&] { worker_b.run(); });

  const bool all = harness.receiver().waitForCount(kEvents, 20s);
  // Two more reclaim passes of B after the last delivery.
  std::this_thread::sleep_for(1800ms);
  worker_b.requestStop();
  b_thread.join();

  ASSERT_TRUE(all) << harness.describe();
  EXPECT_EQ(harness.receiver().count(), static_cast<std::size_t>(kEvents))
      << "a held entry was delivered twice";
  for (const auto& [id, posts] : postsById(harness.receiver())) {
    EXPECT_EQ(posts, 1) << id;
  }
  EXPECT_EQ(worker_b.stats().reclaimed.load(), 0u);
  EXPECT_EQ(harness.engine().stats().delivered.load(), static_cast<std::uint64_t>(kEvents));
  EXPECT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
}

TEST(ReclaimTest, OwnEntryHandedOutTooOftenIsDeadLetteredAsPoison) {
  EngineHarness harness(shortRecovery());
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  createGroup(harness);
  const std::string poison = emitOne(harness, "ch_1", 1);
  readAs(harness.redis(), harness.stream(), harness.group(), "worker-1", 1);
  // Five restarts that each re-read it and died before settling it: delivery count 6.
  for (int i = 0; i < 5; ++i) {
    mustRun(harness.redis(),
            {"XREADGROUP", "GROUP", harness.group(), "worker-1", "STREAMS", harness.stream(), "0"});
  }
  const std::string healthy = emitOne(harness, "ch_1", 2);
  readAs(harness.redis(), harness.stream(), harness.group(), "worker-1", 1);

  harness.startEngine();  // worker-1 again: its re-read makes the counts 7 and 2

  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
      << harness.describe();
  ASSERT_TRUE(harness.receiver().waitForCount(1, 10s));
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "poison");
  EXPECT_EQ(fieldOf(dead[0], "dead_source_id"), poison);
  EXPECT_EQ(fieldOf(dead[0], "dead_deliveries"), "7");
  EXPECT_EQ(fieldOf(dead[0], "channel_id"), "ch_1");
  EXPECT_EQ(harness.receiver().count(), 1u);
  EXPECT_EQ(harness.engine().stats().poison.load(), 1u);
  EXPECT_NE(healthy, poison);
}

TEST(ReclaimTest, ReclaimedEntryHandedOutTooOftenIsDeadLetteredAsPoison) {
  EngineHarness harness(shortRecovery());
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  createGroup(harness);
  const std::string id = emitOne(harness, "ch_1");
  readAs(harness.redis(), harness.stream(), harness.group(), "ghost", 1);
  // Another worker had it nine times and has been silent for ten minutes.
  mustRun(harness.redis(), {"XCLAIM", harness.stream(), harness.group(), "ghost", "0", id, "IDLE",
                            "600000", "RETRYCOUNT", "9", "JUSTID"});

  harness.startEngine();

  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
      << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "poison");
  EXPECT_EQ(fieldOf(dead[0], "dead_deliveries"), "10");  // the reclaim itself counts
  EXPECT_EQ(harness.receiver().count(), 0u);
}

TEST(ReclaimTest, OwnPendingEntryDeletedBeforeDeliveryIsDeadLetteredByIdAndAcked) {
  EngineHarness harness(shortRecovery());
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  createGroup(harness);
  const std::string id = emitOne(harness, "ch_1");
  readAs(harness.redis(), harness.stream(), harness.group(), "worker-1", 1);
  mustRun(harness.redis(), {"XDEL", harness.stream(), id});

  harness.startEngine();  // re-reads its own pending entry: nil fields

  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
      << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "deleted before delivery");
  EXPECT_EQ(fieldOf(dead[0], "dead_source_id"), id);
  EXPECT_EQ(harness.engine().stats().deleted_before_delivery.load(), 1u);
  EXPECT_EQ(harness.receiver().count(), 0u);
}

TEST(ReclaimTest, TrimmingKeepsEveryEntryAGroupStillNeeds) {
  auto options = shortRecovery();
  options.engine.recovery.reclaim_idle = 60s;  // the ghost's entry stays with it
  options.engine.recovery.trim_interval = 100ms;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  const std::string held = emitOne(harness, "ch_1", 0);
  for (int i = 1; i < 300; ++i) {
    emitOne(harness, "ch_1", i);
  }
  createGroup(harness);
  readAs(harness.redis(), harness.stream(), harness.group(), "ghost", 1);

  harness.startEngine();
  ASSERT_TRUE(harness.receiver().waitForCount(299, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 1; }, 5s));
  std::this_thread::sleep_for(500ms);  // several trim passes
  // The ghost's pending entry is the floor: it and everything after it stay.
  EXPECT_EQ(harness.streamLength(harness.stream()), 300);

  mustRun(harness.redis(), {"XACK", harness.stream(), harness.group(), held});
  // With nothing pending, all but the last macro node (100 entries by default) may go.
  EXPECT_TRUE(waitUntil([&] { return harness.streamLength(harness.stream()) <= 100; }, 5s))
      << harness.streamLength(harness.stream());
  EXPECT_GT(harness.engine().stats().trimmed.load(), 0u);
}

}  // namespace
}  // namespace hookline::testing
