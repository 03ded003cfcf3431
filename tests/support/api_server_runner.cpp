#include "tests/support/api_server_runner.hpp"

#include <gtest/gtest.h>

namespace hookline::testing {

void ApiServerRunner::start(ApiServerOptions options) {
  stop();
  io_ = std::make_unique<boost::asio::io_context>();
  server_ = std::make_unique<ApiServer>(*io_, std::move(options));
  auto started = server_->start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  work_.emplace(io_->get_executor());
  thread_ = std::thread([io = io_.get()] { io->run(); });
}

void ApiServerRunner::stop() {
  if (!server_) {
    return;
  }
  server_->stop();
  work_.reset();
  io_->stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  server_.reset();
  io_.reset();
}

}  // namespace hookline::testing
