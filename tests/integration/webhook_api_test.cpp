// The management routes beyond setWebhook (README.md, "Management API") seen from a real HTTP
// client: read, delete, secret, rotation, attempt history and test events, each with the
// setWebhook auth rules and the same error envelope.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/api/api_server.hpp"
#include "engine/time_format.hpp"
#include "registry/registry_store.hpp"
#include "registry/webhook_cache.hpp"
#include "tests/support/api_server_runner.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"

namespace hookline {
namespace {

using testing::httpCall;
using testing::HttpCallResult;
using testing::HttpHeaders;
using Json = nlohmann::json;

constexpr std::int64_t kUpdatedAtMs = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::string_view kUnauthorized = R"({"success":false,"message":"Unauthorized"})";
constexpr std::string_view kInvalidChannel = R"({"success":false,"message":"Invalid channel"})";
constexpr std::string_view kWebhookNotFound = R"({"success":false,"message":"Webhook not found"})";
constexpr std::string_view kMethodNotAllowed =
    R"({"success":false,"message":"Method not allowed"})";
constexpr std::string_view kBadLimit =
    R"({"success":false,"message":"Validation error","errors":[{"field":"limit",)"
    R"("reason":"must be an integer from 1 to 1000"}]})";

struct Route {
  std::string method;
  std::string suffix;  // after /api/integrations/{channel_id}
  std::string allow;   // the Allow header of a 405
};

// Every route this file covers, for the checks they all share.
const Route kRoutes[] = {
    {"GET", "/webhook", "GET, DELETE"}, {"DELETE", "/webhook", "GET, DELETE"},
    {"GET", "/webhook/secret", "GET"},  {"POST", "/webhook/rotateSecret", "POST"},
    {"GET", "/attempts", "GET"},        {"POST", "/webhook/test", "POST"},
};

class WebhookApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ = std::make_unique<RedisLink>(testing::connectShared());
    prefix_ = testing::uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    ASSERT_TRUE(store_->createAccount("globex").ok());
    ASSERT_TRUE(store_->createChannel("ch_acme", "acme").ok());
    ASSERT_TRUE(store_->createChannel("ch_bare", "acme").ok());  // never gets a webhook
    ASSERT_TRUE(store_->createChannel("ch_globex", "globex").ok());
    auto acme_key = store_->createApiKey("acme");
    auto globex_key = store_->createApiKey("globex");
    ASSERT_TRUE(acme_key.ok() && globex_key.ok());
    acme_key_ = *acme_key;
    globex_key_ = *globex_key;

    EventMask events;
    events.set(EventKind::MessageStatus, true);
    events.set(EventKind::TemplateUpdate, true);
    auto put =
        store_->putWebhook({"ch_acme", "https://hooks.example.com/in", events, kUpdatedAtMs});
    ASSERT_TRUE(put.ok());
    secret_ = put->config.secret;
    ASSERT_TRUE(store_
                    ->putWebhook({"ch_globex", "https://globex.example.com/in", EventMask::all(),
                                  kUpdatedAtMs})
                    .ok());
    startServer(defaultOptions());
  }

  void TearDown() override { stopServer(); }

  ApiServerOptions defaultOptions() const {
    ApiServerOptions options;
    options.port = 0;
    options.key_prefix = prefix_;
    options.stream = prefix_ + "events";
    options.redis.endpoint.port = testing::sharedRedis().port();
    options.resolve = testing::publicResolver();
    return options;
  }

  void startServer(ApiServerOptions options) { api_.start(std::move(options)); }
  void stopServer() { api_.stop(); }

  // `key` nullopt: acme's key; "": no X-API-Key header at all.
  HttpCallResult call(const std::string& method, const std::string& channel,
                      const std::string& suffix, std::optional<std::string> key = std::nullopt,
                      const std::string& body = {}) {
    HttpHeaders headers;
    const std::string api_key = key.value_or(acme_key_);
    if (!api_key.empty()) {
      headers.emplace_back("X-API-Key", api_key);
    }
    if (!body.empty()) {
      headers.emplace_back("Content-Type", "application/json");
    }
    return httpCall(api_.port(), method, "/api/integrations/" + channel + suffix, headers, body);
  }

  static Json parse(const HttpCallResult& result) {
    return Json::parse(result.body, nullptr, false);
  }

  static void expectAnswer(const HttpCallResult& result, int status, std::string_view body) {
    EXPECT_EQ(result.status, status) << result.error;
    EXPECT_EQ(result.body, body);
    EXPECT_EQ(result.header("Content-Type"), "application/json");
  }

