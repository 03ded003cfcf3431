#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "tools/http_reference.hpp"
#include "tools/latency_recorder.hpp"
#include "tools/loadtest_payloads.hpp"

namespace hookline {
namespace {

TEST(LatencyRecorderTest, FindsOccurredAtInTheEnvelope) {
  const std::string body =
      R"({"id":"e1","type":"message_status","channel_id":"c","occurred_at":)"
      R"("2026-12-04T20:00:00.250Z","data":{"occurred_at":"1999-01-01T00:00:00.000Z"}})";
  const auto occurred = envelopeOccurredAt(body);
  ASSERT_TRUE(occurred);
  EXPECT_EQ(*occurred % 1000, 250);
  EXPECT_FALSE(envelopeOccurredAt(R"({"id":"e1"})"));
}

TEST(LatencyRecorderTest, PercentilesUseNearestRank) {
  LatencyRecorder recorder(1000);
  const auto occurred = std::chrono::system_clock::time_point(std::chrono::milliseconds(
      *envelopeOccurredAt(R"({"occurred_at":"2026-12-04T20:00:00.000Z"})")));
  const std::string body = R"({"occurred_at":"2026-12-04T20:00:00.000Z"})";
  for (int ms = 1; ms <= 1000; ++ms) {
    ASSERT_TRUE(recorder.record(body, occurred + std::chrono::milliseconds(ms)));
  }
  const auto summary = recorder.summary();
  EXPECT_EQ(summary.count, 1000u);
  EXPECT_DOUBLE_EQ(summary.p50, 500);
  EXPECT_DOUBLE_EQ(summary.p90, 900);
  EXPECT_DOUBLE_EQ(summary.p99, 990);
  EXPECT_DOUBLE_EQ(summary.p999, 999);
  EXPECT_DOUBLE_EQ(summary.max, 1000);
}

TEST(LoopbackUrlTest, AcceptsOnlyPlainHttpOnLoopback) {
  const auto url = parseLoopbackUrl("http://127.0.0.1:8089/hooks");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8089);
  EXPECT_EQ(url->path, "/hooks");
  EXPECT_EQ(parseLoopbackUrl("http://127.0.0.1:8089")->path, "/");
  EXPECT_FALSE(parseLoopbackUrl("http://10.0.0.1:80/"));
  EXPECT_FALSE(parseLoopbackUrl("http://localhost:80/"));
  EXPECT_FALSE(parseLoopbackUrl("https://127.0.0.1:443/"));
  EXPECT_FALSE(parseLoopbackUrl("http://127.0.0.1:99999/"));
}

TEST(LoadtestPayloadsTest, DefaultsToTheSmallCompactSamples) {
  const auto payloads = loadtestPayloads(0);
  ASSERT_FALSE(payloads.empty());
  for (const auto& [kind, payload] : payloads) {
    EXPECT_LE(payload.size(), kSmallPayloadLimit);
    EXPECT_EQ(payload.find('\n'), std::string::npos);
  }
}

TEST(LoadtestPayloadsTest, PadsOneSampleOfEachKindToTheAskedSize) {
  const auto payloads = loadtestPayloads(4096);
  EXPECT_EQ(payloads.size(), kAllEventKinds.size());
  for (const auto& [kind, payload] : payloads) {
    EXPECT_EQ(payload.size(), 4096u);
    EXPECT_EQ(payload.back(), '}');
  }
}

}  // namespace
}  // namespace hookline
