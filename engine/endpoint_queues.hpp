#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hookline {

// The endpoint a URL's requests share connections with: "scheme://host:port" as written
// (lower-cased scheme and host; userinfo, path, query and fragment dropped).
std::string endpointOf(std::string_view url);

// Holds deliveries above the network so that at most `cap` per endpoint are in flight: a slow
// or dead endpoint then occupies only its own slots, and a queued delivery's attempt clock does
// not run while it waits (the clock starts when the request is handed to curl).
// Single-threaded: owned by one dispatch worker's io thread.
template <class Job>
class EndpointQueues {
 public:
  explicit EndpointQueues(std::size_t cap) : cap_(cap == 0 ? 1 : cap) {}

  // True when `job` may start now (its slot is taken); otherwise it is queued.
  bool admit(const std::string& endpoint, std::shared_ptr<Job>& job) {
    Lane& lane = lanes_[endpoint];
    if (lane.in_flight < cap_) {
      ++lane.in_flight;
      return true;
    }
    lane.waiting.push_back(std::move(job));
    return false;
  }

  // Frees the endpoint's slot; returns the next job to start on it (its slot already taken),
  // or nullptr.
  std::shared_ptr<Job> release(const std::string& endpoint) {
    auto found = lanes_.find(endpoint);
    if (found == lanes_.end()) {
      return nullptr;
    }
    Lane& lane = found->second;
    if (!lane.waiting.empty()) {
      auto next = std::move(lane.waiting.front());
      lane.waiting.pop_front();
      return next;
    }
    if (--lane.in_flight == 0) {
      lanes_.erase(found);
    }
    return nullptr;
  }

  std::size_t waiting(const std::string& endpoint) const {
    auto found = lanes_.find(endpoint);
    return found == lanes_.end() ? 0 : found->second.waiting.size();
  }

 private:
  struct Lane {
    std::size_t in_flight = 0;
    std::deque<std::shared_ptr<Job>> waiting;
  };

  std::size_t cap_;
  std::unordered_map<std::string, Lane> lanes_;
};

}  // namespace hookline
