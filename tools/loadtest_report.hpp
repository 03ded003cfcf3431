#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/http_reference.hpp"
#include "tools/latency_recorder.hpp"

namespace hookline {

// What one `hookline loadtest` run measured.
struct LoadtestResult {
  // The setup.
  std::size_t events = 0;
  std::size_t channels = 0;
  int dispatch_threads = 1;
  int connections = 0;
  double payload_bytes = 0;  // mean payload size
  double rate = 0;           // 0: the stream was filled before the engine started
  std::string receiver;      // "sink" or the --target URL
  int cores = 0;
  std::size_t waiting_retries = 0;  // in the retry store, due after the run
  std::size_t max_in_flight = 0;    // the engine's cap on unsettled entries
  std::size_t peak_in_flight = 0;   // the most the engine held at one time (sampled)

  // hookline.
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dead_lettered = 0;
  std::size_t received = 0;  // counted by the in-process sink (0 with --target)
  double seconds = 0;        // engine start to the last delivery
  double deliveries_per_s = 0;
  std::optional<LatencySummary> latency;  // only with the in-process sink
  double cpu_us_per_event = 0;
  std::string cpu_measured;            // what the CPU figure includes
  double redis_cpu_us_per_event = -1;  // the private redis-server's, when it was started here
  double peak_rss_mib = 0;
  std::vector<std::uint64_t> per_second;  // deliveries in each second of the run

  // The reference.
  std::optional<ReferenceResult> reference;
  std::string reference_error;
};

nlohmann::json toJson(const LoadtestResult& result);
void printReport(const LoadtestResult& result);
// Writes "second,deliveries" rows; false when the file cannot be written.
bool writeThroughputCsv(const LoadtestResult& result, const std::string& path);
// Draws throughput over time and the latency distribution with gnuplot; an empty string on
// success, otherwise why it failed.
std::string writePlot(const LoadtestResult& result, const std::vector<double>& sorted_latency_ms,
                      const std::string& png_path);

}  // namespace hookline
