#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookline::log {

// A log line as the code writes it, "message key=value key=value", taken apart: the message is
// the text before the first word of the form key=, and a value runs to the next key= word, so
// values with spaces ("result=network: connection refused") stay whole.
struct LogFields {
  std::string_view message;
  std::vector<std::pair<std::string_view, std::string_view>> fields;
};

LogFields splitLogFields(std::string_view line);

}  // namespace hookline::log
