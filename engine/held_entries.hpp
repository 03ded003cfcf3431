#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace hookline {

// The stream entries this consumer holds: read or claimed, with no durable outcome yet. The
// reclaim thread keeps their idle time low so that no other worker claims them while they wait
// or are being delivered, and an entry already held is never handled a second time here.
// Thread-safe.
class HeldEntries {
 public:
  // True when `id` was not held yet (and is now).
  bool hold(const std::string& id) {
    std::lock_guard lock(mutex_);
    return ids_.insert(id).second;
  }

  void release(const std::vector<std::string>& ids) {
    std::lock_guard lock(mutex_);
    for (const auto& id : ids) {
      ids_.erase(id);
    }
  }

  std::vector<std::string> snapshot() const {
    std::lock_guard lock(mutex_);
    return {ids_.begin(), ids_.end()};
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return ids_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> ids_;
};

}  // namespace hookline
