#include "dispatcher/circuit_breaker.hpp"

#include <algorithm>

namespace hookline {

std::string_view circuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::Closed:
      return "closed";
    case CircuitState::Open:
      return "open";
    case CircuitState::HalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitDecision CircuitBreakers::beforeAttempt(const std::string& endpoint, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto found = circuits_.find(endpoint);
  if (found == circuits_.end() || found->second.state == CircuitState::Closed) {
    return {};
  }
  Circuit& circuit = found->second;
  if (now < circuit.retry_at || circuit.probe_in_flight) {
    // While a probe is out, the others wait one cooldown more; a successful probe closes the
    // circuit long before they come back.
    const TimePoint retry_at = circuit.probe_in_flight ? now + circuit.cooldown : circuit.retry_at;
    return CircuitDecision{.send = false, .retry_at = retry_at};
  }
  circuit.state = CircuitState::HalfOpen;
  circuit.probe_in_flight = true;
  return CircuitDecision{.send = true, .probe = true};
}

std::optional<CircuitChange> CircuitBreakers::afterAttempt(const std::string& endpoint,
                                                           bool reachable, bool was_probe,
                                                           TimePoint now) {
  if (settings_.failure_threshold == 0) {
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  auto found = circuits_.find(endpoint);
  if (reachable) {
    if (found == circuits_.end()) {
      return std::nullopt;
    }
    const bool was_closed = found->second.state == CircuitState::Closed;
    circuits_.erase(found);
    if (was_closed) {
      return std::nullopt;
    }
    return CircuitChange{.endpoint = endpoint, .state = CircuitState::Closed};
  }

  Circuit& circuit = circuits_[endpoint];
  circuit.failures++;
  if (circuit.state == CircuitState::Closed) {
    if (circuit.failures < settings_.failure_threshold) {
      return std::nullopt;
    }
    circuit.cooldown = settings_.cooldown;
    return open(endpoint, circuit, now);
  }
  if (!was_probe) {
    // An attempt that started before the circuit opened; the circuit already knows.
    return std::nullopt;
  }
  circuit.cooldown = std::min(circuit.cooldown * 2, settings_.max_cooldown);
  return open(endpoint, circuit, now);
}

CircuitChange CircuitBreakers::open(const std::string& endpoint, Circuit& circuit, TimePoint now) {
  circuit.state = CircuitState::Open;
  circuit.probe_in_flight = false;
  circuit.retry_at = now + circuit.cooldown;
  return CircuitChange{.endpoint = endpoint,
                       .state = CircuitState::Open,
                       .failures = circuit.failures,
                       .retry_at = circuit.retry_at};
}

std::vector<CircuitChange> CircuitBreakers::openCircuits() const {
  std::lock_guard lock(mutex_);
  std::vector<CircuitChange> result;
  for (const auto& [endpoint, circuit] : circuits_) {
    if (circuit.state != CircuitState::Closed) {
      result.push_back(CircuitChange{.endpoint = endpoint,
                                     .state = circuit.state,
                                     .failures = circuit.failures,
                                     .retry_at = circuit.retry_at});
    }
  }
  return result;
}

}  // namespace hookline
