#include "engine/api/api_router.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "engine/metrics/metrics_registry.hpp"

namespace hookline {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kIntegrationsPrefix = "/api/integrations/";
// One scrape at a time is all a registry renders anyway; a few more may wait their turn.
constexpr std::size_t kMetricsQueueLimit = 4;

// Mirrors the dispatch in route() and integration(); kept beside them so a new route is added
// to both.
constexpr ApiRouter::Route kRoutes[] = {
    {"POST", "/api/integrations/{channel_id}/setWebhook"},
    {"GET", "/api/integrations/{channel_id}/webhook"},
    {"DELETE", "/api/integrations/{channel_id}/webhook"},
    {"GET", "/api/integrations/{channel_id}/webhook/secret"},
    {"POST", "/api/integrations/{channel_id}/webhook/rotateSecret"},
    {"POST", "/api/integrations/{channel_id}/webhook/test"},
    {"GET", "/api/integrations/{channel_id}/attempts"},
    {"GET", "/healthz"},
    {"GET", "/readyz"},
    {"GET", "/metrics"},
};

ApiRoute now(ApiResponse response) {
  return ApiRoute{.answer = std::move(response)};
}

ApiResponse methodNotAllowed(std::string_view allow) {
  auto response = errorResponse(http::status::method_not_allowed, api_message::kMethodNotAllowed);
  response.set(http::field::allow, allow);
  return response;
}

// /api/integrations/{channel_id}/{action}; both parts non-empty, the action may hold '/'.
struct IntegrationPath {
  std::string_view channel_id;
  std::string_view action;
};

// The channel id itself is judged by the handlers, which answer 404 for anything that is not
// a channel of the caller's account.
std::optional<IntegrationPath> integrationPath(std::string_view path) {
  if (!path.starts_with(kIntegrationsPrefix)) {
    return std::nullopt;
  }
  const std::string_view rest = path.substr(kIntegrationsPrefix.size());
  const auto slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size()) {
    return std::nullopt;
  }
  return IntegrationPath{rest.substr(0, slash), rest.substr(slash + 1)};
}

ApiResponse metricsResponse(std::string text) {
  ApiResponse response{http::status::ok, 11};
  response.set(http::field::content_type, MetricsRegistry::kContentType);
  response.body() = std::move(text);
  response.prepare_payload();
  return response;
}

std::unique_ptr<ApiWorkPool> managementPool(const ApiServerOptions& options) {
  if (!options.management) {
    return nullptr;
  }
  return std::make_unique<ApiWorkPool>("management", options.workers, options.work_queue_limit,
                                       options.redis, options.key_prefix);
}

std::unique_ptr<ApiWorkPool> metricsPool(const ApiServerOptions& options) {
  if (!options.metrics) {
    return nullptr;
  }
  return std::make_unique<ApiWorkPool>("metrics", 1, kMetricsQueueLimit, options.redis,
                                       options.key_prefix);
}

}  // namespace

ApiRouter::ApiRouter(const ApiServerOptions& options)
    : set_webhook_(UrlRules{.allow_http = options.allow_http,
                            .network = NetworkPolicy(options.allow_networks),
                            .resolve = options.resolve}),
      webhooks_(options),
      ready_(options.ready),
      metrics_(options.metrics),
      management_(options.management),
      probe_(options.redis),
      management_pool_(managementPool(options)),
      metrics_pool_(metricsPool(options)) {}

std::span<const ApiRouter::Route> ApiRouter::routes() {
  return kRoutes;
}

