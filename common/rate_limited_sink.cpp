#include "common/rate_limited_sink.hpp"

#include "common/log_fields.hpp"

namespace hookline::log {
namespace {

// Kinds remembered at most; past this, quiet kinds are forgotten first and then everything.
constexpr std::size_t kMaxKinds = 1024;

}  // namespace

RateLimitedSink::RateLimitedSink(std::shared_ptr<spdlog::sinks::sink> target, RateLimit limit,
                                 Clock clock)
    : target_(std::move(target)), limit_(limit), clock_(std::move(clock)) {}

void RateLimitedSink::sink_it_(const spdlog::details::log_msg& msg) {
  const auto now = clock_();
  reportFinished(now);
  if (msg.level < limit_.from_level) {
    target_->log(msg);
    return;
  }
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  std::string key = std::to_string(static_cast<int>(msg.level)) + ' ' +
                    std::string(splitLogFields(payload).message);
  auto [it, inserted] = kinds_.try_emplace(std::move(key));
  Kind& kind = it->second;
  if (inserted) {
    kind.window_start = now;
    kind.level = msg.level;
    kind.logger_name.assign(msg.logger_name.data(), msg.logger_name.size());
  }
  if (kind.passed < limit_.burst) {
    kind.passed++;
    target_->log(msg);
    return;
  }
  kind.suppressed++;
}

void RateLimitedSink::reportFinished(std::chrono::steady_clock::time_point now) {
  for (auto it = kinds_.begin(); it != kinds_.end();) {
    Kind& kind = it->second;
    if (now - kind.window_start < limit_.window) {
      ++it;
      continue;
    }
    if (kind.suppressed > 0) {
      report(it->first.substr(it->first.find(' ') + 1), kind);
    }
    it = kinds_.erase(it);
  }
  if (kinds_.size() > kMaxKinds) {
    for (auto& [key, kind] : kinds_) {
      if (kind.suppressed > 0) {
        report(key.substr(key.find(' ') + 1), kind);
      }
    }
    kinds_.clear();
  }
}

void RateLimitedSink::report(const std::string& message, Kind& kind) {
  const std::string text =
      "log lines suppressed count=" + std::to_string(kind.suppressed) +
      " level=" + std::string(spdlog::level::to_string_view(kind.level).data()) + " message=\"" +
      message + "\"";
  const spdlog::details::log_msg line(kind.logger_name, kind.level, text);
  target_->log(line);
  kind.suppressed = 0;
}

void RateLimitedSink::flush_() {
  target_->flush();
}

void RateLimitedSink::set_pattern_(const std::string& pattern) {
  target_->set_pattern(pattern);
}

void RateLimitedSink::set_formatter_(std::unique_ptr<spdlog::formatter> formatter) {
  target_->set_formatter(std::move(formatter));
}

}  // namespace hookline::log
