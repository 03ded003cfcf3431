#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hookline::log {

struct RateLimit {
  // Lines of one kind (level plus the message before its key=value fields) passed per window;
  // the rest are counted and reported by one line when the window is over.
  std::size_t burst = 10;
  std::chrono::milliseconds window{10'000};
  // Only warnings and worse are limited: info lines are lifecycle, rare by nature.
  spdlog::level::level_enum from_level = spdlog::level::warn;
};

// Wraps the sink that writes: a failing endpoint or a Redis outage repeats the same warning per
// event, so after `burst` lines of a kind in a window the rest are dropped and counted, and the
// first line of that kind after the window (or any line once the window is over) is preceded by
//   log lines suppressed count=N level=warn message="..."
// This composes with throttles in the code (the engine logs some failures once per ten): those
// cut lines at the source, this caps whatever still repeats.
// Threading: as any spdlog sink; the base sink's mutex serialises calls.
class RateLimitedSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  RateLimitedSink(std::shared_ptr<spdlog::sinks::sink> target, RateLimit limit,
                  Clock clock = std::chrono::steady_clock::now);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;
  void set_pattern_(const std::string& pattern) override;
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  struct Kind {
    std::chrono::steady_clock::time_point window_start;
    std::size_t passed = 0;
    std::size_t suppressed = 0;
    spdlog::level::level_enum level = spdlog::level::warn;
    std::string logger_name;
  };

  // Reports the kinds whose window is over and that dropped lines, and forgets quiet ones.
  void reportFinished(std::chrono::steady_clock::time_point now);
  void report(const std::string& message, Kind& kind);

  std::shared_ptr<spdlog::sinks::sink> target_;
  RateLimit limit_;
  Clock clock_;
  std::unordered_map<std::string, Kind> kinds_;
};

}  // namespace hookline::log
