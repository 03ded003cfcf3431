#pragma once

#include <cstddef>
#include <string_view>

#include "common/expected.hpp"
#include "common/host_resolver.hpp"
#include "common/network_policy.hpp"

namespace hookline {

// What a webhook URL must be to be registered (DESIGN.md sections 1 and 4): its form, and the
// addresses its host means. A literal address in any spelling curl or a resolver would accept
// ("127.1", "0x7f000002", "[::ffff:127.0.0.2]") is judged by the address it means; a name must
// resolve, and every address it resolves to must be public or allow-listed (one inside address
// is enough to refuse: the client may pick any of them). This is the early, friendly check;
// the dispatcher's connect-time guard (the open-socket callback of dispatcher/transfer) judges
// again on every attempt,
// which is what stops a name that is re-pointed inside later (DNS rebinding).
struct UrlRules {
  bool allow_http = false;  // plain http:// besides https://, for local testing only
  std::size_t max_length = 2048;
  NetworkPolicy network;  // the operator's --allow-network ranges
  // Resolves host names. Empty: names cannot be checked and are refused, so a forgotten wiring
  // fails closed (and tests or fuzzers never reach real DNS by accident).
  HostResolver resolve;
};

// Success, or an Error whose message is the reason to show the client (field "url"), such as
// "must use https". Parsing is libcurl's URL API, the same parser that later sends to it, plus
// stricter checks of our own on the raw text. May block for as long as `rules.resolve` does.
Status checkWebhookUrl(std::string_view url, const UrlRules& rules);

}  // namespace hookline
