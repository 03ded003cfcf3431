#include "registry/webhook_cache.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "registry/webhook_codec.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/local_redis.hpp"

namespace hookline {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class WebhookCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    for (const char* channel : {"ch_1", "ch_2", "ch_3"}) {
      ASSERT_TRUE(store_->createChannel(channel, "acme").ok());
    }
  }

  RedisOptions sharedOptions() const {
    RedisOptions options;
    options.endpoint.port = testing::sharedRedis().port();
    return options;
  }

  std::unique_ptr<WebhookCache> startCache() {
    auto cache = std::make_unique<WebhookCache>(sharedOptions(), prefix_);
    EXPECT_TRUE(cache->start().ok());
    EXPECT_TRUE(cache->loaded());
    return cache;
  }

  static WebhookConfig config(std::string channel_id, std::string url, std::uint8_t events = 0x1F) {
    return WebhookConfig{std::move(channel_id), std::move(url), EventMask(events), 1767225600000};
  }

  // Polls until the cache holds `url` for the channel, or the deadline passes; returns how
  // long it took, or nullopt.
  static std::optional<milliseconds> waitForUrl(const WebhookCache& cache,
                                                const std::string& channel_id,
                                                const std::string& url, milliseconds deadline) {
    const auto start = Clock::now();
    while (Clock::now() - start < deadline) {
      auto found = cache.find(channel_id);
      if (found && found->url == url) {
        return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    return std::nullopt;
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
};

TEST_F(WebhookCacheTest, StartLoadsEveryStoredWebhook) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1", 0b00001)).ok());
  ASSERT_TRUE(store_->putWebhook(config("ch_2", "https://a.example/2", 0b00110)).ok());
  auto cache = startCache();
  EXPECT_EQ(cache->size(), 2u);
  auto first = cache->find("ch_1");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->url, "https://a.example/1");
  EXPECT_EQ(first->events, EventMask(0b00001));
  EXPECT_TRUE(first->secret.starts_with("whsec_"));
  auto second = cache->find("ch_2");
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->wants(EventKind::MessageOutgoing));
  EXPECT_FALSE(second->wants(EventKind::MessageIncoming));
}

TEST_F(WebhookCacheTest, ChannelWithoutWebhookIsNotFound) {
  auto cache = startCache();
  EXPECT_EQ(cache->find("ch_1"), nullptr);
  EXPECT_EQ(cache->find("nobody"), nullptr);
  EXPECT_EQ(cache->find(""), nullptr);
}

TEST_F(WebhookCacheTest, SeesAChangeWithinOneSecond) {
  auto cache = startCache();
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/new")).ok());
  auto took = waitForUrl(*cache, "ch_1", "https://a.example/new", milliseconds(1000));
  ASSERT_TRUE(took.has_value());
  EXPECT_LT(took->count(), 1000);
}

TEST_F(WebhookCacheTest, SeesAReplacementWithinOneSecond) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/old", 0x1F)).ok());
  auto cache = startCache();
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/new", 0b01000)).ok());
  ASSERT_TRUE(waitForUrl(*cache, "ch_1", "https://a.example/new", milliseconds(1000)));
  EXPECT_EQ(cache->find("ch_1")->events, EventMask(0b01000));
}

TEST_F(WebhookCacheTest, EverySecondCacheInstanceSeesTheChangeToo) {
  auto first = startCache();
  auto second = startCache();
  ASSERT_TRUE(store_->putWebhook(config("ch_2", "https://a.example/both")).ok());
  EXPECT_TRUE(waitForUrl(*first, "ch_2", "https://a.example/both", milliseconds(1000)));
  EXPECT_TRUE(waitForUrl(*second, "ch_2", "https://a.example/both", milliseconds(1000)));
}

TEST_F(WebhookCacheTest, SeesADisabledWebhookWithinOneSecond) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1")).ok());
  auto cache = startCache();
  const auto before = cache->version();
  ASSERT_TRUE(store_->disableWebhook("ch_1", "gone").ok());
  ASSERT_TRUE(cache->waitForVersion(before + 1, milliseconds(1000)));
  auto found = cache->find("ch_1");
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(found->disabled);
  EXPECT_FALSE(found->wants(EventKind::MessageStatus));
}

TEST_F(WebhookCacheTest, VersionAdvancesWithEachAppliedChange) {
  auto cache = startCache();
  const auto before = cache->version();
  ASSERT_TRUE(store_->putWebhook(config("ch_3", "https://a.example/v")).ok());
  ASSERT_TRUE(cache->waitForVersion(before + 1, milliseconds(1000)));
  auto found = cache->find("ch_3");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->url, "https://a.example/v");
}

TEST_F(WebhookCacheTest, WaitForVersionTimesOutWhenNothingChanges) {
  auto cache = startCache();
  EXPECT_FALSE(cache->waitForVersion(cache->version() + 1, milliseconds(300)));
}

