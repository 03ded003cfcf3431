#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "engine/api/api_response.hpp"
#include "engine/api/api_server_options.hpp"
#include "engine/api/api_work_pool.hpp"
#include "engine/api/readiness_probe.hpp"
#include "engine/api/set_webhook_handler.hpp"
#include "engine/api/webhook_handlers.hpp"

namespace hookline {

// A handler's blocking part, run on a worker thread with that thread's Redis link.
using ApiWork = std::function<ApiResponse(ApiWorkerContext& worker, const ApiRequest& request)>;

// What the router makes of a request: its answer at once, or work that waits on Redis or DNS
// and so must run on `pool`, never on an io thread.
struct ApiRoute {
  std::optional<ApiResponse> answer;
  ApiWork work;
  ApiWorkPool* pool = nullptr;
  // The message of the 503 (with Retry-After) when the work cannot be queued or has no answer
  // by its deadline: the route's published one for a store that cannot answer.
  std::string_view unavailable_message;
};

// Maps a complete request to its answer:
//   POST /api/integrations/{channel_id}/setWebhook   SetWebhookHandler
//   GET|DELETE /api/integrations/{channel_id}/webhook, GET .../webhook/secret,
//   POST .../webhook/rotateSecret, POST .../webhook/test, GET .../attempts   WebhookHandlers
//   GET  /healthz                                     200 {"status":"ok"}
//   GET  /readyz                                      200/503 from options.ready and the
//                                                     ReadinessProbe's last PING
//   GET  /metrics                                     options.metrics(), Prometheus text
// With options.management false only the last three are served. The management routes and
// /metrics are work for a pool (one for each, so a scrape is not queued behind management
// requests stuck on Redis); /healthz, /readyz and the refusals are answered at once.
// A known path with another method gets 405 with Allow, anything else 404 "Not found". The
// query string is ignored here (only the attempts handler reads it). Version and keep-alive are
// left to the session.
//
// Threading: route() may be called from any io thread concurrently; the work it returns may
// run on any worker thread, and uses the router, so the router must outlive it.
class ApiRouter {
 public:
  // One method on one path that route() serves; {channel_id} stands for any channel id.
  struct Route {
    std::string_view method;
    std::string_view path;
  };

  explicit ApiRouter(const ApiServerOptions& options);

  // Every route route() serves (with options.management true and options.metrics set), for
  // docs/openapi.yaml to be held to: tests/integration/openapi_test.cpp checks this list
  // against route() and against the file.
  static std::span<const Route> routes();

  ApiRoute route(const ApiRequest& request);

  // Drops the queued work and lets the workers end; does not wait. Any thread.
  void stopWorkers();
  // Waits for the workers to end (as long as their running work takes). Not on a worker.
  void joinWorkers();

  const SetWebhookHandler& setWebhookHandler() const { return set_webhook_; }

 private:
  using WebhookRoute = ApiResponse (WebhookHandlers::*)(ApiWorkerContext&, std::string_view,
                                                        const ApiRequest&);

  ApiResponse readiness();
  ApiRoute integration(std::string_view channel_id, std::string_view action,
                       const ApiRequest& request);
  ApiRoute setWebhookRoute(std::string_view channel_id);
  ApiRoute webhookRoute(WebhookRoute handler, std::string_view channel_id);

  SetWebhookHandler set_webhook_;
  WebhookHandlers webhooks_;
  std::function<bool()> ready_;
  std::function<std::string()> metrics_;
  bool management_;
  ReadinessProbe probe_;
  std::unique_ptr<ApiWorkPool> management_pool_;  // null without the management routes
  std::unique_ptr<ApiWorkPool> metrics_pool_;     // null without options.metrics
};

}  // namespace hookline
