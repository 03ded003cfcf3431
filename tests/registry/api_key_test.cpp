#include "registry/api_key.hpp"

#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/test_redis.hpp"

namespace hookline {
namespace {

class ApiKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    ASSERT_TRUE(store_->createAccount("globex").ok());
  }

  std::string createKey(const std::string& account) {
    auto key = store_->createApiKey(account);
    EXPECT_TRUE(key.ok());
    return key.ok() ? *key : std::string();
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
};

TEST_F(ApiKeyTest, GeneratedKeyIsPrefixAndBase64UrlOf32Bytes) {
  const std::string key = generateApiKey();
  ASSERT_TRUE(key.starts_with("hk_"));
  EXPECT_EQ(key.size(), 3u + 43u);
  EXPECT_EQ(
      key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 3),
      std::string::npos);
  EXPECT_TRUE(hasApiKeyFormat(key));
}

TEST_F(ApiKeyTest, GeneratedKeysDiffer) {
  std::set<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    keys.insert(generateApiKey());
  }
  EXPECT_EQ(keys.size(), 100u);
}

TEST_F(ApiKeyTest, HashIsLowercaseHexSha256OfTheKey) {
  const std::string key = generateApiKey();
  EXPECT_EQ(hashApiKey(key), crypto::sha256Hex(key));
  EXPECT_EQ(hashApiKey(key).size(), 64u);
  EXPECT_EQ(hashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(ApiKeyTest, MalformedKeysFailTheFormatCheck) {
  const std::string key = generateApiKey();
  EXPECT_FALSE(hasApiKeyFormat(""));
  EXPECT_FALSE(hasApiKeyFormat("hk_"));
  EXPECT_FALSE(hasApiKeyFormat(key.substr(0, key.size() - 1)));
  EXPECT_FALSE(hasApiKeyFormat(key + "A"));
  EXPECT_FALSE(hasApiKeyFormat("xx_" + key.substr(3)));
  EXPECT_FALSE(hasApiKeyFormat(key.substr(0, 10) + "+" + key.substr(11)));
}

TEST_F(ApiKeyTest, CreatedKeyFindsItsAccount) {
  const std::string key = createKey("acme");
  auto account = store_->accountForKey(key);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(*account, std::optional<std::string>("acme"));
}

TEST_F(ApiKeyTest, KeyForUnknownAccountIsRefused) {
  auto key = store_->createApiKey("initech");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().message, "account \"initech\" does not exist");
}

TEST_F(ApiKeyTest, UnknownKeyFindsNoAccount) {
  auto account = store_->accountForKey(generateApiKey());
  ASSERT_TRUE(account.ok());
  EXPECT_FALSE(account->has_value());
}

TEST_F(ApiKeyTest, AlteredKeyFindsNoAccount) {
  std::string key = createKey("acme");
  key.back() = key.back() == 'A' ? 'B' : 'A';
  auto account = store_->accountForKey(key);
  ASSERT_TRUE(account.ok());
  EXPECT_FALSE(account->has_value());
}

TEST_F(ApiKeyTest, RevokedKeyFindsNoAccount) {
  const std::string key = createKey("acme");
  auto revoked = store_->revokeApiKey(key);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(*revoked);
  auto account = store_->accountForKey(key);
  ASSERT_TRUE(account.ok());
  EXPECT_FALSE(account->has_value());
}

TEST_F(ApiKeyTest, RevokingTwiceStillFindsTheKey) {
  const std::string key = createKey("acme");
  ASSERT_TRUE(store_->revokeApiKey(key).ok());
  auto again = store_->revokeApiKey(key);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
}

TEST_F(ApiKeyTest, RevokingAnUnknownKeyReportsNotFoundAndCreatesNothing) {
  const std::string key = generateApiKey();
  auto revoked = store_->revokeApiKey(key);
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(*revoked);
  auto exists = link_->commandOk({"EXISTS", prefix_ + "apikey:" + hashApiKey(key)});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ((*exists)->integer, 0);
}

TEST_F(ApiKeyTest, RevokingOneKeyLeavesTheAccountsOtherKeys) {
  const std::string first = createKey("acme");
  const std::string second = createKey("acme");
  ASSERT_TRUE(store_->revokeApiKey(first).ok());
  auto account = store_->accountForKey(second);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(*account, std::optional<std::string>("acme"));
}

TEST_F(ApiKeyTest, KeyReachesOnlyItsOwnAccount) {
  const std::string acme_key = createKey("acme");
  const std::string globex_key = createKey("globex");
  ASSERT_TRUE(store_->createChannel("ch_globex", "globex").ok());

  auto acme = store_->accountForKey(acme_key);
  auto globex = store_->accountForKey(globex_key);
  auto owner = store_->channelAccount("ch_globex");
  ASSERT_TRUE(acme.ok() && globex.ok() && owner.ok());
  EXPECT_EQ(*acme, std::optional<std::string>("acme"));
  EXPECT_EQ(*globex, std::optional<std::string>("globex"));
  EXPECT_NE(*acme, *owner);
  EXPECT_EQ(*globex, *owner);
}

TEST_F(ApiKeyTest, PlaintextKeyIsStoredNowhere) {
  const std::string key = createKey("acme");
  auto names = link_->commandOk({"KEYS", prefix_ + "*"});
  ASSERT_TRUE(names.ok());
  for (std::size_t i = 0; i < (*names)->elements; ++i) {
    const std::string name = replyString((*names)->element[i]);
    EXPECT_EQ(name.find(key), std::string::npos);
    auto dump = link_->commandOk({"DUMP", name});
    ASSERT_TRUE(dump.ok());
    EXPECT_EQ(replyString(dump->get()).find(key), std::string::npos) << name;
  }
  auto stored = link_->commandOk({"HGETALL", prefix_ + "apikey:" + hashApiKey(key)});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)->elements, 6u);  // account, revoked, created_at_ms
}

}  // namespace
}  // namespace hookline
