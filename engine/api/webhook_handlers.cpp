#include "engine/api/webhook_handlers.hpp"

#include "engine/api/channel_access.hpp"

#include <charconv>
#include <cstddef>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "engine/api/set_webhook_request.hpp"
#include "engine/endpoint_queues.hpp"
#include "engine/time_format.hpp"

namespace hookline {
namespace {

namespace http = boost::beast::http;
using Json = nlohmann::ordered_json;

constexpr std::size_t kDefaultAttemptLimit = 50;
constexpr std::size_t kMaxAttemptLimit = 1000;
constexpr std::string_view kLimitReason = "must be an integer from 1 to 1000";
constexpr std::string_view kTestPayload = R"({"test":true,"message":"hookline test event"})";

ApiResponse success(http::status status, std::string_view message, Json data) {
  Json json = {{"success", true}, {"message", message}};
  if (!data.is_null()) {
    json["data"] = std::move(data);
  }
  return jsonResponse(status, json.dump(-1, ' ', false, Json::error_handler_t::replace));
}

ApiResponse webhookNotFound() {
  return errorResponse(http::status::not_found, api_message::kWebhookNotFound);
}

Json eventsJson(const WebhookConfig& config) {
  Json events = Json::object();
  for (EventKind kind : kAllEventKinds) {
    events[std::string(eventKindName(kind))] = config.events.contains(kind);
  }
  return events;
}

// The value of `limit` in the query string; the default when absent, nullopt when invalid.
std::optional<std::size_t> attemptLimit(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) {
    return kDefaultAttemptLimit;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair != "limit" && !pair.starts_with("limit=")) {
      continue;
    }
    const std::string_view text = pair.substr(std::min(pair.size(), std::size_t{6}));
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 1 ||
        value > kMaxAttemptLimit) {
      return std::nullopt;
    }
    return value;
  }
  return kDefaultAttemptLimit;
}

std::string testEventId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "test_";
  for (unsigned char byte : crypto::randomBytes(8)) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0F];
  }
  return id;
}

// The `type` a test request's optional body asks for: nullopt when it names none, or the 400
// answer when the body is not acceptable.
struct TestBody {
  std::optional<EventKind> kind;
  std::optional<ApiResponse> rejection;
};

TestBody parseTestBody(const ApiRequest& request) {
  if (request.body().empty()) {
    return {};
  }
  const auto refuse = [](std::string_view field, std::string_view reason) {
    return TestBody{.rejection = errorResponse(http::status::bad_request, api_message::kValidation,
                                               {{std::string(field), std::string(reason)}})};
  };
  if (!isJsonContentType(request[http::field::content_type])) {
    return refuse("Content-Type", "must be application/json");
  }
  const Json body = Json::parse(request.body(), nullptr, false);
  if (!body.is_object()) {
    return refuse("body", "must be a JSON object");
  }
  const auto type = body.find("type");
  if (type == body.end()) {
    return {};
  }
  const auto kind = type->is_string() ? parseEventKind(type->get<std::string>()) : std::nullopt;
  if (!kind) {
    return refuse("type", "must be one of the five event names");
  }
  return TestBody{.kind = kind};
}

}  // namespace

WebhookHandlers::WebhookHandlers(const ApiServerOptions& options)
    : key_prefix_(options.key_prefix),
      stream_(options.stream),
      rotation_grace_(options.secret_rotation_grace) {}

std::variant<WebhookConfig, ApiResponse> WebhookHandlers::readWebhook(ApiWorkerContext& worker,
                                                                      std::string_view channel_id) {
  auto webhook = worker.store.getWebhook(channel_id);
  if (!webhook) {
    return storeFailed("reading the webhook", webhook.error());
  }
  if (!webhook->has_value()) {
    return webhookNotFound();
  }
  return std::move(**webhook);
}

