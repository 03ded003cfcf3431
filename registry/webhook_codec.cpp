#include "registry/webhook_codec.hpp"

#include <type_traits>

#include <nlohmann/json.hpp>

namespace hookline {
namespace {

Error malformed(std::string_view channel_id, std::string_view what) {
  return Error{"stored webhook of channel " + std::string(channel_id) + " " + std::string(what)};
}

// Reads an optional member of the given JSON type; false when present with another type.
template <class T>
bool readOptional(const nlohmann::json& json, const char* name, T& out) {
  const auto it = json.find(name);
  if (it == json.end()) {
    return true;
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) {
      return false;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) {
      return false;
    }
  } else {
    if (!it->is_number_integer()) {
      return false;
    }
  }
  out = it->get<T>();
  return true;
}

}  // namespace

std::string encodeWebhook(const WebhookConfig& config) {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (EventKind kind : kAllEventKinds) {
    if (config.events.contains(kind)) {
      events.push_back(eventKindName(kind));
    }
  }
  nlohmann::ordered_json json = {
      {"url", config.url}, {"events", std::move(events)}, {"updated_at_ms", config.updated_at_ms}};
  if (!config.secret.empty()) {
    json["secret"] = config.secret;
  }
  if (!config.previous_secret.empty()) {
    json["previous_secret"] = config.previous_secret;
    json["previous_secret_expires_at_ms"] = config.previous_secret_expires_at_ms;
  }
  if (config.disabled) {
    json["disabled"] = true;
    json["disabled_reason"] = config.disabled_reason;
  }
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Expected<WebhookConfig> decodeWebhook(std::string_view channel_id, std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return malformed(channel_id, "is not a JSON object");
  }
  const auto url = json.find("url");
  const auto events = json.find("events");
  const auto updated = json.find("updated_at_ms");
  if (url == json.end() || !url->is_string() || events == json.end() || !events->is_array() ||
      updated == json.end() || !updated->is_number_integer()) {
    return malformed(channel_id, "is malformed");
  }

  WebhookConfig config;
  config.channel_id = std::string(channel_id);
  config.url = url->get<std::string>();
  config.updated_at_ms = updated->get<std::int64_t>();
  for (const auto& name : *events) {
    const auto kind = name.is_string() ? parseEventKind(name.get<std::string>()) : std::nullopt;
    if (!kind) {
      return malformed(channel_id, "names an unknown event kind");
    }
    config.events.set(*kind, true);
  }
  if (!readOptional(json, "secret", config.secret) ||
      !readOptional(json, "previous_secret", config.previous_secret) ||
      !readOptional(json, "previous_secret_expires_at_ms", config.previous_secret_expires_at_ms) ||
      !readOptional(json, "disabled", config.disabled) ||
      !readOptional(json, "disabled_reason", config.disabled_reason)) {
    return malformed(channel_id, "has a member of the wrong type");
  }
  return config;
}

}  // namespace hookline
