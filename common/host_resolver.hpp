#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "common/ip_address.hpp"

namespace hookline {

// Turns a host name into its addresses. Injected wherever a name is resolved so that tests and
// fuzzers never touch real DNS. An error's message is shown to API clients ("does not resolve").
using HostResolver = std::function<Expected<std::vector<IpAddress>>(const std::string& host)>;

// The system resolver (getaddrinfo), bounded in time: a lookup still running after `timeout`
// is abandoned and reported as an error (its thread finishes in the background, bounded by the
// C library's own resolver timeouts). At most `max_pending` lookups run at once; beyond that a
// lookup fails at once rather than piling up threads.
// Thread-safe.
HostResolver systemResolver(std::chrono::milliseconds timeout = std::chrono::seconds(3),
                            std::size_t max_pending = 16);

}  // namespace hookline
