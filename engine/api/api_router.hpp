#pragma once

#include <functional>
#include <mutex>
#include <span>
#include <string_view>

#include "common/redis_link.hpp"
#include "engine/api/api_response.hpp"
#include "engine/api/api_server_options.hpp"
#include "engine/api/set_webhook_handler.hpp"
#include "engine/api/webhook_handlers.hpp"

namespace hookline {

// Maps a complete request to its response:
//   POST /api/integrations/{channel_id}/setWebhook   SetWebhookHandler
//   GET|DELETE /api/integrations/{channel_id}/webhook, GET .../webhook/secret,
//   POST .../webhook/rotateSecret, POST .../webhook/test, GET .../attempts   WebhookHandlers
//   GET  /healthz                                     200 {"status":"ok"}
//   GET  /readyz                                      200/503 from options.ready and a PING
//   GET  /metrics                                     options.metrics(), Prometheus text
// With options.management false only the last three are served.
// A known path with another method gets 405 with Allow, anything else 404 "Not found". The
// query string is ignored here (only the attempts handler reads it). Version and keep-alive are
// left to the session.
//
// Threading: handle() may be called from any io thread concurrently.
class ApiRouter {
 public:
  // One method on one path that handle() serves; {channel_id} stands for any channel id.
  struct Route {
    std::string_view method;
    std::string_view path;
  };

  explicit ApiRouter(const ApiServerOptions& options);

  // Every route handle() serves (with options.management true and options.metrics set), for
  // docs/openapi.yaml to be held to: tests/integration/openapi_test.cpp checks this list
  // against handle() and against the file.
  static std::span<const Route> routes();

  ApiResponse handle(const ApiRequest& request);

  const SetWebhookHandler& setWebhookHandler() const { return set_webhook_; }

 private:
  ApiResponse readiness();
  ApiResponse integration(std::string_view channel_id, std::string_view action,
                          const ApiRequest& request);

  SetWebhookHandler set_webhook_;
  WebhookHandlers webhooks_;
  std::function<bool()> ready_;
  std::function<std::string()> metrics_;
  bool management_;
  std::mutex ping_mutex_;  // guards ping_link_
  // Its own link with short timeouts, so /readyz turns within two seconds of Redis going
  // away (DESIGN.md section 7).
  // TODO: the PING blocks the io thread for up to a second while Redis is unreachable; probe
  // from a background thread and report the last result instead.
  RedisLink ping_link_;
};

}  // namespace hookline
