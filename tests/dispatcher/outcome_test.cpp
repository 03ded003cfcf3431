#include "dispatcher/outcome.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

namespace hookline {
namespace {

DeliveryResult status(int code) {
  DeliveryResult result;
  result.http_status = code;
  return result;
}

DeliveryResult network(CURLcode code) {
  DeliveryResult result;
  result.curl_code = code;
  result.error = curl_easy_strerror(code);
  return result;
}

TEST(OutcomeTest, Every2xxIsDelivered) {
  for (int code : {200, 201, 202, 204, 299}) {
    EXPECT_EQ(classifyAttempt(status(code)), AttemptOutcome::Delivered) << code;
  }
}

TEST(OutcomeTest, RetriableStatusesAreRetried) {
  for (int code : {408, 425, 429, 500, 502, 503, 504, 599}) {
    EXPECT_EQ(classifyAttempt(status(code)), AttemptOutcome::Retry) << code;
  }
}

TEST(OutcomeTest, GoneDisablesTheWebhook) {
  EXPECT_EQ(classifyAttempt(status(410)), AttemptOutcome::Gone);
}

TEST(OutcomeTest, OtherClientErrorsAndRedirectsAreRejected) {
  for (int code : {300, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 409, 413, 422}) {
    EXPECT_EQ(classifyAttempt(status(code)), AttemptOutcome::Rejected) << code;
  }
}

TEST(OutcomeTest, NetworkErrorsAreRetried) {
  for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR,
                        CURLE_SEND_ERROR, CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR,
                        CURLE_PEER_FAILED_VERIFICATION, CURLE_GOT_NOTHING}) {
    EXPECT_EQ(classifyAttempt(network(code)), AttemptOutcome::Retry) << code;
  }
}

TEST(OutcomeTest, UnusableRequestsAreRejected) {
  EXPECT_EQ(classifyAttempt(network(CURLE_UNSUPPORTED_PROTOCOL)), AttemptOutcome::Rejected);
  EXPECT_EQ(classifyAttempt(network(CURLE_URL_MALFORMAT)), AttemptOutcome::Rejected);
}

TEST(OutcomeTest, DescribesResultsForDeadLetters) {
  EXPECT_EQ(describeResult(status(503)), "http 503");
  EXPECT_EQ(describeResult(network(CURLE_COULDNT_CONNECT)).substr(0, 9), "network: ");
}

}  // namespace
}  // namespace hookline
