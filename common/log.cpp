#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <string>

namespace hookline::log {

void setup(std::string_view level, Format format) {
  spdlog::drop("hookline");
  auto logger = spdlog::stderr_color_mt("hookline");
  if (format == Format::Json) {
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace hookline::log
