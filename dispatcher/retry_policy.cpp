#include "dispatcher/retry_policy.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <string>

namespace hookline {
namespace {

double threadLocalUnit() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

RetryPolicy::RetryPolicy(RetrySchedule schedule, RandomUnit random)
    : schedule_(std::move(schedule)), random_(random ? std::move(random) : threadLocalUnit) {}

std::optional<std::chrono::milliseconds> RetryPolicy::nextDelay(
    int attempts_made, const DeliveryResult& result,
    std::chrono::system_clock::time_point now) const {
  if (attempts_made < 1 || static_cast<std::size_t>(attempts_made) > schedule_.delays.size()) {
    return std::nullopt;
  }
  const auto base = schedule_.delays[static_cast<std::size_t>(attempts_made) - 1];
  const double factor = 1.0 + schedule_.jitter * (2.0 * random_() - 1.0);
  auto delay = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * factor));

  const bool honours_retry_after = result.http_status == 429 || result.http_status == 503;
  if (honours_retry_after && !result.retry_after.empty()) {
    if (auto asked = parseRetryAfter(result.retry_after, now)) {
      delay = std::max(delay, std::min(*asked, schedule_.retry_after_cap));
    }
  }
  return std::max(delay, std::chrono::milliseconds(0));
}

std::optional<std::chrono::milliseconds> parseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return std::nullopt;  // too large to be a useful delay anyway
    }
    return std::chrono::milliseconds(std::min<std::int64_t>(seconds, 10LL * 365 * 86400) * 1000);
  }
  // An HTTP date; libcurl's parser accepts the IMF-fixdate and the obsolete forms.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) {
    return std::nullopt;
  }
  const auto target = std::chrono::system_clock::from_time_t(when);
  if (target <= now) {
    return std::chrono::milliseconds(0);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(target - now);
}

}  // namespace hookline
