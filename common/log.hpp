#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace hookline::log {

// Log lines are a short message followed by key=value fields, for example
//   delivery failed event=evt_1 channel=ch_42 status=503 attempt=2
// Secrets, keys and signatures are never passed here; payloads only truncated at debug.
enum class Format { Text, Json };

void setup(std::string_view level, Format format = Format::Text);

}  // namespace hookline::log