TEST_F(WebhookCacheTest, ReloadsEverythingAfterTheChangeStreamIsDeleted) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1")).ok());
  auto cache = startCache();
  const auto reloads = cache->reloadCount();

  // Written behind the store's back, with no notification: only a full reload can see it.
  ASSERT_TRUE(link_
                  ->commandOk({"HSET", prefix_ + "webhooks", "ch_2",
                               encodeWebhook(config("ch_2", "https://a.example/quiet"))})
                  .ok());
  ASSERT_TRUE(link_->commandOk({"DEL", prefix_ + "registry:changes"}).ok());

  EXPECT_TRUE(waitForUrl(*cache, "ch_2", "https://a.example/quiet", milliseconds(1000)));
  EXPECT_GT(cache->reloadCount(), reloads);

  // And it follows the stream again once a new change re-creates it.
  ASSERT_TRUE(store_->putWebhook(config("ch_3", "https://a.example/after")).ok());
  EXPECT_TRUE(waitForUrl(*cache, "ch_3", "https://a.example/after", milliseconds(1000)));
}

TEST_F(WebhookCacheTest, ReloadsWhenUnreadChangesWereTrimmed) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1")).ok());
  auto cache = startCache();
  const auto reloads = cache->reloadCount();

  // The change and its trimming land in one transaction, so the follower never reads it.
  const std::string changes = prefix_ + "registry:changes";
  link_->append({"MULTI"});
  link_->append({"HSET", prefix_ + "webhooks", "ch_2",
                 encodeWebhook(config("ch_2", "https://a.example/trimmed"))});
  link_->append({"XADD", changes, "*", "channel", "ch_2"});
  link_->append({"XTRIM", changes, "MAXLEN", "0"});
  link_->append({"EXEC"});
  ASSERT_TRUE(link_->flush().ok());

  EXPECT_TRUE(waitForUrl(*cache, "ch_2", "https://a.example/trimmed", milliseconds(1000)));
  EXPECT_GT(cache->reloadCount(), reloads);
}

TEST_F(WebhookCacheTest, DeletedWebhookDisappearsAfterReload) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1")).ok());
  auto cache = startCache();
  ASSERT_NE(cache->find("ch_1"), nullptr);
  ASSERT_TRUE(link_->commandOk({"HDEL", prefix_ + "webhooks", "ch_1"}).ok());
  ASSERT_TRUE(cache->refreshNow(milliseconds(1000)));
  EXPECT_EQ(cache->find("ch_1"), nullptr);
}

TEST_F(WebhookCacheTest, ChangeNotificationForRemovedWebhookRemovesIt) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1")).ok());
  auto cache = startCache();
  const auto before = cache->version();
  ASSERT_TRUE(link_->commandOk({"HDEL", prefix_ + "webhooks", "ch_1"}).ok());
  ASSERT_TRUE(
      link_->commandOk({"XADD", prefix_ + "registry:changes", "*", "channel", "ch_1"}).ok());
  ASSERT_TRUE(cache->waitForVersion(before + 1, milliseconds(1000)));
  EXPECT_EQ(cache->find("ch_1"), nullptr);
}

TEST_F(WebhookCacheTest, RecoversAfterItsConnectionIsKilled) {
  auto cache = startCache();
  const auto reloads = cache->reloadCount();
  ASSERT_TRUE(link_->commandOk({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}).ok());

  const auto start = Clock::now();
  while (cache->reloadCount() == reloads && Clock::now() - start < std::chrono::seconds(3)) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_GT(cache->reloadCount(), reloads);
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/after-kill")).ok());
  EXPECT_TRUE(waitForUrl(*cache, "ch_1", "https://a.example/after-kill", milliseconds(1000)));
}

TEST_F(WebhookCacheTest, StartsUnloadedWhileRedisIsDownAndLoadsOnceItIsUp) {
  LocalRedis::Options redis_options;
  redis_options.port = freeLoopbackPort();
  RedisOptions options;
  options.endpoint.port = redis_options.port;
  options.connect_timeout = milliseconds(200);

  WebhookCache cache(options, prefix_);
  EXPECT_FALSE(cache.start().ok());
  EXPECT_FALSE(cache.loaded());
  EXPECT_EQ(cache.find("ch_1"), nullptr);

  auto redis = LocalRedis::start(redis_options);
  ASSERT_TRUE(redis.ok()) << redis.error().message;
  const auto start = Clock::now();
  while (!cache.loaded() && Clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(cache.loaded());
  cache.stop();
}

TEST_F(WebhookCacheTest, StopReturnsPromptly) {
  auto cache = startCache();
  const auto start = Clock::now();
  cache->stop();
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
}

TEST_F(WebhookCacheTest, ConcurrentReadersSeeWholeConfigsWhileItChanges) {
  auto cache = startCache();
  std::atomic<bool> done{false};
  std::atomic<long> lookups{0};
  std::atomic<long> torn{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        if (auto found = cache->find("ch_1")) {
          // Every config written below has the URL and mask derived from the same number.
          const auto n = std::stoi(found->url.substr(found->url.rfind('/') + 1));
          if (found->events != EventMask(static_cast<std::uint8_t>(n % 32))) {
            torn.fetch_add(1);
          }
        }
        lookups.fetch_add(1);
      }
    });
  }
  bool stored = true;
  for (int i = 0; i < 200 && stored; ++i) {
    stored = store_
                 ->putWebhook(config("ch_1", "https://a.example/" + std::to_string(i),
                                     static_cast<std::uint8_t>(i % 32)))
                 .ok();
  }
  EXPECT_TRUE(stored);
  EXPECT_TRUE(waitForUrl(*cache, "ch_1", "https://a.example/199", milliseconds(1000)));
  done.store(true);
  for (auto& reader : readers) {
    reader.join();
  }
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(lookups.load(), 0);
}

}  // namespace
}  // namespace hookline
