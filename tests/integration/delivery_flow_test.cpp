#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "engine/event.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"
#include "tools/sample_payloads.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

EventMask maskOf(std::initializer_list<EventKind> kinds) {
  EventMask mask;
  for (EventKind kind : kinds) {
    mask.set(kind, true);
  }
  return mask;
}

TEST(DeliveryFlowTest, DeliversExactlyTheSubscribedKindsOncePerChannel) {
  EngineHarness harness;
  harness.createChannel("ch_all");
  harness.createChannel("ch_status");
  harness.createChannel("ch_none");
  const EventMask status_kinds = maskOf({EventKind::MessageStatus, EventKind::ChannelUpdate});
  harness.setWebhook("ch_all", harness.receiver().url("all"), EventMask::all());
  harness.setWebhook("ch_status", harness.receiver().url("status"), status_kinds);

  EmitPlan plan;
  plan.channels = {"ch_all", "ch_status", "ch_none"};
  plan.count = 500;
  auto written = emitEvents(harness.redis(), harness.stream(), plan);
  ASSERT_TRUE(written.ok());

  // Which events should arrive: emitEvents cycles kinds and channels independently.
  std::map<std::string, std::size_t> expected_per_path;
  for (std::size_t n = 0; n < plan.count; ++n) {
    const EventKind kind = kAllEventKinds[n % 5];
    const std::string& channel = plan.channels[n % 3];
    if (channel == "ch_all") {
      expected_per_path["/all"]++;
    } else if (channel == "ch_status" && status_kinds.contains(kind)) {
      expected_per_path["/status"]++;
    }
  }
  const std::size_t expected = expected_per_path["/all"] + expected_per_path["/status"];
  ASSERT_TRUE(harness.receiver().waitForCount(expected, 20s))
      << "expected " << expected << ": " << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));
  std::this_thread::sleep_for(300ms);  // nothing more may arrive

  std::set<std::string> ids;
  std::map<std::string, std::size_t> per_path;
  for (const auto& request : harness.receiver().requests()) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.header("user-agent").substr(0, 9), "hookline/");
    EXPECT_FALSE(request.header("webhook-timestamp").empty());
    const json body = json::parse(request.body);
    EXPECT_EQ(body["id"], request.header("webhook-id"));
    EXPECT_TRUE(ids.insert(request.header("webhook-id")).second) << "delivered twice";
    const auto kind = parseEventKind(body["type"].get<std::string>());
    ASSERT_TRUE(kind.has_value());
    if (request.target == "/status") {
      EXPECT_EQ(body["channel_id"], "ch_status");
      EXPECT_TRUE(status_kinds.contains(*kind)) << body["type"];
    } else {
      EXPECT_EQ(request.target, "/all");
      EXPECT_EQ(body["channel_id"], "ch_all");
    }
    EXPECT_TRUE(body["data"].is_object());
    EXPECT_TRUE(body["occurred_at"].is_string());
    per_path[request.target]++;
  }
  EXPECT_EQ(per_path, expected_per_path);
  EXPECT_EQ(harness.engine().stats().filtered.load(), plan.count - expected);
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
}

TEST(DeliveryFlowTest, BodyCarriesTheProducerPayloadByteForByte) {
  EngineHarness harness;
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  const auto sample = samplesOf(EventKind::MessageIncoming).front();
  const std::string id = xadd(harness.redis(), harness.stream(),
                              {{"type", "message_incoming"},
                               {"channel_id", "ch_1"},
                               {"payload", std::string(sample.json)},
                               {"event_id", "wamid_123"},
                               {"occurred_at", "2026-12-04T16:30:21.5Z"}});

  ASSERT_TRUE(harness.receiver().waitForCount(1, 10s)) << harness.describe();
  const auto request = harness.receiver().requests().front();
  EXPECT_EQ(request.body, R"({"id":"wamid_123","type":"message_incoming","channel_id":"ch_1",)"
                          R"("occurred_at":"2026-12-04T16:30:21.500Z","data":)" +
                              std::string(sample.json) + "}");
  EXPECT_EQ(request.header("webhook-id"), "wamid_123");
}

