#pragma once

#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "registry/event_kind.hpp"

namespace hookline {

struct ApiReply {
  long status = 0;
  std::string body;
};

// Calls setWebhook on a running management API, as a customer would (libcurl, synchronous).
// An Error means no answer arrived; any HTTP status comes back as a reply.
Expected<ApiReply> callSetWebhook(std::string_view api_base_url, std::string_view api_key,
                                  std::string_view channel_id, std::string_view webhook_url,
                                  EventMask events);

}  // namespace hookline