  long long changeCount() {
    auto reply = link_->commandOk({"XLEN", prefix_ + "registry:changes"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? (*reply)->integer : -1;
  }

  Json streamEntries() {
    auto reply = link_->commandOk({"XRANGE", prefix_ + "events", "-", "+"});
    Json entries = Json::array();
    if (!reply.ok()) {
      ADD_FAILURE() << reply.error().message;
      return entries;
    }
    const redisReply* list = reply->get();
    for (std::size_t i = 0; i < list->elements; ++i) {
      const redisReply* fields = list->element[i]->element[1];
      Json entry = Json::object();
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        entry[replyString(fields->element[f])] = replyString(fields->element[f + 1]);
      }
      entries.push_back(entry);
    }
    return entries;
  }

  void pushAttempt(const std::string& channel, const Json& record) {
    ASSERT_TRUE(link_->commandOk({"LPUSH", prefix_ + "attempts:" + channel, record.dump()}).ok());
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
  std::string acme_key_;
  std::string globex_key_;
  std::string secret_;
  testing::ApiServerRunner api_;
};

// --- shared rules ---------------------------------------------------------------------------

TEST_F(WebhookApiTest, EveryRouteRefusesAMissingKey) {
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.suffix);
    expectAnswer(call(route.method, "ch_acme", route.suffix, ""), 401, kUnauthorized);
  }
}

TEST_F(WebhookApiTest, EveryRouteRefusesARevokedKey) {
  ASSERT_TRUE(store_->revokeApiKey(acme_key_).ok());
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.suffix);
    expectAnswer(call(route.method, "ch_acme", route.suffix), 401, kUnauthorized);
  }
  auto webhook = store_->getWebhook("ch_acme");
  ASSERT_TRUE(webhook.ok() && webhook->has_value());
  EXPECT_EQ((*webhook)->secret, secret_);
}

TEST_F(WebhookApiTest, AnotherAccountsChannelLooksExactlyLikeAMissingOne) {
  const long long changes_before = changeCount();
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.suffix);
    const auto foreign = call(route.method, "ch_globex", route.suffix);
    const auto missing = call(route.method, "ch_nowhere", route.suffix);
    expectAnswer(foreign, 404, kInvalidChannel);
    EXPECT_EQ(foreign.status, missing.status);
    EXPECT_EQ(foreign.body, missing.body);
    EXPECT_EQ(foreign.headers.size(), missing.headers.size());
  }
  // Globex's webhook was neither deleted, rotated nor sent a test.
  auto webhook = store_->getWebhook("ch_globex");
  ASSERT_TRUE(webhook.ok() && webhook->has_value());
  EXPECT_TRUE((*webhook)->previous_secret.empty());
  EXPECT_EQ(changeCount(), changes_before);
  EXPECT_TRUE(streamEntries().empty());
}

TEST_F(WebhookApiTest, EveryRouteAnswersAnotherMethodWith405AndAllow) {
  for (const auto& route : kRoutes) {
    for (const std::string method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      if (route.allow.find(method) != std::string::npos) {
        continue;
      }
      SCOPED_TRACE(method + " " + route.suffix);
      const auto result = call(method, "ch_acme", route.suffix);
      expectAnswer(result, 405, kMethodNotAllowed);
      EXPECT_EQ(result.header("Allow"), route.allow);
    }
  }
}

TEST_F(WebhookApiTest, RoutesThatNeedAWebhookAnswer404WhenThereIsNone) {
  for (const auto& route : kRoutes) {
    if (route.suffix == "/attempts") {
      continue;
    }
    SCOPED_TRACE(route.method + " " + route.suffix);
    expectAnswer(call(route.method, "ch_bare", route.suffix), 404, kWebhookNotFound);
  }
  EXPECT_TRUE(streamEntries().empty());
}

TEST_F(WebhookApiTest, UnknownActionIsNotFound) {
  expectAnswer(call("GET", "ch_acme", "/webhooks"), 404,
               R"({"success":false,"message":"Not found"})");
}

// --- GET webhook ----------------------------------------------------------------------------

TEST_F(WebhookApiTest, GetWebhookShowsTheConfigurationWithoutTheSecret) {
  const auto result = call("GET", "ch_acme", "/webhook");
  expectAnswer(
      result, 200,
      R"({"success":true,"message":"Webhook","data":{"channel_id":"ch_acme",)"
      R"("url":"https://hooks.example.com/in","events":{"message_incoming":false,)"
      R"("message_outgoing":false,"message_status":true,"template_update":true,)"
      R"("channel_update":false},"updated_at":"2026-01-01T00:00:00.000Z","disabled":false,)"
      R"("circuit":{"state":"closed"}}})");
  EXPECT_EQ(result.body.find("whsec_"), std::string::npos);
}

