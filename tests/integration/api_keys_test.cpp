// API keys (issue 4 item 4): how they are made and stored, that a revoked key stops working on
// every API worker at once, and that no key, signing secret or signature ever reaches the log.

#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "engine/api/api_server.hpp"
#include "registry/api_key.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::string_view kUnauthorized = R"({"success":false,"message":"Unauthorized"})";

// One management API worker on its own io_context and thread.
class ApiWorker {
 public:
  explicit ApiWorker(const std::string& prefix) {
    ApiServerOptions options;
    options.port = 0;
    options.key_prefix = prefix;
    options.redis.endpoint.port = sharedRedis().port();
    options.stream = prefix + "events";
    server_ = std::make_unique<ApiServer>(io_, options);
    auto started = server_->start();
    if (!started.ok()) {
      throw std::runtime_error(started.error().message);
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ApiWorker() {
    server_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  HttpCallResult getWebhook(const std::string& key, const std::string& channel) {
    return httpCall(server_->port(), "GET", "/api/integrations/" + channel + "/webhook",
                    {{"X-API-Key", key}});
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
};

std::string decodeBase64Url(std::string text) {
  for (char& c : text) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (text.size() % 4 != 0) {
    text += '=';
  }
  return crypto::base64Decode(text).value_or("");
}

// Every key and value stored under a prefix, as one text.
std::string everythingStored(RedisLink& link, const std::string& prefix) {
  std::string text;
  auto keys = link.commandOk({"KEYS", prefix + "*"});
  EXPECT_TRUE(keys.ok());
  if (!keys.ok()) {
    return text;
  }
  for (std::size_t i = 0; i < (*keys)->elements; ++i) {
    const std::string key((*keys)->element[i]->str, (*keys)->element[i]->len);
    text += key + "\n";
    auto dump = link.commandOk({"DUMP", key});
    if (dump.ok() && (*dump)->type == REDIS_REPLY_STRING) {
      text += std::string((*dump)->str, (*dump)->len) + "\n";
    }
  }
  return text;
}

TEST(ApiKeysTest, KeyIsThirtyTwoRandomBytesStoredOnlyAsItsSha256) {
  RedisLink link = connectShared();
  const std::string prefix = uniquePrefix();
  RegistryStore store(link, prefix);
  ASSERT_TRUE(store.createAccount("acme").ok());

  auto first = store.createApiKey("acme");
  auto second = store.createApiKey("acme");
  ASSERT_TRUE(first.ok() && second.ok());

  ASSERT_TRUE(first->starts_with(kApiKeyPrefix));
  EXPECT_EQ(decodeBase64Url(first->substr(kApiKeyPrefix.size())).size(), 32u);
  EXPECT_NE(*first, *second);
  const std::string stored = everythingStored(link, prefix);
  EXPECT_NE(stored.find(hashApiKey(*first)), std::string::npos);
  EXPECT_EQ(stored.find(first->substr(kApiKeyPrefix.size(), 16)), std::string::npos);
  EXPECT_EQ(stored.find(second->substr(kApiKeyPrefix.size(), 16)), std::string::npos);
}

TEST(ApiKeysTest, RevokedKeyIsRefusedAtOnceByEveryWorker) {
  RedisLink link = connectShared();
  const std::string prefix = uniquePrefix();
  RegistryStore store(link, prefix);
  ASSERT_TRUE(store.createAccount("acme").ok());
  ASSERT_TRUE(store.createChannel("ch_1", "acme").ok());
  ASSERT_TRUE(store.putWebhook({"ch_1", "https://hooks.example.com/in", EventMask::all(), 1}).ok());
  auto key = store.createApiKey("acme");
  ASSERT_TRUE(key.ok());
  ApiWorker first(prefix);
  ApiWorker second(prefix);
  ASSERT_EQ(first.getWebhook(*key, "ch_1").status, 200);
  ASSERT_EQ(second.getWebhook(*key, "ch_1").status, 200);

  auto revoked = store.revokeApiKey(*key);
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(*revoked);

  // No waiting: the very next request on either worker is refused.
  for (ApiWorker* worker : {&first, &second}) {
    const auto result = worker->getWebhook(*key, "ch_1");
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(result.body, kUnauthorized);
  }
}

// Records everything logged at any level, from every thread, while it lives. Install it
// before the threads that log start and destroy it after they stop: spdlog's default logger
// is not meant to be swapped under running loggers.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()), previous_level_(spdlog::get_level()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    spdlog::set_level(spdlog::level::trace);
  }
  ~LogCapture() {
    spdlog::set_default_logger(previous_);
    spdlog::set_level(previous_level_);
  }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
  spdlog::level::level_enum previous_level_;
};

// Each secret-bearing value and the parts of it that would betray it on their own.
void addSecret(std::vector<std::string>& secrets, const std::string& value,
               std::string_view prefix) {
  ASSERT_TRUE(value.starts_with(prefix)) << value;
  secrets.push_back(value);
  secrets.push_back(value.substr(prefix.size()));
}

// A full run at trace level: a key is made and used, a webhook set, deliveries signed, the
// secret rotated, a test event sent and a delivery failed and retried. Then the log is
// searched for the key, every whsec_ secret (and its base64 body) and every signature the
// receiver saw.
TEST(ApiKeysTest, KeysSecretsAndSignaturesNeverReachTheLog) {
  std::vector<std::string> secrets;
  std::size_t signatures_seen = 0;
  LogCapture capture;
  {
    ScriptedReplies replies;
    replies.script("/failing", {replyWith(503)});
    EngineHarness::Options options;
    options.receiver_handler = replies.handler();
    options.https_receiver = true;
    options.engine.retry.delays = {100ms, 100ms, 100ms, 100ms, 100ms, 100ms};
    options.engine.retry.jitter = 0;
    options.engine.retry_poll = 20ms;
    EngineHarness harness(std::move(options));
    harness.createChannel("ch_ok");
    harness.createChannel("ch_failing");
    addSecret(secrets, harness.apiKey(), kApiKeyPrefix);
    const HttpHeaders auth = {{"X-API-Key", harness.apiKey()}};
    ASSERT_EQ(harness.receiver().url("ok").rfind("https://", 0), 0u);
    harness.setWebhook("ch_ok", harness.receiver().url("ok"), EventMask::all());
    harness.setWebhook("ch_failing", harness.receiver().url("failing"), EventMask::all());

    for (const char* channel : {"ch_ok", "ch_failing"}) {
      xadd(harness.redis(), harness.stream(),
           {{"type", "message_status"}, {"channel_id", channel}, {"payload", R"({"n":1})"}});
    }
    ASSERT_TRUE(harness.receiver().waitForCount(2, 10s)) << harness.describe();
    const auto rotated =
        httpCall(harness.apiPort(), "POST", "/api/integrations/ch_ok/webhook/rotateSecret", auth);
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    const auto shown =
        httpCall(harness.apiPort(), "GET", "/api/integrations/ch_ok/webhook/secret", auth);
    ASSERT_EQ(shown.status, 200) << shown.body;
    ASSERT_TRUE(waitUntil(
        [&] {
          auto cached = harness.webhooks().find("ch_ok");
          return cached && !cached->previous_secret.empty();
        },
        2s));
    const auto test_event =
        httpCall(harness.apiPort(), "POST", "/api/integrations/ch_ok/webhook/test", auth);
    ASSERT_EQ(test_event.status, 202) << test_event.body;
    ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().delivered.load() >= 2; }, 10s))
        << harness.describe();
    ASSERT_TRUE(
        waitUntil([&] { return harness.engine().stats().attempts_failed.load() >= 3; }, 10s))
        << harness.describe();

