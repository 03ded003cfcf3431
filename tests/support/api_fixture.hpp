#pragma once

// A management API server on a free port over the shared Redis, with two accounts (acme owning
// ch_acme, globex owning ch_globex) and a key each, and helpers that call it and read back what
// the store holds: the fixture of the API error and transport tests.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include "engine/api/api_server.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/api_server_runner.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/local_redis.hpp"

namespace hookline {

using testing::httpCall;
using testing::HttpCallResult;
using testing::HttpHeaders;
using testing::rawHttpCall;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kValidBody =
    R"({"url":"https://hooks.example.com/in","events":{"message_status":true}})";
constexpr std::string_view kUnauthorized = R"({"success":false,"message":"Unauthorized"})";
constexpr std::string_view kInvalidChannel = R"({"success":false,"message":"Invalid channel"})";
constexpr std::string_view kRegistrationFailed =
    R"({"success":false,"message":"Webhook registration failed"})";

inline std::string validationError(std::string_view field, std::string_view reason) {
  return R"({"success":false,"message":"Validation error","errors":[{"field":")" +
         std::string(field) + R"(","reason":")" + std::string(reason) + R"("}]})";
}

inline std::string invalidUrl(std::string_view reason) {
  return R"({"success":false,"message":"Invalid webhook URL","errors":[{"field":"url","reason":")" +
         std::string(reason) + R"("}]})";
}

class ApiFixture : public ::testing::Test {
 protected:
  // What a refused call must leave untouched: the channel's webhook and the change stream.
  struct Stored {
    std::optional<WebhookConfig> webhook;
    long long changes = 0;
    bool operator==(const Stored&) const = default;
  };

  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    ASSERT_TRUE(store_->createAccount("globex").ok());
    ASSERT_TRUE(store_->createChannel("ch_acme", "acme").ok());
    ASSERT_TRUE(store_->createChannel("ch_globex", "globex").ok());
    auto acme_key = store_->createApiKey("acme");
    auto globex_key = store_->createApiKey("globex");
    ASSERT_TRUE(acme_key.ok() && globex_key.ok());
    acme_key_ = *acme_key;
    globex_key_ = *globex_key;
    // A configuration already in place, so "nothing changed" also means "not replaced".
    ASSERT_TRUE(store_
                    ->putWebhook({"ch_acme", "https://before.example.com/hook", EventMask::all(),
                                  1767225600000})
                    .ok());
    startServer(defaultOptions());
  }

  void TearDown() override { stopServer(); }

  ApiServerOptions defaultOptions() const {
    ApiServerOptions options;
    options.port = 0;
    options.key_prefix = prefix_;
    options.redis.endpoint.port = testing::sharedRedis().port();
    options.resolve = testing::publicResolver();
    return options;
  }

  void startServer(ApiServerOptions options) { api_.start(std::move(options)); }
  void stopServer() { api_.stop(); }

  HttpCallResult setWebhook(const std::string& channel, std::string_view body,
                            std::optional<std::string> key = std::nullopt,
                            std::optional<std::string> content_type = "application/json") {
    HttpHeaders headers;
    const std::string api_key = key.value_or(acme_key_);
    if (!api_key.empty()) {
      headers.emplace_back("X-API-Key", api_key);
    }
    if (content_type) {
      headers.emplace_back("Content-Type", *content_type);
    }
    return httpCall(api_.port(), "POST", "/api/integrations/" + channel + "/setWebhook", headers,
                    std::string(body));
  }

  HttpCallResult withoutKey(const std::string& channel, std::string_view body) {
    return httpCall(api_.port(), "POST", "/api/integrations/" + channel + "/setWebhook",
                    {{"Content-Type", "application/json"}}, std::string(body));
  }

  Stored stored(const std::string& channel) {
    Stored state;
    auto webhook = store_->getWebhook(channel);
    EXPECT_TRUE(webhook.ok());
    if (webhook.ok()) {
      state.webhook = *webhook;
    }
    auto changes = link_->commandOk({"XLEN", prefix_ + "registry:changes"});
    EXPECT_TRUE(changes.ok());
    state.changes = changes.ok() ? (*changes)->integer : -1;
    return state;
  }

  static void expectAnswer(const HttpCallResult& result, int status, std::string_view body) {
    EXPECT_EQ(result.status, status) << result.error;
    EXPECT_EQ(result.body, body);
    EXPECT_EQ(result.header("Content-Type"), "application/json");
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
  std::string acme_key_;
  std::string globex_key_;

  testing::ApiServerRunner api_;
};

}  // namespace hookline
