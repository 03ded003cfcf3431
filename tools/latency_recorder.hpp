#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace hookline {

// Latency percentiles in milliseconds.
struct LatencySummary {
  std::size_t count = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double p999 = 0;
  double max = 0;
};

// What the load test's receiver measures for each delivery: the time from the event's
// occurred_at (in the envelope, millisecond precision) to the moment the request was read.
// Thread-safe; the receiver threads add, the load test reads at the end.
class LatencyRecorder {
 public:
  explicit LatencyRecorder(std::size_t expected) { micros_.reserve(expected); }

  // Records one delivery body; false when it carries no readable occurred_at.
  bool record(std::string_view body, std::chrono::system_clock::time_point received_at);

  LatencySummary summary() const;
  // Every recorded latency in milliseconds, sorted (for the plot).
  std::vector<double> sortedMillis() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::int64_t> micros_;
};

// The occurred_at of a delivery envelope as epoch milliseconds, found without a JSON parse.
std::optional<std::int64_t> envelopeOccurredAt(std::string_view body);

}  // namespace hookline
