#include <gtest/gtest.h>

#include <string>

#include "tests/support/engine_harness.hpp"
#include "tests/support/group_inspect.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/worker_process.hpp"
#include "tools/event_producer.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

MetricsPage scrape(EngineHarness& harness) {
  const auto reply = httpCall(harness.apiPort(), "GET", "/metrics");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.header("content-type").substr(0, 25), "text/plain; version=0.0.4");
  auto page = parseMetricsPage(reply.body);
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message) << "\n" << reply.body;
  return page ? std::move(page).value() : MetricsPage{};
}

void emit(EngineHarness& harness, const std::string& channel, std::size_t count) {
  EmitPlan plan{.channels = {channel}, .kind = EventKind::MessageStatus, .count = count};
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
}

// The receiver accepts /ok and refuses /refuse with 400 (dead-lettered at once); ch_quiet has
// no webhook (filtered); two entries lack their type (dead-lettered as invalid).
TEST(MetricsEndpointTest, CountersAddUpToWhatWasSent) {
  EngineHarness::Options options;
  options.receiver_handler = [](const ReceivedRequest& request) {
    return ReceiverReply{.status = request.target == "/refuse" ? 400 : 200};
  };
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_ok");
  harness.createChannel("ch_refuse");
  harness.createChannel("ch_quiet");
  harness.setWebhook("ch_ok", harness.receiver().url("ok"), EventMask::all());
  harness.setWebhook("ch_refuse", harness.receiver().url("refuse"), EventMask::all());

  emit(harness, "ch_ok", 7);
  emit(harness, "ch_refuse", 3);
  emit(harness, "ch_quiet", 4);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        harness.redis()
            .commandOk({"XADD", harness.stream(), "*", "channel_id", "ch_ok", "payload", "{}"})
            .ok());
  }
  const std::size_t sent = 7 + 3 + 4 + 2;
  ASSERT_TRUE(waitUntil(
      [&] {
        const auto& stats = harness.engine().stats();
        return stats.delivered + stats.filtered + stats.dead_lettered == sent &&
               harness.pendingCount() == 0 && harness.engine().inFlight() == 0;
      },
      20s))
      << harness.describe();

  const MetricsPage page = scrape(harness);
  EXPECT_EQ(page.types.at("hookline_events_read_total"), "counter");
  EXPECT_EQ(page.types.at("hookline_attempt_duration_seconds"), "histogram");
  EXPECT_EQ(page.value("hookline_events_read_total"), sent);
  EXPECT_EQ(page.value("hookline_events_delivered_total"), 7);
  EXPECT_EQ(page.value("hookline_events_filtered_total"), 4);
  EXPECT_EQ(page.value("hookline_events_dead_lettered_total"), 5);
  EXPECT_EQ(page.value(R"(hookline_dead_letters_by_reason_total{reason="rejected"})"), 3);
  EXPECT_EQ(page.value(R"(hookline_dead_letters_by_reason_total{reason="invalid"})"), 2);
  double by_reason = 0;
  double attempts = 0;
  for (const auto& [series, value] : page.samples) {
    by_reason += series.starts_with("hookline_dead_letters_by_reason_total") ? value : 0;
    attempts += series.starts_with("hookline_attempts_total") ? value : 0;
  }
  EXPECT_EQ(by_reason, 5);
  EXPECT_EQ(page.value(R"(hookline_attempts_total{outcome="delivered"})"), 7);
  EXPECT_EQ(page.value(R"(hookline_attempts_total{outcome="dead"})"), 3);
  EXPECT_EQ(attempts, 10);
  EXPECT_EQ(page.value("hookline_attempt_duration_seconds_count"), 10);
  EXPECT_EQ(page.value(R"(hookline_attempt_duration_seconds_bucket{le="+Inf"})"), 10);
  EXPECT_EQ(page.value("hookline_delivery_latency_seconds_count"), 7);
  EXPECT_GT(page.value("hookline_attempt_duration_seconds_sum"), 0);

  // The queues as Redis holds them.
  EXPECT_EQ(page.value("hookline_redis_up"), 1);
  EXPECT_EQ(page.value("hookline_in_flight"), 0);
  EXPECT_EQ(page.value("hookline_stream_pending"), 0);
  EXPECT_EQ(page.value("hookline_stream_lag"), 0);
  EXPECT_EQ(page.value(R"(hookline_consumer_pending{consumer="worker-1"})"), 0);
  EXPECT_EQ(page.value("hookline_retries_waiting"), 0);
  EXPECT_EQ(page.value("hookline_dead_letters"), 5);
  EXPECT_EQ(page.value(R"(hookline_circuits{state="open"})"), 0);
  EXPECT_GE(page.value("hookline_redis_reconnects_total"), 0);
}

