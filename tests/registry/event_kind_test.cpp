#include "registry/event_kind.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace hookline {
namespace {

TEST(EventKindTest, EveryKindHasItsPublishedWireName) {
  EXPECT_EQ(eventKindName(EventKind::MessageIncoming), "message_incoming");
  EXPECT_EQ(eventKindName(EventKind::MessageOutgoing), "message_outgoing");
  EXPECT_EQ(eventKindName(EventKind::MessageStatus), "message_status");
  EXPECT_EQ(eventKindName(EventKind::TemplateUpdate), "template_update");
  EXPECT_EQ(eventKindName(EventKind::ChannelUpdate), "channel_update");
}

TEST(EventKindTest, NamesParseBackToTheirKind) {
  for (EventKind kind : kAllEventKinds) {
    EXPECT_EQ(parseEventKind(eventKindName(kind)), kind);
  }
}

TEST(EventKindTest, UnknownOrMiscasedNamesDoNotParse) {
  EXPECT_FALSE(parseEventKind("").has_value());
  EXPECT_FALSE(parseEventKind("message").has_value());
  EXPECT_FALSE(parseEventKind("Message_Status").has_value());
  EXPECT_FALSE(parseEventKind("message_status ").has_value());
}

TEST(EventKindTest, EachKindHasItsOwnBit) {
  std::set<unsigned> bits;
  for (EventKind kind : kAllEventKinds) {
    EventMask mask;
    mask.set(kind, true);
    EXPECT_TRUE(mask.contains(kind));
    bits.insert(mask.bits());
  }
  EXPECT_EQ(bits.size(), kAllEventKinds.size());
}

TEST(EventKindTest, EmptyMaskContainsNothing) {
  EventMask mask;
  EXPECT_TRUE(mask.empty());
  for (EventKind kind : kAllEventKinds) {
    EXPECT_FALSE(mask.contains(kind));
  }
}

TEST(EventKindTest, AllContainsEveryKind) {
  const EventMask mask = EventMask::all();
  for (EventKind kind : kAllEventKinds) {
    EXPECT_TRUE(mask.contains(kind));
  }
  EXPECT_EQ(mask.bits(), 0x1F);
}

TEST(EventKindTest, ClearingAKindLeavesTheOthers) {
  EventMask mask = EventMask::all();
  mask.set(EventKind::MessageStatus, false);
  EXPECT_FALSE(mask.contains(EventKind::MessageStatus));
  EXPECT_TRUE(mask.contains(EventKind::MessageIncoming));
  EXPECT_TRUE(mask.contains(EventKind::ChannelUpdate));
}

TEST(EventKindTest, BitsBeyondTheKnownKindsAreDropped) {
  EXPECT_EQ(EventMask(0xFF), EventMask::all());
  EXPECT_TRUE(EventMask(0xE0).empty());
}

}  // namespace
}  // namespace hookline
