#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "tests/faults/fault_rig.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs steady load through one worker against a receiver behaving as `behaviour` says and
// checks that every event arrives. Returns the summary for scenario-specific checks.
FaultSummary runAgainst(const std::string& scenario, ReceiverServer::Handler behaviour) {
  FaultRig rig(FaultRig::Options{.scenario = scenario, .behaviour = std::move(behaviour)});
  auto worker = rig.startWorker("w1");
  const auto length = scenarioLength(3s);
  SteadyProducer producer(rig.steadyLoad(scenario, length, 30));
  producer.start();
  EXPECT_TRUE(producer.waitDone());
  const FaultSummary summary = rig.settle(producer.sent(), 60s);
  expectEveryEventDelivered(summary);
  EXPECT_TRUE(worker->running()) << worker->logTail();
  return summary;
}

// True for the first `window` after the first request.
std::function<bool()> firstWindow(std::chrono::milliseconds window) {
  auto started = std::make_shared<std::atomic<Clock::rep>>(0);
  return [started, window] {
    Clock::rep expected = 0;
    const auto now = Clock::now().time_since_epoch().count();
    started->compare_exchange_strong(expected, now);
    return Clock::now().time_since_epoch().count() - started->load() <
           std::chrono::duration_cast<Clock::duration>(window).count();
  };
}

TEST(ReceiverFaultTest, AReceiverThatHangsForAWhile) {
  auto hanging = firstWindow(1500ms);
  runAgainst("receiver_hangs", [hanging](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.hang = hanging();
    return reply;
  });
}

TEST(ReceiverFaultTest, AReceiverThatResetsEveryThirdConnection) {
  auto served = std::make_shared<std::atomic<int>>(0);
  runAgainst("receiver_resets", [served](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.reset_connection = (served->fetch_add(1) % 3) == 0;
    return reply;
  });
}

TEST(ReceiverFaultTest, AReceiverThatTricklesItsAnswer) {
  runAgainst("receiver_trickles", [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.body = std::string(64, 'k');
    reply.trickle_chunk = 16;
    reply.trickle_interval = 100ms;
    return reply;
  });
}

TEST(ReceiverFaultTest, AReceiverAnswering503ForAWhile) {
  auto failing = firstWindow(1500ms);
  const FaultSummary summary = runAgainst("receiver_503", [failing](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.status = failing() ? 503 : 200;
    return reply;
  });
  EXPECT_EQ(summary.duplicates, 0u);
}

}  // namespace
}  // namespace hookline::testing
