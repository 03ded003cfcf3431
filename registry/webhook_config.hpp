#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "registry/event_kind.hpp"

namespace hookline {

// The one webhook a channel may have: where its events go and which kinds it wants.
struct WebhookConfig {
  std::string channel_id;
  std::string url;
  EventMask events;
  std::int64_t updated_at_ms = 0;  // Unix epoch milliseconds of the last setWebhook

  bool wants(EventKind kind) const { return events.contains(kind); }
  bool operator==(const WebhookConfig&) const = default;
};

}  // namespace hookline
