#include "engine/outcome_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

class OutcomeWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(admin_.commandOk({"XGROUP", "CREATE", stream_, "g", "$", "MKSTREAM"}).ok());
  }

  // Adds `count` entries and reads them through the group, so each is pending until acked.
  std::vector<std::string> pendingEntries(int count) {
    for (int i = 0; i < count; ++i) {
      EXPECT_TRUE(admin_.commandOk({"XADD", stream_, "*", "n", std::to_string(i)}).ok());
    }
    auto reply = admin_.commandOk(
        {"XREADGROUP", "GROUP", "g", "c", "COUNT", std::to_string(count), "STREAMS", stream_, ">"});
    EXPECT_TRUE(reply.ok());
    std::vector<std::string> ids;
    const redisReply* entries = (*reply)->element[0]->element[1];
    for (std::size_t i = 0; i < entries->elements; ++i) {
      ids.push_back(replyString(entries->element[i]->element[0]));
    }
    return ids;
  }

  long long pendingCount() {
    auto reply = admin_.commandOk({"XPENDING", stream_, "g"});
    return reply.ok() ? (*reply)->element[0]->integer : -1;
  }

  std::vector<std::string> list(const std::string& key) {
    std::vector<std::string> items;
    auto reply = admin_.commandOk({"LRANGE", key, "0", "-1"});
    for (std::size_t i = 0; reply.ok() && i < (*reply)->elements; ++i) {
      items.push_back(replyString((*reply)->element[i]));
    }
    return items;
  }

  OutcomeWriter makeWriter(std::size_t attempt_history) {
    RedisOptions redis;
    redis.endpoint.port = sharedRedis().port();
    return OutcomeWriter(redis,
                         OutcomeWriter::Options{.stream = stream_,
                                                .group = "g",
                                                .key_prefix = prefix_,
                                                .attempt_history = attempt_history},
                         [this](std::size_t count) { written_ += count; });
  }

  RedisLink admin_ = connectShared();
  std::string prefix_ = uniquePrefix();
  std::string stream_ = prefix_ + "events";
  std::atomic<std::size_t> written_{0};
};

// Records without other writes take the pipeline path, those with writes a transaction; one
// batch holding both keeps each list in the order the attempts ended and acks every entry.
TEST_F(OutcomeWriterTest, KeepsRecordOrderAcrossPipelinedAndTransactionalOutcomes) {
  const auto ids = pendingEntries(7);
  const std::string list_a = prefix_ + "attempts:a";
  const std::string list_b = prefix_ + "attempts:b";
  OutcomeWriter writer = makeWriter(1000);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Outcome outcome{.ack_entry_id = ids[i],
                    .attempt = AttemptRecord{.list_key = i % 2 == 0 ? list_a : list_b,
                                             .record = "r" + std::to_string(i)}};
    if (i == 2) {
      outcome.writes.push_back({"SET", prefix_ + "written", "yes"});
    }
    writer.submit(std::move(outcome));  // before start(): all seven land in one batch
  }
  writer.start();
  ASSERT_TRUE(waitUntil([&] { return written_.load() == ids.size(); }, 5s));

  EXPECT_EQ(list(list_a), (std::vector<std::string>{"r6", "r4", "r2", "r0"}));
  EXPECT_EQ(list(list_b), (std::vector<std::string>{"r5", "r3", "r1"}));
  EXPECT_EQ(replyString(admin_.commandOk({"GET", prefix_ + "written"})->get()), "yes");
  EXPECT_EQ(pendingCount(), 0);
}

TEST_F(OutcomeWriterTest, CapsEachListEvenWhenOneBatchBringsMoreRecords) {
  const auto ids = pendingEntries(10);
  const std::string key = prefix_ + "attempts:a";
  OutcomeWriter writer = makeWriter(3);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    writer.submit(Outcome{.ack_entry_id = ids[i],
                          .attempt = AttemptRecord{.list_key = key, .record = std::to_string(i)}});
  }
  writer.start();
  ASSERT_TRUE(waitUntil([&] { return written_.load() == ids.size(); }, 5s));

  EXPECT_EQ(list(key), (std::vector<std::string>{"9", "8", "7"}));
  EXPECT_EQ(pendingCount(), 0);
}

}  // namespace
}  // namespace hookline::testing
