#include "tests/support/stream_inspect.hpp"

#include <gtest/gtest.h>

namespace hookline::testing {

std::string xadd(RedisLink& link, const std::string& stream, const StreamFields& fields) {
  std::vector<std::string> args = {"XADD", stream, "*"};
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
  auto reply = link.commandOk(args);
  EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().message);
  return reply ? replyString(reply->get()) : "";
}

std::vector<StreamFields> readStream(RedisLink& link, const std::string& stream) {
  std::vector<StreamFields> entries;
  auto reply = link.commandOk({"XRANGE", stream, "-", "+"});
  if (!reply) {
    return entries;
  }
  for (std::size_t i = 0; i < (*reply)->elements; ++i) {
    const redisReply* fields = (*reply)->element[i]->element[1];
    StreamFields entry;
    for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
      entry.emplace_back(replyString(fields->element[f]), replyString(fields->element[f + 1]));
    }
    entries.push_back(entry);
  }
  return entries;
}

std::string fieldOf(const StreamFields& fields, const std::string& name) {
  for (const auto& [key, value] : fields) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

std::vector<std::string> attemptRecords(RedisLink& link, const std::string& prefix,
                                        const std::string& channel) {
  std::vector<std::string> records;
  auto reply = link.commandOk({"LRANGE", prefix + "attempts:" + channel, "0", "-1"});
  if (reply) {
    for (std::size_t i = 0; i < (*reply)->elements; ++i) {
      records.push_back(replyString((*reply)->element[i]));
    }
  }
  return records;
}

}  // namespace hookline::testing
