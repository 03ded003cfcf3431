#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string_view>

#include "common/rate_limited_sink.hpp"

namespace hookline::log {

// Log lines are a short message followed by key=value fields, for example
//   delivery failed event=evt_1 channel=ch_42 status=503 attempt=2
// Secrets, keys and signatures are never passed here; payloads only truncated at debug.
enum class Format { Text, Json };

// "text" or "json"; nullopt for anything else.
std::optional<Format> parseFormat(std::string_view name);

// The process's default logger on stderr: colours only when stderr is a terminal, warnings and
// errors rate-limited per kind (RateLimit's defaults).
void setup(std::string_view level, Format format = Format::Text);

// A logger writing to `target` through the rate limit, in the given format; what setup() builds,
// for tests to point at a buffer.
std::shared_ptr<spdlog::logger> makeLogger(std::shared_ptr<spdlog::sinks::sink> target,
                                           Format format, RateLimit limit = {},
                                           RateLimitedSink::Clock clock = nullptr);

}  // namespace hookline::log
