// Field cases B14, B15, B18 and B19 (../shared/cases/field-cases.md): several workers on one
// group, workers killed with SIGKILL, entries deleted under them, and a stream that must not
// grow with delivered events.

#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <thread>

#include "tests/support/engine_harness.hpp"
#include "tests/support/group_inspect.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/worker_process.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

std::string emitSeq(EngineHarness& harness, const std::string& channel, int seq) {
  return xadd(harness.redis(), harness.stream(),
              {{"type", "message_status"},
               {"channel_id", channel},
               {"payload", R"({"seq":)" + std::to_string(seq) + "}"}});
}

std::string describeWorker(WorkerProcess& worker) {
  return "worker log:\n" + worker.logTail();
}

TEST(RecoveryFieldCaseTest,
     B14_EventsWrittenBeforeAnyWorkerAreDeliveredOnceByFourStartingTogether) {
  EngineHarness::Options options;
  options.start_engine = false;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b14"), EventMask::all());
  for (int i = 0; i < 3; ++i) {
    emitSeq(harness, "ch_t1", i);
  }
  ASSERT_EQ(consumerCount(harness.redis(), harness.stream(), harness.group()), -1)
      << "the group must not exist before the workers start";

  std::vector<std::unique_ptr<Engine>> engines;
  for (int i = 1; i <= 4; ++i) {
    EngineOptions engine_options = harness.engineOptions();
    engine_options.consumer = "w" + std::to_string(i);
    engines.push_back(std::make_unique<Engine>(engine_options, harness.webhooks()));
  }
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (auto& engine : engines) {
    threads.emplace_back([&, engine = engine.get()] {
      // Everyone creates the group at the same moment.
      ready++;
      while (ready.load() < 4) {
        std::this_thread::yield();
      }
      engine->run();
    });
  }

  const bool delivered = harness.receiver().waitForCount(3, 10s);
  const bool all_reading = waitUntil(
      [&] { return consumerCount(harness.redis(), harness.stream(), harness.group()) == 4; }, 5s);
  std::this_thread::sleep_for(300ms);  // room for a duplicate to show up
  for (auto& engine : engines) {
    engine->requestStop();
  }
  for (auto& thread : threads) {
    thread.join();
  }

  ASSERT_TRUE(delivered) << "received=" << harness.receiver().count();
  EXPECT_TRUE(all_reading) << "every worker must be up and reading";
  EXPECT_EQ(harness.receiver().count(), 3u);
  for (const auto& [id, posts] : postsById(harness.receiver())) {
    EXPECT_EQ(posts, 1) << id;
  }
  for (auto& engine : engines) {
    EXPECT_EQ(engine->stats().redis_errors.load(), 0u) << engine->consumerName();
  }
  EXPECT_EQ(harness.pendingCount(), 0);
}

TEST(RecoveryFieldCaseTest, B15_EntryDeletedUnderAKilledWorkerIsDeadLetteredOnceAndNeverPosted) {
  EngineHarness::Options options;
  options.start_engine = false;
  options.receiver_handler = [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.hang = true;
    return reply;
  };
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b15"), EventMask::all());
  const std::string event = emitSeq(harness, "ch_t1", 1);

  WorkerProcess w1(workerArgs(harness, "w1", {"--attempt-timeout-ms", "20000"}));
  ASSERT_TRUE(harness.receiver().waitForCount(1, 10s)) << describeWorker(w1);
  w1.kill(SIGKILL);
  ASSERT_EQ(harness.pendingCount(), 1);
  mustRun(harness.redis(), {"XDEL", harness.stream(), event});

  WorkerProcess w2(workerArgs(
      harness, "w2",
      {"--reclaim-idle", "2s", "--attempt-timeout-ms", "500", "--connect-timeout-ms", "500"}));
  const bool dead_lettered =
      waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s);
  ASSERT_TRUE(dead_lettered) << describeWorker(w2);
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  std::this_thread::sleep_for(1500ms);  // three more reclaim passes of w2
  EXPECT_TRUE(w2.running()) << describeWorker(w2);

  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 1) << "reclaimed twice";
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "deleted before delivery");
  EXPECT_EQ(fieldOf(dead[0], "dead_source_id"), event);
  EXPECT_EQ(harness.pendingCount(), 0);
  EXPECT_EQ(harness.receiver().count(), 1u) << "only w1's attempt before the delete";
}

