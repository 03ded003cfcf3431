// The management API's limits (issue 4 item 5) against misbehaving clients on real sockets:
// oversized headers, a client that trickles its request, too many connections, and a crowd of
// idle connections that must not stop others from being answered.

#include <poll.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "engine/api/api_server.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kHealthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr std::string_view kValidBody =
    R"({"url":"https://hooks.example.com/in","events":{"message_status":true}})";

// A client connection driven by hand, byte by byte if need be.
class RawClient {
 public:
  explicit RawClient(unsigned short port) : socket_(io_) {
    socket_.connect(tcp::endpoint(boost::asio::ip::address_v4::loopback(), port));
  }

  // False when the server has already closed or reset the connection.
  bool send(std::string_view bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  // Waits up to `timeout` for something to read, and reads it. Returns what arrived, or
  // nullopt when the server closed the connection (end of stream or reset); "" when nothing
  // arrived in time.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd watched{socket_.native_handle(), POLLIN, 0};
    if (::poll(&watched, 1, static_cast<int>(timeout.count())) <= 0) {
      return std::string();
    }
    char buffer[4096];
    boost::system::error_code ec;
    const std::size_t bytes = socket_.read_some(boost::asio::buffer(buffer), ec);
    if (ec) {
      return std::nullopt;
    }
    return std::string(buffer, bytes);
  }

  // True once the server has closed the connection, within `timeout`; answers are skipped.
  bool closedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (!receive(std::max(left, 1ms))) {
        return true;
      }
    }
    return false;
  }

 private:
  boost::asio::io_context io_;
  tcp::socket socket_;
};

class ApiLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link_ = std::make_unique<RedisLink>(connectShared());
    prefix_ = uniquePrefix();
    store_ = std::make_unique<RegistryStore>(*link_, prefix_);
    ASSERT_TRUE(store_->createAccount("acme").ok());
    ASSERT_TRUE(store_->createChannel("ch_acme", "acme").ok());
    auto key = store_->createApiKey("acme");
    ASSERT_TRUE(key.ok());
    key_ = *key;
  }

  void TearDown() override {
    if (server_) {
      server_->stop();
      work_.reset();
      io_.stop();
      io_thread_.join();
    }
  }

  ApiServerOptions defaultOptions() const {
    ApiServerOptions options;
    options.port = 0;
    options.key_prefix = prefix_;
    options.redis.endpoint.port = sharedRedis().port();
    options.stream = prefix_ + "events";
    options.resolve = FakeResolver().map("hooks.example.com", {kPublicTestAddress}).resolver();
    return options;
  }

  // One io thread, as the test harness runs it: the limits must hold without more.
  void startServer(ApiServerOptions options) {
    server_ = std::make_unique<ApiServer>(io_, std::move(options));
    auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    io_thread_ = std::thread([this] { io_.run(); });
  }

  unsigned short port() const { return server_->port(); }

  HttpCallResult setWebhook(std::chrono::milliseconds timeout) {
    return httpCall(port(), "POST", "/api/integrations/ch_acme/setWebhook",
                    {{"X-API-Key", key_}, {"Content-Type", "application/json"}},
                    std::string(kValidBody), timeout);
  }

  std::unique_ptr<RedisLink> link_;
  std::string prefix_;
  std::unique_ptr<RegistryStore> store_;
  std::string key_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::unique_ptr<ApiServer> server_;
  std::thread io_thread_;
};

TEST_F(ApiLimitsTest, ConfiguredHeaderLimitAnswers431AndCloses) {
  auto options = defaultOptions();
  options.header_limit = 2048;
  startServer(options);
  const std::string under = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(1024, 'a') +
                            "\r\nConnection: close\r\n\r\n";
  const std::string over =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'a') + "\r\n\r\n";

  const auto accepted = rawHttpCall(port(), under);
  const auto refused = rawHttpCall(port(), over + std::string(kHealthz), 2);

  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].status, 200);
  ASSERT_EQ(refused.size(), 1u);  // the pipelined request after it is not answered
  EXPECT_EQ(refused[0].status, 431);
  EXPECT_EQ(refused[0].body, R"({"success":false,"message":"Request headers too large"})");
  EXPECT_EQ(refused[0].header("Connection"), "close");
}

TEST_F(ApiLimitsTest, ClientTricklingOneByteASecondIsCutOffAtTheReadTimeout) {
  auto options = defaultOptions();
  options.read_timeout = 2s;
  startServer(options);
  RawClient client(port());
  const std::string request =
      "POST /api/integrations/ch_acme/setWebhook HTTP/1.1\r\nHost: x\r\nX-Slow: " +
      std::string(64, 'a');

  // Each byte arrives well inside any per-read timer; only a deadline on the whole header
  // stops this client. Bounded: at most 15 bytes, 15 seconds.
  const auto start = Clock::now();
  bool closed = false;
  std::size_t sent = 0;
  while (!closed && sent < 15) {
    closed = !client.send(request.substr(sent, 1)) || client.closedWithin(1s);
    sent += 1;
  }
  const auto took = Clock::now() - start;

  EXPECT_TRUE(closed) << "still open after " << sent << " bytes";
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(ApiLimitsTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  auto options = defaultOptions();
  options.max_connections = 3;
  startServer(options);
  std::vector<std::unique_ptr<RawClient>> admitted;
  for (int i = 0; i < 3; ++i) {
    admitted.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(admitted.back()->send(kHealthz));
    const auto answer = admitted.back()->receive(5s);
    ASSERT_TRUE(answer && answer->starts_with("HTTP/1.1 200")) << i;
  }

  RawClient extra(port());
  extra.send(kHealthz);
  EXPECT_TRUE(extra.closedWithin(5s));
  for (auto& client : admitted) {
    EXPECT_EQ(client->receive(10ms), std::string());  // still open, nothing unasked for
  }

  // A place freed is a place for the next client (once the server has seen the close).
  admitted.pop_back();
  const bool served_again = waitUntil(
      [&] {
        auto result = httpCall(port(), "GET", "/healthz", {}, {}, 2s);
        return result.status == 200;
      },
      5s);
  EXPECT_TRUE(served_again);
}

TEST_F(ApiLimitsTest, StaysResponsiveWhile200IdleConnectionsAndATricklerAreOpen) {
  startServer(defaultOptions());
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawClient>(port()));
    if (i % 2 == 0) {
      ASSERT_TRUE(idle.back()->send("GET /healthz HTTP/1.1\r\nHo"));  // half a request
    }
  }
  std::atomic<bool> stop_trickling{false};
  std::thread trickler([&] {
    RawClient slow(port());
    const std::string request = "GET /healthz HTTP/1.1\r\nX-Slow: " + std::string(64, 'a');
    for (std::size_t i = 0; i < 40 && !stop_trickling; ++i) {  // at most 40 bytes, 8 seconds
      if (!slow.send(request.substr(i, 1))) {
        break;
      }
      std::this_thread::sleep_for(200ms);
    }
  });

  const auto health = httpCall(port(), "GET", "/healthz", {}, {}, 5s);
  const auto configured = setWebhook(5s);
  stop_trickling = true;
  trickler.join();

  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_EQ(configured.status, 200) << configured.error << configured.body;
  std::size_t still_open = 0;
  for (auto& client : idle) {
    still_open += client->receive(0ms) == std::string() ? 1 : 0;
  }
  EXPECT_EQ(still_open, 200u);  // nobody was dropped to make room
}

}  // namespace
}  // namespace hookline::testing
