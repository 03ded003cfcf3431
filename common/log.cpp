#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <string>

#include "common/json_log_formatter.hpp"

namespace hookline::log {

std::optional<Format> parseFormat(std::string_view name) {
  if (name == "text") {
    return Format::Text;
  }
  if (name == "json") {
    return Format::Json;
  }
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> makeLogger(std::shared_ptr<spdlog::sinks::sink> target,
                                           Format format, RateLimit limit,
                                           RateLimitedSink::Clock clock) {
  auto limited = clock ? std::make_shared<RateLimitedSink>(std::move(target), limit, clock)
                       : std::make_shared<RateLimitedSink>(std::move(target), limit);
  auto logger = std::make_shared<spdlog::logger>("hookline", std::move(limited));
  if (format == Format::Json) {
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  }
  return logger;
}

void setup(std::string_view level, Format format) {
  // The colour sink colours only when stderr is a terminal; JSON lines never carry colour codes.
  auto logger = makeLogger(std::make_shared<spdlog::sinks::stderr_color_sink_mt>(), format);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace hookline::log
