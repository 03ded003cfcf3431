// The management API's setWebhook contract (DESIGN.md section 1) seen from a real HTTP client:
// every published error with its exact envelope, and proof that no refused call stored
// anything or announced a change.

#include <gtest/gtest.h>

#include "tests/support/api_fixture.hpp"

namespace hookline {
namespace {

class ApiErrorsTest : public ApiFixture {};

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

}  // namespace
}  // namespace hookline
