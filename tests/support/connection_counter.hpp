#pragma once

#include <string>

namespace hookline::testing {

// A TCP listener on a loopback address that only counts the connections made to it (the kernel
// completes them from the backlog; they are accepted and closed when counted). For proving that
// something did NOT connect. Closed in the destructor.
class ConnectionCounter {
 public:
  // Listens on `address` (e.g. "127.0.0.2") on a free port; throws when it cannot.
  explicit ConnectionCounter(const std::string& address);
  ~ConnectionCounter();

  ConnectionCounter(const ConnectionCounter&) = delete;
  ConnectionCounter& operator=(const ConnectionCounter&) = delete;

  int port() const { return port_; }
  // Connections made so far (accepts what is waiting without blocking).
  int count();

 private:
  int fd_ = -1;
  int port_ = 0;
  int counted_ = 0;
};

}  // namespace hookline::testing
