#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace hookline {

// Counts entries between being read and having their outcome written, so reading pauses
// while the engine holds its cap. Thread-safe.
class SlotGate {
 public:
  explicit SlotGate(std::size_t capacity) : capacity_(capacity) {}

  // Takes one slot, waiting while all are taken. False when closed while waiting.
  bool acquire() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || used_ < capacity_; });
    if (closed_) {
      return false;
    }
    ++used_;
    return true;
  }

  // Waits until a slot is free, then takes up to `count` free slots; returns how many it took,
  // 0 when closed while waiting.
  std::size_t acquireUpTo(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || used_ < capacity_; });
    if (closed_) {
      return 0;
    }
    const std::size_t taken = std::min(count, capacity_ - used_);
    used_ += taken;
    return taken;
  }

  // Takes up to `count` free slots without waiting; returns how many it took.
  std::size_t tryAcquire(std::size_t count) {
    std::lock_guard lock(mutex_);
    if (closed_) {
      return 0;
    }
    const std::size_t taken = std::min(count, capacity_ - used_);
    used_ += taken;
    return taken;
  }

  void release(std::size_t count = 1) {
    {
      std::lock_guard lock(mutex_);
      used_ = count > used_ ? 0 : used_ - count;
    }
    changed_.notify_all();
  }

  // Wakes every waiter; later acquire() calls fail at once.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    changed_.notify_all();
  }

  // Waits until no slot is taken or the timeout passes; true when empty.
  bool waitUntilEmpty(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return used_ == 0; });
  }

  std::size_t used() const {
    std::lock_guard lock(mutex_);
    return used_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t used_ = 0;
  bool closed_ = false;
};

}  // namespace hookline
