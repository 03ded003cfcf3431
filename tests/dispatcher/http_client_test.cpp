#include "dispatcher/http_client.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "dispatcher/ca_trust.hpp"
#include "dispatcher/outcome.hpp"
#include "dispatcher/transfer.hpp"
#include "tests/support/connection_counter.hpp"
#include "tests/support/http_client_fixture.hpp"
#include "tests/support/test_pki.hpp"
#include "tools/local_redis.hpp"
#include "tools/receiver_server.hpp"

namespace hookline {
namespace {

using namespace std::chrono_literals;

class HttpClientTest : public HttpClientFixture {};

TEST_F(HttpClientTest, PostsExactBodyAndHeaders) {
  auto receiver = startReceiver();
  DeliveryRequest request = requestTo(receiver->url("/hooks/a?x=1"));
  request.body = std::string("{\"text\":\"caf\xc3\xa9\"}\0\xff tail\r\n", 22);
  request.headers = {{"webhook-id", "evt_1"},
                     {"webhook-timestamp", "1714560000"},
                     {"webhook-signature", "v1,c2lnbmF0dXJl"}};

  const DeliveryResult result = sendAndWait(request);

  EXPECT_EQ(result.curl_code, 0) << result.error;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_TRUE(result.succeeded());
  ASSERT_EQ(receiver->count(), 1u);
  const ReceivedRequest seen = receiver->requests().front();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/hooks/a?x=1");
  EXPECT_EQ(seen.body, request.body);
  EXPECT_EQ(seen.header("content-length"), std::to_string(request.body.size()));
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(seen.header("user-agent"), std::string("hookline/") + HOOKLINE_VERSION);
  EXPECT_EQ(seen.header("webhook-id"), "evt_1");
  EXPECT_EQ(seen.header("webhook-timestamp"), "1714560000");
  EXPECT_EQ(seen.header("webhook-signature"), "v1,c2lnbmF0dXJl");
  EXPECT_EQ(seen.header("expect"), "");
  EXPECT_EQ(seen.header("transfer-encoding"), "");
}

TEST_F(HttpClientTest, KeepsAContentTypeTheCallerGives) {
  auto receiver = startReceiver();
  DeliveryRequest request = requestTo(receiver->url("/"));
  request.headers = {{"Content-Type", "application/cloudevents+json"}};

  ASSERT_TRUE(sendAndWait(request).succeeded());

  const ReceivedRequest seen = receiver->requests().front();
  int content_types = 0;
  for (const auto& [name, value] : seen.headers) {
    content_types += name == "content-type" ? 1 : 0;
  }
  EXPECT_EQ(content_types, 1);
  EXPECT_EQ(seen.header("content-type"), "application/cloudevents+json");
}

TEST_F(HttpClientTest, ReportsTheReceiversStatus) {
  for (int status : {200, 404, 503}) {
    auto receiver = startReceiver([status](const ReceivedRequest&) {
      ReceiverReply reply;
      reply.status = status;
      reply.body = "status body";
      return reply;
    });

    const DeliveryResult result = sendAndWait(requestTo(receiver->url("/")));

    EXPECT_EQ(result.curl_code, 0) << result.error;
    EXPECT_EQ(result.http_status, status);
    EXPECT_TRUE(result.answered());
    EXPECT_EQ(result.succeeded(), status == 200);
    EXPECT_TRUE(result.error.empty());
  }
}

TEST_F(HttpClientTest, CapturesRetryAfter) {
  auto receiver = startReceiver([](const ReceivedRequest& request) {
    ReceiverReply reply;
    reply.status = request.target == "/seconds" ? 503 : 429;
    reply.headers = {
        {"Retry-After", request.target == "/seconds" ? "120" : "Wed, 21 Oct 2015 07:28:00 GMT"}};
    return reply;
  });

  const DeliveryResult seconds = sendAndWait(requestTo(receiver->url("/seconds")));
  const DeliveryResult date = sendAndWait(requestTo(receiver->url("/date")));
  auto plain = startReceiver();
  const DeliveryResult none = sendAndWait(requestTo(plain->url("/")));

  EXPECT_EQ(seconds.http_status, 503);
  EXPECT_EQ(seconds.retry_after, "120");
  EXPECT_EQ(date.http_status, 429);
  EXPECT_EQ(date.retry_after, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(none.retry_after, "");
}

TEST_F(HttpClientTest, ConnectionRefusedIsACurlErrorNotAStatus) {
  const int port = freeLoopbackPort();

  const DeliveryResult result =
      sendAndWait(requestTo("http://127.0.0.1:" + std::to_string(port) + "/"));

  EXPECT_EQ(result.curl_code, CURLE_COULDNT_CONNECT);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.answered());
  EXPECT_FALSE(result.error.empty());
}

TEST_F(HttpClientTest, ReceiverSlowerThanTotalTimeoutTimesOut) {
  auto receiver = startReceiver([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 5s;
    return reply;
  });
  DeliveryRequest request = requestTo(receiver->url("/"));
  request.total_timeout = 300ms;

  const DeliveryResult result = sendAndWait(request);

  EXPECT_EQ(result.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_GE(result.duration, 250ms);
  EXPECT_LT(result.duration, 4s);
}

TEST_F(HttpClientTest, MeasuresDurationFromHandOffToAnswer) {
  auto receiver = startReceiver([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 200ms;
    return reply;
  });

  const DeliveryResult result = sendAndWait(requestTo(receiver->url("/")));

  EXPECT_EQ(result.http_status, 200);
  EXPECT_GE(result.duration, 200ms);
  EXPECT_LT(result.duration, 10s);
}

TEST_F(HttpClientTest, DoesNotFollowRedirects) {
  auto receiver = startReceiver([](const ReceivedRequest& request) {
    ReceiverReply reply;
    if (request.target == "/old") {
      reply.status = 301;
      reply.headers = {{"Location", "/new"}};
    }
    return reply;
  });

  const DeliveryResult result = sendAndWait(requestTo(receiver->url("/old")));

  EXPECT_EQ(result.curl_code, 0) << result.error;
  EXPECT_EQ(result.http_status, 301);
  ASSERT_EQ(receiver->count(), 1u);
  EXPECT_EQ(receiver->requests().front().target, "/old");
}

TEST_F(HttpClientTest, RefusesSchemesOtherThanHttp) {
  auto receiver = startReceiver();
  const std::string file =
      (std::filesystem::temp_directory_path() / "hookline-http-client-test.json").string();
  std::ofstream(file) << "{}";

  for (const std::string& url :
       {"gopher://127.0.0.1:" + std::to_string(receiver->port()) + "/", "file://" + file}) {
    const DeliveryResult result = sendAndWait(requestTo(url));
    EXPECT_EQ(result.curl_code, CURLE_UNSUPPORTED_PROTOCOL) << url << ": " << result.error;
    EXPECT_EQ(result.http_status, 0);
  }
  EXPECT_EQ(receiver->count(), 0u);
  std::filesystem::remove(file);
}

TEST_F(HttpClientTest, RefusesPlainHttpUnlessAllowed) {
  auto receiver = startReceiver();
  DeliveryRequest request = requestTo(receiver->url("/"));
  request.allow_http = false;

  const DeliveryResult refused = sendAndWait(request);
  request.allow_http = true;
  const DeliveryResult allowed = sendAndWait(request);

  EXPECT_EQ(refused.curl_code, CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_EQ(allowed.http_status, 200);
  EXPECT_EQ(receiver->count(), 1u);
}

TEST_F(HttpClientTest, RefusesHeadersThatWouldSplitTheHeaderBlock) {
  auto receiver = startReceiver();
  DeliveryRequest request = requestTo(receiver->url("/"));
  request.headers = {{"webhook-id", "evt_1\r\nX-Injected: yes"}};
  std::optional<DeliveryResult> result;

  client_.send(request, [&](DeliveryResult done) { result = std::move(done); });
  EXPECT_FALSE(result.has_value()) << "completion ran inside send()";
  ASSERT_TRUE(runUntil([&] { return result.has_value(); }));

  EXPECT_EQ(result->curl_code, CURLE_BAD_FUNCTION_ARGUMENT);
  EXPECT_FALSE(result->error.empty());
  EXPECT_EQ(receiver->count(), 0u);
}

TEST_F(HttpClientTest, NeverCompletesInsideSend) {
  auto receiver = startReceiver();
  bool completed = false;

  client_.send(requestTo(receiver->url("/")), [&](DeliveryResult) { completed = true; });

  EXPECT_FALSE(completed);
  EXPECT_EQ(client_.inFlight(), 1u);
  ASSERT_TRUE(runUntil([&] { return completed; }));
  EXPECT_EQ(client_.inFlight(), 0u);
}

TEST_F(HttpClientTest, CompletesTwoHundredConcurrentSends) {
  auto receiver = startReceiver();
  constexpr int kSends = 200;
  int succeeded = 0;
  int finished = 0;

  for (int i = 0; i < kSends; ++i) {
    DeliveryRequest request = requestTo(receiver->url("/n/" + std::to_string(i)));
    client_.send(std::move(request), [&](DeliveryResult result) {
      ++finished;
      succeeded += result.succeeded() ? 1 : 0;
    });
  }
  EXPECT_EQ(client_.inFlight(), static_cast<std::size_t>(kSends));

  ASSERT_TRUE(runUntil([&] { return finished == kSends; }, 60s)) << finished << " finished";
  EXPECT_EQ(succeeded, kSends);
  EXPECT_EQ(receiver->count(), static_cast<std::size_t>(kSends));
  EXPECT_EQ(client_.inFlight(), 0u);
}

TEST_F(HttpClientTest, ReusesConnectionsForSequentialSends) {
  auto receiver = startReceiver();

  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(sendAndWait(requestTo(receiver->url("/"))).succeeded()) << "send " << i;
  }

  EXPECT_EQ(receiver->count(), 50u);
  EXPECT_LE(receiver->acceptedConnections(), 2u);
}

TEST_F(HttpClientTest, CapsConnectionsAtMaxTotalConnections) {
  auto receiver = startReceiver([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 20ms;
    return reply;
  });
  HttpClientOptions options = loopbackOptions();
  options.max_total_connections = 2;
  HttpClient client(io_, options);
  int succeeded = 0;
  int finished = 0;

  for (int i = 0; i < 20; ++i) {
    client.send(requestTo(receiver->url("/")), [&](DeliveryResult result) {
      ++finished;
      succeeded += result.succeeded() ? 1 : 0;
    });
  }

  ASSERT_TRUE(runUntil([&] { return finished == 20; }, 30s));
  EXPECT_EQ(succeeded, 20);
  EXPECT_LE(receiver->acceptedConnections(), 2u);
}

// B08: glue that waited on a socket only when curl's interest changed let a response that
// arrives in many small pieces crawl (or time out) on curl's timer.
TEST_F(HttpClientTest, CompletesASlowlyTrickledLargeResponse) {
  auto receiver = startReceiver([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.body = std::string(256 * 1024, 'x');
    reply.trickle_chunk = 1024;
    reply.trickle_interval = 5ms;
    return reply;
  });
  // Long timeouts, so that curl's own timer (the only other thing that would wake a stalled
  // transfer) is far away.
  DeliveryRequest request = requestTo(receiver->url("/"));
  request.connect_timeout = 20s;
  request.total_timeout = 20s;

  const DeliveryResult result = sendAndWait(request);

  EXPECT_EQ(result.curl_code, 0) << result.error;
  EXPECT_EQ(result.http_status, 200);
  // 256 pieces 5 ms apart take about 1.3 s.
  EXPECT_LT(result.duration, 10s);
}

TEST_F(HttpClientTest, ResetByTheReceiverIsACurlError) {
  auto receiver = startReceiver([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.reset_connection = true;
    return reply;
  });

  const DeliveryResult result = sendAndWait(requestTo(receiver->url("/")));

  EXPECT_NE(result.curl_code, 0);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.error.empty());
}

TEST_F(HttpClientTest, DestroyingTheClientAbortsTransfersWithoutCompletions) {
  auto receiver = startReceiver([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.hang = true;
    return reply;
  });
  auto client = std::make_unique<HttpClient>(io_, loopbackOptions());
  int completions = 0;
  for (int i = 0; i < 5; ++i) {
    client->send(requestTo(receiver->url("/")), [&](DeliveryResult) { ++completions; });
  }
  ASSERT_TRUE(runUntil([&] { return receiver->count() == 5; }));

  client.reset();
  io_.restart();
  io_.run_for(200ms);

  EXPECT_EQ(completions, 0);
}

TEST_F(HttpClientTest, ACompletionMayDestroyTheClient) {
  auto receiver = startReceiver([](const ReceivedRequest& request) {
    ReceiverReply reply;
    reply.hang = request.target == "/hang";
    return reply;
  });
  auto client = std::make_unique<HttpClient>(io_, loopbackOptions());
  int completions = 0;
  client->send(requestTo(receiver->url("/hang")), [&](DeliveryResult) { ++completions; });
  client->send(requestTo(receiver->url("/")), [&](DeliveryResult) {
    ++completions;
    client.reset();
  });

  ASSERT_TRUE(runUntil([&] { return client == nullptr; }));
  io_.restart();
  io_.run_for(100ms);

  EXPECT_EQ(completions, 1);
}

TEST_F(HttpClientTest, ACompletionMaySendAgain) {
  auto receiver = startReceiver();
  int remaining = 5;
  std::function<void(DeliveryResult)> again = [&](DeliveryResult result) {
    EXPECT_TRUE(result.succeeded());
    if (--remaining > 0) {
      client_.send(requestTo(receiver->url("/")), again);
    }
  };

  client_.send(requestTo(receiver->url("/")), again);

  ASSERT_TRUE(runUntil([&] { return remaining == 0; }));
  EXPECT_EQ(receiver->count(), 5u);
}

}  // namespace
}  // namespace hookline