ApiRoute ApiRouter::route(const ApiRequest& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));

  if (path == "/healthz") {
    if (request.method() != http::verb::get) {
      return now(methodNotAllowed("GET"));
    }
    return now(jsonResponse(http::status::ok, R"({"status":"ok"})"));
  }
  if (path == "/readyz") {
    if (request.method() != http::verb::get) {
      return now(methodNotAllowed("GET"));
    }
    return now(readiness());
  }
  if (path == "/metrics" && metrics_) {
    if (request.method() != http::verb::get) {
      return now(methodNotAllowed("GET"));
    }
    return ApiRoute{.work = [this](ApiWorkerContext&,
                                   const ApiRequest&) { return metricsResponse(metrics_()); },
                    .pool = metrics_pool_.get(),
                    .unavailable_message = api_message::kServiceUnavailable};
  }
  if (!management_) {
    return now(errorResponse(http::status::not_found, api_message::kNotFound));
  }
  if (const auto route = integrationPath(path)) {
    return integration(route->channel_id, route->action, request);
  }
  return now(errorResponse(http::status::not_found, api_message::kNotFound));
}

void ApiRouter::stopWorkers() {
  for (ApiWorkPool* pool : {management_pool_.get(), metrics_pool_.get()}) {
    if (pool != nullptr) {
      pool->stop();
    }
  }
}

void ApiRouter::joinWorkers() {
  for (ApiWorkPool* pool : {management_pool_.get(), metrics_pool_.get()}) {
    if (pool != nullptr) {
      pool->join();
    }
  }
}

ApiRoute ApiRouter::integration(std::string_view channel_id, std::string_view action,
                                const ApiRequest& request) {
  const http::verb method = request.method();
  if (action == "setWebhook") {
    if (method != http::verb::post) {
      return now(methodNotAllowed("POST"));
    }
    return setWebhookRoute(channel_id);
  }
  if (action == "webhook") {
    if (method == http::verb::get) {
      return webhookRoute(&WebhookHandlers::getWebhook, channel_id);
    }
    if (method == http::verb::delete_) {
      return webhookRoute(&WebhookHandlers::deleteWebhook, channel_id);
    }
    return now(methodNotAllowed("GET, DELETE"));
  }
  if (action == "webhook/secret") {
    if (method != http::verb::get) {
      return now(methodNotAllowed("GET"));
    }
    return webhookRoute(&WebhookHandlers::getSecret, channel_id);
  }
  if (action == "webhook/rotateSecret") {
    if (method != http::verb::post) {
      return now(methodNotAllowed("POST"));
    }
    return webhookRoute(&WebhookHandlers::rotateSecret, channel_id);
  }
  if (action == "webhook/test") {
    if (method != http::verb::post) {
      return now(methodNotAllowed("POST"));
    }
    return webhookRoute(&WebhookHandlers::sendTestEvent, channel_id);
  }
  if (action == "attempts") {
    if (method != http::verb::get) {
      return now(methodNotAllowed("GET"));
    }
    return webhookRoute(&WebhookHandlers::listAttempts, channel_id);
  }
  return now(errorResponse(http::status::not_found, api_message::kNotFound));
}

ApiRoute ApiRouter::setWebhookRoute(std::string_view channel_id) {
  return ApiRoute{.work =
                      [this, channel = std::string(channel_id)](ApiWorkerContext& worker,
                                                                const ApiRequest& request) {
                        return set_webhook_.handle(worker, channel, request);
                      },
                  .pool = management_pool_.get(),
                  .unavailable_message = api_message::kRegistrationFailed};
}

ApiRoute ApiRouter::webhookRoute(WebhookRoute handler, std::string_view channel_id) {
  return ApiRoute{.work =
                      [this, handler, channel = std::string(channel_id)](
                          ApiWorkerContext& worker, const ApiRequest& request) {
                        return (webhooks_.*handler)(worker, channel, request);
                      },
                  .pool = management_pool_.get(),
                  .unavailable_message = api_message::kServiceUnavailable};
}

ApiResponse ApiRouter::readiness() {
  if ((ready_ && !ready_()) || !probe_.reachable()) {
    return jsonResponse(http::status::service_unavailable, R"({"status":"not ready"})");
  }
  return jsonResponse(http::status::ok, R"({"status":"ready"})");
}

}  // namespace hookline
