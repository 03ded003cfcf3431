#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "tests/faults/fault_rig.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

int readyz(int port) {
  return httpCall(static_cast<unsigned short>(port), "GET", "/readyz", {}, {}, 3s).status;
}

// /readyz of `hookline serve` through HTTP: 503 while redis-server is down, 200 again once it
// is back; 503 while the consumer group is missing and cannot be recreated (the stream's key
// holds a string, so XGROUP CREATE fails while PING still works); 503 from the moment a stop
// began, while the engine drains an in-flight delivery and the API still answers.
TEST(ReadinessFaultTest, ReadyzIsNotReadyWhileRedisIsDownTheGroupIsMissingOrShutdownBegan) {
  auto slow = std::make_shared<std::atomic<bool>>(false);
  FaultRig rig(FaultRig::Options{.scenario = "readiness",
                                 .append_only = true,
                                 .channels = 1,
                                 .behaviour =
                                     [slow](const ReceivedRequest&) {
                                       ReceiverReply reply;
                                       if (slow->load()) {
                                         reply.delay = 4s;
                                       }
                                       return reply;
                                     },
                                 .worker_options = {"--shutdown-deadline-ms", "3000"}});
  const int port = freeLoopbackPort();
  auto serve = rig.startServe("w1", port);
  ASSERT_TRUE(waitUntil([&] { return readyz(port) == 200; }, 20s)) << serve->logTail();

  rig.redis().stop();
  EXPECT_TRUE(waitUntil([&] { return readyz(port) == 503; }, 10s)) << serve->logTail();
  ASSERT_TRUE(rig.redis().restart().ok());
  EXPECT_TRUE(waitUntil([&] { return readyz(port) == 200; }, 20s)) << serve->logTail();

  RedisLink link(rig.redisOptions());
  ASSERT_TRUE(link.commandOk({"DEL", rig.stream()}).ok());
  ASSERT_TRUE(link.commandOk({"SET", rig.stream(), "not a stream"}).ok());
  EXPECT_TRUE(waitUntil([&] { return readyz(port) == 503; }, 10s)) << serve->logTail();
  ASSERT_TRUE(link.commandOk({"DEL", rig.stream()}).ok());
  EXPECT_TRUE(waitUntil([&] { return readyz(port) == 200; }, 20s)) << serve->logTail();

  slow->store(true);
  EmitPlan plan;
  plan.channels = rig.channels();
  ASSERT_TRUE(emitEvents(link, rig.stream(), plan).ok());
  ASSERT_TRUE(rig.receiver().waitForCount(1, 10s)) << serve->logTail();
  serve->kill(SIGTERM);
  EXPECT_EQ(readyz(port), 503) << "draining, the API answers not-ready";
  EXPECT_TRUE(serve->running()) << "the delivery holds the drain open";
  const int code = serve->waitForExit(15s);
  ASSERT_NE(code, -1) << serve->logTail();
  EXPECT_EQ(code, 0) << serve->logTail();
}

}  // namespace
}  // namespace hookline::testing
