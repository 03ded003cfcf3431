#include "common/throttled_warning.hpp"

#include <spdlog/spdlog.h>

namespace hookline {

ThrottledWarning::ThrottledWarning(std::string component, std::chrono::milliseconds interval,
                                   Now now)
    : component_(std::move(component)), interval_(interval), now_(std::move(now)) {}

bool ThrottledWarning::fail(std::string_view message) {
  ++failures_;
  const auto now = now_();
  if (failures_ > 1 && now - last_logged_ < interval_) {
    ++suppressed_;
    return false;
  }
  spdlog::warn("{} component=\"{}\" failures={} suppressed={}", message, component_, failures_,
               suppressed_);
  suppressed_ = 0;
  last_logged_ = now;
  return true;
}

bool ThrottledWarning::recovered() {
  if (failures_ == 0) {
    return false;
  }
  spdlog::info("working again component=\"{}\" after_failures={}", component_, failures_);
  failures_ = 0;
  suppressed_ = 0;
  return true;
}

}  // namespace hookline
