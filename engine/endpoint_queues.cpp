#include "engine/endpoint_queues.hpp"

#include <algorithm>
#include <cctype>

namespace hookline {

std::string endpointOf(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    rest = rest.substr(at + 1);
  }
  std::string endpoint(url.substr(0, scheme_end + 3));
  endpoint.append(rest);
  std::transform(endpoint.begin(), endpoint.end(), endpoint.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return endpoint;
}

}  // namespace hookline
