#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "tests/faults/fault_rig.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

// Two workers share the group; one is killed with SIGKILL again and again under steady load
// and restarted under the same consumer name, so it first re-reads what it left pending.
TEST(WorkerCrashFaultTest, SigkillOneOfTwoWorkersRepeatedlyUnderLoad) {
  FaultRig rig(FaultRig::Options{.scenario = "sigkill_worker"});
  auto steady = rig.startWorker("steady");
  auto victim = rig.startWorker("victim");
  const auto length = scenarioLength(6s);
  SteadyProducer producer(rig.steadyLoad("kill", length, 50));
  producer.start();

  int kills = 0;
  const auto until = std::chrono::steady_clock::now() + length;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1500ms);
    victim->kill(SIGKILL);
    ASSERT_FALSE(victim->running());
    victim = rig.startWorker("victim");
    ++kills;
  }
  ASSERT_TRUE(producer.waitDone());
  const FaultSummary summary = rig.settle(producer.sent(), 60s);
  std::cout << "fault scenario=sigkill_worker kills=" << kills << std::endl;
  expectEveryEventDelivered(summary);
  EXPECT_TRUE(steady->running()) << steady->logTail();
}

// SIGTERM mid-load: the worker stops reading, finishes what is in flight, flushes its acks
// and exits 0; what it had read but not started stays pending for its restart. Nothing is
// lost and nothing is delivered twice because of the shutdown.
TEST(WorkerCrashFaultTest, SigtermUnderLoadLosesNothingAndDuplicatesNothing) {
  FaultRig rig(FaultRig::Options{.scenario = "sigterm_worker"});
  auto worker = rig.startWorker("w1");
  const auto length = scenarioLength(4s);
  SteadyProducer producer(rig.steadyLoad("term", length, 50));
  producer.start();

  const auto until = std::chrono::steady_clock::now() + length;
  int stops = 0;
  while (std::chrono::steady_clock::now() + 1s < until) {
    std::this_thread::sleep_for(1500ms);
    worker->kill(SIGTERM);
    EXPECT_EQ(worker->waitForExit(), 0) << worker->logTail();
    worker = rig.startWorker("w1");
    ++stops;
  }
  ASSERT_TRUE(producer.waitDone());
  const FaultSummary summary = rig.settle(producer.sent(), 60s);
  std::cout << "fault scenario=sigterm_worker stops=" << stops << std::endl;
  expectEveryEventDelivered(summary);
  EXPECT_EQ(summary.duplicates, 0u) << summary.line();
}

}  // namespace
}  // namespace hookline::testing
