#pragma once

#include <map>
#include <string>

#include "common/expected.hpp"

namespace hookline::testing {

// A page of the Prometheus text format, parsed strictly: every sample line is
// `name{label="value",...} number`, every sample belongs to a family announced by a TYPE line
// before it (histograms through _bucket, _sum and _count), and no series appears twice.
struct MetricsPage {
  // Keyed by the series as written: `hookline_attempts_total{outcome="delivered"}`.
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram

  // The sample's value, or -1 when the page does not have it.
  double value(const std::string& series) const;
};

Expected<MetricsPage> parseMetricsPage(const std::string& text);

}  // namespace hookline::testing
