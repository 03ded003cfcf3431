#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "common/network_policy.hpp"
#include "dispatcher/http_client.hpp"
#include "tools/receiver_server.hpp"

namespace hookline {

// An HttpClient on an io_context the test drives itself, with receivers on loopback (allowed
// through the address guard for 127.0.0.1 only) and a helper that sends and waits.
class HttpClientFixture : public ::testing::Test {
 protected:
  // Runs the io_context until `done` holds or `limit` passes; false on the deadline, or when
  // nothing is left to run while `done` is still false.
  bool runUntil(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      io_.restart();
      if (io_.run_one_until(deadline) == 0 && !done() &&
          std::chrono::steady_clock::now() < deadline) {
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<ReceiverServer> startReceiver(ReceiverServer::Handler handler = nullptr,
                                                ReceiverServer::Options options = {}) {
    auto receiver = std::make_unique<ReceiverServer>(std::move(options), std::move(handler));
    receiver->start();
    return receiver;
  }

  static DeliveryRequest requestTo(std::string url) {
    DeliveryRequest request;
    request.url = std::move(url);
    request.body = R"({"id":"evt_1","type":"message_status"})";
    request.allow_http = true;
    request.connect_timeout = std::chrono::seconds(5);
    request.total_timeout = std::chrono::seconds(20);
    return request;
  }

  DeliveryResult sendAndWait(DeliveryRequest request, HttpClient* client = nullptr) {
    std::optional<DeliveryResult> result;
    (client ? *client : client_).send(std::move(request), [&](DeliveryResult done) {
      result = std::move(done);
    });
    EXPECT_TRUE(runUntil([&] { return result.has_value(); }, std::chrono::seconds(30)))
        << "no completion in time";
    return result.value_or(DeliveryResult{});
  }

  // The test receivers listen on 127.0.0.1, which the address guard refuses unless allowed.
  static HttpClientOptions loopbackOptions() {
    HttpClientOptions options;
    options.allow_networks = {*CidrRange::parse("127.0.0.1/32")};
    return options;
  }

  boost::asio::io_context io_;
  HttpClient client_{io_, loopbackOptions()};
};

}  // namespace hookline
