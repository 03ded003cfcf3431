#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hookline {

struct CircuitSettings {
  // Consecutive failed attempts to one endpoint that open its circuit; 0 disables breaking.
  std::size_t failure_threshold = 10;
  // How long an open circuit waits before letting one probe through; doubled after every
  // failed probe up to max_cooldown.
  std::chrono::milliseconds cooldown{30000};
  std::chrono::milliseconds max_cooldown{600000};
};

enum class CircuitState { Closed, Open, HalfOpen };
std::string_view circuitStateName(CircuitState state);

// What the breaker says about an attempt that is about to start.
struct CircuitDecision {
  bool send = true;    // false: skip the attempt, the endpoint is known to be failing
  bool probe = false;  // this attempt is the one probe of a half-open circuit
  std::chrono::system_clock::time_point retry_at;  // when skipped: the next probe's time
};

// A change of an endpoint's state, for publishing (the API shows it) and logging.
struct CircuitChange {
  std::string endpoint;
  CircuitState state = CircuitState::Closed;
  std::size_t failures = 0;
  std::chrono::system_clock::time_point retry_at;  // when open: the next probe's time
};

// Per-endpoint circuit breakers. After a run of consecutive failures an endpoint's circuit
// opens: its events go to the retry schedule without an attempt, so a dead endpoint costs
// almost nothing. After the cooldown one probe goes through; success closes the circuit,
// failure opens it again for a longer cooldown. Time is passed in, so tests never sleep.
// Thread-safe: attempts start on the reader and retry threads and end on dispatch threads.
class CircuitBreakers {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit CircuitBreakers(CircuitSettings settings) : settings_(settings) {}

  CircuitDecision beforeAttempt(const std::string& endpoint, TimePoint now);

  // `reachable` is false for results that say the endpoint is down (network errors,
  // timeouts, 5xx, 429); any other answer proves it up. A probe's result decides the state.
  std::optional<CircuitChange> afterAttempt(const std::string& endpoint, bool reachable,
                                            bool was_probe, TimePoint now);

  // Endpoints whose circuit is not closed, for status output.
  std::vector<CircuitChange> openCircuits() const;

 private:
  struct Circuit {
    CircuitState state = CircuitState::Closed;
    std::size_t failures = 0;
    std::chrono::milliseconds cooldown{0};
    TimePoint retry_at;
    bool probe_in_flight = false;
  };

  CircuitChange open(const std::string& endpoint, Circuit& circuit, TimePoint now);

  CircuitSettings settings_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Circuit> circuits_;  // only endpoints that have failed
};

}  // namespace hookline
