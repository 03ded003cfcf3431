#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "tools/receiver_server.hpp"

namespace hookline::detail {

// What a receiver connection needs from its server. It must outlive every session started with
// it; the server guarantees that by destroying its io_context (and with it the sessions) first.
struct ReceiverSessionContext {
  std::size_t max_body = 1 << 20;
  std::chrono::milliseconds idle_timeout{30000};
  // Records the request and says how to answer it; called on the session's thread.
  std::function<ReceiverReply(ReceivedRequest)> receive;
};

// Serves HTTP/1.1 on an accepted connection: read a request, answer it as `receive` says,
// repeat while the connection is kept alive. The session lives on in its own pending
// operations; it runs on the socket's executor (a strand when the server has several threads).
// `tls` null means plain HTTP; otherwise the TLS handshake comes first.
void startReceiverSession(const ReceiverSessionContext& context,
                          boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);

}  // namespace hookline::detail
