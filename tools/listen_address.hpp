#pragma once

#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace hookline {

struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};

// "HOST:PORT" or "[IPv6]:PORT"; port 0 asks for a free one.
Expected<ListenAddress> parseListenAddress(std::string_view text);

}  // namespace hookline