ApiResponse WebhookHandlers::getWebhook(ApiWorkerContext& worker, std::string_view channel_id,
                                        const ApiRequest& request) {
  if (auto refused = authorize(worker, channel_id, request)) {
    return std::move(*refused);
  }
  auto webhook = readWebhook(worker, channel_id);
  if (auto* refused = std::get_if<ApiResponse>(&webhook)) {
    return std::move(*refused);
  }

  const WebhookConfig& config = std::get<WebhookConfig>(webhook);
  Json data = {{"channel_id", config.channel_id},
               {"url", config.url},
               {"events", eventsJson(config)},
               {"updated_at", formatRfc3339Millis(config.updated_at_ms)},
               {"disabled", config.disabled}};
  if (config.disabled) {
    data["disabled_reason"] = config.disabled_reason;
  }
  data["circuit"] = circuitJson(worker, config.url);
  return success(http::status::ok, api_message::kWebhook, std::move(data));
}

// The endpoint's circuit as the workers last published it; closed when none is recorded (or
// the record cannot be read: the webhook itself is what was asked for).
nlohmann::ordered_json WebhookHandlers::circuitJson(ApiWorkerContext& worker,
                                                    const std::string& url) {
  Json closed = {{"state", "closed"}};
  auto reply = worker.link.commandOk({"HGET", key_prefix_ + "circuits", endpointOf(url)});
  if (!reply || reply->get()->type != REDIS_REPLY_STRING) {
    return closed;
  }
  const auto state = Json::parse(replyString(reply->get()), nullptr, false);
  if (!state.is_object() || !state.contains("state")) {
    return closed;
  }
  Json circuit = {{"state", state["state"]},
                  {"consecutive_failures", state.value("consecutive_failures", 0)}};
  if (state.contains("next_probe_at_ms") && state["next_probe_at_ms"].is_number_integer()) {
    circuit["next_probe_at"] = formatRfc3339Millis(state["next_probe_at_ms"].get<std::int64_t>());
  }
  return circuit;
}

ApiResponse WebhookHandlers::deleteWebhook(ApiWorkerContext& worker, std::string_view channel_id,
                                           const ApiRequest& request) {
  if (auto refused = authorize(worker, channel_id, request)) {
    return std::move(*refused);
  }
  auto deleted = worker.store.deleteWebhook(channel_id);
  if (!deleted) {
    return storeFailed("deleting the webhook", deleted.error());
  }
  if (!*deleted) {
    return webhookNotFound();
  }
  spdlog::info("webhook deleted channel={}", channel_id);
  return success(http::status::ok, api_message::kWebhookDeleted, nullptr);
}

ApiResponse WebhookHandlers::getSecret(ApiWorkerContext& worker, std::string_view channel_id,
                                       const ApiRequest& request) {
  if (auto refused = authorize(worker, channel_id, request)) {
    return std::move(*refused);
  }
  auto webhook = readWebhook(worker, channel_id);
  if (auto* refused = std::get_if<ApiResponse>(&webhook)) {
    return std::move(*refused);
  }

  // Only a previous secret that still signs is shown; an expired one is history.
  const WebhookConfig& config = std::get<WebhookConfig>(webhook);
  Json data = {{"channel_id", config.channel_id}, {"secret", config.secret}};
  if (!config.previous_secret.empty() && nowEpochMillis() < config.previous_secret_expires_at_ms) {
    data["previous_secret"] = config.previous_secret;
    data["previous_secret_expires_at"] = formatRfc3339Millis(config.previous_secret_expires_at_ms);
  }
  return success(http::status::ok, api_message::kWebhookSecret, std::move(data));
}

ApiResponse WebhookHandlers::rotateSecret(ApiWorkerContext& worker, std::string_view channel_id,
                                          const ApiRequest& request) {
  if (auto refused = authorize(worker, channel_id, request)) {
    return std::move(*refused);
  }
  auto rotated = worker.store.rotateSecret(channel_id, rotation_grace_);
  if (!rotated) {
    return storeFailed("rotating the secret", rotated.error());
  }
  if (!rotated->has_value()) {
    return webhookNotFound();
  }

  const WebhookConfig& config = **rotated;
  spdlog::info("webhook secret rotated channel={} grace_ms={}", channel_id,
               rotation_grace_.count());
  Json data = {
      {"channel_id", config.channel_id},
      {"secret", config.secret},
      {"previous_secret_expires_at", formatRfc3339Millis(config.previous_secret_expires_at_ms)}};
  return success(http::status::ok, api_message::kSecretRotated, std::move(data));
}

