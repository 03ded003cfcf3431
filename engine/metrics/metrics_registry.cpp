#include "engine/metrics/metrics_registry.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace hookline {
namespace {

void appendEscaped(std::string& out, const std::string& text, bool quote_too) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote_too) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void appendLabels(std::string& out, const MetricLabels& labels) {
  if (labels.empty()) {
    return;
  }
  out += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += labels[i].first;
    out += "=\"";
    appendEscaped(out, labels[i].second, true);
    out += '"';
  }
  out += '}';
}

void appendLine(std::string& out, const std::string& name, const MetricLabels& labels,
                double value) {
  out += name;
  appendLabels(out, labels);
  out += ' ';
  out += metricValue(value);
  out += '\n';
}

void appendHistogram(std::string& out, const std::string& name, const Histogram& histogram) {
  const auto snapshot = histogram.snapshot();
  for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
    const double bound =
        i < snapshot.bounds.size() ? snapshot.bounds[i] : std::numeric_limits<double>::infinity();
    appendLine(out, name + "_bucket", {{"le", metricValue(bound)}},
               static_cast<double>(snapshot.cumulative[i]));
  }
  appendLine(out, name + "_sum", {}, snapshot.sum);
  appendLine(out, name + "_count", {}, static_cast<double>(snapshot.cumulative.back()));
}

const char* typeName(int type) {
  static constexpr const char* kNames[] = {"counter", "gauge", "histogram"};
  return kNames[type];
}

}  // namespace

std::string metricValue(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  char buffer[32];
  if (value == std::floor(value) && std::fabs(value) < 9.0e15) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  }
  return buffer;
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help,
                                                 Type type) {
  for (auto& existing : families_) {
    if (existing.name == name) {
      if (existing.type != type) {
        throw std::logic_error("metric " + name + " registered with two types");
      }
      return existing;
    }
  }
  families_.push_back(Family{.name = name, .help = help, .type = type});
  return families_.back();
}

void MetricsRegistry::counter(const std::string& name, const std::string& help, Read read,
                              MetricLabels labels) {
  family(name, help, Type::Counter).samples.push_back({std::move(labels), std::move(read)});
}

void MetricsRegistry::gauge(const std::string& name, const std::string& help, Read read,
                            MetricLabels labels) {
  family(name, help, Type::Gauge).samples.push_back({std::move(labels), std::move(read)});
}

void MetricsRegistry::gauges(const std::string& name, const std::string& help, ReadMany read) {
  family(name, help, Type::Gauge).samples.push_back({{}, nullptr, nullptr, std::move(read)});
}

void MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                const Histogram& histogram) {
  family(name, help, Type::Histogram).samples.push_back({{}, nullptr, &histogram});
}

void MetricsRegistry::collector(std::function<void()> collect) {
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::render() {
  std::lock_guard lock(render_mutex_);
  for (auto& collect : collectors_) {
    collect();
  }
  std::string out;
  out.reserve(8192);
  for (const auto& family : families_) {
    out += "# HELP " + family.name + ' ';
    appendEscaped(out, family.help, false);
    out += "\n# TYPE " + family.name + ' ' + typeName(static_cast<int>(family.type)) + '\n';
    for (const auto& sample : family.samples) {
      if (sample.histogram != nullptr) {
        appendHistogram(out, family.name, *sample.histogram);
        continue;
      }
      if (sample.read_many) {
        for (const auto& [labels, value] : sample.read_many()) {
          appendLine(out, family.name, labels, value);
        }
        continue;
      }
      const double value = sample.read();
      if (family.type == Type::Gauge && std::isnan(value)) {
        continue;
      }
      appendLine(out, family.name, sample.labels, value);
    }
  }
  return out;
}

}  // namespace hookline
