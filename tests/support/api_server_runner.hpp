#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <thread>

#include "engine/api/api_server.hpp"

namespace hookline::testing {

// A management API server on a free loopback port with one io thread of its own, for a test.
// Stopped by stop() or the destructor.
class ApiServerRunner {
 public:
  ApiServerRunner() = default;
  ~ApiServerRunner() { stop(); }

  ApiServerRunner(const ApiServerRunner&) = delete;
  ApiServerRunner& operator=(const ApiServerRunner&) = delete;

  // Starts a server with `options`, stopping a running one first; a server that cannot start
  // fails the calling test.
  void start(ApiServerOptions options);
  void stop();
  unsigned short port() const { return server_->port(); }

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  std::unique_ptr<boost::asio::io_context> io_;
  std::optional<WorkGuard> work_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
};

}  // namespace hookline::testing
