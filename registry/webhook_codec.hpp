#pragma once

#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "registry/webhook_config.hpp"

namespace hookline {

// The stored form of a webhook (the value in <prefix>webhooks; the channel id is the field):
//   {"url":"https://...","events":["message_status",...],"updated_at_ms":1767225600000,
//    "secret":"whsec_...","previous_secret":"whsec_...","previous_secret_expires_at_ms":...,
//    "disabled":true,"disabled_reason":"..."}
// The members after updated_at_ms are written only when set, and read as absent = empty.
// Events are stored by name, so reordering EventKind never changes what a stored config means.
std::string encodeWebhook(const WebhookConfig& config);

// Unknown event names are an error rather than skipped: a config written by a newer version
// must not silently lose subscriptions here.
Expected<WebhookConfig> decodeWebhook(std::string_view channel_id, std::string_view text);

}  // namespace hookline