TEST_F(WebhookApiTest, GetWebhookShowsWhyItIsDisabled) {
  ASSERT_TRUE(store_->disableWebhook("ch_acme", "receiver answered 410 Gone").ok());
  const Json body = parse(call("GET", "ch_acme", "/webhook"));
  EXPECT_EQ(body["data"]["disabled"], true);
  EXPECT_EQ(body["data"]["disabled_reason"], "receiver answered 410 Gone");
}

// --- DELETE webhook -------------------------------------------------------------------------

TEST_F(WebhookApiTest, DeleteRemovesTheWebhookAndAnnouncesIt) {
  const long long changes_before = changeCount();
  expectAnswer(call("DELETE", "ch_acme", "/webhook"), 200,
               R"({"success":true,"message":"Webhook deleted"})");
  auto webhook = store_->getWebhook("ch_acme");
  ASSERT_TRUE(webhook.ok());
  EXPECT_FALSE(webhook->has_value());
  EXPECT_EQ(changeCount(), changes_before + 1);

  // A second delete finds nothing and announces nothing.
  expectAnswer(call("DELETE", "ch_acme", "/webhook"), 404, kWebhookNotFound);
  EXPECT_EQ(changeCount(), changes_before + 1);
}

TEST_F(WebhookApiTest, DeleteIsSeenByAWebhookCacheWithinOneSecond) {
  RedisOptions redis;
  redis.endpoint.port = testing::sharedRedis().port();
  WebhookCache cache(redis, prefix_);
  ASSERT_TRUE(cache.start().ok());
  ASSERT_NE(cache.find("ch_acme"), nullptr);

  const auto deleted_at = std::chrono::steady_clock::now();
  ASSERT_EQ(call("DELETE", "ch_acme", "/webhook").status, 200);
  EXPECT_TRUE(testing::waitUntil([&] { return cache.find("ch_acme") == nullptr; },
                                 std::chrono::seconds(1)));
  EXPECT_LT(std::chrono::steady_clock::now() - deleted_at, std::chrono::seconds(1));
  EXPECT_NE(cache.find("ch_globex"), nullptr);
  cache.stop();
}

TEST_F(WebhookApiTest, SetWebhookAfterDeleteCreatesAFreshSecret) {
  ASSERT_EQ(call("DELETE", "ch_acme", "/webhook").status, 200);
  const auto result =
      httpCall(api_.port(), "POST", "/api/integrations/ch_acme/setWebhook",
               {{"X-API-Key", acme_key_}, {"Content-Type", "application/json"}},
               R"({"url":"https://hooks.example.com/again","events":{"message_status":true}})");
  ASSERT_EQ(result.status, 200) << result.body;
  const Json body = parse(result);
  ASSERT_TRUE(body["data"].contains("secret"));
  EXPECT_NE(body["data"]["secret"], secret_);
}

// --- secret and rotation --------------------------------------------------------------------

TEST_F(WebhookApiTest, GetSecretShowsOnlyTheCurrentSecretOutsideARotation) {
  expectAnswer(call("GET", "ch_acme", "/webhook/secret"), 200,
               R"({"success":true,"message":"Webhook secret","data":{"channel_id":"ch_acme",)"
               R"("secret":")" +
                   secret_ + R"("}})");
}

