#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>

#include "tests/faults/fault_rig.hpp"
#include "tests/faults/steady_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// How the receiver answers while the worker is being stopped: half the channels within the
// shutdown deadline, the other half far beyond it.
struct ShutdownReceiver {
  std::atomic<bool> stopping_phase{true};
  std::mutex mutex;
  std::set<std::string> slow_seen;  // event ids whose first attempt the worker abandoned

  ReceiverReply answer(const ReceivedRequest& request) {
    ReceiverReply reply;
    if (!stopping_phase.load()) {
      return reply;
    }
    const bool slow =
        request.target.ends_with("ch_fault_2") || request.target.ends_with("ch_fault_3");
    if (!slow) {
      reply.delay = 300ms;  // finishes inside the deadline
      return reply;
    }
    {
      std::lock_guard lock(mutex);
      slow_seen.insert(request.header("webhook-id"));
    }
    // The worker gives up at its deadline long before this; the 503 only keeps the rig's
    // ledger from counting an answer that nobody received as a delivery.
    reply.status = 503;
    reply.delay = 20s;
    return reply;
  }
};

// SIGTERM while 40 deliveries are in flight against a receiver that is slower than the
// shutdown deadline for half of them: the worker exits 0 within the deadline plus a margin;
// those answered inside the deadline are acked and never sent again; those still unanswered at
// the deadline stay pending and are sent once more by the restarted worker (under the same
// consumer name). Nothing is lost and nothing the receiver answered arrives twice.
TEST(GracefulShutdownFaultTest, SlowReceiverAtSigtermExitsZeroInTimeAndLosesOrRepeatsNothing) {
  auto receiver = std::make_shared<ShutdownReceiver>();
  constexpr auto kDeadline = 1500ms;
  FaultRig rig(FaultRig::Options{
      .scenario = "sigterm_slow_receiver",
      .behaviour = [receiver](const ReceivedRequest& request) { return receiver->answer(request); },
      // The attempt limit is beyond the deadline, so the slow attempts end by the stop itself.
      .worker_options = {"--shutdown-deadline-ms", std::to_string(kDeadline.count()),
                         "--attempt-timeout-ms", "10000"}});
  auto worker = rig.startWorker("w1");
  SteadyProducer producer(SteadyProducer::Options{.redis = rig.redisOptions(),
                                                  .stream = rig.stream(),
                                                  .channels = rig.channels(),
                                                  .tag = "drain",
                                                  .count = 40,
                                                  .rate = 400,
                                                  .deadline = 30s});
  producer.start();
  ASSERT_TRUE(producer.waitDone());
  ASSERT_TRUE(rig.receiver().waitForCount(40, 20s)) << worker->logTail();

  const auto signalled = Clock::now();
  worker->kill(SIGTERM);
  const int code = worker->waitForExit(kDeadline + 10s);
  const auto took = Clock::now() - signalled;
  ASSERT_NE(code, -1) << worker->logTail();
  EXPECT_EQ(code, 0) << worker->logTail();
  EXPECT_LT(took, kDeadline + 5s) << "stop took longer than the deadline plus a margin";
  EXPECT_EQ(rig.pendingCount(), 20) << "answered ones acked, abandoned ones left pending";
  {
    std::lock_guard lock(receiver->mutex);
    EXPECT_EQ(receiver->slow_seen.size(), 20u);
  }

  receiver->stopping_phase.store(false);
  worker = rig.startWorker("w1");
  const FaultSummary summary = rig.settle(producer.sent(), 60s);
  EXPECT_EQ(summary.lost, 0u) << summary.line();
  EXPECT_EQ(summary.duplicates, 0u) << summary.line() << " (answered once, sent again)";
  EXPECT_EQ(summary.dead_lettered, 0u) << summary.line();
  EXPECT_EQ(summary.pending, 0) << summary.line();
  EXPECT_EQ(summary.delivered, summary.sent) << summary.line();
}

}  // namespace
}  // namespace hookline::testing
