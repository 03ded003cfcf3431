#include "engine/event.hpp"

#include <gtest/gtest.h>

#include "tools/sample_payloads.hpp"

namespace hookline {
namespace {

constexpr std::string_view kStream = "hookline:events";
constexpr std::string_view kEntry = "1733331021000-0";

StreamFields validFields() {
  return {{"type", "message_status"}, {"channel_id", "ch_42"}, {"payload", R"({"status":"read"})"}};
}

EntryRejection rejectionOf(const StreamFields& fields, const EntryLimits& limits = {}) {
  auto parsed = parseStreamEntry(kStream, kEntry, fields, limits);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? EntryRejection{} : parsed.error();
}

TEST(StreamEntryTest, AcceptsMinimalEntryAndDerivesIdAndTime) {
  auto parsed = parseStreamEntry(kStream, kEntry, validFields());
  ASSERT_TRUE(parsed.ok()) << parsed.error().reason;
  EXPECT_EQ(parsed->kind, EventKind::MessageStatus);
  EXPECT_EQ(parsed->channel_id, "ch_42");
  EXPECT_EQ(parsed->payload, R"({"status":"read"})");
  EXPECT_EQ(parsed->occurred_at_ms, 1733331021000);
  EXPECT_EQ(parsed->entry_id, kEntry);
  EXPECT_EQ(parsed->event_id, deriveEventId(kStream, kEntry));
  EXPECT_EQ(parsed->event_id.substr(0, 4), "evt_");
}

TEST(StreamEntryTest, DerivedIdIsStableAndDiffersPerStreamAndEntry) {
  EXPECT_EQ(deriveEventId("s", "1-0"), deriveEventId("s", "1-0"));
  EXPECT_NE(deriveEventId("s", "1-0"), deriveEventId("s", "1-1"));
  EXPECT_NE(deriveEventId("s", "1-0"), deriveEventId("t", "1-0"));
}

TEST(StreamEntryTest, KeepsProducerEventIdAndOccurredAt) {
  auto fields = validFields();
  fields.emplace_back("event_id", "wamid-ABC_123");
  fields.emplace_back("occurred_at", "2026-12-04T16:30:21.5+01:00");
  auto parsed = parseStreamEntry(kStream, kEntry, fields);
  ASSERT_TRUE(parsed.ok()) << parsed.error().reason;
  EXPECT_EQ(parsed->event_id, "wamid-ABC_123");
  EXPECT_EQ(parsed->occurred_at_ms, 1796398221500);
}

TEST(StreamEntryTest, AcceptsOccurredAtAsEpochMillis) {
  auto fields = validFields();
  fields.emplace_back("occurred_at", "1796398221500");
  auto parsed = parseStreamEntry(kStream, kEntry, fields);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->occurred_at_ms, 1796398221500);
}

TEST(StreamEntryTest, IgnoresUnknownExtraFields) {
  auto fields = validFields();
  fields.emplace_back("trace_id", "abc");
  EXPECT_TRUE(parseStreamEntry(kStream, kEntry, fields).ok());
}

TEST(StreamEntryTest, AcceptsEverySamplePayload) {
  for (const auto& sample : samplePayloads()) {
    StreamFields fields = {{"type", std::string(eventKindName(sampleKind(sample)))},
                           {"channel_id", "ch_1"},
                           {"payload", std::string(sample.json)}};
    EXPECT_TRUE(parseStreamEntry(kStream, kEntry, fields).ok()) << sample.name;
  }
}

TEST(StreamEntryTest, RejectsEmptyEntryAsDeleted) {
  auto rejection = rejectionOf({});
  EXPECT_EQ(rejection.field, "");
  EXPECT_NE(rejection.reason.find("deleted"), std::string::npos);
}

TEST(StreamEntryTest, RejectsMissingType) {
  EXPECT_EQ(rejectionOf({{"channel_id", "c"}, {"payload", "{}"}}).field, "type");
}

TEST(StreamEntryTest, RejectsUnknownType) {
  auto rejection =
      rejectionOf({{"type", "message_deleted"}, {"channel_id", "c"}, {"payload", "{}"}});
  EXPECT_EQ(rejection.field, "type");
  EXPECT_NE(rejection.reason.find("message_deleted"), std::string::npos);
}

TEST(StreamEntryTest, RejectsMissingChannel) {
  EXPECT_EQ(rejectionOf({{"type", "message_status"}, {"payload", "{}"}}).field, "channel_id");
}

TEST(StreamEntryTest, RejectsChannelWithForbiddenCharactersOrTooLong) {
  for (std::string bad :
       {std::string(""), std::string("ch 1"), std::string("ch/1"), std::string(129, 'c')}) {
    auto rejection =
        rejectionOf({{"type", "message_status"}, {"channel_id", bad}, {"payload", "{}"}});
    EXPECT_EQ(rejection.field, "channel_id") << bad;
  }
}

TEST(StreamEntryTest, RejectsMissingPayload) {
  EXPECT_EQ(rejectionOf({{"type", "message_status"}, {"channel_id", "c"}}).field, "payload");
}

TEST(StreamEntryTest, RejectsPayloadThatIsNotAJsonObject) {
  for (std::string bad : {"", "[1,2]", "42", "\"text\"", "null", "  [{}]"}) {
    auto rejection =
        rejectionOf({{"type", "message_status"}, {"channel_id", "c"}, {"payload", bad}});
    EXPECT_EQ(rejection.field, "payload") << bad;
    EXPECT_EQ(rejection.reason, "must be a JSON object") << bad;
  }
}

// An object that does not parse gets a reason that says so, not "must be a JSON object".
TEST(StreamEntryTest, SaysWhenAnObjectIsNotValidJson) {
  for (std::string bad :
       {std::string("{\"a\":"), std::string("{} trailing"), std::string("{\"t\":\"caf\xe9\"}"),
        std::string("{\"t\":\"\x01\"}"), std::string("{\"t\":\"a\0b\"}", 11)}) {
    auto rejection =
        rejectionOf({{"type", "message_status"}, {"channel_id", "c"}, {"payload", bad}});
    EXPECT_EQ(rejection.field, "payload") << bad;
    EXPECT_TRUE(rejection.reason.starts_with("is not valid JSON"))
        << bad << ": " << rejection.reason;
  }
}

TEST(StreamEntryTest, RejectsPayloadOverTheLimit) {
  EntryLimits limits;
  limits.max_payload_bytes = 64;
  std::string big = "{\"a\":\"" + std::string(64, 'x') + "\"}";
  auto rejection =
      rejectionOf({{"type", "message_status"}, {"channel_id", "c"}, {"payload", big}}, limits);
  EXPECT_EQ(rejection.field, "payload");
  EXPECT_NE(rejection.reason.find("over the limit"), std::string::npos);
}

TEST(StreamEntryTest, RejectsBadEventId) {
  for (std::string bad :
       {std::string(""), std::string("a.b"), std::string("a b"), std::string(129, 'e')}) {
    auto fields = validFields();
    fields.emplace_back("event_id", bad);
    EXPECT_EQ(rejectionOf(fields).field, "event_id") << bad;
  }
}

TEST(StreamEntryTest, RejectsBadOccurredAt) {
  for (std::string bad : {"yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-12-04 16:30:21Z", "2026-12-04T16:30:21", "12", "-5"}) {
    auto fields = validFields();
    fields.emplace_back("occurred_at", bad);
    EXPECT_EQ(rejectionOf(fields).field, "occurred_at") << bad;
  }
}

TEST(StreamEntryTest, RejectsDuplicatedField) {
  auto fields = validFields();
  fields.emplace_back("channel_id", "other");
  auto rejection = rejectionOf(fields);
  EXPECT_EQ(rejection.field, "channel_id");
  EXPECT_EQ(rejection.reason, "field appears more than once");
}

TEST(StreamEntryTest, RejectsTooManyFields) {
  auto fields = validFields();
  for (int i = 0; i < 40; ++i) {
    fields.emplace_back("extra" + std::to_string(i), "x");
  }
  EXPECT_NE(rejectionOf(fields).reason.find("more than the limit"), std::string::npos);
}

}  // namespace
}  // namespace hookline
