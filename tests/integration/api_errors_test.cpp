// The management API's setWebhook contract (DESIGN.md section 1) seen from a real HTTP client:
// every published error with its exact envelope, and proof that no refused call stored
// anything or announced a change.

#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "engine/api/api_server.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/api_server_runner.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/local_redis.hpp"

namespace hookline {
namespace {

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

std::string validationError(std::string_view field, std::string_view reason) {
  return R"({"success":false,"message":"Validation error","errors":[{"field":")" +
         std::string(field) + R"(","reason":")" + std::string(reason) + R"("}]})";
}

std::string invalidUrl(std::string_view reason) {
  return R"({"success":false,"message":"Invalid webhook URL","errors":[{"field":"url","reason":")" +
         std::string(reason) + R"("}]})";
}

class ApiErrorsTest : public ::testing::Test {
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

// --- success ---

TEST_F(ApiErrorsTest, ValidCallStoresTheConfigAndEchoesAllFiveFlags) {
  const auto before = stored("ch_acme");
  auto result = setWebhook("ch_acme", R"({"url":"https://hooks.example.com/in","events":)"
                                      R"({"message_incoming":true,"message_status":true}})");
  expectAnswer(result, 200,
               R"({"success":true,"message":"Webhook configured successfully","data":)"
               R"({"channel_id":"ch_acme","url":"https://hooks.example.com/in","events":)"
               R"({"message_incoming":true,"message_outgoing":false,"message_status":true,)"
               R"("template_update":false,"channel_update":false}}})");

  const auto after = stored("ch_acme");
  ASSERT_TRUE(after.webhook.has_value());
  EXPECT_EQ(after.webhook->url, "https://hooks.example.com/in");
  EXPECT_EQ(after.webhook->events, EventMask(0b00101));
  EXPECT_GT(after.webhook->updated_at_ms, before.webhook->updated_at_ms);
  EXPECT_EQ(after.changes, before.changes + 1);
}

TEST_F(ApiErrorsTest, SecondCallReplacesTheWholeConfiguration) {
  ASSERT_EQ(setWebhook("ch_acme", R"({"url":"https://one.example.com/","events":)"
                                  R"({"message_incoming":true,"channel_update":true}})")
                .status,
            200);
  auto result = setWebhook("ch_acme", R"({"url":"https://two.example.com/","events":)"
                                      R"({"template_update":true}})");
  expectAnswer(result, 200,
               R"({"success":true,"message":"Webhook configured successfully","data":)"
               R"({"channel_id":"ch_acme","url":"https://two.example.com/","events":)"
               R"({"message_incoming":false,"message_outgoing":false,"message_status":false,)"
               R"("template_update":true,"channel_update":false}}})");
  const auto after = stored("ch_acme");
  ASSERT_TRUE(after.webhook.has_value());
  EXPECT_EQ(after.webhook->url, "https://two.example.com/");
  EXPECT_EQ(after.webhook->events, EventMask(0b01000));
}

TEST_F(ApiErrorsTest, FirstConfigurationShowsTheSigningSecretOnce) {
  auto first = setWebhook("ch_globex", kValidBody, globex_key_);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto json = nlohmann::json::parse(first.body);
  ASSERT_TRUE(json["data"].contains("secret"));
  const std::string secret = json["data"]["secret"];
  EXPECT_TRUE(secret.starts_with("whsec_"));
  const auto stored_first = stored("ch_globex");
  ASSERT_TRUE(stored_first.webhook.has_value());
  EXPECT_EQ(stored_first.webhook->secret, secret);

  auto second = setWebhook("ch_globex", kValidBody, globex_key_);
  ASSERT_EQ(second.status, 200);
  EXPECT_FALSE(nlohmann::json::parse(second.body)["data"].contains("secret"));
  EXPECT_EQ(stored("ch_globex").webhook->secret, secret);
}

TEST_F(ApiErrorsTest, SetWebhookEnablesADisabledWebhookAgain) {
  ASSERT_TRUE(store_->disableWebhook("ch_acme", "receiver answered 410").ok());
  ASSERT_EQ(setWebhook("ch_acme", kValidBody).status, 200);
  const auto after = stored("ch_acme");
  ASSERT_TRUE(after.webhook.has_value());
  EXPECT_FALSE(after.webhook->disabled);
  EXPECT_TRUE(after.webhook->wants(EventKind::MessageStatus));
}

TEST_F(ApiErrorsTest, ContentTypeWithCharsetIsAccepted) {
  auto result = setWebhook("ch_acme", kValidBody, std::nullopt, "application/json; charset=utf-8");
  EXPECT_EQ(result.status, 200) << result.body;
}

TEST_F(ApiErrorsTest, BodyOfExactlyTheLimitIsAccepted) {
  std::string body = R"({"url":"https://hooks.example.com/in","events":{},"pad":")";
  body += std::string(64 * 1024 - body.size() - 2, 'x') + "\"}";
  ASSERT_EQ(body.size(), 64u * 1024u);
  EXPECT_EQ(setWebhook("ch_acme", body).status, 200);
}

// --- 401 ---

TEST_F(ApiErrorsTest, MissingApiKeyIsUnauthorized) {
  const auto before = stored("ch_acme");
  expectAnswer(withoutKey("ch_acme", kValidBody), 401, kUnauthorized);
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, UnknownApiKeyIsUnauthorized) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", kValidBody, "hk_" + std::string(43, 'Q')), 401, kUnauthorized);
  expectAnswer(setWebhook("ch_acme", kValidBody, "not-a-key"), 401, kUnauthorized);
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, RevokedApiKeyIsUnauthorized) {
  ASSERT_EQ(setWebhook("ch_acme", kValidBody).status, 200);
  ASSERT_TRUE(store_->revokeApiKey(acme_key_).ok());
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", R"({"url":"https://x.example.com/","events":{}})"), 401,
               kUnauthorized);
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, RepeatedApiKeyHeaderIsUnauthorized) {
  const auto before = stored("ch_acme");
  auto result = httpCall(
      api_.port(), "POST", "/api/integrations/ch_acme/setWebhook",
      {{"X-API-Key", acme_key_}, {"X-API-Key", acme_key_}, {"Content-Type", "application/json"}},
      std::string(kValidBody));
  expectAnswer(result, 401, kUnauthorized);
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, AuthIsCheckedBeforeTheChannelAndTheBody) {
  expectAnswer(withoutKey("ch_missing", "not json"), 401, kUnauthorized);
  expectAnswer(setWebhook("ch_globex", "not json", "hk_" + std::string(43, 'Q'), "text/plain"), 401,
               kUnauthorized);
}

