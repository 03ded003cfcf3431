// The management API as an HTTP server: health and readiness, unknown routes and methods,
// malformed and oversized requests, pipelining, 100-continue, read and idle deadlines, stop.

#include <gtest/gtest.h>

#include "tests/support/api_fixture.hpp"

namespace hookline {
namespace {

class ApiTransportTest : public ApiFixture {};

TEST_F(ApiTransportTest, HealthzAnswersOk) {
  expectAnswer(httpCall(api_.port(), "GET", "/healthz"), 200, R"({"status":"ok"})");
}

TEST_F(ApiTransportTest, ReadyzIsReadyWhenRedisAnswers) {
  expectAnswer(httpCall(api_.port(), "GET", "/readyz"), 200, R"({"status":"ready"})");
}

TEST_F(ApiTransportTest, ReadyzFollowsTheReadyCallback) {
  auto options = defaultOptions();
  options.ready = [] { return false; };
  startServer(options);
  expectAnswer(httpCall(api_.port(), "GET", "/readyz"), 503, R"({"status":"not ready"})");
}

TEST_F(ApiTransportTest, ReadyzIsNotReadyWithoutRedis) {
  auto options = defaultOptions();
  options.redis.endpoint.port = freeLoopbackPort();
  startServer(options);
  const auto start = Clock::now();
  expectAnswer(httpCall(api_.port(), "GET", "/readyz"), 503, R"({"status":"not ready"})");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ApiTransportTest, UnknownRouteIsNotFound) {
  expectAnswer(httpCall(api_.port(), "GET", "/api/integrations"), 404,
               R"({"success":false,"message":"Not found"})");
  expectAnswer(httpCall(api_.port(), "POST", "/api/integrations/ch_acme/setWebhookX"), 404,
               R"({"success":false,"message":"Not found"})");
}

TEST_F(ApiTransportTest, WrongMethodIsMethodNotAllowed) {
  auto result = httpCall(api_.port(), "GET", "/api/integrations/ch_acme/setWebhook");
  expectAnswer(result, 405, R"({"success":false,"message":"Method not allowed"})");
  EXPECT_EQ(result.header("Allow"), "POST");
  auto health = httpCall(api_.port(), "POST", "/healthz");
  expectAnswer(health, 405, R"({"success":false,"message":"Method not allowed"})");
  EXPECT_EQ(health.header("Allow"), "GET");
}

TEST_F(ApiTransportTest, MalformedRequestIsBadRequest) {
  auto results = rawHttpCall(api_.port(), "GARBAGE\r\n\r\n");
  ASSERT_EQ(results.size(), 1u);
  expectAnswer(results[0], 400, R"({"success":false,"message":"Bad request"})");
}

TEST_F(ApiTransportTest, HeadersOverEightKibibytesAreRefused) {
  auto results = rawHttpCall(api_.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                              std::string(9 * 1024, 'a') + "\r\n\r\n");
  ASSERT_EQ(results.size(), 1u);
  expectAnswer(results[0], 431, R"({"success":false,"message":"Request headers too large"})");
}

TEST_F(ApiTransportTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
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

TEST_F(ApiTransportTest, ExpectContinueGetsAContinueBeforeTheAnswer) {
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

TEST_F(ApiTransportTest, SlowRequestIsCutOffAtTheReadDeadline) {
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

TEST_F(ApiTransportTest, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
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

TEST_F(ApiTransportTest, StopClosesOpenConnections) {
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
