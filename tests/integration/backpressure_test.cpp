#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/support/engine_harness.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxInFlight = 6;
constexpr std::size_t kPerEndpoint = 2;

std::size_t requestsTo(const ReceiverServer& receiver, const std::string& target) {
  const auto requests = receiver.requests();
  return static_cast<std::size_t>(std::count_if(requests.begin(), requests.end(),
                                                [&](const auto& r) { return r.target == target; }));
}

// Records the engine's highest in-flight count while it lives.
class InFlightWatch {
 public:
  explicit InFlightWatch(const Engine& engine)
      : thread_([this, &engine] {
          while (!stop_.load()) {
            max_.store(std::max(max_.load(), engine.inFlight()));
            std::this_thread::sleep_for(1ms);
          }
        }) {}
  ~InFlightWatch() {
    stop_.store(true);
    thread_.join();
  }
  std::size_t max() const { return max_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> max_{0};
  std::thread thread_;
};

// With --max-in-flight 6 and --max-per-endpoint 2, a receiver that never answers: two
// attempts reach it, four more wait for its slots, and reading pauses with the engine full.
// The backlog stays unread in Redis (XLEN 30, XPENDING only 6) instead of in the process.
// Once the hanging attempts time out and the endpoint's circuit opens, its later events go to
// the retry store without an attempt, and another endpoint's events are all delivered, never
// more than two at once. The in-flight count never exceeds the cap.
TEST(BackpressureTest, AFullEngineStopsReadingAndOtherEndpointsAreStillDeliveredWithinTheirCaps) {
  ScriptedReplies replies;
  ReceiverReply hang;
  hang.hang = true;
  replies.script("/hang", {hang});
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.max_in_flight = kMaxInFlight;
  options.engine.attempt.max_per_endpoint = kPerEndpoint;
  options.engine.attempt.total_timeout = 2s;
  options.engine.attempt.connect_timeout = 1s;
  options.engine.retry.delays = {60s};
  options.engine.circuit.failure_threshold = 2;
  options.engine.circuit.cooldown = 60s;
  options.engine.circuit.max_cooldown = 60s;
  options.engine.shutdown_deadline = 200ms;
  EngineHarness harness(options);
  InFlightWatch watch(harness.engine());

  // The second endpoint: its own receiver on another port, answering after 200 ms.
  ReceiverServer ok_receiver(ReceiverServer::Options{}, [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 200ms;
    return reply;
  });
  ok_receiver.start();
  harness.createChannel("ch_hang");
  harness.createChannel("ch_ok");
  harness.setWebhook("ch_hang", harness.receiver().url("hang"), EventMask::all());
  harness.setWebhook("ch_ok", ok_receiver.url("ok"), EventMask::all());

  EmitPlan plan;
  plan.channels = {"ch_hang"};
  plan.count = 30;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  ASSERT_TRUE(
      waitUntil([&] { return requestsTo(harness.receiver(), "/hang") == kPerEndpoint; }, 5s))
      << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.engine().inFlight() == kMaxInFlight; }, 5s))
      << harness.describe();
  std::this_thread::sleep_for(300ms);  // time for a reader that does not pause to read more
  EXPECT_EQ(harness.engine().stats().entries_read.load(), kMaxInFlight);
  EXPECT_EQ(harness.pendingCount(), static_cast<long long>(kMaxInFlight));
  EXPECT_EQ(harness.streamLength(harness.stream()), 30) << "the backlog stays in Redis";
  EXPECT_EQ(requestsTo(harness.receiver(), "/hang"), kPerEndpoint);

  plan.channels = {"ch_ok"};
  plan.count = 10;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  ASSERT_TRUE(waitUntil([&] { return ok_receiver.count() == 10; }, 60s)) << harness.describe();
  EXPECT_LE(ok_receiver.acceptedConnections(), kPerEndpoint) << "at most two at once";
  EXPECT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 30s)) << harness.describe();
  EXPECT_EQ(harness.engine().stats().delivered.load(), 10u);
  EXPECT_EQ(harness.engine().stats().dead_lettered.load(), 0u);
  EXPECT_LE(watch.max(), kMaxInFlight);
}

}  // namespace
}  // namespace hookline::testing
