#include "dispatcher/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point kStart = Clock::from_time_t(1796401821);
const std::string kDead = "https://dead.example:443";
const std::string kAlive = "https://alive.example:443";

CircuitBreakers breakers() {
  return CircuitBreakers(
      CircuitSettings{.failure_threshold = 3, .cooldown = 10s, .max_cooldown = 35s});
}

// Fails `count` attempts in a row and returns the last change reported.
std::optional<CircuitChange> failTimes(CircuitBreakers& circuits, const std::string& endpoint,
                                       int count, Clock::time_point now) {
  std::optional<CircuitChange> last;
  for (int i = 0; i < count; ++i) {
    EXPECT_TRUE(circuits.beforeAttempt(endpoint, now).send);
    if (auto change = circuits.afterAttempt(endpoint, false, false, now)) {
      last = change;
    }
  }
  return last;
}

TEST(CircuitBreakerTest, OpensAfterTheThresholdOfConsecutiveFailures) {
  auto circuits = breakers();
  EXPECT_FALSE(failTimes(circuits, kDead, 2, kStart).has_value());
  auto change = failTimes(circuits, kDead, 1, kStart);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->state, CircuitState::Open);
  EXPECT_EQ(change->failures, 3u);
  EXPECT_EQ(change->retry_at, kStart + 10s);

  const CircuitDecision decision = circuits.beforeAttempt(kDead, kStart + 1s);
  EXPECT_FALSE(decision.send);
  EXPECT_EQ(decision.retry_at, kStart + 10s);
  EXPECT_TRUE(circuits.beforeAttempt(kAlive, kStart + 1s).send) << "other endpoints unaffected";
}

TEST(CircuitBreakerTest, ASuccessInBetweenResetsTheRun) {
  auto circuits = breakers();
  failTimes(circuits, kDead, 2, kStart);
  EXPECT_FALSE(circuits.afterAttempt(kDead, true, false, kStart).has_value());
  EXPECT_FALSE(failTimes(circuits, kDead, 2, kStart).has_value());
  EXPECT_TRUE(circuits.beforeAttempt(kDead, kStart).send);
}

TEST(CircuitBreakerTest, LetsOneProbeThroughAfterTheCooldownAndClosesOnSuccess) {
  auto circuits = breakers();
  failTimes(circuits, kDead, 3, kStart);
  const CircuitDecision probe = circuits.beforeAttempt(kDead, kStart + 10s);
  EXPECT_TRUE(probe.send);
  EXPECT_TRUE(probe.probe);
  const CircuitDecision while_probing = circuits.beforeAttempt(kDead, kStart + 11s);
  EXPECT_FALSE(while_probing.send) << "only one probe at a time";
  EXPECT_EQ(while_probing.retry_at, kStart + 21s);

  auto change = circuits.afterAttempt(kDead, true, true, kStart + 12s);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->state, CircuitState::Closed);
  EXPECT_TRUE(circuits.beforeAttempt(kDead, kStart + 12s).send);
  EXPECT_TRUE(circuits.openCircuits().empty());
}

TEST(CircuitBreakerTest, AFailedProbeReopensWithADoubledCappedCooldown) {
  auto circuits = breakers();
  failTimes(circuits, kDead, 3, kStart);
  auto now = kStart + 10s;
  for (auto expected : {20s, 35s, 35s}) {
    ASSERT_TRUE(circuits.beforeAttempt(kDead, now).probe);
    auto change = circuits.afterAttempt(kDead, false, true, now);
    ASSERT_TRUE(change.has_value());
    EXPECT_EQ(change->state, CircuitState::Open);
    EXPECT_EQ(change->retry_at, now + expected);
    now += expected;
  }
  ASSERT_EQ(circuits.openCircuits().size(), 1u);
  EXPECT_EQ(circuits.openCircuits()[0].endpoint, kDead);
}

TEST(CircuitBreakerTest, LateFailuresOfAttemptsStartedBeforeOpeningChangeNothing) {
  auto circuits = breakers();
  failTimes(circuits, kDead, 3, kStart);
  EXPECT_FALSE(circuits.afterAttempt(kDead, false, false, kStart + 1s).has_value());
  EXPECT_EQ(circuits.beforeAttempt(kDead, kStart + 2s).retry_at, kStart + 10s);
}

TEST(CircuitBreakerTest, AThresholdOfZeroNeverOpens) {
  CircuitBreakers circuits(CircuitSettings{.failure_threshold = 0});
  EXPECT_FALSE(failTimes(circuits, kDead, 100, kStart).has_value());
  EXPECT_TRUE(circuits.beforeAttempt(kDead, kStart).send);
}

}  // namespace
}  // namespace hookline
