#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/commands.hpp"

namespace hookline {
namespace {

// Parses and runs `hookline <args>` with only the load test registered; returns its stdout.
std::string runCli(std::vector<std::string> args) {
  CLI::App app;
  CommonOptions common;
  app.add_option("--redis", common.redis_url);
  addLoadtestCommand(app, common);
  args.insert(args.begin(), "hookline");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  ::testing::internal::CaptureStdout();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (...) {
    ::testing::internal::GetCapturedStdout();
    throw;
  }
  return ::testing::internal::GetCapturedStdout();
}

// The CI smoke run: a private Redis, the in-process sink and the built-in reference client,
// so nothing beyond redis-server is needed. It checks the report, never the speed.
TEST(LoadtestCommandTest, DeliversEveryEventAndReportsAllFigures) {
  const std::string output = runCli(
      {"loadtest", "--events", "300", "--channels", "4", "--dispatch-threads", "2", "--connections",
       "8", "--reference", "builtin", "--reference-seconds", "1", "--time-limit", "60", "--json"});
  // Without log::setup the default logger writes to stdout too: the report is the part from
  // the line that opens the JSON object.
  const auto line = output.find("\n{\n");
  ASSERT_TRUE(output.starts_with("{\n") || line != std::string::npos) << output;
  const auto report = nlohmann::json::parse(output.substr(output.starts_with("{\n") ? 0 : line));

  EXPECT_EQ(report.at("sent"), 300);
  EXPECT_EQ(report.at("delivered"), 300);
  EXPECT_EQ(report.at("received"), 300);
  EXPECT_EQ(report.at("dead_lettered"), 0);
  EXPECT_EQ(report.at("receiver"), "sink");
  for (const char* field : {"deliveries_per_s", "cpu_us_per_event", "peak_rss_mib", "seconds",
                            "payload_bytes", "ratio_to_reference"}) {
    ASSERT_TRUE(report.contains(field)) << field;
    EXPECT_GT(report.at(field).get<double>(), 0) << field;
  }
  // Read from /proc in clock ticks (10 ms): a run this small may show zero.
  ASSERT_TRUE(report.contains("redis_cpu_us_per_event"));
  EXPECT_GE(report.at("redis_cpu_us_per_event").get<double>(), 0);
  EXPECT_FALSE(report.at("cpu_measured").get<std::string>().empty());
  const auto& latency = report.at("latency_ms");
  EXPECT_EQ(latency.at("count"), 300);
  for (const char* field : {"p50", "p90", "p99", "p99_9", "max"}) {
    EXPECT_TRUE(latency.contains(field)) << field;
  }
  EXPECT_LE(latency.at("p50").get<double>(), latency.at("p99_9").get<double>());
  EXPECT_EQ(report.at("reference").at("tool"), "builtin");
  EXPECT_GT(report.at("reference").at("requests").get<std::size_t>(), 0u);
  std::uint64_t per_second_total = 0;
  for (const auto& count : report.at("per_second")) {
    per_second_total += count.get<std::uint64_t>();
  }
  EXPECT_EQ(per_second_total, 300u);
}

TEST(LoadtestCommandTest, RefusesATargetOffLoopback) {
  EXPECT_THROW(runCli({"loadtest", "--events", "10", "--target", "http://192.0.2.10:8080/",
                       "--reference", "none", "--json"}),
               CLI::RuntimeError);
}

}  // namespace
}  // namespace hookline
