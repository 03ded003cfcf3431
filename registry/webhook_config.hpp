#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "registry/event_kind.hpp"

namespace hookline {

// The one webhook a channel may have: where its events go, which kinds it wants and the
// secrets its deliveries are signed with.
struct WebhookConfig {
  std::string channel_id;
  std::string url;
  EventMask events;
  std::int64_t updated_at_ms = 0;  // Unix epoch milliseconds of the last setWebhook

  // "whsec_..." secrets. During a rotation the previous secret keeps signing until
  // previous_secret_expires_at_ms, so receivers can move over without rejecting anything.
  std::string secret;
  std::string previous_secret;
  std::int64_t previous_secret_expires_at_ms = 0;

  // Set when the receiver answered 410 Gone; the next setWebhook clears it.
  bool disabled = false;
  std::string disabled_reason;

  bool wants(EventKind kind) const { return !disabled && events.contains(kind); }

  // The secrets that sign a delivery made at now_ms, newest first.
  std::vector<std::string> activeSecrets(std::int64_t now_ms) const {
    std::vector<std::string> secrets;
    if (!secret.empty()) {
      secrets.push_back(secret);
    }
    if (!previous_secret.empty() && now_ms < previous_secret_expires_at_ms) {
      secrets.push_back(previous_secret);
    }
    return secrets;
  }

  bool operator==(const WebhookConfig&) const = default;
};

}  // namespace hookline
