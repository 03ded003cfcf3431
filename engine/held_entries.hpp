#pragma once

#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace hookline {

// The stream entries this process holds: read, and their outcome not yet written to Redis.
// Re-reading the consumer's own pending list (after a lost link, a read may have reached
// Redis without its reply reaching us) returns held entries too; they are skipped rather than
// delivered a second time. Thread-safe.
class HeldEntries {
 public:
  // False when the entry is held already.
  bool hold(const std::string& entry_id) {
    std::lock_guard lock(mutex_);
    return ids_.insert(entry_id).second;
  }

  void release(const std::string& entry_id) {
    std::lock_guard lock(mutex_);
    ids_.erase(entry_id);
  }

  std::vector<std::string> snapshot() const {
    std::lock_guard lock(mutex_);
    return {ids_.begin(), ids_.end()};
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> ids_;
};

}  // namespace hookline
