#include "tools/local_redis.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <string>

namespace hookline {
namespace {

std::string blockedSignalsOf(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("SigBlk:", 0) == 0) {
      return line.substr(line.find_first_not_of(" \t", 7));
    }
  }
  return "";
}

// Regression: a caller that blocks SIGTERM for its signal thread (the demo does) used to hand
// that mask to redis-server, which then ignored SIGTERM and outlived a killed caller.
TEST(LocalRedisTest, ServerDoesNotInheritTheCallersBlockedSignals) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &set, &previous);

  auto redis = LocalRedis::start();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ASSERT_TRUE(redis.ok()) << redis.error().message;

  EXPECT_EQ(blockedSignalsOf((*redis)->pid()), "0000000000000000");
}

}  // namespace
}  // namespace hookline
