#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hookline {

// Everything one HTTP attempt needs; the dispatcher knows nothing of channels or streams.
struct DeliveryRequest {
  std::string url;
  std::string body;  // sent byte for byte as given
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{15000};
  bool allow_http = false;  // plain http:// accepted besides https://
};

// What came of one attempt. Either a transport failure (curl_code != 0, no status) or an
// HTTP status from the receiver.
struct DeliveryResult {
  int curl_code = 0;                      // CURLcode; 0 when the receiver answered
  std::string error;                      // curl's message when curl_code != 0
  int http_status = 0;                    // 0 when no answer arrived
  std::string retry_after;                // the Retry-After header as received, if any
  std::chrono::microseconds duration{0};  // from hand-off to the network until the end
  // The address guard refused every address curl tried to connect to; `error` says which and
  // why. No connection was made.
  bool blocked = false;

  bool answered() const { return curl_code == 0 && http_status != 0; }
  bool succeeded() const { return answered() && http_status >= 200 && http_status < 300; }
};

}  // namespace hookline