// Field case B27: a key altered anywhere, cut, extended, empty or absent is refused with the
// same bytes, and the key never reaches the log.
TEST_F(ApiErrorsTest, B27AlteredApiKeysAllGetTheSameUnauthorizedAndAreNeverLogged) {
  std::ostringstream log_text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("b27", sink));
  spdlog::set_level(spdlog::level::trace);

  std::string first_byte = acme_key_;
  first_byte[0] = 'x';
  std::string last_byte = acme_key_;
  last_byte.back() = last_byte.back() == 'A' ? 'B' : 'A';
  const std::vector<std::optional<std::string>> variants = {
      first_byte,      last_byte,     acme_key_.substr(0, acme_key_.size() - 1),
      acme_key_ + "A", std::string(), std::nullopt};

  const auto before = stored("ch_acme");
  std::optional<HttpCallResult> reference;
  for (const auto& variant : variants) {
    for (int i = 0; i < 20; ++i) {
      HttpHeaders headers = {{"Content-Type", "application/json"}};
      if (variant) {
        headers.emplace_back("X-API-Key", *variant);
      }
      auto result = httpCall(api_.port(), "POST", "/api/integrations/ch_acme/setWebhook", headers,
                             std::string(kValidBody));
      if (!reference) {
        reference = result;
      }
      EXPECT_EQ(result.status, 401);
      EXPECT_EQ(result.body, reference->body);
      EXPECT_EQ(result.headers, reference->headers);
    }
  }
  EXPECT_EQ(reference->body, kUnauthorized);
  ASSERT_EQ(setWebhook("ch_acme", kValidBody).status, 200);

  spdlog::set_default_logger(previous);
  EXPECT_EQ(stored("ch_acme").changes, before.changes + 1);
  EXPECT_NE(log_text.str().find("status=401"), std::string::npos);
  EXPECT_EQ(log_text.str().find(acme_key_), std::string::npos);
  EXPECT_EQ(log_text.str().find(acme_key_.substr(3, 20)), std::string::npos);
}

// --- 404 ---

