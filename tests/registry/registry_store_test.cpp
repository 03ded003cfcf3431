#include "registry/registry_store.hpp"

#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/local_redis.hpp"

namespace hookline {
namespace {

class RegistryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    ASSERT_TRUE(store_->createChannel("ch_1", "acme").ok());
  }

  static WebhookConfig config(std::string channel_id, std::string url, std::uint8_t events = 0x1F) {
    return WebhookConfig{std::move(channel_id), std::move(url), EventMask(events), 1767225600000};
  }

  long long changeCount() {
    auto reply = link_->commandOk({"XLEN", prefix_ + "registry:changes"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? (*reply)->integer : -1;
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
};

TEST_F(RegistryStoreTest, CreatedAccountExists) {
  auto exists = store_->accountExists("acme");
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);
  auto missing = store_->accountExists("globex");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST_F(RegistryStoreTest, DuplicateAccountIsRefused) {
  auto status = store_->createAccount("acme");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "account \"acme\" already exists");
}

TEST_F(RegistryStoreTest, AccountNamesFollowTheAlphabetAndLength) {
  EXPECT_TRUE(store_->createAccount("A-b_c.9").ok());
  EXPECT_TRUE(store_->createAccount(std::string(64, 'a')).ok());
  EXPECT_FALSE(store_->createAccount(std::string(65, 'b')).ok());
  EXPECT_FALSE(store_->createAccount("").ok());
  EXPECT_FALSE(store_->createAccount("has space").ok());
  EXPECT_FALSE(store_->createAccount("colon:name").ok());
  auto status = store_->createAccount("slash/name");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "invalid account name \"slash/name\": use 1 to 64 letters, digits, '_', '-' or '.'");
}

TEST_F(RegistryStoreTest, ChannelBelongsToItsAccount) {
  auto owner = store_->channelAccount("ch_1");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(*owner, std::optional<std::string>("acme"));
}

TEST_F(RegistryStoreTest, UnknownChannelHasNoAccount) {
  auto owner = store_->channelAccount("ch_404");
  ASSERT_TRUE(owner.ok());
  EXPECT_FALSE(owner->has_value());
}

TEST_F(RegistryStoreTest, ChannelForUnknownAccountIsRefused) {
  auto status = store_->createChannel("ch_2", "globex");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "account \"globex\" does not exist");
  auto owner = store_->channelAccount("ch_2");
  ASSERT_TRUE(owner.ok());
  EXPECT_FALSE(owner->has_value());
}

TEST_F(RegistryStoreTest, DuplicateChannelIsRefusedEvenForAnotherAccount) {
  ASSERT_TRUE(store_->createAccount("globex").ok());
  auto status = store_->createChannel("ch_1", "globex");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "channel \"ch_1\" already exists");
  auto owner = store_->channelAccount("ch_1");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(*owner, std::optional<std::string>("acme"));
}

TEST_F(RegistryStoreTest, ChannelIdsFollowTheAlphabetAndLength) {
  EXPECT_TRUE(store_->createChannel(std::string(128, 'c'), "acme").ok());
  EXPECT_FALSE(store_->createChannel(std::string(129, 'd'), "acme").ok());
  EXPECT_FALSE(store_->createChannel("", "acme").ok());
  EXPECT_FALSE(store_->createChannel("ch 1", "acme").ok());
  EXPECT_FALSE(store_->createChannel("ch/1", "acme").ok());
}

TEST_F(RegistryStoreTest, StoredWebhookReadsBackEqual) {
  auto put = store_->putWebhook(config("ch_1", "https://hooks.example.com/a", 0b10101));
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->config.url, "https://hooks.example.com/a");
  EXPECT_EQ(put->config.events, EventMask(0b10101));
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::optional<WebhookConfig>(put->config));
}

