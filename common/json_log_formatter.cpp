#include "common/json_log_formatter.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "common/log_fields.hpp"

namespace hookline::log {
namespace {

std::string utcTimestamp(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t whole = static_cast<std::time_t>(seconds.count());
  std::tm parts{};
  gmtime_r(&whole, &parts);
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(millis));
  return text;
}

nlohmann::ordered_json fieldValue(std::string_view value) {
  long long number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (!value.empty() && ec == std::errc() && end == value.data() + value.size() &&
      !(value.size() > 1 && value[0] == '0')) {
    return number;
  }
  return std::string(value);
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const LogFields parts = splitLogFields(payload);
  const auto level = spdlog::level::to_string_view(msg.level);
  nlohmann::ordered_json line = {{"ts", utcTimestamp(msg.time)},
                                 {"level", std::string(level.data(), level.size())},
                                 {"msg", std::string(parts.message)}};
  for (const auto& [key, value] : parts.fields) {
    std::string name(key);
    if (name == "ts" || name == "level" || name == "msg") {
      name = "field_" + name;
    }
    line[name] = fieldValue(value);
  }
  // Invalid UTF-8 (a payload excerpt at debug) is replaced rather than failing the line.
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace hookline::log