TEST_F(ApiErrorsTest, MissingChannelIsInvalidChannel) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_missing", kValidBody), 404, kInvalidChannel);
  EXPECT_EQ(stored("ch_acme"), before);
  auto missing = store_->getWebhook("ch_missing");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(ApiErrorsTest, AnotherAccountsChannelLooksExactlyLikeAMissingOne) {
  const auto before = stored("ch_globex");
  auto foreign = setWebhook("ch_globex", kValidBody);
  auto missing = setWebhook("ch_missing", kValidBody);
  expectAnswer(foreign, 404, kInvalidChannel);
  EXPECT_EQ(foreign.status, missing.status);
  EXPECT_EQ(foreign.headers, missing.headers);
  EXPECT_EQ(foreign.body, missing.body);
  EXPECT_EQ(stored("ch_globex"), before);
}

TEST_F(ApiErrorsTest, ChannelIdThatCannotExistIsInvalidChannel) {
  expectAnswer(setWebhook("ch%20acme", kValidBody), 404, kInvalidChannel);
  expectAnswer(setWebhook(std::string(129, 'c'), kValidBody), 404, kInvalidChannel);
}

TEST_F(ApiErrorsTest, ChannelIsCheckedBeforeTheBody) {
  expectAnswer(setWebhook("ch_globex", "not json", std::nullopt, "text/plain"), 404,
               kInvalidChannel);
}

// --- 400 Validation error ---

