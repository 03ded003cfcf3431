#include "engine/stream_reader.hpp"

#include <gtest/gtest.h>

#include <future>
#include <string>

#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

bool readerBlocked(RedisLink& admin) {
  auto reply = admin.commandOk({"CLIENT", "LIST"});
  return reply && replyString(reply->get()).find("cmd=xreadgroup") != std::string::npos;
}

bool groupExists(RedisLink& admin, const std::string& stream, const std::string& group) {
  auto reply = admin.command({"XINFO", "GROUPS", stream});
  if (!reply || (*reply)->type != REDIS_REPLY_ARRAY) {
    return false;
  }
  return (*reply)->elements == 1;
}

// Redis 7 wakes an XREADGROUP blocked on a stream that is deleted under it with an
// "UNBLOCKED ..." error reply. That is a missing group like NOGROUP: the reader recreates it
// and returns an empty batch instead of failing (which would cost a backoff pause and a
// warning), and the next read finds new entries.
TEST(StreamReaderTest, ABlockedReadWokenByUnblockedRecreatesTheGroup) {
  const std::string prefix = uniquePrefix();
  StreamReader::Options options{
      .stream = prefix + "events", .group = "hookline", .consumer = "c1", .block = 10s};
  RedisOptions redis;
  redis.endpoint.port = sharedRedis().port();
  RedisLink link(redis);
  StreamReader reader(link, options);
  ASSERT_TRUE(reader.ensureGroup().ok());
  auto pending = reader.readBatch();  // own pending list: empty, reading new ones from now on
  ASSERT_TRUE(pending.ok());
  ASSERT_FALSE(reader.readingOwnPending());

  RedisLink admin = connectShared();
  auto blocked = std::async(std::launch::async, [&] { return reader.readBatch(); });
  ASSERT_TRUE(waitUntil([&] { return readerBlocked(admin); }, 5s));
  ASSERT_TRUE(admin.commandOk({"DEL", options.stream}).ok());

  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready) << "the read stayed blocked";
  auto woken = blocked.get();
  ASSERT_TRUE(woken.ok()) << woken.error().message;
  EXPECT_TRUE(woken->empty());
  EXPECT_TRUE(reader.groupWasMissing());
  EXPECT_TRUE(groupExists(admin, options.stream, options.group));

  ASSERT_TRUE(admin.commandOk({"XADD", options.stream, "*", "k", "v"}).ok());
  auto next = reader.readBatch();
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->size(), 1u);
  EXPECT_FALSE(reader.groupWasMissing());
}

}  // namespace
}  // namespace hookline::testing
