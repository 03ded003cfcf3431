#include "tools/duration_text.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace hookline {

Expected<std::chrono::milliseconds> parseDuration(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) {
    return Error{"'" + std::string(text) + "' is not a duration (e.g. 500ms, 5s, 2m, 1h)"};
  }
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s" || unit.empty()) {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return Error{"'" + std::string(text) + "' has an unknown unit (use ms, s, m, h or d)"};
  }
  constexpr std::int64_t kMaxMillis = 30LL * 86'400'000;  // a month bounds every setting here
  if (value > kMaxMillis / scale) {
    return Error{"'" + std::string(text) + "' is longer than 30 days"};
  }
  return std::chrono::milliseconds(value * scale);
}

Expected<std::vector<std::chrono::milliseconds>> parseDurationList(std::string_view text) {
  std::vector<std::chrono::milliseconds> durations;
  while (!text.empty()) {
    const auto comma = text.find(',');
    auto parsed = parseDuration(text.substr(0, comma));
    if (!parsed) {
      return parsed.error();
    }
    durations.push_back(*parsed);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  if (durations.size() > 100) {
    return Error{"at most 100 retries may be scheduled"};
  }
  return durations;
}

}  // namespace hookline