TEST_F(WebhookApiTest, RotateSecretKeepsTheOldOneForTheDefaultDay) {
  const long long changes_before = changeCount();
  const auto before = std::chrono::system_clock::now();
  const auto result = call("POST", "ch_acme", "/webhook/rotateSecret");
  ASSERT_EQ(result.status, 200) << result.body;
  const Json body = parse(result);
  EXPECT_EQ(body["message"], "Webhook secret rotated");
  const std::string fresh = body["data"]["secret"];
  EXPECT_TRUE(fresh.starts_with("whsec_"));
  EXPECT_NE(fresh, secret_);
  EXPECT_FALSE(body["data"].contains("previous_secret"));

  const auto expires =
      parseRfc3339Millis(body["data"]["previous_secret_expires_at"].get<std::string>());
  ASSERT_TRUE(expires.has_value());
  const auto expected = std::chrono::duration_cast<std::chrono::milliseconds>(
                            (before + std::chrono::hours(24)).time_since_epoch())
                            .count();
  EXPECT_GE(*expires, expected);
  EXPECT_LT(*expires, expected + 60000);
  EXPECT_EQ(changeCount(), changes_before + 1);

  // Stored: both secrets sign now; the configuration is otherwise unchanged.
  auto webhook = store_->getWebhook("ch_acme");
  ASSERT_TRUE(webhook.ok() && webhook->has_value());
  EXPECT_EQ((*webhook)->secret, fresh);
  EXPECT_EQ((*webhook)->previous_secret, secret_);
  EXPECT_EQ((*webhook)->url, "https://hooks.example.com/in");
  EXPECT_EQ((*webhook)->updated_at_ms, kUpdatedAtMs);

  const Json listed = parse(call("GET", "ch_acme", "/webhook/secret"));
  EXPECT_EQ(listed["data"]["secret"], fresh);
  EXPECT_EQ(listed["data"]["previous_secret"], secret_);
  EXPECT_EQ(listed["data"]["previous_secret_expires_at"],
            body["data"]["previous_secret_expires_at"]);
}

TEST_F(WebhookApiTest, RotatedOutSecretIsListedUntilItExpires) {
  auto options = defaultOptions();
  options.secret_rotation_grace = std::chrono::milliseconds(1500);
  startServer(options);

  ASSERT_EQ(call("POST", "ch_acme", "/webhook/rotateSecret").status, 200);
  const Json during = parse(call("GET", "ch_acme", "/webhook/secret"));
  EXPECT_EQ(during["data"]["previous_secret"], secret_);

  EXPECT_TRUE(testing::waitUntil(
      [&] {
        return !parse(call("GET", "ch_acme", "/webhook/secret"))["data"].contains(
            "previous_secret");
      },
      std::chrono::seconds(5)));
  const Json after = parse(call("GET", "ch_acme", "/webhook/secret"));
  EXPECT_FALSE(after["data"].contains("previous_secret_expires_at"));
  EXPECT_EQ(after["data"]["secret"], during["data"]["secret"]);
}

TEST_F(WebhookApiTest, SecondRotationDropsTheOldestSecret) {
  const Json first = parse(call("POST", "ch_acme", "/webhook/rotateSecret"));
  const Json second = parse(call("POST", "ch_acme", "/webhook/rotateSecret"));
  const Json listed = parse(call("GET", "ch_acme", "/webhook/secret"));
  EXPECT_EQ(listed["data"]["secret"], second["data"]["secret"]);
  EXPECT_EQ(listed["data"]["previous_secret"], first["data"]["secret"]);
}

// --- attempts -------------------------------------------------------------------------------

TEST_F(WebhookApiTest, AttemptsAreListedNewestFirst) {
  for (int attempt = 1; attempt <= 3; ++attempt) {
    pushAttempt("ch_acme", {{"at_ms", kUpdatedAtMs + attempt},
                            {"event_id", "ev_" + std::to_string(attempt)},
                            {"type", "message_status"},
                            {"attempt", attempt},
                            {"outcome", "retry"},
                            {"status", 503}});
  }
  const auto result = call("GET", "ch_acme", "/attempts");
  ASSERT_EQ(result.status, 200) << result.body;
  const Json body = parse(result);
  EXPECT_EQ(body["message"], "Delivery attempts");
  const Json& attempts = body["data"]["attempts"];
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0]["event_id"], "ev_3");
  EXPECT_EQ(attempts[0]["status"], 503);
  EXPECT_EQ(attempts[2]["event_id"], "ev_1");
}

TEST_F(WebhookApiTest, AttemptsHonourTheLimitAndDefaultTo50) {
  for (int i = 0; i < 60; ++i) {
    pushAttempt("ch_acme", {{"event_id", "ev_" + std::to_string(i)}, {"outcome", "delivered"}});
  }
  EXPECT_EQ(parse(call("GET", "ch_acme", "/attempts"))["data"]["attempts"].size(), 50u);
  const Json two = parse(call("GET", "ch_acme", "/attempts?limit=2"));
  ASSERT_EQ(two["data"]["attempts"].size(), 2u);
  EXPECT_EQ(two["data"]["attempts"][0]["event_id"], "ev_59");
  EXPECT_EQ(parse(call("GET", "ch_acme", "/attempts?x=1&limit=1000"))["data"]["attempts"].size(),
            60u);
}

TEST_F(WebhookApiTest, AttemptsOfAChannelWithoutHistoryAreEmpty) {
  expectAnswer(call("GET", "ch_bare", "/attempts"), 200,
               R"({"success":true,"message":"Delivery attempts","data":{"channel_id":"ch_bare",)"
               R"("attempts":[]}})");
}

