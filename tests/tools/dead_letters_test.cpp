#include "tools/dead_letters.hpp"

#include <gtest/gtest.h>

#include "tests/support/stream_inspect.hpp"
#include "tests/support/test_redis.hpp"

namespace hookline {
namespace {

using testing::fieldOf;
using testing::readStream;
using testing::xadd;

class DeadLettersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = testing::uniquePrefix();
    events_ = prefix_ + "events";
    dead_ = prefix_ + "dead";
  }

  std::string addDeadLetter(const std::string& channel, const std::string& reason,
                            const std::string& source_id, bool with_event_id) {
    StreamFields fields = {
        {"type", "message_status"}, {"channel_id", channel}, {"payload", R"({"a":1})"}};
    if (with_event_id) {
      fields.emplace_back("event_id", "evt_given");
    }
    fields.insert(fields.end(), {{"dead_reason", reason},
                                 {"dead_detail", "http 403"},
                                 {"dead_attempts", "1"},
                                 {"dead_source_stream", events_},
                                 {"dead_source_id", source_id},
                                 {"dead_at", "2026-12-04T16:30:21.000Z"}});
    return xadd(link_, dead_, fields);
  }

  RedisLink link_ = testing::connectShared();
  std::string prefix_;
  std::string events_;
  std::string dead_;
};

TEST_F(DeadLettersTest, ListsWithFilters) {
  addDeadLetter("ch_a", "rejected by receiver", "1-0", true);
  addDeadLetter("ch_b", "retries exhausted", "2-0", true);
  addDeadLetter("ch_a", "retries exhausted", "3-0", true);

  auto all = listDeadLetters(link_, dead_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto channel = listDeadLetters(link_, dead_, {.channel = "ch_a"});
  EXPECT_EQ(channel->size(), 2u);
  auto reason = listDeadLetters(link_, dead_, {.channel = "ch_a", .reason = "retries exhausted"});
  ASSERT_EQ(reason->size(), 1u);
  EXPECT_EQ(reason->front().field("dead_source_id"), "3-0");
  auto limited = listDeadLetters(link_, dead_, {.limit = 2});
  EXPECT_EQ(limited->size(), 2u);
}

TEST_F(DeadLettersTest, ReplayRestoresTheOriginalFieldsAndRemovesTheDeadLetter) {
  const std::string id = addDeadLetter("ch_a", "rejected by receiver", "1-0", true);
  auto entries = listDeadLetters(link_, dead_, {.ids = {id}});
  ASSERT_EQ(entries->size(), 1u);

  auto added = replayDeadLetter(link_, dead_, entries->front(), "unused");

  ASSERT_TRUE(added.ok()) << added.error().message;
  const auto replayed = readStream(link_, events_);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(fieldOf(replayed[0], "event_id"), "evt_given");
  EXPECT_EQ(fieldOf(replayed[0], "channel_id"), "ch_a");
  EXPECT_EQ(fieldOf(replayed[0], "payload"), R"({"a":1})");
  EXPECT_EQ(fieldOf(replayed[0], "dead_reason"), "") << "dead_* fields stripped";
  EXPECT_TRUE(readStream(link_, dead_).empty());
}

TEST_F(DeadLettersTest, ReplayKeepsTheDerivedEventIdOfAnEntryThatHadNone) {
  addDeadLetter("ch_a", "invalid entry", "1733331021000-0", false);
  auto entries = listDeadLetters(link_, dead_, {});

  ASSERT_TRUE(replayDeadLetter(link_, dead_, entries->front(), "unused").ok());

  const auto replayed = readStream(link_, events_);
  EXPECT_EQ(fieldOf(replayed[0], "event_id"), deriveEventId(events_, "1733331021000-0"));
}

TEST(MissingIdsTest, NamesEveryRequestedIdThatWasNotFoundInOrder) {
  const std::vector<DeadLetterEntry> found = {{.id = "1-1", .fields = {}},
                                              {.id = "2-0", .fields = {}}};
  EXPECT_EQ(missingIds({"2-0", "nonsense", "1-1", "9-9"}, found),
            (std::vector<std::string>{"nonsense", "9-9"}));
  EXPECT_TRUE(missingIds({}, found).empty()) << "a filter names no ids";
  EXPECT_TRUE(missingIds({"1-1"}, found).empty());
}

}  // namespace
}  // namespace hookline
