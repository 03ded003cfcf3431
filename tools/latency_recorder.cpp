#include "tools/latency_recorder.hpp"

#include <algorithm>
#include <cmath>

#include "engine/time_format.hpp"

namespace hookline {
namespace {

// The value at quantile q of sorted values (nearest rank).
double quantile(const std::vector<std::int64_t>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  const std::size_t index = std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1);
  return static_cast<double>(sorted[index]) / 1000.0;
}

}  // namespace

std::optional<std::int64_t> envelopeOccurredAt(std::string_view body) {
  // The engine writes `"occurred_at":"<RFC 3339>"` before the payload, so the first match is it.
  constexpr std::string_view kField = "\"occurred_at\":\"";
  const auto start = body.find(kField);
  if (start == std::string_view::npos) {
    return std::nullopt;
  }
  const auto value = body.substr(start + kField.size());
  const auto end = value.find('"');
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return parseRfc3339Millis(value.substr(0, end));
}

bool LatencyRecorder::record(std::string_view body,
                             std::chrono::system_clock::time_point received_at) {
  const auto occurred = envelopeOccurredAt(body);
  if (!occurred) {
    return false;
  }
  const auto received =
      std::chrono::duration_cast<std::chrono::microseconds>(received_at.time_since_epoch()).count();
  std::lock_guard lock(mutex_);
  micros_.push_back(received - *occurred * 1000);
  return true;
}

LatencySummary LatencyRecorder::summary() const {
  std::vector<std::int64_t> sorted;
  {
    std::lock_guard lock(mutex_);
    sorted = micros_;
  }
  LatencySummary summary;
  summary.count = sorted.size();
  if (sorted.empty()) {
    return summary;
  }
  std::sort(sorted.begin(), sorted.end());
  summary.p50 = quantile(sorted, 0.50);
  summary.p90 = quantile(sorted, 0.90);
  summary.p99 = quantile(sorted, 0.99);
  summary.p999 = quantile(sorted, 0.999);
  summary.max = static_cast<double>(sorted.back()) / 1000.0;
  return summary;
}

std::vector<double> LatencyRecorder::sortedMillis() const {
  std::vector<std::int64_t> sorted;
  {
    std::lock_guard lock(mutex_);
    sorted = micros_;
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> millis;
  millis.reserve(sorted.size());
  for (auto value : sorted) {
    millis.push_back(static_cast<double>(value) / 1000.0);
  }
  return millis;
}

}  // namespace hookline
