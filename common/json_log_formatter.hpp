#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace hookline::log {

// --log-format json: one JSON object per line, {"ts","level","msg", then each key=value field
// of the line as a member}. Values that are whole numbers become JSON numbers, the rest
// strings; a field named like ts, level or msg is kept as field_<name>.
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace hookline::log
