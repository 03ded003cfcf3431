#pragma once

#include <functional>
#include <mutex>

#include "common/redis_link.hpp"
#include "engine/api/api_response.hpp"
#include "engine/api/api_server_options.hpp"
#include "engine/api/set_webhook_handler.hpp"

namespace hookline {

// Maps a complete request to its response:
//   POST /api/integrations/{channel_id}/setWebhook   SetWebhookHandler
//   GET  /healthz                                     200 {"status":"ok"}
//   GET  /readyz                                      200/503 from options.ready and a PING
// A known path with another method gets 405 with Allow, anything else 404 "Not found". The
// query string is ignored. Version and keep-alive are left to the session.
//
// Threading: handle() may be called from any io thread concurrently.
class ApiRouter {
 public:
  explicit ApiRouter(const ApiServerOptions& options);

  ApiResponse handle(const ApiRequest& request);

  const SetWebhookHandler& setWebhookHandler() const { return set_webhook_; }

 private:
  ApiResponse readiness();

  SetWebhookHandler set_webhook_;
  std::function<bool()> ready_;
  std::mutex ping_mutex_;  // guards ping_link_
  // Its own link with short timeouts, so /readyz turns within two seconds of Redis going
  // away (DESIGN.md section 7).
  // TODO: the PING blocks the io thread for up to a second while Redis is unreachable; probe
  // from a background thread and report the last result instead.
  RedisLink ping_link_;
};

}  // namespace hookline
