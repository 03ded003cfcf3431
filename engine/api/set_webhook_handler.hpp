#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/api/api_response.hpp"
#include "engine/api/api_worker_context.hpp"
#include "engine/api/url_rules.hpp"

namespace hookline {

// POST /api/integrations/{channel_id}/setWebhook (DESIGN.md section 1).
//
// Checks run in this order, and each answers before the next is attempted:
//   1. X-API-Key present, known and not revoked      else 401 Unauthorized
//   2. the channel exists and belongs to that key     else 404 Invalid channel
//   3. Content-Type is application/json               else 400 Validation error
//   4. the body is well-formed                        else 400 Validation error
//   5. the URL obeys UrlRules (form, then address)    else 400 Invalid webhook URL
//   6. the store saved it                             else 503 Webhook registration failed
// Authentication comes first so that a caller without a key learns nothing, not even whether
// a channel exists; the channel comes before the body so that a key learns nothing about
// channels of other accounts from how their bodies are judged. A 404 is the same bytes
// whether the channel is missing or someone else's. Nothing is written unless every check
// passed, and the write itself is one MULTI/EXEC. The 200 answer adds data.secret, the
// channel's signing secret, only on the call that created the webhook; later calls keep the
// secret and do not show it again.
//
// Threading: handle() waits on Redis and on the host resolver, so it runs on an API worker
// thread (ApiWorkPool), with that thread's link; calls on several workers may overlap.
class SetWebhookHandler {
 public:
  explicit SetWebhookHandler(UrlRules rules);

  ApiResponse handle(ApiWorkerContext& worker, std::string_view channel_id,
                     const ApiRequest& request);

  // Requests answered 503 because Redis failed.
  std::uint64_t storeFailures() const { return store_failures_.load(std::memory_order_relaxed); }

 private:
  ApiResponse storeFailed(std::string_view step, const Error& error);

  const UrlRules rules_;  // its resolver is thread-safe (HostResolver's contract)
  std::atomic<std::uint64_t> store_failures_{0};
};

}  // namespace hookline