    for (const char* channel : {"ch_ok", "ch_failing"}) {
      auto config = harness.store().getWebhook(channel);
      ASSERT_TRUE(config.ok() && config->has_value());
      addSecret(secrets, (*config)->secret, "whsec_");
      if (!(*config)->previous_secret.empty()) {
        addSecret(secrets, (*config)->previous_secret, "whsec_");
      }
    }
    for (const auto& request : harness.receiver().requests()) {
      std::istringstream signatures(request.header("webhook-signature"));
      std::string signature;
      while (signatures >> signature) {
        addSecret(secrets, signature, "v1,");
        signatures_seen += 1;
      }
    }
  }  // everything has stopped: the log is complete

  const std::string log_text = capture.text();
  EXPECT_GE(signatures_seen, 6u);  // two first tries, the failing retries, the test event
  // The key, both channels' secrets and the rotated-out one, each signature; each twice.
  EXPECT_EQ(secrets.size(), 2 * (1 + 3 + signatures_seen));
  EXPECT_NE(log_text.find("api request"), std::string::npos);  // the capture did capture
  EXPECT_NE(log_text.find("ch_failing"), std::string::npos);
  for (const auto& secret : secrets) {
    EXPECT_EQ(log_text.find(secret), std::string::npos) << "the log shows " << secret;
  }
}

}  // namespace
}  // namespace hookline::testing
