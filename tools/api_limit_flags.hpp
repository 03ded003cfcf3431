#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>

#include "engine/api/api_server_options.hpp"

namespace hookline {

// The management API's resource limits as command-line flags (serve and api), with
// ApiServerOptions' defaults.
struct ApiLimitFlags {
  std::size_t body_limit = ApiServerOptions{}.body_limit;
  std::size_t header_limit = ApiServerOptions{}.header_limit;
  long read_timeout_ms = ApiServerOptions{}.read_timeout.count();
  long idle_timeout_ms = ApiServerOptions{}.idle_timeout.count();
  long write_timeout_ms = ApiServerOptions{}.write_timeout.count();
  std::size_t max_connections = ApiServerOptions{}.max_connections;
  std::size_t workers = ApiServerOptions{}.workers;
  std::size_t work_queue_limit = ApiServerOptions{}.work_queue_limit;
  long work_deadline_ms = ApiServerOptions{}.work_deadline.count();
  // Threads running the API's io_context. They never wait on Redis or DNS (the workers do),
  // so more of them only add CPU for parsing and writing.
  int threads = 2;
};

void addApiLimitFlags(CLI::App& command, ApiLimitFlags& flags);
void applyApiLimitFlags(const ApiLimitFlags& flags, ApiServerOptions& options);

}  // namespace hookline
