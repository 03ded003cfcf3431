#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "tests/faults/fault_rig.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

// redis-server (AOF on) is killed with SIGKILL and started again on the same port and data
// folder while events flow; the worker reconnects by itself and redoes what failed.
TEST(RedisFaultTest, KillAndRestartRedisUnderLoad) {
  FaultRig rig(FaultRig::Options{.scenario = "redis_restart", .append_only = true});
  auto worker = rig.startWorker("w1");
  const auto length = scenarioLength(6s);
  SteadyProducer producer(rig.steadyLoad("restart", length, 50));
  producer.start();

  int restarts = 0;
  const auto until = std::chrono::steady_clock::now() + length;
  while (std::chrono::steady_clock::now() + 2s < until) {
    std::this_thread::sleep_for(2s);
    rig.redis().signal(SIGKILL);
    std::this_thread::sleep_for(500ms);
    ASSERT_TRUE(rig.redis().restart().ok());
    ++restarts;
  }
  ASSERT_TRUE(producer.waitDone());
  const FaultSummary summary = rig.settle(producer.sent(), 60s);
  std::cout << "fault scenario=redis_restart restarts=" << restarts << std::endl;
  expectEveryEventDelivered(summary);
  EXPECT_TRUE(worker->running()) << worker->logTail();
}

// The stream is deleted (which destroys the group) while the reader blocks on it, then the
// group alone is destroyed; both are recreated and reading resumes.
TEST(RedisFaultTest, StreamDeletedAndGroupDestroyedWhileTheReaderBlocks) {
  FaultRig rig(FaultRig::Options{.scenario = "stream_reset"});
  auto worker = rig.startWorker("w1");
  RedisLink link(rig.redisOptions());
  std::vector<std::string> sent;
  auto round = [&](const std::string& tag) {
    SteadyProducer producer(rig.steadyLoad(tag, 1s, 20));
    producer.start();
    ASSERT_TRUE(producer.waitDone());
    for (auto& id : producer.sent()) {
      sent.push_back(id);
    }
    expectEveryEventDelivered(rig.settle(sent, 30s));
  };

  round("before");
  std::this_thread::sleep_for(300ms);  // the reader is blocked on an idle stream now
  ASSERT_TRUE(link.commandOk({"DEL", rig.stream()}).ok());
  round("after_delete");
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(link.commandOk({"XGROUP", "DESTROY", rig.stream(), "hookline"}).ok());
  round("after_destroy");
  EXPECT_TRUE(worker->running()) << worker->logTail();
}

std::string readerClientId(RedisLink& link) {
  auto reply = link.commandOk({"CLIENT", "LIST"});
  if (!reply) {
    return "";
  }
  const std::string list = replyString(reply->get());
  const auto at = list.find("cmd=xreadgroup");
  if (at == std::string::npos) {
    return "";
  }
  const auto line = list.rfind('\n', at);
  const auto start = line == std::string::npos ? 0 : line + 1;
  return list.substr(start, list.find(' ', start) - start);
}

// B20 (a): an idle stream costs no reconnects (the blocking read is not mistaken for a dead
// link); (b): a frozen redis-server (SIGSTOP) is noticed by hookline's own deadline, and
// after SIGCONT everything written during and after the freeze is delivered.
TEST(RedisFaultTest, B20IdleStreamKeepsItsLinkAndAFrozenServerIsSurvived) {
  FaultRig rig(FaultRig::Options{.scenario = "redis_freeze"});
  auto worker = rig.startWorker("w1");
  RedisLink link(rig.redisOptions());
  std::string reader;
  ASSERT_TRUE([&] {
    for (int i = 0; i < 100 && reader.empty(); ++i) {
      std::this_thread::sleep_for(50ms);
      reader = readerClientId(link);
    }
    return !reader.empty();
  }());
  std::this_thread::sleep_for(scenarioLength(5s));
  EXPECT_EQ(readerClientId(link), reader) << "the reader reconnected while the stream was idle";

  SteadyProducer producer(rig.steadyLoad("freeze", 4s, 20));
  producer.start();
  std::this_thread::sleep_for(1s);
  rig.redis().signal(SIGSTOP);
  std::this_thread::sleep_for(8s);  // longer than the reader's block time plus its deadline
  rig.redis().signal(SIGCONT);
  ASSERT_TRUE(producer.waitDone());
  expectEveryEventDelivered(rig.settle(producer.sent(), 60s));
  EXPECT_TRUE(worker->running()) << worker->logTail();
}

// B21: links are killed by the server again and again and the server restarts while events
// flow; every reconnect builds a fresh hiredis context, so nothing is used after it is freed
// (the sanitizer run of this suite checks that) and deliveries resume each time.
TEST(RedisFaultTest, B21ClientKillsAndRestartsWhileEventsFlow) {
  FaultRig rig(FaultRig::Options{.scenario = "client_kill", .append_only = true});
  auto worker = rig.startWorker("w1");
  const auto length = scenarioLength(6s);
  SteadyProducer producer(rig.steadyLoad("kill_links", length, 20));
  producer.start();
  int kills = 0;
  int restarts = 0;
  const auto until = std::chrono::steady_clock::now() + length;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(200ms);
    RedisLink admin(rig.redisOptions());
    if (admin.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"})) {
      ++kills;
    }
    if (kills % 15 == 14) {
      ASSERT_TRUE(rig.redis().restart().ok());
      ++restarts;
    }
  }
  ASSERT_TRUE(producer.waitDone());
  const FaultSummary summary = rig.settle(producer.sent(), 60s);
  std::cout << "fault scenario=client_kill kills=" << kills << " restarts=" << restarts
            << std::endl;
  expectEveryEventDelivered(summary);
  EXPECT_TRUE(worker->running()) << worker->logTail();
}

}  // namespace
}  // namespace hookline::testing
