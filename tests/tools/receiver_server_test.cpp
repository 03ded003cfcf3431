#include "tools/receiver_server.hpp"

#include <cctype>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hookline {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

// One client connection to the receiver under test, with a deadline on every read.
class TestConnection {
 public:
  explicit TestConnection(unsigned short port) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  void post(const std::string& target, const std::string& body, bool keep_alive = true) {
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.set("Webhook-Id", "evt_42");
    request.keep_alive(keep_alive);
    request.body() = body;
    request.prepare_payload();
    http::write(stream_, request);
  }

  // Starts reading one response; finishRead() runs the client until it is in or `limit` ends.
  void startRead() {
    response_.emplace();
    done_ = false;
    http::async_read(stream_, buffer_, *response_,
                     [this](const beast::error_code& error, std::size_t) {
                       error_ = error;
                       done_ = true;
                     });
  }

  bool runFor(std::chrono::milliseconds limit) {
    io_.restart();
    io_.run_for(limit);
    return done_;
  }

  // The response, or nullopt (and error()) when the connection ended or `limit` passed.
  std::optional<Response> read(std::chrono::milliseconds limit = 5s) {
    stream_.expires_after(limit);
    startRead();
    return finishRead();
  }

  std::optional<Response> finishRead() {
    io_.restart();
    io_.run();  // bounded by the stream's expiry
    if (error_) {
      return std::nullopt;
    }
    return std::move(*response_);
  }

  const beast::error_code& error() const { return error_; }
  beast::tcp_stream& stream() { return stream_; }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  std::optional<Response> response_;
  beast::error_code error_;
  bool done_ = false;
};

TEST(ReceiverServerTest, RecordsTheRequestAndAnswersAsScripted) {
  ReceiverServer receiver({}, [](const ReceivedRequest& request) {
    ReceiverReply reply;
    reply.status = 202;
    reply.headers = {{"X-Seen", request.header("WEBHOOK-ID")}};
    reply.body = "ok";
    return reply;
  });
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/hooks/1?a=b", R"({"id":"evt_42"})");
  auto response = connection.read();

  ASSERT_TRUE(response) << connection.error().message();
  EXPECT_EQ(response->result_int(), 202u);
  EXPECT_EQ((*response)["X-Seen"], "evt_42");
  EXPECT_EQ(response->body(), "ok");
  ASSERT_EQ(receiver.count(), 1u);
  const ReceivedRequest seen = receiver.requests().front();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/hooks/1?a=b");
  EXPECT_EQ(seen.body, R"({"id":"evt_42"})");
  EXPECT_EQ(seen.header("webhook-id"), "evt_42");
  EXPECT_EQ(seen.header("Content-Type"), "application/json");
  EXPECT_EQ(seen.header("absent"), "");
  for (const auto& [name, value] : seen.headers) {
    for (char c : name) {
      EXPECT_FALSE(std::isupper(static_cast<unsigned char>(c))) << name;
    }
  }
  EXPECT_LE(seen.received_at, std::chrono::system_clock::now());
}

TEST(ReceiverServerTest, DefaultHandlerAnswers200Empty) {
  ReceiverServer receiver({}, nullptr);
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/", "{}");
  auto response = connection.read();

  ASSERT_TRUE(response) << connection.error().message();
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->body(), "");
}

