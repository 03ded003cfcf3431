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
// Threading and lifetime: start(), port() and stop() may be called from any thread. The
// io_context must outlive the server. The server may be destroyed while the io_context still
// has work of it queued: that work holds the shared state it needs, and finishes (or is
// dropped with the io_context) on its own.
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
  // Stops accepting and closes every open connection. Idempotent.
  void stop();

  const ApiRouter& router() const;

 private:
  class Listener;
  std::shared_ptr<Listener> listener_;
};

}  // namespace hookline
