#include "engine/api/api_router.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "engine/metrics/metrics_registry.hpp"

namespace hookline {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kIntegrationsPrefix = "/api/integrations/";
constexpr std::chrono::milliseconds kPingTimeout{1000};

// Mirrors the dispatch in handle() and integration(); kept beside them so a new route is added
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

RedisOptions pingOptions(RedisOptions options) {
  options.connect_timeout = std::min(options.connect_timeout, kPingTimeout);
  options.command_timeout = std::min(options.command_timeout, kPingTimeout);
  return options;
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

}  // namespace

ApiRouter::ApiRouter(const ApiServerOptions& options)
    : set_webhook_(options.redis, options.key_prefix,
                   UrlRules{.allow_http = options.allow_http,
                            .network = NetworkPolicy(options.allow_networks),
                            .resolve = options.resolve}),
      webhooks_(options),
      ready_(options.ready),
      metrics_(options.metrics),
      management_(options.management),
      ping_link_(pingOptions(options.redis)) {}

std::span<const ApiRouter::Route> ApiRouter::routes() {
  return kRoutes;
}

ApiResponse ApiRouter::handle(const ApiRequest& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));

  if (path == "/healthz") {
    if (request.method() != http::verb::get) {
      return methodNotAllowed("GET");
    }
    return jsonResponse(http::status::ok, R"({"status":"ok"})");
  }
  if (path == "/readyz") {
    if (request.method() != http::verb::get) {
      return methodNotAllowed("GET");
    }
    return readiness();
  }
  if (path == "/metrics" && metrics_) {
    if (request.method() != http::verb::get) {
      return methodNotAllowed("GET");
    }
    return metricsResponse(metrics_());
  }
  if (!management_) {
    return errorResponse(http::status::not_found, api_message::kNotFound);
  }
  if (const auto route = integrationPath(path)) {
    return integration(route->channel_id, route->action, request);
  }
  return errorResponse(http::status::not_found, api_message::kNotFound);
}

ApiResponse ApiRouter::integration(std::string_view channel_id, std::string_view action,
                                   const ApiRequest& request) {
  const http::verb method = request.method();
  if (action == "setWebhook") {
    if (method != http::verb::post) {
      return methodNotAllowed("POST");
    }
    return set_webhook_.handle(channel_id, request);
  }
  if (action == "webhook") {
    if (method == http::verb::get) {
      return webhooks_.getWebhook(channel_id, request);
    }
    if (method == http::verb::delete_) {
      return webhooks_.deleteWebhook(channel_id, request);
    }
    return methodNotAllowed("GET, DELETE");
  }
  if (action == "webhook/secret") {
    if (method != http::verb::get) {
      return methodNotAllowed("GET");
    }
    return webhooks_.getSecret(channel_id, request);
  }
  if (action == "webhook/rotateSecret") {
    if (method != http::verb::post) {
      return methodNotAllowed("POST");
    }
    return webhooks_.rotateSecret(channel_id, request);
  }
  if (action == "webhook/test") {
    if (method != http::verb::post) {
      return methodNotAllowed("POST");
    }
    return webhooks_.sendTestEvent(channel_id, request);
  }
  if (action == "attempts") {
    if (method != http::verb::get) {
      return methodNotAllowed("GET");
    }
    return webhooks_.listAttempts(channel_id, request);
  }
  return errorResponse(http::status::not_found, api_message::kNotFound);
}

ApiResponse ApiRouter::readiness() {
  bool ready = !ready_ || ready_();
  if (ready) {
    std::lock_guard lock(ping_mutex_);
    auto reply = ping_link_.commandOk({"PING"});
    ready = reply.ok();
  }
  if (!ready) {
    return jsonResponse(http::status::service_unavailable, R"({"status":"not ready"})");
  }
  return jsonResponse(http::status::ok, R"({"status":"ready"})");
}

}  // namespace hookline
