#pragma once

#include <string>

#include "common/host_resolver.hpp"
#include "common/ip_address.hpp"

namespace hookline::fuzz {

// Stands in for DNS so the fuzzers exercise the host-name path without any lookup: a name with
// "inside" in it answers a private address, any other a public-looking one (data only; the
// fuzzers never connect).
inline HostResolver fakeResolver() {
  return [](const std::string& host) -> Expected<std::vector<IpAddress>> {
    const char* address = host.find("inside") != std::string::npos ? "10.0.0.1" : "93.184.216.34";
    return std::vector<IpAddress>{*parseIpAddress(address)};
  };
}

}  // namespace hookline::fuzz
