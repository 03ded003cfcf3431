// RegistryStore::deleteWebhook and rotateSecret: what they store, what they announce, and
// that they refuse to half-write.

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "registry/registry_store.hpp"
#include "tests/support/test_redis.hpp"

namespace hookline {
namespace {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class WebhookLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    ASSERT_TRUE(store_->createChannel("ch_1", "acme").ok());
    ASSERT_TRUE(store_->createChannel("ch_2", "acme").ok());
    auto put = store_->putWebhook(
        {"ch_1", "https://hooks.example.com/in", EventMask::all(), 1767225600000});
    ASSERT_TRUE(put.ok());
    stored_ = put->config;
  }

  long long changeCount() {
    auto reply = link_->commandOk({"XLEN", prefix_ + "registry:changes"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? (*reply)->integer : -1;
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
  WebhookConfig stored_;
};

TEST_F(WebhookLifecycleTest, DeleteRemovesTheWebhookAndAnnouncesTheChannel) {
  const long long before = changeCount();
  auto deleted = store_->deleteWebhook("ch_1");
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  auto webhook = store_->getWebhook("ch_1");
  ASSERT_TRUE(webhook.ok());
  EXPECT_FALSE(webhook->has_value());
  ASSERT_EQ(changeCount(), before + 1);
  auto last = link_->commandOk({"XREVRANGE", prefix_ + "registry:changes", "+", "-", "COUNT", "1"});
  ASSERT_TRUE(last.ok());
  const redisReply* fields = (*last)->element[0]->element[1];
  EXPECT_EQ(replyString(fields->element[0]), "channel");
  EXPECT_EQ(replyString(fields->element[1]), "ch_1");
}

TEST_F(WebhookLifecycleTest, DeleteWithoutAWebhookWritesNothing) {
  const long long before = changeCount();
  for (const char* channel : {"ch_2", "ch_missing", "bad channel"}) {
    auto deleted = store_->deleteWebhook(channel);
    ASSERT_TRUE(deleted.ok()) << deleted.error().message;
    EXPECT_FALSE(*deleted) << channel;
  }
  EXPECT_EQ(changeCount(), before);
}

TEST_F(WebhookLifecycleTest, DeleteRefusesAWrongTypedChangeStreamBeforeWriting) {
  ASSERT_TRUE(link_->commandOk({"DEL", prefix_ + "registry:changes"}).ok());
  ASSERT_TRUE(link_->commandOk({"SET", prefix_ + "registry:changes", "oops"}).ok());
  auto deleted = store_->deleteWebhook("ch_1");
  EXPECT_FALSE(deleted.ok());
  auto webhook = store_->getWebhook("ch_1");
  ASSERT_TRUE(webhook.ok());
  EXPECT_TRUE(webhook->has_value());
}

TEST_F(WebhookLifecycleTest, RotateKeepsTheOldSecretUntilTheGraceEnds) {
  const long long before = changeCount();
  const std::int64_t start = nowMs();
  auto rotated = store_->rotateSecret("ch_1", std::chrono::minutes(10));
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  ASSERT_TRUE(rotated->has_value());
  const WebhookConfig& config = **rotated;
  EXPECT_NE(config.secret, stored_.secret);
  EXPECT_TRUE(config.secret.starts_with("whsec_"));
  EXPECT_EQ(config.previous_secret, stored_.secret);
  EXPECT_GE(config.previous_secret_expires_at_ms, start + 600000);
  EXPECT_LE(config.previous_secret_expires_at_ms, nowMs() + 600000);
  EXPECT_EQ(config.url, stored_.url);
  EXPECT_EQ(config.updated_at_ms, stored_.updated_at_ms);
  EXPECT_EQ(changeCount(), before + 1);

  const auto signing = config.activeSecrets(nowMs());
  ASSERT_EQ(signing.size(), 2u);
  EXPECT_EQ(signing[0], config.secret);
  EXPECT_EQ(signing[1], stored_.secret);
  EXPECT_EQ(config.activeSecrets(config.previous_secret_expires_at_ms).size(), 1u);

  auto read = store_->getWebhook("ch_1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, config);
}

TEST_F(WebhookLifecycleTest, RotateWithoutAWebhookWritesNothing) {
  const long long before = changeCount();
  auto rotated = store_->rotateSecret("ch_2", std::chrono::hours(24));
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_FALSE(rotated->has_value());
  EXPECT_EQ(changeCount(), before);
}

TEST_F(WebhookLifecycleTest, SetWebhookAfterRotationKeepsBothSecrets) {
  auto rotated = store_->rotateSecret("ch_1", std::chrono::hours(1));
  ASSERT_TRUE(rotated.ok() && rotated->has_value());
  auto put = store_->putWebhook(
      {"ch_1", "https://hooks.example.com/new", EventMask::all(), 1767225600001});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->config.secret, (*rotated)->secret);
  EXPECT_EQ(put->config.previous_secret, stored_.secret);
}

}  // namespace
}  // namespace hookline