TEST(RecoveryFieldCaseTest, B18_RestartedWorkerDeliversItsOwnPendingAtOnceNotAfterReclaimIdle) {
  auto hang = std::make_shared<std::atomic<bool>>(true);
  EngineHarness::Options options;
  options.start_engine = false;
  options.receiver_handler = [hang](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.hang = hang->load();
    return reply;
  };
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b18"), EventMask::all());
  // The default reclaim idle (60 s) is far beyond the 10 s the case allows.
  const std::vector<std::string> worker =
      workerArgs(harness, "w-fixed", {"--attempt-timeout-ms", "20000"});
  auto first = std::make_unique<WorkerProcess>(worker);
  for (int i = 0; i < 5; ++i) {
    emitSeq(harness, "ch_t1", i);
  }
  ASSERT_TRUE(harness.receiver().waitForCount(5, 10s)) << describeWorker(*first);
  first->kill(SIGKILL);
  first.reset();
  ASSERT_EQ(harness.pendingCount(), 5);

  hang->store(false);
  WorkerProcess restarted(worker);
  const bool delivered = harness.receiver().waitForCount(10, 10s);
  const bool settled = waitUntil([&] { return harness.pendingCount() == 0; }, 10s);
  ASSERT_TRUE(delivered && settled) << describeWorker(restarted);
  for (const auto& [id, posts] : postsById(harness.receiver())) {
    EXPECT_EQ(posts, 2) << id << ": once hanging, once answered";
  }
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
}

TEST(RecoveryFieldCaseTest, B18_DeadEndpointWaitsInTheRetryStoreWhileAnotherKeepsItsLatency) {
  EngineHarness::Options options;
  options.engine.retry.delays = {30s};
  options.engine.retry.jitter = 0;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_t1");
  harness.createChannel("ch_t2");
  const int closed_port = freeLoopbackPort();
  harness.setWebhook("ch_t1", "http://127.0.0.1:" + std::to_string(closed_port) + "/b18",
                     EventMask::all());
  harness.setWebhook("ch_t2", harness.receiver().url("b18ok"), EventMask::all());

  std::map<int, std::chrono::system_clock::time_point> sent_at;
  for (int i = 0; i < 12; ++i) {
    sent_at[i] = std::chrono::system_clock::now();
    emitSeq(harness, i % 2 == 0 ? "ch_t1" : "ch_t2", i);
    std::this_thread::sleep_for(100ms);
  }

  ASSERT_TRUE(harness.receiver().waitForCount(6, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return retryDueCount(harness) == 6; }, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  for (const auto& request : harness.receiver().requests()) {
    const int seq = nlohmann::json::parse(request.body)["data"]["seq"];
    EXPECT_EQ(seq % 2, 1);
    // The field case's bound for the healthy channel: under one second.
    EXPECT_LT(request.received_at - sent_at[seq], 1s) << "seq " << seq;
  }
  EXPECT_EQ(harness.engine().stats().retries_scheduled.load(), 6u);
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
}

// 20 000 events in three rounds to a 200 receiver. The engine trims what every group acked
// (XTRIM MINID ~ below the oldest entry still needed), so XLEN falls back under one macro node
// (at most 100 entries); invalid entries mixed in exercise the dead-letter stream's cap.
TEST(RecoveryFieldCaseTest, B19_StreamPendingListAndMemoryStayBoundedAcrossRounds) {
  constexpr int kRounds = 3;
  constexpr int kPerRound = 6667;
  constexpr int kInvalidPerRound = 400;
  constexpr std::size_t kDeadLetterCap = 500;
  EngineHarness::Options options;
  options.engine.recovery.trim_interval = 200ms;
  options.engine.dead_letter_max = kDeadLetterCap;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_t1");
  harness.setWebhook("ch_t1", harness.receiver().url("b19"), EventMask::all());

  std::vector<long long> memory;
  std::size_t sent = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound + kInvalidPerRound; ++i) {
      if (i % 17 == 0 && i / 17 < kInvalidPerRound) {
        harness.redis().append({"XADD", harness.stream(), "*", "type", "no_such_type"});
        continue;
      }
      harness.redis().append({"XADD", harness.stream(), "*", "type", "message_status", "channel_id",
                              "ch_t1", "payload", R"({"status":"read"})"});
    }
    ASSERT_TRUE(harness.redis().flush().ok());
    sent += kPerRound;  // the invalid ones are dead-lettered, never sent

    ASSERT_TRUE(harness.receiver().waitForCount(sent, 60s)) << harness.describe();
    ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s)) << harness.describe();
    ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.stream()) <= 100; }, 10s))
        << "round " << round << " XLEN=" << harness.streamLength(harness.stream());
    EXPECT_LE(harness.streamLength(harness.deadLetterStream()),
              static_cast<long long>(kDeadLetterCap) + 100);
    EXPECT_EQ(retryDueCount(harness), 0);
    memory.push_back(usedMemory(harness.redis()));
  }
  EXPECT_EQ(harness.receiver().count(), sent);
  EXPECT_EQ(harness.engine().stats().invalid.load(),
            static_cast<std::uint64_t>(kRounds * kInvalidPerRound));
  for (int round = 1; round < kRounds; ++round) {
    EXPECT_LT(std::abs(memory[round] - memory[0]), memory[0] / 10)
        << "round " << round << " used_memory " << memory[round] << " vs " << memory[0];
  }
}

}  // namespace
}  // namespace hookline::testing
