#include "common/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <vector>

#include "common/log_fields.hpp"

namespace hookline::log {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::vector<std::string> linesOf(const std::ostringstream& out) {
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(LogFieldsTest, SplitsMessageAndFieldsKeepingValuesWithSpaces) {
  const auto parts = splitLogFields(
      "delivery failed, retry scheduled event=evt_1 result=network: connection refused "
      "delay_ms=5000");
  EXPECT_EQ(parts.message, "delivery failed, retry scheduled");
  ASSERT_EQ(parts.fields.size(), 3u);
  EXPECT_EQ(parts.fields[0].first, "event");
  EXPECT_EQ(parts.fields[0].second, "evt_1");
  EXPECT_EQ(parts.fields[1].second, "network: connection refused");
  EXPECT_EQ(parts.fields[2].second, "5000");
}

TEST(LogFieldsTest, LineWithoutFieldsIsAllMessage) {
  const auto parts = splitLogFields("engine stopping, a=b is not 1=2 a field");
  EXPECT_EQ(parts.message, "engine stopping,");
  ASSERT_EQ(parts.fields.size(), 1u);
  EXPECT_EQ(parts.fields[0].second, "b is not 1=2 a field");
  EXPECT_EQ(splitLogFields("plain words only").message, "plain words only");
  EXPECT_TRUE(splitLogFields("plain words only").fields.empty());
}

TEST(LogFormatTest, JsonLinesCarryTsLevelMsgAndFields) {
  std::ostringstream out;
  auto logger = makeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out), Format::Json);
  logger->warn("circuit open endpoint={} consecutive_failures={} note={}", "127.0.0.1:9", 10,
               "say \"hi\"\n");
  logger->info("{}", "no fields at all");

  const auto lines = linesOf(out);
  ASSERT_EQ(lines.size(), 2u);
  const json first = json::parse(lines[0]);
  EXPECT_EQ(first["level"], "warning");
  EXPECT_EQ(first["msg"], "circuit open");
  EXPECT_EQ(first["endpoint"], "127.0.0.1:9");
  EXPECT_EQ(first["consecutive_failures"], 10);
  EXPECT_EQ(first["note"], "say \"hi\"\n");               // escaped: the record stays one line
  EXPECT_EQ(first["ts"].get<std::string>().size(), 24u);  // 2026-12-04T20:30:38.123Z
  EXPECT_EQ(first["ts"].get<std::string>().back(), 'Z');
  EXPECT_EQ(json::parse(lines[1])["msg"], "no fields at all");
}

TEST(LogFormatTest, TextLinesKeepTheMessageAsWritten) {
  std::ostringstream out;
  auto logger = makeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out), Format::Text);
  logger->error("stream read failed error={}", "timeout");
  const auto lines = linesOf(out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" error stream read failed error=timeout"), std::string::npos)
      << lines[0];
}

TEST(LogRateLimitTest, RepeatedWarningsAreCappedPerKindAndTheRestCounted) {
  std::ostringstream out;
  auto now = std::chrono::steady_clock::time_point{};
  auto logger = makeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out), Format::Json,
                           RateLimit{.burst = 3, .window = 10s}, [&] { return now; });
  for (int i = 0; i < 20; ++i) {
    logger->warn("delivery failed, retry scheduled event=evt_{}", i);
    logger->error("dead-lettered event=evt_{}", i);
    logger->info("lifecycle line n={}", i);  // info is never limited
  }
  auto lines = linesOf(out);
  EXPECT_EQ(lines.size(), 3u + 3u + 20u);

  now += 11s;
  logger->warn("delivery failed, retry scheduled event=evt_late");
  lines = linesOf(out);
  ASSERT_EQ(lines.size(), 26u + 3u);
  std::map<std::string, json> summaries;
  for (std::size_t i = 26; i < 28; ++i) {
    const json line = json::parse(lines[i]);
    EXPECT_EQ(line["msg"], "log lines suppressed");
    EXPECT_EQ(line["count"], 17);
    summaries[line["message"].get<std::string>()] = line;
  }
  EXPECT_EQ(summaries.count("\"delivery failed, retry scheduled\""), 1u);
  EXPECT_EQ(summaries["\"dead-lettered\""]["level"], "error");
  EXPECT_EQ(json::parse(lines[28])["event"], "evt_late");  // a new window passes it
}

TEST(LogRateLimitTest, DifferentMessagesAreDifferentKinds) {
  std::ostringstream out;
  auto now = std::chrono::steady_clock::time_point{};
  auto logger = makeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out), Format::Text,
                           RateLimit{.burst = 1, .window = 10s}, [&] { return now; });
  logger->warn("first kind a=1");
  logger->warn("second kind a=1");
  logger->warn("first kind a=2");
  EXPECT_EQ(linesOf(out).size(), 2u);
}

}  // namespace
}  // namespace hookline::log
