#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookline::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// What one HTTP exchange with a server on loopback produced.
struct HttpCallResult {
  int status = 0;     // 0 when no response arrived
  std::string error;  // why no response arrived
  HttpHeaders headers;
  std::string body;

  // The first header of that name (case-insensitive), or "" when absent.
  std::string header(std::string_view name) const;
};

// Sends one HTTP/1.1 request to 127.0.0.1:port with Beast's synchronous client and reads the
// answer, giving up after `timeout`. Host and Content-Length are added; `headers` are sent as
// given (so a test can omit or duplicate any of them).
HttpCallResult httpCall(unsigned short port, std::string_view method, std::string_view target,
                        const HttpHeaders& headers = {}, const std::string& body = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Writes `bytes` as they are, then reads up to `max_responses` responses until the server
// closes or `timeout` passes; for malformed, pipelined or chunked requests.
std::vector<HttpCallResult> rawHttpCall(
    unsigned short port, std::string_view bytes, std::size_t max_responses = 1,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace hookline::testing
