#pragma once

#include <chrono>
#include <string>

#include "common/expected.hpp"

namespace hookline {

// A plain-HTTP URL on a loopback address: the only kind of receiver the load test aims at.
struct LoopbackUrl {
  std::string host;  // a 127.x.y.z address
  unsigned short port = 0;
  std::string path;  // starts with '/'
};

// Accepts "http://127.x.y.z:PORT[/path]" only; anything else is refused with the reason.
Expected<LoopbackUrl> parseLoopbackUrl(const std::string& url);

// The reference the load test compares hookline with: plain keep-alive POSTs of the same body
// to the same receiver over the same number of connections, nothing else.
struct ReferencePlan {
  std::string url;
  std::string body;
  int threads = 1;
  int connections = 64;
  std::chrono::seconds duration{5};
};

struct ReferenceResult {
  std::string tool;  // "wrk" or "builtin"
  double requests_per_s = 0;
  std::size_t requests = 0;
  std::size_t errors = 0;  // non-2xx answers or broken connections
};

// wrk, when it is on the PATH (a Lua script makes it POST the body); bounded by the duration
// plus a grace period, after which the child is killed by its pid.
Expected<ReferenceResult> runWrkReference(const ReferencePlan& plan);
// A minimal keep-alive client in this process (Boost.Beast, one io_context per thread): each
// connection sends a request, reads the answer and sends the next until the duration is up.
Expected<ReferenceResult> runBuiltinReference(const ReferencePlan& plan);
// True when an executable `wrk` is on the PATH.
bool wrkAvailable();

}  // namespace hookline
