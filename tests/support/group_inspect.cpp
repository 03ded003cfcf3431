#include "tests/support/group_inspect.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_redis.hpp"

namespace hookline::testing {

std::vector<std::string> workerArgs(const EngineHarness& harness, const std::string& consumer,
                                    const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--redis",
                                   "redis://127.0.0.1:" + std::to_string(sharedRedis().port()),
                                   "--stream",
                                   harness.stream(),
                                   "--group",
                                   harness.group(),
                                   "--dead-letter-stream",
                                   harness.deadLetterStream(),
                                   "--key-prefix",
                                   harness.prefix(),
                                   "worker",
                                   "--consumer",
                                   consumer,
                                   "--allow-http",
                                   "--allow-network",
                                   "127.0.0.1/32"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::map<std::string, int> postsById(const ReceiverServer& receiver) {
  std::map<std::string, int> posts;
  for (const auto& request : receiver.requests()) {
    posts[request.header("webhook-id")]++;
  }
  return posts;
}

RedisReply mustRun(RedisLink& link, const std::vector<std::string>& args) {
  auto reply = link.commandOk(args);
  EXPECT_TRUE(reply.ok()) << args.front() << ": " << (reply.ok() ? "" : reply.error().message);
  return reply ? std::move(reply).value() : RedisReply{};
}

std::vector<std::string> readAs(RedisLink& link, const std::string& stream,
                                const std::string& group, const std::string& consumer, int count) {
  std::vector<std::string> ids;
  auto reply = mustRun(link, {"XREADGROUP", "GROUP", group, consumer, "COUNT",
                              std::to_string(count), "STREAMS", stream, ">"});
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
    return ids;
  }
  const redisReply* entries = reply->element[0]->element[1];
  for (std::size_t i = 0; i < entries->elements; ++i) {
    ids.push_back(replyString(entries->element[i]->element[0]));
  }
  return ids;
}

long long consumerCount(RedisLink& link, const std::string& stream, const std::string& group) {
  auto reply = link.commandOk({"XINFO", "CONSUMERS", stream, group});
  return reply ? static_cast<long long>((*reply)->elements) : -1;
}

long long usedMemory(RedisLink& link) {
  auto reply = link.commandOk({"INFO", "memory"});
  if (!reply) {
    return -1;
  }
  const std::string text = replyString(reply->get());
  const std::string key = "used_memory:";
  const auto at = text.find(key);
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + key.size()));
}

long long retryDueCount(EngineHarness& harness) {
  auto reply = harness.redis().commandOk({"ZCARD", harness.prefix() + "retry:due"});
  return reply ? (*reply)->integer : -1;
}

}  // namespace hookline::testing
