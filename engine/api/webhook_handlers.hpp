#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "engine/api/api_response.hpp"
#include "engine/api/api_server_options.hpp"
#include "engine/api/api_worker_context.hpp"
#include "registry/webhook_config.hpp"

namespace hookline {

// The management routes beyond setWebhook, all under /api/integrations/{channel_id}/:
//   GET    webhook               200 the configuration (never the secret) and the state of
//                                    its endpoint's circuit breaker
//   DELETE webhook               200 deleted, with a change notification
//   GET    webhook/secret        200 the secret, and the previous one while it still signs
//   POST   webhook/rotateSecret  200 a new secret; the old one signs on for the grace period
//   GET    attempts?limit=N      200 the newest N delivery attempts (1..1000, default 50)
//   POST   webhook/test          202 a test event appended to the event stream
// Each checks, like setWebhook and in the same order, the X-API-Key (401 Unauthorized) and
// that the channel belongs to the key's account (404 Invalid channel, the same bytes whether
// the channel is missing or someone else's), before anything else is looked at. A route that
// needs the webhook answers 404 "Webhook not found" when the channel has none. The test event
// answers 409 when the webhook is disabled or subscribes to nothing, since it could not be
// delivered; a `type` the webhook does not want is a 400 Validation error. Redis failures
// answer 503 "Service unavailable".
//
// Threading: every handler waits on Redis, so it runs on an API worker thread (ApiWorkPool)
// with that thread's link; calls on several workers may overlap.
class WebhookHandlers {
 public:
  explicit WebhookHandlers(const ApiServerOptions& options);

  ApiResponse getWebhook(ApiWorkerContext& worker, std::string_view channel_id,
                         const ApiRequest& request);
  ApiResponse deleteWebhook(ApiWorkerContext& worker, std::string_view channel_id,
                            const ApiRequest& request);
  ApiResponse getSecret(ApiWorkerContext& worker, std::string_view channel_id,
                        const ApiRequest& request);
  ApiResponse rotateSecret(ApiWorkerContext& worker, std::string_view channel_id,
                           const ApiRequest& request);
  ApiResponse listAttempts(ApiWorkerContext& worker, std::string_view channel_id,
                           const ApiRequest& request);
  ApiResponse sendTestEvent(ApiWorkerContext& worker, std::string_view channel_id,
                            const ApiRequest& request);

  // Requests answered 503 because Redis failed.
  std::uint64_t storeFailures() const { return store_failures_.load(std::memory_order_relaxed); }

 private:
  // The 401 or 404 answer when the request may not reach the channel, nullopt when it may.
  std::optional<ApiResponse> authorize(ApiWorkerContext& worker, std::string_view channel_id,
                                       const ApiRequest& request);
  ApiResponse storeFailed(std::string_view step, const Error& error);
  // The channel's webhook, or the answer when it has none (404) or Redis failed (503).
  std::variant<WebhookConfig, ApiResponse> readWebhook(ApiWorkerContext& worker,
                                                       std::string_view channel_id);
  nlohmann::ordered_json circuitJson(ApiWorkerContext& worker, const std::string& url);

  std::string key_prefix_;
  std::string stream_;
  std::chrono::milliseconds rotation_grace_;
  std::atomic<std::uint64_t> store_failures_{0};
};

}  // namespace hookline
