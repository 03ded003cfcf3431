#include "tools/api_limit_flags.hpp"

#include <chrono>

namespace hookline {

void addApiLimitFlags(CLI::App& command, ApiLimitFlags& flags) {
  command.add_option("--body-limit", flags.body_limit, "largest API request body, bytes (413)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  command
      .add_option("--header-limit", flags.header_limit,
                  "largest API request line plus headers, bytes (431)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  command
      .add_option("--read-timeout-ms", flags.read_timeout_ms,
                  "an API request's header, then its body, must each arrive within this")
      ->capture_default_str()
      ->check(CLI::Range(100L, 600'000L));
  command
      .add_option("--idle-timeout-ms", flags.idle_timeout_ms,
                  "an idle kept-alive API connection is closed after this")
      ->capture_default_str()
      ->check(CLI::Range(100L, 3'600'000L));
  command
      .add_option("--write-timeout-ms", flags.write_timeout_ms,
                  "an API answer must be taken by the client within this")
      ->capture_default_str()
      ->check(CLI::Range(100L, 600'000L));
  command
      .add_option("--max-connections", flags.max_connections,
                  "open API connections; more are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  command
      .add_option("--api-workers", flags.workers,
                  "threads running the API requests that wait on Redis or DNS")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{256}));
  command
      .add_option("--api-queue-limit", flags.work_queue_limit,
                  "API requests waiting for a worker; more get 503 with Retry-After")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  command
      .add_option("--api-deadline-ms", flags.work_deadline_ms,
                  "an API request with no answer from its worker by then gets 503")
      ->capture_default_str()
      ->check(CLI::Range(100L, 600'000L));
  command.add_option("--api-threads", flags.threads, "threads serving the API")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
}

void applyApiLimitFlags(const ApiLimitFlags& flags, ApiServerOptions& options) {
  options.body_limit = flags.body_limit;
  options.header_limit = flags.header_limit;
  options.read_timeout = std::chrono::milliseconds(flags.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(flags.idle_timeout_ms);
  options.write_timeout = std::chrono::milliseconds(flags.write_timeout_ms);
  options.max_connections = flags.max_connections;
  options.workers = flags.workers;
  options.work_queue_limit = flags.work_queue_limit;
  options.work_deadline = std::chrono::milliseconds(flags.work_deadline_ms);
}

}  // namespace hookline
