#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "common/host_resolver.hpp"
#include "common/ip_address.hpp"
#include "common/redis_link.hpp"

namespace hookline {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: a free port, see ApiServer::port()
  bool allow_http = false;     // accept plain-http webhook URLs (local testing only)
  // --allow-network: ranges a webhook URL's host may be in or resolve to besides public ones.
  std::vector<CidrRange> allow_networks;
  // Resolves webhook host names at registration. Empty: host names are refused (fail closed);
  // `hookline serve` sets systemResolver(), tests a fake one.
  HostResolver resolve;
  std::size_t body_limit = 64 * 1024;
  std::string key_prefix = "hookline:";
  RedisOptions redis;
  // The event stream POST .../webhook/test appends to; the engine's EngineOptions::stream.
  std::string stream = "hookline:events";
  // How long a rotated-out signing secret keeps signing beside the new one.
  std::chrono::milliseconds secret_rotation_grace = std::chrono::hours(24);
  // Extra readiness condition for /readyz besides Redis answering PING; empty means none.
  // Called on an io thread, so it must be quick and thread-safe.
  std::function<bool()> ready;
  // GET /metrics answers what this returns, as the Prometheus text format; empty: 404. Called
  // for every scrape on a worker thread of its own (never an io thread), so it may wait on
  // Redis; scrapes run one at a time.
  std::function<std::string()> metrics;
  // False: the management routes answer 404 and only /healthz, /readyz and /metrics are served
  // (`hookline worker --metrics-listen`).
  bool management = true;

  // The request line and header fields together; more gets 431 and a close.
  std::size_t header_limit = 8 * 1024;
  // A request's header, and then its body, must each arrive within this from their first
  // byte's wait, however slowly the bytes trickle in; the connection is then closed unanswered.
  std::chrono::milliseconds read_timeout{10000};
  // A kept-alive connection with no new request for this long is closed.
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds write_timeout{10000};
  // After refusing an oversized request the server reads and drops at most this much of the
  // rest, for at most drain_timeout, so the client gets to read the answer before the close.
  std::size_t drain_limit = 1024 * 1024;
  std::chrono::seconds drain_timeout{5};
  // Connections beyond this are closed as soon as they are accepted.
  std::size_t max_connections = 1024;

  // The management handlers wait on Redis and on the host resolver, so they run on this many
  // worker threads, each with a Redis link of its own, and never on an io thread.
  std::size_t workers = 4;
  // Requests waiting for a worker beyond this many are answered 503 with Retry-After at once.
  std::size_t work_queue_limit = 64;
  // A request handed to a worker that has no answer after this is answered 503 with
  // Retry-After; what the worker was doing may still complete (as after any client timeout).
  std::chrono::milliseconds work_deadline{10000};
};

}  // namespace hookline
