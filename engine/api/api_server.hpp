#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "engine/api/api_server_options.hpp"

namespace hookline {

class ApiRouter;

// The management API's HTTP/1.1 server (DESIGN.md section 1). It accepts on the caller's
// io_context, which the caller runs on as many threads as it likes: each connection has a
// strand of its own.
//
// Requests that wait on Redis or DNS run on worker threads of the server's own, never on the
// io threads (see ApiRouter and ApiSession), so a stuck Redis or resolver cannot stop
// /healthz or any other connection from being answered.
//
// Threading and lifetime: start(), port() and stop() may be called from any thread. The
// io_context must outlive the server. The constructor makes a first Redis PING for /readyz
// (bounded by a second), so it does not belong on an io thread. The destructor waits for the
// workers' running requests (bounded by the Redis command timeout and the resolver's). The
// server may be destroyed while the io_context still has work of it queued: that work holds
// the shared state it needs, and finishes (or is dropped with the io_context) on its own.
class ApiServer {
 public:
  ApiServer(boost::asio::io_context& io, ApiServerOptions options);
  ~ApiServer();

  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and listens now, then accepts on the io_context. Fails when the address cannot be
  // bound. Redis is not needed to start: requests that need it answer 503 until it is back.
  Status start();
  // The bound port (useful with options.port = 0); 0 before start().
  unsigned short port() const;
  // Stops accepting, closes every open connection and drops the requests waiting for a worker.
  // Idempotent.
  void stop();

  const ApiRouter& router() const;

 private:
  class Listener;
  std::shared_ptr<Listener> listener_;
};

}  // namespace hookline
