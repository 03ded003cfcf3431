#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace hookline::testing {

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns its last value.
inline bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace hookline::testing
