#include "engine/api/api_router.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace hookline {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kIntegrationsPrefix = "/api/integrations/";
constexpr std::string_view kSetWebhookSuffix = "/setWebhook";
constexpr std::chrono::milliseconds kPingTimeout{1000};

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

// The {channel_id} of a setWebhook path, or an empty view when the path is not one. The id
// itself is judged by the handler, which answers 404 for anything that is not a channel.
std::string_view setWebhookChannel(std::string_view path) {
  if (!path.starts_with(kIntegrationsPrefix) || !path.ends_with(kSetWebhookSuffix) ||
      path.size() <= kIntegrationsPrefix.size() + kSetWebhookSuffix.size()) {
    return {};
  }
  const auto channel =
      path.substr(kIntegrationsPrefix.size(),
                  path.size() - kIntegrationsPrefix.size() - kSetWebhookSuffix.size());
  return channel.find('/') == std::string_view::npos ? channel : std::string_view{};
}

}  // namespace

ApiRouter::ApiRouter(const ApiServerOptions& options)
    : set_webhook_(options.redis, options.key_prefix, UrlRules{.allow_http = options.allow_http}),
      ready_(options.ready),
      ping_link_(pingOptions(options.redis)) {}

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
  if (const auto channel = setWebhookChannel(path); !channel.empty()) {
    if (request.method() != http::verb::post) {
      return methodNotAllowed("POST");
    }
    return set_webhook_.handle(channel, request);
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
