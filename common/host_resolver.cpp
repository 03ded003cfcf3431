#include "common/host_resolver.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace hookline {
namespace {

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const noexcept { freeaddrinfo(list); }
};

Expected<std::vector<IpAddress>> lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int code = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, AddrinfoDeleter> list(raw);
  if (code != 0) {
    return Error{code == EAI_NONAME || code == EAI_NODATA ? "does not resolve"
                                                          : "could not be resolved"};
  }
  std::vector<IpAddress> addresses;
  for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
    if (auto address = addressFromSockaddr(entry->ai_addr)) {
      addresses.push_back(*address);
    }
  }
  return addresses;
}

// One lookup shared between the waiting caller and the thread doing it, so whichever finishes
// last frees it.
struct PendingLookup {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<Expected<std::vector<IpAddress>>> result;
};

}  // namespace

HostResolver systemResolver(std::chrono::milliseconds timeout, std::size_t max_pending) {
  auto pending = std::make_shared<std::atomic<std::size_t>>(0);
  return [timeout, max_pending, pending](const std::string& host) {
    if (pending->fetch_add(1) >= max_pending) {
      pending->fetch_sub(1);
      return Expected<std::vector<IpAddress>>(Error{"could not be resolved (resolver busy)"});
    }
    auto state = std::make_shared<PendingLookup>();
    std::thread([state, pending, host] {
      auto result = lookup(host);
      {
        std::lock_guard lock(state->mutex);
        state->result = std::move(result);
      }
      state->done.notify_all();
      pending->fetch_sub(1);
    }).detach();

    std::unique_lock lock(state->mutex);
    if (!state->done.wait_for(lock, timeout, [&] { return state->result.has_value(); })) {
      return Expected<std::vector<IpAddress>>(Error{"could not be resolved in time"});
    }
    return std::move(*state->result);
  };
}

}  // namespace hookline
