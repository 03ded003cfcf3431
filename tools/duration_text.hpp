#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace hookline {

// "250ms", "5s", "2m", "1h", "1d" (a bare number is seconds) to milliseconds.
Expected<std::chrono::milliseconds> parseDuration(std::string_view text);
// A comma-separated list of durations, e.g. "5s,30s,2m".
Expected<std::vector<std::chrono::milliseconds>> parseDurationList(std::string_view text);

}  // namespace hookline
