#include "tests/support/metrics_text.hpp"

#include <cmath>
#include <regex>
#include <sstream>

namespace hookline::testing {
namespace {

const std::regex kSample(
    R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (\S+)$)");
const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");

// The family a sample belongs to: a histogram's series carry a suffix.
std::string familyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.ends_with(s)) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") {
        return base;
      }
    }
  }
  return name;
}

}  // namespace

double MetricsPage::value(const std::string& series) const {
  auto it = samples.find(series);
  return it == samples.end() ? -1 : it->second;
}

Expected<MetricsPage> parseMetricsPage(const std::string& text) {
  MetricsPage page;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string where = "line " + std::to_string(number) + " '" + line + "': ";
    std::smatch match;
    if (line.starts_with("# HELP ") || line.empty()) {
      continue;
    }
    if (std::regex_match(line, match, kType)) {
      if (!page.types.emplace(match[1], match[2]).second) {
        return Error{where + "family announced twice"};
      }
      continue;
    }
    if (!std::regex_match(line, match, kSample)) {
      return Error{where + "not a sample"};
    }
    const std::string name = match[1];
    if (!page.types.contains(familyOf(name, page.types))) {
      return Error{where + "no TYPE line before it"};
    }
    double value = 0;
    try {
      const std::string spelled = match[5];
      value = spelled == "+Inf" ? HUGE_VAL : std::stod(spelled);
    } catch (const std::exception&) {
      return Error{where + "bad number"};
    }
    const std::string series = line.substr(0, line.rfind(' '));
    if (!page.samples.emplace(series, value).second) {
      return Error{where + "series appears twice"};
    }
  }
  return page;
}

}  // namespace hookline::testing
