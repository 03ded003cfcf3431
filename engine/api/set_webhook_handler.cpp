#include "engine/api/set_webhook_handler.hpp"

#include "engine/api/channel_access.hpp"

#include <chrono>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "engine/api/set_webhook_request.hpp"
#include "engine/time_format.hpp"

namespace hookline {
namespace {

namespace http = boost::beast::http;

// The published fields, plus the signing secret when this call created the webhook: the one
// time the customer sees it (DESIGN.md section 1 lets data grow).
std::string successBody(const WebhookConfig& config, bool created) {
  nlohmann::ordered_json events = nlohmann::ordered_json::object();
  for (EventKind kind : kAllEventKinds) {
    events[std::string(eventKindName(kind))] = config.wants(kind);
  }
  nlohmann::ordered_json data = {
      {"channel_id", config.channel_id}, {"url", config.url}, {"events", events}};
  if (created) {
    data["secret"] = config.secret;
  }
  nlohmann::ordered_json json = {
      {"success", true}, {"message", api_message::kConfigured}, {"data", std::move(data)}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

SetWebhookHandler::SetWebhookHandler(UrlRules rules) : rules_(std::move(rules)) {}

ApiResponse SetWebhookHandler::handle(ApiWorkerContext& worker, std::string_view channel_id,
                                      const ApiRequest& request) {
  auto access = checkChannelAccess(worker.store, request, channel_id);
  if (!access) {
    return storeFailed("checking the key and channel", access.error());
  }
  if (*access == ChannelAccess::Unauthorized) {
    return errorResponse(http::status::unauthorized, api_message::kUnauthorized);
  }
  if (*access == ChannelAccess::InvalidChannel) {
    return errorResponse(http::status::not_found, api_message::kInvalidChannel);
  }

  if (!isJsonContentType(request[http::field::content_type])) {
    return errorResponse(http::status::bad_request, api_message::kValidation,
                         {{"Content-Type", "must be application/json"}});
  }
  auto parsed = parseSetWebhookBody(request.body(), rules_);
  if (!parsed) {
    const auto& rejection = parsed.error();
    return errorResponse(http::status::bad_request,
                         rejection.problem == BodyProblem::InvalidUrl ? api_message::kInvalidUrl
                                                                      : api_message::kValidation,
                         rejection.errors);
  }

  WebhookConfig config;
  config.channel_id = std::string(channel_id);
  config.url = std::move(parsed->url);
  config.events = parsed->events;
  config.updated_at_ms = nowEpochMillis();
  auto stored = worker.store.putWebhook(config);
  if (!stored) {
    return storeFailed("storing the webhook", stored.error());
  }

  spdlog::info("webhook configured channel={} events={} created={}", config.channel_id,
               static_cast<unsigned>(config.events.bits()), stored->created);
  return jsonResponse(http::status::ok, successBody(stored->config, stored->created));
}

ApiResponse SetWebhookHandler::storeFailed(std::string_view step, const Error& error) {
  const auto failures = store_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  spdlog::warn("setWebhook store failure step=\"{}\" reason=\"{}\" failures={}", step,
               error.message, failures);
  return errorResponse(http::status::service_unavailable, api_message::kRegistrationFailed);
}

}  // namespace hookline