TEST_F(ApiErrorsTest, WrongContentTypeIsValidationError) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", kValidBody, std::nullopt, "text/plain"), 400,
               validationError("Content-Type", "must be application/json"));
  expectAnswer(setWebhook("ch_acme", kValidBody, std::nullopt, "application/x-www-form-urlencoded"),
               400, validationError("Content-Type", "must be application/json"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, MissingContentTypeIsValidationError) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", kValidBody, std::nullopt, std::nullopt), 400,
               validationError("Content-Type", "must be application/json"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, BodyNotJsonIsValidationError) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", "url=https://a.example/"), 400,
               validationError("body", "must be valid JSON"));
  expectAnswer(setWebhook("ch_acme", ""), 400, validationError("body", "must be valid JSON"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, JsonArrayBodyIsValidationError) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", "[]"), 400, validationError("body", "must be a JSON object"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, MissingUrlAndEventsAreBothReported) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", "{}"), 400,
               R"({"success":false,"message":"Validation error","errors":[)"
               R"({"field":"url","reason":"is required"},)"
               R"({"field":"events","reason":"is required"}]})");
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, WrongTypesAreValidationError) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", R"({"url":7,"events":{}})"), 400,
               validationError("url", "must be a string"));
  expectAnswer(setWebhook("ch_acme", R"({"url":"https://a.example/","events":true})"), 400,
               validationError("events", "must be an object"));
  expectAnswer(
      setWebhook("ch_acme", R"({"url":"https://a.example/","events":{"message_status":"yes"}})"),
      400, validationError("events.message_status", "must be a boolean"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, UnknownEventIsValidationError) {
  const auto before = stored("ch_acme");
  expectAnswer(
      setWebhook("ch_acme", R"({"url":"https://a.example/","events":{"message_read":true}})"), 400,
      validationError("events.message_read", "is not a known event"));
  EXPECT_EQ(stored("ch_acme"), before);
}

// --- 400 Invalid webhook URL ---

TEST_F(ApiErrorsTest, HttpUrlIsInvalidWebhookUrl) {
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", R"({"url":"http://hooks.example.com/in","events":{}})"), 400,
               invalidUrl("must use https"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, HttpUrlIsAcceptedWhenTheServerAllowsIt) {
  auto options = defaultOptions();
  options.allow_http = true;
  startServer(options);
  EXPECT_EQ(setWebhook("ch_acme", R"({"url":"http://hooks.example.com:9/in","events":{}})").status,
            200);
}

TEST_F(ApiErrorsTest, AllowHttpDoesNotOpenLoopback) {
  auto options = defaultOptions();
  options.allow_http = true;
  startServer(options);
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", R"({"url":"http://127.0.0.1:9/in","events":{}})"), 400,
               invalidUrl("host is a non-public address (loopback)"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, AllowNetworkLetsItsRangeRegister) {
  auto options = defaultOptions();
  options.allow_networks = {*CidrRange::parse("127.0.0.1/32")};
  startServer(options);
  EXPECT_EQ(setWebhook("ch_acme", R"({"url":"https://127.0.0.1:9/in","events":{}})").status, 200);
  expectAnswer(setWebhook("ch_acme", R"({"url":"https://127.0.0.2:9/in","events":{}})"), 400,
               invalidUrl("host is a non-public address (loopback)"));
}

TEST_F(ApiErrorsTest, HostNamesResolvingInsideAreInvalidWebhookUrl) {
  auto options = defaultOptions();
  options.resolve = testing::FakeResolver()
                        .map("hooks.example.com", {testing::kPublicTestAddress})
                        .map("internal.example.com", {testing::kPublicTestAddress, "10.0.0.7"})
                        .resolver();
  startServer(options);
  const auto before = stored("ch_acme");
  expectAnswer(setWebhook("ch_acme", R"({"url":"https://internal.example.com/","events":{}})"), 400,
               invalidUrl("host resolves to a non-public address (private (RFC 1918))"));
  expectAnswer(setWebhook("ch_acme", R"({"url":"https://nowhere.example.com/","events":{}})"), 400,
               invalidUrl("host does not resolve"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, MalformedUrlsAreInvalidWebhookUrl) {
  const auto before = stored("ch_acme");
  const std::string long_url = "https://a.example/" + std::string(2048, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://user:pw@hooks.example.com/in", "must not contain user information"},
      {"https://hooks.example.com/in#frag", "must not contain a fragment"},
      {"/relative/path", "must be an absolute URL"},
      {"https://hooks.example.com:70000/in", "has an invalid port"},
      {long_url, "must be at most 2048 bytes"},
  };
  for (const auto& [url, reason] : cases) {
    expectAnswer(setWebhook("ch_acme", R"({"url":")" + url + R"(","events":{}})"), 400,
                 invalidUrl(reason));
  }
  EXPECT_EQ(stored("ch_acme"), before);
}

// Field case B24: schemes curl could speak but a webhook must not (the redirect half is in
// address_guard_test.cpp).
TEST_F(ApiErrorsTest, B24OtherSchemesAreInvalidWebhookUrl) {
  const auto before = stored("ch_acme");
  for (const char* url : {"gopher://127.0.0.1:6390/_SET%20pwned%201", "file:///etc/passwd",
                          "dict://127.0.0.1:6390/info", "http://127.0.0.1:8443/"}) {
    expectAnswer(setWebhook("ch_acme", R"({"url":")" + std::string(url) + R"(","events":{}})"), 400,
                 invalidUrl("must use https"));
  }
  EXPECT_EQ(stored("ch_acme"), before);
}

// --- 413 ---

TEST_F(ApiErrorsTest, BodyOverTheLimitGets413AndTheClientReceivesIt) {
  const auto before = stored("ch_acme");
  const std::string body(64 * 1024 + 1, ' ');
  expectAnswer(setWebhook("ch_acme", body), 413,
               validationError("body", "must be at most 65536 bytes"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, ChunkedBodyOverTheLimitGets413) {
  const auto before = stored("ch_acme");
  std::string request =
      "POST /api/integrations/ch_acme/setWebhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "X-API-Key: " +
      acme_key_ + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 17; ++i) {
    request += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
  }
  request += "0\r\n\r\n";
  auto results = rawHttpCall(api_.port(), request);
  ASSERT_EQ(results.size(), 1u);
  expectAnswer(results[0], 413, validationError("body", "must be at most 65536 bytes"));
  EXPECT_EQ(stored("ch_acme"), before);
}

TEST_F(ApiErrorsTest, SmallerConfiguredLimitIsEnforced) {
  auto options = defaultOptions();
  options.body_limit = 100;
  startServer(options);
  const std::string body = R"({"url":"https://hooks.example.com/in","events":{},"pad":")" +
                           std::string(100, 'x') + "\"}";
  expectAnswer(setWebhook("ch_acme", body), 413,
               validationError("body", "must be at most 100 bytes"));
}

// --- 503 ---

TEST_F(ApiErrorsTest, UnreachableRedisIsRegistrationFailed) {
  auto options = defaultOptions();
  options.redis.endpoint.port = freeLoopbackPort();
  options.redis.connect_timeout = std::chrono::milliseconds(300);
  startServer(options);
  const auto result = setWebhook("ch_acme", kValidBody);
  expectAnswer(result, 503, kRegistrationFailed);
  EXPECT_EQ(result.header("Retry-After"), "1")
      << "a store that failed mid-request says when to retry";
}

TEST_F(ApiErrorsTest, StoreRefusingTheWriteIsRegistrationFailedAndWritesNothing) {
  const auto before = stored("ch_acme");
  const std::string changes = prefix_ + "registry:changes";
  ASSERT_TRUE(link_->commandOk({"RENAME", changes, changes + ":saved"}).ok());
  ASSERT_TRUE(link_->commandOk({"SET", changes, "not a stream"}).ok());

  expectAnswer(setWebhook("ch_acme", kValidBody), 503, kRegistrationFailed);

  ASSERT_TRUE(link_->commandOk({"RENAME", changes + ":saved", changes}).ok());
  EXPECT_EQ(stored("ch_acme"), before);
}

// --- the rest of the server ---

TEST_F(ApiErrorsTest, HealthzAnswersOk) {
  expectAnswer(httpCall(api_.port(), "GET", "/healthz"), 200, R"({"status":"ok"})");
}

TEST_F(ApiErrorsTest, ReadyzIsReadyWhenRedisAnswers) {
  expectAnswer(httpCall(api_.port(), "GET", "/readyz"), 200, R"({"status":"ready"})");
}

TEST_F(ApiErrorsTest, ReadyzFollowsTheReadyCallback) {
  auto options = defaultOptions();
  options.ready = [] { return false; };
  startServer(options);
  expectAnswer(httpCall(api_.port(), "GET", "/readyz"), 503, R"({"status":"not ready"})");
}

TEST_F(ApiErrorsTest, ReadyzIsNotReadyWithoutRedis) {
  auto options = defaultOptions();
  options.redis.endpoint.port = freeLoopbackPort();
  startServer(options);
  const auto start = Clock::now();
  expectAnswer(httpCall(api_.port(), "GET", "/readyz"), 503, R"({"status":"not ready"})");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ApiErrorsTest, UnknownRouteIsNotFound) {
  expectAnswer(httpCall(api_.port(), "GET", "/api/integrations"), 404,
               R"({"success":false,"message":"Not found"})");
  expectAnswer(httpCall(api_.port(), "POST", "/api/integrations/ch_acme/setWebhookX"), 404,
               R"({"success":false,"message":"Not found"})");
}

TEST_F(ApiErrorsTest, WrongMethodIsMethodNotAllowed) {
  auto result = httpCall(api_.port(), "GET", "/api/integrations/ch_acme/setWebhook");
  expectAnswer(result, 405, R"({"success":false,"message":"Method not allowed"})");
  EXPECT_EQ(result.header("Allow"), "POST");
  auto health = httpCall(api_.port(), "POST", "/healthz");
  expectAnswer(health, 405, R"({"success":false,"message":"Method not allowed"})");
  EXPECT_EQ(health.header("Allow"), "GET");
}

TEST_F(ApiErrorsTest, MalformedRequestIsBadRequest) {
  auto results = rawHttpCall(api_.port(), "GARBAGE\r\n\r\n");
  ASSERT_EQ(results.size(), 1u);
  expectAnswer(results[0], 400, R"({"success":false,"message":"Bad request"})");
}

TEST_F(ApiErrorsTest, HeadersOverEightKibibytesAreRefused) {
  auto results = rawHttpCall(api_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                              std::string(9 * 1024, 'a') + "\r\n\r\n");
  ASSERT_EQ(results.size(), 1u);
  expectAnswer(results[0], 431, R"({"success":false,"message":"Request headers too large"})");
}

TEST_F(ApiErrorsTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  auto results = rawHttpCall(api_.port(),
                             "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                             3);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, 200);
  EXPECT_EQ(results[1].status, 404);
  EXPECT_EQ(results[2].status, 200);
}

TEST_F(ApiErrorsTest, ExpectContinueGetsAContinueBeforeTheAnswer) {
  const std::string body(kValidBody);
  auto results =
      rawHttpCall(api_.port(),
                  "POST /api/integrations/ch_acme/setWebhook HTTP/1.1\r\nHost: x\r\n"
                  "X-API-Key: " +
                      acme_key_ +
                      "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body,
                  2);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, 100);
  EXPECT_EQ(results[1].status, 200);
}

TEST_F(ApiErrorsTest, SlowRequestIsCutOffAtTheReadDeadline) {
  auto options = defaultOptions();
  options.read_timeout = std::chrono::seconds(1);
  startServer(options);
  const auto start = Clock::now();
  auto results = rawHttpCall(api_.port(), "POST /api/integrations/ch_acme/setWebhook HTTP/1.1\r\n");
  const auto took = Clock::now() - start;
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, 0);
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(ApiErrorsTest, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  auto options = defaultOptions();
  options.idle_timeout = std::chrono::seconds(1);
  startServer(options);
  const auto start = Clock::now();
  auto results = rawHttpCall(api_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 2);
  const auto took = Clock::now() - start;
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, 200);
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(ApiErrorsTest, StopClosesOpenConnections) {
  std::thread stopper([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    api_.stop();
  });
  const auto start = Clock::now();
  auto results = rawHttpCall(api_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 2);
  stopper.join();
  EXPECT_EQ(results.front().status, 200);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace hookline
