#include "tests/support/http_call.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

namespace hookline::testing {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// Plain blocking socket calls with kernel timeouts: enough for a test client, and no thread
// is left behind when the server misbehaves.
void setSocketTimeouts(tcp::socket& socket, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

// Asio's blocking reads do not honour SO_RCVTIMEO: after the kernel's EAGAIN they poll() with
// no limit. So every read of a response first waits in poll() for what is left of the call's
// time, and a server that never answers costs the call its timeout, not forever.
class DeadlineReader {
 public:
  DeadlineReader(tcp::socket& socket, std::chrono::milliseconds timeout)
      : socket_(socket), deadline_(std::chrono::steady_clock::now() + timeout) {}

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    pollfd watched{socket_.native_handle(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&watched, 1, static_cast<int>(left.count())) <= 0) {
      ec = net::error::timed_out;
      return 0;
    }
    return socket_.read_some(buffers, ec);
  }

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    const std::size_t bytes = read_some(buffers, ec);
    if (ec) {
      throw boost::system::system_error(ec);
    }
    return bytes;
  }

 private:
  tcp::socket& socket_;
  std::chrono::steady_clock::time_point deadline_;
};

bool connectTo(tcp::socket& socket, unsigned short port, std::chrono::milliseconds timeout,
               HttpCallResult& result) {
  boost::system::error_code ec;
  socket.connect({net::ip::make_address_v4("127.0.0.1"), port}, ec);
  if (ec) {
    result.error = "connect: " + ec.message();
    return false;
  }
  setSocketTimeouts(socket, timeout);
  return true;
}

HttpCallResult readResponse(DeadlineReader& socket, boost::beast::flat_buffer& buffer) {
  HttpCallResult result;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  boost::system::error_code ec;
  http::read(socket, buffer, parser, ec);
  if (ec) {
    result.error = "read: " + ec.message();
    return result;
  }
  const auto& response = parser.get();
  result.status = response.result_int();
  for (const auto& field : response) {
    result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  result.body = response.body();
  return result;
}

}  // namespace

std::string HttpCallResult::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, name)) {
      return value;
    }
  }
  return {};
}

HttpCallResult httpCall(unsigned short port, std::string_view method, std::string_view target,
                        const HttpHeaders& headers, const std::string& body,
                        std::chrono::milliseconds timeout) {
  net::io_context io;
  tcp::socket socket(io);
  HttpCallResult failed;
  if (!connectTo(socket, port, timeout, failed)) {
    return failed;
  }

  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) {
    request.insert(name, value);
  }
  request.body() = body;
  request.prepare_payload();

  boost::system::error_code ec;
  http::write(socket, request, ec);
  if (ec) {
    // The server may answer and stop reading before the whole body is sent (a 413); its
    // answer is still worth reading.
    failed.error = "write: " + ec.message();
  }
  boost::beast::flat_buffer buffer;
  DeadlineReader reader(socket, timeout);
  HttpCallResult result = readResponse(reader, buffer);
  if (result.status == 0 && !failed.error.empty()) {
    result.error = failed.error + "; " + result.error;
  }
  return result;
}

std::vector<HttpCallResult> rawHttpCall(unsigned short port, std::string_view bytes,
                                        std::size_t max_responses,
                                        std::chrono::milliseconds timeout) {
  net::io_context io;
  tcp::socket socket(io);
  HttpCallResult failed;
  if (!connectTo(socket, port, timeout, failed)) {
    return {failed};
  }
  boost::system::error_code ec;
  net::write(socket, net::buffer(bytes.data(), bytes.size()), ec);

  std::vector<HttpCallResult> results;
  boost::beast::flat_buffer buffer;
  DeadlineReader reader(socket, timeout);
  while (results.size() < max_responses) {
    HttpCallResult result = readResponse(reader, buffer);
    if (result.status == 0) {
      if (results.empty()) {
        results.push_back(std::move(result));
      }
      break;
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace hookline::testing
