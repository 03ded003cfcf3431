#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hookline {

// The kinds of event a channel can subscribe to; the names are the wire names used in the
// stream's `type` field and in the setWebhook `events` object.
enum class EventKind : std::uint8_t {
  MessageIncoming,
  MessageOutgoing,
  MessageStatus,
  TemplateUpdate,
  ChannelUpdate,
};

inline constexpr std::array<EventKind, 5> kAllEventKinds = {
    EventKind::MessageIncoming, EventKind::MessageOutgoing, EventKind::MessageStatus,
    EventKind::TemplateUpdate, EventKind::ChannelUpdate};

std::string_view eventKindName(EventKind kind);
std::optional<EventKind> parseEventKind(std::string_view name);

// A set of event kinds, one bit per kind; what a webhook is subscribed to.
class EventMask {
 public:
  constexpr EventMask() = default;
  constexpr explicit EventMask(std::uint8_t bits) : bits_(bits & kAllBits) {}

  static constexpr EventMask all() { return EventMask(kAllBits); }

  constexpr bool contains(EventKind kind) const { return (bits_ & bit(kind)) != 0; }
  constexpr void set(EventKind kind, bool on) {
    bits_ = on ? (bits_ | bit(kind)) : (bits_ & ~bit(kind));
  }
  constexpr std::uint8_t bits() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const EventMask&) const = default;

 private:
  static constexpr std::uint8_t kAllBits = 0x1F;
  static constexpr std::uint8_t bit(EventKind kind) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(kind));
  }

  std::uint8_t bits_ = 0;
};

}  // namespace hookline
