#include "tools/listen_address.hpp"

#include <charconv>

namespace hookline {

Expected<ListenAddress> parseListenAddress(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error{"address must be HOST:PORT, got '" + std::string(text) + "'"};
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Error{"invalid port in '" + std::string(text) + "'"};
  }
  return ListenAddress{std::string(host), static_cast<unsigned short>(port)};
}

}  // namespace hookline
