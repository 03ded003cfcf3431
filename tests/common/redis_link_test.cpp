#include "common/redis_link.hpp"

#include <csignal>

#include <gtest/gtest.h>

#include "tools/local_redis.hpp"

namespace hookline {
namespace {

// A server that stops answering is reported as what it is, not as hiredis's bare EAGAIN text.
TEST(RedisLinkTest, ASilentServerIsReportedAsNoAnswerWithinTheCommandTimeout) {
  auto redis = LocalRedis::start();
  ASSERT_TRUE(redis.ok()) << redis.error().message;
  RedisOptions options;
  options.endpoint.port = (*redis)->port();
  options.command_timeout = std::chrono::milliseconds(300);
  RedisLink link(options);
  ASSERT_TRUE(link.commandOk({"PING"}).ok());

  (*redis)->signal(SIGSTOP);
  auto silent = link.command({"PING"});
  (*redis)->signal(SIGCONT);

  ASSERT_FALSE(silent.ok());
  EXPECT_NE(silent.error().message.find("no answer within the command timeout of 300 ms"),
            std::string::npos)
      << silent.error().message;
  EXPECT_TRUE(link.commandOk({"PING"}).ok()) << "the link connects again once the server answers";
}

}  // namespace
}  // namespace hookline