TEST_F(WebhookApiTest, BadLimitIsValidationError) {
  for (const std::string query : {"limit=0", "limit=1001", "limit=-1", "limit=abc",
                                  "limit=", "limit", "limit=5x", "limit=99999999999999999999999"}) {
    SCOPED_TRACE(query);
    expectAnswer(call("GET", "ch_acme", "/attempts?" + query), 400, kBadLimit);
  }
}

// --- test events ----------------------------------------------------------------------------

TEST_F(WebhookApiTest, TestEventLandsInTheStreamWithTheFirstSubscribedType) {
  const auto result = call("POST", "ch_acme", "/webhook/test");
  ASSERT_EQ(result.status, 202) << result.body;
  const Json body = parse(result);
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["message"], "Test event queued");
  const std::string event_id = body["data"]["event_id"];
  EXPECT_EQ(body["data"]["type"], "message_status");
  ASSERT_EQ(event_id.size(), 5u + 16u);
  EXPECT_TRUE(event_id.starts_with("test_"));
  EXPECT_EQ(event_id.find_first_not_of("0123456789abcdef", 5), std::string::npos);

  const Json entries = streamEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["type"], "message_status");
  EXPECT_EQ(entries[0]["channel_id"], "ch_acme");
  EXPECT_EQ(entries[0]["event_id"], event_id);
  EXPECT_EQ(Json::parse(entries[0]["payload"].get<std::string>()),
            Json({{"test", true}, {"message", "hookline test event"}}));
}

TEST_F(WebhookApiTest, TestEventTakesASubscribedTypeFromTheBody) {
  const auto result =
      call("POST", "ch_acme", "/webhook/test", std::nullopt, R"({"type":"template_update"})");
  ASSERT_EQ(result.status, 202) << result.body;
  EXPECT_EQ(parse(result)["data"]["type"], "template_update");
  const Json entries = streamEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["type"], "template_update");
}

TEST_F(WebhookApiTest, TestEventRefusesABadBody) {
  const auto validation = [](std::string_view field, std::string_view reason) {
    return R"({"success":false,"message":"Validation error","errors":[{"field":")" +
           std::string(field) + R"(","reason":")" + std::string(reason) + R"("}]})";
  };
  expectAnswer(call("POST", "ch_acme", "/webhook/test", std::nullopt, R"({"type":"nope"})"), 400,
               validation("type", "must be one of the five event names"));
  expectAnswer(call("POST", "ch_acme", "/webhook/test", std::nullopt, R"({"type":7})"), 400,
               validation("type", "must be one of the five event names"));
  expectAnswer(call("POST", "ch_acme", "/webhook/test", std::nullopt, "[1]"), 400,
               validation("body", "must be a JSON object"));
  expectAnswer(call("POST", "ch_acme", "/webhook/test", std::nullopt, "{bad"), 400,
               validation("body", "must be a JSON object"));
  expectAnswer(
      call("POST", "ch_acme", "/webhook/test", std::nullopt, R"({"type":"channel_update"})"), 400,
      validation("type", "the webhook is not subscribed to this event"));
  const auto plain =
      httpCall(api_.port(), "POST", "/api/integrations/ch_acme/webhook/test",
               {{"X-API-Key", acme_key_}, {"Content-Type", "text/plain"}}, R"({"type":"x"})");
  expectAnswer(plain, 400, validation("Content-Type", "must be application/json"));
  EXPECT_TRUE(streamEntries().empty());
}

TEST_F(WebhookApiTest, TestEventToADisabledWebhookIsAConflict) {
  ASSERT_TRUE(store_->disableWebhook("ch_acme", "receiver answered 410 Gone").ok());
  expectAnswer(call("POST", "ch_acme", "/webhook/test"), 409,
               R"({"success":false,"message":"Webhook disabled"})");
  EXPECT_TRUE(streamEntries().empty());
}

TEST_F(WebhookApiTest, TestEventToAWebhookWithoutEventsIsAConflict) {
  ASSERT_TRUE(
      store_->putWebhook({"ch_acme", "https://hooks.example.com/in", EventMask{}, kUpdatedAtMs})
          .ok());
  expectAnswer(call("POST", "ch_acme", "/webhook/test"), 409,
               R"({"success":false,"message":"Webhook subscribes to no events"})");
  EXPECT_TRUE(streamEntries().empty());
}

}  // namespace
}  // namespace hookline