TEST(ReceiverServerTest, AnswersA500WhenTheHandlerThrows) {
  ReceiverServer receiver({}, [](const ReceivedRequest&) -> ReceiverReply {
    throw std::runtime_error("scripted failure");
  });
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/", "{}");
  auto response = connection.read();

  ASSERT_TRUE(response) << connection.error().message();
  EXPECT_EQ(response->result_int(), 500u);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST(ReceiverServerTest, KeepsTheConnectionAliveBetweenRequests) {
  ReceiverServer receiver({}, nullptr);
  receiver.start();
  TestConnection connection(receiver.port());

  for (int i = 0; i < 3; ++i) {
    connection.post("/", "{}");
    auto response = connection.read();
    ASSERT_TRUE(response) << connection.error().message();
    EXPECT_TRUE(response->keep_alive());
  }

  EXPECT_EQ(receiver.count(), 3u);
  EXPECT_EQ(receiver.acceptedConnections(), 1u);
}

TEST(ReceiverServerTest, ClosesAfterAnsweringWhenAsked) {
  ReceiverServer receiver({}, [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.close_connection = true;
    return reply;
  });
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/", "{}");
  auto response = connection.read();
  ASSERT_TRUE(response) << connection.error().message();
  EXPECT_FALSE(response->keep_alive());
  auto after = connection.read();

  EXPECT_FALSE(after);
  EXPECT_EQ(connection.error(), http::error::end_of_stream);
}

TEST(ReceiverServerTest, ResetsWithoutAnsweringWhenAsked) {
  ReceiverServer receiver({}, [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.reset_connection = true;
    return reply;
  });
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/", "{}");
  auto response = connection.read();

  EXPECT_FALSE(response);
  EXPECT_NE(connection.error(), beast::error::timeout);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST(ReceiverServerTest, HangsUntilStopped) {
  ReceiverServer receiver({}, [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.hang = true;
    return reply;
  });
  receiver.start();
  TestConnection connection(receiver.port());
  connection.post("/", "{}");
  connection.stream().expires_after(10s);
  connection.startRead();

  ASSERT_TRUE(receiver.waitForCount(1, 5s));
  EXPECT_FALSE(connection.runFor(300ms));
  receiver.stop();
  auto response = connection.finishRead();

  EXPECT_FALSE(response);
  EXPECT_NE(connection.error(), beast::error::timeout);
}

TEST(ReceiverServerTest, DelaysOneAnswerWithoutHoldingUpOthers) {
  ReceiverServer receiver({}, [](const ReceivedRequest& request) {
    ReceiverReply reply;
    if (request.target == "/slow") {
      reply.delay = 1500ms;
    }
    return reply;
  });
  receiver.start();
  TestConnection slow(receiver.port());
  TestConnection fast(receiver.port());

  const auto started = std::chrono::steady_clock::now();
  slow.post("/slow", "{}");
  ASSERT_TRUE(receiver.waitForCount(1, 5s));
  fast.post("/fast", "{}");
  auto fast_response = fast.read();
  const auto fast_elapsed = std::chrono::steady_clock::now() - started;
  auto slow_response = slow.read();
  const auto slow_elapsed = std::chrono::steady_clock::now() - started;

  ASSERT_TRUE(fast_response) << fast.error().message();
  ASSERT_TRUE(slow_response) << slow.error().message();
  EXPECT_LT(fast_elapsed, 1500ms);
  EXPECT_GE(slow_elapsed, 1500ms);
}

TEST(ReceiverServerTest, TricklesTheWholeBody) {
  const std::string body(10 * 1024 + 7, 'z');
  ReceiverServer receiver({}, [&body](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.body = body;
    reply.trickle_chunk = 1024;
    reply.trickle_interval = 5ms;
    return reply;
  });
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/", "{}");
  auto first = connection.read();
  connection.post("/", "{}");
  auto second = connection.read();

  ASSERT_TRUE(first) << connection.error().message();
  EXPECT_EQ(first->body(), body);
  ASSERT_TRUE(second) << connection.error().message();
  EXPECT_EQ(second->body(), body);
  EXPECT_EQ(receiver.acceptedConnections(), 1u);
}

TEST(ReceiverServerTest, RefusesABodyOverTheLimitWith413) {
  ReceiverServer::Options options;
  options.max_body = 1024;
  ReceiverServer receiver(options, nullptr);
  receiver.start();
  TestConnection connection(receiver.port());

  connection.post("/", std::string(4096, 'a'));
  auto response = connection.read();

  ASSERT_TRUE(response) << connection.error().message();
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_EQ(receiver.count(), 0u);
}

TEST(ReceiverServerTest, WaitForCountWaitsForArrivalsAndTimesOut) {
  ReceiverServer receiver({}, nullptr);
  receiver.start();

  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(receiver.waitForCount(1, 100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);

  std::thread sender([port = receiver.port()] {
    TestConnection connection(port);
    connection.post("/", "{}");
    connection.read();
  });
  EXPECT_TRUE(receiver.waitForCount(1, 5s));
  sender.join();
}

TEST(ReceiverServerTest, KeepsOnlyTheLatestRequestsButCountsAll) {
  ReceiverServer::Options options;
  options.max_kept_requests = 2;
  ReceiverServer receiver(options, nullptr);
  receiver.start();
  TestConnection connection(receiver.port());

  for (const char* target : {"/1", "/2", "/3"}) {
    connection.post(target, "{}");
    ASSERT_TRUE(connection.read());
  }

  EXPECT_EQ(receiver.count(), 3u);
  const auto kept = receiver.requests();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].target, "/2");
  EXPECT_EQ(kept[1].target, "/3");
}

TEST(ReceiverServerTest, UrlNamesTheBoundPort) {
  ReceiverServer receiver({}, nullptr);
  receiver.start();

  ASSERT_NE(receiver.port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(receiver.port());
  EXPECT_EQ(receiver.url("/hook"), base + "/hook");
  EXPECT_EQ(receiver.url("hook"), base + "/hook");
}

TEST(ReceiverServerTest, StartThrowsWhenThePortIsTaken) {
  ReceiverServer first({}, nullptr);
  first.start();
  ReceiverServer::Options options;
  options.port = first.port();
  ReceiverServer second(options, nullptr);

  EXPECT_THROW(second.start(), std::runtime_error);
}

TEST(ReceiverServerTest, StartThrowsWithoutBothTlsFiles) {
  ReceiverServer::Options options;
  options.tls_cert_file = "/nonexistent/cert.pem";
  ReceiverServer receiver(options, nullptr);

  EXPECT_THROW(receiver.start(), std::runtime_error);
}

TEST(ReceiverServerTest, StopIsIdempotentAndKeepsWhatWasRecorded) {
  ReceiverServer receiver({}, nullptr);
  receiver.start();
  {
    TestConnection connection(receiver.port());
    connection.post("/", "{}");
    ASSERT_TRUE(connection.read());
  }

  receiver.stop();
  receiver.stop();

  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(ReceiverServerTest, ServesSeveralConnectionsOnSeveralThreads) {
  ReceiverServer::Options options;
  options.threads = 2;
  ReceiverServer receiver(options, [](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.delay = 10ms;
    return reply;
  });
  receiver.start();

  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([port = receiver.port()] {
      TestConnection connection(port);
      for (int j = 0; j < 5; ++j) {
        connection.post("/", "{}");
        connection.read();
      }
    });
  }
  for (auto& client : clients) {
    client.join();
  }

  EXPECT_EQ(receiver.count(), 20u);
  EXPECT_EQ(receiver.acceptedConnections(), 4u);
}

}  // namespace
}  // namespace hookline
