#include "tools/loadtest_report.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace hookline {
namespace {

namespace fs = std::filesystem;

double ratio(const LoadtestResult& result) {
  if (!result.reference || result.reference->requests_per_s <= 0) {
    return 0;
  }
  return result.deliveries_per_s / result.reference->requests_per_s;
}

// At most this many latency points go into the plot's data file.
constexpr std::size_t kPlotPoints = 2000;

}  // namespace

nlohmann::json toJson(const LoadtestResult& result) {
  nlohmann::json json = {
      {"events", result.events},
      {"channels", result.channels},
      {"dispatch_threads", result.dispatch_threads},
      {"connections", result.connections},
      {"payload_bytes", result.payload_bytes},
      {"rate", result.rate},
      {"receiver", result.receiver},
      {"cores", result.cores},
      {"waiting_retries", result.waiting_retries},
      {"max_in_flight", result.max_in_flight},
      {"peak_in_flight", result.peak_in_flight},
      {"sent", result.sent},
      {"delivered", result.delivered},
      {"failed_attempts", result.failed_attempts},
      {"dead_lettered", result.dead_lettered},
      {"received", result.received},
      {"seconds", result.seconds},
      {"deliveries_per_s", result.deliveries_per_s},
      {"cpu_us_per_event", result.cpu_us_per_event},
      {"cpu_measured", result.cpu_measured},
      {"peak_rss_mib", result.peak_rss_mib},
      {"per_second", result.per_second},
  };
  if (result.redis_cpu_us_per_event >= 0) {
    json["redis_cpu_us_per_event"] = result.redis_cpu_us_per_event;
  }
  if (result.latency) {
    json["latency_ms"] = {{"count", result.latency->count}, {"p50", result.latency->p50},
                          {"p90", result.latency->p90},     {"p99", result.latency->p99},
                          {"p99_9", result.latency->p999},  {"max", result.latency->max}};
  }
  if (result.reference) {
    json["reference"] = {{"tool", result.reference->tool},
                         {"requests_per_s", result.reference->requests_per_s},
                         {"requests", result.reference->requests},
                         {"errors", result.reference->errors}};
    json["ratio_to_reference"] = ratio(result);
  } else if (!result.reference_error.empty()) {
    json["reference_error"] = result.reference_error;
  }
  return json;
}

void printReport(const LoadtestResult& result) {
  fmt::print(
      "hookline loadtest: {} events over {} channels, {:.0f}-byte payloads (mean), "
      "{} dispatch thread(s), {} connection(s), receiver {}, {} core(s)\n",
      result.events, result.channels, result.payload_bytes, result.dispatch_threads,
      result.connections, result.receiver, result.cores);
  if (result.waiting_retries > 0) {
    fmt::print("  {} retries waited in the store throughout (due after the run)\n",
               result.waiting_retries);
  }
  if (result.rate > 0) {
    fmt::print("  produced at {:.0f} events/s while the engine ran\n", result.rate);
  } else {
    fmt::print("  stream filled before the engine started (latency then includes the backlog)\n");
  }
  fmt::print("  delivered        {} of {} sent in {:.2f} s ({} failed attempts, {} dead letters)\n",
             result.delivered, result.sent, result.seconds, result.failed_attempts,
             result.dead_lettered);
  fmt::print("  deliveries/s     {:.0f}\n", result.deliveries_per_s);
  if (result.latency) {
    fmt::print(
        "  latency ms       p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  p99.9 {:.2f}  max {:.2f} "
        "(occurred_at -> receipt; occurred_at has 1 ms precision)\n",
        result.latency->p50, result.latency->p90, result.latency->p99, result.latency->p999,
        result.latency->max);
  }
  fmt::print("  CPU µs/event     {:.2f} ({})\n", result.cpu_us_per_event, result.cpu_measured);
  if (result.redis_cpu_us_per_event >= 0) {
    fmt::print("  redis CPU µs/ev  {:.2f} (the private redis-server; /proc, 10 ms ticks)\n",
               result.redis_cpu_us_per_event);
  }
  fmt::print(
      "  peak RSS         {:.1f} MiB (the whole load test process), {} entries in flight at most "
      "(cap {})\n",
      result.peak_rss_mib, result.peak_in_flight, result.max_in_flight);
  if (result.reference) {
    fmt::print(
        "  reference        {} {:.0f} requests/s ({} errors), same receiver and "
        "connections\n",
        result.reference->tool, result.reference->requests_per_s, result.reference->errors);
    fmt::print("  ratio            {:.2f} of the reference\n", ratio(result));
  } else if (!result.reference_error.empty()) {
    fmt::print("  reference        failed: {}\n", result.reference_error);
  }
  std::fflush(stdout);
}

bool writeThroughputCsv(const LoadtestResult& result, const std::string& path) {
  std::ofstream out(path);
  out << "second,deliveries\n";
  for (std::size_t i = 0; i < result.per_second.size(); ++i) {
    out << i + 1 << ',' << result.per_second[i] << '\n';
  }
  return static_cast<bool>(out);
}

std::string writePlot(const LoadtestResult& result, const std::vector<double>& sorted_latency_ms,
                      const std::string& png_path) {
  const fs::path dir =
      fs::temp_directory_path() / ("hookline-loadtest-plot-" + std::to_string(getpid()));
  std::error_code error;
  fs::create_directories(dir, error);
  const fs::path throughput = dir / "throughput.dat";
  const fs::path latency = dir / "latency.dat";
  const fs::path script = dir / "plot.gp";
  {
    std::ofstream out(throughput);
    for (std::size_t i = 0; i < result.per_second.size(); ++i) {
      out << i + 1 << ' ' << result.per_second[i] << '\n';
    }
  }
  {
    // The latency CDF, thinned to at most kPlotPoints points.
    std::ofstream out(latency);
    const std::size_t n = sorted_latency_ms.size();
    const std::size_t step = std::max<std::size_t>(1, n / kPlotPoints);
    for (std::size_t i = 0; i < n; i += step) {
      out << sorted_latency_ms[i] << ' ' << static_cast<double>(i + 1) / n * 100 << '\n';
    }
  }
  {
    std::ofstream out(script);
    out << "set terminal png noenhanced size 1200,500\n"
        << "set output '" << png_path << "'\n"
        << "set multiplot layout 1,2 title 'hookline loadtest: " << result.events << " events, "
        << result.dispatch_threads << " dispatch thread(s)'\n"
        << "set xlabel 'second (the last one may be partial)'\nset ylabel 'deliveries/s'\n"
        << "set grid\nset yrange [0:*]\n"
        << "plot '" << throughput.string() << "' with linespoints title 'throughput'\n"
        << "set xlabel 'latency ms (occurred_at -> receipt)'\nset ylabel 'percent of deliveries'\n"
        << "set yrange [0:100]\n";
    if (sorted_latency_ms.empty()) {
      out << "set label 'no latency measured (external receiver)' at graph 0.2,0.5\n"
          << "plot [0:1][0:100] 1/0 notitle\n";
    } else {
      out << "set logscale x\nplot '" << latency.string() << "' with lines title 'CDF'\n";
    }
    out << "unset multiplot\n";
  }
  // Its messages go to stderr so that --json output on stdout stays clean.
  const std::string command = "gnuplot '" + script.string() + "' 1>&2";
  const int status = std::system(command.c_str());
  fs::remove_all(dir, error);
  if (status != 0) {
    return "gnuplot failed (status " + std::to_string(status) + "; is gnuplot installed?)";
  }
  return "";
}

}  // namespace hookline
