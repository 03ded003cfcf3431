#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace hookline {

// The warning of one looping component that keeps failing the same way (Redis down): the first
// failure is logged at once, later ones at most once per interval, each logged line carrying
// how many failures it stands for. A retry loop that fails ten times a second thus logs about
// one line a second, not ten. Not thread-safe: each loop owns its own.
class ThrottledWarning {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  // `component` names the loop in every line ("stream reader"); `now` is injected by tests.
  explicit ThrottledWarning(std::string component,
                            std::chrono::milliseconds interval = std::chrono::seconds(1),
                            Now now = &Clock::now);

  // One failure: logs "<message> component=... failures=... suppressed=..." at warn when the
  // interval since the last logged line has passed, else only counts it. True when logged.
  bool fail(std::string_view message);
  // The loop works again: when it had failed, logs one info line with the failure count and
  // starts over, so the next failure is logged at once. True when it logged.
  bool recovered();

  // Failures since the last recovery, logged or not.
  std::uint64_t failures() const { return failures_; }
  // Failures counted but not logged since the last logged line.
  std::uint64_t suppressed() const { return suppressed_; }

 private:
  std::string component_;
  std::chrono::milliseconds interval_;
  Now now_;
  std::uint64_t failures_ = 0;
  std::uint64_t suppressed_ = 0;
  Clock::time_point last_logged_{};
};

}  // namespace hookline
