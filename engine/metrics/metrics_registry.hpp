#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/metrics/histogram.hpp"

namespace hookline {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Metrics in the Prometheus text exposition format (version 0.0.4). Values are read when the
// page is rendered, through callbacks over counters the code keeps anyway (EngineStats'
// atomics), so the hot path pays nothing for being measured. Samples of one name form a family
// with one HELP and TYPE line, in the order they were registered.
//
// Threading: register everything before render() is first called; render() may then be called
// from any thread (calls are serialised). Callbacks run on the rendering thread.
class MetricsRegistry {
 public:
  using Read = std::function<double()>;

  void counter(const std::string& name, const std::string& help, Read read,
               MetricLabels labels = {});
  // A gauge whose callback returns NaN is left out of that rendering (its source is down).
  void gauge(const std::string& name, const std::string& help, Read read, MetricLabels labels = {});
  // A gauge family whose label sets are only known when read (one sample per consumer of the
  // group); keep its cardinality bounded.
  using ReadMany = std::function<std::vector<std::pair<MetricLabels, double>>()>;
  void gauges(const std::string& name, const std::string& help, ReadMany read);
  // The histogram must outlive the registry.
  void histogram(const std::string& name, const std::string& help, const Histogram& histogram);
  // Runs once before each rendering, before any callback: for sources that are read once for
  // several gauges (one Redis round trip for all the queue gauges).
  void collector(std::function<void()> collect);

  std::string render();

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  enum class Type { Counter, Gauge, Histogram };
  struct Sample {
    MetricLabels labels;
    Read read;
    const Histogram* histogram = nullptr;
    ReadMany read_many;
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<Sample> samples;
  };

  Family& family(const std::string& name, const std::string& help, Type type);

  std::vector<Family> families_;
  std::vector<std::function<void()>> collectors_;
  std::mutex render_mutex_;
};

// The exposition's spelling of a number: integers without a fraction, NaN and infinities as
// Prometheus writes them.
std::string metricValue(double value);

}  // namespace hookline
