#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "dispatcher/delivery.hpp"

namespace hookline {

// When to try a failed delivery again (DESIGN.md section 3).
struct RetrySchedule {
  // Delay before each retry, counted from the failed attempt; its length is the retry budget.
  std::vector<std::chrono::milliseconds> delays = {
      std::chrono::seconds(5),  std::chrono::seconds(30), std::chrono::minutes(2),
      std::chrono::minutes(10), std::chrono::minutes(30), std::chrono::hours(1),
      std::chrono::hours(3),    std::chrono::hours(6),    std::chrono::hours(12)};
  double jitter = 0.2;  // each delay is scaled by a factor drawn from [1 - jitter, 1 + jitter]
  std::chrono::milliseconds retry_after_cap = std::chrono::hours(1);
};

// Decides the delay before the next attempt. Pure: the time and the random draw are passed in,
// so tests never sleep and are repeatable.
class RetryPolicy {
 public:
  // Returns a number in [0, 1); the default draws from a thread-local generator.
  using RandomUnit = std::function<double()>;

  explicit RetryPolicy(RetrySchedule schedule, RandomUnit random = {});

  // The delay before attempt number attempts_made + 1, or nullopt when the budget is spent.
  // On 429 and 503 a Retry-After (seconds or an HTTP date, judged against `now`) makes the
  // wait the longer of it and the scheduled delay, capped; an unparsable one is ignored.
  std::optional<std::chrono::milliseconds> nextDelay(
      int attempts_made, const DeliveryResult& result,
      std::chrono::system_clock::time_point now) const;

  std::size_t maxAttempts() const { return schedule_.delays.size() + 1; }
  const RetrySchedule& schedule() const { return schedule_; }

 private:
  RetrySchedule schedule_;
  RandomUnit random_;
};

// A Retry-After value as a delay from `now`: delta-seconds or an HTTP date. nullopt when it
// cannot be parsed; a date in the past gives zero.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace hookline
