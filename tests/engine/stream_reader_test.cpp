#include "engine/stream_reader.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <sstream>
#include <string>

#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

bool groupExists(RedisLink& admin, const std::string& stream, const std::string& group) {
  auto reply = admin.command({"XINFO", "GROUPS", stream});
  if (!reply || (*reply)->type != REDIS_REPLY_ARRAY) {
    return false;
  }
  return (*reply)->elements == 1;
}

// The client id of an XREADGROUP that is blocked right now (flags=b), or "". A client whose
// last command was a non-blocking XREADGROUP does not count.
std::string blockedReaderId(RedisLink& admin) {
  auto reply = admin.commandOk({"CLIENT", "LIST"});
  if (!reply) {
    return "";
  }
  std::istringstream list(replyString(reply->get()));
  for (std::string line; std::getline(list, line);) {
    if (line.find(" flags=b ") != std::string::npos &&
        line.find("cmd=xreadgroup") != std::string::npos) {
      const auto id = line.find("id=") + 3;
      return line.substr(id, line.find(' ', id) - id);
    }
  }
  return "";
}

class StreamReaderTest : public ::testing::Test {
 protected:
  StreamReaderTest() : link_(redisOptions()), reader_(link_, options_) {}

  static RedisOptions redisOptions() {
    RedisOptions redis;
    redis.endpoint.port = sharedRedis().port();
    return redis;
  }

  // Leaves the reader reading new entries (its own pending list is empty).
  void SetUp() override {
    ASSERT_TRUE(reader_.ensureGroup().ok());
    ASSERT_TRUE(reader_.readBatch().ok());
    ASSERT_FALSE(reader_.readingOwnPending());
  }

  // Starts a read that blocks, runs `wake` once it is blocked in Redis, and checks that the
  // woken read returns an empty batch, has recreated the group, and that reading goes on.
  void expectRecreatedAfter(const std::function<void(const std::string& reader_id)>& wake) {
    auto blocked = std::async(std::launch::async, [&] { return reader_.readBatch(); });
    std::string reader_id;
    ASSERT_TRUE(waitUntil([&] { return !(reader_id = blockedReaderId(admin_)).empty(); }, 5s));
    wake(reader_id);

    ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready) << "the read stayed blocked";
    auto woken = blocked.get();
    ASSERT_TRUE(woken.ok()) << woken.error().message;
    EXPECT_TRUE(woken->empty());
    EXPECT_TRUE(reader_.groupWasMissing());
    EXPECT_TRUE(groupExists(admin_, options_.stream, options_.group));

    ASSERT_TRUE(admin_.commandOk({"XADD", options_.stream, "*", "k", "v"}).ok());
    auto next = reader_.readBatch();
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_EQ(next->size(), 1u);
    EXPECT_FALSE(reader_.groupWasMissing());
  }

  StreamReader::Options options_{
      .stream = uniquePrefix() + "events", .group = "hookline", .consumer = "c1", .block = 10s};
  RedisLink link_;
  StreamReader reader_;
  RedisLink admin_ = connectShared();
};

// Redis 7 wakes an XREADGROUP blocked on a stream that is deleted under it with the error
// "UNBLOCKED the stream key no longer exists". That is a missing group like NOGROUP: the reader
// must recreate it and return an empty batch, not fail (which would cost a backoff pause, a
// warning and a not-ready spell).
TEST_F(StreamReaderTest, ABlockedReadWokenByTheStreamsDeletionRecreatesTheGroup) {
  expectRecreatedAfter([&](const std::string&) {
    ASSERT_TRUE(admin_.commandOk({"DEL", options_.stream}).ok());
  });
}

// The other way to an UNBLOCKED reply: an operator's CLIENT UNBLOCK ... ERROR, here in the same
// transaction that deletes the stream, so the woken reader finds it gone and recreates it.
TEST_F(StreamReaderTest, ABlockedReadWokenByUnblockedRecreatesTheGroup) {
  expectRecreatedAfter([&](const std::string& reader_id) {
    admin_.append({"MULTI"});
    admin_.append({"CLIENT", "UNBLOCK", reader_id, "ERROR"});
    admin_.append({"DEL", options_.stream});
    admin_.append({"EXEC"});
    auto replies = admin_.flush();
    ASSERT_TRUE(replies.ok());
    ASSERT_EQ(replies->size(), 4u);
    ASSERT_EQ((*replies)[3]->type, REDIS_REPLY_ARRAY) << replyString((*replies)[3].get());
    EXPECT_EQ((*replies)[3]->element[0]->integer, 1) << "the reader was blocked";
  });
}

}  // namespace
}  // namespace hookline::testing