TEST_F(RegistryStoreTest, FirstPutCreatesASigningSecret) {
  auto put = store_->putWebhook(config("ch_1", "https://a.example/"));
  ASSERT_TRUE(put.ok());
  EXPECT_TRUE(put->created);
  ASSERT_TRUE(put->config.secret.starts_with("whsec_"));
  auto key = crypto::base64Decode(put->config.secret.substr(6));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 32u);
}

TEST_F(RegistryStoreTest, LaterPutsKeepTheSigningSecret) {
  auto first = store_->putWebhook(config("ch_1", "https://a.example/1"));
  auto second = store_->putWebhook(config("ch_1", "https://a.example/2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->config.secret, first->config.secret);
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->secret, first->config.secret);
}

TEST_F(RegistryStoreTest, PutWithASecretStoresThatSecret) {
  auto given = config("ch_1", "https://a.example/");
  given.secret = "whsec_c2VjcmV0";
  given.previous_secret = "whsec_b2xk";
  given.previous_secret_expires_at_ms = 1767225700000;
  auto put = store_->putWebhook(given);
  ASSERT_TRUE(put.ok());
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::optional<WebhookConfig>(given));
}

TEST_F(RegistryStoreTest, DisableMarksTheWebhookAndAnnouncesIt) {
  auto put = store_->putWebhook(config("ch_1", "https://a.example/"));
  ASSERT_TRUE(put.ok());
  ASSERT_TRUE(store_->disableWebhook("ch_1", "receiver answered 410").ok());
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_TRUE((*read)->disabled);
  EXPECT_EQ((*read)->disabled_reason, "receiver answered 410");
  EXPECT_FALSE((*read)->wants(EventKind::MessageStatus));
  EXPECT_EQ((*read)->url, put->config.url);
  EXPECT_EQ((*read)->secret, put->config.secret);
  EXPECT_EQ(changeCount(), 2);
}

TEST_F(RegistryStoreTest, DisablingTwiceAnnouncesOnce) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/")).ok());
  ASSERT_TRUE(store_->disableWebhook("ch_1", "gone").ok());
  ASSERT_TRUE(store_->disableWebhook("ch_1", "gone again").ok());
  EXPECT_EQ(changeCount(), 2);
}

TEST_F(RegistryStoreTest, DisablingAChannelWithoutWebhookDoesNothing) {
  ASSERT_TRUE(store_->disableWebhook("ch_1", "gone").ok());
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
  EXPECT_EQ(changeCount(), 0);
}

