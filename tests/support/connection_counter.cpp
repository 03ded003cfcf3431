#include "tests/support/connection_counter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace hookline::testing {

ConnectionCounter::ConnectionCounter(const std::string& address) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  if (fd_ < 0 || inet_pton(AF_INET, address.c_str(), &bound.sin_addr) != 1) {
    throw std::runtime_error("cannot make a listener for " + address);
  }
  socklen_t length = sizeof(bound);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)) != 0 ||
      ::listen(fd_, 64) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot listen on " + address);
  }
  port_ = ntohs(bound.sin_port);
}

ConnectionCounter::~ConnectionCounter() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

int ConnectionCounter::count() {
  while (true) {
    const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
      return counted_;
    }
    ::close(connection);
    ++counted_;
  }
}

}  // namespace hookline::testing
