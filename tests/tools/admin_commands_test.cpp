// The operator commands of DESIGN.md section 7 (account, channel, key), run in-process
// against the shared test Redis.

#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "registry/registry_store.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/commands.hpp"

namespace hookline {
namespace {

class AdminCommandsTest : public ::testing::Test {
 protected:
  struct Run {
    int exit_code = 0;
    std::string out;
    std::string err;
  };

  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
  }

  // Runs `hookline <command_line>` with this test's Redis and key prefix.
  Run run(const std::string& command_line) {
    CLI::App app;
    app.require_subcommand(1);
    CommonOptions common;
    common.redis_url = "redis://127.0.0.1:" + std::to_string(testing::sharedRedis().port());
    common.key_prefix = prefix_;
    addAdminCommands(app, common);

    std::ostringstream out;
    std::ostringstream err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    Run result;
    try {
      app.parse(command_line);
    } catch (const CLI::Error& error) {
      result.exit_code = error.get_exit_code();
    }
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
};

TEST_F(AdminCommandsTest, AccountCreateCreatesTheAccount) {
  auto result = run("account create acme");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto exists = store_->accountExists("acme");
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);
}

TEST_F(AdminCommandsTest, DuplicateAccountFailsWithOneLineOnStderr) {
  ASSERT_EQ(run("account create acme").exit_code, 0);
  auto result = run("account create acme");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "hookline: account \"acme\" already exists\n");
  EXPECT_TRUE(result.out.empty());
}

TEST_F(AdminCommandsTest, ChannelCreateNeedsAnExistingAccount) {
  auto refused = run("channel create ch_1 --account acme");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "hookline: account \"acme\" does not exist\n");

  ASSERT_EQ(run("account create acme").exit_code, 0);
  EXPECT_EQ(run("channel create ch_1 --account acme").exit_code, 0);
  auto owner = store_->channelAccount("ch_1");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(*owner, std::optional<std::string>("acme"));
}

TEST_F(AdminCommandsTest, KeyCreatePrintsTheKeyAloneOnStdout) {
  ASSERT_EQ(run("account create acme").exit_code, 0);
  auto result = run("key create --account acme");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_FALSE(result.out.empty());
  EXPECT_EQ(result.out.back(), '\n');
  const std::string key = result.out.substr(0, result.out.size() - 1);
  EXPECT_EQ(key.find_first_of(" \n\t"), std::string::npos);
  EXPECT_TRUE(key.starts_with("hk_"));
  auto account = store_->accountForKey(key);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(*account, std::optional<std::string>("acme"));
}

TEST_F(AdminCommandsTest, KeyRevokeMakesTheKeyUseless) {
  ASSERT_EQ(run("account create acme").exit_code, 0);
  const std::string out = run("key create --account acme").out;
  const std::string key = out.substr(0, out.size() - 1);
  EXPECT_EQ(run("key revoke " + key).exit_code, 0);
  auto account = store_->accountForKey(key);
  ASSERT_TRUE(account.ok());
  EXPECT_FALSE(account->has_value());
}

TEST_F(AdminCommandsTest, RevokingAnUnknownKeyFails) {
  auto result = run("key revoke hk_" + std::string(43, 'Z'));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "hookline: no such API key\n");
}

TEST_F(AdminCommandsTest, MissingArgumentsAreUsageErrors) {
  EXPECT_NE(run("channel create ch_1").exit_code, 0);
  EXPECT_NE(run("key create").exit_code, 0);
  EXPECT_NE(run("account create").exit_code, 0);
}

}  // namespace
}  // namespace hookline