TEST_F(RegistryStoreTest, PutEnablesADisabledWebhookAgain) {
  auto first = store_->putWebhook(config("ch_1", "https://a.example/"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(store_->disableWebhook("ch_1", "gone").ok());
  auto second = store_->putWebhook(config("ch_1", "https://b.example/"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->config.disabled);
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_FALSE((*read)->disabled);
  EXPECT_TRUE((*read)->disabled_reason.empty());
  EXPECT_EQ((*read)->secret, first->config.secret);
}

TEST_F(RegistryStoreTest, ChannelWithoutWebhookReadsNothing) {
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

TEST_F(RegistryStoreTest, SecondPutReplacesTheWholeConfig) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/1", 0x1F)).ok());
  auto second = store_->putWebhook(config("ch_1", "https://b.example/2", 0b00100));
  ASSERT_TRUE(second.ok());
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->url, "https://b.example/2");
  EXPECT_EQ((*read)->events, EventMask(0b00100));
  EXPECT_EQ(*read, std::optional<WebhookConfig>(second->config));
}

TEST_F(RegistryStoreTest, PutAppendsOneChangeNamingTheChannel) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/")).ok());
  auto entries = link_->commandOk({"XRANGE", prefix_ + "registry:changes", "-", "+"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ((*entries)->elements, 1u);
  const redisReply* fields = (*entries)->element[0]->element[1];
  ASSERT_EQ(fields->elements, 2u);
  EXPECT_EQ(replyString(fields->element[0]), "channel");
  EXPECT_EQ(replyString(fields->element[1]), "ch_1");
}

TEST_F(RegistryStoreTest, PutForUnknownChannelWritesNothing) {
  auto status = store_->putWebhook(config("ch_404", "https://a.example/"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "channel \"ch_404\" does not exist");
  auto read = store_->getWebhook("ch_404");
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
  EXPECT_EQ(changeCount(), 0);
}

TEST_F(RegistryStoreTest, PutWithBrokenChangeStreamWritesNothing) {
  auto before = store_->putWebhook(config("ch_1", "https://a.example/before"));
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(link_->commandOk({"DEL", prefix_ + "registry:changes"}).ok());
  ASSERT_TRUE(link_->commandOk({"SET", prefix_ + "registry:changes", "not a stream"}).ok());

  auto status = store_->putWebhook(config("ch_1", "https://a.example/after"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("not a stream"), std::string::npos);
  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::optional<WebhookConfig>(before->config));
}

TEST_F(RegistryStoreTest, ChangeStreamIsCappedNearTenThousand) {
  const auto webhook = config("ch_1", "https://a.example/");
  // Enough puts to pass the cap by more than one macro node, so approximate trimming acts.
  for (int i = 0; i < 10300; ++i) {
    link_->append({"XADD", prefix_ + "registry:changes", "*", "channel", "ch_1"});
  }
  ASSERT_TRUE(link_->flush().ok());
  ASSERT_TRUE(store_->putWebhook(webhook).ok());
  EXPECT_LT(changeCount(), 10300);
  EXPECT_GE(changeCount(), 10000);
}

TEST_F(RegistryStoreTest, AllWebhooksListsEveryStoredWebhook) {
  constexpr int kChannels = 2500;  // several HSCAN pages
  for (int i = 0; i < kChannels; ++i) {
    link_->append({"HSET", prefix_ + "channels", "c" + std::to_string(i), "acme"});
  }
  ASSERT_TRUE(link_->flush().ok());
  for (int i = 0; i < kChannels; ++i) {
    ASSERT_TRUE(
        store_
            ->putWebhook(config("c" + std::to_string(i), "https://a.example/" + std::to_string(i)))
            .ok());
  }
  auto all = store_->allWebhooks();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kChannels));
  std::set<std::string> channels;
  for (const auto& webhook : *all) {
    EXPECT_EQ(webhook.url, "https://a.example/" + webhook.channel_id.substr(1));
    channels.insert(webhook.channel_id);
  }
  EXPECT_EQ(channels.size(), static_cast<std::size_t>(kChannels));
}

TEST_F(RegistryStoreTest, UndecodableWebhookIsSkippedByTheListAndAnErrorWhenRead) {
  ASSERT_TRUE(store_->putWebhook(config("ch_1", "https://a.example/")).ok());
  ASSERT_TRUE(link_->commandOk({"HSET", prefix_ + "webhooks", "ch_bad", "{not json"}).ok());
  auto all = store_->allWebhooks();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().channel_id, "ch_1");
  EXPECT_FALSE(store_->getWebhook("ch_bad").ok());
}

TEST_F(RegistryStoreTest, UnreachableRedisIsAnErrorNotAnAnswer) {
  RedisOptions options;
  options.endpoint.port = freeLoopbackPort();
  options.connect_timeout = std::chrono::milliseconds(500);
  RedisLink dead(options);
  RegistryStore store(dead, prefix_);
  EXPECT_FALSE(store.channelAccount("ch_1").ok());
  EXPECT_FALSE(store.accountForKey("hk_" + std::string(43, 'A')).ok());
  EXPECT_FALSE(store.putWebhook(config("ch_1", "https://a.example/")).ok());
  EXPECT_FALSE(store.getWebhook("ch_1").ok());
  EXPECT_FALSE(store.allWebhooks().ok());
}

}  // namespace
}  // namespace hookline