ApiResponse WebhookHandlers::listAttempts(ApiWorkerContext& worker, std::string_view channel_id,
                                          const ApiRequest& request) {
  if (auto refused = authorize(worker, channel_id, request)) {
    return std::move(*refused);
  }
  const auto limit = attemptLimit(request.target());
  if (!limit) {
    return errorResponse(http::status::bad_request, api_message::kValidation,
                         {{"limit", std::string(kLimitReason)}});
  }

  // The engine LPUSHes, so index 0 is the newest. Attempts outlive a deleted webhook.
  auto reply = worker.link.commandOk({"LRANGE", key_prefix_ + "attempts:" + std::string(channel_id),
                                      "0", std::to_string(*limit - 1)});
  if (!reply) {
    return storeFailed("reading attempts", reply.error());
  }
  Json attempts = Json::array();
  const redisReply* list = reply->get();
  for (std::size_t i = 0; list->type == REDIS_REPLY_ARRAY && i < list->elements; ++i) {
    Json record = Json::parse(replyString(list->element[i]), nullptr, false);
    if (record.is_discarded()) {
      spdlog::warn("attempt record unreadable channel={} index={}", channel_id, i);
      continue;
    }
    attempts.push_back(std::move(record));
  }
  Json data = {{"channel_id", channel_id}, {"attempts", std::move(attempts)}};
  return success(http::status::ok, api_message::kAttempts, std::move(data));
}

ApiResponse WebhookHandlers::sendTestEvent(ApiWorkerContext& worker, std::string_view channel_id,
                                           const ApiRequest& request) {
  if (auto refused = authorize(worker, channel_id, request)) {
    return std::move(*refused);
  }
  auto body = parseTestBody(request);
  if (body.rejection) {
    return std::move(*body.rejection);
  }
  auto webhook = readWebhook(worker, channel_id);
  if (auto* refused = std::get_if<ApiResponse>(&webhook)) {
    return std::move(*refused);
  }

  // A test that could not be delivered would only be acked and counted; say so instead.
  const WebhookConfig& config = std::get<WebhookConfig>(webhook);
  if (config.disabled) {
    return errorResponse(http::status::conflict, api_message::kWebhookDisabled);
  }
  if (config.events.empty()) {
    return errorResponse(http::status::conflict, api_message::kNoEvents);
  }
  std::optional<EventKind> kind = body.kind;
  for (std::size_t i = 0; !kind && i < kAllEventKinds.size(); ++i) {
    if (config.wants(kAllEventKinds[i])) {
      kind = kAllEventKinds[i];
    }
  }
  if (!config.wants(*kind)) {
    return errorResponse(http::status::bad_request, api_message::kValidation,
                         {{"type", "the webhook is not subscribed to this event"}});
  }

  const std::string event_id = testEventId();
  const std::string_view type = eventKindName(*kind);
  auto added = worker.link.commandOk({"XADD", stream_, "*", "type", type, "channel_id", channel_id,
                                      "payload", kTestPayload, "event_id", event_id});
  if (!added) {
    return storeFailed("appending the test event", added.error());
  }
  spdlog::info("test event queued channel={} event={} type={}", channel_id, event_id, type);
  return success(http::status::accepted, api_message::kTestQueued,
                 Json{{"event_id", event_id}, {"type", type}});
}

std::optional<ApiResponse> WebhookHandlers::authorize(ApiWorkerContext& worker,
                                                      std::string_view channel_id,
                                                      const ApiRequest& request) {
  auto access = checkChannelAccess(worker.store, request, channel_id);
  if (!access) {
    return storeFailed("checking the key and channel", access.error());
  }
  switch (*access) {
    case ChannelAccess::Unauthorized:
      return errorResponse(http::status::unauthorized, api_message::kUnauthorized);
    case ChannelAccess::InvalidChannel:
      return errorResponse(http::status::not_found, api_message::kInvalidChannel);
    case ChannelAccess::Granted:
      break;
  }
  return std::nullopt;
}

ApiResponse WebhookHandlers::storeFailed(std::string_view step, const Error& error) {
  const auto failures = store_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  spdlog::warn("webhook API store failure step=\"{}\" reason=\"{}\" failures={}", step,
               error.message, failures);
  return errorResponse(http::status::service_unavailable, api_message::kServiceUnavailable);
}

}  // namespace hookline