TEST(MetricsEndpointTest, RetriesWaitingAndUnreadEntriesShowInTheQueueGauges) {
  EngineHarness::Options options;
  options.receiver_handler = [](const ReceivedRequest&) { return ReceiverReply{.status = 503}; };
  options.engine.retry.delays = {std::chrono::hours(1)};
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_down");
  harness.setWebhook("ch_down", harness.receiver().url("down"), EventMask::all());

  emit(harness, "ch_down", 4);
  ASSERT_TRUE(waitUntil([&] { return harness.engine().stats().retries_scheduled == 4; }, 20s))
      << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));
  harness.stopEngine();
  emit(harness, "ch_down", 6);  // nobody reads these

  const MetricsPage page = scrape(harness);
  EXPECT_EQ(page.value("hookline_retries_waiting"), 4);
  EXPECT_EQ(page.value(R"(hookline_retries_scheduled_total{cause="failed_attempt"})"), 4);
  EXPECT_EQ(page.value(R"(hookline_attempts_total{outcome="retry"})"), 4);
  EXPECT_EQ(page.value("hookline_stream_lag"), 6);
}

TEST(MetricsEndpointTest, OnlyGetIsAllowed) {
  EngineHarness harness;
  EXPECT_EQ(httpCall(harness.apiPort(), "POST", "/metrics").status, 405);
  EXPECT_EQ(httpCall(harness.apiPort(), "GET", "/healthz").status, 200);
}

// `hookline worker` has no management API; --metrics-listen gives it health and metrics only.
TEST(MetricsEndpointTest, WorkerServesMetricsAndHealthOnItsOwnListener) {
  EngineHarness::Options options;
  options.start_engine = false;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_ok");
  harness.setWebhook("ch_ok", harness.receiver().url("ok"), EventMask::all());
  const auto port = static_cast<unsigned short>(freeLoopbackPort());
  WorkerProcess worker(workerArgs(harness, "metrics-worker",
                                  {"--metrics-listen", "127.0.0.1:" + std::to_string(port)}));
  emit(harness, "ch_ok", 3);
  ASSERT_TRUE(harness.receiver().waitForCount(3, 20s)) << worker.logTail();

  MetricsPage page;
  const bool counted = waitUntil(
      [&] {
        const auto reply = httpCall(port, "GET", "/metrics");
        auto parsed = parseMetricsPage(reply.body);
        page = parsed ? std::move(parsed).value() : MetricsPage{};
        return page.value("hookline_events_delivered_total") == 3;
      },
      10s);
  EXPECT_TRUE(counted) << worker.logTail();
  EXPECT_EQ(page.value("hookline_events_read_total"), 3);
  EXPECT_EQ(page.value("hookline_redis_up"), 1);
  EXPECT_EQ(httpCall(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(httpCall(port, "GET", "/readyz").status, 200);
  // Management routes are not served here.
  EXPECT_EQ(httpCall(port, "GET", "/api/integrations/ch_ok/webhook").status, 404);
}

}  // namespace
}  // namespace hookline::testing
