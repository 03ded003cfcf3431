#include "engine/envelope.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hookline {
namespace {

TEST(EnvelopeTest, SplicesPayloadBytesUnchanged) {
  Event event;
  event.event_id = "evt_1";
  event.kind = EventKind::TemplateUpdate;
  event.channel_id = "ch_9";
  event.occurred_at_ms = 1796401821123;
  event.payload = R"({"b":1,"a":"é","n":1.0,"s":"</x>","u":"\u00e9"})";

  const std::string body = buildEnvelope(event);

  EXPECT_EQ(body, R"({"id":"evt_1","type":"template_update","channel_id":"ch_9",)"
                  R"("occurred_at":"2026-12-04T16:30:21.123Z","data":)" +
                      event.payload + "}");
  auto parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed["data"]["b"], 1);
}

TEST(EnvelopeTest, ReusesTheOutputBuffer) {
  Event event;
  event.event_id = "evt_1";
  event.channel_id = "c";
  event.payload = "{}";
  std::string out = "stale contents";
  buildEnvelope(event, out);
  EXPECT_EQ(out.find("stale"), std::string::npos);
  EXPECT_TRUE(nlohmann::json::accept(out));
}

}  // namespace
}  // namespace hookline