TEST(DeliveryFlowTest, SubscriptionAndUrlChangesApplyWithinOneSecond) {
  EngineHarness harness;
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("old"), maskOf({EventKind::MessageStatus}));

  EmitPlan plan;
  plan.channels = {"ch_1"};
  plan.count = 10;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  ASSERT_TRUE(harness.receiver().waitForCount(2, 10s))
      << harness.describe();  // 2 of 10 are message_status
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));

  harness.setWebhook("ch_1", harness.receiver().url("new"),
                     maskOf({EventKind::TemplateUpdate, EventKind::MessageIncoming}));
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  ASSERT_TRUE(harness.receiver().waitForCount(2 + 4, 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));

  auto requests = harness.receiver().requests();
  ASSERT_EQ(requests.size(), 6u);
  for (std::size_t i = 2; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].target, "/new");
    const std::string type = json::parse(requests[i].body)["type"];
    EXPECT_TRUE(type == "template_update" || type == "message_incoming") << type;
  }
}

TEST(DeliveryFlowTest, DeliversEventsWrittenBeforeTheGroupExisted) {
  EngineHarness::Options options;
  options.start_engine = false;
  EngineHarness harness(options);
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("early"), EventMask::all());
  EmitPlan plan;
  plan.channels = {"ch_1"};
  plan.count = 3;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());

  harness.startEngine();

  ASSERT_TRUE(harness.receiver().waitForCount(3, 10s)) << harness.describe();
  EXPECT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));
}

TEST(DeliveryFlowTest, MalformedEntriesAreDeadLetteredWhileValidOnesFlow) {
  EngineHarness harness;
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  const std::string valid_payload = R"({"ok":true})";

  struct Bad {
    StreamFields fields;
    std::string field;
  };
  const std::vector<Bad> bad = {
      {{{"channel_id", "ch_1"}, {"payload", valid_payload}}, "type"},
      {{{"type", "message_deleted"}, {"channel_id", "ch_1"}, {"payload", valid_payload}}, "type"},
      {{{"type", "message_status"}, {"payload", valid_payload}}, "channel_id"},
      {{{"type", "message_status"}, {"channel_id", "ch 1"}, {"payload", valid_payload}},
       "channel_id"},
      {{{"type", "message_status"}, {"channel_id", "ch_1"}}, "payload"},
      {{{"type", "message_status"}, {"channel_id", "ch_1"}, {"payload", "[1]"}}, "payload"},
      {{{"type", "message_status"}, {"channel_id", "ch_1"}, {"payload", "{bad"}}, "payload"},
      {{{"type", "message_status"},
        {"channel_id", "ch_1"},
        {"payload", valid_payload},
        {"event_id", "has space"}},
       "event_id"},
      {{{"type", "message_status"},
        {"channel_id", "ch_1"},
        {"payload", valid_payload},
        {"occurred_at", "yesterday"}},
       "occurred_at"},
  };
  std::vector<std::string> bad_ids;
  for (const auto& entry : bad) {
    bad_ids.push_back(xadd(harness.redis(), harness.stream(), entry.fields));
    xadd(harness.redis(), harness.stream(),
         {{"type", "message_status"}, {"channel_id", "ch_1"}, {"payload", valid_payload}});
  }

  ASSERT_TRUE(harness.receiver().waitForCount(bad.size(), 10s)) << harness.describe();
  ASSERT_TRUE(waitUntil(
      [&] { return harness.streamLength(harness.deadLetterStream()) == (long long)bad.size(); },
      10s));
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));

  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  ASSERT_EQ(dead.size(), bad.size());
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(fieldOf(dead[i], "dead_reason"), "invalid entry");
    EXPECT_EQ(fieldOf(dead[i], "dead_field"), bad[i].field) << i;
    EXPECT_FALSE(fieldOf(dead[i], "dead_detail").empty());
    EXPECT_EQ(fieldOf(dead[i], "dead_source_id"), bad_ids[i]);
    for (const auto& [name, value] : bad[i].fields) {
      EXPECT_EQ(fieldOf(dead[i], name), value) << "original field " << name << " kept";
    }
  }
  EXPECT_EQ(harness.engine().stats().invalid.load(), bad.size());
}

TEST(DeliveryFlowTest, FailedDeliveryIsDeadLetteredWithItsStatus) {
  EngineHarness::Options options;
  options.receiver_handler = [](const ReceivedRequest&) { return ReceiverReply{.status = 403}; };
  EngineHarness harness(options);
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("forbidden"), EventMask::all());
  xadd(harness.redis(), harness.stream(),
       {{"type", "message_status"}, {"channel_id", "ch_1"}, {"payload", "{}"}});

  ASSERT_TRUE(
      waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s));
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 10s));
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_detail"), "http 403");
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "rejected by receiver");
  EXPECT_EQ(fieldOf(dead[0], "channel_id"), "ch_1");
  EXPECT_EQ(harness.receiver().count(), 1u);
}

}  // namespace
}  // namespace hookline::testing
