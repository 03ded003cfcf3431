#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace hookline {

// A histogram with fixed upper bounds, for the Prometheus exposition (metrics_registry.hpp).
// observe() is lock-free (one relaxed increment per bucket hit plus the sum), so it may run on
// every delivery from any thread; snapshot() is a best-effort read that never blocks writers.
class Histogram {
 public:
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
  };

  // `bounds` ascending, in the unit observed (seconds for hookline's histograms).
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1, the last +Inf
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds: one attempt (capped by --attempt-timeout-ms, 15 s by default), and
// an event's age when delivered (retries can take up to a day with the default schedule).
std::vector<double> attemptDurationBuckets();
std::vector<double> deliveryLatencyBuckets();

}  // namespace hookline
