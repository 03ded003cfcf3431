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
  // Threads running the API's io_context. A handler blocks its thread on Redis, so more than
  // one keeps /healthz and cheap requests answered while one waits.
  int threads = 2;
};

void addApiLimitFlags(CLI::App& command, ApiLimitFlags& flags);
void applyApiLimitFlags(const ApiLimitFlags& flags, ApiServerOptions& options);

}  // namespace hookline
