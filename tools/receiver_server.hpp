#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookline {
namespace detail {
struct ReceiverCore;
}  // namespace detail

// One request as the receiver saw it.
struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;
  std::chrono::system_clock::time_point received_at;

  // The first value of the named header (any case), or "" when absent.
  std::string header(std::string_view name) const;
};

// How the receiver answers one request.
struct ReceiverReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before the answer starts; a timer, no thread sleeps
  bool close_connection = false;       // answer with Connection: close, then close
  bool reset_connection = false;       // close at once (RST) without answering
  bool hang = false;                   // never answer; the connection stays open until stop()
  // Answer as keep-alive (no Connection: close), then half-close the connection at once: a
  // client that reuses it finds it dead (B10).
  bool half_close = false;
  // When both are set the body goes out in pieces of trickle_chunk bytes, trickle_interval
  // apart, after the header (Content-Length announces the whole body).
  std::size_t trickle_chunk = 0;
  std::chrono::milliseconds trickle_interval{0};
};

// A scriptable HTTP/1.1 (or HTTPS) receiver on a loopback port, for the tests and for
// `hookline sink`: it records every request, asks the handler how to answer, and keeps
// connections alive between requests.
//
// Threading: the server runs its own io_context on Options::threads threads of its own. The
// accessors are thread-safe. The handler runs on a receiver thread and must be thread-safe
// when threads > 1; it must not call stop() or the destructor.
class ReceiverServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";  // an IP address, or "localhost"
    unsigned short port = 0;         // 0: a free port chosen by the system
    int threads = 1;
    std::string tls_cert_file;  // PEM certificate chain; with tls_key_file set: HTTPS
    std::string tls_key_file;
    std::size_t max_body = 1 << 20;                 // larger bodies get 413 and a close
    std::chrono::milliseconds idle_timeout{30000};  // an idle keep-alive connection is closed
    std::size_t max_kept_requests = 100000;         // requests() keeps the latest this many
  };
  using Handler = std::function<ReceiverReply(const ReceivedRequest&)>;

  // A null handler answers every request 200 with an empty body.
  ReceiverServer(Options options, Handler handler);
  ReceiverServer(const ReceiverServer&) = delete;
  ReceiverServer& operator=(const ReceiverServer&) = delete;
  ~ReceiverServer();  // stops

  // Binds, listens and starts the threads. Throws std::runtime_error when the address cannot
  // be bound or the TLS files cannot be loaded (start-up only).
  void start();
  // Closes the listener and every connection (answered or not) and joins the threads.
  // Idempotent; what was recorded stays readable.
  void stop();

  unsigned short port() const;
  std::string url(std::string_view path) const;  // http(s)://HOST:PORT/path

  // Requests received (counted when the request has been read, before the answer).
  std::size_t count() const;
  std::vector<ReceivedRequest> requests() const;
  // True once count() >= n; false if `timeout` passes first.
  bool waitForCount(std::size_t n, std::chrono::milliseconds timeout) const;
  // TCP connections accepted so far; shows whether clients reuse connections.
  std::size_t acceptedConnections() const;

 private:
  std::unique_ptr<detail::ReceiverCore> core_;
};

}  // namespace hookline
