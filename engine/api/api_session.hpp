#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "engine/api/api_response.hpp"
#include "engine/api/api_router.hpp"
#include "engine/api/api_server_options.hpp"

namespace hookline {

// One HTTP/1.1 connection of the management API: reads a request (header limit, body limit,
// read deadline), has the router answer it, writes the answer, and waits for the next one
// under the idle timeout. Requests on one connection are answered one at a time, in order.
//
// A request whose route is work for a pool (anything that waits on Redis or DNS) is handed to
// it and answered when the work posts its response back to the strand. Work the pool cannot
// queue is answered 503 with Retry-After at once, and work without an answer by
// options.work_deadline is answered so then; a late answer is dropped.
//
// A request refused before its body was read (413, 431, a malformed message) is answered and
// the connection is then closed gracefully: our side is shut down for sending and up to
// drain_limit bytes of what the client still sends are read and dropped, so the client is not
// reset before it could read the answer.
//
// Lifetime and threading: each asynchronous step holds a shared_ptr to the session, which
// dies when no step is pending. Every step runs on the socket's strand; close() may be called
// from any thread.
class ApiSession : public std::enable_shared_from_this<ApiSession> {
 public:
  ApiSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ApiRouter> router,
             std::shared_ptr<const ApiServerOptions> options);

  void start();
  void close();

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  using error_code = boost::beast::error_code;

  void startReadHeader();
  void onReadHeader(error_code ec, std::size_t bytes);
  void startContinue();
  void onContinue(error_code ec, std::size_t bytes);
  void startReadBody();
  void onReadBody(error_code ec, std::size_t bytes);
  void startWrite(ApiResponse response, bool refused);
  void onWrite(error_code ec, std::size_t bytes);
  void startIdleWait();
  void onIdleData(error_code ec, std::size_t bytes);
  void startDrain();
  void onDrain(error_code ec, std::size_t bytes);

  void answer();
  void startWork(std::shared_ptr<const ApiRequest> request, ApiRoute route);
  void onWorkDone(std::uint64_t serial, ApiResponse response);
  void onWorkDeadline(std::uint64_t serial, error_code ec);
  // Writes the answer to the request just read, in its HTTP version and keep-alive.
  void reply(ApiResponse response);
  // A read failed: answer it if the client should hear why, else just close.
  void refuse(error_code ec);
  void shutdown();
  void logRequest(unsigned status) const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ApiRouter> router_;
  std::shared_ptr<const ApiServerOptions> options_;
  std::optional<Parser> parser_;
  std::optional<ApiResponse> response_;  // kept alive until its write completes
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  boost::asio::steady_timer work_deadline_;
  std::uint64_t work_serial_ = 0;  // numbers the requests handed to a pool
  std::uint64_t awaited_ = 0;      // the one whose answer is awaited; 0: none
  std::string_view unavailable_message_;
  unsigned request_version_ = 11;
  bool request_keep_alive_ = true;
  bool drain_after_write_ = false;
  std::size_t drained_ = 0;
  std::array<char, 4096> drain_buffer_{};
  std::chrono::steady_clock::time_point started_;
  std::string method_;
  std::string path_;
  std::string remote_;
};

}  // namespace hookline
